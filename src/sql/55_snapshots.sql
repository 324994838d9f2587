/* kpi -- weekly snapshots of the scorecard, status changes, alerts and schedules (issue 13) */

/*
 *   kpi.snapshot(as_of timestamptz DEFAULT kpi.as_of()) → SETOF kpi.scorecard_history
 *       Stores the scorecard as of that moment in kpi.scorecard_history, one
 *       row per active KPI, keyed by the as-of date (session time zone):
 *       taking it again the same day replaces that day's rows.  A KPI whose
 *       status differs from its previous snapshot's is announced with NOTIFY
 *       on the channel kpi_status_change (once per change and day).
 *   kpi.scorecard_history                    the snapshots, kept by pg_dump
 *   kpi.status_changes                       when each KPI changed status
 *   kpi.schedule(snapshot_schedule text DEFAULT '0 6 * * 1' (Mondays at 06:00),
 *                refresh_schedule text DEFAULT every 15 minutes)
 *       → TABLE (job_name text, schedule text, command text, job_id bigint)
 *       Registers the weekly snapshot and the summaries' refresh as pg_cron
 *       jobs of this database; error 42704 when pg_cron is not installed.
 *       kpi itself never needs pg_cron: both jobs are plain function calls.
 *   kpi.unschedule() → integer               removes those jobs
 */

CREATE TABLE kpi.scorecard_history (
	as_of				date NOT NULL,
	name				text NOT NULL REFERENCES kpi.definitions (name) ON UPDATE CASCADE ON DELETE CASCADE,
	period_start		timestamptz,
	period_end			timestamptz,
	value				double precision,
	target_path			double precision,
	progress			double precision,
	expected_progress	double precision,
	status				text NOT NULL CONSTRAINT status_known CHECK (status IN ('on_track', 'at_risk', 'off_track', 'no_data', 'invalid')),
	smart				boolean,
	taken_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (name, as_of)
) WITH (parallel_workers = 0);
COMMENT ON TABLE kpi.scorecard_history IS
	'The scorecard as kpi.snapshot() stored it: one row per KPI and as-of date, with value, status, progress and the SMART verdict. Kept by pg_dump. Holds KPI values: grant SELECT only to roles that may read the sources.';
COMMENT ON COLUMN kpi.scorecard_history.as_of IS 'The day the snapshot was taken for (session time zone); one snapshot per KPI and day.';
COMMENT ON COLUMN kpi.scorecard_history.name IS 'The KPI.';
COMMENT ON COLUMN kpi.scorecard_history.period_start IS 'Start of the last complete review period then.';
COMMENT ON COLUMN kpi.scorecard_history.period_end IS 'End (exclusive) of that period.';
COMMENT ON COLUMN kpi.scorecard_history.value IS 'The value over that period (the scorecard''s current).';
COMMENT ON COLUMN kpi.scorecard_history.target_path IS 'Where the plan said the KPI should be at period_end.';
COMMENT ON COLUMN kpi.scorecard_history.progress IS 'The share of the distance from baseline to target covered.';
COMMENT ON COLUMN kpi.scorecard_history.expected_progress IS 'The share of the time from starts_on to due_on elapsed at period_end.';
COMMENT ON COLUMN kpi.scorecard_history.status IS 'on_track, at_risk, off_track, no_data, or invalid (a definition that could not be measured; see the scorecard''s problem column).';
COMMENT ON COLUMN kpi.scorecard_history.smart IS 'Whether the KPI passed all five SMART criteria at its last check then.';
COMMENT ON COLUMN kpi.scorecard_history.taken_at IS 'When the snapshot was taken (last taken, when taken again the same day).';
SELECT pg_catalog.pg_extension_config_dump('kpi.scorecard_history', '');

CREATE VIEW kpi.status_changes WITH (security_invoker = true) AS
	SELECT s.name, s.as_of AS changed_on, s.previous_as_of, s.old_status, s.new_status, s.value
	FROM (SELECT h.name, h.as_of, h.status AS new_status, h.value,
				 pg_catalog.lag(h.status) OVER w AS old_status,
				 pg_catalog.lag(h.as_of) OVER w AS previous_as_of
		  FROM kpi.scorecard_history AS h
		  WINDOW w AS (PARTITION BY h.name ORDER BY h.as_of)) AS s
	WHERE s.previous_as_of IS NOT NULL AND s.old_status IS DISTINCT FROM s.new_status;
COMMENT ON VIEW kpi.status_changes IS
	'When each KPI changed status: one row per snapshot whose status differs from the KPI''s snapshot before it.';
COMMENT ON COLUMN kpi.status_changes.changed_on IS 'The as-of date of the snapshot that saw the new status.';
COMMENT ON COLUMN kpi.status_changes.previous_as_of IS 'The as-of date of the snapshot before, which had the old status.';
COMMENT ON COLUMN kpi.status_changes.old_status IS 'The status before.';
COMMENT ON COLUMN kpi.status_changes.new_status IS 'The status since changed_on.';
COMMENT ON COLUMN kpi.status_changes.value IS 'The value at changed_on.';

CREATE FUNCTION kpi.snapshot(as_of timestamptz DEFAULT kpi.as_of())
	RETURNS SETOF kpi.scorecard_history
	LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	day date := as_of::date;
