/*
 * funnel.c
 *		kpi.funnel: how far one entity got through an ordered funnel within a
 *		time window, and kpi.funnel_counts: how many entities reached each step.
 *
 * The reference is ClickHouse's windowFunnel in its default mode.  Its
 * result, for one entity, is the largest k for which there are events
 * e1 ... ek (rows of the group, not necessarily distinct) with ei matching
 * step i and
 *
 *		ts(e1) <= ts(e2) <= ... <= ts(ek) <= ts(e1) + within.
 *
 * So equal timestamps count as "at or after", and one row matching several
 * steps may serve as several consecutive steps of one chain, as in
 * ClickHouse, whose stable sort of (timestamp, step) pairs puts a row's lower
 * steps first.  kpi.funnel_strictly_increasing asks for ts(e1) < ts(e2) <
 * ... < ts(ek) instead.
 *
 * The algorithm is ClickHouse's single pass over the events in time order,
 * keeping per step the latest start (timestamp of step 1) of any chain that
 * reached it.  The latest start is the best one: a later start leaves more of
 * the window for the steps still to come, so keeping only it loses no chain,
 * and the pass is exact, not a heuristic.  Events with equal timestamps are
 * merged into one entry with a bitmask of the steps they match: at one
 * timestamp only the set of matched steps matters (the steps are taken in
 * ascending order in the default mode, and in descending order, so that none
 * feeds the next, in the strict mode).
 *
 * The state is internal (an array of events per entity), with serialize and
 * deserialize functions for parallel query.  It holds one 16-byte entry per
 * distinct timestamp that matches at least one step: rows that match no step
 * cost nothing, and a run of rows with the same timestamp costs one entry.
 * An entity is limited to the events that fit in one allocation (1 GB, about
 * 67 million distinct timestamps); past that the aggregate stops with a clean
 * program_limit_exceeded error instead of exhausting memory.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#define FUNNEL_MAX_STEPS 32
#define FUNNEL_FORMAT_VERSION 1
#define FUNNEL_INLINE_EVENTS 4
#define FUNNEL_MAX_EVENTS ((int32) (MaxAllocSize / sizeof(FunnelEvent)))

PG_FUNCTION_INFO_V1(kpi_funnel_accum);
PG_FUNCTION_INFO_V1(kpi_funnel_accum_args);
PG_FUNCTION_INFO_V1(kpi_funnel_combine);
PG_FUNCTION_INFO_V1(kpi_funnel_serialize);
PG_FUNCTION_INFO_V1(kpi_funnel_deserialize);
PG_FUNCTION_INFO_V1(kpi_funnel_final);
PG_FUNCTION_INFO_V1(kpi_funnel_strict_final);
PG_FUNCTION_INFO_V1(kpi_funnel_counts_accum);
PG_FUNCTION_INFO_V1(kpi_funnel_counts_combine);
PG_FUNCTION_INFO_V1(kpi_funnel_counts_moving_accum);
PG_FUNCTION_INFO_V1(kpi_funnel_counts_moving_retract);
PG_FUNCTION_INFO_V1(kpi_funnel_counts_moving_final);

typedef struct FunnelEvent
{
	int64		ts;				/* timestamptz, microseconds */
	uint32		steps;			/* bit i: the event matches step i + 1 */
	uint32		reserved;
} FunnelEvent;

typedef struct FunnelState
{
	int64		within;			/* the window, microseconds */
	Interval	given;			/* the window as the first row gave it */
	int32		nsteps;
	bool		sorted;			/* events ascending by ts, timestamps distinct */
	int32		nevents;
	int32		capacity;
	FunnelEvent *events;		/* inline_events, or an array of its own */
	/*
	 * The first events live in the state itself: most entities have a few
	 * events, and one allocation per group instead of two, on the same cache
	 * lines, is a measurable part of the per-row cost.
	 */
	FunnelEvent inline_events[FUNNEL_INLINE_EVENTS];
} FunnelState;

static void
steps_error(int32 nsteps)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("a funnel has between 1 and %d steps, not %d", FUNNEL_MAX_STEPS, nsteps),
			 errhint("Pass the step conditions as separate boolean arguments: kpi.funnel(ts, within, step1, step2, ...).")));
}

