/* kpi -- the KPI catalog, part 3d: funnel KPIs (issue 11) */

/*
 * A definition with metric funnel_conversion measures a funnel (kpi.funnel,
 * 13_funnel.sql) from its source: the share of the entities that started the
 * funnel in a period and reached the last step within funnel_within of that
 * start.  The definition names columns only, never SQL text:
 *   entity_column   the entity going through the funnel (a lead, a user)
 *   time_column     when the row happened, as for every KPI
 *   step_columns    the boolean columns that mark the steps, in order (2 to 32)
 *   funnel_within   how long after step 1 the last step may happen
 *
 * The period a funnel belongs to is the one of its step 1, the start of the
 * chain: period k counts the entities with a step-1 row in [bounds[k],
 * bounds[k+1]), and reads their later steps up to funnel_within after that
 * step 1, even beyond the period's end.  A step-1 row of another period
 * starts no chain in period k.  So one entity is counted at most once per
 * period (once in each period in which it started), and
 *   value = entities that reached the last step / entities that reached step 1
 * is a kpi.conversion_rate over entities, a kpi.ratio that can never exceed
 * 1.  row_count is the number of entities that reached step 1 in the period.
 * An entity that starts in two periods counts in each, so the counts of
 * two weeks add up to those of the fortnight only when no entity starts twice.
 * Rows whose entity or time is NULL are skipped; a NULL step counts as false.
 *
 *   kpi.funnel_problems(definition kpi.definitions) → text[]
 *       Why the funnel columns of a funnel_conversion definition cannot be
 *       measured (kpi.measure_problems adds them); empty when they can, and
 *       for every other metric.  Never fails on a broken definition.
 *   kpi.funnel_query(definition kpi.definitions)
 *       → (columns name[], query text, empty_query text)
 *       The grouped query of kpi.source_query for one funnel_conversion
 *       definition ($1 the bounds, $2 and $3 the first and last); errors
 *       42703 (a column is missing) and 22023 (it cannot be measured).
 */

CREATE FUNCTION kpi.funnel_problems(definition kpi.definitions) RETURNS text[]
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[] := '{}';
	step name;
	position integer := 0;
BEGIN
	-- A source that no longer exists is kpi.measure_problems' to report.
	-- Tested as it tests it (has_table_privilege is NULL for a dropped
	-- relation): a simple expression that PL/pgSQL evaluates without the
	-- executor, where a query over pg_class ran for every KPI of every
	-- metric (and, under forced parallel plans, started a worker).
	IF d.metric IS DISTINCT FROM 'funnel_conversion' OR d.source IS NULL
	   OR pg_catalog.has_table_privilege(d.source, 'SELECT') IS NULL THEN
		RETURN problems;
	END IF;
	IF d.entity_column IS NOT NULL AND kpi.column_type(d.source, d.entity_column) IS NULL THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'%s has no column %I: correct entity_column.', '%s hat keine Spalte %I: korrigieren Sie entity_column.'),
			d.source, d.entity_column);
	END IF;
	FOREACH step IN ARRAY COALESCE(d.step_columns, '{}') LOOP
		position := position + 1;
		IF step IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'Step %s of step_columns is NULL: name a boolean column.',
				'Schritt %s von step_columns ist NULL: nennen Sie eine boolean-Spalte.'), position);
		ELSIF kpi.column_type(d.source, step) IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'%s has no column %I: correct step %s of step_columns.',
				'%s hat keine Spalte %I: korrigieren Sie Schritt %s von step_columns.'), d.source, step, position);
		ELSIF kpi.type_kind(kpi.column_type(d.source, step)) <> 'boolean' THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The step column %I is %s, not boolean: a step is a boolean column of the source (compute it in a view, e.g. event = ''lead'' AS is_lead).',
				'Die Schrittspalte %I hat den Typ %s statt boolean: ein Schritt ist eine boolean-Spalte der Quelle (berechnen Sie sie in einer Sicht, z. B. event = ''lead'' AS is_lead).'),
				step, kpi.column_type(d.source, step));
		END IF;
	END LOOP;
	IF pg_catalog.cardinality(d.step_columns) > 32 THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'step_columns has %s steps; a funnel has at most 32.', 'step_columns hat %s Schritte; ein Trichter hat höchstens 32.'),
			pg_catalog.cardinality(d.step_columns));
	END IF;
	IF d.funnel_within <= interval '0' THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'funnel_within %s is not positive: give the window after step 1, e.g. 14 days.',
			'funnel_within %s ist nicht positiv: geben Sie das Zeitfenster nach Schritt 1 an, z. B. 14 days.'), kpi.show_interval(d.funnel_within));
	ELSIF pg_catalog.date_part('month', d.funnel_within) <> 0 OR pg_catalog.date_part('year', d.funnel_within) <> 0 THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'funnel_within %s has months or years, which have no fixed length: give it in days, e.g. 30 days.',
			'funnel_within %s enthält Monate oder Jahre, die keine feste Länge haben: geben Sie es in Tagen an, z. B. 30 days.'), kpi.show_interval(d.funnel_within));
	ELSIF d.funnel_within > interval '3660 days' THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'funnel_within %s is longer than 3660 days.', 'funnel_within %s ist länger als 3660 Tage.'), kpi.show_interval(d.funnel_within));
	END IF;
	RETURN problems;
END
$$;
COMMENT ON FUNCTION kpi.funnel_problems(kpi.definitions) IS
	'Internal: why the funnel columns of a funnel_conversion definition cannot be measured (entity_column or a step column missing, a step not boolean, more than 32 steps, funnel_within not positive, with months or years, or over 3660 days); empty when they can and for other metrics. Never fails on a broken definition.';

