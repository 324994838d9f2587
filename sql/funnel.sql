--
-- kpi.funnel, kpi.funnel_strictly_increasing and kpi.funnel_counts against
-- plain SQL: hand-made cases for each rule, then generated events compared
-- with two independent plain-SQL answers (a brute-force self-join, and the
-- earliest-next-step chain per step-1 event), serially and in parallel.
--
CREATE SCHEMA funnel_test;
SET search_path = funnel_test, public;
SET timezone = 'UTC';

------------------------------------------------------------------------------
-- The rules, one case each.  `expected` is worked out by hand from the rule
-- in doc/funnels.md; every row must say ok.
------------------------------------------------------------------------------
CREATE TABLE rules (case_name text, ts timestamptz, s1 boolean, s2 boolean, s3 boolean);
INSERT INTO rules VALUES
	-- in order, each step a day later: all three
	('in order', '2024-01-01', true, false, false),
	('in order', '2024-01-02', false, true, false),
	('in order', '2024-01-03', false, false, true),
	-- the same rows inserted out of order: the aggregate sorts
	('out of order', '2024-01-03', false, false, true),
	('out of order', '2024-01-01', true, false, false),
	('out of order', '2024-01-02', false, true, false),
	-- step 3 exactly 7 days after step 1: the window is inclusive
	('window edge', '2024-01-01', true, false, false),
	('window edge', '2024-01-05', false, true, false),
	('window edge', '2024-01-08', false, false, true),
	-- one microsecond later: outside
	('past the edge', '2024-01-01', true, false, false),
	('past the edge', '2024-01-05', false, true, false),
	('past the edge', '2024-01-08 00:00:00.000001', false, false, true),
	-- a later step 1 starts a chain that fits where the first does not
	('later start', '2024-01-01', true, false, false),
	('later start', '2024-01-06', true, false, false),
	('later start', '2024-01-07', false, true, false),
	('later start', '2024-01-12', false, false, true),
	-- steps in the wrong order: only step 1
	('wrong order', '2024-01-01', false, false, true),
	('wrong order', '2024-01-02', false, true, false),
	('wrong order', '2024-01-03', true, false, false),
	-- equal timestamps on different rows count as "at or after"
	('equal times', '2024-01-01', false, true, false),
	('equal times', '2024-01-01', true, false, false),
	('equal times', '2024-01-01', false, false, true),
	-- one row matching every step is a whole chain (ClickHouse default mode)
	('one row', '2024-01-01', true, true, true),
	-- no step 1: 0, even though steps 2 and 3 happened
	('no start', '2024-01-01', false, true, true),
	-- NULL timestamps and NULL conditions are skipped / false
	('nulls', NULL, true, true, true),
	('nulls', '2024-01-01', true, NULL, false),
	('nulls', '2024-01-02', NULL, true, NULL),
	-- -infinity as step 1: a finite step 2 is never within 7 days of it
	('infinity', '-infinity', true, false, false),
	('infinity', '2024-01-02', false, true, false);

CREATE TABLE rule_expected (case_name text, expected int, expected_strict int);
INSERT INTO rule_expected VALUES
	('in order', 3, 3), ('out of order', 3, 3), ('window edge', 3, 3), ('past the edge', 2, 2),
	('later start', 3, 3), ('wrong order', 1, 1), ('equal times', 3, 1), ('one row', 3, 1),
	('no start', 0, 0), ('nulls', 2, 2), ('infinity', 1, 1);

SELECT case_name, f.got, e.expected, f.got_strict, e.expected_strict,
	   CASE WHEN f.got = e.expected AND f.got_strict = e.expected_strict THEN 'ok' ELSE 'WRONG' END AS verdict
FROM (SELECT case_name, kpi.funnel(ts, '7 days', s1, s2, s3) AS got,
			 kpi.funnel_strictly_increasing(ts, '7 days', s1, s2, s3) AS got_strict
	  FROM rules GROUP BY case_name) AS f
JOIN rule_expected AS e USING (case_name)
ORDER BY case_name;

-- No rows at all: no step reached.
SELECT kpi.funnel(ts, '7 days', s1, s2) AS no_rows FROM rules WHERE false;
-- A window of '1 day' and of '24 hours' are the same window (no error); step
-- 3 is two days after step 1, so the chain stops at step 2.
SELECT kpi.funnel(ts, CASE WHEN s1 THEN interval '1 day' ELSE interval '24 hours' END, s1, s2, s3) = 2 AS mixed_spelling
FROM rules WHERE case_name = 'in order';

