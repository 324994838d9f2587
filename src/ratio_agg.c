/*
 * ratio_agg.c
 *		Transition and combine functions of the plain ratio aggregates.
 *
 * Every ratio aggregate (conversion_rate, cac, romi, roas, ratio_agg,
 * rollup) has kpi.ratio as its STYPE.  A real type rather than internal is
 * what lets Citus run the aggregate as partial aggregates on its workers and
 * ship the states as text; it also makes parallel query work without
 * serialize/deserialize functions.  The state is allocated once in the
 * aggregate memory context and updated in place, so the per-row cost is a
 * decode and a few integer adds, with no allocation.
 */
#include "postgres.h"

#include "fmgr.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_ratio_summary_accum);
PG_FUNCTION_INFO_V1(kpi_ratio_accum_bool);
PG_FUNCTION_INFO_V1(kpi_ratio_combine);

/*
 * Every transition and combine function updates its state in place, which
 * is only safe when the executor calls it as an aggregate.
 */
static inline void
check_aggregate_call(FunctionCallInfo fcinfo, const char *caller)
{
	if (unlikely(!CALLED_AS_AGGREGATE(fcinfo)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", caller)));
}

/* A new state in the aggregate's memory context, which outlives the row. */
static Ratio *
new_state(FunctionCallInfo fcinfo, bool with_moments)
{
	MemoryContext aggcontext;
	Ratio	   *state;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi aggregate state requested outside an aggregate");
	state = MemoryContextAlloc(aggcontext, sizeof(Ratio));
	ratio_init(state, with_moments);
	return state;
}

/*
 * Add one (numerator, denominator) pair; NULL pairs are skipped.  Always
 * inlined, so that each caller with constant argument types compiles to a
 * transition function specialised for those types.
 */
static pg_attribute_always_inline Datum
accumulate_pair(FunctionCallInfo fcinfo, InputType num_type, InputType den_type,
				bool with_moments, const char *caller)
{
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);
	KpiInput	x;
	KpiInput	y;

	check_aggregate_call(fcinfo, caller);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}
	decode_input(PG_GETARG_DATUM(1), num_type, &x, with_moments);
	decode_input(PG_GETARG_DATUM(2), den_type, &y, with_moments);
	if (state == NULL)
		state = new_state(fcinfo, with_moments);
	ratio_accumulate(state, &x, &y, with_moments);
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}

/*
 * Transitions of the double-valued ratio KPIs (cac, romi, roas,
 * conversion_rate), one per argument type pair: kpi_ratio_accum_int4_numeric
 * and so on.  These are the functions that run ten million times a query.
 */
#define DEFINE_RATIO_ACCUM(x_name, x_type, y_name, y_type) \
PG_FUNCTION_INFO_V1(kpi_ratio_accum_##x_name##_##y_name); \
Datum kpi_ratio_accum_##x_name##_##y_name(PG_FUNCTION_ARGS); \
Datum \
kpi_ratio_accum_##x_name##_##y_name(PG_FUNCTION_ARGS) \
{ \
	return accumulate_pair(fcinfo, x_type, y_type, false, "kpi.ratio_accum"); \
}

#define DEFINE_RATIO_ACCUMS_FOR(x_name, x_type) \
	DEFINE_RATIO_ACCUM(x_name, x_type, int4, INPUT_INT4) \
	DEFINE_RATIO_ACCUM(x_name, x_type, int8, INPUT_INT8) \
	DEFINE_RATIO_ACCUM(x_name, x_type, numeric, INPUT_NUMERIC) \
	DEFINE_RATIO_ACCUM(x_name, x_type, float8, INPUT_FLOAT8)

DEFINE_RATIO_ACCUMS_FOR(int4, INPUT_INT4)
DEFINE_RATIO_ACCUMS_FOR(int8, INPUT_INT8)
DEFINE_RATIO_ACCUMS_FOR(numeric, INPUT_NUMERIC)
DEFINE_RATIO_ACCUMS_FOR(float8, INPUT_FLOAT8)

/*
 * Transition of kpi.ratio_agg, whose summary also carries the moments.  It
 * is not specialised: the argument types are looked up once per query.
 */
Datum
kpi_ratio_summary_accum(PG_FUNCTION_ARGS)
{
	const InputTypes *types = input_types(fcinfo);

	return accumulate_pair(fcinfo, types->num, types->den, true, "kpi.ratio_summary_accum");
}

/* Transition for conversion_rate(boolean): numerator true rows, denominator non-NULL rows. */
Datum
kpi_ratio_accum_bool(PG_FUNCTION_ARGS)
{
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);
	KpiInput	x = {false, 0.0, 0, 0};
	KpiInput	y = {false, 1.0, 1, 0};

	check_aggregate_call(fcinfo, "kpi.ratio_accum_bool");
	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}

	/*
	 * Fast path.  This state is only ever built here (and by combining such
	 * states), so both sums are exact integers at scale 0 bounded by n: the
	 * general ratio_accumulate() would do exactly these adds.
	 */
	if (likely(state != NULL))
	{
		Assert(state->num.kind == SUM_DECIMAL && state->num.scale == 0);
		Assert(state->den.kind == SUM_DECIMAL && state->den.scale == 0);
		if (unlikely(state->n == PG_INT64_MAX))
			ratio_count_overflow_error();
		state->n++;
		state->num.v.decimal += PG_GETARG_BOOL(1) ? 1 : 0;
		state->den.v.decimal += 1;
		PG_RETURN_RATIO_P(state);
	}

	if (PG_GETARG_BOOL(1))
	{
		x.unscaled = 1;
		x.approx = 1.0;
	}
	if (state == NULL)
		state = new_state(fcinfo, false);
	ratio_accumulate(state, &x, &y, false);
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}

/*
 * Combine two states (parallel and Citus partial aggregates), and the
 * transition of kpi.rollup(kpi.ratio).  Either side may be NULL.  The
 * second argument is never modified; when the first is NULL the second is
 * copied into the aggregate context rather than aliased.
 */
Datum
kpi_ratio_combine(PG_FUNCTION_ARGS)
{
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);

	check_aggregate_call(fcinfo, "kpi.ratio_combine");
	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}
	if (state == NULL)
	{
		state = new_state(fcinfo, true);
		memcpy(state, PG_GETARG_RATIO_P(1), sizeof(Ratio));
	}
	else
		ratio_merge(state, PG_GETARG_RATIO_P(1));
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}
