/* kpi -- period over period, by the calendar */

/*
 *   kpi.compare_periods(kpi_name text, grain text, as_of timestamptz DEFAULT kpi.as_of())
 *       → TABLE (comparison, current_start, current_end, current_value,
 *                compared_start, compared_end, compared_value,
 *                change, relative_change, improved, clamped, note)
 *       Four rows: the current period to date against the same span of the
 *       previous period, the last complete period against the one before,
 *       and both against the same period a year earlier, read as the
 *       source's owner in three grouped queries, four around ISO week 53
 *       (kpi.measure_spans).
 *   kpi.calendar_comparisons(grain text, as_of timestamptz)
 *       The four pairs of spans alone, without measuring anything.
 *   kpi.measure_spans(definition kpi.definitions, lows timestamptz[], highs timestamptz[])
 *       A definition over each span [lows[k], highs[k]), one grouped query per
 *       chain of contiguous spans.
 *
 * The calendar (doc/plans.md has the whole story):
 *   - grains are week (ISO, Monday to Sunday), month, quarter and year, in
 *     the session's time zone; every span is computed on the wall clock, so a
 *     week that holds a DST change is 167 or 169 hours long, and "to date"
 *     ends at the same local time of day in both periods;
 *   - "the same span" of another period keeps the position within it: the
 *     same weekday (week), day of the month (month), month and day of the
 *     month (quarter, year), and time of day.  A day the other period does not
 *     have (March 30 against February, February 29 against a common year)
 *     ends the span at the end of that month, and the row says so (clamped);
 *   - a year earlier is the same calendar period of the year before; for
 *     weeks, the same ISO week number of the previous ISO year, and week 53
 *     against a year of 52 weeks is compared with week 52 (clamped).
 */

------------------------------------------------------------------------------
-- The calendar.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.check_grain(grain text) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF grain IS NULL OR grain NOT IN ('week', 'month', 'quarter', 'year') THEN
		RAISE EXCEPTION 'grain must be week, month, quarter or year'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The grain given is %s.', COALESCE(pg_catalog.quote_literal(grain), 'NULL')),
				  HINT = COALESCE('Did you mean "' || kpi.closest_name(grain, '{week,month,quarter,year}') || '"?',
								  'Weeks are ISO weeks, from Monday; all of them follow the session''s time zone.');
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_grain(text) IS
	'Internal: true, or raises invalid_parameter_value (22023) unless grain is week, month, quarter or year.';

-- The start (local time) of the same period a year earlier, and whether it
-- had to be clamped: ISO week 53 against a year of 52 weeks.
CREATE FUNCTION kpi.year_earlier(grain text, period_start timestamp,
								 OUT year_start timestamp, OUT clamped boolean)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT CASE WHEN grain = 'week'
				THEN pg_catalog.date_trunc('week', pg_catalog.make_date(w.iso_year - 1, 1, 4)::timestamp)
					 + pg_catalog.make_interval(days => 7 * (LEAST(w.iso_week, w.weeks_before) - 1))
				ELSE $2 - interval '1 year' END,
		   grain = 'week' AND w.iso_week > w.weeks_before
	FROM (SELECT pg_catalog.date_part('isoyear', $2)::integer AS iso_year,
				 pg_catalog.date_part('week', $2)::integer AS iso_week,
				 -- December 28 is always in the last ISO week of its year.
				 pg_catalog.date_part('week', pg_catalog.make_date(pg_catalog.date_part('isoyear', $2)::integer - 1, 12, 28))::integer
					AS weeks_before) AS w;
END;
COMMENT ON FUNCTION kpi.year_earlier(text, timestamp) IS
	'Internal: the start of the same period one year before the period of the grain starting at period_start (local time): the same ISO week number of the previous ISO year for weeks, week 52 for week 53 when that year has no week 53 (clamped); twelve months earlier otherwise.';

