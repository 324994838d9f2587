-- kpi.smart_check, both forms, and kpi.smart_report: every rule passing and
-- failing, in English and German, on the shared funnel data.
\set SHOW_CONTEXT never
\i test/catalog_data.sql
SET kpi.enforce_smart = off;	-- store failing definitions too; enforcement has its own test

-- A SMART KPI: paid-search CAC from about 245 EUR in April down to 230 by the end of July.
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on)
VALUES ('cac_paid_search', 'CAC paid search',
		'Sales and marketing spend per new customer won through paid search.',
		'Anna Berg', '{marketing,sales}', 'Grow the customer base profitably', 'cac', 'customer',
		'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}',
		'EUR', 'lower_is_better', 245, 230, '2024-05-01', '2024-07-31');

SELECT * FROM kpi.smart_check('cac_paid_search');

-- The numbers in those details, recomputed in plain SQL.  measurable: the
-- last full review period at kpi.as_of (2024-07-01), weeks from Wednesday 2024-05-01.
SELECT round(sum(spend) / sum(customers), 4) AS cac_2024_06_19_to_25
FROM funnel_daily WHERE channel = 'paid_search' AND day >= '2024-06-19' AND day < '2024-06-26';
-- realistic: (245 - 230) / (91 days / 7) per week needed, against the best
-- week-on-week fall of the 12 weeks before 2024-05-01.
WITH weeks AS (
	SELECT w.w, (SELECT sum(spend) / sum(customers) FROM funnel_daily
				 WHERE channel = 'paid_search' AND day >= w.w AND day < w.w::date + 7) AS cac
	FROM generate_series(date '2024-05-01' - 84, date '2024-04-24', interval '7 days') AS w(w)
), steps AS (
	SELECT cac, lag(cac) OVER (ORDER BY w) - cac AS fall FROM weeks
)
SELECT round((245 - 230) / (91 / 7.0), 5) AS needed_per_week, count(cac) AS weeks_of_history,
	   round(max(fall), 4) AS best_fall
FROM steps;

-- Each rule alone: a copy of the SMART KPI with one change, checked as a row
-- value before it is stored.  Every other criterion still passes.
CREATE FUNCTION pg_temp.variant(changes jsonb) RETURNS kpi.definitions
	LANGUAGE sql STABLE
	AS $$ SELECT jsonb_populate_record(d, changes) FROM kpi.definitions AS d WHERE d.name = 'cac_paid_search' $$;
CREATE TABLE rule_cases (id serial, criterion text, changes jsonb);
INSERT INTO rule_cases (criterion, changes) VALUES
	('specific', '{"name": "CAC Paid"}'),
	('specific', '{"title": " "}'),
	('specific', '{"description": "CAC paid search."}'),
	('specific', '{"owner": null}'),
	('specific', '{"teams": []}'),
	('specific', '{"teams": [""]}'),
	('specific', '{"denominator_column": null}'),
	('specific', '{"metric": "sum", "numerator_column": "spend", "unit": "EUR"}'),
	('measurable', '{"filters": {"channel": "tiktok"}}'),
	('measurable', '{"filters": {"channnel": "paid_search"}}'),
	('measurable', '{"time_column": "channel"}'),
	('measurable', '{"time_column": null}'),
	('measurable', '{"numerator_column": "channel"}'),
	('measurable', '{"denominator_column": "customer"}'),
	('measurable', '{"source": null}'),
	('measurable', '{"baseline": null, "target": null}'),
	('measurable', '{"unit": ""}'),
	('attractive', '{"direction": null}'),
	('attractive', '{"target": 260}'),
	('attractive', '{"target": 245}'),
	('attractive', '{"direction": "higher_is_better"}'),
	('attractive', '{"objective": null}'),
	('realistic', '{"due_on": "2024-05-15", "target": 100}'),
	('realistic', '{"starts_on": "2024-01-22", "due_on": "2024-04-22"}'),
	('realistic', '{"starts_on": null}'),
	('time_bound', '{"due_on": null}'),
	('time_bound', '{"due_on": "2024-04-30"}'),
	('time_bound', '{"due_on": "2024-05-14"}'),
	('time_bound', '{"review_every": null}'),
	('time_bound', '{"review_every": "3 months"}');
\pset format unaligned
SELECT r.id, r.changes, c.criterion, c.passed, c.detail,
	   (SELECT pg_catalog.string_agg(o.criterion, ', ') FROM kpi.smart_check(pg_temp.variant(r.changes)) AS o
		WHERE NOT o.passed AND o.criterion <> r.criterion) AS also_failing
FROM rule_cases AS r, kpi.smart_check(pg_temp.variant(r.changes)) AS c
WHERE c.criterion = r.criterion
ORDER BY r.id;
\pset format aligned

-- Boundaries that pass: a span of exactly 14 days, and a review every 13 days in it.
SELECT c.criterion, c.passed, c.detail
FROM kpi.smart_check(pg_temp.variant('{"starts_on": "2024-05-01", "due_on": "2024-05-15", "review_every": "13 days"}')) AS c
WHERE c.criterion = 'time_bound';
-- A zero denominator gives no value: measurable says so.
CREATE TABLE zero_week AS
	SELECT day, channel, spend, 0 AS customers FROM funnel_daily WHERE channel = 'paid_search';
SELECT c.criterion, c.passed, c.detail
FROM kpi.smart_check(pg_temp.variant('{"source": "zero_week"}')) AS c
WHERE c.criterion IN ('measurable', 'realistic');
-- A dropped source is a finding, not an error.
INSERT INTO kpi.definitions SELECT (pg_temp.variant('{"name": "cac_zero", "source": "zero_week"}')).*;
DROP TABLE zero_week;
SELECT * FROM kpi.smart_check('cac_zero');
DELETE FROM kpi.definitions WHERE name = 'cac_zero';

-- A KPI that fails several criteria at once, stored, in English then German.
INSERT INTO kpi.definitions (name, title, metric, stage, source, time_column, numerator_column,
							 filters, direction, baseline, target, starts_on, due_on)
VALUES ('leads_tiktok', 'TikTok leads', 'sum', 'lead', 'funnel_daily', 'day', 'leads',
		'{"channel": "tiktok"}', 'higher_is_better', 100, 90, '2024-07-01', '2024-07-10');
\x on
SELECT * FROM kpi.smart_check('leads_tiktok');
SET kpi.language = 'de';
SELECT * FROM kpi.smart_check('leads_tiktok');
SELECT * FROM kpi.smart_check('cac_paid_search');
RESET kpi.language;

-- The report: one row per definition.
SELECT * FROM kpi.smart_report ORDER BY name;
\x off
-- smart is the AND of the five, and problems has one entry per failed criterion.
SELECT name, smart = (specific AND measurable AND attractive AND realistic AND time_bound) AS smart_is_and,
	   cardinality(problems) = (NOT specific)::int + (NOT measurable)::int + (NOT attractive)::int
							   + (NOT realistic)::int + (NOT time_bound)::int AS one_problem_per_failure
FROM kpi.smart_report ORDER BY name;

-- Unknown KPI.
SELECT * FROM kpi.smart_check('no_such_kpi');
\echo :LAST_ERROR_SQLSTATE

DELETE FROM kpi.definitions;
DROP TABLE funnel_daily, opportunity_events, rule_cases;
