--
-- Differential test of the numeric paths (issue 8): random numerics of
-- every storage form, scale, weight and sign, through every ratio
-- aggregate, window and rollup, against plain numeric SQL over the same
-- rows.  Sums and counts must be equal exactly, and KPI values must be the
-- same double as the quotient of the exact sums, correctly rounded.  Any
-- difference fails, and the rows that differ are printed.
--
-- The seed is fixed (setseed), so a failure reproduces; change :seed to
-- explore (psql -v seed=0.123 -f sql/differential_numeric.sql ...).
--
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS differential_numeric CASCADE;
RESET client_min_messages;
CREATE SCHEMA differential_numeric;
SET search_path = differential_numeric, public;
SET extra_float_digits = 0;
\if :{?seed}
\else
\set seed 0.27
\endif

-- Plain numeric division carried to 300 places, so that its rounding to
-- double is the correctly rounded quotient of the exact sums.
CREATE FUNCTION quotient(a numeric, b numeric) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT ((a + 0::numeric(400, 300)) / nullif(b, 0))::float8 $$;
-- The same double: equal, or both NULL, or both NaN.
CREATE FUNCTION same_value(k float8, p float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS
$$ SELECT k IS NOT DISTINCT FROM p $$;

-- Groups of 1 to 12 rows.  Group g has a largest scale S in [0, 36]; each
-- value has a scale up to S, a magnitude below 10^(36 - S) (so that no sum
-- leaves 128 bits: a sum that did would be a 22003 by design, tested
-- elsewhere), 1 to 36 significant digits, either sign, and is shown at a
-- display scale up to S or beyond 36, up to 106 (dropped, as numeric(60,40)
-- 1e-20, and a 4-byte numeric header beyond 63).
-- A few groups carry NaN or +-Infinity, or a zero denominator sum.
SELECT setseed(:seed);
CREATE TABLE source AS
WITH groups AS (
	SELECT g, floor(random() * 37)::int AS s, 1 + floor(random() * 12)::int AS rows,
		   random() AS special
	FROM generate_series(1, 400) g
), raw AS (
	SELECT g, i, s, special,
		   floor(random() * (s + 1))::int AS xs, floor(random() * (s + 1))::int AS ys,
		   CASE WHEN random() < 0.3 THEN 36 ELSE floor(random() * 36)::int + 1 END AS xdigits,
		   CASE WHEN random() < 0.3 THEN 36 ELSE floor(random() * 36)::int + 1 END AS ydigits,
		   random() AS xr, random() AS yr, random() AS xsign, random() AS ysign, random() AS shown
	FROM groups, generate_series(1, rows) i
), valued AS (
	SELECT g, i, s, special, shown, xr,
		   -- the value's digits: xdigits of them, then scaled to below 10^(34 - s)
		   round(trunc((xr::numeric + random()::numeric * 1e-15 + random()::numeric * 1e-30) * 10::numeric ^ xdigits)
				 * 10::numeric ^ (36 - s - xdigits), xs) * CASE WHEN xsign < 0.5 THEN -1 ELSE 1 END AS x,
		   round(trunc((yr::numeric + random()::numeric * 1e-15 + random()::numeric * 1e-30) * 10::numeric ^ ydigits)
				 * 10::numeric ^ (36 - s - ydigits), ys) * CASE WHEN ysign < 0.4 THEN -1 ELSE 1 END AS y
	FROM raw
)
SELECT g, i, s,
	   CASE WHEN special < 0.02 AND i = 1 THEN 'NaN'::numeric
			WHEN special BETWEEN 0.02 AND 0.04 AND i = 1 THEN 'Infinity'::numeric
			WHEN shown < 0.3 THEN x
			-- shown at a larger display scale: up to S, or beyond 36
			ELSE (x::text || CASE WHEN x::text LIKE '%.%' THEN '' ELSE '.' END
				  || repeat('0', CASE WHEN shown < 0.65 THEN s - scale(x) ELSE 37 - scale(x) + floor(shown * 70)::int END))::numeric
	   END AS x,
	   CASE WHEN special BETWEEN 0.04 AND 0.05 AND i = 1 THEN '-Infinity'::numeric
			WHEN special BETWEEN 0.05 AND 0.08 THEN 0	-- a zero denominator sum
			ELSE y END AS y,
	   (floor(xr * 1e6) - 3e5)::int8 AS n
FROM valued;
-- A NULL in either argument skips the pair.
UPDATE source SET y = NULL WHERE (g * 31 + i) % 17 = 0;
UPDATE source SET x = NULL WHERE (g * 13 + i) % 23 = 0;

-- The storage forms: a 1-byte header in the tuple (the table above), a
-- 4-byte header in the tuple (STORAGE PLAIN), and out of line (STORAGE
-- EXTERNAL next to a wide plain column: every value wider than a TOAST
-- pointer goes out).  Compressed numerics are beyond 38 digits, so beyond
-- kpi's exact sums; sql/hardening_numeric.sql checks their 22003.
CREATE TABLE form_long (LIKE source);
ALTER TABLE form_long ALTER x SET STORAGE PLAIN, ALTER y SET STORAGE PLAIN;
INSERT INTO form_long SELECT * FROM source;
CREATE TABLE form_external (LIKE source, pad text);
ALTER TABLE form_external ALTER x SET STORAGE EXTERNAL, ALTER y SET STORAGE EXTERNAL, ALTER pad SET STORAGE PLAIN;
INSERT INTO form_external SELECT *, repeat('p', 2100) FROM source;
SELECT count(*) AS rows FROM source \gset
SELECT format('SELECT count(DISTINCT chunk_id) FROM %s', reltoastrelid::regclass) AS toast_query
FROM pg_class WHERE oid = 'form_external'::regclass \gset
SELECT :rows AS rows, (:toast_query) AS out_of_line,
	   count(DISTINCT s) AS scales, count(*) FILTER (WHERE x < 0) > 0 AS negatives,
	   max(scale(x)) > 36 AS display_scales_beyond_36
FROM source;

------------------------------------------------------------------------------
-- Plain aggregates, per group, from every form.
------------------------------------------------------------------------------
CREATE FUNCTION plain_differences(t text)
RETURNS TABLE (form text, aggregate text, g int, kpi_value float8, plain_value float8)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		WITH k AS (
			SELECT g, kpi.cac(x, y) AS cac, kpi.roas(x, y) AS roas, kpi.romi(x, y) AS romi,
				   kpi.conversion_rate(x, y) AS conversion_rate, kpi.ratio_agg(x, y) AS r,
				   kpi.cac(x, n) AS cac_int8, kpi.roas(n, y) AS roas_int8
			FROM %1$I GROUP BY g
		), p AS (
			SELECT g, sum(x) FILTER (WHERE y IS NOT NULL) AS sx, sum(y) FILTER (WHERE x IS NOT NULL) AS sy,
				   count(*) FILTER (WHERE x IS NOT NULL AND y IS NOT NULL) AS n,
				   sum(x) FILTER (WHERE x IS NOT NULL) AS sxn, sum(n) FILTER (WHERE x IS NOT NULL) AS snx,
				   sum(n) FILTER (WHERE y IS NOT NULL) AS sny, sum(y) FILTER (WHERE n IS NOT NULL) AS syn
			FROM %1$I GROUP BY g
		)
		SELECT %1$L, c.agg, g, c.k, c.p
		FROM k JOIN p USING (g)
		CROSS JOIN LATERAL (VALUES
			('cac', k.cac, quotient(p.sx, p.sy)),
			('roas', k.roas, quotient(p.sx, p.sy)),
			('conversion_rate', k.conversion_rate, quotient(p.sx, p.sy)),
			('romi', k.romi, quotient(p.sx - p.sy, p.sy)),
			('value(ratio_agg)', kpi.value(k.r), quotient(p.sx, p.sy)),
			('cac(numeric, bigint)', k.cac_int8, quotient(p.sxn, p.snx)),
			('roas(bigint, numeric)', k.roas_int8, quotient(p.sny, p.syn))) c(agg, k, p)
		WHERE NOT same_value(c.k, c.p)
		UNION ALL
		SELECT %1$L, 'ratio_agg sums and count', g, NULL, NULL
		FROM k JOIN p USING (g)
		WHERE kpi.numerator(k.r) IS DISTINCT FROM p.sx OR kpi.denominator(k.r) IS DISTINCT FROM p.sy
		   OR coalesce(kpi.n(k.r), 0) <> p.n
		$q$, t);
