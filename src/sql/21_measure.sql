/* kpi -- the KPI catalog, part 2: the query builder and measuring */

/*
 *   kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz) → double precision
 *   kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz) → double precision
 *       The KPI's value over [period_start, period_end): one query on its source.
 *
 *   kpi.measure_series(kpi_name text, bucket interval, period_start timestamptz, period_end timestamptz)
 *   kpi.measure_series(definition kpi.definitions, bucket interval, period_start timestamptz, period_end timestamptz)
 *       → TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
 *       One row per bucket [period_start + k·bucket, period_start + (k+1)·bucket)
 *       that starts before period_end, in order; the last bucket ends at
 *       period_end at the latest.  Buckets without rows are kept, with
 *       row_count 0 and the value the metric gives for no rows (NULL, or 0 for
 *       count).  One grouped query on the source over the whole range.
 *
 *   kpi.measure_problems(definition kpi.definitions, check_privileges boolean DEFAULT true) → text[]
 *   kpi.metric_columns_problem(definition kpi.definitions) → text
 *       Why a definition cannot be measured (empty array / NULL when it can),
 *       from the system catalogs only: never fails on a broken definition.
 *   kpi.can_measure(definition kpi.definitions) → boolean
 *       Whether the caller can measure it: both of the above find nothing.
 *   kpi.aggregate_sql(definition kpi.definitions, row_filter text) → text
 *   kpi.filter_sql(definition kpi.definitions) → text
 *   kpi.period_sql(source regclass, time_column name, lower_sql text, upper_sql text) → text
 *       The query builder: the metric's aggregate (with FILTER (WHERE
 *       row_filter) when given), the filters as a condition, and the FROM/WHERE
 *       of one period.  kpi.measure, kpi.measure_series and kpi.measure_many
 *       build every query from these.
 *   kpi.column_type(regclass, name), kpi.type_kind(regtype), kpi.number_expression(regclass, name)
 *       Column types and casts that measuring uses.
 */

------------------------------------------------------------------------------
-- Measuring.  The query is built only from the regclass, quoted identifiers
-- (%I) and quoted literals (%L): a definition holds no SQL text.
--
-- The functions that run such a query are PARALLEL UNSAFE, so that a query
-- calling them never runs in parallel mode.  Their own query may well use
-- parallel workers.  But it may be the first in the session to load kpi's C
-- library, which turns the session's kpi.* settings from placeholders into
-- real parameters; in parallel mode PostgreSQL refuses to set parameters, and
-- the settings (kpi.as_of, kpi.language) would silently fall back to their
-- defaults.
------------------------------------------------------------------------------

-- The base type of a column of source, or NULL when it has no such column.
CREATE FUNCTION kpi.column_type(source regclass, column_name name) RETURNS regtype
	AS 'MODULE_PATHNAME', 'kpi_column_type'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION kpi.column_type(regclass, name) IS
	'Internal: the type of a column of a table or view (the base type for a domain); NULL when there is no such column.';

-- How a column type may be used: 'number', 'boolean', 'time' or 'other'.
CREATE FUNCTION kpi.type_kind(column_type regtype) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE
		WHEN column_type IS NULL THEN NULL
		WHEN column_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
							 'numeric'::regtype, 'real'::regtype, 'double precision'::regtype) THEN 'number'
		WHEN column_type = 'boolean'::regtype THEN 'boolean'
		WHEN column_type IN ('date'::regtype, 'timestamp without time zone'::regtype,
							 'timestamp with time zone'::regtype) THEN 'time'
		ELSE 'other' END;
COMMENT ON FUNCTION kpi.type_kind(regtype) IS
	'Internal: number, boolean, time or other: how a column of that type can serve a KPI.';

-- The column, cast to the type the core aggregates take, so that overload
-- resolution is never ambiguous (e.g. for smallint or real columns).
CREATE FUNCTION kpi.number_expression(source regclass, column_name name) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE WHEN source IS NOT NULL AND column_name IS NOT NULL THEN
		pg_catalog.format('%I::%s', column_name,
			CASE kpi.column_type(source, column_name)
				WHEN 'smallint'::regtype THEN 'pg_catalog.int4'
				WHEN 'integer'::regtype THEN 'pg_catalog.int4'
				WHEN 'bigint'::regtype THEN 'pg_catalog.int8'
				WHEN 'numeric'::regtype THEN 'pg_catalog.numeric'
				ELSE 'pg_catalog.float8' END) END;
