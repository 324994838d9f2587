/*
 * run_as_owner.c
 *		kpi.read_source(): measure KPIs by reading their source as the
 *		source's owner, inside a security-restricted operation.
 *
 * A KPI's source is a table or view that someone else may own.  A view can
 * call its owner's functions, and a query runs those with the privileges of
 * whoever runs the query.  Had kpi read the source as its caller, a catalog
 * writer's view would run the writer's code with the rights of every reader
 * of the scorecard, a superuser's included.  PostgreSQL met the same problem
 * with index expressions that VACUUM and ANALYZE evaluate (CVE-2022-1552),
 * and runs them as the table's owner inside a security-restricted operation
 * (no SET ROLE, no temporary objects, no deferred work that would outlive
 * it) with a safe search_path.  kpi does the same:
 *
 *   1. As the caller, under search_path = pg_catalog, pg_temp, kpi's query
 *      builder (kpi.source_query, SQL) turns the definitions into one grouped
 *      query.  It is built here from stored definitions only: this function
 *      accepts no SQL text, so it cannot be used to run arbitrary SQL as
 *      someone else.
 *   2. The caller must hold SELECT on the source, or on every column the
 *      KPIs read: reading as the owner never shows a value the caller could
 *      not compute directly.  Sources whose rows depend on who reads them
 *      (row-level security, security_invoker views, foreign tables through
 *      user mappings) are refused (42501) unless the caller is the owner, and
 *      a view is read only for callers with its owner's privileges: its
 *      functions would otherwise see the owner's identity (current_user,
 *      privilege checks) on the caller's behalf.
 *   3. The query is parsed as the caller (so schema lookups are the
 *      caller's), then planned and run as the owner with
 *      SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION.
 *
 * The identity is restored by PG_FINALLY, and by (sub)transaction abort in
 * any case; the search_path by AtEOXact_GUC or the abort.
 *
 * With isolate = true, an error of the source (a failing view, a filter its
 * column no longer accepts, an overflow) is caught in a subtransaction and
 * becomes the problem of the KPIs concerned, with NULL values, so that one
 * broken definition cannot fail the scorecard of everyone.  A group of KPIs
 * that fails is retried one KPI at a time, so that only the broken one loses
 * its value.  Cancels, resource exhaustion and internal errors are rethrown.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/plancache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(kpi_source_owner_problem);
PG_FUNCTION_INFO_V1(kpi_read_source);

/* What one group of KPIs measured: values[kpi][period], counts likewise. */
typedef struct SourceResult
{
	int			nkpis;
	int			nperiods;
	char	  **names;
	double	   *values;
	bool	   *value_nulls;
	int64	   *counts;
	Datum	   *states;			/* kpi.ratio summaries, when asked for */
	bool	   *state_nulls;
	char	   *problem;		/* set when the group failed (isolate) */
} SourceResult;

/*
 * The kpi.ratio summaries of one period (kpi.source_query's fourth column,
 * one per KPI), copied out of SPI's memory.  The element type is read from
 * the array: kpi.ratio's OID differs from database to database.
 */
static void
copy_states(ArrayType *states, int period, SourceResult *result, MemoryContext result_cxt)
{
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	MemoryContext old;

	get_typlenbyvalalign(ARR_ELEMTYPE(states), &typlen, &typbyval, &typalign);
	deconstruct_array(states, ARR_ELEMTYPE(states), typlen, typbyval, typalign, &elems, &elem_nulls, &n);
	/* a shorter array would give each KPI the summary of another */
	if (n != result->nkpis)
		elog(ERROR, "kpi.read_source: %d summaries for %d KPIs", n, result->nkpis);
	old = MemoryContextSwitchTo(result_cxt);
	for (int k = 0; k < n && k < result->nkpis; k++)
	{
		result->state_nulls[k * result->nperiods + period] = elem_nulls[k];
		if (!elem_nulls[k])
			result->states[k * result->nperiods + period] = datumCopy(elems[k], typbyval, typlen);
	}
	MemoryContextSwitchTo(old);
}

/*
 * Why reading relid as its owner would not give the caller the rows the
 * caller would read directly: 'row_level_security', 'security_invoker' or
 * 'foreign_table', or for a view 'view_of_other_role' when the caller lacks its
 * owner's privileges; NULL when it would (or when the caller is the owner).
 */
