-- The database the BI-driver client tests (jdbc.sh, psycopg2.sh) read: a
-- small shop with five months of daily numbers per channel, and three KPIs.
-- Events only happen every other week, so a KPI on events has empty weeks.
-- The clients pin "now" themselves: SET kpi.as_of = '2026-03-04 12:00' in
-- Europe/Berlin, which makes [2026-02-23, 2026-03-02) the last complete week.
\set ON_ERROR_STOP on
SET client_min_messages = error;
CREATE EXTENSION kpi;
SET TimeZone = 'Europe/Berlin';
SET kpi.as_of = '2026-03-04 12:00';

CREATE SCHEMA shop;
CREATE TABLE shop.daily (
	day			date NOT NULL,
	channel		text NOT NULL,
	spend		numeric(10,2) NOT NULL,
	leads		integer NOT NULL,
	customers	integer NOT NULL,
	PRIMARY KEY (channel, day)
);
CREATE INDEX daily_day ON shop.daily (day);
INSERT INTO shop.daily
SELECT d::date, c.channel,
	   c.spend + (extract(doy FROM d)::integer * 37 % 23) * 1.25,
	   c.leads + extract(doy FROM d)::integer % 7,
	   c.customers + extract(doy FROM d)::integer % 3
FROM pg_catalog.generate_series(date '2025-10-06', date '2026-03-08', interval '1 day') AS d,
	 (VALUES ('search', 180.00, 20, 1), ('social', 90.00, 12, 0), ('events', 700.00, 60, 2))
		AS c(channel, spend, leads, customers)
WHERE c.channel <> 'events' OR ((d::date - date '2025-10-06') / 7) % 2 = 0;

INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, starts_on, due_on)
VALUES
	('cac_total', 'Customer acquisition cost', 'Spend per new customer over all channels.', 'Jana',
	 '{marketing,sales}', 'Grow profitably', 'cac', 'customer', 'shop.daily', 'day',
	 'spend', 'customers', '{}', 'EUR', 'lower_is_better', 120, 90, '2026-01-05', '2026-06-29'),
	('lead_to_customer', 'Lead to customer', 'Share of leads that become customers.', 'Tom',
	 '{sales}', 'Close more', 'conversion_rate', 'customer', 'shop.daily', 'day',
	 'customers', 'leads', '{}', 'ratio', 'higher_is_better', 0.05, 0.08, '2026-01-05', '2026-06-29'),
	('event_leads', 'Event leads', 'Leads collected at events each week.', 'Tom',
	 '{marketing}', 'More leads', 'sum', 'lead', 'shop.daily', 'day',
	 'leads', NULL, '{"channel": "events"}', 'leads', 'higher_is_better', 400, 500, '2026-01-05', '2026-06-29');
