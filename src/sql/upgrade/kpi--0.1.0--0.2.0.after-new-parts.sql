
/* kpi 0.1.0 -> 0.2.0 -- changes that use objects new in 0.2.0 (after the new parts) */

------------------------------------------------------------------------------
-- Errors that teach (issue 7): the closed sets and the KPI name are checked
-- by kpi.must_be_one_of() and kpi.must_be_identifier() (16_input_checks.sql),
-- and an unknown KPI name suggests the closest one.
------------------------------------------------------------------------------

-- The new domain constraints allow the values the old ones did (and metric
-- funnel_conversion, issue 11), which every stored row already passed.
-- PostgreSQL cannot validate a domain that a function signature reaches
-- through a row type (kpi.definitions), so they are added NOT VALID and then
-- marked validated, as the old ones were.
ALTER DOMAIN kpi.metric DROP CONSTRAINT metric_known;
ALTER DOMAIN kpi.metric ADD CONSTRAINT metric_known CHECK (kpi.must_be_one_of(VALUE, 'metric',
		'{conversion_rate,cac,romi,roas,ratio,sum,count,average,funnel_conversion}')) NOT VALID;
ALTER DOMAIN kpi.direction DROP CONSTRAINT direction_known;
ALTER DOMAIN kpi.direction ADD CONSTRAINT direction_known CHECK (kpi.must_be_one_of(VALUE, 'direction', '{higher_is_better,lower_is_better}')) NOT VALID;
ALTER DOMAIN kpi.stage DROP CONSTRAINT stage_known;
ALTER DOMAIN kpi.stage ADD CONSTRAINT stage_known CHECK (kpi.must_be_one_of(VALUE, 'stage', '{lead,opportunity,customer,revenue}')) NOT VALID;
UPDATE pg_catalog.pg_constraint SET convalidated = true
WHERE contypid IN ('kpi.metric'::pg_catalog.regtype, 'kpi.direction'::pg_catalog.regtype, 'kpi.stage'::pg_catalog.regtype)
  AND conname IN ('metric_known', 'direction_known', 'stage_known');
ALTER TABLE kpi.definitions DROP CONSTRAINT name_is_identifier,
	ADD CONSTRAINT name_is_identifier CHECK (kpi.must_be_identifier(name, 'KPI name'));

CREATE OR REPLACE FUNCTION kpi.raise_unknown_kpi(kpi_name text) RETURNS void
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	closest text;
BEGIN
	-- The closest name the caller may see, as the likely intended one.
	IF pg_catalog.has_table_privilege('kpi.definitions', 'SELECT') THEN
		closest := kpi.closest_name(kpi_name, ARRAY(SELECT d.name FROM kpi.definitions AS d));
	END IF;
	RAISE EXCEPTION 'KPI "%" does not exist', kpi_name
		USING ERRCODE = 'undefined_object',
			  HINT = COALESCE('Did you mean "' || closest || '"?',
							  'The KPIs are the rows of kpi.definitions.');
END
$$;