static const char *
owner_read_problem(Oid relid)
{
	HeapTuple	tuple;
	Form_pg_class form;
	const char *problem = NULL;
	Oid			caller = GetUserId();

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		return NULL;			/* dropped: the query builder says so */
	form = (Form_pg_class) GETSTRUCT(tuple);
	if (form->relowner != caller)
	{
		if (form->relkind == RELKIND_FOREIGN_TABLE)
			problem = "foreign_table";
		else if (form->relrowsecurity &&
				 (form->relforcerowsecurity ||
				  check_enable_rls(relid, InvalidOid, true) != RLS_NONE))
			problem = "row_level_security";
		else if (form->relkind == RELKIND_VIEW)
		{
			Relation	rel = relation_open(relid, AccessShareLock);

			if (RelationHasSecurityInvoker(rel))
				problem = "security_invoker";
			/*
			 * A view's functions see their caller's identity: current_user,
			 * or a privilege check inside pg_stat_activity.  Run as the
			 * owner, they would see the owner's rows, which the caller may
			 * not; so only a caller with the owner's privileges (who could
			 * SET ROLE to it, a superuser included) reads another's view.
			 */
			else if (!has_privs_of_role(caller, form->relowner))
				problem = "view_of_other_role";
			relation_close(rel, AccessShareLock);
		}
	}
	ReleaseSysCache(tuple);
	return problem;
}

/* The owner of a relation (InvalidOid when it no longer exists). */
static Oid
relation_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		return InvalidOid;
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * kpi.source_owner_problem(source regclass) → text: why kpi cannot read the
 * source for the caller (see owner_read_problem), or NULL.
 */
Datum
kpi_source_owner_problem(PG_FUNCTION_ARGS)
{
	const char *problem = owner_read_problem(PG_GETARG_OID(0));

	if (problem == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(problem));
}

/* SELECT on the table, or on each column the KPIs read; else 42501. */
static void
check_caller_can_select(Oid relid, Datum columns)
{
	ArrayType  *array = DatumGetArrayTypeP(columns);
	Datum	   *names;
	bool	   *nulls;
	int			n;
	Oid			caller = GetUserId();
	StringInfoData missing;

	if (pg_class_aclcheck(relid, caller, ACL_SELECT) == ACLCHECK_OK)
		return;
	deconstruct_array(array, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &names, &nulls, &n);
	initStringInfo(&missing);
	for (int i = 0; i < n; i++)
	{
		const char *column = NameStr(*DatumGetName(names[i]));
		AttrNumber	attnum;

		if (nulls[i])
			continue;
		attnum = get_attnum(relid, column);
		if (attnum == InvalidAttrNumber ||
			pg_attribute_aclcheck(relid, attnum, caller, ACL_SELECT) != ACLCHECK_OK)
			appendStringInfo(&missing, "%s%s", missing.len > 0 ? ", " : "", quote_identifier(column));
	}
	if (missing.len > 0 || n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(relid)),
				 errdetail("A KPI reads the columns %s of it, which you may not read.",
						   missing.len > 0 ? missing.data : "(none)"),
				 errhint("Ask the owner of the table for SELECT on it.")));
}

static void
refuse_owner_read(Oid relid, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("kpi reads %s as its owner, which would change the rows you see", get_rel_name(relid)),
			 errdetail("%s",
					   strcmp(problem, "row_level_security") == 0 ?
					   "The table has row-level security, whose policies would apply to its owner instead of you." :
					   strcmp(problem, "security_invoker") == 0 ?
					   "It is a security_invoker view, whose tables would be read with its owner's privileges instead of yours." :
					   strcmp(problem, "view_of_other_role") == 0 ?
					   "It is a view of a role whose privileges you do not have, and its functions would see that role's data instead of yours." :
					   "It is a foreign table, which would be read through its owner's user mapping instead of yours."),
			 errhint("%s", strcmp(problem, "view_of_other_role") == 0 ?
					 "Only a role with the privileges of its owner can measure this KPI; see doc/security.md." :
					 "Only the owner of the source can measure this KPI; see doc/security.md.")));
}

