/*
 * kpi_bench_floor.c
 *		The floor of bench/jit.sh: a two-argument aggregate whose C transition
 *		function does nothing but hand back its state.  Its cost is the
 *		executor's own per-row cost for a two-argument C aggregate (reading the
 *		columns, filling the call frame, the call), which no aggregate over the
 *		same columns can undercut.  Benchmark only, not part of kpi.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(kpi_bench_floor_trans);

Datum
kpi_bench_floor_trans(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}
