/* kpi 0.1.0 -> 0.2.0 -- changes to objects that 0.1.0 already had */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION kpi UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Only what changed since 0.1.0, in the order of the install script's parts.
 * Objects that are wholly new in 0.2.0 are not written here: the Makefile
 * appends their files (UPGRADE_0_2_0_NEW_PARTS).  test/upgrade.sh proves that
 * 0.1.0 plus this script equals a fresh 0.2.0 install.
 */

------------------------------------------------------------------------------
-- Catalog layout (issue 7): the audit now comes after monitoring
-- (src/sql/35_audit.sql) and calls kpi.audit_stale() directly instead of
-- looking it up at run time.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION kpi.audit() RETURNS TABLE (kind text, kpis text[], detail text)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_active integer := kpi.setting('max_active_kpis')::integer;
	weeks_end timestamptz := pg_catalog.date_trunc('week', kpi.as_of());
	weeks_start timestamptz := pg_catalog.date_trunc('week', kpi.as_of()) - interval '12 weeks';
BEGIN
	-- too_many: more active KPIs per team than kpi.max_active_kpis.
	RETURN QUERY
	SELECT 'too_many', pg_catalog.array_agg(a.name ORDER BY a.name),
		   pg_catalog.format(kpi.translate(
			   'Team %s has %s active KPIs, more than kpi.max_active_kpis = %s: keep the few that drive decisions, such as CAC, ROMI and the conversion rate, and set active = false on the rest.',
			   'Team %s hat %s aktive Kennzahlen, mehr als kpi.max_active_kpis = %s: behalten Sie die wenigen, die Entscheidungen lenken, etwa CAC, ROMI und die Konversionsrate, und setzen Sie bei den übrigen active = false.'),
			   a.team, pg_catalog.count(*), max_active)
	FROM (SELECT DISTINCT d.name, pg_catalog.lower(pg_catalog.btrim(t.team)) AS team
		  FROM kpi.definitions AS d, pg_catalog.unnest(d.teams) AS t(team)
		  WHERE d.active AND pg_catalog.btrim(t.team) <> '') AS a
	GROUP BY a.team
	HAVING pg_catalog.count(*) > max_active
	ORDER BY a.team;

	-- not_aligned: nothing owned jointly by marketing and sales, no lead
	-- generation KPI, or no closing-rate KPI.
	RETURN QUERY
	SELECT 'not_aligned', '{}'::text[], m.message
	FROM (VALUES
		(1, NOT EXISTS (SELECT FROM kpi.definitions AS d
						WHERE d.active
						  AND EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team)
									  WHERE pg_catalog.lower(pg_catalog.btrim(t.team)) = 'marketing')
						  AND EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team)
									  WHERE pg_catalog.lower(pg_catalog.btrim(t.team)) IN ('sales', 'vertrieb'))),
		 kpi.translate(
			 'No active KPI is owned jointly by marketing and sales (teams {marketing,sales}): agree on shared KPIs in a joint meeting, covering both lead generation and the closing rate.',
			 'Keine aktive Kennzahl gehört Marketing und Vertrieb gemeinsam (teams {marketing,sales}): vereinbaren Sie in einem gemeinsamen Termin geteilte Kennzahlen, die Leadgenerierung und Abschlussquote abdecken.')),
		(2, NOT EXISTS (SELECT FROM kpi.definitions AS d WHERE d.active AND d.stage = 'lead'),
		 kpi.translate(
			 'No active KPI measures lead generation (stage lead): add one, e.g. the leads per week or the cost per lead.',
			 'Keine aktive Kennzahl misst die Leadgenerierung (stage lead): ergänzen Sie eine, z. B. Leads pro Woche oder Kosten pro Lead.')),
		(3, NOT EXISTS (SELECT FROM kpi.definitions AS d
						WHERE d.active AND d.stage = 'customer' AND d.metric = 'conversion_rate'),
		 kpi.translate(
			 'No active KPI measures the closing rate (a conversion_rate at stage customer): add one, e.g. customers won per opportunity.',
			 'Keine aktive Kennzahl misst die Abschlussquote (eine conversion_rate mit stage customer): ergänzen Sie eine, z. B. gewonnene Kunden je Verkaufschance.'))
	) AS m(position, missing, message)
	WHERE m.missing
	ORDER BY m.position;

	-- not_smart: every active KPI that fails a SMART criterion.
	RETURN QUERY
	SELECT 'not_smart', ARRAY[d.name],
		   pg_catalog.format(kpi.translate('Fails %s; kpi.smart_check(%L) says why.',
										   'Verfehlt %s; kpi.smart_check(%L) nennt die Gründe.'),
							 pg_catalog.string_agg(c.criterion, ', ' ORDER BY c.ordinality), d.name)
	FROM kpi.definitions AS d
		 CROSS JOIN LATERAL kpi.smart_criteria(d) WITH ORDINALITY AS c
	WHERE d.active AND NOT c.passed
	GROUP BY d.name
	ORDER BY d.name;

	-- redundant: the same computation twice, or weekly series that move together.
	RETURN QUERY
	SELECT 'redundant', pg_catalog.array_agg(d.name ORDER BY d.name),
		   kpi.translate('Same metric, source, columns and filters: keep one of them.',
						 'Gleiche Kennzahlart, Quelle, Spalten und Filter: behalten Sie eine davon.')
	FROM kpi.definitions AS d
	WHERE d.active
	GROUP BY d.metric, d.source, d.time_column, d.numerator_column, d.denominator_column, d.filters
	HAVING pg_catalog.count(*) > 1
	ORDER BY 2;

	RETURN QUERY
	WITH measurable AS (
		SELECT d.*
		FROM kpi.definitions AS d
		WHERE d.active AND kpi.can_measure(d)
	), weekly AS (
		SELECT m.name, m.metric, m.source, m.time_column, m.numerator_column, m.denominator_column, m.filters,
			   w.bucket_start, w.value
		FROM measurable AS m,
			 kpi.measure_series(m::kpi.definitions, interval '7 days', weeks_start, weeks_end) AS w
		WHERE w.row_count > 0 AND w.value IS NOT NULL
	)
	SELECT 'redundant', ARRAY[a.name, b.name],
		   pg_catalog.format(kpi.translate(
			   'Their weekly values over the last 12 weeks correlate at r = %s (%s weeks): they tell the same story, so keep one of them.',
			   'Ihre Wochenwerte der letzten 12 Wochen korrelieren mit r = %s (%s Wochen): sie erzählen dasselbe, behalten Sie eine davon.'),
			   pg_catalog.round(pg_catalog.corr(a.value, b.value)::numeric, 3), pg_catalog.count(*))
	FROM weekly AS a JOIN weekly AS b ON a.bucket_start = b.bucket_start AND a.name < b.name
	-- Pairs that compute the same thing were reported above.
	WHERE (a.metric, a.source, a.time_column, a.numerator_column, a.denominator_column, a.filters)
		  IS DISTINCT FROM (b.metric, b.source, b.time_column, b.numerator_column, b.denominator_column, b.filters)
	GROUP BY a.name, b.name
	HAVING pg_catalog.count(*) >= 4 AND pg_catalog.abs(pg_catalog.corr(a.value, b.value)) >= 0.95
	ORDER BY a.name, b.name;

	-- stale: an active KPI whose last review is older than twice its
	-- review_every, from the reviews of the monitoring part (30_monitor.sql).
	RETURN QUERY SELECT s.kind, s.kpis, s.detail FROM kpi.audit_stale() AS s;
