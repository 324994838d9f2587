--
-- search_path safety: hostile operators planted ahead of pg_catalog must not
-- be picked up by the install script, nor by any kpi function at run time.
-- Runs last: it drops and re-creates the extension.
--
\i test/core_fixture.sql
CREATE SCHEMA hostile;
CREATE TABLE public.hostile_calls (operator text);
CREATE FUNCTION hostile.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.hostile_calls VALUES ('text = text');
	RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE FUNCTION hostile.text_cat(a text, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.hostile_calls VALUES ('text || text');
	RETURN a OPERATOR(pg_catalog.||) b;
END $$;
CREATE OPERATOR hostile.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_cat);
CREATE FUNCTION hostile.numeric_div(a numeric, b numeric) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.hostile_calls VALUES ('numeric / numeric');
	RETURN a OPERATOR(pg_catalog./) b;
END $$;
CREATE OPERATOR hostile./ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = hostile.numeric_div);
CREATE FUNCTION hostile.float8_ge(a float8, b float8) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.hostile_calls VALUES ('float8 >= float8');
	RETURN a OPERATOR(pg_catalog.>=) b;
END $$;
CREATE OPERATOR hostile.>= (LEFTARG = float8, RIGHTARG = float8, FUNCTION = hostile.float8_ge);

-- The hostile schema comes before pg_catalog.
SET search_path = hostile, pg_catalog, public;
SELECT 'a'::text = 'a'::text AS hostile_operator_is_live;
SELECT count(*) AS calls_from_the_check FROM public.hostile_calls;
TRUNCATE public.hostile_calls;

-- Install script.  (Quietly: the cascade also drops what earlier tests left.)
SET client_min_messages = warning;
DROP EXTENSION kpi CASCADE;
RESET client_min_messages;
CREATE EXTENSION kpi;
SELECT count(*) AS calls_during_install FROM public.hostile_calls;

-- Run time: aggregates, I/O, and the catalog and monitoring functions.
SET kpi.enforce_smart = off;
SET kpi.as_of = '2026-03-02 00:00+00';
CREATE TABLE public.funnel AS
SELECT DATE '2025-11-01' + i AS day, 'search'::text AS channel,
	   (100 + i % 7)::numeric(12,2) AS spend, 20 + i % 5 AS leads, 2 + i % 3 AS customers
FROM generate_series(0, 120) i;
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on)
VALUES ('cac_search', 'CAC search', 'Cost of one new customer from paid search.', 'Mia',
		'{marketing,sales}', 'Grow profitably', 'cac', 'customer', 'public.funnel', 'day',
		'spend', 'customers', '{"channel": "search"}', 'EUR', 'lower_is_better', 40, 35,
		'2026-01-05', '2026-03-30');
SELECT kpi.cac(spend, customers) IS NOT NULL AS aggregate_ran,
	   kpi.ratio_agg(spend, customers)::text::kpi.ratio IS NOT NULL AS io_ran
FROM public.funnel;
SELECT kpi.measure('cac_search', '2026-01-05', '2026-02-02') IS NOT NULL AS measured;
SELECT count(*) > 0 AS smart_checked FROM kpi.smart_check('cac_search');
SELECT count(*) >= 0 AS audited FROM kpi.audit();
SELECT count(*) AS scorecard_rows FROM kpi.scorecard;
SELECT count(*) AS series_rows FROM kpi.series('cac_search', '7 days', '2026-01-05', '2026-02-02');
SELECT operator, count(*) AS calls FROM public.hostile_calls GROUP BY operator ORDER BY operator;
SELECT count(*) AS calls_at_run_time FROM public.hostile_calls;

RESET search_path;
