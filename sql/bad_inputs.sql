--
-- Bad inputs for every SQL-callable kpi function (issue 8): NULLs, empty
-- strings, huge numbers, NaN and ±Infinity, negative counts, zero
-- denominators, zero and negative intervals, unknown KPI names.  Each call
-- must give its documented result or an error with a specific SQLSTATE;
-- never XX000, never a crash.
--
-- The table bad_inputs.cases has ONE ROW PER FUNCTION SIGNATURE, as
-- regprocedure prints it (e.g. 'kpi.value(kpi.ratio)'), and the first check
-- below fails when pg_proc has a kpi function the table does not cover (or
-- the table a signature kpi no longer has).  Adding a function: add its row.
--
-- A row's cases are lines "<SQL expression> => <expected>", where expected
-- is one of
--     null            the result is NULL
--     = <text>        the result, cast to text, is exactly <text> ('=' alone:
--                     the empty string)
--     ok              any result, but no error (for values that depend on
--                     the data, which other tests check)
--     error <SQLSTATE>
-- or one of these families, which run the shared sets of bad pairs
-- (bad_inputs.pair_sets: NULLs, no rows, zero and cancelling denominators,
-- negatives, int/bigint extremes, huge and tiny numerics, NaN, ±Infinity,
-- float overflow) that apply to the argument types, and compare the outcome,
-- error included, with plain SQL over the same rows (sum()/nullif(sum(), 0)
-- in numeric when both types are exact, else in double precision), except
-- where a set documents an error (a numeric sum beyond 38 digits: 22003):
--     @aggregate      the aggregate over the rows, plain
--     @transition     the transition function folded over the rows by hand
--     @window         the (first) aggregate whose moving-aggregate function
--                     this is (they take internal, so SQL cannot call them
--                     directly), over ROWS 1 PRECEDING frames
--
\set VERBOSITY terse
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bad_inputs CASCADE;
RESET client_min_messages;
\i test/sqlsmith/fixture.sql
CREATE SCHEMA bad_inputs;
SET kpi.as_of = '2026-03-02 09:00';
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET extra_float_digits = 0;
-- A case that runs away fails as 57014 instead of hanging the suite.
SET statement_timeout = '30s';

-- A stored definition with some fields replaced: bad rows that the catalog
-- would reject, passed straight to the functions that take a row.
CREATE FUNCTION bad_inputs.def(kpi_name text, changes jsonb) RETURNS kpi.definitions
LANGUAGE sql STABLE AS $$
	SELECT jsonb_populate_record(d, changes) FROM kpi.definitions AS d WHERE d.name = kpi_name
$$;

-- A float as text at 12 significant digits: the aggregates agree with plain
-- SQL to 1e-12 relative, not to the last bit.
CREATE FUNCTION bad_inputs.show(v double precision) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL THEN 'null'
				WHEN v = 0 THEN '0'
				WHEN v IN ('NaN', 'Infinity', '-Infinity') THEN v::text
				ELSE btrim(to_char(v, '9.99999999999EEEE')) END
$$;

