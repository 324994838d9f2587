-- bench/summaries.sql: what an incremental summary costs to keep up to date
-- (issue 13), run by bench/summaries.sh.
--
-- The source is the scorecard benchmark's (bench/scorecard.sql): 10M rows of
-- funnel facts over two years, in time order, with a btree index on the time
-- column, and the same 20 KPIs on it.  kpi.create_summary builds a daily
-- summary grouped by channel (the KPIs' one filter column) with one kpi.ratio
-- per pair the KPIs use (7).  1 % new rows is 100,000 rows.
--
-- It times, median of :rounds rounds, alternating, each round on its own new rows:
--   refresh_append       kpi.refresh_summary after 100,000 rows on 7 new days
--   alone_append         the same aggregates (count, 7 × kpi.ratio_agg) grouped by
--                        day and channel over those 100,000 rows alone (a table
--                        holding just them): the yardstick
--   refresh_recent       kpi.refresh_summary after 100,000 rows added to 7 days
--                        that already hold about 96,000 rows
--   alone_recent         the aggregates over those 100,000 new rows alone
--   insert_plain         INSERT of 100,000 rows into a table without a summary
--   insert_tracked       the same into a table with one: the triggers' cost
--   scorecard_source     SELECT * FROM kpi.scorecard, 20 KPIs, the summary hidden
--   scorecard_summary    the same, read from the summary
-- and, once (it recomputes every bucket), the worst case:
--   refresh_scattered    kpi.refresh_summary after 100,000 rows spread over all 730 days
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS kpi;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
RESET client_min_messages;
SET jit = off;
SET max_parallel_workers_per_gather = 0;
SET TimeZone = 'UTC';

-- Rows id, deterministic from hashint8extended(id); day_of(id) places the
-- first 10M in time order over 730 days from 2024-03-04.
CREATE FUNCTION pg_temp.facts(first_id bigint, last_id bigint, first_day date, days integer)
	RETURNS TABLE (id bigint, day date, channel text, spend numeric(12,2), leads integer, opportunities integer,
				   customers integer, revenue numeric(12,2), won boolean)
	LANGUAGE sql AS $$
	SELECT g.id,
		   first_day + ((g.id - first_id) * days / (last_id - first_id + 1))::integer,
		   (ARRAY['search', 'social', 'display', 'email', 'video', 'affiliate'])[1 + (h2 >> 40) % 6],
		   ((h1 % 100000) * 0.01)::numeric(12,2), (h2 % 20)::integer, ((h2 >> 8) % 6)::integer, ((h2 >> 16) % 3)::integer,
		   ((h3 % 500000) * 0.01)::numeric(12,2), (h3 >> 32) % 10 < 3
	FROM (SELECT s.id,
				 hashint8extended(s.id, 1) & 9223372036854775807 AS h1,
				 hashint8extended(s.id, 2) & 9223372036854775807 AS h2,
				 hashint8extended(s.id, 3) & 9223372036854775807 AS h3
		  FROM generate_series(first_id, last_id) AS s(id)) AS g
$$;

\echo '== generating 10M rows'
CREATE TABLE funnel_facts (
	id				bigint NOT NULL,
	day				date NOT NULL,
	channel			text NOT NULL,
	spend			numeric(12,2) NOT NULL,
	leads			integer NOT NULL,
	opportunities	integer NOT NULL,
	customers		integer NOT NULL,
	revenue			numeric(12,2) NOT NULL,
	won				boolean NOT NULL
);
INSERT INTO funnel_facts SELECT * FROM pg_temp.facts(0, 9999999, '2024-03-04', 730);
CREATE INDEX funnel_facts_day ON funnel_facts (day);
VACUUM (ANALYZE) funnel_facts;
SELECT pg_size_pretty(pg_table_size('funnel_facts')) AS table_size,
	   pg_prewarm('funnel_facts') AS table_pages, pg_prewarm('funnel_facts_day') AS index_pages;

\echo '== the 20 KPIs of bench/scorecard.sql'
SET client_min_messages = error;
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters)
SELECT k.name, k.metric, 'funnel_facts', 'day', k.num, k.den, k.filters::jsonb
FROM (VALUES
	('cac_total', 'cac', 'spend', 'customers', '{}'), ('cac_search', 'cac', 'spend', 'customers', '{"channel": "search"}'),
	('cac_social', 'cac', 'spend', 'customers', '{"channel": "social"}'), ('cac_display', 'cac', 'spend', 'customers', '{"channel": "display"}'),
	('cac_email', 'cac', 'spend', 'customers', '{"channel": "email"}'), ('cac_video', 'cac', 'spend', 'customers', '{"channel": "video"}'),
	('cac_affiliate', 'cac', 'spend', 'customers', '{"channel": "affiliate"}'),
	('lead_to_opp', 'conversion_rate', 'opportunities', 'leads', '{}'),
	('lead_to_opp_search', 'conversion_rate', 'opportunities', 'leads', '{"channel": "search"}'),
	('lead_to_opp_social', 'conversion_rate', 'opportunities', 'leads', '{"channel": "social"}'),
	('win_rate', 'conversion_rate', 'won', NULL, '{}'),
	('romi_total', 'romi', 'revenue', 'spend', '{}'), ('romi_search', 'romi', 'revenue', 'spend', '{"channel": "search"}'),
	('romi_social', 'romi', 'revenue', 'spend', '{"channel": "social"}'), ('roas_total', 'roas', 'revenue', 'spend', '{}'),
	('roas_display', 'roas', 'revenue', 'spend', '{"channel": "display"}'), ('roas_video', 'roas', 'revenue', 'spend', '{"channel": "video"}'),
	('revenue_weekly', 'sum', 'revenue', NULL, '{}'), ('leads_weekly', 'sum', 'leads', NULL, '{}'),
	('spend_per_row', 'average', 'spend', NULL, '{}')
) AS k(name, metric, num, den, filters);
RESET kpi.enforce_smart;
RESET client_min_messages;

