-- kpi.audit(): the portfolio mistakes (too many KPIs, sales and marketing not
-- aligned, KPIs that are not SMART) and redundancy, found and then fixed.
-- The stale kind comes from the monitoring part (kpi.audit_stale), tested
-- there; here it is only checked to come through, and left out elsewhere.
\set SHOW_CONTEXT never
\i test/catalog_data.sql
SET kpi.enforce_smart = off;

-- The team's first list: everything marketing could think of, nothing
-- shared with sales, and no closing rate.
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on) VALUES
	('leads_weekly', 'Leads per week', 'New leads from all marketing channels per week.', 'Ben Koch',
	 '{marketing}', 'Fill the pipeline for sales', 'sum', 'lead', 'funnel_daily', 'day', 'leads', NULL, '{}',
	 'leads', 'higher_is_better', 515, 560, '2024-05-01', '2024-07-31'),
	('lead_volume', 'Lead volume', 'The number of leads that marketing generated.', 'Ben Koch',
	 '{marketing}', 'Fill the pipeline for sales', 'sum', 'lead', 'funnel_daily', 'day', 'leads', NULL, '{}',
	 'leads', 'higher_is_better', 515, 560, '2024-05-01', '2024-07-31'),
	('cac_paid_search', 'CAC paid search', 'Sales and marketing spend per new customer won through paid search.',
	 'Anna Berg', '{marketing}', 'Grow the customer base profitably', 'cac', 'customer',
	 'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}',
	 'EUR', 'lower_is_better', 245, 230, '2024-05-01', '2024-07-31'),
	('romi_social', 'ROMI social', 'Return on the marketing money spent on social media.', 'Ben Koch',
	 '{marketing}', 'Spend the marketing budget where it pays back', 'romi', 'revenue', 'funnel_daily', 'day',
	 'revenue', 'spend', '{"channel": "social"}', 'ratio', 'higher_is_better', 4.0, 4.4, '2024-05-01', '2024-07-31'),
	('spend_social', 'Social spend', 'Money spent on social media campaigns per week.', 'Ben Koch',
	 '{marketing}', 'Keep the social budget under control', 'sum', NULL, 'funnel_daily', 'day', 'spend', NULL,
	 '{"channel": "social"}', 'EUR', 'lower_is_better', 1300, 1200, '2024-05-01', '2024-07-31'),
	('daily_spend_social', 'Daily social spend', 'Average money spent on social media per day.', 'Ben Koch',
	 '{marketing}', 'Keep the social budget under control', 'average', NULL, 'funnel_daily', 'day', 'spend', NULL,
	 '{"channel": "social"}', 'EUR', 'lower_is_better', 190, 175, '2024-05-01', '2024-07-31'),
	('leads_tiktok', 'TikTok leads', NULL, NULL, '{marketing}', NULL, 'sum', 'lead', 'funnel_daily', 'day', 'leads',
	 NULL, '{"channel": "tiktok"}', NULL, 'higher_is_better', 100, 90, '2024-07-01', '2024-07-10'),
	('opportunity_rate', 'Opportunity rate', 'Share of leads that sales accepts as opportunities.', 'Carla Diaz',
	 '{sales}', 'Turn more of the pipeline into customers', 'conversion_rate', 'opportunity', 'funnel_daily', 'day',
	 'opportunities', 'leads', '{}', 'ratio', 'higher_is_better', 0.33, 0.36, '2024-05-01', '2024-07-31'),
	('old_newsletter_opens', 'Newsletter opens', 'Opens of the monthly newsletter, no longer tracked.', 'Ben Koch',
	 '{marketing}', 'None any more', 'count', NULL, 'funnel_daily', 'day', NULL, NULL, '{}',
	 'opens', 'higher_is_better', 1, 2, '2024-01-01', '2024-03-31');
UPDATE kpi.definitions SET active = false WHERE name = 'old_newsletter_opens';

\pset format unaligned
SELECT * FROM kpi.audit() WHERE kind <> 'stale';
\pset format aligned
-- No review recorded: the monitoring part's stale findings come through unchanged.
SELECT count(*) > 0 AS has_stale,
	   count(*) = (SELECT count(*) FROM kpi.audit_stale()) AS all_stale_rows,
	   NOT EXISTS (SELECT * FROM kpi.audit() WHERE kind = 'stale'
				   EXCEPT SELECT * FROM kpi.audit_stale()) AS same_rows
