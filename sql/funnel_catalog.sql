-- Funnel KPIs in the catalog (issue 11): metric funnel_conversion, measured
-- by kpi.measure, kpi.measure_series, kpi.series and the scorecard, each
-- value compared with a plain-SQL self-join over the same rows.
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET client_min_messages = error;
DROP TABLE IF EXISTS fc_events;
DROP ROLE IF EXISTS regress_fc_outsider;
DROP ROLE IF EXISTS regress_fc_partial;
RESET client_min_messages;

-- One row per event of a lead; the steps are boolean columns.
CREATE TABLE fc_events (
	lead_id		integer,
	happened_at	timestamptz NOT NULL,
	channel		text NOT NULL,
	is_lead		boolean,
	is_opportunity boolean,
	is_customer	boolean,
	amount		numeric
);
-- 300 web leads over six weeks from Monday 2024-01-01: an opportunity for
-- two thirds of them 0 to 9 days later, a customer for half of those 0 to 8
-- days after that (so some arrive after the 14-day window); every 11th
-- customer buys twice, every 13th lead comes back three weeks later, every
-- 7th opportunity row is also a lead row, some steps are NULL.
INSERT INTO fc_events (lead_id, happened_at, channel, is_lead, is_opportunity, is_customer)
SELECT i, t0, 'web', true, i % 7 = 0, CASE WHEN i % 17 = 0 THEN NULL ELSE false END
FROM (SELECT i, timestamptz '2024-01-01' + (i * 37 % 42) * interval '1 day' + (i * 5 % 24) * interval '1 hour' AS t0
	  FROM generate_series(1, 300) AS i) AS l;
INSERT INTO fc_events (lead_id, happened_at, channel, is_lead, is_opportunity, is_customer)
SELECT i, timestamptz '2024-01-01' + (i * 37 % 42 + 21) * interval '1 day', 'web', true, false, false
FROM generate_series(1, 300) AS i WHERE i % 13 = 0;
INSERT INTO fc_events (lead_id, happened_at, channel, is_lead, is_opportunity, is_customer)
SELECT i, timestamptz '2024-01-01' + (i * 37 % 42 + i % 10) * interval '1 day' + (i * 5 % 24) * interval '1 hour',
	   'web', i % 7 = 0, true, false
FROM generate_series(1, 300) AS i WHERE i % 3 <> 0;
INSERT INTO fc_events (lead_id, happened_at, channel, is_lead, is_opportunity, is_customer)
SELECT i, timestamptz '2024-01-01' + (i * 37 % 42 + i % 10 + i % 9) * interval '1 day' + (i * 5 % 24 + c) * interval '1 hour',
	   'web', false, false, true
FROM generate_series(1, 300) AS i, generate_series(1, 2) AS c
WHERE i % 3 <> 0 AND i % 2 = 0 AND (c = 1 OR i % 11 = 0);
-- Rows without entity are skipped.
INSERT INTO fc_events VALUES (NULL, '2024-01-02', 'web', true, true, true);
-- Retargeting: two leads in the week of 2024-01-08 that buy again and
-- again.  A naive count of customer rows over lead rows is 4 / 2 = 200 %;
-- one lead reached the last step within the window, so the funnel says 50 %.
INSERT INTO fc_events (lead_id, happened_at, channel, is_lead, is_opportunity, is_customer) VALUES
	(1001, '2024-01-08 10:00', 'retarget', true, false, false),
	(1001, '2024-01-09 10:00', 'retarget', false, true, false),
	(1001, '2024-01-10 10:00', 'retarget', false, false, true),
	(1001, '2024-01-11 10:00', 'retarget', false, false, true),
	(1001, '2024-01-12 10:00', 'retarget', false, false, true),
	(1002, '2024-01-09 10:00', 'retarget', true, false, false),
	(1002, '2024-01-10 10:00', 'retarget', false, false, true);

-- The plain SQL an analyst would write: the leads with a step-1 row in
-- [lo, hi), and those of them with an opportunity at or after it and a
-- customer at or after that, at most 14 days after the step-1 row.
CREATE FUNCTION fc_plain(ch text, lo timestamptz, hi timestamptz,
						 OUT entered bigint, OUT converted bigint, OUT rate double precision)
