/* kpi -- targets as plans: a target per KPI and calendar period */

/*
 *   kpi.plans                           a target per KPI, calendar period (week, month or
 *                                       quarter) and optionally segment; kept by pg_dump
 *   kpi.plan_problems(kpi_name text, plan_segment text DEFAULT NULL) → text[]
 *       Why the plan of a KPI (or of one of its segments) is not valid; empty when it is.
 *       The deferred constraint trigger on kpi.plans raises them (23514) at commit.
 *   kpi.plan_target(definition kpi.definitions, at timestamptz) → double precision
 *       Where the KPI's plan says it should be at a moment; NULL without a plan.
 *   kpi.segment_series(kpi_name text, segment_column name, bucket interval,
 *                      period_start timestamptz, period_end timestamptz) → TABLE (…)
 *       The KPI broken down by a column, each segment against its own plan.
 *   kpi.plan_steps(definition kpi.definitions) → TABLE (…)
 *       Each step of the plan as an improvement per review period, for the
 *       SMART "realistic" check.
 *
 * A plan's targets are in the units of the definition's baseline and target:
 * the value of the KPI over one review period (for sums and counts, what one
 * review period should bring; for rates and ratios, the rate).  A monthly
 * revenue plan therefore goes with review_every = '1 month'.
 *
 * Validation, for the periods of one KPI and segment:
 *   - a period starts where its grain starts (a Monday, the 1st of a month or
 *     of a quarter): checked on every row, at once;
 *   - no two periods overlap, even of different grains;
 *   - every period lies within [starts_on, due_on]: it starts on or after
 *     starts_on, and its last day is not after due_on;
 *   - the whole KPI's plan (segment NULL) ends at the definition's target, or
 *     its last period says why not in note.
 *   These hold for the plan as a whole, so they are checked when the
 *   transaction commits (a deferred constraint trigger): a plan may be loaded
 *   row by row, in any order, within one transaction.
 */

CREATE FUNCTION kpi.check_plan_period(grain text, period_start date) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- date_trunc keeps ±infinity, which would pass the test below.
	IF NOT pg_catalog.isfinite(period_start) THEN
		RAISE EXCEPTION 'a plan period must start on a finite date, not %', period_start
			USING ERRCODE = 'check_violation';
	END IF;
	IF grain IN ('week', 'month', 'quarter')
	   AND period_start <> pg_catalog.date_trunc(grain, period_start::timestamp)::date THEN
		RAISE EXCEPTION 'a plan period of grain % must start where the % starts', grain, grain
			USING ERRCODE = 'check_violation',
				  DETAIL = pg_catalog.format('The period given starts on %s.', kpi.show_date(period_start)),
				  HINT = pg_catalog.format('The %s of %s starts on %s%s.', grain, kpi.show_date(period_start),
										   kpi.show_date(pg_catalog.date_trunc(grain, period_start::timestamp)::date),
										   CASE grain WHEN 'week' THEN ' (ISO weeks start on Monday)' ELSE '' END);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_plan_period(text, date) IS
	'Internal: true, or raises check_violation (23514) unless period_start is a finite date and the first day of its week (a Monday), month or quarter.';

CREATE TABLE kpi.plans (
	name			text NOT NULL REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	segment			text,
	grain			text NOT NULL
					CONSTRAINT grain_known CHECK (kpi.must_be_one_of(grain, 'grain', '{week,month,quarter}')),
	period_start	date NOT NULL,
	period_end		date GENERATED ALWAYS AS ((period_start
						+ CASE grain WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '1 month'
									 ELSE interval '3 months' END)::date) STORED,
	target			double precision NOT NULL
					CONSTRAINT target_finite CHECK (target NOT IN ('NaN', 'Infinity', '-Infinity')),
	note			text,
	change_id		bigint,
	CONSTRAINT period_start_aligned CHECK (kpi.check_plan_period(grain, period_start)),
	CONSTRAINT plans_name_segment_period_start_key UNIQUE NULLS NOT DISTINCT (name, segment, period_start)
) WITH (parallel_workers = 0);
COMMENT ON TABLE kpi.plans IS
	'Targets as plans: the value a KPI should have in each calendar period (week, month or quarter), for the whole KPI (segment NULL) or a segment of it; kpi.series, the scorecard and the SMART check use the whole KPI''s plan instead of the straight line from baseline to target. Kept by pg_dump.';
