--
-- kpi.cohort, retention, LTV, LTV:CAC and CAC payback against plain SQL on
-- generated data: customers who churn and come back, a cohort with no
-- revenue, rollup of monthly cohorts into quarters, parallel plans, and
-- revenue before acquisition (rejected).
--
CREATE SCHEMA cohort_test;
SET search_path = cohort_test, public;
SET extra_float_digits = 0;
SET TimeZone = 'UTC';
SET jit = off;	-- a few thousand rows: compiling would cost more than running

-- A deterministic pseudo-random number in [0, 1) per (a, b): the data must
-- not depend on the order in which a plan calls random().
CREATE FUNCTION rnd(a bigint, b bigint) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN (hashint8(a * 1000003 + b)::bigint + 2147483648) / 4294967296.0;
-- 600 customers acquired over 7 months; the 7th month's cohort never pays.
CREATE TABLE customers AS
SELECT id, date '2024-01-01' + (floor(rnd(id, 0) * 7))::int * interval '1 month' AS acquired
FROM generate_series(1, 600) AS id;
-- Revenue per customer and month from acquisition to June 2024 (month 7 pays
-- nothing); a customer is active with probability 0.6 in any month, so
-- customers churn and come back; some months have two payments.
CREATE TABLE payments AS
SELECT c.id, (c.acquired + k * interval '1 month' + (floor(rnd(c.id, 10 * k + n) * 20))::int * interval '1 day')::date AS paid_on,
	   round((rnd(c.id, 100 + 10 * k + n) * 100)::numeric, 2) AS amount
FROM customers AS c, generate_series(0, 6) AS k, generate_series(1, 2) AS n
WHERE c.acquired + k * interval '1 month' <= date '2024-06-01'
  AND c.acquired < date '2024-07-01'
  AND rnd(c.id, 200 + 10 * k + n) < CASE n WHEN 1 THEN 0.6 ELSE 0.2 END;
CREATE INDEX ON payments (id);

-- One row per customer and period since acquisition, from 0 to the last
-- month of data: the grid kpi.cohort takes.
CREATE TABLE customer_periods AS
SELECT c.id, date_trunc('month', c.acquired)::date AS cohort, k AS period,
	   COALESCE((SELECT sum(p.amount) FROM payments AS p
				 WHERE p.id = c.id AND date_trunc('month', p.paid_on) = c.acquired + k * interval '1 month'), 0) AS revenue
FROM customers AS c,
	 generate_series(0, (extract(year FROM age(date '2024-07-01', c.acquired)) * 12
						 + extract(month FROM age(date '2024-07-01', c.acquired)))::int) AS k;

CREATE TABLE cohorts AS
SELECT cohort, kpi.cohort(period, revenue) AS c FROM customer_periods GROUP BY cohort;
SELECT count(*) AS cohorts, bool_and(kpi.cohort_size(c) > 0) AS none_empty FROM cohorts;

-- Plain SQL: size, revenue and active customers per cohort and period,
-- cumulative LTV by window sum.
CREATE TABLE expected AS
SELECT x.cohort, x.period, s.size, x.revenue, x.active,
	   x.active::float8 / s.size AS retention,
	   (sum(x.revenue) OVER (PARTITION BY x.cohort ORDER BY x.period))::float8 / s.size AS ltv,
	   (sum(x.revenue) OVER (PARTITION BY x.cohort ORDER BY x.period))::float8 * 0.3 / s.size AS ltv_30
FROM (SELECT date_trunc('month', c.acquired)::date AS cohort, m.period,
			 COALESCE(sum(p.amount), 0) AS revenue, count(DISTINCT p.id) AS active
	  FROM customers AS c
	  JOIN LATERAL (SELECT k AS period FROM generate_series(0, 6) AS k
					WHERE c.acquired + k * interval '1 month' <= date '2024-07-01') AS m ON true
	  LEFT JOIN payments AS p ON p.id = c.id AND p.amount > 0
		   AND date_trunc('month', p.paid_on) = c.acquired + m.period * interval '1 month'
	  GROUP BY 1, 2) AS x
JOIN (SELECT date_trunc('month', acquired)::date AS cohort, count(*) AS size FROM customers GROUP BY 1) AS s
  ON s.cohort = x.cohort;

SELECT count(*) AS rows_compared,
	   count(*) FILTER (WHERE e.cohort IS NULL OR k.period IS NULL
						OR k.customers <> e.size OR k.revenue <> e.revenue OR k.active <> e.active
						OR k.retention <> e.retention
						OR abs(k.ltv - e.ltv) > 1e-9 * greatest(1, e.ltv)
						OR abs(kpi.ltv(c.c, k.period, 0.3) - e.ltv_30) > 1e-9 * greatest(1, e.ltv_30)
						OR abs(kpi.ltv(c.c, k.period) - e.ltv) > 1e-9 * greatest(1, e.ltv)
						OR kpi.retention(c.c, k.period) <> e.retention) AS mismatches
FROM cohorts AS c
CROSS JOIN LATERAL kpi.cohort_periods(c.c) AS k
FULL JOIN expected AS e ON e.cohort = c.cohort AND e.period = k.period;

-- The cohort that never paid: LTV 0, retention 0 after month 0, no payback.
SELECT cohort, kpi.cohort_size(c) > 0 AS has_customers, kpi.ltv(c, 0) AS ltv,
	   kpi.retention(c, 0) AS retention, kpi.cac_payback_periods(c, 10) AS payback
