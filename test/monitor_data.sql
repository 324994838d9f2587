-- Test data shared by the monitoring tests (sql/monitor_*.sql,
-- test/pgtap/monitor_*.sql) and the BI-driver client tests (test/clients):
-- 16 weeks of daily funnel numbers per channel, and a few sign-ups with
-- timestamps, plus the KPIs defined on them.
--
-- Weeks are numbered w = 0 .. 15 from Monday 2025-11-03.  Every KPI starts on
-- Monday 2026-01-05 (w = 9), is due on Monday 2026-03-16 (ten weeks later)
-- and is reviewed weekly.  "Now" is Wednesday 2026-02-18 in Berlin, so the
-- last complete review period is week 14, [2026-02-09, 2026-02-16), and
-- 6 of the 10 weeks have elapsed by its end: expected progress 0.6.
--
-- Paid search is designed so that its CAC in week w is exactly 50 − w from
-- the start of the plan on (36 in week 14, 37 in week 13), with a zig-zag
-- before it so that the SMART "realistic" check sees history to judge.
-- Events happen only on the Wednesday of every third week, so a KPI on
-- events has weeks without data, week 14 among them.
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';
SET kpi.as_of = '2026-02-18 10:00';

CREATE SCHEMA mon;

CREATE TABLE mon.daily (
	day				date NOT NULL,
	channel			text NOT NULL,
	spend			numeric(10,2) NOT NULL,
	leads			integer NOT NULL,
	opportunities	integer NOT NULL,
	customers		integer NOT NULL,
	PRIMARY KEY (channel, day)
);
CREATE INDEX daily_day ON mon.daily (day);

INSERT INTO mon.daily
SELECT c.day, 'search',
	   100 - 2 * c.w + CASE WHEN c.w < 9 AND c.w % 2 = 1 THEN 6 ELSE 0 END,
	   20,
	   4 + CASE WHEN c.w < 9 THEN c.w % 2 ELSE (c.w >= 10)::integer + (c.w >= 13)::integer END,
	   2
FROM (SELECT d::date AS day, (d::date - date '2025-11-03') / 7 AS w
	  FROM pg_catalog.generate_series(date '2025-11-03', date '2026-02-22', interval '1 day') AS d) AS c
UNION ALL
SELECT d::date, 'social', 60, 10, 3, 1
FROM pg_catalog.generate_series(date '2025-11-03', date '2026-02-22', interval '1 day') AS d
UNION ALL
SELECT date '2025-11-03' + 7 * w + 2, 'events', 500, 50, 10, 3
FROM pg_catalog.generate_series(0, 15, 3) AS w;

-- Sign-ups stamped in UTC; which review period each falls in depends on the
-- session's time zone.  In Berlin week 14 holds the first three (1 of 3
-- converted); in UTC it holds the last three (2 of 3).
CREATE TABLE mon.signups (
	at			timestamptz NOT NULL,
	converted	boolean NOT NULL
);
CREATE INDEX signups_at ON mon.signups (at);
INSERT INTO mon.signups VALUES
	('2026-02-08 23:30+00', false),		-- Berlin: Monday 2026-02-09 00:30
	('2026-02-10 12:00+00', true),
	('2026-02-12 12:00+00', false),
	('2026-02-15 23:30+00', true);		-- Berlin: Monday 2026-02-16 00:30

-- The catalog warns about every KPI that is not SMART; the tests look at
-- the verdicts instead.
SET client_min_messages = error;
-- Every KPI starts on 2026-01-05 and is due on 2026-03-16.  The paid search
-- CAC is defined three times, with targets that put it on track, at risk
-- and off track in week 14.
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, active,
	 starts_on, due_on)
SELECT k.*, date '2026-01-05', date '2026-03-16'
FROM (SELECT 'mon_cac_' || t.level, t.title, 'Spend per new customer from paid search.', 'Jana',
			 '{marketing,sales}'::text[], 'Grow profitably', 'cac', 'customer', 'mon.daily', 'day',
			 'spend', 'customers', '{"channel": "search"}'::jsonb, 'EUR', 'lower_is_better', 46, t.target, true
	  FROM (VALUES ('on', 'CAC paid search', 30), ('risk', 'CAC paid search, stretch', 27),
				   ('off', 'CAC paid search, moonshot', 20)) AS t(level, title, target)
	  UNION ALL VALUES
	('mon_cac_all', 'CAC, all channels', 'Spend per new customer over all channels.', 'Jana',
	 '{marketing,sales}'::text[], 'Grow profitably', 'cac', 'customer', 'mon.daily', 'day',
	 'spend', 'customers', '{}'::jsonb, 'EUR', 'lower_is_better', 60, 40, true),
	('mon_conv', 'Lead to opportunity, paid search', 'Share of paid search leads that become opportunities.', 'Tom',
	 '{marketing}', 'Better leads', 'conversion_rate', 'lead', 'mon.daily', 'day',
	 'opportunities', 'leads', '{"channel": "search"}', 'ratio', 'higher_is_better', 0.2, 0.35, true),
	('mon_events_leads', 'Event leads', 'Leads collected at events each week.', 'Tom',
	 '{marketing}', 'More leads', 'sum', 'lead', 'mon.daily', 'day',
	 'leads', NULL, '{"channel": "events"}', 'leads', 'higher_is_better', 40, 80, true),
	('mon_signup_rate', 'Sign-up conversion', 'Share of sign-ups that convert to customers.', 'Tom',
	 '{sales}', 'More customers', 'conversion_rate', 'customer', 'mon.signups', 'at',
	 'converted', NULL, '{}', 'ratio', 'higher_is_better', 0.2, 0.6, true),
	('mon_unplanned', 'Spend', 'Total spend over all channels.', 'Jana',
	 '{marketing}', NULL, 'sum', NULL, 'mon.daily', 'day',
	 'spend', NULL, '{}', 'EUR', NULL, NULL, NULL, true),
	('mon_inactive', 'Retired', 'A KPI the team no longer follows.', 'Jana',
	 '{marketing}', NULL, 'sum', NULL, 'mon.daily', 'day',
	 'leads', NULL, '{}', 'leads', 'higher_is_better', 1, 2, false)) AS k;
RESET client_min_messages;
