--
-- Shared fixtures of the core tests, included by each of them with
-- \i test/core_fixture.sql so that any test runs alone: a deterministic
-- marketing table and helpers that report the SQLSTATE of a failing
-- statement and compare floats.  Not echoed into the test output.
--
\set ECHO none
-- Idempotent: the tests of one run share a database.
SET client_min_messages = warning;
DROP TABLE IF EXISTS public.marketing;
DROP FUNCTION IF EXISTS public.sqlstate_of(text), public.close_enough(float8, float8), public.moments_close(kpi.ratio, kpi.ratio);
RESET client_min_messages;
SET search_path = public, kpi;
SET extra_float_digits = 0;

CREATE FUNCTION sqlstate_of(statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE statement;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

-- Float results agree when equal or within 1e-12 relative.
CREATE FUNCTION close_enough(a float8, b float8) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT a IS NOT DISTINCT FROM b OR abs(a - b) <= 1e-12 * abs(b)
$$;

-- The moments of two summaries agree to 1e-12 relative (the count and sums
-- are compared exactly by the callers).
CREATE FUNCTION moments_close(a kpi.ratio, b kpi.ratio) RETURNS boolean
LANGUAGE sql AS $$
	SELECT bool_and(abs(x - y) <= 1e-12 * greatest(abs(x), abs(y)))
	FROM (SELECT rtrim(split_part(split_part(a::text, k || '=', 2), ',', 1), ')')::float8,
				 rtrim(split_part(split_part(b::text, k || '=', 2), ',', 1), ')')::float8
		  FROM unnest(ARRAY['sxx', 'syy', 'sxy']) k) m(x, y)
$$;

-- 5000 rows of daily channel data.  Values come from modular arithmetic so
-- every run (and every parallel worker) sees the same data.
CREATE TABLE marketing AS
SELECT i AS id,
	   DATE '2026-01-01' + (i / 25) AS day,
	   (ARRAY['search', 'social', 'email', 'display', 'events'])[1 + i % 5] AS channel,
	   ((i * 7919) % 100003 / 100.0)::numeric(12,2) AS spend,
	   ((i * 7919) % 100003 / 100.0)::float8 AS spend_f,
	   (i * 31) % 97 AS leads,
	   ((i * 31) % 97)::bigint AS leads_big,
	   (i * 17) % 5 AS customers,
	   ((i * 17) % 5)::bigint AS customers_big,
	   ((i * 104729) % 200003 / 100.0)::numeric(12,2) AS revenue,
	   ((i * 104729) % 200003 / 100.0)::float8 AS revenue_f,
	   (i % 3 = 0) AS won
FROM generate_series(1, 5000) AS i;
-- Holes: NULLs in either argument must be skipped as a pair.
UPDATE marketing SET spend = NULL, spend_f = NULL WHERE id % 97 = 0;
UPDATE marketing SET customers = NULL, customers_big = NULL WHERE id % 89 = 0;
UPDATE marketing SET won = NULL WHERE id % 83 = 0;
ANALYZE marketing;

SELECT count(*), count(spend), count(customers), count(won) FROM marketing;
\set ECHO all
