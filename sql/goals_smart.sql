-- Goal statements (issue 15): kpi.smart_check_text, the setting
-- kpi.max_monthly_change, kpi.definition_from_goal, and the limits of
-- kpi.parse_goal.  Reference date 2026-12-01 throughout.
SET datestyle = 'ISO, YMD';
SET kpi.language = 'en';

-- Each statement with the verdict expected per criterion, written by hand
-- from the rules: s(pecific), m(easurable), a(ttractive), r(ealistic),
-- t(ime_bound).  Every criterion fails in at least one statement and passes
-- in at least one, in each language.
CREATE TEMP TABLE smart_cases (n integer PRIMARY KEY, statement text,
							   s boolean, m boolean, a boolean, r boolean, t boolean, why text);
INSERT INTO smart_cases VALUES
	(1, 'Steigerung der Conversion Rate von 18 % auf 25 % bis 31.03.2027', true, true, true, true, true,
	 'all pass: 38.9 % in 3.9 months'),
	(2, 'Reduce CAC below EUR 120 by end of Q2 2027', true, true, true, true, true,
	 'no baseline: attractive and realistic pass, saying so'),
	(3, 'Mehr Kunden gewinnen bis Q2 2027', false, false, false, false, true,
	 'no metric, no target, no direction'),
	(4, 'CAC senken und ROAS steigern bis Q2 2027', false, false, false, false, true,
	 'two metrics: not specific'),
	(5, 'raise win-rate to 0.3 by end of may 2027', true, false, true, true, true,
	 'a target without a unit'),
	(6, 'Increase the conversion rate from 20% to 15% by June 2027', true, true, false, true, true,
	 'up, but the target is below the baseline: 25 % in 7 months is 3.6 % a month'),
	(7, 'Leads um -10 % steigern bis Ende Q2 2027', true, true, false, true, true,
	 'a written change against the verb'),
	(8, 'Conversion Rate im Webshop halbieren bis Ende Q3 2027', true, true, false, true, true,
	 'halving a conversion rate is no improvement; 50 % in 10 months is 5 % a month'),
	(9, 'Increase conversion rate from 10% to 20% by end of January 2027', true, true, true, false, true,
	 '100 % in 2 months: 49.9 % a month'),
	(10, 'Grow leads by 80% by end of January 2027', true, true, true, false, true,
	 'a relative target needs no baseline: 80 % in 2 months'),
	(11, 'Umsatz um 20 % steigern', true, true, true, false, false,
	 'no deadline'),
	(12, 'Abschlussquote um 3 Prozentpunkte erhöhen bis 31.02.2027', true, true, true, true, false,
	 'no such date; no baseline for the change'),
	(13, 'Reduce CAC from EUR 150 to EUR 140 by 2026-11-30', true, true, true, false, false,
	 'the deadline has passed'),
	(14, 'Reduce CAC from EUR 150 to EUR 148 in 10 days', true, true, true, true, false,
	 '10 days: fewer than 14; 1.3 % in 0.3 months'),
	(15, 'Umsatz bis 2027 verdoppeln', true, true, true, false, false,
	 'bis 2027: start or end?'),
	(16, 'Kosten pro Lead von 45 € auf 38 € senken, Ende Q2 2027, wöchentliche Überprüfung', true, true, true, true, true,
	 'all pass, with a cadence'),
	(17, 'Increase revenue', true, false, false, false, false,
	 'only a metric and a verb');

-- The verdicts in English, then in German.
SELECT c.n, k.criterion, k.passed, k.detail
FROM smart_cases AS c, LATERAL kpi.smart_check_text(c.statement, date '2026-12-01') AS k
ORDER BY c.n;
SET kpi.language = 'de';
SELECT c.n, k.criterion, k.passed, k.detail
FROM smart_cases AS c, LATERAL kpi.smart_check_text(c.statement, date '2026-12-01') AS k
ORDER BY c.n;

