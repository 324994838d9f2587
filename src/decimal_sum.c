/*
 * decimal_sum.c
 *		Exact 128-bit decimal arithmetic for integer and numeric KPI inputs.
 *
 * The hot path is decimal_from_numeric(): it reads a numeric datum in place
 * instead of calling PG_GETARG_NUMERIC, which would palloc and copy every
 * value stored with a short varlena header (most small numerics in a heap
 * tuple).  The numeric on-disk format is stable across releases -- pg_upgrade
 * depends on it -- so decoding it here is safe; the layout constants below
 * mirror the comments in PostgreSQL's numeric.c.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "decimal_sum.h"
#include "fmgr.h"

const int64 pow10_int64[] = {
	INT64CONST(1), INT64CONST(10), INT64CONST(100), INT64CONST(1000),
	INT64CONST(10000), INT64CONST(100000), INT64CONST(1000000),
	INT64CONST(10000000), INT64CONST(100000000), INT64CONST(1000000000),
	INT64CONST(10000000000), INT64CONST(100000000000),
	INT64CONST(1000000000000), INT64CONST(10000000000000),
	INT64CONST(100000000000000), INT64CONST(1000000000000000),
	INT64CONST(10000000000000000), INT64CONST(100000000000000000),
	INT64CONST(1000000000000000000)
};

void
decimal_overflow_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("kpi sum out of range"),
			 errdetail("Integer and numeric inputs are summed exactly in 128 bits at the largest input scale, about 38 significant digits."),
			 errhint("Round the input to fewer decimal places, or cast it to double precision.")));
}

/*
 * Multiply unscaled by 10^(to_scale - from_scale).  Returns false on
 * overflow.  Only scales up: callers never lose digits.
 */
bool
decimal_rescale(int128 *unscaled, int from_scale, int to_scale)
{
	int128		result;

	Assert(to_scale >= from_scale);
	if (to_scale == from_scale)
		return true;
	if (to_scale - from_scale > 38)
		return *unscaled == 0;
	if (__builtin_mul_overflow(*unscaled, pow10_int128(to_scale - from_scale), &result))
		return false;
	*unscaled = result;
	return true;
}

/*
 * Decode a numeric datum into an exact scaled int128.  Returns the class;
 * for the specials (NaN, +-Infinity) *unscaled and *scale are not set.
 */
