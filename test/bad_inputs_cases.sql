--
-- The cases of sql/bad_inputs.sql: ONE ROW PER kpi FUNCTION SIGNATURE, as
-- regprocedure prints it, in name order.  A new function needs a row here,
-- or sql/bad_inputs fails; the header of sql/bad_inputs.sql describes the
-- form of a case and the families (@aggregate, @transition, @window).
--
\set ECHO none
INSERT INTO bad_inputs.cases (signature, cases) VALUES
	('kpi.adjust_target(text,double precision,text)', $$
kpi.adjust_target(NULL, 1, 'x') => error 22004
kpi.adjust_target('no_such_kpi', 1, 'x') => error 42704
kpi.adjust_target('smith_cac', NULL, 'x') => error 22023
kpi.adjust_target('smith_cac', 'NaN', 'x') => error 22023
kpi.adjust_target('smith_cac', 'Infinity', 'x') => error 22023
kpi.adjust_target('smith_cac', 1e308, 'x') => error 23514
kpi.adjust_target('smith_cac', 56, NULL) => error 22023
kpi.adjust_target('smith_cac', 56, '') => error 22023
$$),
	('kpi.aggregate_sql(kpi.definitions,text)', $$
kpi.aggregate_sql(NULL, NULL) => error 22004
kpi.aggregate_sql(kpi.definition('smith_cac'), NULL) => = kpi.cac(spend::pg_catalog.numeric, customers::pg_catalog.int8)
kpi.aggregate_sql(kpi.definition('smith_cac'), '') => = kpi.cac(spend::pg_catalog.numeric, customers::pg_catalog.int8) FILTER (WHERE )
kpi.aggregate_sql(bad_inputs.def('smith_cac', '{"numerator_column": "no_such_column"}'), NULL) => = kpi.cac(no_such_column, customers::pg_catalog.int8)
$$),
	('kpi.as_of()', $$
kpi.as_of() => = 2026-03-02 09:00:00+00
$$),
	('kpi.audit()', $$
(SELECT count(*) >= 0 FROM kpi.audit()) => = true
$$),
	('kpi.audit_stale()', $$
(SELECT count(*) >= 0 FROM kpi.audit_stale()) => = true
$$),
	('kpi.cac(bigint,bigint)', '@aggregate'),
	('kpi.cac(bigint,double precision)', '@aggregate'),
	('kpi.cac(bigint,integer)', '@aggregate'),
	('kpi.cac(bigint,numeric)', '@aggregate'),
	('kpi.cac(double precision,bigint)', '@aggregate'),
	('kpi.cac(double precision,double precision)', '@aggregate'),
	('kpi.cac(double precision,integer)', '@aggregate'),
	('kpi.cac(double precision,numeric)', '@aggregate'),
	('kpi.cac(integer,bigint)', '@aggregate'),
	('kpi.cac(integer,double precision)', '@aggregate'),
	('kpi.cac(integer,integer)', '@aggregate'),
	('kpi.cac(integer,numeric)', '@aggregate'),
	('kpi.cac(numeric,bigint)', '@aggregate'),
	('kpi.cac(numeric,double precision)', '@aggregate'),
	('kpi.cac(numeric,integer)', '@aggregate'),
	('kpi.cac(numeric,numeric)', '@aggregate'),
	('kpi.calendar_comparisons(text,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.calendar_comparisons(NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.calendar_comparisons('', '2026-03-02')) => error 22023
(SELECT count(*) FROM kpi.calendar_comparisons('decade', '2026-03-02')) => error 22023
(SELECT count(*) FROM kpi.calendar_comparisons('month', 'infinity')) => = 4
(SELECT count(*) FROM kpi.calendar_comparisons('week', '-infinity')) => error 22008
(SELECT count(*) FROM kpi.calendar_comparisons('month', '2024-02-29')) => = 4
(SELECT count(*) FROM kpi.calendar_comparisons('year', '4713-01-01 BC')) => error 22008
$$),
	('kpi.can_measure(kpi.definitions)', $$
kpi.can_measure(NULL) => = false
kpi.can_measure(kpi.definition('smith_cac')) => = true
kpi.can_measure(bad_inputs.def('smith_cac', '{"source": "pg_class"}')) => = false
$$),
	('kpi.check_grain(text)', $$
kpi.check_grain(NULL) => error 22023
kpi.check_grain('') => error 22023
kpi.check_grain('decade') => error 22023
kpi.check_grain('month') => = true
$$),
	('kpi.check_interval(text,interval)', $$
kpi.check_interval('review_every', NULL) => = true
kpi.check_interval('review_every', '0 days') => error 22023
kpi.check_interval('review_every', '-7 days') => error 22023
kpi.check_interval('review_every', '1 mon -30 days') => error 22023
kpi.check_interval(NULL, '0 days') => error 22023
kpi.check_interval('review_every', '7 days') => = true
$$),
	('kpi.check_period(timestamp with time zone,timestamp with time zone)', $$
kpi.check_period(NULL, NULL) => = true
kpi.check_period('2026-01-02', '2026-01-01') => error 22023
kpi.check_period('2026-01-01', '2026-01-01') => = true
kpi.check_period('-infinity', 'infinity') => = true
$$),
	('kpi.check_plan_period(text,date)', $$
kpi.check_plan_period(NULL, NULL) => = true
kpi.check_plan_period('month', '2026-03-02') => error 23514
kpi.check_plan_period('month', 'infinity') => error 23514
kpi.check_plan_period('week', '2026-03-02') => = true
kpi.check_plan_period('', '2026-03-01') => = true
$$),
	('kpi.closest_name(text,text[])', $$
kpi.closest_name(NULL, '{a}') => null
kpi.closest_name('', '{}') => null
kpi.closest_name('', '{""}') => = 
kpi.closest_name('cca', '{cac,romi}') => null
kpi.closest_name('cacc', '{cac,romi}') => = cac
kpi.closest_name('x', '{NULL}') => null
kpi.closest_name(repeat('x', 100000), ARRAY[repeat('y', 100000)]) => null
$$),
	('kpi.column_type(regclass,name)', $$
kpi.column_type(NULL, 'x') => null
kpi.column_type('smith.funnel', '') => null
kpi.column_type('smith.funnel', 'no_such_column') => null
kpi.column_type('smith.funnel', 'spend') => = numeric
kpi.column_type('smith.funnel', 'ctid') => null
kpi.column_type(0, 'x') => null
kpi.column_type(12345678, 'x') => null
$$),
	('kpi.compare_periods(text,text,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.compare_periods(NULL, NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.compare_periods('no_such_kpi', 'month', '2026-03-02')) => error 42704
(SELECT count(*) FROM kpi.compare_periods('smith_cac', 'decade', '2026-03-02')) => error 22023
(SELECT count(*) FROM kpi.compare_periods('smith_cac', 'month', 'infinity')) => = 4
(SELECT count(*) FROM kpi.compare_periods('smith_cac', 'week', '-infinity')) => error 22008
(SELECT count(*) FROM kpi.compare_periods('smith_cac', 'month', NULL)) => = 0
(SELECT count(*) FROM kpi.compare_periods('smith_cac', 'year', '2026-03-02')) => = 4
$$),
	('kpi.conversion_rate(bigint,bigint)', '@aggregate'),
	('kpi.conversion_rate(bigint,double precision)', '@aggregate'),
	('kpi.conversion_rate(bigint,integer)', '@aggregate'),
	('kpi.conversion_rate(bigint,numeric)', '@aggregate'),
	('kpi.conversion_rate(boolean)', $$
(SELECT kpi.conversion_rate(b) FROM (VALUES (NULL::boolean)) AS v(b)) => null
(SELECT kpi.conversion_rate(b) FROM (VALUES (true)) AS v(b) WHERE false) => null
(SELECT kpi.conversion_rate(b) FROM (VALUES (true), (NULL), (false), (false)) AS v(b)) => = 0.333333333333333
(SELECT string_agg(coalesce(v::text, 'null'), ' ' ORDER BY o) FROM (SELECT o, kpi.conversion_rate(b) OVER (ORDER BY o ROWS 1 PRECEDING) AS v FROM (VALUES (1, NULL::boolean), (2, true), (3, NULL), (4, NULL), (5, false)) AS t(o, b)) AS w) => = null 1 1 null 0
$$),
	('kpi.conversion_rate(double precision,bigint)', '@aggregate'),
	('kpi.conversion_rate(double precision,double precision)', '@aggregate'),
	('kpi.conversion_rate(double precision,integer)', '@aggregate'),
	('kpi.conversion_rate(double precision,numeric)', '@aggregate'),
	('kpi.conversion_rate(integer,bigint)', '@aggregate'),
	('kpi.conversion_rate(integer,double precision)', '@aggregate'),
	('kpi.conversion_rate(integer,integer)', '@aggregate'),
	('kpi.conversion_rate(integer,numeric)', '@aggregate'),
	('kpi.conversion_rate(numeric,bigint)', '@aggregate'),
	('kpi.conversion_rate(numeric,double precision)', '@aggregate'),
	('kpi.conversion_rate(numeric,integer)', '@aggregate'),
	('kpi.conversion_rate(numeric,numeric)', '@aggregate'),
	('kpi.create_summary(regclass,name,interval,name[],text[],name,timestamp with time zone)', $$
kpi.create_summary(NULL, NULL, NULL) => error 22004
kpi.create_summary('smith.funnel', 'day', '0 days') => error 22023
kpi.create_summary('smith.funnel', 'day', '-1 day') => error 22023
kpi.create_summary('smith.funnel', 'day', '1 mon') => error 22023
kpi.create_summary('smith.funnel', 'no_such_column', '1 day') => error 42703
kpi.create_summary('smith.funnel', 'channel', '1 day') => error 42804
kpi.create_summary('smith.funnel', 'day', '1 day', '{no_such_column}') => error 42703
kpi.create_summary('smith.funnel', 'day', '1 day', '{}', '{channel}') => error 42804
kpi.create_summary('smith.funnel', 'day', '1 day', '{}', '{spend/no_such_column}') => error 42703
kpi.create_summary('smith.funnel', 'day', '1 day', NULL, NULL, repeat('x', 60)) => error 42622
$$),
	('kpi.definition(text)', $$
kpi.definition(NULL) => null
kpi.definition('no_such_kpi') => error 42704
kpi.definition('') => error 42704
(kpi.definition('smith_cac')).name => = smith_cac
$$),
	('kpi.definition_from_goal(text,text,regclass,name,name,name)', $$
kpi.definition_from_goal(NULL, NULL, NULL, NULL, NULL, NULL) => error 22023
kpi.definition_from_goal('bad_goal', '', 'smith.funnel', 'day', 'won', NULL) => error 22023
kpi.definition_from_goal('smith_cac', 'Lower the CAC from 60 EUR to 55 EUR by 2026-06-29', 'smith.funnel', 'day', 'spend', 'customers') => error 23505
kpi.definition_from_goal('Bad Name', 'Lower the CAC from 60 EUR to 55 EUR by 2026-06-29', 'smith.funnel', 'day', 'spend', 'customers') => error 23514
(kpi.definition_from_goal('bad_goal', 'Lower the CAC from 60 EUR to 55 EUR by 2026-06-29', 'smith.funnel', 'no_such_column', 'spend', 'customers')).name => = bad_goal
(kpi.definition_from_goal('bad_goal_2', 'Lower the CAC from 60 EUR to 55 EUR by 2026-06-29', 0, 'day', 'spend', 'customers')).name => error 22023
$$),
	('kpi.definition_problem(kpi.definitions)', $$
kpi.definition_problem(NULL) => null
kpi.definition_problem(kpi.definition('smith_cac')) => null
kpi.definition_problem(bad_inputs.def('smith_cac', '{"baseline": -1e308, "target": 1e308}')) IS NOT NULL => = true
kpi.definition_problem(bad_inputs.def('smith_cac', '{"baseline": "NaN"}')) IS NOT NULL => = true
kpi.definition_problem(bad_inputs.def('smith_cac', '{"target": "-Infinity"}')) IS NOT NULL => = true
kpi.definition_problem(bad_inputs.def('smith_cac', '{"review_every": "300000 years"}')) IS NOT NULL => = true
kpi.definition_problem(bad_inputs.def('smith_cac', '{"review_every": "-7 days"}')) => null
kpi.definition_problem(bad_inputs.def('smith_cac', '{"starts_on": "infinity"}')) IS NOT NULL => = true
kpi.definition_problem(bad_inputs.def('smith_cac', '{"due_on": "-infinity"}')) IS NOT NULL => = true
$$),
	('kpi.definitions_after_write()', $$
kpi.definitions_after_write() => error 0A000
$$),
	('kpi.definitions_before_write()', $$
kpi.definitions_before_write() => error 0A000
$$),
	('kpi.denominator(kpi.ratio)', $$
kpi.denominator(NULL) => null
kpi.denominator('(n=1, num=1, den=0)') => = 0
kpi.denominator('(n=1, num=1, den=~-Infinity)') => = -Infinity
$$),
	('kpi.distribution_column(regclass)', $$
kpi.distribution_column(NULL) => null
kpi.distribution_column('smith.funnel') => null
$$),
	('kpi.drop_summary(regclass)', $$
kpi.drop_summary(NULL) => null
kpi.drop_summary('smith.funnel') => error 42704
$$),
	('kpi.expected_progress(kpi.definitions,timestamp with time zone)', $$
kpi.expected_progress(NULL, NULL) => null
kpi.expected_progress(kpi.definition('smith_cac'), NULL) => null
kpi.expected_progress(kpi.definition('smith_cac'), 'infinity') => = 1
kpi.expected_progress(kpi.definition('smith_cac'), '-infinity') => = 0
kpi.expected_progress(bad_inputs.def('smith_cac', '{"due_on": "2026-01-05"}'), '2026-03-02') => null
kpi.expected_progress(bad_inputs.def('smith_cac', '{"due_on": "2025-01-05"}'), '2026-03-02') => null
kpi.expected_progress(bad_inputs.def('smith_cac', '{"starts_on": "-infinity", "due_on": "infinity"}'), '2026-03-02') => null
$$),
	('kpi.export_catalog()', $$
length(kpi.export_catalog()) > 0 => = true
$$),
	('kpi.filter_problem(kpi.definitions)', $$
kpi.filter_problem(NULL) => null
kpi.filter_problem(kpi.definition('smith_win_rate')) => null
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"leads": "abc"}}')) IS NOT NULL => = true
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"leads": 1e400}}')) IS NOT NULL => = true
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"leads": ""}}')) IS NOT NULL => = true
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"channel": null}}')) => null
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"no_such_column": 1}}')) => null
kpi.filter_problem(bad_inputs.def('smith_cac', '{"filters": {"": 1}}')) => null
kpi.filter_problem(bad_inputs.def('smith_cac', '{"source": null, "filters": {"leads": "abc"}}')) => null
$$),
	('kpi.filter_sql(kpi.definitions)', $$
kpi.filter_sql(NULL) => null
kpi.filter_sql(kpi.definition('smith_cac')) => null
kpi.filter_sql(bad_inputs.def('smith_cac', '{"filters": {"channel": null}}')) => = channel IS NULL
kpi.filter_sql(bad_inputs.def('smith_cac', '{"filters": {"chan\"nel; drop": "x''; --"}}')) => = "chan""nel; drop" = 'x''; --'
kpi.filter_sql(bad_inputs.def('smith_cac', '{"filters": {"channel": [1, 2]}}')) => = channel = '[1, 2]'
$$),
	('kpi.goal_criteria(text,date)', $$
(SELECT count(*) FROM kpi.goal_criteria(NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.goal_criteria('', '2026-03-02')) => = 5
(SELECT count(*) FROM kpi.goal_criteria('Raise the conversion rate from 18 % to 25 % in 3 months', 'infinity')) => error 22023
(SELECT count(*) FROM kpi.goal_criteria(repeat('x', 20000), '2026-03-02')) => error 22023
$$),
	('kpi.goal_problem(text)', $$
kpi.goal_problem(NULL) => null
kpi.goal_problem('') => = 
kpi.goal_problem('no such problem') => = No such problem
$$),
	('kpi.goal_show_value(double precision,text)', $$
kpi.goal_show_value(NULL, NULL) => null
kpi.goal_show_value('NaN', '%') => = NaN %
kpi.goal_show_value('Infinity', 'EUR') => = Infinity EUR
kpi.goal_show_value(1e308, '%') => = 100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 %
kpi.goal_show_value(-1, '') || '|' => = -1 |
$$),
	('kpi.keep_smart_verdict(text,text[])', $$
kpi.keep_smart_verdict(NULL, NULL) => error 23502
kpi.keep_smart_verdict('no_such_kpi', '{}') => error 23503
kpi.keep_smart_verdict('smith_cac', '{NULL}') => = false
$$),
	('kpi.last_review_period(kpi.definitions,timestamp with time zone,integer)', $$
(SELECT period_start FROM kpi.last_review_period(kpi.definition('smith_cac'))) => = 2026-02-23 00:00:00+00
(SELECT period_start FROM kpi.last_review_period(NULL)) => = 2026-02-23 00:00:00+00
(SELECT period_start FROM kpi.last_review_period(kpi.definition('smith_cac'), NULL)) => null
(SELECT period_start FROM kpi.last_review_period(bad_inputs.def('smith_cac', '{"review_every": "-7 days"}'))) => = 2026-02-23 00:00:00+00
(SELECT period_start FROM kpi.last_review_period(bad_inputs.def('smith_cac', '{"review_every": "0 days"}'))) => = 2026-02-23 00:00:00+00
(SELECT period_start FROM kpi.last_review_period(bad_inputs.def('smith_cac', '{"starts_on": "infinity"}'))) => null
(SELECT period_start FROM kpi.last_review_period(kpi.definition('smith_cac'), '2026-03-02', -5)) => = 2026-03-30 00:00:00+00
$$),
	('kpi.may_read_review(regclass,double precision)', $$
kpi.may_read_review(NULL, NULL) => = true
kpi.may_read_review(NULL, 1) => = false
kpi.may_read_review('smith.funnel', 'NaN') => = true
kpi.may_read_review(0, 1) => = false
kpi.may_read_review(12345678, 1) => = false
$$),
	('kpi.measure(kpi.definitions,timestamp with time zone,timestamp with time zone)', $$
kpi.measure(NULL::kpi.definitions, '2026-01-01', '2026-02-01') => null
kpi.measure(kpi.definition('smith_cac'), '2026-02-01', '2026-01-01') => error 22023
kpi.measure(kpi.definition('smith_cac'), '2026-01-01', '2026-01-01') => null
kpi.measure(kpi.definition('smith_cac'), '-infinity', 'infinity') IS NOT NULL => = true
kpi.measure(kpi.definition('smith_cac'), '2000-01-01', '2001-01-01') => null
kpi.measure(bad_inputs.def('smith_cac', '{"source": null}'), '2026-01-01', '2026-02-01') => error 22023
kpi.measure(bad_inputs.def('smith_cac', '{"filters": {"leads": "abc"}}'), '2026-01-01', '2026-02-01') => error 22P02
kpi.measure(bad_inputs.def('smith_cac', '{"metric": "sum", "denominator_column": null, "numerator_column": "channel"}'), '2026-01-01', '2026-02-01') => error 22023
$$),
	('kpi.measure(text,timestamp with time zone,timestamp with time zone)', $$
kpi.measure(NULL::text, '2026-01-01', '2026-02-01') => null
kpi.measure('no_such_kpi', '2026-01-01', '2026-02-01') => error 42704
kpi.measure('', '2026-01-01', '2026-02-01') => error 42704
kpi.measure('smith_cac', '2026-02-01', '2026-01-01') => error 22023
kpi.measure('smith_cac', 'infinity', 'infinity') => null
$$),
	('kpi.measure_many(text[],timestamp with time zone,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.measure_many(NULL, NULL::timestamptz, NULL::timestamptz)) => error 22023
(SELECT count(*) FROM kpi.measure_many('{no_such_kpi,""}', '2026-01-01'::timestamptz, '2026-02-01'::timestamptz)) => error 42704
(SELECT count(*) FROM kpi.measure_many('{smith_cac}', '2026-02-01'::timestamptz, '2026-01-01'::timestamptz)) => error 22023
$$),
	('kpi.measure_many(text[],timestamp with time zone[])', $$
(SELECT count(*) FROM kpi.measure_many(NULL, NULL::timestamptz[])) => error 22004
(SELECT count(*) FROM kpi.measure_many('{}', '{}'::timestamptz[])) => error 22023
(SELECT count(*) FROM kpi.measure_many('{no_such_kpi}', '{2026-01-01,2026-02-01}'::timestamptz[])) => error 42704
(SELECT count(*) FROM kpi.measure_many('{smith_cac,NULL}', '{2026-01-01,2026-02-01}'::timestamptz[])) => = 1
(SELECT count(*) FROM kpi.measure_many('{smith_cac}', '{2026-02-01,2026-01-01}'::timestamptz[])) => error 22023
(SELECT count(*) FROM kpi.measure_many('{smith_cac}', '{2026-01-01,NULL}'::timestamptz[])) => error 22023
(SELECT count(*) FROM kpi.measure_many('{smith_cac}', '{-infinity,infinity}'::timestamptz[])) => = 1
$$),
	('kpi.measure_problems(kpi.definitions,boolean)', $$
kpi.measure_problems(NULL, true) => = {"No metric is set.","No source table or view is set: set source to the table or view the KPI is computed from."}
cardinality(kpi.measure_problems(kpi.definition('smith_cac'), true)) => = 0
cardinality(kpi.measure_problems(bad_inputs.def('smith_cac', '{"source": null}'), true)) > 0 => = true
cardinality(kpi.measure_problems(bad_inputs.def('smith_cac', '{"numerator_column": "no_such_column"}'), true)) > 0 => = true
cardinality(kpi.measure_problems(bad_inputs.def('smith_cac', '{"filters": {"": null}}'), false)) > 0 => = true
cardinality(kpi.measure_problems(bad_inputs.def('smith_cac', '{"time_column": "channel"}'), NULL)) > 0 => = true
$$),
	('kpi.measure_query(kpi.definitions,text,text)', $$
(kpi.measure_query(NULL, '$1', '$2')).value_sql => error 22023
(kpi.measure_query(kpi.definition('smith_cac'), NULL, NULL)).value_sql => = kpi.cac(spend::pg_catalog.numeric, customers::pg_catalog.int8)
(kpi.measure_query(bad_inputs.def('smith_cac', '{"source": null}'), '$1', '$2')).value_sql => error 22023
(kpi.measure_query(bad_inputs.def('smith_cac', '{"metric": "bogus"}'), '$1', '$2')).value_sql => error 23514
$$),
	('kpi.measure_series(kpi.definitions,interval,timestamp with time zone,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.measure_series(NULL::kpi.definitions, '7 days', '2026-01-01', '2026-02-01')) => = 0
(SELECT count(*) FROM kpi.measure_series(kpi.definition('smith_cac'), '0 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.measure_series(kpi.definition('smith_cac'), '-7 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.measure_series(kpi.definition('smith_cac'), '7 days', '2026-02-01', '2026-01-01')) => error 22023
(SELECT count(*) FROM kpi.measure_series(kpi.definition('smith_cac'), '7 days', '-infinity', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.measure_series(kpi.definition('smith_cac'), '300000 years', '2026-01-01', '2026-02-01')) => error 22008
$$),
	('kpi.measure_series(text,interval,timestamp with time zone,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.measure_series(NULL::text, '7 days', '2026-01-01', '2026-02-01')) => = 0
(SELECT count(*) FROM kpi.measure_series('no_such_kpi', '7 days', '2026-01-01', '2026-02-01')) => error 42704
(SELECT count(*) FROM kpi.measure_series('smith_cac', '0 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.measure_series('smith_cac', '7 days', '2026-01-01', 'infinity')) => error 22023
$$),
	('kpi.measure_sources(text[],timestamp with time zone[],boolean)', $$
(SELECT count(*) FROM kpi.measure_sources(NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.measure_sources('{}', '{}')) => = 0
(SELECT count(*) FROM kpi.measure_sources('{no_such_kpi}', '{2026-01-01,2026-02-01}')) => = 0
(SELECT count(*) FROM kpi.measure_sources('{NULL}', '{2026-01-01,2026-02-01}')) => = 0
(SELECT count(*) FROM kpi.measure_sources('{smith_cac,smith_cac}', '{2026-01-01,2026-02-01}')) => = 1
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{2026-02-01,2026-01-01}')) => error 22023
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{2026-01-01}')) => error 22023
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{2026-01-01,NULL}')) => error 22023
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{-infinity,infinity}')) => = 1
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{2026-01-01,2026-02-01}', NULL)) => = 1
(SELECT count(*) FROM kpi.measure_sources('{smith_cac}', '{-infinity,infinity}', true) WHERE state IS NOT NULL) => = 1
$$),
	('kpi.measure_spans(kpi.definitions,timestamp with time zone[],timestamp with time zone[])', $$
(SELECT count(*) FROM kpi.measure_spans(NULL, NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{}', '{}')) => = 0
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{2026-01-01}', '{}')) => error 22023
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{2026-02-01}', '{2026-01-01}')) => error 22023
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{2026-01-01,NULL}', '{2026-02-01,2026-02-01}')) => error 22023
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{-infinity}', '{infinity}')) => = 1
(SELECT count(*) FROM kpi.measure_spans(kpi.definition('smith_cac'), '{2026-01-01,2026-01-15}', '{2026-02-01,2026-02-01}')) => = 2
(SELECT count(*) FROM kpi.measure_spans(bad_inputs.def('smith_cac', '{"source": null}'), '{2026-01-01}', '{2026-02-01}')) => error 22023
$$),
	('kpi.metric_columns_problem(kpi.definitions)', $$
kpi.metric_columns_problem(NULL) => null
kpi.metric_columns_problem(kpi.definition('smith_cac')) => null
kpi.metric_columns_problem(bad_inputs.def('smith_cac', '{"denominator_column": null}')) IS NOT NULL => = true
kpi.metric_columns_problem(bad_inputs.def('smith_leads', '{"denominator_column": "spend"}')) IS NOT NULL => = true
$$),
	('kpi.must_be_identifier(text,text)', $$
kpi.must_be_identifier(NULL, 'KPI name') => null
kpi.must_be_identifier('', 'KPI name') => error 23514
kpi.must_be_identifier('9a', 'KPI name') => error 23514
kpi.must_be_identifier(repeat('a', 100000), 'KPI name') => = true
$$),
	('kpi.must_be_one_of(text,text,text[])', $$
kpi.must_be_one_of(NULL, 'metric', '{cac}') => null
kpi.must_be_one_of('', 'metric', '{cac}') => error 23514
kpi.must_be_one_of('cac', 'metric', '{}') => error 23514
kpi.must_be_one_of('cac', '', '{cac}') => = true
kpi.must_be_one_of('x', 'metric', '{NULL}') => error 23514
$$),
	('kpi.n(kpi.ratio)', $$
kpi.n(NULL) => null
kpi.n('(n=0, num=0, den=0)') => = 0
kpi.n('(n=9223372036854775807, num=0, den=0)') => = 9223372036854775807
$$),
	('kpi.number_expression(regclass,name)', $$
kpi.number_expression(NULL, NULL) => null
kpi.number_expression('smith.funnel', 'no_such_column') => = no_such_column::pg_catalog.float8
kpi.number_expression('smith.funnel', 'channel') => = channel::pg_catalog.float8
kpi.number_expression('smith.funnel', 'spend') => = spend::pg_catalog.numeric
$$),
	('kpi.numerator(kpi.ratio)', $$
kpi.numerator(NULL) => null
kpi.numerator('(n=0, num=0, den=0)') => = 0
kpi.numerator('(n=1, num=-170141183460469231731687303715884105727, den=1)') => = -170141183460469231731687303715884105727
kpi.numerator('(n=1, num=~NaN, den=1)') => = NaN
kpi.numerator('(n=1, num=~Infinity, den=1)') => = Infinity
kpi.numerator('(n=1, num=~-Infinity, den=1)') => = -Infinity
$$),
	('kpi.parse_goal(text,date)', $$
kpi.parse_goal(NULL, NULL) => null
(kpi.parse_goal('', '2026-03-02')).problems => = {}
(kpi.parse_goal('Raise the conversion rate from 18 % to 25 % by 2027-03-31', NULL)).due_on => null
(kpi.parse_goal('Raise the conversion rate from 18 % to 25 % in 3 months', 'infinity')).due_on => error 22023
(kpi.parse_goal('Raise the conversion rate from NaN % to Infinity %', '2026-03-02')).target => null
(kpi.parse_goal('Raise the conversion rate from 1e308 % to 1e400 % by 2027-03-31', '2026-03-02')).target => = 1
(kpi.parse_goal(repeat('x', 20000), '2026-03-02')).problems => error 22023
$$),
	('kpi.period_sql(regclass,name,text,text)', $$
kpi.period_sql(NULL, NULL, NULL, NULL) => error 22004
kpi.period_sql('smith.funnel', 'day', '', '') || '|' => = FROM smith.funnel AS kpi_source WHERE day >=  AND day < |
kpi.period_sql('smith.funnel', 'no_such_column', '$1', '$2') => = FROM smith.funnel AS kpi_source WHERE no_such_column >= $1 AND no_such_column < $2
$$),
	('kpi.plan_problems(text,text)', $$
kpi.plan_problems(NULL, NULL) => = {}
kpi.plan_problems('no_such_kpi', NULL) => = {}
kpi.plan_problems('smith_cac', '') => = {}
kpi.plan_problems('smith_cac', NULL) => = {}
$$),
	('kpi.plan_steepest_step(kpi.definitions)', $$
(kpi.plan_steepest_step(NULL)).period_start => null
(kpi.plan_steepest_step(kpi.definition('smith_cac'))).period_start => null
(kpi.plan_steepest_step(bad_inputs.def('smith_cac', '{"review_every": "-7 days"}'))).period_start => null
$$),
	('kpi.plan_period_target(text,text,timestamp with time zone)', $$
kpi.plan_period_target(NULL, NULL, NULL) => null
kpi.plan_period_target('smith_cac', NULL, 'infinity') => null
kpi.plan_period_target('smith_cac', 'search', '-infinity') => null
kpi.plan_period_target('no_such_kpi', '', '2026-03-02') => null
$$),
	('kpi.plan_target(kpi.definitions,timestamp with time zone)', $$
kpi.plan_target(NULL, NULL) => null
kpi.plan_target(kpi.definition('smith_cac'), '2026-03-02') => null
kpi.plan_target(kpi.definition('smith_cac'), 'infinity') => null
kpi.plan_target(kpi.definition('smith_cac'), NULL) => null
$$),
	('kpi.plans_after_write()', $$
kpi.plans_after_write() => error 0A000
$$),
	('kpi.progress(kpi.definitions,double precision)', $$
kpi.progress(NULL, 1) => null
kpi.progress(kpi.definition('smith_cac'), NULL) => null
kpi.progress(kpi.definition('smith_cac'), 'NaN') => null
kpi.progress(kpi.definition('smith_cac'), 'Infinity') => null
kpi.progress(bad_inputs.def('smith_cac', '{"baseline": 5, "target": 5}'), 5) => null
kpi.progress(bad_inputs.def('smith_cac', '{"baseline": -1e308, "target": 1e308}'), 0) => null
$$),
	('kpi.raise_unknown_kpi(text)', $$
kpi.raise_unknown_kpi('no_such_kpi') => error 42704
kpi.raise_unknown_kpi(NULL) => error 42704
kpi.raise_unknown_kpi('') => error 42704
$$),
	('kpi.ratio_accum(kpi.ratio,bigint,bigint)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,bigint,double precision)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,bigint,integer)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,bigint,numeric)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,double precision,bigint)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,double precision,double precision)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,double precision,integer)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,double precision,numeric)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,integer,bigint)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,integer,double precision)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,integer,integer)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,integer,numeric)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,numeric,bigint)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,numeric,double precision)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,numeric,integer)', '@transition'),
	('kpi.ratio_accum(kpi.ratio,numeric,numeric)', '@transition'),
	('kpi.ratio_accum_bool(kpi.ratio,boolean)', $$
kpi.ratio_accum_bool(NULL, NULL) => null
kpi.value(kpi.ratio_accum_bool(kpi.ratio_accum_bool(NULL, NULL), false)) => = 0
kpi.value(kpi.ratio_accum_bool(kpi.ratio_accum_bool(NULL, true), NULL)) => = 1
kpi.ratio_accum_bool('(n=9223372036854775807, num=0, den=0)', true) => error 22003
$$),
	('kpi.ratio_add(kpi.ratio,kpi.ratio)', $$
kpi.ratio_add(NULL, NULL) => null
kpi.ratio_add('(n=1, num=1, den=1)', NULL) => null
'(n=9223372036854775807, num=0, den=0)'::kpi.ratio + '(n=1, num=0, den=0)' => error 22003
'(n=1, num=170141183460469231731687303715884105727, den=1)'::kpi.ratio + '(n=1, num=1, den=1)' => error 22003
kpi.value('(n=1, num=~Infinity, den=1)'::kpi.ratio + '(n=1, num=~-Infinity, den=1)') => = NaN
kpi.value('(n=1, num=1, den=5)'::kpi.ratio + '(n=1, num=1, den=-5)') => null
$$),
	('kpi.ratio_agg(bigint,bigint)', '@aggregate'),
	('kpi.ratio_agg(bigint,double precision)', '@aggregate'),
	('kpi.ratio_agg(bigint,integer)', '@aggregate'),
	('kpi.ratio_agg(bigint,numeric)', '@aggregate'),
	('kpi.ratio_agg(double precision,bigint)', '@aggregate'),
	('kpi.ratio_agg(double precision,double precision)', '@aggregate'),
	('kpi.ratio_agg(double precision,integer)', '@aggregate'),
	('kpi.ratio_agg(double precision,numeric)', '@aggregate'),
	('kpi.ratio_agg(integer,bigint)', '@aggregate'),
	('kpi.ratio_agg(integer,double precision)', '@aggregate'),
	('kpi.ratio_agg(integer,integer)', '@aggregate'),
	('kpi.ratio_agg(integer,numeric)', '@aggregate'),
	('kpi.ratio_agg(numeric,bigint)', '@aggregate'),
	('kpi.ratio_agg(numeric,double precision)', '@aggregate'),
	('kpi.ratio_agg(numeric,integer)', '@aggregate'),
	('kpi.ratio_agg(numeric,numeric)', '@aggregate'),
	('kpi.ratio_combine(kpi.ratio,kpi.ratio)', $$
kpi.ratio_combine(NULL, NULL) => null
kpi.ratio_combine(NULL, '(n=1, num=1, den=0)') => = (n=1, num=1, den=0, sxx=NaN, syy=NaN, sxy=NaN)
kpi.ratio_combine('(n=1, num=1, den=0)', NULL) => = (n=1, num=1, den=0, sxx=NaN, syy=NaN, sxy=NaN)
kpi.ratio_combine('(n=9223372036854775807, num=0, den=0)', '(n=1, num=0, den=0)') => error 22003
kpi.value(kpi.ratio_combine('(n=1, num=~Infinity, den=1)', '(n=1, num=~-Infinity, den=1)')) => = NaN
$$),
	('kpi.ratio_eq(kpi.ratio,kpi.ratio)', $$
kpi.ratio_eq(NULL, '(n=0, num=0, den=0)') => null
'(n=1, num=~NaN, den=1)'::kpi.ratio = '(n=1, num=~NaN, den=1)' => = true
'(n=0, num=0, den=0)'::kpi.ratio = '(n=0, num=0.00, den=0)' => = true
$$),
	('kpi.ratio_in(cstring)', $$
kpi.ratio_in(NULL) => null
''::kpi.ratio => error 22P02
'()'::kpi.ratio => error 22P02
'(n=1, num=1, den=1'::kpi.ratio => error 22P02
'(n=-1, num=0, den=0)'::kpi.ratio => error 22003
'(n=1, num=1e40, den=1)'::kpi.ratio => error 22P02
'(n=1, num=1000000000000000000000000000000000000000000, den=1)'::kpi.ratio => error 22003
'(n=99999999999999999999, num=1, den=1)'::kpi.ratio => error 22003
'(n=1, num=NaN, den=1)'::kpi.ratio => error 22P02
'(n=1, num=~NaN, den=~Infinity)'::kpi.ratio => = (n=1, num=~NaN, den=~Infinity, sxx=NaN, syy=NaN, sxy=NaN)
'(n=1, num=~-Infinity, den=0)'::kpi.ratio => = (n=1, num=~-Infinity, den=0, sxx=NaN, syy=NaN, sxy=NaN)
'(n=0, num=0, den=0)'::kpi.ratio => = (n=0, num=0, den=0, sxx=NaN, syy=NaN, sxy=NaN)
'(n=1, num=1, den=1, sxx=-1, syy=1, sxy=1)'::kpi.ratio => = (n=1, num=1, den=1, sxx=-1, syy=1, sxy=1)
'(n=1, num=1, den=1) trailing'::kpi.ratio => error 22P02
'(n=1, num=1, den=1, sxx=1e999, syy=1, sxy=1)'::kpi.ratio => error 22003
$$),
	('kpi.ratio_moving_accum(internal,bigint,bigint)', '@window'),
	('kpi.ratio_moving_accum(internal,bigint,double precision)', '@window'),
	('kpi.ratio_moving_accum(internal,bigint,integer)', '@window'),
	('kpi.ratio_moving_accum(internal,bigint,numeric)', '@window'),
	('kpi.ratio_moving_accum(internal,double precision,bigint)', '@window'),
	('kpi.ratio_moving_accum(internal,double precision,double precision)', '@window'),
	('kpi.ratio_moving_accum(internal,double precision,integer)', '@window'),
	('kpi.ratio_moving_accum(internal,double precision,numeric)', '@window'),
	('kpi.ratio_moving_accum(internal,integer,bigint)', '@window'),
	('kpi.ratio_moving_accum(internal,integer,double precision)', '@window'),
	('kpi.ratio_moving_accum(internal,integer,integer)', '@window'),
	('kpi.ratio_moving_accum(internal,integer,numeric)', '@window'),
	('kpi.ratio_moving_accum(internal,numeric,bigint)', '@window'),
	('kpi.ratio_moving_accum(internal,numeric,double precision)', '@window'),
	('kpi.ratio_moving_accum(internal,numeric,integer)', '@window'),
	('kpi.ratio_moving_accum(internal,numeric,numeric)', '@window'),
	('kpi.ratio_moving_accum_bool(internal,boolean)', $$
kpi.ratio_moving_accum_bool(NULL::internal, true) => error 42846
(SELECT string_agg(coalesce(v::text, 'null'), ' ' ORDER BY o) FROM (SELECT o, kpi.conversion_rate(b) OVER (ORDER BY o ROWS 1 PRECEDING) AS v FROM (VALUES (1, NULL::boolean), (2, NULL), (3, true)) AS t(o, b)) AS w) => = null null 1
$$),
	('kpi.ratio_moving_merge(internal,kpi.ratio)', $$
kpi.ratio_moving_merge(NULL::internal, NULL) => error 42846
(SELECT string_agg(coalesce(kpi.value(v)::text, 'null'), ' ' ORDER BY o) FROM (SELECT o, kpi.rollup(r) OVER (ORDER BY o ROWS 1 PRECEDING) AS v FROM (VALUES (1, NULL::kpi.ratio), (2, '(n=1, num=~NaN, den=1)'), (3, '(n=1, num=1, den=-1)'), (4, '(n=1, num=2, den=1)')) AS t(o, r)) AS w) => = null NaN null null
$$),
	('kpi.ratio_moving_retract(internal,bigint,bigint)', '@window'),
	('kpi.ratio_moving_retract(internal,bigint,double precision)', '@window'),
	('kpi.ratio_moving_retract(internal,bigint,integer)', '@window'),
	('kpi.ratio_moving_retract(internal,bigint,numeric)', '@window'),
	('kpi.ratio_moving_retract(internal,double precision,bigint)', '@window'),
	('kpi.ratio_moving_retract(internal,double precision,double precision)', '@window'),
	('kpi.ratio_moving_retract(internal,double precision,integer)', '@window'),
	('kpi.ratio_moving_retract(internal,double precision,numeric)', '@window'),
	('kpi.ratio_moving_retract(internal,integer,bigint)', '@window'),
	('kpi.ratio_moving_retract(internal,integer,double precision)', '@window'),
	('kpi.ratio_moving_retract(internal,integer,integer)', '@window'),
	('kpi.ratio_moving_retract(internal,integer,numeric)', '@window'),
	('kpi.ratio_moving_retract(internal,numeric,bigint)', '@window'),
	('kpi.ratio_moving_retract(internal,numeric,double precision)', '@window'),
	('kpi.ratio_moving_retract(internal,numeric,integer)', '@window'),
	('kpi.ratio_moving_retract(internal,numeric,numeric)', '@window'),
	('kpi.ratio_moving_retract_bool(internal,boolean)', $$
kpi.ratio_moving_retract_bool(NULL::internal, true) => error 42846
(SELECT string_agg(coalesce(v::text, 'null'), ' ' ORDER BY o) FROM (SELECT o, kpi.conversion_rate(b) OVER (ORDER BY o ROWS 1 PRECEDING) AS v FROM (VALUES (1, true), (2, false), (3, NULL), (4, NULL)) AS t(o, b)) AS w) => = 1 0.5 0 null
$$),
	('kpi.ratio_moving_romi_value(internal)', '@window'),
	('kpi.ratio_moving_summary(internal)', '@window'),
	('kpi.ratio_moving_unmerge(internal,kpi.ratio)', $$
kpi.ratio_moving_unmerge(NULL::internal, NULL) => error 42846
(SELECT string_agg(coalesce(kpi.value(v)::text, 'null'), ' ' ORDER BY o) FROM (SELECT o, kpi.rollup(r) OVER (ORDER BY o ROWS 1 PRECEDING) AS v FROM (VALUES (1, '(n=1, num=~Infinity, den=1)'::kpi.ratio), (2, '(n=1, num=1, den=~-Infinity)'), (3, '(n=1, num=1, den=0)'), (4, NULL), (5, NULL)) AS t(o, r)) AS w) => = Infinity NaN -0 null null
$$),
	('kpi.ratio_moving_value(internal)', '@window'),
	('kpi.ratio_ne(kpi.ratio,kpi.ratio)', $$
kpi.ratio_ne(NULL, NULL) => null
'(n=1, num=~NaN, den=1)'::kpi.ratio <> '(n=1, num=~NaN, den=1)' => = false
'(n=1, num=1, den=1)'::kpi.ratio <> '(n=2, num=1, den=1)' => = true
$$),
	('kpi.ratio_out(kpi.ratio)', $$
kpi.ratio_out(NULL) => null
kpi.ratio_out('(n=1, num=~NaN, den=0)') => = (n=1, num=~NaN, den=0, sxx=NaN, syy=NaN, sxy=NaN)
(SELECT bool_and(summary::text::kpi.ratio = summary) FROM smith.edge WHERE summary IS NOT NULL AND id <> 10) => = true
$$),
	('kpi.ratio_recv(internal)', $$
kpi.ratio_recv(NULL::internal) => error 42846
$$),
	('kpi.ratio_send(kpi.ratio)', $$
kpi.ratio_send(NULL) => null
length(kpi.ratio_send('(n=1, num=~Infinity, den=-1)')) > 0 => = true
$$),
	('kpi.ratio_summary_accum(kpi.ratio,bigint,bigint)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,bigint,double precision)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,bigint,integer)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,bigint,numeric)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,double precision,bigint)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,double precision,double precision)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,double precision,integer)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,double precision,numeric)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,integer,bigint)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,integer,double precision)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,integer,integer)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,integer,numeric)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,numeric,bigint)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,numeric,double precision)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,numeric,integer)', '@transition'),
	('kpi.ratio_summary_accum(kpi.ratio,numeric,numeric)', '@transition'),
	('kpi.ratio_summary_moving_accum(internal,bigint,bigint)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,bigint,double precision)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,bigint,integer)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,bigint,numeric)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,double precision,bigint)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,double precision,double precision)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,double precision,integer)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,double precision,numeric)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,integer,bigint)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,integer,double precision)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,integer,integer)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,integer,numeric)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,numeric,bigint)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,numeric,double precision)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,numeric,integer)', '@window'),
	('kpi.ratio_summary_moving_accum(internal,numeric,numeric)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,bigint,bigint)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,bigint,double precision)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,bigint,integer)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,bigint,numeric)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,double precision,bigint)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,double precision,double precision)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,double precision,integer)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,double precision,numeric)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,integer,bigint)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,integer,double precision)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,integer,integer)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,integer,numeric)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,numeric,bigint)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,numeric,double precision)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,numeric,integer)', '@window'),
	('kpi.ratio_summary_moving_retract(internal,numeric,numeric)', '@window'),
	('kpi.read_source(kpi.definitions[],timestamp with time zone[],boolean,boolean)', $$
(SELECT count(*) FROM kpi.read_source(NULL, NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{2026-01-01,2026-02-01}', true, NULL)) => = 0
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{-infinity,infinity}', false, true) WHERE state IS NOT NULL) => = 1
(SELECT count(*) FROM kpi.read_source('{}', '{2026-01-01,2026-02-01}', true)) => = 0
(SELECT count(*) FROM kpi.read_source(ARRAY[NULL::kpi.definitions], '{2026-01-01,2026-02-01}', true)) => = 0
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{}', true)) => error 22023
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{2026-01-01}', true)) => error 22023
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{2026-02-01,2026-01-01}', true)) => error 22023
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{2026-01-01,NULL}', true)) => error 22023
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac')], '{-infinity,infinity}', true)) => = 1
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac'), kpi.definition('smith_cac')], '{2026-01-01,2026-02-01}', true)) => = 2
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac'), bad_inputs.def('smith_cac', '{"source": "smith.edge"}')], '{2026-01-01,2026-02-01}', true)) => = 2
(SELECT count(*) FROM kpi.read_source(ARRAY[kpi.definition('smith_cac'), kpi.definition('smith_win_rate')], '{2026-01-01,2026-02-01}', true)) => = 2
(SELECT count(*) FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"source": null}')], '{2026-01-01,2026-02-01}', true)) => = 1
(SELECT count(*) FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"numerator_column": "no_such_column"}')], '{2026-01-01,2026-02-01}', true)) => = 1
(SELECT string_agg(coalesce(problem, 'none'), '; ') FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"filters": {"leads": "abc"}}')], '{2026-01-01,2026-02-01}', true)) => = invalid input syntax for type integer: "abc"
(SELECT count(*) FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"filters": {"leads": "abc"}}')], '{2026-01-01,2026-02-01}', false)) => error 22P02
(SELECT count(*) FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"metric": "bogus"}')], '{2026-01-01,2026-02-01}', true)) => error 23514
(SELECT count(*) FROM kpi.read_source(ARRAY[bad_inputs.def('smith_cac', '{"source": "pg_class", "time_column": "relname"}')], '{2026-01-01,2026-02-01}', true)) => = 1
$$),
	('kpi.recheck_smart(kpi.definitions)', $$
kpi.recheck_smart(NULL::kpi.definitions) => error 23502
kpi.recheck_smart(bad_inputs.def('smith_cac', '{"name": "no_such_kpi"}')) => error 23503
$$),
	('kpi.recheck_smart(text)', $$
kpi.recheck_smart(NULL::text) => null
kpi.recheck_smart('no_such_kpi') => error 42704
kpi.recheck_smart('smith_cac') => ok
$$),
	('kpi.record_review(text,text)', $$
kpi.record_review(NULL, NULL) => error 22004
kpi.record_review('no_such_kpi', 'x') => error 42704
kpi.record_review('', '') => error 22023
kpi.record_review('', 'x') => error 42704
(kpi.record_review('smith_cac', NULL)).name => error 22023
(kpi.record_review('smith_cac', repeat('x', 100000))).name => = smith_cac
$$),
	('kpi.refresh_distributed_summary(kpi.summaries,name)', $$
kpi.refresh_distributed_summary(NULL, NULL) => null
kpi.refresh_distributed_summary(NULL, 'account_id') => null
$$),
	('kpi.refresh_summaries()', $$
(SELECT count(*) >= 0 FROM kpi.refresh_summaries()) => = true
$$),
	('kpi.refresh_summary(regclass)', $$
kpi.refresh_summary(NULL) => null
kpi.refresh_summary('smith.funnel') => error 42704
$$),
	('kpi.require_pg_cron()', $$
kpi.require_pg_cron() => error 42704
$$),
	('kpi.review_period(date,interval,timestamp with time zone,integer)', $$
(SELECT count(*) FROM kpi.review_period(NULL, '7 days', '2026-03-02')) => = 0
(SELECT period_start FROM kpi.review_period('2026-01-05', '7 days', '2026-03-02')) => = 2026-02-23 00:00:00+00
(SELECT period_start FROM kpi.review_period('2026-01-05', '0 days', '2026-03-02')) => error 22023
(SELECT period_start FROM kpi.review_period('2026-01-05', '-7 days', '2026-03-02')) => error 22023
(SELECT period_start FROM kpi.review_period('2026-01-05', '7 days', '2026-03-02', -1)) => = 2026-03-02 00:00:00+00
(SELECT period_start FROM kpi.review_period('2026-01-05', '7 days', '2026-03-02', 2147483647)) => error 22008
(SELECT period_start FROM kpi.review_period('infinity', '7 days', '2026-03-02')) => error 22008
(SELECT period_start FROM kpi.review_period('2026-01-05', '7 days', 'infinity')) => error 22008
(SELECT period_start FROM kpi.review_period('2026-01-05', '300000 years', '2026-03-02')) => error 22008
(SELECT period_start FROM kpi.review_period('2026-01-05', '1 microsecond', '2026-03-02')) => = 2026-03-01 23:59:59.999999+00
$$),
	('kpi.roas(bigint,bigint)', '@aggregate'),
	('kpi.roas(bigint,double precision)', '@aggregate'),
	('kpi.roas(bigint,integer)', '@aggregate'),
	('kpi.roas(bigint,numeric)', '@aggregate'),
	('kpi.roas(double precision,bigint)', '@aggregate'),
	('kpi.roas(double precision,double precision)', '@aggregate'),
	('kpi.roas(double precision,integer)', '@aggregate'),
	('kpi.roas(double precision,numeric)', '@aggregate'),
	('kpi.roas(integer,bigint)', '@aggregate'),
	('kpi.roas(integer,double precision)', '@aggregate'),
	('kpi.roas(integer,integer)', '@aggregate'),
	('kpi.roas(integer,numeric)', '@aggregate'),
	('kpi.roas(numeric,bigint)', '@aggregate'),
	('kpi.roas(numeric,double precision)', '@aggregate'),
	('kpi.roas(numeric,integer)', '@aggregate'),
	('kpi.roas(numeric,numeric)', '@aggregate'),
	('kpi.rollup(kpi.ratio)', $$
(SELECT kpi.rollup(r) FROM (VALUES (NULL::kpi.ratio)) AS v(r)) => null
(SELECT kpi.rollup(r) FROM (VALUES ('(n=1, num=1, den=1)'::kpi.ratio)) AS v(r) WHERE false) => null
(SELECT kpi.value(kpi.rollup(summary)) FROM smith.edge WHERE id IN (6, 7)) => = NaN
(SELECT kpi.value(kpi.rollup(r)) FROM (VALUES ('(n=1, num=~Infinity, den=1)'::kpi.ratio), ('(n=1, num=1, den=~Infinity)')) AS v(r)) => = NaN
(SELECT kpi.rollup(r) FROM (VALUES ('(n=9223372036854775807, num=0, den=0)'::kpi.ratio), ('(n=1, num=0, den=0)')) AS v(r)) => error 22003
(SELECT kpi.value(kpi.rollup(r)) FROM (VALUES ('(n=1, num=1, den=5)'::kpi.ratio), ('(n=1, num=1, den=-5)')) AS v(r)) => null
$$),
	('kpi.romi(bigint,bigint)', '@aggregate'),
	('kpi.romi(bigint,double precision)', '@aggregate'),
	('kpi.romi(bigint,integer)', '@aggregate'),
	('kpi.romi(bigint,numeric)', '@aggregate'),
	('kpi.romi(double precision,bigint)', '@aggregate'),
	('kpi.romi(double precision,double precision)', '@aggregate'),
	('kpi.romi(double precision,integer)', '@aggregate'),
	('kpi.romi(double precision,numeric)', '@aggregate'),
	('kpi.romi(integer,bigint)', '@aggregate'),
	('kpi.romi(integer,double precision)', '@aggregate'),
	('kpi.romi(integer,integer)', '@aggregate'),
	('kpi.romi(integer,numeric)', '@aggregate'),
	('kpi.romi(numeric,bigint)', '@aggregate'),
	('kpi.romi(numeric,double precision)', '@aggregate'),
	('kpi.romi(numeric,integer)', '@aggregate'),
	('kpi.romi(numeric,numeric)', '@aggregate'),
	('kpi.romi_value(kpi.ratio)', $$
kpi.romi_value(NULL) => null
kpi.romi_value('(n=2, num=5, den=0)') => null
kpi.romi_value('(n=2, num=-5, den=-2)') => = 1.5
kpi.romi_value('(n=1, num=~Infinity, den=~Infinity)') => = NaN
kpi.romi_value('(n=1, num=~NaN, den=1)') => = NaN
$$),
	('kpi.same_span_end(text,timestamp without time zone,interval)', $$
kpi.same_span_end(NULL, NULL, NULL) => = (,)
kpi.same_span_end('month', '2026-02-01', '30 days') => = ("2026-03-01 00:00:00",t)
kpi.same_span_end('month', '2026-02-01', '-30 days') => = ("2026-01-02 00:00:00",f)
kpi.same_span_end('week', '2026-02-02', '0 days') => = ("2026-02-02 00:00:00",f)
kpi.same_span_end('month', 'infinity', '1 day') => = (infinity,f)
kpi.same_span_end('decade', '2026-02-01', '1 day') => = ("2026-02-02 00:00:00",f)
kpi.same_span_end('month', '2026-01-31', '300000 years') => error 22008
$$),
	('kpi.schedule(text,text)', $$
(SELECT count(*) FROM kpi.schedule(NULL, NULL)) => error 42704
(SELECT count(*) FROM kpi.schedule()) => error 42704
$$),
	('kpi.scorecard_at(timestamp with time zone)', $$
(SELECT count(*) FROM kpi.scorecard_at(NULL)) => = 0
(SELECT count(*) FROM kpi.scorecard_at('infinity')) => error 22008
(SELECT count(*) FROM kpi.scorecard_at('-infinity')) => error 22008
(SELECT count(*) FROM kpi.scorecard_at('4713-01-01 BC')) => error 22008
$$),
	('kpi.series(text,interval,timestamp with time zone,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.series(NULL, '7 days', '2026-01-01', '2026-02-01')) => = 0
(SELECT count(*) FROM kpi.series('no_such_kpi', '7 days', '2026-01-01', '2026-02-01')) => error 42704
(SELECT count(*) FROM kpi.series('smith_cac', '0 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.series('smith_cac', '-7 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.series('smith_cac', '7 days', '2026-02-01', '2026-01-01')) => error 22023
(SELECT count(*) FROM kpi.series('smith_cac', '7 days', '2026-02-01', '2026-02-01')) => = 0
$$),
	('kpi.setting(text)', $$
kpi.setting(NULL) => null
kpi.setting('') => error 42704
kpi.setting('no_such_setting') => error 42704
kpi.setting('as_of') => ok
$$),
	('kpi.settings()', $$
(SELECT count(*) > 0 FROM kpi.settings()) => = true
$$),
	('kpi.show_date(date)', $$
kpi.show_date(NULL) => null
kpi.show_date('infinity') => null
kpi.show_date('4713-01-01 BC') => = 4713-01-01
$$),
	('kpi.show_interval(interval)', $$
kpi.show_interval(NULL) => null
kpi.show_interval('0 days') => = 00:00:00
kpi.show_interval('-7 days') => = -7 days
kpi.show_interval('300000 years') => = 3600000 months
kpi.show_interval('1 mon -30 days') => = 1 mon -30 days
$$),
	('kpi.show_number(double precision)', $$
kpi.show_number(NULL) => null
kpi.show_number('NaN') => = NaN
kpi.show_number('-Infinity') => = -Infinity
kpi.show_number(1e308) => = 100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
kpi.show_number(5e-324) => = 0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000494066
kpi.show_number(-0.0) => = 0
$$),
	('kpi.smart_check(kpi.definitions)', $$
(SELECT count(*) FROM kpi.smart_check(NULL::kpi.definitions)) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_check(bad_inputs.def('smith_cac', '{"baseline": "-Infinity", "target": "NaN", "review_every": "0 days"}'))) => = 5
$$),
	('kpi.smart_check(text)', $$
(SELECT count(*) FROM kpi.smart_check(NULL::text)) => = 0
(SELECT count(*) FROM kpi.smart_check('no_such_kpi')) => error 42704
(SELECT count(*) FROM kpi.smart_check('')) => error 42704
$$),
	('kpi.smart_check_text(text,date)', $$
(SELECT count(*) FROM kpi.smart_check_text(NULL, NULL)) => = 0
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_check_text('', '2026-03-02')) => = 5
(SELECT count(*) FROM kpi.smart_check_text('Raise the conversion rate from -5 % to NaN % by 2020-01-01', '2026-03-02')) => = 5
$$),
	('kpi.smart_criteria(kpi.definitions)', $$
(SELECT count(*) FROM kpi.smart_criteria(NULL)) => = 5
(SELECT count(*) FROM kpi.smart_criteria(kpi.definition('smith_cac'))) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"baseline": -1e308, "target": 1e308}'))) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"review_every": "300000 years"}'))) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"starts_on": "infinity"}'))) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"filters": {"leads": "abc"}}'))) => = 2
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"baseline": "NaN", "target": "Infinity"}'))) => = 5
(SELECT count(*) FILTER (WHERE NOT passed) FROM kpi.smart_criteria(bad_inputs.def('smith_cac', '{"review_every": "-7 days", "due_on": "2020-01-01"}'))) => = 2
$$),
	('kpi.smart_verdict(text,text[],text)', $$
kpi.smart_verdict(NULL, NULL, NULL) => = (,,t,)
kpi.smart_verdict('', '{}', '') => = ("",,t,"")
kpi.smart_verdict('no_such_key', '{x}', 'y') => = (no_such_key,,f,x)
kpi.smart_verdict('specific', '{NULL}', NULL) => = (specific,specific,f,"")
$$),
	('kpi.snapshot(timestamp with time zone)', $$
(SELECT count(*) FROM kpi.snapshot(NULL)) => = 0
(SELECT count(*) FROM kpi.snapshot('infinity')) => error 22008
(SELECT count(*) FROM kpi.snapshot('-infinity')) => error 22008
(SELECT count(*) >= 0 FROM kpi.snapshot('2026-03-02 09:00')) => = true
$$),
	('kpi.source_owner_problem(regclass)', $$
kpi.source_owner_problem(NULL) => null
kpi.source_owner_problem('smith.funnel') => null
kpi.source_owner_problem(0) => null
kpi.source_owner_problem(12345678) => null
kpi.source_owner_problem('pg_class') => null
$$),
	('kpi.source_query(kpi.definitions[],boolean)', $$
(kpi.source_query(NULL)).source => error 22004
(kpi.source_query(ARRAY[kpi.definition('smith_cac')], NULL)).source => = smith.funnel
(kpi.source_query(ARRAY[kpi.definition('smith_cac')], true)).query LIKE '%kpi.ratio[]%' => = true
(kpi.source_query('{}')).source => error 22023
(kpi.source_query(ARRAY[NULL::kpi.definitions])).source => error 22023
(kpi.source_query(ARRAY[kpi.definition('smith_cac')])).source => = smith.funnel
(kpi.source_query(ARRAY[kpi.definition('smith_cac'), bad_inputs.def('smith_cac', '{"source": "smith.edge"}')])).source => error 22023
(kpi.source_query(ARRAY[kpi.definition('smith_cac'), kpi.definition('smith_win_rate')])).source => error 22023
(kpi.source_query(ARRAY[bad_inputs.def('smith_cac', '{"numerator_column": "no_such_column"}')])).source => error 42703
(kpi.source_query(ARRAY[bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}')])).names => = {smith_win_rate}
(kpi.source_query(ARRAY[bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}'), kpi.definition('smith_win_rate')])).source => error 22023
$$),
	('kpi.state_sql(kpi.definitions,text)', $$
kpi.state_sql(NULL, NULL) => null
kpi.state_sql(kpi.definition('smith_cac'), NULL) => = kpi.ratio_agg(kpi_source.spend::pg_catalog.numeric, kpi_source.customers::pg_catalog.int8)
kpi.state_sql(kpi.definition('smith_cac'), 'x') => = kpi.ratio_agg(kpi_source.spend::pg_catalog.numeric, kpi_source.customers::pg_catalog.int8) FILTER (WHERE x)
kpi.state_sql(bad_inputs.def('smith_cac', '{"metric": "sum"}'), NULL) => = NULL::kpi.ratio
$$),
	('kpi.segment_series(text,name,interval,timestamp with time zone,timestamp with time zone)', $$
(SELECT count(*) FROM kpi.segment_series(NULL, NULL, NULL, NULL, NULL)) => = 0
(SELECT count(*) FROM kpi.segment_series('smith_cac', 'channel', '1 week', '2026-01-01', '2026-02-01')) => = 0
(SELECT count(*) FROM kpi.segment_series('smith_cac', '', '1 week', '2026-01-01', '2026-02-01')) => error 42703
(SELECT count(*) FROM kpi.segment_series('smith_cac', 'channel', '0 days', '2026-01-01', '2026-02-01')) => error 22023
(SELECT count(*) FROM kpi.segment_series('smith_cac', 'channel', '1 week', '-infinity', 'infinity')) => = 0
(SELECT count(*) FROM kpi.segment_series('no_such_kpi', 'channel', '1 week', '2026-01-01', '2026-02-01')) => error 42704
$$),
	('kpi.status(double precision,double precision)', $$
kpi.status(NULL, NULL) => = no_data
kpi.status('NaN', 0.5) => = no_data
kpi.status('Infinity', '-Infinity') => = on_track
kpi.status(-1e308, 1e308) => error 22003
$$),
	('kpi.summary(regclass)', $$
kpi.summary(NULL) => null
(kpi.summary('smith.funnel')).source => error 42704
$$),
	('kpi.summary_fill_sql(kpi.summaries,boolean,name)', $$
kpi.summary_fill_sql(NULL, true) => null
kpi.summary_fill_sql(NULL, true, 'id') => null
$$),
	('kpi.summary_filters_grouped(kpi.summaries,kpi.definitions)', $$
kpi.summary_filters_grouped(NULL, NULL) => null
$$),
	('kpi.summary_pair_column(kpi.summaries,kpi.definitions)', $$
kpi.summary_pair_column(NULL, NULL) => null
$$),
	('kpi.summary_query(kpi.definitions[],boolean)', $$
kpi.summary_query(NULL) => null
kpi.summary_query('{}') => null
kpi.summary_query(ARRAY[kpi.definition('smith_cac')]) => null
kpi.summary_query(ARRAY[kpi.definition('smith_cac')], NULL) => null
$$),
	('kpi.summary_state_sql(kpi.summaries,kpi.definitions)', $$
kpi.summary_state_sql(NULL, NULL) => null
$$),
	('kpi.summary_ratio_sql(regclass,name,name)', $$
kpi.summary_ratio_sql(NULL, NULL, NULL) => null
kpi.summary_ratio_sql('smith.funnel', 'spend', 'customers') => = kpi.ratio_agg(kpi_source.spend::pg_catalog.numeric, kpi_source.customers::pg_catalog.int8)
kpi.summary_ratio_sql('smith.funnel', 'won', NULL) => = kpi.ratio_agg(kpi_source.won::pg_catalog.int4, 1)
$$),
	('kpi.summary_track()', $$
kpi.summary_track() => error 0A000
$$),
	('kpi.summary_value_sql(kpi.summaries,kpi.definitions)', $$
kpi.summary_value_sql(NULL, NULL) => null
$$),
	('kpi.target_path(kpi.definitions,timestamp with time zone)', $$
kpi.target_path(NULL, NULL) => null
kpi.target_path(kpi.definition('smith_cac'), NULL) => null
kpi.target_path(kpi.definition('smith_cac'), 'infinity') => = 55
kpi.target_path(kpi.definition('smith_cac'), '-infinity') => = 60
kpi.target_path(bad_inputs.def('smith_cac', '{"baseline": -1e308, "target": 1e308}'), '2026-03-02') => null
kpi.target_path(bad_inputs.def('smith_cac', '{"due_on": "2026-01-05"}'), '2026-03-02') => null
kpi.target_path(bad_inputs.def('smith_cac', '{"baseline": "NaN"}'), '2026-03-02') => null
$$),
	('kpi.translate(text,text)', $$
kpi.translate(NULL, NULL) => null
kpi.translate('', 'x') => = 
$$),
	('kpi.type_kind(regtype)', $$
kpi.type_kind(NULL) => null
kpi.type_kind(0) => = other
kpi.type_kind('kpi.ratio') => = other
kpi.type_kind('numeric') => = number
$$),
	('kpi.unschedule()', $$
kpi.unschedule() => error 42704
$$),
	('kpi.value(kpi.ratio)', $$
kpi.value(NULL) => null
kpi.value('(n=0, num=0, den=0)') => null
kpi.value('(n=2, num=5, den=0)') => null
kpi.value('(n=2, num=-5, den=-2)') => = 2.5
kpi.value('(n=1, num=~NaN, den=1)') => = NaN
kpi.value('(n=1, num=~Infinity, den=2)') => = Infinity
kpi.value('(n=1, num=1, den=~Infinity)') => = 0
kpi.value('(n=1, num=~1e308, den=~1e-308)') => error 22003
$$),
	('kpi.year_ago_shift(interval)', $$
kpi.year_ago_shift(NULL) => = 364 days
kpi.year_ago_shift('0 days') => = 1 year
kpi.year_ago_shift('-1 mon') => = 1 year
kpi.year_ago_shift('1 mon') => = 1 year
kpi.year_ago_shift('7 days') => = 364 days
$$),
	('kpi.year_earlier(text,timestamp without time zone)', $$
kpi.year_earlier(NULL, NULL) => = (,)
kpi.year_earlier('week', '2021-01-04') => = ("2019-12-30 00:00:00",f)
kpi.year_earlier('month', '2024-02-29') => = ("2023-02-28 00:00:00",f)
kpi.year_earlier('month', 'infinity') => = (infinity,f)
kpi.year_earlier('decade', '2026-01-01') => = ("2025-01-01 00:00:00",f)
kpi.year_earlier('week', '4713-01-01 BC') => error 22008
$$);
-- kpi.attribute and the cohort functions (issue 14).
INSERT INTO bad_inputs.cases (signature, cases) VALUES
	('kpi.attribute(timestamp with time zone,text,boolean,text)', $$
(SELECT kpi.attribute(t, c, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {"(\"2026-01-05 00:00:00+00\",search,0.5)","(\"2026-01-05 00:00:00+00\",social,0.5)"}
(SELECT kpi.attribute(t, c, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v) WHERE false) => null
(SELECT kpi.attribute(NULL::timestamptz, c, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {}
(SELECT kpi.attribute(t, NULL, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {"(\"2026-01-05 00:00:00+00\",,1)"}
(SELECT kpi.attribute(t, c, NULL, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {}
(SELECT kpi.attribute(t, c, v, NULL) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22004
(SELECT kpi.attribute(t, c, v, '') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'position_based(NaN/50/50)') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'position_based(1e999/0/0)') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'position_based(-10/60/50)') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute('Infinity', c, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22008
(SELECT kpi.attribute('-Infinity', c, v, 'linear') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22008
$$),
	('kpi.attribute(timestamp with time zone,text,boolean,text,interval)', $$
(SELECT kpi.attribute(t, c, v, 'first_touch', NULL) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {"(\"2026-01-05 00:00:00+00\",search,1)"}
(SELECT kpi.attribute(t, c, v, 'first_touch', '1 day') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {"(\"2026-01-05 00:00:00+00\",social,1)"}
(SELECT kpi.attribute(t, c, v, 'linear', '0') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'linear', '-1 day') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'linear', '100000000 years') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
$$),
	('kpi.attribute(timestamp with time zone,text,boolean,text,interval,interval)', $$
(SELECT kpi.attribute(t, c, v, 'time_decay', '90 days', '4 days') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = {"(\"2026-01-05 00:00:00+00\",search,0.333333333333)","(\"2026-01-05 00:00:00+00\",social,0.666666666667)"}
(SELECT kpi.attribute(t, c, v, 'time_decay', '90 days', NULL) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22004
(SELECT kpi.attribute(t, c, v, 'time_decay', '90 days', '0') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'time_decay', '90 days', '100000000 years') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
(SELECT kpi.attribute(t, c, v, 'linear', '90 days', '1 day') FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => error 22023
$$),
	('kpi.attribute_accum(internal,timestamp with time zone,text,boolean,text)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_accum(internal,timestamp with time zone,text,boolean,text,interval)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_accum(internal,timestamp with time zone,text,boolean,text,interval,interval)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_combine(internal,internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_deserialize(bytea,internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_final(internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_serialize(internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute(t, c, v, 'position_based')) FROM (VALUES (timestamptz '2026-01-01', 'search', false), ('2026-01-05', 'social', true)) AS j(t, c, v)) => = 2
$$),
	('kpi.attribute_totals(bigint,timestamp with time zone,text,boolean,text)', $$
(SELECT kpi.attribute_totals(k, t, c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(search,1.5)","(social,0.5)"}
(SELECT kpi.attribute_totals(k, t, c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v) WHERE false) => null
(SELECT kpi.attribute_totals(NULL, t, c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {}
(SELECT kpi.attribute_totals(k, NULL, c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {}
(SELECT kpi.attribute_totals(k, t, NULL, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(,2)"}
(SELECT kpi.attribute_totals(k, t, c, NULL, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {}
(SELECT kpi.attribute_totals(k, t, c, v, NULL) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22004
(SELECT kpi.attribute_totals(k, t, c, v, '') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
(SELECT kpi.attribute_totals(k, t, c, v, 'position_based(NaN/50/50)') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
(SELECT kpi.attribute_totals(k, 'Infinity', c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22008
(SELECT kpi.attribute_totals(k, t, c, v, CASE k WHEN 1 THEN 'linear' ELSE 'first_touch' END) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
(SELECT kpi.attribute_totals(-9223372036854775808, t, c, v, 'linear') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(search,1)","(social,1)"}
$$),
	('kpi.attribute_totals(bigint,timestamp with time zone,text,boolean,text,interval)', $$
(SELECT kpi.attribute_totals(k, t, c, v, 'first_touch', NULL) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(search,2)"}
(SELECT kpi.attribute_totals(k, t, c, v, 'first_touch', '1 day') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(search,1)","(social,1)"}
(SELECT kpi.attribute_totals(k, t, c, v, 'linear', '0') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
(SELECT kpi.attribute_totals(k, t, c, v, 'linear', '100000000 years') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
$$),
	('kpi.attribute_totals(bigint,timestamp with time zone,text,boolean,text,interval,interval)', $$
(SELECT kpi.attribute_totals(k, t, c, v, 'time_decay', '90 days', '4 days') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = {"(search,1.333333333333)","(social,0.666666666667)"}
(SELECT kpi.attribute_totals(k, t, c, v, 'time_decay', '90 days', NULL) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22004
(SELECT kpi.attribute_totals(k, t, c, v, 'linear', '90 days', '1 day') FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => error 22023
$$),
	('kpi.attribute_totals_accum(internal,bigint,timestamp with time zone,text,boolean,text)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_accum(internal,bigint,timestamp with time zone,text,boolean,text,interval)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_accum(internal,bigint,timestamp with time zone,text,boolean,text,interval,interval)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_combine(internal,internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_deserialize(bytea,internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_final(internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.attribute_totals_serialize(internal)', $$
-- takes internal: run through the aggregate (sql/attribution forces parallel plans)
(SELECT cardinality(kpi.attribute_totals(k, t, c, v, 'position_based')) FROM (VALUES (1::bigint, timestamptz '2026-01-01', 'search', false), (1, '2026-01-05', 'social', true), (2, '2026-01-03', 'search', true)) AS j(k, t, c, v)) => = 2
$$),
	('kpi.cac_payback_periods(kpi.cohort,double precision,double precision)', $$
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 50) => = 0
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 75) => = 1
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 76) => null
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 'NaN') => null
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), '-Infinity') => = 0
kpi.cac_payback_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 50, 0) => null
kpi.cac_payback_periods(NULL, 50) => null
$$),
	('kpi.cohort(integer,numeric)', $$
(SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (2, 5)) AS x(p, r)) => = (1,"{100.0,0,5}","{1,0,1}")
(SELECT kpi.cohort(p, r) FROM (VALUES (NULL::int, 1.0)) AS x(p, r)) => null
(SELECT kpi.cohort(p, r) FROM (VALUES (0, NULL::numeric)) AS x(p, r)) => = (1,{0},{0})
(SELECT kpi.cohort(p, r) FROM (VALUES (-1, 1.0)) AS x(p, r)) => error 22023
(SELECT kpi.cohort(p, r) FROM (VALUES (10001, 1.0)) AS x(p, r)) => error 22003
(SELECT kpi.cohort(p, r) FROM (VALUES (0, 'NaN'::numeric)) AS x(p, r)) => error 22023
(SELECT kpi.cohort(p, r) FROM (VALUES (0, 'Infinity'::numeric)) AS x(p, r)) => error 22023
$$),
	('kpi.cohort(integer,numeric,boolean)', $$
(SELECT kpi.cohort(p, r, a) FROM (VALUES (0, 0.0, true), (1, 9, false)) AS x(p, r, a)) => = (1,"{0.0,9}","{1,0}")
(SELECT kpi.cohort(p, r, a) FROM (VALUES (0, 1.0, NULL::boolean)) AS x(p, r, a)) => = (1,{1.0},{0})
$$),
	('kpi.cohort(kpi.cohort)', $$
(SELECT kpi.cohort(c) FROM (VALUES ((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r))), (NULL)) AS x(c)) => = (2,"{100.0,50}","{1,1}")
(SELECT kpi.cohort(c) FROM (VALUES (NULL::kpi.cohort)) AS x(c)) => null
$$),
	('kpi.cohort_accum(kpi.cohort,integer,numeric)', $$
kpi.cohort_accum(NULL, 0, 1) => = (1,{1},{1})
kpi.cohort_accum(NULL, NULL, 1) => null
kpi.cohort_accum(NULL, -5, 1) => error 22023
$$),
	('kpi.cohort_accum(kpi.cohort,integer,numeric,boolean)', $$
kpi.cohort_accum(NULL, 1, 1, true) => = (0,"{0,1}","{0,1}")
kpi.cohort_accum(NULL, 2147483647, 1, true) => error 22003
$$),
	('kpi.cohort_merge(kpi.cohort,kpi.cohort)', $$
kpi.cohort_merge(NULL, NULL) => null
kpi.cohort_merge((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), NULL) => = (2,"{100.0,50}","{1,1}")
kpi.cohort_merge((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), '(1,"{1,2,3}","{1,1,1}")') => = (3,"{101.0,52,3}","{2,2,1}")
$$),
	('kpi.cohort_periods(kpi.cohort,double precision)', $$
(SELECT string_agg(p::text, ' ' ORDER BY p.period) FROM kpi.cohort_periods((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 0.5) AS p) => = (0,2,1,0.5,100.0,50,25) (1,2,1,0.5,50,25,37.5)
(SELECT count(*) FROM kpi.cohort_periods(NULL)) => = 0
(SELECT count(*) FROM kpi.cohort_periods('(0,{},{})')) => = 0
$$),
	('kpi.cohort_size(kpi.cohort)', $$
kpi.cohort_size((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r))) => = 2
kpi.cohort_size(NULL) => null
$$),
	('kpi.credits(kpi.credit[])', $$
(SELECT count(*) FROM kpi.credits(NULL)) => = 0
(SELECT count(*) FROM kpi.credits('{}')) => = 0
(SELECT string_agg(c::text, ' ') FROM kpi.credits('{"(2026-01-01 00:00:00+00,a,1)"}') AS c) => = ("2026-01-01 00:00:00+00",a,1)
$$),
	('kpi.ltv(kpi.cohort,integer,double precision)', $$
kpi.ltv((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 0) => = 50
kpi.ltv((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 1, 0.5) => = 37.5
kpi.ltv((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 2) => null
kpi.ltv((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), -1) => null
kpi.ltv((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 2147483647) => null
kpi.ltv('(0,{},{})', 0) => null
$$),
	('kpi.ltv_to_cac(kpi.cohort,integer,double precision,double precision)', $$
kpi.ltv_to_cac((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 1, 25) => = 3
kpi.ltv_to_cac((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 1, 0) => null
kpi.ltv_to_cac((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 1, 'Infinity') => = 0
$$),
	('kpi.retention(kpi.cohort,integer)', $$
kpi.retention((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 0) => = 0.5
kpi.retention((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 5) => null
kpi.retention((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), -1) => null
kpi.retention((SELECT kpi.cohort(p, r) FROM (VALUES (0, 100.0), (0, 0), (1, 50)) AS x(p, r)), 2147483647) => error 22003
kpi.retention('(0,{0},{0})', 0) => null
$$);
-- kpi.funnel, kpi.funnel_counts and the statistics (issue 11).
INSERT INTO bad_inputs.cases (signature, cases) VALUES
	('kpi.funnel(timestamp with time zone,interval,boolean[])', $$
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', VARIADIC NULL::boolean[]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, '7 days', VARIADIC '{}'::boolean[]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
(SELECT kpi.funnel(NULL::timestamptz, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
(SELECT kpi.funnel(t, '1 mon', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '1 day', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel(t, NULL, a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel(t, '-1 day', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean[])', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', VARIADIC NULL::boolean[]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', VARIADIC '{}'::boolean[]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
(SELECT kpi.funnel_strictly_increasing(NULL::timestamptz, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
(SELECT kpi.funnel_strictly_increasing(t, '1 mon', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_strictly_increasing(timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '1 day', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
(SELECT kpi.funnel_strictly_increasing(t, '7 days', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b) WHERE false) => = 0
(SELECT kpi.funnel_strictly_increasing(t, '7 days', NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean, NULL::boolean) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 0
(SELECT kpi.funnel_strictly_increasing(t, NULL, a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22004
(SELECT kpi.funnel_strictly_increasing(t, '-1 day', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => error 22023
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean[])', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_accum(internal,timestamp with time zone,interval,boolean,boolean,boolean,boolean,boolean,boolean,boolean,boolean)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', a, b, false, false, false, false, false, false) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_combine(internal,internal)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_serialize(internal)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_deserialize(bytea,internal)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_final(internal)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_strict_final(internal)', $$
-- takes internal: run through the aggregate (sql/funnel forces parallel plans)
(SELECT kpi.funnel_strictly_increasing(t, '7 days', VARIADIC ARRAY[a, b]) FROM (VALUES (timestamptz '2026-01-01', true, false), ('2026-01-02', false, true)) AS e(t, a, b)) => = 2
$$),
	('kpi.funnel_counts(integer,integer)', $$
(SELECT kpi.funnel_counts(r, 3) FROM (VALUES (0), (1), (3), (NULL)) AS x(r)) => = {2,1,1}
(SELECT kpi.funnel_counts(r, 3) FROM (VALUES (0), (1), (3), (NULL)) AS x(r) WHERE false) => null
(SELECT kpi.funnel_counts(r, 3) FROM (VALUES (4)) AS x(r)) => error 22023
(SELECT kpi.funnel_counts(r, 3) FROM (VALUES (-1)) AS x(r)) => error 22023
(SELECT kpi.funnel_counts(r, 0) FROM (VALUES (0)) AS x(r)) => error 22023
(SELECT kpi.funnel_counts(r, NULL) FROM (VALUES (0)) AS x(r)) => null
$$),
	('kpi.funnel_counts_accum(bigint[],integer,integer)', $$
kpi.funnel_counts_accum(NULL, 2, 3) => = {1,1,0}
kpi.funnel_counts_accum('{1,1,0}', 3, 3) => = {2,2,1}
kpi.funnel_counts_accum(NULL, NULL, 3) => null
kpi.funnel_counts_accum('{1,1}', 1, 3) => error 22023
kpi.funnel_counts_accum(NULL, 9, 3) => error 22023
$$),
	('kpi.funnel_counts_combine(bigint[],bigint[])', $$
kpi.funnel_counts_combine('{1,1,0}', '{2,1,1}') => = {3,2,1}
kpi.funnel_counts_combine(NULL, '{2,1,1}') => = {2,1,1}
kpi.funnel_counts_combine('{1,1,0}', NULL) => = {1,1,0}
kpi.funnel_counts_combine('{1,1}', '{2,1,1}') => error 22023
$$),
	('kpi.funnel_counts_moving_accum(internal,integer,integer)', $$
-- takes internal: run as a sliding window (sql/funnel checks it against recomputation)
(SELECT string_agg(c::text, ' ' ORDER BY i) FROM (SELECT i, kpi.funnel_counts(r, 3) OVER (ORDER BY i ROWS 1 PRECEDING) AS c FROM (VALUES (1, 1), (2, 3), (3, 2)) AS x(i, r)) AS w) => = {1,0,0} {2,1,1} {2,2,1}
$$),
	('kpi.funnel_counts_moving_retract(internal,integer,integer)', $$
-- takes internal: run as a sliding window (sql/funnel checks it against recomputation)
(SELECT string_agg(c::text, ' ' ORDER BY i) FROM (SELECT i, kpi.funnel_counts(r, 3) OVER (ORDER BY i ROWS 1 PRECEDING) AS c FROM (VALUES (1, 1), (2, 3), (3, 2)) AS x(i, r)) AS w) => = {1,0,0} {2,1,1} {2,2,1}
$$),
	('kpi.funnel_counts_moving_final(internal)', $$
-- takes internal: run as a sliding window (sql/funnel checks it against recomputation)
(SELECT string_agg(c::text, ' ' ORDER BY i) FROM (SELECT i, kpi.funnel_counts(r, 3) OVER (ORDER BY i ROWS 1 PRECEDING) AS c FROM (VALUES (1, 1), (2, 3), (3, 2)) AS x(i, r)) AS w) => = {1,0,0} {2,1,1} {2,2,1}
$$),
	('kpi.funnel_problems(kpi.definitions)', $$
kpi.funnel_problems(NULL) => = {}
kpi.funnel_problems(kpi.definition('smith_cac')) => = {}
kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}')) => = {}
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "entity_column": "no_such_column"}'))) => = 1
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "step_columns": ["won", "spend", "no_such_column", null]}'))) => = 3
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": "0 days"}'))) => = 1
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": "-1 day"}'))) => = 1
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": "1 mon"}'))) => = 1
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": "3661 days"}'))) => = 1
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "source": "12345678"}'))) => = 0
cardinality(kpi.funnel_problems(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "source": null}'))) => = 0
$$),
	('kpi.funnel_query(kpi.definitions,boolean)', $$
(kpi.funnel_query(NULL)).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}'), true)).query LIKE '%kpi.ratio[]%' => = true
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}'), NULL)).query LIKE '%kpi.ratio[]%' => = false
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days"}'))).columns => = {at,channel,won,won,channel}
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "step_columns": ["won", "no_such_column"]}'))).columns => error 42703
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "entity_column": "no_such_column"}'))).columns => error 42703
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "step_columns": ["won", "spend"]}'))).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "step_columns": ["won"]}'))).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": "-1 day"}'))).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "funnel_within": null}'))).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "time_column": null}'))).columns => error 22023
(kpi.funnel_query(bad_inputs.def('smith_win_rate', '{"metric": "funnel_conversion", "numerator_column": null, "entity_column": "channel", "step_columns": ["won", "won"], "funnel_within": "7 days", "source": null}'))).columns => error 22023
$$),
	('kpi.wilson_lower(bigint,bigint,double precision)', $$
round(kpi.wilson_lower(40, 100)::numeric, 6) => = 0.309401
kpi.wilson_lower(NULL, 100) => null
kpi.wilson_lower(0, 0) => null
kpi.wilson_lower(101, 100) => error 22023
kpi.wilson_lower(-1, 100) => error 22023
kpi.wilson_lower(40, 100, 1.5) => error 22023
kpi.wilson_lower(40, 100, 'NaN') => error 22023
$$),
	('kpi.wilson_lower(kpi.ratio,double precision)', $$
round(kpi.wilson_lower((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100)) AS v(c, n)), 0.95)::numeric, 6) => = 0.309401
kpi.wilson_lower(NULL::kpi.ratio, 0.95) => null
kpi.wilson_lower((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100)) AS v(c, n)), 0) => error 22023
$$),
	('kpi.wilson_upper(bigint,bigint,double precision)', $$
round(kpi.wilson_upper(40, 100)::numeric, 6) => = 0.497997
kpi.wilson_upper(NULL, 100) => null
kpi.wilson_upper(0, 0) => null
kpi.wilson_upper(101, 100) => error 22023
kpi.wilson_upper(-1, 100) => error 22023
kpi.wilson_upper(40, 100, 1.5) => error 22023
kpi.wilson_upper(40, 100, 'NaN') => error 22023
$$),
	('kpi.wilson_upper(kpi.ratio,double precision)', $$
round(kpi.wilson_upper((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100)) AS v(c, n)), 0.95)::numeric, 6) => = 0.497997
kpi.wilson_upper(NULL::kpi.ratio, 0.95) => null
kpi.wilson_upper((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100)) AS v(c, n)), 0) => error 22023
$$),
	('kpi.proportions_ztest(bigint,bigint,bigint,bigint,boolean)', $$
round((kpi.proportions_ztest(40, 100, 60, 100)).z::numeric, 6) => = -2.828427
kpi.proportions_ztest(NULL, 100, 60, 100) => null
kpi.proportions_ztest(40, 0, 60, 100) => error 22023
kpi.proportions_ztest(140, 100, 60, 100) => error 22023
kpi.proportions_ztest(-1, 100, 60, 100) => error 22023
$$),
	('kpi.ratio_ci_lower(kpi.ratio,double precision)', $$
kpi.ratio_ci_lower((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 0.95) => ok
kpi.ratio_ci_lower(NULL, 0.95) => null
kpi.ratio_ci_lower((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 2) => error 22023
kpi.ratio_ci_lower((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 'NaN') => error 22023
$$),
	('kpi.ratio_ci_upper(kpi.ratio,double precision)', $$
kpi.ratio_ci_upper((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 0.95) => ok
kpi.ratio_ci_upper(NULL, 0.95) => null
kpi.ratio_ci_upper((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 2) => error 22023
kpi.ratio_ci_upper((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 'NaN') => error 22023
$$),
	('kpi.compare(kpi.ratio,kpi.ratio,double precision)', $$
(kpi.compare((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), (SELECT kpi.ratio_agg(c, n) FROM (VALUES (60, 100), (70, 90)) AS v(c, n)))).significant => = false
kpi.compare(NULL, NULL) => null
kpi.compare((SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), (SELECT kpi.ratio_agg(c, n) FROM (VALUES (40, 100), (50, 90)) AS v(c, n)), 2) => error 22023
$$);
\set ECHO all
