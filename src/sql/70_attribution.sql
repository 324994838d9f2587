/* kpi -- attribution: which channels earned a customer's conversions (issue 14) */

------------------------------------------------------------------------------
-- kpi.attribute(ts, channel, converted, model [, lookback [, half_life]]),
-- used per customer.  The state is internal (src/attribution.c says why);
-- SSPACE tells the planner a customer's state is about 256 bytes (10 touches),
-- not the 8 kB it assumes for an internal state, which made a hash aggregate
-- over a million customers plan to spill to disk.
-- the result is an array of kpi.credit that unnest() or kpi.credits() turns
-- into rows.  doc/attribution.md has the rules and a worked example per model.
------------------------------------------------------------------------------

CREATE TYPE kpi.credit AS (conversion_at timestamptz, channel text, credit numeric);
COMMENT ON TYPE kpi.credit IS
	'One channel''s credit for one conversion: the credits of a conversion add up to exactly 1 (numeric, at most 12 decimals); channel is NULL for a conversion no touch reached.';

CREATE FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text, interval) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text, interval, interval) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_attribute_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_final(internal) RETURNS kpi.credit[]
	AS 'MODULE_PATHNAME', 'kpi_attribute_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text) IS
	'Transition function of kpi.attribute: collects one touch or conversion.';
COMMENT ON FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text, interval) IS
	'Transition function of kpi.attribute with a lookback: collects one touch or conversion.';
COMMENT ON FUNCTION kpi.attribute_accum(internal, timestamptz, text, boolean, text, interval, interval) IS
	'Transition function of kpi.attribute with a lookback and a half-life: collects one touch or conversion.';
COMMENT ON FUNCTION kpi.attribute_combine(internal, internal) IS
	'Combine function of kpi.attribute: merges the touches of two partial states.';
COMMENT ON FUNCTION kpi.attribute_serialize(internal) IS
	'Serialize function of kpi.attribute (format version 1), for parallel query.';
COMMENT ON FUNCTION kpi.attribute_deserialize(bytea, internal) IS
	'Deserialize function of kpi.attribute, validating every field.';
COMMENT ON FUNCTION kpi.attribute_final(internal) IS
	'Final function of kpi.attribute: sorts the touches once and credits each conversion under the model.';

CREATE AGGREGATE kpi.attribute(timestamptz, text, boolean, text) (
	SFUNC = kpi.attribute_accum, STYPE = internal, SSPACE = 256,
	COMBINEFUNC = kpi.attribute_combine,
	SERIALFUNC = kpi.attribute_serialize, DESERIALFUNC = kpi.attribute_deserialize,
	FINALFUNC = kpi.attribute_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
CREATE AGGREGATE kpi.attribute(timestamptz, text, boolean, text, interval) (
	SFUNC = kpi.attribute_accum, STYPE = internal, SSPACE = 256,
	COMBINEFUNC = kpi.attribute_combine,
	SERIALFUNC = kpi.attribute_serialize, DESERIALFUNC = kpi.attribute_deserialize,
	FINALFUNC = kpi.attribute_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
CREATE AGGREGATE kpi.attribute(timestamptz, text, boolean, text, interval, interval) (
	SFUNC = kpi.attribute_accum, STYPE = internal, SSPACE = 256,
	COMBINEFUNC = kpi.attribute_combine,
	SERIALFUNC = kpi.attribute_serialize, DESERIALFUNC = kpi.attribute_deserialize,
	FINALFUNC = kpi.attribute_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE kpi.attribute(timestamptz, text, boolean, text) IS
	'Credit per channel for each conversion of a group (one customer), as kpi.credit[]: attribute(ts, channel, converted, model), model first_touch, last_touch, last_non_direct[(<direct channel>)], linear, time_decay (half-life 7 days) or position_based[(40/20/40)]; lookback 90 days.';
COMMENT ON AGGREGATE kpi.attribute(timestamptz, text, boolean, text, interval) IS
	'Credit per channel for each conversion of a group, as kpi.attribute(ts, channel, converted, model) with the lookback given (NULL: no limit).';
COMMENT ON AGGREGATE kpi.attribute(timestamptz, text, boolean, text, interval, interval) IS
	'Credit per channel for each conversion of a group under the time_decay model with the half-life given: attribute(ts, channel, converted, ''time_decay'', lookback, half_life).';

CREATE FUNCTION kpi.credits(credits kpi.credit[])
	RETURNS TABLE (conversion_at timestamptz, channel text, credit numeric)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 3
	BEGIN ATOMIC
		SELECT c.conversion_at, c.channel, c.credit FROM pg_catalog.unnest(credits) AS c;
	END;
COMMENT ON FUNCTION kpi.credits(kpi.credit[]) IS
	'The rows (conversion_at, channel, credit) of a kpi.attribute result, in its order: by conversion, then channel name.';

------------------------------------------------------------------------------
-- kpi.attribute_totals(customer_id, ts, channel, converted, model
-- [, lookback [, half_life]]): kpi.attribute's credits summed per channel
-- over many customers, without GROUP BY customer_id.  The state buffers the
-- rows (20 bytes each) and the final function sorts them by customer, so the
-- per-row cost is an append, not a hash-table lookup per customer;
-- src/attribution.c says why, bench/attribution_results.md what it gains.
------------------------------------------------------------------------------

CREATE TYPE kpi.channel_credit AS (channel text, credit numeric);
COMMENT ON TYPE kpi.channel_credit IS
	'One channel''s total credit over many conversions (kpi.attribute_totals): the conversions it earned, exact to 1e-12; channel NULL counts the conversions no touch reached.';

CREATE FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text, interval) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text, interval, interval) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kpi.attribute_totals_final(internal) RETURNS kpi.channel_credit[]
	AS 'MODULE_PATHNAME', 'kpi_attribute_totals_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text) IS
	'Transition function of kpi.attribute_totals: buffers one touch or conversion of a customer.';
COMMENT ON FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text, interval) IS
	'Transition function of kpi.attribute_totals with a lookback: buffers one touch or conversion of a customer.';