NumericClass
decimal_from_numeric(Datum numeric, int128 *unscaled, int *scale)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(numeric);
	struct varlena *detoasted = NULL;
	const char *data;
	Size		size;
	uint16		header;
	bool		negative;
	int			dscale;
	int			weight;
	int			ndigits;
	int			exact_scale;
	int			trailing_zeros = 0;
	uint128		magnitude = 0;
	uint128		limit;
	int128		value;

	if (likely(decimal_from_short_numeric(numeric, unscaled, scale)))
		return NUMERIC_CLASS_FINITE;

	/*
	 * External (out of line) and compressed values are fetched and
	 * decompressed; an inline short header is read in place.
	 */
	if (!VARLENA_READABLE_IN_PLACE(raw))
	{
		raw = detoasted = pg_detoast_datum_packed(raw);
		/* the same decoding as the value would get stored inline */
		if (decimal_from_short_numeric(PointerGetDatum(raw), unscaled, scale))
		{
			pfree(detoasted);
			return NUMERIC_CLASS_FINITE;
		}
	}

	data = VARDATA_ANY(raw);
	size = VARSIZE_ANY_EXHDR(raw);
	if (size < sizeof(uint16))
		elog(ERROR, "invalid numeric datum of %zu bytes", size);
	header = read_uint16(data);

	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		uint16		special = header & NUM_EXT_SIGN_MASK;

		if (detoasted)
			pfree(detoasted);
		if (special == NUM_PINF)
			return NUMERIC_CLASS_PINF;
		if (special == NUM_NINF)
			return NUMERIC_CLASS_NINF;
		return NUMERIC_CLASS_NAN;
	}

	if ((header & NUM_SIGN_MASK) == NUM_SHORT)
	{
		negative = (header & NUM_SHORT_SIGN_MASK) != 0;
		dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = (header & NUM_SHORT_WEIGHT_MASK);
		if (header & NUM_SHORT_WEIGHT_SIGN)
			weight |= ~NUM_SHORT_WEIGHT_MASK;
		data += sizeof(uint16);
		size -= sizeof(uint16);
	}
	else
	{
		if (size < 2 * sizeof(uint16))
			elog(ERROR, "invalid numeric datum of %zu bytes", size);
		negative = (header & NUM_SIGN_MASK) == NUM_NEG;
		dscale = header & NUM_DSCALE_MASK;
		weight = (int16) read_uint16(data + sizeof(uint16));
		data += 2 * sizeof(uint16);
		size -= 2 * sizeof(uint16);
	}
	ndigits = size / sizeof(int16);
	limit = ((uint128) 1 << 127) - (negative ? 0 : 1);

	/*
	 * General path: build the integer formed by the base-10000 digits; the
	 * number is that integer times 10000^(weight - ndigits + 1).  The last
	 * digit's trailing decimal zeros are left out as it is added, so that a
	 * value of 38 significant digits fits however they fall into groups of
	 * four (1e16 + 3e-17 has 34 digits but spans 40 decimal places of
	 * groups).
	 */
	for (int i = 0; i < ndigits; i++)
	{
		int16		digit = (int16) read_uint16(data + i * sizeof(int16));
		int			shift = NUM_DEC_DIGITS;

		if (i == ndigits - 1)
		{
			while (shift > 0 && digit != 0 && digit % 10 == 0)
			{
				digit /= 10;
				shift--;
			}
			trailing_zeros = NUM_DEC_DIGITS - shift;
		}
		/* digits are 0..9999 in every stored numeric; anything else is not decoded */
		if (digit < 0 || digit >= NUM_NBASE)
			elog(ERROR, "invalid digit %d in numeric datum", digit);
		if (__builtin_mul_overflow(magnitude, (uint128) pow10_int64[shift], &magnitude) ||
			__builtin_add_overflow(magnitude, (uint128) digit, &magnitude) ||
			magnitude > limit)
			decimal_overflow_error();
	}
	/* -2^127 has no positive counterpart: negate the magnitude as unsigned */
	value = negative ? (int128) (-magnitude) : (int128) magnitude;

	/* Express it at the smallest scale that holds every stored digit. */
	exact_scale = NUM_DEC_DIGITS * (ndigits - weight - 1) - trailing_zeros;
	if (ndigits == 0)
		exact_scale = 0;
	if (exact_scale < 0)
	{
		if (!decimal_rescale(&value, 0, -exact_scale))
			decimal_overflow_error();
		exact_scale = 0;
	}
	/* Drop trailing zero digits beyond the display scale. */
	while (exact_scale > dscale && value % 10 == 0)
	{
		value /= 10;
		exact_scale--;
	}
	while (exact_scale > DECIMAL_MAX_SCALE && value % 10 == 0)
	{
		value /= 10;
		exact_scale--;
	}
	if (exact_scale > DECIMAL_MAX_SCALE)
		decimal_overflow_error();
	/*
	 * Keep the display scale so that sums print the way users wrote them,
	 * when it fits: a value that fits at its exact scale is never an error.
	 */
	if (exact_scale < dscale && dscale <= DECIMAL_MAX_SCALE)
	{
		int128		at_dscale = value;

		if (decimal_rescale(&at_dscale, exact_scale, dscale))
		{
			value = at_dscale;
			exact_scale = dscale;
		}
	}

	if (detoasted)
		pfree(detoasted);
	*unscaled = value;
	*scale = exact_scale;
	return NUMERIC_CLASS_FINITE;
}

