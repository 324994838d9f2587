#!/usr/bin/env bash
# Fuzzes kpi with sqlsmith (Debian package sqlsmith): random SQL over kpi's
# functions, aggregates, views and catalog, run as an unprivileged role.
#
#   bash test/sqlsmith.sh [QUERIES [SEED]]        (default 2000 queries, seed 1)
#
# Against the server of the libpq environment (PGHOST, PGPORT, PGUSER, a
# superuser), with kpi installed (make install); test/suites.sh runs a short
# pass inside the throw-away cluster of test/run_all.sh.  For a throw-away
# cluster of its own, as root:
#
#   PGPORT=$(bash test/free_port.sh 54330) pg_virtualenv -t -v 15 bash test/sqlsmith.sh 100000 7
#
# 1. (Re)creates the database kpi_sqlsmith (KPI_SQLSMITH_DB) with kpi, the
#    demo's sample company, the fixture test/sqlsmith/fixture.sql and KPI
#    definitions, and a role of the same name: no superuser, reads the data,
#    writes the KPI catalog (test/sqlsmith/setup.sql); its password is fixed
#    in this script, so run it against test servers only.  sqlsmith is shown
#    kpi's routines KPI_SQLSMITH_WEIGHT times (default 30; setup.sql says how).
# 2. sqlsmith --dry-run generates QUERIES statements from that role's view of
#    the schema; test/sqlsmith/drive.py runs each one as that role, in a
#    transaction it rolls back, with statement_timeout = 1s.
# 3. Fails on any crash: a connection lost while a query ran, or a backend
#    killed by a signal or a PANIC in the server log (KPI_SERVER_LOG, or the
#    pg_virtualenv cluster's log).  Every crashing query is written as a
#    pg_regress test file test/sqlsmith/found/sqlsmith_crash_SEED_N.sql, and
#    every query that raised an internal error (XX000) while calling kpi as
#    sqlsmith_internal_SEED_N.sql (reported, not a failure: PostgreSQL's own
#    functions raise some).
# 4. Reports the outcomes by SQLSTATE and how many of kpi's functions ran:
#    track_functions = all, pg_stat_user_functions.  Aggregates do not show
#    there (their transition functions are called by the executor, not as
#    function calls), so it also counts the kpi names in the queries run.
#    Results in results/<database>/ (summary.json, report.txt).  The
#    database and the role are dropped at the end, unless the run failed or
#    KPI_SQLSMITH_KEEP is set.
set -euo pipefail
cd "$(dirname "$0")/.."
queries=${1:-2000}
seed=${2:-1}
db=${KPI_SQLSMITH_DB:-kpi_sqlsmith}
role=$db
password=kpi_sqlsmith_fuzz
weight=${KPI_SQLSMITH_WEIGHT:-30}
out=results/$db
found=test/sqlsmith/found
mkdir -p "$out"

command -v sqlsmith >/dev/null || { echo "sqlsmith not found: apt-get install sqlsmith" >&2; exit 1; }

