#!/usr/bin/env bash
# Every SQL example in README.md runs: the ```sql blocks are run in order, with
# ON_ERROR_STOP, in a scratch database holding the sample data that the Quick
# start loads (demo/company.sql).  Run by test/suites.sh, or by hand against
# any server the libpq environment points at.
set -euo pipefail
cd "$(dirname "$0")/.."

db=kpi_readme_examples
work=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION kpi' -f demo/company.sql >/dev/null

# The blocks, minus CREATE EXTENSION (done above).
awk '/^```sql$/ { on = 1; next } /^```$/ { on = 0 } on' README.md |
	grep -v '^CREATE EXTENSION kpi;$' >"$work/examples.sql"
blocks=$(grep -c '^```sql$' README.md)
[ "$blocks" -ge 6 ] || { echo "README.md has only $blocks SQL examples"; exit 1; }
psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$work/examples.sql" >"$work/out.txt" 2>&1 ||
	{ echo "a README example failed:"; tail -n 30 "$work/out.txt"; exit 1; }
# No example may warn (e.g. a KPI that is not SMART on the sample data).
if grep -q 'WARNING' "$work/out.txt"; then
	grep -A2 'WARNING' "$work/out.txt"; exit 1
fi
echo "README.md: $blocks SQL examples ran on the sample data"
