# kpi: PGXS build.  `make && make install && make installcheck` against any PostgreSQL 15.
EXTENSION   = kpi
EXTVERSION  = 0.2.0
MODULE_big  = kpi
OBJS = \
	src/kpi.o \
	src/decimal_sum.o \
	src/float_sum.o \
	src/ratio.o \
	src/ratio_io.o \
	src/ratio_ops.o \
	src/ratio_agg.o \
	src/moving_agg.o \
	src/settings.o \
	src/filter_sql.o \
	src/input_checks.o \
	src/column_type.o \
	src/run_as_owner.o \
	src/goal_parser.o \
	src/goal.o \
	src/attribution.o \
	src/attribution_totals.o \
	src/funnel.o \
	src/statistics.o

# The install script of the current version is assembled from one SQL file per
# concern (core types and aggregates, settings, the KPI catalog, monitoring, ...)
# in file-name order.
SCRIPT_PARTS = $(sort $(wildcard src/sql/*.sql))

# Released install scripts are frozen, byte for byte as they shipped
# (src/sql/released/).  Each upgrade step is the hand-written changes to objects
# that already existed (src/sql/upgrade/), then the parts that are wholly new
# in that version, then the changes that use those new objects; so a new
# feature file is written once and serves both a fresh install and an update.
UPGRADE_0_2_0_NEW_PARTS = \
	src/sql/12_statistics.sql \
	src/sql/13_funnel.sql \
	src/sql/16_input_checks.sql \
	src/sql/23_run_as_owner.sql \
	src/sql/24_definition_checks.sql \
	src/sql/24_periods.sql \
	src/sql/25_plans.sql \
	src/sql/26_funnel_catalog.sql \
	src/sql/38_export.sql \
	src/sql/50_summaries.sql \
	src/sql/55_snapshots.sql \
	src/sql/60_goals.sql \
	src/sql/70_attribution.sql \
	src/sql/71_cohorts.sql

DATA         = src/sql/released/kpi--0.1.0.sql
DATA_built   = kpi--$(EXTVERSION).sql kpi--0.1.0--0.2.0.sql

# pg_regress: every sql/*.sql.  Each test file creates what it needs, so any
# subset runs in any order (make installcheck REGRESS=catalog_smart).
REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=kpi
# isolationtester: concurrent sessions, specs/*.spec, expected output in expected/.
ISOLATION    = $(sort $(basename $(notdir $(wildcard specs/*.spec))))
ISOLATION_OPTS = --load-extension=kpi

# The guides install with the server's extension docs, in a folder of their own
# (PGXS would put them flat into .../doc/extension/, among other extensions').
DOCS         = $(sort $(wildcard doc/*.md))

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

docmoduledir := extension/kpi
uninstall: uninstall-kpi-docs
uninstall-kpi-docs:
	rm -rf '$(DESTDIR)$(docdir)/$(docmoduledir)'
.PHONY: uninstall-kpi-docs

kpi--$(EXTVERSION).sql: $(SCRIPT_PARTS)
	cat $(SCRIPT_PARTS) > $@

kpi--0.1.0--0.2.0.sql: src/sql/upgrade/kpi--0.1.0--0.2.0.sql $(UPGRADE_0_2_0_NEW_PARTS) \
		src/sql/upgrade/kpi--0.1.0--0.2.0.after-new-parts.sql
	cat $^ > $@

# Every object depends on every header: a changed struct must never meet a
# stale object file (PGXS has no automatic dependency tracking).
$(OBJS): $(wildcard src/*.h)

# The PGXN release archive kpi-$(EXTVERSION).zip: every committed file of HEAD
# (less those marked export-ignore in .gitattributes) under kpi-$(EXTVERSION)/,
# META.json included.  `make dist DIST=/elsewhere/kpi.zip` writes it elsewhere.
DIST = $(EXTENSION)-$(EXTVERSION).zip
dist:
	git archive --format zip --prefix=$(EXTENSION)-$(EXTVERSION)/ -o $(DIST) HEAD
.PHONY: dist