------------------------------------------------------------------------------
-- Generated events: 1500 entities, 4 steps, timestamps on a coarse grid so
-- that equal timestamps and rows matching several steps are common.
------------------------------------------------------------------------------
CREATE TABLE events AS
SELECT abs(hashint4(i)) % 1500 + 1 AS entity,
	   timestamptz '2024-03-01' + (abs(hashint4(i + 1000000)) % 400) * interval '1 hour' * 3 AS ts,
	   abs(hashint4(i + 2000000)) % 5 = 0 AS s1,
	   abs(hashint4(i + 3000000)) % 3 = 0 AS s2,
	   abs(hashint4(i + 4000000)) % 3 = 0 AS s3,
	   abs(hashint4(i + 5000000)) % 4 = 0 AS s4
FROM generate_series(1, 15000) AS i;
CREATE TABLE entities AS SELECT DISTINCT entity FROM events;

CREATE TABLE modes (within interval, strict boolean);
INSERT INTO modes VALUES ('0', false), ('0', true), ('7 days', false), ('7 days', true),
	('20 days', false), ('20 days', true);
ANALYZE events, entities, modes;

-- Plain SQL 1, the earliest next step per step-1 event (the best self-join).
CREATE TABLE reference_levels AS
WITH c1 AS (SELECT DISTINCT m.within, m.strict, e.entity, e.ts AS t1 FROM events e CROSS JOIN modes m WHERE e.s1),
c2 AS (SELECT c.within, c.strict, c.entity, c.t1, min(e.ts) AS t FROM c1 c JOIN events e
	   ON e.entity = c.entity AND e.s2 AND (e.ts > c.t1 OR (NOT c.strict AND e.ts = c.t1)) AND e.ts - c.t1 <= c.within
	   GROUP BY 1, 2, 3, 4),
c3 AS (SELECT c.within, c.strict, c.entity, c.t1, min(e.ts) AS t FROM c2 c JOIN events e
	   ON e.entity = c.entity AND e.s3 AND (e.ts > c.t OR (NOT c.strict AND e.ts = c.t)) AND e.ts - c.t1 <= c.within
	   GROUP BY 1, 2, 3, 4),
c4 AS (SELECT c.within, c.strict, c.entity, c.t1, min(e.ts) AS t FROM c3 c JOIN events e
	   ON e.entity = c.entity AND e.s4 AND (e.ts > c.t OR (NOT c.strict AND e.ts = c.t)) AND e.ts - c.t1 <= c.within
	   GROUP BY 1, 2, 3, 4)
SELECT m.within, m.strict, n.entity, coalesce(max(l.level), 0) AS level
FROM modes m CROSS JOIN entities n
LEFT JOIN (SELECT within, strict, entity, 1 AS level FROM c1 UNION ALL SELECT within, strict, entity, 2 FROM c2
		   UNION ALL SELECT within, strict, entity, 3 FROM c3 UNION ALL SELECT within, strict, entity, 4 FROM c4) AS l
	USING (within, strict, entity)
GROUP BY 1, 2, 3;

-- Plain SQL 2, brute force: every chain of rows, the longest per entity.
CREATE TABLE brute_force_levels AS
WITH e1 AS (SELECT entity, ts FROM events WHERE s1), e2 AS (SELECT entity, ts FROM events WHERE s2),
e3 AS (SELECT entity, ts FROM events WHERE s3), e4 AS (SELECT entity, ts FROM events WHERE s4),
chains AS (
	SELECT m.within, m.strict, a.entity, 1 AS level FROM modes m CROSS JOIN e1 a
	UNION ALL
	SELECT m.within, m.strict, a.entity, 2 FROM modes m CROSS JOIN e1 a JOIN e2 b USING (entity)
	WHERE (a.ts < b.ts OR (NOT m.strict AND a.ts = b.ts)) AND b.ts - a.ts <= m.within
	UNION ALL
	SELECT m.within, m.strict, a.entity, 3 FROM modes m CROSS JOIN e1 a JOIN e2 b USING (entity) JOIN e3 c USING (entity)
	WHERE (a.ts < b.ts OR (NOT m.strict AND a.ts = b.ts)) AND (b.ts < c.ts OR (NOT m.strict AND b.ts = c.ts))
	  AND c.ts - a.ts <= m.within
	UNION ALL
	SELECT m.within, m.strict, a.entity, 4 FROM modes m CROSS JOIN e1 a JOIN e2 b USING (entity) JOIN e3 c USING (entity)
	JOIN e4 d USING (entity)
	WHERE (a.ts < b.ts OR (NOT m.strict AND a.ts = b.ts)) AND (b.ts < c.ts OR (NOT m.strict AND b.ts = c.ts))
	  AND (c.ts < d.ts OR (NOT m.strict AND c.ts = d.ts)) AND d.ts - a.ts <= m.within)
