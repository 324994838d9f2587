-- The SMART KPIs the catalog tests share, on the data of test/catalog_data.sql:
-- CAC and the closing rate shared by marketing and sales, marketing's leads
-- and ROMI, and sales' win rate.  Stored with kpi.enforce_smart = off; the
-- tests that include this check them.
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on) VALUES
	('cac_paid_search', 'CAC paid search', 'Sales and marketing spend per new customer won through paid search.',
	 'Anna Berg', '{marketing,sales}', 'Grow the customer base profitably', 'cac', 'customer',
	 'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}',
	 'EUR', 'lower_is_better', 245, 230, '2024-05-01', '2024-07-31'),
	('closing_rate', 'Closing rate', 'Share of sales opportunities that become new customers.', 'Carla Diaz',
	 '{marketing,sales}', 'Turn more of the pipeline into customers', 'conversion_rate', 'customer',
	 'funnel_daily', 'day', 'customers', 'opportunities', '{}', 'ratio', 'higher_is_better', 0.16, 0.18,
	 '2024-05-01', '2024-07-31'),
	('leads_weekly', 'Leads per week', 'New leads from all marketing channels per week.', 'Ben Koch',
	 '{marketing}', 'Fill the pipeline for sales', 'sum', 'lead', 'funnel_daily', 'day', 'leads', NULL, '{}',
	 'leads', 'higher_is_better', 515, 560, '2024-05-01', '2024-07-31'),
	('romi_social', 'ROMI social', 'Return on the marketing money spent on social media.', 'Ben Koch',
	 '{marketing}', 'Spend the marketing budget where it pays back', 'romi', 'revenue', 'funnel_daily', 'day',
	 'revenue', 'spend', '{"channel": "social"}', 'ratio', 'higher_is_better', 4.0, 4.4, '2024-05-01', '2024-07-31'),
	('win_rate', 'Win rate', 'Share of closed opportunities that sales won.', 'Carla Diaz', '{sales}',
	 'Close more deals', 'conversion_rate', 'customer', 'opportunity_events', 'opened_at', 'won', NULL, '{}',
	 'ratio', 'higher_is_better', 0.15, 0.2, '2024-05-01', '2024-07-31');
RESET kpi.enforce_smart;
