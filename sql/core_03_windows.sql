--
-- Sliding windows: every window value must equal a fresh computation of
-- its frame.  The moving aggregates use an exact inverse, so there is no
-- drift to tolerate: the comparisons below are exact equality.
--
\i test/core_fixture.sql
SET search_path = public, kpi;
SET extra_float_digits = 0;

-- ROWS frames, per channel, for each aggregate and the main type pairs.
-- The recomputation runs the plain aggregate over exactly the frame's rows.
CREATE TABLE ranked AS
SELECT *, row_number() OVER (PARTITION BY channel ORDER BY id) AS pos FROM marketing;
CREATE INDEX ON ranked (channel, pos);
CREATE INDEX ON marketing (channel, day);
ANALYZE ranked, marketing;

CREATE FUNCTION window_vs_recompute(expr text, frame int)
RETURNS TABLE (expression text, rows_compared bigint, exact_mismatches bigint, plain_sql_mismatches bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		SELECT %1$L, count(*),
			   count(*) FILTER (WHERE w IS DISTINCT FROM r),
			   count(*) FILTER (WHERE NOT close_enough(w, p))
		FROM (SELECT channel, pos,
					 %2$s OVER (PARTITION BY channel ORDER BY pos ROWS %3$s PRECEDING) AS w
			  FROM ranked) win
		CROSS JOIN LATERAL (SELECT %2$s AS r FROM ranked f
							WHERE f.channel = win.channel AND f.pos BETWEEN win.pos - %3$s AND win.pos) rc
		CROSS JOIN LATERAL (SELECT %4$s AS p FROM ranked f
							WHERE f.channel = win.channel AND f.pos BETWEEN win.pos - %3$s AND win.pos
							  AND %5$s) pc
		$q$, expr, expr, frame,
		-- the plain-SQL twin of each expression
		CASE expr
			WHEN 'kpi.cac(spend, customers)' THEN '(sum(spend) / nullif(sum(customers), 0))::float8'
			WHEN 'kpi.cac(spend_f, customers)' THEN 'sum(spend_f) / nullif(sum(customers), 0)'
			WHEN 'kpi.romi(revenue, spend)' THEN '((sum(revenue) - sum(spend)) / nullif(sum(spend), 0))::float8'
			WHEN 'kpi.roas(revenue_f, spend_f)' THEN 'sum(revenue_f) / nullif(sum(spend_f), 0)'
			WHEN 'kpi.conversion_rate(won)' THEN 'avg(won::int)::float8'
			WHEN 'kpi.conversion_rate(customers_big, leads)' THEN '(sum(customers_big)::numeric / nullif(sum(leads), 0))::float8'
		END,
		CASE expr
			WHEN 'kpi.cac(spend, customers)' THEN 'spend IS NOT NULL AND customers IS NOT NULL'
			WHEN 'kpi.cac(spend_f, customers)' THEN 'spend_f IS NOT NULL AND customers IS NOT NULL'
			WHEN 'kpi.romi(revenue, spend)' THEN 'spend IS NOT NULL'
			WHEN 'kpi.roas(revenue_f, spend_f)' THEN 'spend_f IS NOT NULL'
			WHEN 'kpi.conversion_rate(won)' THEN 'won IS NOT NULL'
			WHEN 'kpi.conversion_rate(customers_big, leads)' THEN 'customers_big IS NOT NULL'
		END);
END
$$;

SELECT (window_vs_recompute(e, 49)).*
FROM unnest(ARRAY['kpi.cac(spend, customers)', 'kpi.cac(spend_f, customers)',
				  'kpi.romi(revenue, spend)', 'kpi.roas(revenue_f, spend_f)',
				  'kpi.conversion_rate(won)', 'kpi.conversion_rate(customers_big, leads)']) e;

-- The summary aggregate as a window: counts and sums exactly equal.
SELECT count(*) AS rows_compared,
	   count(*) FILTER (WHERE kpi.n(w) <> kpi.n(r) OR kpi.numerator(w) <> kpi.numerator(r)
							  OR kpi.denominator(w) <> kpi.denominator(r)) AS mismatches,
	   count(*) FILTER (WHERE NOT moments_close(w, r)) AS moment_mismatches
