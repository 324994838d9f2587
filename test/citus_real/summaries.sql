-- Incremental summaries of a Citus distributed source (issue 13), on a real
-- Citus cluster.  Not run by CI (Citus is not in Debian); run by
-- `bash test/citus_real/run.sh DB summaries` on a Citus coordinator with two
-- workers, in a database where citus and kpi are installed on every node.
--
-- csumm.facts is distributed on account_id; csumm.facts_local is an
-- identical plain table on the coordinator, the single-node answer, with a
-- single-node summary of its own.  Every change is made to both.  Checked:
--   * the summary and its change log are distributed on account_id and
--     co-located with the source; the triggers are on every shard;
--   * after create, and after inserts, COPY, updates, deletes and a TRUNCATE
--     plus kpi.refresh_summary, the summary equals a plain-SQL GROUP BY over
--     the single-node table (counts and sums, no kpi code);
--   * the refresh's statements are pushed down whole (EXPLAIN);
--   * kpi.measure, kpi.measure_series and kpi.scorecard_at answer from the
--     distributed summary, before and after the refresh, with exactly the
--     single-node answer; a kpi.rollup of the summary per month equals the
--     KPI over the raw rows.
-- Ends with one row per check; every ok must be true.

\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
DELETE FROM kpi.definitions WHERE name ~ '^(cs_dist|cs_local)_';
DROP VIEW IF EXISTS csumm.differences;
SELECT kpi.drop_summary(summary) FROM kpi.summaries WHERE source::text LIKE 'csumm.%';
DROP SCHEMA IF EXISTS csumm CASCADE;
CREATE SCHEMA csumm;
CREATE TABLE csumm.results (n serial, step text, what text, ok boolean, detail text);

CREATE TABLE csumm.facts_local (
	i			integer,
	account_id	integer NOT NULL,
	at			timestamptz,
	channel		text,
	spend		numeric(12,2),
	customers	integer,
	won			boolean
);
CREATE TABLE csumm.facts (LIKE csumm.facts_local);
SELECT create_distributed_table('csumm.facts', 'account_id') AS distributed \gset
CREATE INDEX ON csumm.facts (at);
CREATE INDEX ON csumm.facts_local (at);
-- 30 000 rows, 11 accounts, 4 channels (and NULL), Jan 1 to Mar 25 2026.
CREATE FUNCTION csumm.rows(first integer, last integer, origin timestamptz) RETURNS SETOF csumm.facts_local
	LANGUAGE sql AS $$
	SELECT i, i % 11, CASE WHEN i % 211 = 0 THEN NULL ELSE origin + i * interval '4 minutes' END,
		   (ARRAY['search', 'social', 'email', 'direct', NULL])[1 + i % 5],
		   CASE WHEN i % 17 = 0 THEN NULL ELSE round((i * 37 % 1001) / 10.0, 2) END,
		   CASE WHEN i % 19 = 0 THEN NULL ELSE i % 9 END,
		   CASE WHEN i % 13 = 0 THEN NULL ELSE i % 3 = 0 END
	FROM generate_series(first, last) AS i
$$;
INSERT INTO csumm.facts_local SELECT * FROM csumm.rows(1, 30000, '2026-01-01 00:00+00');
INSERT INTO csumm.facts SELECT * FROM csumm.facts_local;

-- The plain-SQL truth from the single-node table: daily buckets from Monday
-- 2000-01-03 UTC, per account and channel.
CREATE VIEW csumm.expected AS
SELECT date_bin('1 day', at, '2000-01-03 00:00+00') AS bucket_start, account_id, channel, count(*) AS row_count,
	   sum(spend) FILTER (WHERE customers IS NOT NULL) AS spend_sum,
	   sum(customers) FILTER (WHERE spend IS NOT NULL) AS customers_sum,
	   count(*) FILTER (WHERE spend IS NOT NULL AND customers IS NOT NULL) AS pairs,
	   count(*) FILTER (WHERE won) AS won_true, count(won) AS won_known,
	   sum(spend) AS spend_total, count(spend) AS spend_known
