/*
 * float_sum.h
 *		Accurate sums of double precision inputs.
 *
 * Two accumulators, for two jobs:
 *
 * CompensatedSum is a double-double (hi + lo) kept with Knuth's error-free
 * TwoSum.  It is 16 bytes, lives inside the fixed-size kpi.ratio, and is at
 * least as accurate as PostgreSQL's own sum(float8) (which is uncompensated).
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

/* (hi, lo) += value, exactly capturing the rounding error of the addition. */
static inline void
compensated_add(CompensatedSum *sum, double value)
{
	double		s = sum->hi + value;
	double		bp = s - sum->hi;
	double		err = (sum->hi - (s - bp)) + (value - bp);

	sum->hi = s;
	/* Once the sum is infinite or NaN the error term is meaningless. */
	sum->lo = isfinite(s) ? sum->lo + err : 0.0;
}

static inline void
compensated_merge(CompensatedSum *sum, const CompensatedSum *other)
{
	compensated_add(sum, other->hi);
	if (isfinite(sum->hi))
		sum->lo += other->lo;
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