LANGUAGE sql STABLE AS $$
	WITH e AS (SELECT lead_id, happened_at, is_lead, is_opportunity, is_customer FROM fc_events WHERE channel = ch AND lead_id IS NOT NULL),
	started AS (
		SELECT DISTINCT lead_id FROM e WHERE is_lead AND happened_at >= lo AND happened_at < hi
	), reached AS (
		SELECT DISTINCT s1.lead_id
		FROM e AS s1
		JOIN e AS s2 ON s2.lead_id = s1.lead_id AND s2.is_opportunity AND s2.happened_at >= s1.happened_at
		JOIN e AS s3 ON s3.lead_id = s1.lead_id AND s3.is_customer AND s3.happened_at >= s2.happened_at
					AND s3.happened_at <= s1.happened_at + interval '14 days'
		WHERE s1.is_lead AND s1.happened_at >= lo AND s1.happened_at < hi
	)
	SELECT (SELECT count(*) FROM started), (SELECT count(*) FROM reached),
		   (SELECT count(*) FROM reached)::float8 / NULLIF((SELECT count(*) FROM started), 0)
$$;

SET client_min_messages = error;
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 entity_column, step_columns, funnel_within, filters, unit, direction, baseline, target,
	 starts_on, due_on, review_every)
VALUES
	('fc_web', 'Lead to customer in 14 days', 'Share of new web leads that become customers within 14 days.',
	 'Carla Diaz', '{marketing,sales}', 'Turn more leads into customers', 'funnel_conversion', 'customer',
	 'fc_events', 'happened_at', 'lead_id', '{is_lead,is_opportunity,is_customer}', '14 days',
	 '{"channel": "web"}', 'ratio', 'higher_is_better', 0.2, 0.3, '2024-01-01', '2024-03-31', '7 days'),
	('fc_retarget', 'Retargeted leads to customer', 'Share of retargeted leads that become customers within 14 days.',
	 'Carla Diaz', '{marketing}', 'Win back leads', 'funnel_conversion', 'customer',
	 'fc_events', 'happened_at', 'lead_id', '{is_lead,is_opportunity,is_customer}', '14 days',
	 '{"channel": "retarget"}', 'ratio', 'higher_is_better', 0.2, 0.3, '2024-01-01', '2024-03-31', '7 days'),
	-- an ordinary KPI on the same source and time column, measured beside it
	('fc_web_leads', 'Web lead rows', 'Lead rows of the web channel per week.',
	 'Ben Koch', '{marketing}', 'Fill the pipeline', 'count', 'lead',
	 'fc_events', 'happened_at', NULL, NULL, NULL,
	 '{"channel": "web"}', 'leads', 'higher_is_better', 40, 60, '2024-01-01', '2024-03-31', '7 days');
UPDATE kpi.definitions SET numerator_column = 'is_lead' WHERE name = 'fc_web_leads';
RESET client_min_messages;

-- kpi.measure over each week and over January, against the plain SQL.
SELECT w.lo::date AS week, p.entered, p.converted,
	   round(kpi.measure('fc_web', w.lo, w.lo + interval '7 days')::numeric, 6) AS measured,
	   round(p.rate::numeric, 6) AS plain,
	   kpi.measure('fc_web', w.lo, w.lo + interval '7 days') IS NOT DISTINCT FROM p.rate AS equal
FROM generate_series(timestamptz '2024-01-01', '2024-02-12', interval '7 days') AS w(lo),
	 LATERAL fc_plain('web', w.lo, w.lo + interval '7 days') AS p
ORDER BY 1;
SELECT kpi.measure('fc_web', '2024-01-01', '2024-02-01') = p.rate AS january_equal, p.entered, p.converted
FROM fc_plain('web', '2024-01-01', '2024-02-01') AS p;
-- A period that starts no funnel: NULL, as a conversion rate over no rows.
SELECT kpi.measure('fc_web', '2023-01-01', '2023-02-01') AS no_leads;