FROM kpi.audit() WHERE kind = 'stale';

-- The same findings in plain SQL.  too_many: active KPIs per team, against 5.
SELECT team, count(*) AS active_kpis
FROM kpi.definitions, unnest(teams) AS team
WHERE active GROUP BY team ORDER BY team;
-- redundant: the weekly social spend and the average daily social spend over
-- the 12 weeks before Monday 2024-07-01 move together.
SELECT round(corr(week_sum, week_avg)::numeric, 3) AS r, count(*) AS weeks
FROM (SELECT date_trunc('week', day) AS week, sum(spend) AS week_sum, avg(spend) AS week_avg
	  FROM funnel_daily
	  WHERE channel = 'social' AND day >= '2024-04-08' AND day < '2024-07-01'
	  GROUP BY 1) AS weekly;
-- ...while spend and ROMI on social do not.
SELECT abs(corr(week_sum, week_romi)) < 0.95 AS romi_not_redundant
FROM (SELECT date_trunc('week', day), sum(spend) AS week_sum, (sum(revenue) - sum(spend)) / sum(spend) AS week_romi
	  FROM funnel_daily
	  WHERE channel = 'social' AND day >= '2024-04-08' AND day < '2024-07-01'
	  GROUP BY 1) AS weekly;

-- The limit is a setting.
SET kpi.max_active_kpis = 8;
SELECT kind, kpis FROM kpi.audit() WHERE kind = 'too_many';
SET kpi.max_active_kpis = 3;
SELECT kind, kpis FROM kpi.audit() WHERE kind = 'too_many';
RESET kpi.max_active_kpis;

-- In German.
SET kpi.language = 'de';
\pset format unaligned
SELECT * FROM kpi.audit() WHERE kind IN ('too_many', 'not_aligned', 'not_smart');
\pset format aligned
RESET kpi.language;

-- After the joint meeting: four shared KPIs, the rest retired.
UPDATE kpi.definitions SET active = false
WHERE name IN ('lead_volume', 'spend_social', 'daily_spend_social', 'leads_tiktok', 'opportunity_rate');
UPDATE kpi.definitions SET teams = '{marketing,sales}' WHERE name = 'cac_paid_search';
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on) VALUES
	('closing_rate', 'Closing rate', 'Share of sales opportunities that become new customers.', 'Carla Diaz',
	 '{marketing,sales}', 'Turn more of the pipeline into customers', 'conversion_rate', 'customer',
	 'funnel_daily', 'day', 'customers', 'opportunities', '{}', 'ratio', 'higher_is_better', 0.16, 0.18,
	 '2024-05-01', '2024-07-31');
SELECT name, teams, stage, metric, smart FROM kpi.smart_report JOIN kpi.definitions USING (name, active)
WHERE active ORDER BY name;
SELECT count(*) AS findings FROM kpi.audit() WHERE kind <> 'stale';

-- Each alignment rule on its own.
UPDATE kpi.definitions SET teams = '{Marketing,Vertrieb}' WHERE name = 'closing_rate';
UPDATE kpi.definitions SET teams = '{marketing}' WHERE name = 'cac_paid_search';
SELECT kind, kpis FROM kpi.audit() WHERE kind <> 'stale';
UPDATE kpi.definitions SET teams = '{marketing}' WHERE name = 'closing_rate';
SELECT kind, kpis, left(detail, 60) AS detail FROM kpi.audit() WHERE kind <> 'stale';
UPDATE kpi.definitions SET teams = '{marketing,sales}', stage = 'opportunity' WHERE name = 'closing_rate';
SELECT kind, kpis, left(detail, 60) AS detail FROM kpi.audit() WHERE kind <> 'stale';
UPDATE kpi.definitions SET stage = 'customer' WHERE name = 'closing_rate';
UPDATE kpi.definitions SET active = false WHERE name = 'leads_weekly';
SELECT kind, kpis, left(detail, 60) AS detail FROM kpi.audit() WHERE kind <> 'stale';

-- An empty catalog lacks everything but has nothing too many.
DELETE FROM kpi.definitions;
SELECT kind, kpis, left(detail, 60) AS detail FROM kpi.audit() WHERE kind <> 'stale';

DROP TABLE funnel_daily, opportunity_events;