END
$$;

------------------------------------------------------------------------------
-- Settings (issue 7, errors that teach): kpi.setting() is C (src/settings.c),
-- with one short error naming the setting and its allowed values; kpi.settings()
-- lists them.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION kpi.setting(setting_name text) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_setting' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.setting(text) IS
	'The validated value of the setting kpi.<name>, or its default (NULL for an empty kpi.as_of); kpi.settings() lists the settings.';

CREATE FUNCTION kpi.settings(OUT name text, OUT value text, OUT default_value text, OUT allowed text, OUT description text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'kpi_settings_list' LANGUAGE C STABLE PARALLEL SAFE ROWS 6;
COMMENT ON FUNCTION kpi.settings() IS
	'Every kpi.* setting: its value in this session as set (NULL when not set), its default, the values it allows, and what it does.';

------------------------------------------------------------------------------
-- Documentation moved from the README to doc/ (issue 7).
------------------------------------------------------------------------------

COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count or average; see doc/smart-catalog.md for the columns each uses.';
/*
 * Scale-out (issue 9): no function reads its argument types from fn_expr.
 * In 0.1.0 the ratio_agg transition (ratio_summary_accum) and the moving
 * transitions served all sixteen type pairs with one C symbol that asked
 * get_fn_expr_argtype, which returns 0 when Citus's worker_partial_agg calls
 * it through a bare fmgr_info.  Each signature now binds a C symbol compiled
 * for its types.  The 0.1.0 symbols stay in the library for installations
 * that have not run this update yet.
 */
DO $bind_specialised_transitions$
DECLARE
	arg_types CONSTANT text[] := ARRAY['integer', 'bigint', 'numeric', 'double precision'];
	c_names CONSTANT text[] := ARRAY['int4', 'int8', 'numeric', 'float8'];
	fn record;
BEGIN
	FOR i IN 1..4 LOOP
		FOR j IN 1..4 LOOP
			FOR fn IN
				SELECT * FROM (VALUES
					('ratio_summary_accum', 'kpi.ratio', 'kpi_ratio_summary_accum_'),
					('ratio_moving_accum', 'internal', 'kpi_ratio_moving_accum_'),
					('ratio_moving_retract', 'internal', 'kpi_ratio_moving_retract_'),
					('ratio_summary_moving_accum', 'internal', 'kpi_ratio_summary_moving_accum_'),
					('ratio_summary_moving_retract', 'internal', 'kpi_ratio_summary_moving_retract_')
				) AS f(name, state_type, c_prefix)
			LOOP
				EXECUTE pg_catalog.format(
					'CREATE OR REPLACE FUNCTION kpi.%1$I(%2$s, %3$s, %4$s) RETURNS %2$s '
					'AS %5$L, %6$L LANGUAGE C IMMUTABLE PARALLEL SAFE',
					fn.name, fn.state_type, arg_types[i], arg_types[j], 'MODULE_PATHNAME',
					fn.c_prefix || c_names[i] || '_' || c_names[j]);
			END LOOP;
		END LOOP;
	END LOOP;
END
$bind_specialised_transitions$;

------------------------------------------------------------------------------
-- Catalog code without a query per call (issue 7: the forced-parallel pass).
-- A SQL function that is not inlined, a PERFORM and a RETURN QUERY each plan
-- a query, which under force_parallel_mode starts a parallel worker: the
-- SMART check ran dozens per definition.  The argument checks return true so
-- that callers assign them; kpi.smart_verdict returns one kpi.smart_criterion,
-- collected by kpi.smart_criteria; kpi.filter_sql is PL/pgSQL; and the SQL
-- helpers lose STRICT where their body is NULL for NULL by itself (and their
-- SET search_path, below) so that the planner inlines them.
------------------------------------------------------------------------------

DROP FUNCTION kpi.check_interval(text, interval);
DROP FUNCTION kpi.check_period(timestamptz, timestamptz);
DROP FUNCTION kpi.smart_verdict(text, text[], text);

CREATE TYPE kpi.smart_criterion AS (criterion_key text, criterion text, passed boolean, detail text);
COMMENT ON TYPE kpi.smart_criterion IS
	'Internal: one SMART criterion as kpi.smart_criteria returns it: a language-independent key, the name in kpi.language, passed, and the detail.';

CREATE FUNCTION kpi.check_interval(what text, every interval) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF every <= interval '0' THEN
		RAISE EXCEPTION '% must be a positive interval', what
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The %s given is %s.', what, every);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_interval(text, interval) IS
	'Internal: true, or raises invalid_parameter_value (22023) unless the interval called what is positive.';

CREATE FUNCTION kpi.check_period(period_start timestamptz, period_end timestamptz) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF period_end < period_start THEN
		RAISE EXCEPTION 'period ends before it starts'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_period(timestamptz, timestamptz) IS
	'Internal: true, or raises invalid_parameter_value (22023) when the period [period_start, period_end) ends before it starts.';

CREATE OR REPLACE FUNCTION kpi.review_period(anchor date, every interval, as_of timestamptz,
								  periods_back integer DEFAULT 0)
	RETURNS TABLE (period_start timestamptz, period_end timestamptz)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	origin timestamptz := anchor::timestamptz;
	k bigint;
	checked boolean;
BEGIN
	checked := kpi.check_interval('review period', every);
	-- Estimate k with 30-day months, then step to the exact last period that
	-- has ended by as_of: calendar arithmetic (months, DST) decides.
	k := pg_catalog.floor(pg_catalog.date_part('epoch', as_of - origin)
						  / pg_catalog.date_part('epoch', every))::bigint - 1;
	WHILE origin + every * (k + 1) <= as_of LOOP
		k := k + 1;
	END LOOP;
	WHILE origin + every * (k + 1) > as_of LOOP
		k := k - 1;
	END LOOP;
	k := k - periods_back;
	period_start := origin + every * k;
	period_end := origin + every * (k + 1);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION kpi.review_period(date, interval, timestamptz, integer) IS
	'The review period [anchor + k·every, anchor + (k+1)·every) that ended last by as_of (periods_back = 0), or periods_back periods before it; session time zone.';

CREATE OR REPLACE FUNCTION kpi.column_type(source regclass, column_name name) RETURNS regtype
	AS 'MODULE_PATHNAME', 'kpi_column_type'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.column_type(regclass, name) IS
	'Internal: the type of a column of a table or view (the base type for a domain); NULL when there is no such column.';


CREATE OR REPLACE FUNCTION kpi.type_kind(column_type regtype) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE
		WHEN column_type IS NULL THEN NULL
		WHEN column_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
							 'numeric'::regtype, 'real'::regtype, 'double precision'::regtype) THEN 'number'
		WHEN column_type = 'boolean'::regtype THEN 'boolean'
		WHEN column_type IN ('date'::regtype, 'timestamp without time zone'::regtype,
							 'timestamp with time zone'::regtype) THEN 'time'
		ELSE 'other' END;
