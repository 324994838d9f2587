-- The transitions' fast path (0.2.0, issue 10) and every way out of it.
-- Each two-argument transition adds a row in a few instructions when the
-- state is kpi's own, both arguments are non-NULL and the sums keep their
-- kind; anything else goes to the general path.  Each query below mixes
-- rows of both kinds in one aggregate and compares the result with plain
-- SQL over the same rows; `ok` is false, and the test fails, on any
-- difference.
SET extra_float_digits = 0;
CREATE TEMP TABLE fp (i int4, b int8, n numeric, f float8, w boolean, o int);
-- NULLs between fast rows; int8 values whose sum leaves int64 (the exact
-- 128-bit sum must not wrap); numerics of growing scale (the sum rescales)
-- and a long numeric (the general path's decoder); float8 values, then an
-- Infinity, after which the float sum is no longer finite.
INSERT INTO fp
SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE g % 13 - 3 END,
	   CASE WHEN g % 11 = 0 THEN NULL ELSE 9223372036854775807 - g END,
	   CASE WHEN g % 5 = 0 THEN NULL
			WHEN g = 600 THEN 12345678901234567890123.4567
			ELSE round(g * 1.01, (g / 250)::int) END,
	   CASE WHEN g % 9 = 0 THEN NULL ELSE g * 0.25 END,
	   CASE WHEN g % 6 = 0 THEN NULL ELSE g % 3 = 0 END,
	   g
FROM generate_series(1, 1000) g;
-- each pair against plain SQL over the rows where both are non-NULL
SELECT kpi.n(r) = (SELECT count(*) FROM fp WHERE i IS NOT NULL AND b IS NOT NULL)
   AND kpi.numerator(r) = (SELECT sum(i) FROM fp WHERE b IS NOT NULL)
   AND kpi.denominator(r) = (SELECT sum(b) FROM fp WHERE i IS NOT NULL) AS ok_int4_int8
FROM (SELECT kpi.ratio_agg(i, b ORDER BY o) AS r FROM fp) s;
SELECT kpi.numerator(r) = (SELECT sum(b) FROM fp WHERE n IS NOT NULL)
   AND kpi.denominator(r) = (SELECT sum(n) FROM fp WHERE b IS NOT NULL) AS ok_int8_numeric
FROM (SELECT kpi.ratio_agg(b, n ORDER BY o) AS r FROM fp) s;
SELECT kpi.numerator(r) = (SELECT sum(n) FROM fp WHERE i IS NOT NULL)
   AND kpi.denominator(r) = (SELECT sum(i) FROM fp WHERE n IS NOT NULL) AS ok_numeric_int4
FROM (SELECT kpi.ratio_agg(n, i ORDER BY o) AS r FROM fp) s;
SELECT kpi.value(r) = (SELECT sum(f) / sum(i) FROM fp WHERE f IS NOT NULL AND i IS NOT NULL)
   AND kpi.n(r) = (SELECT count(*) FROM fp WHERE f IS NOT NULL AND i IS NOT NULL) AS ok_float8_int4
FROM (SELECT kpi.ratio_agg(f, i ORDER BY o) AS r FROM fp) s;
SELECT kpi.cac(f, b ORDER BY o) = (SELECT sum(f) / sum(b) FROM fp WHERE f IS NOT NULL AND b IS NOT NULL) AS ok_cac_float8_int8,
	   kpi.conversion_rate(i, i ORDER BY o) = 1 AS ok_conversion_rate_int4,
	   kpi.conversion_rate(w ORDER BY o) = (SELECT avg(w::int)::float8 FROM fp) AS ok_conversion_rate_bool
FROM fp;
-- an Infinity takes the float sum off the fast path; a NaN after it too
SELECT kpi.cac(f, i) AS infinite, kpi.cac(f, i) FILTER (WHERE o <> 500) IS NOT DISTINCT FROM
	   (SELECT sum(f) / sum(i) FROM fp WHERE f IS NOT NULL AND i IS NOT NULL AND o <> 500) AS ok_finite
FROM (SELECT i, CASE WHEN o = 500 THEN 'Infinity' ELSE f END AS f, o FROM fp) s;
SELECT kpi.cac(f, i) AS nan
FROM (SELECT i, CASE WHEN o = 500 THEN 'Infinity' WHEN o = 800 THEN '-Infinity' ELSE f END AS f FROM fp) s;
-- errors: a finite float sum that overflows on the fast path (22003, as
-- float8pl), and an exact sum beyond 128 bits (22003; long numerics take the
-- general path, int8 sums cannot get there in a test's row count)
\set VERBOSITY sqlstate
SELECT kpi.cac(f, i) FROM (VALUES (1.7e308::float8, 1), (1.7e308, 1)) v(f, i);
SELECT kpi.cac(n, i) FROM (VALUES (99999999999999999999999999999999999999::numeric, 1),
								 (99999999999999999999999999999999999999, 1)) v(n, i);
\set VERBOSITY default
-- a state that is not kpi's own (an INITCOND) is checked, then runs fast
CREATE AGGREGATE pg_temp.cac_from(int4, int4) (
	SFUNC = kpi.ratio_accum, STYPE = kpi.ratio, FINALFUNC = kpi.value,
	INITCOND = '(n=2, num=10, den=4)');
SELECT pg_temp.cac_from(i, i) = (SELECT (10 + sum(i))::float8 / (4 + sum(i)) FROM fp) AS ok_initcond FROM fp;
-- called outside an aggregate, the transition copies its state
SELECT kpi.ratio_accum('(n=1, num=1, den=1)'::kpi.ratio, 2, 3) AS copied,
	   kpi.ratio_accum_bool('(n=1, num=1, den=1)'::kpi.ratio, true) AS copied_bool;