CREATE FUNCTION pg_temp.elapsed_ms(query text) RETURNS double precision
	LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
BEGIN
	EXECUTE query;
	RETURN 1000 * extract(epoch FROM clock_timestamp() - started);
END
$$;
CREATE TEMP TABLE timing (kase text, round integer, ms double precision);

\echo '== creating and filling the daily summary'
INSERT INTO timing SELECT 'create_summary', 1, pg_temp.elapsed_ms($q$SELECT kpi.create_summary('funnel_facts', 'day', '1 day')$q$);
SELECT summary, group_by, ratio_columns, (SELECT count(*) FROM funnel_facts_kpi_1d) AS summary_rows
FROM kpi.summaries;

-- The yardstick: the summary's own aggregates over the new rows alone.
SELECT format('SELECT day, channel, pg_catalog.count(*), %s FROM batch AS kpi_source GROUP BY 1, 2',
			  string_agg(kpi.summary_ratio_sql(s.source, p.num, p.den), ', ' ORDER BY p.o)) AS alone_sql
FROM kpi.summaries s, ROWS FROM (unnest(s.numerators), unnest(s.denominators)) WITH ORDINALITY AS p(num, den, o)
WHERE s.summary = 'funnel_facts_kpi_1d'::regclass \gset

-- Two small tables for the triggers' cost on INSERT.
CREATE TABLE insert_plain (LIKE funnel_facts);
CREATE INDEX ON insert_plain (day);
CREATE TABLE insert_tracked (LIKE funnel_facts);
CREATE INDEX ON insert_tracked (day);
SELECT kpi.create_summary('insert_tracked', 'day', '1 day', '{channel}', '{spend/customers,opportunities/leads,won,revenue/spend,revenue,leads,spend}') IS NOT NULL AS created;

-- Each round's new rows are first put in the table batch, so that the
-- yardstick reads exactly them: the aggregates over batch.
CREATE UNLOGGED TABLE batch (LIKE funnel_facts);

\echo '== timing:' :rounds 'rounds per case, alternating'
-- Round r: append on the 7 days after the last one; recent on the r-th
-- week back from the end of the original two years.
SELECT format($f$
	TRUNCATE batch;
	INSERT INTO batch SELECT * FROM pg_temp.facts(%1$s, %1$s + 99999, date '2026-03-04' + 7 * (%3$s - 1), 7);
	INSERT INTO funnel_facts SELECT * FROM batch;
	INSERT INTO timing SELECT 'refresh_append', %3$s, pg_temp.elapsed_ms('SELECT kpi.refresh_summary(''funnel_facts_kpi_1d'')');
	INSERT INTO timing SELECT 'alone_append', %3$s, pg_temp.elapsed_ms(%4$L);
	TRUNCATE batch;
	INSERT INTO batch SELECT * FROM pg_temp.facts(%2$s, %2$s + 99999, date '2026-03-04' - 7 * %3$s, 7);
	INSERT INTO funnel_facts SELECT * FROM batch;
	INSERT INTO timing SELECT 'refresh_recent', %3$s, pg_temp.elapsed_ms('SELECT kpi.refresh_summary(''funnel_facts_kpi_1d'')');
	INSERT INTO timing SELECT 'alone_recent', %3$s, pg_temp.elapsed_ms(%4$L);
	INSERT INTO timing SELECT 'insert_plain', %3$s, pg_temp.elapsed_ms('INSERT INTO insert_plain SELECT * FROM batch');
	INSERT INTO timing SELECT 'insert_tracked', %3$s, pg_temp.elapsed_ms('INSERT INTO insert_tracked SELECT * FROM batch');
	$f$, 10000000 + 200000 * (r - 1), 10100000 + 200000 * (r - 1), r, :'alone_sql')