BEGIN
	RETURN QUERY
	WITH card AS MATERIALIZED (
		SELECT c.* FROM kpi.scorecard_at(snapshot.as_of) AS c
	),
	before AS (
		SELECT DISTINCT ON (h.name) h.name, h.status
		FROM kpi.scorecard_history AS h WHERE h.as_of < day
		ORDER BY h.name, h.as_of DESC
	),
	same_day AS (
		SELECT h.name, h.status FROM kpi.scorecard_history AS h WHERE h.as_of = day
	),
	-- A KPI no longer active leaves this day's snapshot when it is taken again.
	gone AS (
		DELETE FROM kpi.scorecard_history AS h
		WHERE h.as_of = day AND h.name NOT IN (SELECT c.name FROM card c)
	),
	stored AS (
		INSERT INTO kpi.scorecard_history AS h
			(as_of, name, period_start, period_end, value, target_path, progress, expected_progress, status, smart, taken_at)
		SELECT day, c.name, c.period_start, c.period_end, c.current, c.target_path, c.progress, c.expected_progress,
			   c.status, c.smart, pg_catalog.now()
		FROM card c
		ON CONFLICT ON CONSTRAINT scorecard_history_pkey DO UPDATE SET
			period_start = excluded.period_start, period_end = excluded.period_end, value = excluded.value,
			target_path = excluded.target_path, progress = excluded.progress,
			expected_progress = excluded.expected_progress, status = excluded.status, smart = excluded.smart,
			taken_at = excluded.taken_at
		RETURNING h.*
	),
	-- Announced once: not again when the same day is taken again with the
	-- same status.  NOTIFY is delivered when the transaction commits.
	announced AS (
		SELECT pg_catalog.pg_notify('kpi_status_change', pg_catalog.json_build_object(
				   'name', s.name, 'as_of', s.as_of, 'old_status', b.status, 'new_status', s.status,
				   'value', s.value, 'period_start', s.period_start, 'period_end', s.period_end)::text) AS sent
		FROM stored s
		JOIN before b ON b.name = s.name
		LEFT JOIN same_day d ON d.name = s.name
		WHERE b.status IS DISTINCT FROM s.status AND d.status IS DISTINCT FROM s.status
	)
	SELECT s.* FROM stored s
	WHERE (SELECT pg_catalog.count(*) FROM announced) >= 0
	ORDER BY s.name;
END
$$;
COMMENT ON FUNCTION kpi.snapshot(timestamptz) IS
	'Stores the scorecard as of a moment (default kpi.as_of()) in kpi.scorecard_history under its date, replacing that date''s rows, and returns them; a KPI whose status changed since its previous snapshot is announced by NOTIFY kpi_status_change with a JSON payload (name, as_of, old_status, new_status, value, period_start, period_end).';

------------------------------------------------------------------------------
-- Schedules: pg_cron when it is there, never a dependency.
------------------------------------------------------------------------------

CREATE FUNCTION kpi.require_pg_cron() RETURNS boolean
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
			USING ERRCODE = 'undefined_object',
				  DETAIL = 'kpi.schedule registers pg_cron jobs; kpi itself does not need pg_cron.',
				  HINT = 'Install pg_cron (Debian: postgresql-15-cron), add it to shared_preload_libraries, and CREATE EXTENSION pg_cron in the database cron.database_name names; or call SELECT kpi.snapshot() weekly and SELECT kpi.refresh_summaries() from any scheduler.';
	END IF;
	RETURN true;
END
$$;
COMMENT ON FUNCTION kpi.require_pg_cron() IS
	'Internal: true, or raises undefined_object (42704) with the way to install it when pg_cron is not installed in this database.';

CREATE FUNCTION kpi.schedule(snapshot_schedule text DEFAULT '0 6 * * 1', refresh_schedule text DEFAULT '*/15 * * * *')
	RETURNS TABLE (job_name text, schedule text, command text, job_id bigint)
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.require_pg_cron();
BEGIN
	FOR job_name, schedule, command IN
		SELECT j.name || ':' || pg_catalog.current_database(), j.schedule, j.command
		FROM (VALUES (1, 'kpi_snapshot', snapshot_schedule, 'SELECT count(*) FROM kpi.snapshot()'),
					 (2, 'kpi_refresh_summaries', refresh_schedule, 'SELECT count(*) FROM kpi.refresh_summaries()')) AS j(o, name, schedule, command)
		WHERE j.schedule IS NOT NULL ORDER BY j.o
	LOOP
		-- A job of the same name is replaced (pg_cron matches jobs by name).
		-- In pg_cron's own database, cron.schedule, which any user may call;
		-- elsewhere cron.schedule_in_database, which pg_cron grants to none.
		IF pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database() THEN
			EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job_id USING job_name, schedule, command;
		ELSE
			EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
				INTO job_id USING job_name, schedule, command, pg_catalog.current_database();
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION kpi.schedule(text, text) IS
	'Registers pg_cron jobs in this database: kpi.snapshot() on snapshot_schedule (default Mondays 06:00) and kpi.refresh_summaries() on refresh_schedule (default every 15 minutes); a NULL schedule skips that job. Error 42704 when pg_cron is not installed.';

CREATE FUNCTION kpi.unschedule() RETURNS integer
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY INVOKER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	checked boolean := kpi.require_pg_cron();
	removed integer;
BEGIN
	EXECUTE 'SELECT pg_catalog.count(cron.unschedule(j.jobname))::integer FROM cron.job j WHERE j.jobname = ANY ($1)'
		INTO removed
		USING ARRAY['kpi_snapshot:' || pg_catalog.current_database(), 'kpi_refresh_summaries:' || pg_catalog.current_database()];
	RETURN removed;
END
$$;
COMMENT ON FUNCTION kpi.unschedule() IS
	'Removes the pg_cron jobs kpi.schedule() registered for this database and returns how many; error 42704 when pg_cron is not installed.';