/* The window as microseconds: days count as 24 hours, months are refused. */
static int64
window_micros(const Interval *within)
{
	int64		micros;

	if (within->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a funnel window cannot contain months or years"),
				 errdetail("A month has no fixed length, and the funnel measures the window as an exact duration."),
				 errhint("Write the window in days, e.g. interval '30 days'.")));
	if (pg_mul_s64_overflow((int64) within->day, USECS_PER_DAY, &micros) ||
		pg_add_s64_overflow(micros, within->time, &micros))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("funnel window out of range")));
	if (micros < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a funnel window cannot be negative")));
	return micros;
}

static void
state_mismatch_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the funnel %s differs between rows of one group", what),
			 errdetail("Every row of a funnel must use the same window and the same number of steps.")));
}

static FunnelState *
new_state(MemoryContext context, int64 within, int32 nsteps, int32 capacity)
{
	FunnelState *state = MemoryContextAlloc(context, sizeof(FunnelState));

	state->within = within;
	state->given.time = within;
	state->given.day = 0;
	state->given.month = 0;
	state->nsteps = nsteps;
	state->sorted = true;
	state->nevents = 0;
	if (capacity <= FUNNEL_INLINE_EVENTS)
	{
		state->capacity = FUNNEL_INLINE_EVENTS;
		state->events = state->inline_events;
	}
	else
	{
		state->capacity = capacity;
		state->events = MemoryContextAlloc(context, sizeof(FunnelEvent) * capacity);
	}
	return state;
}

/* Room for `more` events; the events array lives where the state does. */
static void
reserve_events(FunnelState *state, int64 more)
{
	int64		needed = (int64) state->nevents + more;
	int64		capacity;

	if (needed <= state->capacity)
		return;
	if (needed > FUNNEL_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("one funnel entity has more than %d distinct event timestamps", FUNNEL_MAX_EVENTS),
				 errdetail("kpi.funnel keeps 16 bytes per distinct timestamp that matches a step, up to 1 GB per entity."),
				 errhint("Group by a finer entity, or filter out rows that match no step.")));
	capacity = Min(Max(needed, (int64) state->capacity * 2), (int64) FUNNEL_MAX_EVENTS);
	if (state->events == state->inline_events)
	{
		FunnelEvent *events = MemoryContextAlloc(GetMemoryChunkContext(state),
												 sizeof(FunnelEvent) * capacity);

		memcpy(events, state->inline_events, sizeof(FunnelEvent) * state->nevents);
		state->events = events;
	}
	else
		state->events = repalloc(state->events, sizeof(FunnelEvent) * capacity);
	state->capacity = (int32) capacity;
}

static inline void
add_event(FunnelState *state, int64 ts, uint32 steps)
{
	if (state->nevents > 0)
	{
		FunnelEvent *last = &state->events[state->nevents - 1];

		/* Input sorted by time, the usual case, needs no sort at the end. */
		if (last->ts == ts)
		{
			last->steps |= steps;
			return;
		}
		if (last->ts > ts)
			state->sorted = false;
	}
	if (unlikely(state->nevents == state->capacity))
		reserve_events(state, 1);
	state->events[state->nevents].ts = ts;
	state->events[state->nevents].steps = steps;
	state->events[state->nevents].reserved = 0;
	state->nevents++;
}

/* The bitmask of the true elements of the steps array; NULL counts as false. */
static inline uint32
step_mask(ArrayType *steps, int32 *nsteps)
{
	int			n;
	const bool *values;
	const bits8 *nulls;
	uint32		mask = 0;

	if (ARR_NDIM(steps) != 1)
		steps_error(ARR_NDIM(steps) == 0 ? 0 : ArrayGetNItems(ARR_NDIM(steps), ARR_DIMS(steps)));
	n = ARR_DIMS(steps)[0];
	if (n < 1 || n > FUNNEL_MAX_STEPS)
		steps_error(n);
	*nsteps = n;
	values = (const bool *) ARR_DATA_PTR(steps);
	nulls = ARR_NULLBITMAP(steps);
	if (likely(nulls == NULL))
	{
		for (int i = 0; i < n; i++)
			mask |= (uint32) (values[i] != 0) << i;
	}
	else
	{
		/* Only the non-NULL elements are stored, one byte each. */
		for (int i = 0; i < n; i++)
			if (nulls[i / 8] & (1 << (i % 8)))
				mask |= (uint32) (*values++ != 0) << i;
	}
	return mask;
}

