/* kpi -- export of the catalog: what DROP EXTENSION would take with it */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION kpi" to load this file. \quit

/*
 * DROP EXTENSION kpi drops the catalog tables with the extension, and with
 * them every definition, review, target change and verdict.  pg_dump keeps
 * them (they are registered with pg_extension_config_dump), but a user who
 * drops and reinstalls kpi, or moves the catalog to another database, wants
 * just the catalog: kpi.export_catalog() writes it as a SQL script that loads
 * it into a fresh install.
 *
 * The script covers every table and sequence the extension registers for
 * pg_dump, in the order they were registered (referenced tables first), so a
 * catalog table added in a later version is exported without a change here.
 * It loads the rows as a restore does (check_function_bodies = off: the
 * sources need not exist yet, and the stored SMART verdicts are kept as
 * exported) and refuses to run on a catalog that already holds definitions.
 */
CREATE FUNCTION kpi.export_catalog() RETURNS text
	LANGUAGE plpgsql STABLE SECURITY INVOKER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	script text;
	config record;
	columns text;
	rows_json jsonb;
	sequence_state record;
BEGIN
	script := pg_catalog.concat_ws(E'\n',
		'-- kpi catalog exported by kpi.export_catalog() from kpi '
			|| (SELECT e.extversion FROM pg_catalog.pg_extension AS e WHERE e.extname = 'kpi')
			|| ' on ' || pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC.',
		'-- Load it into a database with kpi installed and an empty catalog: psql -v ON_ERROR_STOP=1 -f FILE',
		'BEGIN;',
		'SET LOCAL check_function_bodies = off;',
		'DO $check$ BEGIN IF EXISTS (SELECT FROM kpi.definitions) THEN RAISE EXCEPTION '
			|| '''kpi.definitions is not empty'' USING ERRCODE = ''55000'', '
			|| 'HINT = ''Load an exported catalog into a fresh install of kpi.''; END IF; END $check$;');

	FOR config IN
		SELECT c.oid::pg_catalog.regclass AS relation, c.relkind
		FROM pg_catalog.pg_extension AS e,
			 pg_catalog.unnest(e.extconfig) WITH ORDINALITY AS x(oid, position)
			 JOIN pg_catalog.pg_class AS c ON c.oid = x.oid
		WHERE e.extname = 'kpi'
		ORDER BY x.position
	LOOP
		IF config.relkind = 'S' THEN
			EXECUTE pg_catalog.format('SELECT last_value, is_called FROM %s', config.relation) INTO sequence_state;
			script := script || E'\n' || pg_catalog.format('SELECT pg_catalog.setval(%L, %s, %L);',
				config.relation::text, sequence_state.last_value, sequence_state.is_called);
			CONTINUE;
		END IF;
		-- Stored columns only: generated columns are computed again on load.
		SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
		INTO columns
		FROM pg_catalog.pg_attribute AS a
		WHERE a.attrelid = config.relation AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
		EXECUTE pg_catalog.format('SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t)) FROM %s AS t', config.relation)
			INTO rows_json;
		-- Rows that a write trigger derived from the definitions just loaded
		-- (such as verdicts) give way to the exported ones.
		script := script || E'\n' || pg_catalog.format('DELETE FROM %s;', config.relation);
		IF rows_json IS NOT NULL THEN
			script := script || E'\n' || pg_catalog.format(
				'INSERT INTO %1$s (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM pg_catalog.jsonb_populate_recordset(NULL::%1$s, %3$L);',
				config.relation, columns, rows_json::text);
		END IF;
	END LOOP;
	RETURN script || E'\nCOMMIT;\n';
END
$$;
COMMENT ON FUNCTION kpi.export_catalog() IS
	'The KPI catalog (definitions, reviews, target history, SMART verdicts and every other table kpi keeps for pg_dump) as a SQL script that loads it into a fresh install: psql -At -c "SELECT kpi.export_catalog()" > catalog.sql before DROP EXTENSION kpi.';
