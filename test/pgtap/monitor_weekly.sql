-- Weekly monitoring as assertions: what BI tools see, the scorecard against
-- plain SQL, every status and the at-risk margin, the series with gaps,
-- reviews, target changes, the stale finding, SQLSTATEs and permissions.
-- Data: test/monitor_data.sql ("now" is Wednesday 2026-02-18 in Berlin).
BEGIN;
CREATE EXTENSION IF NOT EXISTS kpi;
\ir ../monitor_data.sql
SELECT plan(59);

------------------------------------------------------------------------------
-- The objects, and what a dashboard sees of them.
------------------------------------------------------------------------------
SELECT has_view('kpi', 'scorecard', 'kpi.scorecard exists');
SELECT has_table('kpi', 'reviews', 'kpi.reviews exists');
SELECT has_table('kpi', 'target_history', 'kpi.target_history exists');
SELECT has_table('kpi', 'smart_verdicts', 'kpi.smart_verdicts exists');
SELECT is_empty($$
	SELECT a.attname FROM pg_attribute a
	WHERE a.attrelid = 'kpi.scorecard'::regclass AND a.attnum > 0
	  AND a.atttypid NOT IN ('double precision'::regtype, 'numeric'::regtype, 'bigint'::regtype, 'date'::regtype,
							 'timestamptz'::regtype, 'text'::regtype, 'boolean'::regtype)
	  AND a.attname <> 'teams' $$,
	'every scorecard column but teams is double precision, numeric, bigint, date, timestamptz, text or boolean');
SELECT col_type_is('kpi', 'scorecard', 'teams', 'text[]', 'scorecard.teams is text[]');
SELECT is(
	(SELECT array_agg(t::regtype::text ORDER BY o)
	 FROM pg_proc p, unnest(p.proallargtypes, p.proargmodes) WITH ORDINALITY AS u(t, m, o)
	 WHERE p.oid = 'kpi.series(text, interval, timestamptz, timestamptz)'::regprocedure AND u.m = 't'),
	ARRAY['timestamp with time zone', 'double precision', 'double precision', 'text'],
	'kpi.series returns timestamptz, double precision, double precision, text');
SELECT isnt(obj_description('kpi.scorecard'::regclass, 'pg_class'), NULL, 'kpi.scorecard has a comment');
SELECT is_empty($$
	SELECT a.attname FROM pg_attribute a
	WHERE a.attrelid IN ('kpi.reviews'::regclass, 'kpi.target_history'::regclass, 'kpi.smart_verdicts'::regclass)
	  AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL $$,
	'every column of the monitoring tables has a comment');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace
	  AND p.proname IN ('series', 'scorecard_at', 'measure_many', 'expected_progress', 'progress', 'target_path',
						'status', 'record_review', 'adjust_target', 'audit_stale')
	  AND p.prosqlbody IS NULL  -- a SQL-standard body binds its names when it is created
	  AND NOT EXISTS (SELECT FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%') $$,
	'every monitoring function runs with a fixed search_path or has a SQL-standard body');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	WHERE p.pronamespace = 'kpi'::regnamespace AND p.provolatile = 'i'
	  AND p.proname IN ('series', 'scorecard_at', 'measure_many', 'expected_progress', 'target_path', 'status',
						'record_review', 'adjust_target', 'audit_stale') $$,
	'no monitoring function that reads tables, settings or the time zone claims to be IMMUTABLE');
SELECT ok((SELECT array['kpi.reviews', 'kpi.target_history', 'kpi.smart_verdicts']::regclass[]::oid[] <@ extconfig
		   FROM pg_extension WHERE 'kpi.definitions'::regclass = ANY (extconfig)),
		  'pg_dump keeps the rows of reviews, target_history and smart_verdicts');

------------------------------------------------------------------------------
-- The scorecard against plain SQL; every status; the margin.
------------------------------------------------------------------------------
SELECT is((SELECT current FROM kpi.scorecard WHERE name = 'mon_cac_on'),
		  (SELECT (sum(spend) / sum(customers))::float8 FROM mon.daily
		   WHERE channel = 'search' AND day >= '2026-02-09' AND day < '2026-02-16'),
		  'current is Σspend / Σcustomers over the last complete week');