/*
 * One row: check the arguments against the state, and keep the event if it
 * matches a step.  Rows with a NULL timestamp only check their arguments.
 */
static pg_attribute_always_inline Datum
accumulate(FunctionCallInfo fcinfo, uint32 mask, int32 nsteps)
{
	MemoryContext aggcontext;
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	const Interval *given;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi.funnel transition called in non-aggregate context");
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the funnel window cannot be NULL")));
	given = PG_GETARG_INTERVAL_P(2);
	if (likely(state != NULL))
	{
		if (nsteps != state->nsteps)
			state_mismatch_error("number of steps");
		/* The cheap check first: the window exactly as the first row gave it. */
		if (unlikely(given->time != state->given.time || given->day != state->given.day ||
					 given->month != state->given.month) &&
			window_micros(given) != state->within)
			state_mismatch_error("window");
	}
	else
	{
		state = new_state(aggcontext, window_micros(given), nsteps, 0);
		state->given = *given;
	}
	if (mask != 0 && !PG_ARGISNULL(1))
		add_event(state, PG_GETARG_TIMESTAMPTZ(1), mask);
	PG_RETURN_POINTER(state);
}

/* Transition: kpi.funnel(ts, within, VARIADIC steps boolean[]). */
Datum
kpi_funnel_accum(PG_FUNCTION_ARGS)
{
	int32		nsteps;
	uint32		mask;

	if (PG_ARGISNULL(3))		/* VARIADIC NULL: no steps to check against */
	{
		if (!AggCheckCallContext(fcinfo, NULL))
			elog(ERROR, "kpi.funnel transition called in non-aggregate context");
		/* No state yet is a NULL, never a null pointer passed as a value. */
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	mask = step_mask(PG_GETARG_ARRAYTYPE_P(3), &nsteps);
	return accumulate(fcinfo, mask, nsteps);
}

/*
 * Transition of the overloads kpi.funnel(ts, within, step1, ..., stepk) for
 * k = 2 .. 8, which PostgreSQL prefers to the VARIADIC signature when the
 * steps are written out: the same aggregate without building an array per
 * row, which costs about a quarter of a count(*) per entity.  The steps are
 * arguments 3 .. nargs - 1; a NULL step is false.
 */
Datum
kpi_funnel_accum_args(PG_FUNCTION_ARGS)
{
	int32		nsteps = PG_NARGS() - 3;
	uint32		mask = 0;

	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS)
		steps_error(nsteps);
	for (int i = 0; i < nsteps; i++)
		if (!PG_ARGISNULL(3 + i) && PG_GETARG_BOOL(3 + i))
			mask |= (uint32) 1 << i;
	return accumulate(fcinfo, mask, nsteps);
}

/* Combine: the events of both partial states. */
Datum
kpi_funnel_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	FunnelState *a = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelState *b = PG_ARGISNULL(1) ? NULL : (FunnelState *) PG_GETARG_POINTER(1);

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi_funnel_combine called in non-aggregate context");
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		/* Copy: the second state belongs to someone else. */
		a = new_state(aggcontext, b->within, b->nsteps, b->nevents);
		memcpy(a->events, b->events, sizeof(FunnelEvent) * b->nevents);
		a->nevents = b->nevents;
		a->sorted = b->sorted;
		PG_RETURN_POINTER(a);
	}
	if (a->nsteps != b->nsteps)
		state_mismatch_error("number of steps");
	if (a->within != b->within)
		state_mismatch_error("window");
	if (b->nevents == 0)
		PG_RETURN_POINTER(a);
	reserve_events(a, b->nevents);
	if (a->nevents > 0 && a->events[a->nevents - 1].ts >= b->events[0].ts)
		a->sorted = false;
	a->sorted = a->sorted && b->sorted;
	memcpy(a->events + a->nevents, b->events, sizeof(FunnelEvent) * b->nevents);
	a->nevents += b->nevents;
	PG_RETURN_POINTER(a);
}

