--
-- Parallel aggregation: partial aggregates in workers, combined in the
-- leader, must give the serial results.  Also the Citus path: partial
-- states shipped as text and combined on another node.
--
\i test/core_fixture.sql
SET search_path = public, kpi;
SET extra_float_digits = 0;

CREATE TABLE serial_results AS
SELECT channel,
	   kpi.cac(spend, customers) AS cac, kpi.cac(spend_f, customers) AS cac_f,
	   kpi.romi(revenue, spend) AS romi, kpi.roas(revenue_f, spend_f) AS roas,
	   kpi.conversion_rate(won) AS won, kpi.conversion_rate(customers, leads) AS conv,
	   kpi.ratio_agg(spend, customers) AS summary
FROM marketing GROUP BY channel;

-- Force a parallel plan, whatever the suite's own settings are.
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET force_parallel_mode = off;
SET parallel_leader_participation = off;	-- every row goes through a worker

EXPLAIN (COSTS OFF)
SELECT kpi.cac(spend, customers), kpi.conversion_rate(won), kpi.ratio_agg(spend, customers)
FROM marketing;

EXPLAIN (COSTS OFF)
SELECT channel, kpi.cac(spend, customers) FROM marketing GROUP BY channel;

CREATE TEMP TABLE parallel_results AS
SELECT channel,
	   kpi.cac(spend, customers) AS cac, kpi.cac(spend_f, customers) AS cac_f,
	   kpi.romi(revenue, spend) AS romi, kpi.roas(revenue_f, spend_f) AS roas,
	   kpi.conversion_rate(won) AS won, kpi.conversion_rate(customers, leads) AS conv,
	   kpi.ratio_agg(spend, customers) AS summary
FROM marketing GROUP BY channel;

SELECT count(*) AS channels,
	   count(*) FILTER (WHERE p.cac IS DISTINCT FROM s.cac OR p.romi IS DISTINCT FROM s.romi
							  OR p.won IS DISTINCT FROM s.won OR p.conv IS DISTINCT FROM s.conv) AS exact_mismatches,
	   count(*) FILTER (WHERE NOT close_enough(p.cac_f, s.cac_f) OR NOT close_enough(p.roas, s.roas)) AS float_mismatches,
	   count(*) FILTER (WHERE kpi.n(p.summary) <> kpi.n(s.summary)
							  OR kpi.numerator(p.summary) <> kpi.numerator(s.summary)
							  OR kpi.denominator(p.summary) <> kpi.denominator(s.summary)
							  OR NOT moments_close(p.summary, s.summary)) AS summary_mismatches
FROM parallel_results p JOIN serial_results s USING (channel);

-- Whole-table parallel result against plain SQL.
SELECT close_enough(kpi.cac(spend, customers),
					(SELECT (sum(spend) / sum(customers))::float8 FROM marketing
					 WHERE spend IS NOT NULL AND customers IS NOT NULL)) AS parallel_cac_ok
FROM marketing;

RESET parallel_leader_participation;
RESET force_parallel_mode;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET max_parallel_workers_per_gather;

-- The Citus path: each "shard" computes a partial kpi.ratio, ships it as
-- text, and the coordinator parses and combines the states.
CREATE TABLE shipped AS
SELECT id % 4 AS shard, channel,
	   kpi.ratio_agg(spend, customers)::text AS cac_state,
	   kpi.ratio_agg(spend_f, customers)::text AS cac_f_state
FROM marketing GROUP BY 1, 2;
SELECT count(*) AS channels,
	   count(*) FILTER (WHERE c.cac IS DISTINCT FROM s.cac) AS cac_mismatches,
	   count(*) FILTER (WHERE NOT close_enough(c.cac_f, s.cac_f)) AS cac_f_mismatches
FROM (SELECT channel, kpi.value(kpi.rollup(cac_state::kpi.ratio)) AS cac,
			 kpi.value(kpi.rollup(cac_f_state::kpi.ratio)) AS cac_f
	  FROM shipped GROUP BY channel) c
JOIN serial_results s USING (channel);
