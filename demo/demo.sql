-- The kpi demo: the weekly KPI review of a sample company, Acme GmbH.
--
-- Run by demo/run.sh in a throw-away cluster; any database with kpi
-- installable will do:  psql -X -f demo/demo.sql
--
-- "Now" is pinned to Monday 2 March 2026, 09:00 in Berlin, the morning of
-- the weekly review, so the output is the same on every run.
\set ON_ERROR_STOP on
\set QUIET on
\pset footer off
\pset null '–'
SET client_min_messages = warning;
CREATE EXTENSION kpi;
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';

\echo
\echo 'Acme GmbH: two years of daily funnel data per channel (demo/company.sql)'
\echo '======================================================================'
\ir company.sql
SELECT channel, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
	   sum(marketing_spend) AS marketing_spend, sum(sales_spend) AS sales_spend,
	   sum(leads) AS leads, sum(opportunities) AS opportunities, sum(won_deals) AS won_deals,
	   sum(new_customers) AS new_customers, sum(revenue) AS revenue
FROM acme.funnel_daily GROUP BY channel ORDER BY sum(revenue) DESC;

-- Monday 5 January 2026: marketing and sales agree on five KPIs in a joint
-- meeting, with a baseline from the last quarter of 2025, and one plan for
-- all of them: computed from the company's daily funnel, starting today,
-- due at the end of June, and reviewed every week.
SET kpi.as_of = '2026-01-05 10:00';
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target,
	 source, time_column, starts_on, due_on, review_every)
SELECT k.*, 'acme.funnel_daily', 'day', date '2026-01-05', date '2026-06-29', interval '7 days'
FROM (VALUES
	('cac_blended', 'Blended customer acquisition cost',
	 'Sales and marketing spend per new customer, over all channels.', 'Jana Becker',
	 '{marketing,sales}'::text[], 'Grow the customer base profitably', 'cac', 'customer',
	 'total_spend', 'new_customers', '{}'::jsonb, 'EUR', 'lower_is_better', 1150, 900),
	('lead_to_opportunity', 'Lead to opportunity rate',
	 'Share of new leads that sales accepts as opportunities.', 'Mia Wagner',
	 '{marketing}', 'Hand sales better leads', 'conversion_rate', 'lead',
	 'opportunities', 'leads', '{}', 'ratio', 'higher_is_better', 0.305, 0.35),
	('win_rate', 'Win rate',
	 'Share of opportunities that sales closes as won deals.', 'Lukas Schmidt',
	 '{sales}', 'Close more of the pipeline', 'conversion_rate', 'customer',
	 'won_deals', 'opportunities', '{}', 'ratio', 'higher_is_better', 0.255, 0.35),
	('romi_marketing', 'Return on marketing investment',
	 'Revenue won minus marketing spend, per euro of marketing spend.', 'Mia Wagner',
	 '{marketing}', 'Make every marketing euro pay back', 'romi', 'revenue',
	 'revenue', 'marketing_spend', '{}', 'ratio', 'higher_is_better', 3.4, 4.4),
	('roas_paid_search', 'Return on ad spend, paid search',
	 'Revenue won per euro spent on paid search ads.', 'Jana Becker',
	 '{marketing}', 'Make every marketing euro pay back', 'roas', 'revenue',
	 'revenue', 'marketing_spend', '{"channel": "paid_search"}', 'ratio', 'higher_is_better', 3.0, 3.4)
) AS k;

-- Every Monday since, the team has reviewed its KPIs (lead_to_opportunity
-- has not been looked at since 9 February), and a weekly job has kept a
-- snapshot of the scorecard (kpi.snapshot, e.g. scheduled by kpi.schedule).
DO $reviews$
DECLARE
	monday date;
	kpi_name text;
BEGIN
	FOR monday IN SELECT d::date FROM generate_series(date '2026-01-12', date '2026-02-23', interval '7 days') AS d LOOP
		PERFORM count(*) FROM kpi.snapshot((monday || ' 06:00')::timestamptz);
		PERFORM set_config('kpi.as_of', monday || ' 09:30', false);
		FOREACH kpi_name IN ARRAY ARRAY['cac_blended', 'win_rate', 'romi_marketing', 'roas_paid_search', 'lead_to_opportunity'] LOOP
			CONTINUE WHEN kpi_name = 'lead_to_opportunity' AND monday > date '2026-02-09';
			PERFORM kpi.record_review(kpi_name, 'Weekly review.');
		END LOOP;
	END LOOP;
END
$reviews$;

-- Monday 9 February, after 30 days: the feedback round lowers the win-rate
-- target, which asked for more than sales can deliver by June.
SET kpi.as_of = '2026-02-09 11:00';
SELECT kpi.adjust_target('win_rate', 0.33,
	'30-day feedback: 35% needs a second sales engineer, who only starts in July.') \gset