SELECT is((SELECT previous FROM kpi.scorecard WHERE name = 'mon_cac_all'),
		  (SELECT (sum(spend) / sum(customers))::float8 FROM mon.daily
		   WHERE day >= '2026-02-02' AND day < '2026-02-09'),
		  'previous is the same over the week before');
SELECT isnt((SELECT current FROM kpi.scorecard WHERE name = 'mon_cac_all'),
			(SELECT avg(spend / customers)::float8 FROM mon.daily WHERE day >= '2026-02-09' AND day < '2026-02-16'),
			'current is not the average of daily CACs');
SELECT is((SELECT current - previous FROM kpi.scorecard WHERE name = 'mon_cac_on'),
		  (SELECT change FROM kpi.scorecard WHERE name = 'mon_cac_on'), 'change = current − previous');
SELECT is((SELECT period_end FROM kpi.scorecard WHERE name = 'mon_cac_on'),
		  '2026-02-16 00:00+01'::timestamptz, 'the last complete week ends at Monday midnight in Berlin');
SELECT results_eq(
	$$SELECT name, status FROM kpi.scorecard WHERE name LIKE 'mon\_%' ORDER BY name$$,
	$$VALUES ('mon_cac_all', 'on_track'), ('mon_cac_off', 'off_track'), ('mon_cac_on', 'on_track'),
			 ('mon_cac_risk', 'at_risk'), ('mon_conv', 'on_track'), ('mon_events_leads', 'no_data'),
			 ('mon_signup_rate', 'off_track'), ('mon_unplanned', 'no_data')$$,
	'every status: on_track, at_risk, off_track, and no_data without rows or without a plan');
SELECT is((SELECT progress FROM kpi.scorecard WHERE name = 'mon_cac_on'), 0.625::float8,
		  'lower is better: CAC 36 from baseline 46 towards 30 is progress 0.625');
SELECT is((SELECT round(expected_progress::numeric, 12) FROM kpi.scorecard WHERE name = 'mon_cac_on'), 0.6,
		  'expected progress: 6 of 10 weeks elapsed');
SET LOCAL kpi.at_risk_margin = 0.05;
SELECT is((SELECT status FROM kpi.scorecard WHERE name = 'mon_cac_risk'), 'off_track',
		  'behind by 0.074: off_track with a margin of 0.05');
SET LOCAL kpi.at_risk_margin = 0.3;
SELECT is((SELECT status FROM kpi.scorecard WHERE name = 'mon_cac_off'), 'at_risk',
		  'behind by 0.215: at_risk with a margin of 0.3');
RESET kpi.at_risk_margin;
SET LOCAL kpi.at_risk_margin = 0.125;
SELECT is(kpi.status(0.375, 0.5), 'off_track', 'behind by exactly the margin is off_track');
SELECT is(kpi.status(0.376, 0.5), 'at_risk', 'behind by less than the margin is at_risk');
RESET kpi.at_risk_margin;
SET LOCAL TimeZone = 'UTC';
SELECT is((SELECT current FROM kpi.scorecard WHERE name = 'mon_signup_rate'), 2 / 3::float8,
		  'in UTC the week holds other sign-ups: 2 of 3');
SET LOCAL TimeZone = 'Europe/Berlin';
SELECT is((SELECT current FROM kpi.scorecard WHERE name = 'mon_signup_rate'), 1 / 3::float8,
		  'in Berlin: 1 of 3');

------------------------------------------------------------------------------
-- The series.
------------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM kpi.series('mon_events_leads', '1 week', '2025-11-03', '2026-02-16')), 15,
		  'a series has every bucket');
SELECT is((SELECT count(*)::int FROM kpi.series('mon_events_leads', '1 week', '2025-11-03', '2026-02-16')
		   WHERE value IS NULL AND status = 'no_data'), 10,
		  'buckets without data are kept, with a NULL value and status no_data');
SELECT is_empty($$
	SELECT s.bucket_start FROM kpi.series('mon_cac_all', '1 week', '2025-11-03', '2026-02-16') s
	WHERE s.value IS DISTINCT FROM (SELECT (sum(spend) / sum(customers))::float8 FROM mon.daily
									WHERE day >= s.bucket_start AND day < s.bucket_start + interval '1 week') $$,
	'every weekly value equals plain SQL over that week');
