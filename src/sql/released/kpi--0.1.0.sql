/* kpi 0.1.0 -- core: the kpi.ratio type and the ratio-KPI aggregates */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION kpi" to load this file. \quit

------------------------------------------------------------------------------
-- The type kpi.ratio: a fixed-size, mergeable summary of a ratio KPI.
------------------------------------------------------------------------------

CREATE TYPE kpi.ratio;

CREATE FUNCTION kpi.ratio_in(cstring) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_out(kpi.ratio) RETURNS cstring
	AS 'MODULE_PATHNAME', 'kpi_ratio_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_recv(internal) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.ratio_send(kpi.ratio) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_ratio_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kpi.ratio (
	INPUT = kpi.ratio_in,
	OUTPUT = kpi.ratio_out,
	RECEIVE = kpi.ratio_recv,
	SEND = kpi.ratio_send,
	INTERNALLENGTH = 88,
	ALIGNMENT = double,
	STORAGE = plain
);

COMMENT ON TYPE kpi.ratio IS
	'Mergeable summary of a ratio KPI: row count n, Σnumerator, Σdenominator and the moments Σx², Σy², Σxy. Text form (n=<count>, num=<sum>, den=<sum>, sxx=…, syy=…, sxy=…).';
COMMENT ON FUNCTION kpi.ratio_in(cstring) IS 'Text input of kpi.ratio.';
COMMENT ON FUNCTION kpi.ratio_out(kpi.ratio) IS 'Text output of kpi.ratio; round-trips exactly.';
COMMENT ON FUNCTION kpi.ratio_recv(internal) IS 'Binary input of kpi.ratio (format version 1), validating every field.';
COMMENT ON FUNCTION kpi.ratio_send(kpi.ratio) IS 'Binary output of kpi.ratio (format version 1).';

------------------------------------------------------------------------------
-- Accessors, all returning standard SQL types that BI tools can chart.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.value(kpi.ratio) RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.value(kpi.ratio) IS
	'The KPI value Σnumerator / Σdenominator; NULL when there are no rows or the denominator sum is zero.';

CREATE FUNCTION kpi.romi_value(kpi.ratio) RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_romi_value' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.romi_value(kpi.ratio) IS
	'ROMI of a summary of (revenue, cost): (Σrevenue − Σcost) / Σcost; NULL when the cost sum is zero.';

CREATE FUNCTION kpi.numerator(kpi.ratio) RETURNS numeric
	AS 'MODULE_PATHNAME', 'kpi_ratio_numerator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.numerator(kpi.ratio) IS 'Σnumerator of the summary, exact.';

CREATE FUNCTION kpi.denominator(kpi.ratio) RETURNS numeric
	AS 'MODULE_PATHNAME', 'kpi_ratio_denominator' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.denominator(kpi.ratio) IS 'Σdenominator of the summary, exact.';

CREATE FUNCTION kpi.n(kpi.ratio) RETURNS bigint
	AS 'MODULE_PATHNAME', 'kpi_ratio_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.n(kpi.ratio) IS 'Number of (numerator, denominator) pairs in the summary.';

CREATE CAST (kpi.ratio AS double precision) WITH FUNCTION kpi.value(kpi.ratio);
COMMENT ON CAST (kpi.ratio AS double precision) IS 'The KPI value of the summary, as kpi.value().';

