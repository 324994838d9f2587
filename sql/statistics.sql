--
-- Wilson intervals, the two-proportion z-test, the delta-method interval of
-- a ratio and kpi.compare, against reference values and against the
-- formulas written out in plain SQL.
--
-- Where each reference number comes from:
--  [D] ../shared/DOMAIN.md (statsmodels proportion_confint(method='wilson')
--      and proportions_ztest), quoted to 7 digits, matched to 1e-6;
--  [S] computed for this test with Debian 12's python3-statsmodels 0.13.5
--      and python3-scipy 1.10.1:
--        proportion_confint(s, n, alpha=1-confidence, method='wilson'),
--        proportions_ztest([s1, s2], [n1, n2]) (pooled),
--        test_proportions_2indep(..., method='wald', correction=False)
--        (unpooled), scipy.stats.norm.isf((1-c)/2), the upper
--        tail, which keeps full precision for c near 1 (norm.ppf(1 - (1-c)/2)
--        loses it in 1 - (1-c)/2: 4.891638475671085 at c = 0.999999);
--      printed with repr() and matched to 1e-9 (statsmodels' own inputs are
--      exact, so the difference is rounding in the last digits);
--  [F] the formula in plain SQL in this file, matched to 1e-12 relative.
--
CREATE SCHEMA statistics_test;
SET search_path = statistics_test, public;
SET extra_float_digits = 0;

-- [D]
SELECT abs(kpi.wilson_lower(10, 100) - 0.0552291) < 1e-6 AS wilson_10_100_lower,
	   abs(kpi.wilson_upper(10, 100) - 0.1743657) < 1e-6 AS wilson_10_100_upper,
	   kpi.wilson_lower(0, 20) = 0 AS wilson_0_20_lower_is_exactly_0,
	   abs(kpi.wilson_upper(0, 20) - 0.1611252) < 1e-6 AS wilson_0_20_upper;
SELECT abs(z - (-1.96305)) < 1e-5 AS z_matches, abs(p_value - 0.04964) < 1e-5 AS p_matches,
	   round(z::numeric, 6) AS z, round(p_value::numeric, 6) AS p_value
FROM kpi.proportions_ztest(120, 1000, 150, 1000);

-- [S] Wilson.
CREATE TABLE wilson_reference (s bigint, n bigint, confidence float8, lower float8, upper float8);
INSERT INTO wilson_reference VALUES
	(10, 100, 0.95, 0.0552291370606751, 0.17436566150491345),
	(0, 20, 0.95, 0.0, 0.16112515805281938),
	(1, 3, 0.9, 0.07826572633372836, 0.746466131718776),
	(37, 250, 0.95, 0.10931982398325646, 0.1973340188615365),
	(999, 1000, 0.99, 0.9915394337800183, 0.9998825836463816),
	(5, 5, 0.95, 0.5655175352168251, 1.0),
	(123456, 1000000, 0.95, 0.12281269653142285, 0.12410219641400438),
	(2, 7, 0.8, 0.12533599053745428, 0.5275371834434032),
	(3, 10, 0.999999, 0.031173731903489488, 0.8509299868568823);
SELECT s, n, confidence,
	   abs(kpi.wilson_lower(s, n, confidence) - lower) < 1e-9 AS lower_ok,
	   abs(kpi.wilson_upper(s, n, confidence) - upper) < 1e-9 AS upper_ok
FROM wilson_reference ORDER BY n, s, confidence;

-- [S] z-test, pooled and unpooled.
CREATE TABLE ztest_reference (s1 bigint, n1 bigint, s2 bigint, n2 bigint, pooled boolean, z float8, p float8);
INSERT INTO ztest_reference VALUES
	-- proportions_ztest([s1, s2], [n1, n2]), pooled
	(120, 1000, 150, 1000, true, -1.963049807622355, 0.04964038686536878),
	(5, 40, 11, 45, true, -1.4061353728555053, 0.15968393034502926),
	(300, 5000, 250, 5200, true, 2.6652018393047605, 0.007694212719374831),
	-- unpooled: test_proportions_2indep(s1, n1, s2, n2, method='wald',
	-- compare='diff', correction=False), which equals the formula by hand
	(120, 1000, 150, 1000, false, -1.964943729729648, 0.04942075065958091),
	(5, 40, 11, 45, false, -1.4443800584363569, 0.14863209699237345),
	(300, 5000, 250, 5200, false, 2.6606943430373526, 0.007797971071975681);
