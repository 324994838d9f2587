/* kpi 0.1.0 -- the KPI catalog: definitions, measuring, SMART checks, the portfolio audit */

/*
 * Functions other parts of kpi (monitoring, issue 4) can build on.  All run
 * with the caller's privileges, so a KPI never shows data its caller could
 * not read directly.
 *
 *   kpi.as_of() → timestamptz
 *       "Now" for KPI reviews: the setting kpi.as_of, or now() when it is ''.
 *
 *   kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz)
 *       → double precision
 *   kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz)
 *       → double precision
 *       The KPI's value over [period_start, period_end): one query on its source.
 *
 *   kpi.measure_series(kpi_name text, bucket interval, period_start timestamptz, period_end timestamptz)
 *       → TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
 *   kpi.measure_series(definition kpi.definitions, bucket interval, period_start timestamptz, period_end timestamptz)
 *       → the same
 *       One row per bucket [period_start + k·bucket, period_start + (k+1)·bucket)
 *       that starts before period_end, in order; the last bucket ends at
 *       period_end at the latest.  Buckets without rows are kept, with
 *       row_count 0 and the value the metric gives for no rows (NULL, or 0 for
 *       count).  One query on the source, one index range scan per bucket.
 *
 *   kpi.review_period(anchor date, every interval, as_of timestamptz, periods_back integer default 0)
 *       → TABLE (period_start timestamptz, period_end timestamptz)
 *       The periods [anchor + k·every, anchor + (k+1)·every), in the session's
 *       time zone, k any integer: periods_back = 0 gives the last one that
 *       has ended by as_of, 1 the one before, and so on.  The catalog
 *       anchors a KPI's periods on its starts_on, so with the default
 *       review_every of 7 days they run from the weekday it starts on.
 *
 *   kpi.smart_check(kpi_name text) / kpi.smart_check(definition kpi.definitions)
 *       → TABLE (criterion text, passed boolean, detail text)
 *   kpi.smart_report: view, one row per definition, with the five criteria,
 *       smart and problems.
 */

------------------------------------------------------------------------------
-- Closed sets, as domains over text: a typo is an error (SQLSTATE 23514), and
-- clients such as the JDBC driver see plain text, because PostgreSQL reports
-- a domain column as its base type.
------------------------------------------------------------------------------

CREATE DOMAIN kpi.metric AS text
	CONSTRAINT metric_known CHECK (VALUE IN ('conversion_rate', 'cac', 'romi', 'roas', 'ratio',
											 'sum', 'count', 'average'));
COMMENT ON DOMAIN kpi.metric IS
	'What a KPI computes: conversion_rate, cac, romi, roas, ratio, sum, count or average.';

CREATE DOMAIN kpi.direction AS text
	CONSTRAINT direction_known CHECK (VALUE IN ('higher_is_better', 'lower_is_better'));
COMMENT ON DOMAIN kpi.direction IS
	'Which way a KPI improves: higher_is_better or lower_is_better (CAC is lower_is_better).';

CREATE DOMAIN kpi.stage AS text
	CONSTRAINT stage_known CHECK (VALUE IN ('lead', 'opportunity', 'customer', 'revenue'));
COMMENT ON DOMAIN kpi.stage IS
	'The funnel stage a KPI measures: lead, opportunity, customer or revenue. kpi.audit() counts a lead KPI as lead generation, and a conversion_rate at the customer stage as a closing rate.';

------------------------------------------------------------------------------
-- The catalog.
------------------------------------------------------------------------------

