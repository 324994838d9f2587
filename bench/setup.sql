-- bench/setup.sql: the benchmark data, generated deterministically.
--
-- t10m: 10M rows of marketing facts; t1m: the first 1M of them, with their
-- unique key id, for the window cases.  Every value is derived from
-- hashint8extended(id, seed), so the data does not depend on the order in
-- which rows are generated, nor on random()'s implementation.
--
-- No column is NULL: the kpi two-argument aggregates skip a pair when either
-- side is NULL, while sum(x)/sum(y) sums each column on its own, so the
-- results are only comparable without NULLs.
--
-- spend_f is spend as double precision, computed as cents / 100 in float8:
-- the correctly rounded quotient of two exact integers, i.e. exactly
-- spend::float8.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS kpi;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
RESET client_min_messages;

-- The generator: row id of n rows.  An IMMUTABLE SQL function, so the
-- planner inlines it into the INSERT.
CREATE FUNCTION pg_temp.bench_rows(n bigint)
RETURNS TABLE (id bigint, day date, channel text, spend numeric(12,2), spend_f double precision,
			   leads integer, customers integer, revenue numeric(12,2), won boolean)
LANGUAGE sql IMMUTABLE
AS $$
SELECT id,
	   date '2023-01-01' + (id % 730)::integer,
	   (ARRAY['search', 'social', 'display', 'email', 'video', 'affiliate'])[1 + (h2 >> 40) % 6],
	   ((h1 % 1000000) * 0.01)::numeric(12,2),					-- 0.00 .. 9999.99
	   (h1 % 1000000)::double precision / 100,					-- = spend::float8
	   (h2 % 50)::integer,
	   least(h2 % 50, (h2 >> 8) % 4)::integer,					-- never above leads; ~1/4 of rows have none
	   ((h3 % 2000000) * 0.01)::numeric(12,2),					-- 0.00 .. 19999.99
	   (h3 >> 32) % 10 < 3										-- ~30% won
FROM (
	SELECT id,
		   hashint8extended(id, 1) & 9223372036854775807 AS h1,	-- non-negative
		   hashint8extended(id, 2) & 9223372036854775807 AS h2,
		   hashint8extended(id, 3) & 9223372036854775807 AS h3
	FROM generate_series(1::bigint, n) AS id
) AS g
$$;

DROP TABLE IF EXISTS t10m, t1m;
\timing on
BEGIN;
-- Created in the loading transaction: with wal_level=minimal this skips WAL.
-- The columns of issue #2, in its order.
CREATE TABLE t10m (
	day			date NOT NULL,
	channel		text NOT NULL,
	spend		numeric(12,2) NOT NULL,
	spend_f		double precision NOT NULL,
	leads		integer NOT NULL,
	customers	integer NOT NULL,
	revenue		numeric(12,2) NOT NULL,
	won			boolean NOT NULL
);
INSERT INTO t10m
SELECT day, channel, spend, spend_f, leads, customers, revenue, won
FROM pg_temp.bench_rows(10000000);

-- The window cases: the same first 1M rows, with their unique key id.
CREATE TABLE t1m AS SELECT * FROM pg_temp.bench_rows(1000000);
ALTER TABLE t1m ADD PRIMARY KEY (id);
COMMIT;

VACUUM (ANALYZE) t10m;
VACUUM (ANALYZE) t1m;
\timing off

-- Load both tables into shared_buffers (each is well under a quarter of
-- shared_buffers, so sequential scans do not fall back to a ring buffer).
SELECT pg_size_pretty(pg_table_size('t10m')) AS t10m_size,
	   pg_size_pretty(pg_table_size('t1m')) AS t1m_size,
	   pg_prewarm('t10m') AS t10m_pages,
	   pg_prewarm('t1m') AS t1m_pages,
	   pg_prewarm('t1m_pkey') AS t1m_pkey_pages;
