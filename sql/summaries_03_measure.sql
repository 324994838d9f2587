-- kpi.measure, kpi.measure_series, kpi.series and the scorecard read a
-- summary of the source transparently (issue 13): for the buckets that lie
-- wholly in a period and did not change since the last refresh, and the
-- source for the rest.  Every answer is compared with the answer from the
-- source alone (the summary hidden from the catalog), which must be equal
-- exactly (decimal inputs), before and after changes and refreshes.  Cleans up.
\set SHOW_CONTEXT never
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';
CREATE SCHEMA sm;

CREATE TABLE sm.events (
	at			timestamptz NOT NULL,
	channel		text,
	region		text,
	spend		numeric(12,2),
	customers	integer,
	leads		bigint,
	converted	boolean
);
CREATE INDEX ON sm.events (at);
INSERT INTO sm.events
SELECT '2026-01-01'::timestamptz + i * interval '41 minutes', (ARRAY['ads', 'seo', 'social'])[1 + i % 3],
	   CASE WHEN i % 4 = 0 THEN 'north' END, (i % 89) * 1.75, 1 + i % 4, i % 7,
	   CASE WHEN i % 6 = 0 THEN NULL ELSE i % 5 < 2 END
FROM generate_series(1, 4000) AS i;

SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters,
							 direction, baseline, target, starts_on, due_on) VALUES
	('sm_cac_ads', 'cac', 'sm.events', 'at', 'spend', 'customers', '{"channel": "ads"}', 'lower_is_better', 90, 60, '2026-01-05', '2026-03-30'),
	('sm_roas', 'roas', 'sm.events', 'at', 'leads', 'spend', '{}', 'higher_is_better', 0.02, 0.03, '2026-01-05', '2026-03-30'),
	('sm_romi_north', 'romi', 'sm.events', 'at', 'spend', 'customers', '{"region": "north"}', 'higher_is_better', 20, 30, '2026-01-05', '2026-03-30'),
	('sm_conv_rate', 'conversion_rate', 'sm.events', 'at', 'customers', 'leads', '{"channel": "seo"}', 'higher_is_better', 0.5, 0.6, '2026-01-05', '2026-03-30'),
	('sm_converted', 'conversion_rate', 'sm.events', 'at', 'converted', NULL, '{}', 'higher_is_better', 0.3, 0.5, '2026-01-05', '2026-03-30'),
	('sm_leads', 'sum', 'sm.events', 'at', 'leads', NULL, '{"channel": "social", "region": null}', 'higher_is_better', 100, 200, '2026-01-05', '2026-03-30'),
	('sm_avg_spend', 'average', 'sm.events', 'at', 'spend', NULL, '{}', 'lower_is_better', 80, 70, '2026-01-05', '2026-03-30'),
	('sm_rows', 'count', 'sm.events', 'at', NULL, NULL, '{"channel": "ads"}', 'higher_is_better', 200, 300, '2026-01-05', '2026-03-30'),
	('sm_won', 'count', 'sm.events', 'at', 'converted', NULL, '{}', 'higher_is_better', 60, 90, '2026-01-05', '2026-03-30'),
	('sm_counted', 'count', 'sm.events', 'at', 'customers', NULL, '{}', 'higher_is_better', 200, 300, '2026-01-05', '2026-03-30');
RESET client_min_messages;

-- Periods: a whole week (aligned with the daily buckets), ragged ends, a
-- period shorter than a bucket, and one past the data.
CREATE TABLE sm.periods (period_start timestamptz, period_end timestamptz);
INSERT INTO sm.periods VALUES
	('2026-01-05', '2026-01-12'), ('2026-01-05 13:17', '2026-01-20 07:00'),
	('2026-01-03 10:00', '2026-01-03 11:00'), ('2026-03-30', '2026-04-06');

