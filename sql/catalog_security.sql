--
-- Issue 8, findings 2, 6, 7 and 8 (doc/security.md).  Each part fails on
-- 0.1.0:
--   2. a catalog writer's code never runs with the privileges of whoever
--      reads the scorecard: sources are read as their owner, inside a
--      security-restricted operation, and only for callers who may SELECT them;
--   6. one bad definition cannot fail the scorecard, the audit or the SMART
--      report for everyone: rejected on write, isolated on read;
--   7. the scorecard's SMART verdict always describes the stored row;
--   8. a review's value is visible only to roles that may read its source.
--
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET kpi.as_of = '2026-03-02 00:00+00';
SET kpi.enforce_smart = off;
SET client_min_messages = warning;
DELETE FROM kpi.definitions;
RESET client_min_messages;

-- A catalog writer (the README's grants for one: every table of schema kpi)
-- with a schema of its own, and a role that may read nothing but the catalog.
CREATE ROLE regress_sec_writer;
CREATE ROLE regress_sec_reader;
GRANT USAGE ON SCHEMA kpi TO regress_sec_writer, regress_sec_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kpi TO regress_sec_writer;
GRANT SELECT ON kpi.definitions, kpi.smart_verdicts TO regress_sec_reader;
GRANT SELECT (name, reviewed_at) ON kpi.reviews TO regress_sec_reader;
CREATE SCHEMA sec_writer AUTHORIZATION regress_sec_writer;
GRANT USAGE ON SCHEMA sec_writer TO PUBLIC;

SET ROLE regress_sec_writer;
CREATE TABLE sec_writer.daily AS
SELECT DATE '2025-12-01' + i AS day, (100 + i % 7)::numeric(12,2) AS spend,
	   2 + i % 3 AS customers, (i % 2)::integer AS channel
FROM generate_series(0, 100) AS i;
-- Who ran the writer's code, and whether it ran restricted.
CREATE TABLE sec_writer.calls (who text, superuser boolean, restricted boolean);
GRANT INSERT ON sec_writer.calls TO PUBLIC;
CREATE FUNCTION sec_writer.spy() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		CREATE TEMP TABLE IF NOT EXISTS spy_probe ();
		INSERT INTO sec_writer.calls VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false);
	EXCEPTION WHEN insufficient_privilege THEN
		INSERT INTO sec_writer.calls VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), true);
	END;
	RETURN true;
END $$;
-- The source: an ordinary view that calls the writer's function.
CREATE VIEW sec_writer.daily_view AS SELECT * FROM sec_writer.daily WHERE sec_writer.spy();
GRANT SELECT ON sec_writer.daily_view TO PUBLIC;
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column,
							 unit, direction, baseline, target, starts_on, due_on)
VALUES ('sec_cac', 'CAC', 'Spend per new customer, from the writer''s view.', 'Wanda',
		'{marketing,sales}', 'Grow profitably', 'cac', 'customer', 'sec_writer.daily_view', 'day',
		'spend', 'customers', 'EUR', 'lower_is_better', 40, 35, '2026-01-05', '2026-03-30'),
	   ('sec_spend', 'Spend', 'Spend on channel 1, from the writer''s view.', 'Wanda',
		'{marketing}', 'Spend wisely', 'sum', 'lead', 'sec_writer.daily_view', 'day',
		'spend', NULL, 'EUR', 'lower_is_better', 800, 700, '2026-01-05', '2026-03-30');
UPDATE kpi.definitions SET filters = '{"channel": 1}' WHERE name = 'sec_spend';
RESET ROLE;
TRUNCATE sec_writer.calls;

------------------------------------------------------------------------------
-- Finding 2: whatever the superuser calls, the writer's code runs as the
-- writer, restricted, never as the superuser.
------------------------------------------------------------------------------
SELECT count(*) AS scorecard_rows FROM kpi.scorecard WHERE name LIKE 'sec\_%';
SELECT count(*) >= 0 AS audited FROM kpi.audit();
SELECT kpi.recheck_smart('sec_cac') IS NOT NULL AS rechecked;
SELECT count(*) AS smart_report_rows FROM kpi.smart_report WHERE name LIKE 'sec\_%';
SELECT (kpi.record_review('sec_cac', 'Weekly review.')).value IS NOT NULL AS reviewed;
SELECT count(*) AS series_rows FROM kpi.series('sec_cac', '7 days', '2026-01-05', '2026-02-02');
SELECT kpi.measure('sec_cac', '2026-01-05', '2026-02-02') IS NOT NULL AS measured;
SELECT count(*) AS measure_many_rows FROM kpi.measure_many(ARRAY['sec_cac', 'sec_spend'], '2026-01-05', '2026-02-02');
UPDATE kpi.definitions SET target = 34 WHERE name = 'sec_cac';	-- the after-write trigger
SELECT who, superuser, restricted, count(*) > 0 AS called
FROM sec_writer.calls GROUP BY who, superuser, restricted ORDER BY who;

