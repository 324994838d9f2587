#!/usr/bin/env python3
"""Checks META.json against the PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/):
required keys and their types, semantic versions, the license name, the
prereqs structure, and that it agrees with the tree (the files it names exist,
its version is the Makefile's EXTVERSION, the control file's default_version
and the Debian changelog's upstream version).

Usage: python3 test/pgxn_meta.py [META.json] (run from the top of the tree).
Prints each problem and exits 1, or prints one line and exits 0.
"""
import json
import os
import re
import sys

# Semantic Versioning 1.0.0 as the PGXN spec requires it (no build metadata).
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[a-zA-Z][0-9a-zA-Z-]*)?$")
# A version range: comma-separated simple ranges, each an optional operator
# and a semantic version (or the 0 that means "any version").
RANGE_PART = re.compile(r"^(==|!=|>=|<=|>|<)?\s*(\S+)$")
LICENSES = {
    "agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd",
    "freebsd", "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1",
    "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5",
    "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source",
    "restricted", "unrestricted", "unknown",
}
PHASES = {"configure", "build", "test", "runtime", "develop"}
RELATIONS = {"requires", "recommends", "suggests", "conflicts"}
RELEASE_STATUS = {"stable", "testing", "unstable"}

problems = []


def problem(message):
    problems.append(message)


def is_text(value):
    return isinstance(value, str) and value.strip() != ""


def check_range(where, value):
    if value == 0 or value == "0":
        return
    if not isinstance(value, str):
        problem(f"{where}: a version range must be a string, not {value!r}")
        return
    for part in value.split(","):
        m = RANGE_PART.match(part.strip())
        if not m or not SEMVER.match(m.group(2)):
            problem(f"{where}: {part.strip()!r} is not a version range part")


def read_tree_versions():
    """The version as the Makefile, the control file and debian/changelog say."""
    versions = {}
    with open("Makefile") as f:
        m = re.search(r"^EXTVERSION\s*=\s*(\S+)", f.read(), re.M)
        versions["Makefile EXTVERSION"] = m and m.group(1)
    with open("kpi.control") as f:
        m = re.search(r"^default_version\s*=\s*'([^']*)'", f.read(), re.M)
        versions["kpi.control default_version"] = m and m.group(1)
    if os.path.exists("debian/changelog"):
        with open("debian/changelog") as f:
            m = re.match(r"^\S+ \(([^)-]+)-[^)]+\)", f.readline())
            versions["debian/changelog upstream version"] = m and m.group(1)
    return versions


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "META.json"
    with open(path) as f:
        try:
            meta = json.load(f)
        except json.JSONDecodeError as e:
            print(f"{path}: not valid JSON: {e}")
            return 1
    if not isinstance(meta, dict):
        print(f"{path}: the top level must be an object")
        return 1

    for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
        if key not in meta:
            problem(f"required key {key!r} is missing")

    spec = meta.get("meta-spec", {})
    if not isinstance(spec, dict) or spec.get("version") != "1.0.0":
        problem("meta-spec.version must be \"1.0.0\"")

    name = meta.get("name")
    if not is_text(name) or not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", name) or len(name) < 2:
        problem(f"name {name!r}: at least two characters, no spaces, slashes or backslashes")
    if not is_text(meta.get("abstract")):
        problem("abstract must be a non-empty string")
    version = meta.get("version")
    if not isinstance(version, str) or not SEMVER.match(version):
        problem(f"version {version!r} is not a semantic version")

    maintainer = meta.get("maintainer")
    maintainers = maintainer if isinstance(maintainer, list) else [maintainer]
    if not maintainers or not all(is_text(m) for m in maintainers):
        problem("maintainer must be a string or a non-empty list of strings")

    license_ = meta.get("license")
    if isinstance(license_, str):
        if license_ not in LICENSES:
            problem(f"license {license_!r} is not one of the spec's license names")
    elif isinstance(license_, list):
        if not license_ or any(l not in LICENSES for l in license_):
            problem(f"license list {license_!r} names an unknown license")
    elif isinstance(license_, dict):
        if not license_ or not all(is_text(u) for u in license_.values()):
            problem("a license object maps names to URLs")
    else:
        problem("license must be a string, a list or an object")

    provides = meta.get("provides")
    if not isinstance(provides, dict) or not provides:
        problem("provides must be a non-empty object")
        provides = {}
    for ext, info in provides.items():
        if not isinstance(info, dict):
            problem(f"provides.{ext} must be an object")
            continue
        for key in ("file", "version"):
            if key not in info:
                problem(f"provides.{ext}.{key} is required")
        if "version" in info and not SEMVER.match(str(info["version"])):
            problem(f"provides.{ext}.version {info['version']!r} is not a semantic version")
        for key in ("file", "docfile"):
            if key in info and not os.path.isfile(info[key]):
                problem(f"provides.{ext}.{key} names {info[key]!r}, which is not a file in the tree")

    prereqs = meta.get("prereqs", {})
    if not isinstance(prereqs, dict):
        problem("prereqs must be an object")
        prereqs = {}
    for phase, relations in prereqs.items():
        if phase not in PHASES:
            problem(f"prereqs.{phase}: unknown phase")
            continue
        if not isinstance(relations, dict):
            problem(f"prereqs.{phase} must be an object")
            continue
        for relation, requirements in relations.items():
            if relation not in RELATIONS or not isinstance(requirements, dict):
                problem(f"prereqs.{phase}.{relation}: unknown relation or not an object")
                continue
            for prereq, rng in requirements.items():
                check_range(f"prereqs.{phase}.{relation}.{prereq}", rng)

    resources = meta.get("resources", {})
    if not isinstance(resources, dict):
        problem("resources must be an object")
    else:
        for key, value in resources.items():
            if key not in ("homepage", "bugtracker", "repository") and not key.startswith("x_"):
                problem(f"resources.{key}: unknown resource")
        bug = resources.get("bugtracker")
        if bug is not None and (not isinstance(bug, dict) or not ({"web", "mailto"} & set(bug))):
            problem("resources.bugtracker needs web or mailto")
        repo = resources.get("repository")
        if repo is not None and (not isinstance(repo, dict) or not ({"url", "web"} & set(repo))):
            problem("resources.repository needs url or web")

    status = meta.get("release_status", "stable")
    if status not in RELEASE_STATUS:
        problem(f"release_status {status!r} is not one of {sorted(RELEASE_STATUS)}")
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(is_text(t) and len(t) < 256 for t in tags):
        problem("tags must be a list of non-empty strings shorter than 256 characters")

    # The tree agrees: one version everywhere, and META.json describes kpi.
    if name != "kpi" or "kpi" not in provides:
        problem("META.json must describe the extension kpi (name and provides.kpi)")
    if "kpi" in provides and provides["kpi"].get("version") != version:
        problem(f"provides.kpi.version {provides['kpi'].get('version')!r} differs from version {version!r}")
    for where, tree_version in read_tree_versions().items():
        if tree_version != version:
            problem(f"{where} is {tree_version!r}, META.json version is {version!r}")
    if "PostgreSQL" not in prereqs.get("runtime", {}).get("requires", {}):
        problem("prereqs.runtime.requires must name PostgreSQL")

    if problems:
        for p in problems:
            print(f"{path}: {p}")
        return 1
    print(f"{path}: valid PGXN meta spec 1.0.0, {name} {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