-- The end (local time) of "the same span" of a period starting at
-- period_start as elapsed (an age(): months, days, time) from the start of
-- another: the same position in it, ending with the month when the day does
-- not exist there.
CREATE FUNCTION kpi.same_span_end(grain text, period_start timestamp, elapsed interval,
								  OUT span_end timestamp, OUT clamped boolean)
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
	SELECT LEAST(e.wanted, e.month_end), e.wanted > e.month_end
	FROM (SELECT period_start + elapsed AS wanted,
				 period_start + CASE WHEN grain = 'week' THEN interval '7 days'
									 ELSE pg_catalog.make_interval(months =>
											  (pg_catalog.date_part('year', elapsed) * 12
											   + pg_catalog.date_part('month', elapsed))::integer + 1) END
					AS month_end) AS e;
END;
COMMENT ON FUNCTION kpi.same_span_end(text, timestamp, interval) IS
	'Internal: where the span of length elapsed (months, days and time of day, as age() gives it) ends when it starts at period_start, on the wall clock; clamped to the end of the month (of the week, for weeks) when the day does not exist in it.';

CREATE FUNCTION kpi.calendar_comparisons(grain text, as_of timestamptz)
	RETURNS TABLE (comparison text, current_start timestamptz, current_end timestamptz,
				   compared_start timestamptz, compared_end timestamptz, clamped boolean, note text)
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
	WITH now_local AS (
		SELECT as_of::timestamp AS moment,
			   pg_catalog.date_trunc(grain, as_of::timestamp) AS period_start,
			   CASE grain WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '1 month'
						  WHEN 'quarter' THEN interval '3 months' ELSE interval '1 year' END AS step
		WHERE kpi.check_grain(grain)
	), periods AS (
		SELECT n.moment, n.period_start, n.period_start - n.step AS previous_start, n.step,
			   pg_catalog.age(n.moment, n.period_start) AS elapsed
		FROM now_local n
	), spans AS (
		SELECT 1 AS position, 'to_date_vs_previous' AS comparison,
			   p.period_start AS current_start, p.moment AS current_end,
			   p.previous_start AS compared_start, s.span_end AS compared_end, s.clamped, false AS week_clamped, p.moment
		FROM periods p, kpi.same_span_end(grain, p.previous_start, p.elapsed) AS s
		UNION ALL
		SELECT 2, 'complete_vs_previous', p.previous_start, p.period_start,
			   p.previous_start - p.step, p.previous_start, false, false, p.moment
		FROM periods p
		UNION ALL
		SELECT 3, 'to_date_vs_last_year', p.period_start, p.moment,
			   y.year_start, s.span_end, s.clamped OR y.clamped, y.clamped, p.moment
		FROM periods p, kpi.year_earlier(grain, p.period_start) AS y,
			 kpi.same_span_end(grain, y.year_start, p.elapsed) AS s
		UNION ALL
		SELECT 4, 'complete_vs_last_year', p.previous_start, p.period_start,
			   y.year_start, y.year_start + p.step, y.clamped, y.clamped, p.moment
		FROM periods p, kpi.year_earlier(grain, p.previous_start) AS y
	)
	SELECT s.comparison, s.current_start::timestamptz, s.current_end::timestamptz,
		   s.compared_start::timestamptz, s.compared_end::timestamptz, s.clamped,
		   CASE WHEN s.week_clamped THEN
					pg_catalog.format(kpi.translate('ISO year %s has no week 53: compared with week 52.',
													'Das ISO-Jahr %s hat keine Woche 53: verglichen mit Woche 52.'),
									  pg_catalog.date_part('isoyear', s.compared_start)::integer)
				WHEN s.clamped THEN
					pg_catalog.format(kpi.translate('The compared period has no day matching %s: compared up to the end of its month, %s.',
													'Der Vergleichszeitraum hat keinen Tag, der %s entspricht: verglichen bis zum Ende seines Monats, %s.'),
									  kpi.show_date(s.moment::date), kpi.show_date((s.compared_end - interval '1 day')::date))
				END
	FROM spans s
	ORDER BY s.position;
END;
COMMENT ON FUNCTION kpi.calendar_comparisons(text, timestamptz) IS
	'The spans kpi.compare_periods compares for a grain (week, month, quarter, year) as of a moment, in the session''s time zone: to_date_vs_previous, complete_vs_previous, to_date_vs_last_year, complete_vs_last_year; clamped, with a note, when the compared period lacks the matching day or ISO week.';