SELECT m.within, m.strict, n.entity, coalesce(max(c.level), 0) AS level
FROM modes m CROSS JOIN entities n LEFT JOIN chains c USING (within, strict, entity)
GROUP BY 1, 2, 3;

CREATE TABLE got AS
SELECT w.within, entity,
	   kpi.funnel(ts, w.within, s1, s2, s3, s4) AS level,
	   kpi.funnel_strictly_increasing(ts, w.within, s1, s2, s3, s4) AS strict_level
FROM events CROSS JOIN (SELECT DISTINCT within FROM modes) AS w
GROUP BY w.within, entity;

-- kpi.funnel(ts, within, s1, s2, s3, s4) resolves to the overload with the
-- steps written out; the VARIADIC form gives the same answers.
SELECT count(*) AS entities,
	   count(*) FILTER (WHERE v.level IS DISTINCT FROM g.level OR v.strict_level IS DISTINCT FROM g.strict_level) AS variadic_mismatches
FROM (SELECT entity, kpi.funnel(ts, '7 days', VARIADIC ARRAY[s1, s2, s3, s4]) AS level,
			 kpi.funnel_strictly_increasing(ts, '7 days', VARIADIC ARRAY[s1, s2, s3, s4]) AS strict_level
	  FROM events GROUP BY entity) AS v
JOIN got g ON g.entity = v.entity AND g.within = '7 days';

-- Entries are packed into 8 bytes for at most 8 steps and timestamps in the
-- years 858 to 3141, and 16 bytes ("wide") otherwise; both must give the
-- answers of the reference.  (1) The events moved 2000 years later, all
-- wide: the same levels, as shifting every event of an entity changes no
-- chain.  (2) A state that turns wide midway: each entity gets one more
-- step-1 row in the year 5000, interleaved with its other rows; it starts a
-- chain of its own that nothing follows, so the level is greatest(level, 1).
-- (3) Nine steps, wide: steps 5 to 9 repeat step 4, and one row may serve
-- consecutive steps, so 4 steps reached become 9.
SELECT count(*) AS entities,
	   count(*) FILTER (WHERE s.level IS DISTINCT FROM r.level) AS shifted_mismatches,
	   count(*) FILTER (WHERE s.strict_level IS DISTINCT FROM rs.level) AS shifted_strict_mismatches
FROM (SELECT entity, kpi.funnel(ts + interval '2000 years', '7 days', s1, s2, s3, s4) AS level,
			 kpi.funnel_strictly_increasing(ts + interval '2000 years', '7 days', s1, s2, s3, s4) AS strict_level
	  FROM events GROUP BY entity) AS s
JOIN reference_levels r ON r.entity = s.entity AND r.within = '7 days' AND NOT r.strict
JOIN reference_levels rs ON rs.entity = s.entity AND rs.within = '7 days' AND rs.strict;
SELECT count(*) AS entities,
	   count(*) FILTER (WHERE m.level IS DISTINCT FROM greatest(r.level, 1)) AS turned_wide_mismatches
FROM (SELECT entity, kpi.funnel(ts, '7 days', s1, s2, s3, s4) AS level
	  FROM (SELECT entity, ts, s1, s2, s3, s4, i FROM (SELECT *, row_number() OVER () AS i FROM events) AS e
			UNION ALL
			SELECT entity, timestamptz '5000-01-01', true, false, false, false, 7 * entity FROM entities
			ORDER BY i) AS mixed
	  GROUP BY entity) AS m
JOIN reference_levels r ON r.entity = m.entity AND r.within = '7 days' AND NOT r.strict;
SELECT count(*) AS entities,
	   count(*) FILTER (WHERE n.level IS DISTINCT FROM CASE WHEN r.level = 4 THEN 9 ELSE r.level END) AS nine_step_mismatches
FROM (SELECT entity, kpi.funnel(ts, '7 days', VARIADIC ARRAY[s1, s2, s3, s4, s4, s4, s4, s4, s4]) AS level
	  FROM events GROUP BY entity) AS n
JOIN reference_levels r ON r.entity = n.entity AND r.within = '7 days' AND NOT r.strict;