/*
 * Drop trailing zero places beyond DECIMAL_MAX_SCALE.  kpi 0.1.0 could store
 * a sum at the display scale of numeric(60,40) input, with zeros in the
 * places beyond 36; this reads such a sum back.  Returns false when a
 * non-zero place remains beyond DECIMAL_MAX_SCALE.
 */
bool
decimal_normalise_scale(int128 *unscaled, int *scale)
{
	while (*scale > DECIMAL_MAX_SCALE && *unscaled % 10 == 0)
	{
		*unscaled /= 10;
		(*scale)--;
	}
	return *scale <= DECIMAL_MAX_SCALE;
}

/* Bring acc and value to a common scale; errors on overflow. */
static inline void
align_scales(int128 *acc, int16 *acc_scale, int128 *value, int scale)
{
	if (scale > *acc_scale)
	{
		if (!decimal_rescale(acc, *acc_scale, scale))
			decimal_overflow_error();
		*acc_scale = scale;
	}
	else if (!decimal_rescale(value, scale, *acc_scale))
		decimal_overflow_error();
}

/* decimal_add() for operands of different scales. */
void
decimal_add_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale)
{
	align_scales(acc, acc_scale, &value, scale);
	if (__builtin_add_overflow(*acc, value, acc))
		decimal_overflow_error();
}

/* decimal_sub() for operands of different scales. */
void
decimal_sub_rescaled(int128 *acc, int16 *acc_scale, int128 value, int scale)
{
	align_scales(acc, acc_scale, &value, scale);
	if (__builtin_sub_overflow(*acc, value, acc))
		decimal_overflow_error();
}

/* Three-way comparison of two scaled decimals, exact. */
int
decimal_compare(int128 a, int a_scale, int128 b, int b_scale)
{
	if (a_scale < b_scale && !decimal_rescale(&a, a_scale, b_scale))
		return a > 0 ? 1 : -1;
	if (b_scale < a_scale && !decimal_rescale(&b, b_scale, a_scale))
		return b > 0 ? -1 : 1;
	return (a > b) - (a < b);
}

/*
 * Unsigned big integers for decimal_divide(): 32-bit limbs, least
 * significant first, enough for 2^55 times a 128-bit value times 10^38.
 */
#define BIG_LIMBS 16

typedef struct BigUint
{
	uint32		limb[BIG_LIMBS];
} BigUint;

static void
big_from_uint128(BigUint *a, uint128 value)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < 4; i++)
		a->limb[i] = (uint32) (value >> (32 * i));
}

static void
big_mul_small(BigUint *a, uint32 factor)
{
	uint64		carry = 0;

	for (int i = 0; i < BIG_LIMBS; i++)
	{
		uint64		product = (uint64) a->limb[i] * factor + carry;

		a->limb[i] = (uint32) product;
		carry = product >> 32;
	}
	Assert(carry == 0);
}

static void
big_mul_pow10(BigUint *a, int exponent)
{
	for (; exponent >= 9; exponent -= 9)
		big_mul_small(a, 1000000000);
	if (exponent > 0)
		big_mul_small(a, (uint32) pow10_int64[exponent]);
}

static int
big_bitlen(const BigUint *a)
{
	for (int i = BIG_LIMBS - 1; i >= 0; i--)
		if (a->limb[i] != 0)
			return 32 * i + 32 - __builtin_clz(a->limb[i]);
	return 0;
}

static void
big_shift_left(BigUint *a, int bits)
{
	int			limbs = bits / 32;
	int			rest = bits % 32;

	Assert(bits >= 0);
	for (int i = BIG_LIMBS - 1; i >= 0; i--)
	{
		uint64		v = i - limbs >= 0 ? (uint64) a->limb[i - limbs] << rest : 0;

		if (rest > 0 && i - limbs - 1 >= 0)
			v |= (uint64) a->limb[i - limbs - 1] >> (32 - rest);
		a->limb[i] = (uint32) v;
	}
}

static void
big_shift_right_one(BigUint *a)
{
	for (int i = 0; i < BIG_LIMBS; i++)
		a->limb[i] = (a->limb[i] >> 1) | (i + 1 < BIG_LIMBS ? a->limb[i + 1] << 31 : 0);
}

