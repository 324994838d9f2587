-- bench/jit_setup.sql: the data of bench/jit.sh (issue 10), deterministic.
--
-- tj: :rows rows with a column of each input type the two-argument
-- aggregates take, two of each so that numerator and denominator differ:
-- int4 (leads, customers), int8 (clicks, orders), numeric(12,2) (revenue,
-- spend), float8 (revenue_f, spend_f), behind a date and a text column as
-- in bench/setup.sql.  tw: 1M rows with a unique key id and a date, for the
-- window cases.  No column is NULL (kpi's two-argument aggregates skip a
-- pair with a NULL, sum(x)/sum(y) does not).

\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS kpi;
CREATE EXTENSION IF NOT EXISTS kpi_bench_floor;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
RESET client_min_messages;
DROP TABLE IF EXISTS tj, tw;

CREATE FUNCTION pg_temp.jit_rows(n bigint)
RETURNS TABLE (id bigint, day date, channel text, spend numeric(12,2), spend_f double precision,
			   leads integer, customers integer, revenue numeric(12,2), revenue_f double precision,
			   clicks bigint, orders bigint, won boolean)
LANGUAGE sql IMMUTABLE
AS $$
SELECT id,
	   date '2023-01-01' + (id % 730)::integer,
	   (ARRAY['search', 'social', 'display', 'email', 'video', 'affiliate'])[1 + (h2 >> 40) % 6],
	   ((h1 % 1000000) * 0.01)::numeric(12,2),
	   (h1 % 1000000)::double precision / 100,
	   (h2 % 50)::integer,
	   least(h2 % 50, (h2 >> 8) % 4)::integer,
	   ((h3 % 2000000) * 0.01)::numeric(12,2),
	   (h3 % 2000000)::double precision / 100,
	   (h1 >> 20) % 100000,
	   (h3 >> 20) % 1000,
	   (h3 >> 32) % 10 < 3
FROM (
	SELECT id,
		   hashint8extended(id, 1) & 9223372036854775807 AS h1,
		   hashint8extended(id, 2) & 9223372036854775807 AS h2,
		   hashint8extended(id, 3) & 9223372036854775807 AS h3
	FROM generate_series(1::bigint, n) AS id
) AS g
$$;

\timing on
BEGIN;
CREATE TABLE tj AS
SELECT day, channel, spend, spend_f, leads, customers, revenue, revenue_f, clicks, orders, won
FROM pg_temp.jit_rows(:rows);
CREATE TABLE tw AS SELECT * FROM pg_temp.jit_rows(1000000);
ALTER TABLE tw ADD PRIMARY KEY (id);
COMMIT;
VACUUM (ANALYZE) tj;
VACUUM (ANALYZE) tw;
\timing off
SELECT pg_size_pretty(pg_table_size('tj')) AS tj_size, pg_prewarm('tj') AS tj_pages,
	   pg_prewarm('tw') AS tw_pages, pg_prewarm('tw_pkey') AS tw_pkey_pages;