/*
 * The plans of the summary queries (kpi.summary_query's single-node query,
 * which begins with SUMMARY_READ_MARK), kept for the session: a dashboard
 * runs the same few queries over and over, and planning one (three CTEs,
 * a UNION, a FILTER clause per KPI) costs more than running it.  A generic
 * plan: its shape does not depend on the bounds, which only reach it through
 * joins.  Keyed by the query text and the role it runs as; the oldest is
 * replaced.
 *
 * A query of the source is parsed as the caller, so the caller needs USAGE
 * on every schema it names, as for a query of its own.  A kept plan is not
 * parsed again, and the plan cache would parse it again as the owner (after
 * DDL on what it reads, or a grant on a schema): so a kept plan is used only
 * while it is valid and the caller has USAGE on the schema of every relation
 * it reads (kept_plan_usable); otherwise it is prepared anew as the caller,
 * with the errors of a first read.
 */
#define SUMMARY_READ_MARK "/* kpi summary read */"
#define SUMMARY_PLANS 16

typedef struct SummaryPlan
{
	Oid			owner;
	char	   *query;
	SPIPlanPtr	plan;
} SummaryPlan;

static SummaryPlan summary_plans[SUMMARY_PLANS];
static int	summary_plans_next = 0;

static bool
is_summary_read(const char *query)
{
	/* kpi.summary_query's text begins with a line break */
	while (isspace((unsigned char) *query))
		query++;
	return strncmp(query, SUMMARY_READ_MARK, strlen(SUMMARY_READ_MARK)) == 0;
}

/*
 * Whether the caller may run a kept plan as parsed: it is still valid (else
 * the plan cache would parse it again as the owner) and the caller has USAGE
 * on the schema of each relation it reads, as parsing it would require.
 */
static bool
kept_plan_usable(SPIPlanPtr plan)
{
	Oid			caller = GetUserId();
	ListCell   *lc;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *source = (CachedPlanSource *) lfirst(lc);
		ListCell   *rel;

		if (!source->is_valid)
			return false;
		foreach(rel, source->relationOids)
		{
			Oid			namespace = get_rel_namespace(lfirst_oid(rel));

			if (!OidIsValid(namespace) ||
				pg_namespace_aclcheck(namespace, caller, ACL_USAGE) != ACLCHECK_OK)
				return false;
		}
	}
	return true;
}

static SPIPlanPtr
prepare_query(const char *query, Oid owner, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;
	SummaryPlan *slot;

	if (!is_summary_read(query))
	{
		plan = SPI_prepare(query, nargs, argtypes);
		if (plan == NULL)
			elog(ERROR, "kpi.read_source: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		return plan;
	}
	for (int i = 0; i < SUMMARY_PLANS; i++)
		if (summary_plans[i].query != NULL && summary_plans[i].owner == owner &&
			strcmp(summary_plans[i].query, query) == 0)
		{
			if (kept_plan_usable(summary_plans[i].plan))
				return summary_plans[i].plan;
			/* prepared anew below, as the caller, into the next slot */
			pfree(summary_plans[i].query);
			SPI_freeplan(summary_plans[i].plan);
			summary_plans[i].query = NULL;
			summary_plans[i].plan = NULL;
			break;
		}
	plan = SPI_prepare_cursor(query, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "kpi.read_source: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "kpi.read_source: SPI_keepplan failed");
	slot = &summary_plans[summary_plans_next];
	summary_plans_next = (summary_plans_next + 1) % SUMMARY_PLANS;
	if (slot->query != NULL)
	{
		pfree(slot->query);
		SPI_freeplan(slot->plan);
	}
	slot->query = MemoryContextStrdup(TopMemoryContext, query);
	slot->owner = owner;
	slot->plan = plan;
	return plan;
}

/* Runs a prepared plan as owner inside a security-restricted operation. */
static void
execute_as_owner(SPIPlanPtr plan, Oid owner, Datum *values, const char *nulls)
{
	Oid			save_userid;
	int			save_sec_context;
	volatile int rc = 0;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, true, 0);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "kpi.read_source: query returned %d", rc);
}

/*
 * Measures one group of definitions (one source and time column) over the
 * periods of bounds, into result (allocated in result_cxt).
 */
