#!/usr/bin/env bash
# The upgrade path: a database that ran kpi 0.1.0 (with kpi.ratio columns,
# summary tables, definitions, reviews, target history and verdicts) is
# updated with ALTER EXTENSION kpi UPDATE.  Then
#   1. every object of the extension equals a fresh install of the current
#      version: both are detached from the extension in scratch copies and
#      compared as pg_dump --schema-only of schema kpi, plus the list of
#      catalog tables that pg_dump keeps;
#   2. every stored value reads the same as before the update.
# Run by test/suites.sh, or by hand against any server the libpq environment
# points at (the user must be able to create databases and extensions).
set -euo pipefail
cd "$(dirname "$0")/.."

upgraded=kpi_upgrade_old
fresh=kpi_upgrade_new
work=$(mktemp -d)
cleanup() {
	for db in "$upgraded" "$fresh"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

for db in "$upgraded" "$fresh"; do
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db"
done

psql_q -d "$upgraded" -c "CREATE EXTENSION kpi VERSION '0.1.0'" >/dev/null
psql_q -d "$upgraded" -f test/upgrade/fill_0.1.0.sql >/dev/null
psql_q -d "$upgraded" -A -t -f test/upgrade/stored_values.sql >"$work/before.txt"
[ "$(grep -c '^definition|' "$work/before.txt")" -ge 5 ] &&
	[ "$(grep -c '^daily|' "$work/before.txt")" -ge 100 ] &&
	[ "$(grep -c '^review|' "$work/before.txt")" = 1 ] ||
	{ echo "the 0.1.0 fill is incomplete"; head -n 20 "$work/before.txt"; exit 1; }

psql_q -d "$upgraded" -c 'ALTER EXTENSION kpi UPDATE'
psql_q -d "$fresh" -c 'CREATE EXTENSION kpi'

version() { psql -X -A -t -d "$1" -c "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'kpi'"; }
[ "$(version "$upgraded")" = "$(version "$fresh")" ] ||
	{ echo "updated to $(version "$upgraded"), but a fresh install is $(version "$fresh")"; exit 1; }

# 2. stored values, read before the objects are detached
psql_q -d "$upgraded" -A -t -f test/upgrade/stored_values.sql >"$work/after.txt"
if ! diff -u "$work/before.txt" "$work/after.txt" >"$work/values.diff"; then
	echo "stored values changed by the update:"; head -n 60 "$work/values.diff"; exit 1
fi

# 1. objects: which tables pg_dump keeps, then the schema of every member
describe() {
	psql_q -d "$1" -A -t -c "
		SELECT c.oid::pg_catalog.regclass::text || ' ' || COALESCE(e.extcondition[i], '')
		FROM pg_catalog.pg_extension AS e,
			 pg_catalog.generate_subscripts(e.extconfig, 1) AS i
			 JOIN pg_catalog.pg_class AS c ON true
		WHERE e.extname = 'kpi' AND c.oid = e.extconfig[i]
		ORDER BY 1"
	# Detach the members (a scratch database: nothing else uses it), so that
	# pg_dump writes each of them out in full.
	psql_q -d "$1" -c "
		DELETE FROM pg_catalog.pg_depend
		WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
		  AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'kpi')
		  AND deptype = 'e'"
	pg_dump --schema-only --no-owner --schema=kpi "$1" | grep -v '^-- Dumped \|^SELECT pg_catalog.set_config\|^\\restrict \|^\\unrestrict '
}
describe "$upgraded" >"$work/upgraded.sql"
describe "$fresh" >"$work/fresh.sql"
[ "$(grep -c '^CREATE FUNCTION' "$work/fresh.sql")" -ge 50 ] ||
	{ echo "the fresh install dumped too little"; head -n 40 "$work/fresh.sql"; exit 1; }
if ! diff -u "$work/fresh.sql" "$work/upgraded.sql" >"$work/objects.diff"; then
	echo "ALTER EXTENSION kpi UPDATE does not give a fresh install (- fresh, + updated):"
	head -n 120 "$work/objects.diff"
	exit 1
fi
echo "upgrade 0.1.0 -> $(version "$fresh"): objects equal a fresh install, $(grep -c . "$work/before.txt") stored rows unchanged"