COMMENT ON COLUMN kpi.plans.name IS 'The KPI (kpi.definitions.name).';
COMMENT ON COLUMN kpi.plans.segment IS 'NULL for the whole KPI; otherwise a value of a column the KPI is broken down by, e.g. a channel. kpi.segment_series compares each segment with its plan; kpi.series and the scorecard use the whole KPI''s plan.';
COMMENT ON COLUMN kpi.plans.grain IS 'week (ISO, from Monday), month or quarter.';
COMMENT ON COLUMN kpi.plans.period_start IS 'First day of the period: a Monday, or the 1st of a month or quarter.';
COMMENT ON COLUMN kpi.plans.period_end IS 'Day after the period (exclusive end), computed from period_start and grain.';
COMMENT ON COLUMN kpi.plans.target IS 'The value the KPI should have over one review period in this period, in the units of the definition''s target.';
COMMENT ON COLUMN kpi.plans.note IS 'Why the plan does not end at the definition''s target (on its last period), or any remark.';
COMMENT ON COLUMN kpi.plans.change_id IS 'The kpi.target_history change (kpi.adjust_target) that last rescaled this period; its reason says why.';

CREATE INDEX plans_name_period_start ON kpi.plans (name, period_start);

SELECT pg_catalog.pg_extension_config_dump('kpi.plans', '');

/*
 * Who may read a plan: whoever may read the definitions.  The scorecard and
 * kpi.series read the plan with the caller's privileges, and a dashboard
 * role granted SELECT on kpi.definitions before plans existed must not lose
 * its scorecard on the update to 0.2.0.  So everyone may SELECT the table,
 * and row-level security shows its rows only to roles that may SELECT
 * kpi.definitions.  Writing takes the usual grants (INSERT, UPDATE, DELETE
 * on kpi.plans); the write policies only let them through.
 */
GRANT SELECT ON kpi.plans TO PUBLIC;
ALTER TABLE kpi.plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY plans_read_with_definitions ON kpi.plans FOR SELECT
	USING (pg_catalog.has_table_privilege('kpi.definitions', 'SELECT'));
COMMENT ON POLICY plans_read_with_definitions ON kpi.plans IS
	'A plan is visible to the roles that may SELECT kpi.definitions.';
CREATE POLICY plans_insert ON kpi.plans FOR INSERT WITH CHECK (true);
COMMENT ON POLICY plans_insert ON kpi.plans IS 'Inserting takes INSERT on kpi.plans, nothing more.';
CREATE POLICY plans_update ON kpi.plans FOR UPDATE USING (true) WITH CHECK (true);
COMMENT ON POLICY plans_update ON kpi.plans IS 'Updating takes UPDATE on kpi.plans, nothing more.';
CREATE POLICY plans_delete ON kpi.plans FOR DELETE USING (true);
COMMENT ON POLICY plans_delete ON kpi.plans IS 'Deleting takes DELETE on kpi.plans, nothing more.';

