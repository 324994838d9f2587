-- The real-Citus matrix of doc/scale-out.md.  Not run by CI (Citus is not in
-- Debian); run by test/citus_real/run.sh on a Citus coordinator with two
-- workers, in a database where citus and kpi are installed on every node.
--
-- Every kpi aggregate (from pg_aggregate) runs on a distributed table
-- `facts` and on an identical plain table `facts_local` on the coordinator,
-- which is the single-node answer; the results must be equal (kpi.ratio
-- results: count and sums identical, moments of non-integer inputs to
-- rounding, see doc/scale-out.md).

\set ON_ERROR_STOP on
SET client_min_messages = warning;
DELETE FROM kpi.definitions WHERE name ~ '^(dist|local)_';
DROP TABLE IF EXISTS facts, facts_local, daily, daily_back CASCADE;
DROP SCHEMA IF EXISTS matrix CASCADE;
CREATE SCHEMA matrix;
SELECT setseed(0.5) AS seed \gset

CREATE TABLE facts_local AS
SELECT i, i % 97 AS account_id,
	   DATE '2026-01-01' + (i % 60) AS day,
	   (ARRAY['search', 'social', 'email', 'direct'])[1 + i % 4] AS channel,
	   CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 37 % 101) - 20 END AS xi,
	   (i % 9) + 1 AS yi,
	   (i * 7919 % 1000)::bigint AS xl,
	   CASE WHEN i % 23 = 0 THEN NULL ELSE (i % 11)::bigint END AS yl,
	   round((random() * 2000 - 500)::numeric, i % 5) AS xn,
	   round((random() * 50)::numeric, 2) AS yn,
	   (random() * 1000)::float8 AS xf,
	   CASE WHEN i % 29 = 0 THEN NULL ELSE random()::float8 END AS yf,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE random() < 0.3 END AS b
FROM generate_series(1, 20000) AS i;
ALTER TABLE facts_local ADD COLUMN s kpi.ratio, ADD COLUMN ts timestamptz, ADD COLUMN period integer,
	ADD COLUMN c kpi.cohort;
-- ts: one touch a minute (kpi.attribute orders touches by time: no ties);
-- period: months since acquisition for kpi.cohort; c: a one-row cohort.
UPDATE facts_local SET s = (SELECT kpi.ratio_agg(v.x, v.y) FROM (VALUES (xi, yi)) AS v(x, y)),
	ts = timestamptz '2026-01-01 00:00+00' + i * interval '1 minute', period = i % 12;
UPDATE facts_local SET c = (SELECT kpi.cohort(v.p, v.r) FROM (VALUES (period, yn)) AS v(p, r));

CREATE TABLE facts (LIKE facts_local);
SELECT create_distributed_table('facts', 'account_id') AS distributed \gset
INSERT INTO facts SELECT * FROM facts_local;

