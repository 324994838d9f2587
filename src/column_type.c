/*
 * column_type.c
 *		kpi.column_type(): the base type of a column of a table or view, from
 *		the system caches.
 *
 * The query builder asks for the type of each column of a definition several
 * times per measurement.  As a lookup in the catalog caches it costs next to
 * nothing, and a call counts as a cheap argument for the planner, which then
 * inlines the SQL helpers that take it (kpi.type_kind(kpi.column_type(...))).
 * A SQL function with a subquery on pg_attribute would run a query of its
 * own on every call.
 */
#include "postgres.h"

#include "access/attnum.h"
#include "fmgr.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(kpi_column_type);

/*
 * kpi.column_type(source regclass, column_name name) → regtype: the type of
 * the user column (the base type for a domain), or NULL when the relation
 * has no such column, or no longer exists.
 */
Datum
kpi_column_type(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Name		column = PG_GETARG_NAME(1);
	AttrNumber	attnum = get_attnum(relid, NameStr(*column));	/* not dropped ones */
	Oid			type_oid;

	if (attnum <= 0)			/* missing, or a system column */
		PG_RETURN_NULL();
	type_oid = get_atttype(relid, attnum);
	if (!OidIsValid(type_oid))
		PG_RETURN_NULL();
	PG_RETURN_OID(getBaseType(type_oid));
}