/*
 * Serialized form: version byte, number of steps, sorted flag, window
 * (int64), event count (int32), then per event ts (int64) and steps (int32).
 */
Datum
kpi_funnel_serialize(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "kpi_funnel_serialize called in non-aggregate context");
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, 15 + 12 * state->nevents);
	pq_sendbyte(&buf, FUNNEL_FORMAT_VERSION);
	pq_sendbyte(&buf, state->nsteps);
	pq_sendbyte(&buf, state->sorted ? 1 : 0);
	pq_sendint64(&buf, state->within);
	pq_sendint32(&buf, state->nevents);
	for (int i = 0; i < state->nevents; i++)
	{
		pq_sendint64(&buf, state->events[i].ts);
		pq_sendint32(&buf, state->events[i].steps);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialize, checking every length and field before using it. */
Datum
kpi_funnel_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcontext;
	StringInfoData buf;
	FunnelState *state;
	int			version;
	int32		nsteps;
	bool		sorted;
	int64		within;
	int32		nevents;
	uint32		valid_steps;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi_funnel_deserialize called in non-aggregate context");
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	if (buf.len < 15)
		elog(ERROR, "invalid kpi.funnel state: %d bytes", buf.len);
	version = pq_getmsgbyte(&buf);
	nsteps = pq_getmsgbyte(&buf);
	sorted = pq_getmsgbyte(&buf) != 0;
	within = pq_getmsgint64(&buf);
	nevents = pq_getmsgint(&buf, 4);
	if (version != FUNNEL_FORMAT_VERSION || nsteps < 1 || nsteps > FUNNEL_MAX_STEPS ||
		within < 0 || nevents < 0 || nevents > FUNNEL_MAX_EVENTS ||
		(int64) buf.len - 15 != (int64) nevents * 12)
		elog(ERROR, "invalid kpi.funnel state");
	valid_steps = nsteps == 32 ? PG_UINT32_MAX : ((uint32) 1 << nsteps) - 1;
	state = new_state(aggcontext, within, nsteps, nevents);
	for (int i = 0; i < nevents; i++)
	{
		state->events[i].ts = pq_getmsgint64(&buf);
		state->events[i].steps = pq_getmsgint(&buf, 4);
		state->events[i].reserved = 0;
		if (state->events[i].steps == 0 || (state->events[i].steps & ~valid_steps) != 0)
			elog(ERROR, "invalid kpi.funnel state: event %d matches steps %x", i, state->events[i].steps);
		/* never trust the flag: a state that is not sorted gets sorted */
		if (i > 0 && state->events[i].ts <= state->events[i - 1].ts)
			sorted = false;
	}
	state->nevents = nevents;
	state->sorted = sorted;
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

static int
event_cmp(const void *a, const void *b)
{
	int64		x = ((const FunnelEvent *) a)->ts;
	int64		y = ((const FunnelEvent *) b)->ts;

	return (x > y) - (x < y);
}

/*
 * Sort by time and merge equal timestamps.  This rewrites the state but not
 * what it means (the same events), so the final functions are READ_ONLY in
 * the sense that matters: calling them again, or adding rows afterwards,
 * gives the right answer.
 */
static void
normalise(FunnelState *state)
{
	int			out = 0;

	if (state->sorted)
		return;
	if (state->nevents <= 32)
	{
		/* most entities have a handful of events: no qsort call overhead */
		for (int i = 1; i < state->nevents; i++)
		{
			FunnelEvent e = state->events[i];
			int			j = i;

			for (; j > 0 && state->events[j - 1].ts > e.ts; j--)
				state->events[j] = state->events[j - 1];
			state->events[j] = e;
		}
	}
	else
		qsort(state->events, state->nevents, sizeof(FunnelEvent), event_cmp);
	for (int i = 0; i < state->nevents; i++)
	{
		if (out > 0 && state->events[out - 1].ts == state->events[i].ts)
			state->events[out - 1].steps |= state->events[i].steps;
		else
			state->events[out++] = state->events[i];
	}
	state->nevents = out;
	state->sorted = true;
}

/*
 * The longest chain.  start[j] is the latest timestamp of step 1 of any
 * chain that has reached step j + 1 so far (valid for j < reached).
 */
static int32
funnel_level(FunnelState *state, bool strict)
{
	int64		start[FUNNEL_MAX_STEPS];
	int32		reached = 0;
	uint64		within = (uint64) state->within;

	normalise(state);
	for (int i = 0; i < state->nevents; i++)
	{
		int64		ts = state->events[i].ts;
		uint32		steps = state->events[i].steps;

		while (steps != 0)
		{
			/*
			 * Default mode: ascending, so one timestamp can serve several
			 * consecutive steps.  Strict mode: descending, so every step
			 * builds on a chain that ended before this timestamp.
			 */
			int			j = strict ? 31 - __builtin_clz(steps) : __builtin_ctz(steps);

			steps &= ~((uint32) 1 << j);
			if (j == 0)
			{
				start[0] = ts;
				if (reached == 0)
					reached = 1;
			}
			/*
			 * start[j - 1] <= ts, as events come in time order; the unsigned
			 * difference cannot overflow even for -infinity.
			 */
			else if (j <= reached && (uint64) ts - (uint64) start[j - 1] <= within)
			{
				start[j] = start[j - 1];
				if (j == reached)
				{
					reached = j + 1;
					if (reached == state->nsteps)
						return reached;
				}
			}
		}
	}
	return reached;
}

/* kpi.funnel: ClickHouse windowFunnel's default mode. */
Datum
kpi_funnel_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(funnel_level((FunnelState *) PG_GETARG_POINTER(0), false));
}

