#!/usr/bin/env bash
# Memory of kpi's aggregates and windows at 1x and 10x the data: a GROUP BY
# with many groups must spill (hash aggregation stays within work_mem), and a
# sliding window must keep a constant state, so the backend's memory stays
# flat when the data grows tenfold.
#
#   bash test/memory.sh [ROWS_1X]        (default 1000000)
#
# Against the server of the libpq environment, which must run on this
# machine (the script reads /proc/<backend pid>/status), as root or as the
# server's OS user; kpi installed.  Not part of the suites: at the default
# size it writes about 1 GB and takes minutes.  doc/testing.md records a run.
#
# For each scale (ROWS_1X and 10 x ROWS_1X rows, one group per 10 rows, so
# 100,000 and 1,000,000 groups by default) and each query below, a fresh
# backend runs the query under EXPLAIN ANALYZE with work_mem = 4MB and no
# parallel workers, while this script samples the backend's
# /proc/<pid>/status every 50 ms:
#   peak anon   the largest RssAnon seen: the backend's private memory
#               (palloc'd states, hash tables, sort memory);
#   VmHWM       the kernel's peak resident size, which also counts the
#               shared buffers the backend touched (up to shared_buffers);
#   batches, disk   of the hash aggregate (EXPLAIN): more than one batch and
#               some disk means it spilled instead of growing.
# Fails when a query's peak anon at 10x exceeds twice its 1x value plus 8 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
db=${KPI_MEMORY_DB:-kpi_memory}
work=$(mktemp -d -t kpi-memory.XXXXXX)
trap 'rm -rf "$work"' EXIT

dropdb --if-exists "$db" 2>/dev/null
createdb "$db"
psql -X -q -d "$db" -c 'CREATE EXTENSION kpi'

# One table per scale: i the row number, g the group (10 rows each), x a
# numeric(12,2) and y a bigint, as a funnel table has them.
for scale in 1 10; do
	n=$((rows * scale))
	psql -X -q -d "$db" -v ON_ERROR_STOP=1 <<SQL
CREATE UNLOGGED TABLE data_$scale (i bigint, g integer, x numeric(12,2), y bigint);
INSERT INTO data_$scale
SELECT i, (i % ($n / 10))::integer, round((i % 997) * 1.37, 2), i % 13
FROM generate_series(1, $n) AS i;
VACUUM ANALYZE data_$scale;
SQL
done

declare -A queries=(
	[group_by]="SELECT g, kpi.ratio_agg(x, y), kpi.cac(x, y), kpi.romi(x, y) FROM data_SCALE GROUP BY g"
	[group_by_plain_sql]="SELECT g, sum(x), sum(y), sum(x) / nullif(sum(y), 0) FROM data_SCALE GROUP BY g"
	[window_rows_999]="SELECT max(v) FROM (SELECT kpi.cac(x, y) OVER (ORDER BY i ROWS 999 PRECEDING) AS v FROM data_SCALE) AS w"
	[window_per_group]="SELECT max(kpi.value(v)) FROM (SELECT kpi.ratio_agg(x, y) OVER (PARTITION BY g ORDER BY i ROWS 2 PRECEDING) AS v FROM data_SCALE) AS w"
)
order=(group_by group_by_plain_sql window_rows_999 window_per_group)

# Runs one query in a fresh backend and prints: peak_anon_kB vmhwm_kB
# batches disk_kB seconds.
measure() {
	local sql=$1 tag=$2
	local pidfile="$work/$tag.pid" done="$work/$tag.done" plan="$work/$tag.json"
	psql -X -q -At -d "$db" -v ON_ERROR_STOP=1 >"$plan" 2>"$work/$tag.err" <<SQL &
SET work_mem = '4MB';
SET max_parallel_workers_per_gather = 0;
SET enable_sort = off;  -- GROUP BY: hash aggregation, whatever the estimate
\o $pidfile
SELECT pg_backend_pid();
\o
EXPLAIN (ANALYZE, FORMAT JSON) $sql;
\! touch $done
SELECT pg_sleep(1.5);
SQL
	local psql_pid=$!
	while [ ! -s "$pidfile" ]; do sleep 0.05; done
	local pid peak=0 anon hwm=0
	pid=$(cat "$pidfile")
	while [ ! -e "$done" ] && kill -0 "$psql_pid" 2>/dev/null; do
		anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${anon:-0}" -gt "$peak" ] && peak=$anon
		sleep 0.05
	done
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
	anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
	[ "${anon:-0}" -gt "$peak" ] && peak=$anon
	wait "$psql_pid" || { cat "$work/$tag.err" >&2; return 1; }
	/usr/bin/python3 - "$plan" "$peak" "$hwm" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
plan = json.loads(text[text.index('['):])
batches, disk = [], 0
def walk(node):
    global disk
    if node.get("Node Type") == "Aggregate" and "HashAgg Batches" in node:
        batches.append(node["HashAgg Batches"])
        disk += node.get("Disk Usage", 0)
    for child in node.get("Plans", []):
        walk(child)
walk(plan[0]["Plan"])
print(sys.argv[2], sys.argv[3], max(batches) if batches else "-", disk if batches else "-",
      round(plan[0]["Execution Time"] / 1000, 1))
PY
}

printf '%-20s %6s %12s %12s %9s %10s %8s\n' query scale "peak anon" VmHWM batches "disk kB" seconds
declare -A peak1
failed=0
for q in "${order[@]}"; do
	for scale in 1 10; do
		read -r peak hwm batches disk secs < <(measure "${queries[$q]//SCALE/$scale}" "$q-$scale")
		printf '%-20s %5sx %9s kB %9s kB %9s %10s %8s\n' "$q" "$scale" "$peak" "$hwm" "$batches" "$disk" "$secs"
		if [ "$scale" = 1 ]; then
			peak1[$q]=$peak
		elif [ "$peak" -gt $((2 * ${peak1[$q]} + 8192)) ]; then
			echo "FAIL: $q: peak anon at 10x ($peak kB) is more than twice the 1x value (${peak1[$q]} kB) plus 8 MB"
			failed=1
		fi
	done
done
dropdb "$db"
[ "$failed" -eq 0 ] && echo "memory: flat over 10x the data (work_mem = 4MB, $rows and $((rows * 10)) rows)"
exit "$failed"
