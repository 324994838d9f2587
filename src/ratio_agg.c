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
 *
 * No function here looks at fn_expr (get_fn_expr_argtype and friends):
 * Citus's worker_partial_agg and coord_combine_agg call the transition and
 * combine functions through a bare fmgr_info, where fn_expr is NULL.  So
 * there is one C symbol per SQL signature, each compiled for its argument
 * types.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/float.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_ratio_summary_accum);
PG_FUNCTION_INFO_V1(kpi_ratio_accum_bool);
PG_FUNCTION_INFO_V1(kpi_ratio_combine);

extern Datum kpi_ratio_accum_general(FunctionCallInfo fcinfo, InputType num_type,
									 InputType den_type, bool with_moments);
extern Datum kpi_ratio_accum_bool_general(FunctionCallInfo fcinfo);

/*
 * The state a transition or combine function may update, or NULL when the
 * state argument is NULL and the caller should start a new one.
 *
 * Called as an aggregate (by the executor, or by an fmgr caller such as
 * Citus's worker_partial_agg, which passes its own aggregate call context
 * on), the state lives in the aggregate context and is updated in place:
 * no copy per row.  Called any other way, e.g. a plain SQL call of the
 * support function, the argument must not be modified, so the update goes
 * to a copy in the current memory context.
 */
static inline Ratio *
writable_state(FunctionCallInfo fcinfo)
{
	Ratio	   *state;

	if (PG_ARGISNULL(0))
		return NULL;
	if (likely(CALLED_AS_AGGREGATE(fcinfo)))
		state = PG_GETARG_RATIO_P(0);
	else
	{
		state = palloc(sizeof(Ratio));
		memcpy(state, PG_GETARG_RATIO_P(0), sizeof(Ratio));
	}
	/* a state kpi did not build (an INITCOND, a direct call) is checked once */
	if (unlikely(!(state->flags & RATIO_FLAG_CHECKED)))
		ratio_adopt_state(state);
	return state;
}

/*
 * A new state: in the aggregate's memory context, which outlives the row,
 * when called as an aggregate; else in the current context.
 */
static Ratio *
new_state(FunctionCallInfo fcinfo, bool with_moments)
{
	MemoryContext aggcontext;
	Ratio	   *state;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
	state = MemoryContextAlloc(aggcontext, sizeof(Ratio));
	ratio_init(state, with_moments);
	state->flags |= RATIO_FLAG_CHECKED;
	return state;
}

/*
 * Add one (numerator, denominator) pair; NULL pairs are skipped.  The general
 * path of every two-argument transition: the first row, NULLs, a state kpi
 * did not build, a sum that turned float, a long numeric, a call outside an
 * aggregate.  It takes the argument types as values and is compiled once; it
 * is extern and never inlined, so that the transitions below stay small
 * enough for PostgreSQL's JIT to inline them (see accumulate_pair).
 */
