--
-- Canonical summaries: the same multiset of rows gives the same kpi.ratio,
-- whatever the row order, the partitioning, the merge order and the plan
-- (serial or parallel).  This is what makes a Citus or parallel result equal
-- to a single-node one.
--  - count and sums: identical text and = true, for integer, numeric and
--    double precision inputs (float sums are exact normalised double-doubles
--    in this range, see src/float_sum.h);
--  - moments: exact, so identical too, for integer inputs; for numeric and
--    double precision inputs they are plain doubles whose last bits depend on
--    the order, so only the count and sums are compared (doc/scale-out.md).
--
SET search_path = public, kpi;
SET extra_float_digits = 0;

SELECT setseed(0.125) AS seed \gset
CREATE TABLE canon AS
SELECT i,
	   CASE WHEN i % 17 = 0 THEN NULL ELSE (i * 37 % 1001) - 200 END AS xi,
	   (i % 9) + 1 AS yi,
	   round((random() * 2000 - 500)::numeric, i % 5) AS xn,
	   (random() * 1000)::float8 AS xf,
	   CASE WHEN i % 29 = 0 THEN NULL ELSE random()::float8 END AS yf
FROM generate_series(1, 4000) AS i;

-- The same rows summarised in many ways.  Partitions are rolled up in an
-- order unrelated to the one they were built in, and rolled up again.
CREATE TABLE variants (how text, s_int kpi.ratio, s_num kpi.ratio, s_float kpi.ratio);
INSERT INTO variants
SELECT 'plain', kpi.ratio_agg(xi, yi), kpi.ratio_agg(xn, yi), kpi.ratio_agg(xf, yf) FROM canon;
INSERT INTO variants
SELECT 'ORDER BY value', kpi.ratio_agg(xi, yi ORDER BY xi), kpi.ratio_agg(xn, yi ORDER BY xn),
	   kpi.ratio_agg(xf, yf ORDER BY xf) FROM canon;
INSERT INTO variants
SELECT 'ORDER BY value DESC', kpi.ratio_agg(xi, yi ORDER BY xi DESC), kpi.ratio_agg(xn, yi ORDER BY xn DESC),
	   kpi.ratio_agg(xf, yf ORDER BY xf DESC) FROM canon;
INSERT INTO variants
SELECT 'ORDER BY md5', kpi.ratio_agg(xi, yi ORDER BY md5(i::text)), kpi.ratio_agg(xn, yi ORDER BY md5(i::text)),
	   kpi.ratio_agg(xf, yf ORDER BY md5(i::text)) FROM canon;
INSERT INTO variants
SELECT 'rollup of ' || k || ' partitions',
	   kpi.rollup(s_int ORDER BY md5(p::text)), kpi.rollup(s_num ORDER BY p DESC), kpi.rollup(s_float ORDER BY md5(p::text))
FROM (SELECT k, abs(hashint4(i + k)) % k AS p,
			 kpi.ratio_agg(xi, yi ORDER BY xf) AS s_int, kpi.ratio_agg(xn, yi ORDER BY yf) AS s_num,
			 kpi.ratio_agg(xf, yf ORDER BY xn) AS s_float
	  FROM canon, (VALUES (2), (3), (7), (50), (1000)) AS ks(k)
	  GROUP BY k, p) AS parts
GROUP BY k;
INSERT INTO variants
SELECT 'rollup of rollups', kpi.rollup(s_int ORDER BY q DESC), kpi.rollup(s_num ORDER BY q), kpi.rollup(s_float ORDER BY q DESC)
FROM (SELECT p % 5 AS q, kpi.rollup(s_int) AS s_int, kpi.rollup(s_num) AS s_num, kpi.rollup(s_float) AS s_float
	  FROM (SELECT i % 37 AS p, kpi.ratio_agg(xi, yi) AS s_int, kpi.ratio_agg(xn, yi) AS s_num,
				   kpi.ratio_agg(xf, yf) AS s_float
			FROM canon GROUP BY 1) AS a
	  GROUP BY 1) AS b;