-- Never above 100 %: the naive count says 200 %, the funnel 50 %.
SELECT (SELECT count(*) FILTER (WHERE is_customer)::float8 / count(*) FILTER (WHERE is_lead)
		FROM fc_events WHERE channel = 'retarget') AS naive_rate,
	   kpi.measure('fc_retarget', '2024-01-08', '2024-01-15') AS funnel_rate,
	   (fc_plain('retarget', '2024-01-08', '2024-01-15')).rate AS plain_rate;
-- And never above 1 in any week or month of the web funnel.
SELECT max(s.value) <= 1 AS never_above_one
FROM kpi.measure_series('fc_web', '1 day', '2024-01-01', '2024-02-19') AS s;

-- The series by the week of step 1: every bucket against the plain SQL,
-- row_count the leads that entered the funnel; the empty last week kept.
SELECT s.bucket_start::date, s.bucket_end::date, round(s.value::numeric, 6) AS value, s.row_count,
	   s.value IS NOT DISTINCT FROM p.rate AND s.row_count = p.entered AS equal
FROM kpi.measure_series('fc_web', '7 days', '2024-01-01', '2024-02-19') AS s,
	 LATERAL fc_plain('web', s.bucket_start, s.bucket_end) AS p
ORDER BY s.bucket_start;
-- Buckets shorter than the window: a lead's later steps still count for
-- the bucket of its step 1.
SELECT count(*) AS days, bool_and(s.value IS NOT DISTINCT FROM p.rate AND s.row_count = p.entered) AS all_equal
FROM kpi.measure_series('fc_web', '1 day', '2024-01-01', '2024-02-19') AS s,
	 LATERAL fc_plain('web', s.bucket_start, s.bucket_end) AS p;
-- kpi.series shows the same values, with the status against the plan.
SELECT s.bucket_start::date, round(s.value::numeric, 6) AS value, s.status,
	   s.value IS NOT DISTINCT FROM m.value AS same_as_measure_series
FROM kpi.series('fc_web', '7 days', '2024-01-01', '2024-02-05') AS s
JOIN kpi.measure_series('fc_web', '7 days', '2024-01-01', '2024-02-05') AS m USING (bucket_start)
ORDER BY 1;

-- The scorecard on Wednesday 2024-02-07: the last full week is
-- [2024-01-29, 2024-02-05), the one before it [2024-01-22, 2024-01-29).
-- The funnel KPI and the ordinary one on the same source both have values.
SET kpi.as_of = '2024-02-07 12:00';
SELECT s.name, s.metric, s.period_start::date, s.period_end::date, round(s.current::numeric, 6) AS current,
	   round(s.previous::numeric, 6) AS previous, s.status, s.problem
FROM kpi.scorecard AS s WHERE s.name LIKE 'fc\_%' ORDER BY s.name;
SELECT s.current = (fc_plain('web', '2024-01-29', '2024-02-05')).rate AS current_equal,
	   s.previous = (fc_plain('web', '2024-01-22', '2024-01-29')).rate AS previous_equal,
	   round(s.progress::numeric, 6) = round(((s.current - 0.2) / (0.3 - 0.2))::numeric, 6) AS progress_equal
FROM kpi.scorecard AS s WHERE s.name = 'fc_web';
-- Its change is tested like a conversion rate with each lead one unit:
-- kpi.compare over the leads of the two weeks, converted (1) or not (0),
-- counted by the plain SQL.
SELECT round(s.p_value::numeric, 6) AS p_value, s.significant_change,
	   s.p_value = (kpi.compare(
		   (SELECT kpi.ratio_agg((i <= c.converted)::integer, 1) FROM fc_plain('web', '2024-01-29', '2024-02-05') AS c,
				   generate_series(1, c.entered) AS i),
		   (SELECT kpi.ratio_agg((i <= c.converted)::integer, 1) FROM fc_plain('web', '2024-01-22', '2024-01-29') AS c,
				   generate_series(1, c.entered) AS i))).p_value AS p_value_equal
FROM kpi.scorecard AS s WHERE s.name = 'fc_web';
SELECT s.current = (SELECT count(*) FROM fc_events WHERE channel = 'web' AND is_lead
					AND happened_at >= '2024-01-29' AND happened_at < '2024-02-05') AS count_kpi_equal
