/*
 * ratio.c
 *		Accumulating, merging and evaluating kpi.ratio summaries.
 *
 * This is the one place that knows how a sum is kept (exact decimal or
 * compensated float), how two summaries merge, and how the KPI value is
 * derived from the sums.  The plain aggregates, the moving (window)
 * aggregates and the operators all go through it.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/float.h"

#include "ratio.h"

static InputType
input_type_of(FunctionCallInfo fcinfo, int argno)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, argno);

	switch (type)
	{
		case INT4OID:
			return INPUT_INT4;
		case INT8OID:
			return INPUT_INT8;
		case NUMERICOID:
			return INPUT_NUMERIC;
		case FLOAT8OID:
			return INPUT_FLOAT8;
		default:
			elog(ERROR, "kpi aggregate called with unsupported argument type %u", type);
	}
	pg_unreachable();
}

/*
 * The numerator and denominator types of the calling aggregate (arguments 1
 * and 2 of its transition function).  Looked up once per query.
 */
const InputTypes *
input_types(FunctionCallInfo fcinfo)
{
	InputTypes *types = (InputTypes *) fcinfo->flinfo->fn_extra;

	if (likely(types != NULL))
		return types;
	types = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(InputTypes));
	types->num = input_type_of(fcinfo, 1);
	types->den = input_type_of(fcinfo, 2);
	fcinfo->flinfo->fn_extra = types;
	return types;
}

/*
 * decode_input() for numeric values off the inline fast path: exact unless
 * NaN or an infinity.  Returned by value, so that the caller's input stays
 * in registers on the fast path.
 */
KpiInput
decode_numeric_input(Datum value, bool need_approx)
{
	KpiInput	result = {0};

	switch (decimal_from_numeric(value, &result.unscaled, &result.scale))
	{
		case NUMERIC_CLASS_FINITE:
			result.is_float = false;
			if (need_approx)
				result.approx = decimal_to_double(result.unscaled, result.scale);
			break;
		case NUMERIC_CLASS_NAN:
			result.is_float = true;
			result.approx = get_float8_nan();
			break;
		case NUMERIC_CLASS_PINF:
			result.is_float = true;
			result.approx = get_float8_infinity();
			break;
		case NUMERIC_CLASS_NINF:
			result.is_float = true;
			result.approx = -get_float8_infinity();
			break;
	}
	return result;
}

void
ratio_init(Ratio *ratio, bool with_moments)
{
	memset(ratio, 0, sizeof(Ratio));
	ratio->version = RATIO_FORMAT_VERSION;
	ratio->num.kind = SUM_DECIMAL;
	ratio->den.kind = SUM_DECIMAL;
	if (!with_moments)
	{
		ratio->sum_xx = get_float8_nan();
		ratio->sum_yy = get_float8_nan();
		ratio->sum_xy = get_float8_nan();
	}
}

double
ratio_sum_to_double(const RatioSum *sum)
{
	if (sum->kind == SUM_DECIMAL)
		return decimal_to_double(sum->v.decimal, sum->scale);
	return compensated_value(&sum->v.fp);
}

/* Switch an exact sum to floating point; from here on it is a double-double. */
static void
make_float(RatioSum *sum)
{
	long double exact;
	double		hi;

	if (sum->kind == SUM_FLOAT)
		return;
	exact = decimal_to_long_double(sum->v.decimal, sum->scale);
	hi = (double) exact;
	sum->kind = SUM_FLOAT;
	sum->scale = 0;
	sum->v.fp.hi = hi;
	sum->v.fp.lo = (double) (exact - hi);
}

/* hi += value with PostgreSQL's float8pl overflow rule. */
static inline void
float_sum_add(CompensatedSum *fp, double value)
{
	double		before = fp->hi;

	compensated_add(fp, value);
	if (unlikely(isinf(fp->hi)) && !isinf(before) && !isinf(value))
		float_overflow_error();
}

/* ratio_sum_add() once floating point is involved on either side. */
void
ratio_sum_add_float(RatioSum *sum, KpiInput input)
{
	make_float(sum);
	float_sum_add(&sum->v.fp, input.is_float ? input.approx
				  : decimal_to_double(input.unscaled, input.scale));
}

void
ratio_count_overflow_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("kpi.ratio row count out of range")));
}

