/*
 * ratio.h
 *		kpi.ratio: the fixed-size, mergeable summary behind every ratio KPI.
 *
 * A ratio KPI is always Σnumerator / Σdenominator over a group, window or
 * period -- never an average of per-row ratios.  kpi.ratio keeps exactly
 * what is needed to compute it, to merge it with other summaries (daily
 * tables rolled up to months, partial aggregates from parallel workers or
 * Citus workers), and later to put a delta-method confidence interval on
 * it: the row count n, both sums, and the moments Σx², Σy², Σxy.
 *
 * Each sum is either an exact scaled decimal (integer and numeric inputs)
 * or a compensated double-double (double precision inputs, or numeric
 * NaN/Infinity).  The moments are plain doubles: they feed statistics, not
 * money.  Only kpi.ratio_agg and kpi.rollup return a summary, so only they
 * pay for the moments; the states of the double-valued KPIs (cac, romi, ...)
 * never leave the aggregate and carry NaN, "unknown", as moments.
 */
#ifndef KPI_RATIO_H
#define KPI_RATIO_H

#include "postgres.h"

#include "fmgr.h"
#include "nodes/execnodes.h"
#include "utils/float.h"

#include "decimal_sum.h"
#include "float_sum.h"

#define RATIO_FORMAT_VERSION 1

typedef enum SumKind
{
	SUM_DECIMAL = 0,			/* exact: v.decimal / 10^scale */
	SUM_FLOAT = 1				/* binary floating point: v.fp.hi + v.fp.lo */
} SumKind;

typedef struct RatioSum
{
	uint8		kind;			/* SumKind */
	uint8		reserved;
	int16		scale;			/* SUM_DECIMAL only */
	int32		reserved2;
	union
	{
		int128		decimal;
		CompensatedSum fp;
	}			v;
} RatioSum;

/*
 * Ratio.flags.  RATIO_FLAG_CHECKED marks a summary that kpi's own C code
 * built or validated.  It is set in memory only, never read from text or
 * binary input (those clear it), so a state that reaches a transition
 * function without it came from somewhere else -- a user's CREATE
 * AGGREGATE with kpi's transition and a forged INITCOND, say -- and is
 * validated before it is trusted (ratio_adopt_state).
 */
#define RATIO_FLAG_CHECKED	0x01

typedef struct Ratio
{
	uint8		version;		/* RATIO_FORMAT_VERSION */
	uint8		flags;			/* RATIO_FLAG_*, in memory only */
	uint8		reserved[6];
	int64		n;				/* pairs summarised */
	RatioSum	num;			/* Σx, x = numerator */
	RatioSum	den;			/* Σy, y = denominator */
	double		sum_xx;			/* Σx² */
	double		sum_yy;			/* Σy² */
	double		sum_xy;			/* Σxy */
} Ratio;

#define RATIO_SIZE 88
StaticAssertDecl(sizeof(Ratio) == RATIO_SIZE, "kpi.ratio must keep its on-disk size");

#define DatumGetRatioP(X)	((Ratio *) DatumGetPointer(X))
#define PG_GETARG_RATIO_P(n) DatumGetRatioP(PG_GETARG_DATUM(n))
#define PG_RETURN_RATIO_P(x) PG_RETURN_POINTER(x)

/* The SQL types an aggregate argument can have. */
typedef enum InputType
{
	INPUT_INT4,
	INPUT_INT8,
	INPUT_NUMERIC,
	INPUT_FLOAT8
} InputType;

/* One decoded argument value. */
typedef struct KpiInput
{
	bool		is_float;		/* float8 input, or a numeric NaN/Infinity */
	double		approx;			/* the value as a double (exact when is_float);
								 * only set for exact inputs when asked for */
	int128		unscaled;		/* exact value when !is_float */
	int			scale;
} KpiInput;

/* Argument types of a two-argument aggregate, cached in fn_extra. */
typedef struct InputTypes
{
	InputType	num;
	InputType	den;
} InputTypes;

extern const InputTypes *input_types(FunctionCallInfo fcinfo);
extern KpiInput decode_numeric_input(Datum value, bool need_approx);
extern void ratio_init(Ratio *ratio, bool with_moments);
extern void ratio_sum_add_float(RatioSum *sum, KpiInput input);
extern void ratio_count_overflow_error(void) pg_attribute_noreturn();
extern void ratio_merge(Ratio *into, const Ratio *other);
extern bool ratio_sum_normalise_scale(RatioSum *sum);
extern void ratio_adopt_state(Ratio *state);
extern bool ratio_value(const Ratio *ratio, bool minus_one, double *result);
extern double ratio_sum_to_double(const RatioSum *sum);
extern bool ratio_equal(const Ratio *a, const Ratio *b);
extern const char *ratio_problem(const Ratio *ratio);

