-- Data that a 0.1.0 user has when they run ALTER EXTENSION kpi UPDATE, written
-- against the 0.1.0 API and frozen with it: kpi.ratio columns in daily and
-- monthly summary tables (every sum kind and scale), KPI definitions, a review,
-- a target change and the stored SMART verdicts.
\i test/catalog_data.sql

CREATE TABLE public.summary_daily (day date PRIMARY KEY, cac kpi.ratio, closing kpi.ratio, floaty kpi.ratio);
INSERT INTO public.summary_daily
SELECT day,
	   kpi.ratio_agg(spend, customers),
	   kpi.ratio_agg(customers, opportunities),
	   kpi.ratio_agg(spend::float8 / 3, revenue::float8)
FROM public.funnel_daily GROUP BY day;
INSERT INTO public.summary_daily VALUES
	('1999-01-01', '(n=0, num=0, den=0, sxx=0, syy=0, sxy=0)', NULL,
	 (SELECT kpi.ratio_agg(x, y) FROM (VALUES (0.000001::numeric, 1::numeric), (123456789012.5, 3)) AS v(x, y)));
CREATE TABLE public.summary_monthly AS
SELECT date_trunc('month', day)::date AS month, kpi.rollup(cac) AS cac, kpi.rollup(closing) AS closing
FROM public.summary_daily GROUP BY 1;

\i test/catalog_kpis.sql
SET kpi.as_of = '2024-07-01 09:00+00';
SELECT kpi.record_review('cac_paid_search', 'Off track: marketing and sales rework the bids.');
SELECT kpi.adjust_target('closing_rate', 0.19, '30-day feedback: the closing rate runs ahead of plan.');
SELECT kpi.recheck_smart(name) FROM kpi.definitions ORDER BY name;
