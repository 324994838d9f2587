/*
 * moving_agg.c
 *		Moving-aggregate (sliding window) support for the ratio aggregates.
 *
 * With an inverse transition function a sliding frame such as ROWS 999
 * PRECEDING costs O(1) per row instead of O(frame).  PostgreSQL requires the
 * inverse to restore the state exactly, or the window values drift away from
 * a fresh computation of their frames.  Here every sum is exact:
 *
 *	- integer and numeric inputs go into 128-bit scaled decimals, where
 *	  subtraction undoes addition;
 *	- double precision inputs go into an ExactFloatSum superaccumulator,
 *	  where the same holds for every finite double, and NaN and infinities
 *	  are counted so they can leave the frame too.
 *
 * kpi.rollup gets the same treatment: a summary leaving the frame is
 * subtracted exactly, its double-double float sums term by term.
 *
 * A decimal sum is kept at the largest scale of the terms now in the frame,
 * not the largest ever seen: the terms at each scale are counted, and when
 * the last one at the sum's scale leaves, the sum drops to the next scale,
 * exactly (every remaining term is a multiple of that unit).  So the state
 * after a row leaves is bit for bit the state a fresh aggregate of the
 * remaining rows would hold, and a frame overflows (22003) exactly when the
 * same frame computed alone does.  kpi 0.1.0 kept the scale of a 1e-30
 * that had long left the frame and failed on values that fit.  The one
 * step that can still overflow where a fresh computation would not -- the
 * difference at the old, larger scale just before it drops -- makes the
 * inverse return NULL, and the executor recomputes that frame.
 *
 * The state is internal: window aggregates never combine or serialize it.
 * The moments are tracked only for ratio_agg, which returns them; the
 * double-valued KPIs skip that work.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/float.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_ratio_moving_accum);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_retract);
PG_FUNCTION_INFO_V1(kpi_ratio_summary_moving_accum);
PG_FUNCTION_INFO_V1(kpi_ratio_summary_moving_retract);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_accum_bool);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_retract_bool);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_value);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_romi_value);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_summary);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_merge);
PG_FUNCTION_INFO_V1(kpi_ratio_moving_unmerge);

typedef struct MovingSum
{
	int64		float_terms;	/* floating-point terms now in the frame */
	int16		scale;			/* the largest scale among scale_terms */
	int128		decimal;		/* exact (integer and numeric) terms */
	int64		scale_terms[DECIMAL_MAX_SCALE + 1]; /* exact terms per scale */
	ExactFloatSum exact;		/* float terms, including numeric NaN/Infinity */
} MovingSum;

/*
 * The first field of every moving state.  The state is internal, so SQL
 * cannot forge one, but a user's CREATE AGGREGATE can pair kpi's moving
 * functions with another extension's internal-state functions; the mark
 * turns that into an error instead of a misread.
 */
#define MOVING_RATIO_MAGIC 0x4B50494D	/* "KPIM" */

typedef struct MovingRatio
{
	uint32		magic;			/* MOVING_RATIO_MAGIC */
	int64		n;
	bool		track_moments;
	MovingSum	num;
	MovingSum	den;
	ExactFloatSum sum_xx;
	ExactFloatSum sum_yy;
	ExactFloatSum sum_xy;
} MovingRatio;

static MemoryContext
window_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi moving-aggregate support functions can only be called as part of a window aggregate")));
	return aggcontext;
}

/* The moving state in argument 0, which must be one kpi built. */
static MovingRatio *
existing_moving_state(FunctionCallInfo fcinfo)
{
	MovingRatio *state = (MovingRatio *) PG_GETARG_POINTER(0);

	if (unlikely(state == NULL || state->magic != MOVING_RATIO_MAGIC))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid kpi moving-aggregate state"),
				 errdetail("The state was not built by a kpi moving transition function.")));
	return state;
}

static MovingRatio *
moving_state(FunctionCallInfo fcinfo, bool track_moments)
{
	MovingRatio *state;

	if (!PG_ARGISNULL(0))
		return existing_moving_state(fcinfo);
	state = MemoryContextAllocZero(window_context(fcinfo), sizeof(MovingRatio));
	state->magic = MOVING_RATIO_MAGIC;
	state->track_moments = track_moments;
	return state;
}

/* An exact term enters the frame. */
static void
moving_decimal_add(MovingSum *sum, int128 value, int scale)
{
	Assert(scale >= 0 && scale <= DECIMAL_MAX_SCALE);
	decimal_add(&sum->decimal, &sum->scale, value, scale);
	sum->scale_terms[scale]++;
}

