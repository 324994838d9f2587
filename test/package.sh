#!/usr/bin/env bash
# The Debian package, tested the way a DBA would use it:
#   1. builds postgresql-15-kpi with `dpkg-buildpackage -us -uc -b` from a copy
#      of this tree in a work directory (the build products, and the .deb that
#      dpkg-buildpackage writes next to the source, stay out of the clone),
#      with DEB_BUILD_OPTIONS=nocheck: the regression suite runs against the
#      installed package in step 5 instead, on a fresh cluster, which is what
#      a DBA gets (running it inside the build as well only repeated it);
#   2. checks it with lintian (no warning, no error);
#   3. installs it with dpkg -i into the system PostgreSQL 15;
#   4. checks that the files in use are the package's: dpkg -S names the
#      package as owner of kpi.so, kpi.control and the install scripts, their
#      checksums match the package's (dpkg --verify), and the server process
#      itself has mapped that kpi.so;
#   5. runs the upgrade test (test/upgrade.sh) against the installed package,
#      then the package's autopkgtest (debian/tests/installcheck:
#      pg_buildext installcheck), which runs the regression suite against the
#      installed package on a fresh throw-away cluster of its own.
# Afterwards the system is put back as it was: if the package was not
# installed before, it is purged, and the kpi files that were there before
# (from `make install`) are restored.
#
# Usage, as root:
#   pg_virtualenv -t -v 15 bash test/package.sh         all five steps
#   bash test/package.sh build DIR                      steps 1-2 into DIR
#   pg_virtualenv -t -v 15 bash test/package.sh install DIR   steps 3-5
# The split lets test/suites.sh build the package while other suites run
# (the build touches nothing outside DIR) and install it after them (the
# install replaces the make-installed files they test).  Steps 3-5 need a
# libpq environment that points at a server of the system PostgreSQL 15
# (/usr/lib/postgresql/15) on this machine, whose user may create databases
# and read server files: test/suites.sh runs it inside pg_virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_config=/usr/lib/postgresql/15/bin/pg_config
package=postgresql-15-kpi

if [ "$(id -u)" -ne 0 ]; then
	echo "test/package.sh installs a Debian package: run it as root" >&2
	exit 1
fi

# One version everywhere: the Debian changelog's upstream part, the
# Makefile's EXTVERSION and the control file's default_version.
deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
upstream=${deb_version%-*}
make_version=$(sed -n 's/^EXTVERSION *= *//p' Makefile)
control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" kpi.control)
if [ "$upstream" != "$make_version" ] || [ "$upstream" != "$control_version" ]; then
	echo "version mismatch: debian/changelog $deb_version, Makefile $make_version, kpi.control $control_version" >&2
	exit 1
fi
arch=$(dpkg --print-architecture)
deb_name="${package}_${deb_version}_${arch}.deb"

mode=${1:-all}
case "$mode" in
	all) work=$(mktemp -d) ;;
	build | install)
		[ -n "${2:-}" ] || { echo "usage: bash test/package.sh [build DIR | install DIR]" >&2; exit 2; }
		work=$2
		mkdir -p "$work"
		;;
	*) echo "usage: bash test/package.sh [build DIR | install DIR]" >&2; exit 2 ;;
esac
# The autopkgtest's cluster runs as an unprivileged user (pg_buildext sets
# NONROOT) and must read the source copy's tests: mktemp makes the directory
# 0700.
chmod 755 "$work"
src="$work/kpi-$upstream"
backup="$work/backup"
deb="$work/$deb_name"

