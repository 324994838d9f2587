-- bench/series.sql: what a weekly series costs against one measure over the
-- same range (issue #9), run by bench/series.sh.
--
-- The source is the scorecard benchmark's (bench/scorecard.sql): 10M rows,
-- two years of funnel facts loaded in time order (about 96,000 rows a
-- week), a btree index on the time column, values from hashint8extended()
-- so that every run sees the same rows.  One KPI, CAC = spend / customers.
--
-- It times, median of :rounds rounds after a warm-up, alternating:
--   measure      one kpi.measure() over the year [2024-03-04, 2025-03-03)
--   series       kpi.series() over the same year in 52 weekly buckets
--   plain_year   the plain SQL of measure: sum(spend) / sum(customers)
--   plain_weeks  the plain SQL of series: the same, GROUP BY the week
-- The issue's target: series ≤ 1.5 × measure.  Before the catalog read a
-- source in one grouped query, a series ran one subquery per bucket.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS kpi;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET jit = off;
SET max_parallel_workers_per_gather = 0;

\echo '== generating 10M rows'
DROP TABLE IF EXISTS funnel_facts CASCADE;
CREATE TABLE funnel_facts (
	id				bigint NOT NULL,
	day				date NOT NULL,
	channel			text NOT NULL,
	spend			numeric(12,2) NOT NULL,
	leads			integer NOT NULL,
	customers		integer NOT NULL,
	revenue			numeric(12,2) NOT NULL
);
INSERT INTO funnel_facts
SELECT id,
	   date '2024-03-04' + (id * 730 / 10000000)::integer,
	   (ARRAY['search', 'social', 'display', 'email', 'video', 'affiliate'])[1 + (h2 >> 40) % 6],
	   ((h1 % 100000) * 0.01)::numeric(12,2),
	   h2 % 20,
	   (h2 >> 16) % 3,
	   ((h3 % 500000) * 0.01)::numeric(12,2)
FROM (SELECT id,
			 hashint8extended(id, 1) & 9223372036854775807 AS h1,
			 hashint8extended(id, 2) & 9223372036854775807 AS h2,
			 hashint8extended(id, 3) & 9223372036854775807 AS h3
	  FROM generate_series(0::bigint, 9999999::bigint) AS id) AS g;
CREATE INDEX funnel_facts_day ON funnel_facts (day);
VACUUM (ANALYZE) funnel_facts;
SELECT pg_size_pretty(pg_table_size('funnel_facts')) AS table_size,
	   pg_prewarm('funnel_facts') AS table_pages, pg_prewarm('funnel_facts_day') AS index_pages;

SET client_min_messages = error;
DELETE FROM kpi.definitions WHERE name = 'bench_series_cac';
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage, source, time_column,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target, starts_on, due_on)
VALUES ('bench_series_cac', 'CAC', 'Spend per new customer, the series benchmark.', 'Bench', '{marketing}',
		'Benchmark', 'cac', 'customer', 'funnel_facts', 'day', 'spend', 'customers', '{}', 'EUR',
		'lower_is_better', 500, 450, '2024-03-04', '2025-03-03');
RESET client_min_messages;

\echo '== checks: the series against plain SQL, week by week'
SELECT count(*) AS weeks,
	   count(*) FILTER (WHERE s.value = p.value) AS equal_to_plain_sql,
	   sum(p.row_count) AS rows_in_year
FROM kpi.series('bench_series_cac', '1 week', '2024-03-04', '2025-03-03') AS s
FULL JOIN (SELECT date '2024-03-04' + 7 * ((day - date '2024-03-04') / 7) AS week,
				  (sum(spend) / sum(customers))::double precision AS value, count(*) AS row_count
		   FROM funnel_facts WHERE day >= '2024-03-04' AND day < '2025-03-03' GROUP BY 1) AS p
	ON s.bucket_start = p.week;
SELECT kpi.measure('bench_series_cac', '2024-03-04', '2025-03-03')
		   = (SELECT (sum(spend) / sum(customers))::double precision FROM funnel_facts
			  WHERE day >= '2024-03-04' AND day < '2025-03-03') AS measure_equal_to_plain_sql;

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
CREATE TEMP TABLE kase (kase text PRIMARY KEY, query text);
INSERT INTO kase VALUES
	('measure', $q$SELECT kpi.measure('bench_series_cac', '2024-03-04', '2025-03-03')$q$),
	('series', $q$SELECT count(value) FROM kpi.series('bench_series_cac', '1 week', '2024-03-04', '2025-03-03')$q$),
	('plain_year', $q$SELECT sum(spend) / sum(customers) FROM funnel_facts
					  WHERE day >= '2024-03-04' AND day < '2025-03-03'$q$),
	('plain_weeks', $q$SELECT count(v) FROM (SELECT sum(spend) / sum(customers) AS v FROM funnel_facts
					   WHERE day >= '2024-03-04' AND day < '2025-03-03'
					   GROUP BY (day - date '2024-03-04') / 7) AS w$q$);

\echo '== plans'
EXPLAIN (COSTS OFF) SELECT sum(spend) / sum(customers) FROM funnel_facts
WHERE day >= '2024-03-04' AND day < '2025-03-03';

\echo '== timing:' :rounds 'rounds per case after one warm-up each, alternating'
SELECT pg_temp.elapsed_ms(query) FROM kase \g /dev/null
SELECT format('INSERT INTO timing SELECT %L, %s, pg_temp.elapsed_ms(%L)', k.kase, r, k.query)
FROM generate_series(1, :rounds) AS r, kase k
ORDER BY r, CASE WHEN r % 2 = 0 THEN k.kase END DESC, k.kase \gexec

\echo '== results'
\pset footer off
SELECT kase AS "case", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
	   round(min(ms)::numeric, 1) AS min_ms, round(max(ms)::numeric, 1) AS max_ms
FROM timing GROUP BY kase ORDER BY median_ms;
-- The median of the per-round ratios, as bench/run.sh reports them.
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ms / m.ms)::numeric, 2) AS series_over_measure,
	   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY pw.ms / py.ms)::numeric, 2) AS plain_weeks_over_year,
	   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m.ms / py.ms)::numeric, 2) AS measure_over_plain,
	   round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ms / pw.ms)::numeric, 2) AS series_over_plain
FROM timing AS s
JOIN timing AS m ON m.round = s.round AND m.kase = 'measure'
JOIN timing AS py ON py.round = s.round AND py.kase = 'plain_year'
JOIN timing AS pw ON pw.round = s.round AND pw.kase = 'plain_weeks'
WHERE s.kase = 'series'
\gset
\echo 'series / measure =' :series_over_measure '   plain_weeks / plain_year =' :plain_weeks_over_year '   measure / plain_year =' :measure_over_plain '   series / plain_weeks =' :series_over_plain

DELETE FROM kpi.definitions WHERE name = 'bench_series_cac';
DROP TABLE funnel_facts;
