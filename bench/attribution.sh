#!/usr/bin/env bash
# bench/attribution.sh: kpi.attribute against the plain-SQL window-function
# implementation of the same models (issue 14).
#
#   bash bench/attribution.sh                          # against the server the libpq environment names
#   BENCH_CUSTOMERS=100000 bash bench/attribution.sh   # customers (default 1,000,000; 10 rows each)
#   BENCH_ROUNDS=5 bash bench/attribution.sh           # timed rounds per case (default 3)
#   BENCH_DB=mydb bash bench/attribution.sh            # database (default kpi_bench_attribution, created and dropped)
#
# Needs the extension installed in that server.  Generates 10 rows per
# customer (bench/attribution.sql), checks that both sides give the same
# credit per channel, then times the linear and position-based models,
# alternating, one session, no parallel workers, no JIT, work_mem 512MB;
# medians.  The target: kpi.attribute at least 3x faster.  Prints the results
# and, at the default size, writes bench/attribution_results.md.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${BENCH_ROUNDS:-3}
CUSTOMERS=${BENCH_CUSTOMERS:-1000000}
DB=${BENCH_DB:-kpi_bench_attribution}
created=no
if ! psql -X -Atq -d "$DB" -c 'SELECT 1' >/dev/null 2>&1; then
	createdb "$DB"
	created=yes
fi
cleanup() { if [ "$created" = yes ]; then dropdb --if-exists "$DB" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
psql -X -q -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS kpi'
output=$(mktemp)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
PGOPTIONS="${PGOPTIONS:-} -c bench.rounds=$ROUNDS" \
	psql -X -q -v ON_ERROR_STOP=1 -v customers="$CUSTOMERS" -d "$DB" -f "$BENCH_DIR/attribution.sql" | tee "$output"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

[ "$CUSTOMERS" = 1000000 ] || exit 0
commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then tree="commit $commit"; else tree="commit $commit with uncommitted changes in src/"; fi
server=$(psql -X -Atc "SELECT version()" -d "$DB")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "# Attribution: kpi.attribute against plain SQL"
	echo
	echo "Measured with \`bash bench/attribution.sh\` ($ROUNDS rounds per case after one warm-up, alternating; median)"
	echo "on $(date -u +%Y-%m-%d), $tree, $(nproc) CPUs ($cpu), $server;"
	echo "max_parallel_workers_per_gather = 0, jit = off, work_mem = 512MB; load average $load_before before, $load_after after."
	echo
	echo "1,000,000 customers, 10,000,000 rows (9 touches and 1 conversion per customer, over 180 days,"
	echo "90-day lookback). Each side computes the credit per channel over all conversions; the answers"
	echo "were compared first (same channels, credits within 1e-6)."
	echo
	echo "| case | median ms | min ms | max ms |"
	echo "|---|---:|---:|---:|"
	awk -F'|' '/^ *(plain|kpi)_[a-z_]+ *\|/ { for (k = 1; k <= 4; k++) gsub(/ /, "", $k); printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$output"
	echo
	echo "| model | plain / kpi (target ≥ 3) |"
	echo "|---|---:|"
	awk -F'|' '/^ *(linear|position_based) *\| *[0-9.]+ *$/ { gsub(/ /, "", $1); gsub(/ /, "", $2); printf "| %s | %s |\n", $1, $2 }' "$output"
} >"$BENCH_DIR/attribution_results.md"
echo
echo "written: bench/attribution_results.md"
