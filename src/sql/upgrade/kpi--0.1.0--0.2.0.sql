/* kpi 0.1.0 -> 0.2.0 -- changes to objects that 0.1.0 already had */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION kpi UPDATE TO '0.2.0'" to load this file. \quit

/*
 * Only what changed since 0.1.0, in the order of the install script's parts.
 * Objects that are wholly new in 0.2.0 are not written here: the Makefile
 * appends their files (UPGRADE_0_2_0_NEW_PARTS).  test/upgrade.sh proves that
 * 0.1.0 plus this script equals a fresh 0.2.0 install.
 */

------------------------------------------------------------------------------
-- Catalog layout (issue 7): the audit now comes after monitoring
-- (src/sql/35_audit.sql) and calls kpi.audit_stale() directly instead of
-- looking it up at run time.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION kpi.audit() RETURNS TABLE (kind text, kpis text[], detail text)
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

	RETURN QUERY
	WITH measurable AS (
		SELECT d.*
		FROM kpi.definitions AS d
		WHERE d.active AND kpi.can_measure(d)
	), weekly AS (
		SELECT m.name, m.metric, m.source, m.time_column, m.numerator_column, m.denominator_column, m.filters,
			   w.bucket_start, w.value
		FROM measurable AS m,
			 kpi.measure_series(m::kpi.definitions, interval '7 days', weeks_start, weeks_end) AS w
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

------------------------------------------------------------------------------
-- Settings (issue 7, errors that teach): kpi.setting() is C (src/settings.c),
-- with one short error naming the setting and its allowed values; kpi.settings()
-- lists them.
------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION kpi.setting(setting_name text) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_setting' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.setting(text) IS
	'The validated value of the setting kpi.<name>, or its default (NULL for an empty kpi.as_of); kpi.settings() lists the settings.';

CREATE FUNCTION kpi.settings(OUT name text, OUT value text, OUT default_value text, OUT allowed text, OUT description text)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'kpi_settings_list' LANGUAGE C STABLE PARALLEL SAFE ROWS 6;
COMMENT ON FUNCTION kpi.settings() IS
	'Every kpi.* setting: its value in this session as set (NULL when not set), its default, the values it allows, and what it does.';

------------------------------------------------------------------------------
-- Documentation moved from the README to doc/ (issue 7).
------------------------------------------------------------------------------

COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count or average; see doc/smart-catalog.md for the columns each uses.';
/*
 * Scale-out (issue 9): no function reads its argument types from fn_expr.
 * In 0.1.0 the ratio_agg transition (ratio_summary_accum) and the moving
 * transitions served all sixteen type pairs with one C symbol that asked
 * get_fn_expr_argtype, which returns 0 when Citus's worker_partial_agg calls
 * it through a bare fmgr_info.  Each signature now binds a C symbol compiled
 * for its types.  The 0.1.0 symbols stay in the library for installations
 * that have not run this update yet.
 */
DO $bind_specialised_transitions$
DECLARE
	arg_types CONSTANT text[] := ARRAY['integer', 'bigint', 'numeric', 'double precision'];
	c_names CONSTANT text[] := ARRAY['int4', 'int8', 'numeric', 'float8'];
	fn record;
BEGIN
	FOR i IN 1..4 LOOP
		FOR j IN 1..4 LOOP
			FOR fn IN
				SELECT * FROM (VALUES
					('ratio_summary_accum', 'kpi.ratio', 'kpi_ratio_summary_accum_'),
					('ratio_moving_accum', 'internal', 'kpi_ratio_moving_accum_'),
					('ratio_moving_retract', 'internal', 'kpi_ratio_moving_retract_'),
					('ratio_summary_moving_accum', 'internal', 'kpi_ratio_summary_moving_accum_'),
					('ratio_summary_moving_retract', 'internal', 'kpi_ratio_summary_moving_retract_')
				) AS f(name, state_type, c_prefix)
			LOOP
				EXECUTE pg_catalog.format(
					'CREATE OR REPLACE FUNCTION kpi.%1$I(%2$s, %3$s, %4$s) RETURNS %2$s '
					'AS %5$L, %6$L LANGUAGE C IMMUTABLE PARALLEL SAFE',
					fn.name, fn.state_type, arg_types[i], arg_types[j], 'MODULE_PATHNAME',
					fn.c_prefix || c_names[i] || '_' || c_names[j]);
			END LOOP;
		END LOOP;
	END LOOP;
END
$bind_specialised_transitions$;