FROM csumm.facts_local WHERE at IS NOT NULL
GROUP BY 1, 2, 3;

RESET client_min_messages;
SELECT kpi.create_summary('csumm.facts', 'at', '1 day', '{channel}', '{spend/customers,won,spend}') AS dist_summary,
	   kpi.create_summary('csumm.facts_local', 'at', '1 day', '{account_id,channel}', '{spend/customers,won,spend}') AS local_summary;
SET client_min_messages = warning;

-- The distributed summary against the truth: rows that differ or are
-- missing on one side (exact: decimal and boolean inputs).
CREATE VIEW csumm.differences AS
SELECT count(*) AS differences
FROM csumm.expected e
FULL JOIN csumm.facts_kpi_1d s ON s.bucket_start = e.bucket_start AND s.account_id = e.account_id
								AND s.channel IS NOT DISTINCT FROM e.channel
WHERE e.bucket_start IS NULL OR s.bucket_start IS NULL
   OR s.row_count <> e.row_count
   OR coalesce(kpi.numerator(s.spend_per_customers), 0) <> coalesce(e.spend_sum, 0)
   OR coalesce(kpi.denominator(s.spend_per_customers), 0) <> coalesce(e.customers_sum, 0)
   OR coalesce(kpi.n(s.spend_per_customers), 0) <> e.pairs
   OR coalesce(kpi.numerator(s.won), 0) <> e.won_true OR coalesce(kpi.denominator(s.won), 0) <> e.won_known
   OR coalesce(kpi.numerator(s.spend), 0) <> coalesce(e.spend_total, 0)
   OR coalesce(kpi.denominator(s.spend), 0) <> e.spend_known;

INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'create', 'summary grouped by the distribution column first', group_by = '{account_id,channel}', group_by::text
FROM kpi.summaries WHERE source = 'csumm.facts'::regclass
UNION ALL
SELECT 'create', 'single-node summary: no distribution column, no Citus tables', group_by = '{account_id,channel}'
	   AND NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid IN (k.summary, k.changes))
	   AND kpi.distribution_column(k.source) IS NULL, group_by::text
FROM kpi.summaries k WHERE source = 'csumm.facts_local'::regclass
UNION ALL
SELECT 'create', 'summary and change log distributed by hash on account_id, co-located with the source',
	   count(*) = 3 AND count(DISTINCT colocationid) = 1 AND bool_and(partmethod = 'h')
	   AND bool_and(column_to_column_name(logicalrelid, partkey) = 'account_id'),
	   string_agg(logicalrelid::text || ' colocation ' || colocationid, ', ' ORDER BY logicalrelid::text)
FROM pg_dist_partition WHERE logicalrelid IN ('csumm.facts'::regclass, 'csumm.facts_kpi_1d'::regclass, 'csumm.facts_kpi_1d_changes'::regclass)
UNION ALL
SELECT 'create', 'the INSERT, UPDATE and DELETE triggers on every shard of the source (TRUNCATE: on the shell only)',
	   count(*) FILTER (WHERE result = '3') = count(*) AND count(*) > 0,
	   count(*) || ' shards, ' || count(*) FILTER (WHERE result = '3') || ' with 3 kpi triggers'
FROM run_command_on_shards('csumm.facts',
	$$SELECT count(*) FROM pg_trigger WHERE tgrelid = '%s'::regclass AND tgname LIKE 'kpi\_summary\_%%'$$)
UNION ALL
SELECT 'create', 'summary equals the single-node GROUP BY', differences = 0, differences || ' differing rows' FROM csumm.differences;

-- KPIs, each on both tables; they filter on channel and account_id.
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters,
							 direction, baseline, target, starts_on, due_on)
SELECT 'cs_' || t.side || '_' || k.name, k.metric::kpi.metric, t.source, 'at', k.num, k.den, k.filters::jsonb,
	   k.direction::kpi.direction, k.baseline, k.target, '2026-01-05', '2026-03-30'