SELECT s1, n1, s2, n2, pooled, abs(t.z - r.z) < 1e-9 AS z_ok, abs(t.p_value - r.p) < 1e-9 AS p_ok
FROM ztest_reference r CROSS JOIN LATERAL kpi.proportions_ztest(s1, n1, s2, n2, pooled) AS t
ORDER BY s1, pooled;

-- [S] The normal quantile behind each confidence level, seen through the
-- width of an interval: it is proportional to z, so width(c) / width(0.95)
-- must be z(c) / z(0.95).
CREATE TABLE quantile_reference (confidence float8, z float8);
INSERT INTO quantile_reference VALUES
	(0.5, 0.6744897501960817),
	(0.8, 1.2815515655446004),
	(0.9, 1.6448536269514729),
	(0.95, 1.959963984540054),
	(0.99, 2.5758293035489004),
	(0.999999, 4.8916384756929325);
CREATE TABLE units AS
SELECT i, (i * 37 % 11)::numeric + 0.5 AS x, (i * 13 % 7 + 1)::numeric AS y FROM generate_series(1, 50) AS i;
SELECT q.confidence,
	   abs((kpi.ratio_ci_upper(s.r, q.confidence) - kpi.ratio_ci_lower(s.r, q.confidence)) /
		   (kpi.ratio_ci_upper(s.r, 0.95) - kpi.ratio_ci_lower(s.r, 0.95)) - q.z / 1.959963984540054) < 1e-12 AS quantile_ok
FROM quantile_reference q CROSS JOIN (SELECT kpi.ratio_agg(x, y) AS r FROM units) AS s ORDER BY 1;

-- [F] Wilson, written out, over a grid of counts and confidence levels
-- whose quantiles are known from [S].
SELECT count(*) AS cases,
	   count(*) FILTER (WHERE abs(kpi.wilson_lower(s, n, q.confidence) - f.lower) > 1e-12
						   OR abs(kpi.wilson_upper(s, n, q.confidence) - f.upper) > 1e-12) AS mismatches
FROM quantile_reference q
CROSS JOIN generate_series(1, 40) AS n
CROSS JOIN generate_series(0, 40) AS s
CROSS JOIN LATERAL (SELECT s::float8 / n AS p, q.z * q.z / n AS z2n) AS a
CROSS JOIN LATERAL (
	SELECT CASE WHEN s = 0 THEN 0 ELSE greatest(0, (a.p + a.z2n / 2 - q.z * sqrt(a.p * (1 - a.p) / n + a.z2n / (4 * n))) / (1 + a.z2n)) END AS lower,
		   CASE WHEN s = n THEN 1 ELSE least(1, (a.p + a.z2n / 2 + q.z * sqrt(a.p * (1 - a.p) / n + a.z2n / (4 * n))) / (1 + a.z2n)) END AS upper) AS f
WHERE s <= n;

-- The kpi.ratio forms read the numerator as successes, the denominator as trials.
SELECT kpi.wilson_lower(r) = kpi.wilson_lower(37, 250) AS ratio_lower_same,
	   kpi.wilson_upper(r, 0.9) = kpi.wilson_upper(37, 250, 0.9) AS ratio_upper_same
FROM (SELECT kpi.ratio_agg(c, 1) AS r FROM (SELECT (i <= 37)::int AS c FROM generate_series(1, 250) AS i) AS b) AS s;

-- [F] The delta method, written out with var_samp and covar_samp.
CREATE TABLE groups AS
SELECT g, i, (abs(hashint4(i)) % 1000)::numeric / 10 AS x, (abs(hashint4(i + 7)) % 50 + 1)::numeric AS y
FROM generate_series(1, 2000) AS i CROSS JOIN LATERAL (SELECT i % 4 AS g) AS gg;
SELECT g, abs(kpi.ratio_ci_lower(r) - (ratio - 1.959963984540054 * sqrt(v))) < 1e-12 * ratio AS lower_ok,
	   abs(kpi.ratio_ci_upper(r, 0.95) - (ratio + 1.959963984540054 * sqrt(v))) < 1e-12 * ratio AS upper_ok