-- Owner-run changes no number: every path against plain SQL over the table.
SELECT kpi.measure('sec_cac', '2026-01-05', '2026-02-02')
	   = (SELECT sum(spend)::float8 / sum(customers) FROM sec_writer.daily
		  WHERE day >= '2026-01-05' AND day < '2026-02-02') AS measure_is_plain_sql;
SELECT s.bucket_start, s.value = p.value AS same, s.row_count = p.row_count AS same_rows
FROM kpi.measure_series('sec_spend', '7 days', '2026-01-05', '2026-02-06') AS s
FULL JOIN (SELECT b AS bucket_start, sum(d.spend)::float8 AS value, count(d.day) AS row_count
		   FROM generate_series(timestamptz '2026-01-05', '2026-02-05', '7 days') AS b
		   LEFT JOIN sec_writer.daily AS d
			 ON d.day >= b AND d.day < LEAST(b + interval '7 days', '2026-02-06') AND d.channel = 1
		   GROUP BY b) AS p USING (bucket_start)
ORDER BY 1;
-- Several KPIs of one source in one grouped query, over two periods.
SELECT m.name, m.period_start, m.value = p.value AS same
FROM kpi.measure_many(ARRAY['sec_cac', 'sec_spend'], ARRAY['2026-01-05', '2026-01-12', '2026-01-19']::timestamptz[]) AS m
JOIN (SELECT 'sec_cac' AS name, b AS period_start,
			 (SELECT sum(spend)::float8 / sum(customers) FROM sec_writer.daily
			  WHERE day >= b AND day < b + interval '7 days') AS value
	  FROM unnest('{2026-01-05,2026-01-12}'::timestamptz[]) AS b
	  UNION ALL
	  SELECT 'sec_spend', b, (SELECT sum(spend)::float8 FROM sec_writer.daily
							  WHERE day >= b AND day < b + interval '7 days' AND channel = 1)
	  FROM unnest('{2026-01-05,2026-01-12}'::timestamptz[]) AS b) AS p USING (name, period_start)
ORDER BY 1, 2;
-- A period without rows gets what the aggregate gives for no rows.
SELECT kpi.measure('sec_cac', '2027-01-01', '2027-02-01') IS NULL AS empty_cac_is_null,
	   (SELECT value FROM kpi.measure_series('sec_spend', '1 month', '2027-01-01', '2027-02-01')) IS NULL AS empty_sum_is_null;

-- A caller without SELECT on the source gets no value from it: not even
-- when the writer's view would let anybody in.
REVOKE SELECT ON sec_writer.daily_view FROM PUBLIC;
SET ROLE regress_sec_reader;
SELECT kpi.measure('sec_cac', '2026-01-05', '2026-02-02');
\echo :LAST_ERROR_SQLSTATE
SELECT name, current, status, problem FROM kpi.scorecard WHERE name LIKE 'sec\_%' ORDER BY name;
RESET ROLE;
GRANT SELECT ON sec_writer.daily_view TO PUBLIC;

-- kpi.read_source takes definitions, never SQL, and checks them.
SELECT * FROM kpi.read_source(ARRAY[kpi.definition('sec_cac')], ARRAY['2026-01-05']::timestamptz[], false);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.read_source(ARRAY[kpi.definition('sec_cac')], ARRAY['2026-01-12', '2026-01-05']::timestamptz[], false);
\echo :LAST_ERROR_SQLSTATE

-- Sources whose rows depend on who reads them are measured only by their
-- owner: a security_invoker view here (row-level security: catalog_permissions).
SET ROLE regress_sec_writer;
CREATE VIEW sec_writer.invoker_view WITH (security_invoker = true) AS SELECT * FROM sec_writer.daily;
GRANT SELECT ON sec_writer.daily, sec_writer.invoker_view TO regress_sec_reader;
UPDATE kpi.definitions SET source = 'sec_writer.invoker_view' WHERE name = 'sec_spend';
SELECT kpi.measure('sec_spend', '2026-01-05', '2026-02-02') > 0 AS owner_measures;
RESET ROLE;
SET ROLE regress_sec_reader;
SELECT kpi.measure('sec_spend', '2026-01-05', '2026-02-02');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.source_owner_problem('sec_writer.invoker_view') AS invoker_view_problem,
	   kpi.source_owner_problem('sec_writer.daily') AS table_problem;
