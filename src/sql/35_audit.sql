/* kpi -- the KPI catalog, part 4: the portfolio audit */

/*
 *   kpi.audit() → TABLE (kind text, kpis text[], detail text)
 *       too_many, not_aligned, not_smart, redundant; and stale, from
 *       kpi.audit_stale() of the monitoring part (30_monitor.sql), which
 *       comes before this file.
 */

------------------------------------------------------------------------------
-- The portfolio audit: the three classic KPI mistakes, and redundancy.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.audit() RETURNS TABLE (kind text, kpis text[], detail text)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	max_active integer := kpi.setting('max_active_kpis')::integer;
	weeks_end timestamptz := pg_catalog.date_trunc('week', kpi.as_of());
	weeks_start timestamptz := pg_catalog.date_trunc('week', kpi.as_of()) - interval '12 weeks';
BEGIN
	-- too_many: more active KPIs per team than kpi.max_active_kpis.
	RETURN QUERY
	SELECT 'too_many', pg_catalog.array_agg(a.name ORDER BY a.name),
		   pg_catalog.format(kpi.translate(
			   'Team %s has %s active KPIs, more than kpi.max_active_kpis = %s: keep the few that drive decisions, such as CAC, ROMI and the conversion rate, and set active = false on the rest.',
			   'Team %s hat %s aktive Kennzahlen, mehr als kpi.max_active_kpis = %s: behalten Sie die wenigen, die Entscheidungen lenken, etwa CAC, ROMI und die Konversionsrate, und setzen Sie bei den übrigen active = false.'),
			   a.team, pg_catalog.count(*), max_active)
	FROM (SELECT DISTINCT d.name, pg_catalog.lower(pg_catalog.btrim(t.team)) AS team
		  FROM kpi.definitions AS d, pg_catalog.unnest(d.teams) AS t(team)
		  WHERE d.active AND pg_catalog.btrim(t.team) <> '') AS a
	GROUP BY a.team
	HAVING pg_catalog.count(*) > max_active
	ORDER BY a.team;

	-- not_aligned: nothing owned jointly by marketing and sales, no lead
	-- generation KPI, or no closing-rate KPI.
	RETURN QUERY
	SELECT 'not_aligned', '{}'::text[], m.message
	FROM (VALUES
		(1, NOT EXISTS (SELECT FROM kpi.definitions AS d
						WHERE d.active
						  AND EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team)
									  WHERE pg_catalog.lower(pg_catalog.btrim(t.team)) = 'marketing')
						  AND EXISTS (SELECT FROM pg_catalog.unnest(d.teams) AS t(team)
									  WHERE pg_catalog.lower(pg_catalog.btrim(t.team)) IN ('sales', 'vertrieb'))),
		 kpi.translate(
			 'No active KPI is owned jointly by marketing and sales (teams {marketing,sales}): agree on shared KPIs in a joint meeting, covering both lead generation and the closing rate.',
			 'Keine aktive Kennzahl gehört Marketing und Vertrieb gemeinsam (teams {marketing,sales}): vereinbaren Sie in einem gemeinsamen Termin geteilte Kennzahlen, die Leadgenerierung und Abschlussquote abdecken.')),
		(2, NOT EXISTS (SELECT FROM kpi.definitions AS d WHERE d.active AND d.stage = 'lead'),
		 kpi.translate(
			 'No active KPI measures lead generation (stage lead): add one, e.g. the leads per week or the cost per lead.',
			 'Keine aktive Kennzahl misst die Leadgenerierung (stage lead): ergänzen Sie eine, z. B. Leads pro Woche oder Kosten pro Lead.')),
		(3, NOT EXISTS (SELECT FROM kpi.definitions AS d
						WHERE d.active AND d.stage = 'customer' AND d.metric = 'conversion_rate'),
		 kpi.translate(
			 'No active KPI measures the closing rate (a conversion_rate at stage customer): add one, e.g. customers won per opportunity.',
			 'Keine aktive Kennzahl misst die Abschlussquote (eine conversion_rate mit stage customer): ergänzen Sie eine, z. B. gewonnene Kunden je Verkaufschance.'))
	) AS m(position, missing, message)
	WHERE m.missing
	ORDER BY m.position;

	-- not_smart: every active KPI that fails a SMART criterion.
	RETURN QUERY
	SELECT 'not_smart', ARRAY[d.name],
		   pg_catalog.format(kpi.translate('Fails %s; kpi.smart_check(%L) says why.',
										   'Verfehlt %s; kpi.smart_check(%L) nennt die Gründe.'),
							 pg_catalog.string_agg(c.criterion, ', ' ORDER BY c.ordinality), d.name)
	FROM kpi.definitions AS d
		 CROSS JOIN LATERAL kpi.smart_criteria(d) WITH ORDINALITY AS c
	WHERE d.active AND NOT c.passed
	GROUP BY d.name
	ORDER BY d.name;

	-- redundant: the same computation twice, or weekly series that move together.
	RETURN QUERY
	SELECT 'redundant', pg_catalog.array_agg(d.name ORDER BY d.name),
		   kpi.translate('Same metric, source, columns and filters: keep one of them.',
						 'Gleiche Kennzahlart, Quelle, Spalten und Filter: behalten Sie eine davon.')
	FROM kpi.definitions AS d
	WHERE d.active
	GROUP BY d.metric, d.source, d.time_column, d.numerator_column, d.denominator_column, d.filters
	HAVING pg_catalog.count(*) > 1
	ORDER BY 2;

	-- The weekly series of every active KPI: one query per source, read as
	-- its owner, a broken KPI without values (kpi.measure_sources).
	RETURN QUERY
	WITH weekly AS (
		SELECT d.name, d.metric, d.source, d.time_column, d.numerator_column, d.denominator_column, d.filters,
			   w.period_start AS bucket_start, w.value
		FROM kpi.measure_sources(ARRAY(SELECT a.name FROM kpi.definitions AS a WHERE a.active),
								 ARRAY(SELECT pg_catalog.generate_series(weeks_start, weeks_end, interval '7 days'))) AS w
			 JOIN kpi.definitions AS d ON d.name = w.name
		WHERE w.row_count > 0 AND w.value IS NOT NULL
	)
	SELECT 'redundant', ARRAY[a.name, b.name],
		   pg_catalog.format(kpi.translate(
			   'Their weekly values over the last 12 weeks correlate at r = %s (%s weeks): they tell the same story, so keep one of them.',
			   'Ihre Wochenwerte der letzten 12 Wochen korrelieren mit r = %s (%s Wochen): sie erzählen dasselbe, behalten Sie eine davon.'),
			   pg_catalog.round(pg_catalog.corr(a.value, b.value)::numeric, 3), pg_catalog.count(*))
	FROM weekly AS a JOIN weekly AS b ON a.bucket_start = b.bucket_start AND a.name < b.name
	-- Pairs that compute the same thing were reported above.
	WHERE (a.metric, a.source, a.time_column, a.numerator_column, a.denominator_column, a.filters)
		  IS DISTINCT FROM (b.metric, b.source, b.time_column, b.numerator_column, b.denominator_column, b.filters)
	GROUP BY a.name, b.name
	HAVING pg_catalog.count(*) >= 4 AND pg_catalog.abs(pg_catalog.corr(a.value, b.value)) >= 0.95
	ORDER BY a.name, b.name;

	-- stale: an active KPI whose last review is older than twice its
	-- review_every, from the reviews of the monitoring part (30_monitor.sql).
	RETURN QUERY SELECT s.kind, s.kpis, s.detail FROM kpi.audit_stale() AS s;
END
$$;
COMMENT ON FUNCTION kpi.audit() IS
	'Audits the active KPIs as a portfolio, one row per finding: too_many (per team, over kpi.max_active_kpis), not_aligned (no joint marketing and sales KPI, no lead-generation or closing-rate KPI), not_smart, redundant (same computation, or weekly series with |r| ≥ 0.95 over the 12 weeks before kpi.as_of()), and stale (no review for twice review_every, from kpi.audit_stale).';