FROM (SELECT g, kpi.ratio_agg(x, y) AS r, (sum(x) / sum(y))::float8 AS ratio,
			 ((var_samp(x) - 2 * (sum(x) / sum(y)) * covar_samp(x, y) + (sum(x) / sum(y))^2 * var_samp(y))
			  / (count(*) * avg(y)^2))::float8 AS v
	  FROM groups GROUP BY g) AS s
ORDER BY g;

-- kpi.compare on the delta method, against the same formula for two groups.
SELECT abs(c.change - (a.ratio - b.ratio)) < 1e-12 AS change_ok,
	   abs(c.relative_change - (a.ratio - b.ratio) / b.ratio) < 1e-12 AS relative_ok,
	   abs(c.z - (a.ratio - b.ratio) / sqrt(a.v + b.v)) < 1e-9 AS z_ok,
	   abs(c.p_value - 2 * (1 - 0.5 * (1 + erf_sql))) < 1e-9 AS p_ok,
	   c.significant = (c.p_value < 0.05) AS significant_ok
FROM (SELECT kpi.ratio_agg(x, y) AS r, (sum(x) / sum(y))::float8 AS ratio,
			 ((var_samp(x) - 2 * (sum(x) / sum(y)) * covar_samp(x, y) + (sum(x) / sum(y))^2 * var_samp(y))
			  / (count(*) * avg(y)^2))::float8 AS v FROM groups WHERE g = 1) AS a,
	 (SELECT kpi.ratio_agg(x, y) AS r, (sum(x) / sum(y))::float8 AS ratio,
			 ((var_samp(x) - 2 * (sum(x) / sum(y)) * covar_samp(x, y) + (sum(x) / sum(y))^2 * var_samp(y))
			  / (count(*) * avg(y)^2))::float8 AS v FROM groups WHERE g = 2) AS b,
	 LATERAL kpi.compare(a.r, b.r) AS c,
	 -- erf(|z|/sqrt 2) by the series sum, enough terms for |z| < 3
	 LATERAL (SELECT 2 / sqrt(pi()) * sum((-1)^k * (abs(c.z) / sqrt(2))^(2 * k + 1) / (factorial(k)::float8 * (2 * k + 1)))
			  FROM generate_series(0, 60) AS k) AS e(erf_sql);

-- A big change in a conversion rate is significant, a small one is not;
-- per-row summaries of 0/1 conversions (the delta method) agree with the
-- unpooled z-test up to the n/(n−1) of the sample variance.
CREATE TABLE weeks AS
SELECT w, i, (i <= CASE w WHEN 1 THEN 120 WHEN 2 THEN 150 ELSE 123 END)::int AS converted
FROM generate_series(1, 3) AS w CROSS JOIN generate_series(1, 1000) AS i;
SELECT b.w AS versus_week, c.significant, round(c.p_value::numeric, 4) AS p_value,
	   abs(c.z * sqrt(1000.0 / 999) - t.z) < 1e-9 AS delta_matches_unpooled_ztest
FROM (SELECT kpi.ratio_agg(converted, 1) AS r FROM weeks WHERE w = 1) AS a,
	 (SELECT w, kpi.ratio_agg(converted, 1) AS r, sum(converted) AS s FROM weeks WHERE w > 1 GROUP BY w) AS b,
	 LATERAL kpi.compare(a.r, b.r) AS c,
	 LATERAL kpi.proportions_ztest(120, 1000, b.s, 1000, false) AS t
ORDER BY b.w;

-- Summaries without moments (text input with NaN moments, as the states of
-- kpi.cac never leave the aggregate) fall back to the pooled z-test when
-- they are counts, and have no variance model otherwise.
SELECT c.*, (SELECT abs(c.z - t.z) < 1e-12 FROM kpi.proportions_ztest(120, 1000, 150, 1000) AS t) AS same_as_ztest
FROM kpi.compare('(n=1000, num=120, den=1000, sxx=NaN, syy=NaN, sxy=NaN)',
				 '(n=1000, num=150, den=1000, sxx=NaN, syy=NaN, sxy=NaN)') AS c;
