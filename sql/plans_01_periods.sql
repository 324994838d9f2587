-- Period over period by the calendar (kpi.compare_periods): the spans are
-- written out by hand for each edge case (month ends, a leap day, ISO week
-- 53, a DST change, a quarter, a period that has just begun), and every
-- value is compared with a plain-SQL aggregate over those hand-written spans.
\set SHOW_CONTEXT never
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';
SET client_min_messages = error;
CREATE SCHEMA per;

-- One row per hour from 2022 to 2027 (44k rows), alternating two channels.
CREATE TABLE per.hits (
	at			timestamptz NOT NULL,
	channel		text NOT NULL,
	amount		numeric NOT NULL,
	leads		integer NOT NULL,
	customers	integer NOT NULL,
	converted	boolean NOT NULL
);
INSERT INTO per.hits
SELECT t, CASE WHEN h % 2 = 0 THEN 'a' ELSE 'b' END, 1 + h % 23, 1 + h % 7, h % 3, h % 5 = 0
FROM (SELECT t, row_number() OVER (ORDER BY t) - 1 AS h
	  FROM generate_series(timestamptz '2022-01-01 00:00+00', '2027-01-10 23:00+00', interval '1 hour') AS t) AS g;
CREATE INDEX hits_at ON per.hits (at);
ANALYZE per.hits;

INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters, direction, active) VALUES
	('per_amount', 'sum', 'per.hits', 'at', 'amount', NULL, '{}', 'higher_is_better', false),
	('per_conv', 'conversion_rate', 'per.hits', 'at', 'customers', 'leads', '{}', 'higher_is_better', false),
	('per_cac', 'cac', 'per.hits', 'at', 'amount', 'customers', '{"channel": "a"}', 'lower_is_better', false),
	('per_hits', 'count', 'per.hits', 'at', NULL, NULL, '{"channel": "b"}', NULL, false),
	('per_signup', 'conversion_rate', 'per.hits', 'at', 'converted', NULL, '{}', 'higher_is_better', false);
RESET client_min_messages;

-- The plain SQL an analyst would write for each KPI over [lo, hi).
CREATE FUNCTION per.plain(kpi text, lo timestamptz, hi timestamptz) RETURNS numeric
	LANGUAGE sql STABLE
	RETURN (SELECT CASE kpi
				WHEN 'per_amount' THEN sum(amount)
				WHEN 'per_conv' THEN sum(customers)::numeric / nullif(sum(leads), 0)
				WHEN 'per_cac' THEN sum(amount) FILTER (WHERE channel = 'a') / nullif(sum(customers) FILTER (WHERE channel = 'a'), 0)
				WHEN 'per_hits' THEN count(*) FILTER (WHERE channel = 'b')
				WHEN 'per_signup' THEN avg(converted::integer) END
			FROM per.hits WHERE at >= lo AND at < hi);

-- The spans, by hand, with explicit UTC offsets: case, grain, as_of,
-- comparison, current span, compared span, clamped.
CREATE TABLE per.expected (scenario text, grain text, as_of timestamptz, comparison text,
						   cur_lo timestamptz, cur_hi timestamptz, cmp_lo timestamptz, cmp_hi timestamptz, clamped boolean);
