
------------------------------------------------------------------------------
-- Statistics that tell a real change from noise (issue 11): Wilson intervals,
-- the two-proportion z-test, the delta-method interval of a ratio KPI and
-- kpi.compare.  All in C, double precision out; doc/statistics.md.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.wilson_lower(successes bigint, trials bigint, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_wilson_lower' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.wilson_lower(bigint, bigint, double precision) IS
	'Lower bound of the Wilson score interval of the proportion successes/trials; exactly 0 at 0 successes, NULL for 0 trials.';

CREATE FUNCTION kpi.wilson_upper(successes bigint, trials bigint, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_wilson_upper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.wilson_upper(bigint, bigint, double precision) IS
	'Upper bound of the Wilson score interval of the proportion successes/trials; exactly 1 when all trials succeed, NULL for 0 trials.';

CREATE FUNCTION kpi.wilson_lower(r kpi.ratio, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_wilson_lower_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.wilson_lower(kpi.ratio, double precision) IS
	'Lower Wilson bound of a conversion-rate summary: Σnumerator successes in Σdenominator trials.';

CREATE FUNCTION kpi.wilson_upper(r kpi.ratio, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_wilson_upper_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.wilson_upper(kpi.ratio, double precision) IS
	'Upper Wilson bound of a conversion-rate summary: Σnumerator successes in Σdenominator trials.';

CREATE FUNCTION kpi.proportions_ztest(s1 bigint, n1 bigint, s2 bigint, n2 bigint, pooled boolean DEFAULT true,
									  OUT z double precision, OUT p_value double precision)
	AS 'MODULE_PATHNAME', 'kpi_proportions_ztest' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.proportions_ztest(bigint, bigint, bigint, bigint, boolean) IS
	'Two-proportion z-test of s1/n1 against s2/n2: z = (p1 − p2)/se (pooled or unpooled se) and the two-sided p-value; NULLs when a side has no trials.';

CREATE FUNCTION kpi.ratio_ci_lower(r kpi.ratio, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_ci_lower' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_ci_lower(kpi.ratio, double precision) IS
	'Lower bound of the delta-method confidence interval of Σnumerator/Σdenominator, each row a unit; NULL with fewer than 2 rows or without moments.';

CREATE FUNCTION kpi.ratio_ci_upper(r kpi.ratio, confidence double precision DEFAULT 0.95)
	RETURNS double precision
	AS 'MODULE_PATHNAME', 'kpi_ratio_ci_upper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.ratio_ci_upper(kpi.ratio, double precision) IS
	'Upper bound of the delta-method confidence interval of Σnumerator/Σdenominator, each row a unit; NULL with fewer than 2 rows or without moments.';

CREATE FUNCTION kpi.compare(current kpi.ratio, previous kpi.ratio, confidence double precision DEFAULT 0.95,
							OUT change double precision, OUT relative_change double precision,
							OUT z double precision, OUT p_value double precision, OUT significant boolean)
	AS 'MODULE_PATHNAME', 'kpi_compare' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.compare(kpi.ratio, kpi.ratio, double precision) IS
	'Period over period: change and relative change of the KPI value, z and two-sided p-value (delta method, else the pooled two-proportion test on counts), significant when p < 1 − confidence.';