COMMENT ON FUNCTION kpi.attribute_totals_accum(internal, bigint, timestamptz, text, boolean, text, interval, interval) IS
	'Transition function of kpi.attribute_totals with a lookback and a half-life: buffers one touch or conversion of a customer.';
COMMENT ON FUNCTION kpi.attribute_totals_combine(internal, internal) IS
	'Combine function of kpi.attribute_totals: appends the rows of two partial states.';
COMMENT ON FUNCTION kpi.attribute_totals_serialize(internal) IS
	'Serialize function of kpi.attribute_totals (format version 1), for parallel query.';
COMMENT ON FUNCTION kpi.attribute_totals_deserialize(bytea, internal) IS
	'Deserialize function of kpi.attribute_totals, validating every field.';
COMMENT ON FUNCTION kpi.attribute_totals_final(internal) IS
	'Final function of kpi.attribute_totals: sorts the rows by customer once, credits each customer''s conversions as kpi.attribute does, and sums the credits per channel.';

CREATE AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text) (
	SFUNC = kpi.attribute_totals_accum, STYPE = internal,
	COMBINEFUNC = kpi.attribute_totals_combine,
	SERIALFUNC = kpi.attribute_totals_serialize, DESERIALFUNC = kpi.attribute_totals_deserialize,
	FINALFUNC = kpi.attribute_totals_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
CREATE AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text, interval) (
	SFUNC = kpi.attribute_totals_accum, STYPE = internal,
	COMBINEFUNC = kpi.attribute_totals_combine,
	SERIALFUNC = kpi.attribute_totals_serialize, DESERIALFUNC = kpi.attribute_totals_deserialize,
	FINALFUNC = kpi.attribute_totals_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);
CREATE AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text, interval, interval) (
	SFUNC = kpi.attribute_totals_accum, STYPE = internal,
	COMBINEFUNC = kpi.attribute_totals_combine,
	SERIALFUNC = kpi.attribute_totals_serialize, DESERIALFUNC = kpi.attribute_totals_deserialize,
	FINALFUNC = kpi.attribute_totals_final, FINALFUNC_MODIFY = READ_ONLY,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text) IS
	'Credit per channel summed over every customer''s conversions, as kpi.channel_credit[] (by channel name, unattributed last): attribute_totals(customer_id, ts, channel, converted, model), the rules and models of kpi.attribute; lookback 90 days.';
COMMENT ON AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text, interval) IS
	'Credit per channel summed over every customer''s conversions, as kpi.attribute_totals(customer_id, ts, channel, converted, model) with the lookback given (NULL: no limit).';
COMMENT ON AGGREGATE kpi.attribute_totals(bigint, timestamptz, text, boolean, text, interval, interval) IS
	'Credit per channel summed over every customer''s conversions under the time_decay model with the half-life given.';
