-- kpi.measure and kpi.measure_series, each compared with the plain SQL a
-- careful analyst would write over the same rows, and their errors.
\set SHOW_CONTEXT never
\i test/catalog_data.sql
SET kpi.enforce_smart = off;	-- these definitions test measuring only

INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters) VALUES
	('cac_paid_search', 'cac', 'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}'),
	('closing_rate', 'conversion_rate', 'funnel_daily', 'day', 'customers', 'opportunities', '{}'),
	('win_rate', 'conversion_rate', 'opportunity_events', 'opened_at', 'won', NULL, '{}'),
	('romi_social', 'romi', 'funnel_daily', 'day', 'revenue', 'spend', '{"channel": "social"}'),
	('roas_email', 'roas', 'funnel_daily', 'day', 'revenue', 'spend', '{"channel": "email"}'),
	('leads_per_opportunity', 'ratio', 'funnel_daily', 'day', 'leads', 'opportunities', '{}'),
	('spend_total', 'sum', 'funnel_daily', 'day', 'spend', NULL, '{}'),
	('deal_size', 'average', 'opportunity_events', 'opened_at', 'amount', NULL, '{"won": true}'),
	('open_opportunities', 'count', 'opportunity_events', 'opened_at', NULL, NULL, '{"won": null}'),
	('won_deals', 'count', 'opportunity_events', 'opened_at', 'won', NULL, '{}'),
	('big_deals', 'count', 'opportunity_events', 'opened_at', 'amount', NULL, '{"amount": 1000}');

-- March 2024, each KPI against its plain-SQL definition: the ratio of sums.
WITH march AS (SELECT * FROM funnel_daily WHERE day >= '2024-03-01' AND day < '2024-04-01'),
	 march_events AS (SELECT * FROM opportunity_events
					  WHERE opened_at >= '2024-03-01' AND opened_at < '2024-04-01'),
	 expected(name, value) AS (
		SELECT 'cac_paid_search', (SELECT sum(spend) / sum(customers) FROM march WHERE channel = 'paid_search')
		UNION ALL SELECT 'closing_rate', (SELECT sum(customers)::numeric / sum(opportunities) FROM march)
		UNION ALL SELECT 'win_rate', (SELECT count(*) FILTER (WHERE won)::numeric / count(won) FROM march_events)
		UNION ALL SELECT 'romi_social', (SELECT (sum(revenue) - sum(spend)) / sum(spend) FROM march WHERE channel = 'social')
		UNION ALL SELECT 'roas_email', (SELECT sum(revenue) / sum(spend) FROM march WHERE channel = 'email')
		UNION ALL SELECT 'leads_per_opportunity', (SELECT sum(leads)::numeric / sum(opportunities) FROM march)
		UNION ALL SELECT 'spend_total', (SELECT sum(spend) FROM march)
		UNION ALL SELECT 'deal_size', (SELECT avg(amount) FROM march_events WHERE won)
		UNION ALL SELECT 'open_opportunities', (SELECT count(*) FROM march_events WHERE won IS NULL)
		UNION ALL SELECT 'won_deals', (SELECT count(*) FROM march_events WHERE won)
		UNION ALL SELECT 'big_deals', (SELECT count(*) FROM march_events WHERE amount = 1000))
SELECT e.name, round(kpi.measure(e.name, '2024-03-01', '2024-04-01')::numeric, 6) AS measured,
	   round(e.value, 6) AS expected,
	   abs(kpi.measure(e.name, '2024-03-01', '2024-04-01') - e.value::float8) <= 1e-12 * abs(e.value::float8) AS matches
FROM expected AS e
ORDER BY e.name;

-- Open opportunities exist only in the last week: the count is 0 before, not NULL.
SELECT kpi.measure('open_opportunities', '2024-06-24', '2024-07-01') AS open_last_week,
	   (SELECT count(*) FROM opportunity_events WHERE won IS NULL) AS open_in_table,
	   kpi.measure('open_opportunities', '2024-06-01', '2024-06-24') AS open_before;

