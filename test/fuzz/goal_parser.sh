#!/usr/bin/env bash
# Fuzzes the goal statement parser (src/goal_parser.c) with libFuzzer for N
# seconds (default 20):
#
#   bash test/fuzz/goal_parser.sh [seconds]
#
# Needs clang and libclang-rt (apt: clang, libclang-rt-14-dev).  Builds
# test/fuzz/goal_parser_fuzz.c with AddressSanitizer and UBSan into a
# temporary directory, starts from the seed corpus test/fuzz/corpus-goal
# (read, never written) and the dictionary test/fuzz/goal_parser.dict, and
# fails on any crash, sanitizer report, failed check or input slower than
# 5 s.  Findings are left in the temporary directory, whose path is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
work=$(mktemp -d -t goal-fuzz.XXXXXX)
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Isrc src/goal_parser.c test/fuzz/goal_parser_fuzz.c -o "$work/goal_parser_fuzz"
mkdir "$work/corpus"
# Seeds are plain statements; the target reads a 2-byte reference day first.
for seed in test/fuzz/corpus-goal/*; do
	{ printf '\x1c\x27'; cat "$seed"; } >"$work/corpus/$(basename "$seed")"
done
cd "$work"
if ./goal_parser_fuzz -max_total_time="$seconds" -max_len=12000 -timeout=5 -rss_limit_mb=1024 \
	-dict="$OLDPWD/test/fuzz/goal_parser.dict" -print_final_stats=1 corpus >fuzz.log 2>&1; then
	grep -E '^stat::number_of_executed_units|^Done' fuzz.log || true
	echo "goal parser: no findings in ${seconds}s (work directory $work)"
	rm -rf "$work"
else
	tail -n 40 fuzz.log
	echo "goal parser: FINDINGS, see $work (crash-*, timeout-*, fuzz.log)"
	exit 1
fi
