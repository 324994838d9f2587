-- Reviews, target adjustments, the stale audit finding and permissions, on
-- the KPIs of test/monitor_data.sql.  Cleans up.
\i test/monitor_data.sql
\set SHOW_CONTEXT never
SET TimeZone = 'Europe/Berlin';
SET DateStyle = 'ISO, YMD';

-- The Monday review of week 14.
SET kpi.as_of = '2026-02-16 10:00';
SELECT name, reviewed_at, reviewed_by = current_user AS by_me, period_start, period_end, value, status, note,
	   recorded_at = now() AS recorded_now
FROM kpi.record_review('mon_cac_on', 'CAC keeps falling: on track, keep going.');
SELECT name, value, status, note FROM kpi.record_review('mon_cac_risk', 'One point behind the plan.');
-- The value recorded is kpi.measure over the period.
SELECT r.value = kpi.measure(r.name, r.period_start, r.period_end) AS same
FROM kpi.reviews r WHERE r.name = 'mon_cac_on';

-- The scorecard knows when each KPI was last reviewed, and that no review
-- is due before the next period ends.
SELECT name, last_reviewed_on, review_due FROM kpi.scorecard WHERE name LIKE 'mon\_cac%' ORDER BY name;
SET kpi.as_of = '2026-02-23 09:00';
SELECT name, last_reviewed_on, review_due FROM kpi.scorecard WHERE name LIKE 'mon\_cac%' ORDER BY name;
SELECT name, value, status FROM kpi.record_review('mon_cac_on', 'Slightly behind the plan this week.');
SELECT name, last_reviewed_on, review_due FROM kpi.scorecard WHERE name = 'mon_cac_on';
-- Reviews after the moment the scorecard looks at do not count.
SET kpi.as_of = '2026-02-16 09:00';
SELECT name, last_reviewed_on, review_due FROM kpi.scorecard WHERE name = 'mon_cac_on';
SELECT name, reviewed_at, value, status, note FROM kpi.reviews ORDER BY review_id;

-- A review needs a known KPI and a note.
SELECT kpi.record_review('mon_cac_on', '   ');
SELECT kpi.record_review('mon_cac_on', NULL);
SELECT kpi.record_review('no_such_kpi', 'note');
SELECT kpi.record_review(NULL, 'note');
SELECT count(*) FROM kpi.reviews;

-- The 30-day feedback: the stretch target of mon_cac_risk becomes 30.
SET kpi.as_of = '2026-02-16 11:00';
SELECT name, changed_at, changed_by = current_user AS by_me, old_target, new_target, reason
FROM kpi.adjust_target('mon_cac_risk', 30, '30-day feedback: 27 needs more budget than we have.');
SELECT name, target, updated_at > created_at AS updated FROM kpi.definitions WHERE name = 'mon_cac_risk';
-- The scorecard follows at once; the SMART verdict was taken again.
SELECT name, target, round(progress::numeric, 6) AS progress, status, smart, smart_checked_at
FROM kpi.scorecard WHERE name = 'mon_cac_risk';
SELECT name, old_target, new_target FROM kpi.adjust_target('mon_cac_risk', 29, 'Second thoughts.');
SELECT name, changed_at, old_target, new_target, reason FROM kpi.target_history ORDER BY change_id;
-- A target change needs a known KPI, a finite target and a reason.
SELECT kpi.adjust_target('mon_cac_risk', NULL, 'reason');
SELECT kpi.adjust_target('mon_cac_risk', 'NaN', 'reason');
SELECT kpi.adjust_target('mon_cac_risk', 'Infinity', 'reason');
SELECT kpi.adjust_target('mon_cac_risk', 25, '');
SELECT kpi.adjust_target('no_such_kpi', 25, 'reason');
SELECT count(*) FROM kpi.target_history;
-- Under kpi.enforce_smart = error the catalog refuses a target that is no
-- improvement, and nothing is recorded.
SET kpi.enforce_smart = error;
\set VERBOSITY terse
SELECT kpi.adjust_target('mon_cac_on', 50, 'Give up.');
\set VERBOSITY default
RESET kpi.enforce_smart;
SELECT target FROM kpi.definitions WHERE name = 'mon_cac_on';
SELECT count(*) FROM kpi.target_history;

