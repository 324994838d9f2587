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

PG_FUNCTION_INFO_V1(kpi_ratio_accum);
PG_FUNCTION_INFO_V1(kpi_ratio_accum_bool);
PG_FUNCTION_INFO_V1(kpi_ratio_combine);

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *caller)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", caller)));
	return aggcontext;
}

static Ratio *
new_state(MemoryContext aggcontext)
{
	Ratio	   *state = MemoryContextAlloc(aggcontext, sizeof(Ratio));

	ratio_init(state);
	return state;
}

/* Transition: add one (numerator, denominator) pair; NULL pairs are skipped. */
Datum
kpi_ratio_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "kpi.ratio_accum");
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);
	const InputTypes *types;
	KpiInput	x;
	KpiInput	y;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}
	types = input_types(fcinfo);
	decode_input(PG_GETARG_DATUM(1), types->num, &x);
	decode_input(PG_GETARG_DATUM(2), types->den, &y);
	if (state == NULL)
		state = new_state(aggcontext);
	ratio_accumulate(state, &x, &y);
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}

/* Transition for conversion_rate(boolean): numerator true rows, denominator non-NULL rows. */
Datum
kpi_ratio_accum_bool(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "kpi.ratio_accum_bool");
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);
	KpiInput	x = {false, 0.0, 0, 0};
	KpiInput	y = {false, 1.0, 1, 0};

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}
	if (PG_GETARG_BOOL(1))
	{
		x.unscaled = 1;
		x.approx = 1.0;
	}
	if (state == NULL)
		state = new_state(aggcontext);
	ratio_accumulate(state, &x, &y);
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
	MemoryContext aggcontext = aggregate_context(fcinfo, "kpi.ratio_combine");
	Ratio	   *state = PG_ARGISNULL(0) ? NULL : PG_GETARG_RATIO_P(0);

	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_RATIO_P(state);
	}
	if (state == NULL)
	{
		state = MemoryContextAlloc(aggcontext, sizeof(Ratio));
		memcpy(state, PG_GETARG_RATIO_P(1), sizeof(Ratio));
	}
	else
		ratio_merge(state, PG_GETARG_RATIO_P(1));
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}
