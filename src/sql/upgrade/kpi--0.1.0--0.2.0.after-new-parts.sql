
/* kpi 0.1.0 -> 0.2.0 -- changes that use objects new in 0.2.0 (after the new parts) */

------------------------------------------------------------------------------
-- Errors that teach (issue 7): the closed sets and the KPI name are checked
-- by kpi.must_be_one_of() and kpi.must_be_identifier() (16_input_checks.sql),
-- and an unknown KPI name suggests the closest one.
------------------------------------------------------------------------------

-- The new domain constraints allow exactly the values the old ones did, which
-- every stored row already passed.  PostgreSQL cannot validate a domain that
-- a function signature reaches through a row type (kpi.definitions), so they
-- are added NOT VALID and then marked validated, as the old ones were.
ALTER DOMAIN kpi.metric DROP CONSTRAINT metric_known;
ALTER DOMAIN kpi.metric ADD CONSTRAINT metric_known CHECK (kpi.must_be_one_of(VALUE, 'metric',
		'{conversion_rate,cac,romi,roas,ratio,sum,count,average}')) NOT VALID;
ALTER DOMAIN kpi.direction DROP CONSTRAINT direction_known;
ALTER DOMAIN kpi.direction ADD CONSTRAINT direction_known CHECK (kpi.must_be_one_of(VALUE, 'direction', '{higher_is_better,lower_is_better}')) NOT VALID;
ALTER DOMAIN kpi.stage DROP CONSTRAINT stage_known;
ALTER DOMAIN kpi.stage ADD CONSTRAINT stage_known CHECK (kpi.must_be_one_of(VALUE, 'stage', '{lead,opportunity,customer,revenue}')) NOT VALID;
UPDATE pg_catalog.pg_constraint SET convalidated = true
WHERE contypid IN ('kpi.metric'::pg_catalog.regtype, 'kpi.direction'::pg_catalog.regtype, 'kpi.stage'::pg_catalog.regtype)
  AND conname IN ('metric_known', 'direction_known', 'stage_known');
ALTER TABLE kpi.definitions DROP CONSTRAINT name_is_identifier,
	ADD CONSTRAINT name_is_identifier CHECK (kpi.must_be_identifier(name, 'KPI name'));

CREATE OR REPLACE FUNCTION kpi.raise_unknown_kpi(kpi_name text) RETURNS void
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	closest text;
BEGIN
	-- The closest name the caller may see, as the likely intended one.
	IF pg_catalog.has_table_privilege('kpi.definitions', 'SELECT') THEN
		closest := kpi.closest_name(kpi_name, ARRAY(SELECT d.name FROM kpi.definitions AS d));
	END IF;
	RAISE EXCEPTION 'KPI "%" does not exist', kpi_name
		USING ERRCODE = 'undefined_object',
			  HINT = COALESCE('Did you mean "' || closest || '"?',
							  'The KPIs are the rows of kpi.definitions.');
END
$$;

------------------------------------------------------------------------------
-- SQL-standard bodies resolve names when they are created: kpi's LANGUAGE sql
-- functions need no SET search_path, and without it they can be inlined
-- (issue 7; see the head of this step for why).
------------------------------------------------------------------------------
ALTER FUNCTION kpi.as_of() RESET search_path;
ALTER FUNCTION kpi.audit_stale() RESET search_path;
ALTER FUNCTION kpi.can_measure(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.expected_progress(kpi.definitions,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure(text,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure_many(text[],timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.measure_series(text,interval,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.metric_columns_problem(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.period_sql(regclass,name,text,text) RESET search_path;
ALTER FUNCTION kpi.progress(kpi.definitions,double precision) RESET search_path;
ALTER FUNCTION kpi.recheck_smart(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.recheck_smart(text) RESET search_path;
ALTER FUNCTION kpi.scorecard_at(timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.series(text,interval,timestamp with time zone,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.show_date(date) RESET search_path;
ALTER FUNCTION kpi.show_number(double precision) RESET search_path;
ALTER FUNCTION kpi.smart_check(kpi.definitions) RESET search_path;
ALTER FUNCTION kpi.smart_check(text) RESET search_path;
ALTER FUNCTION kpi.target_path(kpi.definitions,timestamp with time zone) RESET search_path;
ALTER FUNCTION kpi.translate(text,text) RESET search_path;
ALTER FUNCTION kpi.keep_smart_verdict(text, text[]) RESET search_path;
