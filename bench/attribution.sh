#!/usr/bin/env bash
# bench/attribution.sh: kpi.attribute against the plain-SQL window-function
# implementation of the same models (issue 14).
#
#   bash bench/attribution.sh                          # against the server the libpq environment names
#   BENCH_CUSTOMERS=100000 bash bench/attribution.sh   # customers (default 1,000,000; 10 rows each)
#   BENCH_ROUNDS=5 bash bench/attribution.sh           # timed rounds per case (default 3)
#   BENCH_DB=mydb bash bench/attribution.sh            # database (default kpi_bench_attribution, created and dropped)
#
# Needs the extension installed in that server, and runs on that server's
# machine (it reads the backend's CPU time from /proc).  Generates 10 rows per
# customer and checks that both sides give the same credit per channel
# (bench/attribution.sql), then times the linear and position-based models,
# alternating, in one session: no parallel workers, no JIT, work_mem 512MB.
# Reports the median wall time and the median CPU time of the backend per
# case, and their ratios; the target is kpi at least 3x faster.  Both kpi
# forms are timed: kpi.attribute per customer and kpi.attribute_totals over
# the table; and two floors, GROUP BY customer_id alone and the scan alone.
# At the default size it appends a run to bench/attribution_results.md.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${BENCH_ROUNDS:-3}
CUSTOMERS=${BENCH_CUSTOMERS:-1000000}
DB=${BENCH_DB:-kpi_bench_attribution}
work=$(mktemp -d)
created=no
if ! psql -X -Atq -d "$DB" -c 'SELECT 1' >/dev/null 2>&1; then
	createdb "$DB"
	created=yes
fi
cleanup() {
	if [ "$created" = yes ]; then dropdb --if-exists "$DB" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
psql -X -q -d "$DB" -c 'CREATE EXTENSION IF NOT EXISTS kpi'
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
psql -X -q -v ON_ERROR_STOP=1 -v customers="$CUSTOMERS" -v queries_out="$work/queries.tsv" \
	-d "$DB" -f "$BENCH_DIR/attribution.sql"

# One session: round 0 is the warm-up; each query is preceded and followed by
# a reading of the backend's utime + stime (clock ticks) and of the clock.
{
	echo "SET max_parallel_workers_per_gather = 0; SET jit = off; SET work_mem = '512MB';"
	echo "SELECT pg_backend_pid() AS pid \\gset"
	echo "\\setenv BENCH_PID :pid"
	for round in $(seq 0 "$ROUNDS"); do
		while IFS=$'\t' read -r kase query; do
			echo "\\! echo $kase $round \$(date +%s.%N) \$(awk '{print \$14 + \$15}' /proc/\$BENCH_PID/stat) >> $work/marks"
			echo "SELECT pg_catalog.count(*) FROM ($query) AS x;"
			echo "\\! echo $kase $round \$(date +%s.%N) \$(awk '{print \$14 + \$15}' /proc/\$BENCH_PID/stat) >> $work/marks"
		done <"$work/queries.tsv"
	done
} >"$work/timing.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" -f "$work/timing.sql" >/dev/null
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
hz=$(getconf CLK_TCK)

# marks: pairs of lines (case round seconds ticks); medians over rounds > 0.
awk -v hz="$hz" '
	{ key = $1 " " $2
	  if (!(key in t0)) { t0[key] = $3; c0[key] = $4; next }
	  if ($2 > 0) { wall[$1] = wall[$1] " " ($3 - t0[key]) * 1000; cpu[$1] = cpu[$1] " " ($4 - c0[key]) * 1000 / hz } }
	function median(s,   a, k, i, j, x) {
		k = split(s, a, " ")
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
	END { for (c in wall) printf "%s %.0f %.0f\n", c, median(wall[c]), median(cpu[c]) }' "$work/marks" | sort >"$work/medians"

echo
echo "case                  median wall ms   median CPU ms"
awk '{ printf "%-22s %15s %15s\n", $1, $2, $3 }' "$work/medians"
# plain / kpi per model, for kpi.attribute per customer and for
# kpi.attribute_totals; and the floors: how fast could any aggregate grouped
# by customer be (plain / floor_group_by_customer), and the scan alone.
ratios=$(awk '{ w[$1] = $2; c[$1] = $3 } END { for (m in w) if (m ~ /^plain_/) { k = m; sub(/^plain_/, "", k);
	printf "%s %.2f %.2f %.2f %.2f %.2f\n", k, w[m] / w["kpi_" k], c[m] / c["kpi_" k], w[m] / w["totals_" k], c[m] / c["totals_" k],
		c[m] / c["floor_group_by_customer"] } }' "$work/medians" | sort)
echo
echo "model              plain/kpi.attribute wall, CPU   plain/kpi.attribute_totals wall, CPU   plain/floor_group_by_customer CPU   (target >= 3)"
echo "$ratios" | awk '{ printf "%-18s %15s %8s %22s %8s %20s\n", $1, $2, $3, $4, $5, $6 }'

[ "$CUSTOMERS" = 1000000 ] || exit 0
commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then tree="commit $commit"; else tree="commit $commit with uncommitted changes in src/"; fi
server=$(psql -X -Atc "SELECT version()" -d "$DB")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)
# Each run is appended: the file keeps the history.
{
	echo
	echo "## Run of $(date -u '+%Y-%m-%d %H:%M') UTC"
	echo
	echo "Measured with \`bash bench/attribution.sh\` ($ROUNDS rounds per case after one warm-up, alternating; medians)"
	echo "on $tree, $(nproc) CPUs ($cpu), $server;"
	echo "max_parallel_workers_per_gather = 0, jit = off, work_mem = 512MB; transparent huge pages: $thp;"
	echo "load average $load_before before, $load_after after."
	echo
	echo "1,000,000 customers, 10,000,000 rows (9 touches and 1 conversion per customer, over 180 days,"
	echo "90-day lookback). Each side computes the credit per channel over all conversions; the answers"
	echo "were compared first (same channels, credits within 1e-6; kpi.attribute and"
	echo "kpi.attribute_totals exactly equal). CPU is the backend's user + system time."
	echo
	echo "| case | median wall ms | median CPU ms |"
	echo "|---|---:|---:|"
	awk '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$work/medians"
	echo
	echo "| model | plain / kpi.attribute, wall | CPU | plain / kpi.attribute_totals, wall | CPU (target ≥ 3) | plain / floor_group_by_customer, CPU |"
	echo "|---|---:|---:|---:|---:|---:|"
	echo "$ratios" | awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
} >>"$BENCH_DIR/attribution_results.md"
echo
echo "appended to bench/attribution_results.md"