INSERT INTO per.expected VALUES
	-- March 31 against February: clamped to February's end.
	('mar31', 'month', '2026-03-31 10:00+02', 'to_date_vs_previous',   '2026-03-01 00:00+01', '2026-03-31 10:00+02', '2026-02-01 00:00+01', '2026-03-01 00:00+01', true),
	('mar31', 'month', '2026-03-31 10:00+02', 'complete_vs_previous',  '2026-02-01 00:00+01', '2026-03-01 00:00+01', '2026-01-01 00:00+01', '2026-02-01 00:00+01', false),
	('mar31', 'month', '2026-03-31 10:00+02', 'to_date_vs_last_year',  '2026-03-01 00:00+01', '2026-03-31 10:00+02', '2025-03-01 00:00+01', '2025-03-31 10:00+02', false),
	('mar31', 'month', '2026-03-31 10:00+02', 'complete_vs_last_year', '2026-02-01 00:00+01', '2026-03-01 00:00+01', '2025-02-01 00:00+01', '2025-03-01 00:00+01', false),
	-- January 31 against December 31, which exists.
	('jan31', 'month', '2026-01-31 18:00+01', 'to_date_vs_previous',   '2026-01-01 00:00+01', '2026-01-31 18:00+01', '2025-12-01 00:00+01', '2025-12-31 18:00+01', false),
	('jan31', 'month', '2026-01-31 18:00+01', 'complete_vs_previous',  '2025-12-01 00:00+01', '2026-01-01 00:00+01', '2025-11-01 00:00+01', '2025-12-01 00:00+01', false),
	('jan31', 'month', '2026-01-31 18:00+01', 'to_date_vs_last_year',  '2026-01-01 00:00+01', '2026-01-31 18:00+01', '2025-01-01 00:00+01', '2025-01-31 18:00+01', false),
	('jan31', 'month', '2026-01-31 18:00+01', 'complete_vs_last_year', '2025-12-01 00:00+01', '2026-01-01 00:00+01', '2024-12-01 00:00+01', '2025-01-01 00:00+01', false),
	-- February 28 against the same days of January, not all of January.
	('feb28', 'month', '2026-02-28 10:00+01', 'to_date_vs_previous',   '2026-02-01 00:00+01', '2026-02-28 10:00+01', '2026-01-01 00:00+01', '2026-01-28 10:00+01', false),
	('feb28', 'month', '2026-02-28 10:00+01', 'complete_vs_previous',  '2026-01-01 00:00+01', '2026-02-01 00:00+01', '2025-12-01 00:00+01', '2026-01-01 00:00+01', false),
	('feb28', 'month', '2026-02-28 10:00+01', 'to_date_vs_last_year',  '2026-02-01 00:00+01', '2026-02-28 10:00+01', '2025-02-01 00:00+01', '2025-02-28 10:00+01', false),
	('feb28', 'month', '2026-02-28 10:00+01', 'complete_vs_last_year', '2026-01-01 00:00+01', '2026-02-01 00:00+01', '2025-01-01 00:00+01', '2025-02-01 00:00+01', false),
	-- Year to date on a leap day: 2023 has no February 29.
	('leap', 'year', '2024-02-29 10:00+01', 'to_date_vs_previous',   '2024-01-01 00:00+01', '2024-02-29 10:00+01', '2023-01-01 00:00+01', '2023-03-01 00:00+01', true),
	('leap', 'year', '2024-02-29 10:00+01', 'complete_vs_previous',  '2023-01-01 00:00+01', '2024-01-01 00:00+01', '2022-01-01 00:00+01', '2023-01-01 00:00+01', false),
	('leap', 'year', '2024-02-29 10:00+01', 'to_date_vs_last_year',  '2024-01-01 00:00+01', '2024-02-29 10:00+01', '2023-01-01 00:00+01', '2023-03-01 00:00+01', true),
	('leap', 'year', '2024-02-29 10:00+01', 'complete_vs_last_year', '2023-01-01 00:00+01', '2024-01-01 00:00+01', '2022-01-01 00:00+01', '2023-01-01 00:00+01', false),
	-- A month, then the leap day against a common year's February.
	('leapm', 'month', '2024-02-29 23:00+01', 'to_date_vs_previous',   '2024-02-01 00:00+01', '2024-02-29 23:00+01', '2024-01-01 00:00+01', '2024-01-29 23:00+01', false),
	('leapm', 'month', '2024-02-29 23:00+01', 'complete_vs_previous',  '2024-01-01 00:00+01', '2024-02-01 00:00+01', '2023-12-01 00:00+01', '2024-01-01 00:00+01', false),
	('leapm', 'month', '2024-02-29 23:00+01', 'to_date_vs_last_year',  '2024-02-01 00:00+01', '2024-02-29 23:00+01', '2023-02-01 00:00+01', '2023-03-01 00:00+01', true),
	('leapm', 'month', '2024-02-29 23:00+01', 'complete_vs_last_year', '2024-01-01 00:00+01', '2024-02-01 00:00+01', '2023-01-01 00:00+01', '2023-02-01 00:00+01', false),
	-- A quarter: May 31 is the second month's 30th day, February has none.
	('q2', 'quarter', '2026-05-31 12:00+02', 'to_date_vs_previous',   '2026-04-01 00:00+02', '2026-05-31 12:00+02', '2026-01-01 00:00+01', '2026-03-01 00:00+01', true),
	('q2', 'quarter', '2026-05-31 12:00+02', 'complete_vs_previous',  '2026-01-01 00:00+01', '2026-04-01 00:00+02', '2025-10-01 00:00+02', '2026-01-01 00:00+01', false),
	('q2', 'quarter', '2026-05-31 12:00+02', 'to_date_vs_last_year',  '2026-04-01 00:00+02', '2026-05-31 12:00+02', '2025-04-01 00:00+02', '2025-05-31 12:00+02', false),
	('q2', 'quarter', '2026-05-31 12:00+02', 'complete_vs_last_year', '2026-01-01 00:00+01', '2026-04-01 00:00+02', '2025-01-01 00:00+01', '2025-04-01 00:00+02', false),
	-- ISO week 53 of 2026 (from Monday 2026-12-28); 2025 has 52 weeks.
	('w53', 'week', '2027-01-01 10:00+01', 'to_date_vs_previous',   '2026-12-28 00:00+01', '2027-01-01 10:00+01', '2026-12-21 00:00+01', '2026-12-25 10:00+01', false),
	('w53', 'week', '2027-01-01 10:00+01', 'complete_vs_previous',  '2026-12-21 00:00+01', '2026-12-28 00:00+01', '2026-12-14 00:00+01', '2026-12-21 00:00+01', false),
	('w53', 'week', '2027-01-01 10:00+01', 'to_date_vs_last_year',  '2026-12-28 00:00+01', '2027-01-01 10:00+01', '2025-12-22 00:00+01', '2025-12-26 10:00+01', true),
	('w53', 'week', '2027-01-01 10:00+01', 'complete_vs_last_year', '2026-12-21 00:00+01', '2026-12-28 00:00+01', '2025-12-22 00:00+01', '2025-12-29 00:00+01', false),
	-- ISO week 1 of 2026 starts in 2025; a year earlier is week 1 of 2025, from 2024-12-30.
	('w01', 'week', '2026-01-02 09:00+01', 'to_date_vs_previous',   '2025-12-29 00:00+01', '2026-01-02 09:00+01', '2025-12-22 00:00+01', '2025-12-26 09:00+01', false),
	('w01', 'week', '2026-01-02 09:00+01', 'complete_vs_previous',  '2025-12-22 00:00+01', '2025-12-29 00:00+01', '2025-12-15 00:00+01', '2025-12-22 00:00+01', false),
	('w01', 'week', '2026-01-02 09:00+01', 'to_date_vs_last_year',  '2025-12-29 00:00+01', '2026-01-02 09:00+01', '2024-12-30 00:00+01', '2025-01-03 09:00+01', false),
	('w01', 'week', '2026-01-02 09:00+01', 'complete_vs_last_year', '2025-12-22 00:00+01', '2025-12-29 00:00+01', '2024-12-23 00:00+01', '2024-12-30 00:00+01', false),
	-- The Sunday of the change to summer time: the week to date is 155 hours
	-- long, the same span of the week before 156; both end at noon.
	('dst', 'week', '2026-03-29 12:00+02', 'to_date_vs_previous',   '2026-03-23 00:00+01', '2026-03-29 12:00+02', '2026-03-16 00:00+01', '2026-03-22 12:00+01', false),
	('dst', 'week', '2026-03-29 12:00+02', 'complete_vs_previous',  '2026-03-16 00:00+01', '2026-03-23 00:00+01', '2026-03-09 00:00+01', '2026-03-16 00:00+01', false),
	('dst', 'week', '2026-03-29 12:00+02', 'to_date_vs_last_year',  '2026-03-23 00:00+01', '2026-03-29 12:00+02', '2025-03-24 00:00+01', '2025-03-30 12:00+02', false),
	('dst', 'week', '2026-03-29 12:00+02', 'complete_vs_last_year', '2026-03-16 00:00+01', '2026-03-23 00:00+01', '2025-03-17 00:00+01', '2025-03-24 00:00+01', false),
	-- The first moment of a month: nothing of it has passed yet.
	('start', 'month', '2026-03-01 00:00+01', 'to_date_vs_previous',   '2026-03-01 00:00+01', '2026-03-01 00:00+01', '2026-02-01 00:00+01', '2026-02-01 00:00+01', false),
	('start', 'month', '2026-03-01 00:00+01', 'complete_vs_previous',  '2026-02-01 00:00+01', '2026-03-01 00:00+01', '2026-01-01 00:00+01', '2026-02-01 00:00+01', false),
	('start', 'month', '2026-03-01 00:00+01', 'to_date_vs_last_year',  '2026-03-01 00:00+01', '2026-03-01 00:00+01', '2025-03-01 00:00+01', '2025-03-01 00:00+01', false),
	('start', 'month', '2026-03-01 00:00+01', 'complete_vs_last_year', '2026-02-01 00:00+01', '2026-03-01 00:00+01', '2025-02-01 00:00+01', '2025-03-01 00:00+01', false);

