-- Plans in monitoring: kpi.series and the scorecard follow the plan
-- (target_path, expected_progress, status), the SMART "realistic" check
-- judges the plan's steepest step, kpi.adjust_target rescales the rest of
-- the plan, and the scorecard's year_ago and yoy_change.  Every number is
-- compared with plain SQL.  Data: test/monitor_data.sql (paid search CAC is
-- 50 − w in week w; week 14 is the last complete one).
\set SHOW_CONTEXT never
\i test/monitor_data.sql

-- A gentle plan for mon_cac_on (46 → 30, the steepest step 3, from 40 to 37
-- into the week of 2026-02-09), a steep one for mon_cac_risk (46 → 27, the
-- last step 8); mon_cac_off keeps the straight line.
INSERT INTO kpi.plans (name, grain, period_start, target)
SELECT p.name, 'week', date '2026-01-05' + 7 * (t.k::integer - 1), t.target
FROM (VALUES ('mon_cac_on', ARRAY[45, 44, 43, 42, 40, 37, 36, 34, 32, 30]),
			 ('mon_cac_risk', ARRAY[46, 46, 45, 45, 44, 44, 43, 40, 35, 27])) AS p(name, targets),
	 unnest(p.targets) WITH ORDINALITY AS t(target, k);
SELECT name, count(*), min(period_start), max(period_end), kpi.plan_problems(name) FROM kpi.plans GROUP BY name ORDER BY name;

-- The plain computation: the CAC per week, the plan's target for the week,
-- and the status rule written out (margin 0.10).
CREATE TEMP VIEW plain_weeks AS
SELECT p.name, p.period_start, sum(m.spend) / sum(m.customers) AS value, p.target,
	   (sum(m.spend) / sum(m.customers) - 46) / (d.target - 46) AS progress,
	   (p.target - 46) / (d.target - 46) AS expected
FROM kpi.plans p
JOIN kpi.definitions d USING (name)
JOIN mon.daily m ON m.channel = 'search' AND m.day >= p.period_start AND m.day < p.period_end
GROUP BY p.name, p.period_start, p.target, d.target;

SELECT * FROM kpi.series('mon_cac_on', '1 week', '2026-01-05', '2026-03-16');
SELECT count(*) AS weeks,
	   bool_and(abs(s.value - w.value::float8) < 1e-12) AS value_ok,
	   bool_and(s.target_path = w.target) AS target_path_ok,
	   bool_and(s.status = CASE WHEN w.progress >= w.expected THEN 'on_track'
								WHEN w.expected - w.progress < 0.10 THEN 'at_risk' ELSE 'off_track' END) AS status_ok
FROM kpi.series('mon_cac_on', '1 week', '2026-01-05', '2026-02-23') s
JOIN plain_weeks w ON w.name = 'mon_cac_on' AND w.period_start = s.bucket_start::date;
-- mon_cac_risk's plan keeps the big steps for last: on track against it
-- every week, where the straight line put week 14 at risk.
SELECT s.bucket_start::date, s.value, s.target_path, s.status,
	   s.status = CASE WHEN w.progress >= w.expected THEN 'on_track'
					   WHEN w.expected - w.progress < 0.10 THEN 'at_risk' ELSE 'off_track' END AS status_ok
FROM kpi.series('mon_cac_risk', '1 week', '2026-01-05', '2026-02-23') s
JOIN plain_weeks w ON w.name = 'mon_cac_risk' AND w.period_start = s.bucket_start::date
ORDER BY 1;
-- Buckets finer than the plan read the plan period they end in; before the
-- plan, the baseline.
SELECT bucket_start, target_path FROM kpi.series('mon_cac_on', '2 days', '2026-01-01', '2026-01-15');

-- The scorecard of week 14 [2026-02-09, 2026-02-16): CAC 36.  For
-- mon_cac_on the plan asks for 37, the straight line for 36.4; for
-- mon_cac_risk the plan asks for 44, the straight line for 34.6 (at risk).
SELECT name, current, target_path, round(expected_progress::numeric, 6) AS expected_progress,
	   round(progress::numeric, 6) AS progress, status
FROM kpi.scorecard WHERE name LIKE 'mon\_cac\_%' ORDER BY name;
SELECT s.name,
	   s.target_path = w.target AS target_path_ok,
	   abs(s.expected_progress - w.expected) < 1e-12 AS expected_ok
FROM kpi.scorecard s JOIN plain_weeks w ON w.name = s.name AND w.period_start = s.period_start::date
ORDER BY 1;
-- Without a plan, the straight line as before.
SELECT abs(target_path - (46 + (20 - 46) * 0.6)) < 1e-9 AS straight_line_ok FROM kpi.scorecard WHERE name = 'mon_cac_off';
-- A review records the status against the plan.
SELECT name, value, status FROM kpi.record_review('mon_cac_risk', 'On plan in week 14; the last step is steep.');

-- SMART "realistic" judges the plan's steepest step against the best
-- week-to-week improvement before starts_on (4).
SELECT name, criterion, passed, detail
FROM (VALUES ('mon_cac_on'), ('mon_cac_risk'), ('mon_cac_off')) AS k(name), kpi.smart_check(k.name) c
WHERE c.criterion = 'realistic' ORDER BY 1;
SET kpi.language = 'de';
SELECT passed, detail FROM kpi.smart_check('mon_cac_risk') WHERE criterion = 'Realistisch';
RESET kpi.language;
SELECT kpi.recheck_smart('mon_cac_risk') AS smart;
SELECT smart, failed FROM kpi.smart_verdicts WHERE name = 'mon_cac_risk';