/* kpi.funnel_strictly_increasing: each step strictly after the previous. */
Datum
kpi_funnel_strict_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(funnel_level((FunnelState *) PG_GETARG_POINTER(0), true));
}

/* ------------------------------------------------------------------------
 * kpi.funnel_counts(steps_reached, nsteps) -> bigint[]: element k is the
 * number of entities that reached step k or further.  The state is the
 * result itself, a bigint[], so that Citus can ship partial states as text.
 * ------------------------------------------------------------------------
 */

static void
check_counts_args(int32 reached, int32 nsteps)
{
	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS)
		steps_error(nsteps);
	if (reached < 0 || reached > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps_reached must be between 0 and nsteps (%d), not %d", nsteps, reached)));
}

/* A well-formed counts array, or an error: partial states may come as text. */
static int64 *
counts_data(ArrayType *counts, int32 *nsteps)
{
	int64	   *values;
	int			n;

	if (ARR_NDIM(counts) != 1 || ARR_HASNULL(counts) || ARR_ELEMTYPE(counts) != INT8OID ||
		ARR_LBOUND(counts)[0] != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid kpi.funnel_counts state"),
				 errdetail("A state is a one-dimensional bigint array without NULLs, indexed from 1.")));
	n = ARR_DIMS(counts)[0];
	if (n < 1 || n > FUNNEL_MAX_STEPS)
		steps_error(n);
	values = (int64 *) ARR_DATA_PTR(counts);
	for (int i = 0; i < n; i++)
		if (values[i] < 0 || (i > 0 && values[i] > values[i - 1]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid kpi.funnel_counts state"),
					 errdetail("The counts must be non-negative and never grow from one step to the next.")));
	*nsteps = n;
	return values;
}

static ArrayType *
zero_counts(MemoryContext context, int32 nsteps)
{
	Size		size = ARR_OVERHEAD_NONULLS(1) + sizeof(int64) * nsteps;
	ArrayType  *counts = MemoryContextAllocZero(context, size);

	SET_VARSIZE(counts, size);
	counts->ndim = 1;
	counts->dataoffset = 0;
	counts->elemtype = INT8OID;
	ARR_DIMS(counts)[0] = nsteps;
	ARR_LBOUND(counts)[0] = 1;
	return counts;
}