------------------------------------------------------------------------------
-- Validation.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.plan_problems(kpi_name text, plan_segment text DEFAULT NULL) RETURNS text[]
	LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
	WITH d AS (
		SELECT k.name, k.target, k.starts_on, k.due_on FROM kpi.definitions AS k WHERE k.name = kpi_name
	), p AS (
		SELECT pl.* FROM kpi.plans AS pl
		WHERE pl.name = kpi_name AND pl.segment IS NOT DISTINCT FROM plan_segment
	), last_period AS (
		SELECT p.* FROM p ORDER BY p.period_start DESC LIMIT 1
	)
	SELECT COALESCE(pg_catalog.array_agg(m.message ORDER BY m.position, m.message), '{}')
	FROM (
		SELECT 1 AS position, pg_catalog.format(kpi.translate(
				   'The %s from %s overlaps the %s from %s: remove one of them.',
				   'Der Zeitraum (%s) ab %s überschneidet sich mit dem (%s) ab %s: entfernen Sie einen davon.'),
				   a.grain, kpi.show_date(a.period_start), b.grain, kpi.show_date(b.period_start)) AS message
		FROM p AS a JOIN p AS b ON a.period_start < b.period_start AND b.period_start < a.period_end
		UNION ALL
		SELECT 2, kpi.translate('The KPI has no starts_on and due_on: set them before it gets a plan.',
								'Die Kennzahl hat kein starts_on und due_on: setzen Sie diese, bevor sie einen Plan bekommt.')
		FROM d WHERE (d.starts_on IS NULL OR d.due_on IS NULL) AND EXISTS (SELECT FROM p)
		UNION ALL
		SELECT 3, pg_catalog.format(kpi.translate(
				   'The %s from %s to %s is not within starts_on %s and due_on %s: every period must lie between them.',
				   'Der Zeitraum (%s) von %s bis %s liegt nicht zwischen starts_on %s und due_on %s: jeder Zeitraum muss dazwischen liegen.'),
				   p.grain, kpi.show_date(p.period_start), kpi.show_date(p.period_end - 1),
				   kpi.show_date(d.starts_on), kpi.show_date(d.due_on))
		FROM p, d WHERE p.period_start < d.starts_on OR p.period_end - 1 > d.due_on
		UNION ALL
		SELECT 4, pg_catalog.format(kpi.translate(
				   'The plan ends at %s in the %s from %s, not at the target %s: end it at the target, or say why in that row''s note.',
				   'Der Plan endet mit %s im Zeitraum (%s) ab %s, nicht beim Zielwert %s: beenden Sie ihn beim Zielwert oder begründen Sie es in der Spalte note dieser Zeile.'),
				   kpi.show_number(l.target), l.grain, kpi.show_date(l.period_start), COALESCE(kpi.show_number(d.target), 'NULL'))
		FROM last_period AS l, d
		WHERE plan_segment IS NULL
		  AND (d.target IS NULL OR pg_catalog.abs(l.target - d.target) > 1e-9 * GREATEST(1, pg_catalog.abs(d.target)))
		  AND COALESCE(pg_catalog.btrim(l.note), '') = ''
	) AS m;
END;
COMMENT ON FUNCTION kpi.plan_problems(text, text) IS
	'Why the plan of the KPI called kpi_name (for one segment of it, or the whole KPI when plan_segment is NULL) is not valid: overlapping periods, periods outside starts_on..due_on, a whole-KPI plan that ends elsewhere than the target without a note. Empty when it is valid.';

CREATE FUNCTION kpi.plans_after_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	problems text[];
BEGIN
	-- A restore (check_function_bodies = off) loads the plans as dumped.
	IF pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		RETURN NULL;
	END IF;
	problems := kpi.plan_problems(NEW.name, NEW.segment);
	IF pg_catalog.cardinality(problems) > 0 THEN
		RAISE EXCEPTION '%', pg_catalog.format(kpi.translate('the plan of KPI "%s"%s is not valid', 'der Plan der Kennzahl "%s"%s ist nicht gültig'),
											   NEW.name, CASE WHEN NEW.segment IS NOT NULL THEN
												   pg_catalog.format(kpi.translate(' for segment "%s"', ' für das Segment "%s"'), NEW.segment) ELSE '' END)
			USING ERRCODE = 'check_violation',
				  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
				  HINT = kpi.translate('kpi.plan_problems() lists what is wrong; fix the rows of kpi.plans in the same transaction.',
									   'kpi.plan_problems() nennt, was nicht stimmt; korrigieren Sie die Zeilen von kpi.plans in derselben Transaktion.');
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.plans_after_write() IS
	'Trigger function on kpi.plans: at commit, raises check_violation (23514) with kpi.plan_problems() when the plan a written row belongs to is not valid.';

