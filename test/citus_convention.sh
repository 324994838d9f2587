#!/usr/bin/env bash
# The Citus calling convention, without Citus: every kpi aggregate is run the
# way Citus splits it (partial states built per "worker" by the transition
# function through a bare fmgr_info, shipped as text, read back and combined
# in another order, then finalised; see test/citus_convention/
# kpi_citus_convention.c) and compared with the plain aggregate.
#
# Builds and installs the test-only module kpi_citus_convention into the
# PostgreSQL that PG_CONFIG names (it is never installed with kpi), and runs
# against the server the libpq environment points at, which must have kpi
# installed.  The user must be able to create databases.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-pg_config}
db=kpi_citus_convention
work=$(mktemp -d)
cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

make -s -C test/citus_convention PG_CONFIG="$PG_CONFIG" >/dev/null
make -s -C test/citus_convention PG_CONFIG="$PG_CONFIG" install >/dev/null

dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql_q -d "$db" -c 'CREATE EXTENSION kpi'
psql_q -d "$db" -f test/citus_convention/setup.sql

# The harness must be able to fail: the kpi 0.1.0 transition of ratio_agg,
# which read its argument types from fn_expr, works as a plain aggregate and
# must fail under the Citus convention exactly as it did on real Citus.
psql_q -d "$db" >"$work/legacy.out" 2>&1 <<'SQL' || true
CREATE FUNCTION kpi_citus_convention.legacy_summary_accum(kpi.ratio, numeric, integer)
	RETURNS kpi.ratio AS '$libdir/kpi', 'kpi_ratio_summary_accum' LANGUAGE C;
CREATE AGGREGATE kpi_citus_convention.legacy_ratio_agg(numeric, integer) (
	SFUNC = kpi_citus_convention.legacy_summary_accum, STYPE = kpi.ratio,
	COMBINEFUNC = kpi.ratio_combine);
SELECT 'plain ' || kpi_citus_convention.legacy_ratio_agg(x, 2)::text FROM (VALUES (1.5)) AS v(x);
SELECT kpi_citus_convention.coord_combine_agg(
	'kpi_citus_convention.legacy_ratio_agg(numeric, integer)'::regprocedure, state, NULL::kpi.ratio)
FROM (SELECT kpi_citus_convention.worker_partial_agg(
	'kpi_citus_convention.legacy_ratio_agg(numeric, integer)'::regprocedure, x, 2) AS state
	  FROM (VALUES (1.5)) AS v(x)) AS w;
SQL
if ! grep -q 'plain (n=1' "$work/legacy.out" ||
	! grep -q 'unsupported argument type 0' "$work/legacy.out"; then
	echo "the harness did not reproduce the fn_expr failure of kpi 0.1.0:"
	cat "$work/legacy.out"
	exit 1
fi

psql_q -d "$db" -f test/citus_convention/check.sql >"$work/check.out"
cat "$work/check.out"
# the failure list is empty and at least the 0.1.0 aggregates were checked
if grep -q 'FAIL' "$work/check.out"; then
	echo "Citus convention: FAILED"
	exit 1
fi
aggregates=$(sed -n 's/^ *summary: \([0-9]*\) aggregates.*/\1/p' "$work/check.out")
[ "${aggregates:-0}" -ge 82 ] || { echo "only ${aggregates:-0} kpi aggregates checked"; exit 1; }
echo "Citus convention: every split kpi aggregate equals the plain aggregate"