-- Where a verdict differs from the one written by hand, in either language: no rows.
SELECT c.n, k.criterion_key, k.passed, c.why
FROM smart_cases AS c, LATERAL kpi.goal_criteria(c.statement, date '2026-12-01') AS k
WHERE k.passed IS DISTINCT FROM CASE k.criterion_key WHEN 'specific' THEN c.s WHEN 'measurable' THEN c.m
										   WHEN 'attractive' THEN c.a WHEN 'realistic' THEN c.r
										   WHEN 'time_bound' THEN c.t END;
SET kpi.language = 'en';
SELECT c.n, k.criterion_key, k.passed, c.why
FROM smart_cases AS c, LATERAL kpi.goal_criteria(c.statement, date '2026-12-01') AS k
WHERE k.passed IS DISTINCT FROM CASE k.criterion_key WHEN 'specific' THEN c.s WHEN 'measurable' THEN c.m
										   WHEN 'attractive' THEN c.a WHEN 'realistic' THEN c.r
										   WHEN 'time_bound' THEN c.t END;

-- realistic, computed independently: (20 - 10) / 10 = 100 % over the
-- months from 2026-12-01 to 2027-01-31 (61 days of 30.436875) is 49.9 % a
-- month, and the detail says so.
SELECT pg_catalog.round((1.0 / ((date '2027-01-31' - date '2026-12-01') / 30.436875) * 100)::numeric, 1) AS per_month,
	   (SELECT k.detail FROM kpi.goal_criteria('Increase conversion rate from 10% to 20% by end of January 2027',
											   date '2026-12-01') AS k
		WHERE k.criterion_key = 'realistic') AS detail;

-- kpi.max_monthly_change: 0.25 by default; raised, the same goal passes.
SELECT kpi.setting('max_monthly_change');
SET kpi.max_monthly_change = '0.6';
SELECT k.passed, k.detail
FROM kpi.goal_criteria('Increase conversion rate from 10% to 20% by end of January 2027', date '2026-12-01') AS k
WHERE k.criterion_key = 'realistic';
SET kpi.max_monthly_change = 'a lot';
SELECT kpi.setting('max_monthly_change');
SET kpi.max_monthly_change = '0';
SELECT * FROM kpi.smart_check_text('Grow leads by 80% by end of January 2027', date '2026-12-01');
RESET kpi.max_monthly_change;

-- The default reference date is today: a deadline far ahead is time-bound.
SELECT k.passed FROM kpi.goal_criteria('Umsatz um 5 % steigern bis 31.12.2999') AS k
WHERE k.criterion_key = 'time_bound';
-- NULL in, nothing out.
SELECT count(*) FROM kpi.smart_check_text(NULL);
SELECT kpi.parse_goal(NULL) IS NULL AS parse_of_null_is_null;
SELECT kpi.parse_goal('Umsatz steigern', NULL) IS NULL AS parse_without_reference_is_null;

-- The 10 kB limit: 10240 bytes are read, 10241 are an error 22023, also
-- when the value is stored out of line (checked before it is fetched).
SELECT (kpi.parse_goal(rpad('CAC senken ', 10240, 'x'), date '2026-12-01')).metric AS at_limit;
SELECT kpi.parse_goal(rpad('CAC senken ', 10241, 'x'), date '2026-12-01');
SELECT * FROM kpi.smart_check_text(repeat('ä', 5121), date '2026-12-01');
CREATE TEMP TABLE long_goals (statement text);
ALTER TABLE long_goals ALTER COLUMN statement SET STORAGE EXTERNAL;
INSERT INTO long_goals VALUES (rpad('Leads verdoppeln bis März 2027 ', 10239, '.')),  -- ä is 2 bytes
							  (rpad('Leads verdoppeln bis März 2027 ', 200000, '.'));
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT pg_catalog.octet_length(statement) AS bytes, statement FROM long_goals ORDER BY 1 LOOP
		BEGIN
			RAISE NOTICE '% bytes: %', r.bytes, (kpi.parse_goal(r.statement, date '2026-12-01')).due_on;
		EXCEPTION WHEN invalid_parameter_value THEN
			RAISE NOTICE '% bytes: SQLSTATE %: %', r.bytes, SQLSTATE, SQLERRM;
		END;
	END LOOP;