FROM (SELECT id, pos, channel,
			 kpi.ratio_agg(spend, customers) OVER (PARTITION BY channel ORDER BY pos ROWS 9 PRECEDING) AS w
	  FROM ranked) win
CROSS JOIN LATERAL (SELECT kpi.ratio_agg(spend, customers) AS r FROM ranked f
					WHERE f.channel = win.channel AND f.pos BETWEEN win.pos - 9 AND win.pos) rc;

-- RANGE frame over dates: the last 7 days, peers included, against plain SQL.
SELECT count(*) AS rows_compared,
	   count(*) FILTER (WHERE w IS DISTINCT FROM r) AS exact_mismatches,
	   count(*) FILTER (WHERE NOT close_enough(w, p)) AS plain_sql_mismatches
FROM (SELECT id, day, channel,
			 kpi.cac(spend, customers) OVER (PARTITION BY channel ORDER BY day
											 RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW) AS w
	  FROM marketing) win
CROSS JOIN LATERAL (SELECT kpi.cac(spend, customers) AS r,
						   (sum(spend) FILTER (WHERE customers IS NOT NULL)
							/ nullif(sum(customers) FILTER (WHERE spend IS NOT NULL), 0))::float8 AS p
					FROM marketing f
					WHERE f.channel = win.channel AND f.day BETWEEN win.day - 6 AND win.day) rc;

-- 1e300 enters the frame and later leaves it.  A naive float inverse would
-- leave 0 (or garbage) behind; the exact one restores the small values.
CREATE TABLE spikes (pos int, x float8, y int);
INSERT INTO spikes
SELECT i, CASE WHEN i = 5 THEN 1e300 WHEN i = 12 THEN -1e300 ELSE 0.1 * i END, 1
FROM generate_series(1, 20) i;
SELECT pos, x, w, r, w = r AS equal
FROM (SELECT pos, x, kpi.cac(x, y) OVER (ORDER BY pos ROWS 2 PRECEDING) AS w FROM spikes) win
CROSS JOIN LATERAL (SELECT kpi.cac(x, y) AS r FROM spikes f WHERE f.pos BETWEEN win.pos - 2 AND win.pos) rc
ORDER BY pos;
-- PostgreSQL's own float sum has no inverse and recomputes every frame
-- (slowly); it agrees to rounding (its naive sums are not correctly rounded).
SELECT count(*) FILTER (WHERE NOT close_enough(kw, pw)) AS disagreements
FROM (SELECT kpi.cac(x, y) OVER w AS kw, sum(x) OVER w / sum(y) OVER w AS pw
	  FROM spikes WINDOW w AS (ORDER BY pos ROWS 2 PRECEDING)) s;

-- NaN and Infinity enter and leave too, for float8 and numeric inputs.
SELECT pos, kpi.cac(x, 1) OVER w AS float_window, kpi.cac(x::numeric, 1) OVER w AS numeric_window,
	   sum(x) OVER w AS plain_float_sum
FROM (VALUES (1, 1::float8), (2, 'NaN'), (3, 2), (4, 'Infinity'), (5, 3), (6, 4), (7, 5)) v(pos, x)
WINDOW w AS (ORDER BY pos ROWS 1 PRECEDING)
ORDER BY pos;

-- Frames holding only NULL pairs, or a zero denominator, give NULL.
SELECT pos, kpi.cac(s, c) OVER (ORDER BY pos ROWS 1 PRECEDING)
FROM (VALUES (1, 10::numeric, 1), (2, NULL, 1), (3, NULL, NULL), (4, 5, 0), (5, 5, 0), (6, 2, 2)) v(pos, s, c)
ORDER BY pos;

-- Integer sums past int64 inside a frame, and back.
SELECT pos, kpi.numerator(kpi.ratio_agg(x, 1) OVER (ORDER BY pos ROWS 1 PRECEDING))
FROM (VALUES (1, 9223372036854775807), (2, 9223372036854775807), (3, -9223372036854775807), (4, 1)) v(pos, x)
ORDER BY pos;
