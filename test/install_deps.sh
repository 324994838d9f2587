#!/usr/bin/env bash
# Installs what building and testing kpi needs on Debian bookworm, as root.
# Idempotent: skips apt entirely when everything is already there.
set -euo pipefail

packages=(
	build-essential
	postgresql-15
	postgresql-server-dev-15
	postgresql-15-pgtap      # pgTAP
	postgresql-15-cron       # test/schedule_pg_cron.sh: kpi.schedule with a real pg_cron (kpi does not need it)
	libtap-parser-sourcehandler-pgtap-perl  # pg_prove (only recommended by postgresql-15-pgtap)
	libpostgresql-jdbc-java  # the JDBC driver Metabase uses
	openjdk-17-jdk-headless # to compile and run the JDBC client test
	python3-psycopg2         # the driver Superset uses
	git                      # test/package.sh copies the tree, make dist archives HEAD
	python3                  # test/pgxn_meta.py, test/dist.sh
	debhelper                # test/package.sh: dpkg-buildpackage (dpkg-dev), dh
	postgresql-server-dev-all  # test/package.sh: pg_buildext, dh --with pgxs_loop
	lintian                  # test/package.sh
	clang                    # test/fuzz/*.sh: libFuzzer builds (/usr/bin/clang)
	clang-14                 # the compiler itself, which the clang package points at
	libclang-rt-14-dev       # the fuzzer and sanitizer runtimes for clang
	sqlsmith                 # test/sqlsmith.sh: random SQL against kpi
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