-- What a BI tool sees: standard SQL types only.
SELECT u.name, u.type::regtype
FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes) AS u(name, type, mode)
WHERE p.oid = 'kpi.compare_periods(text, text, timestamptz)'::regprocedure AND u.mode = 't';

-- One case in full, with its note.
SELECT comparison, current_start, current_end, compared_start, compared_end, clamped, note
FROM kpi.compare_periods('per_amount', 'month', '2026-03-31 10:00');

-- The spans: every scenario's four rows equal the hand-written ones (no rows
-- printed below the count means none differs).
SELECT count(*) AS spans_checked,
	   count(*) FILTER (WHERE (c.current_start, c.current_end, c.compared_start, c.compared_end, c.clamped)
							  IS NOT DISTINCT FROM (e.cur_lo, e.cur_hi, e.cmp_lo, e.cmp_hi, e.clamped)) AS spans_equal
FROM per.expected e
LEFT JOIN LATERAL kpi.calendar_comparisons(e.grain, e.as_of) AS c ON c.comparison = e.comparison;
SELECT e.scenario, e.comparison, c.*
FROM per.expected e
LEFT JOIN LATERAL kpi.calendar_comparisons(e.grain, e.as_of) AS c ON c.comparison = e.comparison
WHERE (c.current_start, c.current_end, c.compared_start, c.compared_end, c.clamped)
	  IS DISTINCT FROM (e.cur_lo, e.cur_hi, e.cmp_lo, e.cmp_hi, e.clamped)