CREATE TABLE kpi.definitions (
	name				text PRIMARY KEY
						CONSTRAINT name_is_identifier CHECK (name ~ '^[a-z][a-z0-9_]*$'),
	title				text,
	description			text,
	owner				text,
	teams				text[] NOT NULL DEFAULT '{}',
	objective			text,
	metric				kpi.metric NOT NULL,
	stage				kpi.stage,
	source				regclass,
	time_column			name,
	numerator_column	name,
	denominator_column	name,
	filters				jsonb NOT NULL DEFAULT '{}'
						CONSTRAINT filters_is_object CHECK (pg_catalog.jsonb_typeof(filters) = 'object'),
	unit				text,
	direction			kpi.direction,
	baseline			double precision,
	target				double precision,
	starts_on			date,
	due_on				date,
	review_every		interval DEFAULT '7 days'
						CONSTRAINT review_every_positive CHECK (review_every > interval '0'),
	active				boolean NOT NULL DEFAULT true,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE kpi.definitions IS
	'The KPI catalog: one row per KPI, with what it measures, from which data, and its SMART target. Kept by pg_dump.';
COMMENT ON COLUMN kpi.definitions.name IS 'Lower-case identifier, e.g. cac_paid_search.';
COMMENT ON COLUMN kpi.definitions.title IS 'Short human-readable name.';
COMMENT ON COLUMN kpi.definitions.description IS 'What the KPI means, in at least one sentence (four words or more).';
COMMENT ON COLUMN kpi.definitions.owner IS 'The person accountable for the KPI.';
COMMENT ON COLUMN kpi.definitions.teams IS 'The teams the KPI belongs to, e.g. {marketing}, {sales}, {marketing,sales}.';
COMMENT ON COLUMN kpi.definitions.objective IS 'The business goal the KPI serves.';
COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count or average; see the README for the columns each uses.';
COMMENT ON COLUMN kpi.definitions.stage IS 'Funnel stage: lead, opportunity, customer or revenue; used by kpi.audit() to check alignment.';
COMMENT ON COLUMN kpi.definitions.source IS 'The table or view the KPI is computed from.';
COMMENT ON COLUMN kpi.definitions.time_column IS 'The date, timestamp or timestamptz column of source that places a row in time.';
COMMENT ON COLUMN kpi.definitions.numerator_column IS 'Numerator (or the value, for sum and average; the boolean for a one-column conversion_rate).';
COMMENT ON COLUMN kpi.definitions.denominator_column IS 'Denominator of conversion_rate, cac, romi, roas and ratio.';
COMMENT ON COLUMN kpi.definitions.filters IS 'Equality filters on source columns, combined with AND, e.g. {"channel": "paid_search"}; JSON null means IS NULL.';
COMMENT ON COLUMN kpi.definitions.unit IS 'Unit of the value, e.g. EUR, %, ratio.';
COMMENT ON COLUMN kpi.definitions.direction IS 'higher_is_better or lower_is_better.';
COMMENT ON COLUMN kpi.definitions.baseline IS 'The value when the KPI starts.';
COMMENT ON COLUMN kpi.definitions.target IS 'The value to reach by due_on.';
COMMENT ON COLUMN kpi.definitions.starts_on IS 'First day of the KPI; review periods are anchored on it.';
COMMENT ON COLUMN kpi.definitions.due_on IS 'The day the target is due.';
COMMENT ON COLUMN kpi.definitions.review_every IS 'Review cadence, weekly by default.';
COMMENT ON COLUMN kpi.definitions.active IS 'Inactive KPIs stay in the catalog but are left out of kpi.audit().';
COMMENT ON COLUMN kpi.definitions.created_at IS 'When the definition was created.';
COMMENT ON COLUMN kpi.definitions.updated_at IS 'When the definition was last changed.';

SELECT pg_catalog.pg_extension_config_dump('kpi.definitions', '');

------------------------------------------------------------------------------
-- Small helpers.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.as_of() RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN COALESCE(
		NULLIF(pg_catalog.current_setting('kpi.as_of', true), '')::timestamptz,
		pg_catalog.now());
COMMENT ON FUNCTION kpi.as_of() IS
	'"Now" for KPI checks and reviews: the setting kpi.as_of when set, else now().';

-- The message in the session's language (kpi.language: en or de).
CREATE FUNCTION kpi.translate(english text, german text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE pg_catalog.current_setting('kpi.language', true) WHEN 'de' THEN german ELSE english END;
COMMENT ON FUNCTION kpi.translate(text, text) IS
	'Internal: picks the English or the German text by the setting kpi.language.';

CREATE FUNCTION kpi.review_period(anchor date, every interval, as_of timestamptz,
								  periods_back integer DEFAULT 0)
	RETURNS TABLE (period_start timestamptz, period_end timestamptz)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	origin timestamptz := anchor::timestamptz;
	k bigint;
BEGIN
	IF every <= interval '0' THEN
		RAISE EXCEPTION 'review period must be positive'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period given is %s.', every);
	END IF;
	-- Estimate k with 30-day months, then step to the exact last period that
	-- has ended by as_of: calendar arithmetic (months, DST) decides.
	k := pg_catalog.floor(pg_catalog.date_part('epoch', as_of - origin)
						  / pg_catalog.date_part('epoch', every))::bigint - 1;
	WHILE origin + every * (k + 1) <= as_of LOOP
		k := k + 1;
	END LOOP;
	WHILE origin + every * (k + 1) > as_of LOOP
		k := k - 1;
	END LOOP;
	k := k - periods_back;
	period_start := origin + every * k;
	period_end := origin + every * (k + 1);
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION kpi.review_period(date, interval, timestamptz, integer) IS
	'The review period [anchor + k·every, anchor + (k+1)·every) that ended last by as_of (periods_back = 0), or periods_back periods before it; session time zone.';

------------------------------------------------------------------------------
-- Measuring.  The query is built only from the regclass, quoted identifiers
-- (%I) and quoted literals (%L): a definition holds no SQL text.
------------------------------------------------------------------------------

-- The base type of a column of source, or NULL when it has no such column.
CREATE FUNCTION kpi.column_type(source regclass, column_name name) RETURNS regtype
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN (SELECT COALESCE(NULLIF(t.typbasetype, 0), t.oid)::regtype
			FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
			WHERE a.attrelid = source AND a.attname = column_name
			  AND a.attnum > 0 AND NOT a.attisdropped);
COMMENT ON FUNCTION kpi.column_type(regclass, name) IS
	'Internal: the type of a column of a table or view (the base type for a domain); NULL when there is no such column.';

-- How a column type may be used: 'number', 'boolean', 'time' or 'other'.
CREATE FUNCTION kpi.type_kind(column_type regtype) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE
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
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN pg_catalog.format('%I::%s', column_name,
		CASE kpi.column_type(source, column_name)
			WHEN 'smallint'::regtype THEN 'pg_catalog.int4'
			WHEN 'integer'::regtype THEN 'pg_catalog.int4'
			WHEN 'bigint'::regtype THEN 'pg_catalog.int8'
			WHEN 'numeric'::regtype THEN 'pg_catalog.numeric'
			ELSE 'pg_catalog.float8' END);
COMMENT ON FUNCTION kpi.number_expression(regclass, name) IS
	'Internal: a numeric column as an SQL expression cast to integer, bigint, numeric or double precision.';

/*
 * What is wrong with a definition for measuring it, as one message per
 * problem (an empty array when it can be measured).  The messages follow
 * kpi.language.  The checks use only the system catalogs and privileges, so
 * they never fail on a dropped source or an unreadable table.
 */
CREATE FUNCTION kpi.measure_problems(definition kpi.definitions) RETURNS text[]
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problems text[] := '{}';
	column_name name;
	kind text;
	filter_key text;
	filter_value jsonb;
BEGIN
	IF d.metric IS NULL THEN
		problems := problems || kpi.translate('no metric is set.', 'Es ist keine Kennzahlart (metric) gesetzt.');
	END IF;
	IF d.source IS NULL THEN
		RETURN problems || kpi.translate('no source table or view is set.',
										 'Es ist keine Quelltabelle oder -sicht (source) gesetzt.');
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = d.source) THEN
		RETURN problems || pg_catalog.format(kpi.translate(
			'the source (OID %s) no longer exists.',
			'Die Quelle (OID %s) existiert nicht mehr.'), d.source::oid);
	END IF;
	IF NOT pg_catalog.has_table_privilege(d.source, 'SELECT') THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'you lack SELECT on %s.', 'Ihnen fehlt das SELECT-Recht auf %s.'), d.source);
	END IF;

	IF d.time_column IS NULL THEN
		problems := problems || kpi.translate('no time_column is set.', 'Es ist keine Zeitspalte (time_column) gesetzt.');
	ELSIF kpi.column_type(d.source, d.time_column) IS NULL THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'%s has no column %I.', '%s hat keine Spalte %I.'), d.source, d.time_column);
	ELSIF kpi.type_kind(kpi.column_type(d.source, d.time_column)) <> 'time' THEN
		problems := problems || pg_catalog.format(kpi.translate(
			'time_column %I is %s, not a date or timestamp.',
			'Die Zeitspalte %I hat den Typ %s statt date oder timestamp.'),
			d.time_column, kpi.column_type(d.source, d.time_column));
	END IF;

	FOREACH column_name IN ARRAY ARRAY[d.numerator_column, d.denominator_column] LOOP
		CONTINUE WHEN column_name IS NULL;
		kind := kpi.type_kind(kpi.column_type(d.source, column_name));
		IF kind IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'%s has no column %I.', '%s hat keine Spalte %I.'), d.source, column_name);
		ELSIF kind = 'boolean' AND column_name = d.numerator_column
			  AND (d.metric = 'count' OR (d.metric = 'conversion_rate' AND d.denominator_column IS NULL)) THEN
			NULL;	-- a boolean numerator is what these take
		ELSIF kind <> 'number' THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'column %I is %s, which metric %s cannot use: it needs a number%s.',
				'Die Spalte %I hat den Typ %s, den die Kennzahlart %s nicht verwenden kann: sie braucht eine Zahl%s.'),
				column_name, kpi.column_type(d.source, column_name), d.metric,
				CASE WHEN d.metric = 'conversion_rate' AND d.denominator_column IS NULL
					 THEN kpi.translate(' or, alone, a boolean', ' oder, allein, einen Wahrheitswert') ELSE '' END);
		END IF;
	END LOOP;

	FOR filter_key, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(d.filters) f LOOP
		IF kpi.column_type(d.source, filter_key::name) IS NULL THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'filter on %I: %s has no such column.', 'Filter auf %I: %s hat keine solche Spalte.'),
				filter_key, d.source);
		ELSIF pg_catalog.jsonb_typeof(filter_value) IN ('object', 'array') THEN
			problems := problems || pg_catalog.format(kpi.translate(
				'filter on %I: the value must be a string, number, boolean or null, not %s.',
				'Filter auf %I: der Wert muss ein String, eine Zahl, ein Wahrheitswert oder null sein, nicht %s.'),
				filter_key, filter_value);
		END IF;
	END LOOP;
	RETURN problems;
