/*
 * statistics.c
 *		Is a change real or noise: Wilson intervals for conversion rates, the
 *		two-proportion z-test, the delta-method interval of a ratio KPI, and
 *		kpi.compare for period over period.
 *
 * Everything is double precision in and out, so that BI tools can chart it.
 * Degenerate inputs give the mathematically right answer where there is one
 * (the Wilson bound at 0 successes is exactly 0) and NULL where there is none
 * (no trials; a ratio with no variance estimate); NaN never comes out by
 * accident.  Bad arguments are invalid_parameter_value (22023) errors.
 *
 * The normal quantile for a confidence level is the one numeric routine
 * here: Newton's method on the upper tail Q(z) = erfc(z / sqrt 2) / 2 from
 * libm, started from Abramowitz & Stegun 26.2.23 (error below 4.5e-4), which
 * converges to full double precision in three or four steps.  Each function
 * caches the last confidence and its quantile in fn_extra, so a query over
 * many rows with one confidence solves it once.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/float.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_wilson_lower);
PG_FUNCTION_INFO_V1(kpi_wilson_upper);
PG_FUNCTION_INFO_V1(kpi_wilson_lower_ratio);
PG_FUNCTION_INFO_V1(kpi_wilson_upper_ratio);
PG_FUNCTION_INFO_V1(kpi_proportions_ztest);
PG_FUNCTION_INFO_V1(kpi_ratio_ci_lower);
PG_FUNCTION_INFO_V1(kpi_ratio_ci_upper);
PG_FUNCTION_INFO_V1(kpi_compare);

/* The two-sided p-value of a standard normal statistic z. */
static inline double
two_sided_p(double z)
{
	return erfc(fabs(z) / M_SQRT2);
}

/* z with Q(z) = upper_tail, for 0 < upper_tail < 1/2. */
static double
upper_quantile(double upper_tail)
{
	double		t = sqrt(-2.0 * log(upper_tail));
	double		z = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
		(1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));

	/*
	 * Newton on log Q(z) - log(upper_tail), which stays well conditioned far
	 * into the tail: d/dz log Q(z) = -phi(z) / Q(z).
	 */
	for (int i = 0; i < 8; i++)
	{
		double		q = 0.5 * erfc(z / M_SQRT2);
		double		phi = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
		double		step = (log(q) - log(upper_tail)) * q / phi;

		z += step;
		if (fabs(step) <= 1e-15 * fabs(z))
			break;
	}
	return z;
}

static void
check_confidence(double confidence)
{
	if (!(confidence > 0.0 && confidence < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be between 0 and 1, exclusive, not %g", confidence),
				 errhint("0.95 asks for a 95 %% interval.")));
}

typedef struct QuantileCache
{
	double		confidence;
	double		z;
} QuantileCache;

/* The two-sided normal quantile of a confidence level, cached per call site. */
static double
confidence_z(FunctionCallInfo fcinfo, double confidence)
{
	QuantileCache *cache = (QuantileCache *) fcinfo->flinfo->fn_extra;

	check_confidence(confidence);
	if (cache != NULL && cache->confidence == confidence)
		return cache->z;
	if (cache == NULL)
	{
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(QuantileCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	cache->confidence = confidence;
	cache->z = upper_quantile((1.0 - confidence) / 2.0);
	return cache->z;
}

static void
check_counts(double successes, double trials)
{
	if (!isfinite(successes) || !isfinite(trials))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes and trials must be finite")));
	if (successes < 0 || trials < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes and trials cannot be negative"),
				 errdetail("Got %g successes in %g trials.", successes, trials)));
	if (successes > trials)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("successes cannot exceed trials"),
				 errdetail("Got %g successes in %g trials.", successes, trials),
				 errhint("A conversion rate counts converted entities among the entities that could convert.")));
}

/*
 * Wilson score interval:
 *	(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n).
 * At p = 0 the lower bound is exactly 0, at p = 1 the upper bound exactly 1
 * (the formula gives them up to rounding).  Returns false for n = 0.
 */
static bool
wilson(double successes, double trials, double z, bool upper, double *bound)
{
	double		p;
	double		z2n;
	double		centre;
	double		margin;

	check_counts(successes, trials);
	if (trials == 0)
		return false;
	if (!upper && successes == 0)
	{
		*bound = 0.0;
		return true;
	}
	if (upper && successes == trials)
	{
		*bound = 1.0;
		return true;
	}
	p = successes / trials;
	z2n = z * z / trials;
	centre = p + z2n / 2.0;
	margin = z * sqrt(p * (1.0 - p) / trials + z2n / (4.0 * trials));
	*bound = (upper ? centre + margin : centre - margin) / (1.0 + z2n);
	*bound = Min(Max(*bound, 0.0), 1.0);
	return true;
}

