#!/usr/bin/env bash
# bench/jit_inline_check.sh: does PostgreSQL's JIT inline a transition
# function?  For each query it runs with JIT, inlining and optimisation forced
# and jit_dump_bitcode on, disassembles the optimised module the server wrote
# into its data directory, and prints the functions the compiled expression
# still calls.  A transition that was inlined is not among them.
#
#   bash bench/jit_inline_check.sh      # the server the libpq environment names;
#                                       # superuser, on this machine (reads its data directory)
#
# Needs kpi and bench/floor installed (bench/jit.sh does both) and llvm-dis.
set -euo pipefail
DIS=${LLVM_DIS:-$(command -v llvm-dis-14 || command -v llvm-dis)}
datadir=$(psql -X -Atc "SHOW data_directory")
psql -X -q -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS kpi" -c "CREATE EXTENSION IF NOT EXISTS kpi_bench_floor"
psql -X -q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS jit_inline_check" \
	-c "CREATE TABLE jit_inline_check AS SELECT g::int4 AS a, (g % 7)::int4 AS b, g * 0.5::float8 AS f, g % 3 = 0 AS w FROM generate_series(1, 10000) g"
for q in "sum(a)" "sum(f)" "kpi_bench_floor(a, b)" "kpi.cac(a, b)" "kpi.cac(f, a)" "kpi.conversion_rate(w)"; do
	pid=$(psql -X -At -c "SET jit = on" -c "SET jit_above_cost = 0" -c "SET jit_inline_above_cost = 0" \
		-c "SET jit_optimize_above_cost = 0" -c "SET jit_dump_bitcode = on" \
		-c "SELECT $q FROM jit_inline_check" -c "SELECT pg_backend_pid()" | tail -1)
	calls=""
	for f in "$datadir/$pid".*.optimized.bc; do
		calls="$calls $("$DIS" "$f" -o - | grep -oE 'call [^@]*@("[^"]+"|[A-Za-z_0-9.]+)' | sed 's/.*@//; s/"//g' \
			| { grep -vE '^llvm\.' || true; } | sort -u | tr '\n' ' ')"
	done
	rm -f "$datadir/$pid".*.bc
	calls=$(echo $calls)
	printf '%-26s calls: %s\n' "$q" "${calls:-none (the transition was inlined)}"
done
psql -X -q -c "DROP TABLE jit_inline_check"