CREATE CONSTRAINT TRIGGER plans_valid
	AFTER INSERT OR UPDATE ON kpi.plans
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION kpi.plans_after_write();
COMMENT ON TRIGGER plans_valid ON kpi.plans IS
	'Checks at commit that the plan each written row belongs to is valid (kpi.plan_problems); SET CONSTRAINTS kpi.plans_valid IMMEDIATE checks at once.';

------------------------------------------------------------------------------
-- Reading the plan.
------------------------------------------------------------------------------

/*
 * The target of a plan (the whole KPI's when plan_segment is NULL, else that
 * segment's) at a moment: that of its latest period that started before the
 * moment (the period that holds the moment just before it, so the end of a
 * review period reads the plan period it ends in; carried forward over gaps
 * and after the last period); NULL before its first period.
 */
CREATE FUNCTION kpi.plan_period_target(kpi_name text, plan_segment text, at timestamptz) RETURNS double precision
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	planned double precision;
BEGIN
	-- Queries in loops: a loop's query runs as a cursor, which never starts
	-- a parallel worker (see kpi.last_review_period).  One index scan.
	IF plan_segment IS NULL THEN
		FOR planned IN
			SELECT p.target FROM kpi.plans AS p
			WHERE p.name = kpi_name AND p.segment IS NULL AND p.period_start < at
			ORDER BY p.period_start DESC LIMIT 1
		LOOP
			RETURN planned;
		END LOOP;
	ELSE
		FOR planned IN
			SELECT p.target FROM kpi.plans AS p
			WHERE p.name = kpi_name AND p.segment = plan_segment AND p.period_start < at
			ORDER BY p.period_start DESC LIMIT 1
		LOOP
			RETURN planned;
		END LOOP;
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.plan_period_target(text, text, timestamptz) IS
	'Internal: the target of the plan of the KPI called kpi_name (the whole KPI''s when plan_segment is NULL, else that segment''s) at a moment: that of the plan period holding the moment just before it, carried forward over gaps and after the last period; NULL before the first period.';

/*
 * The whole KPI's plan at a moment (kpi.plan_period_target), the baseline
 * before the first period, NULL when the KPI has no plan.
 */
CREATE FUNCTION kpi.plan_target(definition kpi.definitions, at timestamptz) RETURNS double precision
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	planned double precision;
	held boolean;
BEGIN
	-- One query (the scorecard asks for every KPI, most without a plan): the
	-- period that holds the moment just before at, as kpi.plan_period_target
	-- finds it, else whether the KPI has a plan at all.  A loop's query runs
	-- as a cursor, which never starts a parallel worker.
	FOR planned, held IN
		SELECT p.target, p.period_start < at FROM kpi.plans AS p
		WHERE p.name = (definition).name AND p.segment IS NULL
		ORDER BY p.period_start < at DESC NULLS LAST, p.period_start DESC LIMIT 1
	LOOP
		RETURN CASE WHEN held THEN planned WHEN at IS NOT NULL THEN (definition).baseline END;
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.plan_target(kpi.definitions, timestamptz) IS
	'Where the plan of a KPI (kpi.plans, the whole KPI) says it should be at a moment: the target of the period that holds the moment just before it, carried forward over gaps and after the last period; the baseline before the first; NULL when the KPI has no plan.';

/*
 * A KPI broken down by a column of its source, each segment against its own
 * plan (the rows of kpi.plans with that segment): per segment and bucket,
 * the KPI with the definition's filters and segment_column = segment, read
 * as kpi.measure reads it (kpi.measure_series: as the source's owner, after
 * checking the caller's SELECT, segment_column included), and the segment
 * plan's target at the end of the bucket.  One grouped query per segment.
 */
