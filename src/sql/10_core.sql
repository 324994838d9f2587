/* kpi -- core: the kpi.ratio type and the ratio-KPI aggregates */

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
 * common type.  Each signature has its own C function, compiled for its
 * argument types (kpi_ratio_accum_numeric_int4 ...): none reads its types
 * from fn_expr, which Citus's worker_partial_agg does not set.
 */
DO $create_aggregates$
DECLARE
	arg_types CONSTANT text[] := ARRAY['integer', 'bigint', 'numeric', 'double precision'];
	-- every C transition function is specialised per type pair
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
					('ratio_summary_accum', 'kpi.ratio', 'kpi_ratio_summary_accum_' || c_names[i] || '_' || c_names[j],
					 'Aggregate support: transition of ratio_agg; like ratio_accum, and also keeps the moments.'),
					('ratio_moving_accum', 'internal', 'kpi_ratio_moving_accum_' || c_names[i] || '_' || c_names[j],
					 'Aggregate support: moving (window) transition of the ratio KPIs, with exact sums.'),
					('ratio_moving_retract', 'internal', 'kpi_ratio_moving_retract_' || c_names[i] || '_' || c_names[j],
					 'Aggregate support: exact inverse moving transition of the ratio KPIs.'),
					('ratio_summary_moving_accum', 'internal', 'kpi_ratio_summary_moving_accum_' || c_names[i] || '_' || c_names[j],
					 'Aggregate support: moving (window) transition of ratio_agg, which also keeps the moments.'),
					('ratio_summary_moving_retract', 'internal', 'kpi_ratio_summary_moving_retract_' || c_names[i] || '_' || c_names[j],
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
