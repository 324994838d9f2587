-- bench/jit.sql: the cases of issue 10, timed under three JIT settings.
-- Run by bench/jit.sh after jit_setup.sql; prints a markdown table to :out.
--
-- Each scan case has three sides, timed in the same session: A, the kpi
-- aggregate; B, the plain SQL one would otherwise write; F, the floor, the
-- benchmark-only two-argument C aggregate that does nothing
-- (bench/floor/) over the same columns.  Per round the three sides run in
-- one of the six orders (ABF, BFA, FAB, AFB, FBA, BAF, in turn), after one
-- untimed warm-up each.  The ratios are medians of the per-round ratios A/B
-- and A/F.  Window and parallel cases have two sides and run with JIT off.

\set ON_ERROR_STOP on
\if :{?rounds}
\else
	\set rounds 5
\endif
\if :{?modes}
\else
	\set modes 'off,default,forced'
\endif

SET client_min_messages = notice;
SET max_parallel_workers_per_gather = 0;

CREATE TEMP TABLE jcase (
	ord			integer PRIMARY KEY,
	kind		text NOT NULL,			-- scan, window, parallel
	name		text NOT NULL,
	a_sql		text NOT NULL,
	b_sql		text NOT NULL,
	f_sql		text,
	a_workers	integer NOT NULL DEFAULT 0,
	b_workers	integer NOT NULL DEFAULT 0,
	check_equal	boolean NOT NULL DEFAULT true
);
CREATE TEMP TABLE jrun (
	ord		integer,
	mode	text,
	a_ms	float8[],				-- CPU time (wall time for the parallel case)
	b_ms	float8[],
	f_ms	float8[],
	a_wall	float8[],
	b_wall	float8[],
	f_wall	float8[],
	a_value	text,
	b_value	text,
	jit_note text,
	PRIMARY KEY (ord, mode)
);