------------------------------------------------------------------------------
-- Measuring several spans.
------------------------------------------------------------------------------

/*
 * The source is read as kpi.measure reads it: by kpi.read_source, as the
 * source's owner after checking the caller's SELECT (doc/security.md).  It
 * measures contiguous periods in one grouped query, so the spans are laid
 * into chains of contiguous spans, and each chain is one query (one index
 * range scan from its first bound to its last).  compare_periods' spans form
 * three chains: the period before the last, the last complete one and the
 * current one to date; the previous period to date; the same periods a year
 * earlier (two chains when ISO week 53 makes the weeks a year earlier not
 * follow each other).  An empty span gets the aggregate's value over no rows
 * without a query: 0 for a count, NULL for every other metric.
 */
CREATE FUNCTION kpi.measure_spans(definition kpi.definitions, lows timestamptz[], highs timestamptz[])
	RETURNS TABLE (span_start timestamptz, span_end timestamptz, value double precision, row_count bigint,
				   state kpi.ratio)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lo timestamptz;
	hi timestamptz;
	-- The chains, flat: every bound with the number of its chain.
	bounds timestamptz[] := '{}';
	chains integer[] := '{}';
	chain integer := 0;
BEGIN
	IF pg_catalog.cardinality(lows) <> pg_catalog.cardinality(highs)
	   OR EXISTS (SELECT FROM ROWS FROM (pg_catalog.unnest(lows), pg_catalog.unnest(highs)) AS s(lo, hi)
				  WHERE s.lo IS NULL OR s.hi IS NULL OR s.hi < s.lo) THEN
		RAISE EXCEPTION 'spans must pair each start with an end not before it'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The starts given are %s, the ends %s.', lows, highs);
	END IF;
	-- A span continues the chain whose last bound is its start, or starts one.
	FOR lo, hi IN
		SELECT DISTINCT s.lo, s.hi FROM ROWS FROM (pg_catalog.unnest(lows), pg_catalog.unnest(highs)) AS s(lo, hi)
		WHERE s.hi > s.lo ORDER BY 1, 2
	LOOP
		IF chain = 0 OR bounds[pg_catalog.cardinality(bounds)] <> lo THEN
			chain := chain + 1;
			bounds := bounds || lo;
			chains := chains || chain;
		END IF;
		bounds := bounds || hi;
		chains := chains || chain;
	END LOOP;
	RETURN QUERY
	WITH chain AS (
		SELECT c.chain, pg_catalog.array_agg(c.bound ORDER BY c.position) AS bounds
		FROM ROWS FROM (pg_catalog.unnest(bounds), pg_catalog.unnest(chains)) WITH ORDINALITY AS c(bound, chain, position)
		GROUP BY c.chain
	), measured AS (
		SELECT ch.bounds[r.period] AS span_start, ch.bounds[r.period + 1] AS span_end, r.value, r.row_count, r.state
		FROM chain AS ch CROSS JOIN LATERAL kpi.read_source(ARRAY[definition], ch.bounds, false, true) AS r
	)
	SELECT s.lo, s.hi,
		   CASE WHEN m.span_start IS NOT NULL THEN m.value
				WHEN (definition).metric = 'count' THEN 0::double precision END,
		   COALESCE(m.row_count, 0), m.state
	FROM ROWS FROM (pg_catalog.unnest(lows), pg_catalog.unnest(highs)) WITH ORDINALITY AS s(lo, hi, position)
	LEFT JOIN measured AS m ON m.span_start = s.lo AND m.span_end = s.hi
	ORDER BY s.position;
END
$$;
COMMENT ON FUNCTION kpi.measure_spans(kpi.definitions, timestamptz[], timestamptz[]) IS
	'A KPI definition over each span [lows[k], highs[k]) (spans may overlap), in the order given: span_start, span_end, value, row_count and the kpi.ratio summary whose change kpi.compare tests (NULL for sum and count, and for an empty span). Read as kpi.measure reads (kpi.read_source, as the source''s owner after checking the caller''s SELECT), one grouped query per chain of contiguous spans; an empty span gets the aggregate''s value over no rows.';