SELECT is((SELECT target_path FROM kpi.series('mon_cac_on', '1 week', '2025-12-22', '2025-12-29')), 46::float8,
		  'before the start the target path is the baseline');
SELECT is((SELECT round(target_path::numeric, 9) FROM kpi.series('mon_cac_on', '1 week', '2026-02-09', '2026-02-16')), 36.4,
		  'the target path at the end of week 14 is 46 + (30 − 46) · 0.6');
SELECT throws_ok($$SELECT * FROM kpi.series('no_such_kpi', '1 week', '2026-02-02', '2026-02-16')$$,
				 '42704', NULL, 'series of an unknown KPI: 42704');
SELECT throws_ok($$SELECT * FROM kpi.series('mon_cac_on', '-1 day', '2026-02-02', '2026-02-16')$$,
				 '22023', NULL, 'series with a bucket that is not positive: 22023');
SELECT throws_ok($$SELECT * FROM kpi.series('mon_cac_on', '1 week', '2026-02-16', '2026-02-02')$$,
				 '22023', NULL, 'series that ends before it starts: 22023');
SELECT throws_ok($$SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on', 'nope'], '2026-02-02', '2026-02-16')$$,
				 '42704', NULL, 'measure_many of an unknown KPI: 42704');

------------------------------------------------------------------------------
-- Reviews and target changes.
------------------------------------------------------------------------------
SET LOCAL kpi.as_of = '2026-02-16 10:00';
SELECT is((SELECT value FROM kpi.record_review('mon_cac_on', 'On track.')), 36::float8,
		  'a review records the value over the last complete period');
SELECT is((SELECT review_due FROM kpi.scorecard WHERE name = 'mon_cac_on'), false, 'no review is due right after one');
SELECT is((SELECT last_reviewed_on FROM kpi.scorecard WHERE name = 'mon_cac_on'), '2026-02-16'::date,
		  'the scorecard shows the day of the last review');
SET LOCAL kpi.as_of = '2026-02-23 10:00';
SELECT is((SELECT review_due FROM kpi.scorecard WHERE name = 'mon_cac_on'), true, 'a review is due once the next period ended');
SELECT throws_ok($$SELECT kpi.record_review('mon_cac_on', ' ')$$, '22023', NULL, 'a review without a note: 22023');
SELECT throws_ok($$SELECT kpi.record_review('nope', 'note')$$, '42704', NULL, 'a review of an unknown KPI: 42704');
SELECT throws_ok($$SELECT kpi.record_review(NULL, 'note')$$, '22004', NULL, 'a review of a NULL KPI: 22004');
SELECT throws_ok($$INSERT INTO kpi.reviews (name, reviewed_at, note) VALUES ('mon_cac_on', now(), '')$$,
				 '23514', NULL, 'kpi.reviews refuses a blank note: 23514');

SET LOCAL kpi.as_of = '2026-02-16 11:00';
SELECT is((SELECT row(old_target, new_target, reason)::text
		   FROM kpi.adjust_target('mon_cac_risk', 30, '30-day feedback.')),
		  '(27,30,"30-day feedback.")', 'a target change records the old and new target and why');
SELECT is((SELECT target FROM kpi.definitions WHERE name = 'mon_cac_risk'), 30::float8, 'and changes the target');
SELECT is((SELECT status FROM kpi.scorecard WHERE name = 'mon_cac_risk'), 'on_track', 'the scorecard follows');
SELECT throws_ok($$SELECT kpi.adjust_target('mon_cac_risk', 'NaN', 'why')$$, '22023', NULL, 'a NaN target: 22023');
SELECT throws_ok($$SELECT kpi.adjust_target('mon_cac_risk', NULL, 'why')$$, '22023', NULL, 'a NULL target: 22023');
SELECT throws_ok($$SELECT kpi.adjust_target('mon_cac_risk', 25, NULL)$$, '22023', NULL, 'no reason: 22023');
SELECT throws_ok($$SELECT kpi.adjust_target('nope', 25, 'why')$$, '42704', NULL, 'an unknown KPI: 42704');
SET LOCAL kpi.enforce_smart = error;
SELECT throws_ok($$SELECT kpi.adjust_target('mon_cac_on', 50, 'why')$$, '23514', NULL,
				 'under kpi.enforce_smart = error, a target that is no improvement: 23514');
