/* kpi -- the KPI catalog, part 3b: reading a source as its owner */

/*
 * Every value of the catalog is read from its source by kpi.read_source
 * (src/run_as_owner.c): as the source's owner, inside a security-restricted
 * operation, after checking that the caller may SELECT what it reads.  So no
 * kpi function, view or trigger runs code that another role owns with the
 * caller's privileges (doc/security.md).
 *
 *   kpi.source_owner_problem(source regclass) → text
 *       row_level_security, security_invoker or foreign_table when reading
 *       the source as its owner would change the rows the caller sees (and
 *       the caller is not the owner), view_of_other_role for a view whose
 *       owner's privileges the caller lacks; NULL otherwise.
 *   kpi.source_query(definitions kpi.definitions[], with_states boolean DEFAULT false)
 *       → (source regclass, columns name[], names text[], query text, empty_query text)
 *       The one grouped query that measures definitions of one source and
 *       time column over a set of periods ($1 the bounds, $2 and $3 the
 *       first and last), and the same aggregates over no rows.  A
 *       funnel_conversion definition is measured alone, by a query of its
 *       own (kpi.funnel_query, 26_funnel_catalog.sql).
 *   kpi.read_source(definitions kpi.definitions[], bounds timestamptz[], isolate boolean,
 *                   with_states boolean DEFAULT false)
 *       → TABLE (name text, period integer, value double precision, row_count bigint, problem text,
 *                state kpi.ratio)
 *   kpi.measure_sources(kpi_names text[], bounds timestamptz[], with_states boolean DEFAULT false)
 *       → TABLE (name text, period_start timestamptz, period_end timestamptz,
 *                value double precision, row_count bigint, problem text, state kpi.ratio)
 *       The stored KPIs named, one kpi.read_source per source, each broken
 *       one isolated: what the scorecard and the audit read.
 */

CREATE FUNCTION kpi.source_owner_problem(source regclass) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_source_owner_problem'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.source_owner_problem(regclass) IS
	'Internal: row_level_security, security_invoker or foreign_table when kpi, which reads a source as its owner, would read other rows than the caller could (the caller is not the owner), view_of_other_role for a view whose owner''s privileges the caller lacks (its functions would see the owner''s identity); NULL otherwise.';

/*
 * The summary behind a definition's value for the significance of a change
 * (kpi.compare): the kpi.ratio_agg of its pair, which keeps the moments of
 * the delta method (each row one unit).  The same expression as a summary
 * table keeps (kpi.summary_ratio_sql), so a summary gives the same state as
 * the raw rows.  The ratio metrics compare Σnumerator/Σdenominator (romi's
 * change is that of revenue/spend, 1 lower); average compares Σx/n; a
 * boolean conversion rate its true rows over its rows.  sum and count have
 * no variance model (a total of all rows, not an estimate from a sample):
 * NULL.
 */
