#!/usr/bin/env python3
"""Runs the queries sqlsmith generates (read from standard input, each ending
with ";" at the end of a line, as `sqlsmith --dry-run` prints them) one by one
against the database in the libpq environment, and records what happened.

Used by test/sqlsmith.sh, which documents the whole procedure.  Each query
runs in its own transaction, rolled back, with statement_timeout = 1s (as
sqlsmith itself does).  The driver knows which query was running when the
connection broke, so a crash is kept with the exact query that caused it.

Arguments: FOUND_DIR SUMMARY_JSON SEED
  FOUND_DIR     where each crashing or internal-error (XX000) query is written
                as a pg_regress test file
  SUMMARY_JSON  counts by outcome and SQLSTATE, and the findings
"""
import collections
import json
import os
import re
import sys
import time

import psycopg2

found_dir, summary_path, seed = sys.argv[1], sys.argv[2], sys.argv[3]

TEMPLATE = """--
-- Found by test/sqlsmith.sh (seed {seed}, query {number}): {what}.
-- Kept as a regression test: fix the defect, then move this file to sql/
-- and its reviewed output to expected/.
--
\\i test/sqlsmith/fixture.sql
SET kpi.as_of = '2026-03-02 09:00';
SET statement_timeout = '10s';
\\set VERBOSITY terse
BEGIN;
{query};
ROLLBACK;
"""


def connect(deadline_s=120):
    """Connects, waiting for the server to finish its crash recovery."""
    start = time.time()
    while True:
        try:
            conn = psycopg2.connect("")
            conn.autocommit = False
            with conn.cursor() as cur:
                cur.execute("SET statement_timeout = '1s'")
            conn.commit()
            return conn
        except psycopg2.OperationalError:
            if time.time() - start > deadline_s:
                raise
            time.sleep(0.5)


def statements(stream):
    """Yields the statements of sqlsmith's output, each without its ';'."""
    lines = []
    for line in stream:
        if line.rstrip("\n").endswith(";"):
            lines.append(line.rstrip("\n")[:-1])
            yield "\n".join(lines)
            lines = []
        else:
            lines.append(line.rstrip("\n"))


def keep(number, what, query):
    os.makedirs(found_dir, exist_ok=True)
    name = os.path.join(found_dir, "sqlsmith_%s_%s_%d.sql" % (what.split()[0], seed, number))
    with open(name, "w") as f:
        f.write(TEMPLATE.format(seed=seed, number=number, what=what, query=query))
    return name


conn = connect()
outcomes = collections.Counter()
sqlstates = collections.Counter()
crashes = []
internal = {}
names = collections.Counter()
number = 0
for query in statements(sys.stdin):
    number += 1
    names.update(set(re.findall(r'\bkpi\.([a-z_]+)\(', query)))
    try:
        with conn.cursor() as cur:
            cur.execute(query)
        outcomes["ok"] += 1
        conn.rollback()
    except (psycopg2.OperationalError, psycopg2.InterfaceError) as e:
        # The connection broke while this query ran: a backend crash (the
        # postmaster then restarts every backend), unless the server went
        # away for another reason, which the server-log check tells apart.
        if conn.closed or e.pgcode is None:
            outcomes["connection lost"] += 1
            crashes.append({"query_number": number, "error": str(e).strip(),
                            "file": keep(number, "crash", query)})
            try:
                conn.close()
            except Exception:
                pass
            conn = connect()
            continue
        outcomes["error"] += 1
        sqlstates[e.pgcode] += 1
        conn.rollback()
    except psycopg2.Error as e:
        outcomes["error"] += 1
        sqlstates[e.pgcode] += 1
        if e.pgcode == "XX000" and re.search(r"\bkpi\.[a-z_]+\(", query):
            message = (e.pgerror or "").strip().splitlines()[0]
            if message not in internal:
                internal[message] = {"query_number": number, "message": message,
                                     "file": keep(number, "internal error", query)}
        conn.rollback()
    if number % 10000 == 0:
        print("%d queries: %s" % (number, dict(outcomes)), flush=True)

summary = {"queries": number, "outcomes": dict(outcomes),
           "sqlstates": dict(sqlstates.most_common()),
           "kpi_names_in_queries": dict(names.most_common()),
           "crashes": crashes, "internal_errors": list(internal.values())}
with open(summary_path, "w") as f:
    json.dump(summary, f, indent=1)
print("%d queries: %s" % (number, dict(outcomes)))