# 1-2. Build and lintian.
build_package() {
	rm -rf "$src"
	mkdir -p "$src"
	# The source: the files git would commit (tracked or new, never ignored
	# build products), as they are in the working tree.
	git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done |
		tar --null -T - -cf - | tar -xf - -C "$src"

	echo "building $deb_name"
	if ! (cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
		echo "dpkg-buildpackage failed; the end of its log:"
		tail -n 80 "$work/build.log"
		return 1
	fi
	if [ ! -f "$deb" ]; then
		echo "dpkg-buildpackage did not produce $deb_name; it produced:"
		ls "$work"
		return 1
	fi

	# lintian: warnings and errors fail; its output is shown either way.
	local lintian_rc=0
	lintian --fail-on error,warning "$work/kpi_${deb_version}_${arch}.changes" >"$work/lintian.log" 2>&1 ||
		lintian_rc=$?
	echo "lintian (exit $lintian_rc):"
	grep -v 'running with root privileges is not recommended' "$work/lintian.log" || echo '  (no tags)'
	[ "$lintian_rc" -eq 0 ] || { echo "lintian reports warnings or errors"; return 1; }
	echo "$deb_name: built, lintian clean"
}

# dpkg's state of the package: not-installed, installed, half-installed ...
package_state() {
	local state
	state=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) || state=not-installed
	echo "${state:-not-installed}"
}
was_installed=
saved=()
cleanup() {
	local rc=$?
	if [ -n "$was_installed" ] && [ "$was_installed" != installed ] &&
		[ "$(package_state)" != not-installed ]; then
		dpkg --purge "$package" >>"$work/dpkg.log" 2>&1 || { rc=1; cat "$work/dpkg.log"; }
	fi
	# The purge removed the directories it emptied (bitcode/kpi/src/).
	local f
	for f in "${saved[@]}"; do
		mkdir -p "$(dirname "$f")" && cp -a "$backup$f" "$f" || rc=1
	done
	if [ "$mode" = all ] || [ "$mode" = install ]; then rm -rf "$work"; fi
	exit "$rc"
}

# 3-5. Install, check the files in use, upgrade test and autopkgtest.
install_and_test() {
	[ -f "$deb" ] || { echo "no $deb: run test/package.sh build $work first" >&2; return 1; }
	was_installed=$(package_state)
	mkdir -p "$backup"
	# Files that `make install` put where the package installs are saved
	# first and put back by cleanup.
	local f
	while IFS= read -r f; do
		f=${f#.}
		if [ -f "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1; then
			mkdir -p "$backup$(dirname "$f")"
			cp -a "$f" "$backup$f"
			saved+=("$f")
		fi
	done < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$')
	if ! dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
		cat "$work/dpkg.log"
		return 1
	fi

	# 4. The files in use are the package's.
	local pkglibdir sharedir owner verify mapped
	pkglibdir=$($pg_config --pkglibdir)
	sharedir=$($pg_config --sharedir)
	for f in "$pkglibdir/kpi.so" "$sharedir/extension/kpi.control" \
		"$sharedir/extension/kpi--$upstream.sql"; do
		owner=$(dpkg -S "$f" 2>/dev/null | cut -d: -f1)
		if [ "$owner" != "$package" ]; then
			echo "$f is not owned by $package (dpkg -S: '${owner:-none}')" >&2
			return 1
		fi
		echo "$f: from $package"
	done
	verify=$(dpkg --verify "$package" 2>&1)
	if [ -n "$verify" ]; then
		echo "the installed files differ from the package's:" >&2
		echo "$verify" >&2
		return 1
	fi
	# The server must load that very file: LOAD resolves $libdir/kpi as CREATE
	# EXTENSION kpi does (module_pathname), and the backend's memory map names
	# the file it mapped.
	mapped=$(psql -X -q -At -v ON_ERROR_STOP=1 -d postgres \
		-c "LOAD '\$libdir/kpi'" \
		-c "SELECT DISTINCT m[1] FROM regexp_matches(pg_read_file('/proc/self/maps'), '(\S*/kpi\.so)', 'g') AS m")
	if [ "$mapped" != "$pkglibdir/kpi.so" ]; then
		echo "the server loaded '${mapped:-nothing}', not the package's $pkglibdir/kpi.so" >&2
		return 1
	fi
	echo "the server loads $mapped"

	# 5. The upgrade path with the packaged scripts: 0.1.0 + ALTER EXTENSION
	# UPDATE equals a fresh install.
	bash "$src/test/upgrade.sh" || return 1
	# The package's autopkgtest (debian/tests/installcheck: pg_buildext
	# installcheck): the regression suite against the installed package, on a
	# fresh throw-away cluster of its own.
	if ! (cd "$src" && PGPORT=$(bash test/free_port.sh $((${PGPORT:-54320} + 1))) debian/tests/installcheck) \
		>"$work/autopkgtest.log" 2>&1; then
		echo "debian/tests/installcheck failed:"
		tail -n 80 "$work/autopkgtest.log"
		return 1
	fi
	grep -q 'All [0-9]* tests passed' "$work/autopkgtest.log" ||
		{ echo "debian/tests/installcheck ran no test"; tail -n 20 "$work/autopkgtest.log"; return 1; }
	echo "debian/tests/installcheck (autopkgtest): passed"
	echo "$deb_name: installed, upgrade test and autopkgtest passed"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
case "$mode" in
	build) build_package ;;
	install) install_and_test ;;
	all) build_package; install_and_test ;;
esac
