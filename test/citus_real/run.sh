#!/usr/bin/env bash
# Runs a script of test/citus_real/ on a real Citus cluster: matrix.sql (the
# default) or summaries.sql.  Not part of CI: Citus is not in Debian.
# doc/scale-out.md says how the cluster was built (Citus 13.2.2 from source,
# a coordinator and two workers on loopback).
# Usage: PGHOST=... PGPORT=<coordinator port> bash test/citus_real/run.sh DB [matrix|summaries]
set -euo pipefail
cd "$(dirname "$0")/../.."
db=${1:-scale}
script=${2:-matrix}
psql -X -v ON_ERROR_STOP=1 -d "$db" -f "test/citus_real/$script.sql"
