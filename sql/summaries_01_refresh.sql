-- Incremental summaries (issue 13): creating, filling, change tracking by
-- INSERT, UPDATE, DELETE, COPY and TRUNCATE, and refreshing only the touched
-- buckets.  After every change the summary is compared with a plain-SQL
-- GROUP BY over the source (sums and counts, no kpi code).  Cleans up.
\set SHOW_CONTEXT never
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';
CREATE SCHEMA summ;

-- Ad events: spend and customers (decimal pairs), a conversion flag, revenue
-- as double precision, a channel with NULLs, some rows without a time.
CREATE TABLE summ.events (
	id			serial PRIMARY KEY,
	at			timestamptz,
	channel		text,
	spend		numeric(12,2),
	customers	integer,
	converted	boolean,
	revenue		double precision
);
CREATE INDEX ON summ.events (at);
INSERT INTO summ.events (at, channel, spend, customers, converted, revenue)
SELECT CASE WHEN i % 211 = 0 THEN NULL ELSE '2026-01-01'::timestamptz + i * interval '37 minutes' END,
	   (ARRAY['ads', 'seo', NULL])[1 + i % 3],
	   CASE WHEN i % 13 = 0 THEN NULL ELSE (i % 97) * 1.25 END,
	   CASE WHEN i % 17 = 0 THEN NULL ELSE i % 3 END,
	   CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END,
	   i * 0.1
FROM generate_series(1, 3000) AS i;

-- The plain-SQL truth: daily buckets from Monday 2000-01-03, midnight Berlin.
CREATE VIEW summ.expected AS
SELECT date_bin('1 day', at, '2000-01-03 00:00+01') AS bucket_start, channel, count(*) AS row_count,
	   sum(spend) FILTER (WHERE customers IS NOT NULL) AS spend_sum,
	   sum(customers) FILTER (WHERE spend IS NOT NULL) AS customers_sum,
	   count(*) FILTER (WHERE spend IS NOT NULL AND customers IS NOT NULL) AS pairs,
	   count(*) FILTER (WHERE converted) AS converted_true, count(converted) AS converted_known,
	   sum(revenue) AS revenue_sum, count(revenue) AS revenue_known
FROM summ.events WHERE at IS NOT NULL
GROUP BY 1, 2;

SELECT kpi.create_summary('summ.events', 'at', '1 day', '{channel}', '{spend/customers,converted,revenue}');
\d summ.events_kpi_1d
SELECT summary, changes, source, time_column, bucket, bucket_type, group_by, numerators, denominators, ratio_columns,
	   refreshed_at = created_at AS filled_at_creation
FROM kpi.summaries WHERE source = 'summ.events'::regclass;
SELECT count(*) AS buckets_and_groups, (SELECT count(*) FROM summ.expected) AS expected FROM summ.events_kpi_1d;
-- Rows of the summary that differ from the truth, or are missing on one side:
-- exact for the decimal pair and the boolean, 1e-12 relative for the floats.
-- A kpi.ratio column is NULL where a bucket and group has no complete pair.
CREATE VIEW summ.differences AS
SELECT coalesce(e.bucket_start, s.bucket_start) AS bucket_start, coalesce(e.channel, s.channel) AS channel
FROM summ.expected e
FULL JOIN summ.events_kpi_1d s ON s.bucket_start = e.bucket_start AND s.channel IS NOT DISTINCT FROM e.channel
WHERE e.bucket_start IS NULL OR s.bucket_start IS NULL
   OR s.row_count <> e.row_count
   OR coalesce(kpi.numerator(s.spend_per_customers), 0) <> coalesce(e.spend_sum, 0)
   OR coalesce(kpi.denominator(s.spend_per_customers), 0) <> coalesce(e.customers_sum, 0)
   OR coalesce(kpi.n(s.spend_per_customers), 0) <> e.pairs
   OR coalesce(kpi.numerator(s.converted), 0) <> e.converted_true OR coalesce(kpi.denominator(s.converted), 0) <> e.converted_known
   OR coalesce(kpi.n(s.revenue), 0) <> e.revenue_known
   OR abs(coalesce(kpi.numerator(s.revenue), 0) - coalesce(e.revenue_sum, 0)::numeric) > 1e-12 * (1 + abs(e.revenue_sum::numeric));

SELECT count(*) AS differences FROM summ.differences;

-- INSERT into an old bucket and a new one; only those two are recomputed.
-- An untouched bucket is left alone: a row of it altered by hand stays so.
UPDATE summ.events_kpi_1d SET row_count = -1 WHERE bucket_start = '2026-01-20' AND channel = 'ads';
INSERT INTO summ.events (at, channel, spend, customers, converted, revenue) VALUES
	('2026-01-02 10:00', 'ads', 5, 1, true, 1.5),
	('2026-01-02 11:00', 'new', 7, 2, false, 2.5),
	('2026-03-15 23:30', 'ads', 8, 1, NULL, NULL);
