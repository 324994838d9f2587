/* kpi -- the KPI catalog, part 1: definitions */

/*
 * The catalog (issue 3) in four parts, one per concern, each with its tests:
 *   20_definitions.sql  the table, its domains and lookups, review periods   (sql/catalog_enforce, catalog_permissions)
 *   21_measure.sql      the query builder and measuring                      (sql/catalog_measure)
 *   22_smart.sql        the SMART rules, verdicts and the check on write     (sql/catalog_smart, catalog_enforce)
 *   35_audit.sql        the portfolio audit, after monitoring (30_monitor.sql),
 *                       whose functions it calls                             (sql/catalog_audit)
 * A source is read as its owner (kpi.read_source, 23_run_as_owner.sql), and
 * only for a caller who may SELECT what the KPI reads, so a KPI never shows
 * data its caller could not read directly, nor runs another role's code with
 * the caller's privileges.
 *
 *   kpi.definitions                   the catalog table, kept by pg_dump
 *   kpi.definition(kpi_name text) → kpi.definitions
 *       The stored row; error 42704 for an unknown name.
 *   kpi.as_of() → timestamptz
 *       "Now" for KPI checks and reviews: the setting kpi.as_of, or now() when it is ''.
 *
 *   kpi.review_period(anchor date, every interval, as_of timestamptz, periods_back integer DEFAULT 0)
 *       → TABLE (period_start timestamptz, period_end timestamptz)
 *       The periods [anchor + k·every, anchor + (k+1)·every), in the session's
 *       time zone, k any integer: periods_back = 0 gives the last one that has
 *       ended by as_of, 1 the one before, and so on.  A KPI's periods are
 *       anchored on its starts_on (kpi.last_review_period).
 *   kpi.last_review_period(definition kpi.definitions, as_of timestamptz DEFAULT kpi.as_of(),
 *                          periods_back integer DEFAULT 0) → (period_start timestamptz, period_end timestamptz)
 *       The KPI's last full review period by as_of, or periods_back before
 *       it: what the measurable check, the scorecard and reviews use.
 *   kpi.translate(english text, german text) → text      by kpi.language
 */

------------------------------------------------------------------------------
-- Closed sets, as domains over text: a typo is an error (SQLSTATE 23514) that
-- names the allowed values (kpi.must_be_one_of), and clients such as the JDBC
-- driver see plain text, because PostgreSQL reports a domain column as its
-- base type.
------------------------------------------------------------------------------

CREATE DOMAIN kpi.metric AS text
	CONSTRAINT metric_known CHECK (kpi.must_be_one_of(VALUE, 'metric',
		'{conversion_rate,cac,romi,roas,ratio,sum,count,average,funnel_conversion}'));
COMMENT ON DOMAIN kpi.metric IS
	'What a KPI computes: conversion_rate, cac, romi, roas, ratio, sum, count, average or funnel_conversion.';

CREATE DOMAIN kpi.direction AS text
	CONSTRAINT direction_known CHECK (kpi.must_be_one_of(VALUE, 'direction', '{higher_is_better,lower_is_better}'));
COMMENT ON DOMAIN kpi.direction IS
	'Which way a KPI improves: higher_is_better or lower_is_better (CAC is lower_is_better).';

CREATE DOMAIN kpi.stage AS text
	CONSTRAINT stage_known CHECK (kpi.must_be_one_of(VALUE, 'stage', '{lead,opportunity,customer,revenue}'));
COMMENT ON DOMAIN kpi.stage IS
	'The funnel stage a KPI measures: lead, opportunity, customer or revenue. kpi.audit() counts a lead KPI as lead generation, and a conversion_rate at the customer stage as a closing rate.';

------------------------------------------------------------------------------
-- The catalog.  Its tables (this one, and those of the SMART verdicts,
-- reviews, target history, plans, summaries and snapshots) are created with
-- parallel_workers = 0: they hold a few dozen to a few thousand rows, where
-- starting a parallel worker costs more than the whole scan.
------------------------------------------------------------------------------

