/*
 * float_sum.c
 *		The exact superaccumulator for double precision sums.
 *
 * A finite double is m * 2^(p - 1074) with an integer mantissa m < 2^53 and
 * a bit position p in [0, 2045].  Shifted into place, m spans at most three
 * 32-bit digits, so an addition is three integer adds with no carry
 * propagation: the carries are settled lazily, before the int64 slots could
 * overflow and when the sum is rounded.  The idea is Kulisch's long
 * accumulator, in the lazy-carry form popularised by Radford Neal's xsum.
 */
#include "postgres.h"

#include <math.h>

#include "float_sum.h"
#include "utils/float.h"

#define DIGIT_BITS		32
#define DIGIT_MASK		((int64) 0xFFFFFFFF)
#define CARRY_INTERVAL	(1 << 30)
#define MANTISSA_BITS	53
#define MIN_EXPONENT	(-1074)

void
exact_sum_init(ExactFloatSum *sum)
{
	memset(sum, 0, sizeof(*sum));
}

/* Settle carries so that every digit but the top one is in [0, 2^32). */
static void
propagate_carries(int64 *digit)
{
	for (int i = 0; i < EXACT_SUM_DIGITS - 1; i++)
	{
		int64		carry = digit[i] >> DIGIT_BITS;	/* arithmetic shift */

		digit[i] &= DIGIT_MASK;
		digit[i + 1] += carry;
	}
}

/* Add (sign = 1) or subtract (sign = -1) one double, exactly. */
void
exact_sum_add(ExactFloatSum *sum, double value, int sign)
{
	uint64		bits;
	int			biased_exponent;
	uint64		mantissa;
	int			position;
	uint128		shifted;
	int64		direction;
	int			index;

	memcpy(&bits, &value, sizeof(bits));
	biased_exponent = (int) ((bits >> 52) & 0x7FF);
	mantissa = bits & ((UINT64CONST(1) << 52) - 1);

	if (biased_exponent == 0x7FF)
	{
		if (mantissa != 0)
			sum->nan_count += sign;
		else if (bits >> 63)
			sum->ninf_count += sign;
		else
			sum->pinf_count += sign;
		return;
	}
	if (biased_exponent == 0)
		position = 0;			/* subnormal: no implicit bit */
	else
	{
		mantissa |= UINT64CONST(1) << 52;
		position = biased_exponent - 1;
	}
	if (mantissa == 0)
		return;

	direction = (bits >> 63) ? -sign : sign;
	index = position / DIGIT_BITS;
	shifted = (uint128) mantissa << (position % DIGIT_BITS);
	sum->digit[index] += direction * (int64) (shifted & DIGIT_MASK);
	sum->digit[index + 1] += direction * (int64) ((shifted >> DIGIT_BITS) & DIGIT_MASK);
	sum->digit[index + 2] += direction * (int64) (shifted >> (2 * DIGIT_BITS));

	if (++sum->adds_since_carry >= CARRY_INTERVAL)
	{
		propagate_carries(sum->digit);
		sum->adds_since_carry = 0;
	}
}

/* Round a non-negative, carry-settled digit array to the nearest double. */
static double
round_magnitude(const int64 *digit)
{
	int			top = EXACT_SUM_DIGITS - 1;
	uint128		window;
	bool		sticky = false;
	int			length;
	int			shift = 0;
	uint64		mantissa;

	while (top >= 0 && digit[top] == 0)
		top--;
	if (top < 0)
		return 0.0;

	/* The top three digits hold at least 65 significant bits when top >= 2. */
	window = (uint128) (uint64) digit[top] << (2 * DIGIT_BITS);
	if (top >= 1)
		window |= (uint128) (uint64) digit[top - 1] << DIGIT_BITS;
	if (top >= 2)
		window |= (uint128) (uint64) digit[top - 2];
	for (int i = top - 3; i >= 0 && !sticky; i--)
		sticky = digit[i] != 0;

	length = 128 - ((uint64) (window >> 64) != 0
					? __builtin_clzll((uint64) (window >> 64))
					: 64 + __builtin_clzll((uint64) window));
	if (length > MANTISSA_BITS)
	{
		uint128		remainder;
		uint128		half;

		shift = length - MANTISSA_BITS;
		mantissa = (uint64) (window >> shift);
		remainder = window & (((uint128) 1 << shift) - 1);
		half = (uint128) 1 << (shift - 1);
		/* Round to nearest, ties to even; lower digits break ties upward. */
		if (remainder > half || (remainder == half && (sticky || (mantissa & 1))))
			mantissa++;
		if (mantissa == (UINT64CONST(1) << MANTISSA_BITS))
		{
			mantissa >>= 1;
			shift++;
		}
	}
	else
		mantissa = (uint64) window;

	return ldexp((double) mantissa, shift + DIGIT_BITS * (top - 2) + MIN_EXPONENT);
}

/*
 * The sum, correctly rounded to double.  Infinities and NaN follow IEEE
 * rules.  A finite sum too large for a double comes back as an infinity;
 * the caller decides whether that is an overflow error.  If residual is
 * given, it receives the rounding error (exact sum - result), itself
 * rounded, so that result + residual is a double-double of the exact sum.
 */
double
exact_sum_round(const ExactFloatSum *sum, double *residual)
{
	int64		digit[EXACT_SUM_DIGITS];
	bool		negative;
	double		result;

	if (residual)
		*residual = 0.0;
	if (sum->nan_count > 0 || (sum->pinf_count > 0 && sum->ninf_count > 0))
		return get_float8_nan();
	if (sum->pinf_count > 0)
		return get_float8_infinity();
	if (sum->ninf_count > 0)
		return -get_float8_infinity();

	memcpy(digit, sum->digit, sizeof(digit));
	propagate_carries(digit);
	negative = digit[EXACT_SUM_DIGITS - 1] < 0;
	if (negative)
	{
		for (int i = 0; i < EXACT_SUM_DIGITS; i++)
			digit[i] = -digit[i];
		propagate_carries(digit);
	}
	result = round_magnitude(digit);
	if (negative)
		result = -result;

	if (residual && isfinite(result) && result != 0.0)
	{
		ExactFloatSum rest = *sum;

		exact_sum_add(&rest, result, -1);
		*residual = exact_sum_round(&rest, NULL);
	}
	return result;
}