-- Every KPI over every period, and a few series, as the caller sees them.
CREATE FUNCTION sm.answers() RETURNS TABLE (what text, name text, period_start timestamptz, value double precision, row_count bigint)
	LANGUAGE sql AS $$
	SELECT 'measure', d.name, p.period_start, kpi.measure(d.name, p.period_start, p.period_end), NULL::bigint
	FROM kpi.definitions d, sm.periods p WHERE d.name LIKE 'sm\_%'
	UNION ALL
	SELECT 'series ' || b.bucket::text, d.name, s.bucket_start, s.value, s.row_count
	FROM kpi.definitions d, (VALUES (interval '1 day'), (interval '5 hours')) AS b(bucket),
		 LATERAL kpi.measure_series(d.name, b.bucket, '2026-01-05 06:00', '2026-01-20') AS s
	WHERE d.name LIKE 'sm\_%'
	UNION ALL
	SELECT 'scorecard ' || x.which, c.name, c.period_start, x.value, NULL
	FROM kpi.scorecard_at('2026-02-04 10:00') c, LATERAL (VALUES ('current', c.current), ('previous', c.previous)) AS x(which, value)
	WHERE c.name LIKE 'sm\_%'
$$;
-- The same from the sources alone: the summaries hidden from the catalog
-- while they are computed.
CREATE FUNCTION sm.differences() RETURNS TABLE (answers bigint, differences bigint)
	LANGUAGE plpgsql AS $$
BEGIN
	CREATE TEMP TABLE with_summary AS SELECT * FROM sm.answers();
	UPDATE kpi.summaries SET time_column = time_column || '_hidden' WHERE source = 'sm.events'::regclass;
	CREATE TEMP TABLE from_source AS SELECT * FROM sm.answers();
	UPDATE kpi.summaries SET time_column = replace(time_column, '_hidden', '') WHERE source = 'sm.events'::regclass;
	RETURN QUERY
	SELECT count(*), count(*) FILTER (WHERE w.what IS NULL OR f.what IS NULL OR w.value IS DISTINCT FROM f.value
									  OR w.row_count IS DISTINCT FROM f.row_count)
	FROM with_summary w FULL JOIN from_source f USING (what, name, period_start);
	DROP TABLE with_summary, from_source;
END
$$;
-- How often the summary was read in this transaction.
CREATE FUNCTION sm.summary_reads() RETURNS bigint
	LANGUAGE sql AS $$
	SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) FROM pg_stat_xact_user_tables WHERE relid = to_regclass('sm.events_kpi_1d')
$$;

SELECT kpi.create_summary('sm.events', 'at', '1 day');
SELECT group_by, ratio_columns FROM kpi.summary('sm.events_kpi_1d');
-- Every KPI is answered from the summary, and equals the source's answer.
BEGIN;
SELECT sm.summary_reads() AS reads_before \gset
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12') IS NOT NULL AS measured;
SELECT sm.summary_reads() > :reads_before AS summary_read;
COMMIT;
SELECT * FROM sm.differences();
SELECT name, round(value::numeric, 6) AS value FROM sm.answers() WHERE what = 'scorecard current' ORDER BY name;

-- Changes not refreshed yet: the changed buckets come from the source.
INSERT INTO sm.events VALUES ('2026-01-06 10:00', 'ads', NULL, 999.99, 1, 3, true), ('2026-01-30 23:59', 'seo', 'north', 5, 2, 9, false);
UPDATE sm.events SET spend = spend + 10, channel = 'ads' WHERE at >= '2026-01-19' AND at < '2026-01-19 06:00';
DELETE FROM sm.events WHERE at >= '2026-02-02 12:00' AND at < '2026-02-03';
SELECT count(*) > 0 AS pending FROM sm.events_kpi_1d_changes;
SELECT * FROM sm.differences();
SELECT kpi.refresh_summary('sm.events_kpi_1d') AS recomputed;
SELECT * FROM sm.differences();
-- After a TRUNCATE and new rows, before the refresh: all from the source.
TRUNCATE sm.events;
INSERT INTO sm.events
SELECT '2026-01-04'::timestamptz + i * interval '3 hours', (ARRAY['ads', 'seo', 'social'])[1 + i % 3], NULL, i, 1 + i % 2, i % 5, i % 3 = 0
FROM generate_series(1, 300) AS i;
SELECT * FROM sm.differences();
SELECT kpi.refresh_summary('sm.events_kpi_1d') > 0 AS rebuilt;
SELECT * FROM sm.differences();