CREATE FUNCTION kpi.state_sql(definition kpi.definitions, row_filter text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF definition.metric::text <> ALL ('{conversion_rate,cac,romi,roas,ratio,average}') THEN
		RETURN 'NULL::kpi.ratio';
	END IF;
	RETURN kpi.summary_ratio_sql(definition.source, definition.numerator_column,
								 CASE WHEN definition.metric = 'average' THEN NULL ELSE definition.denominator_column END)
		   || CASE WHEN row_filter IS NOT NULL THEN pg_catalog.format(' FILTER (WHERE %s)', row_filter) ELSE '' END;
END
$$;
COMMENT ON FUNCTION kpi.state_sql(kpi.definitions, text) IS
	'Internal: the kpi.ratio_agg expression (with moments) whose change kpi.compare tests for a definition, over the rows where row_filter holds; NULL::kpi.ratio for sum and count, which have no variance model.';

/*
 * The query builder of kpi.read_source: one query, grouped by the period a
 * row falls in (width_bucket over the bounds), that computes every KPI of
 * the source in one scan of [$2, $3).  A GROUP BY over a computed bucket,
 * rather than a subquery per period, is what Citus pushes down to its
 * workers.  One definition has its filters in the WHERE clause (an index can
 * use them); several have them in FILTER clauses.  One definition is checked
 * first (kpi.measure_query: the errors of kpi.measure); several are checked
 * by the caller (kpi.measure_sources), and a bad one only fails the query.
 * Built from quoted identifiers and literals only.
 */
CREATE FUNCTION kpi.source_query(definitions kpi.definitions[], with_states boolean DEFAULT false,
								 OUT source regclass, OUT columns name[], OUT names text[],
								 OUT query text, OUT empty_query text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
	single boolean := pg_catalog.cardinality(definitions) = 1;
	q record;
	time_column name;
	row_filter text;
	value_list text[] := '{}';
	value_sql text;
	count_list text[] := '{}';
	state_list text[] := '{}';
	from_where text;
BEGIN
	FOREACH d IN ARRAY definitions LOOP
		IF source IS NULL THEN
			source := d.source;
			time_column := d.time_column;
		ELSIF d.source IS DISTINCT FROM source OR d.time_column IS DISTINCT FROM time_column THEN
			RAISE EXCEPTION 'the definitions must share one source and time column'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF d.metric IS NULL OR d.metric::text <> ALL ('{conversion_rate,cac,romi,roas,ratio,sum,count,average,funnel_conversion}') THEN
			RAISE EXCEPTION 'KPI "%" has no metric kpi can compute', d.name
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- A funnel groups by entity: its query of its own (kpi.funnel_query).
		IF d.metric = 'funnel_conversion' THEN
			IF NOT single THEN
				RAISE EXCEPTION 'a funnel_conversion KPI is measured alone'
					USING ERRCODE = 'invalid_parameter_value',
						  DETAIL = pg_catalog.format('KPI "%s" was given with other definitions.', d.name);
			END IF;
			source := d.source;
			names := ARRAY[d.name];
			q := kpi.funnel_query(d, with_states);
			columns := q.columns;
			query := q.query;
			empty_query := q.empty_query;
			RETURN;
		END IF;
		names := names || d.name;
		columns := columns || ARRAY[d.time_column, d.numerator_column, d.denominator_column];
		-- (a query only for a KPI with filters)
		IF d.filters <> '{}'::jsonb THEN
			columns := columns || ARRAY(SELECT f.key::name FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key));
		END IF;
		value_sql := NULL;
		IF single THEN
			q := kpi.measure_query(d, '$2', '$3');
			value_sql := q.value_sql;
			count_list := ARRAY['pg_catalog.count(*)'];
			from_where := q.from_where_sql;
			-- the filters are in from_where
			IF with_states THEN
				state_list := ARRAY[COALESCE(kpi.state_sql(d, NULL), 'NULL::kpi.ratio')];
			END IF;
		ELSE
			row_filter := kpi.filter_sql(d);
			-- (never a NULL element: array_to_string would drop it, and shift the others)
			IF with_states THEN
				state_list := state_list || COALESCE(kpi.state_sql(d, row_filter), 'NULL::kpi.ratio');
			END IF;
		END IF;
		/*
		 * A ratio metric's value is kpi.value (its aggregates' final function)
		 * of the very summary tested: the executor computes one aggregate for
		 * both, so the test costs only the moments.
		 */
		IF with_states AND d.metric::text = ANY ('{conversion_rate,cac,romi,roas,ratio}') THEN
			value_sql := pg_catalog.format(CASE WHEN d.metric = 'romi' THEN 'kpi.romi_value(%s)' ELSE 'kpi.value(%s)' END,
										   state_list[pg_catalog.cardinality(state_list)]);
		END IF;
		value_list := value_list || COALESCE(value_sql, kpi.aggregate_sql(d, row_filter));
		IF NOT single THEN
			count_list := count_list || CASE WHEN row_filter IS NULL THEN 'pg_catalog.count(*)'
											 ELSE pg_catalog.format('pg_catalog.count(*) FILTER (WHERE %s)', row_filter) END;
		END IF;
	END LOOP;
	IF source IS NULL OR time_column IS NULL THEN
		RAISE EXCEPTION 'the definitions need a source and a time column'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	from_where := COALESCE(from_where, kpi.period_sql(source, time_column, '$2', '$3'));
	query := pg_catalog.format(
		'SELECT pg_catalog.width_bucket(%I::pg_catalog.timestamptz, $1), ARRAY[%s]::pg_catalog.float8[], '
		'ARRAY[%s]::pg_catalog.int8[]%s %s GROUP BY 1',
		time_column, pg_catalog.array_to_string(value_list, ', '),
		pg_catalog.array_to_string(count_list, ', '),
		CASE WHEN with_states THEN pg_catalog.format(', ARRAY[%s]::kpi.ratio[]', pg_catalog.array_to_string(state_list, ', ')) ELSE '' END,
		from_where);
	-- A summary of the source where one serves every definition (issue 13).
	query := COALESCE(kpi.summary_query(definitions, with_states), query);
	empty_query := pg_catalog.format('SELECT ARRAY[%s]::pg_catalog.float8[] FROM %s AS kpi_source WHERE false',
									 pg_catalog.array_to_string(value_list, ', '), source);
END
$$;
COMMENT ON FUNCTION kpi.source_query(kpi.definitions[], boolean) IS
	'Internal: the grouped query by which kpi.read_source measures definitions of one source and time column over periods ($1 the bounds, $2 the first, $3 the last), with with_states each KPI''s kpi.ratio summary too (kpi.state_sql), the same aggregates over no rows, the source, the columns read and the KPI names in order.';

CREATE FUNCTION kpi.read_source(definitions kpi.definitions[], bounds timestamptz[], isolate boolean,
								with_states boolean DEFAULT false)
	RETURNS TABLE (name text, period integer, value double precision, row_count bigint, problem text,
				   state kpi.ratio)
	AS 'MODULE_PATHNAME', 'kpi_read_source'
	LANGUAGE C STABLE STRICT PARALLEL UNSAFE ROWS 20;
COMMENT ON FUNCTION kpi.read_source(kpi.definitions[], timestamptz[], boolean, boolean) IS
	'Internal: measures definitions that share one source and time column over each period [bounds[k], bounds[k+1]) in one query (with with_states, also each KPI''s kpi.ratio summary for kpi.compare, NULL for sum and count; STRICT: no rows for a NULL argument), read as the source''s owner inside a security-restricted operation, after checking that the caller may SELECT the columns read (42501 otherwise, and for sources with row-level security, security_invoker views and foreign tables unless the caller owns them, and views unless the caller has their owner''s privileges). With isolate, an error of the source becomes the problem of the KPIs concerned, with NULL values.';

/*
 * The stored KPIs named over each period, as the scorecard and the audit
 * read them: one kpi.read_source per source and time column, isolated, so
 * that a broken definition or source costs only its own KPIs their value.
 * A KPI that cannot be measured, or whose source the caller may not read,
 * gets NULL values and the first reason as problem.
 */
CREATE FUNCTION kpi.measure_sources(kpi_names text[], bounds timestamptz[], with_states boolean DEFAULT false)
	RETURNS TABLE (name text, period_start timestamptz, period_end timestamptz,
				   value double precision, row_count bigint, problem text, state kpi.ratio)
	LANGUAGE plpgsql STABLE PARALLEL UNSAFE SECURITY INVOKER ROWS 20
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	WITH checked AS MATERIALIZED (
		SELECT d, pg_catalog.array_remove(kpi.measure_problems(d) || kpi.metric_columns_problem(d), NULL) AS problems
		FROM kpi.definitions AS d WHERE d.name = ANY (kpi_names)
	), grouped AS (
		SELECT pg_catalog.array_agg(c.d ORDER BY (c.d).name) AS definitions
		FROM checked AS c WHERE c.problems = '{}'
		-- a funnel_conversion KPI is read alone (kpi.funnel_query)
		GROUP BY (c.d).source, (c.d).time_column,
				 CASE WHEN (c.d).metric = 'funnel_conversion' THEN (c.d).name END
	)
	SELECT r.name, bounds[r.period], bounds[r.period + 1], r.value, r.row_count, r.problem, r.state
	FROM grouped AS g CROSS JOIN LATERAL kpi.read_source(g.definitions, bounds, true, COALESCE(with_states, false)) AS r
	UNION ALL
	SELECT (c.d).name, bounds[k], bounds[k + 1], NULL, NULL, c.problems[1], NULL
	FROM checked AS c, pg_catalog.generate_series(1, pg_catalog.cardinality(bounds) - 1) AS k
	WHERE c.problems <> '{}';
END
$$;
COMMENT ON FUNCTION kpi.measure_sources(text[], timestamptz[], boolean) IS
	'Internal: the stored KPIs named over each period [bounds[k], bounds[k+1]), one query per source read as its owner (kpi.read_source), with value, row_count, with with_states the kpi.ratio summary for kpi.compare, and the problem that left a KPI without value (it cannot be measured, the caller may not read its source, or reading failed); one broken KPI never fails the others.';
