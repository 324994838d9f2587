--
-- Generated kpi.ratio states: a sample of every kind of value that kpi's
-- functions produce, for the round-trip property (text, binary COPY,
-- pg_dump/pg_restore): sql/hardening_numeric.sql and test/ratio_dump_restore.sh.
--
-- Creates ratio_inputs and ratio_states (id, origin, r) in the current
-- schema.  The inputs are random (setseed) but bounded so that no state
-- overflows: each group g has one scale S in [0, 36] and values below
-- 10^(35 - S), given at any scale up to S and a display scale up to S or
-- beyond 36 (numeric(60,40) 1e-20 is such a value), so that every
-- exact sum, rolled up or not, stays below 10^38 units.  Float inputs span
-- the whole double range, subnormals, -0, NaN and the infinities.  Then the
-- hand-picked extremes: an unscaled sum of exactly -2^127 and 2^127 - 1,
-- 36 places, the largest double, the row count at its limit.
--
SELECT setseed(0.8);
CREATE TABLE ratio_inputs AS
WITH rows AS (
	SELECT g, i, (g * 7) % 37 AS s,
		   floor(random() * ((g * 7) % 37 + 1))::int AS e,
		   floor(random() * 41)::int AS extra,
		   random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
	FROM generate_series(1, 400) AS g, generate_series(1, 1 + g % 6) AS i
)
SELECT g, i, s,
	   -- exact: a value below 10^(35 - s) with e <= s places, shown at e + extra places
	   round((r1 - 0.5)::numeric * 2 * 10::numeric ^ (35 - s)
			 * CASE WHEN r2 < 0.3 THEN (r3 ^ 8)::numeric ELSE 1 END, e) AS xn,
	   -- a display scale up to S counts as the input's scale; one beyond 36 is dropped
	   CASE WHEN extra < 20 THEN least(e + extra, s) ELSE greatest(e + extra, 37) END AS shown_scale,
	   round((r4 - 0.5)::numeric * 2 * 10::numeric ^ (35 - s), least(s, floor(r5 * 37)::int)) AS yn,
	   -- float: sign, magnitude across the double range, a few specials
	   CASE WHEN r5 < 0.03 THEN 'NaN'::float8
			WHEN r5 < 0.05 THEN 'Infinity'::float8
			WHEN r5 < 0.07 THEN '-Infinity'::float8
			WHEN r5 < 0.09 THEN '-0'::float8
			WHEN r5 < 0.11 THEN 5e-324 * floor(r1 * 1000)
			ELSE (r1 - 0.5) * power(10::float8, floor(r2 * 600) - 300) END AS xf,
	   CASE WHEN r3 < 0.5 THEN (r4 - 0.5) * 1e16 ELSE r4 * power(10::float8, floor(r3 * 40) - 20) END AS yf,
	   (floor((r2 - 0.5) * 2 * 9.2e18 / 8))::int8 AS xi,
	   (floor((r3 - 0.5) * 2 * 2e9 / 8))::int4 AS yi
FROM rows;
-- the display scale: e.g. 0.00000000000000000001 shown as numeric(60,40)
UPDATE ratio_inputs SET xn = (xn::text || CASE WHEN shown_scale > 0 AND xn::text NOT LIKE '%.%' THEN '.' ELSE '' END
							  || repeat('0', greatest(shown_scale - scale(xn), 0)))::numeric;

CREATE TABLE ratio_states (id serial, origin text, r kpi.ratio);
INSERT INTO ratio_states (origin, r)
SELECT 'aggregate numeric/numeric', kpi.ratio_agg(xn, yn) FROM ratio_inputs GROUP BY g
UNION ALL SELECT 'aggregate numeric/float8', kpi.ratio_agg(xn, yf) FROM ratio_inputs GROUP BY g
UNION ALL SELECT 'aggregate float8/bigint', kpi.ratio_agg(xf, xi) FROM ratio_inputs GROUP BY g
UNION ALL SELECT 'aggregate float8/float8', kpi.ratio_agg(xf, yf) FROM ratio_inputs GROUP BY g
UNION ALL SELECT 'aggregate bigint/integer', kpi.ratio_agg(xi, yi) FROM ratio_inputs GROUP BY g
UNION ALL SELECT 'window numeric/float8', kpi.ratio_agg(xn, yf) OVER (PARTITION BY g ORDER BY i ROWS 1 PRECEDING) FROM ratio_inputs
UNION ALL SELECT 'window float8/numeric', kpi.ratio_agg(xf, yn) OVER (PARTITION BY g ORDER BY i ROWS 2 PRECEDING) FROM ratio_inputs;
-- Rollups and sums of summaries: groups of one scale together (see above).
INSERT INTO ratio_states (origin, r)
SELECT 'rollup', kpi.rollup(r) FROM (
	SELECT s, kpi.ratio_agg(xn, yf) AS r FROM ratio_inputs GROUP BY g, s
	UNION ALL SELECT s, kpi.ratio_agg(xf, yn) FROM ratio_inputs GROUP BY g, s) t GROUP BY s