RESET kpi.enforce_smart;
SELECT is((SELECT count(*)::int FROM kpi.target_history), 1, 'failed changes record nothing');

------------------------------------------------------------------------------
-- The stale finding.
------------------------------------------------------------------------------
SET LOCAL kpi.as_of = '2026-02-18 10:00';
SELECT ok(NOT EXISTS (SELECT FROM kpi.audit() WHERE kind = 'stale' AND kpis = '{mon_cac_on}'),
		  'a KPI reviewed two days ago is not stale');
SELECT ok(EXISTS (SELECT FROM kpi.audit() WHERE kind = 'stale' AND kpis = '{mon_cac_off}'),
		  'kpi.audit() reports a KPI never reviewed in the six weeks since it started as stale');
SET LOCAL kpi.as_of = '2026-03-03 00:00';
SELECT ok(EXISTS (SELECT FROM kpi.audit_stale() WHERE kpis = '{mon_cac_on}'),
		  'stale once the last review is more than two weeks old');
SET LOCAL kpi.language = 'de';
SELECT matches((SELECT detail FROM kpi.audit_stale() WHERE kpis = '{mon_cac_on}'), '^Zuletzt am 2026-02-16 überprüft',
			   'the stale detail in German');
RESET kpi.language;
SET LOCAL kpi.as_of = '2026-02-18 10:00';

------------------------------------------------------------------------------
-- Permissions: a role without SELECT on a source sees no value from it.
------------------------------------------------------------------------------
CREATE ROLE regress_kpi_monitor_tap;
GRANT USAGE ON SCHEMA kpi, mon TO regress_kpi_monitor_tap;
GRANT SELECT ON kpi.definitions, kpi.smart_verdicts TO regress_kpi_monitor_tap;
GRANT SELECT (name, reviewed_at) ON kpi.reviews TO regress_kpi_monitor_tap;
GRANT SELECT ON mon.signups TO regress_kpi_monitor_tap;
SET LOCAL ROLE regress_kpi_monitor_tap;
CREATE TEMP TABLE seen AS SELECT name, current, previous, progress, status FROM kpi.scorecard;
CREATE TEMP TABLE outcome (what text, sqlstate text);
DO $$
BEGIN
	BEGIN
		PERFORM * FROM kpi.series('mon_cac_on', '1 week', '2026-02-02', '2026-02-16');
		INSERT INTO outcome VALUES ('series', 'no error');
	EXCEPTION WHEN OTHERS THEN INSERT INTO outcome VALUES ('series', SQLSTATE);
	END;
	BEGIN
		PERFORM kpi.record_review('mon_cac_on', 'peek');
		INSERT INTO outcome VALUES ('record_review', 'no error');
	EXCEPTION WHEN OTHERS THEN INSERT INTO outcome VALUES ('record_review', SQLSTATE);
	END;
	BEGIN
		PERFORM kpi.adjust_target('mon_cac_on', 10, 'wishful');
		INSERT INTO outcome VALUES ('adjust_target', 'no error');
	EXCEPTION WHEN OTHERS THEN INSERT INTO outcome VALUES ('adjust_target', SQLSTATE);
	END;
	BEGIN
		PERFORM value FROM kpi.reviews;
		INSERT INTO outcome VALUES ('reviews.value', 'no error');
	EXCEPTION WHEN OTHERS THEN INSERT INTO outcome VALUES ('reviews.value', SQLSTATE);
	END;
END
$$;
RESET ROLE;
SELECT is_empty($$SELECT name FROM seen WHERE name <> 'mon_signup_rate' AND name LIKE 'mon\_%'
				  AND (current IS NOT NULL OR previous IS NOT NULL OR progress IS NOT NULL OR status <> 'no_data')$$,
				'no value from a source the role cannot read reaches its scorecard');
SELECT is((SELECT current FROM seen WHERE name = 'mon_signup_rate'), 1 / 3::float8,
		  'a source it can read gives the same value as for everyone');
SELECT results_eq($$SELECT what, sqlstate FROM outcome ORDER BY what$$,
				  $$VALUES ('adjust_target', '42501'), ('record_review', '42501'), ('reviews.value', '42501'), ('series', '42501')$$,
				  'series, record_review, adjust_target and reviews.value: permission denied (42501)');

SELECT * FROM finish();
ROLLBACK;