CREATE TABLE kpi.definitions (
	name				text PRIMARY KEY
						CONSTRAINT name_is_identifier CHECK (kpi.must_be_identifier(name, 'KPI name')),
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
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- funnel_conversion (0.2.0; after the columns of 0.1.0, where
	-- ALTER TABLE ADD COLUMN puts them in an updated install)
	entity_column		name,
	step_columns		name[],
	funnel_within		interval
) WITH (parallel_workers = 0);

COMMENT ON TABLE kpi.definitions IS
	'The KPI catalog: one row per KPI, with what it measures, from which data, and its SMART target. Kept by pg_dump.';
COMMENT ON COLUMN kpi.definitions.name IS 'Lower-case identifier, e.g. cac_paid_search.';
COMMENT ON COLUMN kpi.definitions.title IS 'Short human-readable name.';
COMMENT ON COLUMN kpi.definitions.description IS 'What the KPI means, in at least one sentence (four words or more).';
COMMENT ON COLUMN kpi.definitions.owner IS 'The person accountable for the KPI.';
COMMENT ON COLUMN kpi.definitions.teams IS 'The teams the KPI belongs to, e.g. {marketing}, {sales}, {marketing,sales}.';
COMMENT ON COLUMN kpi.definitions.objective IS 'The business goal the KPI serves.';
COMMENT ON COLUMN kpi.definitions.metric IS 'conversion_rate, cac, romi, roas, ratio, sum, count, average or funnel_conversion; see doc/smart-catalog.md and doc/funnels.md for the columns each uses.';
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
COMMENT ON COLUMN kpi.definitions.entity_column IS 'funnel_conversion: the column of source that names the entity going through the funnel (a lead, a user); rows where it is NULL are skipped.';
COMMENT ON COLUMN kpi.definitions.step_columns IS 'funnel_conversion: the boolean columns of source that mark the steps, in order, at least 2 (columns, never SQL text); a NULL counts as false.';
COMMENT ON COLUMN kpi.definitions.funnel_within IS 'funnel_conversion: how long after step 1 the last step may happen, a positive interval without months or years (days count as 24 hours).';

SELECT pg_catalog.pg_extension_config_dump('kpi.definitions', '');

------------------------------------------------------------------------------
-- Small helpers.
--
-- kpi's LANGUAGE sql functions have SQL-standard bodies (RETURN or BEGIN
-- ATOMIC), whose names are resolved when the function is created, so they
-- need no SET search_path; without one, and without STRICT where the body
-- gives NULL for NULL by itself, the planner can inline them into the calling
-- query.  A SQL function that is not inlined has its query planned and run
-- on every call, as a parallel plan of its own where one is allowed.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.as_of() RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN COALESCE(
		kpi.setting('as_of')::timestamptz,
		pg_catalog.now());
COMMENT ON FUNCTION kpi.as_of() IS
	'"Now" for KPI checks and reviews: the setting kpi.as_of when set, else now().';

-- The message in the session's language (kpi.language: en or de).
CREATE FUNCTION kpi.translate(english text, german text) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN CASE kpi.setting('language') WHEN 'de' THEN german ELSE english END;
COMMENT ON FUNCTION kpi.translate(text, text) IS
	'Internal: picks the English or the German text by the setting kpi.language.';

-- Argument checks shared by the functions below: errors 22023.
/*
 * The argument checks return true (or raise) rather than void, so that
 * PL/pgSQL evaluates a call as a simple expression (checked := ...).  PERFORM
 * would plan a query for each call, and under force_parallel_mode start a
 * parallel worker for it.
 */
CREATE FUNCTION kpi.check_interval(what text, every interval) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF every <= interval '0' THEN
		RAISE EXCEPTION '% must be a positive interval', what
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The %s given is %s.', what, every);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_interval(text, interval) IS
	'Internal: true, or raises invalid_parameter_value (22023) unless the interval called what is positive.';