CREATE FUNCTION kpi.segment_series(kpi_name text, segment_column name, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (segment text, bucket_start timestamptz, value double precision,
				   plan_target double precision, attainment double precision, on_plan boolean)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := kpi.definition(kpi_name);
	part kpi.definitions;
	planned text;
	checked boolean := kpi.check_interval('bucket', bucket) AND kpi.check_period(period_start, period_end);
BEGIN
	IF kpi.column_type(d.source, segment_column) IS NULL THEN
		RAISE EXCEPTION 'column "%" does not exist in the source of KPI "%"', segment_column, kpi_name
			USING ERRCODE = 'undefined_column',
				  DETAIL = pg_catalog.format('%s has no column %I.', d.source, segment_column),
				  HINT = 'segment_column names the column of the source whose values the plan''s segments are.';
	END IF;
	IF d.filters ? segment_column THEN
		RAISE EXCEPTION 'KPI "%" already filters on column "%"', kpi_name, segment_column
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Break a KPI down by a column it does not filter on.';
	END IF;
	-- A loop's query runs as a cursor, which never starts a parallel worker.
	FOR planned IN
		SELECT DISTINCT p.segment FROM kpi.plans AS p WHERE p.name = kpi_name AND p.segment IS NOT NULL ORDER BY 1
	LOOP
		part := d;
		part.filters := d.filters || pg_catalog.jsonb_build_object(segment_column, planned);
		RETURN QUERY
			SELECT planned, m.bucket_start, m.value, t.target,
				   CASE WHEN d.direction = 'lower_is_better' THEN t.target / NULLIF(m.value, 0)
						ELSE m.value / NULLIF(t.target, 0) END,
				   CASE d.direction WHEN 'lower_is_better' THEN m.value <= t.target
									WHEN 'higher_is_better' THEN m.value >= t.target END
			FROM kpi.measure_series(part, bucket, period_start, period_end) AS m
			CROSS JOIN LATERAL (SELECT kpi.plan_period_target(kpi_name, planned, m.bucket_end) AS target) AS t
			ORDER BY m.bucket_start;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.segment_series(text, name, interval, timestamptz, timestamptz) IS
	'A KPI broken down by segment_column, each segment of its plan (kpi.plans rows with a segment) against that plan, per bucket [period_start + k·bucket, …) up to period_end: segment, bucket_start, value (the KPI over the rows where segment_column = segment), plan_target (the segment plan''s target at the end of the bucket), attainment (value / plan_target, or plan_target / value when lower is better: 1 = on plan) and on_plan. Read as kpi.measure reads the source (as its owner, after checking the caller''s SELECT, segment_column included).';

/*
 * The steps of the whole KPI's plan, as the SMART "realistic" check judges
 * them: from the baseline at starts_on to each period's target at its end,
 * then from period to period, each as the improvement (in the KPI's
 * direction) it asks for per review period.  The steepest one is returned.
 */
CREATE FUNCTION kpi.plan_steepest_step(definition kpi.definitions,
									   OUT period_start date, OUT required double precision)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- A loop's query runs as a cursor, which never starts a parallel worker.
	FOR period_start, required IN
		SELECT s.period_start, s.required
		FROM (SELECT p.period_start,
					 CASE (definition).direction WHEN 'lower_is_better' THEN -1 ELSE 1 END
					 * (p.target - COALESCE(pg_catalog.lag(p.target) OVER w, (definition).baseline))
					 / NULLIF((p.period_end - COALESCE(pg_catalog.lag(p.period_end) OVER w, (definition).starts_on)) * 86400.0
							  / pg_catalog.date_part('epoch', CASE WHEN (definition).review_every > interval '0'
																   THEN (definition).review_every ELSE interval '7 days' END), 0)
						AS required
			  FROM kpi.plans AS p
			  WHERE p.name = (definition).name AND p.segment IS NULL
			  WINDOW w AS (ORDER BY p.period_start)) AS s
		ORDER BY s.required DESC NULLS LAST
		LIMIT 1
	LOOP
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.plan_steepest_step(kpi.definitions) IS
	'Internal: the steepest step of the whole KPI''s plan (from the baseline at starts_on to the first period''s target at its end, then period to period): the period it leads into and the improvement it needs per review period in the KPI''s direction; NULLs without a plan.';
