-- The catalog's behaviour as assertions: measuring against plain SQL, the
-- SQLSTATE of every error, each SMART rule passing and failing in English and
-- German, enforcement, permissions and the audit.
BEGIN;
CREATE EXTENSION IF NOT EXISTS kpi;
\ir ../catalog_data.sql
SELECT plan(66);
\ir ../catalog_kpis.sql
SET kpi.enforce_smart = off;

-- A definition with one change, as a row value.
CREATE FUNCTION pg_temp.variant(changes jsonb) RETURNS kpi.definitions
	LANGUAGE sql STABLE
	AS $$ SELECT jsonb_populate_record(d, changes) FROM kpi.definitions AS d WHERE d.name = 'cac_paid_search' $$;
CREATE FUNCTION pg_temp.passes(definition kpi.definitions, criterion text) RETURNS boolean
	LANGUAGE sql STABLE
	AS $$ SELECT c.passed FROM kpi.smart_check(definition) AS c WHERE c.criterion = $2 $$;
CREATE FUNCTION pg_temp.detail(definition kpi.definitions, criterion text) RETURNS text
	LANGUAGE sql STABLE
	AS $$ SELECT c.detail FROM kpi.smart_check(definition) AS c WHERE c.criterion = $2 $$;

------------------------------------------------------------------------------
-- Measuring: the ratio of sums, never the average of daily ratios.
------------------------------------------------------------------------------
SELECT is(kpi.measure('cac_paid_search', '2024-04-01', '2024-05-01'),
		  (SELECT (sum(spend) / sum(customers))::float8 FROM funnel_daily
		   WHERE channel = 'paid_search' AND day >= '2024-04-01' AND day < '2024-05-01'),
		  'CAC is Σspend / Σcustomers over the period');
SELECT isnt(kpi.measure('cac_paid_search', '2024-04-01', '2024-05-01'),
			(SELECT avg(spend / customers)::float8 FROM funnel_daily
			 WHERE channel = 'paid_search' AND day >= '2024-04-01' AND day < '2024-05-01'),
			'CAC is not the average of daily CACs');
SELECT is(kpi.measure('closing_rate', '2024-04-01', '2024-05-01'),
		  (SELECT sum(customers)::float8 / sum(opportunities) FROM funnel_daily
		   WHERE day >= '2024-04-01' AND day < '2024-05-01'),
		  'the closing rate is Σcustomers / Σopportunities');
SELECT is(kpi.measure('romi_social', '2024-04-01', '2024-05-01'),
		  (SELECT ((sum(revenue) - sum(spend)) / sum(spend))::float8 FROM funnel_daily
		   WHERE channel = 'social' AND day >= '2024-04-01' AND day < '2024-05-01'),
		  'ROMI is (Σrevenue − Σspend) / Σspend');
SELECT is(kpi.measure('leads_weekly', '2024-04-01', '2024-05-01'),
		  (SELECT sum(leads)::float8 FROM funnel_daily WHERE day >= '2024-04-01' AND day < '2024-05-01'),
		  'sum adds the value column');
SELECT is(kpi.measure('win_rate', '2024-06-24', '2024-07-01'),
		  (SELECT count(*) FILTER (WHERE won)::float8 / count(won) FROM opportunity_events
		   WHERE opened_at >= '2024-06-24' AND opened_at < '2024-07-01'),
		  'a boolean conversion rate skips the open (NULL) opportunities');
SELECT is(kpi.measure('cac_paid_search', '2030-01-01', '2030-02-01'), NULL, 'no rows: NULL');
SELECT results_eq(
	$$ SELECT bucket_start, value FROM kpi.measure_series('leads_weekly', '7 days', '2024-06-17', '2024-07-15') $$,
	$$ SELECT w, (SELECT sum(leads)::float8 FROM funnel_daily WHERE day >= w AND day < w + interval '7 days')
	   FROM generate_series(timestamptz '2024-06-17', '2024-07-08', '7 days') AS w $$,
	'the weekly series matches plain SQL, weeks without data included');
