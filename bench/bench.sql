-- bench/bench.sql: times every case of issue #2 in one session and prints
-- the results as a markdown table.  Run by bench/run.sh after setup.sql.
--
-- Timing is server side: a PL/pgSQL driver reads clock_timestamp() around
-- EXECUTE ... INTO of a query that returns one row, so no client transfer
-- is measured.  For each case both sides get one untimed warm-up run, then
-- :rounds timed runs each, alternating in ABBA order (A B, B A, A B, ...)
-- so that drift in machine load hits both sides alike.  The table shows the
-- median time of each side and the median of the per-round ratios, which is
-- what PASS/FAIL is decided on; the ratio of the two sides' fastest runs is
-- shown too, as the figure least disturbed by other jobs on the machine.

\set ON_ERROR_STOP on
\if :{?rounds}
\else
	\set rounds 9
\endif

SET client_min_messages = notice;
SET jit = off;
SET max_parallel_workers_per_gather = 0;

CREATE TEMP TABLE bench_case (
	ord			integer PRIMARY KEY,
	name		text NOT NULL,
	a_sql		text NOT NULL,			-- the kpi side
	b_sql		text NOT NULL,			-- the reference side
	a_workers	integer NOT NULL DEFAULT 0,	-- max_parallel_workers_per_gather
	b_workers	integer NOT NULL DEFAULT 0,
	metric		text NOT NULL DEFAULT 'ratio',	-- ratio: A/B <= target; speedup: B/A >= target; info: A/B, no target
	target		float8,
	check_equal	boolean NOT NULL DEFAULT true,	-- A and B must return the same value
	a_ms		float8[],
	b_ms		float8[],
	a_value		text,
	b_value		text,
	note		text
);

-- One timed execution; the result is returned as text for the equality check.
CREATE FUNCTION pg_temp.time_query(query text, workers integer, OUT ms float8, OUT value text)
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz;
BEGIN
	PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
	started := clock_timestamp();
	EXECUTE query INTO value;
	ms := 1000 * extract(epoch FROM clock_timestamp() - started);
END
$$;

CREATE FUNCTION pg_temp.run_case(case_ord integer, rounds integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c		bench_case;
	a		record;
	b		record;
	times_a	float8[] := '{}';
	times_b	float8[] := '{}';
BEGIN
	SELECT * INTO STRICT c FROM bench_case WHERE ord = case_ord;
	-- warm-up, untimed
	a := pg_temp.time_query(c.a_sql, c.a_workers);
	b := pg_temp.time_query(c.b_sql, c.b_workers);
	UPDATE bench_case SET a_value = a.value, b_value = b.value WHERE ord = case_ord;
	FOR i IN 1 .. rounds LOOP
		IF i % 2 = 1 THEN
			a := pg_temp.time_query(c.a_sql, c.a_workers);
			b := pg_temp.time_query(c.b_sql, c.b_workers);
		ELSE
			b := pg_temp.time_query(c.b_sql, c.b_workers);
			a := pg_temp.time_query(c.a_sql, c.a_workers);
		END IF;
		times_a := times_a || a.ms;
		times_b := times_b || b.ms;
	END LOOP;
	PERFORM set_config('max_parallel_workers_per_gather', '0', false);
	UPDATE bench_case SET a_ms = times_a, b_ms = times_b WHERE ord = case_ord;
	RAISE NOTICE '% | A % ms | B % ms', c.name,
		(SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(times_a) x),
		(SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(times_b) x);
END
$$;

-- The window every window case uses, and the wrapper that keeps all but one
-- row of its result on the server.
\set win 'WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)'

INSERT INTO bench_case (ord, name, a_sql, b_sql, a_workers, b_workers, metric, target, check_equal) VALUES
(1, 'cac(numeric, int) vs sum/sum',
	'SELECT kpi.cac(spend, customers) FROM t10m',
	'SELECT sum(spend) / nullif(sum(customers), 0) FROM t10m',
	0, 0, 'ratio', 0.8, true),
(2, 'cac(numeric, int) vs count(*) (scan floor)',
	'SELECT kpi.cac(spend, customers) FROM t10m',
	'SELECT count(*) FROM t10m',
	0, 0, 'ratio', 1.6, false),
(3, 'conversion_rate(boolean)',
	'SELECT kpi.conversion_rate(won) FROM t10m',
	'SELECT avg(won::integer) FROM t10m',
	0, 0, 'ratio', 1.0, true),
(4, 'conversion_rate(int, int)',
	'SELECT kpi.conversion_rate(customers, leads) FROM t10m',
	'SELECT sum(customers)::float8 / nullif(sum(leads), 0) FROM t10m',
	0, 0, 'ratio', 1.0, true),
(5, 'cac(float8, int)',
	'SELECT kpi.cac(spend_f, customers) FROM t10m',
	'SELECT sum(spend_f) / nullif(sum(customers), 0) FROM t10m',
	0, 0, 'ratio', 1.0, true),
(6, 'romi(numeric, numeric)',
	'SELECT kpi.romi(revenue, spend) FROM t10m',
	'SELECT (sum(revenue) - sum(spend)) / nullif(sum(spend), 0) FROM t10m',
	0, 0, 'ratio', 1.0, true),
(7, 'window ROWS 999 PRECEDING, 1M rows: cac(numeric, int)',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend, customers) OVER w AS v FROM t1m ' || :'win' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM t1m ' || :'win' || ') s',
	0, 0, 'ratio', 1.0, true),