-- The shared bad pairs.  rows: the VALUES of (x, y) as text literals, or ''
-- for no rows; x_types and y_types: the argument types the set applies to
-- (NULL: all); documented: the SQLSTATE kpi documents instead of plain
-- SQL's result.
CREATE TABLE bad_inputs.pair_sets (
	name       text PRIMARY KEY,
	rows       text NOT NULL,
	x_types    regtype[],
	y_types    regtype[],
	documented text
);
INSERT INTO bad_inputs.pair_sets VALUES
	('NULLs',                       $$(NULL, NULL), (NULL, '1'), ('1', NULL)$$, NULL, NULL, NULL),
	('no rows',                     '', NULL, NULL, NULL),
	('zero denominator',            $$('1', '0'), ('2', '0')$$, NULL, NULL, NULL),
	('denominators cancel out',     $$('1', '5'), ('1', '-5')$$, NULL, NULL, NULL),
	('zero over zero',              $$('0', '0')$$, NULL, NULL, NULL),
	('negative counts',             $$('-5', '-2'), ('3', '-1')$$, NULL, NULL, NULL),
	('integer extremes',            $$('2147483647', '2147483647'), ('2147483647', '-2147483648'), ('-2147483648', '1')$$, NULL, NULL, NULL),
	('bigint extremes',             $$('9223372036854775807', '9223372036854775807'), ('9223372036854775807', '9223372036854775807'), ('-9223372036854775808', '1')$$,
	                                '{bigint,numeric,double precision}', '{bigint,numeric,double precision}', NULL),
	('huge numeric numerator',      $$('1e300', '1')$$, '{numeric}', NULL, '22003'),
	('huge numeric denominator',    $$('1', '1e300')$$, NULL, '{numeric}', '22003'),
	('huge float',                  $$('1e300', '1'), ('1e300', '1e-300')$$, '{double precision}', '{double precision}', NULL),
	('float overflow',              $$('1e308', '1'), ('1e308', '1')$$, '{double precision}', NULL, NULL),
	('tiny numeric, scale 40',      $$('0.0000000000000000000100000000000000000000', '3')$$, '{numeric}', NULL, NULL),
	('scale 40 and 1: 21 digits',   $$('0.0000000000000000000100000000000000000000', '3'), ('1', '1')$$, '{numeric}', NULL, NULL),
	('tiny float',                  $$('5e-324', '1'), ('1', '5e-324')$$, '{double precision}', '{double precision}', NULL),
	('NaN numerator',               $$('NaN', '1'), ('1', '1')$$, '{numeric,double precision}', NULL, NULL),
	('NaN denominator',             $$('1', 'NaN')$$, NULL, '{numeric,double precision}', NULL),
	('Infinity numerator',          $$('Infinity', '1'), ('1', '1')$$, '{numeric,double precision}', NULL, NULL),
	('-Infinity numerator',         $$('-Infinity', '2')$$, '{numeric,double precision}', NULL, NULL),
	('Infinity denominator',        $$('1', 'Infinity')$$, NULL, '{numeric,double precision}', NULL),
	('Infinity - Infinity',         $$('Infinity', '1'), ('-Infinity', '1')$$, '{numeric,double precision}', NULL, NULL),
	('Infinity over Infinity',      $$('Infinity', 'Infinity')$$, '{numeric,double precision}', '{numeric,double precision}', NULL);

-- The rows of a set as a relation (o, x, y) of the given types.
CREATE FUNCTION bad_inputs.rows_sql(set_rows text, x_type regtype, y_type regtype) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN set_rows = ''
		THEN format('(SELECT 1 AS o, NULL::%s AS x, NULL::%s AS y WHERE false) AS r', x_type, y_type)
		ELSE format('(SELECT row_number() OVER () AS o, x::%s AS x, y::%s AS y FROM (VALUES %s) AS v(x, y)) AS r',
					x_type, y_type, set_rows) END
$$;

