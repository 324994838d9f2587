-- The catalog's objects: the table, its closed sets, the view, the triggers,
-- the function signatures issue 4 builds on, their labels and privileges.
BEGIN;
CREATE EXTENSION IF NOT EXISTS kpi;
SELECT plan(55);

-- The table and its columns, with the names the issue gives.
SELECT has_table('kpi', 'definitions', 'kpi.definitions exists');
SELECT columns_are('kpi', 'definitions', ARRAY[
	'name', 'title', 'description', 'owner', 'teams', 'objective', 'metric', 'stage', 'source',
	'time_column', 'numerator_column', 'denominator_column', 'filters', 'unit', 'direction',
	'baseline', 'target', 'starts_on', 'due_on', 'review_every', 'active', 'created_at', 'updated_at',
	'entity_column', 'step_columns', 'funnel_within'],
	'kpi.definitions has the catalog columns');
SELECT col_is_pk('kpi', 'definitions', 'name', 'name is the primary key');
SELECT col_type_is('kpi', 'definitions', 'teams', 'text[]', 'teams is text[]');
SELECT col_type_is('kpi', 'definitions', 'source', 'regclass', 'source is a regclass');
SELECT col_type_is('kpi', 'definitions', 'time_column', 'name', 'time_column is a name');
-- funnel_conversion (issue 11): columns, never SQL text
SELECT col_type_is('kpi', 'definitions', 'entity_column', 'name', 'entity_column is a name');
SELECT col_type_is('kpi', 'definitions', 'step_columns', 'name[]', 'step_columns is name[]');
SELECT col_type_is('kpi', 'definitions', 'funnel_within', 'interval', 'funnel_within is an interval');
SELECT col_type_is('kpi', 'definitions', 'numerator_column', 'name', 'numerator_column is a name');
SELECT col_type_is('kpi', 'definitions', 'denominator_column', 'name', 'denominator_column is a name');
SELECT col_type_is('kpi', 'definitions', 'filters', 'jsonb', 'filters is jsonb');
SELECT col_default_is('kpi', 'definitions', 'filters', '{}', 'filters defaults to {}');
SELECT col_type_is('kpi', 'definitions', 'baseline', 'double precision', 'baseline is double precision');
SELECT col_type_is('kpi', 'definitions', 'target', 'double precision', 'target is double precision');
SELECT col_type_is('kpi', 'definitions', 'review_every', 'interval', 'review_every is an interval');
SELECT col_default_is('kpi', 'definitions', 'review_every', '7 days'::interval, 'review_every defaults to 7 days');
SELECT col_default_is('kpi', 'definitions', 'active', 'true', 'active defaults to true');
SELECT col_type_is('kpi', 'definitions', 'metric', 'kpi.metric', 'metric is the closed set kpi.metric');
SELECT col_type_is('kpi', 'definitions', 'direction', 'kpi.direction', 'direction is the closed set kpi.direction');
SELECT col_type_is('kpi', 'definitions', 'stage', 'kpi.stage', 'stage is the closed set kpi.stage');
SELECT domain_type_is('kpi', 'metric', 'text', 'kpi.metric is text for clients');
SELECT domain_type_is('kpi', 'direction', 'text', 'kpi.direction is text for clients');
-- Every table of the catalog is too small for a parallel scan to pay.
SELECT is((SELECT pg_catalog.array_agg(c.relname::text ORDER BY c.relname) FROM pg_catalog.pg_class c
		   WHERE c.relnamespace = 'kpi'::regnamespace AND c.relkind = 'r'
			 AND NOT coalesce('parallel_workers=0' = ANY (c.reloptions), false)),
		  NULL, 'every kpi table is created with parallel_workers = 0');
SELECT ok((SELECT 'kpi.definitions'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'kpi'),
		  'kpi.definitions is registered with pg_extension_config_dump');
SELECT has_trigger('kpi', 'definitions', 'definitions_before_write', 'the trigger that stamps updated_at exists');
SELECT has_trigger('kpi', 'definitions', 'definitions_after_write', 'the enforcement trigger, which keeps the SMART verdicts, exists');
SELECT ok(obj_description('kpi.definitions'::regclass, 'pg_class') IS NOT NULL, 'kpi.definitions has a COMMENT');
SELECT is_empty($$
	SELECT a.attname::text FROM pg_attribute a
	WHERE a.attrelid = 'kpi.definitions'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	  AND col_description(a.attrelid, a.attnum) IS NULL $$,
	'every column of kpi.definitions has a COMMENT');

-- The view.
SELECT has_view('kpi', 'smart_report', 'kpi.smart_report exists');
SELECT columns_are('kpi', 'smart_report', ARRAY['name', 'active', 'specific', 'measurable', 'attractive',
	'realistic', 'time_bound', 'smart', 'problems'], 'kpi.smart_report has the five criteria, smart and problems');
SELECT ok((SELECT 'security_invoker=true' = ANY (reloptions) FROM pg_class WHERE oid = 'kpi.smart_report'::regclass),
		  'kpi.smart_report runs with the caller''s privileges');
SELECT ok(obj_description('kpi.smart_report'::regclass, 'pg_class') IS NOT NULL, 'kpi.smart_report has a COMMENT');

