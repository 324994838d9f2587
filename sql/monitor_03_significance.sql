-- Is the change real, or noise?  The scorecard's p_value and
-- significant_change, and compare_periods' p_value and significant, each
-- recomputed from the raw rows in plain SQL.  Data: test/monitor_data.sql
-- (week 14, [2026-02-09, 2026-02-16), against week 13), plus two KPIs built
-- to be clearly significant and clearly noise.
\set SHOW_CONTEXT never
\i test/monitor_data.sql

CREATE SCHEMA sig;
-- 2,000 leads in each week: 10 % convert in week 13, 20 % in week 14 (a
-- real change); and 200 leads, 10 % against 11 % (noise).
CREATE TABLE sig.leads (at timestamptz NOT NULL, campaign text NOT NULL, converted boolean NOT NULL);
INSERT INTO sig.leads
SELECT timestamptz '2026-02-02 08:00+01' + (w * 7 + i % 7) * interval '1 day', 'big',
	   i % 100 < CASE w WHEN 0 THEN 10 ELSE 20 END
FROM generate_series(0, 1) AS w, generate_series(0, 1999) AS i
UNION ALL
SELECT timestamptz '2026-02-02 08:00+01' + (w * 7 + i % 7) * interval '1 day', 'small',
	   i % 100 < CASE w WHEN 0 THEN 10 ELSE 11 END
FROM generate_series(0, 1) AS w, generate_series(0, 199) AS i;
-- Daily revenue and spend, and five deals a day (for ROMI and an average):
-- revenue grows by a third in week 14, deal sizes by 2 %.
CREATE TABLE sig.daily (day date NOT NULL, revenue numeric NOT NULL, spend numeric NOT NULL);
INSERT INTO sig.daily
SELECT date '2026-02-02' + i, 900 + (i * 37 % 11) * 20 + CASE WHEN i >= 7 THEN 300 ELSE 0 END, 300 + (i * 13 % 5) * 10
FROM generate_series(0, 13) AS i;
CREATE TABLE sig.deals (closed date NOT NULL, size numeric);
INSERT INTO sig.deals
SELECT date '2026-02-02' + i / 5, round(1000 * (1 + (i * 7919 % 101) / 100.0) * CASE WHEN i >= 35 THEN 1.02 ELSE 1 END, 2)
FROM generate_series(0, 69) AS i;
INSERT INTO sig.deals VALUES ('2026-02-10', NULL);	-- skipped, as by avg()
SET client_min_messages = error;
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, active,
	 starts_on, due_on)
VALUES
	('sig_romi', 'ROMI', 'Return on marketing investment per day.', 'Jana', '{marketing}', 'Grow profitably',
	 'romi', 'customer', 'sig.daily', 'day', 'revenue', 'spend', '{}', 'ratio', 'higher_is_better', 1.5, 3,
	 true, '2026-01-05', '2026-03-16'),
	('sig_deal_size', 'Deal size', 'Average size of a closed deal.', 'Tom', '{sales}', 'Bigger deals',
	 'average', 'customer', 'sig.deals', 'closed', 'size', NULL, '{}', 'EUR', 'higher_is_better', 1400, 1600,
	 true, '2026-01-05', '2026-03-16');
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, active,
	 starts_on, due_on)
SELECT 'sig_' || c, 'Lead conversion, ' || c, 'Share of leads that convert.', 'Tom', '{marketing,sales}',
	   'More customers', 'conversion_rate', 'customer', 'sig.leads', 'at', 'converted', NULL,
	   jsonb_build_object('campaign', c), 'ratio', 'higher_is_better', 0.1, 0.3, true,
	   date '2026-01-05', date '2026-03-16'
FROM unnest(ARRAY['big', 'small']) AS c;
RESET client_min_messages;

