-- kpi.plans: loading a plan (INSERT … SELECT, \copy), its validation, and
-- where the plan puts a KPI at a moment (kpi.plan_target).
\set SHOW_CONTEXT never
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';
SET client_min_messages = error;
CREATE SCHEMA pln;
CREATE TABLE pln.sales (day date NOT NULL, channel text NOT NULL, revenue numeric NOT NULL);
-- Monthly revenue, reviewed monthly, from 100 to 160 over 2026; weekly
-- leads from 50 to 80 in the first quarter.
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, direction,
							 baseline, target, starts_on, due_on, review_every, active) VALUES
	('pln_revenue', 'sum', 'pln.sales', 'day', 'revenue', 'higher_is_better', 100, 160, '2026-01-01', '2026-12-31', '1 month', false),
	('pln_leads', 'sum', 'pln.sales', 'day', 'revenue', 'higher_is_better', 50, 80, '2026-01-05', '2026-03-29', '7 days', false),
	('pln_undated', 'sum', 'pln.sales', 'day', 'revenue', 'higher_is_better', 50, 80, NULL, NULL, '7 days', false);
RESET client_min_messages;

-- pg_dump keeps the plans.
SELECT 'kpi.plans'::regclass = ANY (extconfig) AS dumped FROM pg_extension WHERE extname = 'kpi';

-- A seasonal plan from a query: December weak, March strong, ending at the
-- target.  period_end follows from period_start and grain.
INSERT INTO kpi.plans (name, grain, period_start, target)
SELECT 'pln_revenue', 'month', make_date(2026, m, 1),
	   round(100 + 60 * m / 12.0 * s.factor)
FROM generate_series(1, 12) AS m
JOIN (VALUES (1, 0.9), (2, 1.0), (3, 1.3), (4, 1.1), (5, 1.0), (6, 1.0),
			 (7, 0.9), (8, 0.8), (9, 1.0), (10, 1.0), (11, 1.05), (12, 1.0)) AS s(month, factor) ON s.month = m;
SELECT grain, period_start, period_end, target, note FROM kpi.plans WHERE name = 'pln_revenue' ORDER BY period_start;
SELECT kpi.plan_problems('pln_revenue');

-- A weekly plan from CSV with \copy (here inline; from a file it is
-- \copy kpi.plans (name, grain, period_start, target, note) FROM 'plan.csv' WITH (FORMAT csv, HEADER true)).
\copy kpi.plans (name, grain, period_start, target, note) FROM STDIN WITH (FORMAT csv, HEADER true)
name,grain,period_start,target,note
pln_leads,week,2026-01-05,52,
pln_leads,week,2026-01-12,55,
pln_leads,week,2026-01-19,55,holiday week
pln_leads,week,2026-01-26,60,
pln_leads,week,2026-02-02,62,
pln_leads,week,2026-02-09,66,
pln_leads,week,2026-02-16,68,
pln_leads,week,2026-02-23,70,
pln_leads,week,2026-03-02,72,
pln_leads,week,2026-03-09,75,
pln_leads,week,2026-03-16,78,
pln_leads,week,2026-03-23,80,
\.
SELECT count(*), min(period_start), max(period_end), sum(target) FROM kpi.plans WHERE name = 'pln_leads';

-- Row by row, in any order, within a transaction: checked at commit.
BEGIN;
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES ('pln_revenue', 'search', 'quarter', '2026-10-01', 90);
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES ('pln_revenue', 'search', 'quarter', '2026-01-01', 60);
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES ('pln_revenue', 'search', 'quarter', '2026-04-01', 70);
COMMIT;
-- Segments have plans of their own: the same periods may repeat across
-- segments, and a segment need not end at the KPI's target.
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES ('pln_revenue', 'social', 'quarter', '2026-01-01', 40);
SELECT segment, grain, period_start, target FROM kpi.plans WHERE name = 'pln_revenue' AND segment IS NOT NULL ORDER BY segment, period_start;

-- Errors a row shows at once (23514): a grain that is not one, a period
-- that does not start where its grain does, a target that is not a number.
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'monthly', '2026-01-01', 1);
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'month', '2026-01-05', 1);
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'week', '2026-01-07', 1);
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'quarter', '2026-02-01', 1);
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'month', '2027-01-01', 'NaN');
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'month', 'infinity', 1);
-- the same period twice (23505), a KPI that does not exist (23503)
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'month', '2026-03-01', 1);
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_nothing', 'month', '2026-03-01', 1);