END
$$;
SELECT count(DISTINCT g) AS groups FROM source;
SELECT * FROM plain_differences('source')
UNION ALL SELECT * FROM plain_differences('form_long')
UNION ALL SELECT * FROM plain_differences('form_external')
ORDER BY 1, 2, 3;

------------------------------------------------------------------------------
-- Rollups: per-day summaries rolled up per group, and per group into one.
------------------------------------------------------------------------------
CREATE TABLE daily AS
SELECT g, i % 3 AS day, kpi.ratio_agg(x, y) AS r FROM form_external GROUP BY g, i % 3;
SELECT count(*) AS rolled_up_groups,
	   count(*) FILTER (WHERE kpi.numerator(r) IS DISTINCT FROM sx OR kpi.denominator(r) IS DISTINCT FROM sy
							  OR kpi.n(r) <> n OR NOT same_value(kpi.value(r), quotient(sx, sy))
							  OR NOT same_value(kpi.romi_value(r), quotient(sx - sy, sy))) AS differences
FROM (SELECT g, kpi.rollup(r) AS r FROM daily GROUP BY g) k
JOIN (SELECT g, sum(x) FILTER (WHERE y IS NOT NULL) AS sx, sum(y) FILTER (WHERE x IS NOT NULL) AS sy,
			 count(*) FILTER (WHERE x IS NOT NULL AND y IS NOT NULL) AS n
	  FROM source GROUP BY g) p USING (g);
