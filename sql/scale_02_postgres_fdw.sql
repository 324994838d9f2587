--
-- postgres_fdw: with the foreign server declared `extensions 'kpi'`, kpi
-- aggregates are pushed to the remote server whole (the aggregate call is in
-- the Remote SQL of EXPLAIN VERBOSE) and give the local answer; without it
-- the rows are fetched and the aggregate runs locally, with the same answer.
-- The "remote" server is this same database, reached over a loopback
-- connection, so no second cluster is needed.
--
SET extra_float_digits = 0;
-- Plans print without a query identifier, whatever the server preloads.
SET compute_query_id = off;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;

-- The loopback servers point at this server's socket, port and database.
DO $$
BEGIN
	EXECUTE format('CREATE SERVER kpi_loopback FOREIGN DATA WRAPPER postgres_fdw '
				   'OPTIONS (host %L, port %L, dbname %L, extensions %L)',
				   split_part(current_setting('unix_socket_directories'), ',', 1),
				   current_setting('port'), current_database(), 'kpi');
	EXECUTE format('CREATE SERVER plain_loopback FOREIGN DATA WRAPPER postgres_fdw '
				   'OPTIONS (host %L, port %L, dbname %L)',
				   split_part(current_setting('unix_socket_directories'), ',', 1),
				   current_setting('port'), current_database());
END
$$;
CREATE USER MAPPING FOR CURRENT_USER SERVER kpi_loopback;
CREATE USER MAPPING FOR CURRENT_USER SERVER plain_loopback;

CREATE TABLE fdw_facts AS
SELECT i, (ARRAY['search', 'social', 'email'])[1 + i % 3] AS channel,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 37 % 101) END AS spend,
	   (i % 7) + 1 AS customers,
	   round((i * 7919 % 10000) / 100.0, 2) AS revenue,
	   CASE WHEN i % 13 = 0 THEN NULL ELSE i % 4 = 0 END AS won
FROM generate_series(1, 2000) AS i;
ALTER TABLE fdw_facts ADD COLUMN summary kpi.ratio;
UPDATE fdw_facts SET summary = (SELECT kpi.ratio_agg(v.x, v.y) FROM (VALUES (spend, customers)) AS v(x, y));

CREATE FOREIGN TABLE fdw_remote (i int, channel text, spend int, customers int, revenue numeric,
								 won boolean, summary kpi.ratio)
	SERVER kpi_loopback OPTIONS (schema_name 'public', table_name 'fdw_facts');
CREATE FOREIGN TABLE fdw_remote_plain (i int, channel text, spend int, customers int, revenue numeric,
									   won boolean, summary kpi.ratio)
	SERVER plain_loopback OPTIONS (schema_name 'public', table_name 'fdw_facts');

-- With extensions 'kpi': the whole aggregate is in the Remote SQL.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT channel, kpi.cac(spend, customers), kpi.romi(revenue, spend), kpi.conversion_rate(won),
	   kpi.ratio_agg(revenue, customers), kpi.rollup(summary)
FROM fdw_remote GROUP BY channel;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT kpi.value(kpi.ratio_agg(spend, customers)) FROM fdw_remote WHERE won;

-- Without it: only the columns are fetched; the aggregate runs locally.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT channel, kpi.cac(spend, customers) FROM fdw_remote_plain GROUP BY channel;

-- The same answers as the local table, remote or not.  For ratio_agg of a
-- numeric input the count and sums are compared: its moments are plain
-- doubles, which may differ in the last bits if the rows come in another
-- order (doc/scale-out.md).
WITH local AS (
	SELECT channel, kpi.cac(spend, customers) AS cac, kpi.romi(revenue, spend) AS romi,
		   kpi.conversion_rate(won) AS rate, kpi.ratio_agg(revenue, customers) AS summary,
		   kpi.rollup(summary) AS rolled
	FROM fdw_facts GROUP BY channel),
remote AS (
	SELECT channel, kpi.cac(spend, customers) AS cac, kpi.romi(revenue, spend) AS romi,
		   kpi.conversion_rate(won) AS rate, kpi.ratio_agg(revenue, customers) AS summary,
		   kpi.rollup(summary) AS rolled
	FROM fdw_remote GROUP BY channel),
remote_plain AS (
	SELECT channel, kpi.cac(spend, customers) AS cac, kpi.romi(revenue, spend) AS romi,
		   kpi.conversion_rate(won) AS rate, kpi.ratio_agg(revenue, customers) AS summary,
		   kpi.rollup(summary) AS rolled
	FROM fdw_remote_plain GROUP BY channel)
SELECT l.channel,
	   r.cac = l.cac AND r.romi = l.romi AND r.rate = l.rate AS pushed_values_equal,
	   kpi.n(r.summary) = kpi.n(l.summary) AND kpi.numerator(r.summary) = kpi.numerator(l.summary)
		   AND kpi.denominator(r.summary) = kpi.denominator(l.summary) AS pushed_sums_equal,
	   r.rolled OPERATOR(kpi.=) l.rolled AS pushed_rollup_equal,
	   p.cac = l.cac AND p.romi = l.romi AND p.rate = l.rate AS fetched_values_equal,
	   p.rolled OPERATOR(kpi.=) l.rolled AS fetched_rollup_equal,
	   l.cac = (SELECT sum(spend)::float8 / sum(customers) FROM fdw_facts AS f
				WHERE f.channel = l.channel AND spend IS NOT NULL) AS cac_is_ratio_of_sums
FROM local AS l JOIN remote AS r USING (channel) JOIN remote_plain AS p USING (channel)
ORDER BY l.channel;

-- A summary read back from the remote server is the same value (text round trip).
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE r.summary OPERATOR(kpi.=) f.summary) AS equal,
	   count(*) FILTER (WHERE r.summary IS NULL AND f.summary IS NULL) AS both_null
FROM fdw_remote AS r JOIN fdw_facts AS f USING (i);

DROP FOREIGN TABLE fdw_remote, fdw_remote_plain;
DROP TABLE fdw_facts;
DROP USER MAPPING FOR CURRENT_USER SERVER kpi_loopback;
DROP USER MAPPING FOR CURRENT_USER SERVER plain_loopback;
DROP SERVER kpi_loopback, plain_loopback;