-- A parallel plan: partial aggregates in workers, merged by the combine function.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT kpi.ratio_agg(xi, yi) FROM canon;
INSERT INTO variants
SELECT 'parallel', kpi.ratio_agg(xi, yi), kpi.ratio_agg(xn, yi), kpi.ratio_agg(xf, yf) FROM canon;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- One distinct text and = true everywhere (moments stripped where they are
-- order-dependent, as said above).
SELECT count(*) AS variants,
	   count(DISTINCT s_int::text) AS distinct_int_texts,
	   bool_and(s_int = (SELECT s_int FROM variants WHERE how = 'plain')) AS int_all_equal,
	   count(DISTINCT regexp_replace(s_num::text, ', sxx=.*$', '')) AS distinct_numeric_sums,
	   bool_and(kpi.numerator(s_num) = (SELECT sum(xn) FROM canon)) AS numeric_numerator_exact,
	   count(DISTINCT regexp_replace(s_float::text, ', sxx=.*$', '')) AS distinct_float_sums,
	   count(DISTINCT kpi.value(s_float)) AS distinct_float_values
FROM variants;

-- The integer summary against plain SQL: n, sums and (exact) moments.
SELECT (SELECT s_int::text FROM variants WHERE how = 'plain') =
	   format('(n=%s, num=%s, den=%s, sxx=%s, syy=%s, sxy=%s)',
			  count(*), sum(xi), sum(yi), sum(xi * xi), sum(yi * yi), sum(xi * yi)) AS matches_plain_sql
FROM canon
WHERE xi IS NOT NULL AND yi IS NOT NULL;

-- The float sums are the exact sums: the numerator is the same number as a
-- plain sum of the rows in ascending order up to plain sum's own rounding
-- error, and it is normalised: hi is the sum rounded to a double.
SELECT abs(kpi.numerator(s_float)::float8 - (SELECT sum(xf ORDER BY xf) FROM canon WHERE yf IS NOT NULL))
		   <= 4000 * 1e-16 * (SELECT sum(xf) FROM canon) AS float_numerator_close,
	   s_float::text ~ 'num=~[0-9.e+-]+[+-][0-9.e+-]+,' AS keeps_a_low_part
FROM variants WHERE how = 'plain';

-- A pair that is not normalised (as 0.1.0 could store, or typed in) equals
-- its normalised form, and a rollup normalises it.
SELECT '(n=1, num=~1+1, den=1)'::kpi.ratio = '(n=1, num=~2, den=1)'::kpi.ratio AS same_number,
	   kpi.rollup(s)::text AS rolled_up
FROM (VALUES ('(n=1, num=~1+1, den=1)'::kpi.ratio)) AS v(s);

-- Windows whose frame starts with NULL input: the moving state is never
-- NULL (the window executor rejects that), and the values are those of a
-- plain ratio of sums over the frame.
SELECT i, kpi.cac(x, y) OVER w AS cac,
	   sum(x) FILTER (WHERE y IS NOT NULL) OVER w / sum(y) FILTER (WHERE x IS NOT NULL) OVER w AS expected,
	   kpi.ratio_agg(x, y) OVER w AS summary,
	   kpi.conversion_rate(x > 1) OVER w AS rate,
	   kpi.rollup(s) OVER w AS rolled
FROM (VALUES (1, NULL::numeric, 1, NULL::kpi.ratio), (2, 1, 1, '(n=1, num=1, den=1)'), (3, 2, NULL, NULL),
			 (4, NULL, NULL, NULL), (5, NULL, NULL, NULL), (6, NULL, NULL, NULL), (7, 4, 2, '(n=2, num=3, den=4)'))
	 AS v(i, x, y, s)
WINDOW w AS (ORDER BY i ROWS 2 PRECEDING)
ORDER BY i;

DROP TABLE canon, variants;
