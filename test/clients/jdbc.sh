#!/usr/bin/env bash
# Client test: kpi.scorecard and kpi.series read through the PostgreSQL JDBC
# driver (Debian's libpostgresql-jdbc-java), the driver Metabase uses.
# Run by test/suites.sh inside the test cluster (PGHOST, PGPORT, PGUSER and
# PGPASSWORD set).  Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

jar=/usr/share/java/postgresql.jar
db=kpi_client_jdbc
classes=$(mktemp -d)
cleanup() {
	rm -rf "$classes"
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
# The monitoring tests' data and KPIs; "now" is Wednesday 2026-02-18 in Berlin.
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION kpi' -f ../monitor_data.sql
javac -d "$classes" -cp "$jar" KpiJdbcClient.java
java -cp "$classes:$jar" KpiJdbcClient "$db"