-- Friday 20 February: someone adds a KPI nobody agreed on, "brand buzz".
-- kpi warns at once (kpi.enforce_smart = warn, the default).
\echo
\echo 'Adding the KPI "brand_buzz" that nobody agreed on; kpi warns:'
SET kpi.as_of = '2026-02-20 16:00';
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, metric, source, time_column, numerator_column,
	 direction, baseline, target, starts_on, due_on)
VALUES
	('brand_buzz', 'Brand buzz', 'Buzz.', NULL, '{}', 'average', 'acme.funnel_daily', 'day', 'social_mentions',
	 'higher_is_better', 100, 100, '2026-02-20', '2026-02-27');

-- Monday 2 March 2026, 09:00: the weekly review.
SET kpi.as_of = '2026-03-02 09:00';
SELECT count(*) AS rechecked FROM (SELECT kpi.recheck_smart(name) FROM kpi.definitions WHERE active) AS r \gset

\echo
\echo '1. SMART report (kpi.smart_report): is every KPI specific, measurable, attractive, realistic, time-bound?'
\echo '======================================================================================================='
SELECT name, specific, measurable, attractive, realistic, time_bound, smart
FROM kpi.smart_report ORDER BY smart DESC, name;
\echo 'Why brand_buzz is not SMART (kpi.smart_check):'
SELECT criterion, passed, detail FROM kpi.smart_check('brand_buzz');

\echo
\echo '2. Audit (kpi.audit()): the classic KPI mistakes in the portfolio'
\echo '=================================================================='
SELECT kind, array_to_string(kpis, ', ') AS kpis, detail FROM kpi.audit();

\echo
\echo '3. Scorecard (kpi.scorecard) for the week 2026-02-23 to 2026-03-01'
\echo '=================================================================='
\echo 'real: the change since last week is more than noise (p < 0.05; empty for totals, which have no variance model).'
\echo 'progress: share of the way from baseline to target; expected: share of the time to due_on elapsed.'
\echo 'at_risk: behind the plan by less than kpi.at_risk_margin (0.10); off_track: behind by more.'
SELECT name, array_to_string(teams, '+') AS teams, unit,
	   round(baseline::numeric, 3) AS baseline, round(target::numeric, 3) AS target,
	   round(current::numeric, 3) AS current, round(previous::numeric, 3) AS previous,
	   round(100 * relative_change::numeric, 1) AS "change %", significant_change AS real,
	   round(progress::numeric, 2) AS progress, round(expected_progress::numeric, 2) AS expected,
	   status, smart, last_reviewed_on AS last_review, review_due
FROM kpi.scorecard ORDER BY name;

\echo
\echo '4. Blended CAC over the last 12 weeks (kpi.series), against the plan from 1150 EUR to 900 EUR by 2026-06-29'
\echo '=============================================================================================================='
SELECT bucket_start::date AS week, round(value::numeric, 1) AS cac_eur, round(target_path::numeric, 1) AS plan_eur,
	   status, repeat('#', greatest(0, round((value - 800) / 20)::integer)) AS "cac above 800 EUR, # = 20 EUR"
FROM kpi.series('cac_blended', '1 week', '2025-12-08', '2026-03-02');

\echo
\echo '5. The review: notes go to kpi.reviews, target changes to kpi.target_history'
\echo '============================================================================='
SELECT name, value, status FROM kpi.record_review('lead_to_opportunity',
	'Flat for eight weeks: marketing and sales rework the lead scoring together this week.') \gset
SELECT name, reviewed_at, round(value::numeric, 4) AS value, status, note
FROM kpi.reviews WHERE reviewed_at >= '2026-02-23' ORDER BY reviewed_at, name;
SELECT name, changed_at, old_target, new_target, changed_by, reason FROM kpi.target_history;

-- After the review: the team sets a seasonal plan for ROAS on paid search
-- instead of the straight line from 3.0 to 3.4: slow in January, strongest
-- in spring, and the last step into June.  One target per week, by month.
\echo
\echo '6. A seasonal plan (kpi.plans) for ROAS on paid search, and actual against plan'
\echo '================================================================================='
INSERT INTO kpi.plans (name, grain, period_start, target)
SELECT 'roas_paid_search', 'week', w::date,
	   CASE extract(month FROM w) WHEN 1 THEN 3.0 WHEN 2 THEN 3.05 WHEN 3 THEN 3.2
								  WHEN 4 THEN 3.3 WHEN 5 THEN 3.35 ELSE 3.4 END
FROM generate_series(date '2026-01-05', date '2026-06-22', interval '7 days') AS w;
SELECT bucket_start::date AS week, round(value::numeric, 2) AS roas, round(target_path::numeric, 2) AS plan,
	   round((100 * value / target_path)::numeric) AS "% of plan", status
FROM kpi.series('roas_paid_search', '1 week', '2026-01-05', '2026-03-02');
\echo 'The SMART realistic check now judges the plan''s steepest step:'
SELECT passed, detail FROM kpi.smart_check('roas_paid_search') WHERE criterion = 'realistic';

