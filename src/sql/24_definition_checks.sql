/* kpi -- the KPI catalog, part 3c: definitions no reader can be made to fail on */

/*
 * A definition is read by everyone who reads the scorecard, the SMART report
 * or the audit, so one that makes their arithmetic fail (an overflow, a date
 * beyond the timestamp range, a filter its column cannot take) would deny
 * the service to all of them.  Such definitions are rejected on every write,
 * whatever kpi.enforce_smart says (the AFTER trigger of 22_smart.sql); rows
 * stored before (0.1.0, or written with check_function_bodies = off) are
 * shown by the scorecard with status invalid and the reason, and every
 * computation over them is guarded.
 *
 *   kpi.definition_problem(definition kpi.definitions) → text
 *       Why the numbers and dates of a definition are out of range, or NULL.
 *   kpi.filter_problem(definition kpi.definitions) → text
 *       Why a filter value is not a value of its column's type, or NULL.
 */

CREATE FUNCTION kpi.definition_problem(definition kpi.definitions) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE
		WHEN NOT pg_catalog.abs((definition).baseline) <= 1e100 THEN
			pg_catalog.format(kpi.translate(
				'The baseline %s is not a finite number between -1e100 and 1e100.',
				'Der Ausgangswert %s ist keine endliche Zahl zwischen -1e100 und 1e100.'), (definition).baseline)
		WHEN NOT pg_catalog.abs((definition).target) <= 1e100 THEN
			pg_catalog.format(kpi.translate(
				'The target %s is not a finite number between -1e100 and 1e100.',
				'Der Zielwert %s ist keine endliche Zahl zwischen -1e100 und 1e100.'), (definition).target)
		WHEN NOT (definition).starts_on BETWEEN date '0001-01-01' AND date '9999-12-31' THEN
			pg_catalog.format(kpi.translate(
				'starts_on %s is not a day between 0001-01-01 and 9999-12-31.',
				'starts_on %s ist kein Tag zwischen 0001-01-01 und 9999-12-31.'), (definition).starts_on)
		WHEN NOT (definition).due_on BETWEEN date '0001-01-01' AND date '9999-12-31' THEN
			pg_catalog.format(kpi.translate(
				'due_on %s is not a day between 0001-01-01 and 9999-12-31.',
				'due_on %s ist kein Tag zwischen 0001-01-01 und 9999-12-31.'), (definition).due_on)
		WHEN (definition).review_every > interval '10 years' THEN
			pg_catalog.format(kpi.translate(
				'review_every %s is longer than 10 years.',
				'review_every %s ist länger als 10 Jahre.'), kpi.show_interval((definition).review_every))
		END;
COMMENT ON FUNCTION kpi.definition_problem(kpi.definitions) IS
	'Internal: why a definition''s numbers or dates are out of the range kpi computes with (baseline and target finite within ±1e100, starts_on and due_on within 0001-01-01 to 9999-12-31, review_every at most 10 years); NULL when they are in range.';

/*
 * Each filter value cast to its column's type, as the query that measures
 * the KPI would: in one query, at write time only (an exception block
 * costs a subtransaction).  The types' input functions are C code, which
 * only a superuser can create.
 */
CREATE FUNCTION kpi.filter_problem(definition kpi.definitions) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	casts text := (SELECT pg_catalog.string_agg(pg_catalog.format('%L::%s', f.value #>> '{}',
															   kpi.column_type((definition).source, f.key::name)), ', ')
				   FROM pg_catalog.jsonb_each((definition).filters) AS f
				   WHERE pg_catalog.jsonb_typeof(f.value) IN ('string', 'number', 'boolean')
					 AND kpi.column_type((definition).source, f.key::name) IS NOT NULL);
BEGIN
	IF casts IS NOT NULL THEN
		EXECUTE 'SELECT ' || casts;
	END IF;
	RETURN NULL;
EXCEPTION WHEN data_exception THEN
	RETURN pg_catalog.format(kpi.translate('A filter value does not fit its column: %s.',
										   'Ein Filterwert passt nicht zu seiner Spalte: %s.'), SQLERRM);
END
$$;
COMMENT ON FUNCTION kpi.filter_problem(kpi.definitions) IS
	'Internal: why a filter value of a definition is not a value of its column''s type (e.g. "abc" on an integer column); NULL when every one is.';