END
$$;
SELECT kpi.parse_goal('CAC senken', 'infinity');

------------------------------------------------------------------------------
-- kpi.definition_from_goal
------------------------------------------------------------------------------
SET kpi.as_of = '2026-12-01 12:00+00';
SET kpi.enforce_smart = 'off';
CREATE TABLE public.goal_funnel (
	day date NOT NULL,
	visits integer NOT NULL,
	conversions integer NOT NULL,
	spend numeric NOT NULL,
	customers integer NOT NULL,
	leads integer NOT NULL
);

-- A percent rate is stored as a ratio: 18 % -> 0.18, 25 % -> 0.25.
SELECT name, title, metric, stage, source, time_column, numerator_column, denominator_column, unit,
	   direction, baseline, target, starts_on, due_on, review_every, active
FROM kpi.definition_from_goal('conversion_goal', 'Steigerung der Conversion Rate von 18 % auf 25 % bis 31.03.2027',
							  'public.goal_funnel', 'day', 'conversions', 'visits');
-- A relative target from the baseline: 150 EUR down 20 % is 120 EUR; the
-- cadence and "in 90 days" (from kpi.as_of()) come from the statement.
SELECT name, title, metric, stage, unit, direction, baseline, target, starts_on, due_on, review_every
FROM kpi.definition_from_goal('cac_goal', E'Reduce CAC from EUR 150\nby 20% within 90 days, reviewed monthly',
							  'public.goal_funnel', 'day', 'spend', 'customers');
-- Leads: a count, no denominator.
SELECT name, metric, stage, unit, direction, baseline, target, due_on
FROM kpi.definition_from_goal('lead_goal', 'Leads von 800 auf 1.000 pro Monat steigern bis H1 2027',
							  'public.goal_funnel', 'day', 'leads');
SELECT name, metric, baseline, target FROM kpi.definitions ORDER BY name;

-- Whatever is missing, in one error 22023.
\set VERBOSITY default
SELECT kpi.definition_from_goal('vague_goal', 'Mehr Kunden gewinnen', 'public.goal_funnel', 'day', 'conversions');
SELECT kpi.definition_from_goal('lead_double', 'Leads verdoppeln bis 31.02.2027', 'public.goal_funnel', 'day', 'leads');
SELECT kpi.definition_from_goal('cpl_goal', 'Kosten pro Lead auf 30 € senken bis Ende Q2 2027', 'public.goal_funnel', 'day', 'spend');
SELECT kpi.definition_from_goal(NULL, NULL, NULL, NULL, NULL);
-- regclass 0 (shown as '-') is no source either.
SELECT kpi.definition_from_goal('no_source', 'Reduce CAC below EUR 120 by end of Q2 2027', 0, 'day', 'spend', 'customers');
SET kpi.language = 'de';
SELECT kpi.definition_from_goal('win_goal', 'raise win-rate to 0.3', 'public.goal_funnel', 'day', 'customers', 'visits');
DO $$
BEGIN
	PERFORM kpi.definition_from_goal('vague_goal', 'Umsatz steigern', 'public.goal_funnel', 'day', 'spend');
EXCEPTION WHEN invalid_parameter_value THEN
	RAISE NOTICE 'SQLSTATE %', SQLSTATE;
END
$$;
SELECT count(*) AS definitions FROM kpi.definitions;

DELETE FROM kpi.definitions WHERE name IN ('conversion_goal', 'cac_goal', 'lead_goal');
DROP TABLE public.goal_funnel;
RESET kpi.language;
RESET kpi.as_of;
RESET kpi.enforce_smart;