-- Groups of one largest scale rolled up together, four at a time (sums then
-- stay in 128 bits).
SELECT count(*) AS rolled_up_scales,
	   count(*) FILTER (WHERE kpi.numerator(r) IS DISTINCT FROM sx OR kpi.denominator(r) IS DISTINCT FROM sy
							  OR NOT same_value(kpi.value(r), quotient(sx, sy))) AS differences
FROM (SELECT s, kpi.rollup(r) AS r FROM daily JOIN (SELECT DISTINCT g, s FROM source) gs USING (g)
	  WHERE g % 4 = 0 AND g NOT IN (SELECT g FROM source WHERE x IN ('NaN', 'Infinity') OR y = '-Infinity')
	  GROUP BY s) k
JOIN (SELECT s, sum(x) FILTER (WHERE y IS NOT NULL) AS sx, sum(y) FILTER (WHERE x IS NOT NULL) AS sy
	  FROM source WHERE g % 4 = 0 AND g NOT IN (SELECT g FROM source WHERE x IN ('NaN', 'Infinity') OR y = '-Infinity')
	  GROUP BY s) p USING (s);

------------------------------------------------------------------------------
-- Windows: sliding and growing frames, against plain numeric window sums
-- over the same frames.
------------------------------------------------------------------------------
CREATE FUNCTION window_differences(t text, frame_clause text)
RETURNS TABLE (form text, frame text, aggregate text, g int, i int, kpi_value float8, plain_value float8)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT %1$L, %2$L, c.agg, g, i, c.k, c.p
		FROM (SELECT g, i, kpi.cac(x, y) OVER f AS cac, kpi.romi(x, y) OVER f AS romi,
					 kpi.ratio_agg(x, y) OVER f AS r,
					 sum(x) FILTER (WHERE y IS NOT NULL) OVER f AS sx,
					 sum(y) FILTER (WHERE x IS NOT NULL) OVER f AS sy,
					 count(*) FILTER (WHERE x IS NOT NULL AND y IS NOT NULL) OVER f AS n
			  FROM %1$I WINDOW f AS (PARTITION BY g ORDER BY i %2$s)) w
		CROSS JOIN LATERAL (VALUES
			('cac', w.cac, quotient(w.sx, w.sy)),
			('romi', w.romi, quotient(w.sx - w.sy, w.sy)),
			('value(ratio_agg)', kpi.value(w.r), quotient(w.sx, w.sy)),
			('ratio_agg sums', CASE WHEN kpi.numerator(w.r) IS NOT DISTINCT FROM w.sx
										 AND kpi.denominator(w.r) IS NOT DISTINCT FROM w.sy
										 AND coalesce(kpi.n(w.r), 0) = w.n THEN 0 END, 0)) c(agg, k, p)
		WHERE NOT same_value(c.k, c.p)
		$q$, t, frame_clause);
END
$$;
SELECT * FROM window_differences('source', 'ROWS 2 PRECEDING')
UNION ALL SELECT * FROM window_differences('form_long', 'ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING')
UNION ALL SELECT * FROM window_differences('form_external', 'ROWS 4 PRECEDING')
UNION ALL SELECT * FROM window_differences('source', 'ROWS UNBOUNDED PRECEDING')
ORDER BY 1, 2, 3, 4, 5;
-- kpi.rollup as a sliding window over the daily summaries.
SELECT count(*) AS frames,
	   count(*) FILTER (WHERE kpi.numerator(w) IS DISTINCT FROM sx OR kpi.denominator(w) IS DISTINCT FROM sy) AS differences
FROM (SELECT g, day, kpi.rollup(r) OVER f AS w,
			 sum(kpi.numerator(r)) OVER f AS sx, sum(kpi.denominator(r)) OVER f AS sy
	  FROM daily WINDOW f AS (PARTITION BY g ORDER BY day ROWS 1 PRECEDING)) t;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA differential_numeric CASCADE;
