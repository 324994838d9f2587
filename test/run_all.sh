#!/usr/bin/env bash
# Runs every kpi test on a throw-away PostgreSQL 15 cluster (pg_virtualenv):
# pg_regress with serial and with forced parallel plans, pgTAP, the pg_dump
# and upgrade round trips, and the BI driver clients (test/suites.sh lists
# them).  Suite output goes to results/suites/*.log; the last lines printed
# are the summary, one line per suite.
# Usage, as root on Debian bookworm:  bash test/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/install_deps.sh
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null

summary=$(mktemp)
trap 'rm -f "$summary" "$summary.tmp"' EXIT
start=$SECONDS
PGPORT=$(bash test/free_port.sh 54320) KPI_SUMMARY="$summary" \
	pg_virtualenv -t -v 15 bash test/suites.sh || true

echo
echo "=== summary ($((SECONDS - start)) s)"
if ! grep -q '^suites: ' "$summary"; then
	echo "the test cluster did not start or the suites did not finish"
	echo "suites: 0 passed, 1 failed"
	exit 1
fi
cat "$summary"
grep -q '^suites: [0-9]* passed, 0 failed$' "$summary"