FROM cohorts WHERE cohort = '2024-07-01';

-- Churned and back: some customer is active in period 0, not in 1, again in 2.
SELECT EXISTS (
	SELECT FROM customer_periods AS a
	JOIN customer_periods AS b ON b.id = a.id AND b.period = 1 AND b.revenue = 0
	JOIN customer_periods AS d ON d.id = a.id AND d.period = 2 AND d.revenue > 0
	WHERE a.period = 0 AND a.revenue > 0) AS churn_and_return;

-- LTV:CAC and payback against plain SQL, for a CAC per cohort and two margins.
CREATE TABLE cac AS
SELECT cohort, 40 + 20 * (extract(month FROM cohort)::int % 3) AS cac FROM cohorts;
SELECT count(*) AS cohorts_compared,
	   count(*) FILTER (WHERE kpi.cac_payback_periods(c.c, a.cac) IS DISTINCT FROM
							  (SELECT min(e.period) FROM expected AS e WHERE e.cohort = c.cohort AND e.ltv >= a.cac)
						   OR kpi.cac_payback_periods(c.c, a.cac, 0.3) IS DISTINCT FROM
							  (SELECT min(e.period) FROM expected AS e WHERE e.cohort = c.cohort AND e.ltv_30 >= a.cac)
						   OR abs(kpi.ltv_to_cac(c.c, 3, a.cac) -
								  (SELECT e.ltv / a.cac FROM expected AS e WHERE e.cohort = c.cohort AND e.period = 3)) > 1e-9
		   ) AS mismatches,
	   count(*) FILTER (WHERE kpi.cac_payback_periods(c.c, a.cac) IS NULL) AS not_paid_back,
	   count(*) FILTER (WHERE kpi.cac_payback_periods(c.c, a.cac) IS NOT NULL) AS paid_back
FROM cohorts AS c JOIN cac AS a USING (cohort);
SELECT kpi.ltv_to_cac(c, 0, 0) AS zero_cac, kpi.cac_payback_periods(c, 0) AS payback_at_zero_cac
FROM cohorts WHERE cohort = '2024-01-01';
-- Periods without rows (not reached yet, or negative) are NULL, not 0.
SELECT kpi.retention(c, 1) AS retention_not_reached, kpi.ltv(c, 1) AS ltv_not_reached,
	   kpi.ltv(c, -1) AS ltv_negative, kpi.retention(c, 0) = 0 AS retention_0_known
FROM cohorts WHERE cohort = '2024-07-01';

-- Rollup: monthly cohorts merged into quarters equal quarterly cohorts.
SELECT q.quarter, m.c = q.c AS rollup_equals_direct, kpi.cohort_size(q.c) AS size
FROM (SELECT date_trunc('quarter', cohort) AS quarter, kpi.cohort(c) AS c FROM cohorts GROUP BY 1) AS m
JOIN (SELECT date_trunc('quarter', cohort) AS quarter, kpi.cohort(period, revenue) AS c
	  FROM customer_periods GROUP BY 1) AS q USING (quarter)
ORDER BY 1;
SELECT (a.c OPERATOR(kpi.+) b.c) = kpi.cohort_merge(a.c, b.c) AS operator_merges,
	   kpi.cohort_size(a.c OPERATOR(kpi.+) b.c) = kpi.cohort_size(a.c) + kpi.cohort_size(b.c) AS sizes_add
FROM cohorts AS a, cohorts AS b WHERE a.cohort = '2024-01-01' AND b.cohort = '2024-06-01';
-- Explicit activity: active only from 50 up.
SELECT bool_and(kpi.retention(x.c, 1) = y.share) AS explicit_activity
FROM (SELECT cohort, kpi.cohort(period, revenue, revenue >= 50) AS c FROM customer_periods GROUP BY 1) AS x
JOIN (SELECT cohort, (count(*) FILTER (WHERE period = 1 AND revenue >= 50))::float8 / count(*) FILTER (WHERE period = 0) AS share
	  FROM customer_periods GROUP BY 1) AS y USING (cohort);
-- Empty input, and text round trip.
SELECT kpi.cohort(period, revenue) IS NULL AS empty_is_null FROM customer_periods WHERE false;
SELECT c::text::kpi.cohort = c AS text_round_trip FROM cohorts ORDER BY cohort LIMIT 1;

-- Parallel: partial cohorts in workers, merged in the leader.
CREATE TABLE grid AS SELECT * FROM customer_periods ORDER BY rnd(id, 1000 + period);
CREATE TABLE serial AS SELECT cohort, kpi.cohort(period, revenue) AS c FROM grid GROUP BY cohort;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET force_parallel_mode = off;
CREATE FUNCTION plan_has(query text, node text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		IF line LIKE '%' || node || '%' THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END
$$;
SELECT plan_has('SELECT kpi.cohort(period, revenue) FROM cohort_test.grid', 'Partial Aggregate') AS partial;
SELECT p.c = s.c AS parallel_equals_serial
FROM (SELECT kpi.cohort(period, revenue) AS c FROM grid) AS p,
	 (SELECT kpi.cohort(c) AS c FROM serial) AS s;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET parallel_leader_participation;
RESET force_parallel_mode;

-- Errors.
\set SHOW_CONTEXT never
SELECT kpi.cohort(k, 10) FROM generate_series(-1, 1) AS k;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.cohort(20000, 10);
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors

SET client_min_messages = warning;
DROP SCHEMA cohort_test CASCADE;
