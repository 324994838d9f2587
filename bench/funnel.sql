-- bench/funnel.sql: kpi.funnel against the plain-SQL self-join (issue 11).
-- Run by bench/funnel.sh; psql variables: entities, events, days, stats
-- (on: also time the statistics functions); the setting bench.rounds.
--
-- :events events of :entities entities (10M and 1M), each entity's events
-- spread uniformly over :days days (bench/funnel.sh runs 14 and 60),
-- one event type per row (lead 40 %, opportunity 25 %, proposal 15 %,
-- customer 8 %, other 12 %), timestamps to the second.  Four steps, a 7-day
-- window.  Timed alternately in one session, :rounds rounds after a warm-up,
-- median; each query aggregates its per-entity answer to one row so that no
-- time goes to the client:
--   floor     count(*) per entity
--   funnel    kpi.funnel(...) per entity
--   self_join the earliest next step per step-1 event, joined step by step
-- Wall time and the backend's CPU time are both reported; on a shared machine
-- the CPU-time ratios are the ones to read.
-- The target: funnel at least 3x faster than self_join, and at most 2x floor.
-- The answers of funnel and self_join are compared entity by entity first.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '2GB';
SET timezone = 'UTC';
DROP TABLE IF EXISTS funnel_events, funnel_timing;

CREATE TABLE funnel_events AS
SELECT (pg_catalog.hashint8extended(i, 1) & 2147483647) % :entities + 1 AS entity,
	   timestamptz '2024-01-01' + ((pg_catalog.hashint8extended(i, 2) & 2147483647) % (:days * 86400)) * interval '1 second' AS ts,
	   e.t = 1 AS s1, e.t = 2 AS s2, e.t = 3 AS s3, e.t = 4 AS s4
FROM pg_catalog.generate_series(1, :events) AS i,
	 LATERAL (SELECT CASE WHEN h < 40 THEN 1 WHEN h < 65 THEN 2 WHEN h < 80 THEN 3 WHEN h < 88 THEN 4 ELSE 0 END AS t
			  FROM (SELECT (pg_catalog.hashint8extended(i, 3) & 2147483647) % 100 AS h) AS hh) AS e;
VACUUM ANALYZE funnel_events;
SELECT pg_catalog.count(*) AS events, pg_catalog.count(DISTINCT entity) AS entities,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_table_size('funnel_events')) AS table_size
FROM funnel_events;

-- The queries, as views so that the check and the timing run the same text.
CREATE TEMP VIEW funnel_levels AS
SELECT entity, kpi.funnel(ts, interval '7 days', s1, s2, s3, s4) AS level
FROM funnel_events GROUP BY entity;
CREATE TEMP VIEW self_join_levels AS
WITH c1 AS (SELECT DISTINCT entity, ts AS t1 FROM funnel_events WHERE s1),
c2 AS (SELECT c.entity, c.t1, pg_catalog.min(e.ts) AS t FROM c1 c JOIN funnel_events e
	   ON e.entity = c.entity AND e.s2 AND e.ts >= c.t1 AND e.ts <= c.t1 + interval '7 days' GROUP BY c.entity, c.t1),
c3 AS (SELECT c.entity, c.t1, pg_catalog.min(e.ts) AS t FROM c2 c JOIN funnel_events e
	   ON e.entity = c.entity AND e.s3 AND e.ts >= c.t AND e.ts <= c.t1 + interval '7 days' GROUP BY c.entity, c.t1),
c4 AS (SELECT DISTINCT c.entity FROM c3 c JOIN funnel_events e
	   ON e.entity = c.entity AND e.s4 AND e.ts >= c.t AND e.ts <= c.t1 + interval '7 days')
SELECT n.entity, CASE WHEN n.entity IN (SELECT entity FROM c4) THEN 4
					  WHEN n.entity IN (SELECT entity FROM c3) THEN 3
					  WHEN n.entity IN (SELECT entity FROM c2) THEN 2
					  WHEN n.entity IN (SELECT entity FROM c1) THEN 1 ELSE 0 END AS level
FROM (SELECT DISTINCT entity FROM funnel_events) AS n;

\echo '== the answers must match exactly'
SELECT pg_catalog.count(*) AS entities,
	   pg_catalog.count(*) FILTER (WHERE f.level IS DISTINCT FROM s.level) AS mismatches,
	   pg_catalog.count(*) FILTER (WHERE f.level = 4) AS reached_4,
	   pg_catalog.count(*) FILTER (WHERE f.level >= 1) AS reached_1
FROM funnel_levels f FULL JOIN self_join_levels s USING (entity);

-- The backend's CPU time, from /proc/self/schedstat (nanoseconds on a CPU), as
-- in bench/jit.sql: on a machine shared with other jobs it hardly depends on
-- their load, the wall time does.  NULL where the file cannot be read.
CREATE FUNCTION pg_temp.cpu_ns() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	RETURN pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END
$$;
CREATE TEMP TABLE funnel_timing (kase text, round integer, ms double precision, cpu_ms double precision);
DO $$
DECLARE
	rounds integer := pg_catalog.current_setting('bench.rounds')::integer;
	started timestamptz;
	cpu_started bigint;
	queries text[][] := ARRAY[
		['floor', 'SELECT pg_catalog.sum(c) FROM (SELECT entity, pg_catalog.count(*) AS c FROM funnel_events GROUP BY entity) AS s'],
		['funnel', 'SELECT pg_catalog.sum(level) FROM funnel_levels'],
		['self_join', 'SELECT pg_catalog.sum(level) FROM self_join_levels']];