-- Errors of the plan as a whole, at commit (23514).
-- A week inside a planned month overlaps it.
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_revenue', 'week', '2026-03-09', 130);
-- A quarter of a segment overlapping its own quarter and month.
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES ('pln_revenue', 'search', 'month', '2026-02-01', 60);
-- After due_on, and before starts_on.
INSERT INTO kpi.plans (name, grain, period_start, target, note) VALUES ('pln_revenue', 'month', '2027-01-01', 160, 'carry on');
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'week', '2025-12-29', 50);
-- A week whose last day is after due_on (Sunday 2026-03-29 is the last day allowed).
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'week', '2026-03-30', 80);
-- Not ending at the target, without a note; then with one.
UPDATE kpi.plans SET target = 150 WHERE name = 'pln_revenue' AND period_start = '2026-12-01';
UPDATE kpi.plans SET target = 150, note = 'the target assumes the December campaign, which was cancelled'
WHERE name = 'pln_revenue' AND period_start = '2026-12-01';
SELECT period_start, target, note FROM kpi.plans WHERE name = 'pln_revenue' AND period_start = '2026-12-01';
UPDATE kpi.plans SET target = 160, note = NULL WHERE name = 'pln_revenue' AND period_start = '2026-12-01';
-- A KPI without dates cannot have a plan.
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_undated', 'week', '2026-01-05', 80);
-- Several problems at once, checked at the statement with SET CONSTRAINTS.
BEGIN;
SET CONSTRAINTS kpi.plans_valid IMMEDIATE;
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'month', '2026-03-01', 10), ('pln_leads', 'month', '2026-04-01', 10);
ROLLBACK;
-- In German.
SET kpi.language = 'de';
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'week', '2025-12-29', 50);
RESET kpi.language;
-- Nothing of the rejected rows is left.
SELECT name, segment, count(*) FROM kpi.plans WHERE name LIKE 'pln\_%' GROUP BY 1, 2 ORDER BY 1, 2;

-- A plan that was valid can become invalid when the definition changes
-- afterwards: kpi.plan_problems says what to fix.
SET client_min_messages = error;
UPDATE kpi.definitions SET target = 170, due_on = '2026-11-30' WHERE name = 'pln_revenue';
RESET client_min_messages;
SELECT unnest(kpi.plan_problems('pln_revenue'));
SELECT kpi.plan_problems('pln_revenue', 'search'), kpi.plan_problems('pln_nothing');
SET client_min_messages = error;
UPDATE kpi.definitions SET target = 160, due_on = '2026-12-31' WHERE name = 'pln_revenue';
RESET client_min_messages;

-- kpi.plan_target: the target of the period that holds the moment just
-- before; the baseline before the plan; the last target after it; NULL
-- without a plan.
SELECT at, kpi.plan_target(kpi.definition('pln_revenue'), at) AS revenue, kpi.plan_target(kpi.definition('pln_leads'), at) AS leads
FROM unnest(ARRAY['2025-12-15', '2026-01-01 00:00', '2026-01-01 00:00:01', '2026-01-12 00:00', '2026-01-12 00:00:01',
				  '2026-02-01 00:00', '2026-03-15 12:00', '2026-04-01', '2026-12-31 23:00', '2027-06-01']::timestamptz[]) AS at;
-- By hand: revenue Jan = round(100 + 60/12 * 0.9) = 105, Feb = 110, Mar = round(100 + 15 * 1.3) = 120 (119.5), Apr = 122
SELECT kpi.plan_target(kpi.definition('pln_undated'), '2026-02-01') AS no_plan,
	   kpi.plan_target(kpi.definition('pln_revenue'), NULL) AS null_moment;
-- Segment plans are not the KPI's plan.
SELECT kpi.plan_target(kpi.definition('pln_revenue'), '2026-04-01 00:00:01') = 122 AS whole_kpi_plan;

-- Who sees a plan: the roles that may read the definitions, without a grant
-- on kpi.plans; writing takes INSERT, UPDATE or DELETE on it.
CREATE ROLE regress_kpi_plans_reader;
CREATE ROLE regress_kpi_plans_stranger;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_plans_reader, regress_kpi_plans_stranger;
GRANT SELECT ON kpi.definitions TO regress_kpi_plans_reader;
SET ROLE regress_kpi_plans_reader;
SELECT count(*) AS plan_rows_seen FROM kpi.plans WHERE name LIKE 'pln\_%';
SELECT kpi.plan_target(kpi.definition('pln_revenue'), '2026-04-01 00:00:01') AS plan_target;
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES ('pln_leads', 'week', '2026-03-02', 1);
UPDATE kpi.plans SET target = 1 WHERE name = 'pln_leads';
DELETE FROM kpi.plans WHERE name = 'pln_leads';
SET ROLE regress_kpi_plans_stranger;
SELECT count(*) AS plan_rows_seen FROM kpi.plans;
RESET ROLE;
DROP OWNED BY regress_kpi_plans_reader, regress_kpi_plans_stranger;
DROP ROLE regress_kpi_plans_reader, regress_kpi_plans_stranger;

-- Deleting the KPI deletes its plans.
DELETE FROM kpi.definitions WHERE name LIKE 'pln\_%';
SELECT count(*) FROM kpi.plans WHERE name LIKE 'pln\_%';
DROP SCHEMA pln CASCADE;