------------------------------------------------------------------------------
-- Period over period.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.compare_periods(kpi_name text, grain text, as_of timestamptz DEFAULT kpi.as_of())
	RETURNS TABLE (comparison text,
				   current_start timestamptz, current_end timestamptz, current_value double precision,
				   compared_start timestamptz, compared_end timestamptz, compared_value double precision,
				   change double precision, relative_change double precision, improved boolean,
				   clamped boolean, note text, p_value double precision, significant boolean)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
BEGIN ATOMIC
	WITH definition AS MATERIALIZED (
		SELECT kpi.definition(kpi_name) AS d
	), comparisons AS MATERIALIZED (
		SELECT c.* FROM kpi.calendar_comparisons(grain, as_of) AS c
	), spans AS (
		SELECT DISTINCT v.span_start, v.span_end
		FROM comparisons c,
			 LATERAL (VALUES (c.current_start, c.current_end), (c.compared_start, c.compared_end)) AS v(span_start, span_end)
	), measured AS MATERIALIZED (
		SELECT m.*
		FROM definition,
			 (SELECT pg_catalog.array_agg(s.span_start) AS lows, pg_catalog.array_agg(s.span_end) AS highs FROM spans s) AS a,
			 kpi.measure_spans(definition.d, a.lows, a.highs) AS m
	)
	SELECT c.comparison, c.current_start, c.current_end, cur.value,
		   c.compared_start, c.compared_end, cmp.value,
		   cur.value - cmp.value,
		   (cur.value - cmp.value) / NULLIF(pg_catalog.abs(cmp.value), 0),
		   CASE (definition.d).direction WHEN 'lower_is_better' THEN cur.value < cmp.value
										 WHEN 'higher_is_better' THEN cur.value > cmp.value END,
		   c.clamped, c.note, t.p_value, t.significant
	FROM comparisons c
	CROSS JOIN definition
	JOIN measured cur ON cur.span_start = c.current_start AND cur.span_end = c.current_end
	JOIN measured cmp ON cmp.span_start = c.compared_start AND cmp.span_end = c.compared_end
	LEFT JOIN LATERAL kpi.compare(cur.state, cmp.state) AS t ON true
	ORDER BY pg_catalog.array_position(
		ARRAY['to_date_vs_previous', 'complete_vs_previous', 'to_date_vs_last_year', 'complete_vs_last_year'], c.comparison);
END;
COMMENT ON FUNCTION kpi.compare_periods(text, text, timestamptz) IS
	'Period over period for the KPI called kpi_name by calendar grain (week, month, quarter, year) as of a moment (kpi.as_of() when not given), in the session''s time zone: the current period to date against the same span of the previous period, the last complete period against the one before, and both against the same period a year earlier; with change, relative change, whether it improved in the KPI''s direction, the two-sided p-value of the change and whether it is significant at 95 % (kpi.compare; NULL for sum and count, which have no variance model), and clamped with a note where the compared period lacks the matching day. The source is read as kpi.measure reads it (as its owner), in three grouped queries (four around ISO week 53).';

------------------------------------------------------------------------------
-- A year earlier, for review periods (the scorecard's yoy_change).
------------------------------------------------------------------------------

-- Review periods of whole months are compared with the same months a year
-- earlier; others (weeks, days) with 52 weeks earlier, the same weekdays.
CREATE FUNCTION kpi.year_ago_shift(every interval) RETURNS interval
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN every = pg_catalog.make_interval(months => (pg_catalog.date_part('year', every) * 12
																  + pg_catalog.date_part('month', every))::integer)
				THEN interval '1 year' ELSE interval '364 days' END;
COMMENT ON FUNCTION kpi.year_ago_shift(interval) IS
	'Internal: how far back "the same review period a year earlier" is for a review cadence: 1 year for whole months, 364 days (52 weeks, the same weekdays) otherwise.';
