#!/usr/bin/env bash
# The test suites, run inside a cluster that pg_virtualenv set up (PGHOST,
# PGPORT, PGUSER and PGPASSWORD point at it).  Called by test/run_all.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

passed=0
failed=0
failures=()
suite() {
	local name=$1; shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

show_diffs() {
	[ -f "$1/regression.diffs" ] && head -n 200 "$1/regression.diffs"
	return 1
}

# Settings that make the planner choose parallel plans wherever it can, and
# run even single-process plans through a worker (force_parallel_mode).
parallel_options="-c force_parallel_mode=regress -c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c min_parallel_index_scan_size=0 -c max_parallel_workers_per_gather=2"

suite "pg_regress (serial)" \
	bash -c 'make -s installcheck || { cat regression.diffs 2>/dev/null | head -n 200; exit 1; }'
suite "pg_regress (forced parallel)" \
	bash -c "mkdir -p results-parallel && PGOPTIONS='$parallel_options' make -s installcheck EXTRA_REGRESS_OPTS='--outputdir=results-parallel' || { head -n 200 results-parallel/regression.diffs; exit 1; }"

dropdb --if-exists kpi_tap >/dev/null 2>&1
createdb kpi_tap
psql -X -q -d kpi_tap -c 'CREATE EXTENSION pgtap'
suite "pgTAP (pg_prove)" pg_prove -d kpi_tap test/pgtap/*.sql
suite "catalog pg_dump/pg_restore round trip" bash test/catalog_dump_restore.sh
suite "upgrade 0.1.0 -> current equals a fresh install" bash test/upgrade.sh
suite "Citus calling convention, without Citus" bash test/citus_convention.sh

for client in test/clients/*.sh; do
	[ -e "$client" ] || continue
	suite "client $(basename "$client" .sh)" bash "$client"
done

echo
echo "suites: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
	exit 1
fi
