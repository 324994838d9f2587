#!/usr/bin/env bash
# Runs every kpi test on a throw-away PostgreSQL 15 cluster (pg_virtualenv):
#   1. pg_regress, serial plans;
#   2. pg_regress again with forced parallel plans;
#   3. pgTAP catalog checks with pg_prove;
#   4. client tests through the real BI drivers (JDBC, psycopg2), if present.
# Usage, as root on Debian bookworm:  bash test/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/install_deps.sh
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null

PGPORT=$(bash test/free_port.sh 54320) exec pg_virtualenv -t -v 15 bash test/suites.sh
