--
-- kpi.attribute: every model against an independent plain-SQL computation
-- (a join of conversions to touches and window functions) on generated
-- data with ties, several conversions per customer, touches after the last
-- conversion, touches outside the lookback, pure conversion rows and rows
-- without a time; then parallel plans (combine, serialize, deserialize),
-- the result's shape, and every error a user can cause.
--
CREATE SCHEMA attr_test;
SET search_path = attr_test, public;
SET extra_float_digits = 0;
SET TimeZone = 'UTC';
-- The reference query's cross join is over-estimated; JIT-compiling it would
-- cost seconds for a few thousand rows.
SET jit = off;

SELECT setseed(0.14);
CREATE TABLE events (cid int, ts timestamptz, channel text, converted boolean);
-- 400 customers; touches at whole hours of ~120 days, so that ties occur;
-- 0 to 3 conversions each, some carrying the channel they came through.
INSERT INTO events
SELECT cid, timestamptz '2024-01-01 00:00+00' + (floor(random() * 24 * 120))::int * interval '1 hour',
	   (ARRAY['search', 'social', 'direct', 'email', 'event', 'Search'])[1 + floor(random() * 6)::int],
	   false
FROM generate_series(1, 400) AS cid, generate_series(1, 12) AS i
WHERE random() < 0.7;
INSERT INTO events
SELECT cid, timestamptz '2024-01-01 00:00+00' + (floor(random() * 24 * 120))::int * interval '1 hour',
	   CASE WHEN random() < 0.3 THEN (ARRAY['direct', 'search'])[1 + floor(random() * 2)::int] END,
	   true
FROM generate_series(1, 400) AS cid, generate_series(1, 3) AS i
WHERE random() < 0.4 OR (cid % 50 = 0 AND i = 1);
-- Two conversions at one instant, rows without a time, and without a channel.
INSERT INTO events VALUES
	(7, '2024-02-01 00:00+00', NULL, true), (7, '2024-02-01 00:00+00', 'email', true),
	(8, NULL, 'search', true), (8, '2024-03-01 00:00+00', NULL, false),
	(9, '2024-03-01 00:00+00', 'social', NULL);
-- Shuffle, so that a customer's rows are spread over pages (and workers).
CREATE TABLE shuffled AS SELECT * FROM events ORDER BY random();
DROP TABLE events;
ALTER TABLE shuffled RENAME TO events;
ANALYZE events;

SELECT count(*) > 3000 AS enough_rows, count(*) FILTER (WHERE converted) > 300 AS enough_conversions,
	   count(DISTINCT cid) FILTER (WHERE converted) > 200 AS enough_converting_customers
FROM events;

-- kpi.attribute's rows, as (customer, conversion_at, channel, credit).
CREATE TABLE models (label text, model text, lookback interval, half_life interval, direct text,
					 f float8, m float8, l float8);