-- The JIT settings of a mode.
CREATE FUNCTION pg_temp.set_mode(mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF mode = 'off' THEN
		PERFORM set_config('jit', 'off', false);
	ELSE
		PERFORM set_config('jit', 'on', false);
		IF mode = 'default' THEN
			PERFORM set_config('jit_above_cost', '100000', false);
			PERFORM set_config('jit_inline_above_cost', '500000', false);
			PERFORM set_config('jit_optimize_above_cost', '500000', false);
		ELSIF mode = 'forced' THEN
			PERFORM set_config('jit_above_cost', '0', false);
			PERFORM set_config('jit_inline_above_cost', '0', false);
			PERFORM set_config('jit_optimize_above_cost', '0', false);
		ELSE
			RAISE EXCEPTION 'unknown mode %', mode;
		END IF;
	END IF;
END
$$;

-- Wall-clock time, and the CPU time of this backend: the first field of
-- /proc/self/schedstat, nanoseconds on a CPU.  On a machine shared with
-- other jobs the CPU time hardly depends on their load, the wall time does.
CREATE FUNCTION pg_temp.cpu_ns() RETURNS bigint LANGUAGE sql AS $$
	SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint
$$;
CREATE FUNCTION pg_temp.time_query(query text, workers integer, OUT ms float8, OUT cpu_ms float8, OUT value text)
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz;
	cpu0 bigint;
BEGIN
	PERFORM set_config('max_parallel_workers_per_gather', workers::text, false);
	cpu0 := pg_temp.cpu_ns();
	started := clock_timestamp();
	EXECUTE query INTO value;
	ms := 1000 * extract(epoch FROM clock_timestamp() - started);
	cpu_ms := (pg_temp.cpu_ns() - cpu0) / 1e6;
END
$$;

-- What JIT did for a query: inlining, optimisation, and its total time.
CREATE FUNCTION pg_temp.jit_note(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	plan json;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON) ' || query INTO plan;
	IF plan -> 0 -> 'JIT' IS NULL THEN
		RETURN 'no JIT';
	END IF;
	RETURN format('inline %s, optimize %s, %s ms',
				  plan -> 0 -> 'JIT' -> 'Options' ->> 'Inlining',
				  plan -> 0 -> 'JIT' -> 'Options' ->> 'Optimization',
				  round((plan -> 0 -> 'JIT' -> 'Timing' ->> 'Total')::numeric, 0));
END
$$;

CREATE FUNCTION pg_temp.run_case(case_ord integer, mode text, rounds integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	c		jcase;
	r		record;
	va		text;
	vb		text;
	ta		float8[] := '{}';
	tb		float8[] := '{}';
	tf		float8[] := '{}';
	wa		float8[] := '{}';
	wb		float8[] := '{}';
	wf		float8[] := '{}';
	cpu		boolean;
	perms	CONSTANT text[] := ARRAY['ABF', 'BFA', 'FAB', 'AFB', 'FBA', 'BAF'];
	side	text;
	note	text;
BEGIN
	SELECT * INTO STRICT c FROM jcase WHERE ord = case_ord;
	cpu := c.kind <> 'parallel';	-- the workers' CPU time is not this backend's
	PERFORM pg_temp.set_mode(mode);
	IF mode = 'off' THEN
		note := 'no JIT';
	ELSE
		note := pg_temp.jit_note(c.a_sql) || ' / ' || pg_temp.jit_note(c.b_sql);
	END IF;
	-- warm-up, untimed
	r := pg_temp.time_query(c.a_sql, c.a_workers); va := r.value;
	r := pg_temp.time_query(c.b_sql, c.b_workers); vb := r.value;
	IF c.f_sql IS NOT NULL THEN
		r := pg_temp.time_query(c.f_sql, 0);
	END IF;
	FOR i IN 1 .. rounds LOOP
		FOREACH side IN ARRAY string_to_array(perms[1 + (i - 1) % 6], NULL) LOOP
			CONTINUE WHEN side = 'F' AND c.f_sql IS NULL;
			IF side = 'A' THEN
				r := pg_temp.time_query(c.a_sql, c.a_workers);
				ta := ta || CASE WHEN cpu THEN r.cpu_ms ELSE r.ms END; wa := wa || r.ms;
			ELSIF side = 'B' THEN
				r := pg_temp.time_query(c.b_sql, c.b_workers);
				tb := tb || CASE WHEN cpu THEN r.cpu_ms ELSE r.ms END; wb := wb || r.ms;
			ELSE
				r := pg_temp.time_query(c.f_sql, 0);
				tf := tf || CASE WHEN cpu THEN r.cpu_ms ELSE r.ms END; wf := wf || r.ms;
			END IF;
		END LOOP;
	END LOOP;
	PERFORM set_config('max_parallel_workers_per_gather', '0', false);
	INSERT INTO jrun VALUES (case_ord, mode, ta, tb, CASE WHEN c.f_sql IS NULL THEN NULL ELSE tf END,
							 wa, wb, CASE WHEN c.f_sql IS NULL THEN NULL ELSE wf END, va, vb, note);
	RAISE NOTICE '% [%] A % | B % | F % ms', c.name, mode,
		(SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(ta) x),
		(SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(tb) x),
		(SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(tf) x);
END
$$;

-- The scan cases.  Every type pair of the two-argument aggregates (each has
-- its own C transition); cac, roas and romi take turns over the pairs (cac
-- and roas share transition and final function, romi differs in its final
-- function only, which runs once per query).
CREATE TEMP TABLE jcol (t text PRIMARY KEY, x text, y text, o integer);
INSERT INTO jcol VALUES ('int4', 'customers', 'leads', 1), ('int8', 'orders', 'clicks', 2),
	('numeric', 'revenue', 'spend', 3), ('float8', 'revenue_f', 'spend_f', 4);

INSERT INTO jcase (ord, kind, name, a_sql, b_sql, f_sql)
SELECT 10 + 4 * (xt.o - 1) + yt.o, 'scan',
	   format('%s(%s, %s)', fn, xt.t, yt.t),
	   format('SELECT kpi.%s(%s, %s) FROM tj', fn, xt.x, yt.y),
	   CASE fn WHEN 'romi' THEN format('SELECT (sum(%1$s)::float8 - sum(%2$s)::float8) / nullif(sum(%2$s), 0)::float8 FROM tj', xt.x, yt.y)
			   ELSE format('SELECT sum(%s)::float8 / nullif(sum(%s), 0)::float8 FROM tj', xt.x, yt.y) END,
	   format('SELECT kpi_bench_floor(%s, %s) FROM tj', xt.x, yt.y)
FROM jcol xt, jcol yt,
	 LATERAL (SELECT (ARRAY['cac', 'roas', 'romi'])[1 + (4 * (xt.o - 1) + yt.o - 1) % 3] AS fn) f;

INSERT INTO jcase (ord, kind, name, a_sql, b_sql, f_sql, check_equal) VALUES
(1, 'scan', 'conversion_rate(boolean) vs avg(won::integer)',
	'SELECT kpi.conversion_rate(won) FROM tj',
	'SELECT avg(won::integer) FROM tj',
	'SELECT kpi_bench_floor(won, won) FROM tj', true),
(2, 'scan', 'conversion_rate(int4, int4)',
	'SELECT kpi.conversion_rate(customers, leads) FROM tj',
	'SELECT sum(customers)::float8 / nullif(sum(leads), 0) FROM tj',
	'SELECT kpi_bench_floor(customers, leads) FROM tj', true),
(3, 'scan', 'ratio_agg(int4, int4) vs count, sums and moments',
	'SELECT kpi.value(r), kpi.n(r) FROM (SELECT kpi.ratio_agg(customers, leads) AS r FROM tj) s',
	'SELECT sum(customers)::float8 / nullif(sum(leads), 0), count(*), sum(customers::float8 * customers), sum(leads::float8 * leads), sum(customers::float8 * leads) FROM tj',
	'SELECT kpi_bench_floor(customers, leads) FROM tj', true),
(4, 'scan, JIT off only', 'ratio_agg(numeric, numeric) vs count, sums and moments (JIT off only: the plain side takes 5 s)',
	'SELECT kpi.value(r), kpi.n(r) FROM (SELECT kpi.ratio_agg(revenue, spend) AS r FROM tj) s',
	'SELECT sum(revenue) / nullif(sum(spend), 0), count(*), sum(revenue::float8 * revenue::float8), sum(spend::float8 * spend::float8), sum(revenue::float8 * spend::float8) FROM tj',
	'SELECT kpi_bench_floor(revenue, spend) FROM tj', true);

\set rows_w 'WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)'
\set range_w 'WINDOW w AS (ORDER BY day RANGE BETWEEN ''30 days'' PRECEDING AND CURRENT ROW)'
INSERT INTO jcase (ord, kind, name, a_sql, b_sql, f_sql) VALUES
(40, 'window', 'window ROWS 999 PRECEDING, 1M rows: cac(numeric, int4)',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend, customers) OVER w AS v FROM tw ' || :'rows_w' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM tw ' || :'rows_w' || ') s',
	'SELECT sum(v) FROM (SELECT kpi_bench_floor(spend, customers) OVER w AS v FROM tw ' || :'rows_w' || ') s'),
(41, 'window', 'window ROWS 999 PRECEDING, 1M rows: cac(float8, int4) vs the numeric plain window',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend_f, customers) OVER w AS v FROM tw ' || :'rows_w' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM tw ' || :'rows_w' || ') s',
	'SELECT sum(v) FROM (SELECT kpi_bench_floor(spend, customers) OVER w AS v FROM tw ' || :'rows_w' || ') s'),
