-- A KPI broken down by a column, each segment against its own plan
-- (kpi.segment_series).  Every number is recomputed in plain SQL.  Data:
-- test/monitor_data.sql: mon_cac_all is the CAC over all channels of
-- mon.daily (search, social, events).
\set SHOW_CONTEXT never
\i test/monitor_data.sql

-- Weekly plans for two channels of mon_cac_all, from its start on
-- 2026-01-05: paid search from 45 down by one a week, social flat at 60
-- (its plan has a gap in the week of 2026-01-19 and ends early; the last
-- target carries forward).  The events channel has no plan and so no rows.
INSERT INTO kpi.plans (name, segment, grain, period_start, target)
SELECT 'mon_cac_all', 'search', 'week', date '2026-01-05' + 7 * k, 45 - k FROM generate_series(0, 9) AS k
UNION ALL
SELECT 'mon_cac_all', 'social', 'week', date '2026-01-05' + 7 * k, 60 FROM unnest(ARRAY[0, 1, 3, 4]) AS k;
SELECT segment, count(*), kpi.plan_problems('mon_cac_all', segment) FROM kpi.plans GROUP BY segment ORDER BY 1;

SELECT segment, bucket_start, round(value::numeric, 4) AS value, plan_target,
	   round(attainment::numeric, 4) AS attainment, on_plan
FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2026-01-26', '2026-02-16');

-- Against plain SQL: the CAC of the channel per week, the segment plan's
-- target of its latest week that starts before the week ends (carried over
-- social's gap), attainment = plan / value (lower is better).
WITH plain AS (
	SELECT c.channel, w.week,
		   (SELECT sum(spend) / sum(customers) FROM mon.daily
			WHERE channel = c.channel AND day >= w.week AND day < w.week + 7)::float8 AS value,
		   (SELECT p.target FROM kpi.plans p WHERE p.name = 'mon_cac_all' AND p.segment = c.channel
			  AND p.period_start < w.week + 7 ORDER BY p.period_start DESC LIMIT 1) AS target
	FROM (VALUES ('search'), ('social')) AS c(channel),
		 generate_series(date '2026-01-05', date '2026-02-09', interval '7 days') AS g(t),
		 LATERAL (SELECT g.t::date AS week) AS w
)
SELECT count(*) AS weeks,
	   bool_and(abs(s.value - p.value) <= 1e-12 * p.value) AS value_ok,
	   bool_and(s.plan_target = p.target) AS plan_ok,
	   bool_and(abs(s.attainment - p.target / p.value) <= 1e-12) AS attainment_ok,
	   bool_and(s.on_plan = (p.value <= p.target)) AS on_plan_ok
FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2026-01-05', '2026-02-16') s
JOIN plain p ON p.channel = s.segment AND p.week = s.bucket_start::date;
-- Before a segment's first plan period there is no target.
SELECT segment, bucket_start, plan_target, attainment, on_plan
FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2025-12-22', '2026-01-05');

-- A higher-is-better KPI, lead to opportunity over all channels:
-- attainment = value / plan.
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, title, owner, metric, source, time_column, numerator_column,
							 denominator_column, direction, baseline, target, starts_on, due_on)
VALUES ('mon_conv_all', 'Lead to opportunity', 'Tom', 'conversion_rate', 'mon.daily', 'day', 'opportunities',
		'leads', 'higher_is_better', 0.2, 0.3, '2026-01-05', '2026-03-16');
RESET client_min_messages;
INSERT INTO kpi.plans (name, segment, grain, period_start, target) VALUES
	('mon_conv_all', 'search', 'week', '2026-02-02', 0.25), ('mon_conv_all', 'social', 'week', '2026-02-02', 0.25);
SELECT segment, bucket_start, round(value::numeric, 4) AS value, plan_target,
	   round(attainment::numeric, 4) AS attainment, on_plan,
	   abs(attainment - value / plan_target) < 1e-12 AS attainment_ok,
	   value = (SELECT sum(opportunities)::float8 / sum(leads) FROM mon.daily
				WHERE channel = s.segment AND day >= s.bucket_start AND day < s.bucket_start + interval '7 days') AS value_ok
FROM kpi.segment_series('mon_conv_all', 'channel', '1 week', '2026-02-02', '2026-02-16') AS s;
-- mon_conv filters on channel already: it cannot be broken down by it.
\set VERBOSITY sqlstate
SELECT * FROM kpi.segment_series('mon_conv', 'channel', '1 week', '2026-02-02', '2026-02-16');
-- No such column (42703), no such KPI (42704), a bad bucket or period (22023).
SELECT * FROM kpi.segment_series('mon_cac_all', 'no_such_column', '1 week', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.segment_series('no_such_kpi', 'channel', '1 week', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.segment_series('mon_cac_all', 'channel', '-1 week', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2026-02-16', '2026-02-02');
\set VERBOSITY default
-- No segment plans: no rows.
SELECT count(*) FROM kpi.segment_series('mon_unplanned', 'channel', '1 week', '2026-02-02', '2026-02-16');

-- A role that may read the KPI columns but not the segment column gets
-- 42501: the breakdown is read as kpi.measure reads, columns checked.
CREATE ROLE regress_kpi_segment_reader;
GRANT USAGE ON SCHEMA kpi, mon TO regress_kpi_segment_reader;
GRANT SELECT ON kpi.definitions, kpi.plans TO regress_kpi_segment_reader;
GRANT SELECT (day, spend, customers) ON mon.daily TO regress_kpi_segment_reader;
SET ROLE regress_kpi_segment_reader;
\set VERBOSITY sqlstate
SELECT * FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2026-02-02', '2026-02-16');
\set VERBOSITY default
RESET ROLE;
GRANT SELECT (channel) ON mon.daily TO regress_kpi_segment_reader;
SET ROLE regress_kpi_segment_reader;
SELECT count(*) AS rows_with_the_grant FROM kpi.segment_series('mon_cac_all', 'channel', '1 week', '2026-02-02', '2026-02-16');
RESET ROLE;

-- Cleanup.
SET client_min_messages = warning;
DROP OWNED BY regress_kpi_segment_reader;
DROP ROLE regress_kpi_segment_reader;
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%';
DROP SCHEMA mon CASCADE;
RESET client_min_messages;
