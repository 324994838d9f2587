#!/usr/bin/env bash
# The test suites, run inside a cluster that pg_virtualenv set up (PGHOST,
# PGPORT, PGUSER and PGPASSWORD point at it).  Called by test/run_all.sh, or
# by hand against any PostgreSQL 15 the libpq environment points at, with
# kpi installed (make install).
#
# Each suite's output goes to results/suites/<suite>.log; a failing suite
# prints its tail.  The summary (one line per suite) goes to $KPI_SUMMARY
# when set, else to standard output: test/run_all.sh prints it last.  This
# script exits 0 when the summary was written, so that pg_virtualenv does not
# print the server log over it; run_all.sh sets the exit status.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

logs=results/suites
rm -rf "$logs"
mkdir -p "$logs"
summary=${KPI_SUMMARY:-/dev/stdout}
: >"$summary.tmp" 2>/dev/null || summary=/dev/stdout

# suite NAME COMMAND...: runs one suite, its output into its log; the result
# line goes to $logs/<number>.result (numbered in the order the suites are
# listed below, whichever lane runs them), for the summary.
next_id=10
suite() {
	local name=$1; shift
	local log="$logs/$(echo "$name" | tr -c 'a-zA-Z0-9_.\n-' '_').log"
	local id=$next_id
	next_id=$((next_id + 1))
	local start=$SECONDS
	echo "=== $name"
	if "$@" >"$log" 2>&1; then
		printf 'ok    %-55s %4d s\n' "$name" $((SECONDS - start)) >"$logs/$id.result"
	else
		printf 'FAIL  %-55s %4d s  (%s)\n' "$name" $((SECONDS - start)) "$log" >"$logs/$id.result"
		echo "$log" >"$logs/$id.failed"
	fi
}

# pg_regress, printing the head of the differences when it fails.
regress() {
	local outdir=$1
	mkdir -p "$outdir"
	make -s installcheck EXTRA_REGRESS_OPTS="--outputdir=$outdir" || {
		echo "regression differences ($outdir/regression.diffs):"
		head -n 150 "$outdir/regression.diffs"
		return 1
	}
}

# Settings that make the planner choose parallel plans wherever it can, and
# run even single-process plans through a worker (force_parallel_mode).
parallel_options="-c force_parallel_mode=regress -c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c min_parallel_index_scan_size=0 -c max_parallel_workers_per_gather=2"

# Two lanes.  The suites that need neither the cluster nor the installed files
# (the fuzzers, make dist, the package build into its own directory) and the
# pg_cron suite (a cluster of its own) run in the background while the
# suites on this cluster run in the foreground: those wait mostly on the
# server (the forced-parallel pass on starting workers), so the two lanes
# share the machine's cores well.  The Debian package is installed after
# both, because it replaces the make-installed files the other suites test.
package_dir=$(mktemp -d)
(
	# At the lowest CPU priority: the forced-parallel pass waits on starting
	# workers, and a compiler or lintian in its way made it 2-3 times slower.
	renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
	next_id=60
	suite "fuzz: goal parser (libFuzzer, 20 s)" bash test/fuzz/goal_parser.sh 20
	suite "fuzz: kpi.ratio input and numeric decoder (libFuzzer, 20 s)" bash test/fuzz/ratio.sh 20
	suite "kpi.schedule with a real pg_cron (own cluster)" bash test/schedule_pg_cron.sh
	suite "PGXN META.json and make dist" bash test/dist.sh
	suite "Debian package: build, lintian" bash test/package.sh build "$package_dir"
) &
background=$!

suite "pg_regress (serial)" regress results/serial
suite "pg_regress (forced parallel)" env PGOPTIONS="$parallel_options" bash -c "$(declare -f regress); regress results/parallel"

pgtap() {
	dropdb --if-exists kpi_tap >/dev/null 2>&1
	createdb kpi_tap && psql -X -q -d kpi_tap -c 'CREATE EXTENSION pgtap' &&
		pg_prove -d kpi_tap test/pgtap/*.sql
	local status=$?
	dropdb --if-exists kpi_tap >/dev/null 2>&1
	return $status
}
suite "pgTAP (pg_prove)" pgtap
suite "catalog pg_dump/pg_restore round trip" bash test/catalog_dump_restore.sh
suite "kpi.ratio pg_dump/pg_restore round trip (generated states)" bash test/ratio_dump_restore.sh
suite "upgrade 0.1.0 -> current equals a fresh install" bash test/upgrade.sh
suite "doc/reference.md is current" bash test/reference.sh
suite "README.md examples run" bash test/readme_examples.sh
suite "Citus calling convention, without Citus" bash test/citus_convention.sh
suite "summary reads: one kept plan, never JIT-compiled" bash test/summary_read_plan.sh
suite "fuzz: sqlsmith, 500 random queries as an unprivileged role" bash test/sqlsmith.sh 500 "$((RANDOM))"

for client in test/clients/*.sh; do
	[ -e "$client" ] || continue
	suite "client $(basename "$client" .sh)" bash "$client"
done

wait "$background"
next_id=80
if [ -e "$logs/$((60 + 4)).failed" ]; then
	printf 'FAIL  %-55s %4d s  (%s)\n' "Debian package: install, upgrade, autopkgtest" 0 "not run: the build failed" \
		>"$logs/$next_id.result"
	rm -rf "$package_dir"
else
	suite "Debian package: install, upgrade, autopkgtest" bash test/package.sh install "$package_dir"
fi

# A crash anywhere above shows in the server log, whatever the suites said.
next_id=90
server_log=$(ls "${PG_CLUSTER_CONF_ROOT:-/nonexistent}"/../log/*.log 2>/dev/null | head -n 1)
if [ -n "$server_log" ]; then
	cp "$server_log" "$logs/server.log"
	suite "server log: no crash, no PANIC" bash -c "! grep -E 'terminated by signal|PANIC|server process .* was terminated' '$logs/server.log'"
fi

# The tails of the failed suites' logs, then the summary.
for failed in "$logs"/*.failed; do
	[ -e "$failed" ] || continue
	log=$(cat "$failed")
	echo "--- $(basename "$log" .log) failed; the last 60 lines of $log:"
	tail -n 60 "$log"
done
passed=$(cat "$logs"/*.result | grep -c '^ok' || true)
failed=$(cat "$logs"/*.result | grep -c '^FAIL' || true)
{
	cat $(ls "$logs"/*.result | sort)
	echo "suites: $passed passed, $failed failed"
} >"$summary"