-- No rows in the period, and an empty period: NULL, like x / NULLIF(y, 0).
SELECT kpi.measure('cac_paid_search', '2025-01-01', '2025-02-01') AS no_rows,
	   kpi.measure('cac_paid_search', '2024-03-01', '2024-03-01') AS empty_period;

-- A date time column and timestamptz bounds: the day starting at the bound is in.
SELECT kpi.measure('spend_total', '2024-03-01', '2024-03-02') AS one_day,
	   (SELECT sum(spend) FROM funnel_daily WHERE day = '2024-03-01') AS expected;

-- The row-value form measures a definition that is not stored.
SELECT kpi.measure(ROW('draft_cac', NULL, NULL, NULL, '{}', NULL, 'cac', NULL, 'funnel_daily', 'day',
					   'spend', 'customers', '{"channel": "email"}', NULL, NULL, NULL, NULL, NULL, NULL,
					   '7 days', true, now(), now(), NULL, NULL, NULL)::kpi.definitions,
				   '2024-03-01', '2024-04-01') =
	   (SELECT (sum(spend) / sum(customers))::float8 FROM funnel_daily
		WHERE channel = 'email' AND day >= '2024-03-01' AND day < '2024-04-01') AS draft_matches;

-- Weekly series: every bucket is there, those past the data with row_count 0
-- and no value; the last one is cut at the end of the period.
SELECT s.bucket_start, s.bucket_end, round(s.value::numeric, 4) AS value, s.row_count,
	   round((SELECT sum(spend) / sum(customers) FROM funnel_daily
			  WHERE channel = 'paid_search' AND day >= s.bucket_start AND day < s.bucket_end), 4) AS expected
FROM kpi.measure_series('cac_paid_search', '7 days', '2024-06-10', '2024-07-10') AS s;

-- Monthly buckets add up to the half year: the series is a partition of the period.
SELECT (SELECT sum(row_count) FROM kpi.measure_series('spend_total', '1 month', '2024-01-01', '2024-07-01')) AS rows_in_buckets,
	   (SELECT count(*) FROM funnel_daily) AS rows_in_table,
	   (SELECT sum(value) FROM kpi.measure_series('spend_total', '1 month', '2024-01-01', '2024-07-01'))
		 = kpi.measure('spend_total', '2024-01-01', '2024-07-01') AS sums_match;

-- Review periods, anchored on a Wednesday start, weekly and monthly.
SELECT * FROM kpi.review_period(date '2024-05-01', interval '7 days', timestamptz '2024-07-01');
SELECT * FROM kpi.review_period(date '2024-05-01', interval '7 days', timestamptz '2024-07-01', 1);
SELECT * FROM kpi.review_period(date '2024-05-01', interval '7 days', timestamptz '2024-06-26 00:00');
SELECT * FROM kpi.review_period(date '2024-05-01', interval '7 days', timestamptz '2024-04-02');
SELECT * FROM kpi.review_period(date '2024-01-31', interval '1 month', timestamptz '2024-07-01');
-- Untyped literals resolve too: kpi.review_period has one signature, and a
-- KPI's periods have their own name, kpi.last_review_period.
SELECT * FROM kpi.review_period('2024-05-01', '7 days', '2024-07-01');
SELECT * FROM kpi.review_period('2024-05-01', '7 days', '2024-07-01', 1);
-- A KPI without starts_on has Monday-to-Sunday weeks; "now" is kpi.as_of()
-- (Monday 2024-07-01) unless given.
SELECT * FROM kpi.last_review_period(kpi.definition('cac_paid_search'));
SELECT * FROM kpi.last_review_period(kpi.definition('cac_paid_search'), '2024-06-26', 2);
SELECT * FROM kpi.last_review_period(ROW('wednesdays', NULL, NULL, NULL, '{}', NULL, 'sum', NULL, NULL, NULL,
										 NULL, NULL, '{}', NULL, NULL, NULL, NULL, '2024-05-01', NULL,
										 '14 days', true, now(), now(), NULL, NULL, NULL)::kpi.definitions);

