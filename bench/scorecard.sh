#!/usr/bin/env bash
# bench/scorecard.sh: the cost of the weekly scorecard (issue #4).
#
#   bash bench/scorecard.sh                   # as root on Debian bookworm with postgresql-15
#   BENCH_ROUNDS=11 bash bench/scorecard.sh   # more timed rounds per case (default 7)
#
# Builds and installs the extension, starts a throw-away PostgreSQL 15
# cluster with pg_virtualenv, loads a 10M-row source with an index on its
# time column and 20 KPIs on it, and times SELECT * FROM kpi.scorecard
# against a single kpi.measure() over one review period (bench/scorecard.sql).
# The requirement: the scorecard answers in under 10× the single measure.
# Prints the results and writes them to bench/scorecard_results.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${BENCH_ROUNDS:-7}
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

if [ "${1:-}" != "--inner" ]; then
	cd "$REPO"
	make -s PG_CONFIG="$PG_CONFIG"
	make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
	PGPORT=$(bash test/free_port.sh "${BENCH_PORT:-55532}")
	export PGPORT
	# Settings as bench/run.sh: shared_buffers large enough to hold the
	# source, so that the timings measure kpi and not the disk; no JIT and
	# no parallel workers, so that they measure the work, not how many idle
	# CPUs the machine has at that moment.
	exec pg_virtualenv -t -v 15 \
		-o shared_buffers=2GB \
		-o jit=off \
		-o max_parallel_workers_per_gather=0 \
		-o autovacuum=off \
		-o wal_level=minimal \
		-o max_wal_senders=0 \
		-o max_wal_size=10GB \
		"$BENCH_DIR/scorecard.sh" --inner
fi

# ---- inside pg_virtualenv: PGHOST, PGPORT, PGUSER, PGPASSWORD are set ----
started=$(date +%s)
output=$(mktemp)
psql -X -q -v ON_ERROR_STOP=1 -v rounds="$ROUNDS" -f "$BENCH_DIR/scorecard.sql" | tee "$output"
finished=$(date +%s)

commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then
	tree="commit $commit"
else
	tree="commit $commit with uncommitted changes in src/"
fi
server=$(psql -X -Atc "SELECT version()")
settings=$(psql -X -Atc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather')")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ratio=$(sed -n 's/^scorecard \/ measure = \([0-9.]*\).*/\1/p' "$output")
naive=$(sed -n 's/.*naive \/ measure = \([0-9.]*\).*/\1/p' "$output")

{
	echo "# Scorecard cost"
	echo
	echo "Measured with \`bash bench/scorecard.sh\` ($ROUNDS rounds per case after one warm-up, alternating; median)"
	echo "on $(date -u +%Y-%m-%d), $tree, $(nproc) CPUs ($cpu), $server; $settings."
	echo
	echo "Source: 10M rows of funnel facts over two years, loaded in time order (about 96,000 rows a week),"
	echo "with a btree index on the time column. 20 KPIs on it (CAC, conversion rates, ROMI, ROAS, overall"
	echo "and per channel, sums and an average; 7 different filter sets), reviewed weekly."
	echo
	echo "| case | what it runs | median ms | min ms | max ms |"
	echo "|---|---|---:|---:|---:|"
	awk -F'|' '/^ *(measure|scorecard|naive) *\|/ {
		gsub(/ /, "", $1); gsub(/ /, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4)
		what = ($1 == "measure") ? "one `kpi.measure()` over one week" : \
			   ($1 == "scorecard") ? "`SELECT * FROM kpi.scorecard`: 20 KPIs, this week and the week before" : \
			   "the same 40 numbers as 40 `kpi.measure()` calls"
		printf "| %s | %s | %s | %s | %s |\n", $1, what, $2, $3, $4 }' "$output"
	echo
	echo "**The scorecard takes $ratio× the time of one \`kpi.measure()\`** (the requirement: under 10×)."
	echo "Computing the same numbers one \`kpi.measure()\` at a time takes $naive×: the scorecard measures all"
	echo "KPIs of a source in one index range scan per review period, each KPI's filters in a FILTER clause."
	echo "Most of its time is those two range scans, each evaluating the aggregates of all 20 KPIs on every row"
	echo "of its week; the rest is checking each definition and the caller's privileges and building the query."
	echo
	echo "Whole run: $((finished - started)) s, most of it generating the data."
} > "$BENCH_DIR/scorecard_results.md"
echo
echo "== written to bench/scorecard_results.md"