/*
 * The per-row functions below are inline: they run once per input row, and
 * on ten million rows a function call is a measurable part of the cost.
 */

/* Decode one aggregate argument; approx is only needed for the moments. */
static pg_attribute_always_inline void
decode_input(Datum value, InputType type, KpiInput *out, bool need_approx)
{
	switch (type)
	{
		case INPUT_INT4:
			out->is_float = false;
			out->unscaled = DatumGetInt32(value);
			out->scale = 0;
			if (need_approx)
				out->approx = (double) DatumGetInt32(value);
			break;
		case INPUT_INT8:
			out->is_float = false;
			out->unscaled = DatumGetInt64(value);
			out->scale = 0;
			if (need_approx)
				out->approx = (double) DatumGetInt64(value);
			break;
		case INPUT_NUMERIC:
			if (likely(decimal_from_short_numeric(value, &out->unscaled, &out->scale)))
			{
				out->is_float = false;
				if (need_approx)
					out->approx = decimal_to_double(out->unscaled, out->scale);
			}
			else
				*out = decode_numeric_input(value, need_approx);
			break;
		case INPUT_FLOAT8:
			out->is_float = true;
			out->approx = DatumGetFloat8(value);
			break;
	}
}

/*
 * True when ratio_sum_add() takes an input of this type by its first two
 * branches: an exact sum at scale 0 for integers, an exact sum for numerics
 * (decimal_add() aligns the scales), a finite float sum for float8.
 */
static pg_attribute_always_inline bool
ratio_sum_fast_ok(const RatioSum *sum, InputType type)
{
	switch (type)
	{
		case INPUT_INT4:
		case INPUT_INT8:
			return sum->kind == SUM_DECIMAL && sum->scale == 0;
		case INPUT_NUMERIC:
			return sum->kind == SUM_DECIMAL;
		case INPUT_FLOAT8:
			return sum->kind == SUM_FLOAT && isfinite(sum->v.fp.hi);
	}
	return false;
}

/* Σ += input: exact while both are exact, compensated float otherwise. */
static pg_attribute_always_inline void
ratio_sum_add(RatioSum *sum, const KpiInput *input)
{
	if (likely(sum->kind == SUM_DECIMAL && !input->is_float))
		decimal_add(&sum->v.decimal, &sum->scale, input->unscaled, input->scale);
	else if (likely(sum->kind == SUM_FLOAT && input->is_float && isfinite(sum->v.fp.hi)))
	{
		compensated_add(&sum->v.fp, input->approx);
		/* float8pl's rule: finite + finite overflowing is an error */
		if (unlikely(isinf(sum->v.fp.hi)) && !isinf(input->approx))
			float_overflow_error();
	}
	else
		ratio_sum_add_float(sum, *input);	/* by value: the hot path's input stays in registers */
}

/* Add one (x, y) pair to a summary. */
static pg_attribute_always_inline void
ratio_accumulate(Ratio *ratio, const KpiInput *x, const KpiInput *y, bool with_moments)
{
	if (unlikely(ratio->n == PG_INT64_MAX))
		ratio_count_overflow_error();
	ratio->n++;
	ratio_sum_add(&ratio->num, x);
	ratio_sum_add(&ratio->den, y);
	if (with_moments)
	{
		/* Moments overflow to Infinity quietly: they never fail a KPI. */
		ratio->sum_xx += x->approx * x->approx;
		ratio->sum_yy += y->approx * y->approx;
		ratio->sum_xy += x->approx * y->approx;
	}
}

/*
 * True when called by the executor as an aggregate or window aggregate,
 * the condition for updating the state in place.  It is the test that
 * AggCheckCallContext() makes, without the call on every row.
 */
#define CALLED_AS_AGGREGATE(fcinfo) \
	((fcinfo)->context != NULL && \
	 (IsA((fcinfo)->context, AggState) || IsA((fcinfo)->context, WindowAggState)))

#ifdef USE_ASSERT_CHECKING
#define RATIO_CHECK(r) \
	do { const char *problem_ = ratio_problem(r); \
		if (problem_) elog(ERROR, "corrupt kpi.ratio: %s", problem_); } while (0)
#else
#define RATIO_CHECK(r) ((void) 0)
#endif

#endif
