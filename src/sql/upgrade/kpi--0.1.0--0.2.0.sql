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
-- The catalog's tables are never scanned in parallel (issue 7): they hold a
-- few dozen to a few thousand rows, where starting a worker costs more than
-- the scan; under low parallel costs the audit started two to four workers
-- per query over kpi.definitions.  The tables new in 0.2.0 are created so.
------------------------------------------------------------------------------

ALTER TABLE kpi.definitions SET (parallel_workers = 0);
ALTER TABLE kpi.smart_verdicts SET (parallel_workers = 0);
ALTER TABLE kpi.reviews SET (parallel_workers = 0);
ALTER TABLE kpi.target_history SET (parallel_workers = 0);

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

	-- The weekly series of every active KPI: one query per source, read as
	-- its owner, a broken KPI without values (kpi.measure_sources).
	RETURN QUERY
	WITH weekly AS (
		SELECT d.name, d.metric, d.source, d.time_column, d.numerator_column, d.denominator_column, d.filters,
			   w.period_start AS bucket_start, w.value
		FROM kpi.measure_sources(ARRAY(SELECT a.name FROM kpi.definitions AS a WHERE a.active),
								 ARRAY(SELECT pg_catalog.generate_series(weeks_start, weeks_end, interval '7 days'))) AS w
			 JOIN kpi.definitions AS d ON d.name = w.name
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
COMMENT ON FUNCTION kpi.audit() IS
	'Audits the active KPIs as a portfolio, one row per finding: too_many (per team, over kpi.max_active_kpis), not_aligned (no joint marketing and sales KPI, no lead-generation or closing-rate KPI), not_smart, redundant (same computation, or weekly series with |r| ≥ 0.95 over the 12 weeks before kpi.as_of()), and stale (no review for twice review_every, from kpi.audit_stale).';

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

COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count, average or funnel_conversion; see doc/smart-catalog.md and doc/funnels.md for the columns each uses.';
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
-- collected by kpi.smart_criteria; kpi.filter_sql is C; and the SQL
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
	AS 'MODULE_PATHNAME', 'kpi_filter_sql'
	-- An untyped literal takes the column's type, as in a hand-written query.
	-- (C: the query builder calls it for every KPI several times per
	-- measurement, and as PL/pgSQL it ran a query of its own each time.)
	LANGUAGE C STABLE PARALLEL SAFE;
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
		-- No period for a definition out of range (kpi.definition_problem):
		-- its arithmetic would fail.
		FROM kpi.review_period(CASE WHEN kpi.definition_problem(definition) IS NULL
									THEN COALESCE(definition.starts_on, date '2000-01-03') END,
							   CASE WHEN definition.review_every > interval '0' THEN definition.review_every
									ELSE interval '7 days' END,
							   as_of, periods_back) AS p
	LOOP
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.last_review_period(kpi.definitions, timestamptz, integer) IS
	'The review period of a KPI that ended last by as_of (kpi.as_of() when not given), or periods_back periods before it: anchored on starts_on (a Monday when unset), review_every long (7 days when unset), in the session''s time zone; NULL for a definition out of range (kpi.definition_problem).';

CREATE OR REPLACE FUNCTION kpi.status(progress double precision, expected_progress double precision) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN CASE
		-- NaN sorts above every number: it would pass as on_track.
		WHEN progress IS NULL OR expected_progress IS NULL
			 OR progress = 'NaN' OR expected_progress = 'NaN' THEN 'no_data'
		WHEN progress >= expected_progress THEN 'on_track'
		WHEN expected_progress - progress
			 < kpi.setting('at_risk_margin')::double precision
			THEN 'at_risk'
		ELSE 'off_track' END;
END
$$;
COMMENT ON FUNCTION kpi.status(double precision, double precision) IS
	'on_track when progress >= expected_progress; at_risk when behind by less than the setting kpi.at_risk_margin (default 0.10); off_track when behind by more; no_data when either is NULL or NaN.';

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
	invalid text := kpi.definition_problem(d);
	read_problem text;
	bounds timestamptz[];
BEGIN
	-- A definition out of range fails every criterion that computes with it
	-- (the write trigger rejects such definitions; older rows may hold one).
	IF invalid IS NOT NULL THEN
		FOREACH criterion_key IN ARRAY '{specific,measurable,attractive,realistic,time_bound}'::text[] LOOP
			verdicts := verdicts || kpi.smart_verdict(criterion_key, ARRAY[invalid], NULL);
		END LOOP;
		FOREACH criterion_key, criterion, passed, detail IN ARRAY verdicts LOOP
			RETURN NEXT;
		END LOOP;
		RETURN;
	END IF;
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
		-- Read as the source's owner; an error of the source is a problem
		-- of this KPI, not of the caller's query.
		SELECT r.value, r.row_count, r.problem INTO current_value, current_rows, read_problem
		FROM kpi.read_source(ARRAY[d], ARRAY[period.period_start, period.period_end], true) AS r;
		IF read_problem IS NOT NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'Reading the source fails: %s', 'Das Lesen der Quelle schlägt fehl: %s'), read_problem);
			measure_blockers := ARRAY[read_problem];
		ELSIF current_rows = 0 THEN
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
		bounds := ARRAY(SELECT s FROM pg_catalog.generate_series((d.starts_on - 12 * every)::timestamptz,
																  d.starts_on::timestamptz, every) AS s
						WHERE s < d.starts_on::timestamptz ORDER BY s) || d.starts_on::timestamptz;
		WITH history AS (
			SELECT bounds[h.period] AS bucket_start,
				   CASE WHEN h.row_count > 0 THEN h.value END AS value
			FROM kpi.read_source(ARRAY[d], bounds, true) AS h
			WHERE bounds[h.period + 1] <= kpi.as_of()
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

-- BEGIN catalog-security (issue 8: findings 2, 6, 7, 8)
------------------------------------------------------------------------------
-- Issue 8, findings 2, 6, 7 and 8 (doc/security.md): every source is read
-- as its owner by kpi.read_source (23_run_as_owner.sql), definitions out of
-- range are rejected and isolated (24_definition_checks.sql), no stale
-- verdict, reviews visible only to roles that may read their source.
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION kpi.measure_problems(definition kpi.definitions, check_privileges boolean DEFAULT true)
	RETURNS text[]
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[] := '{}';
	unreadable text;
	column_name name;
	kind text;
	filter_key text;
	filter_value jsonb;
BEGIN
	IF d.metric IS NULL THEN
		problems := problems || kpi.translate('No metric is set.', 'Es ist keine Kennzahlart (metric) gesetzt.');
	END IF;
	IF d.source IS NULL THEN
		RETURN problems || kpi.translate('No source table or view is set: set source to the table or view the KPI is computed from.',
										 'Es ist keine Quelltabelle oder -sicht gesetzt: setzen Sie source auf die Tabelle oder Sicht, aus der die Kennzahl berechnet wird.');
	END IF;
	-- (has_table_privilege is NULL for a relation that does not exist: no
	-- query for each KPI of each scorecard)
	IF pg_catalog.has_table_privilege(d.source, 'SELECT') IS NULL THEN
		RETURN problems || kpi.translate(
			'The source table or view was dropped: point source at an existing one.',
			'Die Quelltabelle oder -sicht wurde gelöscht: setzen Sie source auf eine bestehende.');
	END IF;
	-- SELECT on the table, or on each column the KPI reads.
	IF check_privileges AND NOT pg_catalog.has_table_privilege(d.source, 'SELECT') THEN
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c.column_name), ', ' ORDER BY c.column_name)
		INTO unreadable
		FROM (SELECT u.column_name
			  FROM pg_catalog.unnest(ARRAY[d.time_column, d.numerator_column, d.denominator_column, d.entity_column]
									 || d.step_columns) AS u(column_name)
			  UNION
			  SELECT f.key::name FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key)) AS c
		WHERE c.column_name IS NOT NULL
		  AND kpi.column_type(d.source, c.column_name) IS NOT NULL
		  AND NOT pg_catalog.has_column_privilege(d.source, c.column_name, 'SELECT');
		IF unreadable IS NOT NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'You lack SELECT on %s (columns %s): ask its owner for access.',
				'Ihnen fehlt das SELECT-Recht auf %s (Spalten %s): bitten Sie den Eigentümer um Zugriff.'),
				d.source, unreadable);
		END IF;
	END IF;
	-- kpi reads a source as its owner (kpi.read_source): not one whose rows
	-- depend on who reads it, unless the caller owns it.
	IF check_privileges THEN
		unreadable := kpi.source_owner_problem(d.source);
		IF unreadable IS NOT NULL THEN
			problems := problems || pg_catalog.format(CASE unreadable
				WHEN 'row_level_security' THEN kpi.translate(
					'%s has row-level security, and kpi reads a source as its owner, whose policies differ from yours: only its owner can measure this KPI (doc/security.md).',
					'%s hat Sicherheit auf Zeilenebene, und kpi liest eine Quelle als ihr Eigentümer, für den andere Richtlinien gelten als für Sie: nur der Eigentümer kann diese Kennzahl messen (doc/security.md).')
				WHEN 'view_of_other_role' THEN kpi.translate(
					'%s is a view of a role whose privileges you lack, and kpi reads a source as its owner, whose identity its functions would see: only roles with its owner''s privileges can measure this KPI; use a table or materialized view (doc/security.md).',
					'%s ist eine Sicht einer Rolle, deren Rechte Ihnen fehlen, und kpi liest eine Quelle als ihr Eigentümer, dessen Identität ihre Funktionen sähen: nur Rollen mit den Rechten des Eigentümers können diese Kennzahl messen; verwenden Sie eine Tabelle oder materialisierte Sicht (doc/security.md).')
				WHEN 'security_invoker' THEN kpi.translate(
					'%s is a security_invoker view, and kpi reads a source as its owner: only its owner can measure this KPI; make it an ordinary view (doc/security.md).',
					'%s ist eine security_invoker-Sicht, und kpi liest eine Quelle als ihr Eigentümer: nur der Eigentümer kann diese Kennzahl messen; machen Sie sie zu einer gewöhnlichen Sicht (doc/security.md).')
				ELSE kpi.translate(
					'%s is a foreign table, and kpi reads a source as its owner, through the owner''s user mapping: only its owner can measure this KPI (doc/security.md).',
					'%s ist eine Fremdtabelle, und kpi liest eine Quelle als ihr Eigentümer, über dessen Benutzerzuordnung: nur der Eigentümer kann diese Kennzahl messen (doc/security.md).') END,
				d.source);
		END IF;
	END IF;

	IF d.time_column IS NULL THEN
		problems := problems || kpi.translate('No time_column is set: name the date or timestamp column of the source.', 'Es ist keine Zeitspalte gesetzt: nennen Sie in time_column die Datums- oder Zeitspalte der Quelle.');
	ELSIF kpi.column_type(d.source, d.time_column) IS NULL THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'%s has no column %I: correct time_column.', '%s hat keine Spalte %I: korrigieren Sie time_column.'), d.source, d.time_column);
	ELSIF kpi.type_kind(kpi.column_type(d.source, d.time_column)) <> 'time' THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The time_column %I is %s, not a date or timestamp.',
			'Die Zeitspalte %I hat den Typ %s statt date oder timestamp.'),
			d.time_column, kpi.column_type(d.source, d.time_column));
	END IF;

	FOREACH column_name IN ARRAY ARRAY[d.numerator_column, d.denominator_column] LOOP
		CONTINUE WHEN column_name IS NULL;
		kind := kpi.type_kind(kpi.column_type(d.source, column_name));
		IF kind IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'%s has no column %I: correct the column name.', '%s hat keine Spalte %I: korrigieren Sie den Spaltennamen.'), d.source, column_name);
		ELSIF column_name = d.numerator_column AND d.metric = 'conversion_rate' AND d.denominator_column IS NULL THEN
			-- kpi.conversion_rate(boolean): true rows / non-NULL rows
			IF kind <> 'boolean' THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The column %I is %s, but a conversion_rate over one column needs a boolean: set denominator_column, or use a boolean column.',
					'Die Spalte %I hat den Typ %s, eine conversion_rate über eine Spalte braucht aber einen Wahrheitswert: setzen Sie denominator_column oder verwenden Sie eine boolean-Spalte.'),
					column_name, kpi.column_type(d.source, column_name));
			END IF;
		ELSIF kind = 'boolean' AND column_name = d.numerator_column AND d.metric = 'count' THEN
			NULL;	-- count counts the rows where it is true
		ELSIF kind <> 'number' THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The column %I is %s, which metric %s cannot use: it needs a number.',
				'Die Spalte %I hat den Typ %s, den die Kennzahlart %s nicht verwenden kann: sie braucht eine Zahl.'),
				column_name, kpi.column_type(d.source, column_name), d.metric);
		END IF;
	END LOOP;

	-- (a query only for a KPI with filters)
	IF d.filters <> '{}'::jsonb THEN
		FOR filter_key, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(d.filters) f LOOP
			IF kpi.column_type(d.source, filter_key::name) IS NULL THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The filter on %I names no column of %s: correct or remove it.', 'Der Filter auf %I nennt keine Spalte von %s: korrigieren oder entfernen Sie ihn.'),
					filter_key, d.source);
			ELSIF pg_catalog.jsonb_typeof(filter_value) IN ('object', 'array') THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The filter on %I must compare with a string, number, boolean or null, not %s.',
					'Der Filter auf %I muss mit einem String, einer Zahl, einem Wahrheitswert oder null vergleichen, nicht mit %s.'),
					filter_key, filter_value);
			END IF;
		END LOOP;
	END IF;
	-- funnel_conversion: its entity, step and window (kpi.funnel_problems)
	RETURN problems || kpi.funnel_problems(d);