static void
measure_group(Datum definitions, Oid definitions_type, ArrayType *bounds, bool with_states,
			  SourceResult *result, MemoryContext result_cxt)
{
	int			save_nestlevel;
	Datum		arg[2] = {definitions, BoolGetDatum(with_states)};
	Oid			argtype[2] = {definitions_type, BOOLOID};
	HeapTuple	built;
	TupleDesc	built_desc;
	bool		isnull;
	Oid			relid;
	Oid			owner;
	const char *problem;
	char	   *query;
	char	   *empty_query;
	Datum		names_datum;
	Datum	   *name_datums;
	int			nbounds = ArrayGetNItems(ARR_NDIM(bounds), ARR_DIMS(bounds));
	Datum	   *bound_datums;
	Datum		params[3];
	Oid			param_types[3] = {TIMESTAMPTZARRAYOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	SPIPlanPtr	plan;
	bool	   *seen;
	bool		all_seen = true;
	MemoryContext old;

	/* Every name below is resolved in pg_catalog first, whoever runs it. */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	if (SPI_execute_with_args("SELECT q.source, q.columns, q.names, q.query, q.empty_query "
							  "FROM kpi.source_query($1, $2) AS q",
							  2, argtype, arg, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "kpi.source_query returned no row");
	built = SPI_tuptable->vals[0];
	built_desc = SPI_tuptable->tupdesc;
	relid = DatumGetObjectId(SPI_getbinval(built, built_desc, 1, &isnull));
	check_caller_can_select(relid, SPI_getbinval(built, built_desc, 2, &isnull));
	problem = owner_read_problem(relid);
	if (problem != NULL)
		refuse_owner_read(relid, problem);
	owner = relation_owner(relid);
	if (!OidIsValid(owner))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("source of a KPI does not exist"),
				 errdetail("The table or view it names was dropped.")));
	names_datum = SPI_getbinval(built, built_desc, 3, &isnull);
	query = SPI_getvalue(built, built_desc, 4);
	empty_query = SPI_getvalue(built, built_desc, 5);

	old = MemoryContextSwitchTo(result_cxt);
	deconstruct_array(DatumGetArrayTypeP(names_datum), TEXTOID, -1, false, TYPALIGN_INT,
					  &name_datums, NULL, &result->nkpis);
	result->nperiods = nbounds - 1;
	result->names = palloc(sizeof(char *) * result->nkpis);
	for (int i = 0; i < result->nkpis; i++)
		result->names[i] = TextDatumGetCString(name_datums[i]);
	result->values = palloc0(sizeof(double) * result->nkpis * result->nperiods);
	result->value_nulls = palloc(sizeof(bool) * result->nkpis * result->nperiods);
	result->counts = palloc0(sizeof(int64) * result->nkpis * result->nperiods);
	if (with_states)
	{
		/* NULL, the summary of no rows, until a row of the period says otherwise */
		result->states = palloc0(sizeof(Datum) * result->nkpis * result->nperiods);
		result->state_nulls = palloc(sizeof(bool) * result->nkpis * result->nperiods);
		memset(result->state_nulls, true, sizeof(bool) * result->nkpis * result->nperiods);
	}
	seen = palloc0(sizeof(bool) * result->nperiods);
	MemoryContextSwitchTo(old);

	deconstruct_array(bounds, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &bound_datums, NULL, &nbounds);
	params[0] = PointerGetDatum(bounds);
	params[1] = bound_datums[0];
	params[2] = bound_datums[nbounds - 1];

	/*
	 * A summary read runs a kept generic plan (prepare_query), whose cost is
	 * estimated without the bounds: thousands of periods and rows where there
	 * are a few.  JIT decided on that guess compiled some 70 functions, about
	 * 100 ms, on every execution of a read that takes a millisecond; so these
	 * plans are made and run without JIT, whatever the session's setting.
	 */
	if (is_summary_read(query))
		(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);

	/* Parsed as the caller, planned and run as the owner. */
	plan = prepare_query(query, owner, 3, param_types);
	execute_as_owner(plan, owner, params, NULL);

	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		int			period = DatumGetInt32(SPI_getbinval(tuple, desc, 1, &isnull)) - 1;
		Datum	   *values;
		bool	   *value_nulls;
		Datum	   *counts;
		int			n;

		if (isnull || period < 0 || period >= result->nperiods)
			continue;			/* outside the bounds: the WHERE clause keeps none */
		seen[period] = true;
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tuple, desc, 2, &isnull)),
						  FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &values, &value_nulls, &n);
		Assert(n == result->nkpis);
		for (int k = 0; k < n; k++)
		{
			result->values[k * result->nperiods + period] = value_nulls[k] ? 0 : DatumGetFloat8(values[k]);
			result->value_nulls[k * result->nperiods + period] = value_nulls[k];
		}
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tuple, desc, 3, &isnull)),
						  INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &counts, NULL, &n);
		for (int k = 0; k < n; k++)
			result->counts[k * result->nperiods + period] = DatumGetInt64(counts[k]);
		if (with_states && desc->natts >= 4)
		{
			Datum		states = SPI_getbinval(tuple, desc, 4, &isnull);

			if (!isnull)
				copy_states(DatumGetArrayTypeP(states), period, result, result_cxt);
		}
	}
	for (int p = 0; p < result->nperiods; p++)
		all_seen = all_seen && seen[p];

	/*
	 * Periods without rows get what each aggregate gives for no rows (NULL,
	 * or 0 for a count), from the same aggregates over no rows.
	 */
	if (!all_seen)
	{
		Datum	   *values;
		bool	   *value_nulls;
		int			n;

		plan = SPI_prepare(empty_query, 0, NULL);
		if (plan == NULL)
			elog(ERROR, "kpi.read_source: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		execute_as_owner(plan, owner, NULL, NULL);
		if (SPI_processed != 1)
			elog(ERROR, "kpi.read_source: the query over no rows returned " UINT64_FORMAT " rows", SPI_processed);
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
						  FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &values, &value_nulls, &n);
		for (int p = 0; p < result->nperiods; p++)
		{
			if (seen[p])
				continue;
			for (int k = 0; k < n && k < result->nkpis; k++)
			{
				result->values[k * result->nperiods + p] = value_nulls[k] ? 0 : DatumGetFloat8(values[k]);
				result->value_nulls[k * result->nperiods + p] = value_nulls[k];
			}
		}
	}

	AtEOXact_GUC(false, save_nestlevel);
}