------------------------------------------------------------------------------
-- Operators: + merges, = and <> compare.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.ratio_add(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_add(kpi.ratio, kpi.ratio) IS 'Merges two summaries: the summary of both sets of rows.';

CREATE FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'kpi_ratio_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_eq(kpi.ratio, kpi.ratio) IS 'True when both summaries hold the same count, sums and moments.';

CREATE FUNCTION kpi.ratio_ne(kpi.ratio, kpi.ratio) RETURNS boolean
	AS 'MODULE_PATHNAME', 'kpi_ratio_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_ne(kpi.ratio, kpi.ratio) IS 'True when the summaries differ.';

CREATE OPERATOR kpi.+ (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio,
	FUNCTION = kpi.ratio_add, COMMUTATOR = OPERATOR(kpi.+)
);
COMMENT ON OPERATOR kpi.+ (kpi.ratio, kpi.ratio) IS 'Merges two summaries.';

CREATE OPERATOR kpi.= (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio,
	FUNCTION = kpi.ratio_eq,
	COMMUTATOR = OPERATOR(kpi.=), NEGATOR = OPERATOR(kpi.<>),
	RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel
);
COMMENT ON OPERATOR kpi.= (kpi.ratio, kpi.ratio) IS 'Summaries are equal.';

CREATE OPERATOR kpi.<> (
	LEFTARG = kpi.ratio, RIGHTARG = kpi.ratio,
	FUNCTION = kpi.ratio_ne,
	COMMUTATOR = OPERATOR(kpi.<>), NEGATOR = OPERATOR(kpi.=),
	RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
COMMENT ON OPERATOR kpi.<> (kpi.ratio, kpi.ratio) IS 'Summaries differ.';

------------------------------------------------------------------------------
-- Aggregate support functions that do not depend on the input types.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.ratio_combine(kpi.ratio, kpi.ratio) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_combine(kpi.ratio, kpi.ratio) IS
	'Aggregate support: combines partial kpi.ratio states (parallel query, Citus) and is the transition of kpi.rollup.';

CREATE FUNCTION kpi.ratio_accum_bool(kpi.ratio, boolean) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_accum_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_accum_bool(kpi.ratio, boolean) IS
	'Aggregate support: transition of kpi.conversion_rate(boolean).';

CREATE FUNCTION kpi.ratio_moving_accum_bool(internal, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_accum_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_accum_bool(internal, boolean) IS
	'Aggregate support: moving (window) transition of kpi.conversion_rate(boolean).';

CREATE FUNCTION kpi.ratio_moving_retract_bool(internal, boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_retract_bool' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_retract_bool(internal, boolean) IS
	'Aggregate support: exact inverse moving transition of kpi.conversion_rate(boolean).';

CREATE FUNCTION kpi.ratio_moving_merge(internal, kpi.ratio) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_merge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_merge(internal, kpi.ratio) IS
	'Aggregate support: moving (window) transition of kpi.rollup.';

CREATE FUNCTION kpi.ratio_moving_unmerge(internal, kpi.ratio) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_unmerge' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_unmerge(internal, kpi.ratio) IS
	'Aggregate support: exact inverse moving transition of kpi.rollup.';

CREATE FUNCTION kpi.ratio_moving_value(internal) RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_value(internal) IS
	'Aggregate support: moving final of conversion_rate, cac and roas (Σnumerator / Σdenominator of the frame).';

CREATE FUNCTION kpi.ratio_moving_romi_value(internal) RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_romi_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_romi_value(internal) IS
	'Aggregate support: moving final of romi ((Σrevenue − Σcost) / Σcost of the frame).';

CREATE FUNCTION kpi.ratio_moving_summary(internal) RETURNS kpi.ratio
	AS 'MODULE_PATHNAME', 'kpi_ratio_moving_summary' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_moving_summary(internal) IS
	'Aggregate support: moving final of ratio_agg and rollup (the frame as a kpi.ratio).';

------------------------------------------------------------------------------
-- The aggregates.
--
-- Every STYPE is kpi.ratio, a real type, so that Citus can run them as
-- partial aggregates on its workers; the moving (window) state is internal.
------------------------------------------------------------------------------

CREATE AGGREGATE kpi.rollup(kpi.ratio) (
	SFUNC = kpi.ratio_combine,
	STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_combine,
	MSFUNC = kpi.ratio_moving_merge,
	MINVFUNC = kpi.ratio_moving_unmerge,
	MSTYPE = internal,
	MFINALFUNC = kpi.ratio_moving_summary,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.rollup(kpi.ratio) IS
	'Merges kpi.ratio summaries, e.g. daily summaries into a month; kpi.value() of the result equals the one-step aggregate over the raw rows.';

CREATE AGGREGATE kpi.conversion_rate(boolean) (
	SFUNC = kpi.ratio_accum_bool,
	STYPE = kpi.ratio,
	FINALFUNC = kpi.value,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = kpi.ratio_combine,
	MSFUNC = kpi.ratio_moving_accum_bool,
	MINVFUNC = kpi.ratio_moving_retract_bool,
	MSTYPE = internal,
	MFINALFUNC = kpi.ratio_moving_value,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.conversion_rate(boolean) IS
	'Conversion rate: rows where the argument is true / non-NULL rows. NULL for no rows.';

/*
 * The two-argument aggregates, for every combination of integer, bigint,
 * numeric and double precision, so that e.g. kpi.cac(numeric_spend,
 * integer_customers) resolves without casts and without a per-row cast to a
 * common type.  One C transition function serves all combinations: it reads
 * its argument types once per query.
 */
DO $create_aggregates$
DECLARE
	arg_types CONSTANT text[] := ARRAY['integer', 'bigint', 'numeric', 'double precision'];
	-- the C transition functions are specialised per type pair
	c_names CONSTANT text[] := ARRAY['int4', 'int8', 'numeric', 'float8'];
	x text;
	y text;
	fn record;
	agg record;
BEGIN
	FOR i IN 1..4 LOOP
		FOR j IN 1..4 LOOP
			x := arg_types[i];
			y := arg_types[j];
			FOR fn IN
				SELECT * FROM (VALUES
					('ratio_accum', 'kpi.ratio', 'kpi_ratio_accum_' || c_names[i] || '_' || c_names[j],
					 'Aggregate support: adds one (numerator, denominator) pair to a kpi.ratio state; NULL pairs are skipped; moments are not kept.'),
					('ratio_summary_accum', 'kpi.ratio', 'kpi_ratio_summary_accum',
					 'Aggregate support: transition of ratio_agg; like ratio_accum, and also keeps the moments.'),
					('ratio_moving_accum', 'internal', 'kpi_ratio_moving_accum',
					 'Aggregate support: moving (window) transition of the ratio KPIs, with exact sums.'),
					('ratio_moving_retract', 'internal', 'kpi_ratio_moving_retract',
					 'Aggregate support: exact inverse moving transition of the ratio KPIs.'),
					('ratio_summary_moving_accum', 'internal', 'kpi_ratio_summary_moving_accum',
					 'Aggregate support: moving (window) transition of ratio_agg, which also keeps the moments.'),
					('ratio_summary_moving_retract', 'internal', 'kpi_ratio_summary_moving_retract',
					 'Aggregate support: exact inverse moving transition of ratio_agg.')
				) AS f(name, state_type, c_symbol, description)
			LOOP
				EXECUTE pg_catalog.format(
					'CREATE FUNCTION kpi.%1$I(%2$s, %3$s, %4$s) RETURNS %2$s '
					'AS %5$L, %6$L LANGUAGE C IMMUTABLE PARALLEL SAFE',
					fn.name, fn.state_type, x, y, 'MODULE_PATHNAME', fn.c_symbol);
				EXECUTE pg_catalog.format('COMMENT ON FUNCTION kpi.%1$I(%2$s, %3$s, %4$s) IS %5$L',
										  fn.name, fn.state_type, x, y, fn.description);
			END LOOP;

			FOR agg IN
				SELECT * FROM (VALUES
					('ratio_agg', 'kpi.ratio_summary_accum', NULL, 'kpi.ratio_summary_moving_accum', 'kpi.ratio_summary_moving_retract',
					 'kpi.ratio_moving_summary',
					 'Summary of a ratio KPI over the rows: n, Σnumerator, Σdenominator and moments, mergeable with kpi.rollup.'),
					('conversion_rate', 'kpi.ratio_accum', 'kpi.value', 'kpi.ratio_moving_accum', 'kpi.ratio_moving_retract',
					 'kpi.ratio_moving_value',
					 'Conversion rate Σconversions / Σopportunities; NULL pairs skipped, NULL for no rows or a zero denominator.'),
					('cac', 'kpi.ratio_accum', 'kpi.value', 'kpi.ratio_moving_accum', 'kpi.ratio_moving_retract',
					 'kpi.ratio_moving_value',
					 'Customer acquisition cost Σspend / Σnew_customers; NULL pairs skipped, NULL for no rows or no customers.'),
					('roas', 'kpi.ratio_accum', 'kpi.value', 'kpi.ratio_moving_accum', 'kpi.ratio_moving_retract',
					 'kpi.ratio_moving_value',
					 'Return on ad spend Σrevenue / Σad_spend; NULL pairs skipped, NULL for no rows or zero spend.'),
					('romi', 'kpi.ratio_accum', 'kpi.romi_value', 'kpi.ratio_moving_accum', 'kpi.ratio_moving_retract',
					 'kpi.ratio_moving_romi_value',
					 'Return on marketing investment (Σrevenue − Σcost) / Σcost; NULL pairs skipped, NULL for no rows or zero cost.')
				) AS a(name, sfunc, final, msfunc, minvfunc, mfinal, description)
			LOOP
				EXECUTE pg_catalog.format(
					'CREATE AGGREGATE kpi.%1$I(%2$s, %3$s) ('
					'SFUNC = %8$s, STYPE = kpi.ratio, %4$s'
					'COMBINEFUNC = kpi.ratio_combine, '
					'MSFUNC = %5$s, MINVFUNC = %6$s, MSTYPE = internal, '
					'MFINALFUNC = %7$s, MFINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE)',
					agg.name, x, y,
					CASE WHEN agg.final IS NULL THEN ''
						 ELSE pg_catalog.format('FINALFUNC = %s, FINALFUNC_MODIFY = READ_ONLY, ', agg.final) END,
					agg.msfunc, agg.minvfunc, agg.mfinal, agg.sfunc);
				EXECUTE pg_catalog.format('COMMENT ON AGGREGATE kpi.%1$I(%2$s, %3$s) IS %4$L',
										  agg.name, x, y, agg.description);
			END LOOP;
		END LOOP;
	END LOOP;
END
$create_aggregates$;
/* kpi 0.1.0 -- settings */

/*
 * The kpi.* settings are plain custom settings (SET kpi.language = 'de'),
 * validated here when they are read rather than defined in C.  A setting
 * defined in C only becomes real when the library loads, and if that first
 * load happens inside a parallel query PostgreSQL cannot apply the session's
 * earlier SET to it: the value would silently fall back to its default for
 * the rest of the session.  Reading them here avoids that trap, and a typo
 * in a value is still an error (22023, or 22007 for a malformed kpi.as_of)
 * the first time it matters.
 */
CREATE FUNCTION kpi.setting(setting_name text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	raw text := NULLIF(pg_catalog.btrim(pg_catalog.current_setting('kpi.' || setting_name, true)), '');
	valid text;
BEGIN
	CASE setting_name
		WHEN 'language' THEN
			raw := pg_catalog.lower(COALESCE(raw, 'en'));
			IF raw IN ('en', 'de') THEN RETURN raw; END IF;
			valid := 'Valid values are en and de.';
		WHEN 'enforce_smart' THEN
			raw := pg_catalog.lower(COALESCE(raw, 'warn'));
			IF raw IN ('off', 'warn', 'error') THEN RETURN raw; END IF;
			valid := 'Valid values are off, warn and error.';
		WHEN 'max_active_kpis' THEN
			raw := COALESCE(raw, '5');
			IF raw ~ '^[0-9]{1,4}$' AND raw::integer BETWEEN 1 AND 1000 THEN RETURN raw; END IF;
			valid := 'The value must be an integer from 1 to 1000.';
		WHEN 'at_risk_margin' THEN
			raw := COALESCE(raw, '0.10');
			IF raw ~ '^[0-9]*\.?[0-9]+$' AND raw::numeric BETWEEN 0 AND 1 THEN RETURN raw; END IF;
			valid := 'The value must be a number from 0 to 1.';
		WHEN 'as_of' THEN
			-- A value that is no timestamp fails the cast with 22007.  (No
			-- exception block: that would open a subtransaction, which a
			-- parallel worker cannot.)
			RETURN raw::timestamptz::text;
		ELSE
			RAISE EXCEPTION 'unrecognized kpi setting "%"', setting_name
				USING ERRCODE = 'undefined_object',
					  HINT = 'The settings are kpi.language, kpi.enforce_smart, kpi.max_active_kpis, kpi.at_risk_margin and kpi.as_of.';
	END CASE;
	RAISE EXCEPTION 'invalid value for setting "kpi.%": "%"', setting_name, raw
		USING ERRCODE = 'invalid_parameter_value', HINT = valid;
END
$$;
COMMENT ON FUNCTION kpi.setting(text) IS
	'The validated value of the setting kpi.<name>, or its default: language (en), enforce_smart (warn), max_active_kpis (5), at_risk_margin (0.10), as_of (NULL = now()).';
/* kpi 0.1.0 -- the KPI catalog: definitions, measuring, SMART checks, the portfolio audit */

/*
 * The catalog (issue 3).  What other parts of kpi, such as the monitoring in
 * 30_monitor.sql, can build on; everything runs with the caller's
 * privileges, so a KPI never shows data its caller could not read directly.
 *
 *   kpi.definitions                   the catalog table, kept by pg_dump
 *   kpi.definition(kpi_name text) → kpi.definitions
 *       The stored row; error 42704 for an unknown name.
 *   kpi.as_of() → timestamptz
 *       "Now" for KPI checks and reviews: the setting kpi.as_of, or now() when it is ''.
 *
 *   kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz) → double precision
 *   kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz) → double precision
 *       The KPI's value over [period_start, period_end): one query on its source.
 *
 *   kpi.measure_series(kpi_name text, bucket interval, period_start timestamptz, period_end timestamptz)
 *   kpi.measure_series(definition kpi.definitions, bucket interval, period_start timestamptz, period_end timestamptz)
 *       → TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
 *       One row per bucket [period_start + k·bucket, period_start + (k+1)·bucket)
 *       that starts before period_end, in order; the last bucket ends at
 *       period_end at the latest.  Buckets without rows are kept, with
 *       row_count 0 and the value the metric gives for no rows (NULL, or 0 for
 *       count).  One query on the source: an index range scan per bucket.
 *
 *   kpi.review_period(anchor date, every interval, as_of timestamptz, periods_back integer DEFAULT 0)
 *       → TABLE (period_start timestamptz, period_end timestamptz)
 *       The periods [anchor + k·every, anchor + (k+1)·every), in the session's
 *       time zone, k any integer: periods_back = 0 gives the last one that has
 *       ended by as_of, 1 the one before, and so on.  A KPI's periods are
 *       anchored on its starts_on (kpi.last_review_period).
 *   kpi.last_review_period(definition kpi.definitions, as_of timestamptz DEFAULT kpi.as_of(),
 *                          periods_back integer DEFAULT 0) → (period_start timestamptz, period_end timestamptz)
 *       The KPI's last full review period by as_of, or periods_back before
 *       it: what the measurable check, the scorecard and reviews use.
 *
 *   kpi.smart_check(kpi_name text) / kpi.smart_check(definition kpi.definitions)
 *       → TABLE (criterion text, passed boolean, detail text), in kpi.language
 *   kpi.smart_criteria(definition kpi.definitions)
 *       → TABLE (criterion_key text, criterion text, passed boolean, detail text)
 *       The same with a language-independent key: specific, measurable, attractive, realistic, time_bound.
 *   kpi.smart_report                  view: one row per definition, the five criteria, smart, problems
 *   kpi.smart_verdicts                the verdict of the last SMART check of each active
 *                                     KPI, taken once per write of it; kept by pg_dump
 *   kpi.recheck_smart(kpi_name text) / kpi.recheck_smart(definition kpi.definitions) → boolean
 *       Takes the SMART check again and keeps the verdict.
 *   kpi.audit() → TABLE (kind text, kpis text[], detail text)
 *       too_many, not_aligned, not_smart, redundant; and stale, from
 *       kpi.audit_stale() of the monitoring part when it exists.
 *
 *   kpi.measure_problems(definition kpi.definitions, check_privileges boolean DEFAULT true) → text[]
 *   kpi.metric_columns_problem(definition kpi.definitions) → text
 *       Why a definition cannot be measured (empty array / NULL when it can),
 *       from the system catalogs only: never fails on a broken definition.
 *   kpi.can_measure(definition kpi.definitions) → boolean
 *       Whether the caller can measure it: both of the above find nothing.
 *   kpi.aggregate_sql(definition kpi.definitions, row_filter text) → text
 *   kpi.filter_sql(definition kpi.definitions) → text
 *   kpi.period_sql(source regclass, time_column name, lower_sql text, upper_sql text) → text
 *       The query builder: the metric's aggregate (with FILTER (WHERE
 *       row_filter) when given), the filters as a condition, and the FROM/WHERE
 *       of one period.  kpi.measure, kpi.measure_series and kpi.measure_many
 *       build every query from these.
 *   kpi.translate(english text, german text) → text      by kpi.language
 *   kpi.column_type(regclass, name), kpi.type_kind(regtype), kpi.number_expression(regclass, name)
 *       Column types and casts that measuring uses.
 */

------------------------------------------------------------------------------
-- Closed sets, as domains over text: a typo is an error (SQLSTATE 23514), and
-- clients such as the JDBC driver see plain text, because PostgreSQL reports
-- a domain column as its base type.
------------------------------------------------------------------------------

CREATE DOMAIN kpi.metric AS text
	CONSTRAINT metric_known CHECK (VALUE IN ('conversion_rate', 'cac', 'romi', 'roas', 'ratio',
											 'sum', 'count', 'average'));
COMMENT ON DOMAIN kpi.metric IS
	'What a KPI computes: conversion_rate, cac, romi, roas, ratio, sum, count or average.';

CREATE DOMAIN kpi.direction AS text
	CONSTRAINT direction_known CHECK (VALUE IN ('higher_is_better', 'lower_is_better'));
COMMENT ON DOMAIN kpi.direction IS
	'Which way a KPI improves: higher_is_better or lower_is_better (CAC is lower_is_better).';

CREATE DOMAIN kpi.stage AS text
	CONSTRAINT stage_known CHECK (VALUE IN ('lead', 'opportunity', 'customer', 'revenue'));
COMMENT ON DOMAIN kpi.stage IS
	'The funnel stage a KPI measures: lead, opportunity, customer or revenue. kpi.audit() counts a lead KPI as lead generation, and a conversion_rate at the customer stage as a closing rate.';

------------------------------------------------------------------------------
-- The catalog.
------------------------------------------------------------------------------

CREATE TABLE kpi.definitions (
	name				text PRIMARY KEY
						CONSTRAINT name_is_identifier CHECK (name ~ '^[a-z][a-z0-9_]*$'),
	title				text,
	description			text,
	owner				text,
	teams				text[] NOT NULL DEFAULT '{}',
	objective			text,
	metric				kpi.metric NOT NULL,
	stage				kpi.stage,
	source				regclass,
	time_column			name,
	numerator_column	name,
	denominator_column	name,
	filters				jsonb NOT NULL DEFAULT '{}'
						CONSTRAINT filters_is_object CHECK (pg_catalog.jsonb_typeof(filters) = 'object'),
	unit				text,
	direction			kpi.direction,
	baseline			double precision,
	target				double precision,
	starts_on			date,
	due_on				date,
	review_every		interval DEFAULT '7 days'
						CONSTRAINT review_every_positive CHECK (review_every > interval '0'),
	active				boolean NOT NULL DEFAULT true,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE kpi.definitions IS
	'The KPI catalog: one row per KPI, with what it measures, from which data, and its SMART target. Kept by pg_dump.';
COMMENT ON COLUMN kpi.definitions.name IS 'Lower-case identifier, e.g. cac_paid_search.';
COMMENT ON COLUMN kpi.definitions.title IS 'Short human-readable name.';
COMMENT ON COLUMN kpi.definitions.description IS 'What the KPI means, in at least one sentence (four words or more).';
COMMENT ON COLUMN kpi.definitions.owner IS 'The person accountable for the KPI.';
COMMENT ON COLUMN kpi.definitions.teams IS 'The teams the KPI belongs to, e.g. {marketing}, {sales}, {marketing,sales}.';
COMMENT ON COLUMN kpi.definitions.objective IS 'The business goal the KPI serves.';
COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count or average; see the README for the columns each uses.';
COMMENT ON COLUMN kpi.definitions.stage IS 'Funnel stage: lead, opportunity, customer or revenue; used by kpi.audit() to check alignment.';
COMMENT ON COLUMN kpi.definitions.source IS 'The table or view the KPI is computed from.';
COMMENT ON COLUMN kpi.definitions.time_column IS 'The date, timestamp or timestamptz column of source that places a row in time.';
COMMENT ON COLUMN kpi.definitions.numerator_column IS 'Numerator (or the value, for sum and average; the boolean for a one-column conversion_rate).';
COMMENT ON COLUMN kpi.definitions.denominator_column IS 'Denominator of conversion_rate, cac, romi, roas and ratio.';
COMMENT ON COLUMN kpi.definitions.filters IS 'Equality filters on source columns, combined with AND, e.g. {"channel": "paid_search"}; JSON null means IS NULL.';
COMMENT ON COLUMN kpi.definitions.unit IS 'Unit of the value, e.g. EUR, %, ratio.';
COMMENT ON COLUMN kpi.definitions.direction IS 'higher_is_better or lower_is_better.';
COMMENT ON COLUMN kpi.definitions.baseline IS 'The value when the KPI starts.';
COMMENT ON COLUMN kpi.definitions.target IS 'The value to reach by due_on.';
COMMENT ON COLUMN kpi.definitions.starts_on IS 'First day of the KPI; review periods are anchored on it.';
COMMENT ON COLUMN kpi.definitions.due_on IS 'The day the target is due.';
COMMENT ON COLUMN kpi.definitions.review_every IS 'Review cadence, weekly by default.';
COMMENT ON COLUMN kpi.definitions.active IS 'Inactive KPIs stay in the catalog but are left out of kpi.audit().';
COMMENT ON COLUMN kpi.definitions.created_at IS 'When the definition was created.';
COMMENT ON COLUMN kpi.definitions.updated_at IS 'When the definition was last changed.';

SELECT pg_catalog.pg_extension_config_dump('kpi.definitions', '');

------------------------------------------------------------------------------
-- Small helpers.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.as_of() RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN COALESCE(
		kpi.setting('as_of')::timestamptz,
		pg_catalog.now());
COMMENT ON FUNCTION kpi.as_of() IS
	'"Now" for KPI checks and reviews: the setting kpi.as_of when set, else now().';

-- The message in the session's language (kpi.language: en or de).
CREATE FUNCTION kpi.translate(english text, german text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE kpi.setting('language') WHEN 'de' THEN german ELSE english END;
COMMENT ON FUNCTION kpi.translate(text, text) IS
	'Internal: picks the English or the German text by the setting kpi.language.';

-- Argument checks shared by the functions below: errors 22023.
CREATE FUNCTION kpi.check_interval(what text, every interval) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF every <= interval '0' THEN
		RAISE EXCEPTION '% must be a positive interval', what
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The %s given is %s.', what, every);
	END IF;
END
$$;
COMMENT ON FUNCTION kpi.check_interval(text, interval) IS
	'Internal: raises invalid_parameter_value (22023) unless the interval called what is positive.';

CREATE FUNCTION kpi.check_period(period_start timestamptz, period_end timestamptz) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF period_end < period_start THEN
		RAISE EXCEPTION 'period ends before it starts'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end);
	END IF;
END
$$;
COMMENT ON FUNCTION kpi.check_period(timestamptz, timestamptz) IS
	'Internal: raises invalid_parameter_value (22023) when the period [period_start, period_end) ends before it starts.';

CREATE FUNCTION kpi.review_period(anchor date, every interval, as_of timestamptz,
								  periods_back integer DEFAULT 0)
	RETURNS TABLE (period_start timestamptz, period_end timestamptz)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	origin timestamptz := anchor::timestamptz;
	k bigint;
BEGIN
	PERFORM kpi.check_interval('review period', every);
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

-- The review periods of a definition: anchored on starts_on, or on Monday
-- weeks when it has none (so weekly ones run Monday to Sunday); weekly
-- without a positive review_every (time_bound reports that).
CREATE FUNCTION kpi.last_review_period(definition kpi.definitions,
									   as_of timestamptz DEFAULT kpi.as_of(),
									   periods_back integer DEFAULT 0,
									   OUT period_start timestamptz, OUT period_end timestamptz)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT p.period_start, p.period_end
	FROM kpi.review_period(COALESCE((definition).starts_on, date '2000-01-03'),
						   CASE WHEN (definition).review_every > interval '0' THEN (definition).review_every
								ELSE interval '7 days' END,
						   as_of, periods_back) AS p;
END;
COMMENT ON FUNCTION kpi.last_review_period(kpi.definitions, timestamptz, integer) IS
	'The review period of a KPI that ended last by as_of (kpi.as_of() when not given), or periods_back periods before it: anchored on starts_on (a Monday when unset), review_every long (7 days when unset), in the session''s time zone.';

------------------------------------------------------------------------------
-- Measuring.  The query is built only from the regclass, quoted identifiers
-- (%I) and quoted literals (%L): a definition holds no SQL text.
--
-- The functions that run such a query are PARALLEL UNSAFE, so that a query
-- calling them never runs in parallel mode.  Their own query may well use
-- parallel workers.  But it may be the first in the session to load kpi's C
-- library, which turns the session's kpi.* settings from placeholders into
-- real parameters; in parallel mode PostgreSQL refuses to set parameters, and
-- the settings (kpi.as_of, kpi.language) would silently fall back to their
-- defaults.
------------------------------------------------------------------------------

-- The base type of a column of source, or NULL when it has no such column.
CREATE FUNCTION kpi.column_type(source regclass, column_name name) RETURNS regtype
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN (SELECT COALESCE(NULLIF(t.typbasetype, 0), t.oid)::regtype
			FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
			WHERE a.attrelid = source AND a.attname = column_name
			  AND a.attnum > 0 AND NOT a.attisdropped);
COMMENT ON FUNCTION kpi.column_type(regclass, name) IS
	'Internal: the type of a column of a table or view (the base type for a domain); NULL when there is no such column.';

-- How a column type may be used: 'number', 'boolean', 'time' or 'other'.
CREATE FUNCTION kpi.type_kind(column_type regtype) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE
		WHEN column_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
							 'numeric'::regtype, 'real'::regtype, 'double precision'::regtype) THEN 'number'
		WHEN column_type = 'boolean'::regtype THEN 'boolean'
		WHEN column_type IN ('date'::regtype, 'timestamp without time zone'::regtype,
							 'timestamp with time zone'::regtype) THEN 'time'
		ELSE 'other' END;
COMMENT ON FUNCTION kpi.type_kind(regtype) IS
	'Internal: number, boolean, time or other: how a column of that type can serve a KPI.';

-- The column, cast to the type the core aggregates take, so that overload
-- resolution is never ambiguous (e.g. for smallint or real columns).
CREATE FUNCTION kpi.number_expression(source regclass, column_name name) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.format('%I::%s', column_name,
		CASE kpi.column_type(source, column_name)
			WHEN 'smallint'::regtype THEN 'pg_catalog.int4'
			WHEN 'integer'::regtype THEN 'pg_catalog.int4'
			WHEN 'bigint'::regtype THEN 'pg_catalog.int8'
			WHEN 'numeric'::regtype THEN 'pg_catalog.numeric'
			ELSE 'pg_catalog.float8' END);
COMMENT ON FUNCTION kpi.number_expression(regclass, name) IS
	'Internal: a numeric column as an SQL expression cast to integer, bigint, numeric or double precision.';

/*
 * What is wrong with a definition for measuring it, as one message per
 * problem (an empty array when it can be measured).  The messages follow
 * kpi.language.  The checks use only the system catalogs and privileges, so
 * they never fail on a dropped source or an unreadable table.
 */
CREATE FUNCTION kpi.measure_problems(definition kpi.definitions, check_privileges boolean DEFAULT true)
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
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = d.source) THEN
		RETURN problems || kpi.translate(
			'The source table or view was dropped: point source at an existing one.',
			'Die Quelltabelle oder -sicht wurde gelöscht: setzen Sie source auf eine bestehende.');
	END IF;
	-- SELECT on the table, or on each column the KPI reads.
	IF check_privileges AND NOT pg_catalog.has_table_privilege(d.source, 'SELECT') THEN
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c.column_name), ', ' ORDER BY c.column_name)
		INTO unreadable
		FROM (SELECT u.column_name
			  FROM pg_catalog.unnest(ARRAY[d.time_column, d.numerator_column, d.denominator_column]) AS u(column_name)
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
	RETURN problems;
END
$$;
COMMENT ON FUNCTION kpi.measure_problems(kpi.definitions, boolean) IS
	'Internal: why a definition cannot be measured (by the caller, unless check_privileges is false), one message per problem; empty when it can. Never fails on a broken definition.';

-- The columns a metric needs, as a message when they are not what it takes.
CREATE FUNCTION kpi.metric_columns_problem(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
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
		END;
COMMENT ON FUNCTION kpi.metric_columns_problem(kpi.definitions) IS
	'Internal: a message when the numerator and denominator columns set are not the ones the metric uses; NULL when they are.';

-- Whether the caller can measure a definition: nothing in kpi.measure_problems
-- and the columns its metric needs.  What is not measurable gets no value
-- (kpi.measure_many, the audit's weekly series) instead of an error.
CREATE FUNCTION kpi.can_measure(definition kpi.definitions) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN kpi.measure_problems(definition) = '{}' AND kpi.metric_columns_problem(definition) IS NULL;
COMMENT ON FUNCTION kpi.can_measure(kpi.definitions) IS
	'Internal: whether the caller can measure a definition (its source, columns, filters and privileges are in order); never fails on a broken definition.';

/*
 * The query builder.  Every query that measures a KPI is put together from
 * these three pieces, out of the definition's regclass, quoted identifiers
 * (%I) and quoted literals (%L) only:
 *   kpi.aggregate_sql   the aggregate expression of the metric, optionally
 *                       restricted by a FILTER clause;
 *   kpi.filter_sql      the definition's equality filters as a condition;
 *   kpi.period_sql      FROM the source, WHERE the time column is in a period.
 * kpi.measure and kpi.measure_series (through kpi.measure_query) put the
 * filters in the WHERE clause; kpi.measure_many (monitoring) measures every
 * KPI of a source in one pass, each with its filters in a FILTER clause.
 */

CREATE FUNCTION kpi.filter_sql(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	-- An untyped literal takes the column's type, as in a hand-written query.
	SELECT pg_catalog.string_agg(
			   CASE WHEN pg_catalog.jsonb_typeof(f.value) = 'null' THEN pg_catalog.format('%I IS NULL', f.key)
					ELSE pg_catalog.format('%I = %L', f.key, f.value #>> '{}') END,
			   ' AND ' ORDER BY f.key)
	FROM pg_catalog.jsonb_each((definition).filters) AS f;
END;
COMMENT ON FUNCTION kpi.filter_sql(kpi.definitions) IS
	'Internal: the equality filters of a definition as an SQL condition of quoted identifiers and literals, ANDed in key order; NULL when it has none.';

CREATE FUNCTION kpi.aggregate_sql(definition kpi.definitions, row_filter text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	num text;
	den text := kpi.number_expression(d.source, d.denominator_column);
	filter_clause text := CASE WHEN row_filter IS NOT NULL THEN pg_catalog.format(' FILTER (WHERE %s)', row_filter) ELSE '' END;
BEGIN
	IF kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'number' THEN
		num := kpi.number_expression(d.source, d.numerator_column);
	ELSE
		num := pg_catalog.quote_ident(d.numerator_column);
	END IF;
	RETURN CASE d.metric
		-- kpi.conversion_rate(boolean) over one column, (numerator, denominator) over two
		WHEN 'conversion_rate' THEN
			pg_catalog.format('kpi.conversion_rate(%s)%s', pg_catalog.concat_ws(', ', num, den), filter_clause)
		WHEN 'ratio' THEN pg_catalog.format('kpi.value(kpi.ratio_agg(%s, %s)%s)', num, den, filter_clause)
		WHEN 'sum' THEN pg_catalog.format('pg_catalog.sum(%s)%s::pg_catalog.float8', num, filter_clause)
		WHEN 'average' THEN pg_catalog.format('pg_catalog.avg(%s)%s::pg_catalog.float8', num, filter_clause)
		WHEN 'count' THEN
			CASE WHEN num IS NULL THEN pg_catalog.format('pg_catalog.count(*)%s::pg_catalog.float8', filter_clause)
				 -- over a boolean column: the rows where it is true
				 WHEN kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'boolean' THEN
					pg_catalog.format('pg_catalog.count(*) FILTER (WHERE %s)::pg_catalog.float8',
									  pg_catalog.concat_ws(' AND ', num, row_filter))
				 ELSE pg_catalog.format('pg_catalog.count(%s)%s::pg_catalog.float8', num, filter_clause) END
		-- cac, romi, roas: kpi's aggregate of the same name
		ELSE pg_catalog.format('kpi.%I(%s, %s)%s', d.metric, num, den, filter_clause)
		END;
END
$$;
COMMENT ON FUNCTION kpi.aggregate_sql(kpi.definitions, text) IS
	'Internal: the aggregate expression that measures a definition, over the rows where row_filter (an SQL condition from kpi.filter_sql) holds, or all rows when it is NULL.';

-- lower_sql and upper_sql are fixed SQL from the callers in kpi (a
-- parameter such as $1, or a column of a bucket list), never user text.
CREATE FUNCTION kpi.period_sql(source regclass, time_column name, lower_sql text, upper_sql text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.format('FROM %s AS kpi_source WHERE %I >= %s AND %I < %s',
							 source, time_column, lower_sql, time_column, upper_sql);
COMMENT ON FUNCTION kpi.period_sql(regclass, name, text, text) IS
	'Internal: FROM the source (alias kpi_source) WHERE its time column is in [lower_sql, upper_sql): the rows of one period.';

/*
 * The SQL of the aggregate expression and the FROM/WHERE of a definition
 * (its filters in the WHERE clause) between the bounds given.  Errors, with
 * their SQLSTATE, when the definition cannot be measured.
 */
CREATE FUNCTION kpi.measure_query(definition kpi.definitions, lower_sql text, upper_sql text,
								  OUT value_sql text, OUT from_where_sql text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problem text;
BEGIN
	IF d.source IS NULL THEN
		RAISE EXCEPTION 'KPI "%" has no source', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Set source to the table or view the KPI is computed from.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = d.source) THEN
		RAISE EXCEPTION 'source of KPI "%" does not exist', d.name
			USING ERRCODE = 'undefined_table',
				  DETAIL = 'The table or view it names was dropped.',
				  HINT = 'Point source at an existing table or view.';
	END IF;
	FOR problem IN
		SELECT c.column_name FROM pg_catalog.unnest(ARRAY[d.time_column, d.numerator_column, d.denominator_column]) AS c(column_name)
		WHERE c.column_name IS NOT NULL AND kpi.column_type(d.source, c.column_name) IS NULL
		UNION ALL
		SELECT f.key FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key)
		WHERE kpi.column_type(d.source, f.key::name) IS NULL
	LOOP
		RAISE EXCEPTION 'column "%" of KPI "%" does not exist', problem, d.name
			USING ERRCODE = 'undefined_column',
				  DETAIL = pg_catalog.format('%s has no column %I.', d.source, problem);
	END LOOP;
	-- Privileges are left to the executor: it raises permission denied (42501).
	problem := pg_catalog.array_to_string(kpi.measure_problems(d, false), ' ');
	IF problem <> '' OR d.time_column IS NULL OR kpi.metric_columns_problem(d) IS NOT NULL THEN
		RAISE EXCEPTION 'KPI "%" cannot be measured', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.concat_ws(' ', NULLIF(problem, ''),
												kpi.metric_columns_problem(d),
												CASE WHEN d.time_column IS NULL THEN 'No time_column is set.' END);
	END IF;

	value_sql := kpi.aggregate_sql(d, NULL);
	from_where_sql := pg_catalog.concat_ws(' AND ', kpi.period_sql(d.source, d.time_column, lower_sql, upper_sql),
										   kpi.filter_sql(d));
END
$$;
COMMENT ON FUNCTION kpi.measure_query(kpi.definitions, text, text) IS
	'Internal: the aggregate expression and the FROM/WHERE clause between the bounds given that measure a definition (kpi.aggregate_sql, kpi.period_sql, kpi.filter_sql); errors when it cannot be measured.';

-- The one error for a name that is not a KPI: every function that takes KPI
-- names raises it.
CREATE FUNCTION kpi.raise_unknown_kpi(kpi_name text) RETURNS void
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'KPI "%" does not exist', kpi_name
		USING ERRCODE = 'undefined_object',
			  HINT = 'The KPIs are the rows of kpi.definitions.';
END
$$;
COMMENT ON FUNCTION kpi.raise_unknown_kpi(text) IS
	'Internal: raises undefined_object (42704) for a KPI name that kpi.definitions does not hold.';

-- The stored definition called kpi_name, or an error 42704.
CREATE FUNCTION kpi.definition(kpi_name text) RETURNS kpi.definitions
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
BEGIN
	SELECT * INTO d FROM kpi.definitions WHERE name = kpi_name;
	IF NOT FOUND THEN
		PERFORM kpi.raise_unknown_kpi(kpi_name);
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION kpi.definition(text) IS
	'The row of kpi.definitions called kpi_name; error 42704 when there is none.';

CREATE FUNCTION kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q record;
	result double precision;
BEGIN
	PERFORM kpi.check_period(period_start, period_end);
	q := kpi.measure_query(definition, '$1', '$2');
	EXECUTE pg_catalog.format('SELECT %s %s', q.value_sql, q.from_where_sql)
		INTO result USING period_start, period_end;
	RETURN result;
END
$$;
COMMENT ON FUNCTION kpi.measure(kpi.definitions, timestamptz, timestamptz) IS
	'The value of a KPI definition (a row, stored or not) over [period_start, period_end), computed from its source with the caller''s privileges.';

CREATE FUNCTION kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
	RETURN kpi.measure(kpi.definition(kpi_name), period_start, period_end);
COMMENT ON FUNCTION kpi.measure(text, timestamptz, timestamptz) IS
	'The value of the KPI called kpi_name over [period_start, period_end), computed from its source with the caller''s privileges.';

CREATE FUNCTION kpi.measure_series(definition kpi.definitions, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q record;
BEGIN
	PERFORM kpi.check_interval('bucket', bucket);
	PERFORM kpi.check_period(period_start, period_end);
	q := kpi.measure_query(definition, 'kpi_bucket.bucket_start', 'kpi_bucket.bucket_end');
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT kpi_bucket.bucket_start, kpi_bucket.bucket_end, kpi_measure.value, kpi_measure.row_count '
		'FROM (SELECT s AS bucket_start, LEAST(s + $3, $2) AS bucket_end '
		'      FROM pg_catalog.generate_series($1, $2, $3) AS s WHERE s < $2) AS kpi_bucket, '
		'LATERAL (SELECT %s AS value, pg_catalog.count(*) AS row_count %s) AS kpi_measure '
		'ORDER BY kpi_bucket.bucket_start',
		q.value_sql, q.from_where_sql)
		USING period_start, period_end, bucket;
END
$$;
COMMENT ON FUNCTION kpi.measure_series(kpi.definitions, interval, timestamptz, timestamptz) IS
	'A KPI definition per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

CREATE FUNCTION kpi.measure_series(kpi_name text, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT * FROM kpi.measure_series(kpi.definition(kpi_name), bucket, period_start, period_end);
END;
COMMENT ON FUNCTION kpi.measure_series(text, interval, timestamptz, timestamptz) IS
	'The KPI called kpi_name per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

------------------------------------------------------------------------------
-- SMART checks.
------------------------------------------------------------------------------

-- A number as people read it: about six significant digits.
CREATE FUNCTION kpi.show_number(value double precision) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE
		WHEN value = 0 OR value IN ('Infinity', '-Infinity', 'NaN') THEN value::text
		ELSE pg_catalog.trim_scale(pg_catalog.round(value::numeric,
			GREATEST(0, 5 - pg_catalog.floor(pg_catalog.log(pg_catalog.abs(value)::numeric))::integer)))::text
		END;
COMMENT ON FUNCTION kpi.show_number(double precision) IS
	'Internal: a number rounded to about six significant digits, for SMART details.';

CREATE FUNCTION kpi.show_date(day date) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.to_char(day, 'YYYY-MM-DD');
COMMENT ON FUNCTION kpi.show_date(date) IS
	'Internal: a date as YYYY-MM-DD whatever the DateStyle, for SMART details.';

-- A review cadence as people say it, in whole days or months where it is
-- one, independent of the session's IntervalStyle.
CREATE FUNCTION kpi.show_interval(every interval) RETURNS text
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	days integer := pg_catalog.date_part('day', every)::integer;
	months integer := (pg_catalog.date_part('year', every) * 12 + pg_catalog.date_part('month', every))::integer;
BEGIN
	IF every = pg_catalog.make_interval(days => days) AND days <> 0 THEN
		RETURN days || CASE WHEN days = 1 THEN kpi.translate(' day', ' Tag') ELSE kpi.translate(' days', ' Tage') END;
	ELSIF every = pg_catalog.make_interval(months => months) AND months <> 0 THEN
		RETURN months || CASE WHEN months = 1 THEN kpi.translate(' month', ' Monat') ELSE kpi.translate(' months', ' Monate') END;
	END IF;
	RETURN every::text;
END
$$;
COMMENT ON FUNCTION kpi.show_interval(interval) IS
	'Internal: an interval of whole days or months as "7 days" or "1 month" (German with kpi.language = de), for SMART details.';

-- One row of kpi.smart_criteria: passed when there are no problems; the
-- detail lists the problems, or says what was found when there are none.
CREATE FUNCTION kpi.smart_verdict(key text, problems text[], passed_detail text)
	RETURNS TABLE (criterion_key text, criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT key,
		   CASE key
			   WHEN 'specific' THEN kpi.translate('specific', 'Spezifisch')
			   WHEN 'measurable' THEN kpi.translate('measurable', 'Messbar')
			   WHEN 'attractive' THEN kpi.translate('attractive', 'Attraktiv')
			   WHEN 'realistic' THEN kpi.translate('realistic', 'Realistisch')
			   WHEN 'time_bound' THEN kpi.translate('time_bound', 'Termingebunden') END,
		   COALESCE(pg_catalog.cardinality(problems), 0) = 0,
		   CASE WHEN COALESCE(pg_catalog.cardinality(problems), 0) = 0 THEN passed_detail
				ELSE pg_catalog.array_to_string(problems, ' ') END;
END;
COMMENT ON FUNCTION kpi.smart_verdict(text, text[], text) IS
	'Internal: a row of kpi.smart_criteria from the criterion, its problems and the detail to show when there are none; the name follows kpi.language.';

/*
 * The five SMART criteria of a definition, in order, with a stable key, the
 * name in the session's language, and a detail that says what is wrong and
 * what to do (or, when passed, what was found).  Measures the source with
 * the caller's privileges; never fails on a broken definition.
 */
CREATE FUNCTION kpi.smart_criteria(definition kpi.definitions)
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
	RETURN QUERY SELECT * FROM kpi.smart_verdict('specific', problems,
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
	SELECT * INTO period FROM kpi.last_review_period(d);
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
	RETURN QUERY SELECT * FROM kpi.smart_verdict('measurable', problems,
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
	RETURN QUERY SELECT * FROM kpi.smart_verdict('attractive', problems,
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
		IF history_periods < 4 THEN
			problems := ARRAY[pg_catalog.format(kpi.translate(
				'Not enough history: %s review periods with data in the 12 before starts_on, and at least 4 are needed to judge the target.',
				'Nicht genug Historie: %s Berichtszeiträume mit Daten in den 12 vor starts_on, mindestens 4 sind nötig, um den Zielwert zu beurteilen.'),
				history_periods)];
		ELSIF best IS NULL THEN
			problems := ARRAY[kpi.translate(
				'Not enough history: no two consecutive review periods before starts_on have data.',
				'Nicht genug Historie: keine zwei aufeinanderfolgenden Berichtszeiträume vor starts_on haben Daten.')];
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
	RETURN QUERY SELECT * FROM kpi.smart_verdict('realistic', problems, found);

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
	RETURN QUERY SELECT * FROM kpi.smart_verdict('time_bound', problems,
		pg_catalog.format(kpi.translate('From %s to %s (%s days), reviewed every %s.',
												 'Von %s bis %s (%s Tage), Überprüfung alle %s.'),
								   kpi.show_date(d.starts_on), kpi.show_date(d.due_on), d.due_on - d.starts_on, kpi.show_interval(d.review_every)));
END
$$;
COMMENT ON FUNCTION kpi.smart_criteria(kpi.definitions) IS
	'Internal: the five SMART criteria of a definition with a language-independent key; kpi.smart_check() shows them.';

CREATE FUNCTION kpi.smart_check(definition kpi.definitions)
	RETURNS TABLE (criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT c.criterion, c.passed, c.detail FROM kpi.smart_criteria(definition) AS c;
END;
COMMENT ON FUNCTION kpi.smart_check(kpi.definitions) IS
	'Checks a KPI definition given as a row value, e.g. before it is stored: one row per SMART criterion, passed or not, and a detail that says why and what to do. Follows kpi.language.';

CREATE FUNCTION kpi.smart_check(kpi_name text)
	RETURNS TABLE (criterion text, passed boolean, detail text)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT c.criterion, c.passed, c.detail FROM kpi.smart_criteria(kpi.definition(kpi_name)) AS c;
END;
COMMENT ON FUNCTION kpi.smart_check(text) IS
	'Checks the stored KPI called kpi_name: one row per SMART criterion (specific, measurable, attractive, realistic, time_bound), passed or not, and a detail that says why and what to do. Follows kpi.language.';

CREATE VIEW kpi.smart_report WITH (security_invoker = true) AS
SELECT d.name,
	   d.active,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'specific') AS specific,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'measurable') AS measurable,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'attractive') AS attractive,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'realistic') AS realistic,
	   pg_catalog.bool_and(c.passed) FILTER (WHERE c.criterion_key = 'time_bound') AS time_bound,
	   pg_catalog.bool_and(c.passed) AS smart,
	   COALESCE(pg_catalog.array_agg(c.criterion || ': ' || c.detail ORDER BY c.ordinality)
				FILTER (WHERE NOT c.passed), '{}') AS problems
FROM kpi.definitions AS d
	 CROSS JOIN LATERAL kpi.smart_criteria(d) WITH ORDINALITY AS c
GROUP BY d.name, d.active;
-- Safe for everyone: the view runs with the caller's privileges.
GRANT SELECT ON kpi.smart_report TO PUBLIC;
COMMENT ON VIEW kpi.smart_report IS
	'One row per KPI definition: whether it is specific, measurable, attractive, realistic and time_bound, smart when all five hold, and problems, the failed criteria with what to do. Runs with the caller''s privileges.';

------------------------------------------------------------------------------
-- SMART checks on write: kpi.enforce_smart = off | warn | error, and the
-- verdicts they leave.
--
-- A full SMART check measures the KPI's history (up to 12 review periods for
-- "realistic", and the last one for "measurable"), far more than the
-- scorecard itself reads.  So every write of an active definition is checked
-- once, by the AFTER trigger below: the same result warns about or rejects
-- the definition, and is kept in kpi.smart_verdicts, which the scorecard
-- (30_monitor.sql) shows.  kpi.recheck_smart() takes the check again, e.g.
-- after new data arrived.
------------------------------------------------------------------------------

CREATE TABLE kpi.smart_verdicts (
	name			text PRIMARY KEY REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	smart			boolean NOT NULL,
	failed			text[] NOT NULL,
	checked_at		timestamptz NOT NULL,
	checked_by		text NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE kpi.smart_verdicts IS
	'The verdict of the last SMART check of each active KPI, which kpi.scorecard shows; refreshed when a definition is written and by kpi.recheck_smart(). Kept by pg_dump.';
COMMENT ON COLUMN kpi.smart_verdicts.name IS 'The KPI checked (kpi.definitions.name).';
COMMENT ON COLUMN kpi.smart_verdicts.smart IS 'Whether it passed all five criteria.';
COMMENT ON COLUMN kpi.smart_verdicts.failed IS 'The criteria it failed: specific, measurable, attractive, realistic, time_bound.';
COMMENT ON COLUMN kpi.smart_verdicts.checked_at IS 'When it was checked: kpi.as_of() at the time.';
COMMENT ON COLUMN kpi.smart_verdicts.checked_by IS 'The role whose privileges the check ran with.';

SELECT pg_catalog.pg_extension_config_dump('kpi.smart_verdicts', '');

-- Keeps the verdict of a check that failed the criteria given (none: SMART).
CREATE FUNCTION kpi.keep_smart_verdict(kpi_name text, failed text[]) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	INSERT INTO kpi.smart_verdicts AS v (name, smart, failed, checked_at)
	VALUES (kpi_name, pg_catalog.cardinality(failed) = 0, failed, kpi.as_of())
	ON CONFLICT (name) DO UPDATE
		SET smart = excluded.smart, failed = excluded.failed,
			checked_at = excluded.checked_at, checked_by = excluded.checked_by
	RETURNING v.smart;
END;
COMMENT ON FUNCTION kpi.keep_smart_verdict(text, text[]) IS
	'Internal: stores in kpi.smart_verdicts the verdict on the KPI called kpi_name of a SMART check that failed the criteria keys given (none: SMART), at kpi.as_of(); returns whether it is SMART.';

CREATE FUNCTION kpi.recheck_smart(definition kpi.definitions) RETURNS boolean
	LANGUAGE sql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
	RETURN kpi.keep_smart_verdict((definition).name,
		ARRAY(SELECT c.criterion_key FROM kpi.smart_criteria(definition) WITH ORDINALITY AS c
			  WHERE NOT c.passed ORDER BY c.ordinality));
COMMENT ON FUNCTION kpi.recheck_smart(kpi.definitions) IS
	'Runs the SMART check of a stored definition with the caller''s privileges and keeps the verdict in kpi.smart_verdicts; returns whether it is SMART.';

CREATE FUNCTION kpi.recheck_smart(kpi_name text) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
	RETURN kpi.recheck_smart(kpi.definition(kpi_name));
COMMENT ON FUNCTION kpi.recheck_smart(text) IS
	'Re-checks the KPI called kpi_name, e.g. after new data arrived, and keeps the verdict the scorecard shows; returns whether it is SMART.';

CREATE FUNCTION kpi.definitions_before_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.updated_at := pg_catalog.now();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION kpi.definitions_before_write() IS
	'Trigger function on kpi.definitions: stamps updated_at when a definition changes.';

CREATE TRIGGER definitions_before_write
	BEFORE UPDATE ON kpi.definitions
	FOR EACH ROW EXECUTE FUNCTION kpi.definitions_before_write();
COMMENT ON TRIGGER definitions_before_write ON kpi.definitions IS
	'Stamps updated_at.';

CREATE FUNCTION kpi.definitions_after_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	mode text := kpi.setting('enforce_smart');
	failed_keys text[];
	failed_names text[];
	failed text[];
BEGIN
	-- pg_dump scripts and pg_restore set check_function_bodies = off, and then
	-- the sources may not be loaded yet: a restore is never held to the
	-- check, and restores the verdicts as dumped.
	IF pg_catalog.current_setting('check_function_bodies') = 'off' THEN
		RETURN NULL;
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
	'Trigger function on kpi.definitions: checks an active definition once per write (unless kpi.enforce_smart = off), warns about (warn) or rejects with SQLSTATE 23514 (error) one that is not SMART, and keeps the verdict in kpi.smart_verdicts (none for inactive or unchecked definitions).';

CREATE TRIGGER definitions_after_write
	AFTER INSERT OR UPDATE ON kpi.definitions
	FOR EACH ROW EXECUTE FUNCTION kpi.definitions_after_write();
COMMENT ON TRIGGER definitions_after_write ON kpi.definitions IS
	'Applies kpi.enforce_smart to active definitions and keeps kpi.smart_verdicts, which the scorecard shows, up to date.';

------------------------------------------------------------------------------
-- The portfolio audit: the three classic KPI mistakes, and redundancy.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.audit() RETURNS TABLE (kind text, kpis text[], detail text)
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

	/*
	 * stale: an active KPI whose last review is older than twice its
	 * review_every.  That needs the reviews of the monitoring part
	 * (src/sql/30_monitor.sql), whose kpi.audit_stale() returns rows like
	 * these at kpi.as_of(); it is looked up at run time, so the catalog
	 * works, without this kind, when that part is absent.
	 */
	IF pg_catalog.to_regprocedure('kpi.audit_stale()') IS NOT NULL THEN
		RETURN QUERY EXECUTE 'SELECT s.kind, s.kpis, s.detail FROM kpi.audit_stale() AS s';
	END IF;
END
$$;
COMMENT ON FUNCTION kpi.audit() IS
	'Audits the active KPIs as a portfolio, one row per finding: too_many (per team, over kpi.max_active_kpis), not_aligned (no joint marketing and sales KPI, no lead-generation or closing-rate KPI), not_smart, redundant (same computation, or weekly series with |r| ≥ 0.95 over the 12 weeks before kpi.as_of()), and stale (no review for twice review_every, from kpi.audit_stale).';
/* kpi 0.1.0 -- weekly monitoring: series, the scorecard, reviews and target changes */

/*
 * What the weekly KPI review reads, straight from a BI tool or psql:
 *
 *   kpi.series(kpi_name, bucket, from, to)   the KPI per bucket, with its target path and status
 *   kpi.scorecard                            one row per active KPI: where we are, where we
 *                                            should be, on track or not, what changed
 *   kpi.record_review(kpi_name, note)        appends to kpi.reviews
 *   kpi.adjust_target(kpi_name, target, why) changes the target, appends to kpi.target_history
 *   kpi.audit_stale()                        the "stale" findings that kpi.audit() includes
 *
 * The scorecard's smart column is the verdict the catalog keeps in
 * kpi.smart_verdicts on every write of a definition (kpi.recheck_smart()
 * takes the check again).
 *
 * Every column a dashboard charts is a standard SQL type: double precision,
 * date, timestamptz, text or boolean.  Statuses are text.
 *
 * Time.  A KPI's review periods are [starts_on + k·review_every,
 * starts_on + (k+1)·review_every) in the session's time zone (see
 * kpi.last_review_period in the catalog); "the last complete review period" is
 * the latest of them that has ended by kpi.as_of() (the setting kpi.as_of,
 * or now()).  The plan is the straight line from baseline at starts_on
 * (midnight, session time zone) to target at due_on.
 *
 * Status, from progress = (value − baseline) / (target − baseline) and the
 * expected progress = the share of [starts_on, due_on] elapsed, clamped to
 * [0, 1]:
 *   on_track   progress >= expected progress
 *   at_risk    behind, by less than the setting kpi.at_risk_margin (0.10)
 *   off_track  behind by kpi.at_risk_margin or more
 *   no_data    no value (no rows, a zero denominator, no access) or no plan
 *              (baseline, target, starts_on or due_on missing, target = baseline)
 */

------------------------------------------------------------------------------
-- Reviews and target changes: the history of the weekly review.
------------------------------------------------------------------------------

CREATE TABLE kpi.reviews (
	review_id		bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name			text NOT NULL REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	reviewed_at		timestamptz NOT NULL,
	reviewed_by		text NOT NULL DEFAULT CURRENT_USER,
	period_start	timestamptz,
	period_end		timestamptz,
	value			double precision,
	status			text CONSTRAINT status_known CHECK (status IN ('on_track', 'at_risk', 'off_track', 'no_data')),
	note			text NOT NULL CONSTRAINT note_not_blank CHECK (note ~ '\S'),
	recorded_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX reviews_name_reviewed_at ON kpi.reviews (name, reviewed_at);
COMMENT ON TABLE kpi.reviews IS
	'One row per KPI review (kpi.record_review): who, when, the value over the last complete review period then, and the note. Kept by pg_dump. Holds KPI values: grant SELECT on value only to roles that may read the sources.';
COMMENT ON COLUMN kpi.reviews.review_id IS 'Identifier of the review.';
COMMENT ON COLUMN kpi.reviews.name IS 'The KPI reviewed (kpi.definitions.name).';
COMMENT ON COLUMN kpi.reviews.reviewed_at IS 'When the review took place: kpi.as_of() at the time, i.e. now() unless the setting kpi.as_of pins it.';
COMMENT ON COLUMN kpi.reviews.reviewed_by IS 'The role that recorded the review.';
COMMENT ON COLUMN kpi.reviews.period_start IS 'Start of the review period the value covers.';
COMMENT ON COLUMN kpi.reviews.period_end IS 'End (exclusive) of the review period the value covers.';
COMMENT ON COLUMN kpi.reviews.value IS 'The KPI value over the period, as the scorecard showed it.';
COMMENT ON COLUMN kpi.reviews.status IS 'on_track, at_risk, off_track or no_data at the time of the review.';
COMMENT ON COLUMN kpi.reviews.note IS 'What the team concluded.';
COMMENT ON COLUMN kpi.reviews.recorded_at IS 'When the row was written (the transaction time), whatever kpi.as_of said.';

CREATE TABLE kpi.target_history (
	change_id		bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name			text NOT NULL REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	changed_at		timestamptz NOT NULL,
	changed_by		text NOT NULL DEFAULT CURRENT_USER,
	old_target		double precision,
	new_target		double precision NOT NULL,
	reason			text NOT NULL CONSTRAINT reason_not_blank CHECK (reason ~ '\S'),
	recorded_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX target_history_name_changed_at ON kpi.target_history (name, changed_at);
COMMENT ON TABLE kpi.target_history IS
	'One row per target change (kpi.adjust_target): the old and new target, who, when and why. Kept by pg_dump.';
COMMENT ON COLUMN kpi.target_history.change_id IS 'Identifier of the change.';
COMMENT ON COLUMN kpi.target_history.name IS 'The KPI whose target changed (kpi.definitions.name).';
COMMENT ON COLUMN kpi.target_history.changed_at IS 'When the target changed: kpi.as_of() at the time, i.e. now() unless the setting kpi.as_of pins it.';
COMMENT ON COLUMN kpi.target_history.changed_by IS 'The role that changed it.';
COMMENT ON COLUMN kpi.target_history.old_target IS 'The target before the change.';
COMMENT ON COLUMN kpi.target_history.new_target IS 'The target after the change.';
COMMENT ON COLUMN kpi.target_history.reason IS 'Why it changed, e.g. the feedback of the 30-day review.';
COMMENT ON COLUMN kpi.target_history.recorded_at IS 'When the row was written (the transaction time), whatever kpi.as_of said.';

SELECT pg_catalog.pg_extension_config_dump('kpi.reviews', '');
SELECT pg_catalog.pg_extension_config_dump('kpi.target_history', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('kpi.reviews', 'review_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('kpi.target_history', 'change_id'), '');

------------------------------------------------------------------------------
-- The plan: where a KPI should be, and how far along it is.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.expected_progress(definition kpi.definitions, at timestamptz) RETURNS double precision
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN (definition).due_on > (definition).starts_on THEN
		LEAST(1.0, GREATEST(0.0,
			(pg_catalog.date_part('epoch', at) - pg_catalog.date_part('epoch', (definition).starts_on::timestamptz))
			/ (pg_catalog.date_part('epoch', (definition).due_on::timestamptz)
			   - pg_catalog.date_part('epoch', (definition).starts_on::timestamptz))))
	END;
COMMENT ON FUNCTION kpi.expected_progress(kpi.definitions, timestamptz) IS
	'The share of the time from starts_on to due_on (midnight, session time zone) elapsed at the moment given, between 0 and 1; NULL without a span.';

CREATE FUNCTION kpi.progress(definition kpi.definitions, value double precision) RETURNS double precision
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN (value - (definition).baseline) / NULLIF((definition).target - (definition).baseline, 0);
COMMENT ON FUNCTION kpi.progress(kpi.definitions, double precision) IS
	'The share of the distance from baseline to target that value covers: 0 at the baseline, 1 at the target, negative when worse than the baseline; works for either direction. NULL without baseline and target.';

CREATE FUNCTION kpi.target_path(definition kpi.definitions, at timestamptz) RETURNS double precision
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN (definition).baseline
		   + ((definition).target - (definition).baseline) * kpi.expected_progress(definition, at);
COMMENT ON FUNCTION kpi.target_path(kpi.definitions, timestamptz) IS
	'Where the KPI should be at the moment given: the straight line from baseline at starts_on to target at due_on, flat before and after.';

CREATE FUNCTION kpi.status(progress double precision, expected_progress double precision) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE
		WHEN progress IS NULL OR expected_progress IS NULL THEN 'no_data'
		WHEN progress >= expected_progress THEN 'on_track'
		WHEN expected_progress - progress
			 < kpi.setting('at_risk_margin')::double precision
			THEN 'at_risk'
		ELSE 'off_track' END;
COMMENT ON FUNCTION kpi.status(double precision, double precision) IS
	'on_track when progress >= expected_progress; at_risk when behind by less than the setting kpi.at_risk_margin (default 0.10); off_track when behind by more; no_data when either is NULL.';

------------------------------------------------------------------------------
-- Measuring many KPIs at once: one scan per source and period.
------------------------------------------------------------------------------

/*
 * The scorecard measures every KPI of a source in one pass over a period,
 * with the catalog's query builder: each KPI's filters go into a FILTER
 * clause of its aggregate (kpi.aggregate_sql with kpi.filter_sql) instead
 * of the WHERE clause, which holds only the period (kpi.period_sql).
 */
CREATE FUNCTION kpi.measure_many(kpi_names text[], bounds timestamptz[])
	RETURNS TABLE (name text, period_start timestamptz, period_end timestamptz, value double precision)
	LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY INVOKER ROWS 20
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	unknown text;
	source_group record;
	source_query text;
	source_values double precision[];
	i integer;
BEGIN
	IF pg_catalog.cardinality(bounds) < 2 OR pg_catalog.array_position(bounds, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'bounds must hold at least two moments and no NULL'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The bounds given are %s.', bounds),
				  HINT = 'Period k is [bounds[k], bounds[k+1]).';
	END IF;
	FOR i IN 1 .. pg_catalog.cardinality(bounds) - 1 LOOP
		PERFORM kpi.check_period(bounds[i], bounds[i + 1]);
	END LOOP;
	SELECT n INTO unknown FROM pg_catalog.unnest(kpi_names) AS n
	WHERE NOT EXISTS (SELECT FROM kpi.definitions d WHERE d.name = n) LIMIT 1;
	IF FOUND THEN
		PERFORM kpi.raise_unknown_kpi(unknown);
	END IF;

	FOR source_group IN
		WITH checked AS MATERIALIZED (
			SELECT d, kpi.can_measure(d) AS measurable
			FROM kpi.definitions d WHERE d.name = ANY (kpi_names)
		)
		SELECT c.measurable, (c.d).source, (c.d).time_column,
			   pg_catalog.array_agg((c.d).name ORDER BY (c.d).name) AS names,
			   pg_catalog.string_agg(CASE WHEN c.measurable THEN kpi.aggregate_sql(c.d, kpi.filter_sql(c.d)) END,
									 ', ' ORDER BY (c.d).name) AS aggregates
		FROM checked c
		GROUP BY c.measurable, (c.d).source, (c.d).time_column
	LOOP
		IF NOT source_group.measurable THEN
			-- KPIs that cannot be measured, or whose source the caller cannot
			-- read, have no value.
			RETURN QUERY SELECT n, bounds[k], bounds[k + 1], NULL::double precision
				FROM pg_catalog.unnest(source_group.names) AS n, pg_catalog.generate_series(1, pg_catalog.cardinality(bounds) - 1) AS k;
			CONTINUE;
		END IF;
		-- One index range scan per period, every KPI of the source in it.
		source_query := pg_catalog.format('SELECT ARRAY[%s]::pg_catalog.float8[] %s', source_group.aggregates,
			kpi.period_sql(source_group.source, source_group.time_column, '$1', '$2'));
		FOR i IN 1 .. pg_catalog.cardinality(bounds) - 1 LOOP
			EXECUTE source_query INTO source_values USING bounds[i], bounds[i + 1];
			RETURN QUERY SELECT m.name, bounds[i], bounds[i + 1], m.value
				FROM ROWS FROM (pg_catalog.unnest(source_group.names), pg_catalog.unnest(source_values)) AS m(name, value);
		END LOOP;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.measure_many(text[], timestamptz[]) IS
	'The KPIs named over each period [bounds[k], bounds[k+1]), as kpi.measure computes them, in one index range scan per source and period. A KPI that cannot be measured, or whose source the caller cannot read, gets a NULL value instead of an error.';

CREATE FUNCTION kpi.measure_many(kpi_names text[], period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (name text, value double precision)
	LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY INVOKER ROWS 10
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT m.name, m.value FROM kpi.measure_many(kpi_names, ARRAY[period_start, period_end]) AS m;
END;
COMMENT ON FUNCTION kpi.measure_many(text[], timestamptz, timestamptz) IS
	'The KPIs named over [period_start, period_end), as kpi.measure computes them, in one pass per source. A KPI that cannot be measured, or whose source the caller cannot read, gets a NULL value instead of an error.';

------------------------------------------------------------------------------
-- The series and the scorecard.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.series(kpi_name text, bucket interval, period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, value double precision, target_path double precision, status text)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT m.bucket_start, m.value, kpi.target_path(d, m.bucket_end),
		   kpi.status(kpi.progress(d, m.value), kpi.expected_progress(d, m.bucket_end))
	FROM kpi.definition(kpi_name) AS d
	CROSS JOIN LATERAL kpi.measure_series(d, bucket, period_start, period_end) AS m
	ORDER BY m.bucket_start;
END;
COMMENT ON FUNCTION kpi.series(text, interval, timestamptz, timestamptz) IS
	'The KPI per bucket [period_start + k·bucket, …) up to period_end, buckets without data kept with a NULL value: bucket_start, value, target_path (where the plan says the KPI should be by the end of the bucket) and status (on_track, at_risk, off_track, no_data).';

CREATE FUNCTION kpi.scorecard_at(as_of timestamptz)
	RETURNS TABLE (
		name text, title text, owner text, teams text[], metric text, unit text, direction text,
		baseline double precision, target double precision, starts_on date, due_on date,
		period_start timestamptz, period_end timestamptz,
		current double precision, previous double precision,
		change double precision, relative_change double precision,
		progress double precision, expected_progress double precision, target_path double precision,
		status text, smart boolean, smart_checked_at timestamptz, last_reviewed_on date, review_due boolean)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	WITH active AS (
		SELECT d, cur.period_start, cur.period_end, prev.period_start AS previous_start
		FROM kpi.definitions AS d
		CROSS JOIN LATERAL kpi.last_review_period(d, as_of, 0) AS cur
		CROSS JOIN LATERAL kpi.last_review_period(d, as_of, 1) AS prev
		WHERE d.active
	),
	measured AS (
		SELECT m.name, m.period_start, m.value
		FROM (SELECT a.previous_start, a.period_start, a.period_end, pg_catalog.array_agg((a.d).name) AS names
			  FROM active a GROUP BY a.previous_start, a.period_start, a.period_end) AS g
		CROSS JOIN LATERAL kpi.measure_many(g.names, ARRAY[g.previous_start, g.period_start, g.period_end]) AS m
	),
	reviewed AS (
		SELECT r.name, pg_catalog.max(r.reviewed_at) AS last_reviewed_at
		FROM kpi.reviews r WHERE r.reviewed_at <= as_of GROUP BY r.name
	)
	SELECT (a.d).name, (a.d).title, (a.d).owner, (a.d).teams, (a.d).metric::text, (a.d).unit,
		   (a.d).direction::text, (a.d).baseline, (a.d).target, (a.d).starts_on, (a.d).due_on,
		   a.period_start, a.period_end,
		   cur.value, prev.value,
		   cur.value - prev.value,
		   (cur.value - prev.value) / NULLIF(pg_catalog.abs(prev.value), 0),
		   kpi.progress(a.d, cur.value),
		   kpi.expected_progress(a.d, a.period_end),
		   kpi.target_path(a.d, a.period_end),
		   kpi.status(kpi.progress(a.d, cur.value), kpi.expected_progress(a.d, a.period_end)),
		   v.smart, v.checked_at,
		   r.last_reviewed_at::date,
		   r.last_reviewed_at IS NULL OR r.last_reviewed_at < a.period_end
	FROM active a
	LEFT JOIN measured cur ON cur.name = (a.d).name AND cur.period_start = a.period_start
	LEFT JOIN measured prev ON prev.name = (a.d).name AND prev.period_start = a.previous_start
	LEFT JOIN reviewed r ON r.name = (a.d).name
	LEFT JOIN kpi.smart_verdicts v ON v.name = (a.d).name
	ORDER BY 1;
END;
COMMENT ON FUNCTION kpi.scorecard_at(timestamptz) IS
	'The scorecard as of a given moment: one row per active KPI, as the view kpi.scorecard shows it for kpi.as_of().';

CREATE VIEW kpi.scorecard WITH (security_invoker = true) AS
	SELECT * FROM kpi.scorecard_at(kpi.as_of());
-- Safe for everyone: it computes with the caller's privileges.
GRANT SELECT ON kpi.scorecard TO PUBLIC;
COMMENT ON VIEW kpi.scorecard IS
	'One row per active KPI for the weekly review: where it is (current, over the last complete review period), where it should be (target_path, expected_progress), its status (on_track, at_risk, off_track, no_data) and what changed since the period before. Values the caller cannot read are NULL.';
COMMENT ON COLUMN kpi.scorecard.name IS 'The KPI.';
COMMENT ON COLUMN kpi.scorecard.period_start IS 'Start of the last complete review period, in the session''s time zone.';
COMMENT ON COLUMN kpi.scorecard.period_end IS 'End (exclusive) of the last complete review period: the latest period boundary not after kpi.as_of().';
COMMENT ON COLUMN kpi.scorecard.current IS 'The value over the last complete review period.';
COMMENT ON COLUMN kpi.scorecard.previous IS 'The value over the review period before it.';
COMMENT ON COLUMN kpi.scorecard.change IS 'current − previous.';
COMMENT ON COLUMN kpi.scorecard.relative_change IS '(current − previous) / |previous|.';
COMMENT ON COLUMN kpi.scorecard.progress IS 'The share of the distance from baseline to target covered by current.';
COMMENT ON COLUMN kpi.scorecard.expected_progress IS 'The share of the time from starts_on to due_on elapsed at period_end.';
COMMENT ON COLUMN kpi.scorecard.target_path IS 'Where the plan says the KPI should be at period_end.';
COMMENT ON COLUMN kpi.scorecard.status IS 'on_track, at_risk (behind by less than kpi.at_risk_margin), off_track or no_data.';
COMMENT ON COLUMN kpi.scorecard.smart IS 'Whether the KPI passed all five SMART criteria at its last check (kpi.smart_verdicts); NULL when never checked.';
COMMENT ON COLUMN kpi.scorecard.smart_checked_at IS 'When that check ran.';
COMMENT ON COLUMN kpi.scorecard.last_reviewed_on IS 'Day of the last review recorded up to kpi.as_of(), in the session''s time zone.';
COMMENT ON COLUMN kpi.scorecard.review_due IS 'True when no review was recorded since the last complete review period ended.';

------------------------------------------------------------------------------
-- Reviewing and adjusting.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.record_review(kpi_name text, note text) RETURNS kpi.reviews
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
	SELECT * INTO period FROM kpi.last_review_period(d);
	period_value := kpi.measure(d, period.period_start, period.period_end);
	INSERT INTO kpi.reviews (name, reviewed_at, period_start, period_end, value, status, note)
	VALUES (d.name, kpi.as_of(), period.period_start, period.period_end, period_value,
			kpi.status(kpi.progress(d, period_value), kpi.expected_progress(d, period.period_end)),
			note)
	RETURNING * INTO review;
	RETURN review;
END
$$;
COMMENT ON FUNCTION kpi.record_review(text, text) IS
	'Records a review of a KPI in kpi.reviews: the value over its last complete review period and status then, who, when (kpi.as_of()) and the note. Needs SELECT on the source and INSERT on kpi.reviews.';

CREATE FUNCTION kpi.adjust_target(kpi_name text, new_target double precision, reason text)
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
	RETURN change;
END
$$;
COMMENT ON FUNCTION kpi.adjust_target(text, double precision, text) IS
	'Changes the target of a KPI and records the old and new target, who, when (kpi.as_of()) and why in kpi.target_history. Needs UPDATE on kpi.definitions and INSERT on kpi.target_history.';

------------------------------------------------------------------------------
-- The stale finding of kpi.audit().
------------------------------------------------------------------------------

CREATE FUNCTION kpi.audit_stale() RETURNS TABLE (kind text, kpis text[], detail text)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
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
	  AND COALESCE(r.last_reviewed_at, d.starts_on::timestamptz, d.created_at)
		  < kpi.as_of() - 2 * COALESCE(d.review_every, interval '7 days')
	ORDER BY d.name;
END;
COMMENT ON FUNCTION kpi.audit_stale() IS
	'The stale findings of kpi.audit(): active KPIs whose last review up to kpi.as_of() (or their start, when never reviewed) is older than twice their review_every.';