END
$$;
COMMENT ON FUNCTION kpi.measure_problems(kpi.definitions) IS
	'Internal: why a definition cannot be measured, one message per problem; empty when it can. Never fails on a broken definition.';

-- The columns a metric needs, as a message when they are not what it takes.
CREATE FUNCTION kpi.metric_columns_problem(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE
		WHEN (definition).metric IN ('cac', 'romi', 'roas', 'ratio')
			 AND ((definition).numerator_column IS NULL OR (definition).denominator_column IS NULL) THEN
			pg_catalog.format(kpi.translate(
				'metric %s needs numerator_column and denominator_column.',
				'Die Kennzahlart %s braucht numerator_column und denominator_column.'), (definition).metric)
		WHEN (definition).metric IN ('conversion_rate', 'sum', 'average')
			 AND (definition).numerator_column IS NULL THEN
			pg_catalog.format(kpi.translate(
				'metric %s needs numerator_column.', 'Die Kennzahlart %s braucht numerator_column.'),
				(definition).metric)
		WHEN (definition).metric IN ('sum', 'average', 'count')
			 AND (definition).denominator_column IS NOT NULL THEN
			pg_catalog.format(kpi.translate(
				'metric %s uses no denominator_column: remove it, or use metric ratio.',
				'Die Kennzahlart %s verwendet keine denominator_column: entfernen Sie sie oder verwenden Sie ratio.'),
				(definition).metric)
		END;
COMMENT ON FUNCTION kpi.metric_columns_problem(kpi.definitions) IS
	'Internal: a message when the numerator and denominator columns set are not the ones the metric uses; NULL when they are.';

/*
 * The SQL of the aggregate expression and the FROM/WHERE of a definition;
 * lower_sql and upper_sql are the period bounds, fixed SQL from the callers
 * in this file (a parameter such as $1, or a column of the bucket list).
 * Errors, with their SQLSTATE, when the definition cannot be measured.
 */
CREATE FUNCTION kpi.measure_query(definition kpi.definitions, lower_sql text, upper_sql text,
								  OUT value_sql text, OUT from_where_sql text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions := definition;
	problem text;
	num text;
	den text;
	filter_key text;
	filter_value jsonb;
BEGIN
	IF d.source IS NULL THEN
		RAISE EXCEPTION 'KPI "%" has no source', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Set source to the table or view the KPI is computed from.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = d.source) THEN
		RAISE EXCEPTION 'source of KPI "%" does not exist', d.name
			USING ERRCODE = 'undefined_table',
				  DETAIL = pg_catalog.format('The table or view with OID %s was dropped.', d.source::oid),
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
	problem := pg_catalog.array_to_string(kpi.measure_problems(d), ' ');
	IF problem <> '' OR d.time_column IS NULL OR kpi.metric_columns_problem(d) IS NOT NULL THEN
		RAISE EXCEPTION 'KPI "%" cannot be measured', d.name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.concat_ws(' ', NULLIF(problem, ''),
												kpi.metric_columns_problem(d),
												CASE WHEN d.time_column IS NULL THEN 'No time_column is set.' END);
	END IF;

	IF kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'number' THEN
		num := kpi.number_expression(d.source, d.numerator_column);
	ELSE
		num := pg_catalog.quote_ident(d.numerator_column);
	END IF;
	den := kpi.number_expression(d.source, d.denominator_column);
	value_sql := CASE d.metric
		WHEN 'conversion_rate' THEN
			CASE WHEN d.denominator_column IS NULL
				 THEN pg_catalog.format('kpi.conversion_rate(%s)', num)
				 ELSE pg_catalog.format('kpi.conversion_rate(%s, %s)', num, den) END
		WHEN 'cac' THEN pg_catalog.format('kpi.cac(%s, %s)', num, den)
		WHEN 'romi' THEN pg_catalog.format('kpi.romi(%s, %s)', num, den)
		WHEN 'roas' THEN pg_catalog.format('kpi.roas(%s, %s)', num, den)
		WHEN 'ratio' THEN pg_catalog.format('kpi.value(kpi.ratio_agg(%s, %s))', num, den)
		WHEN 'sum' THEN pg_catalog.format('pg_catalog.sum(%s)::pg_catalog.float8', num)
		WHEN 'average' THEN pg_catalog.format('pg_catalog.avg(%s)::pg_catalog.float8', num)
		WHEN 'count' THEN
			CASE WHEN d.numerator_column IS NULL THEN 'pg_catalog.count(*)::pg_catalog.float8'
				 WHEN kpi.type_kind(kpi.column_type(d.source, d.numerator_column)) = 'boolean'
				 THEN pg_catalog.format('pg_catalog.count(*) FILTER (WHERE %s)::pg_catalog.float8', num)
				 ELSE pg_catalog.format('pg_catalog.count(%s)::pg_catalog.float8', num) END
		END;

	from_where_sql := pg_catalog.format('FROM %s AS kpi_source WHERE %I >= %s AND %I < %s',
										d.source, d.time_column, lower_sql, d.time_column, upper_sql);
	FOR filter_key, filter_value IN SELECT f.key, f.value FROM pg_catalog.jsonb_each(d.filters) f ORDER BY f.key LOOP
		IF pg_catalog.jsonb_typeof(filter_value) = 'null' THEN
			from_where_sql := from_where_sql || pg_catalog.format(' AND %I IS NULL', filter_key);
		ELSE
			-- An untyped literal takes the column's type, as in a hand-written query.
			from_where_sql := from_where_sql || pg_catalog.format(' AND %I = %L', filter_key, filter_value #>> '{}');
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.measure_query(kpi.definitions, text, text) IS
	'Internal: the aggregate expression and the FROM/WHERE clause between the bounds given that measure a definition, built from its regclass, quoted identifiers and literals only.';

-- The stored definition called kpi_name, or an error 42704.
CREATE FUNCTION kpi.definition(kpi_name text) RETURNS kpi.definitions
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
BEGIN
	SELECT * INTO d FROM kpi.definitions WHERE name = kpi_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'KPI "%" does not exist', kpi_name
			USING ERRCODE = 'undefined_object',
				  HINT = 'The KPIs are the rows of kpi.definitions.';
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION kpi.definition(text) IS
	'The row of kpi.definitions called kpi_name; error 42704 when there is none.';

CREATE FUNCTION kpi.measure(definition kpi.definitions, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q record;
	result double precision;
BEGIN
	IF period_end < period_start THEN
		RAISE EXCEPTION 'period ends before it starts'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end);
	END IF;
	q := kpi.measure_query(definition, '$1', '$2');
	EXECUTE pg_catalog.format('SELECT %s %s', q.value_sql, q.from_where_sql)
		INTO result USING period_start, period_end;
	RETURN result;
END
$$;
COMMENT ON FUNCTION kpi.measure(kpi.definitions, timestamptz, timestamptz) IS
	'The value of a KPI definition (a row, stored or not) over [period_start, period_end), computed from its source with the caller''s privileges.';

CREATE FUNCTION kpi.measure(kpi_name text, period_start timestamptz, period_end timestamptz)
	RETURNS double precision
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
	RETURN kpi.measure(kpi.definition(kpi_name), period_start, period_end);
COMMENT ON FUNCTION kpi.measure(text, timestamptz, timestamptz) IS
	'The value of the KPI called kpi_name over [period_start, period_end), computed from its source with the caller''s privileges.';

CREATE FUNCTION kpi.measure_series(definition kpi.definitions, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE plpgsql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	q record;
BEGIN
	IF bucket <= interval '0' THEN
		RAISE EXCEPTION 'bucket must be a positive interval'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The bucket given is %s.', bucket);
	END IF;
	IF period_end < period_start THEN
		RAISE EXCEPTION 'period ends before it starts'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end);
	END IF;
	q := kpi.measure_query(definition, 'kpi_bucket.bucket_start', 'kpi_bucket.bucket_end');
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT kpi_bucket.bucket_start, kpi_bucket.bucket_end, kpi_measure.value, kpi_measure.row_count '
		'FROM (SELECT s AS bucket_start, LEAST(s + $3, $2) AS bucket_end '
		'      FROM pg_catalog.generate_series($1, $2, $3) AS s WHERE s < $2) AS kpi_bucket, '
		'LATERAL (SELECT %s AS value, pg_catalog.count(*) AS row_count %s) AS kpi_measure '
		'ORDER BY kpi_bucket.bucket_start',
		q.value_sql, q.from_where_sql)
		USING period_start, period_end, bucket;
END
$$;
COMMENT ON FUNCTION kpi.measure_series(kpi.definitions, interval, timestamptz, timestamptz) IS
	'A KPI definition per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';

CREATE FUNCTION kpi.measure_series(kpi_name text, bucket interval,
								   period_start timestamptz, period_end timestamptz)
	RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, value double precision, row_count bigint)
	LANGUAGE sql STABLE STRICT PARALLEL RESTRICTED SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
	SELECT * FROM kpi.measure_series(kpi.definition(kpi_name), bucket, period_start, period_end);
END;
COMMENT ON FUNCTION kpi.measure_series(text, interval, timestamptz, timestamptz) IS
	'The KPI called kpi_name per bucket [period_start + k·bucket, …) up to period_end: bucket_start, bucket_end, value and row_count, empty buckets included.';