-- Stale KPIs: last review (or the start) older than twice review_every.
SET kpi.as_of = '2026-02-18 10:00';
SELECT * FROM kpi.audit_stale() WHERE kpis[1] LIKE 'mon\_%';
SET kpi.as_of = '2026-03-10 10:00';
SELECT kpis, detail FROM kpi.audit_stale() WHERE kpis[1] IN ('mon_cac_on', 'mon_cac_risk');
SET kpi.language = 'de';
SELECT kpis, detail FROM kpi.audit_stale() WHERE kpis[1] IN ('mon_cac_on', 'mon_conv');
RESET kpi.language;
-- kpi.audit() reports them.
SELECT kind, kpis FROM kpi.audit() WHERE kind = 'stale' AND kpis[1] LIKE 'mon\_%';
SET kpi.as_of = '2026-02-18 10:00';

-- The SMART verdict: kept when definitions change, dropped when not checked.
SELECT name, smart, failed FROM kpi.smart_verdicts WHERE name LIKE 'mon\_%' ORDER BY name;
SELECT kpi.recheck_smart('mon_events_leads');
UPDATE kpi.definitions SET active = false WHERE name = 'mon_conv';
SELECT count(*) FROM kpi.smart_verdicts WHERE name = 'mon_conv';
SET kpi.enforce_smart = off;
UPDATE kpi.definitions SET active = true WHERE name = 'mon_conv';
SELECT smart FROM kpi.scorecard WHERE name = 'mon_conv';
RESET kpi.enforce_smart;
SELECT kpi.recheck_smart('mon_conv');
SELECT smart FROM kpi.scorecard WHERE name = 'mon_conv';
SELECT kpi.recheck_smart('no_such_kpi');

-- Permissions.  A dashboard role that may read the catalog and when KPIs
-- were reviewed, and the sign-ups, but not the daily funnel.
CREATE ROLE regress_kpi_monitor_viewer;
GRANT USAGE ON SCHEMA kpi, mon TO regress_kpi_monitor_viewer;
GRANT SELECT ON kpi.definitions, kpi.smart_verdicts TO regress_kpi_monitor_viewer;
GRANT SELECT (name, reviewed_at) ON kpi.reviews TO regress_kpi_monitor_viewer;
GRANT SELECT ON mon.signups TO regress_kpi_monitor_viewer;
SET ROLE regress_kpi_monitor_viewer;
-- No value from the funnel reaches it; the sign-up rate does.
SELECT name, current, previous, progress, status, last_reviewed_on
FROM kpi.scorecard WHERE name LIKE 'mon\_%' ORDER BY name;
SELECT * FROM kpi.measure_many(ARRAY['mon_cac_on', 'mon_signup_rate'], '2026-02-09', '2026-02-16') ORDER BY name;
SELECT * FROM kpi.series('mon_cac_on', '1 week', '2026-02-02', '2026-02-16');
SELECT * FROM kpi.series('mon_signup_rate', '1 week', '2026-02-02', '2026-02-16');
SELECT value FROM kpi.reviews;
SELECT kpi.record_review('mon_cac_on', 'Peeking.');
SELECT kpi.adjust_target('mon_cac_on', 10, 'Wishful.');
RESET ROLE;
-- Once it may read the funnel, it sees what everyone sees.
GRANT SELECT ON mon.daily TO regress_kpi_monitor_viewer;
SET ROLE regress_kpi_monitor_viewer;
SELECT name, current, status FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_all') ORDER BY name;
RESET ROLE;
-- Row-level security on a source: kpi reads it as its owner, whose policies
-- are not the viewer's, so the viewer gets no value, and the reason.
ALTER TABLE mon.daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY social_only ON mon.daily TO regress_kpi_monitor_viewer USING (channel = 'social');
SET ROLE regress_kpi_monitor_viewer;
SELECT name, current, problem FROM kpi.scorecard WHERE name IN ('mon_cac_on', 'mon_cac_all') ORDER BY name;
RESET ROLE;
DROP POLICY social_only ON mon.daily;
ALTER TABLE mon.daily DISABLE ROW LEVEL SECURITY;

-- pg_dump keeps reviews, target changes and verdicts.
SELECT c.relname
FROM pg_extension e, unnest(e.extconfig) AS x(oid) JOIN pg_class c ON c.oid = x.oid
WHERE 'kpi.definitions'::regclass = ANY (e.extconfig) ORDER BY 1;

-- Cleanup: reviews, history and verdicts go with their definitions.
DROP OWNED BY regress_kpi_monitor_viewer;
DROP ROLE regress_kpi_monitor_viewer;
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%';
SELECT (SELECT count(*) FROM kpi.reviews) AS reviews, (SELECT count(*) FROM kpi.target_history) AS changes,
	   (SELECT count(*) FROM kpi.smart_verdicts) AS verdicts;
DROP SCHEMA mon CASCADE;
