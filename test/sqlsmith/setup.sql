--
-- The database test/sqlsmith.sh fuzzes, run as a superuser in a fresh
-- database: kpi, the demo's sample company (demo/company.sql), the fixture
-- (test/sqlsmith/fixture.sql) and two KPIs on the demo data; an unprivileged
-- role that reads the data and writes the KPI catalog; and the table that
-- shows sqlsmith the routines to pick from (see "Focus" below).
--
-- psql variables: role, password, weight.
--
\set ON_ERROR_STOP on
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION kpi;
\ir ../../demo/company.sql
\ir fixture.sql
SET client_min_messages = error;
SET kpi.as_of = '2026-03-02 09:00';
INSERT INTO kpi.definitions
	(name, title, description, owner, teams, objective, metric, stage,
	 numerator_column, denominator_column, filters, unit, direction, baseline, target,
	 source, time_column, starts_on, due_on, review_every)
VALUES
	('cac_blended', 'Blended customer acquisition cost',
	 'Sales and marketing spend per new customer, over all channels.', 'Jana Becker',
	 '{marketing,sales}', 'Grow the customer base profitably', 'cac', 'customer',
	 'total_spend', 'new_customers', '{}', 'EUR', 'lower_is_better', 1150, 900,
	 'acme.funnel_daily', 'day', '2026-01-05', '2026-06-29', '7 days'),
	('roas_paid_search', 'Return on ad spend, paid search',
	 'Revenue won per euro spent on paid search ads.', 'Jana Becker',
	 '{marketing}', 'Make every marketing euro pay back', 'roas', 'revenue',
	 'revenue', 'marketing_spend', '{"channel": "paid_search"}', 'ratio', 'higher_is_better', 3.0, 3.4,
	 'acme.funnel_daily', 'day', '2026-01-05', '2026-06-29', '7 days');
SELECT kpi.record_review('cac_blended', 'Weekly review.') IS NOT NULL AS reviewed \gset
RESET kpi.as_of;

-- The role sqlsmith runs as: no superuser, no CREATE anywhere; it reads the
-- sample data and the reports, and writes the KPI catalog (the grants of
-- doc/smart-catalog.md for kpi_admins), so generated INSERT, UPDATE and
-- DELETE statements run the catalog's triggers and checks.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role', :'password') \gexec
GRANT USAGE ON SCHEMA kpi, acme, smith TO :"role";
GRANT SELECT ON ALL TABLES IN SCHEMA acme, smith TO :"role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kpi TO :"role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Focus.  sqlsmith learns the routines it may call from an unqualified
-- "pg_proc", and picks uniformly among those that return the type it needs:
-- among the 3,000 built-in functions, kpi's would hardly ever come up.  The
-- role's search_path puts the schema sqlsmith_focus before pg_catalog, and
-- table pg_proc (a snapshot of the catalog's) lists every routine once and
-- kpi's :weight times.  The
-- copies differ only in their oid column, which is text here: sqlsmith uses
-- it only to look up each routine's argument types (WHERE oid = '...').
-- kpi's support functions that take or return internal are left out: SQL
-- cannot produce their arguments.
CREATE SCHEMA sqlsmith_focus;
CREATE TABLE sqlsmith_focus.pg_proc AS
	SELECT p.oid::text AS oid, p.pronamespace, p.prorettype, p.proname, p.proretset,
		   p.prokind, p.proargtypes
	FROM pg_catalog.pg_proc AS p
	UNION ALL
	SELECT repeat('0', copy) || p.oid::text, p.pronamespace, p.prorettype, p.proname, p.proretset,
		   p.prokind, p.proargtypes
	FROM pg_catalog.pg_proc AS p, generate_series(1, :weight - 1) AS copy
	WHERE p.pronamespace = 'kpi'::regnamespace
	  AND 'internal'::regtype <> ALL (p.proargtypes::oid[] || p.prorettype);
-- sqlsmith looks up each routine's arguments by oid: thousands of queries.
CREATE INDEX ON sqlsmith_focus.pg_proc (oid);
ANALYZE sqlsmith_focus.pg_proc;
GRANT USAGE ON SCHEMA sqlsmith_focus TO :"role";
GRANT SELECT ON sqlsmith_focus.pg_proc TO :"role";
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = sqlsmith_focus, pg_catalog, public, kpi',
			  :'role', current_database()) \gexec
-- "Now" is the morning after the data ends, as in the demo.
SELECT format('ALTER ROLE %I IN DATABASE %I SET kpi.as_of = %L', :'role', current_database(),
			  '2026-03-02 09:00') \gexec
-- Count every call of every function (pg_stat_user_functions).
SELECT format('ALTER DATABASE %I SET track_functions = ''all''', current_database()) \gexec
