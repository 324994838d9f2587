
------------------------------------------------------------------------------
-- Funnels within a time window (issue 11): kpi.funnel per entity, and
-- kpi.funnel_counts over entities.  The rules are in doc/funnels.md.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.funnel_accum(internal, timestamptz, interval, VARIADIC boolean[]) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_funnel_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_accum(internal, timestamptz, interval, boolean[]) IS
	'Aggregate support: transition of kpi.funnel, keeps one entry per distinct timestamp that matches a step.';

CREATE FUNCTION kpi.funnel_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_funnel_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_combine(internal, internal) IS
	'Aggregate support: combines partial kpi.funnel states (parallel query).';

CREATE FUNCTION kpi.funnel_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_funnel_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_serialize(internal) IS
	'Aggregate support: kpi.funnel state to bytea (format version 1), for parallel workers.';

CREATE FUNCTION kpi.funnel_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_funnel_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_deserialize(bytea, internal) IS
	'Aggregate support: kpi.funnel state from bytea, checking every length and field.';

CREATE FUNCTION kpi.funnel_final(internal) RETURNS integer
	AS 'MODULE_PATHNAME', 'kpi_funnel_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_final(internal) IS
	'Aggregate support: final of kpi.funnel, the longest chain (ClickHouse windowFunnel default mode).';

CREATE FUNCTION kpi.funnel_strict_final(internal) RETURNS integer
	AS 'MODULE_PATHNAME', 'kpi_funnel_strict_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_strict_final(internal) IS
	'Aggregate support: final of kpi.funnel_strictly_increasing, the longest chain with strictly increasing timestamps.';

-- Both aggregates share one transition, so a query that asks for both keeps
-- one state per group.  The final functions sort the events in place, which
-- changes no result: READ_ONLY in every sense the executor relies on.
CREATE AGGREGATE kpi.funnel(ts timestamptz, within interval, VARIADIC steps boolean[]) (
	SFUNC = kpi.funnel_accum,
	STYPE = internal,
	SSPACE = 144,
	FINALFUNC = kpi.funnel_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = kpi.funnel_combine,
	SERIALFUNC = kpi.funnel_serialize,
	DESERIALFUNC = kpi.funnel_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.funnel(timestamptz, interval, boolean[]) IS
	'Per entity: the length of the longest chain step1 -> step2 -> ... with each step at or after the previous one and all within `within` of step 1 (ClickHouse windowFunnel, default mode); 0 when step 1 never happened.';

CREATE AGGREGATE kpi.funnel_strictly_increasing(ts timestamptz, within interval, VARIADIC steps boolean[]) (
	SFUNC = kpi.funnel_accum,
	STYPE = internal,
	SSPACE = 144,
	FINALFUNC = kpi.funnel_strict_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = kpi.funnel_combine,
	SERIALFUNC = kpi.funnel_serialize,
	DESERIALFUNC = kpi.funnel_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.funnel_strictly_increasing(timestamptz, interval, boolean[]) IS
	'Like kpi.funnel, but each step strictly after the previous step (ClickHouse''s strict_increase mode, without its greedy miss).';

/*
 * The same two aggregates with the steps written out, for 2 to 8 steps:
 * PostgreSQL prefers a non-variadic signature that matches exactly, so
 * kpi.funnel(ts, within, a, b, c) resolves to kpi.funnel(timestamptz,
 * interval, boolean, boolean, boolean), which skips building a boolean[] per
 * row.  Same state, same answers; more steps use the VARIADIC form.
 */
DO $create_funnel_overloads$
DECLARE
	steps text;
	agg record;
BEGIN
	FOR k IN 2 .. 8 LOOP
		steps := pg_catalog.array_to_string(pg_catalog.array_fill('boolean'::text, ARRAY[k]), ', ');
		EXECUTE pg_catalog.format(
			'CREATE FUNCTION kpi.funnel_accum(internal, timestamptz, interval, %1$s) RETURNS internal '
			'AS %2$L, %3$L LANGUAGE C IMMUTABLE PARALLEL SAFE', steps, 'MODULE_PATHNAME', 'kpi_funnel_accum_args');
		EXECUTE pg_catalog.format(
			'COMMENT ON FUNCTION kpi.funnel_accum(internal, timestamptz, interval, %1$s) IS %2$L', steps,
			pg_catalog.format('Aggregate support: transition of kpi.funnel with %s steps written out.', k));
		FOR agg IN SELECT * FROM (VALUES
			('funnel', 'funnel_final', 'kpi.funnel(ts, within, VARIADIC steps)'),
			('funnel_strictly_increasing', 'funnel_strict_final', 'kpi.funnel_strictly_increasing(ts, within, VARIADIC steps)'))
			AS a(name, final, variadic_form)
		LOOP
			EXECUTE pg_catalog.format(
				'CREATE AGGREGATE kpi.%1$I(ts timestamptz, within interval, %2$s) ('
				'SFUNC = kpi.funnel_accum, STYPE = internal, SSPACE = 144, FINALFUNC = kpi.%3$I, '
				'FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kpi.funnel_combine, '
				'SERIALFUNC = kpi.funnel_serialize, DESERIALFUNC = kpi.funnel_deserialize, PARALLEL = SAFE)',
				agg.name, steps, agg.final);
			EXECUTE pg_catalog.format('COMMENT ON AGGREGATE kpi.%1$I(timestamptz, interval, %2$s) IS %3$L',
				agg.name, steps, pg_catalog.format('%s with %s steps written out (no array per row).', agg.variadic_form, k));
		END LOOP;
	END LOOP;
END
$create_funnel_overloads$;

CREATE FUNCTION kpi.funnel_counts_accum(bigint[], integer, integer) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'kpi_funnel_counts_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_counts_accum(bigint[], integer, integer) IS
	'Aggregate support: transition of kpi.funnel_counts.';

CREATE FUNCTION kpi.funnel_counts_combine(bigint[], bigint[]) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'kpi_funnel_counts_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_counts_combine(bigint[], bigint[]) IS
	'Aggregate support: adds partial kpi.funnel_counts states (parallel query, Citus), validating them.';

CREATE FUNCTION kpi.funnel_counts_moving_accum(internal, integer, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_funnel_counts_moving_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_counts_moving_accum(internal, integer, integer) IS
	'Aggregate support: moving (window) transition of kpi.funnel_counts.';

CREATE FUNCTION kpi.funnel_counts_moving_retract(internal, integer, integer) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_funnel_counts_moving_retract' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_counts_moving_retract(internal, integer, integer) IS
	'Aggregate support: exact inverse moving transition of kpi.funnel_counts.';

CREATE FUNCTION kpi.funnel_counts_moving_final(internal) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'kpi_funnel_counts_moving_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.funnel_counts_moving_final(internal) IS
	'Aggregate support: moving final of kpi.funnel_counts; NULL for an empty frame.';

CREATE AGGREGATE kpi.funnel_counts(steps_reached integer, nsteps integer) (
	SFUNC = kpi.funnel_counts_accum,
	STYPE = bigint[],
	COMBINEFUNC = kpi.funnel_counts_combine,
	MSFUNC = kpi.funnel_counts_moving_accum,
	MINVFUNC = kpi.funnel_counts_moving_retract,
	MSTYPE = internal,
	MFINALFUNC = kpi.funnel_counts_moving_final,
	MFINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.funnel_counts(integer, integer) IS
	'Over entities: element k of the result is the number of entities whose steps_reached is k or more (k = 1 .. nsteps); NULL over no rows.';