FROM (VALUES ('dist', 'csumm.facts'::regclass), ('local', 'csumm.facts_local'::regclass)) AS t(side, source),
	 (VALUES ('cac', 'cac', 'spend', 'customers', '{}', 'lower_is_better', 20, 10),
			 ('cac_search', 'cac', 'spend', 'customers', '{"channel": "search"}', 'lower_is_better', 20, 10),
			 ('romi_acct3', 'romi', 'spend', 'customers', '{"account_id": 3}', 'higher_is_better', 1, 2),
			 ('won_rate', 'conversion_rate', 'won', NULL, '{}', 'higher_is_better', 0.3, 0.4),
			 ('spend', 'sum', 'spend', NULL, '{"channel": "email"}', 'higher_is_better', 100, 200),
			 ('avg_spend', 'average', 'spend', NULL, '{}', 'lower_is_better', 60, 40),
			 ('rows', 'count', NULL, NULL, '{"channel": null}', 'higher_is_better', 100, 200),
			 ('won', 'count', 'won', NULL, '{}', 'higher_is_better', 100, 200))
	 AS k(name, metric, num, den, filters, direction, baseline, target);

CREATE TABLE csumm.periods (period_start timestamptz, period_end timestamptz);
INSERT INTO csumm.periods VALUES
	('2026-01-05', '2026-01-12'), ('2026-01-05 13:17', '2026-01-20 07:00'),
	('2026-01-03 10:00', '2026-01-03 11:00'), ('2026-03-30', '2026-04-06'), ('2026-01-01', '2026-04-01');

-- Every KPI over every period, a daily series and the scorecard, one side.
CREATE FUNCTION csumm.answers(side text) RETURNS TABLE (what text, name text, period_start timestamptz, value double precision, row_count bigint)
	LANGUAGE sql AS $$
	SELECT 'measure', substr(d.name, length('cs_' || side || '_') + 1), p.period_start,
		   kpi.measure(d.name, p.period_start, p.period_end), NULL::bigint
	FROM kpi.definitions d, csumm.periods p WHERE d.name LIKE 'cs\_' || side || '\_%'
	UNION ALL
	SELECT 'series', substr(d.name, length('cs_' || side || '_') + 1), s.bucket_start, s.value, s.row_count
	FROM kpi.definitions d, LATERAL kpi.measure_series(d.name, '1 day', '2026-01-05 06:00', '2026-01-25') AS s
	WHERE d.name LIKE 'cs\_' || side || '\_%'
	UNION ALL
	SELECT 'scorecard ' || x.which, substr(c.name, length('cs_' || side || '_') + 1), c.period_start, x.value, NULL
	FROM kpi.scorecard_at('2026-02-04 10:00') c, LATERAL (VALUES ('current', c.current), ('previous', c.previous)) AS x(which, value)
	WHERE c.name LIKE 'cs\_' || side || '\_%'
$$;
-- The distributed answers (from the distributed summary) against the
-- single-node ones.
CREATE FUNCTION csumm.check_answers(step text) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO csumm.results (step, what, ok, detail)
	SELECT step, 'measure, measure_series, scorecard_at: distributed = single node',
		   count(*) > 0 AND count(*) FILTER (WHERE d.what IS NULL OR l.what IS NULL OR d.value IS DISTINCT FROM l.value
											 OR d.row_count IS DISTINCT FROM l.row_count) = 0,
		   count(*) || ' answers, ' || count(*) FILTER (WHERE d.what IS NULL OR l.what IS NULL OR d.value IS DISTINCT FROM l.value
														 OR d.row_count IS DISTINCT FROM l.row_count) || ' differ, '
		   || count(*) FILTER (WHERE d.value IS NOT NULL) || ' with a value'
	FROM csumm.answers('dist') d FULL JOIN csumm.answers('local') l USING (what, name, period_start)