-- Plain SQL over the same rows, skipping a pair with a NULL: the sums in
-- numeric when both types are exact, in double precision otherwise.  over:
-- '' or a window clause.
CREATE FUNCTION bad_inputs.plain_sql(agg text, x_type regtype, y_type regtype, over text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN agg = 'romi'
		THEN format('(%1$s - %2$s) / nullif(%2$s, 0)', sx, sy)
		ELSE format('%1$s / nullif(%2$s, 0)', sx, sy) END
	FROM (SELECT CASE WHEN x_type <> 'double precision'::regtype AND y_type <> 'double precision'::regtype
					  THEN 'numeric' ELSE 'double precision' END AS t) AS s,
		 LATERAL (SELECT format('(sum(x) FILTER (WHERE y IS NOT NULL)%s)::%s', over, t) AS sx,
						 format('(sum(y) FILTER (WHERE x IS NOT NULL)%s)::%s', over, t) AS sy) AS e
$$;

-- Runs a query returning one text; its result, 'null', or 'error SQLSTATE'.
-- The cases write kpi's operators unqualified.  Under the forced-parallel
-- pass of the suite, each of the 3,000 small queries would start workers:
-- these run in the leader (the other tests cover parallel plans).
CREATE FUNCTION bad_inputs.outcome(query text) RETURNS text
LANGUAGE plpgsql SET search_path = public, kpi SET force_parallel_mode = off AS $$
DECLARE
	result text;
BEGIN
	EXECUTE query INTO result;
	RETURN coalesce(result, 'null');
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END
$$;

-- No row counts below: adding a function's row to test/bad_inputs_cases.sql
-- must not change this file's expected output.
\set QUIET on

-- One row per SQL-callable function signature.
CREATE TABLE bad_inputs.cases (
	signature text PRIMARY KEY,
	cases     text NOT NULL
);
\i test/bad_inputs_cases.sql

-- 1. Coverage: every kpi function has a row, and every row a function.
SELECT p.oid::regprocedure AS "kpi function without a row in bad_inputs.cases"
FROM pg_proc AS p
WHERE p.pronamespace = 'kpi'::regnamespace
  AND p.oid::regprocedure::text NOT IN (SELECT signature FROM bad_inputs.cases)
ORDER BY 1;
SELECT signature AS "row of bad_inputs.cases without a kpi function"
FROM bad_inputs.cases
WHERE signature NOT IN (SELECT p.oid::regprocedure::text FROM pg_proc AS p
						WHERE p.pronamespace = 'kpi'::regnamespace)
ORDER BY 1;

-- 2. Every case: the query that runs it (got_sql), and what it must give:
-- expected, or the outcome of plain SQL (expected_sql).
CREATE TABLE bad_inputs.results (
	id           serial PRIMARY KEY,
	signature    text,
	call         text,
	expected     text,
	expected_sql text,
	got_sql      text,
	got          text
);

-- Explicit cases.
INSERT INTO bad_inputs.results (signature, call, expected, got_sql)
SELECT c.signature, btrim(split_part(line, '=>', 1)), btrim(split_part(line, '=>', 2)),
	   format('SELECT (%s)::text', btrim(split_part(line, '=>', 1)))
FROM bad_inputs.cases AS c,
	 regexp_split_to_table(c.cases, '\n') AS line
WHERE line ~ '=>';

-- Families: the argument types of each signature, the aggregates it serves.
CREATE TABLE bad_inputs.family_calls AS
SELECT c.signature, family, p.oid AS fn, a.aggfnoid::regproc::text AS aggregate,
	   a.aggfnoid::regprocedure AS aggregate_signature,
	   p.proargtypes[coalesce(array_length(p.proargtypes, 1), 0) - 2]::regtype AS x_type,
	   p.proargtypes[coalesce(array_length(p.proargtypes, 1), 0) - 1]::regtype AS y_type
FROM bad_inputs.cases AS c
	 JOIN pg_proc AS p ON p.oid::regprocedure::text = c.signature,
	 regexp_matches(c.cases, '@(aggregate|transition|window)', 'g') AS m(family_m),
	 LATERAL (SELECT family_m[1] AS family) AS f,
	 LATERAL (
		SELECT ag.aggfnoid FROM pg_aggregate AS ag
		WHERE (family = 'aggregate' AND ag.aggfnoid = p.oid)
		   OR (family = 'transition' AND ag.aggtransfn = p.oid)
		   OR (family = 'window' AND p.oid IN (ag.aggmtransfn, ag.aggminvtransfn, ag.aggmfinalfn)
			   AND (SELECT pronargs FROM pg_proc WHERE oid = ag.aggfnoid) = 2)
		ORDER BY ag.aggfnoid LIMIT 1) AS a;
-- The aggregates' argument types, for the window family (the function
-- itself takes internal).
UPDATE bad_inputs.family_calls AS f
SET x_type = p.proargtypes[0], y_type = p.proargtypes[1]
FROM pg_proc AS p WHERE p.oid = f.aggregate_signature AND f.family = 'window';

INSERT INTO bad_inputs.results (signature, call, expected, expected_sql, got_sql)
SELECT f.signature,
	   format('%s over %s', CASE f.family WHEN 'aggregate' THEN 'the aggregate' WHEN 'transition' THEN 'the transition'
							ELSE f.aggregate_signature::text || ' as a window' END, s.name),
	   'error ' || s.documented,
	   CASE WHEN s.documented IS NOT NULL THEN NULL
			WHEN f.family = 'window'
			THEN format('SELECT string_agg(bad_inputs.show(v), '' '' ORDER BY o) FROM (SELECT o, %s AS v FROM %s WINDOW w AS (ORDER BY o ROWS 1 PRECEDING)) AS q',
						bad_inputs.plain_sql(CASE WHEN f.aggregate LIKE '%romi' THEN 'romi' END, f.x_type, f.y_type, ' OVER w'),
						bad_inputs.rows_sql(s.rows, f.x_type, f.y_type))
			ELSE format('SELECT bad_inputs.show(%s) FROM %s',
						bad_inputs.plain_sql(CASE WHEN f.aggregate LIKE '%romi' THEN 'romi' END, f.x_type, f.y_type, ''),
						bad_inputs.rows_sql(s.rows, f.x_type, f.y_type)) END,
	   CASE f.family
			WHEN 'aggregate' THEN format('SELECT bad_inputs.show(%s) FROM %s',
				CASE WHEN f.aggregate LIKE '%ratio_agg' THEN format('kpi.value(%s(x, y))', f.aggregate)
					 ELSE format('%s(x, y)', f.aggregate) END,
				bad_inputs.rows_sql(s.rows, f.x_type, f.y_type))
			-- fn(fn(NULL, x1, y1), x2, y2) ...
			WHEN 'transition' THEN format('SELECT bad_inputs.show(kpi.value(%s))',
				(SELECT repeat(f.fn::regproc::text || '(', count(*)::integer) || 'NULL' ||
						string_agg(format(', %s::%s, %s::%s)', btrim(split_part(pair[1], ',', 1)), f.x_type,
										  btrim(split_part(pair[1], ',', 2)), f.y_type), '' ORDER BY k)
				 FROM regexp_matches(s.rows, '\(([^()]*)\)', 'g') WITH ORDINALITY AS p(pair, k)))
			ELSE format('SELECT string_agg(bad_inputs.show(%s), '' '' ORDER BY o) FROM (SELECT o, %s OVER w AS v FROM %s WINDOW w AS (ORDER BY o ROWS 1 PRECEDING)) AS q',
				CASE WHEN f.aggregate LIKE '%ratio_agg' THEN 'kpi.value(v)' ELSE 'v' END,
				format('%s(x, y)', f.aggregate),
				bad_inputs.rows_sql(s.rows, f.x_type, f.y_type)) END