FROM kpi.scorecard AS s WHERE s.name = 'fc_web_leads';
SELECT m.name, m.period_start::date, round(m.value::numeric, 6) AS value
FROM kpi.measure_many('{fc_web,fc_web_leads,fc_retarget}', '{2024-01-08,2024-01-15}'::timestamptz[]) AS m
ORDER BY 1;

-- The SMART check covers it: measurable computes the last week's value.
SELECT criterion, passed, detail FROM kpi.smart_check('fc_web') WHERE criterion IN ('specific', 'measurable');
-- A funnel definition that lacks what it needs fails specific and says what to do.
SELECT criterion, passed, detail
FROM kpi.smart_check(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead"]}'))
WHERE criterion IN ('specific', 'measurable');
SELECT criterion, passed, detail
FROM kpi.smart_check(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead", "amount"]}'))
WHERE criterion = 'measurable';
-- Funnel columns on another metric are a specific problem too.
SELECT kpi.metric_columns_problem(jsonb_populate_record(kpi.definition('fc_web_leads'), '{"funnel_within": "7 days"}'));
SELECT kpi.metric_columns_problem(jsonb_populate_record(kpi.definition('fc_web'), '{"numerator_column": "is_lead"}'));
RESET kpi.as_of;

-- Errors that teach, each with its SQLSTATE.
\set VERBOSITY default
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead", "is_won"]}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"entity_column": "lead"}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead", "amount"]}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead"]}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"funnel_within": "-1 day"}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"funnel_within": "1 mon"}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure(jsonb_populate_record(kpi.definition('fc_web'), '{"funnel_within": null}'),
				   '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_series(jsonb_populate_record(kpi.definition('fc_web'), '{"step_columns": ["is_lead", "no_such"]}'),
								 '7 days', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('fc_typo', 'funnel');
\echo :LAST_ERROR_SQLSTATE

-- Privileges: a role without SELECT on the source gets 42501, from the
-- measure and the series, and the scorecard shows no number for it.
CREATE ROLE regress_fc_outsider;
CREATE ROLE regress_fc_partial;
GRANT USAGE ON SCHEMA kpi TO regress_fc_outsider, regress_fc_partial;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO regress_fc_outsider, regress_fc_partial;
-- every column the funnel reads but one step
GRANT SELECT (lead_id, happened_at, channel, is_lead, is_opportunity) ON fc_events TO regress_fc_partial;
SET kpi.as_of = '2024-02-07 12:00';
SET ROLE regress_fc_outsider;
SELECT kpi.measure('fc_web', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_series('fc_web', '7 days', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT name, current, problem FROM kpi.scorecard WHERE name = 'fc_web';
SET ROLE regress_fc_partial;
SELECT kpi.measure('fc_web', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT criterion, passed, detail FROM kpi.smart_check('fc_web') WHERE criterion = 'measurable';
RESET ROLE;
GRANT SELECT (is_customer) ON fc_events TO regress_fc_partial;
SET ROLE regress_fc_partial;
SELECT kpi.measure('fc_web', '2024-01-01', '2024-02-01') = (fc_plain('web', '2024-01-01', '2024-02-01')).rate
	AS with_every_column;
RESET ROLE;
RESET kpi.as_of;

-- The audit and the catalog export keep working with the funnel columns.
SELECT count(*) >= 0 AS audit_runs FROM kpi.audit();
SELECT position('"step_columns": ["is_lead", "is_opportunity", "is_customer"]' IN kpi.export_catalog()) > 0 AS exported,
	   position('"entity_column": "lead_id"' IN kpi.export_catalog()) > 0 AS entity_exported;

-- Cleanup: the catalog as other tests expect it.
DELETE FROM kpi.definitions WHERE name LIKE 'fc\_%';
DROP OWNED BY regress_fc_outsider, regress_fc_partial;
DROP ROLE regress_fc_outsider, regress_fc_partial;
DROP TABLE fc_events;
DROP FUNCTION fc_plain(text, timestamptz, timestamptz);