CREATE FUNCTION matrix.column_for(aggregate text, arg_type regtype, arg_position bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN aggregate = 'kpi.cohort' AND arg_type = 'integer'::regtype THEN 'period'
		WHEN aggregate = 'kpi.cohort' AND arg_type = 'numeric'::regtype THEN 'yn'
		-- kpi.funnel_counts(steps_reached, nsteps): 0 .. 3 steps of 3
		WHEN aggregate = 'kpi.funnel_counts' THEN CASE arg_position WHEN 1 THEN 'mod(abs(xi), 4)' ELSE '3' END
		-- kpi.attribute_totals(customer, ts, channel, converted, model[, lookback[, half-life]])
		WHEN aggregate = 'kpi.attribute_totals' THEN CASE arg_position
			WHEN 1 THEN 'account_id' WHEN 2 THEN 'ts' WHEN 3 THEN 'channel' WHEN 4 THEN 'b'
			WHEN 5 THEN '''time_decay''' WHEN 6 THEN '''30 days''::interval' ELSE '''7 days''::interval' END
		ELSE CASE arg_type
		WHEN 'boolean'::regtype THEN 'b'
		-- kpi.funnel's steps: VARIADIC boolean[]
		WHEN 'boolean[]'::regtype THEN 'VARIADIC ARRAY[b, NOT b, b]'
		WHEN 'kpi.ratio'::regtype THEN 's'
		WHEN 'kpi.cohort'::regtype THEN 'c'
		WHEN 'timestamp with time zone'::regtype THEN 'ts'
		-- kpi.attribute(ts, channel, converted, model[, lookback[, half-life]])
		WHEN 'text'::regtype THEN CASE arg_position WHEN 2 THEN 'channel' ELSE '''time_decay''' END
		WHEN 'interval'::regtype THEN CASE arg_position WHEN 5 THEN '''30 days''::interval' ELSE '''7 days''::interval' END
		ELSE CASE arg_position WHEN 1 THEN 'x' ELSE 'y' END ||
			 CASE arg_type
				 WHEN 'integer'::regtype THEN 'i'
				 WHEN 'bigint'::regtype THEN 'l'
				 WHEN 'numeric'::regtype THEN 'n'
				 WHEN 'double precision'::regtype THEN 'f'
			 END
		END
	END
$$;

-- Same answer: identical text, or for kpi.ratio of non-integer inputs
-- identical count and sums with moments equal to 1e-12 relative.
CREATE FUNCTION matrix.same(a text, b text, exact_moments boolean) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	moment text;
	x double precision;
	y double precision;
BEGIN
	IF a IS NOT DISTINCT FROM b THEN RETURN true; END IF;
	IF exact_moments OR a IS NULL OR b IS NULL OR a NOT LIKE '(n=%' THEN RETURN false; END IF;
	IF regexp_replace(a, ', sxx=.*$', '') <> regexp_replace(b, ', sxx=.*$', '') THEN RETURN false; END IF;
	FOREACH moment IN ARRAY ARRAY['sxx', 'syy', 'sxy'] LOOP
		x := substring(a FROM moment || '=([^,)]+)')::double precision;
		y := substring(b FROM moment || '=([^,)]+)')::double precision;
		IF abs(x - y) > 1e-12 * greatest(abs(x), abs(y)) THEN RETURN false; END IF;
	END LOOP;
	RETURN true;
END
$$;

-- One row per aggregate and grouping: equal to the single node, and how
-- Citus planned it (split = worker_partial_agg on the workers).
CREATE FUNCTION matrix.run()
RETURNS TABLE (aggregate text, group_by text, equal boolean, identical_text boolean, plan text)
LANGUAGE plpgsql AS $$
DECLARE
	agg record;
	cols text;
	exact boolean;
	g record;
	q text;
	distributed_result text;
	local_result text;
	plan_text text;
	line text;
BEGIN
	FOR agg IN
		SELECT p.oid::regprocedure AS signature, p.proargtypes::regtype[] AS arg_types
		FROM pg_proc AS p JOIN pg_aggregate AS a ON a.aggfnoid = p.oid
		WHERE p.pronamespace = 'kpi'::regnamespace
		ORDER BY 1::text
	LOOP
		SELECT string_agg(matrix.column_for((agg.signature::oid)::regproc::text, t, n), ', ' ORDER BY n) INTO cols
		FROM unnest(agg.arg_types) WITH ORDINALITY AS u(t, n);
		exact := NOT ('numeric'::regtype = ANY (agg.arg_types) OR
					  'double precision'::regtype = ANY (agg.arg_types));
		FOR g IN
			SELECT * FROM (VALUES
				('distribution column', 'account_id'),
				('other column', 'channel'),
				('no GROUP BY', NULL)) AS v(name, key)
		LOOP
			q := format('SELECT string_agg(r, %L ORDER BY k) FROM (SELECT %s AS k, %s(%s)::text AS r FROM %%I %s) AS t',
						E'\n', coalesce(g.key, '0'), (agg.signature::oid)::regproc, cols,
						CASE WHEN g.key IS NULL THEN '' ELSE 'GROUP BY ' || g.key END);
			EXECUTE format(q, 'facts') INTO distributed_result;
			EXECUTE format(q, 'facts_local') INTO local_result;
			plan_text := '';
			FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' ||
				format('SELECT %s(%s) FROM facts %s', (agg.signature::oid)::regproc, cols,
					   CASE WHEN g.key IS NULL THEN '' ELSE 'GROUP BY ' || g.key END)
			LOOP
				plan_text := plan_text || line || E'\n';
			END LOOP;
			aggregate := agg.signature::text;
			group_by := g.name;
			identical_text := distributed_result IS NOT DISTINCT FROM local_result;
			equal := identical_text OR
				(SELECT bool_and(matrix.same(a, b, exact))
				 FROM unnest(string_to_array(distributed_result, E'\n'),
							 string_to_array(local_result, E'\n')) AS u(a, b));
			plan := CASE
				WHEN plan_text LIKE '%worker_partial_agg%' THEN 'split: worker_partial_agg + coord_combine_agg'
				WHEN plan_text ~ 'Task Count: 32' AND g.key = 'account_id' THEN 'pushed down whole'
				-- an internal state (kpi.attribute) cannot be shipped: the task
				-- selects the argument columns, the aggregate runs above the scan
				WHEN plan_text ~ 'Output: [^\n]*kpi\.[a-z_]+\(remote_scan' THEN 'rows pulled to the coordinator'
				ELSE 'other' END;
			RETURN NEXT;
		END LOOP;
	END LOOP;
END
$$;

\echo '== aggregates: distributed vs single node'
CREATE TABLE matrix.aggregates AS SELECT * FROM matrix.run();
SELECT group_by, plan, count(*) AS aggregates,
	   count(*) FILTER (WHERE equal) AS equal,
	   count(*) FILTER (WHERE identical_text) AS identical_text
FROM matrix.aggregates GROUP BY 1, 2 ORDER BY 1, 2;
\echo '-- not equal (none expected):'
SELECT aggregate, group_by FROM matrix.aggregates WHERE NOT equal;
\echo '-- ratio_agg/rollup results whose moments differ in the last bits:'
SELECT aggregate, group_by FROM matrix.aggregates WHERE equal AND NOT identical_text ORDER BY 1, 2;

\echo '== example plans'
EXPLAIN (VERBOSE, COSTS OFF) SELECT channel, kpi.ratio_agg(xn, yi) FROM facts GROUP BY channel;
EXPLAIN (VERBOSE, COSTS OFF) SELECT account_id, kpi.cac(xn, yi) FROM facts GROUP BY account_id;

\echo '== windows (every row against the single node)'
CREATE TEMP TABLE w_dist AS
SELECT i, kpi.cac(xn, yi) OVER (PARTITION BY account_id ORDER BY day, i ROWS 6 PRECEDING) AS cac,
	   kpi.ratio_agg(xf, yf) OVER (PARTITION BY account_id ORDER BY day, i ROWS 6 PRECEDING)::text AS summary,
	   kpi.conversion_rate(b) OVER (PARTITION BY account_id) AS rate
FROM facts;
CREATE TEMP TABLE w_local AS
SELECT i, kpi.cac(xn, yi) OVER (PARTITION BY account_id ORDER BY day, i ROWS 6 PRECEDING) AS cac,
	   kpi.ratio_agg(xf, yf) OVER (PARTITION BY account_id ORDER BY day, i ROWS 6 PRECEDING)::text AS summary,
	   kpi.conversion_rate(b) OVER (PARTITION BY account_id) AS rate
FROM facts_local;
SELECT 'PARTITION BY distribution column' AS window, count(*) AS rows,
	   count(*) FILTER (WHERE d.cac IS NOT DISTINCT FROM l.cac AND d.summary IS NOT DISTINCT FROM l.summary
						AND d.rate IS NOT DISTINCT FROM l.rate) AS equal
FROM w_dist AS d JOIN w_local AS l USING (i);
-- A window not partitioned by the distribution column: Citus either pulls
-- the rows to the coordinator or refuses; record which.
DO $$
BEGIN
	CREATE TEMP TABLE w2_dist AS
	SELECT i, kpi.roas(xf, yn) OVER (PARTITION BY channel ORDER BY day, i ROWS 99 PRECEDING) AS v FROM facts;
	CREATE TEMP TABLE w2_local AS
	SELECT i, kpi.roas(xf, yn) OVER (PARTITION BY channel ORDER BY day, i ROWS 99 PRECEDING) AS v FROM facts_local;
	RAISE WARNING 'window PARTITION BY other column: % rows, % equal',
		(SELECT count(*) FROM w2_dist),
		(SELECT count(*) FROM w2_dist AS d JOIN w2_local AS l USING (i) WHERE d.v IS NOT DISTINCT FROM l.v);
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'window PARTITION BY other column: % (%)', SQLERRM, SQLSTATE;
END
$$;
DO $$
BEGIN
	CREATE TEMP TABLE w3_dist AS
	SELECT day, kpi.value(kpi.rollup(kpi.ratio_agg(xi, yi)) OVER (ORDER BY day ROWS 6 PRECEDING)) AS v
	FROM facts GROUP BY day;
	CREATE TEMP TABLE w3_local AS
	SELECT day, kpi.value(kpi.rollup(kpi.ratio_agg(xi, yi)) OVER (ORDER BY day ROWS 6 PRECEDING)) AS v
	FROM facts_local GROUP BY day;
	RAISE WARNING 'moving rollup over a GROUP BY day: % rows, % equal',
		(SELECT count(*) FROM w3_dist),
		(SELECT count(*) FROM w3_dist AS d JOIN w3_local AS l USING (day) WHERE d.v IS NOT DISTINCT FROM l.v);
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'moving rollup over a GROUP BY day: % (%)', SQLERRM, SQLSTATE;
END
$$;

\echo '== kpi.ratio columns in distributed tables'
-- Daily summaries, co-located with the facts on account_id.
CREATE TABLE daily (account_id int, day date, summary kpi.ratio, PRIMARY KEY (account_id, day));
SELECT create_distributed_table('daily', 'account_id', colocate_with => 'facts') AS distributed \gset
INSERT INTO daily SELECT account_id, day, kpi.ratio_agg(xn, yi) FROM facts GROUP BY account_id, day;
SELECT count(*) AS daily_rows, kpi.rollup(summary)::text AS rollup_text FROM daily \gset
SELECT :'daily_rows' AS daily_rows,
	   regexp_replace(:'rollup_text', ', sxx=.*$', '') =
		   regexp_replace(kpi.ratio_agg(xn, yi)::text, ', sxx=.*$', '') AS count_and_sums_text_equal,
	   kpi.numerator(:'rollup_text') = sum(xn) FILTER (WHERE yi IS NOT NULL) AS numerator_exact,
	   kpi.denominator(:'rollup_text') = sum(yi) FILTER (WHERE xn IS NOT NULL) AS denominator_exact,
	   matrix.same(:'rollup_text', kpi.ratio_agg(xn, yi)::text, false) AS moments_to_rounding
FROM facts_local;
CREATE TABLE daily_back (LIKE daily);
SELECT create_distributed_table('daily_back', 'account_id', colocate_with => 'facts') AS distributed \gset
\copy daily TO '/tmp/kpi_citus_daily.txt'
\copy daily_back FROM '/tmp/kpi_citus_daily.txt'
SELECT 'COPY text' AS format, count(*) AS rows,
	   count(*) FILTER (WHERE d.summary OPERATOR(kpi.=) b.summary AND d.summary::text = b.summary::text) AS equal
FROM daily AS d JOIN daily_back AS b USING (account_id, day);
TRUNCATE daily_back;
\copy daily TO '/tmp/kpi_citus_daily.bin' WITH (FORMAT binary)
\copy daily_back FROM '/tmp/kpi_citus_daily.bin' WITH (FORMAT binary)
SELECT 'COPY binary' AS format, count(*) AS rows,
	   count(*) FILTER (WHERE d.summary OPERATOR(kpi.=) b.summary AND d.summary::text = b.summary::text) AS equal
FROM daily AS d JOIN daily_back AS b USING (account_id, day);
-- The monthly rollup of the daily table, grouped by account (pushed down) and overall (split).
SELECT count(*) AS accounts,
	   count(*) FILTER (WHERE matrix.same(d.m::text, l.m::text, false)) AS equal_to_single_node,
	   count(*) FILTER (WHERE d.m OPERATOR(kpi.=) l.m) AS "= true"
FROM (SELECT account_id, kpi.rollup(summary) AS m FROM daily GROUP BY account_id) AS d
JOIN (SELECT account_id, kpi.ratio_agg(xn, yi) AS m FROM facts_local GROUP BY account_id) AS l USING (account_id);

\echo '== catalog on a distributed source, against the same KPIs on the single node'
-- One KPI per metric (and one with a filter) on the distributed facts
-- (dist_<key>) and the same on the single-node facts_local (local_<key>).
-- Every catalog function and view runs on both; each result, printed as
-- text with the names and sources made equal, must be identical.  Sums and
-- averages read numeric columns (exact on any number of nodes); the kpi
-- aggregates read float columns too (canonical, doc/scale-out.md).
SET kpi.as_of = '2026-02-25 12:00';
CREATE TABLE matrix.catalog_kpis (key text PRIMARY KEY, metric kpi.metric, stage kpi.stage,
								  numerator name, denominator name, filters jsonb, direction kpi.direction,
								  baseline float8, target float8);
INSERT INTO matrix.catalog_kpis VALUES
	('cac', 'cac', 'customer', 'xn', 'yi', '{}', 'lower_is_better', 110, 90),
	('cac_search', 'cac', 'customer', 'xn', 'yi', '{"channel": "search"}', 'lower_is_better', 110, 90),
	('conversion', 'conversion_rate', 'customer', 'b', NULL, '{}', 'higher_is_better', 0.28, 0.32),
	('conversion_two', 'conversion_rate', 'lead', 'yl', 'yi', '{}', 'higher_is_better', 1, 1.1),
	('romi', 'romi', 'revenue', 'xf', 'yn', '{}', 'higher_is_better', 40, 44),
	('roas', 'roas', 'revenue', 'xf', 'yn', '{"channel": "email"}', 'higher_is_better', 40, 44),
	('ratio', 'ratio', 'opportunity', 'xi', 'yi', '{}', 'higher_is_better', 4, 5),
	('total', 'sum', 'revenue', 'xn', NULL, '{}', 'higher_is_better', 20000, 22000),
	('rows', 'count', 'lead', NULL, NULL, '{}', 'higher_is_better', 2000, 2200),
	('average', 'average', 'revenue', 'xn', NULL, '{"channel": "direct"}', 'higher_is_better', 490, 520);
CREATE TABLE matrix.catalog_status (call text, side text, result text);
-- Stored with the default kpi.enforce_smart = warn: the after-write
-- trigger checks each definition against its source (its warnings, that
-- the KPIs lack history before starts_on, are not printed).
SET client_min_messages = error;
DO $$
DECLARE
	k matrix.catalog_kpis;
	side text;
BEGIN
	FOR k IN SELECT * FROM matrix.catalog_kpis ORDER BY key LOOP
		FOREACH side IN ARRAY ARRAY['dist', 'local'] LOOP
			BEGIN
				INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
											 source, time_column, numerator_column, denominator_column, filters,
											 unit, direction, baseline, target, starts_on, due_on)
				VALUES (side || '_' || k.key, 'Matrix ' || k.key, 'A KPI of the Citus matrix, ' || k.key || '.',
						'Matrix Owner', '{marketing}', 'Check kpi on Citus', k.metric, k.stage,
						CASE side WHEN 'dist' THEN 'facts' ELSE 'facts_local' END::regclass, 'day',
						k.numerator, k.denominator, k.filters, 'unit', k.direction, k.baseline, k.target,
						'2026-02-02', '2026-03-30');
				INSERT INTO matrix.catalog_status VALUES ('store ' || k.key || ' (enforce_smart = warn)', side, 'ok');
			EXCEPTION WHEN OTHERS THEN
				INSERT INTO matrix.catalog_status
				VALUES ('store ' || k.key || ' (enforce_smart = warn)', side, SQLSTATE || ': ' || SQLERRM);
				SET LOCAL kpi.enforce_smart = off;
				INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters)
				VALUES (side || '_' || k.key, k.metric, CASE side WHEN 'dist' THEN 'facts' ELSE 'facts_local' END::regclass,
						'day', k.numerator, k.denominator, k.filters);
				RESET kpi.enforce_smart;
			END;
		END LOOP;
	END LOOP;