COMMENT ON FUNCTION kpi.type_kind(regtype) IS
	'Internal: number, boolean, time or other: how a column of that type can serve a KPI.';

CREATE OR REPLACE FUNCTION kpi.number_expression(source regclass, column_name name) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN source IS NOT NULL AND column_name IS NOT NULL THEN
		pg_catalog.format('%I::%s', column_name,
			CASE kpi.column_type(source, column_name)
				WHEN 'smallint'::regtype THEN 'pg_catalog.int4'
				WHEN 'integer'::regtype THEN 'pg_catalog.int4'
				WHEN 'bigint'::regtype THEN 'pg_catalog.int8'
				WHEN 'numeric'::regtype THEN 'pg_catalog.numeric'
				ELSE 'pg_catalog.float8' END) END;
COMMENT ON FUNCTION kpi.number_expression(regclass, name) IS
	'Internal: a numeric column as an SQL expression cast to integer, bigint, numeric or double precision.';

CREATE OR REPLACE FUNCTION kpi.filter_sql(definition kpi.definitions) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- An untyped literal takes the column's type, as in a hand-written query.
	-- (PL/pgSQL rather than SQL: a SQL function's one query would be planned
	-- on every call, and get a parallel worker of its own under
	-- force_parallel_mode.)
	RETURN (SELECT pg_catalog.string_agg(
					   CASE WHEN pg_catalog.jsonb_typeof(f.value) = 'null' THEN pg_catalog.format('%I IS NULL', f.key)
							ELSE pg_catalog.format('%I = %L', f.key, f.value #>> '{}') END,
					   ' AND ' ORDER BY f.key)
			FROM pg_catalog.jsonb_each((definition).filters) AS f);
END
$$;
COMMENT ON FUNCTION kpi.filter_sql(kpi.definitions) IS
	'Internal: the equality filters of a definition as an SQL condition of quoted identifiers and literals, ANDed in key order; NULL when it has none.';

CREATE FUNCTION kpi.smart_verdict(key text, problems text[], passed_detail text)
	RETURNS kpi.smart_criterion
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN ROW(key,
			   CASE key
				   WHEN 'specific' THEN kpi.translate('specific', 'Spezifisch')
				   WHEN 'measurable' THEN kpi.translate('measurable', 'Messbar')
				   WHEN 'attractive' THEN kpi.translate('attractive', 'Attraktiv')
				   WHEN 'realistic' THEN kpi.translate('realistic', 'Realistisch')
				   WHEN 'time_bound' THEN kpi.translate('time_bound', 'Termingebunden') END,
			   COALESCE(pg_catalog.cardinality(problems), 0) = 0,
			   CASE WHEN COALESCE(pg_catalog.cardinality(problems), 0) = 0 THEN passed_detail
					ELSE pg_catalog.array_to_string(problems, ' ') END)::kpi.smart_criterion;
END
$$;
COMMENT ON FUNCTION kpi.smart_verdict(text, text[], text) IS
	'Internal: a row of kpi.smart_criteria from the criterion, its problems and the detail to show when there are none; the name follows kpi.language.';


CREATE OR REPLACE FUNCTION kpi.last_review_period(definition kpi.definitions,
									   as_of timestamptz DEFAULT kpi.as_of(),
									   periods_back integer DEFAULT 0,
									   OUT period_start timestamptz, OUT period_end timestamptz)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The one row of kpi.review_period, read by a loop: a loop's query runs
	-- as a cursor, which never starts a parallel worker, while SELECT INTO
	-- would for every KPI of the scorecard under force_parallel_mode.
	FOR period_start, period_end IN
		SELECT p.period_start, p.period_end
		FROM kpi.review_period(COALESCE(definition.starts_on, date '2000-01-03'),
							   CASE WHEN definition.review_every > interval '0' THEN definition.review_every
									ELSE interval '7 days' END,
							   as_of, periods_back) AS p
	LOOP
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.last_review_period(kpi.definitions, timestamptz, integer) IS
	'The review period of a KPI that ended last by as_of (kpi.as_of() when not given), or periods_back periods before it: anchored on starts_on (a Monday when unset), review_every long (7 days when unset), in the session''s time zone.';

CREATE OR REPLACE FUNCTION kpi.status(progress double precision, expected_progress double precision) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN CASE
		WHEN progress IS NULL OR expected_progress IS NULL THEN 'no_data'
		WHEN progress >= expected_progress THEN 'on_track'
		WHEN expected_progress - progress
			 < kpi.setting('at_risk_margin')::double precision
			THEN 'at_risk'
		ELSE 'off_track' END;
END
$$;
COMMENT ON FUNCTION kpi.status(double precision, double precision) IS
	'on_track when progress >= expected_progress; at_risk when behind by less than the setting kpi.at_risk_margin (default 0.10); off_track when behind by more; no_data when either is NULL.';

CREATE OR REPLACE FUNCTION kpi.smart_criteria(definition kpi.definitions)
	RETURNS TABLE (criterion_key text, criterion text, passed boolean, detail text)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[];
	measure_blockers text[];
	period record;
	current_value double precision;
	current_rows bigint;
	span_days integer;
	periods_to_due double precision;
	required double precision;
	best double precision;
	history_periods integer;
	found text;		-- what the realistic check found
	steepest record;	-- the plan's steepest step (kpi.plans), if it has a plan
	verdicts kpi.smart_criterion[] := '{}';
	sign double precision := CASE d.direction WHEN 'lower_is_better' THEN -1 ELSE 1 END;
	-- The review period; weekly when review_every is unset or not positive
	-- (time_bound reports that).
	every interval := CASE WHEN d.review_every > interval '0' THEN d.review_every ELSE interval '7 days' END;
BEGIN
	-- specific: the rules that fail, in this order
	problems := ARRAY(
		SELECT r.message
		FROM (VALUES
			(1, d.name IS NULL OR d.name !~ '^[a-z][a-z0-9_]*$',
			 kpi.translate('The name is not a lower-case identifier: use one such as cac_paid_search.',
						   'Der Name ist kein kleingeschriebener Bezeichner: verwenden Sie einen wie cac_paid_search.')),
			(2, pg_catalog.btrim(COALESCE(d.title, '')) = '',
			 kpi.translate('No title is set: give the KPI a short title.',
						   'Es ist kein Titel gesetzt: geben Sie der Kennzahl einen kurzen Titel.')),
			(3, COALESCE(pg_catalog.array_length(pg_catalog.regexp_split_to_array(pg_catalog.btrim(d.description), '\s+'), 1), 0) < 4,
			 kpi.translate('The description is missing or shorter than a sentence: say in at least four words what the KPI means.',
						   'Die Beschreibung fehlt oder ist kürzer als ein Satz: sagen Sie in mindestens vier Wörtern, was die Kennzahl bedeutet.')),
			(4, pg_catalog.btrim(COALESCE(d.owner, '')) = '',
			 kpi.translate('No owner is set: name the person accountable for the KPI.',
						   'Es ist kein Verantwortlicher gesetzt: nennen Sie die Person, die für die Kennzahl verantwortlich ist.')),
			(5, NOT EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team) WHERE pg_catalog.btrim(t.team) <> ''),
			 kpi.translate('No team is set: list the teams it belongs to, e.g. {marketing,sales}.',
						   'Es ist kein Team gesetzt: nennen Sie die Teams, zu denen sie gehört, z. B. {marketing,sales}.')),
			(6, kpi.metric_columns_problem(d) IS NOT NULL, kpi.metric_columns_problem(d))
		) AS r(position, failing, message)
		WHERE r.failing
		ORDER BY r.position);
	verdicts := verdicts || kpi.smart_verdict('specific', problems,
		pg_catalog.format(kpi.translate('One metric (%s), described, owned by %s, for %s.',
												 'Eine Kennzahl (%s), beschrieben, verantwortet von %s, für %s.'),
								   d.metric, d.owner, pg_catalog.array_to_string(d.teams, ', ')));

	-- measurable
	measure_blockers := kpi.measure_problems(d);
	IF kpi.metric_columns_problem(d) IS NOT NULL AND measure_blockers = '{}' THEN
		measure_blockers := measure_blockers || kpi.translate(
			'It cannot be computed until the metric has the columns it needs (see specific).',
			'Sie kann erst berechnet werden, wenn die Kennzahlart ihre Spalten hat (siehe Spezifisch).');
	END IF;
	problems := measure_blockers;
	period := kpi.last_review_period(d);
	IF measure_blockers = '{}' THEN
		SELECT m.value, m.row_count INTO current_value, current_rows
		FROM kpi.measure_series(d, period.period_end - period.period_start,
								period.period_start, period.period_end) AS m;
		IF current_rows = 0 THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The source has no rows for the last full review period [%s, %s): load the data, or check time_column and filters.',
				'Die Quelle hat keine Zeilen für den letzten vollen Berichtszeitraum [%s, %s): laden Sie die Daten oder prüfen Sie time_column und filters.'),
				kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date));
		ELSIF current_value IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The value for the last full review period [%s, %s) is NULL, as the denominator sums to zero or the values are NULL: check the columns and filters.',
				'Der Wert für den letzten vollen Berichtszeitraum [%s, %s) ist NULL, da der Nenner null ergibt oder die Werte NULL sind: prüfen Sie Spalten und Filter.'),
				kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date));
		END IF;
	END IF;
	problems := problems || ARRAY(
		SELECT r.message
		FROM (VALUES
			(1, d.baseline IS NULL,
			 kpi.translate('No baseline is set: record the value the KPI starts from.',
						   'Es ist kein Ausgangswert (baseline) gesetzt: tragen Sie den Wert ein, von dem die Kennzahl startet.')),
			(2, d.target IS NULL,
			 kpi.translate('No target is set: set the value to reach by due_on.',
						   'Es ist kein Zielwert (target) gesetzt: setzen Sie den Wert, der bis due_on erreicht werden soll.')),
			(3, pg_catalog.btrim(COALESCE(d.unit, '')) = '',
			 kpi.translate('No unit is set: say what the number counts, e.g. EUR or ratio.',
						   'Es ist keine Einheit (unit) gesetzt: sagen Sie, was die Zahl zählt, z. B. EUR oder ratio.'))
		) AS r(position, failing, message)
		WHERE r.failing
		ORDER BY r.position);
	verdicts := verdicts || kpi.smart_verdict('measurable', problems,
		pg_catalog.format(kpi.translate('Computes %s %s for the last full review period [%s, %s).',
												 'Ergibt %s %s für den letzten vollen Berichtszeitraum [%s, %s).'),
								   kpi.show_number(current_value), d.unit, kpi.show_date(period.period_start::date), kpi.show_date(period.period_end::date)));

	-- attractive
	problems := '{}';
	IF d.direction IS NULL THEN
		problems := problems || kpi.translate(
			'No direction is set: say whether higher_is_better or lower_is_better.',
			'Es ist keine Richtung (direction) gesetzt: sagen Sie, ob higher_is_better oder lower_is_better gilt.');
	END IF;
	IF d.baseline IS NULL OR d.target IS NULL THEN
		problems := problems || kpi.translate(
			'Without baseline and target there is no improvement to judge: set both.',
			'Ohne Ausgangs- und Zielwert lässt sich keine Verbesserung beurteilen: setzen Sie beide.');
	ELSIF d.direction = 'higher_is_better' AND d.target <= d.baseline THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The target %s is not above the baseline %s, though higher is better: set a target above the baseline.',
			'Der Zielwert %s liegt nicht über dem Ausgangswert %s, obwohl höher besser ist: setzen Sie einen Zielwert über dem Ausgangswert.'),
			kpi.show_number(d.target), kpi.show_number(d.baseline));
	ELSIF d.direction = 'lower_is_better' AND d.target >= d.baseline THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The target %s is not below the baseline %s, though lower is better: set a target below the baseline.',
			'Der Zielwert %s liegt nicht unter dem Ausgangswert %s, obwohl niedriger besser ist: setzen Sie einen Zielwert unter dem Ausgangswert.'),
			kpi.show_number(d.target), kpi.show_number(d.baseline));
	END IF;
	IF pg_catalog.btrim(COALESCE(d.objective, '')) = '' THEN
		problems := problems || kpi.translate('No objective is stated: name the business goal the KPI serves.',
											  'Es ist kein Ziel (objective) genannt: nennen Sie das Geschäftsziel, dem die Kennzahl dient.');
	END IF;
	verdicts := verdicts || kpi.smart_verdict('attractive', problems,
		pg_catalog.format(kpi.translate('The target %s improves on the baseline %s (%s is better) and serves the objective: %s',
												 'Der Zielwert %s verbessert den Ausgangswert %s (%s ist besser) und dient dem Ziel: %s'),
								   kpi.show_number(d.target), kpi.show_number(d.baseline),
								   CASE d.direction WHEN 'lower_is_better' THEN kpi.translate('lower', 'niedriger')
													ELSE kpi.translate('higher', 'höher') END,
								   d.objective));

	-- realistic
	problems := '{}';
	found := NULL;
	IF d.baseline IS NULL OR d.target IS NULL OR d.direction IS NULL OR d.starts_on IS NULL OR d.due_on IS NULL THEN
		problems := ARRAY[kpi.translate(
			'Cannot judge without baseline, target, direction, starts_on and due_on: set them.',
			'Ohne Ausgangswert, Zielwert, Richtung, starts_on und due_on nicht zu beurteilen: setzen Sie diese.')];
	ELSIF d.due_on <= d.starts_on THEN
		problems := ARRAY[kpi.translate('Cannot judge: due_on must be after starts_on (see time_bound).',
										'Nicht zu beurteilen: due_on muss nach starts_on liegen (siehe Termingebunden).')];
	ELSIF measure_blockers <> '{}' THEN
		problems := ARRAY[kpi.translate('Cannot judge: the KPI cannot be computed (see measurable).',
										'Nicht zu beurteilen: die Kennzahl kann nicht berechnet werden (siehe Messbar).')];
	ELSE
		-- Up to 12 review periods before starts_on that have ended by now.
		WITH history AS (
			SELECT h.bucket_start, h.bucket_end,
				   CASE WHEN h.row_count > 0 THEN h.value END AS value
			FROM kpi.measure_series(d, every, d.starts_on - 12 * every,
									d.starts_on::timestamptz) AS h
			WHERE h.bucket_end <= kpi.as_of()
		), steps AS (
			SELECT h.value, sign * (h.value - pg_catalog.lag(h.value) OVER (ORDER BY h.bucket_start)) AS improvement
			FROM history h
		)
		SELECT pg_catalog.count(s.value), pg_catalog.max(s.improvement)
		INTO history_periods, best
		FROM steps s;

		span_days := d.due_on - d.starts_on;
		periods_to_due := span_days * 86400.0
			/ pg_catalog.date_part('epoch', every);
		required := sign * (d.target - d.baseline) / periods_to_due;
		-- With a plan, its steepest step is what has to be realistic.
		steepest := kpi.plan_steepest_step(d);
		required := COALESCE(steepest.required, required);
		IF history_periods < 4 THEN
			problems := ARRAY[pg_catalog.format(kpi.translate(
				'Not enough history: %s review periods with data in the 12 before starts_on, and at least 4 are needed to judge the target.',
				'Nicht genug Historie: %s Berichtszeiträume mit Daten in den 12 vor starts_on, mindestens 4 sind nötig, um den Zielwert zu beurteilen.'),
				history_periods)];
		ELSIF best IS NULL THEN
			problems := ARRAY[kpi.translate(
				'Not enough history: no two consecutive review periods before starts_on have data.',
				'Nicht genug Historie: keine zwei aufeinanderfolgenden Berichtszeiträume vor starts_on haben Daten.')];
		ELSIF steepest.required IS NOT NULL THEN
			found := pg_catalog.format(CASE WHEN required <= best
				THEN kpi.translate(
					'The plan''s steepest step, into the period from %s, needs an improvement of %s per review period; the best between two consecutive periods of the last %s was %s.',
					'Der steilste Schritt des Plans, in den Zeitraum ab %s, verlangt eine Verbesserung um %s je Berichtszeitraum; die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war %s.')
				ELSE kpi.translate(
					'The plan''s steepest step, into the period from %s, needs an improvement of %s per review period, but the best between two consecutive periods of the last %s was %s: spread that step over more periods, lower the target or allow more time.',
					'Der steilste Schritt des Plans, in den Zeitraum ab %s, verlangt eine Verbesserung um %s je Berichtszeitraum, die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war aber %s: verteilen Sie diesen Schritt auf mehr Zeiträume, senken Sie den Zielwert oder lassen Sie mehr Zeit.')
				END,
				kpi.show_date(steepest.period_start), kpi.show_number(required), history_periods, kpi.show_number(best));
			IF required > best THEN
				problems := ARRAY[found];
			END IF;
		ELSE
			found := pg_catalog.format(CASE WHEN required <= best
				THEN kpi.translate(
					'The target needs an improvement of %s per review period; the best between two consecutive periods of the last %s was %s.',
					'Der Zielwert verlangt eine Verbesserung um %s je Berichtszeitraum; die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war %s.')
				ELSE kpi.translate(
					'The target needs an improvement of %s per review period, but the best between two consecutive periods of the last %s was %s: lower the target or allow more time.',
					'Der Zielwert verlangt eine Verbesserung um %s je Berichtszeitraum, die beste zwischen zwei aufeinanderfolgenden der letzten %s Zeiträume war aber %s: senken Sie den Zielwert oder lassen Sie mehr Zeit.')
				END,
				kpi.show_number(required), history_periods, kpi.show_number(best));
			IF required > best THEN
				problems := ARRAY[found];
			END IF;
		END IF;
	END IF;
	verdicts := verdicts || kpi.smart_verdict('realistic', problems, found);

	-- time_bound
	problems := '{}';
	IF d.starts_on IS NULL OR d.due_on IS NULL THEN
		problems := problems || kpi.translate('starts_on and due_on must both be set: give the KPI a start and a deadline.',
											  'starts_on und due_on müssen beide gesetzt sein: geben Sie der Kennzahl einen Start und eine Frist.');
	ELSIF d.due_on <= d.starts_on THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The deadline %s is not after the start %s: move due_on after starts_on.',
			'Die Frist %s liegt nicht nach dem Start %s: legen Sie due_on nach starts_on.'), kpi.show_date(d.due_on), kpi.show_date(d.starts_on));
	ELSIF d.due_on - d.starts_on < 14 THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The span from %s to %s is %s days, shorter than 14: allow at least two weeks.',
			'Der Zeitraum von %s bis %s umfasst %s Tage, weniger als 14: planen Sie mindestens zwei Wochen ein.'),
			kpi.show_date(d.starts_on), kpi.show_date(d.due_on), d.due_on - d.starts_on);
	END IF;
	IF d.review_every IS NULL OR d.review_every <= interval '0' THEN
		problems := problems || kpi.translate('No review cadence is set: set review_every, e.g. 7 days.',
											  'Es ist kein Berichtsrhythmus gesetzt: setzen Sie review_every, z. B. 7 days.');
	ELSIF d.starts_on IS NOT NULL AND d.due_on > d.starts_on AND d.starts_on + d.review_every >= d.due_on THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'Reviewing every %s leaves no review before the deadline: review more often than the span from starts_on to due_on.',
			'Ein Rhythmus von %s lässt keine Überprüfung vor der Frist zu: prüfen Sie öfter, als der Zeitraum von starts_on bis due_on lang ist.'),
			kpi.show_interval(d.review_every));
	END IF;
	verdicts := verdicts || kpi.smart_verdict('time_bound', problems,
		pg_catalog.format(kpi.translate('From %s to %s (%s days), reviewed every %s.',
												 'Von %s bis %s (%s Tage), Überprüfung alle %s.'),
								   kpi.show_date(d.starts_on), kpi.show_date(d.due_on), d.due_on - d.starts_on, kpi.show_interval(d.review_every)));

	FOREACH criterion_key, criterion, passed, detail IN ARRAY verdicts LOOP
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.smart_criteria(kpi.definitions) IS
	'Internal: the five SMART criteria of a definition with a language-independent key; kpi.smart_check() shows them.';

CREATE OR REPLACE FUNCTION kpi.definition(kpi_name text) RETURNS kpi.definitions
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
BEGIN
	-- An expression, not SELECT INTO, which would plan a query (and under
	-- force_parallel_mode start a worker) on every call.
	d := (SELECT k FROM kpi.definitions AS k WHERE k.name = kpi_name);
	IF d.name IS NULL THEN
		PERFORM kpi.raise_unknown_kpi(kpi_name);
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION kpi.definition(text) IS
	'The row of kpi.definitions called kpi_name; error 42704 when there is none.';

ALTER FUNCTION kpi.show_number(double precision) CALLED ON NULL INPUT;
ALTER FUNCTION kpi.show_date(date) CALLED ON NULL INPUT;