SELECT * FROM kpi.compare('(n=30, num=4500.5, den=20, sxx=NaN, syy=NaN, sxy=NaN)',
						  '(n=30, num=4000, den=20, sxx=NaN, syy=NaN, sxy=NaN)');

-- Degenerate inputs: the right answer or NULL, never NaN.
SELECT kpi.wilson_lower(0, 0) AS no_trials_lower, kpi.wilson_upper(0, 0) AS no_trials_upper,
	   kpi.wilson_upper(7, 7) AS all_succeed_upper, kpi.wilson_lower(7, 7) > 0.6 AS all_succeed_lower_high;
SELECT * FROM kpi.proportions_ztest(0, 0, 5, 10);
SELECT * FROM kpi.proportions_ztest(0, 10, 0, 20);
SELECT * FROM kpi.proportions_ztest(10, 10, 20, 20, false);
SELECT * FROM kpi.proportions_ztest(0, 10, 10, 10, false);
SELECT * FROM kpi.proportions_ztest(0, 10, 10, 10, true);
SELECT kpi.ratio_ci_lower('(n=1, num=5, den=2, sxx=25, syy=4, sxy=10)') AS one_row,
	   kpi.ratio_ci_lower('(n=5, num=5, den=2, sxx=NaN, syy=NaN, sxy=NaN)') AS no_moments,
	   kpi.ratio_ci_lower('(n=2, num=5, den=0, sxx=25, syy=0, sxy=0)') AS zero_denominator,
	   kpi.ratio_ci_lower('(n=0, num=0, den=0, sxx=0, syy=0, sxy=0)') AS empty;
-- Identical rows: no variance, so the interval is the point.
SELECT kpi.ratio_ci_lower(r) = kpi.value(r) AND kpi.ratio_ci_upper(r) = kpi.value(r) AS zero_width
FROM (SELECT kpi.ratio_agg(3, 4) AS r FROM generate_series(1, 10)) AS s;
SELECT c.* FROM (SELECT kpi.ratio_agg(3, 4) AS r FROM generate_series(1, 10)) AS a, LATERAL kpi.compare(a.r, a.r) AS c;
SELECT * FROM kpi.compare('(n=2, num=5, den=2, sxx=25, syy=4, sxy=10)', '(n=0, num=0, den=0, sxx=0, syy=0, sxy=0)');
-- A negative previous value (ROMI below zero): relative change keeps the sign of the change.
SELECT relative_change FROM kpi.compare('(n=3, num=1, den=2, sxx=NaN, syy=NaN, sxy=NaN)',
										'(n=3, num=-1, den=2, sxx=NaN, syy=NaN, sxy=NaN)');

-- Errors: 22023.
\set VERBOSITY sqlstate
SELECT kpi.wilson_lower(1, 10, 0);
SELECT kpi.wilson_lower(1, 10, 1);
SELECT kpi.wilson_lower(1, 10, 'NaN');
SELECT kpi.wilson_upper(1, 10, 95);
SELECT kpi.wilson_lower(11, 10);
SELECT kpi.wilson_lower(-1, 10);
SELECT kpi.wilson_lower(1, -10);
SELECT kpi.wilson_upper('(n=1, num=3, den=2, sxx=NaN, syy=NaN, sxy=NaN)'::kpi.ratio);
SELECT kpi.wilson_upper('(n=1, num=-1, den=2, sxx=NaN, syy=NaN, sxy=NaN)'::kpi.ratio);
SELECT * FROM kpi.proportions_ztest(5, 4, 1, 10);
SELECT * FROM kpi.proportions_ztest(1, 10, -1, 10);
SELECT kpi.ratio_ci_upper(kpi.ratio_agg(1, 1), 1.5) FROM generate_series(1, 3);
SELECT kpi.compare(kpi.ratio_agg(1, 1), kpi.ratio_agg(1, 1), 0) FROM generate_series(1, 3);
\set VERBOSITY default
SELECT kpi.wilson_lower(11, 10);

RESET search_path;
DROP SCHEMA statistics_test CASCADE;
