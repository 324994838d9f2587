-- The scorecard and the series, each number compared with the plain SQL an
-- analyst would write over the same rows.  Data: test/monitor_data.sql.
\set SHOW_CONTEXT never
\i test/monitor_data.sql

-- What a BI tool sees: only standard SQL types, statuses as text.
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a
WHERE a.attrelid = 'kpi.scorecard'::regclass AND a.attnum > 0
ORDER BY a.attnum;
SELECT u.name, u.type::regtype
FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes) AS u(name, type, mode)
WHERE p.oid = 'kpi.series(text, interval, timestamptz, timestamptz)'::regprocedure AND u.mode = 't';

-- The scorecard on Wednesday 2026-02-18 in Berlin: week 14 is the last
-- complete review period, 0.6 of the plan has elapsed by its end.
SELECT name, period_start, period_end, current, previous, change,
	   round(relative_change::numeric, 6) AS relative_change,
	   round(progress::numeric, 6) AS progress, expected_progress,
	   round(target_path::numeric, 6) AS target_path, status, smart
FROM kpi.scorecard WHERE name LIKE 'mon\_%' ORDER BY name;

-- The inactive KPI is not on it.
SELECT count(*) FROM kpi.scorecard WHERE name = 'mon_inactive';

-- Every value against plain SQL over the same days: a ratio of sums.
WITH plain (name, current, previous) AS (VALUES
	('mon_cac_on',
	 (SELECT sum(spend) / sum(customers) FROM mon.daily
	  WHERE channel = 'search' AND day >= '2026-02-09' AND day < '2026-02-16'),
	 (SELECT sum(spend) / sum(customers) FROM mon.daily
	  WHERE channel = 'search' AND day >= '2026-02-02' AND day < '2026-02-09')),
	('mon_cac_all',
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE day >= '2026-02-09' AND day < '2026-02-16'),
	 (SELECT sum(spend) / sum(customers) FROM mon.daily WHERE day >= '2026-02-02' AND day < '2026-02-09')),
	('mon_conv',
	 (SELECT sum(opportunities)::numeric / sum(leads) FROM mon.daily
	  WHERE channel = 'search' AND day >= '2026-02-09' AND day < '2026-02-16'),
	 (SELECT sum(opportunities)::numeric / sum(leads) FROM mon.daily
	  WHERE channel = 'search' AND day >= '2026-02-02' AND day < '2026-02-09')),
	('mon_unplanned',
	 (SELECT sum(spend) FROM mon.daily WHERE day >= '2026-02-09' AND day < '2026-02-16'),
	 (SELECT sum(spend) FROM mon.daily WHERE day >= '2026-02-02' AND day < '2026-02-09')),
	('mon_signup_rate',
	 (SELECT avg(converted::integer) FROM mon.signups
	  WHERE at >= '2026-02-09 00:00+01' AND at < '2026-02-16 00:00+01'),
	 (SELECT avg(converted::integer) FROM mon.signups
	  WHERE at >= '2026-02-02 00:00+01' AND at < '2026-02-09 00:00+01')))
SELECT p.name, p.current, p.previous,
	   abs(s.current - p.current::float8) <= 1e-12 * abs(p.current::float8) AS current_ok,
	   s.previous IS NOT DISTINCT FROM p.previous::float8
	   OR abs(s.previous - p.previous::float8) <= 1e-12 * abs(p.previous::float8) AS previous_ok
FROM plain p JOIN kpi.scorecard s USING (name) ORDER BY p.name;

-- Progress, the plan and the status by hand for the CAC KPIs (lower is
-- better): progress = (36 − 46) / (target − 46), expected = 42 / 70 days.
SELECT name, target,
	   (36 - 46) / (target - 46) AS progress_by_hand,
	   abs(progress - (36 - 46) / (target - 46)) < 1e-12 AS progress_ok,
	   expected_progress = extract(epoch FROM timestamptz '2026-02-16 00:00+01' - timestamptz '2026-01-05 00:00+01')
						 / extract(epoch FROM timestamptz '2026-03-16 00:00+01' - timestamptz '2026-01-05 00:00+01')
		   AS expected_ok,
	   abs(target_path - (46 + (target - 46) * 0.6)) < 1e-9 AS target_path_ok,
	   status
FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_risk', 'mon_cac_off') ORDER BY target DESC;

-- The at-risk margin: mon_cac_risk is 0.074 behind, mon_cac_off 0.215.
SET kpi.at_risk_margin = 0.05;
SELECT name, status FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_risk', 'mon_cac_off') ORDER BY name;
SET kpi.at_risk_margin = 0.3;
SELECT name, status FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_risk', 'mon_cac_off') ORDER BY name;
SET kpi.at_risk_margin = 0;
SELECT name, status FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_risk', 'mon_cac_off') ORDER BY name;
RESET kpi.at_risk_margin;

-- The status rule on its own, at and around the margin.
SELECT p, e, kpi.status(p, e)
FROM (VALUES (0.5::float8, 0.5::float8), (0.75, 0.5), (0.45, 0.5), (0.375, 0.5), (0.25, 0.5),
			 (-0.5, 0), (NULL, 0.5), (0.5, NULL), ('NaN', 0.5), (0.5, 'NaN')) AS t(p, e);

-- "The last complete review period" ends at the latest period boundary that
-- is not after now, in the session's time zone.
SET kpi.as_of = '2026-02-16 00:00';
SELECT period_start, period_end, current FROM kpi.scorecard WHERE name = 'mon_cac_on';
SET kpi.as_of = '2026-02-15 23:59:59';
SELECT period_start, period_end, current FROM kpi.scorecard WHERE name = 'mon_cac_on';
SET kpi.as_of = '2026-02-18 10:00';
-- In UTC the same moment closes the same week, but it starts and ends one
-- hour later, and takes in other sign-ups (2 of 3 converted, not 1 of 3).
SET TimeZone = 'UTC';
SELECT name, period_start, period_end, round(current::numeric, 6) AS current, status
FROM kpi.scorecard WHERE name IN ('mon_signup_rate', 'mon_cac_on') ORDER BY name;
SELECT avg(converted::integer) FROM mon.signups WHERE at >= '2026-02-09 00:00+00' AND at < '2026-02-16 00:00+00';
SET TimeZone = 'Europe/Berlin';

-- kpi.scorecard_at(as_of) is the view for any moment.
SELECT (SELECT string_agg(s::text, E'\n' ORDER BY s.name) FROM kpi.scorecard s)
	 = (SELECT string_agg(s::text, E'\n' ORDER BY s.name) FROM kpi.scorecard_at('2026-02-18 10:00') s) AS same;
SELECT name, period_end, current, status FROM kpi.scorecard_at('2026-01-20 12:00') WHERE name LIKE 'mon\_cac%' ORDER BY name;

-- kpi.measure_many computes what kpi.measure computes, for every metric,
-- in one pass per source.
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters, active) VALUES
	('mon_m_ratio', 'ratio', 'mon.daily', 'day', 'leads', 'opportunities', '{"channel": "social"}', false),
	('mon_m_average', 'average', 'mon.daily', 'day', 'spend', NULL, '{}', false),
	('mon_m_count', 'count', 'mon.daily', 'day', NULL, NULL, '{"channel": "events"}', false),
	('mon_m_count_col', 'count', 'mon.daily', 'day', 'leads', NULL, '{}', false),
	('mon_m_count_bool', 'count', 'mon.signups', 'at', 'converted', NULL, '{}', false),
	('mon_m_romi', 'romi', 'mon.daily', 'day', 'spend', 'leads', '{"channel": "search"}', false),
	('mon_m_roas', 'roas', 'mon.daily', 'day', 'leads', 'spend', '{}', false),
	('mon_m_broken', 'sum', 'mon.daily', 'day', 'no_such_column', NULL, '{}', false);
