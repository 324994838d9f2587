#!/usr/bin/env bash
# The kpi demo, the README's first command.  On Debian bookworm, as root:
#
#   bash demo/run.sh
#
# 1. installs what building kpi needs (test/install_deps.sh; skipped when
#    everything is there);
# 2. builds and installs the extension (make rebuilds only what changed);
# 3. starts a throw-away PostgreSQL 15 cluster (pg_virtualenv), and in it
# 4. creates Acme GmbH, a sample company with two years of daily funnel data
#    (demo/company.sql), and five SMART KPIs plus one bad one, and
# 5. prints the SMART report, the audit, the scorecard, a 12-week series,
#    a seasonal plan against the actuals and a year-over-year comparison
#    (demo/demo.sql).  The cluster is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config

bash test/install_deps.sh
make -s PG_CONFIG="$PG_CONFIG"
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null

PGPORT=$(bash test/free_port.sh 54420) exec pg_virtualenv -t -v 15 psql -X -v ON_ERROR_STOP=1 -f demo/demo.sql