FROM bad_inputs.family_calls AS f, bad_inputs.pair_sets AS s
WHERE (s.x_types IS NULL OR f.x_type = ANY (s.x_types))
  AND (s.y_types IS NULL OR f.y_type = ANY (s.y_types))
  AND NOT (f.family = 'transition' AND s.rows = '');

-- Each distinct query runs once (the window functions of one aggregate
-- share their cases, and so do equal plain-SQL computations), as a
-- statement of its own, so that statement_timeout applies to each: one that
-- does not finish leaves its outcome NULL.
CREATE TABLE bad_inputs.runs AS
SELECT row_number() OVER (ORDER BY query) AS id, query, NULL::text AS outcome
FROM (SELECT got_sql FROM bad_inputs.results UNION
	  SELECT expected_sql FROM bad_inputs.results WHERE expected_sql IS NOT NULL) AS d(query);
\set ECHO none
SET client_min_messages = error;
SELECT format('UPDATE bad_inputs.runs SET outcome = bad_inputs.outcome(query) WHERE id = %s', id)
FROM bad_inputs.runs ORDER BY id \gexec
RESET client_min_messages;
\set ECHO all
UPDATE bad_inputs.results AS r
SET got = coalesce((SELECT outcome FROM bad_inputs.runs WHERE query = r.got_sql), 'did not finish'),
	expected = coalesce(r.expected, (SELECT coalesce(outcome, 'did not finish') FROM bad_inputs.runs WHERE query = r.expected_sql));

-- Every family row ran some cases.
SELECT c.signature AS "family row that ran no case"
FROM bad_inputs.cases AS c
WHERE c.cases ~ '@' AND NOT EXISTS (SELECT FROM bad_inputs.results AS r WHERE r.signature = c.signature AND r.call ~ ' over ')
ORDER BY 1;

\set QUIET off

-- 3. What differs from the expectation.  Internal errors and crashes never
-- pass: no expectation may be XX000.
\pset format unaligned
SELECT signature, call, expected, got
FROM bad_inputs.results
WHERE NOT (got = expected
		   OR (expected = 'ok' AND got NOT LIKE 'error %')
		   OR (expected LIKE '= %' AND got = substr(expected, 3))
		   OR (expected = '=' AND got = '')
		   OR (expected = 'null' AND got = 'null'))
   OR got = 'error XX000' OR expected = 'error XX000'
ORDER BY 1, 2;
\pset format aligned

-- 4. The inputs of each kind were tried (a guard against an empty table).
SELECT kind, count(*) > 0 AS tried
FROM bad_inputs.results,
	 LATERAL (VALUES ('NULL', call ~* 'null'), ('empty string', call ~ $re$''$re$),
					 ('NaN', call ~* 'nan'), ('Infinity', call ~* 'infinity'),
					 ('negative', call ~ '''-|negative| -[0-9]'),
					 ('zero denominator', call ~ 'zero denominator|, 0\)'),
					 ('unknown KPI', call ~ 'no_such_kpi'),
					 ('zero or negative interval', call ~ '''(0|-[0-9]+) (days|mons|years)''')) AS k(kind, hit)
WHERE hit
GROUP BY kind ORDER BY kind;

-- Clean up what the fixture put into the catalog.
SET client_min_messages = warning;
DELETE FROM kpi.reviews WHERE name LIKE 'smith\_%' OR name LIKE 'bad\_%';
DELETE FROM kpi.target_history WHERE name LIKE 'smith\_%' OR name LIKE 'bad\_%';
DELETE FROM kpi.definitions WHERE name LIKE 'smith\_%' OR name LIKE 'bad\_%';
DROP SCHEMA bad_inputs CASCADE;
DROP SCHEMA smith CASCADE;
RESET client_min_messages;
