-- Weekly snapshots of the scorecard, status changes and schedules (issue 13),
-- on the KPIs of test/monitor_data.sql.  The NOTIFY payloads are checked by
-- specs/snapshots_notify.spec.  Cleans up.
\i test/monitor_data.sql
\set SHOW_CONTEXT never

-- Six weekly snapshots, taken on Wednesdays.
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-01-14 10:00') GROUP BY 1;
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-01-21 10:00') GROUP BY 1;
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-01-28 10:00') GROUP BY 1;
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-02-04 10:00') GROUP BY 1;
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-02-11 10:00') GROUP BY 1;
-- The default is kpi.as_of(): Wednesday 2026-02-18.
SELECT as_of, count(*) AS kpis FROM kpi.snapshot() GROUP BY 1;

-- Every stored row is the scorecard of its moment (computed again here),
-- active KPIs only.
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE c.name IS NULL OR h.period_start <> c.period_start OR h.period_end <> c.period_end
						OR h.value IS DISTINCT FROM c.current OR h.status <> c.status
						OR h.progress IS DISTINCT FROM c.progress OR h.expected_progress IS DISTINCT FROM c.expected_progress
						OR h.target_path IS DISTINCT FROM c.target_path OR h.smart IS DISTINCT FROM c.smart) AS differences,
	   count(*) FILTER (WHERE h.name = 'mon_inactive') AS inactive
FROM kpi.scorecard_history h
-- one scorecard per snapshot day, not per row
LEFT JOIN (SELECT d.as_of, s.*
		   FROM (SELECT DISTINCT as_of FROM kpi.scorecard_history) AS d,
				LATERAL kpi.scorecard_at(d.as_of + time '10:00') AS s) AS c ON c.as_of = h.as_of AND c.name = h.name;
SELECT as_of, name, round(value::numeric, 4) AS value, status FROM kpi.scorecard_history
WHERE name IN ('mon_cac_risk', 'mon_events_leads', 'mon_signup_rate') ORDER BY name, as_of;

-- kpi.status_changes against a plain self-join on the previous snapshot.
SELECT name, changed_on, previous_as_of, old_status, new_status, round(value::numeric, 4) AS value
FROM kpi.status_changes ORDER BY name, changed_on;
SELECT count(*) AS differences FROM (
	(SELECT name, changed_on, previous_as_of, old_status, new_status FROM kpi.status_changes
	 EXCEPT
	 SELECT h.name, h.as_of, p.as_of, p.status, h.status
	 FROM kpi.scorecard_history h
	 JOIN kpi.scorecard_history p ON p.name = h.name
		 AND p.as_of = (SELECT max(x.as_of) FROM kpi.scorecard_history x WHERE x.name = h.name AND x.as_of < h.as_of)
	 WHERE p.status <> h.status)
	UNION ALL
	(SELECT h.name, h.as_of, p.as_of, p.status, h.status
	 FROM kpi.scorecard_history h
	 JOIN kpi.scorecard_history p ON p.name = h.name
		 AND p.as_of = (SELECT max(x.as_of) FROM kpi.scorecard_history x WHERE x.name = h.name AND x.as_of < h.as_of)
	 WHERE p.status <> h.status
	 EXCEPT
	 SELECT name, changed_on, previous_as_of, old_status, new_status FROM kpi.status_changes)) AS d;

-- Idempotent per as-of date: taking the same day again, later that day,
-- stores the same rows again (and replaces them, not adds).
CREATE TEMP TABLE before_again AS SELECT * FROM kpi.scorecard_history WHERE as_of = '2026-02-18';
SELECT as_of, count(*) AS kpis FROM kpi.snapshot('2026-02-18 17:00') GROUP BY 1;
SELECT count(*) AS rows, (SELECT count(*) FROM before_again) AS before,
	   count(*) FILTER (WHERE NOT EXISTS (
		   SELECT FROM before_again b WHERE b.name = h.name AND b.period_start = h.period_start
		   AND b.value IS NOT DISTINCT FROM h.value AND b.status = h.status)) AS differences
FROM kpi.scorecard_history h WHERE as_of = '2026-02-18';
SELECT count(*) AS all_rows FROM kpi.scorecard_history;
-- A KPI switched off leaves the day's snapshot when it is taken again; its
-- earlier snapshots stay.
UPDATE kpi.definitions SET active = false WHERE name = 'mon_unplanned';
SELECT count(*) AS kpis FROM kpi.snapshot('2026-02-18 18:00');
SELECT as_of, count(*) FROM kpi.scorecard_history WHERE name = 'mon_unplanned' GROUP BY 1 ORDER BY 1;
SET client_min_messages = error;
UPDATE kpi.definitions SET active = true WHERE name = 'mon_unplanned';
RESET client_min_messages;
-- Deleting a KPI deletes its history.
DELETE FROM kpi.definitions WHERE name = 'mon_cac_off';
SELECT count(*) AS history_of_deleted FROM kpi.scorecard_history WHERE name = 'mon_cac_off';

-- A moment must be given.
SELECT count(*) FROM kpi.snapshot(NULL);

-- Without pg_cron, kpi.schedule says so, and how to get it.
SELECT * FROM kpi.schedule();
\echo :LAST_ERROR_SQLSTATE
SELECT kpi.unschedule();
\echo :LAST_ERROR_SQLSTATE

-- pg_dump keeps the history.
SELECT 'kpi.scorecard_history'::regclass = ANY (extconfig) AS dumped FROM pg_extension WHERE extname = 'kpi';

-- Cleanup: the history goes with its definitions.
DELETE FROM kpi.definitions WHERE name LIKE 'mon\_%';
SELECT count(*) AS history FROM kpi.scorecard_history;
DROP SCHEMA mon CASCADE;