INSERT INTO models VALUES
	('first_touch', 'first_touch', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('last_touch', 'last_touch', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('last_non_direct', 'last_non_direct', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('last_non_direct(search)', 'last_non_direct', '90 days', NULL, 'search', 0.4, 0.2, 0.4),
	('linear', 'linear', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('linear, 14 days', 'linear', '14 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('linear, no lookback', 'linear', NULL, NULL, 'direct', 0.4, 0.2, 0.4),
	('time_decay', 'time_decay', '90 days', '7 days', 'direct', 0.4, 0.2, 0.4),
	('time_decay, default half-life', 'time_decay', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('time_decay, 36 hours', 'time_decay', '30 days', '36 hours', 'direct', 0.4, 0.2, 0.4),
	('position_based', 'position_based', '90 days', NULL, 'direct', 0.4, 0.2, 0.4),
	('position_based(30/40/30)', 'position_based', '90 days', NULL, 'direct', 0.3, 0.4, 0.3),
	('position_based(0/100/0)', 'position_based', '90 days', NULL, 'direct', 0.0, 1.0, 0.0),
	('position_based(10/0/90)', 'position_based', '60 days', NULL, 'direct', 0.1, 0.0, 0.9);

-- Each signature: with a half-life, with the default lookback, with a lookback.
CREATE FUNCTION attributed(model text, lookback interval, half_life interval)
RETURNS TABLE (cid int, conversion_at timestamptz, channel text, credit numeric)
LANGUAGE sql STABLE AS $$
	SELECT a.cid, c.conversion_at, c.channel, c.credit
	FROM (SELECT e.cid, kpi.attribute(e.ts, e.channel, e.converted, model, lookback, half_life) AS credits
		  FROM attr_test.events AS e WHERE half_life IS NOT NULL GROUP BY e.cid
		  UNION ALL
		  SELECT e.cid, kpi.attribute(e.ts, e.channel, e.converted, model)
		  FROM attr_test.events AS e WHERE half_life IS NULL AND lookback = '90 days' GROUP BY e.cid
		  UNION ALL
		  SELECT e.cid, kpi.attribute(e.ts, e.channel, e.converted, model, lookback)
		  FROM attr_test.events AS e WHERE half_life IS NULL AND lookback IS DISTINCT FROM '90 days'
		  GROUP BY e.cid) AS a,
		 kpi.credits(a.credits) AS c
$$;

-- The model text kpi.attribute takes for each case.
CREATE FUNCTION spec(x models) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN x.label LIKE '%(%' THEN x.label ELSE x.model END
$$;

CREATE TABLE results AS
SELECT x.label, a.*
FROM models AS x, LATERAL attributed(spec(x), x.lookback, x.half_life) AS a;
-- The plain-SQL reference, one query for every model: the touches since the
-- previous conversion, at or before the conversion and within the lookback,
-- ranked by time then channel name (C collation); each model's weight,
-- normalised per conversion; then summed per channel.  A conversion without
-- touches is credited to NULL.
CREATE TABLE expected AS
WITH ev AS (SELECT * FROM events WHERE ts IS NOT NULL),
conv AS (
	SELECT e.cid, e.ts AS conv_ts, row_number() OVER w AS conv_no, lag(e.ts) OVER w AS prev_ts
	FROM ev AS e WHERE e.converted
	WINDOW w AS (PARTITION BY e.cid ORDER BY e.ts)),
touch AS (SELECT e.cid, e.ts, e.channel FROM ev AS e WHERE e.channel IS NOT NULL),
eligible AS (
	SELECT x.label, x.model, x.f, x.m, x.l, x.direct, coalesce(x.half_life, '7 days') AS half_life,
		   c.cid, c.conv_no, c.conv_ts, t.ts, t.channel,
		   row_number() OVER (PARTITION BY x.label, c.cid, c.conv_no ORDER BY t.ts, t.channel COLLATE "C") AS pos,
		   row_number() OVER (PARTITION BY x.label, c.cid, c.conv_no ORDER BY t.ts DESC, t.channel COLLATE "C" DESC) AS rpos,
		   row_number() OVER (PARTITION BY x.label, c.cid, c.conv_no, t.channel = x.direct
							  ORDER BY t.ts DESC, t.channel COLLATE "C" DESC) AS rpos_same_kind,
		   count(*) FILTER (WHERE t.channel <> x.direct) OVER (PARTITION BY x.label, c.cid, c.conv_no) AS non_direct,
		   count(*) OVER (PARTITION BY x.label, c.cid, c.conv_no) AS k
	FROM models AS x CROSS JOIN conv AS c
	JOIN touch AS t ON t.cid = c.cid AND t.ts <= c.conv_ts
		AND (c.prev_ts IS NULL OR t.ts > c.prev_ts)
		AND (x.lookback IS NULL OR t.ts >= c.conv_ts - make_interval(secs => extract(epoch FROM x.lookback)))),
weighted AS (
	SELECT e.*, CASE e.model
		WHEN 'first_touch' THEN (e.pos = 1)::int::float8
		WHEN 'last_touch' THEN (e.rpos = 1)::int::float8
		WHEN 'last_non_direct' THEN
			CASE WHEN e.non_direct = 0 THEN (e.rpos = 1)::int::float8
				 ELSE (e.channel <> e.direct AND e.rpos_same_kind = 1)::int::float8 END
		WHEN 'linear' THEN 1.0 / e.k
		WHEN 'time_decay' THEN power(2.0::float8, -extract(epoch FROM e.conv_ts - e.ts)::float8
												 / extract(epoch FROM e.half_life)::float8)
		WHEN 'position_based' THEN
			CASE WHEN e.k = 1 THEN 1.0
				 WHEN e.k = 2 AND e.f + e.l = 0 THEN 0.5
				 WHEN e.k = 2 THEN CASE WHEN e.pos = 1 THEN e.f ELSE e.l END / (e.f + e.l)
				 WHEN e.pos = 1 THEN e.f WHEN e.pos = e.k THEN e.l ELSE e.m / (e.k - 2) END
		END AS w
	FROM eligible AS e)
SELECT w.label, w.cid, w.conv_ts AS conversion_at, w.channel, sum(w.w / w.total) AS credit
FROM (SELECT y.*, sum(y.w) OVER (PARTITION BY y.label, y.cid, y.conv_no) AS total FROM weighted AS y) AS w
WHERE w.w > 0
GROUP BY w.label, w.cid, w.conv_no, w.conv_ts, w.channel
UNION ALL
SELECT x.label, c.cid, c.conv_ts, NULL, 1.0
FROM models AS x CROSS JOIN conv AS c
WHERE NOT EXISTS (SELECT FROM eligible AS e WHERE e.label = x.label AND e.cid = c.cid AND e.conv_no = c.conv_no);

-- Every model: the same (customer, conversion, channel) rows, and credits
-- within 1e-11 of the real-valued reference (they are rounded to 1e-12).
SELECT x.label,
	   (SELECT count(*) FROM results r WHERE r.label = x.label) AS credit_rows,
	   (SELECT count(*) FROM
		  (SELECT cid, conversion_at, channel, sum(credit) AS credit FROM results r
		   WHERE r.label = x.label GROUP BY 1, 2, 3) AS a
		  FULL JOIN
		  (SELECT cid, conversion_at, channel, sum(credit) AS credit FROM expected e
		   WHERE e.label = x.label GROUP BY 1, 2, 3) AS b
		  ON a.cid = b.cid AND a.conversion_at = b.conversion_at
			 AND a.channel IS NOT DISTINCT FROM b.channel
		WHERE a.cid IS NULL OR b.cid IS NULL OR abs(a.credit - b.credit::numeric) > 1e-11) AS mismatches
FROM models AS x ORDER BY x.label;

-- The credits of every conversion add up to exactly 1 (numeric, no
-- tolerance); conversions at one instant of one customer add up to their number.
SELECT r.label, bool_and(r.total = c.conversions) AS sum_exactly_one
FROM (SELECT label, cid, conversion_at, sum(credit) AS total FROM results GROUP BY 1, 2, 3) AS r
JOIN (SELECT cid, ts, count(*) AS conversions FROM events WHERE converted GROUP BY 1, 2) AS c
  ON c.cid = r.cid AND c.ts = r.conversion_at
GROUP BY r.label ORDER BY r.label;
-- Every conversion appears.
SELECT (SELECT count(*) FROM (SELECT DISTINCT cid, conversion_at FROM results) AS r)
	 = (SELECT count(*) FROM (SELECT DISTINCT cid, ts FROM events WHERE converted AND ts IS NOT NULL) AS e)
	AS every_conversion_credited;
-- Credits are positive and at most 1, with at most 12 decimals.
SELECT bool_and(credit > 0 AND credit <= 1 AND credit = round(credit, 12)) AS credits_in_range FROM results;

-- Within a conversion the array lists channels by name, conversions in time order.
SELECT bool_and(ok) AS ordered FROM (
	SELECT (c.conversion_at, c.channel COLLATE "C") >= (lag(c.conversion_at) OVER w, lag(c.channel COLLATE "C") OVER w)
		   OR lag(c.conversion_at) OVER w IS NULL AS ok
	FROM (SELECT cid, kpi.attribute(ts, channel, converted, 'linear') AS a FROM events GROUP BY cid) AS x,
		 LATERAL unnest(x.a) WITH ORDINALITY AS c(conversion_at, channel, credit, n)
	WINDOW w AS (PARTITION BY x.cid ORDER BY c.n)) AS y;

-- A worked example (doc/attribution.md): search, social, direct, then a
-- conversion through an event, then a conversion with no touch since.
CREATE TABLE journey (cid int, ts timestamptz, channel text, converted boolean);
INSERT INTO journey VALUES
	(1, '2024-01-01 00:00+00', 'search', false), (1, '2024-01-05 00:00+00', 'social', false),
	(1, '2024-01-08 00:00+00', 'direct', false), (1, '2024-01-10 00:00+00', 'event', true),
	(1, '2024-01-20 00:00+00', NULL, true), (1, '2024-02-01 00:00+00', 'search', false);
SELECT x.m AS model, c.*
FROM (SELECT m, kpi.attribute(ts, channel, converted, m) AS a
	  FROM journey, unnest(ARRAY['first_touch', 'last_touch', 'last_non_direct', 'last_non_direct(event)', 'linear',
								 'time_decay', 'position_based', 'position_based(30/40/30)']) AS m
	  GROUP BY m) AS x,
	 kpi.credits(x.a) AS c
ORDER BY x.m, c.conversion_at, c.channel;
SELECT c.* FROM (SELECT kpi.attribute(ts, channel, converted, 'time_decay', '90 days', '2 days') AS a FROM journey) AS x,
	 kpi.credits(x.a) AS c ORDER BY 1, 2;
-- As a window function: a running frame calls the final function again and
-- again on a growing state; each row's result equals the aggregate over the
-- rows up to it.
SELECT bool_and(w.a::text = (SELECT kpi.attribute(j.ts, j.channel, j.converted, 'linear')::text
							 FROM journey AS j WHERE j.ts <= w.ts)) AS running_window_same
FROM (SELECT ts, kpi.attribute(ts, channel, converted, 'linear') OVER (ORDER BY ts) AS a FROM journey) AS w;
-- No rows: NULL; rows but no conversion: an empty array.
SELECT kpi.attribute(ts, channel, converted, 'linear') IS NULL AS no_rows_null FROM journey WHERE false;
SELECT kpi.attribute(ts, channel, converted, 'linear') = '{}' AS no_conversion_empty FROM journey WHERE NOT converted;

------------------------------------------------------------------------------
-- kpi.attribute_totals: for every model, exactly kpi.attribute's credits
-- summed per channel (numeric equality, no tolerance), and the plain-SQL
-- reference summed per channel within 1e-9.
------------------------------------------------------------------------------
CREATE FUNCTION totals(model text, lookback interval, half_life interval)
RETURNS TABLE (channel text, credit numeric, n bigint)
LANGUAGE sql STABLE AS $$
	SELECT c.channel, c.credit, c.n
	FROM (SELECT kpi.attribute_totals(e.cid, e.ts, e.channel, e.converted, model, lookback, half_life) AS t
		  FROM attr_test.events AS e WHERE half_life IS NOT NULL
		  UNION ALL
		  SELECT kpi.attribute_totals(e.cid, e.ts, e.channel, e.converted, model)
		  FROM attr_test.events AS e WHERE half_life IS NULL AND lookback = '90 days'
		  UNION ALL
		  SELECT kpi.attribute_totals(e.cid, e.ts, e.channel, e.converted, model, lookback)
		  FROM attr_test.events AS e WHERE half_life IS NULL AND lookback IS DISTINCT FROM '90 days') AS x,
		 unnest(x.t) WITH ORDINALITY AS c(channel, credit, n)
$$;
CREATE TABLE totals AS
SELECT x.label, t.* FROM models AS x, LATERAL totals(spec(x), x.lookback, x.half_life) AS t;
SELECT x.label,
	   (SELECT count(*) FROM totals AS t WHERE t.label = x.label) AS channels,
	   (SELECT count(*) FROM
		  (SELECT coalesce(channel, '<none>') AS channel, credit FROM totals AS t WHERE t.label = x.label) AS a
		  FULL JOIN
		  (SELECT coalesce(channel, '<none>') AS channel, sum(credit) AS credit FROM results AS r
		   WHERE r.label = x.label GROUP BY 1) AS b USING (channel)
		WHERE a.credit IS DISTINCT FROM b.credit) AS differ_from_attribute,
	   (SELECT count(*) FROM
		  (SELECT coalesce(channel, '<none>') AS channel, credit FROM totals AS t WHERE t.label = x.label) AS a
		  FULL JOIN
		  (SELECT coalesce(channel, '<none>') AS channel, sum(credit) AS credit FROM expected AS e
		   WHERE e.label = x.label GROUP BY 1) AS b USING (channel)
		WHERE a.credit IS NULL OR b.credit IS NULL OR abs(a.credit - b.credit::numeric) > 1e-9) AS differ_from_plain_sql
FROM models AS x ORDER BY x.label;
-- The credits add up to the number of conversions; channels in name order
-- (C collation), the unattributed conversions (channel NULL) last.
SELECT bool_and(t.total = (SELECT count(*) FROM events WHERE converted AND ts IS NOT NULL)) AS totals_add_up
FROM (SELECT label, sum(credit) AS total FROM totals GROUP BY label) AS t;
SELECT bool_and(ok) AS totals_ordered FROM (
	SELECT lag(channel COLLATE "C") OVER w < channel COLLATE "C" OR lag(channel) OVER w IS NULL
		   OR (channel IS NULL AND n = max(n) OVER (PARTITION BY label)) AS ok
	FROM totals WINDOW w AS (PARTITION BY label ORDER BY n)) AS y;
-- Customers are independent: totals over buckets of customers add up to the
-- totals over all of them (the way past the per-group row limit).
SELECT bool_and(a.credit = b.credit) AND count(*) = 7 AS buckets_add_up
FROM (SELECT c.channel, sum(c.credit) AS credit
	  FROM (SELECT kpi.attribute_totals(cid, ts, channel, converted, 'position_based') AS t
			FROM events GROUP BY cid % 7) AS x, unnest(x.t) AS c GROUP BY 1) AS a
JOIN totals AS b ON b.label = 'position_based' AND b.channel IS NOT DISTINCT FROM a.channel;
-- No rows: NULL; rows but no conversion: an empty array.  As a window
-- function (the final function sorts the state in place and restores the
-- channels), each row's result equals the aggregate over the rows up to it.
SELECT kpi.attribute_totals(cid, ts, channel, converted, 'linear') IS NULL AS totals_no_rows_null FROM events WHERE false;
SELECT kpi.attribute_totals(cid, ts, channel, converted, 'linear') = '{}' AS totals_no_conversion_empty
FROM events WHERE NOT converted;
SELECT bool_and(w.t::text = (SELECT kpi.attribute_totals(e.cid, e.ts, e.channel, e.converted, 'position_based')::text
							 FROM events AS e WHERE e.cid < 60 AND e.ts <= w.ts)) AND count(*) > 300 AS totals_running_window_same
FROM (SELECT ts, kpi.attribute_totals(cid, ts, channel, converted, 'position_based') OVER (ORDER BY ts) AS t
	  FROM events WHERE cid < 60 AND ts IS NOT NULL) AS w;
\set SHOW_CONTEXT never
SELECT kpi.attribute_totals(cid, ts, channel, converted, CASE WHEN cid = 7 THEN 'linear' ELSE 'last_touch' END) FROM events;
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors

------------------------------------------------------------------------------
-- Parallel plans: partial states in workers, serialized, combined.
------------------------------------------------------------------------------
CREATE TABLE serial AS
SELECT cid, kpi.attribute(ts, channel, converted, 'position_based') AS a,
	   kpi.attribute(ts, channel, converted, 'time_decay', '90 days', '3 days') AS b
FROM events GROUP BY cid;
CREATE TABLE serial_all AS
SELECT kpi.attribute(ts, channel, converted, 'last_non_direct') AS a,
	   kpi.attribute(ts, channel, converted, 'linear', '400 days') AS b,
	   kpi.attribute_totals(cid, ts, channel, converted, 'time_decay', '90 days', '3 days') AS t
FROM events;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET force_parallel_mode = off;
SET enable_hashagg = off;
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
SELECT plan_has($$SELECT kpi.attribute(ts, channel, converted, 'last_non_direct') FROM attr_test.events$$,
				'Partial Aggregate') AS whole_table_partial,
	   plan_has($$SELECT cid, kpi.attribute(ts, channel, converted, 'position_based') FROM attr_test.events GROUP BY cid$$,
				'Partial GroupAggregate') AS per_customer_partial;
SELECT count(*) AS differing_customers FROM serial AS s
FULL JOIN (SELECT cid, kpi.attribute(ts, channel, converted, 'position_based') AS a,
				  kpi.attribute(ts, channel, converted, 'time_decay', '90 days', '3 days') AS b
		   FROM events GROUP BY cid) AS p ON p.cid = s.cid
WHERE s.a::text IS DISTINCT FROM p.a::text OR s.b::text IS DISTINCT FROM p.b::text;
SELECT s.a::text = p.a::text AS whole_table_same, s.b::text = p.b::text AS whole_table_linear_same,
	   cardinality(p.a) > 300 AS many_credits
FROM serial_all AS s,
	 (SELECT kpi.attribute(ts, channel, converted, 'last_non_direct') AS a,
			 kpi.attribute(ts, channel, converted, 'linear', '400 days') AS b FROM events) AS p;
SELECT plan_has($$SELECT kpi.attribute_totals(cid, ts, channel, converted, 'linear') FROM attr_test.events$$,
				'Partial Aggregate') AS totals_partial;
SELECT s.t::text = p.t::text AS totals_parallel_same, cardinality(p.t) = 7 AS totals_channels
FROM serial_all AS s,
	 (SELECT kpi.attribute_totals(cid, ts, channel, converted, 'time_decay', '90 days', '3 days') AS t FROM events) AS p;
RESET enable_hashagg;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET force_parallel_mode;

-- Many channels for one customer (the hash index of the channel table).
SELECT bool_and(c.credit = 0.0005) AND count(*) = 2000 AS two_thousand_channels
FROM (SELECT kpi.attribute(t, 'ch' || i, i = 2000, 'linear', NULL)
	  FROM generate_series(1, 2000) AS i,
		   LATERAL (SELECT timestamptz '2024-01-01 00:00+00' + i * interval '1 minute' AS t) AS x) AS y(a),
	 kpi.credits(y.a) AS c;

------------------------------------------------------------------------------
-- The catalog: a KPI names its attribution model in its filters on a view of
-- spend and credited customers per model, day and channel.
------------------------------------------------------------------------------
CREATE TABLE spend AS
SELECT d::date AS day, ch AS channel, 100 + (extract(doy FROM d)::int * 7 + length(ch) * 13) % 50 AS spend
FROM generate_series(date '2024-01-01', date '2024-04-30', interval '1 day') AS d,
	 unnest(ARRAY['search', 'social', 'email', 'event', 'Search']) AS ch;
CREATE VIEW attributed AS
SELECT m.model, (c.conversion_at AT TIME ZONE 'UTC')::date AS day, c.channel, sum(c.credit) AS customers
FROM unnest(ARRAY['linear', 'first_touch']) AS m(model),
	 LATERAL (SELECT kpi.attribute(e.ts, e.channel, e.converted, m.model) AS a
			  FROM attr_test.events AS e GROUP BY e.cid) AS x,
	 kpi.credits(x.a) AS c
GROUP BY 1, 2, 3;
CREATE VIEW attributed_funnel AS
SELECT m.model, s.day, s.channel, s.spend, COALESCE(a.customers, 0) AS customers
FROM (VALUES ('linear'), ('first_touch')) AS m(model)
JOIN spend AS s ON true
LEFT JOIN attributed AS a ON a.model = m.model AND a.day = s.day AND a.channel = s.channel;
SET kpi.enforce_smart = off;
SET kpi.as_of = '2024-05-01';
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column,
							 filters, direction, baseline, target, starts_on, due_on)
VALUES ('attr_test_cac_search_linear', 'cac', 'attr_test.attributed_funnel', 'day', 'spend', 'customers',
		'{"model": "linear", "channel": "search"}', 'lower_is_better', 100, 80, '2024-01-01', '2024-06-30');
SELECT abs(kpi.measure('attr_test_cac_search_linear', '2024-02-01', '2024-04-01')
		   - (SELECT sum(s.spend) FROM spend AS s
			  WHERE s.channel = 'search' AND s.day >= '2024-02-01' AND s.day < '2024-04-01')::float8
			 / (SELECT sum(e.credit) FROM expected AS e
				WHERE e.label = 'linear' AND e.channel = 'search'
				  AND e.conversion_at >= '2024-02-01' AND e.conversion_at < '2024-04-01')::float8) < 1e-9
	   AS catalog_kpi_matches_plain_sql;
-- Attributed ROMI per channel: each customer's deal value weighted by the
-- channel's credit for the customer's conversions, against the channel's
-- spend (kpi.romi over rows of revenue and rows of spend), equals the same
-- from the plain-SQL reference; direct has no spend, so no ROMI.
CREATE TABLE deal AS SELECT cid, (100 + cid % 37)::numeric AS value FROM generate_series(1, 400) AS cid;
SELECT bool_and(abs(k.romi - p.romi) < 1e-9) AND count(*) = 5 AS attributed_romi_matches_plain_sql,
	   count(*) FILTER (WHERE k.romi IS NOT NULL AND p.romi IS NOT NULL) = 5 AS romi_not_null
FROM (SELECT x.channel, kpi.romi(x.revenue, x.spend) AS romi
	  FROM (SELECT r.channel, r.credit * d.value AS revenue, 0::numeric AS spend
			FROM results AS r JOIN deal AS d USING (cid) WHERE r.label = 'linear' AND r.channel IS NOT NULL
			UNION ALL
			SELECT s.channel, 0, s.spend FROM spend AS s) AS x
	  GROUP BY x.channel) AS k
JOIN (SELECT s.channel, (e.revenue - s.spend) / s.spend AS romi
	  FROM (SELECT channel, sum(spend)::float8 AS spend FROM spend GROUP BY 1) AS s
	  JOIN (SELECT e.channel, sum(e.credit * d.value::float8) AS revenue
			FROM expected AS e JOIN deal AS d USING (cid) WHERE e.label = 'linear' GROUP BY 1) AS e USING (channel)) AS p
  USING (channel);
DELETE FROM kpi.definitions WHERE name = 'attr_test_cac_search_linear';
RESET kpi.as_of;
RESET kpi.enforce_smart;

------------------------------------------------------------------------------
-- Errors
------------------------------------------------------------------------------
\set SHOW_CONTEXT never
SELECT kpi.attribute(ts, channel, converted, 'u_shaped') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'position_based(50/50)') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'position_based(50/30/30)') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'position_based(40/20/40') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'linear(3)') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'last_non_direct()') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, NULL) FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'linear', '-1 day') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'linear', '0') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'linear', '90 days', '7 days') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'time_decay', '90 days', NULL) FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'time_decay', '90 days', '0 days') FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, CASE WHEN channel = 'search' THEN 'linear' ELSE 'first_touch' END) FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute(ts, channel, converted, 'linear', CASE WHEN channel = 'search' THEN interval '1 day' ELSE '2 days' END) FROM journey;
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.attribute('infinity', 'search', true, 'linear');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
-- Equal parameters written differently are the same parameters.
SELECT cardinality(kpi.attribute(ts, channel, converted, 'linear',
								 CASE WHEN channel = 'search' THEN interval '1 month' ELSE '30 days' END)) AS same_lookback
FROM journey;

SET client_min_messages = warning;
DROP SCHEMA attr_test CASCADE;