static inline void
add_reached(int64 *counts, int32 reached)
{
	for (int i = 0; i < reached; i++)
		if (unlikely(pg_add_s64_overflow(counts[i], 1, &counts[i])))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kpi.funnel_counts out of range")));
}

Datum
kpi_funnel_counts_accum(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	int32		reached;
	int32		nsteps;
	int32		state_steps;
	int64	   *counts;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	reached = PG_GETARG_INT32(1);
	nsteps = PG_GETARG_INT32(2);
	check_counts_args(reached, nsteps);
	/*
	 * In an aggregate the state is ours to update in place (int8_avg_accum
	 * does too).  A new one goes to the current context: the executor copies
	 * a new state value into its own context.
	 */
	if (PG_ARGISNULL(0))
		state = zero_counts(CurrentMemoryContext, nsteps);
	else if (AggCheckCallContext(fcinfo, NULL))
		state = PG_GETARG_ARRAYTYPE_P(0);
	else
		state = PG_GETARG_ARRAYTYPE_P_COPY(0);	/* a plain call must not change its argument */
	counts = counts_data(state, &state_steps);
	if (state_steps != nsteps)
		state_mismatch_error("number of steps");
	add_reached(counts, reached);
	PG_RETURN_ARRAYTYPE_P(state);
}

Datum
kpi_funnel_counts_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	ArrayType  *b;
	int64	   *ca;
	int64	   *cb;
	int32		na;
	int32		nb;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	b = PG_GETARG_ARRAYTYPE_P(1);
	cb = counts_data(b, &nb);
	if (PG_ARGISNULL(0))
		PG_RETURN_ARRAYTYPE_P(b);	/* the executor copies it into its context */
	a = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	ca = counts_data(a, &na);
	if (na != nb)
		state_mismatch_error("number of steps");
	for (int i = 0; i < na; i++)
		if (pg_add_s64_overflow(ca[i], cb[i], &ca[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("kpi.funnel_counts out of range")));
	PG_RETURN_ARRAYTYPE_P(a);
}

/*
 * Moving (window) state: the counts and the number of rows in the frame, so
 * that an empty frame gives NULL, as the plain aggregate over no rows does.
 */
typedef struct FunnelCountsMoving
{
	int64		rows;
	int32		nsteps;
	int64		counts[FUNNEL_MAX_STEPS];
} FunnelCountsMoving;

static Datum
counts_moving_step(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext aggcontext;
	FunnelCountsMoving *state = PG_ARGISNULL(0) ? NULL : (FunnelCountsMoving *) PG_GETARG_POINTER(0);
	int32		reached;
	int32		nsteps;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi.funnel_counts moving transition called in non-aggregate context");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	reached = PG_GETARG_INT32(1);
	nsteps = PG_GETARG_INT32(2);
	check_counts_args(reached, nsteps);
	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(FunnelCountsMoving));
		state->nsteps = nsteps;
	}
	if (state->nsteps != nsteps)
		state_mismatch_error("number of steps");
	if (sign > 0)
	{
		state->rows++;
		add_reached(state->counts, reached);
	}
	else
	{
		/* the inverse of an add that happened: exact */
		Assert(state->rows > 0);
		state->rows--;
		for (int i = 0; i < reached; i++)
			state->counts[i]--;
	}
	PG_RETURN_POINTER(state);
}

Datum
kpi_funnel_counts_moving_accum(PG_FUNCTION_ARGS)
{
	return counts_moving_step(fcinfo, 1);
}

Datum
kpi_funnel_counts_moving_retract(PG_FUNCTION_ARGS)
{
	return counts_moving_step(fcinfo, -1);
}

Datum
kpi_funnel_counts_moving_final(PG_FUNCTION_ARGS)
{
	FunnelCountsMoving *state = PG_ARGISNULL(0) ? NULL : (FunnelCountsMoving *) PG_GETARG_POINTER(0);
	ArrayType  *counts;

	if (state == NULL || state->rows == 0)
		PG_RETURN_NULL();
	counts = zero_counts(CurrentMemoryContext, state->nsteps);
	memcpy(ARR_DATA_PTR(counts), state->counts, sizeof(int64) * state->nsteps);
	PG_RETURN_ARRAYTYPE_P(counts);
}