COMMENT ON FUNCTION kpi.number_expression(regclass, name) IS
	'Internal: a numeric column as an SQL expression cast to integer, bigint, numeric or double precision.';

/*
 * What is wrong with a definition for measuring it, as one message per
 * problem (an empty array when it can be measured).  The messages follow
 * kpi.language.  The checks use only the system catalogs and privileges, so
 * they never fail on a dropped source or an unreadable table.
 */
CREATE FUNCTION kpi.measure_problems(definition kpi.definitions, check_privileges boolean DEFAULT true)
	RETURNS text[]
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[] := '{}';
	unreadable text;
	column_name name;
	kind text;
	filter_key text;
	filter_value jsonb;
BEGIN
	IF d.metric IS NULL THEN
		problems := problems || kpi.translate('No metric is set.', 'Es ist keine Kennzahlart (metric) gesetzt.');
	END IF;
	IF d.source IS NULL THEN
		RETURN problems || kpi.translate('No source table or view is set: set source to the table or view the KPI is computed from.',
										 'Es ist keine Quelltabelle oder -sicht gesetzt: setzen Sie source auf die Tabelle oder Sicht, aus der die Kennzahl berechnet wird.');
	END IF;
	-- (has_table_privilege is NULL for a relation that does not exist: no
	-- query for each KPI of each scorecard)
	IF pg_catalog.has_table_privilege(d.source, 'SELECT') IS NULL THEN
		RETURN problems || kpi.translate(
			'The source table or view was dropped: point source at an existing one.',
			'Die Quelltabelle oder -sicht wurde gelöscht: setzen Sie source auf eine bestehende.');
	END IF;
	-- SELECT on the table, or on each column the KPI reads.
	IF check_privileges AND NOT pg_catalog.has_table_privilege(d.source, 'SELECT') THEN
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(c.column_name), ', ' ORDER BY c.column_name)
		INTO unreadable
		FROM (SELECT u.column_name
			  FROM pg_catalog.unnest(ARRAY[d.time_column, d.numerator_column, d.denominator_column, d.entity_column]
									 || d.step_columns) AS u(column_name)
			  UNION
			  SELECT f.key::name FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key)) AS c
		WHERE c.column_name IS NOT NULL
		  AND kpi.column_type(d.source, c.column_name) IS NOT NULL
		  AND NOT pg_catalog.has_column_privilege(d.source, c.column_name, 'SELECT');
		IF unreadable IS NOT NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'You lack SELECT on %s (columns %s): ask its owner for access.',
				'Ihnen fehlt das SELECT-Recht auf %s (Spalten %s): bitten Sie den Eigentümer um Zugriff.'),
				d.source, unreadable);
		END IF;
	END IF;
	-- kpi reads a source as its owner (kpi.read_source): not one whose rows
	-- depend on who reads it, unless the caller owns it.
	IF check_privileges THEN
		unreadable := kpi.source_owner_problem(d.source);
		IF unreadable IS NOT NULL THEN
			problems := problems || pg_catalog.format(CASE unreadable
				WHEN 'row_level_security' THEN kpi.translate(
					'%s has row-level security, and kpi reads a source as its owner, whose policies differ from yours: only its owner can measure this KPI (doc/security.md).',
					'%s hat Sicherheit auf Zeilenebene, und kpi liest eine Quelle als ihr Eigentümer, für den andere Richtlinien gelten als für Sie: nur der Eigentümer kann diese Kennzahl messen (doc/security.md).')
				WHEN 'view_of_other_role' THEN kpi.translate(
					'%s is a view of a role whose privileges you lack, and kpi reads a source as its owner, whose identity its functions would see: only roles with its owner''s privileges can measure this KPI; use a table or materialized view (doc/security.md).',
					'%s ist eine Sicht einer Rolle, deren Rechte Ihnen fehlen, und kpi liest eine Quelle als ihr Eigentümer, dessen Identität ihre Funktionen sähen: nur Rollen mit den Rechten des Eigentümers können diese Kennzahl messen; verwenden Sie eine Tabelle oder materialisierte Sicht (doc/security.md).')
				WHEN 'security_invoker' THEN kpi.translate(
					'%s is a security_invoker view, and kpi reads a source as its owner: only its owner can measure this KPI; make it an ordinary view (doc/security.md).',
					'%s ist eine security_invoker-Sicht, und kpi liest eine Quelle als ihr Eigentümer: nur der Eigentümer kann diese Kennzahl messen; machen Sie sie zu einer gewöhnlichen Sicht (doc/security.md).')
				ELSE kpi.translate(
					'%s is a foreign table, and kpi reads a source as its owner, through the owner''s user mapping: only its owner can measure this KPI (doc/security.md).',
					'%s ist eine Fremdtabelle, und kpi liest eine Quelle als ihr Eigentümer, über dessen Benutzerzuordnung: nur der Eigentümer kann diese Kennzahl messen (doc/security.md).') END,
				d.source);
		END IF;
	END IF;

	IF d.time_column IS NULL THEN
		problems := problems || kpi.translate('No time_column is set: name the date or timestamp column of the source.', 'Es ist keine Zeitspalte gesetzt: nennen Sie in time_column die Datums- oder Zeitspalte der Quelle.');
	ELSIF kpi.column_type(d.source, d.time_column) IS NULL THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'%s has no column %I: correct time_column.', '%s hat keine Spalte %I: korrigieren Sie time_column.'), d.source, d.time_column);
	ELSIF kpi.type_kind(kpi.column_type(d.source, d.time_column)) <> 'time' THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'The time_column %I is %s, not a date or timestamp.',
			'Die Zeitspalte %I hat den Typ %s statt date oder timestamp.'),
			d.time_column, kpi.column_type(d.source, d.time_column));
	END IF;

	FOREACH column_name IN ARRAY ARRAY[d.numerator_column, d.denominator_column] LOOP
		CONTINUE WHEN column_name IS NULL;
		kind := kpi.type_kind(kpi.column_type(d.source, column_name));
		IF kind IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'%s has no column %I: correct the column name.', '%s hat keine Spalte %I: korrigieren Sie den Spaltennamen.'), d.source, column_name);
		ELSIF column_name = d.numerator_column AND d.metric = 'conversion_rate' AND d.denominator_column IS NULL THEN
			-- kpi.conversion_rate(boolean): true rows / non-NULL rows
			IF kind <> 'boolean' THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The column %I is %s, but a conversion_rate over one column needs a boolean: set denominator_column, or use a boolean column.',
					'Die Spalte %I hat den Typ %s, eine conversion_rate über eine Spalte braucht aber einen Wahrheitswert: setzen Sie denominator_column oder verwenden Sie eine boolean-Spalte.'),
					column_name, kpi.column_type(d.source, column_name));
			END IF;
		ELSIF kind = 'boolean' AND column_name = d.numerator_column AND d.metric = 'count' THEN
			NULL;	-- count counts the rows where it is true
		ELSIF kind <> 'number' THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'The column %I is %s, which metric %s cannot use: it needs a number.',
				'Die Spalte %I hat den Typ %s, den die Kennzahlart %s nicht verwenden kann: sie braucht eine Zahl.'),
				column_name, kpi.column_type(d.source, column_name), d.metric);
		END IF;
	END LOOP;

	-- (a query only for a KPI with filters)
	IF d.filters <> '{}'::jsonb THEN
		FOR filter_key, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(d.filters) f LOOP
			IF kpi.column_type(d.source, filter_key::name) IS NULL THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The filter on %I names no column of %s: correct or remove it.', 'Der Filter auf %I nennt keine Spalte von %s: korrigieren oder entfernen Sie ihn.'),
					filter_key, d.source);
			ELSIF pg_catalog.jsonb_typeof(filter_value) IN ('object', 'array') THEN
				problems := problems || pg_catalog.format(kpi.translate(
					'The filter on %I must compare with a string, number, boolean or null, not %s.',
					'Der Filter auf %I muss mit einem String, einer Zahl, einem Wahrheitswert oder null vergleichen, nicht mit %s.'),
					filter_key, filter_value);
			END IF;
		END LOOP;
	END IF;
	-- funnel_conversion: its entity, step and window (kpi.funnel_problems)
	RETURN problems || kpi.funnel_problems(d);