/*
 * An exact term leaves the frame; the sum drops to the largest scale still
 * present.  Returns false when the difference does not fit at the current
 * scale: the caller then returns NULL and the frame is recomputed.
 */
static bool
moving_decimal_retract(MovingSum *sum, int128 value, int scale)
{
	int128		aligned = value;
	int			new_scale;

	Assert(scale >= 0 && scale <= sum->scale && sum->scale_terms[scale] > 0);
	if (!decimal_rescale(&aligned, scale, sum->scale) ||
		__builtin_sub_overflow(sum->decimal, aligned, &sum->decimal))
		return false;
	sum->scale_terms[scale]--;
	new_scale = sum->scale;
	while (new_scale > 0 && sum->scale_terms[new_scale] == 0)
		new_scale--;
	if (new_scale < sum->scale)
	{
		int128		unit = pow10_int128(sum->scale - new_scale);

		Assert(sum->decimal % unit == 0);
		sum->decimal /= unit;
		sum->scale = new_scale;
	}
	return true;
}

static bool
moving_sum_add(MovingSum *sum, const KpiInput *input, int sign)
{
	if (input->is_float)
	{
		exact_sum_add(&sum->exact, input->approx, sign);
		sum->float_terms += sign;
	}
	else if (sign > 0)
		moving_decimal_add(sum, input->unscaled, input->scale);
	else
		return moving_decimal_retract(sum, input->unscaled, input->scale);
	return true;
}

static bool
moving_apply(MovingRatio *state, const KpiInput *x, const KpiInput *y, int sign)
{
	state->n += sign;
	if (!moving_sum_add(&state->num, x, sign) || !moving_sum_add(&state->den, y, sign))
		return false;
	if (state->track_moments)
	{
		exact_sum_add(&state->sum_xx, x->approx * x->approx, sign);
		exact_sum_add(&state->sum_yy, y->approx * y->approx, sign);
		exact_sum_add(&state->sum_xy, x->approx * y->approx, sign);
	}
	return true;
}

/*
 * One moving step for arguments of the given types.  Always inlined, so
 * that each caller with constant types is a specialised function: the types
 * come from the C symbol bound to the SQL signature, never from fn_expr.
 */
static pg_attribute_always_inline Datum
moving_step(FunctionCallInfo fcinfo, InputType num_type, InputType den_type,
			bool track_moments, int sign)
{
	MovingRatio *state;
	KpiInput	x;
	KpiInput	y;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		/* an empty state, never NULL: the window executor rejects a NULL moving state */
		PG_RETURN_POINTER(moving_state(fcinfo, track_moments));
	}
	window_context(fcinfo);
	state = moving_state(fcinfo, track_moments);
	decode_input(PG_GETARG_DATUM(1), num_type, &x, track_moments);
	decode_input(PG_GETARG_DATUM(2), den_type, &y, track_moments);
	if (!moving_apply(state, &x, &y, sign))
		PG_RETURN_NULL();		/* the executor recomputes the frame */
	PG_RETURN_POINTER(state);
}

/*
 * The moving transitions and inverses, one per argument type pair:
 * kpi_ratio_moving_accum_int4_numeric, kpi_ratio_summary_moving_retract_
 * float8_int8 and so on.  The summary_ variants (ratio_agg) keep moments.
 */
