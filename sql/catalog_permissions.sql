-- A KPI never lets anyone read data they could not read directly, and only
-- roles granted it can change the catalog.
\set SHOW_CONTEXT never
\i test/catalog_data.sql
\i test/catalog_kpis.sql

-- An analyst may read the catalog (every table of schema kpi), but not the
-- funnel table; a manager may read both; an outsider may use the schema and
-- nothing else.
CREATE ROLE regress_kpi_analyst;
CREATE ROLE regress_kpi_manager;
CREATE ROLE regress_kpi_outsider;
GRANT USAGE ON SCHEMA kpi TO regress_kpi_analyst, regress_kpi_manager, regress_kpi_outsider;
GRANT SELECT ON ALL TABLES IN SCHEMA kpi TO regress_kpi_analyst, regress_kpi_manager;
GRANT SELECT ON funnel_daily, opportunity_events TO regress_kpi_manager;

SET ROLE regress_kpi_manager;
SELECT round(kpi.measure('cac_paid_search', '2024-03-01', '2024-04-01')::numeric, 4) AS manager_sees;
SET ROLE regress_kpi_analyst;
SELECT kpi.measure('cac_paid_search', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_series('cac_paid_search', '7 days', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
-- The SMART check and the audit say what is missing and show no number.
SELECT * FROM kpi.smart_check('cac_paid_search') WHERE criterion = 'measurable';
SELECT name, measurable, smart FROM kpi.smart_report ORDER BY name;
SELECT kind, kpis FROM kpi.audit() WHERE kind = 'not_smart';
-- Nor may the analyst change a definition, e.g. point it at other data.
UPDATE kpi.definitions SET source = 'pg_catalog.pg_authid' WHERE name = 'cac_paid_search';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('mine', 'cac');
\echo :LAST_ERROR_SQLSTATE
DELETE FROM kpi.definitions;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- Column privileges are enough when they cover the columns the KPI reads.
GRANT SELECT (day, channel, spend) ON funnel_daily TO regress_kpi_analyst;
SET ROLE regress_kpi_analyst;
SELECT * FROM kpi.smart_check('cac_paid_search') WHERE criterion = 'measurable';
RESET ROLE;
GRANT SELECT (customers) ON funnel_daily TO regress_kpi_analyst;
SET ROLE regress_kpi_analyst;
SELECT round(kpi.measure('cac_paid_search', '2024-03-01', '2024-04-01')::numeric, 4) AS analyst_sees_now;
RESET ROLE;

-- Row-level security on the source: kpi reads a source as its owner, whose
-- policies are not the caller's, so only the owner measures such a KPI
-- (doc/security.md); others get 42501, or no value and the reason.
GRANT SELECT ON opportunity_events TO regress_kpi_analyst;
ALTER TABLE opportunity_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_email ON opportunity_events FOR SELECT TO regress_kpi_analyst USING (channel = 'email');
SET ROLE regress_kpi_analyst;
SELECT kpi.measure('win_rate', '2024-03-01', '2024-04-01') AS analyst_rate;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.measure_many(ARRAY['win_rate'], '2024-03-01', '2024-04-01');
SELECT * FROM kpi.smart_check('win_rate') WHERE criterion = 'measurable';
RESET ROLE;
-- The owner (here the superuser running the test) still measures it.
SELECT kpi.measure('win_rate', '2024-03-01', '2024-04-01') =
	   (SELECT (count(*) FILTER (WHERE won))::float8 / count(won) FROM opportunity_events
		WHERE opened_at >= '2024-03-01' AND opened_at < '2024-04-01') AS owner_rate_is_all_rows;
ALTER TABLE opportunity_events DISABLE ROW LEVEL SECURITY;
DROP POLICY only_email ON opportunity_events;

-- Without SELECT on the catalog there is nothing to measure or report.
SET ROLE regress_kpi_outsider;
SELECT kpi.measure('cac_paid_search', '2024-03-01', '2024-04-01');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.smart_report;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM kpi.audit();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A role granted the right to maintain the catalog can.
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kpi TO regress_kpi_manager;
SET ROLE regress_kpi_manager;
UPDATE kpi.definitions SET target = 225 WHERE name = 'cac_paid_search';
SELECT name, target FROM kpi.definitions WHERE name = 'cac_paid_search';
RESET ROLE;

-- None of the catalog's functions runs with its owner's rights.
SELECT count(*) AS security_definer_functions
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kpi') AND p.prosecdef;

DELETE FROM kpi.definitions;
DROP TABLE funnel_daily, opportunity_events;
REVOKE ALL ON ALL TABLES IN SCHEMA kpi FROM regress_kpi_analyst, regress_kpi_manager;
REVOKE ALL ON SCHEMA kpi FROM regress_kpi_analyst, regress_kpi_manager, regress_kpi_outsider;
DROP ROLE regress_kpi_analyst, regress_kpi_manager, regress_kpi_outsider;
