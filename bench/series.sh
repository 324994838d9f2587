#!/usr/bin/env bash
# bench/series.sh: a weekly kpi.series over a year against one kpi.measure
# over the same year (issue #9; target: series ≤ 1.5× measure).
#
#   bash bench/series.sh                  # as root on Debian bookworm with postgresql-15
#   BENCH_ROUNDS=11 bash bench/series.sh  # more timed rounds per case (default 7)
#   bash bench/series.sh --here           # on the server of the libpq environment
#                                         # (PGHOST, PGPORT, ...), kpi already installed there,
#                                         # in a scratch database kpi_bench_series
#
# Without --here: builds and installs the extension, starts a throw-away
# PostgreSQL 15 cluster with pg_virtualenv (settings as bench/scorecard.sh),
# and runs bench/series.sql there.  The SQL loads 10M rows with an index on
# the time column, checks the series and the measure against plain SQL, and
# times both against their plain-SQL equivalents, alternating, medians.
# Prints the results and writes them to bench/series_results.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${BENCH_ROUNDS:-7}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

mode=${1:-}
if [ -z "$mode" ]; then
	cd "$REPO"
	make -s PG_CONFIG="$PG_CONFIG"
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	PGPORT=$(bash test/free_port.sh "${BENCH_PORT:-55533}")
	export PGPORT
	exec pg_virtualenv -t -v 15 \
		-o shared_buffers=2GB \
		-o jit=off \
		-o max_parallel_workers_per_gather=0 \
		-o autovacuum=off \
		-o wal_level=minimal \
		-o max_wal_senders=0 \
		-o max_wal_size=10GB \
		"$BENCH_DIR/series.sh" --inner
fi

db_args=()
if [ "$mode" = "--here" ]; then
	psql -X -q -c 'DROP DATABASE IF EXISTS kpi_bench_series' -c 'CREATE DATABASE kpi_bench_series'
	db_args=(-d kpi_bench_series)
fi

started=$(date +%s)
output=$(mktemp)
psql -X -q -v ON_ERROR_STOP=1 -v rounds="$ROUNDS" "${db_args[@]}" -f "$BENCH_DIR/series.sql" | tee "$output"
finished=$(date +%s)

commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then
	tree="commit $commit"
else
	tree="commit $commit with uncommitted changes in src/"
fi
server=$(psql -X -Atc "SELECT version()" "${db_args[@]}")
settings=$(psql -X -Atc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem')" "${db_args[@]}")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
load=$(cut -d' ' -f1-3 /proc/loadavg)
ratio=$(sed -n 's/^series \/ measure = \([0-9.]*\).*/\1/p' "$output")
plain=$(sed -n 's/.*plain_weeks \/ plain_year = \([0-9.]*\).*/\1/p' "$output")
measure_plain=$(sed -n 's/.*measure \/ plain_year = \([0-9.]*\).*/\1/p' "$output")
series_plain=$(sed -n 's/.*series \/ plain_weeks = \([0-9.]*\).*/\1/p' "$output")
checks=$(awk '/^ *weeks \| equal_to_plain_sql/ { getline; getline; split($0, f, "|"); gsub(/ /, "", f[1]); gsub(/ /, "", f[2]);
	printf "%s of %s weekly values equal to plain SQL; ", f[2], f[1] }
	/^ *measure_equal_to_plain_sql/ { getline; getline; gsub(/ /, ""); printf "the year'"'"'s measure equal to plain SQL: %s", $0 }' "$output")
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "PASS" : "FAIL" }')

{
	echo "# Series cost"
	echo
	echo "Measured with \`bash bench/series.sh $mode\` ($ROUNDS rounds per case after one warm-up, alternating; median)"
	echo "on $(date -u +%Y-%m-%d), $tree, $(nproc) CPUs ($cpu), load average $load at the end,"
	echo "$server; $settings, jit=off, max_parallel_workers_per_gather=0."
	echo
	echo "Source: the scorecard benchmark's 10M rows of funnel facts over two years, loaded in time order"
	echo "(about 96,000 rows a week), with a btree index on the time column. One KPI, CAC (spend / customers)."
	echo "The year is [2024-03-04, 2025-03-03), 52 weeks, about 5M rows."
	echo
	echo "| case | what it runs | median ms | min ms | max ms |"
	echo "|---|---|---:|---:|---:|"
	awk -F'|' '/^ *(measure|series|plain_year|plain_weeks) *\|/ {
		gsub(/ /, "", $1); gsub(/ /, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4)
		what = ($1 == "measure") ? "one `kpi.measure()` over the year" : \
			   ($1 == "series") ? "`kpi.series()` over the year, 52 weekly buckets" : \
			   ($1 == "plain_year") ? "plain SQL: `sum(spend) / sum(customers)` over the year" : \
			   "plain SQL: the same `GROUP BY` the week"
		printf "| %s | %s | %s | %s | %s |\n", $1, what, $2, $3, $4 }' "$output"
	echo
	echo "**The series takes $ratio× the time of one \`kpi.measure()\` over the same year: $verdict** (the target: at most 1.5×;"
	echo "median of the per-round ratios)."
	echo
	echo "- Both run the same kind of query (kpi.read_source): one scan of the year, \`GROUP BY\` the bucket a"
	echo "  row falls in (\`width_bucket\` over the bucket bounds), one bucket for the measure, 52 for the series."
	echo "  So the series adds only the extra groups, not a scan per bucket."
	echo "- For comparison, plain SQL pays $plain× for grouping the same rows by week."
	echo "  \`kpi.measure()\` / plain SQL over the year = $measure_plain (the bucket expression on every row, the"
	echo "  kpi aggregate's exact sums, the checks); \`kpi.series()\` / plain SQL by week = $series_plain."
	echo "- Checks (bench/series.sql): $checks"
	echo
	echo "Whole run: $((finished - started)) s, most of it generating the data."
} > "$BENCH_DIR/series_results.md"
echo
echo "== written to bench/series_results.md"
