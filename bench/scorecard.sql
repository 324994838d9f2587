-- bench/scorecard.sql: how much the weekly scorecard costs, run by
-- bench/scorecard.sh in a throw-away cluster.
--
-- A source of 10M rows, two years of funnel facts loaded in time order
-- (about 96,000 rows a week), with the index every KPI source needs: a
-- btree on its time column.  20 KPIs on it, as a real portfolio would have
-- them: CAC, conversion rates, ROMI and ROAS, overall and per channel, and
-- a few sums and averages.  Every value is derived from hashint8extended(),
-- so every run sees the same rows.
--
-- It times, median of :rounds rounds after a warm-up, alternating:
--   measure     one kpi.measure() over one review period (the yardstick);
--   scorecard   SELECT * FROM kpi.scorecard, 20 KPIs, current and previous;
--   naive       the scorecard's 40 numbers as 40 kpi.measure() calls, for
--               comparison: what the scorecard would cost without sharing
--               one scan per source and period among its KPIs.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS kpi;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
RESET client_min_messages;

\echo '== generating 10M rows'
CREATE TABLE funnel_facts (
	id				bigint NOT NULL,
	day				date NOT NULL,
	channel			text NOT NULL,
	spend			numeric(12,2) NOT NULL,
	leads			integer NOT NULL,
	opportunities	integer NOT NULL,
	customers		integer NOT NULL,
	revenue			numeric(12,2) NOT NULL,
	won				boolean NOT NULL
);
INSERT INTO funnel_facts
SELECT id,
	   date '2024-03-04' + (id * 730 / 10000000)::integer,
	   (ARRAY['search', 'social', 'display', 'email', 'video', 'affiliate'])[1 + (h2 >> 40) % 6],
	   ((h1 % 100000) * 0.01)::numeric(12,2),
	   h2 % 20,
	   (h2 >> 8) % 6,
	   (h2 >> 16) % 3,
	   ((h3 % 500000) * 0.01)::numeric(12,2),
	   (h3 >> 32) % 10 < 3
FROM (SELECT id,
			 hashint8extended(id, 1) & 9223372036854775807 AS h1,
			 hashint8extended(id, 2) & 9223372036854775807 AS h2,
			 hashint8extended(id, 3) & 9223372036854775807 AS h3
	  FROM generate_series(0::bigint, 9999999::bigint) AS id) AS g;
-- The index the scorecard needs (README, "Weekly review").
CREATE INDEX funnel_facts_day ON funnel_facts (day);
VACUUM (ANALYZE) funnel_facts;
SELECT pg_size_pretty(pg_table_size('funnel_facts')) AS table_size,
	   pg_prewarm('funnel_facts') AS table_pages, pg_prewarm('funnel_facts_day') AS index_pages;

\echo '== defining 20 KPIs'
-- "Now" is Wednesday 2025-06-04; the KPIs started on Monday 2025-03-03, so
-- the last complete review period is [2025-05-26, 2025-06-02).
SET TimeZone = 'UTC';
SET kpi.as_of = '2025-06-04 10:00';
SET client_min_messages = error;
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, starts_on, due_on)
SELECT k.name, initcap(replace(k.name, '_', ' ')), 'A benchmark KPI over the funnel facts.', 'Bench',
	   '{marketing,sales}', 'Benchmark', k.metric, k.stage, 'funnel_facts', 'day',
	   k.num, k.den, k.filters::jsonb, 'unit', k.direction, k.baseline, k.target, '2025-03-03', '2025-08-25'
