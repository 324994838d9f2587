-- kpi.enforce_smart: the trigger on kpi.definitions warns (the default),
-- rejects with SQLSTATE 23514, or stays quiet; and it stamps updated_at.
\set SHOW_CONTEXT never
\i test/catalog_data.sql
RESET kpi.enforce_smart;
SELECT kpi.setting('enforce_smart') AS default_mode;

-- A SMART definition is stored silently; one that is not SMART, with a warning.
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on, created_at, updated_at)
VALUES ('cac_paid_search', 'CAC paid search',
		'Sales and marketing spend per new customer won through paid search.',
		'Anna Berg', '{marketing,sales}', 'Grow the customer base profitably', 'cac', 'customer',
		'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}',
		'EUR', 'lower_is_better', 245, 230, '2024-05-01', '2024-07-31',
		'2024-04-15 09:00+00', '2024-04-15 09:00+00');
INSERT INTO kpi.definitions (name, title, owner, teams, metric, source, time_column, numerator_column,
							 unit, direction, baseline, target, starts_on, due_on)
VALUES ('leads_total', 'Leads', 'Ben Koch', '{marketing}', 'sum', 'funnel_daily', 'day', 'leads',
		'leads', 'higher_is_better', 900, 1000, '2024-05-01', '2024-07-31');
SELECT name FROM kpi.definitions ORDER BY name;

-- error: the write is rejected with 23514 and the failed criteria.
SET kpi.enforce_smart = error;
INSERT INTO kpi.definitions (name, metric) VALUES ('half_done', 'cac');
\echo :LAST_ERROR_SQLSTATE
UPDATE kpi.definitions SET target = 260 WHERE name = 'cac_paid_search';
\echo :LAST_ERROR_SQLSTATE
SELECT name, target FROM kpi.definitions ORDER BY name;
SET kpi.language = 'de';
UPDATE kpi.definitions SET due_on = '2024-05-10' WHERE name = 'cac_paid_search';
\echo :LAST_ERROR_SQLSTATE
RESET kpi.language;

-- A SMART change passes and stamps updated_at; created_at stays.
UPDATE kpi.definitions SET target = 225 WHERE name = 'cac_paid_search';
SELECT name, target, created_at, updated_at > '2024-04-15 09:00+00' AS updated_stamped
FROM kpi.definitions WHERE name = 'cac_paid_search';

-- The SMART check runs once per write: the same result rejects or warns,
-- and is kept as the verdict the scorecard shows.
BEGIN;
SET LOCAL track_functions = 'all';
UPDATE kpi.definitions SET target = 224 WHERE name = 'cac_paid_search';
SET LOCAL kpi.enforce_smart = warn;
UPDATE kpi.definitions SET target = 250 WHERE name = 'cac_paid_search';
SELECT calls AS smart_checks FROM pg_stat_xact_user_functions
WHERE schemaname = 'kpi' AND funcname = 'smart_criteria';
SELECT name, smart, failed FROM kpi.smart_verdicts ORDER BY name;
ROLLBACK;

-- Inactive definitions are drafts: stored, and checked when activated.
INSERT INTO kpi.definitions (name, metric, active) VALUES ('draft', 'roas', false);
UPDATE kpi.definitions SET active = true WHERE name = 'draft';
\echo :LAST_ERROR_SQLSTATE
-- Retiring a KPI that is not SMART is allowed, even under error.
SET kpi.enforce_smart = off;
UPDATE kpi.definitions SET active = true, title = 'ROAS draft' WHERE name = 'draft';
SET kpi.enforce_smart = error;
UPDATE kpi.definitions SET active = false WHERE name = 'leads_total';
SELECT name, active FROM kpi.definitions ORDER BY name;

-- A dump being restored (check_function_bodies = off, as pg_dump sets it) is
-- never held to the check: its sources may not be loaded yet.
SET check_function_bodies = off;
INSERT INTO kpi.definitions (name, metric) VALUES ('restored', 'cac');
RESET check_function_bodies;

-- off: nothing is checked.
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, metric) VALUES ('quiet', 'count');
SELECT name, active FROM kpi.definitions ORDER BY name;

-- A typo in the setting is an error (22023) as soon as the trigger reads it.
SET kpi.enforce_smart = 'eror';
INSERT INTO kpi.definitions (name, metric) VALUES ('typo', 'count');
\echo :LAST_ERROR_SQLSTATE

RESET kpi.enforce_smart;
DELETE FROM kpi.definitions;
DROP TABLE funnel_daily, opportunity_events;