ORDER BY 1, 2;
-- Each scenario has exactly the four comparisons.
SELECT e.scenario, count(c.comparison) FROM (SELECT DISTINCT scenario, grain, as_of FROM per.expected) e
LEFT JOIN LATERAL kpi.calendar_comparisons(e.grain, e.as_of) AS c ON true GROUP BY 1 ORDER BY 1;

-- The values against per.plain over the hand-written spans: a sum and a CAC
-- with a filter in every scenario, two conversion rates and a count in
-- three of them.
CREATE TABLE per.compared AS
SELECT c.name, e.scenario, e.comparison, c.current_value, c.compared_value, c.change, c.relative_change, c.improved,
	   per.plain(c.name, e.cur_lo, e.cur_hi) AS plain_current, per.plain(c.name, e.cmp_lo, e.cmp_hi) AS plain_compared,
	   c.direction
FROM (SELECT k.name, k.direction, s.*, c.*
	  FROM kpi.definitions k
	  CROSS JOIN (SELECT DISTINCT scenario, grain, as_of FROM per.expected) s
	  CROSS JOIN LATERAL kpi.compare_periods(k.name, s.grain, s.as_of) AS c
	  WHERE k.name IN ('per_amount', 'per_cac')
		 OR (k.name LIKE 'per\_%' AND s.scenario IN ('mar31', 'dst', 'start'))) AS c
JOIN per.expected e USING (scenario, comparison);
CREATE FUNCTION per.close(a float8, b numeric) RETURNS boolean LANGUAGE sql IMMUTABLE
	RETURN (a IS NULL AND b IS NULL) OR abs(a - b::float8) <= 1e-12 * greatest(1, abs(b::float8));
