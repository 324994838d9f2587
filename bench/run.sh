#!/usr/bin/env bash
# bench/run.sh: the performance benchmark of issue #2.
#
#   bench/run.sh                       # as root on Debian bookworm with postgresql-15
#   BENCH_ROUNDS=15 bench/run.sh       # timed rounds per side (default 9)
#   BENCH_CASES=7,8 bench/run.sh       # only some cases (results.md is then not written)
#   bench/run.sh --here                # the server the libpq environment names (PGHOST, PGPORT,
#                                      # PGDATABASE), configured by you; builds and installs with
#                                      # the pg_config on PATH
#
# Builds and installs the extension, starts a throw-away PostgreSQL 15 cluster
# with pg_virtualenv, generates the data (bench/setup.sql), times every case
# against its plain-SQL reference in one session (bench/bench.sql), prints
# the markdown table and writes it to bench/results.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
ROUNDS=${BENCH_ROUNDS:-9}
CASES=${BENCH_CASES:-}

if [ "${1:-}" = "--here" ]; then
	(cd "$REPO" && make -s && make -s install)
elif [ "${1:-}" != "--inner" ]; then
	cd "$REPO"
	make -s && make -s install
	PGPORT=$(bash test/free_port.sh "${BENCH_PORT:-55432}")
	export PGPORT
	# -t keeps the cluster in a temporary directory, so it never collides
	# with another cluster on this machine.
	exec pg_virtualenv -t -v 15 \
		-o shared_buffers=4GB \
		-o work_mem=512MB \
		-o maintenance_work_mem=1GB \
		-o jit=off \
		-o max_parallel_workers_per_gather=0 \
		-o max_worker_processes=8 \
		-o max_parallel_workers=8 \
		-o autovacuum=off \
		-o wal_level=minimal \
		-o max_wal_senders=0 \
		-o max_wal_size=20GB \
		-o checkpoint_timeout=1h \
		-o synchronous_commit=off \
		"$BENCH_DIR/run.sh" --inner
fi

# ---- inside pg_virtualenv: PGHOST, PGPORT, PGUSER, PGPASSWORD are set ----
started=$(date +%s)
installed_so="$(psql -X -Atc "SELECT setting FROM pg_config WHERE name = 'PKGLIBDIR'")/kpi.so"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

echo "== generating data (10M + 1M rows)"
"${PSQL[@]}" -f "$BENCH_DIR/setup.sql"
loaded=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)	# includes the data generation

echo "== timing: $ROUNDS rounds per side after one warm-up each, alternating"
table=$(mktemp)
"${PSQL[@]}" -v rounds="$ROUNDS" -v cases="$CASES" -v out="$table" -f "$BENCH_DIR/bench.sql"
finished=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

if ! cmp -s "$REPO/kpi.so" "$installed_so"; then
	echo "WARNING: $installed_so changed during the run (another make install?); rerun." >&2
	so_note="**WARNING: the installed kpi.so changed during the run; the numbers are suspect.**"
else
	so_note="The installed kpi.so matched the build before and after the run."
fi

commit=$(git -C "$REPO" rev-parse --short HEAD)
if git -C "$REPO" diff --quiet HEAD -- src Makefile; then
	tree="commit $commit"
else
	tree="commit $commit with uncommitted changes in src/"
fi
server=$("${PSQL[@]}" -Atc "SELECT version()")
settings=$("${PSQL[@]}" -Atc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
	FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather',
	'parallel_leader_participation', 'max_parallel_workers')")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')

results=$(mktemp)
{
	echo "# kpi benchmark results"
	echo
	echo "Produced by \`bench/run.sh\` on $(date -u +'%Y-%m-%d %H:%M UTC'), $tree."
	echo
	echo "- Machine: $(nproc) CPUs ($cpu), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, shared with other jobs."
	echo "- Server: $server"
	echo "- Settings: $settings."
	echo "- Data: \`t10m\`, 10M rows, $(psql -X -Atc "SELECT pg_size_pretty(pg_table_size('t10m'))"), cached in shared_buffers; \`t1m\`, its first 1M rows, for the window cases."
	echo "- Method: server-side time of \`EXECUTE ... INTO\` in a PL/pgSQL driver, one session;"
	echo "  one warm-up per side, then $ROUNDS timed runs per side in ABBA order. Ratio = median of the per-round ratios kpi/reference"
	echo "  (for the parallel case: median of serial/parallel); PASS/FAIL uses it. The last column, min(A)/min(B), is the figure"
	echo "  least disturbed by other jobs. Serial cases run with max_parallel_workers_per_gather=0."
	echo "- Data generation took $((loaded - started)) s, the timing $((finished - loaded)) s. Machine load average (1, 5, 15 min): $load_before before the timing (after data generation), $load_after after."
	echo "- $so_note"
	echo
	cat "$table"
} > "$results"

cat "$results"
if [ -z "$CASES" ]; then
	cp "$results" "$BENCH_DIR/results.md"
	echo
	echo "(written to bench/results.md)"
fi
rm -f "$table" "$results"