#define DEFINE_MOVING_STEP(prefix, x_name, x_type, y_name, y_type, moments, sign) \
PG_FUNCTION_INFO_V1(prefix##_##x_name##_##y_name); \
Datum prefix##_##x_name##_##y_name(PG_FUNCTION_ARGS); \
Datum \
prefix##_##x_name##_##y_name(PG_FUNCTION_ARGS) \
{ \
	return moving_step(fcinfo, x_type, y_type, moments, sign); \
}

#define DEFINE_MOVING_STEPS_FOR_PAIR(x_name, x_type, y_name, y_type) \
	DEFINE_MOVING_STEP(kpi_ratio_moving_accum, x_name, x_type, y_name, y_type, false, 1) \
	DEFINE_MOVING_STEP(kpi_ratio_moving_retract, x_name, x_type, y_name, y_type, false, -1) \
	DEFINE_MOVING_STEP(kpi_ratio_summary_moving_accum, x_name, x_type, y_name, y_type, true, 1) \
	DEFINE_MOVING_STEP(kpi_ratio_summary_moving_retract, x_name, x_type, y_name, y_type, true, -1)

#define DEFINE_MOVING_STEPS_FOR(x_name, x_type) \
	DEFINE_MOVING_STEPS_FOR_PAIR(x_name, x_type, int4, INPUT_INT4) \
	DEFINE_MOVING_STEPS_FOR_PAIR(x_name, x_type, int8, INPUT_INT8) \
	DEFINE_MOVING_STEPS_FOR_PAIR(x_name, x_type, numeric, INPUT_NUMERIC) \
	DEFINE_MOVING_STEPS_FOR_PAIR(x_name, x_type, float8, INPUT_FLOAT8)

DEFINE_MOVING_STEPS_FOR(int4, INPUT_INT4)
DEFINE_MOVING_STEPS_FOR(int8, INPUT_INT8)
DEFINE_MOVING_STEPS_FOR(numeric, INPUT_NUMERIC)
DEFINE_MOVING_STEPS_FOR(float8, INPUT_FLOAT8)

/*
 * The 0.1.0 moving transitions below serve all sixteen signatures and read
 * the argument types from fn_expr.  Only an installation still at 0.1.0
 * binds them; they stay exported so it works until ALTER EXTENSION UPDATE.
 */
static Datum
legacy_moving_step(FunctionCallInfo fcinfo, bool track_moments, int sign)
{
	const InputTypes *types = input_types(fcinfo);

	return moving_step(fcinfo, types->num, types->den, track_moments, sign);
}

/* 0.1.0 moving transition of the double-valued ratio KPIs. */
Datum
kpi_ratio_moving_accum(PG_FUNCTION_ARGS)
{
	return legacy_moving_step(fcinfo, false, 1);
}

/* 0.1.0 inverse moving transition: the pair leaves the frame, exactly. */
Datum
kpi_ratio_moving_retract(PG_FUNCTION_ARGS)
{
	return legacy_moving_step(fcinfo, false, -1);
}

/* 0.1.0 moving transition of ratio_agg, which also keeps the moments. */
Datum
kpi_ratio_summary_moving_accum(PG_FUNCTION_ARGS)
{
	return legacy_moving_step(fcinfo, true, 1);
}

/* 0.1.0 inverse moving transition of ratio_agg. */
Datum
kpi_ratio_summary_moving_retract(PG_FUNCTION_ARGS)
{
	return legacy_moving_step(fcinfo, true, -1);
}

static Datum
moving_step_bool(FunctionCallInfo fcinfo, int sign)
{
	MovingRatio *state;
	KpiInput	x = {false, 0.0, 0, 0};
	KpiInput	y = {false, 1.0, 1, 0};

	if (PG_ARGISNULL(1))
	{
		/* an empty state, never NULL: the window executor rejects a NULL moving state */
		PG_RETURN_POINTER(moving_state(fcinfo, false));
	}
	state = moving_state(fcinfo, false);
	if (PG_GETARG_BOOL(1))
	{
		x.unscaled = 1;
		x.approx = 1.0;
	}
	if (!moving_apply(state, &x, &y, sign))
		PG_RETURN_NULL();		/* the executor recomputes the frame */
	PG_RETURN_POINTER(state);
}

/* Moving transition of conversion_rate(boolean). */
Datum
kpi_ratio_moving_accum_bool(PG_FUNCTION_ARGS)
{
	return moving_step_bool(fcinfo, 1);
}

/* Inverse moving transition of conversion_rate(boolean). */
Datum
kpi_ratio_moving_retract_bool(PG_FUNCTION_ARGS)
{
	return moving_step_bool(fcinfo, -1);
}

static bool
moving_sum_merge(MovingSum *sum, const RatioSum *term, int sign)
{
	if (term->kind == SUM_DECIMAL)
	{
		int128		value = term->v.decimal;
		int			scale = term->scale;

		/* a summary stored by 0.1.0 may carry more places than it needs */
		if (!decimal_normalise_scale(&value, &scale))
			decimal_overflow_error();
		if (sign > 0)
			moving_decimal_add(sum, value, scale);
		else
			return moving_decimal_retract(sum, value, scale);
		return true;
	}
	exact_sum_add(&sum->exact, term->v.fp.hi, sign);
	exact_sum_add(&sum->exact, term->v.fp.lo, sign);
	sum->float_terms += sign;
	return true;
}

static Datum
moving_rollup_step(FunctionCallInfo fcinfo, int sign)
{
	MovingRatio *state;
	const Ratio *term;

	if (PG_ARGISNULL(1))
	{
		/* an empty state, never NULL: the window executor rejects a NULL moving state */
		PG_RETURN_POINTER(moving_state(fcinfo, true));
	}
	state = moving_state(fcinfo, true);
	term = PG_GETARG_RATIO_P(1);
	if (__builtin_add_overflow(state->n, sign * term->n, &state->n))
		ratio_count_overflow_error();
	if (!moving_sum_merge(&state->num, &term->num, sign) ||
		!moving_sum_merge(&state->den, &term->den, sign))
		PG_RETURN_NULL();		/* the executor recomputes the frame */
	exact_sum_add(&state->sum_xx, term->sum_xx, sign);
	exact_sum_add(&state->sum_yy, term->sum_yy, sign);
	exact_sum_add(&state->sum_xy, term->sum_xy, sign);
	PG_RETURN_POINTER(state);
}

/* Moving transition of kpi.rollup: a summary enters the frame. */
Datum
kpi_ratio_moving_merge(PG_FUNCTION_ARGS)
{
	return moving_rollup_step(fcinfo, 1);
}

/* Inverse moving transition of kpi.rollup: a summary leaves the frame, exactly. */
Datum
kpi_ratio_moving_unmerge(PG_FUNCTION_ARGS)
{
	return moving_rollup_step(fcinfo, -1);
}

/*
 * Round an exact sum into a RatioSum.  It stays an exact decimal while no
 * floating-point term is in the frame, just as a fresh aggregate would.
 */
static void
moving_sum_result(const MovingSum *sum, RatioSum *out, bool want_residual)
{
	ExactFloatSum with_decimal;
	const ExactFloatSum *exact = &sum->exact;
	bool		specials = exact->nan_count > 0 || exact->pinf_count > 0 || exact->ninf_count > 0;

	if (sum->float_terms == 0)
	{
		out->kind = SUM_DECIMAL;
		out->scale = sum->scale;
		out->v.decimal = sum->decimal;
		return;
	}
	if (sum->decimal != 0)
	{
		/*
		 * Mixed terms (rolled-up summaries of both kinds): fold in the
		 * decimal part as the double-double a plain merge makes of it.
		 */
		long double as_long = decimal_to_long_double(sum->decimal, sum->scale);
		double		hi = (double) as_long;

		with_decimal = *exact;
		exact_sum_add(&with_decimal, hi, 1);
		exact_sum_add(&with_decimal, (double) (as_long - hi), 1);
		exact = &with_decimal;
	}
	out->kind = SUM_FLOAT;
	out->scale = 0;
	out->v.fp.lo = 0.0;
	out->v.fp.hi = exact_sum_round(exact, want_residual ? &out->v.fp.lo : NULL);
	if (isinf(out->v.fp.hi) && !specials)
		float_overflow_error(); /* as sum(float8) would */
}

/*
 * The frame's summary as a kpi.ratio; false for an empty frame.  With
 * want_residual, float sums carry their low parts, as a plain aggregate's
 * double-double does: ROMI subtracts the sums before rounding them.
 */
static bool
moving_result(FunctionCallInfo fcinfo, Ratio *out, bool want_moments, bool want_residual)
{
	MovingRatio *state;

	if (PG_ARGISNULL(0))
		return false;
	state = existing_moving_state(fcinfo);
	if (state->n == 0)
		return false;
	ratio_init(out, want_moments);
	out->n = state->n;
	moving_sum_result(&state->num, &out->num, want_residual);
	moving_sum_result(&state->den, &out->den, want_residual);
	if (want_moments)
	{
		out->sum_xx = exact_sum_round(&state->sum_xx, NULL);
		out->sum_yy = exact_sum_round(&state->sum_yy, NULL);
		out->sum_xy = exact_sum_round(&state->sum_xy, NULL);
	}
	return true;
}

/* Moving final: Σnumerator / Σdenominator of the frame. */
Datum
kpi_ratio_moving_value(PG_FUNCTION_ARGS)
{
	Ratio		frame;
	double		result;

	if (!moving_result(fcinfo, &frame, false, false) || !ratio_value(&frame, false, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/*
 * Moving final of romi: (Σrevenue - Σcost) / Σcost of the frame.  The float
 * sums keep their low parts, so that the difference is taken before
 * rounding, as in the plain aggregate: kpi 0.1.0 rounded both sums to
 * double first and returned 0 near break-even.
 */
Datum
kpi_ratio_moving_romi_value(PG_FUNCTION_ARGS)
{
	Ratio		frame;
	double		result;

	if (!moving_result(fcinfo, &frame, false, true) || !ratio_value(&frame, true, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* Moving final of ratio_agg: the frame's kpi.ratio summary. */
Datum
kpi_ratio_moving_summary(PG_FUNCTION_ARGS)
{
	Ratio	   *frame = palloc(sizeof(Ratio));

	if (!moving_result(fcinfo, frame, true, true))
		PG_RETURN_NULL();
	RATIO_CHECK(frame);
	PG_RETURN_RATIO_P(frame);
}
