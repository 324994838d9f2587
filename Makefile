# kpi: PGXS build.  `make && make install && make installcheck` against any PostgreSQL 15.
EXTENSION   = kpi
EXTVERSION  = 0.1.0
MODULE_big  = kpi
OBJS = \
	src/kpi.o \
	src/decimal_sum.o \
	src/float_sum.o \
	src/ratio.o \
	src/ratio_io.o \
	src/ratio_ops.o \
	src/ratio_agg.o \
	src/moving_agg.o

# The install script is assembled from one SQL file per concern (core types and
# aggregates, the KPI catalog, monitoring views), in file-name order.
SCRIPT_PARTS = $(sort $(wildcard src/sql/*.sql))
DATA_built   = kpi--$(EXTVERSION).sql

# pg_regress: every sql/*.sql, in name order (core_ first, then catalog_, monitor_).
REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=. --load-extension=kpi

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

kpi--$(EXTVERSION).sql: $(SCRIPT_PARTS)
	cat $(SCRIPT_PARTS) > $@

# Every object depends on every header: a changed struct must never meet a
# stale object file (PGXS has no automatic dependency tracking).
$(OBJS): $(wildcard src/*.h)