\echo
\echo '7. Period over period by the calendar (kpi.compare_periods): blended CAC by month'
\echo '=================================================================================='
SELECT comparison, current_start::date, current_end, round(current_value::numeric, 1) AS cac,
	   compared_start::date, compared_end, round(compared_value::numeric, 1) AS compared_cac,
	   round(100 * relative_change::numeric, 1) AS "change %", improved, round(p_value::numeric, 3) AS p_value, note
FROM kpi.compare_periods('cac_blended', 'month');
\echo 'The scorecard against the same week a year earlier:'
SELECT name, round(current::numeric, 3) AS this_week, round(year_ago::numeric, 3) AS year_ago,
	   round(yoy_change::numeric, 3) AS yoy_change
FROM kpi.scorecard ORDER BY name;

\echo
\echo '8. Attribution: which channel earned the customer? (demo/journeys.sql, kpi.attribute)'
\echo '======================================================================================'
\ir journeys.sql
\echo 'One customer''s journey and the credit each model gives its channels (60-day lookback):'
SELECT touched_at, channel, converted FROM acme.touches WHERE customer_id = 1234 ORDER BY touched_at;
SELECT model, channel, credit FROM acme.attribution WHERE customer_id = 1234 ORDER BY model, channel;
\echo 'CAC per channel since September 2025 under last touch and under linear attribution:'
\echo '(kpi.cac over acme.attributed_funnel: the channel''s spend over the customers credited to it)'
SELECT channel,
	   round(sum(customers) FILTER (WHERE model = 'last_touch'), 1) AS customers_last_touch,
	   round(kpi.cac(spend, customers) FILTER (WHERE model = 'last_touch')::numeric) AS cac_last_touch,
	   round(sum(customers) FILTER (WHERE model = 'linear'), 1) AS customers_linear,
	   round(kpi.cac(spend, customers) FILTER (WHERE model = 'linear')::numeric) AS cac_linear,
	   round(kpi.cac(spend, customers) FILTER (WHERE model = 'first_touch')::numeric) AS cac_first_touch
FROM acme.attributed_funnel WHERE day >= '2025-09-01'
GROUP BY channel ORDER BY channel;

\echo
\echo '9. Cohorts: what a customer is worth (kpi.cohort; gross margin 70 %)'
\echo '====================================================================='
\echo 'Retention by month since signing (share of the cohort that ordered that month):'
SELECT cohort, kpi.cohort_size(summary) AS customers,
	   round(kpi.retention(summary, 0)::numeric, 2) AS m0, round(kpi.retention(summary, 1)::numeric, 2) AS m1,
	   round(kpi.retention(summary, 2)::numeric, 2) AS m2, round(kpi.retention(summary, 3)::numeric, 2) AS m3,
	   round(kpi.retention(summary, 4)::numeric, 2) AS m4, round(kpi.retention(summary, 5)::numeric, 2) AS m5
FROM acme.cohorts WHERE cohort >= '2025-09-01' ORDER BY cohort;
\echo 'LTV, LTV:CAC and CAC payback per cohort:'
SELECT cohort, round(cac::numeric) AS cac_eur,
	   round(kpi.ltv(summary, 2, 0.7)::numeric) AS ltv_m2_eur,
	   round(kpi.ltv_to_cac(summary, 2, cac, 0.7)::numeric, 2) AS ltv_to_cac_m2,
	   round(kpi.ltv(summary, 5, 0.7)::numeric) AS ltv_m5_eur,
	   round(kpi.ltv_to_cac(summary, 5, cac, 0.7)::numeric, 2) AS ltv_to_cac_m5,
	   kpi.cac_payback_periods(summary, cac, 0.7) AS payback_months
FROM acme.cohorts WHERE cohort BETWEEN '2025-03-01' AND '2025-08-01' ORDER BY cohort;

\echo
\echo '10. Status history: the weekly snapshots (kpi.snapshot into kpi.scorecard_history) and every change (kpi.status_changes)'
\echo '======================================================================================================================'
SELECT count(*) AS kpis FROM kpi.snapshot() \gset
SELECT name,
	   max(status) FILTER (WHERE as_of = '2026-02-02') AS "02-02", max(status) FILTER (WHERE as_of = '2026-02-09') AS "02-09",
	   max(status) FILTER (WHERE as_of = '2026-02-16') AS "02-16", max(status) FILTER (WHERE as_of = '2026-02-23') AS "02-23",
	   max(status) FILTER (WHERE as_of = '2026-03-02') AS "03-02"
FROM kpi.scorecard_history GROUP BY name ORDER BY name;
SELECT name, changed_on, old_status, new_status, round(value::numeric, 3) AS value
FROM kpi.status_changes WHERE changed_on >= '2026-02-01' ORDER BY changed_on, name;