CREATE FUNCTION kpi.check_period(period_start timestamptz, period_end timestamptz) RETURNS boolean
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF period_end < period_start THEN
		RAISE EXCEPTION 'period ends before it starts'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The period is [%s, %s).', period_start, period_end);
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.check_period(timestamptz, timestamptz) IS
	'Internal: true, or raises invalid_parameter_value (22023) when the period [period_start, period_end) ends before it starts.';

CREATE FUNCTION kpi.review_period(anchor date, every interval, as_of timestamptz,
								  periods_back integer DEFAULT 0)
	RETURNS TABLE (period_start timestamptz, period_end timestamptz)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	origin timestamptz := anchor::timestamptz;
	k bigint;
	checked boolean;
BEGIN
	checked := kpi.check_interval('review period', every);
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

-- The review periods of a definition: anchored on starts_on, or on Monday
-- weeks when it has none (so weekly ones run Monday to Sunday); weekly
-- without a positive review_every (time_bound reports that).
CREATE FUNCTION kpi.last_review_period(definition kpi.definitions,
									   as_of timestamptz DEFAULT kpi.as_of(),
									   periods_back integer DEFAULT 0,
									   OUT period_start timestamptz, OUT period_end timestamptz)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- The one row of kpi.review_period, read by a loop: a loop's query runs
	-- as a cursor, which never starts a parallel worker, while SELECT INTO
	-- would for every KPI of the scorecard under force_parallel_mode.
	FOR period_start, period_end IN
		SELECT p.period_start, p.period_end
		-- No period for a definition out of range (kpi.definition_problem):
		-- its arithmetic would fail.
		FROM kpi.review_period(CASE WHEN kpi.definition_problem(definition) IS NULL
									THEN COALESCE(definition.starts_on, date '2000-01-03') END,
							   CASE WHEN definition.review_every > interval '0' THEN definition.review_every
									ELSE interval '7 days' END,
							   as_of, periods_back) AS p
	LOOP
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.last_review_period(kpi.definitions, timestamptz, integer) IS
	'The review period of a KPI that ended last by as_of (kpi.as_of() when not given), or periods_back periods before it: anchored on starts_on (a Monday when unset), review_every long (7 days when unset), in the session''s time zone; NULL for a definition out of range (kpi.definition_problem).';


-- The one error for a name that is not a KPI: every function that takes KPI
-- names raises it.
CREATE FUNCTION kpi.raise_unknown_kpi(kpi_name text) RETURNS void
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
COMMENT ON FUNCTION kpi.raise_unknown_kpi(text) IS
	'Internal: raises undefined_object (42704) for a KPI name that kpi.definitions does not hold.';

-- The stored definition called kpi_name, or an error 42704.
CREATE FUNCTION kpi.definition(kpi_name text) RETURNS kpi.definitions
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	d kpi.definitions;
BEGIN
	-- An expression, not SELECT INTO, which would plan a query (and under
	-- force_parallel_mode start a worker) on every call.
	d := (SELECT k FROM kpi.definitions AS k WHERE k.name = kpi_name);
	IF d.name IS NULL THEN
		PERFORM kpi.raise_unknown_kpi(kpi_name);
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION kpi.definition(text) IS
	'The row of kpi.definitions called kpi_name; error 42704 when there is none.';

CREATE FUNCTION kpi.definitions_before_write() RETURNS trigger
	LANGUAGE plpgsql VOLATILE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.updated_at := pg_catalog.now();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION kpi.definitions_before_write() IS
	'Trigger function on kpi.definitions: stamps updated_at when a definition changes.';

CREATE TRIGGER definitions_before_write
	BEFORE UPDATE ON kpi.definitions
	FOR EACH ROW EXECUTE FUNCTION kpi.definitions_before_write();
COMMENT ON TRIGGER definitions_before_write ON kpi.definitions IS
	'Stamps updated_at.';