FROM (VALUES
	('cac_total',          'cac', 'customer', 'spend', 'customers', '{}', 'lower_is_better', 500, 450),
	('cac_search',         'cac', 'customer', 'spend', 'customers', '{"channel": "search"}', 'lower_is_better', 500, 450),
	('cac_social',         'cac', 'customer', 'spend', 'customers', '{"channel": "social"}', 'lower_is_better', 500, 450),
	('cac_display',        'cac', 'customer', 'spend', 'customers', '{"channel": "display"}', 'lower_is_better', 500, 450),
	('cac_email',          'cac', 'customer', 'spend', 'customers', '{"channel": "email"}', 'lower_is_better', 500, 450),
	('cac_video',          'cac', 'customer', 'spend', 'customers', '{"channel": "video"}', 'lower_is_better', 500, 450),
	('cac_affiliate',      'cac', 'customer', 'spend', 'customers', '{"channel": "affiliate"}', 'lower_is_better', 500, 450),
	('lead_to_opp',        'conversion_rate', 'lead', 'opportunities', 'leads', '{}', 'higher_is_better', 0.25, 0.3),
	('lead_to_opp_search', 'conversion_rate', 'lead', 'opportunities', 'leads', '{"channel": "search"}', 'higher_is_better', 0.25, 0.3),
	('lead_to_opp_social', 'conversion_rate', 'lead', 'opportunities', 'leads', '{"channel": "social"}', 'higher_is_better', 0.25, 0.3),
	('win_rate',           'conversion_rate', 'customer', 'won', NULL, '{}', 'higher_is_better', 0.3, 0.35),
	('romi_total',         'romi', 'revenue', 'revenue', 'spend', '{}', 'higher_is_better', 4, 5),
	('romi_search',        'romi', 'revenue', 'revenue', 'spend', '{"channel": "search"}', 'higher_is_better', 4, 5),
	('romi_social',        'romi', 'revenue', 'revenue', 'spend', '{"channel": "social"}', 'higher_is_better', 4, 5),
	('roas_total',         'roas', 'revenue', 'revenue', 'spend', '{}', 'higher_is_better', 5, 6),
	('roas_display',       'roas', 'revenue', 'revenue', 'spend', '{"channel": "display"}', 'higher_is_better', 5, 6),
	('roas_video',         'roas', 'revenue', 'revenue', 'spend', '{"channel": "video"}', 'higher_is_better', 5, 6),
	('revenue_weekly',     'sum', 'revenue', 'revenue', NULL, '{}', 'higher_is_better', 1e8, 1.1e8),
	('leads_weekly',       'sum', 'lead', 'leads', NULL, '{}', 'higher_is_better', 9e5, 1e6),
	('spend_per_row',      'average', 'customer', 'spend', NULL, '{}', 'lower_is_better', 500, 450)
) AS k(name, metric, stage, num, den, filters, direction, baseline, target);
RESET client_min_messages;
SELECT count(*) AS kpis, count(DISTINCT filters) AS filter_sets FROM kpi.definitions;

-- The scorecard agrees with kpi.measure, KPI by KPI.
SELECT count(*) FILTER (WHERE s.current IS NOT DISTINCT FROM kpi.measure(s.name, s.period_start, s.period_end))
		   AS current_as_measure,
	   count(*) AS kpis
FROM kpi.scorecard s;

CREATE FUNCTION pg_temp.elapsed_ms(query text) RETURNS double precision
	LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
BEGIN
	EXECUTE query;
	RETURN 1000 * extract(epoch FROM clock_timestamp() - started);
END
$$;

CREATE TEMP TABLE timing (kase text, round integer, ms double precision);
CREATE TEMP TABLE kase (kase text PRIMARY KEY, query text);
INSERT INTO kase VALUES
	('measure', $q$SELECT kpi.measure('cac_total', '2025-05-26', '2025-06-02')$q$),
	('scorecard', $q$SELECT * FROM kpi.scorecard$q$),
	('naive', $q$SELECT name, kpi.measure(name, '2025-05-26', '2025-06-02'), kpi.measure(name, '2025-05-19', '2025-05-26')
				 FROM kpi.definitions WHERE active$q$);

\echo '== timing:' :rounds 'rounds per case after one warm-up each, alternating'
SELECT pg_temp.elapsed_ms(query) FROM kase \g /dev/null
SELECT format('INSERT INTO timing SELECT %L, %s, pg_temp.elapsed_ms(%L)', k.kase, r, k.query)
FROM generate_series(1, :rounds) AS r, kase k ORDER BY r, k.kase \gexec

\echo '== results'
\pset footer off
SELECT kase AS "case", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
	   round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms
FROM timing GROUP BY kase ORDER BY median_ms;
SELECT round(((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timing WHERE kase = 'scorecard')
			  / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timing WHERE kase = 'measure'))::numeric, 2)
		   AS scorecard_over_measure,
	   round(((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timing WHERE kase = 'naive')
			  / (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM timing WHERE kase = 'measure'))::numeric, 2)
		   AS naive_over_measure
\gset
\echo 'scorecard / measure =' :scorecard_over_measure '   naive / measure =' :naive_over_measure
