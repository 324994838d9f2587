#!/usr/bin/env bash
# A read from a summary runs one plan kept for the session (kpi.read_source,
# src/run_as_owner.c), and that plan is never JIT-compiled: its costs are
# estimated without the bounds, and JIT decided on that guess compiled about
# 70 functions (some 100 ms) on every execution of a read that takes a few
# milliseconds.  Checked with auto_explain, whose plans go to the client as
# notices: with jit_above_cost = 0 a plain query over the source is
# JIT-compiled (so JIT is available and would be used), the summary reads are
# not; and the summary read's plan source exists once after several reads
# (pg_backend_memory_contexts), so it was kept and reused.
#
# Runs against the server the libpq environment points at, with kpi
# installed; the user must be able to create databases and LOAD auto_explain.
set -euo pipefail
cd "$(dirname "$0")/.."

db=kpi_summary_read_plan
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION kpi;
CREATE TABLE events (at timestamptz NOT NULL, spend numeric(12,2), customers integer);
INSERT INTO events
SELECT '2026-01-01'::timestamptz + i * interval '41 minutes', (i % 89) * 1.75, 1 + i % 4
FROM generate_series(1, 4000) AS i;
SET client_min_messages = error;
INSERT INTO kpi.definitions (name, metric, source, time_column, numerator_column, denominator_column)
VALUES ('plan_cac', 'cac', 'events', 'at', 'spend', 'customers');
SELECT kpi.create_summary('events', 'at', '1 day') \gset
SQL

out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'SQL'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET jit = on;
SET jit_above_cost = 0;
SELECT sum(spend) AS control_query FROM events;
SELECT kpi.measure('plan_cac', '2026-01-05', '2026-01-12');
SELECT kpi.measure('plan_cac', '2026-01-05 12:00', '2026-01-19');
SELECT kpi.measure('plan_cac', '2026-02-01', '2026-02-08');
RESET auto_explain.log_min_duration;
SELECT 'kept plan sources: ' || count(*) FROM pg_backend_memory_contexts
WHERE name = 'CachedPlanSource' AND ltrim(ident, E' \n\t') LIKE '/* kpi summary read */%';
SQL
)
# One block per plan: auto_explain's notices begin with "NOTICE:  duration:".
blocks=$(mktemp -d)
trap 'rm -rf "$blocks"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
printf '%s\n' "$out" | awk -v dir="$blocks" '/^NOTICE:  duration:/ { n++ } n { print > (dir "/" n) }'

# plans NAME PATTERN: how many plans show PATTERN; with JIT, how many of those were JIT-compiled.
plans() {
	local n=0 jit=0 block
	for block in "$blocks"/*; do
		grep -q -- "$1" "$block" || continue
		n=$((n + 1))
		if grep -q '^ *JIT:' "$block"; then jit=$((jit + 1)); fi
	done
	echo "$n $jit"
}
read -r controls control_jit <<<"$(plans 'control_query')"
read -r reads reads_jit <<<"$(plans 'kpi summary read')"
kept=$(printf '%s\n' "$out" | sed -n 's/^ *kept plan sources: //p')
echo "control query JIT-compiled: $control_jit; summary reads: $reads, JIT-compiled: $reads_jit; kept plan sources: $kept"

status=0
[ "$controls" -eq 1 ] && [ "$control_jit" -eq 1 ] || { echo "FAIL: the control query was not JIT-compiled, so this test cannot tell"; status=1; }
[ "$reads" -eq 3 ] || { echo "FAIL: expected 3 summary reads, saw $reads"; status=1; }
[ "$reads_jit" -eq 0 ] || { echo "FAIL: $reads_jit summary reads were JIT-compiled"; status=1; }
[ "$kept" = 1 ] || { echo "FAIL: expected one kept plan source for the summary read, saw '$kept'"; status=1; }
[ "$status" -eq 0 ] || printf '%s\n' "$out" | head -n 80
exit "$status"