(42, 'window', 'window RANGE ''30 days'' PRECEDING over day, 1M rows: cac(numeric, int4)',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend, customers) OVER w AS v FROM tw ' || :'range_w' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM tw ' || :'range_w' || ') s',
	'SELECT sum(v) FROM (SELECT kpi_bench_floor(spend, customers) OVER w AS v FROM tw ' || :'range_w' || ') s'),
(43, 'window', 'window RANGE ''30 days'' PRECEDING over day, 1M rows: cac(float8, int4) vs the numeric plain window',
	'SELECT sum(v) FROM (SELECT kpi.cac(spend_f, customers) OVER w AS v FROM tw ' || :'range_w' || ') s',
	'SELECT sum(v) FROM (SELECT sum(spend) OVER w / nullif(sum(customers) OVER w, 0) AS v FROM tw ' || :'range_w' || ') s',
	'SELECT sum(v) FROM (SELECT kpi_bench_floor(spend, customers) OVER w AS v FROM tw ' || :'range_w' || ') s');
INSERT INTO jcase (ord, kind, name, a_sql, b_sql, a_workers, b_workers) VALUES
(50, 'parallel', 'parallel (2 workers) vs serial: cac(numeric, int4)',
	'SELECT kpi.cac(spend, customers) FROM tj', 'SELECT kpi.cac(spend, customers) FROM tj', 2, 0),
-- context: what the machine gives plain SQL's parallel plan at the same time
(51, 'parallel', 'context: plain sum(spend) / nullif(sum(customers), 0), 2 workers vs serial',
	'SELECT sum(spend) / nullif(sum(customers), 0) FROM tj', 'SELECT sum(spend) / nullif(sum(customers), 0) FROM tj', 2, 0);

DELETE FROM jcase WHERE :'cases' <> '' AND ord <> ALL (string_to_array(:'cases', ',')::integer[]);

SELECT pg_backend_pid() AS backend_pid \gset
\echo backend pid :backend_pid

\o /dev/null
SELECT format('SELECT pg_temp.run_case(%s, %L, %s)', c.ord, m.mode, :rounds)
FROM jcase c, unnest(string_to_array(:'modes', ',')) WITH ORDINALITY AS m(mode, mo)
WHERE c.kind = 'scan' OR m.mode = 'off'
ORDER BY m.mo, c.ord \gexec
\o
SELECT pg_temp.set_mode('off');

