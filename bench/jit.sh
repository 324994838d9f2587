#!/usr/bin/env bash
# bench/jit.sh: the benchmark of issue 10 -- every scan aggregate against its
# plain-SQL equivalent and against the floor (bench/floor/, a two-argument C
# aggregate that does nothing), with JIT off, at PostgreSQL's default JIT
# settings, and with inlining and optimisation forced; the window and
# parallel cases with JIT off.
#
#   bash bench/jit.sh                 # throw-away cluster (pg_virtualenv), as root with postgresql-15
#   bash bench/jit.sh --here          # the server the libpq environment names (PGHOST, PGPORT, ...)
#   BENCH_ROWS=5000000                # rows of tj (default 5M)
#   BENCH_ROUNDS=5                    # timed rounds per side after one warm-up (default 5)
#   BENCH_MODES=off,default,forced    # JIT settings to run (default all three)
#   BENCH_CASES=2,11                  # some cases only (the results file is then not written)
#   BENCH_NO_BUILD=1                  # do not build and install kpi and the floor first
#   BENCH_RESULTS=/tmp/r.md           # where to write the results (default bench/jit_results.md)
#   BENCH_DB=kpi_bench_jit            # database (--here only; created if missing, kept for reruns)
#
# The floor extension and kpi are installed with the pg_config on PATH (or
# $PG_CONFIG); the server must be one whose pkglibdir that is.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROWS=${BENCH_ROWS:-5000000}
ROUNDS=${BENCH_ROUNDS:-5}
MODES=${BENCH_MODES:-off,default,forced}
CASES=${BENCH_CASES:-}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/jit_results.md}
mode=${1:-}

if [ "$mode" != "--inner" ] && [ -z "${BENCH_NO_BUILD:-}" ]; then
	(cd "$REPO" && make -s && make -s install && make -s -C bench/floor install)
fi
if [ -z "$mode" ]; then
	PGPORT=$(bash "$REPO/test/free_port.sh" "${BENCH_PORT:-55432}")
	export PGPORT
	exec pg_virtualenv -t -v 15 \
		-o shared_buffers=2GB -o work_mem=256MB -o max_parallel_workers_per_gather=0 \
		-o max_worker_processes=8 -o max_parallel_workers=8 -o autovacuum=off \
		-o wal_level=minimal -o max_wal_senders=0 -o max_wal_size=20GB \
		-o synchronous_commit=off "$BENCH_DIR/jit.sh" --inner
fi
if [ "$mode" = "--here" ]; then
	export PGDATABASE=${BENCH_DB:-kpi_bench_jit}
	psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$PGDATABASE'" | grep -q 1 || createdb "$PGDATABASE"
fi

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
installed_so="$("${PSQL[@]}" -Atc "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'")/kpi.so"
have=$("${PSQL[@]}" -Atc "SELECT coalesce((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('tj')), 0)")
if [ "$have" != "$ROWS" ] || [ -n "${BENCH_REGENERATE:-}" ]; then
	echo "== generating data ($ROWS rows + 1M for the windows)"
	"${PSQL[@]}" -v rows="$ROWS" -f "$BENCH_DIR/jit_setup.sql"
else
	echo "== reusing tj ($ROWS rows) and tw; prewarming"
	"${PSQL[@]}" -Atc "SELECT pg_prewarm('tj'), pg_prewarm('tw')" >/dev/null
fi
"${PSQL[@]}" -c "ALTER EXTENSION kpi UPDATE" 2>/dev/null || true
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
table=$(mktemp)
"${PSQL[@]}" -v rounds="$ROUNDS" -v modes="$MODES" -v cases="$CASES" -v out="$table" -f "$BENCH_DIR/jit.sql"
finished=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if cmp -s "$REPO/kpi.so" "$installed_so"; then so_note="The installed kpi.so matched the build after the run."
else so_note="**WARNING: the installed kpi.so differs from the build in $REPO; the numbers may be of another build.**"; fi
commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then tree="commit $commit"; else tree="commit $commit with uncommitted changes in src/"; fi
out=$(mktemp)
{
	echo "# kpi JIT and floor benchmark (issue 10)"
	echo
	echo "Produced by \`bash bench/jit.sh${mode:+ $mode}\` (BENCH_ROWS=$ROWS BENCH_ROUNDS=$ROUNDS BENCH_MODES=$MODES) on $(date -u +'%Y-%m-%d %H:%M UTC'), $tree."
	echo
	echo "- Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), shared with other jobs. Load average (1, 5, 15 min): $load_before before the timing, $load_after after; the timing took $((finished - started)) s."
	echo "- Server: $("${PSQL[@]}" -Atc 'SELECT version()')"
	echo "- Settings: $("${PSQL[@]}" -Atc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers', 'jit_provider')")."
	echo "- JIT modes: off = \`jit = off\`; default = \`jit = on\` with PostgreSQL's default costs (jit_above_cost 100000, jit_inline_above_cost and jit_optimize_above_cost 500000); forced = \`jit = on\`, \`jit_above_cost = jit_inline_above_cost = jit_optimize_above_cost = 0\`. The last column shows what JIT did (EXPLAIN ANALYZE: inlining, optimisation, JIT time)."
	echo "- Data: \`tj\`, $ROWS rows, $("${PSQL[@]}" -Atc "SELECT pg_size_pretty(pg_table_size('tj'))"), in shared_buffers; \`tw\`, 1M rows, for the windows (bench/jit_setup.sql)."
	echo "- Method: server-side time of \`EXECUTE ... INTO\` in a PL/pgSQL driver, one session, serial unless stated; one warm-up per side, then $ROUNDS rounds, the sides of each round in one of the six orders in turn. Ratios are medians of the per-round ratios; the timing includes planning and JIT compilation."
	echo "- Targets: A/B ≤ 0.9× with JIT off, ≤ 1.0× with JIT default and forced; A/F ≤ 1.1×; windows ≤ 0.75× the numeric built-in; parallel speed-up ≥ 1.7×."
	echo "- $so_note"
	echo
	cat "$table"
} >"$out"
cat "$out"
if [ -z "$CASES" ]; then cp "$out" "$RESULTS"; echo; echo "(written to $RESULTS)"; fi
rm -f "$table" "$out"