/*
 * A decimal sum at more than DECIMAL_MAX_SCALE places, as kpi 0.1.0 could
 * store one, brought to at most that many; false if it has a non-zero place
 * beyond them.
 */
bool
ratio_sum_normalise_scale(RatioSum *sum)
{
	int			scale = sum->scale;
	bool		ok;

	if (sum->kind != SUM_DECIMAL || (scale >= 0 && scale <= DECIMAL_MAX_SCALE))
		return true;
	if (scale < 0)
		return false;
	ok = decimal_normalise_scale(&sum->v.decimal, &scale);
	sum->scale = scale;
	return ok;
}

static void
ratio_sum_merge(RatioSum *into, const RatioSum *other)
{
	if (into->kind == SUM_DECIMAL && other->kind == SUM_DECIMAL)
	{
		RatioSum	term = *other;

		if (unlikely(!ratio_sum_normalise_scale(&term)))
			decimal_overflow_error();
		decimal_add(&into->v.decimal, &into->scale, term.v.decimal, term.scale);
		return;
	}
	make_float(into);
	if (other->kind == SUM_FLOAT)
	{
		double		before = into->v.fp.hi;

		compensated_merge(&into->v.fp, &other->v.fp);
		if (isinf(into->v.fp.hi) && !isinf(before) && !isinf(other->v.fp.hi))
			float_overflow_error();
	}
	else
	{
		RatioSum	copy = *other;

		make_float(&copy);
		compensated_merge(&into->v.fp, &copy.v.fp);
	}
}

void
ratio_merge(Ratio *into, const Ratio *other)
{
	if (__builtin_add_overflow(into->n, other->n, &into->n))
		ratio_count_overflow_error();
	ratio_sum_merge(&into->num, &other->num);
	ratio_sum_merge(&into->den, &other->den);
	into->sum_xx += other->sum_xx;
	into->sum_yy += other->sum_yy;
	into->sum_xy += other->sum_xy;
}

/* float8div's rules: overflow and underflow are errors, as in PostgreSQL. */
static double
checked_divide(double dividend, double divisor)
{
	double		result = dividend / divisor;

	if (unlikely(isinf(result)) && !isinf(dividend) && !isinf(divisor))
		float_overflow_error();
	if (unlikely(result == 0.0) && dividend != 0.0 && !isinf(divisor))
		float_underflow_error();
	return result;
}

/*
 * The KPI value Σx/Σy, or (Σx-Σy)/Σy when minus_one (ROMI).  Returns false
 * for "no value": no rows, or a zero denominator sum, like x / NULLIF(y, 0).
 */
bool
ratio_value(const Ratio *ratio, bool minus_one, double *result)
{
	if (ratio->n == 0)
		return false;

	if (ratio->num.kind == SUM_DECIMAL && ratio->den.kind == SUM_DECIMAL)
	{
		int128		numerator = ratio->num.v.decimal;
		int16		numerator_scale = ratio->num.scale;
		int128		denominator = ratio->den.v.decimal;
		int128		aligned_den = denominator;
		long double quotient;

		if (denominator == 0)
			return false;
		/* Σx - Σy exactly, at the finer of the two scales. */
		if (minus_one)
		{
			if (numerator_scale >= ratio->den.scale &&
				decimal_rescale(&aligned_den, ratio->den.scale, numerator_scale) &&
				!__builtin_sub_overflow(numerator, aligned_den, &numerator))
				;
			else if (numerator_scale < ratio->den.scale &&
					 decimal_rescale(&numerator, numerator_scale, ratio->den.scale) &&
					 !__builtin_sub_overflow(numerator, denominator, &numerator))
				numerator_scale = ratio->den.scale;
			else
			{
				/* Beyond 128 bits: fall back to extended precision. */
				quotient = decimal_to_long_double(ratio->num.v.decimal, ratio->num.scale) /
					decimal_to_long_double(denominator, ratio->den.scale);
				*result = (double) (quotient - 1.0L);
				return true;
			}
		}
		*result = decimal_divide(numerator, numerator_scale, denominator, ratio->den.scale);
		return true;
	}
	else
	{
		double		numerator = ratio_sum_to_double(&ratio->num);
		double		denominator = ratio_sum_to_double(&ratio->den);

		if (denominator == 0.0)
			return false;
		if (minus_one)
		{
			RatioSum	num = ratio->num;
			RatioSum	den = ratio->den;

			make_float(&num);
			make_float(&den);
			numerator = (num.v.fp.hi - den.v.fp.hi) + (num.v.fp.lo - den.v.fp.lo);
		}
		*result = checked_divide(numerator, denominator);
		return true;
	}
}

