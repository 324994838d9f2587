#!/usr/bin/env bash
# Client test: kpi.scorecard and kpi.series read through psycopg2 (Debian's
# python3-psycopg2), the driver Superset uses.  Run by test/suites.sh inside
# the test cluster (PGHOST, PGPORT, PGUSER and PGPASSWORD set).  Exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

db=kpi_client_psycopg2
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
# The monitoring tests' data and KPIs; "now" is Wednesday 2026-02-18 in Berlin.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION kpi' -f ../monitor_data.sql
# Debian's interpreter, which python3-psycopg2 installs into.
PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 psycopg2_client.py "$db"
