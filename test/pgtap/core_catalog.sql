-- Catalog checks for the core: comments, parallel safety, volatility, and
-- the aggregate shape that parallel query, windows and Citus rely on.
BEGIN;
CREATE EXTENSION IF NOT EXISTS kpi;
SELECT plan(20);

-- Every member of the extension is documented.
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'kpi'
	WHERE obj_description(p.oid, 'pg_proc') IS NULL $$,
	'every kpi function and aggregate has a COMMENT');
SELECT is_empty($$
	SELECT t.typname::text FROM pg_type t
	JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'kpi'
	WHERE obj_description(t.oid, 'pg_type') IS NULL $$,
	'every kpi type has a COMMENT');
SELECT is_empty($$
	SELECT o.oid::regoperator::text FROM pg_operator o
	JOIN pg_depend d ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'kpi'
	WHERE obj_description(o.oid, 'pg_operator') IS NULL $$,
	'every kpi operator has a COMMENT');

-- Aggregates: parallel safe, combinable, moving support, real STYPE.
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.proparallel <> 's' $$,
	'every kpi aggregate is PARALLEL SAFE');
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace AND a.aggcombinefn = 0 $$,
	'every kpi aggregate has a COMBINEFUNC');
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace AND a.aggtranstype <> 'kpi.ratio'::regtype
	  AND p.proname NOT IN ('attribute', 'attribute_totals', 'cohort')
	  AND NOT (p.proname = 'funnel_counts' AND a.aggtranstype = 'bigint[]'::regtype)
	  AND NOT (p.proname IN ('funnel', 'funnel_strictly_increasing') AND a.aggserialfn <> 0) $$,
	'every kpi aggregate but kpi.attribute, kpi.attribute_totals, kpi.cohort and the per-entity funnels has STYPE kpi.ratio (bigint[] for funnel_counts), a real type Citus can ship as text');
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname = 'cohort' AND a.aggtranstype <> 'kpi.cohort'::regtype $$,
	'kpi.cohort has STYPE kpi.cohort, a real type Citus can ship as text');
-- kpi.attribute and the funnels are grouped by customer or entity, so Citus
-- pushes them down whole with the rows distributed by it; their internal
-- state travels between parallel workers through serialize/deserialize.
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace AND a.aggtranstype = 'internal'::regtype
	  AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0) $$,
	'every internal-state kpi aggregate has serialize and deserialize functions');
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace
	  AND (a.aggmtransfn = 0 OR a.aggminvtransfn = 0)
	  AND p.proname NOT IN ('attribute', 'attribute_totals', 'cohort', 'funnel', 'funnel_strictly_increasing') $$,
	'every kpi aggregate but kpi.attribute, kpi.attribute_totals, kpi.cohort and the per-entity funnels (summaries per customer, cohort or entity, not running KPIs) has moving-aggregate support with an inverse');
SELECT is_empty($$
	SELECT a.aggfnoid::regprocedure::text FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'kpi'::regnamespace
	  AND (a.aggfinalmodify <> 'r' OR a.aggmfinalmodify <> 'r') $$,
	'every kpi final function is READ_ONLY, as window use requires');
SELECT is(
	(SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	 WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname NOT IN ('attribute', 'attribute_totals', 'cohort')),
	1 + 1 + 5 * 16 + 3 + 2 * 7,
	'rollup, conversion_rate(boolean), 5 ratio aggregates for each of 16 argument type pairs, the 3 funnel aggregates and the funnels with 2 to 8 steps written out');
SELECT is(
	(SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	 WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname = 'attribute'),
	3, 'kpi.attribute: with the default lookback, with a lookback, with a lookback and a half-life');
SELECT is(
	(SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	 WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname = 'attribute_totals'),
	3, 'kpi.attribute_totals: with the default lookback, with a lookback, with a lookback and a half-life');

-- Volatility and parallel labels of the C functions.
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	  AND p.proname NOT IN ('setting', 'settings', 'column_type', 'source_owner_problem', 'read_source', 'filter_sql')
	  AND (p.provolatile <> 'i' OR p.proparallel <> 's') $$,
	'every C function but the settings and catalog readers is IMMUTABLE and PARALLEL SAFE (postgres_fdw can push aggregates down)');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.proname IN ('setting', 'settings', 'column_type', 'source_owner_problem', 'filter_sql')
	  AND (p.provolatile <> 's' OR p.proparallel <> 's') $$,
	'the settings and catalog readers (and kpi.filter_sql, whose key order is the database collation''s) are STABLE and PARALLEL SAFE');
-- kpi.read_source runs queries as another role: never in parallel mode.
SELECT is((SELECT p.provolatile::text || p.proparallel::text FROM pg_proc p
		   WHERE p.oid = 'kpi.read_source(kpi.definitions[], timestamptz[], boolean, boolean)'::regprocedure),
		  'su', 'kpi.read_source is STABLE PARALLEL UNSAFE');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.prokind = 'f'
	  AND p.proname IN ('value', 'romi_value', 'numerator', 'denominator', 'n', 'ratio_in', 'ratio_out')
	  AND NOT p.proisstrict $$,
	'accessors and I/O functions are STRICT');

-- The type: fixed size, double aligned, with binary I/O.
SELECT is((SELECT typlen::int FROM pg_type WHERE oid = 'kpi.ratio'::regtype), 88, 'kpi.ratio is fixed-size');
SELECT isnt((SELECT typreceive::oid FROM pg_type WHERE oid = 'kpi.ratio'::regtype), 0::oid, 'kpi.ratio has binary input');

-- Accessors return standard SQL types that BI tools understand.
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace
	  AND p.proname IN ('value', 'romi_value', 'numerator', 'denominator', 'n',
						'conversion_rate', 'cac', 'romi', 'roas')
	  AND p.prorettype NOT IN ('double precision'::regtype, 'numeric'::regtype, 'bigint'::regtype) $$,
	'KPI values come back as double precision, numeric or bigint');

SELECT * FROM finish();
ROLLBACK;
