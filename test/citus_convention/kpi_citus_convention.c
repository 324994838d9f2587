/*
 * kpi_citus_convention.c
 *		Test-only: run any aggregate the way Citus splits it, without Citus.
 *
 * Citus cannot be installed in CI (it is not in Debian), yet kpi must work
 * when Citus runs its aggregates as partial aggregates on the workers and a
 * combine on the coordinator.  Citus does that with two helper aggregates of
 * its own, in src/backend/distributed/utils/aggregate_utils.c (tag v13.2.2):
 * https://github.com/citusdata/citus/blob/v13.2.2/src/backend/distributed/utils/aggregate_utils.c
 *
 *	- worker_partial_agg(agg oid, args): its transition looks up the
 *	  aggregate's transition function in pg_aggregate, calls it through a
 *	  fresh fmgr_info() (so fn_expr is NULL and fn_extra starts empty on
 *	  every row), passing its own aggregate call context on; its final
 *	  function turns the state into text with the state type's output
 *	  function.
 *	- coord_combine_agg(agg oid, state text, result anyelement): its
 *	  transition reads each worker's text with the state type's input
 *	  function and merges it with the combine function, again through a
 *	  bare fmgr_info(); its final function calls the aggregate's final
 *	  function, or returns the state when there is none.
 *
 * This module provides the same pair under the same contract, written from
 * that description (no Citus code): kpi_citus_convention.worker_partial_agg
 * and kpi_citus_convention.coord_combine_agg.  Like Citus it honours strict
 * transition and combine functions, an initial value, and copies a returned
 * state into the aggregate context when the function returned a new one.
 * Citus wraps several arguments in a record; here the one or two arguments
 * are passed as they are, which changes nothing for the functions called.
 *
 * It is built and loaded only by test/citus_convention.sh, never installed
 * with kpi.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(citus_convention_partial_sfunc);
PG_FUNCTION_INFO_V1(citus_convention_partial_ffunc);
PG_FUNCTION_INFO_V1(citus_convention_combine_sfunc);
PG_FUNCTION_INFO_V1(citus_convention_combine_ffunc);

/* The state of both helper aggregates: the inner aggregate's state. */
typedef struct InnerState
{
	Oid			aggregate;
	Oid			transfn;
	Oid			combinefn;
	Oid			finalfn;
	Oid			transtype;
	int16		transtype_len;
	bool		transtype_byval;
	bool		value_null;
	bool		value_initialised;	/* strict transition: first value taken */
	Datum		value;
} InnerState;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi_citus_convention: called outside an aggregate");
	return aggcontext;
}

/* A new state for the aggregate, with its initial value if it has one. */
static InnerState *
new_inner_state(FunctionCallInfo fcinfo, Oid aggregate)
{
	MemoryContext aggcontext = aggregate_context(fcinfo);
	InnerState *state = MemoryContextAllocZero(aggcontext, sizeof(InnerState));
	HeapTuple	tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggregate));
	Form_pg_aggregate form;
	Datum		initval;
	bool		initval_null;

	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %u is not an aggregate", aggregate)));
	form = (Form_pg_aggregate) GETSTRUCT(tuple);
	state->aggregate = aggregate;
	state->transfn = form->aggtransfn;
	state->combinefn = form->aggcombinefn;
	state->finalfn = form->aggfinalfn;
	state->transtype = form->aggtranstype;
	if (state->transtype == INTERNALOID || !OidIsValid(state->combinefn))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("aggregate %u cannot be split: it needs a combine function and a state type other than internal",
						aggregate)));
	get_typlenbyval(state->transtype, &state->transtype_len, &state->transtype_byval);
	initval = SysCacheGetAttr(AGGFNOID, tuple, Anum_pg_aggregate_agginitval, &initval_null);
	state->value_null = initval_null;
	state->value_initialised = !initval_null;
	if (!initval_null)
	{
		Oid			input;
		Oid			ioparam;
		char	   *text_value = TextDatumGetCString(initval);
		MemoryContext old = MemoryContextSwitchTo(aggcontext);

		getTypeInputInfo(state->transtype, &input, &ioparam);
		state->value = OidInputFunctionCall(input, text_value, ioparam, -1);
		MemoryContextSwitchTo(old);
	}
	ReleaseSysCache(tuple);
	return state;
}

/* Take a value as the state, copied into the aggregate context. */
static void
adopt_value(FunctionCallInfo fcinfo, InnerState *state, Datum value, bool isnull)
{
	if (!state->transtype_byval && !isnull &&
		(state->value_null || DatumGetPointer(value) != DatumGetPointer(state->value)))
	{
		MemoryContext old = MemoryContextSwitchTo(aggregate_context(fcinfo));

		value = datumCopy(value, false, state->transtype_len);
		MemoryContextSwitchTo(old);
	}
	state->value = value;
	state->value_null = isnull;
	state->value_initialised = true;
}

/*
 * Call fn(state, args...) through a bare fmgr_info, as Citus does: no
 * fn_expr, an empty fn_extra on every call, and the helper aggregate's own
 * call context passed on.
 */