RESET client_min_messages;
SELECT m.name, m.value,
	   CASE WHEN m.name = 'mon_m_broken' THEN m.value IS NULL
			ELSE m.value IS NOT DISTINCT FROM kpi.measure(m.name, '2026-01-05', '2026-02-16') END AS same_as_measure
FROM kpi.measure_many(ARRAY(SELECT name FROM kpi.definitions WHERE name LIKE 'mon\_%'), '2026-01-05', '2026-02-16') AS m
ORDER BY m.name;
-- Over a period without rows: counts are 0, the rest NULL.
SELECT m.name, m.value FROM kpi.measure_many(ARRAY['mon_m_count', 'mon_m_count_bool', 'mon_cac_on'], '2030-01-01', '2030-02-01') AS m ORDER BY m.name;
-- Many periods at once: period k is [bounds[k], bounds[k+1]).
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on', 'mon_events_leads', 'mon_signup_rate'],
							   ARRAY['2026-01-26', '2026-02-02', '2026-02-09', '2026-02-16']::timestamptz[])
ORDER BY name, period_start;
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on'], ARRAY['2026-01-26']::timestamptz[]);
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on'], ARRAY['2026-01-26', NULL]::timestamptz[]);
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on'], ARRAY['2026-01-26', '2026-02-09', '2026-02-02']::timestamptz[]);
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on', 'no_such_kpi'], '2026-01-05', '2026-02-16');
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on'], '2026-02-16', '2026-01-05');
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_m\_%';

-- The series: every week kept, NULL where events had no data.
SELECT * FROM kpi.series('mon_events_leads', '1 week', '2025-11-03', '2026-02-16');
-- ... and the same weeks in plain SQL: no bucket differs.
SELECT count(*) AS buckets,
	   count(*) FILTER (WHERE s.value IS DISTINCT FROM plain.value::float8) AS differing,
	   count(*) FILTER (WHERE s.value IS NULL) AS empty
FROM kpi.series('mon_events_leads', '1 week', '2025-11-03', '2026-02-16') s
JOIN (SELECT w, (SELECT sum(leads) FROM mon.daily
				 WHERE channel = 'events' AND day >= w AND day < w + interval '1 week') AS value
	  FROM generate_series(timestamptz '2025-11-03', '2026-02-09', '1 week') AS w) AS plain
  ON plain.w = s.bucket_start;

-- CAC, lower is better: flat at the baseline before the plan starts, then
-- the straight line to the target; the target path of a bucket is where
-- the plan is at its end.
SELECT bucket_start, value, round(target_path::numeric, 6) AS target_path, status
FROM kpi.series('mon_cac_risk', '1 week', '2025-12-22', '2026-02-23');

-- A last bucket cut short by the end of the range; a month bucket.
SELECT * FROM kpi.series('mon_cac_on', '1 week', '2026-02-09', '2026-02-19');
SELECT s.bucket_start, round(s.value::numeric, 6) AS value, s.status,
	   abs(s.value - (SELECT sum(spend) / sum(customers) FROM mon.daily
					  WHERE day >= s.bucket_start AND day < s.bucket_start + interval '1 month')::float8) < 1e-9 AS value_ok
FROM kpi.series('mon_cac_all', '1 month', '2025-11-01', '2026-03-01') s;

-- The plan needs baseline and target; the status then is no_data.
SELECT * FROM kpi.series('mon_unplanned', '1 week', '2026-02-02', '2026-02-16');

-- Errors.
SELECT * FROM kpi.series('no_such_kpi', '1 week', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.series('mon_cac_on', '0 days', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.series('mon_cac_on', '1 week', '2026-02-16', '2026-02-02');
SELECT count(*) FROM kpi.series('mon_cac_on', NULL, '2026-02-02', '2026-02-16');

-- Cleanup: monitor_02_reviews sets up its own copy of the data.
SET client_min_messages = warning;
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%';
DROP SCHEMA mon CASCADE;
RESET client_min_messages;