/*
 * The query, from quoted identifiers (%I) and literals (%L) only.  Each row
 * in [$2, $3 + within) is a candidate for every period k that a step 1 of
 * its chain may lie in: bounds[k] <= ts and ts - within < bounds[k+1],
 * i.e. k from width_bucket(ts - within) to width_bucket(ts).  Per period and
 * entity, kpi.funnel runs with step 1 restricted to the rows of period k;
 * then kpi.conversion_rate over the entities that reached step 1.  The
 * window is passed as exact seconds, as kpi.funnel reads it (a day is 24
 * hours), so that the candidate periods agree with it across DST changes.
 */
CREATE FUNCTION kpi.funnel_query(definition kpi.definitions, with_states boolean DEFAULT false,
								 OUT columns name[], OUT query text, OUT empty_query text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	missing name;
	within_sql text;
	steps integer := COALESCE(pg_catalog.cardinality(d.step_columns), 0);
	q record;
	event_list text;
	step_list text;
BEGIN
	-- A missing entity or step column first (42703), as kpi.measure_query
	-- reports a missing time or filter column.
	IF d.source IS NOT NULL AND pg_catalog.has_table_privilege(d.source, 'SELECT') IS NOT NULL THEN
		FOR missing IN
			SELECT c.column_name FROM pg_catalog.unnest(ARRAY[d.entity_column] || d.step_columns) AS c(column_name)
			WHERE c.column_name IS NOT NULL AND kpi.column_type(d.source, c.column_name) IS NULL
		LOOP
			RAISE EXCEPTION 'column "%" of KPI "%" does not exist', missing, d.name
				USING ERRCODE = 'undefined_column',
					  DETAIL = pg_catalog.format('%s has no column %I.', d.source, missing),
					  HINT = 'entity_column and step_columns name columns of the source.';
		END LOOP;
	END IF;
	-- Every other check of kpi.measure (22023, 42703, 42P01), with the
	-- funnel's (kpi.measure_problems, kpi.metric_columns_problem).
	within_sql := CASE WHEN d.funnel_within > interval '0' AND d.funnel_within <= interval '3660 days' THEN
		pg_catalog.format('%L::pg_catalog.interval',
						  EXTRACT(epoch FROM d.funnel_within)::pg_catalog.text || ' seconds') END;
	q := kpi.measure_query(d, '$2', pg_catalog.format('($3 + %s)', within_sql));

	columns := ARRAY[d.time_column, d.entity_column] || d.step_columns
			   || ARRAY(SELECT f.key::name FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key));
	event_list := (SELECT pg_catalog.string_agg(pg_catalog.format(', %I AS kpi_step_%s', s.step, s.k), '' ORDER BY s.k)
				   FROM pg_catalog.unnest(d.step_columns) WITH ORDINALITY AS s(step, k));
	step_list := (SELECT pg_catalog.string_agg(pg_catalog.format(', kpi_event.kpi_step_%s', k), '' ORDER BY k)
				  FROM pg_catalog.generate_series(2, steps) AS k);
	query := pg_catalog.format($q$
SELECT kpi_entity.kpi_period,
	   ARRAY[kpi.conversion_rate(kpi_entity.kpi_reached = %1$s)]::pg_catalog.float8[],
	   ARRAY[pg_catalog.count(*)]::pg_catalog.int8[]%8$s
FROM (SELECT kpi_period.kpi_period, kpi_event.kpi_entity,
			 kpi.funnel(kpi_event.kpi_ts, %2$s,
						kpi_event.kpi_step_1 AND pg_catalog.width_bucket(kpi_event.kpi_ts, $1) = kpi_period.kpi_period%3$s) AS kpi_reached
	  FROM (SELECT %4$I AS kpi_entity, %5$I::pg_catalog.timestamptz AS kpi_ts%6$s
			%7$s) AS kpi_event
		   CROSS JOIN LATERAL pg_catalog.generate_series(
				GREATEST(1, pg_catalog.width_bucket(kpi_event.kpi_ts - %2$s, $1)),
				LEAST(pg_catalog.cardinality($1) - 1, pg_catalog.width_bucket(kpi_event.kpi_ts, $1))) AS kpi_period(kpi_period)
	  WHERE kpi_event.kpi_entity IS NOT NULL
	  GROUP BY 1, 2) AS kpi_entity
WHERE kpi_entity.kpi_reached > 0
GROUP BY 1$q$,
		steps, within_sql, step_list, d.entity_column, d.time_column, event_list, q.from_where_sql,
		-- for kpi.compare: each entity one unit, reached the last step or not
		CASE WHEN with_states THEN pg_catalog.format(
			', ARRAY[kpi.ratio_agg((kpi_entity.kpi_reached = %s)::pg_catalog.int4, 1)]::kpi.ratio[]', steps) ELSE '' END);
	empty_query := pg_catalog.format(
		'SELECT ARRAY[kpi.conversion_rate(NULL::pg_catalog.bool)]::pg_catalog.float8[] FROM %s AS kpi_source WHERE false', d.source);
END
$$;
COMMENT ON FUNCTION kpi.funnel_query(kpi.definitions, boolean) IS
	'Internal: the columns read, the grouped query ($1 the bounds, $2 the first, $3 the last; with with_states also the kpi.ratio_agg over entities that kpi.compare tests) and the query over no rows by which kpi.read_source measures one funnel_conversion definition: per period, the entities with a step-1 row in it that reached the last step within funnel_within of it, over those that reached step 1 (doc/funnels.md); errors 42703 and 22023 as kpi.measure.';