$$;
-- The significance of the scorecard's change (p_value, from the kpi.ratio
-- summaries kpi.read_source reads with the values) is the single node's, to
-- rounding: the float moments are merged shard by shard.
CREATE FUNCTION csumm.check_p_values(step text) RETURNS void
	LANGUAGE sql AS $$
	INSERT INTO csumm.results (step, what, ok, detail)
	SELECT step, 'scorecard_at p_value: distributed = single node (to 1e-9)',
		   count(*) > 0 AND count(*) FILTER (WHERE d.name IS NULL OR l.name IS NULL
								OR NOT (d.p_value IS NOT DISTINCT FROM l.p_value
										OR abs(d.p_value - l.p_value) <= 1e-9 * greatest(1e-9, l.p_value))) = 0,
		   count(*) || ' KPIs, ' || count(*) FILTER (WHERE d.p_value IS NOT NULL) || ' with a p-value'
	FROM (SELECT substr(c.name, length('cs_dist_') + 1) AS name, c.p_value
		  FROM kpi.scorecard_at('2026-02-04 10:00') c WHERE c.name LIKE 'cs\_dist\_%') d
	FULL JOIN (SELECT substr(c.name, length('cs_local_') + 1) AS name, c.p_value
			   FROM kpi.scorecard_at('2026-02-04 10:00') c WHERE c.name LIKE 'cs\_local\_%') l USING (name)
$$;
-- Whether kpi reads the KPIs of a source from its summary: the query
-- kpi.read_source runs names the summary.
CREATE FUNCTION csumm.reads_summary(side text) RETURNS boolean
	LANGUAGE sql AS $$
	SELECT (kpi.source_query(array_agg(d ORDER BY d.name))).query LIKE '%facts%kpi_1d AS kpi_summary%'
	FROM kpi.definitions d WHERE d.name LIKE 'cs\_' || side || '\_%'
$$;

INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'create', 'the KPIs of each side are read from its summary', csumm.reads_summary('dist') AND csumm.reads_summary('local'),
	   'dist ' || csumm.reads_summary('dist') || ', local ' || csumm.reads_summary('local');
SELECT csumm.check_answers('create');
SELECT csumm.check_p_values('create');

-- Changes, made to both tables: rows on new days and on days that have rows,
-- COPY, updates that move rows to another day, account-preserving channel
-- changes, value changes, deletes.
CREATE FUNCTION csumm.change(t regclass) RETURNS void
	LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('INSERT INTO %s SELECT * FROM csumm.rows(30001, 30500, ''2026-03-26 00:00+00'')', t);
	EXECUTE format('INSERT INTO %s SELECT * FROM csumm.rows(40001, 40300, ''2026-01-10 00:00+00'')', t);
	EXECUTE format('UPDATE %s SET at = ''2026-02-14 12:00+00'' WHERE i BETWEEN 1000 AND 1040', t);
	EXECUTE format('UPDATE %s SET channel = ''direct'', spend = spend + 1 WHERE i %% 101 = 0 AND i < 12000', t);
	EXECUTE format('UPDATE %s SET won = NOT won, customers = NULL WHERE i BETWEEN 15000 AND 15030', t);
	EXECUTE format('DELETE FROM %s WHERE i BETWEEN 20000 AND 20200', t);
	EXECUTE format('DELETE FROM %s WHERE account_id = 4 AND at >= ''2026-01-20'' AND at < ''2026-01-21''', t);
END
$$;
SELECT csumm.change('csumm.facts'), csumm.change('csumm.facts_local');
\copy (SELECT * FROM csumm.rows(50001, 50200, '2026-01-12 05:00+00')) TO '/tmp/kpi_citus_summaries_copy.csv' CSV
\copy csumm.facts FROM '/tmp/kpi_citus_summaries_copy.csv' CSV
\copy csumm.facts_local FROM '/tmp/kpi_citus_summaries_copy.csv' CSV

INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'changed', 'the shards'' triggers logged (account, day) pairs', count(*) > 0 AND count(*) FILTER (WHERE account_id IS NULL) = 0,
	   count(*) || ' log rows, ' || count(DISTINCT (account_id, bucket_start)) || ' pairs, '
	   || count(DISTINCT bucket_start) || ' days'
FROM csumm.facts_kpi_1d_changes
UNION ALL
SELECT 'changed', 'the KPIs are still read from the summary (changed pairs from the source)', csumm.reads_summary('dist'), NULL;
SELECT csumm.check_answers('changed, before the refresh');
SELECT csumm.check_p_values('changed, before the refresh');

-- The refresh's statements, as kpi.refresh_distributed_summary writes them
-- for this summary: each is pushed down whole (no subplan, no pull to the
-- coordinator, INSERT ... SELECT by pushdown).
CREATE FUNCTION csumm.plan(statement text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN ' || statement LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;
CREATE TABLE csumm.refresh_plans (statement text, plan text);
INSERT INTO csumm.refresh_plans
SELECT s, csumm.plan(s) FROM unnest(ARRAY[
	'UPDATE csumm.facts_kpi_1d_changes SET kpi_taken = true WHERE NOT kpi_taken',
	'DELETE FROM csumm.facts_kpi_1d AS kpi_summary USING csumm.facts_kpi_1d_changes AS kpi_changed WHERE kpi_changed.kpi_taken '
	'AND kpi_changed.account_id = kpi_summary.account_id AND kpi_changed.bucket_start = kpi_summary.bucket_start',
	'INSERT INTO csumm.facts_kpi_1d (bucket_start, account_id, channel, row_count, spend, spend_per_customers, won) '
	'SELECT kpi_bucket.bucket_start, kpi_source.account_id, kpi_source.channel, pg_catalog.count(*), '
	'kpi.ratio_agg(kpi_source.spend, 1), kpi.ratio_agg(kpi_source.spend, kpi_source.customers), kpi.ratio_agg(kpi_source.won::pg_catalog.int4, 1) '
	'FROM (SELECT DISTINCT account_id, bucket_start FROM csumm.facts_kpi_1d_changes WHERE kpi_taken AND bucket_start IS NOT NULL) AS kpi_bucket '
	'JOIN csumm.facts AS kpi_source ON kpi_source.account_id = kpi_bucket.account_id '
	'AND kpi_source.at >= kpi_bucket.bucket_start AND kpi_source.at < kpi_bucket.bucket_start + pg_catalog.make_interval(secs => 86400) '
	'GROUP BY kpi_bucket.bucket_start, kpi_source.account_id, kpi_source.channel',
	'DELETE FROM csumm.facts_kpi_1d_changes WHERE kpi_taken']) AS s;
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'refresh', 'pushed down whole: ' || split_part(statement, ' ', 1) || ' ' || split_part(statement, ' ', 3),
	   plan NOT LIKE '%Distributed Subplan%' AND plan NOT LIKE '%INSERT/SELECT method%' AND plan LIKE '%Task Count: 32%'
	   AND (statement NOT LIKE 'INSERT%' OR plan LIKE '%Insert on facts\_kpi\_1d\_1%'),
	   (regexp_match(plan, '(Custom Scan \([^)]*\)[^\n]*)'))[1] || coalesce(', ' || (regexp_match(plan, '(INSERT/SELECT method: \w+)'))[1], '')
	   || ', ' || coalesce((regexp_match(plan, '(Task Count: \d+)'))[1], '')
FROM csumm.refresh_plans;

SELECT kpi.refresh_summary('csumm.facts_kpi_1d') AS dist_recomputed, kpi.refresh_summary('csumm.facts_local_kpi_1d') AS local_recomputed \gset
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'refresh', 'summary equals the single-node GROUP BY', differences = 0,
	   differences || ' differing rows; recomputed ' || :dist_recomputed || ' days (single node ' || :local_recomputed || ')'
FROM csumm.differences
UNION ALL
SELECT 'refresh', 'change log consumed', count(*) = 0, count(*) || ' log rows' FROM csumm.facts_kpi_1d_changes;
SELECT csumm.check_answers('refresh');
SELECT csumm.check_p_values('refresh');

-- Summaries of summaries: months per channel from the distributed daily
-- summary, against kpi.cac over the single-node raw rows.
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'rollup', 'kpi.rollup of the distributed summary per month and channel = kpi.cac over the raw rows',
	   count(*) > 0 AND count(*) FILTER (WHERE r.month IS NULL OR raw.month IS NULL OR r.cac IS DISTINCT FROM raw.cac) = 0,
	   count(*) || ' months x channels, ' || count(*) FILTER (WHERE r.month IS NULL OR raw.month IS NULL OR r.cac IS DISTINCT FROM raw.cac) || ' differ'
FROM (SELECT date_trunc('month', bucket_start) AS month, channel, kpi.value(kpi.rollup(spend_per_customers)) AS cac
	  FROM csumm.facts_kpi_1d GROUP BY 1, 2) AS r
FULL JOIN (SELECT date_trunc('month', at) AS month, channel, kpi.cac(spend, customers) AS cac
		   FROM csumm.facts_local WHERE at IS NOT NULL GROUP BY 1, 2) AS raw
	 ON raw.month = r.month AND raw.channel IS NOT DISTINCT FROM r.channel;

-- A TRUNCATE: Citus fires the TRUNCATE trigger on the coordinator's shell
-- only, which empties the summary in the same transaction; the rows
-- inserted afterwards are logged by the shards' triggers.
TRUNCATE csumm.facts_local;
BEGIN;
TRUNCATE csumm.facts;
INSERT INTO csumm.facts SELECT * FROM csumm.rows(60001, 63000, '2026-01-04 00:00+00');
COMMIT;
INSERT INTO csumm.facts_local SELECT * FROM csumm.rows(60001, 63000, '2026-01-04 00:00+00');
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'truncate', 'the TRUNCATE emptied the summary; the new rows are logged',
	   summary_rows = 0 AND log_rows > 0, summary_rows || ' summary rows, ' || log_rows || ' log rows'
FROM (SELECT count(*) AS summary_rows FROM csumm.facts_kpi_1d) AS s, (SELECT count(*) AS log_rows FROM csumm.facts_kpi_1d_changes) AS l;
SELECT csumm.check_answers('truncate, before the refresh');
SELECT csumm.check_p_values('truncate, before the refresh');
SELECT kpi.refresh_summary('csumm.facts_kpi_1d') AS dist_recomputed, kpi.refresh_summary('csumm.facts_local_kpi_1d') AS local_recomputed \gset
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'truncate', 'rebuilt summary equals the single-node GROUP BY', differences = 0,
	   differences || ' differing rows; recomputed ' || :dist_recomputed || ' days' FROM csumm.differences;
SELECT csumm.check_answers('truncate, refreshed');
SELECT csumm.check_p_values('truncate, refreshed');

-- Dropping: the triggers leave every shard.
DROP VIEW csumm.differences;
SELECT kpi.drop_summary('csumm.facts_kpi_1d');
INSERT INTO csumm.results (step, what, ok, detail)
SELECT 'drop', 'no kpi trigger left on the shards, tables gone',
	   count(*) FILTER (WHERE result <> '0') = 0 AND to_regclass('csumm.facts_kpi_1d') IS NULL
	   AND to_regclass('csumm.facts_kpi_1d_changes') IS NULL, count(*) || ' shards checked'
FROM run_command_on_shards('csumm.facts',
	$$SELECT count(*) FROM pg_trigger WHERE tgrelid = '%s'::regclass AND tgname LIKE 'kpi\_summary\_%%'$$);

\pset footer off
SELECT step, what, ok, detail FROM csumm.results ORDER BY n;
SELECT count(*) AS checks, count(*) FILTER (WHERE ok) AS passed FROM csumm.results;
SELECT statement, plan FROM csumm.refresh_plans WHERE statement LIKE 'INSERT%';