pg_noinline Datum
kpi_ratio_accum_general(FunctionCallInfo fcinfo, InputType num_type, InputType den_type,
						bool with_moments)
{
	Ratio	   *state = writable_state(fcinfo);
	KpiInput	x;
	KpiInput	y;

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
 * The fast path's decoding of one argument into locals: false when the
 * general path is needed (a numeric that is not short, in place and at a
 * scale a sum keeps).
 */
static pg_attribute_always_inline bool
decode_fast(Datum value, InputType type, int128 *unscaled, int *scale, double *approx,
			bool need_approx)
{
	switch (type)
	{
		case INPUT_INT4:
			*unscaled = DatumGetInt32(value);
			*scale = 0;
			if (need_approx)
				*approx = (double) DatumGetInt32(value);
			return true;
		case INPUT_INT8:
			*unscaled = DatumGetInt64(value);
			*scale = 0;
			if (need_approx)
				*approx = (double) DatumGetInt64(value);
			return true;
		case INPUT_NUMERIC:
			if (!decimal_from_short_numeric(value, unscaled, scale))
				return false;
			if (need_approx)
				*approx = decimal_to_double(*unscaled, *scale);
			return true;
		case INPUT_FLOAT8:
			*approx = DatumGetFloat8(value);
			return true;
	}
	return false;
}

/*
 * Σ += value on the fast path, for a sum that ratio_sum_fast_ok() accepted:
 * the first two branches of ratio_sum_add(), without the third.
 */
static pg_attribute_always_inline void
sum_add_fast(RatioSum *sum, InputType type, int128 unscaled, int scale, double approx)
{
	switch (type)
	{
		case INPUT_INT4:
		case INPUT_INT8:
			/* the sum's scale is 0, as the input's */
			if (unlikely(__builtin_add_overflow(sum->v.decimal, unscaled, &sum->v.decimal)))
				decimal_overflow_error();
			break;
		case INPUT_NUMERIC:
			decimal_add(&sum->v.decimal, &sum->scale, unscaled, scale);
			break;
		case INPUT_FLOAT8:
			compensated_add(&sum->v.fp, approx);
			/* float8pl's rule: finite + finite overflowing is an error */
			if (unlikely(isinf(sum->v.fp.hi)) && !isinf(approx))
				float_overflow_error();
			break;
	}
}

/*
 * Add one pair: the fast path, for the rows of a running aggregate whose
 * state kpi built and whose sums keep their kind, else the general path.
 * Always inlined, so that each caller with constant argument types compiles
 * to a transition specialised for those types.  The fast path does exactly
 * what the general path would do for such a row.
 *
 * PostgreSQL's JIT inlines a C function only if its bitcode, counting the
 * static functions it calls, has at most 150 LLVM instructions
 * (llvmjit_inline.cpp); a call of an extern function counts as one.  So the
 * fast path is written out here rather than through ratio_accumulate() and
 * KpiInput, and everything else is behind extern calls: for integer and
 * float8 pairs the transition fits, and under JIT with inlining it is
 * compiled into the query's own code.  Numeric pairs (their in-place
 * decoding is longer) stay a direct call.
 */
static pg_attribute_always_inline Datum
accumulate_pair(FunctionCallInfo fcinfo, InputType num_type, InputType den_type,
				bool with_moments)
{
	if (likely(!PG_ARGISNULL(0) && !PG_ARGISNULL(1) && !PG_ARGISNULL(2) &&
			   CALLED_AS_AGGREGATE(fcinfo)))
	{
		Ratio	   *state = PG_GETARG_RATIO_P(0);
		int128		x = 0;
		int128		y = 0;
		int			x_scale = 0;
		int			y_scale = 0;
		double		x_approx = 0.0;
		double		y_approx = 0.0;

		if (likely((state->flags & RATIO_FLAG_CHECKED) &&
				   state->n < PG_INT64_MAX &&
				   ratio_sum_fast_ok(&state->num, num_type) &&
				   ratio_sum_fast_ok(&state->den, den_type) &&
				   decode_fast(PG_GETARG_DATUM(1), num_type, &x, &x_scale, &x_approx, with_moments) &&
				   decode_fast(PG_GETARG_DATUM(2), den_type, &y, &y_scale, &y_approx, with_moments)))
		{
			state->n++;
			sum_add_fast(&state->num, num_type, x, x_scale, x_approx);
			sum_add_fast(&state->den, den_type, y, y_scale, y_approx);
			if (with_moments)
			{
				/* as ratio_accumulate() */
				state->sum_xx += x_approx * x_approx;
				state->sum_yy += y_approx * y_approx;
				state->sum_xy += x_approx * y_approx;
			}
			RATIO_CHECK(state);
			PG_RETURN_RATIO_P(state);
		}
	}
	return kpi_ratio_accum_general(fcinfo, num_type, den_type, with_moments);
}

/*
 * Transitions of the double-valued ratio KPIs (cac, romi, roas,
 * conversion_rate), one per argument type pair: kpi_ratio_accum_int4_numeric
 * and so on.  These are the functions that run ten million times a query.
 * The moments are not kept.
 */
#define DEFINE_RATIO_ACCUM(x_name, x_type, y_name, y_type) \
PG_FUNCTION_INFO_V1(kpi_ratio_accum_##x_name##_##y_name); \
Datum kpi_ratio_accum_##x_name##_##y_name(PG_FUNCTION_ARGS); \
Datum \
kpi_ratio_accum_##x_name##_##y_name(PG_FUNCTION_ARGS) \
{ \
	return accumulate_pair(fcinfo, x_type, y_type, false); \
}

/*
 * Transitions of kpi.ratio_agg, whose summary also carries the moments, one
 * per argument type pair: kpi_ratio_summary_accum_int4_numeric and so on.
 */
#define DEFINE_RATIO_SUMMARY_ACCUM(x_name, x_type, y_name, y_type) \
PG_FUNCTION_INFO_V1(kpi_ratio_summary_accum_##x_name##_##y_name); \
Datum kpi_ratio_summary_accum_##x_name##_##y_name(PG_FUNCTION_ARGS); \
Datum \
kpi_ratio_summary_accum_##x_name##_##y_name(PG_FUNCTION_ARGS) \
{ \
	return accumulate_pair(fcinfo, x_type, y_type, true); \
}

#define DEFINE_ACCUMS_FOR_PAIR(x_name, x_type, y_name, y_type) \
	DEFINE_RATIO_ACCUM(x_name, x_type, y_name, y_type) \
	DEFINE_RATIO_SUMMARY_ACCUM(x_name, x_type, y_name, y_type)

#define DEFINE_ACCUMS_FOR(x_name, x_type) \
	DEFINE_ACCUMS_FOR_PAIR(x_name, x_type, int4, INPUT_INT4) \
	DEFINE_ACCUMS_FOR_PAIR(x_name, x_type, int8, INPUT_INT8) \
	DEFINE_ACCUMS_FOR_PAIR(x_name, x_type, numeric, INPUT_NUMERIC) \
	DEFINE_ACCUMS_FOR_PAIR(x_name, x_type, float8, INPUT_FLOAT8)

DEFINE_ACCUMS_FOR(int4, INPUT_INT4)
DEFINE_ACCUMS_FOR(int8, INPUT_INT8)
DEFINE_ACCUMS_FOR(numeric, INPUT_NUMERIC)
DEFINE_ACCUMS_FOR(float8, INPUT_FLOAT8)

/*
 * The 0.1.0 transition of kpi.ratio_agg, one symbol for all sixteen
 * signatures, which reads its argument types from fn_expr.  Only an
 * installation still at 0.1.0 calls it (ALTER EXTENSION kpi UPDATE binds the
 * specialised symbols above); it stays exported so that such an
 * installation keeps working with this library until it is updated.
 */
Datum
kpi_ratio_summary_accum(PG_FUNCTION_ARGS)
{
	const InputTypes *types = input_types(fcinfo);

	return kpi_ratio_accum_general(fcinfo, types->num, types->den, true);
}

/*
 * The general path of conversion_rate(boolean): the first row, NULLs, and
 * states whose sums are not exact at scale 0 or near int64's end.
 */
pg_noinline Datum
kpi_ratio_accum_bool_general(FunctionCallInfo fcinfo)
{
	Ratio	   *state = writable_state(fcinfo);
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
		state = new_state(fcinfo, false);
	ratio_accumulate(state, &x, &y, false);
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}

/*
 * Transition for conversion_rate(boolean): numerator true rows, denominator
 * non-NULL rows.  Fast path: a state kpi built with exact sums at scale 0
 * (the only kind this function and the combine of its states build) takes
 * the booleans as integer adds, which is what ratio_accumulate() would do;
 * small enough for the JIT to inline.
 */
Datum
kpi_ratio_accum_bool(PG_FUNCTION_ARGS)
{
	if (likely(!PG_ARGISNULL(0) && !PG_ARGISNULL(1) && CALLED_AS_AGGREGATE(fcinfo)))
	{
		Ratio	   *state = PG_GETARG_RATIO_P(0);

		if (likely((state->flags & RATIO_FLAG_CHECKED) &&
				   state->num.kind == SUM_DECIMAL && state->num.scale == 0 &&
				   state->den.kind == SUM_DECIMAL && state->den.scale == 0 &&
				   state->num.v.decimal < PG_INT64_MAX &&
				   state->den.v.decimal < PG_INT64_MAX &&
				   state->n < PG_INT64_MAX))
		{
			state->n++;
			state->num.v.decimal += PG_GETARG_BOOL(1) ? 1 : 0;
			state->den.v.decimal += 1;
			RATIO_CHECK(state);
			PG_RETURN_RATIO_P(state);
		}
	}
	return kpi_ratio_accum_bool_general(fcinfo);
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
	Ratio	   *state = writable_state(fcinfo);

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

		/*
		 * A pair typed in as text, or stored by 0.1.0, may not be
		 * normalised; a sum stored by 0.1.0 may carry zeros beyond 36
		 * places.
		 */
		if (!ratio_sum_normalise_scale(&state->num) || !ratio_sum_normalise_scale(&state->den))
			decimal_overflow_error();
		if (state->num.kind == SUM_FLOAT)
			state->num.v.fp = compensated_normalised(&state->num.v.fp);
		if (state->den.kind == SUM_FLOAT)
			state->den.v.fp = compensated_normalised(&state->den.v.fp);
		state->flags |= RATIO_FLAG_CHECKED;
	}
	else
		ratio_merge(state, PG_GETARG_RATIO_P(1));
	RATIO_CHECK(state);
	PG_RETURN_RATIO_P(state);
}