static int
big_compare(const BigUint *a, const BigUint *b)
{
	for (int i = BIG_LIMBS - 1; i >= 0; i--)
		if (a->limb[i] != b->limb[i])
			return a->limb[i] > b->limb[i] ? 1 : -1;
	return 0;
}

static void
big_subtract(BigUint *a, const BigUint *b)
{
	int64		borrow = 0;

	for (int i = 0; i < BIG_LIMBS; i++)
	{
		int64		d = (int64) a->limb[i] - b->limb[i] - borrow;

		borrow = d < 0;
		a->limb[i] = (uint32) (d + (borrow << 32));
	}
}

static bool
big_is_zero(const BigUint *a)
{
	for (int i = 0; i < BIG_LIMBS; i++)
		if (a->limb[i] != 0)
			return false;
	return true;
}

/*
 * (num / 10^num_scale) / (den / 10^den_scale), correctly rounded to double
 * (to nearest, ties to even): the same double as (Σx / Σy)::float8 computed
 * in numeric at enough places.  den must not be 0.  Long double division
 * would round twice (to 64 bits, then to 53) and miss by one unit in the
 * last place about once in 2000 quotients.
 *
 * The magnitudes become integers A and B at a common scale; then the 55 or
 * 56 leading bits of A / B come from a shift-and-subtract division, and the
 * remainder decides the rounding.
 */
double
decimal_divide(int128 num, int num_scale, int128 den, int den_scale)
{
	bool		negative = (num < 0) != (den < 0);
	BigUint		a;
	BigUint		b;
	BigUint		shifted;
	int			shift;
	uint64		quotient = 0;
	int			length;
	int			drop;
	uint64		mantissa;
	uint64		dropped;
	uint64		half;
	double		result;

	Assert(den != 0);
	if (num == 0)
		return negative ? -0.0 : 0.0;

#if LDBL_MANT_DIG == 64
	{
		/*
		 * Fast path, for operands below 2^64 at a common scale (money and
		 * counts): the x87 long double quotient is correctly rounded to 64
		 * bits, and rounding that to 53 bits is correct unless it lies
		 * exactly halfway between two doubles.
		 */
		uint128		ma = num < 0 ? -(uint128) num : (uint128) num;
		uint128		mb = den < 0 ? -(uint128) den : (uint128) den;
		int			gap = den_scale - num_scale;
		uint128	   *up = gap > 0 ? &ma : &mb;

		if (gap < 0)
			gap = -gap;
		if (gap <= 19 && ma >> 64 == 0 && mb >> 64 == 0 &&
			*up <= (uint128) PG_UINT64_MAX / (uint64) pow10_int64[Min(gap, 18)] / (gap == 19 ? 10 : 1))
		{
			long double quotient;
			long double fraction;
			int			exponent;

			*up *= (uint64) pow10_int64[Min(gap, 18)] * (gap == 19 ? 10 : 1);
			quotient = (long double) (uint64) ma / (long double) (uint64) mb;
			fraction = frexpl(quotient, &exponent);
			if (((uint64) ldexpl(fraction, 64) & 0x7FF) != 0x400)
				return negative ? -(double) quotient : (double) quotient;
		}
	}
#endif

	big_from_uint128(&a, num < 0 ? -(uint128) num : (uint128) num);
	big_from_uint128(&b, den < 0 ? -(uint128) den : (uint128) den);
	if (den_scale > num_scale)
		big_mul_pow10(&a, den_scale - num_scale);
	else
		big_mul_pow10(&b, num_scale - den_scale);

	/* A * 2^shift / B lies in [2^55, 2^57) */
	shift = big_bitlen(&b) - big_bitlen(&a) + 56;
	if (shift >= 0)
		big_shift_left(&a, shift);
	else
		big_shift_left(&b, -shift);
	shifted = b;
	big_shift_left(&shifted, 57);
	for (int bit = 57; bit >= 0; bit--)
	{
		if (big_compare(&a, &shifted) >= 0)
		{
			big_subtract(&a, &shifted);
			quotient |= UINT64CONST(1) << bit;
		}
		big_shift_right_one(&shifted);
	}

	/* keep 53 bits, round to nearest even; a is now the remainder */
	length = 64 - __builtin_clzll(quotient);
	drop = length - 53;
	Assert(drop >= 1);
	mantissa = quotient >> drop;
	dropped = quotient & ((UINT64CONST(1) << drop) - 1);
	half = UINT64CONST(1) << (drop - 1);
	if (dropped > half || (dropped == half && (!big_is_zero(&a) || (mantissa & 1))))
		mantissa++;
	result = ldexp((double) mantissa, drop - shift);
	return negative ? -result : result;
}

