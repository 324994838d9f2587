#!/usr/bin/env bash
# kpi.schedule with a real pg_cron (issue 13).  pg_cron must be preloaded, so
# this script starts a throw-away cluster of its own (initdb of the
# PostgreSQL that PG_CONFIG, or pg_config on the PATH, names; kpi and pg_cron
# installed there; Debian: postgresql-15-cron, see test/install_deps.sh) with
# shared_preload_libraries = pg_cron, and checks that
#   1. kpi.schedule registers the weekly snapshot and the summaries' refresh
#      as pg_cron jobs of the database, and that both run: a snapshot lands in
#      kpi.scorecard_history, and a summary's pending changes are refreshed;
#   2. scheduling again replaces the jobs instead of adding to them;
#   3. kpi.unschedule removes them.
# The jobs run every minute (pg_cron 1.4 has no finer schedule), so this
# takes up to about 70 s.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_config=${PG_CONFIG:-pg_config}
bindir=$("$pg_config" --bindir)
if [ ! -e "$("$pg_config" --pkglibdir)/pg_cron.so" ]; then
	echo "pg_cron is not installed for $("$pg_config" --version) (Debian: postgresql-15-cron)" >&2
	exit 1
fi
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

work=$(mktemp -d)
[ "$(id -u)" -eq 0 ] && chown postgres "$work"
port=$(bash test/free_port.sh 55720)
cleanup() {
	as_owner "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

as_owner "$bindir/initdb" -D "$work/data" -A trust -U postgres >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'kpi_cron'
cron.use_background_workers = on
max_worker_processes = 16
CONF
as_owner "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
export PGHOST=$work PGPORT=$port PGUSER=postgres PGDATABASE=kpi_cron
unset PGOPTIONS PGSERVICE PGPASSWORD
"$bindir/createdb" kpi_cron
psql_q() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

psql_q <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION kpi;
CREATE EXTENSION pg_cron;
CREATE TABLE sales (day date NOT NULL, channel text NOT NULL, amount numeric(10,2) NOT NULL, orders integer NOT NULL);
INSERT INTO sales SELECT current_date - d, c, 100 + d, 1 + d % 3
FROM generate_series(1, 30) AS d, unnest(ARRAY['web', 'shop']) AS c;
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column, filters,
							 direction, baseline, target, starts_on, due_on)
VALUES ('order_value_web', 'ratio', 'sales', 'day', 'amount', 'orders', '{"channel": "web"}',
		'higher_is_better', 50, 80, current_date - 28, current_date + 28);
SELECT kpi.create_summary('sales', 'day', '1 day');
INSERT INTO sales VALUES (current_date - 1, 'web', 500, 2), (current_date - 2, 'shop', 10, 1);
SQL
echo "pending changes before the jobs run: $(psql_q -c 'SELECT count(*) FROM sales_kpi_1d_changes')"

echo "== kpi.schedule"
psql_q -c "SELECT job_name, schedule, command FROM kpi.schedule('* * * * *', '* * * * *')"
jobs=$(psql_q -c "SELECT string_agg(jobid::text, ',' ORDER BY jobid) FROM cron.job")

echo "== waiting for both jobs to run (up to 130 s)"
for _ in $(seq 1 130); do
	done_=$(psql_q -c "SELECT (SELECT count(*) FROM kpi.scorecard_history) > 0
							AND (SELECT count(*) FROM sales_kpi_1d_changes) = 0
							AND (SELECT count(DISTINCT jobid) FROM cron.job_run_details WHERE status = 'succeeded') = 2")
	[ "$done_" = t ] && break
	sleep 1
done
psql_q -c "SELECT j.jobname, d.status, d.return_message FROM cron.job_run_details d JOIN cron.job j USING (jobid) ORDER BY d.runid"
[ "$done_" = t ] || { echo "FAIL: the jobs did not both run" >&2; tail -n 30 "$work/server.log" >&2; exit 1; }

echo "== the jobs' results"
result=$(psql_q <<'SQL'
SELECT (SELECT count(*) FROM kpi.scorecard_history WHERE name = 'order_value_web' AND as_of = current_date) = 1
   AND (SELECT count(*) FROM sales_kpi_1d_changes) = 0
   AND (SELECT refreshed_at > created_at FROM kpi.summaries)
   -- the refreshed summary equals a plain GROUP BY
   AND NOT EXISTS (
		SELECT FROM (SELECT day::timestamp AS d, channel, count(*) AS n, sum(amount) AS amount, sum(orders) AS orders
					 FROM sales GROUP BY 1, 2) e
		FULL JOIN sales_kpi_1d s ON s.bucket_start = e.d AND s.channel = e.channel
		WHERE e.n IS DISTINCT FROM s.row_count OR e.amount IS DISTINCT FROM kpi.numerator(s.amount_per_orders)
		   OR e.orders IS DISTINCT FROM kpi.denominator(s.amount_per_orders))
   AND NOT EXISTS (SELECT FROM cron.job_run_details WHERE status <> 'succeeded')
SQL
)
[ "$result" = t ] || { echo "FAIL: the jobs ran, but their results are wrong" >&2; exit 1; }
echo "snapshot stored, summary refreshed, every run succeeded"

echo "== scheduling again replaces the jobs"
psql_q -c "SELECT job_name, schedule FROM kpi.schedule('0 7 * * 1', NULL)"
again=$(psql_q -c "SELECT string_agg(jobid::text, ',' ORDER BY jobid) FROM cron.job")
schedules=$(psql_q -c "SELECT string_agg(jobname || ' ' || schedule, '; ' ORDER BY jobname) FROM cron.job")
echo "$schedules"
[ "$again" = "$jobs" ] || { echo "FAIL: jobs $jobs became $again" >&2; exit 1; }

echo "== kpi.unschedule"
removed=$(psql_q -c "SELECT kpi.unschedule()")
left=$(psql_q -c "SELECT count(*) FROM cron.job")
[ "$removed" = 2 ] && [ "$left" = 0 ] || { echo "FAIL: unschedule removed $removed, left $left" >&2; exit 1; }
echo "removed $removed jobs"
echo "ok: kpi.schedule with pg_cron"