UNION ALL SELECT 'rollup window', kpi.rollup(r) OVER (PARTITION BY s ORDER BY g ROWS 2 PRECEDING)
FROM (SELECT g, s, kpi.ratio_agg(xn, yn) AS r FROM ratio_inputs GROUP BY g, s) t
UNION ALL SELECT 'a + b', a.r OPERATOR(kpi.+) b.r
FROM (SELECT g, s, kpi.ratio_agg(xn, xf) AS r FROM ratio_inputs GROUP BY g, s) a
JOIN (SELECT g, s, kpi.ratio_agg(xf, xn) AS r FROM ratio_inputs GROUP BY g, s) b ON b.g = a.g + 37;
-- The extremes.
INSERT INTO ratio_states (origin, r)
SELECT 'numeric(60,40) 1e-20', kpi.ratio_agg(x, 1) FROM (VALUES (1e-20::numeric(60,40))) v(x)
UNION ALL SELECT 'numeric(60,40) 1e-20 window', kpi.ratio_agg(x, 1) OVER () FROM (VALUES (1e-20::numeric(60,40))) v(x)
UNION ALL SELECT 'unscaled -2^127', kpi.ratio_agg(x, 1) FROM (VALUES (-85070591730234615865843651857942052864::numeric), (-85070591730234615865843651857942052864)) v(x)
UNION ALL SELECT 'unscaled 2^127 - 1', kpi.ratio_agg(x, 1) FROM (VALUES (85070591730234615865843651857942052864::numeric), (85070591730234615865843651857942052863)) v(x)
UNION ALL SELECT 'unscaled -2^127 at 36 places', kpi.ratio_agg(x, 1) FROM (VALUES (-85.070591730234615865843651857942052864::numeric), (-85.070591730234615865843651857942052864)) v(x)
UNION ALL SELECT 'unscaled -2^127 rolled up', kpi.rollup(r) FROM (SELECT kpi.ratio_agg(x, 1) AS r FROM (VALUES (-85070591730234615865843651857942052864::numeric)) v(x)) a, generate_series(1, 2)
UNION ALL SELECT '36 places', kpi.ratio_agg(x, y) FROM (VALUES (0.000000000000000000000000000000000001, -99.999999999999999999999999999999999999)) v(x, y)
UNION ALL SELECT 'bigint extremes', kpi.ratio_agg(x, y) FROM (VALUES (9223372036854775807, -9223372036854775808), (9223372036854775807, -9223372036854775808)) v(x, y)
UNION ALL SELECT 'largest and smallest doubles', kpi.ratio_agg(x, y) FROM (VALUES (1.7976931348623157e308::float8, 5e-324::float8), (-1e292, 2.2250738585072014e-308)) v(x, y)
UNION ALL SELECT 'double-double', kpi.ratio_agg(x, y) FROM (VALUES (1e16::float8, 0.1::float8), (1, 0.2), (-3e-300, 0.3)) v(x, y)
UNION ALL SELECT 'specials', kpi.ratio_agg(x, y) FROM (VALUES ('NaN'::numeric, 'Infinity'::numeric), (1, '-Infinity')) v(x, y)
UNION ALL SELECT 'rolled up twice', kpi.rollup(r) FROM (SELECT kpi.ratio_agg(w::int, 1) AS r FROM (VALUES (true), (false)) v(w)) t
UNION ALL SELECT 'row count limit', '(n=9223372036854775807, num=-0.000000000000000000000000000000000001, den=~-0)'::kpi.ratio
UNION ALL SELECT 'no moments', '(n=1, num=~NaN, den=~-Infinity)'::kpi.ratio;