END
$$;
COMMENT ON FUNCTION kpi.measure_problems(kpi.definitions, boolean) IS
	'Internal: why a definition cannot be measured (by the caller, unless check_privileges is false), one message per problem; empty when it can. Never fails on a broken definition.';

-- The columns a metric needs, as a message when they are not what it takes.
CREATE FUNCTION kpi.metric_columns_problem(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE
		WHEN (definition).metric IN ('cac', 'romi', 'roas', 'ratio')
			 AND ((definition).numerator_column IS NULL OR (definition).denominator_column IS NULL) THEN
			pg_catalog.format(kpi.translate(
				'Metric %s needs numerator_column and denominator_column.',
				'Die Kennzahlart %s braucht numerator_column und denominator_column.'), (definition).metric)
		WHEN (definition).metric IN ('conversion_rate', 'sum', 'average')
			 AND (definition).numerator_column IS NULL THEN
			pg_catalog.format(kpi.translate(
				'Metric %s needs numerator_column.', 'Die Kennzahlart %s braucht numerator_column.'),
				(definition).metric)
		WHEN (definition).metric IN ('sum', 'average', 'count')
			 AND (definition).denominator_column IS NOT NULL THEN
			pg_catalog.format(kpi.translate(
				'Metric %s uses no denominator_column: remove it, or use metric ratio.',
				'Die Kennzahlart %s verwendet keine denominator_column: entfernen Sie sie oder verwenden Sie ratio.'),
				(definition).metric)
		-- funnel_conversion (doc/funnels.md): the entity, at least two step
		-- columns and the window, and nothing of the other metrics
		WHEN (definition).metric = 'funnel_conversion'
			 AND ((definition).entity_column IS NULL OR (definition).funnel_within IS NULL
				  OR COALESCE(pg_catalog.cardinality((definition).step_columns), 0) < 2) THEN
			kpi.translate(
				'Metric funnel_conversion needs entity_column, step_columns (at least 2 boolean columns, in order) and funnel_within.',
				'Die Kennzahlart funnel_conversion braucht entity_column, step_columns (mindestens 2 boolean-Spalten, in Reihenfolge) und funnel_within.')
		WHEN (definition).metric = 'funnel_conversion'
			 AND ((definition).numerator_column IS NOT NULL OR (definition).denominator_column IS NOT NULL) THEN
			kpi.translate(
				'Metric funnel_conversion uses no numerator_column or denominator_column: its steps are step_columns.',
				'Die Kennzahlart funnel_conversion verwendet keine numerator_column oder denominator_column: ihre Schritte sind step_columns.')
		WHEN (definition).metric <> 'funnel_conversion'
			 AND ((definition).entity_column IS NOT NULL OR (definition).step_columns IS NOT NULL
				  OR (definition).funnel_within IS NOT NULL) THEN
			pg_catalog.format(kpi.translate(
				'Metric %s uses no entity_column, step_columns or funnel_within: remove them, or use metric funnel_conversion.',
				'Die Kennzahlart %s verwendet keine entity_column, step_columns oder funnel_within: entfernen Sie sie oder verwenden Sie funnel_conversion.'),
				(definition).metric)
		END;
COMMENT ON FUNCTION kpi.metric_columns_problem(kpi.definitions) IS
	'Internal: a message when the columns set (numerator and denominator, or for funnel_conversion entity, steps and window) are not the ones the metric uses; NULL when they are.';

-- Whether the caller can measure a definition: nothing in kpi.measure_problems
-- and the columns its metric needs.  What is not measurable gets no value
-- (kpi.measure_many, the audit's weekly series) instead of an error.
CREATE FUNCTION kpi.can_measure(definition kpi.definitions) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN kpi.measure_problems(definition) = '{}' AND kpi.metric_columns_problem(definition) IS NULL;
COMMENT ON FUNCTION kpi.can_measure(kpi.definitions) IS
	'Internal: whether the caller can measure a definition (its source, columns, filter columns and privileges are in order); never fails on a broken definition.  Filter values are checked against their columns when a definition is written (kpi.filter_problem); one that stopped fitting after an ALTER TABLE shows as the problem of that KPI''s measurement.';

/*
 * The query builder.  Every query that measures a KPI is put together from
 * these three pieces, out of the definition's regclass, quoted identifiers
 * (%I) and quoted literals (%L) only:
 *   kpi.aggregate_sql   the aggregate expression of the metric, optionally
 *                       restricted by a FILTER clause;
 *   kpi.filter_sql      the definition's equality filters as a condition;
 *   kpi.period_sql      FROM the source, WHERE the time column is in a period.
 * kpi.measure and kpi.measure_series (through kpi.measure_query) put the
 * filters in the WHERE clause; kpi.measure_many (monitoring) measures every
 * KPI of a source in one pass, each with its filters in a FILTER clause.
 */

CREATE FUNCTION kpi.filter_sql(definition kpi.definitions) RETURNS text
	AS 'MODULE_PATHNAME', 'kpi_filter_sql'
	-- An untyped literal takes the column's type, as in a hand-written query.
	-- (C: the query builder calls it for every KPI several times per
	-- measurement, and as PL/pgSQL it ran a query of its own each time.)
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION kpi.filter_sql(kpi.definitions) IS
	'Internal: the equality filters of a definition as an SQL condition of quoted identifiers and literals, ANDed in key order; NULL when it has none.';

CREATE FUNCTION kpi.aggregate_sql(definition kpi.definitions, row_filter text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	num text;
	den text := kpi.number_expression(d.source, d.denominator_column);
	filter_clause text := CASE WHEN row_filter IS NOT NULL THEN pg_catalog.format(' FILTER (WHERE %s)', row_filter) ELSE '' END;
BEGIN
	IF kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'number' THEN
		num := kpi.number_expression(d.source, d.numerator_column);
	ELSE
		num := pg_catalog.quote_ident(d.numerator_column);
	END IF;
	RETURN CASE d.metric
		-- kpi.conversion_rate(boolean) over one column, (numerator, denominator) over two
		WHEN 'conversion_rate' THEN
			pg_catalog.format('kpi.conversion_rate(%s)%s', pg_catalog.concat_ws(', ', num, den), filter_clause)
		WHEN 'ratio' THEN pg_catalog.format('kpi.value(kpi.ratio_agg(%s, %s)%s)', num, den, filter_clause)
		WHEN 'sum' THEN pg_catalog.format('pg_catalog.sum(%s)%s::pg_catalog.float8', num, filter_clause)
		WHEN 'average' THEN pg_catalog.format('pg_catalog.avg(%s)%s::pg_catalog.float8', num, filter_clause)
		WHEN 'count' THEN
			CASE WHEN num IS NULL THEN pg_catalog.format('pg_catalog.count(*)%s::pg_catalog.float8', filter_clause)
				 -- over a boolean column: the rows where it is true
				 WHEN kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'boolean' THEN
					pg_catalog.format('pg_catalog.count(*) FILTER (WHERE %s)::pg_catalog.float8',
									  pg_catalog.concat_ws(' AND ', num, row_filter))
				 ELSE pg_catalog.format('pg_catalog.count(%s)%s::pg_catalog.float8', num, filter_clause) END
		-- cac, romi, roas: kpi's aggregate of the same name
		ELSE pg_catalog.format('kpi.%I(%s, %s)%s', d.metric, num, den, filter_clause)
		END;
END
$$;
COMMENT ON FUNCTION kpi.aggregate_sql(kpi.definitions, text) IS
	'Internal: the aggregate expression that measures a definition, over the rows where row_filter (an SQL condition from kpi.filter_sql) holds, or all rows when it is NULL.';

-- lower_sql and upper_sql are fixed SQL from the callers in kpi (a
-- parameter such as $1, or a column of a bucket list), never user text.
CREATE FUNCTION kpi.period_sql(source regclass, time_column name, lower_sql text, upper_sql text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN pg_catalog.format('FROM %s AS kpi_source WHERE %I >= %s AND %I < %s',
							 source, time_column, lower_sql, time_column, upper_sql);
COMMENT ON FUNCTION kpi.period_sql(regclass, name, text, text) IS
	'Internal: FROM the source (alias kpi_source) WHERE its time column is in [lower_sql, upper_sql): the rows of one period.';

/*
 * The SQL of the aggregate expression and the FROM/WHERE of a definition
 * (its filters in the WHERE clause) between the bounds given.  Errors, with
 * their SQLSTATE, when the definition cannot be measured.
 */
CREATE FUNCTION kpi.measure_query(definition kpi.definitions, lower_sql text, upper_sql text,
								  OUT value_sql text, OUT from_where_sql text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problem text;
BEGIN
	IF d.source IS NULL THEN
		RAISE EXCEPTION 'KPI "%" has no source', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Set source to the table or view the KPI is computed from.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = d.source) THEN
		RAISE EXCEPTION 'source of KPI "%" does not exist', d.name
			USING ERRCODE = 'undefined_table',
				  DETAIL = 'The table or view it names was dropped.',
				  HINT = 'Point source at an existing table or view.';
	END IF;
	FOR problem IN
		SELECT c.column_name FROM pg_catalog.unnest(ARRAY[d.time_column, d.numerator_column, d.denominator_column]) AS c(column_name)
		WHERE c.column_name IS NOT NULL AND kpi.column_type(d.source, c.column_name) IS NULL
		UNION ALL
		SELECT f.key FROM pg_catalog.jsonb_object_keys(d.filters) AS f(key)
		WHERE kpi.column_type(d.source, f.key::name) IS NULL
	LOOP
		RAISE EXCEPTION 'column "%" of KPI "%" does not exist', problem, d.name
			USING ERRCODE = 'undefined_column',
				  DETAIL = pg_catalog.format('%s has no column %I.', d.source, problem);
	END LOOP;
	-- Privileges are left to the executor: it raises permission denied (42501).
	problem := pg_catalog.array_to_string(kpi.measure_problems(d, false), ' ');
	IF problem <> '' OR d.time_column IS NULL OR kpi.metric_columns_problem(d) IS NOT NULL THEN
		RAISE EXCEPTION 'KPI "%" cannot be measured', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.concat_ws(' ', NULLIF(problem, ''),
												kpi.metric_columns_problem(d),
												CASE WHEN d.time_column IS NULL THEN 'No time_column is set.' END);
	END IF;

	value_sql := kpi.aggregate_sql(d, NULL);
	from_where_sql := pg_catalog.concat_ws(' AND ', kpi.period_sql(d.source, d.time_column, lower_sql, upper_sql),
										   kpi.filter_sql(d));
END
$$;
COMMENT ON FUNCTION kpi.measure_query(kpi.definitions, text, text) IS
	'Internal: the aggregate expression and the FROM/WHERE clause between the bounds given that measure a definition (kpi.aggregate_sql, kpi.period_sql, kpi.filter_sql); errors when it cannot be measured.';



CREATE FUNCTION kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.check_period(period_start, period_end);
BEGIN
	-- Read as the source's owner, once the caller's SELECT is checked.
	RETURN (SELECT r.value FROM kpi.read_source(ARRAY[definition], ARRAY[period_start, period_end], false) AS r);
END
$$;
COMMENT ON FUNCTION kpi.measure(kpi.definitions, timestamptz, timestamptz) IS
	'The value of a KPI definition (a row, stored or not) over [period_start, period_end), computed from its source, which the caller must be allowed to SELECT (read as its owner: doc/security.md).';

CREATE FUNCTION kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	RETURN kpi.measure(kpi.definition(kpi_name), period_start, period_end);
COMMENT ON FUNCTION kpi.measure(text, timestamptz, timestamptz) IS
	'The value of the KPI called kpi_name over [period_start, period_end), computed from its source with the caller''s privileges.';

CREATE FUNCTION kpi.measure_series(definition kpi.definitions, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.check_interval('bucket', bucket) AND kpi.check_period(period_start, period_end);
	-- Buckets from -infinity never reach period_end (issue 8, bad inputs).
	finite boolean := pg_catalog.isfinite(period_start) AND pg_catalog.isfinite(period_end);
	-- The bucket boundaries, the last one cut at period_end.
	bounds timestamptz[] := CASE WHEN finite THEN
		ARRAY(SELECT s FROM pg_catalog.generate_series(period_start, period_end, bucket) AS s
			  WHERE s < period_end ORDER BY s) || period_end END;
BEGIN
	IF NOT finite THEN
		RAISE EXCEPTION 'a series needs a finite period'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end),
				  HINT = 'Give the first and the last day of the series.';
	END IF;
	IF pg_catalog.cardinality(bounds) < 2 THEN
		RETURN;
	END IF;
	-- One grouped query over the whole range, read as the source's owner.
	RETURN QUERY
	SELECT bounds[r.period], bounds[r.period + 1], r.value, r.row_count
	FROM kpi.read_source(ARRAY[definition], bounds, false) AS r
	ORDER BY r.period;
END
$$;
COMMENT ON FUNCTION kpi.measure_series(kpi.definitions, interval, timestamptz, timestamptz) IS
	'A KPI definition per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

CREATE FUNCTION kpi.measure_series(kpi_name text, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE sql STABLE STRICT PARALLEL UNSAFE SECURITY INVOKER
BEGIN ATOMIC
	SELECT * FROM kpi.measure_series(kpi.definition(kpi_name), bucket, period_start, period_end);
END;
COMMENT ON FUNCTION kpi.measure_series(text, interval, timestamptz, timestamptz) IS
	'The KPI called kpi_name per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

