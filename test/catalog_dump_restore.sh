#!/usr/bin/env bash
# pg_dump / pg_restore round trip of the KPI catalog: the user's definitions
# come back unchanged, and so do the history of the weekly review (a row of
# kpi.reviews, one of kpi.target_history, their identity sequences), a plan
# whose rows point at that target change, and the SMART verdicts; the sources resolve to the restored tables, and a restore
# is not held to kpi.enforce_smart = error (the sources may be loaded after
# the catalog).  Run by test/suites.sh inside pg_virtualenv, or by hand
# against any server the libpq environment points at.
set -euo pipefail
cd "$(dirname "$0")/.."

src=kpi_catalog_dump_src
dst=kpi_catalog_dump_dst
work=$(mktemp -d)
cleanup() {
	dropdb --if-exists "$src" >/dev/null 2>&1 || true
	dropdb --if-exists "$dst" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

dropdb --if-exists "$src" >/dev/null 2>&1
dropdb --if-exists "$dst" >/dev/null 2>&1
createdb "$src"
createdb "$dst"

psql_q -d "$src" <<'SQL'
CREATE EXTENSION kpi;
\i test/catalog_data.sql
-- A source whose schema and table names need quoting.
CREATE SCHEMA "Sales Ops";
CREATE TABLE "Sales Ops"."Won Deals" (closed_on date, "Amount EUR" numeric, region text, note text);
INSERT INTO "Sales Ops"."Won Deals"
SELECT '2024-01-01'::date + i, 1000 + i % 7 * 100, CASE WHEN i % 2 = 0 THEN 'north' ELSE 'south' END
FROM generate_series(0, 181) AS i;
SET kpi.enforce_smart = off;
INSERT INTO kpi.definitions (name, title, description, owner, teams, objective, metric, stage,
							 source, time_column, numerator_column, denominator_column, filters,
							 unit, direction, baseline, target, starts_on, due_on, review_every,
							 created_at, updated_at) VALUES
	('cac_paid_search', 'CAC paid search', 'Sales and marketing spend per new customer won through paid search.',
	 'Anna Berg', '{marketing,sales}', 'Grow the customer base profitably', 'cac', 'customer',
	 'funnel_daily', 'day', 'spend', 'customers', '{"channel": "paid_search"}',
	 'EUR', 'lower_is_better', 245, 230, '2024-05-01', '2024-07-31', '7 days',
	 '2024-04-15 09:00+00', '2024-04-16 10:30+00'),
	('deal_size_north', 'Deal size north', 'Average amount of a deal won in the north.', 'Carla Diaz',
	 '{sales}', 'Sell bigger deals', 'average', 'revenue', '"Sales Ops"."Won Deals"', 'closed_on', 'Amount EUR',
	 NULL, '{"region": "north", "note": null}', 'EUR', 'higher_is_better', 1300, 1400,
	 '2024-05-01', '2024-07-31', '14 days', '2024-04-15 09:00+00', '2024-04-15 09:00+00'),
	('leads_tiktok', 'TikTok leads', NULL, NULL, '{}', NULL, 'sum', 'lead', 'funnel_daily', 'day', 'leads',
	 NULL, '{"channel": "tiktok"}', NULL, 'higher_is_better', 100, 90, '2024-07-01', '2024-07-10', NULL,
	 '2024-04-15 09:00+00', '2024-04-15 09:00+00');
UPDATE kpi.definitions SET active = false WHERE name = 'leads_tiktok';
-- A funnel KPI (issue 11) over columns that need quoting: a name[] of steps and an interval.
CREATE TABLE "Sales Ops"."Lead Steps" ("Lead ID" integer, at timestamptz, "Is Lead" boolean, "Is Won" boolean);
INSERT INTO "Sales Ops"."Lead Steps"
SELECT i, timestamptz '2024-03-01' + i * interval '7 hours', true, false FROM generate_series(1, 100) AS i
UNION ALL
SELECT i, timestamptz '2024-03-01' + i * interval '7 hours' + i % 20 * interval '1 day', false, true
FROM generate_series(1, 100) AS i WHERE i % 3 = 0;
INSERT INTO kpi.definitions (name, title, metric, stage, source, time_column, entity_column, step_columns,
							 funnel_within, unit, created_at, updated_at) VALUES
	('lead_to_won', 'Lead to won in 10 days', 'funnel_conversion', 'customer', '"Sales Ops"."Lead Steps"', 'at',
	 'Lead ID', '{"Is Lead","Is Won"}', '10 days', 'ratio', '2024-04-15 09:00+00', '2024-04-15 09:00+00');
-- The weekly review: a review, a target change, and a SMART verdict.
SET kpi.as_of = '2024-07-01 09:00+00';
SELECT kpi.record_review('cac_paid_search', 'Off track: marketing and sales rework the bids.');
-- A plan, which the target change rescales from July on (change_id).
INSERT INTO kpi.plans (name, grain, period_start, target) VALUES
	('deal_size_north', 'month', '2024-05-01', 1320), ('deal_size_north', 'month', '2024-06-01', 1340),
	('deal_size_north', 'month', '2024-07-01', 1400);
INSERT INTO kpi.plans (name, segment, grain, period_start, target, note) VALUES
	('deal_size_north', 'enterprise', 'month', '2024-07-01', 2000, 'Enterprise deals only.');
SELECT kpi.adjust_target('deal_size_north', 1450, '30-day feedback: the north sells bigger deals than planned.');
SELECT kpi.recheck_smart('cac_paid_search');
SQL

snapshot() {
	psql_q -d "$1" -A -t <<'SQL'
SET TimeZone = 'UTC';
SET kpi.as_of = '2024-07-01 00:00:00+00';
SELECT d.name, d.title, d.description, d.owner, d.teams, d.objective, d.metric, d.stage, d.source::text,
	   d.time_column, d.numerator_column, d.denominator_column, d.filters, d.unit, d.direction,
	   d.baseline, d.target, d.starts_on, d.due_on, d.review_every, d.active, d.created_at, d.updated_at,
	   d.entity_column, d.step_columns, d.funnel_within
FROM kpi.definitions AS d ORDER BY d.name;
SELECT name, specific, measurable, attractive, realistic, time_bound, smart FROM kpi.smart_report ORDER BY name;
SELECT kpi.measure('cac_paid_search', '2024-03-01', '2024-04-01'), kpi.measure('deal_size_north', '2024-03-01', '2024-04-01'),
	   kpi.measure('lead_to_won', '2024-03-01', '2024-04-01');
SELECT 'review', r.* FROM kpi.reviews AS r ORDER BY r.review_id;
SELECT 'target_change', h.* FROM kpi.target_history AS h ORDER BY h.change_id;
SELECT 'plan', p.* FROM kpi.plans AS p ORDER BY p.name, p.segment, p.period_start;
SELECT 'verdict', v.* FROM kpi.smart_verdicts AS v ORDER BY v.name;
SQL
}
snapshot "$src" >"$work/before.txt"
[ "$(grep -c . "$work/before.txt")" -ge 10 ] || { echo "source snapshot is incomplete"; cat "$work/before.txt"; exit 1; }
[ "$(grep -c '^plan|' "$work/before.txt")" = 4 ] && grep -q '^plan|deal_size_north||month|2024-07-01|2024-08-01|1450||1$' "$work/before.txt" ||
	{ echo "source snapshot lacks its rescaled plan"; cat "$work/before.txt"; exit 1; }
for kind in review target_change verdict; do
	[ "$(grep -c "^$kind|" "$work/before.txt")" = 1 ] || { echo "source snapshot lacks its $kind row"; cat "$work/before.txt"; exit 1; }
done

pg_dump -Fc -f "$work/kpi.dump" "$src"
# The restore must get through even where enforcement rejects every non-SMART write.
psql_q -d postgres -c "ALTER DATABASE $dst SET kpi.enforce_smart = error"
pg_restore --exit-on-error -d "$dst" "$work/kpi.dump"
snapshot "$dst" >"$work/after.txt"

if ! diff -u "$work/before.txt" "$work/after.txt"; then
	echo "FAIL: the definitions, reviews, target changes or verdicts differ after pg_dump/pg_restore"
	exit 1
fi
# The identity sequences came along: new rows do not reuse the restored ids.
psql_q -d "$dst" -A -t >"$work/ids.txt" <<'SQL'
SET kpi.as_of = '2024-07-08 09:00+00';
SET kpi.enforce_smart = off;
SELECT review_id FROM kpi.record_review('cac_paid_search', 'The week after the restore.');
SELECT change_id FROM kpi.adjust_target('deal_size_north', 1460, 'After the restore.');
SQL
if [ "$(tr '\n' ' ' <"$work/ids.txt")" != "2 2 " ]; then
	echo "FAIL: after the restore new reviews and target changes got ids $(tr '\n' ' ' <"$work/ids.txt")instead of 2 2"
	exit 1
fi
# The restored definitions point at the restored tables, not at stale OIDs.
psql_q -d "$dst" -A -t -c "SELECT count(*) FROM kpi.definitions d JOIN pg_class c ON c.oid = d.source" >"$work/resolved.txt"
if [ "$(cat "$work/resolved.txt")" != 4 ]; then
	echo "FAIL: restored sources do not resolve: $(cat "$work/resolved.txt") of 4"
	exit 1
fi
# And enforcement is on again after the restore.
if psql -X -q -d "$dst" -c "INSERT INTO kpi.definitions (name, metric) VALUES ('half_done', 'cac')" 2>"$work/err.txt"; then
	echo "FAIL: kpi.enforce_smart = error did not reject a non-SMART definition after the restore"
	exit 1
fi
grep -q 'is not SMART' "$work/err.txt" || { echo "FAIL: unexpected error:"; cat "$work/err.txt"; exit 1; }

# kpi.export_catalog(): the catalog survives DROP EXTENSION and a fresh
# install, through the exported script.
psql_q -d "$src" -A -t -c 'SELECT kpi.export_catalog()' >"$work/catalog.sql"
psql_q -d "$src" -c 'DROP EXTENSION kpi' -c 'CREATE EXTENSION kpi'
[ "$(psql -X -A -t -d "$src" -c 'SELECT count(*) FROM kpi.definitions')" = 0 ] ||
	{ echo "FAIL: DROP EXTENSION kpi left definitions behind"; exit 1; }
psql_q -d "$src" -f "$work/catalog.sql" >/dev/null
snapshot "$src" >"$work/exported.txt"
if ! diff -u "$work/before.txt" "$work/exported.txt"; then
	echo "FAIL: the definitions, reviews, target changes or verdicts differ after export_catalog and a fresh install"
	exit 1
fi
[ "$(psql -X -A -t -d "$src" -c "SELECT review_id FROM kpi.record_review('cac_paid_search', 'After the export.')" | head -n 1)" = 2 ] ||
	{ echo "FAIL: the review ids do not continue after loading the export"; exit 1; }
# Loading it again, into a catalog that is not empty, is refused.
if psql -X -q -v ON_ERROR_STOP=1 -d "$src" -f "$work/catalog.sql" 2>"$work/err.txt" >/dev/null; then
	echo "FAIL: an exported catalog loaded over existing definitions"; exit 1
fi
grep -q 'kpi.definitions is not empty' "$work/err.txt" || { echo "FAIL: unexpected error:"; cat "$work/err.txt"; exit 1; }

echo "pg_dump/pg_restore and export_catalog kept the 4 definitions (one a funnel KPI), their SMART report, values, verdict, review and target change."