long double
decimal_to_long_double(int128 unscaled, int scale)
{
	long double value = (long double) unscaled;

	/* 10^k is exact in long double up to k = 27; larger scales are rare. */
	while (scale > 27)
	{
		value /= 1e27L;
		scale -= 27;
	}
	if (scale > 0)
		value /= powl(10.0L, scale);
	return value;
}

double
decimal_to_double(int128 unscaled, int scale)
{
	/* Fast and exact for the common case: small values at scale <= 18. */
	if (scale <= 18 && unscaled >= -(INT64CONST(1) << 53) && unscaled <= (INT64CONST(1) << 53))
		return (double) (int64) unscaled / (double) pow10_int64[scale];
	return (double) decimal_to_long_double(unscaled, scale);
}

/* Exact text form: digits, then "." and exactly scale digits when scale > 0. */
char *
decimal_to_cstring(int128 unscaled, int scale)
{
	char		digits[64];
	char	   *result = palloc(80);
	char	   *out = result;
	int			ndigits = 0;
	uint128		magnitude = unscaled < 0 ? -(uint128) unscaled : (uint128) unscaled;

	do
	{
		digits[ndigits++] = '0' + (int) (magnitude % 10);
		magnitude /= 10;
	} while (magnitude > 0);
	while (ndigits <= scale)
		digits[ndigits++] = '0';

	if (unscaled < 0)
		*out++ = '-';
	for (int i = ndigits - 1; i >= 0; i--)
	{
		*out++ = digits[i];
		if (i == scale && scale > 0)
			*out++ = '.';
	}
	*out = '\0';
	return result;
}

/*
 * Parse [-]digits[.digits] into a scaled decimal.  Returns false on a syntax
 * error; raises 22003 when the value does not fit in 128 bits.
 */
bool
decimal_parse(const char *str, const char **endptr, int128 *unscaled, int *scale)
{
	const char *p = str;
	bool		negative = false;
	bool		seen_digit = false;
	int			frac_digits = -1;
	uint128		magnitude = 0;
	/* The magnitude may reach 2^127 for a negative number: int128's minimum. */
	uint128		limit;

	if (*p == '-' || *p == '+')
		negative = (*p++ == '-');
	limit = ((uint128) 1 << 127) - (negative ? 0 : 1);
	for (;; p++)
	{
		if (*p >= '0' && *p <= '9')
		{
			if (magnitude > (limit - (uint128) (*p - '0')) / 10)
				decimal_overflow_error();
			magnitude = magnitude * 10 + (uint128) (*p - '0');
			seen_digit = true;
			if (frac_digits >= 0)
				frac_digits++;
		}
		else if (*p == '.' && frac_digits < 0 && seen_digit)
			frac_digits = 0;
		else
			break;
	}
	if (!seen_digit || frac_digits == 0)
		return false;
	*unscaled = negative ? (int128) (-magnitude) : (int128) magnitude;
	*scale = frac_digits < 0 ? 0 : frac_digits;
	if (!decimal_normalise_scale(unscaled, scale))
		decimal_overflow_error();
	*endptr = p;
	return true;
}