SELECT count(*) AS values_checked,
	   count(*) FILTER (WHERE plain_current IS NOT NULL AND plain_compared IS NOT NULL) AS both_non_null,
	   bool_and(per.close(current_value, plain_current)) AS current_ok,
	   bool_and(per.close(compared_value, plain_compared)) AS compared_ok,
	   bool_and(per.close(change, plain_current - plain_compared)) AS change_ok,
	   bool_and(per.close(relative_change, (plain_current - plain_compared) / nullif(abs(plain_compared), 0))) AS relative_ok,
	   bool_and(improved IS NOT DISTINCT FROM CASE direction WHEN 'higher_is_better' THEN plain_current > plain_compared
															 WHEN 'lower_is_better' THEN plain_current < plain_compared END) AS improved_ok
FROM per.compared;
SELECT * FROM per.compared
WHERE NOT (per.close(current_value, plain_current) AND per.close(compared_value, plain_compared))
ORDER BY 1, 2, 3;
-- An empty span: a count is 0, a sum has no value.
SELECT name, current_value, compared_value, change FROM per.compared
WHERE scenario = 'start' AND comparison = 'to_date_vs_previous' ORDER BY name;

-- The session's time zone decides: the same moment in UTC is still in the
-- week of March 23, which starts an hour later.
SET TimeZone = 'UTC';
SELECT comparison, current_start, current_end, compared_start, compared_end
FROM kpi.calendar_comparisons('week', '2026-03-29 12:00+02') ORDER BY comparison;
SELECT per.close(c.current_value, per.plain('per_amount', '2026-03-23 00:00+00', '2026-03-29 10:00+00')) AS utc_ok
FROM kpi.compare_periods('per_amount', 'week', '2026-03-29 12:00+02') AS c WHERE c.comparison = 'to_date_vs_previous';
SET TimeZone = 'Europe/Berlin';

-- as_of defaults to kpi.as_of().
SET kpi.as_of = '2026-03-31 10:00';
SELECT (SELECT array_agg(c ORDER BY c.comparison) FROM kpi.compare_periods('per_conv', 'month') c)
	 = (SELECT array_agg(c ORDER BY c.comparison) FROM kpi.compare_periods('per_conv', 'month', '2026-03-31 10:00') c) AS default_as_of;
RESET kpi.as_of;
-- German notes.
SET kpi.language = 'de';
SELECT note FROM kpi.calendar_comparisons('week', '2027-01-01 10:00') WHERE clamped;
SELECT note FROM kpi.calendar_comparisons('month', '2026-03-30 10:00') WHERE clamped;
RESET kpi.language;

-- kpi.measure_spans: overlapping spans and an empty one, in the order given.
SELECT s.span_start, s.span_end, s.value, s.row_count,
	   per.close(s.value, per.plain('per_hits', s.span_start, s.span_end)) AS plain_ok
FROM kpi.measure_spans(kpi.definition('per_hits'),
	 ARRAY['2026-01-01', '2026-01-01 12:00', '2030-01-01', '2026-01-01']::timestamptz[],
	 ARRAY['2026-01-02', '2026-01-01 18:00', '2030-02-01', '2026-01-02']::timestamptz[]) AS s;

-- Errors.
SELECT * FROM kpi.compare_periods('per_amount', 'mnth', '2026-03-31');
SELECT * FROM kpi.compare_periods('per_amount', 'day', '2026-03-31');
SELECT * FROM kpi.compare_periods('per_amout', 'month', '2026-03-31');
SELECT * FROM kpi.measure_spans(kpi.definition('per_amount'), ARRAY['2026-01-02']::timestamptz[], ARRAY['2026-01-01']::timestamptz[]);
SELECT * FROM kpi.measure_spans(kpi.definition('per_amount'), ARRAY['2026-01-02']::timestamptz[], '{}');
SELECT count(*) FROM kpi.compare_periods('per_amount', NULL, '2026-03-31');

DELETE FROM kpi.definitions WHERE name LIKE 'per\_%';
DROP SCHEMA per CASCADE;