SELECT is((SELECT count(*) FROM kpi.measure_series('leads_weekly', '1 month', '2024-01-01', '2024-07-01')), 6::bigint,
		  'six monthly buckets in half a year');

-- Errors and their SQLSTATE.
SELECT throws_ok($$ SELECT kpi.measure('no_such_kpi', '2024-01-01', '2024-02-01') $$, '42704',
				 'KPI "no_such_kpi" does not exist', 'an unknown name is undefined_object');
SELECT throws_ok($$ SELECT kpi.smart_check('no_such_kpi') $$, '42704', NULL, 'smart_check too');
SELECT throws_ok($$ SELECT kpi.measure('cac_paid_search', '2024-02-01', '2024-01-01') $$, '22023', NULL,
				 'a period that ends before it starts is invalid_parameter_value');
SELECT throws_ok($$ SELECT kpi.measure(pg_temp.variant('{"numerator_column": "spent"}'), '2024-01-01', '2024-02-01') $$,
				 '42703', 'column "spent" of KPI "cac_paid_search" does not exist', 'a missing column is undefined_column');
SELECT throws_ok($$ SELECT kpi.measure(pg_temp.variant('{"filters": {"campaign": "x"}}'), '2024-01-01', '2024-02-01') $$,
				 '42703', NULL, 'a filter on a missing column is undefined_column');
SELECT throws_ok($$ SELECT kpi.measure(pg_temp.variant('{"numerator_column": "channel"}'), '2024-01-01', '2024-02-01') $$,
				 '22023', NULL, 'a text value column is invalid_parameter_value');
SELECT throws_ok($$ SELECT kpi.measure(pg_temp.variant('{"filters": {"channel": {"in": ["a"]}}}'), '2024-01-01', '2024-02-01') $$,
				 '22023', NULL, 'a filter that is not a scalar is invalid_parameter_value');
CREATE TABLE gone (day date, spend numeric, customers integer);
SELECT lives_ok($$ INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column)
				   VALUES ('cac_gone', 'cac', 'gone', 'day', 'spend', 'customers') $$, 'a KPI on a table');
DROP TABLE gone;
SELECT throws_ok($$ SELECT kpi.measure('cac_gone', '2024-01-01', '2024-02-01') $$, '42P01', NULL,
				 'a dropped source is undefined_table');
SELECT throws_ok($$ INSERT INTO kpi.definitions (name, metric) VALUES ('typo', 'convertion_rate') $$, '23514', NULL,
				 'an unknown metric is a check violation');
SELECT throws_ok($$ INSERT INTO kpi.definitions (name, metric, direction) VALUES ('typo', 'cac', 'down') $$, '23514', NULL,
				 'an unknown direction is a check violation');
DELETE FROM kpi.definitions WHERE name = 'cac_gone';

------------------------------------------------------------------------------
-- SMART, rule by rule.
------------------------------------------------------------------------------
SELECT results_eq($$ SELECT criterion, passed FROM kpi.smart_check('cac_paid_search') $$,
				  $$ VALUES ('specific', true), ('measurable', true), ('attractive', true), ('realistic', true), ('time_bound', true) $$,
				  'the SMART KPI passes the five criteria, in order');
SELECT is((SELECT count(*) FROM kpi.smart_report WHERE smart), 5::bigint, 'all five stored KPIs are SMART');

SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"owner": ""}'), 'specific'), 'specific: an owner is needed');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"teams": []}'), 'specific'), 'specific: a team is needed');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"description": "Paid search CAC"}'), 'specific'),
		  'specific: three words are not a sentence');
SELECT ok(pg_temp.passes(pg_temp.variant('{"description": "Paid search CAC, weekly"}'), 'specific'),
		  'specific: four words are');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"denominator_column": null}'), 'specific'),
		  'specific: CAC needs a denominator column');
