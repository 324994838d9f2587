/*
 * decimal_sum.h
 *		Exact sums of integer and numeric inputs as 128-bit scaled decimals.
 *
 * A decimal sum is an int128 "unscaled" value and a scale: the number is
 * unscaled / 10^scale.  Integer inputs have scale 0; numeric(12,2) money has
 * scale 2.  128 bits hold about 38 decimal digits, so ten million int8 or
 * numeric(12,2) values sum far beyond int64 without any loss.  A sum that
 * would not fit raises 22003 rather than silently losing digits.
 */
#ifndef KPI_DECIMAL_SUM_H
#define KPI_DECIMAL_SUM_H

#include "postgres.h"

/* The largest scale an int128 can carry while still holding an integer part. */
#define DECIMAL_MAX_SCALE 36

/* Classification of a numeric datum: finite, or one of numeric's specials. */
typedef enum NumericClass
{
	NUMERIC_CLASS_FINITE = 0,
	NUMERIC_CLASS_NAN,
	NUMERIC_CLASS_PINF,
	NUMERIC_CLASS_NINF
} NumericClass;

extern NumericClass decimal_from_numeric(Datum numeric, int128 *unscaled, int *scale);
extern void decimal_add_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale);
extern void decimal_sub_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale);
extern bool decimal_rescale(int128 *unscaled, int from_scale, int to_scale);
extern int	decimal_compare(int128 a, int a_scale, int128 b, int b_scale);
extern double decimal_to_double(int128 unscaled, int scale);
extern long double decimal_to_long_double(int128 unscaled, int scale);
extern char *decimal_to_cstring(int128 unscaled, int scale);
extern bool decimal_parse(const char *str, const char **endptr, int128 *unscaled, int *scale);
extern void decimal_overflow_error(void) pg_attribute_noreturn();

/* *acc += value, exactly; the hot path of every transition function. */
static inline void
decimal_add(int128 *acc, int16 *acc_scale, int128 value, int scale)
{
	if (likely(scale == *acc_scale))
	{
		if (unlikely(__builtin_add_overflow(*acc, value, acc)))
			decimal_overflow_error();
	}
	else
		decimal_add_rescaled(acc, acc_scale, value, scale);
}

/* *acc -= value, exactly: the inverse transition of a sliding window. */
static inline void
decimal_sub(int128 *acc, int16 *acc_scale, int128 value, int scale)
{
	if (likely(scale == *acc_scale))
	{
		if (unlikely(__builtin_sub_overflow(*acc, value, acc)))
			decimal_overflow_error();
	}
	else
		decimal_sub_rescaled(acc, acc_scale, value, scale);
}

#endif