/* Errors that isolate = true turns into a KPI's problem; others propagate. */
static bool
isolatable(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_CARDINALITY_VIOLATION:
		case ERRCODE_DATA_EXCEPTION:
		case ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION:
		case ERRCODE_SQL_ROUTINE_EXCEPTION:
		case ERRCODE_EXTERNAL_ROUTINE_EXCEPTION:
		case ERRCODE_EXTERNAL_ROUTINE_INVOCATION_EXCEPTION:
		case ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION:
		case ERRCODE_WITH_CHECK_OPTION_VIOLATION:
		case ERRCODE_FEATURE_NOT_SUPPORTED:
		case ERRCODE_INVALID_TRANSACTION_STATE:
		case ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE:
		case ERRCODE_PLPGSQL_ERROR:
		case ERRCODE_FDW_ERROR:
			return true;
		default:
			return false;
	}
}

/* measure_group in a subtransaction: an error becomes result->problem. */
static void
measure_group_isolated(Datum definitions, Oid definitions_type, ArrayType *bounds, bool with_states,
					   SourceResult *result, MemoryContext result_cxt)
{
	MemoryContext old = CurrentMemoryContext;
	ResourceOwner old_owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(old);
	PG_TRY();
	{
		measure_group(definitions, definitions_type, bounds, with_states, result, result_cxt);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(old);
		CurrentResourceOwner = old_owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(result_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(old);
		CurrentResourceOwner = old_owner;
		if (!isolatable(edata->sqlerrcode))
			ReThrowError(edata);
		result->problem = edata->message;
	}
	PG_END_TRY();
}

/* One row of kpi.read_source: KPI k of result, period p (0-based). */
static void
emit_result(ReturnSetInfo *rsinfo, const SourceResult *result, int k, int p)
{
	int			i = k * result->nperiods + p;
	Datum		values[6];
	bool		nulls[6] = {false, false, result->value_nulls[i], false, true,
	result->states == NULL || result->state_nulls[i]};

	values[0] = CStringGetTextDatum(result->names[k]);
	values[1] = Int32GetDatum(p + 1);
	values[2] = Float8GetDatum(result->values[i]);
	values[3] = Int64GetDatum(result->counts[i]);
	values[4] = (Datum) 0;
	values[5] = nulls[5] ? (Datum) 0 : result->states[i];
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* A row of a KPI whose group failed: no value, no summary, the problem. */
static void
emit_problem(ReturnSetInfo *rsinfo, const char *name, int period, const char *problem)
{
	Datum		values[6] = {0};
	bool		nulls[6] = {false, false, true, false, false, true};

	values[0] = CStringGetTextDatum(name);
	values[1] = Int32GetDatum(period);
	values[3] = Int64GetDatum(0);
	values[4] = CStringGetTextDatum(problem);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * kpi.read_source(definitions kpi.definitions[], bounds timestamptz[],
 *				   isolate boolean, with_states boolean) → TABLE (name text,
 *				   period integer, value double precision, row_count bigint,
 *				   problem text, state kpi.ratio)
 * One row per definition and period k (1-based: [bounds[k], bounds[k+1]))
 * of definitions that share one source and time column.  With with_states,
 * state is the period's kpi.ratio_agg summary of the KPI (with moments), for
 * the significance of a change (kpi.compare); NULL for a metric without a
 * variance model, and always without with_states.
 */
Datum
kpi_read_source(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		definitions = PG_GETARG_DATUM(0);
	ArrayType  *definitions_array = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *bounds = PG_GETARG_ARRAYTYPE_P(1);
	bool		isolate = PG_GETARG_BOOL(2);
	bool		with_states = PG_GETARG_BOOL(3);
	Oid			definitions_type = get_array_type(ARR_ELEMTYPE(definitions_array));
	MemoryContext result_cxt = CurrentMemoryContext;
	SourceResult result = {0};
	int			nbounds = ArrayGetNItems(ARR_NDIM(bounds), ARR_DIMS(bounds));

	InitMaterializedSRF(fcinfo, 0);
	if (ARR_NDIM(bounds) != 1 || nbounds < 2 || array_contains_nulls(bounds))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds must hold at least two moments and no NULL"),
				 errhint("Period k is [bounds[k], bounds[k+1]).")));
	{
		Datum	   *bound_datums;
		int			n;

		deconstruct_array(bounds, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &bound_datums, NULL, &n);
		for (int i = 1; i < n; i++)
			if (DatumGetTimestampTz(bound_datums[i]) < DatumGetTimestampTz(bound_datums[i - 1]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("period ends before it starts"),
						 errdetail("Bound %d is before bound %d.", i + 1, i)));
	}
	if (ArrayGetNItems(ARR_NDIM(definitions_array), ARR_DIMS(definitions_array)) == 0)
		return (Datum) 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "kpi.read_source: SPI_connect failed");
	if (!isolate)
		measure_group(definitions, definitions_type, bounds, with_states, &result, result_cxt);
	else
	{
		measure_group_isolated(definitions, definitions_type, bounds, with_states, &result, result_cxt);
		if (result.problem != NULL)
		{
			/* Retry one KPI at a time: only the broken ones lose their value. */
			Datum	   *defs;
			bool	   *def_nulls;
			int			ndefs;
			int16		typlen;
			bool		typbyval;
			char		typalign;

			get_typlenbyvalalign(ARR_ELEMTYPE(definitions_array), &typlen, &typbyval, &typalign);
			deconstruct_array(definitions_array, ARR_ELEMTYPE(definitions_array), typlen, typbyval,
							  typalign, &defs, &def_nulls, &ndefs);
			for (int i = 0; i < ndefs; i++)
			{
				SourceResult one = {0};
				ArrayType  *single;

				if (def_nulls[i])
					continue;
				single = construct_array(&defs[i], 1, ARR_ELEMTYPE(definitions_array), typlen,
										 typbyval, typalign);
				if (ndefs > 1)
					measure_group_isolated(PointerGetDatum(single), definitions_type, bounds,
										   with_states, &one, result_cxt);
				else
					one.problem = result.problem;
				if (one.problem != NULL)
				{
					/* The name, from the row itself: the query builder failed. */
					HeapTupleHeader row = DatumGetHeapTupleHeader(defs[i]);
					bool		name_null;
					Datum		name = GetAttributeByNum(row, 1, &name_null);

					for (int p = 0; p < nbounds - 1; p++)
						emit_problem(rsinfo, name_null ? "" : TextDatumGetCString(name), p + 1,
									 one.problem);
				}
				else
					for (int p = 0; p < one.nperiods; p++)
						emit_result(rsinfo, &one, 0, p);
			}
			SPI_finish();
			return (Datum) 0;
		}
	}
	SPI_finish();

	for (int k = 0; k < result.nkpis; k++)
		for (int p = 0; p < result.nperiods; p++)
			emit_result(rsinfo, &result, k, p);
	return (Datum) 0;
}