/* float8 equality as PostgreSQL defines it: NaN equals NaN. */
static inline bool
float8_same(double a, double b)
{
	return float8_cmp_internal(a, b) == 0;
}

static bool
ratio_sum_equal(const RatioSum *a, const RatioSum *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == SUM_DECIMAL)
		return decimal_compare(a->v.decimal, a->scale, b->v.decimal, b->scale) == 0;
	{
		/* the same number, even if one pair predates normalisation */
		CompensatedSum na = compensated_normalised(&a->v.fp);
		CompensatedSum nb = compensated_normalised(&b->v.fp);

		return float8_same(na.hi, nb.hi) && float8_same(na.lo, nb.lo);
	}
}

/*
 * Equal summaries hold the same count, the same sums of the same kind, and
 * the same moments.  1.50 and 1.5 are the same decimal sum.
 */
bool
ratio_equal(const Ratio *a, const Ratio *b)
{
	return a->n == b->n &&
		ratio_sum_equal(&a->num, &b->num) &&
		ratio_sum_equal(&a->den, &b->den) &&
		float8_same(a->sum_xx, b->sum_xx) &&
		float8_same(a->sum_yy, b->sum_yy) &&
		float8_same(a->sum_xy, b->sum_xy);
}

static const char *
ratio_sum_problem(const RatioSum *sum)
{
	if (sum->kind == SUM_DECIMAL)
	{
		if (sum->scale < 0 || sum->scale > DECIMAL_MAX_SCALE)
			return "decimal scale out of range";
		return NULL;
	}
	if (sum->kind != SUM_FLOAT)
		return "unknown sum kind";
	if (!isfinite(sum->v.fp.lo))
		return "float sum has a non-finite low part";
	if (!isfinite(sum->v.fp.hi) && sum->v.fp.lo != 0.0)
		return "infinite or NaN float sum has a low part";
	return NULL;
}

/*
 * Validate a transition state that kpi did not build, and bring it into the
 * canonical form the transitions rely on: float pairs normalised (|lo| at
 * most half an ulp of hi, or compensated_add loses digits), decimal sums at
 * no more than DECIMAL_MAX_SCALE places.  A summary of no rows must have
 * zero sums: no kpi function produces anything else, and an INITCOND such
 * as (n=0, num=5, den=0) would add 5 to every result.  Any other well
 * formed summary is a legitimate starting point (a carried-forward total).
 */
void
ratio_adopt_state(Ratio *state)
{
	const char *problem = ratio_problem(state);

	if (problem == NULL &&
		(!ratio_sum_normalise_scale(&state->num) || !ratio_sum_normalise_scale(&state->den)))
		problem = "decimal scale out of range";
	if (problem == NULL && state->n == 0 &&
		(ratio_sum_to_double(&state->num) != 0.0 || ratio_sum_to_double(&state->den) != 0.0))
		problem = "row count of zero with non-zero sums";
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid kpi.ratio aggregate state"),
				 errdetail("The state passed to a kpi transition function has a %s.", problem),
				 errhint("A custom aggregate over kpi's transition functions must start from a NULL state or a summary that kpi produced.")));
	if (state->num.kind == SUM_FLOAT)
		state->num.v.fp = compensated_normalised(&state->num.v.fp);
	if (state->den.kind == SUM_FLOAT)
		state->den.v.fp = compensated_normalised(&state->den.v.fp);
	state->flags |= RATIO_FLAG_CHECKED;
}

/* NULL when the summary is well formed, else what is wrong with it. */
const char *
ratio_problem(const Ratio *ratio)
{
	const char *problem;

	if (ratio->version != RATIO_FORMAT_VERSION)
		return "unknown format version";
	if (ratio->n < 0)
		return "negative row count";
	if ((problem = ratio_sum_problem(&ratio->num)) != NULL)
		return problem;
	return ratio_sum_problem(&ratio->den);
}
