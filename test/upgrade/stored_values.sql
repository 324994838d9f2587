-- Every value a user stored, as text: it must read the same before and after
-- ALTER EXTENSION kpi UPDATE.
SET TimeZone = 'UTC';
SELECT 'daily', day, cac, closing, floaty FROM public.summary_daily ORDER BY day;
SELECT 'monthly', month, cac, closing, kpi.value(cac), kpi.value(closing) FROM public.summary_monthly ORDER BY month;
-- The columns of 0.1.0 (0.2.0 adds the funnel columns, NULL for these rows).
SELECT 'definition', pg_catalog.to_jsonb(d) - '{entity_column,step_columns,funnel_within}'::text[]
FROM kpi.definitions AS d ORDER BY d.name;
-- The columns 0.1.0 had (0.2.0 adds source, the table a review's value came from).
SELECT 'review', r.review_id, r.name, r.reviewed_at, r.reviewed_by, r.period_start, r.period_end, r.value,
	   r.status, r.note, r.recorded_at
FROM kpi.reviews AS r ORDER BY r.review_id;
SELECT 'target_change', h.* FROM kpi.target_history AS h ORDER BY h.change_id;
SELECT 'verdict', v.* FROM kpi.smart_verdicts AS v ORDER BY v.name;