END
$$;
COMMENT ON FUNCTION kpi.measure_problems(kpi.definitions, boolean) IS
	'Internal: why a definition cannot be measured (by the caller, unless check_privileges is false), one message per problem; empty when it can. Never fails on a broken definition.';

CREATE OR REPLACE FUNCTION kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.check_period(period_start, period_end);
BEGIN
	-- Read as the source's owner, once the caller's SELECT is checked.
	RETURN (SELECT r.value FROM kpi.read_source(ARRAY[definition], ARRAY[period_start, period_end], false) AS r);
END
$$;
COMMENT ON FUNCTION kpi.measure(kpi.definitions, timestamptz, timestamptz) IS
	'The value of a KPI definition (a row, stored or not) over [period_start, period_end), computed from its source, which the caller must be allowed to SELECT (read as its owner: doc/security.md).';

CREATE OR REPLACE FUNCTION kpi.measure_series(definition kpi.definitions, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.check_interval('bucket', bucket) AND kpi.check_period(period_start, period_end);
	-- Buckets from -infinity never reach period_end (issue 8, bad inputs).
	finite boolean := pg_catalog.isfinite(period_start) AND pg_catalog.isfinite(period_end);
	-- The bucket boundaries, the last one cut at period_end.
	bounds timestamptz[] := CASE WHEN finite THEN
		ARRAY(SELECT s FROM pg_catalog.generate_series(period_start, period_end, bucket) AS s
			  WHERE s < period_end ORDER BY s) || period_end END;
BEGIN
	IF NOT finite THEN
		RAISE EXCEPTION 'a series needs a finite period'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end),
				  HINT = 'Give the first and the last day of the series.';
	END IF;
	IF pg_catalog.cardinality(bounds) < 2 THEN
		RETURN;
	END IF;
	-- One grouped query over the whole range, read as the source's owner.
	RETURN QUERY
	SELECT bounds[r.period], bounds[r.period + 1], r.value, r.row_count
	FROM kpi.read_source(ARRAY[definition], bounds, false) AS r
	ORDER BY r.period;
