
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
	SSPACE = 64,
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
	SSPACE = 64,
	FINALFUNC = kpi.funnel_strict_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = kpi.funnel_combine,
	SERIALFUNC = kpi.funnel_serialize,
	DESERIALFUNC = kpi.funnel_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE kpi.funnel_strictly_increasing(timestamptz, interval, boolean[]) IS
	'Like kpi.funnel, but each step strictly after the previous step (ClickHouse''s strict_increase mode, without its greedy miss).';

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
