--
-- The kpi.* settings: defaults, validation, and surviving a first library
-- load inside a parallel query.
--
SET search_path = public, kpi;
\set SHOW_CONTEXT never
-- Defaults, valid values, and errors for a typo.
SELECT kpi.setting('language') AS language, kpi.setting('enforce_smart') AS enforce_smart,
	   kpi.setting('max_active_kpis') AS max_active_kpis, kpi.setting('at_risk_margin') AS at_risk_margin,
	   kpi.setting('as_of') IS NULL AS as_of_unset;
SET kpi.language = 'DE';
SET kpi.as_of = '2026-03-02 10:00+00';
SELECT kpi.setting('language'), kpi.as_of() = '2026-03-02 10:00+00'::timestamptz AS as_of_pinned;
SET kpi.language = 'fr';
SELECT kpi.setting('language');
SET kpi.enforce_smart = 'eror';
SELECT kpi.setting('enforce_smart');
SET kpi.max_active_kpis = '0';
SELECT kpi.setting('max_active_kpis');
SET kpi.at_risk_margin = '1.5';
SELECT kpi.setting('at_risk_margin');
SET kpi.as_of = 'tomorrowish';
SELECT kpi.setting('as_of');
SELECT kpi.setting('colour');
RESET kpi.language; RESET kpi.enforce_smart; RESET kpi.max_active_kpis; RESET kpi.at_risk_margin; RESET kpi.as_of;
-- The trap this design avoids: a setting made before the C library is
-- first loaded inside a parallel query must survive.
SET kpi.language = 'de';
SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
CREATE TABLE settings_probe AS SELECT i, i % 7 AS c FROM generate_series(1, 10000) i;
SELECT kpi.conversion_rate(c, i) > 0 AS parallel_first_use FROM settings_probe;
SELECT kpi.setting('language') AS language_after_parallel_load;
RESET ALL;
