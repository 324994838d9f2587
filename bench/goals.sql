-- bench/goals.sql: the goal statement parser against length() (issue 15).
-- Run by bench/goals.sh; psql variables: rounds.
--
-- 100,000 statements, German and English, built from 24 templates with
-- varying numbers, dates and noise, in a table of about 7 MB.  Timed
-- alternately in one session, :rounds rounds after a warm-up, median:
--   length      SELECT sum(length(statement)) FROM goal_statements
--   parse_goal  SELECT count(kpi.parse_goal(statement, date '2026-12-01')) FROM goal_statements
-- The target: parse_goal at most 20 times length.
-- Then linearity: the same 5 MB of text parsed as 5,000 statements of 1 kB
-- and as 500 statements of 10 kB; the time should not grow with the length.
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP TABLE IF EXISTS goal_statements, goal_long, goal_timing;

CREATE TABLE goal_statements AS
SELECT i, pg_catalog.format(t.template, 10 + i % 40, 41 + i % 50, 1 + i % 28, 1 + i % 12, 2027 + i % 3, 1 + i % 4,
							(i % 900) + 100) AS statement
FROM pg_catalog.generate_series(1, 100000) AS i,
	 LATERAL (SELECT (ARRAY[
		'Steigerung der Conversion Rate von %s %% auf %s %% bis %s.%s.%s',
		'Senkung der CAC von %2$s € auf %1$s € bis Ende Q%6$s %5$s',
		'Umsatz um %1$s %% steigern bis Jahresende',
		'Leads verdoppeln bis März %5$s, wöchentliche Überprüfung',
		'Kosten pro Lead von %2$s € auf %1$s € senken, Ende Q%6$s %5$s',
		'Abschlussquote um %6$s Prozentpunkte erhöhen bis %3$s.%4$s.%5$s',
		'Konversionsrate auf %2$s,5 %% erhöhen (aktuell %1$s,8 %%) bis 30.06.%5$s',
		'Den Umsatz von %7$s.000 € auf %2$s Mio. € steigern bis Ende %5$s',
		'Ziel Team Nord: CAC (Paid Search) von %2$s EUR auf %1$s EUR reduzieren – bis Ende des Jahres!!',
		'ROAS von %6$s,5 auf %4$s,2 steigern in %7$s Tagen',
		'Wir wollen unsre Conversion Rate bis Ende Q%6$s %5$s von %1$s%% auf %2$s%% steigern',
		'Umsatz (Online-Shop) um %1$s %% steigern bis %3$s.%4$s.%5$s, monatliches Reporting',
		'Reduce CAC below EUR %7$s by end of Q%6$s %5$s',
		'Increase conversion rate from %1$s%% to %2$s%% by %5$s-%4$s-%3$s',
		'Grow revenue by %1$s%% by year end',
		'Double the number of leads by March %5$s',
		'Raise the win rate to %2$s%% by end of H1 %5$s, reviewed weekly',
		'Cut cost per lead from $%2$s to $%1$s within %7$s days',
		'Improve ROAS from %6$s.5 to %4$s.2 by June 30, %5$s',
		'Keep CAC under $%7$s through Q%6$s %5$s',
		E'increase CONVERSION RATE\n(landing pages)\nfrom %1$s %% to %2$s %%\nby Q%6$s/%5$s',
		'Revenue (EMEA): +%1$s%% YoY by Dec %5$s',
		'Grow revenue from EUR %6$s.2M to EUR %4$s.5M by the end of %5$s',
		'Pls reduce teh CAC to EUR %7$s by end of Q%6$s %5$s (tbd)'])[1 + i % 24] AS template) AS t;
VACUUM ANALYZE goal_statements;

-- the same text as long statements: 20 of the short ones joined make about
-- 1 kB; cut to 980 characters per kB, so that a 10 kB one stays under the
-- 10240-byte limit with its multi-byte characters
CREATE TABLE goal_long AS
SELECT l.n AS kb, (g.i - 1) / (20 * l.n) AS k,
	   pg_catalog.left(pg_catalog.string_agg(g.statement, ' ' ORDER BY g.i), 980 * l.n) AS statement
FROM (VALUES (1), (10)) AS l(n), goal_statements AS g
GROUP BY l.n, (g.i - 1) / (20 * l.n);
VACUUM ANALYZE goal_long;

SELECT kb, pg_catalog.count(*) AS statements, pg_catalog.sum(pg_catalog.octet_length(statement)) AS bytes,
	   pg_catalog.max(pg_catalog.octet_length(statement)) AS max_bytes
FROM goal_long GROUP BY kb ORDER BY kb;
SELECT pg_catalog.count(*) AS statements, pg_catalog.round(pg_catalog.avg(pg_catalog.octet_length(statement))) AS avg_bytes,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_table_size('goal_statements')) AS table_size,
	   pg_catalog.count(*) FILTER (WHERE (kpi.parse_goal(statement, date '2026-12-01')).language = 'de') AS german,
	   pg_catalog.count(*) FILTER (WHERE (kpi.parse_goal(statement, date '2026-12-01')).metric IS NULL) AS no_metric
FROM goal_statements;

CREATE TEMP TABLE goal_timing (kase text, round integer, ms double precision);
DO $$
DECLARE
	rounds integer := current_setting('bench.rounds')::integer;
	started timestamptz;
	kase text;
	queries text[][] := ARRAY[
		['length', 'SELECT pg_catalog.sum(pg_catalog.length(statement)) FROM goal_statements'],
		['parse_goal', 'SELECT pg_catalog.count(kpi.parse_goal(statement, date ''2026-12-01'')) FROM goal_statements'],
		['long_1kB', 'SELECT pg_catalog.count(kpi.parse_goal(statement, date ''2026-12-01'')) FROM goal_long WHERE kb = 1'],
		['long_10kB', 'SELECT pg_catalog.count(kpi.parse_goal(statement, date ''2026-12-01'')) FROM goal_long WHERE kb = 10']];
BEGIN
	FOR r IN 0 .. rounds LOOP		-- round 0 is the warm-up
		FOR q IN 1 .. pg_catalog.array_length(queries, 1) LOOP
			started := pg_catalog.clock_timestamp();
			EXECUTE queries[q][2];
			IF r > 0 THEN
				INSERT INTO goal_timing VALUES (queries[q][1], r,
					1000 * pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - started));
			END IF;
		END LOOP;
	END LOOP;
END
$$;

SELECT kase AS "case", pg_catalog.round(pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms,
	   pg_catalog.round(pg_catalog.min(ms)::numeric, 1) AS min_ms, pg_catalog.round(pg_catalog.max(ms)::numeric, 1) AS max_ms
FROM goal_timing GROUP BY kase ORDER BY kase;
SELECT pg_catalog.round(((SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM goal_timing WHERE kase = 'parse_goal')
		   / (SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM goal_timing WHERE kase = 'length'))::numeric, 2)
	   AS "parse_goal / length",
	   pg_catalog.round(((SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM goal_timing WHERE kase = 'long_10kB')
		   / (SELECT pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM goal_timing WHERE kase = 'long_1kB'))::numeric, 2)
	   AS "10 kB / 1 kB (same bytes)";
DROP TABLE goal_statements, goal_long;
