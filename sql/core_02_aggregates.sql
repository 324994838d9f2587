--
-- Every ratio aggregate, for every argument type combination, against an
-- independent plain-SQL computation: whole table and GROUP BY.
--
\i test/core_fixture.sql
SET search_path = public, kpi;
SET extra_float_digits = 0;

-- Independent result: sums over the rows where both arguments are present,
-- in numeric when both inputs are exact and in float8 otherwise.
CREATE FUNCTION plain_sql(agg text, x text, y text, exact boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT format(
		CASE WHEN agg = 'romi'
			 THEN '((sum(%1$s::%3$s) - sum(%2$s::%3$s)) / nullif(sum(%2$s::%3$s), 0))::float8'
			 ELSE '(sum(%1$s::%3$s) / nullif(sum(%2$s::%3$s), 0))::float8' END,
		x, y, CASE WHEN exact THEN 'numeric' ELSE 'float8' END)
$$;

CREATE FUNCTION compare_all()
RETURNS TABLE (aggregate text, x_type text, y_type text, groups bigint, mismatches bigint)
LANGUAGE plpgsql AS $$
DECLARE
	-- One column of each supported type per side, with NULLs in different
	-- rows.  Numerator and denominator columns differ, so ROMI never
	-- subtracts a column from itself.
	x_cols CONSTANT text[][] := ARRAY[
		['customers', 'integer'], ['leads_big', 'bigint'],
		['spend', 'numeric'], ['spend_f', 'double precision']];
	y_cols CONSTANT text[][] := ARRAY[
		['leads', 'integer'], ['customers_big', 'bigint'],
		['revenue', 'numeric'], ['revenue_f', 'double precision']];
	agg text;
	i int;
	j int;
	kpi_expr text;
BEGIN
	FOREACH agg IN ARRAY ARRAY['conversion_rate', 'cac', 'roas', 'romi', 'ratio_agg'] LOOP
		FOR i IN 1..4 LOOP
			FOR j IN 1..4 LOOP
				kpi_expr := CASE WHEN agg = 'ratio_agg'
								 THEN format('kpi.value(kpi.ratio_agg(%s, %s))', x_cols[i][1], y_cols[j][1])
								 ELSE format('kpi.%s(%s, %s)', agg, x_cols[i][1], y_cols[j][1]) END;
				RETURN QUERY EXECUTE format(
					'SELECT %L, %L, %L, count(*), count(*) FILTER (WHERE NOT close_enough(k, p))
					 FROM (SELECT channel, %s AS k FROM marketing GROUP BY ROLLUP (channel)) a
					 JOIN (SELECT channel, %s AS p FROM marketing
						   WHERE %I IS NOT NULL AND %I IS NOT NULL GROUP BY ROLLUP (channel)) b
					 USING (channel)',
					agg, x_cols[i][2], y_cols[j][2], kpi_expr,
					plain_sql(agg, x_cols[i][1], y_cols[j][1], i < 4 AND j < 4),
					x_cols[i][1], y_cols[j][1]);
			END LOOP;
		END LOOP;
	END LOOP;
END
$$;

-- 5 aggregates x 16 type combinations, each over 5 channels.  (The ROLLUP
-- total row has channel NULL and drops out of the join; totals follow below.)
SELECT count(*) AS combinations, sum(groups) AS groups_compared, sum(mismatches) AS mismatches
FROM compare_all();
SELECT * FROM compare_all() WHERE mismatches > 0 OR groups <> 5;

-- The whole-table values, compared the same way.
SELECT close_enough(kpi.cac(spend, customers),
					(SELECT (sum(spend) / sum(customers))::float8 FROM marketing
					 WHERE spend IS NOT NULL AND customers IS NOT NULL)) AS cac_total,
	   close_enough(kpi.romi(revenue, spend),
					(SELECT ((sum(revenue) - sum(spend)) / sum(spend))::float8 FROM marketing
					 WHERE spend IS NOT NULL)) AS romi_total,
	   close_enough(kpi.roas(revenue_f, spend_f),
					(SELECT sum(revenue_f) / sum(spend_f) FROM marketing WHERE spend_f IS NOT NULL)) AS roas_total
FROM marketing;

-- Spot values, computed by hand: 30.75 / 5, (300 - 120) / 120, 2 of 3 won.
SELECT kpi.cac(s, c) FROM (VALUES (10.50::numeric(12,2), 2), (20.25, 3), (NULL, 5), (7, NULL)) v(s, c);
SELECT kpi.romi(r, c) FROM (VALUES (100::numeric, 40::numeric), (200, 80)) v(r, c);
SELECT kpi.conversion_rate(w) FROM (VALUES (true), (false), (NULL), (true)) v(w);

-- conversion_rate(boolean) against avg(won::int) per channel.
SELECT channel, close_enough(kpi.conversion_rate(won), avg(won::int)::float8) AS matches,
	   count(won) AS decided
FROM marketing GROUP BY channel ORDER BY channel;

-- A sum of ratios is not a ratio of sums: the classic BI mistake, for contrast.
SELECT round(kpi.conversion_rate(c, o)::numeric, 4) AS ratio_of_sums,
	   round(avg(c::float8 / o)::numeric, 4) AS average_of_ratios
FROM (VALUES (1, 100), (9, 10)) v(c, o);

-- Argument types resolve without casts, including smallint and real.
SELECT kpi.cac(2::smallint, 4::smallint), kpi.cac(1.5::real, 2), kpi.cac(3, 4::bigint),
	   kpi.roas(7.5::numeric, 2.5::float8);

-- Empty input, all-NULL pairs and a zero denominator sum give NULL, not an error.
SELECT kpi.cac(spend, customers) AS no_rows, kpi.conversion_rate(won) AS no_rows_bool,
	   kpi.ratio_agg(spend, customers) AS no_summary
FROM marketing WHERE false;
SELECT kpi.cac(s, c) AS null_pairs FROM (VALUES (NULL::numeric, 1), (5, NULL)) v(s, c);
SELECT kpi.cac(s, c) AS zero_denominator, kpi.romi(s, c) AS zero_cost
FROM (VALUES (10::numeric, 0::numeric), (5, 0)) v(s, c);
SELECT kpi.cac(s, c) AS cancelling_denominator FROM (VALUES (10, 3), (5, -3)) v(s, c);

-- Beyond int64: exact 128-bit sums.
SELECT kpi.numerator(kpi.ratio_agg(x, 1)) AS exact_sum,
	   sum(x::numeric) AS numeric_sum,
	   close_enough(kpi.cac(x, 3), (sum(x::numeric) / 9)::float8) AS value_ok
FROM (VALUES (9223372036854775807), (9223372036854775807), (9223372036854775806)) v(x);
SELECT kpi.numerator(kpi.ratio_agg(x, 1)) = sum(x) AS many_digits_exact
FROM (VALUES (123456789012345678901234567.891::numeric), (0.109), (-1)) v(x);
-- Beyond 128 bits: a clear error instead of a wrong number.
SELECT sqlstate_of($$SELECT kpi.cac(x, 1) FROM (VALUES (99999999999999999999999999999999999999::numeric), (99999999999999999999999999999999999999)) v(x)$$);
SELECT sqlstate_of($$SELECT kpi.cac(1e40::numeric, 1)$$);

-- NaN and Infinity follow PostgreSQL's float rules: the same as sum()/sum().
CREATE TABLE specials (grp int, x float8, y float8);
INSERT INTO specials VALUES
	(1, 'Infinity', 1), (1, 2, 1),
	(2, 'NaN', 1), (2, 2, 1),
	(3, 'Infinity', 1), (3, '-Infinity', 1),
	(4, 5, 'Infinity'),
	(5, 'Infinity', 'Infinity'),
	(6, '-Infinity', 2);
SELECT grp, kpi.cac(x, y), sum(x) / nullif(sum(y), 0) AS plain,
	   kpi.cac(x, y) IS NOT DISTINCT FROM sum(x) / nullif(sum(y), 0) AS same
FROM specials GROUP BY grp ORDER BY grp;
SELECT kpi.cac(x, 1) AS numeric_nan, kpi.cac(1, x) AS nan_denominator
FROM (VALUES ('NaN'::numeric), (1)) v(x);
SELECT kpi.cac(x, 1) AS numeric_infinity FROM (VALUES ('Infinity'::numeric), (1)) v(x);
-- Overflow of a float sum is an error, as with sum(float8).
SELECT sqlstate_of($$SELECT kpi.cac(x, 1) FROM (VALUES (1e308::float8), (1e308)) v(x)$$) AS kpi_overflow,
	   sqlstate_of($$SELECT sum(x) FROM (VALUES (1e308::float8), (1e308)) v(x)$$) AS plain_overflow;

-- A support function called directly, outside any aggregate (as any fmgr
-- caller may), gives the same answer and never modifies its argument: the
-- state s is the same before and after, and each call adds one step to it.
SELECT s::text AS state,
	   kpi.ratio_accum(s, 2, 3)::text AS accum,
	   kpi.ratio_summary_accum(s, 2, 3)::text AS summary_accum,
	   kpi.ratio_accum_bool(s, true)::text AS accum_bool,
	   kpi.ratio_combine(s, s)::text AS combine,
	   s::text AS state_after,
	   kpi.ratio_accum(NULL::kpi.ratio, 1, 2)::text AS accum_from_null,
	   kpi.ratio_combine(NULL, s) = s AS combine_from_null
FROM (SELECT '(n=1, num=1, den=1)'::kpi.ratio AS s) t;