END
$$;
SET client_min_messages = warning;

CREATE FUNCTION matrix.same_names(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(replace(t, 'facts_local', 'facts'), '\m(dist|local)_', 'K_', 'g')
$$;
CREATE TABLE matrix.catalog (call text, kpi text, rows integer, equal boolean, result text);
DO $$
DECLARE
	call record;
	k text;
	d text;
	l text;
	rows_d integer;
	rows_l integer;
BEGIN
	FOR call IN SELECT * FROM (VALUES
		(1, 'kpi.measure(name, ...)', $q$SELECT 1, kpi.measure(%L, '2026-01-01', '2026-02-01')::text$q$),
		(2, 'kpi.measure(definition, ...)', $q$SELECT 1, kpi.measure(kpi.definition(%L), '2026-01-05', '2026-01-26')::text$q$),
		(3, 'kpi.measure_series', $q$SELECT count(*), string_agg(format('%%s %%s %%s %%s', bucket_start, bucket_end, value, row_count), '; ' ORDER BY bucket_start)
									FROM kpi.measure_series(%L, '1 week', '2025-12-29', '2026-03-09')$q$),
		(4, 'kpi.series', $q$SELECT count(*), string_agg(format('%%s %%s %%s %%s', bucket_start, value, target_path, status), '; ' ORDER BY bucket_start)
							FROM kpi.series(%L, '1 week', '2025-12-29', '2026-03-09')$q$),
		(5, 'kpi.measure_many', $q$SELECT count(*), string_agg(format('%%s %%s %%s', period_start, period_end, value), '; ' ORDER BY period_start)
								 FROM kpi.measure_many(ARRAY[%L], '{2026-01-01,2026-01-15,2026-02-01,2026-03-01}'::timestamptz[])$q$),
		(6, 'kpi.smart_check', $q$SELECT count(*), string_agg(format('%%s %%s %%s', criterion, passed, detail), '; ' ORDER BY criterion)
								FROM kpi.smart_check(%L)$q$),
		(7, 'kpi.smart_report', $q$SELECT count(*), string_agg(format('%%s %%s %%s', smart, realistic, problems), '; ')
								 FROM kpi.smart_report WHERE name = %L$q$),
		(8, 'kpi.scorecard', $q$SELECT count(*), string_agg(format('%%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s %%s', period_start, period_end, current, previous,
									change, relative_change, progress, expected_progress, target_path, status, smart,
									-- float moments are merged in another order on Citus
									round(p_value::numeric, 9), significant_change), '; ')
								FROM kpi.scorecard WHERE name = %L$q$),
		(9, 'kpi.scorecard_at', $q$SELECT count(*), string_agg(format('%%s %%s %%s %%s %%s %%s', period_start, current, previous, status, smart, problem), '; ')
								 FROM kpi.scorecard_at('2026-02-11') WHERE name = %L$q$),
		(10, 'kpi.recheck_smart', $q$SELECT 1, kpi.recheck_smart(%L)::text$q$),
		(11, 'kpi.record_review', $q$SELECT 1, format('%%s %%s %%s %%s %%s', r.period_start, r.period_end, r.value, r.status, r.source)
								 FROM kpi.record_review(%L, 'Matrix review.') AS r$q$)) AS v(n, name, query)
		ORDER BY n
	LOOP
		FOR k IN SELECT key FROM matrix.catalog_kpis ORDER BY key LOOP
			BEGIN
				EXECUTE format(call.query, 'dist_' || k) INTO rows_d, d;
			EXCEPTION WHEN OTHERS THEN
				rows_d := 0; d := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
			END;
			BEGIN
				EXECUTE format(call.query, 'local_' || k) INTO rows_l, l;
			EXCEPTION WHEN OTHERS THEN
				rows_l := 0; l := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
			END;
			INSERT INTO matrix.catalog
			VALUES (call.name, k, rows_d,
					d NOT LIKE 'ERROR%' AND rows_d = rows_l AND matrix.same_names(d) IS NOT DISTINCT FROM matrix.same_names(l),
					CASE WHEN matrix.same_names(d) IS NOT DISTINCT FROM matrix.same_names(l) THEN d
						 ELSE 'distributed: ' || coalesce(d, 'NULL') || ' | single node: ' || coalesce(l, 'NULL') END);
		END LOOP;
	END LOOP;
END
$$;
-- kpi.audit() over the distributed KPIs alone, then the single-node ones
-- alone (deactivating the others runs the after-write trigger again).
CREATE TEMP TABLE audit_result (side text, rows integer, result text);
SET client_min_messages = error;
DO $$
DECLARE
	side text;
	r text;
	n integer;
BEGIN
	FOREACH side IN ARRAY ARRAY['dist', 'local'] LOOP
		UPDATE kpi.definitions SET active = (name LIKE side || '\_%') WHERE name ~ '^(dist|local)_';
		BEGIN
			SELECT count(*), string_agg(format('%s %s %s', kind, kpis, detail), '; ' ORDER BY kind, kpis::text, detail)
			INTO n, r FROM kpi.audit();
		EXCEPTION WHEN OTHERS THEN
			n := 0; r := 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
		END;
		INSERT INTO audit_result VALUES (side, n, r);
	END LOOP;
	UPDATE kpi.definitions SET active = true WHERE name ~ '^(dist|local)_';
END
$$;
INSERT INTO matrix.catalog
SELECT 'kpi.audit()', '(all)', d.rows, d.result NOT LIKE 'ERROR%' AND matrix.same_names(d.result) = matrix.same_names(l.result),
	   CASE WHEN matrix.same_names(d.result) = matrix.same_names(l.result) THEN d.result
			ELSE 'distributed: ' || d.result || ' | single node: ' || l.result END
FROM audit_result AS d, audit_result AS l WHERE d.side = 'dist' AND l.side = 'local';
SET client_min_messages = warning;

-- A role that may only SELECT the sources: kpi reads them as their owner
-- inside a security-restricted operation (src/run_as_owner.c), Citus
-- included.
DROP ROLE IF EXISTS kpi_matrix_reader;
CREATE ROLE kpi_matrix_reader;
GRANT SELECT ON facts, facts_local TO kpi_matrix_reader;
GRANT USAGE ON SCHEMA matrix, kpi TO kpi_matrix_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO kpi_matrix_reader;
SET ROLE kpi_matrix_reader;
CREATE TEMP TABLE reader_result AS
SELECT k.side, (SELECT string_agg(format('%s %s %s', bucket_start, value, status), '; ' ORDER BY bucket_start)
				FROM kpi.series(k.side || '_cac_search', '1 week', '2025-12-29', '2026-03-09')) AS series,
	   (SELECT string_agg(format('%s %s %s', name, current, status), '; ' ORDER BY name)
		FROM kpi.scorecard WHERE name ~ ('^' || k.side || '_')) AS scorecard
FROM (VALUES ('dist'), ('local')) AS k(side);
RESET ROLE;
INSERT INTO matrix.catalog
SELECT 'kpi.series and kpi.scorecard as a role with SELECT only', 'cac_search, (all)', 1,
	   matrix.same_names(d.series || ' ' || d.scorecard) = matrix.same_names(l.series || ' ' || l.scorecard),
	   CASE WHEN matrix.same_names(d.series || ' ' || d.scorecard) = matrix.same_names(l.series || ' ' || l.scorecard) THEN 'same'
			ELSE 'distributed: ' || d.series || ' ' || d.scorecard || ' | single node: ' || l.series || ' ' || l.scorecard END
FROM reader_result AS d, reader_result AS l WHERE d.side = 'dist' AND l.side = 'local';
DROP TABLE reader_result;
REVOKE ALL ON facts, facts_local FROM kpi_matrix_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA kpi FROM kpi_matrix_reader;
REVOKE ALL ON SCHEMA matrix, kpi FROM kpi_matrix_reader;
DROP ROLE kpi_matrix_reader;

\echo '-- storing the KPIs under kpi.enforce_smart = warn (the after-write trigger):'
SELECT call, count(*) FILTER (WHERE side = 'dist' AND result = 'ok') AS distributed_ok,
	   count(*) FILTER (WHERE side = 'local' AND result = 'ok') AS single_node_ok,
	   string_agg(DISTINCT result, '; ') FILTER (WHERE result <> 'ok') AS errors
FROM matrix.catalog_status GROUP BY call ORDER BY call;
\echo '-- each catalog call on the distributed KPIs against the single node:'
SELECT call, count(*) AS kpis, count(*) FILTER (WHERE equal) AS equal_to_single_node, sum(rows) AS rows
FROM matrix.catalog GROUP BY call ORDER BY min(ctid);
\echo '-- differences (none expected):'
SELECT call, kpi, result FROM matrix.catalog WHERE NOT equal ORDER BY call, kpi;
\echo '-- how Citus runs the catalog''s query (kpi.source_query, run by kpi.read_source):'
-- one KPI (kpi.measure, measure_series, series, smart_check) ...
SELECT query AS one_kpi_query FROM kpi.source_query(ARRAY[kpi.definition('dist_cac')]) \gset
-- ... and several KPIs of one source (the scorecard and the audit), each
-- KPI's filters in a FILTER clause.
SELECT query AS many_kpis_query
FROM kpi.source_query(ARRAY(SELECT d FROM kpi.definitions AS d WHERE name ~ '^dist_(cac|cac_search|roas|average|conversion)$' ORDER BY name)) \gset
\echo :one_kpi_query
PREPARE one_kpi(timestamptz[], timestamptz, timestamptz) AS :one_kpi_query;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE one_kpi('{2026-01-05,2026-01-12,2026-01-19}', '2026-01-05', '2026-01-19');
\echo :many_kpis_query
PREPARE many_kpis(timestamptz[], timestamptz, timestamptz) AS :many_kpis_query;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE many_kpis('{2026-01-05,2026-01-12,2026-01-19}', '2026-01-05', '2026-01-19');
DEALLOCATE one_kpi;
DEALLOCATE many_kpis;
\echo '-- a sample: CAC by week'
SELECT result FROM matrix.catalog WHERE call = 'kpi.series' AND kpi = 'cac';
SELECT kpi.cac(xn, yi) AS single_node_january_cac
FROM facts_local WHERE day >= '2026-01-01' AND day < '2026-02-01';
SELECT result AS distributed_january_cac FROM matrix.catalog WHERE call = 'kpi.measure(name, ...)' AND kpi = 'cac';
DELETE FROM kpi.definitions WHERE name ~ '^(dist|local)_';