server_log=${KPI_SERVER_LOG:-$(ls "${PG_CLUSTER_CONF_ROOT:-/nonexistent}"/../log/*.log 2>/dev/null | head -n 1 || true)}
log_start=0
if [ -n "$server_log" ] && [ -r "$server_log" ]; then
	log_start=$(stat -c %s "$server_log")
fi

# 1. The database and the role.
dropdb --if-exists "$db" 2>/dev/null
psql -X -q -d postgres -c "DROP ROLE IF EXISTS $role" 2>/dev/null
createdb "$db"
psql -X -q -d "$db" -v role="$role" -v password="$password" -v weight="$weight" \
	-f test/sqlsmith/setup.sql >"$out/setup.log" 2>&1 || { cat "$out/setup.log"; exit 1; }

# 2. Generate and run, as the role.
start=$SECONDS
status=0
PGDATABASE=$db PGUSER=$role PGPASSWORD=$password PGOPTIONS= \
	sqlsmith --target="dbname=$db user=$role password=$password" --exclude-catalog \
	--dry-run --seed="$seed" --max-queries="$queries" 2>"$out/sqlsmith.log" |
	PGDATABASE=$db PGUSER=$role PGPASSWORD=$password \
		/usr/bin/python3 test/sqlsmith/drive.py "$found" "$out/summary.json" "$seed" || status=$?
elapsed=$((SECONDS - start))
[ "$status" -eq 0 ] || { echo "sqlsmith or its driver failed ($status):"; tail -n 20 "$out/sqlsmith.log"; exit 1; }

# 3. Crashes in the server log since the start.
log_crashes=0
if [ -n "$server_log" ] && [ -r "$server_log" ]; then
	tail -c +"$((log_start + 1))" "$server_log" >"$out/server.log"
	log_crashes=$(grep -cE 'terminated by signal|PANIC|was terminated|server process .* exited with exit code [^0]' "$out/server.log" || true)
else
	echo "(no server log found: set KPI_SERVER_LOG to check it too)"
fi

# 4. Report.  Function statistics are flushed when a backend ends: the
#    driver has ended; ask in a new session.
sleep 1
psql -X -q -d "$db" -At -v summary="$out/summary.json" -v elapsed="$elapsed" -v log_crashes="$log_crashes" >"$out/report.txt" <<'SQL'
\set ON_ERROR_STOP on
SELECT pg_stat_clear_snapshot();
\set content `cat :summary`
WITH s AS (SELECT :'content'::jsonb AS j),
	 callable AS (
		SELECT p.oid FROM pg_proc AS p
		WHERE p.pronamespace = 'kpi'::regnamespace AND p.prokind = 'f'
		  AND p.prorettype <> 'trigger'::regtype
		  AND 'internal'::regtype <> ALL (p.proargtypes::oid[] || p.prorettype)),
	 called AS (
		SELECT funcid FROM pg_stat_user_functions WHERE schemaname = 'kpi' AND calls > 0),
	 names AS (SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'kpi'::regnamespace
		AND prorettype <> 'trigger'::regtype
		AND 'internal'::regtype <> ALL (proargtypes::oid[] || prorettype))
SELECT format(E'queries: %s in %s s (%s per second)\noutcomes: %s\nsqlstates (top 12): %s\n'
			  'crashes: %s (connection lost: %s; server log: %s)\ninternal errors (XX000) in queries calling kpi: %s\n'
			  'kpi functions executed (pg_stat_user_functions, track_functions = all): %s of %s callable kpi functions\n'
			  'kpi routine names in the queries run: %s of %s',
			  j->>'queries', :elapsed, round((j->>'queries')::numeric / greatest(:elapsed, 1)),
			  j->'outcomes',
			  (SELECT string_agg(key || '=' || value, ' ' ORDER BY value::bigint DESC, key) FROM (SELECT * FROM jsonb_each_text(j->'sqlstates') ORDER BY value::bigint DESC, key LIMIT 12) AS t),
			  jsonb_array_length(j->'crashes') + :log_crashes, jsonb_array_length(j->'crashes'), :log_crashes,
			  jsonb_array_length(j->'internal_errors'),
			  (SELECT count(*) FROM called WHERE funcid IN (SELECT oid FROM callable)),
			  (SELECT count(*) FROM callable),
			  (SELECT count(*) FROM jsonb_object_keys(j->'kpi_names_in_queries') AS k WHERE k IN (SELECT proname FROM names)),
			  (SELECT count(*) FROM names))
FROM s;
\echo 'kpi functions executed, by calls:'
SELECT format('  %s  %s', calls, funcid::regprocedure) FROM pg_stat_user_functions
WHERE schemaname = 'kpi' ORDER BY calls DESC, 1;
\echo 'callable kpi functions never executed:'
SELECT format('  %s', p.oid::regprocedure) FROM pg_proc AS p
WHERE p.pronamespace = 'kpi'::regnamespace AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  AND 'internal'::regtype <> ALL (p.proargtypes::oid[] || p.prorettype)
  AND p.oid NOT IN (SELECT funcid FROM pg_stat_user_functions WHERE calls > 0)
ORDER BY 1;
SQL
head -n 7 "$out/report.txt"
echo "(full report: $out/report.txt; summary: $out/summary.json)"

crashes=$(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["crashes"]))' "$out/summary.json")
if [ "$crashes" -gt 0 ] || [ "$log_crashes" -gt 0 ]; then
	echo "FAIL: the server crashed; the queries are in $found/:"
	ls "$found"/sqlsmith_crash_* 2>/dev/null || true
	grep -E -A2 'terminated by signal|PANIC' "$out/server.log" 2>/dev/null | head -n 20 || true
	exit 1
fi
echo "sqlsmith: no crash in $queries queries (seed $seed)"
# The database and the role go, unless KPI_SQLSMITH_KEEP is set (to look at
# pg_stat_user_functions, or rerun a query as the role).
if [ -z "${KPI_SQLSMITH_KEEP:-}" ]; then
	dropdb "$db"
	psql -X -q -d postgres -c "DROP ROLE $role"
fi