\pset format unaligned
\pset tuples_only on
\pset footer off
\o :out
WITH s AS (
	SELECT c.*, r.mode, r.a_value, r.b_value, r.jit_note, r.a_ms, r.b_ms, r.f_ms, r.a_wall, r.b_wall, r.f_wall,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a / b) FROM unnest(r.a_wall, r.b_wall) AS q(a, b)) AS ab_wall,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(r.a_ms) x) AS a_med,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(r.b_ms) x) AS b_med,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(r.f_ms) x) AS f_med,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE c.kind WHEN 'parallel' THEN b / a ELSE a / b END)
			FROM unnest(r.a_ms, r.b_ms) AS q(a, b)) AS ab,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a / f) FROM unnest(r.a_ms, r.f_ms) AS q(a, f)) AS af,
		   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY f / b) FROM unnest(r.f_ms, r.b_ms) AS q(f, b)) AS fb,
		   CASE c.kind WHEN 'parallel' THEN 1.7 WHEN 'window' THEN 0.75
				ELSE CASE r.mode WHEN 'off' THEN 0.9 ELSE 1.0 END END AS target,
		   CASE WHEN r.a_value IS NULL OR r.b_value IS NULL THEN r.a_value IS NOT DISTINCT FROM r.b_value
				ELSE abs(r.a_value::numeric - r.b_value::numeric) <= 1e-9 * abs(r.b_value::numeric) END AS equal,
		   (SELECT mo FROM unnest(string_to_array(:'modes', ',')) WITH ORDINALITY AS m(mode, mo) WHERE m.mode = r.mode) AS mo
	FROM jcase c JOIN jrun r USING (ord)
)
SELECT line FROM (
	SELECT 0 AS k, 0 AS mo, 0 AS ord, E'| JIT | # | case | A kpi (ms) | B plain (ms) | F floor (ms) | A/B | target | met | A/F (≤ 1.1×) | met | F/B | A/B wall | JIT (A / B) |\n|---|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---|' AS line
	UNION ALL
	SELECT 1, mo, ord, format('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |',
		   mode, ord, name,
		   to_char(a_med, 'FM999990.0'), to_char(b_med, 'FM999990.0'), coalesce(to_char(f_med, 'FM999990.0'), '—'),
		   CASE kind WHEN 'parallel' THEN 'speedup ' ELSE '' END || to_char(ab, 'FM990.00') || '×',
		   CASE kind WHEN 'parallel' THEN '≥ ' ELSE '≤ ' END || to_char(target, 'FM990.00') || '×',
		   CASE WHEN (kind = 'parallel' AND ab >= target) OR (kind <> 'parallel' AND ab <= target) THEN 'yes' ELSE '**no**' END
			 || CASE WHEN equal THEN '' ELSE ' ⚠ results differ: ' || a_value || ' vs ' || b_value END,
		   coalesce(to_char(af, 'FM990.00') || '×', '—'),
		   CASE WHEN af IS NULL THEN '—' WHEN kind = 'window' THEN 'info' WHEN af <= 1.1 THEN 'yes' ELSE '**no**' END,
		   coalesce(to_char(fb, 'FM990.00') || '×', '—'),
		   CASE kind WHEN 'parallel' THEN '—' ELSE to_char(ab_wall, 'FM990.00') || '×' END,
		   jit_note)
	FROM s
	UNION ALL
	SELECT 2, 0, ord, format(E'- %s. A: `%s`  \n  B: `%s`%s', ord, a_sql, b_sql,
		   CASE WHEN f_sql IS NULL THEN '' ELSE E'  \n  F: `' || f_sql || '`' END)
	FROM jcase
	UNION ALL
	SELECT 3, mo, ord, format('- %s %s: A %s; B %s; F %s (wall: A %s; B %s; F %s)', mode, ord,
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(a_ms) x),
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(b_ms) x),
		   coalesce((SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(f_ms) x), '—'),
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(a_wall) x),
		   (SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(b_wall) x),
		   coalesce((SELECT string_agg(to_char(x, 'FM999990.0'), ' ') FROM unnest(f_wall) x), '—'))
	FROM s
	UNION ALL
	SELECT k, 0, 0, t FROM (VALUES (1.5, E'\nQueries (A = kpi, B = plain SQL, F = the floor):\n'),
								   (2.5, E'\nRaw times in ms (CPU time of the backend; wall time in parentheses), in run order:\n')) AS v(k, t)
) l
ORDER BY k, mo, ord;
\o