SELECT bucket_start FROM summ.events_kpi_1d_changes ORDER BY 1;
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed;
SELECT count(*) FROM summ.events_kpi_1d_changes AS left_in_log;
SELECT bucket_start, channel FROM summ.differences ORDER BY 1, 2;
UPDATE summ.events_kpi_1d s SET row_count = e.row_count
FROM summ.expected e WHERE s.bucket_start = '2026-01-20' AND s.channel = 'ads' AND e.bucket_start = s.bucket_start AND e.channel = s.channel;
SELECT count(*) AS differences FROM summ.differences;
-- Nothing changed: nothing recomputed.
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed;

-- UPDATE moves rows across buckets and groups, and changes values; DELETE
-- empties a group; rows lose and gain their time.
UPDATE summ.events SET at = at + interval '3 days 5 hours', channel = 'seo' WHERE id % 50 = 1;
UPDATE summ.events SET spend = spend * 3, customers = NULL WHERE id % 41 = 2;
UPDATE summ.events SET at = NULL WHERE id % 97 = 3;
UPDATE summ.events SET at = '2026-02-01 12:00' WHERE at IS NULL AND id % 2 = 0;
DELETE FROM summ.events WHERE channel = 'new';
DELETE FROM summ.events WHERE at >= '2026-01-10' AND at < '2026-01-11' AND channel = 'seo';
SELECT count(*) > 0 AS marked FROM summ.events_kpi_1d_changes;
SELECT kpi.refresh_summary('summ.events_kpi_1d') > 0 AS recomputed;
SELECT count(*) AS differences FROM summ.differences;
SELECT count(*) AS empty_group FROM summ.events_kpi_1d WHERE bucket_start = '2026-01-10' AND channel = 'seo';

-- COPY, and an upsert (INSERT … ON CONFLICT DO UPDATE fires both triggers).
COPY summ.events (id, at, channel, spend, customers, converted, revenue) FROM stdin;
90001	2026-01-05 08:00:00+01	ads	10.50	2	t	3.25
90002	2026-04-01 09:00:00+02	\N	1.00	1	f	\N
90003	\N	ads	2.00	1	t	1
\.
INSERT INTO summ.events (id, at, channel, spend, customers) VALUES (90002, '2026-01-06 09:00', 'ads', 4, 1), (90004, '2026-01-06 10:00', 'seo', 4, 0)
ON CONFLICT (id) DO UPDATE SET at = excluded.at, channel = excluded.channel, spend = excluded.spend;
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed;
SELECT count(*) AS differences FROM summ.differences;

-- Several statements in one transaction, rolled back: the marks roll back
-- with the rows.
BEGIN;
INSERT INTO summ.events (at, channel, spend, customers) VALUES ('2026-01-07 10:00', 'ads', 1, 1);
DELETE FROM summ.events WHERE id = 90001;
ROLLBACK;
SELECT count(*) AS marks FROM summ.events_kpi_1d_changes;

-- A refresh inside the writing transaction sees its own rows.
BEGIN;
INSERT INTO summ.events (at, channel, spend, customers) VALUES ('2026-01-08 10:00', 'seo', 3, 1);
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed;
SELECT count(*) AS differences FROM summ.differences;
COMMIT;
SELECT count(*) AS differences FROM summ.differences;

-- TRUNCATE: the next refresh rebuilds the summary from what is there then.
TRUNCATE summ.events;
SELECT count(*) AS marks, bool_and(bucket_start IS NULL) AS everything FROM summ.events_kpi_1d_changes;
INSERT INTO summ.events (at, channel, spend, customers, converted, revenue)
SELECT '2026-02-01'::timestamptz + i * interval '5 hours', (ARRAY['ads', 'seo'])[1 + i % 2], i, 1, i % 3 = 0, i / 3.0
FROM generate_series(1, 100) AS i;
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed, (SELECT count(DISTINCT bucket_start) FROM summ.expected) AS days;
SELECT count(*) AS differences FROM summ.differences;
TRUNCATE summ.events;
SELECT kpi.refresh_summary('summ.events_kpi_1d') AS recomputed;
SELECT count(*) AS summary_rows FROM summ.events_kpi_1d;

-- refresh_summaries refreshes every summary.
INSERT INTO summ.events (at, channel, spend, customers) VALUES ('2026-01-08 10:00', 'seo', 3, 1);
SELECT * FROM kpi.refresh_summaries() WHERE summary::text LIKE 'summ.%';
SELECT count(*) AS differences FROM summ.differences;

------------------------------------------------------------------------------
-- A date column, weekly buckets, and the groups and pairs taken from the
-- catalog's KPIs on the source.
------------------------------------------------------------------------------
CREATE TABLE summ.daily (day date NOT NULL, channel text NOT NULL, region text, spend numeric(10,2),
						 customers integer, leads bigint, won boolean);
