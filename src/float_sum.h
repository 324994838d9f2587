/*
 * float_sum.h
 *		Accurate sums of double precision inputs.
 *
 * Two accumulators, for two jobs:
 *
 * CompensatedSum is a normalised double-double (hi + lo) kept with Knuth's
 * error-free TwoSum.  It is 16 bytes, lives inside the fixed-size kpi.ratio,
 * is at least as accurate as PostgreSQL's own sum(float8) (which is
 * uncompensated), and in the usual range it is the exact sum, so that it
 * does not depend on the order of the rows (see compensated_add).
 *
 * ExactFloatSum is a fixed-point superaccumulator that covers the whole
 * double range, 2^-1074 .. 2^1024, in 32-bit digits held in int64 slots.
 * Every finite double adds into it exactly, so subtracting a value restores
 * the previous state bit for bit.  That is what a sliding window's inverse
 * transition needs: 1e300 can enter and leave the frame without wiping out
 * the small values around it.  NaN and infinities are counted separately so
 * that they, too, can leave a frame.
 */
#ifndef KPI_FLOAT_SUM_H
#define KPI_FLOAT_SUM_H

#include "postgres.h"

#include <math.h>

typedef struct CompensatedSum
{
	double		hi;
	double		lo;
} CompensatedSum;

/*
 * (hi, lo) += value, kept normalised: hi = fl(hi + lo), the sum rounded to
 * the nearest double, and lo the exact remainder, |lo| <= ulp(hi) / 2.
 *
 * Two error-free TwoSums per value (Knuth): the first captures the rounding
 * error of hi + value, the second folds the accumulated error back in.  As
 * long as the remainder fits a double, hi + lo is the exact sum, and the
 * normalised pair is then the one and only representation of that number:
 * the same multiset of values gives the same (hi, lo) in any order, split
 * into any partitions and merged in any order.  The remainder fits when every
 * input is a multiple of some 2^q (always true: the smallest unit in the
 * last place among the inputs) and every partial sum stays below 2^(q+106),
 * which Σ|value| < 2^(q+106) guarantees whatever the order.  Beyond that the
 * pair is a double-double rounding of the sum, accurate to about 2^-105
 * relative, whose last bits may depend on the order.
 */
static inline void
compensated_add(CompensatedSum *sum, double value)
{
	double		s = sum->hi + value;
	double		bp = s - sum->hi;
	double		err = (sum->hi - (s - bp)) + (value - bp);
	double		t;
	double		hi;

	/* Once the sum is infinite or NaN the error term is meaningless. */
	if (!isfinite(s))
	{
		sum->hi = s;
		sum->lo = 0.0;
		return;
	}
	t = sum->lo + err;
	hi = s + t;
	if (!isfinite(hi))
	{
		sum->hi = hi;
		sum->lo = 0.0;
		return;
	}
	bp = hi - s;
	sum->lo = (s - (hi - bp)) + (t - bp);
	sum->hi = hi;
}

/* sum += other: exact, in the sense of compensated_add, and normalised. */
static inline void
compensated_merge(CompensatedSum *sum, const CompensatedSum *other)
{
	compensated_add(sum, other->hi);
	if (isfinite(sum->hi))
		compensated_add(sum, other->lo);
}

/*
 * The normalised form of a pair that may not be normalised (one stored by
 * kpi 0.1.0, or typed in as text): the same number, hi = fl(hi + lo).
 */
static inline CompensatedSum
compensated_normalised(const CompensatedSum *sum)
{
	CompensatedSum result = {0.0, 0.0};

	if (!isfinite(sum->hi))
		return *sum;
	compensated_add(&result, sum->hi);
	compensated_add(&result, sum->lo);
	return result;
}

static inline double
compensated_value(const CompensatedSum *sum)
{
	return isfinite(sum->hi) ? sum->hi + sum->lo : sum->hi;
}

/* 32-bit digits covering bit positions 0 .. 2143 above 2^-1074. */
#define EXACT_SUM_DIGITS 67

typedef struct ExactFloatSum
{
	int64		digit[EXACT_SUM_DIGITS];
	int64		nan_count;
	int64		pinf_count;
	int64		ninf_count;
	int32		adds_since_carry;	/* digits overflow int64 after 2^31 adds */
} ExactFloatSum;

extern void exact_sum_init(ExactFloatSum *sum);
extern void exact_sum_add(ExactFloatSum *sum, double value, int sign);
extern double exact_sum_round(const ExactFloatSum *sum, double *residual);

#endif