FROM generate_series(1, :rounds) AS r ORDER BY r \gexec

\echo '== the scorecard over the 20 KPIs, from the source and from the summary'
-- kpi.measure, kpi.series and the scorecard read the summary by themselves;
-- renaming its time column in the catalog hides it, for the comparison.
SET kpi.as_of = '2025-06-04 10:00';
UPDATE kpi.summaries SET time_column = 'hidden';
CREATE TEMP TABLE card_from_source AS SELECT name, current, previous FROM kpi.scorecard;
UPDATE kpi.summaries SET time_column = 'day';
SELECT count(*) AS kpis,
	   count(*) FILTER (WHERE s.current IS NOT DISTINCT FROM c.current AND s.previous IS NOT DISTINCT FROM c.previous) AS equal
FROM kpi.scorecard s JOIN card_from_source c USING (name);
SELECT format($f$
	UPDATE kpi.summaries SET time_column = 'hidden';
	INSERT INTO timing SELECT 'scorecard_source', %1$s, pg_temp.elapsed_ms('SELECT * FROM kpi.scorecard');
	UPDATE kpi.summaries SET time_column = 'day';
	INSERT INTO timing SELECT 'scorecard_summary', %1$s, pg_temp.elapsed_ms('SELECT * FROM kpi.scorecard');
	$f$, r)
FROM generate_series(1, :rounds) AS r ORDER BY r \gexec

\echo '== the worst case, once: 100,000 rows spread over all 730 days'
TRUNCATE batch;
INSERT INTO batch SELECT * FROM pg_temp.facts(20000000, 20099999, '2024-03-04', 730);
INSERT INTO funnel_facts SELECT * FROM batch;
INSERT INTO timing SELECT 'refresh_scattered', 1, pg_temp.elapsed_ms($q$SELECT kpi.refresh_summary('funnel_facts_kpi_1d')$q$);
INSERT INTO timing SELECT 'alone_scattered', 1, pg_temp.elapsed_ms(:'alone_sql');

\echo '== the summary equals a full recomputation'
SELECT kpi.create_summary('funnel_facts', 'day', '1 day', summary_name => 'funnel_facts_recomputed') IS NOT NULL AS recomputed;
SET search_path = public, kpi;	-- kpi.ratio's = operator
SELECT count(*) AS summary_rows,
	   count(*) FILTER (WHERE r.day IS NULL OR s.bucket_start IS NULL OR s.row_count <> r.row_count
						OR s.spend_per_customers IS DISTINCT FROM r.spend_per_customers
						OR s.opportunities_per_leads IS DISTINCT FROM r.opportunities_per_leads
						OR s.won IS DISTINCT FROM r.won OR s.revenue_per_spend IS DISTINCT FROM r.revenue_per_spend
						OR s.revenue IS DISTINCT FROM r.revenue OR s.leads IS DISTINCT FROM r.leads
						OR s.spend IS DISTINCT FROM r.spend) AS differences
FROM funnel_facts_kpi_1d s
FULL JOIN (SELECT bucket_start AS day, * FROM funnel_facts_recomputed) r ON r.day = s.bucket_start AND r.channel = s.channel;
RESET search_path;

\echo '== results (ms)'
SELECT kase, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
	   round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms, count(*) AS rounds
FROM timing GROUP BY kase ORDER BY kase;
WITH m AS (SELECT kase, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM timing GROUP BY kase)
SELECT format('refresh_append / alone_append = %s', round(((SELECT ms FROM m WHERE kase = 'refresh_append') / (SELECT ms FROM m WHERE kase = 'alone_append'))::numeric, 2)) AS ratio
UNION ALL
SELECT format('refresh_recent / alone_recent = %s', round(((SELECT ms FROM m WHERE kase = 'refresh_recent') / (SELECT ms FROM m WHERE kase = 'alone_recent'))::numeric, 2))
UNION ALL
SELECT format('refresh_scattered / alone_scattered = %s', round(((SELECT ms FROM m WHERE kase = 'refresh_scattered') / (SELECT ms FROM m WHERE kase = 'alone_scattered'))::numeric, 2))
UNION ALL
SELECT format('scorecard_source / scorecard_summary = %s', round(((SELECT ms FROM m WHERE kase = 'scorecard_source') / (SELECT ms FROM m WHERE kase = 'scorecard_summary'))::numeric, 2))
UNION ALL
SELECT format('insert_tracked / insert_plain = %s', round(((SELECT ms FROM m WHERE kase = 'insert_tracked') / (SELECT ms FROM m WHERE kase = 'insert_plain'))::numeric, 2));
