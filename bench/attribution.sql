-- bench/attribution.sql: kpi.attribute against plain SQL with window
-- functions (issue 14).  Run by bench/attribution.sh; psql variables:
-- rounds, customers.
--
-- :customers customers with 10 rows each (9 touches and 1 conversion that
-- also names the channel it came through), at whole minutes over 180 days,
-- so that some touches come after the conversion and some before the
-- 90-day lookback.  Values come from hashint8extended, so they are
-- deterministic.  Both sides compute the credit per channel over all
-- conversions, for the linear and the position-based (40/20/40) models;
-- timed alternately in one session, :rounds rounds after a warm-up, median.
-- The kpi side is measured two ways: kpi.attribute per customer (GROUP BY
-- customer_id, unnest, GROUP BY channel) and kpi.attribute_totals over the
-- whole table.  The answers are compared first.  The target: kpi at least 3x
-- faster.  Two floors are timed with them: the GROUP BY customer_id alone
-- (count(*) per customer, what any per-customer aggregate pays) and the
-- scan alone.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '512MB';
DROP TABLE IF EXISTS touches;

CREATE TABLE touches AS
SELECT c AS customer_id,
	   timestamptz '2024-01-01 00:00+00'
		 + (pg_catalog.abs(pg_catalog.hashint8extended(c * 16 + i, 1)) % (180 * 24 * 60)) * interval '1 minute' AS ts,
	   (ARRAY['search', 'social', 'email', 'direct', 'event', 'display'])
		 [1 + pg_catalog.abs(pg_catalog.hashint8extended(c * 16 + i, 2)) % 6] AS channel,
	   i = 10 AS converted
FROM pg_catalog.generate_series(1, :customers) AS c, pg_catalog.generate_series(1, 10) AS i;
VACUUM ANALYZE touches;
SELECT pg_catalog.count(*) AS rows, pg_catalog.count(DISTINCT customer_id) AS customers,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_table_size('touches')) AS table_size
FROM touches;

-- The plain-SQL equivalent.  A touch belongs to the first conversion at or
-- after it (a running min over the customer's rows in descending time; RANGE
-- so that a conversion at the same instant counts); it is in reach when
-- within 90 days before that conversion; touches are ranked by time, then
-- channel name.  Every conversion here names a channel, so none is
-- unattributed.
CREATE FUNCTION plain_sql(model text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN pg_catalog.format($q$
SELECT channel, sum(credit) AS credit FROM (
	SELECT channel, %s AS credit
	FROM (SELECT channel,
				 row_number() OVER (PARTITION BY customer_id, conv_ts ORDER BY ts, channel COLLATE "C") AS pos,
				 count(*) OVER (PARTITION BY customer_id, conv_ts) AS k
		  FROM (SELECT customer_id, ts, channel,
					   min(ts) FILTER (WHERE converted) OVER (PARTITION BY customer_id ORDER BY ts DESC) AS conv_ts
				FROM touches) AS t
		  WHERE conv_ts IS NOT NULL AND channel IS NOT NULL AND ts >= conv_ts - interval '90 days') AS r) AS w
GROUP BY channel$q$,
	CASE model WHEN 'linear' THEN '1.0::float8 / k'
	ELSE 'CASE WHEN k = 1 THEN 1.0::float8 WHEN k = 2 THEN 0.5 WHEN pos = 1 OR pos = k THEN 0.4 ELSE 0.2 / (k - 2) END' END);

CREATE FUNCTION kpi_sql(model text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN pg_catalog.format($q$
SELECT c.channel, sum(c.credit) AS credit
FROM (SELECT kpi.attribute(ts, channel, converted, %L) AS a FROM touches GROUP BY customer_id) AS x,
	 pg_catalog.unnest(x.a) AS c
GROUP BY c.channel$q$, model);

CREATE FUNCTION totals_sql(model text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN pg_catalog.format($q$
SELECT c.channel, c.credit
FROM pg_catalog.unnest((SELECT kpi.attribute_totals(customer_id, ts, channel, converted, %L) FROM touches)) AS c$q$,
	model);

-- The answers match: the same channels, credits within 1e-6 (the kpi side
-- rounds each credit to 1e-12; the plain side sums float8), and the two kpi
-- sides exactly.
CREATE TEMP TABLE answers AS
SELECT m.model, 'plain' AS side, r.channel, r.credit::numeric AS credit
FROM (VALUES ('linear'), ('position_based')) AS m(model),
	 LATERAL (SELECT NULL::text AS channel, NULL::float8 AS credit) AS r WHERE false;
DO $$
DECLARE
	m text;
BEGIN
	FOREACH m IN ARRAY ARRAY['linear', 'position_based'] LOOP
		EXECUTE pg_catalog.format('INSERT INTO answers SELECT %L, ''plain'', channel, credit::numeric FROM (%s) AS q', m, plain_sql(m));
		EXECUTE pg_catalog.format('INSERT INTO answers SELECT %L, ''kpi'', channel, credit FROM (%s) AS q', m, kpi_sql(m));
		EXECUTE pg_catalog.format('INSERT INTO answers SELECT %L, ''totals'', channel, credit FROM (%s) AS q', m, totals_sql(m));
	END LOOP;
END
$$;
SELECT a.model, a.channel, pg_catalog.round(a.credit, 6) AS credit_kpi, pg_catalog.round(b.credit, 6) AS credit_plain,
	   pg_catalog.abs(a.credit - b.credit) < 1e-6 AS same
FROM answers AS a FULL JOIN answers AS b ON b.model = a.model AND b.channel = a.channel AND b.side = 'plain'
WHERE a.side = 'kpi' ORDER BY 1, 2;
SELECT pg_catalog.bool_and(pg_catalog.abs(a.credit - b.credit) < 1e-6 AND a.credit = t.credit)
	   AND pg_catalog.count(*) = 12 AS answers_match
FROM answers AS a JOIN answers AS b ON b.model = a.model AND b.channel = a.channel AND b.side = 'plain'
JOIN answers AS t ON t.model = a.model AND t.channel = a.channel AND t.side = 'totals'
WHERE a.side = 'kpi' \gset
\if :answers_match
\else
\echo 'the answers differ'
SELECT 1 / 0;
\endif

-- The timed queries, for bench/attribution.sh to run: it measures each
-- one's wall time and the backend's CPU time (from /proc), since the CPU
-- time stays meaningful on a machine that other work keeps busy.
\pset tuples_only on
\pset format unaligned
\o :queries_out
SELECT c || E'\t' || pg_catalog.replace(q, E'\n', ' ')
FROM (VALUES (1, 'plain_linear', plain_sql('linear')), (2, 'kpi_linear', kpi_sql('linear')),
			 (3, 'totals_linear', totals_sql('linear')),
			 (4, 'plain_position_based', plain_sql('position_based')),
			 (5, 'kpi_position_based', kpi_sql('position_based')),
			 (6, 'totals_position_based', totals_sql('position_based')),
			 (7, 'floor_group_by_customer', 'SELECT count(*) FROM touches GROUP BY customer_id'),
			 (8, 'floor_scan', 'SELECT customer_id, ts, channel, converted FROM touches')) AS v(n, c, q)
ORDER BY n;
\o
\pset tuples_only off
\pset format aligned