END
$$;
COMMENT ON FUNCTION kpi.measure_series(kpi.definitions, interval, timestamptz, timestamptz) IS
	'A KPI definition per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

CREATE OR REPLACE FUNCTION kpi.definitions_after_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mode text := kpi.setting('enforce_smart');
	failed_keys text[];
	failed_names text[];
	failed text[];
	invalid text;
BEGIN
	-- pg_dump scripts and pg_restore set check_function_bodies = off, and then
	-- the sources may not be loaded yet: a restore is never held to the
	-- check, and restores the verdicts as dumped.
	IF pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		-- Unchecked: no stored verdict may describe an older version of the
		-- row.  (A restore loads the verdicts after the definitions.)
		DELETE FROM kpi.smart_verdicts AS v WHERE v.name = NEW.name;
		RETURN NULL;
	END IF;
	-- Whatever kpi.enforce_smart says: a definition that would make the
	-- scorecard's arithmetic or query fail for every reader.
	invalid := COALESCE(kpi.definition_problem(NEW), kpi.filter_problem(NEW));
	IF invalid IS NOT NULL THEN
		RAISE EXCEPTION '%', pg_catalog.format(kpi.translate('KPI "%s" is invalid', 'Kennzahl "%s" ist ungültig'), NEW.name)
			USING ERRCODE = 'check_violation',
				  DETAIL = invalid,
				  HINT = kpi.translate('Correct the value; kpi rejects it whatever kpi.enforce_smart says.',
									   'Korrigieren Sie den Wert; kpi weist ihn unabhängig von kpi.enforce_smart ab.');
	END IF;
	-- Inactive definitions are drafts or retired, and are not checked, nor is
	-- anything under kpi.enforce_smart = off: an old verdict would no longer
	-- describe the definition.
	IF mode = 'off' OR NOT NEW.active THEN
		DELETE FROM kpi.smart_verdicts AS v WHERE v.name = NEW.name;
		RETURN NULL;
	END IF;
	SELECT COALESCE(pg_catalog.array_agg(c.criterion_key ORDER BY c.ordinality) FILTER (WHERE NOT c.passed), '{}'),
		   pg_catalog.array_agg(c.criterion ORDER BY c.ordinality) FILTER (WHERE NOT c.passed),
		   pg_catalog.array_agg(c.criterion || ': ' || c.detail ORDER BY c.ordinality) FILTER (WHERE NOT c.passed)
	INTO failed_keys, failed_names, failed
	FROM kpi.smart_criteria(NEW) WITH ORDINALITY AS c;
	IF mode = 'error' AND failed IS NOT NULL THEN
		RAISE EXCEPTION '%', pg_catalog.format(kpi.translate('KPI "%s" is not SMART: %s', 'Kennzahl "%s" ist nicht SMART: %s'),
											   NEW.name, pg_catalog.array_to_string(failed_names, ', '))
			USING ERRCODE = 'check_violation',
				  DETAIL = pg_catalog.array_to_string(failed, E'\n'),
				  HINT = kpi.translate('Fix the definition, store it with active = false as a draft, or set kpi.enforce_smart to warn.',
									   'Korrigieren Sie die Definition, speichern Sie sie mit active = false als Entwurf, oder setzen Sie kpi.enforce_smart auf warn.');
	END IF;
	PERFORM kpi.keep_smart_verdict(NEW.name, failed_keys);
	IF failed IS NOT NULL THEN
		RAISE WARNING '%', pg_catalog.format(kpi.translate('KPI "%s" is not SMART: %s', 'Kennzahl "%s" ist nicht SMART: %s'),
											 NEW.name, pg_catalog.array_to_string(failed_names, ', '))
			USING DETAIL = pg_catalog.array_to_string(failed, E'\n'),
				  HINT = kpi.translate('See kpi.smart_check() for each criterion; set kpi.enforce_smart to error to reject such definitions.',
									   'Siehe kpi.smart_check() für jedes Kriterium; mit kpi.enforce_smart = error werden solche Definitionen abgewiesen.');
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION kpi.definitions_after_write() IS
	'Trigger function on kpi.definitions: rejects with SQLSTATE 23514 a definition out of range or with a filter its column cannot take (always); checks an active definition once per write (unless kpi.enforce_smart = off), warns about (warn) or rejects with SQLSTATE 23514 (error) one that is not SMART, and keeps the verdict in kpi.smart_verdicts (none for inactive or unchecked definitions, nor under check_function_bodies = off).';

