/*
 * kpi.c
 *		Module entry point.
 *
 * The kpi.* settings (kpi.language, kpi.enforce_smart, ...) are deliberately
 * not defined here: a setting defined in C only becomes real when the library
 * is loaded, and when that happens inside a parallel query PostgreSQL cannot
 * apply the session's earlier SET to it, so the value would silently revert
 * to its default.  kpi.setting() in src/sql/15_settings.sql reads and
 * validates them instead.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
