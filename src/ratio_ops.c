/*
 * ratio_ops.c
 *		Operators and accessors on kpi.ratio: merge (+), equality, the KPI
 *		value, and the parts of the summary as standard SQL types that BI
 *		tools can chart.
 */
#include "postgres.h"

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

static Datum
numeric_from_double(double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, digits);
	return numeric_from_cstring(digits);
}

/* A sum as numeric: exact for decimal sums, hi + lo exactly for float sums. */
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