RESET ROLE;
UPDATE kpi.definitions SET source = 'sec_writer.daily_view' WHERE name = 'sec_spend';

-- An ordinary view's functions would see its owner's identity: a view that
-- shows each role its own rows would show the owner's.  So another role's
-- view is read only for callers with its owner's privileges (a superuser).
SET ROLE regress_sec_writer;
CREATE TABLE sec_writer.owned AS
SELECT day, spend, CASE WHEN channel = 0 THEN 'regress_sec_writer' ELSE 'regress_sec_reader' END::name AS who
FROM sec_writer.daily;
CREATE VIEW sec_writer.my_rows AS SELECT * FROM sec_writer.owned WHERE who = current_user;
GRANT SELECT ON sec_writer.my_rows TO regress_sec_reader;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, active)
VALUES ('sec_mine', 'sum', 'sec_writer.my_rows', 'day', 'spend', false);
RESET ROLE;
SET ROLE regress_sec_reader;
SELECT kpi.measure('sec_mine', '2026-01-05', '2026-02-02');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.source_owner_problem('sec_writer.my_rows') AS reader_problem,
	   (SELECT count(DISTINCT who) FROM sec_writer.my_rows) AS whose_rows_it_sees;
RESET ROLE;
SELECT kpi.source_owner_problem('sec_writer.my_rows') AS superuser_problem,
	   kpi.measure('sec_mine', '2026-01-05', '2026-02-02')
	   = (SELECT sum(spend)::float8 FROM sec_writer.owned WHERE who = 'regress_sec_writer'
		  AND day >= '2026-01-05' AND day < '2026-02-02') AS superuser_gets_the_owners_rows;
DELETE FROM kpi.definitions WHERE name = 'sec_mine';

------------------------------------------------------------------------------
-- Finding 6: definitions that would fail every reader's scorecard are
-- rejected on write, whatever kpi.enforce_smart says ...
------------------------------------------------------------------------------
SET kpi.enforce_smart = off;
UPDATE kpi.definitions SET baseline = -1e308, target = 1e308 WHERE name = 'sec_cac';
\echo :LAST_ERROR_SQLSTATE
UPDATE kpi.definitions SET review_every = '300000 years' WHERE name = 'sec_cac';
\echo :LAST_ERROR_SQLSTATE
UPDATE kpi.definitions SET starts_on = 'infinity' WHERE name = 'sec_cac';
\echo :LAST_ERROR_SQLSTATE
UPDATE kpi.definitions SET filters = '{"channel": "abc"}' WHERE name = 'sec_spend';
\echo :LAST_ERROR_SQLSTATE
SET kpi.enforce_smart = warn;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, baseline, target)
VALUES ('sec_huge', 'sum', 'sec_writer.daily', 'day', 'spend', 'NaN', 1);
\echo :LAST_ERROR_SQLSTATE
SET kpi.enforce_smart = off;

-- ... and rows stored anyway (before 0.2.0, or with check_function_bodies =
-- off, as a restore does) are isolated: one row with status and reason.
SET check_function_bodies = off;
INSERT INTO kpi.definitions (name, title, metric, source, time_column, numerator_column, filters,
							 baseline, target, starts_on, due_on, review_every)
VALUES ('sec_bad_numbers', 'x', 'sum', 'sec_writer.daily', 'day', 'spend', '{}', -1e308, 1e308, '2026-01-05', '2026-03-30', '7 days'),
	   ('sec_bad_every', 'x', 'sum', 'sec_writer.daily', 'day', 'spend', '{}', 1, 2, '2026-01-05', '2026-03-30', '300000 years'),
	   ('sec_bad_start', 'x', 'sum', 'sec_writer.daily', 'day', 'spend', '{}', 1, 2, 'infinity', '2026-03-30', '7 days'),
	   ('sec_bad_filter', 'x', 'sum', 'sec_writer.daily', 'day', 'spend', '{"channel": "abc"}', 1, 2, '2026-01-05', '2026-03-30', '7 days');
RESET check_function_bodies;
SELECT name, status, current IS NOT NULL AS has_value, problem
FROM kpi.scorecard WHERE name LIKE 'sec\_%' ORDER BY name;
-- The good KPIs keep their values, equal to plain SQL.
SELECT current = (SELECT sum(spend)::float8 / sum(customers) FROM sec_writer.daily
				  WHERE day >= s.period_start AND day < s.period_end) AS cac_is_plain_sql
