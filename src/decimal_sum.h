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

#include "fmgr.h"

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

/*
 * The numeric on-disk format, as documented in PostgreSQL's numeric.c.  It
 * is stable across releases (pg_upgrade relies on it), so reading it here is
 * safe; doing so in place avoids a palloc and copy per row.
 */
#define NUM_SIGN_MASK			0xC000
#define NUM_NEG					0x4000
#define NUM_SHORT				0x8000
#define NUM_SPECIAL				0xC000
#define NUM_EXT_SIGN_MASK		0xF000
#define NUM_NAN					0xC000
#define NUM_PINF				0xD000
#define NUM_NINF				0xF000
#define NUM_DSCALE_MASK			0x3FFF
#define NUM_SHORT_SIGN_MASK		0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_WEIGHT_SIGN	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_NBASE				10000
#define NUM_DEC_DIGITS			4

extern const int64 pow10_int64[19];

/* 10^exp as int128; exp must be in [0, 38]. */
static inline int128
pow10_int128(int exp)
{
	if (exp <= 18)
		return pow10_int64[exp];
	return (int128) pow10_int64[18] * pow10_int128(exp - 18);
}

static inline uint16
read_uint16(const char *p)
{
	uint16		v;

	memcpy(&v, p, sizeof(v));	/* data after a 1-byte header is unaligned */
	return v;
}

/*
 * True when a varlena datum can be read where it is: its header is followed
 * by the value itself.  An external TOAST pointer (VARATT_IS_EXTERNAL) has a
 * one-byte header too, so VARATT_IS_SHORT alone cannot decide this: kpi
 * 0.1.0 read the bytes of such a pointer as digits.  External and
 * compressed datums must go through pg_detoast_datum_packed() first.
 */
#define VARLENA_READABLE_IN_PLACE(ptr) \
	(!VARATT_IS_EXTERNAL(ptr) && !VARATT_IS_COMPRESSED(ptr))

/*
 * The fast path of decimal_from_numeric(), inline for the transition
 * functions: a short-format numeric stored in place (not toasted) with at
 * most four base-10000 digits, i.e. money and counts up to 16 digits, and a
 * display scale a sum can keep.  The value is built at the display scale;
 * the decimal places of the last digit beyond that scale are zero in every
 * value PostgreSQL stores, and anything else is left to the general path.
 * Returns false when the general path is needed.
 */
static pg_attribute_always_inline bool
decimal_from_short_numeric(Datum numeric, int128 *unscaled, int *scale)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(numeric);
	const char *data;
	Size		size;
	uint16		header;
	int			dscale;
	int			weight;
	int			ndigits;
	int			last_exponent;
	int64		leading = 0;
	int32		last;
	int32		kept;
	int128		result;

	if (unlikely(!VARLENA_READABLE_IN_PLACE(raw)))
		return false;
	data = VARDATA_ANY(raw);
	size = VARSIZE_ANY_EXHDR(raw);
	if (size < 2 * sizeof(uint16))
		return false;			/* zero, or not a short-format value */
	header = read_uint16(data);
	if ((header & NUM_SIGN_MASK) != NUM_SHORT)
		return false;
	ndigits = (size - sizeof(uint16)) / sizeof(int16);
	if (ndigits > 4)
		return false;
	dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
	if (dscale > DECIMAL_MAX_SCALE)
		return false;			/* e.g. numeric(60,40): the sum keeps fewer places */
	weight = (header & NUM_SHORT_WEIGHT_MASK);
	if (header & NUM_SHORT_WEIGHT_SIGN)
		weight |= ~NUM_SHORT_WEIGHT_MASK;
	last_exponent = NUM_DEC_DIGITS * (weight - ndigits + 1) + dscale;
	if (last_exponent < -3 || last_exponent > 20)
		return false;

	data += sizeof(uint16);
	for (int i = 0; i < ndigits - 1; i++)
		leading = leading * NUM_NBASE + (int16) read_uint16(data + i * sizeof(int16));
	last = (int16) read_uint16(data + (ndigits - 1) * sizeof(int16));

	/* Constant divisors: the compiler multiplies instead of dividing. */
	switch (last_exponent)
	{
		case -1:
			kept = last / 10;
			if (kept * 10 != last)
				return false;
			break;
		case -2:
			kept = last / 100;
			if (kept * 100 != last)
				return false;
			break;
		case -3:
			kept = last / 1000;
			if (kept * 1000 != last)
				return false;
			break;
		default:
			kept = last;
			break;
	}
	if (last_exponent >= 0)
		result = (int128) (leading * NUM_NBASE + kept) * pow10_int128(last_exponent);
	else
		result = leading * pow10_int64[NUM_DEC_DIGITS + last_exponent] + kept;
	*unscaled = (header & NUM_SHORT_SIGN_MASK) ? -result : result;
	*scale = dscale;
	return true;
}

extern NumericClass decimal_from_numeric(Datum numeric, int128 *unscaled, int *scale);
extern void decimal_add_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale);
extern void decimal_sub_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale);
extern bool decimal_rescale(int128 *unscaled, int from_scale, int to_scale);
extern bool decimal_normalise_scale(int128 *unscaled, int *scale);
extern int	decimal_compare(int128 a, int a_scale, int128 b, int b_scale);
extern double decimal_to_double(int128 unscaled, int scale);
extern double decimal_divide(int128 num, int num_scale, int128 den, int den_scale);
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
