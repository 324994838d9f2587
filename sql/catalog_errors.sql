--
-- Errors that teach: a newcomer's mistake is answered with what is allowed
-- and, where one is likely, what was meant.  Every message is shown in full
-- (detail, hint and context), with its SQLSTATE.
--
\set VERBOSITY default
\set SHOW_CONTEXT always
SET kpi.enforce_smart = off;

-- A closed-set value names the allowed values and the closest one (23514).
INSERT INTO kpi.definitions (name, metric) VALUES ('cac_search', 'CAC');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('cac_search', 'customer_acquisition_cost');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, direction) VALUES ('cac_search', 'cac', 'lower');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric, stage) VALUES ('cac_search', 'cac', 'Customers');
\echo :LAST_ERROR_SQLSTATE
-- The same check guards updates.
INSERT INTO kpi.definitions (name, metric) VALUES ('cac_search', 'cac');
UPDATE kpi.definitions SET direction = 'higher_is_beter' WHERE name = 'cac_search';
\echo :LAST_ERROR_SQLSTATE

-- An invalid name says what a name may be, and offers one (23514).
INSERT INTO kpi.definitions (name, metric) VALUES ('CAC Paid Search', 'cac');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('2024-cac', 'cac');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kpi.definitions (name, metric) VALUES ('', 'cac');
\echo :LAST_ERROR_SQLSTATE

-- An unknown KPI suggests the closest existing name (42704) ...
SELECT kpi.measure('cac_serch', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.smart_check('CAC_search');
\echo :LAST_ERROR_SQLSTATE
-- ... and only a likely typo: a name far from every KPI gets the general hint.
SELECT kpi.measure('closing_rate', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE

-- A bad setting fails the first kpi call that reads it, with one message that
-- names the setting and its allowed values, and no stack of CONTEXT lines.
SET kpi.language = 'fr';
SELECT * FROM kpi.smart_check('cac_search');
\echo :LAST_ERROR_SQLSTATE
RESET kpi.language;
SET kpi.at_risk_margin = '10%';
SELECT kpi.setting('at_risk_margin');
\echo :LAST_ERROR_SQLSTATE
RESET kpi.at_risk_margin;
SET kpi.as_of = 'next monday';
SELECT * FROM kpi.smart_check('cac_search');
\echo :LAST_ERROR_SQLSTATE
RESET kpi.as_of;
SELECT kpi.setting('langauge');
\echo :LAST_ERROR_SQLSTATE

-- kpi.settings() lists every setting once, with its value in this session.
SET kpi.language = 'de';
SELECT * FROM kpi.settings();
-- It shows a bad value as set, so that it can be found and fixed.
SET kpi.max_active_kpis = 'five';
SELECT name, value FROM kpi.settings() WHERE value IS NOT NULL;
RESET kpi.max_active_kpis;
RESET kpi.language;

-- The helpers on their own.
SELECT kpi.closest_name('Convertion_Rate', '{conversion_rate,cac,romi}'),
	   kpi.closest_name('xyz', '{conversion_rate,cac,romi}') IS NULL AS no_guess,
	   kpi.closest_name('', '{cac}') IS NULL AS empty_word,
	   kpi.closest_name('cac', '{}') IS NULL AS no_candidates;
SELECT kpi.must_be_one_of('cac', 'metric', '{cac,romi}'), kpi.must_be_identifier('cac_2', 'KPI name');

DELETE FROM kpi.definitions WHERE name = 'cac_search';
RESET kpi.enforce_smart;