CREATE OR REPLACE FUNCTION kpi.measure_many(kpi_names text[], bounds timestamptz[])
	RETURNS TABLE (name text, period_start timestamptz, period_end timestamptz, value double precision)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER ROWS 20
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	unknown text;
	checked boolean;
	i integer;
BEGIN
	IF pg_catalog.cardinality(bounds) < 2 OR pg_catalog.array_position(bounds, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'bounds must hold at least two moments and no NULL'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The bounds given are %s.', bounds),
				  HINT = 'Period k is [bounds[k], bounds[k+1]).';
	END IF;
	FOR i IN 1 .. pg_catalog.cardinality(bounds) - 1 LOOP
		checked := kpi.check_period(bounds[i], bounds[i + 1]);
	END LOOP;
	unknown := (SELECT n FROM pg_catalog.unnest(kpi_names) AS n
				WHERE NOT EXISTS (SELECT FROM kpi.definitions d WHERE d.name = n) LIMIT 1);
	IF unknown IS NOT NULL THEN
		PERFORM kpi.raise_unknown_kpi(unknown);
	END IF;
	-- One query per source, read as its owner (kpi.measure_sources).
	RETURN QUERY SELECT m.name, m.period_start, m.period_end, m.value
		FROM kpi.measure_sources(kpi_names, bounds) AS m;
END
$$;
COMMENT ON FUNCTION kpi.measure_many(text[], timestamptz[]) IS
	'The KPIs named over each period [bounds[k], bounds[k+1]), as kpi.measure computes them, in one grouped query per source (kpi.measure_sources). A KPI that cannot be measured, whose source the caller cannot read, or whose reading fails, gets a NULL value instead of an error.';

ALTER FUNCTION kpi.measure_many(text[], timestamptz, timestamptz) PARALLEL UNSAFE;
ALTER FUNCTION kpi.series(text, interval, timestamptz, timestamptz) PARALLEL UNSAFE;

CREATE OR REPLACE FUNCTION kpi.record_review(kpi_name text, note text) RETURNS kpi.reviews
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
	period record;
	period_value double precision;
	review kpi.reviews;
BEGIN
	IF kpi_name IS NULL THEN
		RAISE EXCEPTION 'KPI name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF note IS NULL OR note !~ '\S' THEN
		RAISE EXCEPTION 'a review needs a note'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Say what the team concluded, e.g. "on track, keep going".';
	END IF;
	d := kpi.definition(kpi_name);
	IF kpi.definition_problem(d) IS NOT NULL THEN
		RAISE EXCEPTION 'KPI "%" is invalid', d.name
			USING ERRCODE = 'invalid_parameter_value', DETAIL = kpi.definition_problem(d);
	END IF;
	period := kpi.last_review_period(d);
	period_value := kpi.measure(d, period.period_start, period.period_end);
	INSERT INTO kpi.reviews (name, reviewed_at, period_start, period_end, value, status, note, source)
	VALUES (d.name, kpi.as_of(), period.period_start, period.period_end, period_value,
			kpi.status(kpi.progress(d, period_value), kpi.expected_progress(d, period.period_end)),
			note, d.source)
	RETURNING * INTO review;
	RETURN review;
END
$$;
COMMENT ON FUNCTION kpi.record_review(text, text) IS
	'Records a review of a KPI in kpi.reviews: the value over its last complete review period and status then, who, when (kpi.as_of()) and the note. Needs SELECT on the source and INSERT on kpi.reviews.';

COMMENT ON FUNCTION kpi.recheck_smart(kpi.definitions) IS
	'Runs the SMART check of a stored definition for the caller (values only from sources the caller may SELECT, each read as its owner) and keeps the verdict in kpi.smart_verdicts; returns whether it is SMART.';
COMMENT ON COLUMN kpi.smart_verdicts.checked_by IS 'The role the check ran for: it measured only sources that role may read.';

ALTER TABLE kpi.reviews ADD COLUMN source regclass;
-- The reviews recorded so far were measured from the source their KPI has now.
UPDATE kpi.reviews AS r SET source = d.source FROM kpi.definitions AS d WHERE d.name = r.name;
COMMENT ON TABLE kpi.reviews IS
	'One row per KPI review (kpi.record_review): who, when, the value over the last complete review period then, and the note. Kept by pg_dump. Row-level security shows a review with a value only to roles that may SELECT the source it was measured from (kpi.may_read_review).';

COMMENT ON COLUMN kpi.reviews.source IS 'The source the value was measured from: only roles that may SELECT it see the review.';

/*
 * A review holds a value measured from the KPI's source, so it is visible
 * only to roles that may read that source, whatever the grants on the table
 * (a catalog writer granted SELECT on every table of schema kpi included).
 * The source is the one the value came from, kept in the row: pointing the
 * definition at another table later does not reveal it.  Reviews without a
 * value are visible to all who may read the table.  The table's owner (the
 * extension's), and roles with BYPASSRLS, see every row, as for any table.
 */
CREATE FUNCTION kpi.may_read_review(source regclass, value double precision) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN value IS NULL OR COALESCE(pg_catalog.has_table_privilege(source, 'SELECT'), false);
COMMENT ON FUNCTION kpi.may_read_review(regclass, double precision) IS
	'Internal: the row-level security rule of kpi.reviews: a review without value, or one whose source the caller may SELECT.';

ALTER TABLE kpi.reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY reviews_of_readable_sources ON kpi.reviews
	USING (kpi.may_read_review(source, value)) WITH CHECK (true);
COMMENT ON POLICY reviews_of_readable_sources ON kpi.reviews IS
	'A review with a value is visible only to roles that may SELECT the source it was measured from.';
-- END catalog-security


------------------------------------------------------------------------------
-- Funnel KPIs in the catalog (issue 11): metric funnel_conversion, with its
-- entity, step and window columns (26_funnel_catalog.sql).  The columns come
-- after those of 0.1.0, as in a fresh install.  The domain's new value is
-- added with the other domain constraints (after the new parts).
------------------------------------------------------------------------------

ALTER TABLE kpi.definitions
	ADD COLUMN entity_column name,
	ADD COLUMN step_columns name[],
	ADD COLUMN funnel_within interval;
COMMENT ON COLUMN kpi.definitions.entity_column IS 'funnel_conversion: the column of source that names the entity going through the funnel (a lead, a user); rows where it is NULL are skipped.';
COMMENT ON COLUMN kpi.definitions.step_columns IS 'funnel_conversion: the boolean columns of source that mark the steps, in order, at least 2 (columns, never SQL text); a NULL counts as false.';
COMMENT ON COLUMN kpi.definitions.funnel_within IS 'funnel_conversion: how long after step 1 the last step may happen, a positive interval without months or years (days count as 24 hours).';
COMMENT ON DOMAIN kpi.metric IS
	'What a KPI computes: conversion_rate, cac, romi, roas, ratio, sum, count, average or funnel_conversion.';

CREATE OR REPLACE FUNCTION kpi.metric_columns_problem(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE
		WHEN (definition).metric IN ('cac', 'romi', 'roas', 'ratio')
			 AND ((definition).numerator_column IS NULL OR (definition).denominator_column IS NULL) THEN
			pg_catalog.format(kpi.translate(
				'Metric %s needs numerator_column and denominator_column.',
				'Die Kennzahlart %s braucht numerator_column und denominator_column.'), (definition).metric)
		WHEN (definition).metric IN ('conversion_rate', 'sum', 'average')
			 AND (definition).numerator_column IS NULL THEN
			pg_catalog.format(kpi.translate(
				'Metric %s needs numerator_column.', 'Die Kennzahlart %s braucht numerator_column.'),
				(definition).metric)
		WHEN (definition).metric IN ('sum', 'average', 'count')
			 AND (definition).denominator_column IS NOT NULL THEN
			pg_catalog.format(kpi.translate(
				'Metric %s uses no denominator_column: remove it, or use metric ratio.',
				'Die Kennzahlart %s verwendet keine denominator_column: entfernen Sie sie oder verwenden Sie ratio.'),
				(definition).metric)
		-- funnel_conversion (doc/funnels.md): the entity, at least two step
		-- columns and the window, and nothing of the other metrics
		WHEN (definition).metric = 'funnel_conversion'
			 AND ((definition).entity_column IS NULL OR (definition).funnel_within IS NULL
				  OR COALESCE(pg_catalog.cardinality((definition).step_columns), 0) < 2) THEN
			kpi.translate(
				'Metric funnel_conversion needs entity_column, step_columns (at least 2 boolean columns, in order) and funnel_within.',
				'Die Kennzahlart funnel_conversion braucht entity_column, step_columns (mindestens 2 boolean-Spalten, in Reihenfolge) und funnel_within.')
		WHEN (definition).metric = 'funnel_conversion'
			 AND ((definition).numerator_column IS NOT NULL OR (definition).denominator_column IS NOT NULL) THEN
			kpi.translate(
				'Metric funnel_conversion uses no numerator_column or denominator_column: its steps are step_columns.',
				'Die Kennzahlart funnel_conversion verwendet keine numerator_column oder denominator_column: ihre Schritte sind step_columns.')
		WHEN (definition).metric <> 'funnel_conversion'
			 AND ((definition).entity_column IS NOT NULL OR (definition).step_columns IS NOT NULL
				  OR (definition).funnel_within IS NOT NULL) THEN
			pg_catalog.format(kpi.translate(
				'Metric %s uses no entity_column, step_columns or funnel_within: remove them, or use metric funnel_conversion.',
				'Die Kennzahlart %s verwendet keine entity_column, step_columns oder funnel_within: entfernen Sie sie oder verwenden Sie funnel_conversion.'),
				(definition).metric)
		END;
COMMENT ON FUNCTION kpi.metric_columns_problem(kpi.definitions) IS
	'Internal: a message when the columns set (numerator and denominator, or for funnel_conversion entity, steps and window) are not the ones the metric uses; NULL when they are.';

-- A SQL-standard body keeps the column list of kpi.definition()'s row as it
-- was when the function was made: made again, it reads the new columns too.
CREATE OR REPLACE FUNCTION kpi.series(kpi_name text, bucket interval, period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, value double precision, target_path double precision, status text)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
BEGIN ATOMIC
	SELECT m.bucket_start, m.value, kpi.target_path(d, m.bucket_end),
		   kpi.status(kpi.progress(d, m.value), kpi.expected_progress(d, m.bucket_end))
	FROM kpi.definition(kpi_name) AS d
	CROSS JOIN LATERAL kpi.measure_series(d, bucket, period_start, period_end) AS m
	ORDER BY m.bucket_start;
END;
