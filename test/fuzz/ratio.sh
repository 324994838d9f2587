#!/usr/bin/env bash
# Fuzzes kpi's numeric decoder (every varlena form) and kpi.ratio's text and
# binary input with libFuzzer for N seconds (default 20):
#
#   bash test/fuzz/ratio.sh [seconds] [extra libFuzzer options...]
#
# Needs clang and libclang-rt (apt: clang, libclang-rt-14-dev) and the
# PostgreSQL server headers and libpgcommon (postgresql-server-dev-15).
# Builds the unchanged sources src/decimal_sum.c, src/float_sum.c,
# src/ratio.c and src/ratio_io.c with test/fuzz/backend_stubs.c and the
# target test/fuzz/ratio_fuzz.c, with AddressSanitizer and UBSan, into a
# temporary directory; starts from the seed corpus test/fuzz/corpus-ratio
# (read, never written) and fails on any crash, sanitizer report, failed
# check or input slower than 5 s.  Findings are left in the temporary
# directory, whose path is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
PG_CONFIG=${PG_CONFIG:-pg_config}
work=$(mktemp -d -t ratio-fuzz.XXXXXX)
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-sanitize=function -Wno-unused-command-line-argument -Wno-ignored-attributes \
	-I"$($PG_CONFIG --includedir-server)" -Isrc -Itest/fuzz \
	src/decimal_sum.c src/float_sum.c src/ratio.c src/ratio_io.c \
	test/fuzz/backend_stubs.c test/fuzz/ratio_fuzz.c \
	"$($PG_CONFIG --pkglibdir)/libpgcommon.a" "$($PG_CONFIG --pkglibdir)/libpgport.a" -lm \
	-o "$work/ratio_fuzz"
mkdir "$work/corpus"
cp test/fuzz/corpus-ratio/* "$work/corpus/"
cd "$work"
if ./ratio_fuzz -max_total_time="$seconds" -max_len=400 -timeout=5 -rss_limit_mb=1024 \
	-dict="$OLDPWD/test/fuzz/ratio.dict" -print_final_stats=1 "$@" corpus >fuzz.log 2>&1; then
	grep -E '^stat::number_of_executed_units|^Done' fuzz.log || true
	echo "ratio and numeric decoder: no findings in ${seconds}s (work directory $work)"
	rm -rf "$work"
else
	tail -n 40 fuzz.log
	echo "ratio and numeric decoder: FINDINGS, see $work (crash-*, timeout-*, fuzz.log)"
	exit 1
fi
