/*
 * ratio_ops.c
 *		Operators and accessors on kpi.ratio: merge (+), equality, the KPI
 *		value, and the parts of the summary as standard SQL types that BI
 *		tools can chart.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_ratio_value);
PG_FUNCTION_INFO_V1(kpi_ratio_romi_value);
PG_FUNCTION_INFO_V1(kpi_ratio_numerator);
PG_FUNCTION_INFO_V1(kpi_ratio_denominator);
PG_FUNCTION_INFO_V1(kpi_ratio_n);
PG_FUNCTION_INFO_V1(kpi_ratio_add);
PG_FUNCTION_INFO_V1(kpi_ratio_eq);
PG_FUNCTION_INFO_V1(kpi_ratio_ne);

/* Σnumerator / Σdenominator; NULL for no rows or a zero denominator. */
Datum
kpi_ratio_value(PG_FUNCTION_ARGS)
{
	double		result;

	if (!ratio_value(PG_GETARG_RATIO_P(0), false, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* (Σnumerator - Σdenominator) / Σdenominator: ROMI of revenue over cost. */
Datum
kpi_ratio_romi_value(PG_FUNCTION_ARGS)
{
	double		result;

	if (!ratio_value(PG_GETARG_RATIO_P(0), true, &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

static Datum
numeric_from_cstring(const char *str)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(str),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

/*
 * The exact decimal expansion of a finite double.  A double is m * 2^e with
 * an integer m < 2^53, so its value is a finite decimal: m * 2^e for e >= 0,
 * and m * 5^-e / 10^-e for e < 0.  The digits are built in base 10^9 limbs;
 * the longest expansion (a subnormal) has 767 significant digits.
 */
#define EXACT_LIMB_BASE 1000000000
#define EXACT_LIMBS 100			/* 900 digits > 2^1024's 309 and 5^1074 * 2^53's 768 */

static char *
double_exact_cstring(double value)
{
	uint32		limb[EXACT_LIMBS] = {0};
	int			nlimbs = 1;
	int			exponent;
	double		fraction = frexp(fabs(value), &exponent);
	uint64		mantissa = (uint64) ldexp(fraction, 53);
	int			binary_exponent = exponent - 53;
	int			places = 0;
	char		digits[EXACT_LIMBS * 9 + 1];
	char	   *result;
	char	   *out;
	int			ndigits;
	int			start;

	Assert(isfinite(value));
	if (mantissa == 0)
		return pstrdup("0");
	/* an odd mantissa: no trailing zeros after the point */
	while ((mantissa & 1) == 0)
	{
		mantissa >>= 1;
		binary_exponent++;
	}
	/* mantissa < 2^53 spans up to three limbs */
	limb[0] = (uint32) (mantissa % EXACT_LIMB_BASE);
	limb[1] = (uint32) (mantissa / EXACT_LIMB_BASE % EXACT_LIMB_BASE);
	limb[2] = (uint32) (mantissa / EXACT_LIMB_BASE / EXACT_LIMB_BASE);
	nlimbs = 3;
	if (binary_exponent < 0)
		places = -binary_exponent;	/* times 5^places, then / 10^places */
	for (int step = 0; step < (binary_exponent < 0 ? -binary_exponent : binary_exponent); step++)
	{
		uint64		carry = 0;
		uint32		factor = binary_exponent < 0 ? 5 : 2;

		for (int i = 0; i < nlimbs; i++)
		{
			uint64		product = (uint64) limb[i] * factor + carry;

			limb[i] = (uint32) (product % EXACT_LIMB_BASE);
			carry = product / EXACT_LIMB_BASE;
		}
		if (carry != 0)
		{
			Assert(nlimbs < EXACT_LIMBS);
			limb[nlimbs++] = (uint32) carry;
		}
	}

	/* the integer's digits, most significant first, without leading zeros */
	out = digits;
	for (int i = nlimbs - 1; i >= 0; i--)
		out += sprintf(out, "%09u", limb[i]);
	ndigits = out - digits;
	for (start = 0; start < ndigits - 1 && digits[start] == '0'; start++)
		;

	/* sign, integer part, and the places after the point */
	result = palloc(ndigits + places + 4);
	out = result;
	if (signbit(value) && mantissa != 0)
		*out++ = '-';
	if (ndigits - start > places)
	{
		memcpy(out, digits + start, ndigits - start - places);
		out += ndigits - start - places;
	}
	else
		*out++ = '0';
	if (places > 0)
	{
		*out++ = '.';
		for (int i = ndigits - start; i < places; i++)
			*out++ = '0';
		for (int i = Max(start, ndigits - places); i < ndigits; i++)
			*out++ = digits[i];
	}
	*out = '\0';
	return result;
}

static Datum
numeric_from_double(double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (isfinite(value))
		return numeric_from_cstring(double_exact_cstring(value));
	double_to_shortest_decimal_buf(value, digits);	/* NaN, Infinity, -Infinity */
	return numeric_from_cstring(digits);
}

/*
 * A sum as numeric, exact: a decimal sum digit for digit; a float sum as the
 * exact value of hi + lo, the double-double, which is the exact sum of the
 * double precision inputs while they span fewer than 2^106 units of the
 * smallest one's last place (see float_sum.h).  kpi 0.1.0 wrote each part
 * as its shortest decimal and so was off in the 17th digit.
 */
static Datum
sum_to_numeric(const RatioSum *sum)
{
	if (sum->kind == SUM_DECIMAL)
		return numeric_from_cstring(decimal_to_cstring(sum->v.decimal, sum->scale));
	if (sum->v.fp.lo == 0.0)
		return numeric_from_double(sum->v.fp.hi);
	return DirectFunctionCall2(numeric_add,
							   numeric_from_double(sum->v.fp.hi),
							   numeric_from_double(sum->v.fp.lo));
}

/* Σnumerator as numeric. */
Datum
kpi_ratio_numerator(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(sum_to_numeric(&PG_GETARG_RATIO_P(0)->num));
}

/* Σdenominator as numeric. */
Datum
kpi_ratio_denominator(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(sum_to_numeric(&PG_GETARG_RATIO_P(0)->den));
}

/* The number of (numerator, denominator) pairs summarised. */
Datum
kpi_ratio_n(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_RATIO_P(0)->n);
}

/* a + b: the summary of both inputs' rows together. */
Datum
kpi_ratio_add(PG_FUNCTION_ARGS)
{
	Ratio	   *result = palloc(sizeof(Ratio));

	memcpy(result, PG_GETARG_RATIO_P(0), sizeof(Ratio));
	ratio_merge(result, PG_GETARG_RATIO_P(1));
	RATIO_CHECK(result);
	PG_RETURN_RATIO_P(result);
}

/* a = b */
Datum
kpi_ratio_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ratio_equal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)));
}

/* a <> b */
Datum
kpi_ratio_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!ratio_equal(PG_GETARG_RATIO_P(0), PG_GETARG_RATIO_P(1)));
}