SELECT ok(pg_temp.passes(pg_temp.variant('{"metric": "conversion_rate", "numerator_column": "customers", "denominator_column": null}'), 'specific'),
		  'specific: a conversion rate may have only a numerator');

SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"filters": {"channel": "print"}}'), 'measurable'),
		  'measurable: no rows in the last review period');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"metric": "conversion_rate", "numerator_column": "customers", "denominator_column": null}'), 'measurable'),
		  'measurable: an integer column alone is not a conversion');
SELECT ok(pg_temp.passes(pg_temp.variant('{"source": "opportunity_events", "time_column": "opened_at", "metric": "conversion_rate", "numerator_column": "won", "denominator_column": null, "filters": {}}'), 'measurable'),
		  'measurable: a boolean column alone is a conversion, over a timestamptz time column');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"unit": null}'), 'measurable'), 'measurable: a unit is needed');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"baseline": null}'), 'measurable'), 'measurable: a baseline is needed');
SELECT is(pg_temp.detail(pg_temp.variant('{}'), 'measurable'),
		  format('Computes %s EUR for the last full review period [2024-06-19, 2024-06-26).',
				 (SELECT trim_scale(round(sum(spend) / sum(customers), 4)) FROM funnel_daily
				  WHERE channel = 'paid_search' AND day >= '2024-06-19' AND day < '2024-06-26')),
		  'measurable: the detail shows the value of the last full week from starts_on');

SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"target": 250}'), 'attractive'),
		  'attractive: a higher CAC target is no improvement');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"objective": " "}'), 'attractive'), 'attractive: an objective is needed');
SELECT ok(pg_temp.passes(pg_temp.variant('{"direction": "higher_is_better", "baseline": 230, "target": 245}'), 'attractive'),
		  'attractive: higher is better the other way round');

-- realistic, against the week-on-week CAC falls computed here.
CREATE TEMP TABLE cac_weeks AS
	SELECT w.w, (SELECT sum(spend) / sum(customers) FROM funnel_daily
				 WHERE channel = 'paid_search' AND day >= w.w AND day < w.w + interval '7 days') AS cac
	FROM generate_series(timestamptz '2024-05-01' - interval '84 days', '2024-04-24', '7 days') AS w(w);
SELECT max(fall) AS best_fall FROM (SELECT lag(cac) OVER (ORDER BY w) - cac AS fall FROM cac_weeks) AS s \gset
SELECT is(pg_temp.detail(pg_temp.variant('{}'), 'realistic'),
		  format('The target needs an improvement of %s per review period; the best between two consecutive periods of the last 12 was %s.',
				 kpi.show_number(15 / 13.0), kpi.show_number(:best_fall)),
		  'realistic: the detail shows the improvement needed and the best seen');
SELECT ok(pg_temp.passes(pg_temp.variant(jsonb_build_object('target', 245 - 2 * (:best_fall - 0.01), 'due_on', '2024-05-15')), 'realistic'),
		  'realistic: just under the best weekly fall, two weeks running, passes');
SELECT ok(NOT pg_temp.passes(pg_temp.variant(jsonb_build_object('target', 245 - 2 * (:best_fall + 0.01), 'due_on', '2024-05-15')), 'realistic'),
		  'realistic: just over it fails');
SELECT is(pg_temp.detail(pg_temp.variant('{"starts_on": "2024-01-22", "due_on": "2024-04-22"}'), 'realistic'),
		  'Not enough history: 3 review periods with data in the 12 before starts_on, and at least 4 are needed to judge the target.',
		  'realistic: three weeks of data before the start are not enough');
SELECT ok(pg_temp.detail(pg_temp.variant('{"starts_on": "2024-01-29", "due_on": "2024-04-29"}'), 'realistic')
		  LIKE 'The target needs an improvement of % of the last 4 was %',
		  'realistic: four weeks are judged');

SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"due_on": "2024-05-14"}'), 'time_bound'), 'time_bound: 13 days are too short');
SELECT ok(pg_temp.passes(pg_temp.variant('{"due_on": "2024-05-15"}'), 'time_bound'), 'time_bound: 14 days are enough');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"due_on": "2024-04-01"}'), 'time_bound'), 'time_bound: due_on after starts_on');
SELECT ok(NOT pg_temp.passes(pg_temp.variant('{"review_every": "91 days"}'), 'time_bound'),
		  'time_bound: the review comes before the deadline');

-- German.
SET kpi.language = 'de';
SELECT results_eq($$ SELECT criterion FROM kpi.smart_check('cac_paid_search') $$,
				  $$ VALUES ('Spezifisch'), ('Messbar'), ('Attraktiv'), ('Realistisch'), ('Termingebunden') $$,
				  'criterion names in German');
SELECT is(pg_temp.detail(pg_temp.variant('{"owner": null}'), 'Spezifisch'),
		  'Es ist kein Verantwortlicher gesetzt: nennen Sie die Person, die für die Kennzahl verantwortlich ist.',
		  'details in German');
RESET kpi.language;

------------------------------------------------------------------------------
-- Enforcement.
------------------------------------------------------------------------------
SET kpi.enforce_smart = error;
SELECT throws_ok($$ INSERT INTO kpi.definitions (name, metric) VALUES ('half_done', 'cac') $$, '23514',
				 'KPI "half_done" is not SMART: specific, measurable, attractive, realistic, time_bound',
				 'error: a definition that is not SMART is a check violation');
SELECT throws_ok($$ UPDATE kpi.definitions SET review_every = NULL WHERE name = 'closing_rate' $$, '23514',
				 'KPI "closing_rate" is not SMART: time_bound', 'error: an update that breaks a criterion too');
SELECT lives_ok($$ INSERT INTO kpi.definitions (name, metric, active) VALUES ('draft', 'cac', false) $$,
				'error: an inactive draft is stored');
SET kpi.enforce_smart = warn;
SET client_min_messages = error;	-- the warning itself is shown by sql/catalog_enforce.sql
SELECT lives_ok($$ INSERT INTO kpi.definitions (name, metric) VALUES ('half_done', 'cac') $$,
				'warn: stored, with a warning');
RESET client_min_messages;
SET kpi.enforce_smart = off;
DELETE FROM kpi.definitions WHERE name IN ('half_done', 'draft');

------------------------------------------------------------------------------
-- Permissions.
------------------------------------------------------------------------------
CREATE ROLE tap_kpi_reader;
GRANT USAGE ON SCHEMA kpi TO tap_kpi_reader;
GRANT SELECT ON kpi.definitions TO tap_kpi_reader;
SET LOCAL ROLE tap_kpi_reader;
SELECT throws_ok($$ SELECT kpi.measure('cac_paid_search', '2024-04-01', '2024-05-01') $$, '42501',
				 'permission denied for table funnel_daily', 'no SELECT on the source: permission denied, not the data');
SELECT throws_ok($$ SELECT * FROM kpi.measure_series('cac_paid_search', '7 days', '2024-04-01', '2024-05-01') $$, '42501',
				 NULL, 'the series too');
SELECT ok(NOT pg_temp.passes(kpi.definition('cac_paid_search'), 'measurable'),
		  'the SMART check says not measurable for this caller');
SELECT throws_ok($$ UPDATE kpi.definitions SET target = 1 WHERE name = 'cac_paid_search' $$, '42501', NULL,
				 'no privilege on kpi.definitions: no update');
SELECT throws_ok($$ INSERT INTO kpi.definitions (name, metric) VALUES ('mine', 'cac') $$, '42501', NULL,
				 'no insert');
SELECT throws_ok($$ DELETE FROM kpi.definitions $$, '42501', NULL, 'no delete');
RESET ROLE;

------------------------------------------------------------------------------
-- The audit.
------------------------------------------------------------------------------
SELECT is_empty($$ SELECT * FROM kpi.audit() WHERE kind <> 'stale' $$, 'four shared, SMART KPIs: nothing to report');
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage, source, time_column,
							 numerator_column, filters, unit, direction, baseline, target, starts_on, due_on)