INSERT INTO summ.daily
SELECT '2026-01-01'::date + d, c, CASE WHEN d % 4 = 0 THEN 'north' END, 100 + d % 7 + c_i * 0.5, (d + c_i) % 4, d * 3 + c_i, d % 3 = c_i
FROM generate_series(0, 59) AS d, unnest(ARRAY['ads', 'seo', 'social']) WITH ORDINALITY AS ch(c, c_i);
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters) VALUES
	('summ_cac_ads', 'cac', 'summ.daily', 'day', 'spend', 'customers', '{"channel": "ads"}'),
	('summ_leads', 'sum', 'summ.daily', 'day', 'leads', NULL, '{"region": "north"}'),
	('summ_won', 'conversion_rate', 'summ.daily', 'day', 'won', NULL, '{}'),
	('summ_rows', 'count', 'summ.daily', 'day', NULL, NULL, '{}'),
	-- broken: left out of the summary, with a notice
	('summ_broken', 'sum', 'summ.daily', 'day', 'no_such_column', NULL, '{}');
RESET kpi.enforce_smart;
SELECT kpi.create_summary('summ.daily', 'day', '7 days');
SELECT group_by, numerators, denominators, ratio_columns, bucket_type FROM kpi.summary('summ.daily_kpi_7d');
-- Weeks start on Mondays; compared with a plain GROUP BY on the ISO week.
CREATE VIEW summ.weekly_differences AS
SELECT coalesce(e.week, s.bucket_start) AS week
FROM (SELECT date_trunc('week', day)::timestamp AS week, channel, region, count(*) AS n,
			 sum(spend) FILTER (WHERE customers IS NOT NULL) AS spend, sum(customers) FILTER (WHERE spend IS NOT NULL) AS customers,
			 sum(leads) AS leads, count(*) FILTER (WHERE won) AS won, count(won) AS won_known
	  FROM summ.daily GROUP BY 1, 2, 3) AS e
FULL JOIN summ.daily_kpi_7d s ON s.bucket_start = e.week AND s.channel = e.channel AND s.region IS NOT DISTINCT FROM e.region
WHERE e.week IS NULL OR s.bucket_start IS NULL OR s.row_count <> e.n
   OR kpi.numerator(s.spend_per_customers) <> e.spend OR kpi.denominator(s.spend_per_customers) <> e.customers
   OR kpi.numerator(s.leads) <> e.leads OR kpi.numerator(s.won) <> e.won OR kpi.denominator(s.won) <> e.won_known;
SELECT count(*) AS differences FROM summ.weekly_differences;
UPDATE summ.daily SET spend = spend + 1, region = 'south' WHERE day BETWEEN '2026-01-12' AND '2026-01-14' AND channel = 'seo';
DELETE FROM summ.daily WHERE day = '2026-02-20';
SELECT bucket_start FROM summ.daily_kpi_7d_changes ORDER BY 1;
SELECT kpi.refresh_summary('summ.daily_kpi_7d') AS recomputed;
SELECT count(*) AS differences FROM summ.weekly_differences;
-- A monthly view of the weekly summary is a kpi.rollup of its rows.
-- (A week belongs to the month it starts in.)
SELECT m.month, m.cac = (SELECT (sum(spend) / sum(customers)::numeric)::float8 FROM summ.daily
						 WHERE date_trunc('month', date_trunc('week', day)) = m.month AND channel = 'ads') AS same
FROM (SELECT date_trunc('month', bucket_start) AS month, kpi.value(kpi.rollup(spend_per_customers)) AS cac
	  FROM summ.daily_kpi_7d WHERE channel = 'ads' GROUP BY 1) AS m
ORDER BY 1;

------------------------------------------------------------------------------
-- Errors.
------------------------------------------------------------------------------
CREATE VIEW summ.events_view AS SELECT * FROM summ.events;
SELECT kpi.create_summary('summ.events_view', 'at', '1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'nope', '1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'channel', '1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 month');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '-1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 hour', '{nope}');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 hour', '{}', '{spend/channel}');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 hour', '{}', '{spend/nope}');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 day');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.create_summary('summ.events', 'at', '1 hour', summary_name => repeat('x', 60));
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.refresh_summary('summ.events');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.drop_summary('summ.events');
\echo :LAST_ERROR_SQLSTATE

-- Dropping a summary removes its triggers, log and catalog row.
DROP VIEW summ.differences, summ.weekly_differences;
SELECT kpi.drop_summary('summ.events_kpi_1d');
SELECT kpi.drop_summary('summ.daily_kpi_7d');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid IN ('summ.events'::regclass, 'summ.daily'::regclass);
SELECT count(*) AS summaries FROM kpi.summaries WHERE source IN ('summ.events'::regclass, 'summ.daily'::regclass);
SELECT relname FROM pg_class WHERE relnamespace = 'summ'::regnamespace AND relkind = 'r' ORDER BY 1;

DELETE FROM kpi.definitions WHERE name LIKE 'summ\_%';
DROP SCHEMA summ CASCADE;