(8, 'window ROWS 999 PRECEDING, 1M rows: cac(float8, int) vs the numeric plain window',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend_f, customers) OVER w AS v FROM t1m ' || :'win' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM t1m ' || :'win' || ') s',
	0, 0, 'ratio', 1.5, true),
(9, 'parallel (2 workers) vs serial: cac(numeric, int)',
	'SELECT kpi.cac(spend, customers) FROM t10m',
	'SELECT kpi.cac(spend, customers) FROM t10m',
	2, 0, 'speedup', 1.4, true),
-- For context, no target: what reading the columns alone costs, and the
-- other plain spelling of a conversion rate.
(10, 'info: count(customers) vs count(*): the cost of deforming the row up to customers',
	'SELECT count(customers) FROM t10m',
	'SELECT count(*) FROM t10m',
	0, 0, 'info', NULL, false),
(11, 'info: conversion_rate(boolean) vs count(*) FILTER (WHERE won)::float8 / nullif(count(won), 0)',
	'SELECT kpi.conversion_rate(won) FROM t10m',
	'SELECT count(*) FILTER (WHERE won)::float8 / nullif(count(won), 0) FROM t10m',
	0, 0, 'info', NULL, true);

-- BENCH_CASES=7,8 runs only those cases.
DELETE FROM bench_case WHERE :'cases' <> '' AND ord <> ALL (string_to_array(:'cases', ',')::integer[]);

SELECT pg_backend_pid() AS backend_pid \gset
\echo backend pid :backend_pid (e.g. for perf record -g -p :backend_pid)