BEGIN
	FOR r IN 0 .. rounds LOOP		-- round 0 is the warm-up
		FOR q IN 1 .. pg_catalog.array_length(queries, 1) LOOP
			started := pg_catalog.clock_timestamp();
			cpu_started := pg_temp.cpu_ns();
			EXECUTE queries[q][2];
			IF r > 0 THEN
				INSERT INTO funnel_timing VALUES (queries[q][1], r,
					EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started) * 1000,
					(pg_temp.cpu_ns() - cpu_started) / 1e6);
			END IF;
		END LOOP;
	END LOOP;
END
$$;

\echo '== timings (ms; cpu: CPU time of the backend)'
SELECT kase, pg_catalog.round(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric) AS median_ms,
	   pg_catalog.round(pg_catalog.min(ms)::numeric) AS min_ms, pg_catalog.round(pg_catalog.max(ms)::numeric) AS max_ms,
	   pg_catalog.round(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms)::numeric) AS median_cpu_ms,
	   pg_catalog.round(pg_catalog.min(cpu_ms)::numeric) AS min_cpu_ms, pg_catalog.round(pg_catalog.max(cpu_ms)::numeric) AS max_cpu_ms
FROM funnel_timing GROUP BY kase ORDER BY pg_catalog.min(ms);
\echo '== ratios of medians (wall time, then CPU time)'
WITH m AS (SELECT kase, pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
				  pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) AS cpu FROM funnel_timing GROUP BY kase)
SELECT 'wall' AS time,
	   pg_catalog.round(((SELECT ms FROM m WHERE kase = 'self_join') / (SELECT ms FROM m WHERE kase = 'funnel'))::numeric, 2) AS self_join_over_funnel,
	   pg_catalog.round(((SELECT ms FROM m WHERE kase = 'funnel') / (SELECT ms FROM m WHERE kase = 'floor'))::numeric, 2) AS funnel_over_floor,
	   pg_catalog.round(((SELECT ms FROM m WHERE kase = 'self_join') / (SELECT ms FROM m WHERE kase = 'floor'))::numeric, 2) AS self_join_over_floor
UNION ALL
SELECT 'cpu',
	   pg_catalog.round(((SELECT cpu FROM m WHERE kase = 'self_join') / (SELECT cpu FROM m WHERE kase = 'funnel'))::numeric, 2),
	   pg_catalog.round(((SELECT cpu FROM m WHERE kase = 'funnel') / (SELECT cpu FROM m WHERE kase = 'floor'))::numeric, 2),
	   pg_catalog.round(((SELECT cpu FROM m WHERE kase = 'self_join') / (SELECT cpu FROM m WHERE kase = 'floor'))::numeric, 2);

\if :stats
-- The statistics functions against sqrt() over the same 1M rows.
DROP TABLE IF EXISTS stats_rows;
CREATE TABLE stats_rows AS
SELECT i, (i % 1000)::bigint AS s, 1000::bigint AS n, (i % 1000)::float8 AS x FROM pg_catalog.generate_series(1, 1000000) AS i;
VACUUM ANALYZE stats_rows;
TRUNCATE funnel_timing;
DO $$
DECLARE
	rounds integer := pg_catalog.current_setting('bench.rounds')::integer;
	started timestamptz;
	queries text[][] := ARRAY[
		['sqrt', 'SELECT pg_catalog.sum(pg_catalog.sqrt(x)) FROM stats_rows'],
		['wilson_lower', 'SELECT pg_catalog.sum(kpi.wilson_lower(s, n)) FROM stats_rows'],
		['proportions_ztest', 'SELECT pg_catalog.sum((kpi.proportions_ztest(s, n, 500, 1000)).z) FROM stats_rows']];
BEGIN
	FOR r IN 0 .. rounds LOOP
		FOR q IN 1 .. pg_catalog.array_length(queries, 1) LOOP
			started := pg_catalog.clock_timestamp();
			EXECUTE queries[q][2];
			IF r > 0 THEN
				INSERT INTO funnel_timing VALUES (queries[q][1], r,
					EXTRACT(epoch FROM pg_catalog.clock_timestamp() - started) * 1000);
			END IF;
		END LOOP;
	END LOOP;
END
$$;
\echo '== statistics (ms, 1M calls)'
WITH m AS (SELECT kase, pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM funnel_timing GROUP BY kase)
SELECT kase, pg_catalog.round(ms::numeric) AS median_ms,
	   pg_catalog.round((ms / (SELECT ms FROM m WHERE kase = 'sqrt'))::numeric, 2) AS over_sqrt
FROM m ORDER BY ms;
DROP TABLE stats_rows;
\endif