static Datum
wilson_counts(FunctionCallInfo fcinfo, bool upper)
{
	int64		successes = PG_GETARG_INT64(0);
	int64		trials = PG_GETARG_INT64(1);
	double		z = confidence_z(fcinfo, PG_GETARG_FLOAT8(2));
	double		bound;

	if (!wilson((double) successes, (double) trials, z, upper, &bound))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(bound);
}

Datum
kpi_wilson_lower(PG_FUNCTION_ARGS)
{
	return wilson_counts(fcinfo, false);
}

Datum
kpi_wilson_upper(PG_FUNCTION_ARGS)
{
	return wilson_counts(fcinfo, true);
}

/* On a summary: numerator = successes, denominator = trials. */
static Datum
wilson_ratio(FunctionCallInfo fcinfo, bool upper)
{
	const Ratio *r = PG_GETARG_RATIO_P(0);
	double		z = confidence_z(fcinfo, PG_GETARG_FLOAT8(1));
	double		bound;

	if (r->n == 0)
		PG_RETURN_NULL();
	if (!wilson(ratio_sum_to_double(&r->num), ratio_sum_to_double(&r->den), z, upper, &bound))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(bound);
}

Datum
kpi_wilson_lower_ratio(PG_FUNCTION_ARGS)
{
	return wilson_ratio(fcinfo, false);
}

Datum
kpi_wilson_upper_ratio(PG_FUNCTION_ARGS)
{
	return wilson_ratio(fcinfo, true);
}

/*
 * A composite result with some fields NULL.  The blessed row descriptor is
 * built once per call site and kept in fn_extra: looking it up per call
 * (get_call_result_type reads the catalog) would cost more than the test.
 */
static Datum
make_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	desc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (desc == NULL)
	{
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "return type must be a row type");
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		desc = BlessTupleDesc(CreateTupleDescCopy(desc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = desc;
	}
	return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

/*
 * Two-proportion z-test, z = (p1 − p2) / se, with the pooled standard error
 * sqrt(p(1−p)(1/n1 + 1/n2)), p = (s1 + s2)/(n1 + n2), or the unpooled one
 * sqrt(p1(1−p1)/n1 + p2(1−p2)/n2).  As statsmodels' proportions_ztest.
 * Degenerate: no trials on a side gives NULL; a zero standard error gives
 * z = 0, p = 1 when the proportions are equal, and NULL when they differ
 * (only possible unpooled, 0 % against 100 %: no variance to judge by).
 */
static bool
ztest(double s1, double n1, double s2, double n2, bool pooled, double *z)
{
	double		p1;
	double		p2;
	double		se;

	check_counts(s1, n1);
	check_counts(s2, n2);
	if (n1 == 0 || n2 == 0)
		return false;
	p1 = s1 / n1;
	p2 = s2 / n2;
	if (pooled)
	{
		double		p = (s1 + s2) / (n1 + n2);

		se = sqrt(p * (1.0 - p) * (1.0 / n1 + 1.0 / n2));
	}
	else
		se = sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2);
	if (se == 0)
	{
		if (p1 != p2)
			return false;
		*z = 0.0;
		return true;
	}
	*z = (p1 - p2) / se;
	return true;
}