-- 1. The scorecard against plain SQL.  For every KPI: the delta-method z of
-- the change, each row one unit, from var_samp and covar_samp over the rows
-- of each week (Var R = (s_xx − 2R s_xy + R² s_yy) / (n ȳ²)); and the
-- p-value kpi.compare gives for kpi.ratio_agg summaries of the same rows
-- (statistics.sql checks kpi.compare's p-values against scipy).
CREATE TEMP TABLE unit_rows AS
SELECT 'mon_cac_all' AS name, day::timestamptz AS at, spend::float8 AS x, customers::float8 AS y FROM mon.daily
UNION ALL SELECT 'mon_cac_on', day, spend, customers FROM mon.daily WHERE channel = 'search'
UNION ALL SELECT 'mon_conv', day, opportunities, leads FROM mon.daily WHERE channel = 'search'
UNION ALL SELECT 'mon_signup_rate', at, converted::integer, 1 FROM mon.signups
UNION ALL SELECT 'sig_big', at, converted::integer, 1 FROM sig.leads WHERE campaign = 'big'
UNION ALL SELECT 'sig_small', at, converted::integer, 1 FROM sig.leads WHERE campaign = 'small'
UNION ALL SELECT 'sig_romi', day, revenue, spend FROM sig.daily
UNION ALL SELECT 'sig_deal_size', closed, size, 1 FROM sig.deals WHERE size IS NOT NULL;
CREATE TEMP VIEW plain AS
WITH weekly AS (
	SELECT name, at >= timestamptz '2026-02-09 00:00+01' AS current,
		   count(*) AS n, sum(x) / sum(y) AS r, avg(y) AS ybar,
		   var_samp(x) AS vxx, var_samp(y) AS vyy, covar_samp(x, y) AS vxy,
		   kpi.ratio_agg(x, y) AS state
	FROM unit_rows
	WHERE at >= timestamptz '2026-02-02 00:00+01' AND at < timestamptz '2026-02-16 00:00+01'
	GROUP BY 1, 2
), variance AS (
	SELECT *, (vxx - 2 * r * vxy + r * r * vyy) / (n * ybar * ybar) AS var FROM weekly
)
-- (no variance and no change: z = 0, as kpi.compare defines it)
SELECT c.name, CASE WHEN c.r = p.r THEN 0 ELSE (c.r - p.r) / NULLIF(sqrt(c.var + p.var), 0) END AS z,
	   (kpi.compare(c.state, p.state)).z AS compare_z, (kpi.compare(c.state, p.state)).p_value AS compare_p
FROM variance c JOIN variance p ON p.name = c.name AND NOT p.current
WHERE c.current;

-- Noise-free weeks (paid search spends the same every day of a week) have
-- no variance to test against: NULL.  sum KPIs are totals, not estimates
-- from a sample: NULL.
SELECT s.name, s.metric, round(s.change::numeric, 4) AS change,
	   round(p.z::numeric, 6) AS plain_z,
	   p.z IS NOT DISTINCT FROM p.compare_z OR abs(p.z - p.compare_z) < 1e-9 * greatest(1, abs(p.z)) AS z_ok,
	   -- (to rounding: the plain summaries here sum float8, kpi's numeric)
	   s.p_value IS NOT DISTINCT FROM p.compare_p OR abs(s.p_value - p.compare_p) <= 1e-9 AS p_ok,
	   round(s.p_value::numeric, 6) AS p_value, s.significant_change
FROM kpi.scorecard s LEFT JOIN plain p USING (name)
WHERE s.name LIKE 'mon\_%' OR s.name LIKE 'sig\_%'
ORDER BY s.name;

-- Read with their summaries, the values are exactly those read without
-- (a ratio KPI's value is then kpi.value of the summary, its aggregate's own
-- final function).
SELECT count(*) AS values_compared,
	   count(*) FILTER (WHERE w.value IS DISTINCT FROM o.value) AS differences,
	   count(*) FILTER (WHERE w.state IS NOT NULL) AS with_state
FROM kpi.measure_sources(ARRAY(SELECT name FROM kpi.definitions WHERE name ~ '^(mon|sig)_'),
						 '{2026-01-05,2026-01-19,2026-02-02,2026-02-09,2026-02-16}', true) AS w
JOIN kpi.measure_sources(ARRAY(SELECT name FROM kpi.definitions WHERE name ~ '^(mon|sig)_'),
						 '{2026-01-05,2026-01-19,2026-02-02,2026-02-09,2026-02-16}') AS o USING (name, period_start);

-- significant_change is p_value < 0.05.
SELECT count(*) AS rows_with_p,
	   bool_and(significant_change = (p_value < 0.05)) AS threshold_ok
FROM kpi.scorecard WHERE p_value IS NOT NULL;

-- 2. The same answers from a summary of the sources: the summary keeps the
-- very kpi.ratio_agg of each pair, so the p-values equal those from the raw
-- rows (to rounding of the moments).
CREATE TEMP TABLE raw_answer AS SELECT name, p_value, significant_change FROM kpi.scorecard;
SELECT kpi.create_summary('mon.daily', 'day', '1 day', '{channel}') IS NOT NULL AS daily_summary,
	   kpi.create_summary('sig.leads', 'at', '1 day', '{campaign}') IS NOT NULL AS leads_summary,
	   kpi.create_summary('sig.daily', 'day', '1 day') IS NOT NULL AS money_summary,
	   kpi.create_summary('sig.deals', 'closed', '1 day') IS NOT NULL AS deals_summary;
BEGIN;
SELECT count(*) AS kpis_with_p,
	   bool_and(abs(r.p_value - s.p_value) <= 1e-9 * greatest(1e-9, r.p_value)) AS p_equal,
	   bool_and(r.significant_change IS NOT DISTINCT FROM s.significant_change) AS verdict_equal
FROM raw_answer r JOIN kpi.scorecard s USING (name)
WHERE r.p_value IS NOT NULL OR s.p_value IS NOT NULL;
-- The summaries did serve the scorecard: it read every one of them.
SELECT count(*) AS summaries, count(*) FILTER (WHERE seq_scan + coalesce(idx_scan, 0) > 0) AS read
FROM pg_stat_xact_user_tables
WHERE relid IN (SELECT summary FROM kpi.summaries WHERE source IN ('mon.daily'::regclass, 'sig.leads'::regclass,
																   'sig.daily'::regclass, 'sig.deals'::regclass));
COMMIT;
-- And from the summaries as from the raw rows, the values are the same
-- with and without the summaries tested.
SELECT count(*) AS values_compared,
	   count(*) FILTER (WHERE w.value IS DISTINCT FROM o.value) AS differences,
	   count(*) FILTER (WHERE w.state IS NOT NULL) AS with_state
FROM kpi.measure_sources(ARRAY(SELECT name FROM kpi.definitions WHERE name ~ '^(mon|sig)_'),
						 '{2026-01-05,2026-01-19,2026-02-02,2026-02-09,2026-02-16}', true) AS w
JOIN kpi.measure_sources(ARRAY(SELECT name FROM kpi.definitions WHERE name ~ '^(mon|sig)_'),
						 '{2026-01-05,2026-01-19,2026-02-02,2026-02-09,2026-02-16}') AS o USING (name, period_start);

-- 3. Period over period: each comparison's p-value is kpi.compare's over
-- the spans it reports, recomputed here from the raw rows.
SET kpi.as_of = '2026-02-18 10:00';
SELECT c.comparison, c.current_start, c.compared_start,
	   round(c.current_value::numeric, 4) AS current_value, round(c.compared_value::numeric, 4) AS compared_value,
	   c.p_value IS NOT DISTINCT FROM (kpi.compare(
		   (SELECT kpi.ratio_agg(converted::integer, 1) FROM sig.leads
			WHERE campaign = 'big' AND at >= c.current_start AND at < c.current_end),
		   (SELECT kpi.ratio_agg(converted::integer, 1) FROM sig.leads
			WHERE campaign = 'big' AND at >= c.compared_start AND at < c.compared_end))).p_value AS p_ok,
	   round(c.p_value::numeric, 6) AS p_value, c.significant
FROM kpi.compare_periods('sig_big', 'week') AS c;
-- A total has no variance model.
SELECT comparison, p_value, significant FROM kpi.compare_periods('mon_unplanned', 'month');

-- Cleanup.
SET client_min_messages = warning;
SELECT count(kpi.drop_summary(summary)) AS summaries_dropped
FROM kpi.summaries WHERE source IN ('mon.daily'::regclass, 'sig.leads'::regclass, 'sig.daily'::regclass, 'sig.deals'::regclass);
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%' OR name LIKE 'sig\_%';
DROP SCHEMA mon, sig CASCADE;
RESET client_min_messages;