-- Errors, each with its SQLSTATE.
SELECT kpi.measure('no_such_kpi', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_series('no_such_kpi', '7 days', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure('cac_paid_search', '2024-04-01', '2024-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_series('cac_paid_search', '0 days', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.review_period(date '2024-05-01', interval '-7 days', timestamptz '2024-07-01');
\echo :LAST_ERROR_SQLSTATE

CREATE TABLE campaign_costs (booked_on date, campaign text, cost numeric, clicks integer, note text);
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters) VALUES
	('cost_per_click', 'ratio', 'campaign_costs', 'booked_on', 'cost', 'clicks', '{"campaign": "spring"}'),
	('bad_filter', 'sum', 'campaign_costs', 'booked_on', 'cost', NULL, '{"campaign": ["spring", "summer"]}'),
	('text_value', 'sum', 'campaign_costs', 'booked_on', 'note', NULL, '{}'),
	('text_time', 'sum', 'campaign_costs', 'campaign', 'cost', NULL, '{}'),
	('no_denominator', 'cac', 'campaign_costs', 'booked_on', 'cost', NULL, '{}'),
	('no_source', 'sum', NULL, 'booked_on', 'cost', NULL, '{}');
SELECT kpi.measure('cost_per_click', '2024-03-01', '2024-04-01') AS no_rows_yet;
SELECT kpi.measure('bad_filter', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure('text_value', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure('text_time', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure('no_denominator', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.measure('no_source', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE campaign_costs RENAME COLUMN clicks TO visits;
SELECT kpi.measure('cost_per_click', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE campaign_costs RENAME COLUMN visits TO clicks;
ALTER TABLE campaign_costs DROP COLUMN campaign;
SELECT kpi.measure('cost_per_click', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE campaign_costs;
SELECT kpi.measure('cost_per_click', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE

-- Closed sets are checked: a typo is an error, not a silent miss.  (Terse:
-- the failing row shows created_at, which is now().)
\set VERBOSITY terse
INSERT INTO kpi.definitions (name, metric) VALUES ('typo', 'conversion_rte');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, direction) VALUES ('typo', 'cac', 'lower_better');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, stage) VALUES ('typo', 'cac', 'leads');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('CAC Paid', 'cac');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, filters) VALUES ('typo', 'cac', '["channel"]');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, review_every) VALUES ('typo', 'cac', '0 days');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- Hostile text in a filter value stays a literal: it matches no row and runs nothing.
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, filters) VALUES
	('hostile', 'sum', 'funnel_daily', 'day', 'spend', '{"channel": "x''; DROP TABLE funnel_daily; --"}');
SELECT kpi.measure('hostile', '2024-01-01', '2024-07-01') AS hostile_value,
	   (SELECT count(*) FROM funnel_daily) AS rows_still_there;

-- kpi.filter_sql (C) gives the text of the plain SQL it replaces, key order
-- by the database's collation, for keys and values of every kind.
SELECT count(*) AS filters,
	   count(*) FILTER (WHERE kpi.filter_sql(jsonb_populate_record(NULL::kpi.definitions, jsonb_build_object('filters', f.filters)))
							  IS DISTINCT FROM
							  (SELECT string_agg(CASE WHEN jsonb_typeof(e.value) = 'null' THEN format('%I IS NULL', e.key)
													  ELSE format('%I = %L', e.key, e.value #>> '{}') END,
												 ' AND ' ORDER BY e.key)
							   FROM jsonb_each(f.filters) AS e)) AS differences
FROM (VALUES ('{}'::jsonb), ('{"channel": "ads"}'), ('{"b": null, "a": 1.50, "Z": false, "aa": 1e3, "_x": -0.0}'),
			 ('{"c": [1, "two"], "d": {"x": true}, "e": "it''s \\ \"quoted\""}'), ('{"Ä": "ü", "a b": "", "select": "1"}'),
			 ('{"k1": "v", "k10": "v", "k2": "v", "K1": "v"}')) AS f(filters);
SELECT kpi.filter_sql(NULL) IS NULL AS null_row,
	   kpi.filter_sql(jsonb_populate_record(NULL::kpi.definitions, '{"name": "x"}')) IS NULL AS null_filters;

DELETE FROM kpi.definitions;
DROP TABLE funnel_daily, opportunity_events;