Datum
kpi_proportions_ztest(PG_FUNCTION_ARGS)
{
	Datum		values[2];
	bool		nulls[2] = {true, true};
	double		z;

	if (ztest((double) PG_GETARG_INT64(0), (double) PG_GETARG_INT64(1),
			  (double) PG_GETARG_INT64(2), (double) PG_GETARG_INT64(3), PG_GETARG_BOOL(4), &z))
	{
		values[0] = Float8GetDatum(z);
		values[1] = Float8GetDatum(two_sided_p(z));
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(make_row(fcinfo, values, nulls));
}

/*
 * The delta-method variance of R = Σx / Σy = x̄ / ȳ over the n rows of a
 * summary:
 *	Var(R) ≈ (s_xx − 2 R s_xy + R² s_yy) / (n ȳ²)
 * with the sample (n − 1) variances and covariance from the moments.  False
 * when it cannot be estimated: fewer than 2 rows, moments not kept (the
 * summaries of kpi.cac and friends never leave the aggregate; kpi.ratio_agg
 * keeps them), a zero or non-finite denominator.
 */
static bool
delta_variance(const Ratio *r, double *ratio, double *variance)
{
	double		n = (double) r->n;
	double		sx;
	double		sy;
	double		ybar;
	double		vxx;
	double		vyy;
	double		vxy;
	double		v;

	if (r->n < 2 || isnan(r->sum_xx) || isnan(r->sum_yy) || isnan(r->sum_xy))
		return false;
	sx = ratio_sum_to_double(&r->num);
	sy = ratio_sum_to_double(&r->den);
	if (sy == 0 || !isfinite(sx) || !isfinite(sy) ||
		!isfinite(r->sum_xx) || !isfinite(r->sum_yy) || !isfinite(r->sum_xy))
		return false;
	ybar = sy / n;
	*ratio = sx / sy;
	vxx = (r->sum_xx - sx * sx / n) / (n - 1);
	vyy = (r->sum_yy - sy * sy / n) / (n - 1);
	vxy = (r->sum_xy - sx * sy / n) / (n - 1);
	v = (vxx - 2.0 * *ratio * vxy + *ratio * *ratio * vyy) / (n * ybar * ybar);
	if (!isfinite(v))
		return false;
	/* a variance is never negative; cancellation can make it a hair below 0 */
	*variance = Max(v, 0.0);
	return true;
}

static Datum
ratio_ci(FunctionCallInfo fcinfo, bool upper)
{
	const Ratio *r = PG_GETARG_RATIO_P(0);
	double		z = confidence_z(fcinfo, PG_GETARG_FLOAT8(1));
	double		ratio;
	double		variance;
	double		half;

	if (!delta_variance(r, &ratio, &variance))
		PG_RETURN_NULL();
	/* the value itself as kpi.value computes it, exactly rounded */
	(void) ratio_value(r, false, &ratio);
	half = z * sqrt(variance);
	PG_RETURN_FLOAT8(upper ? ratio + half : ratio - half);
}

Datum
kpi_ratio_ci_lower(PG_FUNCTION_ARGS)
{
	return ratio_ci(fcinfo, false);
}

Datum
kpi_ratio_ci_upper(PG_FUNCTION_ARGS)
{
	return ratio_ci(fcinfo, true);
}

/* Integral, non-negative, numerator at most denominator: successes in trials. */
static bool
looks_like_counts(const Ratio *r, double *s, double *n)
{
	*s = ratio_sum_to_double(&r->num);
	*n = ratio_sum_to_double(&r->den);
	return r->num.kind == SUM_DECIMAL && r->den.kind == SUM_DECIMAL &&
		*s >= 0 && *s <= *n && *s == floor(*s) && *n == floor(*n);
}

/*
 * kpi.compare(current, previous, confidence): the change of the KPI value
 * and whether it is significant.  The variance model, in order:
 * 1. the delta method, when both summaries carry moments and 2+ rows: each
 *    row is one unit (a day, a lead), so day-to-day swings count as noise;
 * 2. else, when both are counts (whole numbers, numerator <= denominator),
 *    the pooled two-proportion z-test on them;
 * 3. else none: z, p_value and significant are NULL.
 */
Datum
kpi_compare(PG_FUNCTION_ARGS)
{
	const Ratio *cur = PG_GETARG_RATIO_P(0);
	const Ratio *prev = PG_GETARG_RATIO_P(1);
	double		confidence = PG_GETARG_FLOAT8(2);
	Datum		values[5];
	bool		nulls[5] = {true, true, true, true, true};
	double		vc;
	double		vp;
	double		var_c;
	double		var_p;
	double		z = 0;
	bool		have_z = false;

	check_confidence(confidence);
	if (ratio_value(cur, false, &vc) && ratio_value(prev, false, &vp))
	{
		double		sc;
		double		nc;
		double		sp;
		double		np;
		double		rc;
		double		rp;

		values[0] = Float8GetDatum(vc - vp);
		nulls[0] = false;
		if (vp != 0)
		{
			values[1] = Float8GetDatum((vc - vp) / fabs(vp));
			nulls[1] = false;
		}
		if (delta_variance(cur, &rc, &var_c) && delta_variance(prev, &rp, &var_p))
		{
			double		se = sqrt(var_c + var_p);

			if (se > 0)
			{
				z = (vc - vp) / se;
				have_z = true;
			}
			else if (vc == vp)
				have_z = true;	/* z = 0: no variance and no change */
		}
		else if (looks_like_counts(cur, &sc, &nc) && looks_like_counts(prev, &sp, &np))
			have_z = ztest(sc, nc, sp, np, true, &z);
		if (have_z)
		{
			double		p = two_sided_p(z);

			values[2] = Float8GetDatum(z);
			values[3] = Float8GetDatum(p);
			values[4] = BoolGetDatum(p < 1.0 - confidence);
			nulls[2] = nulls[3] = nulls[4] = false;
		}
	}
	PG_RETURN_DATUM(make_row(fcinfo, values, nulls));
}