-- Check the plans: serial cases must not use a Gather, the parallel one must
-- launch 2 workers.
CREATE FUNCTION pg_temp.workers_launched(query text, workers integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	plan json;
	launched integer;
BEGIN
	PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
	EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
	PERFORM set_config('max_parallel_workers_per_gather', '0', false);
	SELECT coalesce(max((m[1])::integer), 0) INTO launched
	FROM regexp_matches(plan::text, '"Workers Launched": (\d+)', 'g') AS m;
	RETURN launched;
END
$$;

UPDATE bench_case SET note = concat_ws('; ',
	CASE WHEN pg_temp.workers_launched(a_sql, a_workers) <> a_workers
		 THEN format('A launched %s parallel workers, expected %s', pg_temp.workers_launched(a_sql, a_workers), a_workers) END,
	CASE WHEN pg_temp.workers_launched(b_sql, b_workers) <> b_workers
		 THEN format('B launched %s parallel workers, expected %s', pg_temp.workers_launched(b_sql, b_workers), b_workers) END)
WHERE ord = 9;

\o /dev/null
SELECT format('SELECT pg_temp.run_case(%s, %s)', ord, :rounds) FROM bench_case ORDER BY ord \gexec
\o

-- Results.
\pset format unaligned
\pset tuples_only on
\pset footer off
\o :out
WITH stats AS (
	SELECT c.*,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(c.a_ms) x) AS a_med,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(c.b_ms) x) AS b_med,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE c.metric WHEN 'speedup' THEN b / a ELSE a / b END)
			FROM unnest(c.a_ms, c.b_ms) AS r(a, b)) AS med,
		   (SELECT CASE c.metric WHEN 'speedup' THEN min(b) / min(a) ELSE min(a) / min(b) END
			FROM unnest(c.a_ms, c.b_ms) AS r(a, b)) AS best,
		   CASE WHEN NOT c.check_equal THEN NULL
				WHEN c.a_value IS NULL OR c.b_value IS NULL THEN c.a_value IS NOT DISTINCT FROM c.b_value
				ELSE abs(c.a_value::numeric - c.b_value::numeric) <= 1e-9 * abs(c.b_value::numeric)
		   END AS equal
	FROM bench_case c
)
SELECT line FROM (
	SELECT 0 AS ord, 0 AS sub,
		   E'| # | case | A median (ms) | B median (ms) | median ratio | target | result | ratio of best runs |\n'
		|| '|---|---|---:|---:|---:|---:|---|---:|' AS line
	UNION ALL
	SELECT ord, 0, format('| %s | %s | %s | %s | %s | %s | %s | %s |',
		   ord, name,
		   to_char(a_med, 'FM999990.0'),
		   to_char(b_med, 'FM999990.0'),
		   CASE metric WHEN 'speedup' THEN 'speedup ' || to_char(med, 'FM990.00') || '×'
			    ELSE to_char(med, 'FM990.00') || '×' END,
		   CASE metric WHEN 'ratio' THEN '≤ ' || to_char(target, 'FM990.0') || '×'
			    WHEN 'speedup' THEN '≥ ' || to_char(target, 'FM990.0') || '×' ELSE '—' END,
		   CASE WHEN metric = 'info' THEN 'info'
				WHEN (metric = 'ratio' AND med <= target) OR (metric = 'speedup' AND med >= target)
				THEN 'PASS' ELSE '**FAIL**' END,
		   to_char(best, 'FM990.00') || '×')
	FROM stats
	UNION ALL
	SELECT ord, 1, format('| %s | ⚠ WARNING: results differ: kpi = %s, reference = %s | | | | | | |', ord, a_value, b_value)
	FROM stats WHERE equal IS FALSE
	UNION ALL
	SELECT ord, 2, format('| %s | ⚠ WARNING: %s | | | | | | |', ord, note)
	FROM stats WHERE note <> ''
	UNION ALL
	SELECT 100, 0, E'\nQueries (A = the kpi side, B = the reference; each timed run includes planning, which is well under 1 ms):\n'
	UNION ALL
	SELECT 100 + ord, 0, format(E'%s. A%s: `%s`  \n   B%s: `%s`', ord,
		   CASE a_workers WHEN 0 THEN '' ELSE format(' (%s workers)', a_workers) END, a_sql,
		   CASE WHEN metric = 'speedup' THEN ' (serial)' ELSE '' END, b_sql)
	FROM stats
	UNION ALL
	SELECT 200, 0, E'\nResult check (kpi vs reference, 1e-9 relative): '
		|| CASE WHEN coalesce(bool_and(equal) FILTER (WHERE check_equal), true) THEN 'all equal.'
				ELSE 'MISMATCH, see the warning rows.' END
	FROM stats
	UNION ALL
	SELECT 201, 0, E'\nRaw times in ms (A; B), in run order:\n'
	UNION ALL
	SELECT 201 + ord, 0, format('- %s: %s; %s', ord,
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(a_ms) x),
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(b_ms) x))
	FROM stats
) AS lines
ORDER BY ord, sub;
\o