-- One entity with 1M events in no particular order (each second of 1M
-- seconds once, in the order i * 7919 mod 1M): the aggregate keeps and sorts
-- them all.  In time order the steps cycle 1, 2, 3, 4, 1, ..., one a second,
-- so a chain of all four steps takes 3 seconds: levels 4, 3 and 1 for
-- windows of 3 s, 2 s and 0, by hand.  Again in the year 5000 (wide entries).
SELECT kpi.funnel(ts, '3 seconds', s1, s2, s3, s4) AS w3,
	   kpi.funnel(ts, '2 seconds', s1, s2, s3, s4) AS w2,
	   kpi.funnel(ts, '0', s1, s2, s3, s4) AS w0,
	   kpi.funnel_strictly_increasing(ts, '3 seconds', s1, s2, s3, s4) AS strict_w3,
	   kpi.funnel(ts + interval '2976 years', '3 seconds', s1, s2, s3, s4) AS wide_w3,
	   kpi.funnel(ts + interval '2976 years', '2 seconds', s1, s2, s3, s4) AS wide_w2
FROM (SELECT timestamptz '2024-01-01' + t * interval '1 second' AS ts,
			 t % 4 = 0 AS s1, t % 4 = 1 AS s2, t % 4 = 2 AS s3, t % 4 = 3 AS s4
	  FROM (SELECT (i::bigint * 7919) % 1000000 AS t FROM generate_series(1, 1000000) AS i) AS p) AS big;

-- The two plain-SQL answers agree with each other ...
SELECT within, strict, count(*) AS entities,
	   count(*) FILTER (WHERE r.level IS DISTINCT FROM b.level) AS reference_vs_brute_force
FROM reference_levels r FULL JOIN brute_force_levels b USING (within, strict, entity)
GROUP BY 1, 2 ORDER BY 1, 2;

-- ... and with kpi.funnel, entity by entity; the level histogram shows the
-- data covers every level.
SELECT g.within, count(*) AS entities,
	   count(*) FILTER (WHERE g.level IS DISTINCT FROM r.level) AS funnel_mismatches,
	   count(*) FILTER (WHERE g.strict_level IS DISTINCT FROM rs.level) AS strict_mismatches,
	   array_agg(DISTINCT g.level ORDER BY g.level) AS levels_seen,
	   count(*) FILTER (WHERE g.strict_level < g.level) AS strict_is_lower
FROM got g
FULL JOIN (SELECT * FROM reference_levels WHERE NOT strict) AS r USING (within, entity)
FULL JOIN (SELECT * FROM reference_levels WHERE strict) AS rs USING (within, entity)
GROUP BY g.within ORDER BY g.within;

------------------------------------------------------------------------------
-- kpi.funnel_counts: entities that reached step k or further, against
-- count(*) FILTER; conversion over the funnel never exceeds 100 %.
------------------------------------------------------------------------------
SELECT within, counts,
	   counts = ARRAY[count(*) FILTER (WHERE level >= 1), count(*) FILTER (WHERE level >= 2),
					  count(*) FILTER (WHERE level >= 3), count(*) FILTER (WHERE level >= 4)] AS matches_plain_sql,
	   (SELECT bool_and(counts[k] <= counts[k - 1]) FROM generate_series(2, 4) AS k) AS never_above_100_percent
FROM (SELECT within, kpi.funnel_counts(level, 4) OVER (PARTITION BY within) AS counts, level FROM got) AS g
GROUP BY within, counts ORDER BY within;

-- As a moving aggregate, against a full recomputation of every frame.
SELECT count(*) AS frames,
	   count(*) FILTER (WHERE moving IS DISTINCT FROM
		   (SELECT kpi.funnel_counts(g2.level, 4) FROM got g2
			WHERE g2.within = '7 days' AND g2.entity BETWEEN g.entity - 50 AND g.entity)) AS mismatches
FROM (SELECT entity, kpi.funnel_counts(level, 4) OVER (ORDER BY entity ROWS BETWEEN 50 PRECEDING AND CURRENT ROW) AS moving
	  FROM got WHERE within = '7 days' AND entity <= 300) AS g;
SELECT kpi.funnel_counts(r, n) AS no_rows FROM (VALUES (1, 2)) AS v(r, n) WHERE false;
SELECT kpi.funnel_counts(r, 3) OVER (ORDER BY i ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING) AS empty_frame_is_null
FROM (VALUES (1, 2), (2, 3)) AS v(i, r) ORDER BY i;
SELECT kpi.funnel_counts(r, n) AS null_rows_skipped FROM (VALUES (1, 2), (NULL, 2), (2, NULL)) AS v(r, n);
-- The support functions called directly do not change their arguments.
SELECT kpi.funnel_counts_combine('{3,2}', '{1,1}') AS combined, kpi.funnel_counts_accum('{3,2}', 1, 2) AS accumulated;