-- kpi.adjust_target rescales the rest of the plan (periods not over by
-- kpi.as_of(): from the week of 2026-02-16 on), keeping its shape around the
-- baseline: 46 + (t − 46) · (28 − 46) / (30 − 46).
CREATE TEMP TABLE plan_before AS SELECT * FROM kpi.plans WHERE name = 'mon_cac_on';
SELECT name, old_target, new_target, reason
FROM kpi.adjust_target('mon_cac_on', 28, '30-day review: paid search got more budget.');
SELECT b.period_start, b.target AS before, p.target AS after,
	   abs(p.target - CASE WHEN b.period_end > '2026-02-18' THEN 46 + (b.target - 46) * (28 - 46) / (30.0 - 46) ELSE b.target END) < 1e-12 AS rescaled_ok,
	   p.change_id IS NOT DISTINCT FROM CASE WHEN b.period_end > '2026-02-18'
			THEN (SELECT max(change_id) FROM kpi.target_history WHERE name = 'mon_cac_on') END AS change_id_ok
FROM plan_before b JOIN kpi.plans p USING (name, period_start) WHERE p.segment IS NULL ORDER BY 1;
SELECT kpi.plan_problems('mon_cac_on');
-- Why, from the plan rows: the change's reason.
SELECT DISTINCT h.reason FROM kpi.plans p JOIN kpi.target_history h USING (change_id) WHERE p.name = 'mon_cac_on';
-- Without a baseline the plan is shifted instead.
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, direction, target, starts_on, due_on, active)
VALUES ('mon_plan_shift', 'sum', 'mon.daily', 'day', 'leads', 'higher_is_better', 100, '2026-01-05', '2026-03-16', false);
RESET client_min_messages;
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES
	('mon_plan_shift', 'week', '2026-02-09', 80), ('mon_plan_shift', 'week', '2026-02-16', 90), ('mon_plan_shift', 'week', '2026-02-23', 100);
SELECT new_target FROM kpi.adjust_target('mon_plan_shift', 110, 'More events.');
SELECT period_start, target, change_id IS NOT NULL AS rescaled FROM kpi.plans WHERE name = 'mon_plan_shift' ORDER BY 1;
-- A KPI without a plan: only the target changes.
SELECT new_target FROM kpi.adjust_target('mon_cac_off', 22, 'Less ambitious.');
SELECT count(*) FROM kpi.plans WHERE name = 'mon_cac_off';

-- year_ago and yoy_change: the same review period a year earlier.  Weekly
-- reviews compare with 52 weeks earlier (the same weekdays); a KPI reviewed
-- monthly compares with the same month a year earlier.
INSERT INTO mon.daily
SELECT d::date, 'search', 120, 20, 5, 3 FROM generate_series(date '2025-02-10', date '2025-02-16', interval '1 day') AS d
UNION ALL
SELECT d::date, 'social', 45, 7, 2, 1 FROM generate_series(date '2025-01-01', date '2025-01-31', interval '1 day') AS d;
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, filters, direction,
							 baseline, target, starts_on, due_on, review_every, active)
VALUES ('mon_social_leads', 'sum', 'mon.daily', 'day', 'leads', '{"channel": "social"}', 'higher_is_better',
		300, 400, '2026-01-01', '2026-06-30', '1 month', true);
RESET client_min_messages;
SELECT name, period_start, period_end, current, year_ago, yoy_change
FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_all', 'mon_social_leads', 'mon_signup_rate') ORDER BY name;
WITH plain (name, current, year_ago) AS (VALUES
	('mon_cac_on',
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE channel = 'search' AND day BETWEEN '2026-02-09' AND '2026-02-15'),
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE channel = 'search' AND day BETWEEN '2025-02-10' AND '2025-02-16')),
	('mon_cac_all',
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE day BETWEEN '2026-02-09' AND '2026-02-15'),
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE day BETWEEN '2025-02-10' AND '2025-02-16')),
	('mon_social_leads',
	 (SELECT sum(leads) FROM mon.daily WHERE channel = 'social' AND day BETWEEN '2026-01-01' AND '2026-01-31'),
	 (SELECT sum(leads) FROM mon.daily WHERE channel = 'social' AND day BETWEEN '2025-01-01' AND '2025-01-31')))
SELECT p.name, abs(s.year_ago - p.year_ago::float8) < 1e-12 AS year_ago_ok,
	   abs(s.yoy_change - (p.current - p.year_ago)::float8) < 1e-12 AS yoy_ok
FROM plain p JOIN kpi.scorecard s USING (name) ORDER BY 1;
SELECT kpi.year_ago_shift('7 days'), kpi.year_ago_shift('1 month'), kpi.year_ago_shift('3 months'), kpi.year_ago_shift('1 mon 1 day');

-- Cleanup.
SET client_min_messages = warning;
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%';
DROP SCHEMA mon CASCADE;
RESET client_min_messages;
