#!/usr/bin/env bash
# The PGXN release: META.json is valid (test/pgxn_meta.py), and `make dist`
# writes kpi-<version>.zip whose every entry lies under kpi-<version>/, which
# holds the sources (kpi.control, Makefile, META.json, LICENSE, src/, the
# tests) and no build product, whose META.json is valid there too (the files it
# names are in the archive), and which builds with make.
# `make dist` archives HEAD, so this checks what is committed.
# Needs git, python3 and a pg_config (PG_CONFIG, default the system's).
set -euo pipefail
cd "$(dirname "$0")/.."

export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
python3 test/pgxn_meta.py META.json

version=$(sed -n 's/^EXTVERSION *= *//p' Makefile)
prefix="kpi-$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make -s dist DIST="$work/$prefix.zip" >/dev/null
[ -f "$work/$prefix.zip" ] || { echo "make dist wrote no $prefix.zip"; exit 1; }

python3 - "$work/$prefix.zip" "$prefix" <<'EOF'
import re
import sys
import zipfile

archive, prefix = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(archive).namelist()
problems = []
outside = [n for n in names if not n.startswith(prefix + "/")]
if outside:
    problems.append(f"entries outside {prefix}/: {outside[:5]}")
inside = {n[len(prefix) + 1:] for n in names if n.startswith(prefix + "/")}
for required in ("kpi.control", "Makefile", "META.json", "LICENSE", "README.md",
                 "debian/control", "src/sql/released/kpi--0.1.0.sql"):
    if required not in inside:
        problems.append(f"{required} is missing")
if not any(re.match(r"^src/[^/]+\.c$", n) for n in inside):
    problems.append("no C source under src/")
if not any(re.match(r"^src/sql/[^/]+\.sql$", n) for n in inside):
    problems.append("no install script part under src/sql/")
# Build products and files that are not for users.
built = re.compile(r"(\.(o|so|bc|a|deb|zip)$|^kpi--[^/]*\.sql$|(^|/)results(-parallel)?/|"
                   r"regression\.(diffs|out)$|^\.gitignore$|^\.gitattributes$|^\.ci/|^debian/\.debhelper/)")
products = sorted(n for n in inside if built.search(n))
if products:
    problems.append(f"build products or excluded files: {products[:10]}")
if problems:
    for p in problems:
        print(f"{archive}: {p}")
    sys.exit(1)
print(f"{prefix}.zip: {len(inside)} entries, sources and META.json present, no build products")
EOF

python3 -m zipfile -e "$work/$prefix.zip" "$work/unpacked"
(cd "$work/unpacked/$prefix" && python3 test/pgxn_meta.py META.json)
if ! make -C "$work/unpacked/$prefix" -s >"$work/build.log" 2>&1; then
	echo "the archive does not build:"
	tail -n 40 "$work/build.log"
	exit 1
fi
echo "$prefix.zip builds"