------------------------------------------------------------------------------
-- SQL-standard bodies resolve names when they are created: kpi's LANGUAGE sql
-- functions need no SET search_path, and without it they can be inlined
-- (issue 7; see the head of this step for why).
------------------------------------------------------------------------------
ALTER FUNCTION kpi.as_of() RESET search_path;
ALTER FUNCTION kpi.audit_stale() RESET search_path;
ALTER FUNCTION kpi.can_measure(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.expected_progress(kpi.definitions,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure(text,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure_many(text[],timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure_series(text,interval,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.metric_columns_problem(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.period_sql(regclass,name,text,text) RESET search_path;
ALTER FUNCTION kpi.progress(kpi.definitions,double precision) RESET search_path;
ALTER FUNCTION kpi.recheck_smart(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.recheck_smart(text) RESET search_path;
ALTER FUNCTION kpi.scorecard_at(timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.series(text,interval,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.show_date(date) RESET search_path;
ALTER FUNCTION kpi.show_number(double precision) RESET search_path;
ALTER FUNCTION kpi.smart_check(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.smart_check(text) RESET search_path;
ALTER FUNCTION kpi.target_path(kpi.definitions,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.translate(text,text) RESET search_path;
ALTER FUNCTION kpi.keep_smart_verdict(text, text[]) RESET search_path;

-- BEGIN catalog-security (issue 8: findings 2, 6, 7, 8)
------------------------------------------------------------------------------
-- Issue 8, findings 2, 6, 7 and 8 (doc/security.md): every source is read
-- as its owner by kpi.read_source (23_run_as_owner.sql), definitions out of
-- range are rejected and isolated (24_definition_checks.sql), no stale
-- verdict, reviews visible only to roles that may read their source.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION kpi.progress(definition kpi.definitions, value double precision) RETURNS double precision
	LANGUAGE sql STABLE PARALLEL SAFE
	-- Guarded so that no stored definition or measured value can make it
	-- fail with an overflow: NULL beyond the range it can compute.
	RETURN CASE WHEN pg_catalog.abs(value) <= 1e150 AND kpi.definition_problem(definition) IS NULL
					 AND pg_catalog.abs((definition).target - (definition).baseline) >= 1e-150
				THEN (value - (definition).baseline) / ((definition).target - (definition).baseline) END;
COMMENT ON FUNCTION kpi.progress(kpi.definitions, double precision) IS
	'The share of the distance from baseline to target that value covers: 0 at the baseline, 1 at the target, negative when worse than the baseline; works for either direction. NULL without baseline and target, and beyond the range it computes (|value| > 1e150, |target − baseline| < 1e-150, a definition out of range).';

CREATE OR REPLACE FUNCTION kpi.audit_stale() RETURNS TABLE (kind text, kpis text[], detail text)
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT 'stale', ARRAY[d.name],
		   CASE WHEN r.last_reviewed_at IS NULL THEN
				pg_catalog.format(kpi.translate(
					'Not reviewed since it started on %s, though it should be every %s: review it in the next weekly meeting with kpi.record_review().',
					'Seit dem Start am %s nicht überprüft, obwohl alle %s vorgesehen: überprüfen Sie sie im nächsten Wochentermin mit kpi.record_review().'),
					kpi.show_date(COALESCE(d.starts_on, d.created_at::date)), kpi.show_interval(COALESCE(d.review_every, interval '7 days')))
				ELSE pg_catalog.format(kpi.translate(
					'Last reviewed on %s, more than twice its review period of %s ago: review it with kpi.record_review().',
					'Zuletzt am %s überprüft, vor mehr als zwei Berichtszeiträumen von %s: überprüfen Sie sie mit kpi.record_review().'),
					kpi.show_date(r.last_reviewed_at::date), kpi.show_interval(COALESCE(d.review_every, interval '7 days'))) END
	FROM kpi.definitions d
	LEFT JOIN LATERAL (SELECT pg_catalog.max(rv.reviewed_at) AS last_reviewed_at
					   FROM kpi.reviews rv WHERE rv.name = d.name AND rv.reviewed_at <= kpi.as_of()) AS r ON true
	WHERE d.active
	  -- (CASE: a definition out of range must not make it fail.)
	  AND CASE WHEN kpi.definition_problem(d) IS NULL THEN
			  COALESCE(r.last_reviewed_at, d.starts_on::timestamptz, d.created_at)
			  < kpi.as_of() - 2 * COALESCE(d.review_every, interval '7 days') END
	ORDER BY d.name;
END;
COMMENT ON FUNCTION kpi.audit_stale() IS
	'The stale findings of kpi.audit(): active KPIs whose last review up to kpi.as_of() (or their start, when never reviewed) is older than twice their review_every.';

-- kpi.expected_progress, kpi.target_path and the scorecard (with its problem
-- column) are made once, in their final form, in the plans section below.
-- END catalog-security

------------------------------------------------------------------------------
-- Targets as plans and period over period (issue 12): the plan (kpi.plans,
-- 25_plans.sql) drives the target path, the expected progress and the
-- status; kpi.adjust_target rescales the rest of the plan; the scorecard
-- gains year_ago and yoy_change, so its function and view are made anew.
------------------------------------------------------------------------------
ALTER TABLE kpi.plans ADD CONSTRAINT plans_change_id_fkey FOREIGN KEY (change_id)
	REFERENCES kpi.target_history (change_id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

CREATE OR REPLACE FUNCTION kpi.expected_progress(definition kpi.definitions, at timestamptz) RETURNS double precision
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN COALESCE(
		-- the progress the plan asks for by then
		kpi.progress(definition, kpi.plan_target(definition, at)),
		CASE WHEN at IS NOT NULL AND (definition).due_on > (definition).starts_on
			  AND kpi.definition_problem(definition) IS NULL THEN
		LEAST(1.0, GREATEST(0.0,
			(pg_catalog.date_part('epoch', at) - pg_catalog.date_part('epoch', (definition).starts_on::timestamptz))
			/ (pg_catalog.date_part('epoch', (definition).due_on::timestamptz)
			   - pg_catalog.date_part('epoch', (definition).starts_on::timestamptz))))
		END);
COMMENT ON FUNCTION kpi.expected_progress(kpi.definitions, timestamptz) IS
	'The progress the KPI should have made at the moment given: with a plan (kpi.plans), the share of the distance from baseline to target that the plan''s target then covers (below 0 or above 1 where the plan dips or overshoots); without one, the share of the time from starts_on to due_on (midnight, session time zone) elapsed, between 0 and 1; NULL without a span.';

CREATE OR REPLACE FUNCTION kpi.target_path(definition kpi.definitions, at timestamptz) RETURNS double precision
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN kpi.definition_problem(definition) IS NULL THEN
		COALESCE(kpi.plan_target(definition, at),
				 (definition).baseline
				 + ((definition).target - (definition).baseline) * kpi.expected_progress(definition, at)) END;
COMMENT ON FUNCTION kpi.target_path(kpi.definitions, timestamptz) IS
	'Where the KPI should be at the moment given: its plan''s target then (kpi.plan_target) when it has a plan in kpi.plans, else the straight line from baseline at starts_on to target at due_on, flat before and after.';

CREATE OR REPLACE FUNCTION kpi.adjust_target(kpi_name text, new_target double precision, reason text)
	RETURNS kpi.target_history
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old_target double precision;
	change kpi.target_history;
BEGIN
	IF kpi_name IS NULL THEN
		RAISE EXCEPTION 'KPI name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF new_target IS NULL OR new_target IN ('NaN', 'Infinity', '-Infinity') THEN
		RAISE EXCEPTION 'new target must be a finite number'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The target given is %s.', COALESCE(new_target::text, 'NULL'));
	END IF;
	IF reason IS NULL OR reason !~ '\S' THEN
		RAISE EXCEPTION 'a target change needs a reason'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say why the target changes, e.g. the feedback of the 30-day review.';
	END IF;
	SELECT d.target INTO old_target FROM kpi.definitions d WHERE d.name = kpi_name FOR UPDATE;
	IF NOT FOUND THEN
		PERFORM kpi.raise_unknown_kpi(kpi_name);
	END IF;
	UPDATE kpi.definitions d SET target = new_target WHERE d.name = kpi_name;
	INSERT INTO kpi.target_history (name, changed_at, old_target, new_target, reason)
	VALUES (kpi_name, kpi.as_of(), old_target, new_target, reason)
	RETURNING * INTO change;
	-- The rest of the plan (periods not over by kpi.as_of()) keeps its shape:
	-- each target's distance from the baseline scales with the target's.
	UPDATE kpi.plans AS p
	SET target = CASE WHEN d.baseline IS NOT NULL AND old_target <> d.baseline
					  THEN d.baseline + (p.target - d.baseline) * (new_target - d.baseline) / (old_target - d.baseline)
					  ELSE p.target + (new_target - old_target) END,
		change_id = change.change_id
	FROM kpi.definitions AS d
	WHERE d.name = kpi_name AND p.name = kpi_name AND p.segment IS NULL
	  AND old_target IS NOT NULL AND p.period_end::timestamptz > kpi.as_of();
	RETURN change;
END
$$;
COMMENT ON FUNCTION kpi.adjust_target(text, double precision, text) IS
	'Changes the target of a KPI and records the old and new target, who, when (kpi.as_of()) and why in kpi.target_history. With a plan in kpi.plans, rescales the periods not over by kpi.as_of() so that the plan ends at the new target (each target''s distance from the baseline scaled alike; shifted when the old target was the baseline), and marks them with the change_id. Needs UPDATE on kpi.definitions and kpi.plans and INSERT on kpi.target_history.';

DROP VIEW kpi.scorecard;
DROP FUNCTION kpi.scorecard_at(timestamptz);
CREATE FUNCTION kpi.scorecard_at(as_of timestamptz)
	RETURNS TABLE (
		name text, title text, owner text, teams text[], metric text, unit text, direction text,
		baseline double precision, target double precision, starts_on date, due_on date,
		period_start timestamptz, period_end timestamptz,
		current double precision, previous double precision,
		change double precision, relative_change double precision,
		progress double precision, expected_progress double precision, target_path double precision,
		status text, smart boolean, smart_checked_at timestamptz, last_reviewed_on date, review_due boolean,
		problem text, year_ago double precision, yoy_change double precision,
		p_value double precision, significant_change boolean)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	/*
	 * PL/pgSQL rather than SQL: a SQL function's query is read back from its
	 * stored tree and planned anew on every call (with every function it
	 * inlines), which cost more than the rest of a scorecard read from a
	 * summary; PL/pgSQL keeps the plan for the session.
	 */
	RETURN QUERY
	WITH active AS (
		SELECT d, kpi.definition_problem(d) AS invalid,
			   cur.period_start, cur.period_end, prev.period_start AS previous_start,
			   cur.period_start - kpi.year_ago_shift(COALESCE(d.review_every, interval '7 days')) AS year_ago_start,
			   cur.period_end - kpi.year_ago_shift(COALESCE(d.review_every, interval '7 days')) AS year_ago_end
		FROM kpi.definitions AS d
		CROSS JOIN LATERAL kpi.last_review_period(d, as_of, 0) AS cur
		CROSS JOIN LATERAL kpi.last_review_period(d, as_of, 1) AS prev
		WHERE d.active
	),
	-- One query per source over both periods, each KPI isolated: a broken
	-- one leaves only its own row without value.
	measured AS (
		SELECT m.name, m.period_start, m.value, m.problem, m.state
		FROM (SELECT a.previous_start, a.period_start, a.period_end, pg_catalog.array_agg((a.d).name) AS names
			  FROM active a WHERE a.period_start IS NOT NULL
			  GROUP BY a.previous_start, a.period_start, a.period_end) AS g
		CROSS JOIN LATERAL kpi.measure_sources(g.names, ARRAY[g.previous_start, g.period_start, g.period_end], true) AS m
	),
	measured_year_ago AS (
		SELECT m.name, m.value
		FROM (SELECT a.year_ago_start, a.year_ago_end, pg_catalog.array_agg((a.d).name) AS names
			  FROM active a WHERE a.year_ago_start IS NOT NULL
			  GROUP BY a.year_ago_start, a.year_ago_end) AS g
		CROSS JOIN LATERAL kpi.measure_sources(g.names, ARRAY[g.year_ago_start, g.year_ago_end]) AS m
	),
	reviewed AS (
		SELECT r.name, pg_catalog.max(r.reviewed_at) AS last_reviewed_at
		FROM kpi.reviews r WHERE r.reviewed_at <= as_of GROUP BY r.name
	)
	SELECT (a.d).name, (a.d).title, (a.d).owner, (a.d).teams, (a.d).metric::text, (a.d).unit,
		   (a.d).direction::text, (a.d).baseline, (a.d).target, (a.d).starts_on, (a.d).due_on,
		   a.period_start, a.period_end,
		   cur.value, prev.value,
		   -- Guarded: no measured value can make the view fail with an overflow.
		   CASE WHEN pg_catalog.abs(cur.value) <= 1e300 AND pg_catalog.abs(prev.value) <= 1e300
				THEN cur.value - prev.value END,
		   CASE WHEN pg_catalog.abs(cur.value) <= 1e150 AND pg_catalog.abs(prev.value) BETWEEN 1e-150 AND 1e150
				THEN (cur.value - prev.value) / pg_catalog.abs(prev.value) END,
		   pr.progress, pr.expected_progress,
		   kpi.target_path(a.d, a.period_end),
		   CASE WHEN a.invalid IS NOT NULL THEN 'invalid'
				ELSE kpi.status(pr.progress, pr.expected_progress) END,
		   v.smart, v.checked_at,
		   r.last_reviewed_at::date,
		   r.last_reviewed_at IS NULL OR r.last_reviewed_at < a.period_end,
		   COALESCE(a.invalid, cur.problem, prev.problem),
		   ya.value,
		   CASE WHEN pg_catalog.abs(cur.value) <= 1e300 AND pg_catalog.abs(ya.value) <= 1e300
				THEN cur.value - ya.value END,
		   sig.p_value, sig.significant
	FROM active a
	LEFT JOIN measured cur ON cur.name = (a.d).name AND cur.period_start = a.period_start
	LEFT JOIN measured prev ON prev.name = (a.d).name AND prev.period_start = a.previous_start
	LEFT JOIN reviewed r ON r.name = (a.d).name
	LEFT JOIN measured_year_ago ya ON ya.name = (a.d).name
	LEFT JOIN kpi.smart_verdicts v ON v.name = (a.d).name
	-- NULL for metrics without a variance model (sum, count) and broken KPIs
	LEFT JOIN LATERAL kpi.compare(cur.state, prev.state) AS sig ON a.invalid IS NULL
	-- once per KPI for both the columns and the status (OFFSET 0: not
	-- pulled up into the select list, where each use would compute them)
	CROSS JOIN LATERAL (SELECT kpi.progress(a.d, cur.value) AS progress,
							   kpi.expected_progress(a.d, a.period_end) AS expected_progress OFFSET 0) AS pr
	ORDER BY 1;
END
$$;
COMMENT ON FUNCTION kpi.scorecard_at(timestamptz) IS
	'The scorecard as of a given moment: one row per active KPI, as the view kpi.scorecard shows it for kpi.as_of().';

CREATE VIEW kpi.scorecard WITH (security_invoker = true) AS
	SELECT * FROM kpi.scorecard_at(kpi.as_of());
-- For everyone: it shows only values the caller may read, and reads each
-- source as its owner, so no reader runs a catalog writer's code with the
-- reader's privileges (doc/security.md).
GRANT SELECT ON kpi.scorecard TO PUBLIC;
COMMENT ON VIEW kpi.scorecard IS
	'One row per active KPI for the weekly review: where it is (current, over the last complete review period), where it should be (target_path, expected_progress), its status (on_track, at_risk, off_track, no_data) and what changed since the period before. Values the caller cannot read are NULL.';
COMMENT ON COLUMN kpi.scorecard.name IS 'The KPI.';
COMMENT ON COLUMN kpi.scorecard.period_start IS 'Start of the last complete review period, in the session''s time zone.';
COMMENT ON COLUMN kpi.scorecard.period_end IS 'End (exclusive) of the last complete review period: the latest period boundary not after kpi.as_of().';
COMMENT ON COLUMN kpi.scorecard.current IS 'The value over the last complete review period.';
COMMENT ON COLUMN kpi.scorecard.previous IS 'The value over the review period before it.';
COMMENT ON COLUMN kpi.scorecard.change IS 'current − previous: like with like, two consecutive review periods of review_every each, on the calendar of the session''s time zone.';
COMMENT ON COLUMN kpi.scorecard.relative_change IS '(current − previous) / |previous|.';
COMMENT ON COLUMN kpi.scorecard.progress IS 'The share of the distance from baseline to target covered by current.';
COMMENT ON COLUMN kpi.scorecard.expected_progress IS 'The progress the plan asks for by period_end (kpi.plans), or without a plan the share of the time from starts_on to due_on elapsed then.';
COMMENT ON COLUMN kpi.scorecard.target_path IS 'Where the plan says the KPI should be at period_end: the plan period it ends in (kpi.plans), or the straight line from baseline to target.';
COMMENT ON COLUMN kpi.scorecard.status IS 'on_track, at_risk (behind by less than kpi.at_risk_margin), off_track, no_data, or invalid (a definition out of range: see problem).';
COMMENT ON COLUMN kpi.scorecard.smart IS 'Whether the KPI passed all five SMART criteria at its last check (kpi.smart_verdicts); NULL when never checked.';
COMMENT ON COLUMN kpi.scorecard.smart_checked_at IS 'When that check ran.';
COMMENT ON COLUMN kpi.scorecard.last_reviewed_on IS 'Day of the last review recorded up to kpi.as_of(), in the session''s time zone.';
COMMENT ON COLUMN kpi.scorecard.review_due IS 'True when no review was recorded since the last complete review period ended.';
COMMENT ON COLUMN kpi.scorecard.problem IS 'Why the KPI has no value or status: the definition is out of range, it cannot be measured, the caller may not read its source, or reading the source failed; NULL when none.';
COMMENT ON COLUMN kpi.scorecard.year_ago IS 'The value over the same review period a year earlier: 12 months earlier for a review_every of whole months, 52 weeks (the same weekdays) otherwise.';
COMMENT ON COLUMN kpi.scorecard.yoy_change IS 'current − year_ago.';
COMMENT ON COLUMN kpi.scorecard.p_value IS 'Two-sided p-value of change (kpi.compare on the two periods'' kpi.ratio_agg summaries: the delta method, each row one unit). NULL for sum and count, which are totals with no variance model, and with fewer than 2 rows in a period.';
COMMENT ON COLUMN kpi.scorecard.significant_change IS 'True when change is significant at 95 % (p_value < 0.05): more than noise; NULL where p_value is.';

COMMENT ON FUNCTION kpi.can_measure(kpi.definitions) IS
	'Internal: whether the caller can measure a definition (its source, columns, filter columns and privileges are in order); never fails on a broken definition.  Filter values are checked against their columns when a definition is written (kpi.filter_problem); one that stopped fitting after an ALTER TABLE shows as the problem of that KPI''s measurement.';
