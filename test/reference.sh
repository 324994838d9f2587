#!/usr/bin/env bash
# doc/reference.md is generated from the COMMENT ON texts of every object of
# the extension.  This script installs kpi into a scratch database of the
# server the libpq environment points at and
#   bash test/reference.sh          fails when doc/reference.md is stale;
#   bash test/reference.sh --write  rewrites doc/reference.md.
set -euo pipefail
cd "$(dirname "$0")/.."

db=kpi_reference
work=$(mktemp -d)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION kpi'
psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$db" -f test/reference.sql >"$work/reference.md"

# Every member object must have a comment; the generator lists those without.
if grep -q '^MISSING COMMENT' "$work/reference.md"; then
	grep '^MISSING COMMENT' "$work/reference.md"
	exit 1
fi
if [ "${1:-}" = --write ]; then
	cp "$work/reference.md" doc/reference.md
	echo "doc/reference.md written"
elif ! diff -u doc/reference.md "$work/reference.md" >"$work/diff"; then
	echo "doc/reference.md is stale; regenerate it with: bash test/reference.sh --write"
	head -n 60 "$work/diff"
	exit 1
else
	echo "doc/reference.md is current ($(grep -c '^| `' doc/reference.md) entries)"
fi