------------------------------------------------------------------------------
-- Parallel plans: partial states serialized in workers and combined in the
-- leader must give the serial answers.
------------------------------------------------------------------------------
CREATE TABLE one_entity AS SELECT * FROM events WHERE entity <= 400;
UPDATE one_entity SET entity = 1;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT kpi.funnel(ts, '7 days', s1, s2, s3, s4) FROM one_entity;
-- (CREATE TABLE AS, not INSERT: PostgreSQL 15 plans no parallel INSERT)
CREATE TABLE one_parallel AS
SELECT interval '0' AS w, kpi.funnel(ts, '0', s1, s2, s3, s4) AS level,
	   kpi.funnel_strictly_increasing(ts, '0', s1, s2, s3, s4) AS strict_level FROM one_entity
UNION ALL
SELECT '3 hours', kpi.funnel(ts, '3 hours', s1, s2, s3, s4),
	   kpi.funnel_strictly_increasing(ts, '3 hours', s1, s2, s3, s4) FROM one_entity
UNION ALL
SELECT '7 days', kpi.funnel(ts, '7 days', s1, s2, s3, s4),
	   kpi.funnel_strictly_increasing(ts, '7 days', s1, s2, s3, s4) FROM one_entity;
SET max_parallel_workers_per_gather = 0;
SELECT p.w, p.level, p.strict_level,
	   p.level = kpi.funnel(ts, p.w, s1, s2, s3, s4) AND
	   p.strict_level = kpi.funnel_strictly_increasing(ts, p.w, s1, s2, s3, s4) AS parallel_equals_serial
FROM one_parallel p CROSS JOIN one_entity GROUP BY p.w, p.level, p.strict_level ORDER BY p.w;
SET max_parallel_workers_per_gather = 2;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT entity, kpi.funnel(ts, '7 days', s1, s2, s3, s4) FROM events GROUP BY entity;
SELECT count(*) AS entities, count(*) FILTER (WHERE p.level IS DISTINCT FROM g.level) AS parallel_mismatches
FROM (SELECT entity, kpi.funnel(ts, '7 days', s1, s2, s3, s4) AS level FROM events GROUP BY entity) AS p
JOIN got g ON g.entity = p.entity AND g.within = '7 days';
EXPLAIN (COSTS OFF)
SELECT kpi.funnel_counts(level, 4) FROM got;
SELECT kpi.funnel_counts(level, 4) = (SELECT array_agg(c ORDER BY k) FROM
		(SELECT k, count(*) FILTER (WHERE level >= k) AS c FROM got CROSS JOIN generate_series(1, 4) AS k GROUP BY k) AS s)
	   AS parallel_counts_match
FROM got;
RESET enable_hashagg;
RESET parallel_leader_participation;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET max_parallel_workers_per_gather;

------------------------------------------------------------------------------
-- Errors.
------------------------------------------------------------------------------
\set VERBOSITY sqlstate
SELECT kpi.funnel(ts, '1 month', s1, s2) FROM rules;
SELECT kpi.funnel(ts, '-1 day', s1, s2) FROM rules;
SELECT kpi.funnel(ts, NULL, s1, s2) FROM rules;
SELECT kpi.funnel(ts, CASE WHEN s1 THEN interval '1 day' ELSE '2 days' END, s1, s2) FROM rules;
SELECT kpi.funnel(ts, '1 day', VARIADIC CASE WHEN s1 THEN ARRAY[s1] ELSE ARRAY[s1, s2] END) FROM rules;
SELECT kpi.funnel(ts, '1 day', VARIADIC '{}'::boolean[]) FROM rules;
SELECT kpi.funnel(ts, '1 day', VARIADIC array_fill(true, ARRAY[33])) FROM rules;
SELECT kpi.funnel(ts, '1 day', VARIADIC '{{true},{false}}'::boolean[]) FROM rules;
SELECT kpi.funnel_counts(5, 4);
SELECT kpi.funnel_counts(-1, 4);
SELECT kpi.funnel_counts(0, 0);
SELECT kpi.funnel_counts(1, n) FROM (VALUES (2), (3)) AS v(n);
SELECT kpi.funnel_counts_combine('{1,2}', '{1,1}');
SELECT kpi.funnel_counts_combine('{1,2,3}', '{1,1}');
SELECT kpi.funnel_counts_combine('{1,NULL}', '{1,1}');
\set VERBOSITY default
SELECT kpi.funnel(ts, '1 month', s1, s2) FROM rules;

RESET search_path;
DROP SCHEMA funnel_test CASCADE;