-- The functions other parts reuse, with these exact signatures.
SELECT function_returns('kpi', 'measure', ARRAY['text', 'timestamp with time zone', 'timestamp with time zone'],
						'double precision', 'kpi.measure(text, timestamptz, timestamptz) → double precision');
SELECT function_returns('kpi', 'measure', ARRAY['kpi.definitions', 'timestamp with time zone', 'timestamp with time zone'],
						'double precision', 'kpi.measure(kpi.definitions, timestamptz, timestamptz) → double precision');
SELECT function_returns('kpi', 'measure_series', ARRAY['text', 'interval', 'timestamp with time zone', 'timestamp with time zone'],
						'setof record', 'kpi.measure_series(text, interval, timestamptz, timestamptz) is a set');
SELECT has_function('kpi', 'measure_series', ARRAY['kpi.definitions', 'interval', 'timestamp with time zone', 'timestamp with time zone'],
					'kpi.measure_series(kpi.definitions, …) exists');
SELECT has_function('kpi', 'review_period', ARRAY['date', 'interval', 'timestamp with time zone', 'integer'],
					'kpi.review_period(date, interval, timestamptz, integer) exists');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'kpi'::regnamespace AND proname = 'review_period'), 1,
		  'kpi.review_period has one signature, so calls with untyped literals resolve');
SELECT has_function('kpi', 'last_review_period', ARRAY['kpi.definitions', 'timestamp with time zone', 'integer'],
					'kpi.last_review_period(kpi.definitions, timestamptz, integer) exists');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE oid = 'kpi.last_review_period(kpi.definitions, timestamptz, integer)'::regprocedure), 2,
		  'kpi.last_review_period defaults as_of to kpi.as_of() and periods_back to 0');
SELECT function_returns('kpi', 'as_of', ARRAY[]::text[], 'timestamp with time zone', 'kpi.as_of() → timestamptz');
SELECT function_returns('kpi', 'definition', ARRAY['text'], 'kpi.definitions', 'kpi.definition(text) → kpi.definitions');
SELECT has_function('kpi', 'smart_check', ARRAY['text'], 'kpi.smart_check(text) exists');
SELECT has_function('kpi', 'smart_check', ARRAY['kpi.definitions'], 'kpi.smart_check(kpi.definitions) exists');
SELECT has_function('kpi', 'audit', ARRAY[]::text[], 'kpi.audit() exists');
SELECT set_eq($$
	SELECT pg_catalog.format_type(t, NULL) FROM pg_proc p, unnest(p.proallargtypes) WITH ORDINALITY AS a(t, i)
	WHERE p.oid = 'kpi.smart_check(text)'::regprocedure AND p.proargmodes[i] = 't' $$,
	ARRAY['text', 'boolean'], 'smart_check returns text and boolean columns');

-- Labels: no function runs with its owner's rights, every one that runs SQL
-- has a fixed search_path (or a SQL-standard body, whose names are bound when
-- it is created), and measuring is PARALLEL UNSAFE (its query may be
-- the first to load the C library, which must not happen in parallel mode).
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.prosecdef $$,
	'no kpi function is SECURITY DEFINER');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
	  AND p.proname IN ('as_of', 'translate', 'check_interval', 'check_period', 'review_period', 'column_type', 'type_kind', 'number_expression',
						'measure_problems', 'metric_columns_problem', 'can_measure', 'filter_sql', 'aggregate_sql',
						'period_sql', 'measure_query', 'raise_unknown_kpi', 'definition', 'measure',
						'measure_series', 'show_number', 'show_date', 'show_interval', 'last_review_period',
						'smart_criteria', 'smart_verdict', 'smart_check', 'keep_smart_verdict', 'recheck_smart',
						'definitions_before_write', 'definitions_after_write', 'audit')
	  AND p.prosqlbody IS NULL  -- a SQL-standard body binds its names when it is created
	  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') $$,
	'every catalog function has a fixed search_path or a SQL-standard body');
SELECT is(
	(SELECT array_agg(DISTINCT p.provolatile::text || p.proparallel::text) FROM pg_proc p
	 WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname IN ('measure', 'measure_series', 'smart_check', 'audit')),
	ARRAY['su'], 'measure, measure_series, smart_check and audit are STABLE PARALLEL UNSAFE');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.provolatile = 'i'
	  AND p.proname IN ('can_measure', 'filter_sql', 'aggregate_sql', 'period_sql', 'measure_query',
						'review_period', 'last_review_period', 'keep_smart_verdict', 'recheck_smart') $$,
	'no catalog function that reads the system catalogs, settings or the time zone claims to be IMMUTABLE');

-- Privileges: nobody but the owner may change the catalog until granted.
SELECT ok(NOT has_table_privilege('public', 'kpi.definitions', 'INSERT'), 'PUBLIC may not insert definitions');
SELECT ok(NOT has_table_privilege('public', 'kpi.definitions', 'UPDATE'), 'PUBLIC may not update definitions');
SELECT ok(NOT has_table_privilege('public', 'kpi.definitions', 'DELETE'), 'PUBLIC may not delete definitions');
SELECT ok(has_table_privilege('public', 'kpi.smart_report', 'SELECT'),
		  'PUBLIC may select from kpi.smart_report (it checks the caller''s own privileges)');

SELECT * FROM finish();
ROLLBACK;