SELECT 'leads_' || c, 'Leads ' || c, 'New leads from the channel ' || c || ' per week.', 'Ben Koch', '{marketing}',
	   'Fill the pipeline', 'sum', 'lead', 'funnel_daily', 'day', 'leads', jsonb_build_object('channel', c), 'leads',
	   'higher_is_better', 100, 110, '2024-05-01', '2024-07-31'
FROM unnest(ARRAY['paid_search', 'social', 'email']) AS c;
SELECT results_eq($$ SELECT kpis FROM kpi.audit() WHERE kind = 'too_many' $$,
				  $$ SELECT array_agg(name ORDER BY name) FROM kpi.definitions WHERE 'marketing' = ANY (teams) $$,
				  'seven marketing KPIs are too many');
SET kpi.max_active_kpis = 7;
SELECT is_empty($$ SELECT * FROM kpi.audit() WHERE kind = 'too_many' $$, 'unless the limit is raised to 7');
RESET kpi.max_active_kpis;
UPDATE kpi.definitions SET teams = '{marketing}' WHERE 'sales' = ANY (teams);
SELECT is((SELECT count(*) FROM kpi.audit() WHERE kind = 'not_aligned' AND detail LIKE '%jointly%'), 1::bigint,
		  'no joint KPI is not aligned');
-- Every channel's leads follow the same weekly pattern: the weekly series
-- correlate, as plain SQL over the 12 weeks before Monday 2024-07-01 shows.
SELECT results_eq(
	$$ SELECT kpis FROM kpi.audit() WHERE kind = 'redundant' AND kpis[1] LIKE 'leads%' AND kpis[2] LIKE 'leads%' $$,
	$$ WITH weekly AS (
		   SELECT 'leads_' || channel AS name, date_trunc('week', day) AS week, sum(leads)::float8 AS v
		   FROM funnel_daily WHERE day >= '2024-04-08' AND day < '2024-07-01' GROUP BY 1, 2
		   UNION ALL
		   SELECT 'leads_weekly', date_trunc('week', day), sum(leads)::float8
		   FROM funnel_daily WHERE day >= '2024-04-08' AND day < '2024-07-01' GROUP BY 2)
	   SELECT ARRAY[a.name, b.name] FROM weekly a JOIN weekly b ON a.week = b.week AND a.name < b.name
	   GROUP BY a.name, b.name HAVING abs(corr(a.v, b.v)) >= 0.95 ORDER BY a.name, b.name $$,
	'redundant: the pairs whose weekly series correlate at |r| >= 0.95');
SELECT is((SELECT count(*) FROM kpi.audit() WHERE kind = 'redundant' AND kpis[1] LIKE 'leads%' AND kpis[2] LIKE 'leads%'),
		  6::bigint, '...which are all six pairs of the four lead KPIs');
UPDATE kpi.definitions SET filters = '{}' WHERE name = 'leads_email';
SELECT results_eq($$ SELECT kpis, detail FROM kpi.audit() WHERE kind = 'redundant' AND kpis[1] = 'leads_email' AND kpis[2] = 'leads_weekly' $$,
				  $$ VALUES (ARRAY['leads_email', 'leads_weekly'], 'Same metric, source, columns and filters: keep one of them.') $$,
				  'redundant: the same computation twice is reported as such, once');
UPDATE kpi.definitions SET target = 90 WHERE name = 'leads_social';
SELECT results_eq($$ SELECT kpis, detail FROM kpi.audit() WHERE kind = 'not_smart' $$,
				  $$ VALUES (ARRAY['leads_social'], 'Fails attractive; kpi.smart_check(''leads_social'') says why.') $$,
				  'not_smart: the one KPI whose target is below its baseline, with the failed criterion');

SELECT * FROM finish();
ROLLBACK;
