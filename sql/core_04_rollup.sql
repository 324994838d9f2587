--
-- Two-step rollups: daily kpi.ratio summaries stored in a table, rolled up
-- to months, must give exactly the one-step aggregate over the raw rows.
--
\i test/core_fixture.sql
SET search_path = public, kpi;
SET extra_float_digits = 0;

CREATE TABLE daily AS
SELECT day, channel,
	   kpi.ratio_agg(spend, customers) AS cac,
	   kpi.ratio_agg(spend_f, customers) AS cac_f,
	   kpi.ratio_agg(revenue, spend) AS romi,
	   kpi.ratio_agg(CASE won WHEN true THEN 1 WHEN false THEN 0 END, CASE WHEN won IS NOT NULL THEN 1 END) AS won
FROM marketing GROUP BY day, channel;

-- Month by channel: rollup of days = one step over raw rows, exactly.
SELECT count(*) AS groups,
	   count(*) FILTER (WHERE kpi.value(d.cac) IS DISTINCT FROM r.cac) AS cac_mismatches,
	   count(*) FILTER (WHERE NOT close_enough(kpi.value(d.cac_f), r.cac_f)) AS cac_f_mismatches,
	   count(*) FILTER (WHERE kpi.romi_value(d.romi) IS DISTINCT FROM r.romi) AS romi_mismatches,
	   count(*) FILTER (WHERE kpi.value(d.won) IS DISTINCT FROM r.won) AS won_mismatches,
	   count(*) FILTER (WHERE kpi.n(d.cac) <> r.n) AS n_mismatches
FROM (SELECT date_trunc('month', day) AS month, channel,
			 kpi.rollup(cac) AS cac, kpi.rollup(cac_f) AS cac_f,
			 kpi.rollup(romi) AS romi, kpi.rollup(won) AS won
	  FROM daily GROUP BY 1, 2) d
JOIN (SELECT date_trunc('month', day) AS month, channel,
			 kpi.cac(spend, customers) AS cac, kpi.cac(spend_f, customers) AS cac_f,
			 kpi.romi(revenue, spend) AS romi, kpi.conversion_rate(won) AS won,
			 count(*) FILTER (WHERE spend IS NOT NULL AND customers IS NOT NULL) AS n
	  FROM marketing GROUP BY 1, 2) r USING (month, channel);

-- The total over everything, three ways: raw rows, days, and months of days.
SELECT kpi.cac(spend, customers) AS one_step,
	   (SELECT kpi.value(kpi.rollup(cac)) FROM daily) AS from_days,
	   (SELECT kpi.value(kpi.rollup(m)) FROM (SELECT kpi.rollup(cac) m FROM daily
											  GROUP BY date_trunc('month', day)) months) AS from_months,
	   (SELECT (sum(spend) / sum(customers))::float8 FROM marketing
		WHERE spend IS NOT NULL AND customers IS NOT NULL) AS plain_sql
FROM marketing;

-- The rolled-up summary's parts, against plain SQL.
SELECT kpi.numerator(r) = (SELECT sum(spend) FROM marketing WHERE customers IS NOT NULL) AS numerator_ok,
	   kpi.denominator(r) = (SELECT sum(customers) FROM marketing WHERE spend IS NOT NULL) AS denominator_ok,
	   kpi.n(r) = (SELECT count(*) FROM marketing WHERE spend IS NOT NULL AND customers IS NOT NULL) AS n_ok
FROM (SELECT kpi.rollup(cac) r FROM daily) s;

-- Rolling 7-day values from the daily table (a moving rollup) equal the
-- 7-day window over raw rows.
SELECT count(*) AS days_compared,
	   count(*) FILTER (WHERE w IS DISTINCT FROM r) AS mismatches
FROM (SELECT day, channel,
			 kpi.value(kpi.rollup(cac) OVER (PARTITION BY channel ORDER BY day
											 RANGE BETWEEN '6 days' PRECEDING AND CURRENT ROW)) AS w
	  FROM daily) win
CROSS JOIN LATERAL (SELECT kpi.cac(spend, customers) AS r FROM marketing m
					WHERE m.channel = win.channel AND m.day BETWEEN win.day - 6 AND win.day) raw;
-- The same with float sums: exact superaccumulator against a fresh rollup.
SELECT count(*) AS days_compared,
	   count(*) FILTER (WHERE NOT close_enough(w, r)) AS mismatches
FROM (SELECT day, channel,
			 kpi.value(kpi.rollup(cac_f) OVER (PARTITION BY channel ORDER BY day ROWS 6 PRECEDING)) AS w
	  FROM daily) win
CROSS JOIN LATERAL (SELECT kpi.value(kpi.rollup(cac_f)) AS r FROM daily d
					WHERE d.channel = win.channel AND d.day BETWEEN win.day - 6 AND win.day) fresh;

-- NULL summaries are skipped; a rollup of nothing is NULL.
SELECT kpi.rollup(r) AS skip_nulls FROM (VALUES ('(n=1, num=2, den=4)'::kpi.ratio), (NULL)) v(r);
SELECT kpi.rollup(cac) AS nothing FROM daily WHERE false;
-- Summaries of different kinds merge: exact + float becomes float.
SELECT kpi.rollup(r) FROM (VALUES ('(n=1, num=2.5, den=4, sxx=6.25, syy=16, sxy=10)'::kpi.ratio),
								   ('(n=2, num=~0.5, den=4, sxx=0.25, syy=16, sxy=2)')) v(r);
-- A row count beyond int64 is an error, in a plain and in a moving rollup.
SELECT sqlstate_of($$SELECT kpi.rollup(r) FROM (VALUES ('(n=9223372036854775807, num=1, den=1)'::kpi.ratio), ('(n=1, num=1, den=1)')) v(r)$$) AS plain_rollup;
SELECT sqlstate_of($$SELECT kpi.rollup(r) OVER (ORDER BY i ROWS 1 PRECEDING) FROM (VALUES (1, '(n=9223372036854775807, num=1, den=1)'::kpi.ratio), (2, '(n=1, num=1, den=1)')) v(i, r)$$) AS moving_rollup;