-- A KPI the summary cannot serve (a filter on a column it is not grouped
-- by) is read from the source; so are KPIs measured together with it.
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters)
VALUES ('sm_cac_cheap', 'cac', 'sm.events', 'at', 'spend', 'customers', '{"leads": 2}');
RESET client_min_messages;
BEGIN;
SELECT sm.summary_reads() AS reads_before \gset
SELECT kpi.measure('sm_cac_cheap', '2026-01-05', '2026-01-12') = (
		   SELECT (sum(spend) / sum(customers))::float8 FROM sm.events WHERE leads = 2 AND at >= '2026-01-05' AND at < '2026-01-12') AS as_plain_sql;
SELECT sm.summary_reads() = :reads_before AS summary_not_read;
COMMIT;

-- A summary that another role owns than the source is not used.
CREATE ROLE regress_summ_other;
ALTER TABLE sm.events_kpi_1d OWNER TO regress_summ_other;
BEGIN;
SELECT sm.summary_reads() AS reads_before \gset
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12') IS NOT NULL AS measured;
SELECT sm.summary_reads() = :reads_before AS summary_not_read;
COMMIT;
ALTER TABLE sm.events_kpi_1d OWNER TO CURRENT_USER;

-- Reading the summary needs SELECT on the source, as reading the source does.
GRANT USAGE ON SCHEMA sm, kpi TO regress_summ_other;
GRANT SELECT ON sm.events_kpi_1d, kpi.definitions TO regress_summ_other;
SET ROLE regress_summ_other;
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- And USAGE on the source's schema, as a query of the source does, though
-- the session keeps the plan of this very read (made as another role above).
GRANT SELECT ON sm.events TO regress_summ_other;
REVOKE USAGE ON SCHEMA sm FROM regress_summ_other;
SET ROLE regress_summ_other;
\set VERBOSITY terse
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT USAGE ON SCHEMA sm TO regress_summ_other;
SET ROLE regress_summ_other;
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12') IS NOT NULL AS measured_with_usage;
RESET ROLE;
REVOKE SELECT ON sm.events FROM regress_summ_other;
REVOKE ALL ON SCHEMA kpi FROM regress_summ_other;
REVOKE ALL ON kpi.definitions FROM regress_summ_other;

-- A date column and weekly buckets (bucket_start is a timestamp) serve
-- weekly review periods in Berlin.
CREATE TABLE sm.daily (day date NOT NULL, channel text NOT NULL, spend numeric(10,2) NOT NULL, customers integer NOT NULL);
INSERT INTO sm.daily SELECT '2025-12-01'::date + d, c, 50 + d % 9, d % 4 FROM generate_series(0, 90) AS d, unnest(ARRAY['ads', 'seo']) AS c;
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters)
VALUES ('sm_daily_cac', 'cac', 'sm.daily', 'day', 'spend', 'customers', '{"channel": "seo"}');
RESET client_min_messages;
CREATE TEMP TABLE daily_from_source AS
SELECT s.bucket_start, s.value FROM kpi.measure_series('sm_daily_cac', '1 week', '2025-12-29', '2026-03-02') s
UNION ALL SELECT '2026-01-07 12:00', kpi.measure('sm_daily_cac', '2026-01-07 12:00', '2026-02-10 08:00');
SELECT kpi.create_summary('sm.daily', 'day', '7 days');
BEGIN;
SELECT count(*) AS values, count(*) FILTER (WHERE a.value IS DISTINCT FROM b.value) AS differences
FROM daily_from_source a
FULL JOIN (SELECT s.bucket_start, s.value FROM kpi.measure_series('sm_daily_cac', '1 week', '2025-12-29', '2026-03-02') s
		   UNION ALL SELECT '2026-01-07 12:00', kpi.measure('sm_daily_cac', '2026-01-07 12:00', '2026-02-10 08:00')) b USING (bucket_start);
SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) > 0 AS summary_read FROM pg_stat_xact_user_tables WHERE relid = 'sm.daily_kpi_7d'::regclass;
COMMIT;

-- kpi.read_source keeps the plan of a summary read for the session (its
-- query begins with the comment /* kpi summary read */, after a line break):
-- the scorecard runs the same query on every call.  At most 16 are kept.
-- (Only the kept plans begin with it: summary_query's own text holds it too.)
SELECT count(*) BETWEEN 1 AND 16 AS plans_kept FROM pg_backend_memory_contexts
WHERE name = 'CachedPlanSource' AND ident ~ '^\s*/\* kpi summary read \*/';
-- The plan cache plans a kept query again after DDL on what it reads: the
-- summary dropped and created again with the same groups and pairs (the
-- same query text, new tables) is read, and still equals the source.
SELECT s.group_by AS groups,
	   (SELECT array_agg(p.n || COALESCE('/' || p.d, '') ORDER BY p.o)
		FROM ROWS FROM (unnest(s.numerators), unnest(s.denominators)) WITH ORDINALITY AS p(n, d, o)) AS pairs,
	   kpi.summary_query(ARRAY[kpi.definition('sm_cac_ads')]) AS query_before
FROM kpi.summary('sm.events_kpi_1d') AS s \gset
SELECT kpi.drop_summary('sm.events_kpi_1d');
SELECT kpi.create_summary('sm.events', 'at', '1 day', :'groups', :'pairs');
SELECT kpi.summary_query(ARRAY[kpi.definition('sm_cac_ads')]) = :'query_before' AS same_query;
BEGIN;
SELECT sm.summary_reads() AS reads_before \gset
SELECT kpi.measure('sm_cac_ads', '2026-01-05', '2026-01-12') IS NOT NULL AS measured;
SELECT sm.summary_reads() > :reads_before AS summary_read;
COMMIT;
SELECT * FROM sm.differences();

-- One KPI sums a column that another filters on: the summary groups by it
-- and keeps its sum under another name (leads_sum), and both read it.
CREATE TABLE sm.clash (at timestamptz NOT NULL, leads integer, spend numeric(10,2), customers integer);
INSERT INTO sm.clash SELECT '2026-01-01'::timestamptz + i * interval '5 hours', i % 4, i % 13, 1 + i % 3 FROM generate_series(1, 500) AS i;
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters) VALUES
	('sm_clash_leads', 'sum', 'sm.clash', 'at', 'leads', NULL, '{}'),
	('sm_clash_cac', 'cac', 'sm.clash', 'at', 'spend', 'customers', '{"leads": 3}');
RESET client_min_messages;
SELECT kpi.create_summary('sm.clash', 'at', '1 day');
SELECT group_by, ratio_columns FROM kpi.summary('sm.clash_kpi_1d');
BEGIN;
SELECT kpi.measure('sm_clash_leads', '2026-01-05', '2026-02-02') = (
		   SELECT sum(leads)::float8 FROM sm.clash WHERE at >= '2026-01-05' AND at < '2026-02-02') AS leads_as_plain_sql,
	   kpi.measure('sm_clash_cac', '2026-01-05', '2026-02-02') = (
		   SELECT (sum(spend) / sum(customers))::float8 FROM sm.clash WHERE leads = 3 AND at >= '2026-01-05' AND at < '2026-02-02') AS cac_as_plain_sql;
SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) > 0 AS summary_read FROM pg_stat_xact_user_tables WHERE relid = 'sm.clash_kpi_1d'::regclass;
COMMIT;
SELECT kpi.drop_summary('sm.clash_kpi_1d');

DROP FUNCTION sm.differences(), sm.answers(), sm.summary_reads();
SELECT kpi.drop_summary('sm.events_kpi_1d');
SELECT kpi.drop_summary('sm.daily_kpi_7d');
DELETE FROM kpi.definitions WHERE name LIKE 'sm\_%';
DROP OWNED BY regress_summ_other;
DROP ROLE regress_summ_other;
DROP SCHEMA sm CASCADE;