static void
call_step(FunctionCallInfo fcinfo, InnerState *state, Oid fn, int nargs,
		  const Datum *args, const bool *nulls)
{
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	FmgrInfo	info;
	Datum		result;

	fmgr_info(fn, &info);
	Assert(info.fn_expr == NULL);
	if (info.fn_strict)
	{
		for (int i = 0; i < nargs; i++)
			if (nulls[i])
				return;
		if (!state->value_initialised)
		{
			/* strict with no initial value: the first input is the state */
			adopt_value(fcinfo, state, args[0], false);
			return;
		}
		if (state->value_null)
			return;
	}
	InitFunctionCallInfoData(*inner, &info, nargs + 1, fcinfo->fncollation,
							 fcinfo->context, NULL);
	inner->args[0].value = state->value;
	inner->args[0].isnull = state->value_null;
	for (int i = 0; i < nargs; i++)
	{
		inner->args[i + 1].value = args[i];
		inner->args[i + 1].isnull = nulls[i];
	}
	result = FunctionCallInvoke(inner);
	adopt_value(fcinfo, state, result, inner->isnull);
}

/*
 * Transition of worker_partial_agg(aggregate, arg [, arg [, arg]]): the aggregate's
 * own transition function, called as Citus's worker_partial_agg_sfunc does.
 */
Datum
citus_convention_partial_sfunc(PG_FUNCTION_ARGS)
{
	InnerState *state;
	Datum		args[3];
	bool		nulls[3];
	int			nargs = PG_NARGS() - 2;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the aggregate must not be NULL")));
	if (PG_ARGISNULL(0))
		state = new_inner_state(fcinfo, PG_GETARG_OID(1));
	else
		state = (InnerState *) PG_GETARG_POINTER(0);
	for (int i = 0; i < nargs; i++)
	{
		args[i] = PG_GETARG_DATUM(i + 2);
		nulls[i] = PG_ARGISNULL(i + 2);
	}
	call_step(fcinfo, state, state->transfn, nargs, args, nulls);
	PG_RETURN_POINTER(state);
}

/* Final function of worker_partial_agg: the state as text, via its output function. */
Datum
citus_convention_partial_ffunc(PG_FUNCTION_ARGS)
{
	InnerState *state = PG_ARGISNULL(0) ? NULL : (InnerState *) PG_GETARG_POINTER(0);
	Oid			output;
	bool		varlena;

	if (state == NULL || state->value_null)
		PG_RETURN_NULL();
	getTypeOutputInfo(state->transtype, &output, &varlena);
	PG_RETURN_TEXT_P(cstring_to_text(OidOutputFunctionCall(output, state->value)));
}

/*
 * Transition of coord_combine_agg(aggregate, state text, result type): read
 * one worker's state with the input function, merge it with the combine
 * function, as Citus's coord_combine_agg_sfunc does.
 */
Datum
citus_convention_combine_sfunc(PG_FUNCTION_ARGS)
{
	InnerState *state;
	Datum		partial = (Datum) 0;
	bool		partial_null = PG_ARGISNULL(2);

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the aggregate must not be NULL")));
	if (PG_ARGISNULL(0))
		state = new_inner_state(fcinfo, PG_GETARG_OID(1));
	else
		state = (InnerState *) PG_GETARG_POINTER(0);
	if (!partial_null)
	{
		Oid			input;
		Oid			ioparam;

		getTypeInputInfo(state->transtype, &input, &ioparam);
		partial = OidInputFunctionCall(input, text_to_cstring(PG_GETARG_TEXT_PP(2)),
									   ioparam, -1);
	}
	call_step(fcinfo, state, state->combinefn, 1, &partial, &partial_null);
	PG_RETURN_POINTER(state);
}

/*
 * Final function of coord_combine_agg: the aggregate's final function on the
 * merged state (extra arguments NULL), or the state itself.
 */
Datum
citus_convention_combine_ffunc(PG_FUNCTION_ARGS)
{
	InnerState *state = PG_ARGISNULL(0) ? NULL : (InnerState *) PG_GETARG_POINTER(0);
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	FmgrInfo	info;
	HeapTuple	tuple;
	bool		final_extra;
	int			nargs = 1;
	Datum		result;

	if (state == NULL)
	{
		/* no partial state at all, as when every worker had no rows */
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		state = new_inner_state(fcinfo, PG_GETARG_OID(1));
	}
	if (!OidIsValid(state->finalfn))
	{
		if (state->value_null)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(state->value);
	}
	tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(state->aggregate));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for aggregate %u", state->aggregate);
	final_extra = ((Form_pg_aggregate) GETSTRUCT(tuple))->aggfinalextra;
	ReleaseSysCache(tuple);

	fmgr_info(state->finalfn, &info);
	if (info.fn_strict && state->value_null)
		PG_RETURN_NULL();
	if (final_extra)
		nargs = PG_NARGS();		/* as Citus: the extra arguments are all NULL */
	InitFunctionCallInfoData(*inner, &info, nargs, fcinfo->fncollation,
							 fcinfo->context, NULL);
	inner->args[0].value = state->value;
	inner->args[0].isnull = state->value_null;
	for (int i = 1; i < nargs; i++)
	{
		inner->args[i].value = (Datum) 0;
		inner->args[i].isnull = true;
	}
	result = FunctionCallInvoke(inner);
	fcinfo->isnull = inner->isnull;
	return result;
}