FROM kpi.scorecard AS s WHERE name = 'sec_cac';
SELECT count(*) > 0 AS audit_runs FROM kpi.audit();
SELECT name, smart, problems[1] AS first_problem FROM kpi.smart_report WHERE name LIKE 'sec\_bad%' ORDER BY name;
SELECT criterion, passed FROM kpi.smart_check('sec_bad_every') ORDER BY criterion;
SELECT kpi.record_review('sec_bad_every', 'Cannot.');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS series_rows FROM kpi.series('sec_bad_numbers', '7 days', '2026-01-05', '2026-02-02');
DELETE FROM kpi.definitions WHERE name LIKE 'sec\_bad%';

-- A source that fails (here: the writer's view divides by zero) costs only
-- its own KPIs their value.
SET ROLE regress_sec_writer;
CREATE VIEW sec_writer.failing AS SELECT day, spend / (customers - customers) AS spend FROM sec_writer.daily;
GRANT SELECT ON sec_writer.failing TO PUBLIC;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, active)
VALUES ('sec_failing', 'sum', 'sec_writer.failing', 'day', 'spend', true);
RESET ROLE;
SELECT name, current IS NOT NULL AS has_value, problem
FROM kpi.scorecard WHERE name LIKE 'sec\_%' ORDER BY name;
SELECT kpi.measure('sec_failing', '2026-01-05', '2026-02-02');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kpi.definitions WHERE name = 'sec_failing';

------------------------------------------------------------------------------
-- Finding 7: with check_function_bodies = off (as in a restore) an update is
-- not checked, and leaves no verdict of the old row behind.
------------------------------------------------------------------------------
SELECT kpi.recheck_smart('sec_cac') AS smart_before;
SET check_function_bodies = off;
UPDATE kpi.definitions SET target = 45 WHERE name = 'sec_cac';	-- no longer an improvement
RESET check_function_bodies;
SELECT s.smart AS scorecard_smart, r.smart AS report_smart,
	   s.smart IS NULL OR s.smart = r.smart AS verdict_describes_the_row
FROM kpi.scorecard AS s JOIN kpi.smart_report AS r USING (name) WHERE name = 'sec_cac';
SELECT kpi.recheck_smart('sec_cac') AS smart_after;
SELECT s.smart = r.smart AS verdict_describes_the_row
FROM kpi.scorecard AS s JOIN kpi.smart_report AS r USING (name) WHERE name = 'sec_cac';

------------------------------------------------------------------------------
-- Finding 8: the superuser reviews a KPI over a table the writer may not
-- read; the writer, though granted SELECT on every table of schema kpi, sees
-- no value of it, even after pointing the KPI at a table of its own.
------------------------------------------------------------------------------
CREATE TABLE public.sec_secret AS SELECT day, spend, customers FROM sec_writer.daily;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column)
VALUES ('sec_secret_cac', 'cac', 'public.sec_secret', 'day', 'spend', 'customers');
SELECT (kpi.record_review('sec_secret_cac', 'Confidential.')).value IS NOT NULL AS reviewed;
SET ROLE regress_sec_writer;
SELECT name, value FROM kpi.reviews WHERE name = 'sec_secret_cac';
UPDATE kpi.definitions SET source = 'sec_writer.daily' WHERE name = 'sec_secret_cac';
SELECT name, value FROM kpi.reviews WHERE name = 'sec_secret_cac';
-- Its own reviews it sees, with their values.
SELECT name, value IS NOT NULL AS has_value FROM kpi.reviews WHERE name = 'sec_cac';
RESET ROLE;
-- Once it may read the table, it sees the value.
GRANT SELECT ON public.sec_secret TO regress_sec_writer;
SET ROLE regress_sec_writer;
SELECT name, value IS NOT NULL AS has_value FROM kpi.reviews WHERE name = 'sec_secret_cac';
RESET ROLE;

-- Clean up what lives outside the test's own schema.
DELETE FROM kpi.definitions WHERE name LIKE 'sec\_%';
DROP TABLE public.sec_secret;
DROP SCHEMA sec_writer CASCADE;
REVOKE ALL ON ALL TABLES IN SCHEMA kpi FROM regress_sec_writer, regress_sec_reader;
REVOKE ALL ON SCHEMA kpi FROM regress_sec_writer, regress_sec_reader;
DROP ROLE regress_sec_writer, regress_sec_reader;
