-- Generates doc/reference.md from the catalog: every member object of the
-- extension with its signature and its COMMENT ON text.  Run by
-- test/reference.sh.
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
CREATE TEMP VIEW members AS
SELECT d.classid, d.objid, pg_catalog.obj_description(d.objid, c.relname) AS description
FROM pg_catalog.pg_depend AS d
	 JOIN pg_catalog.pg_class AS c ON c.oid = d.classid
WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
  AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'kpi')
  AND d.deptype = 'e';

-- Objects without a comment fail the check.
SELECT 'MISSING COMMENT ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0)
FROM members AS m WHERE m.description IS NULL
  AND m.classid <> 'pg_catalog.pg_type'::pg_catalog.regclass  -- array types and row types carry none
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend AS i        -- nor do identity sequences
				  WHERE i.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.objid = m.objid
					AND i.deptype = 'i')
ORDER BY 1;

SELECT '# kpi reference' || E'\n\n'
	|| 'Generated from the `COMMENT ON` text of every object of the extension by '
	|| '`bash test/reference.sh --write`; a test fails when this file is stale. '
	|| 'Version ' || (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'kpi') || '.' || E'\n';

-- Functions and aggregates, grouped by name and description: the per-type
-- variants of one aggregate share one entry.  Support functions of the
-- aggregates are listed last.
CREATE TEMP VIEW routines AS
SELECT p.proname AS name, p.prokind AS kind, m.description,
	   pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
	   pg_catalog.pg_get_function_result(p.oid) AS result,
	   m.description LIKE 'Aggregate support:%' AS support
FROM members AS m JOIN pg_catalog.pg_proc AS p ON p.oid = m.objid
WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass;

SELECT E'\n## ' || heading || E'\n\n| name | arguments → result | description |\n|---|---|---|\n'
	|| pg_catalog.string_agg(line, E'\n' ORDER BY name, line)
FROM (SELECT CASE WHEN r.support THEN 'Aggregate support functions'
				  WHEN r.kind = 'a' THEN 'Aggregates' ELSE 'Functions' END AS heading,
			 CASE WHEN r.support THEN 3 WHEN r.kind = 'a' THEN 1 ELSE 2 END AS ord,
			 r.name,
			 '| `kpi.' || r.name || '` | '
			 || CASE WHEN pg_catalog.count(*) FILTER (WHERE r.args ~ '^(integer|bigint|numeric|double precision), (integer|bigint|numeric|double precision)$') = 16
					 -- the 16 type pairs of a ratio aggregate: one line
					 THEN pg_catalog.string_agg(DISTINCT '`(x, y) → ' || r.result || '`', '')
						  || ' for x and y each of `integer`, `bigint`, `numeric`, `double precision`'
						  || COALESCE('<br>' || pg_catalog.string_agg(DISTINCT '`(' || r.args || ') → ' || r.result || '`', '<br>')
											   FILTER (WHERE r.args !~ '^(integer|bigint|numeric|double precision), (integer|bigint|numeric|double precision)$'), '')
					 ELSE pg_catalog.string_agg(DISTINCT '`(' || r.args || ') → ' || r.result || '`', '<br>') END
			 || ' | ' || pg_catalog.replace(r.description, '|', '\|') || ' |' AS line
	  FROM routines AS r
	  GROUP BY r.support, r.kind, r.name, r.description) AS entries
GROUP BY heading, ord ORDER BY ord;

-- Types, views, tables and the rest: one entry each.
SELECT E'\n## ' || kind || E'\n\n| name | description |\n|---|---|\n'
	|| pg_catalog.string_agg('| `' || name || '` | ' || pg_catalog.replace(description, '|', '\|') || ' |', E'\n' ORDER BY name)
FROM (SELECT CASE m.classid
				 WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN 'Types and domains'
				 WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
					 CASE c.relkind WHEN 'v' THEN 'Views' WHEN 'r' THEN 'Tables' WHEN 'S' THEN 'Sequences' ELSE 'Relations' END
				 WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN 'Operators'
				 WHEN 'pg_catalog.pg_cast'::pg_catalog.regclass THEN 'Casts'
				 ELSE 'Other objects' END AS kind,
			 pg_catalog.pg_describe_object(m.classid, m.objid, 0) AS name, m.description
	  FROM members AS m LEFT JOIN pg_catalog.pg_class AS c
		   ON m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = m.objid
	  WHERE m.classid <> 'pg_catalog.pg_proc'::pg_catalog.regclass
		AND m.description IS NOT NULL) AS o
GROUP BY kind
ORDER BY pg_catalog.array_position(ARRAY['Types and domains', 'Operators', 'Casts', 'Views', 'Tables', 'Sequences'], kind), kind;

-- The columns of every view and table, with their comments.
SELECT E'\n## Columns\n\n| relation | column | type | description |\n|---|---|---|---|\n'
	|| pg_catalog.string_agg('| `' || c.oid::pg_catalog.regclass::text || '` | `' || a.attname || '` | `'
						   || pg_catalog.format_type(a.atttypid, a.atttypmod) || '` | '
						   || COALESCE(pg_catalog.replace(pg_catalog.col_description(c.oid, a.attnum), '|', '\|'), '') || ' |',
						   E'\n' ORDER BY c.oid::pg_catalog.regclass::text, a.attnum)
FROM members AS m
	 JOIN pg_catalog.pg_class AS c ON m.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = m.objid
	 JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v');

-- The settings, from kpi.settings(): documented here and nowhere else.
SELECT E'\n## Settings\n\nSet with `SET kpi.<name> = ...` (or `ALTER DATABASE ... SET`); `SELECT * FROM kpi.settings()` shows them.\n\n| setting | default | allowed | description |\n|---|---|---|---|\n'
	|| pg_catalog.string_agg('| `' || s.name || '` | ' || COALESCE('`' || s.default_value || '`', '') || ' | ' || s.allowed || ' | '
						   || s.description || ' |', E'\n')
FROM kpi.settings() AS s;
