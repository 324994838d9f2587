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
 * The state is internal, with serialize and deserialize functions for
 * parallel query.  It is one allocation per entity: a 24-byte header followed
 * by the events, grown by doubling.  Grouping a large table by entity is
 * bound by memory: a row costs one cache and TLB miss per structure it
 * touches, and fresh memory costs page faults.  So one allocation instead of
 * a state and an array, placed next to the group's hash entry (see
 * reserve_events), and small entries are what make the aggregate cheap
 * (bench/funnel_results.md).  An entry is one int64,
 * the timestamp shifted left by 8 bits with the step bitmask in the low byte,
 * as long as the funnel has at most 8 steps and every timestamp lies within
 * +-2^55 microseconds of 2000-01-01 (the years 858 to 3141).  Otherwise the
 * state turns "wide", 16 bytes per entry: the timestamp and a 32-bit mask.
 * Either way one entry per distinct timestamp that matches at least one step:
 * rows that match no step cost nothing, and a run of rows with the same
 * timestamp costs one entry.  An entity is limited to the events that fit in
 * one allocation of wide entries (1 GB, about 67 million distinct
 * timestamps); past that the aggregate stops with a clean
 * program_limit_exceeded error instead of exhausting memory.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/array.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#define FUNNEL_MAX_STEPS 32
#define FUNNEL_FORMAT_VERSION 1

/* Packed entries: ts << 8 | steps, for at most 8 steps and |ts| < 2^55. */
#define FUNNEL_PACKED_STEPS 8
#define FUNNEL_PACKED_MIN (-(INT64CONST(1) << 55))
#define FUNNEL_PACKED_MAX ((INT64CONST(1) << 55) - 1)

/*
 * The first allocation of a state: the header and 13 packed events, which
 * most entities never outgrow (the benchmark's have 9 on average).
 */
#define FUNNEL_FIRST_ALLOC 128

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

/* A wide entry. */
typedef struct FunnelEvent
{
	int64		ts;				/* timestamptz, microseconds */
	uint32		steps;			/* bit i: the event matches step i + 1 */
	uint32		reserved;
} FunnelEvent;

typedef struct FunnelState
{
	int64		within;			/* the window, microseconds */
	int32		nevents;
	int32		capacity;		/* entries that fit in this allocation */
	uint8		nsteps;
	bool		sorted;			/* entries ascending by ts, timestamps distinct */
	bool		wide;			/* FunnelEvent entries, not packed int64 */
	bool		first;			/* allocated by the group's first row: kept when outgrown */
	/* packed: int64 entries; wide: FunnelEvent entries */
	int64		events[FLEXIBLE_ARRAY_MEMBER];
} FunnelState;

#define FUNNEL_HEADER_SIZE offsetof(FunnelState, events)
#define FUNNEL_MAX_EVENTS ((int32) ((MaxAllocSize - FUNNEL_HEADER_SIZE) / sizeof(FunnelEvent)))
#define WIDE_EVENTS(state) ((FunnelEvent *) (state)->events)

static inline int64
pack_event(int64 ts, uint32 steps)
{
	return (int64) (((uint64) ts << 8) | steps);
}

/* An arithmetic shift: gcc and clang define >> of a negative value so. */
static inline int64
packed_ts(int64 event)
{
	return event >> 8;
}

static inline uint32
packed_steps(int64 event)
{
	return (uint32) (event & 0xFF);
}

static inline bool
fits_packed(int64 ts)
{
	return ts >= FUNNEL_PACKED_MIN && ts <= FUNNEL_PACKED_MAX;
}

static inline int64
event_ts(const FunnelState *state, int i)
{
	return state->wide ? WIDE_EVENTS(state)[i].ts : packed_ts(state->events[i]);
}

static inline uint32
event_steps(const FunnelState *state, int i)
{
	return state->wide ? WIDE_EVENTS(state)[i].steps : packed_steps(state->events[i]);
}

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

static void
too_many_events_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("one funnel entity has more than %d distinct event timestamps", FUNNEL_MAX_EVENTS),
			 errdetail("kpi.funnel keeps 8 or 16 bytes per distinct timestamp that matches a step, up to 1 GB per entity."),
			 errhint("Group by a finer entity, or filter out rows that match no step.")));
}

static inline Size
entry_size(bool wide)
{
	return wide ? sizeof(FunnelEvent) : sizeof(int64);
}

/* The bytes a state's header and its entries take. */
static inline Size
used_size(const FunnelState *state)
{
	return FUNNEL_HEADER_SIZE + entry_size(state->wide) * state->nevents;
}

/*
 * The allocation size for at least `needed` entries: a power of two (what
 * the allocator rounds small chunks up to anyway), at least
 * FUNNEL_FIRST_ALLOC, at most MaxAllocSize.  So a full state that needs one
 * more entry doubles.
 */
static Size
state_size(int64 needed, bool wide)
{
	if (needed > FUNNEL_MAX_EVENTS)
		too_many_events_error();
	return Min(Max(pg_nextpower2_size_t(FUNNEL_HEADER_SIZE + entry_size(wide) * (Size) needed),
				   (Size) FUNNEL_FIRST_ALLOC),
			   MaxAllocSize);
}

static inline int32
capacity_of(Size bytes, bool wide)
{
	int64		capacity = (bytes - FUNNEL_HEADER_SIZE) / entry_size(wide);

	return (int32) Min(capacity, (int64) FUNNEL_MAX_EVENTS);
}

/*
 * A state for `capacity` entries, packed or wide; wide is required past
 * FUNNEL_PACKED_STEPS steps.
 */
static FunnelState *
new_state(MemoryContext context, int64 within, int32 nsteps, bool wide, int64 capacity)
{
	Size		bytes = state_size(capacity, wide);
	FunnelState *state = MemoryContextAlloc(context, bytes);

	state->within = within;
	state->nsteps = (uint8) nsteps;
	state->sorted = true;
	state->wide = wide;
	state->first = false;
	state->nevents = 0;
	state->capacity = capacity_of(bytes, wide);
	return state;
}

/*
 * A copy of a state in `context` with room for `needed` entries; the copy is
 * never the group's first allocation (see reserve_events).
 */
static FunnelState *
copy_state(MemoryContext context, const FunnelState *state, int64 needed)
{
	Size		bytes = state_size(needed, state->wide);
	FunnelState *copy = MemoryContextAlloc(context, bytes);

	memcpy(copy, state, used_size(state));
	copy->capacity = capacity_of(bytes, state->wide);
	copy->first = false;
	return copy;
}

/*
 * Room for `more` entries, doubling.  The state may move: callers use the
 * pointer returned.
 */
static FunnelState *
reserve_events(FunnelState *state, int64 more)
{
	int64		needed = (int64) state->nevents + more;
	Size		bytes;

	if (needed <= state->capacity)
		return state;
	/*
	 * The first allocation is not freed when the state outgrows it.  In hash
	 * aggregation it sits right after the group's key and per-group data,
	 * which the executor allocated just before the first row's transition,
	 * so a row that finds its group finds the state on the same page, often
	 * on the next cache line.  A freed chunk of that size would be handed to
	 * the next new group's state, far from that group's key: every row of
	 * that group would pay one more cache and TLB miss.  The cost is at most FUNNEL_FIRST_ALLOC bytes per
	 * entity that outgrew it, less than the events it holds.
	 */
	if (state->first)
		return copy_state(GetMemoryChunkContext(state), state, needed);
	bytes = state_size(needed, state->wide);
	state = repalloc(state, bytes);
	state->capacity = capacity_of(bytes, state->wide);
	return state;
}

/* Packed entries as wide ones. */
static void
widen_events(FunnelEvent *to, const int64 *from, int32 n)
{
	for (int i = 0; i < n; i++)
	{
		to[i].ts = packed_ts(from[i]);
		to[i].steps = packed_steps(from[i]);
		to[i].reserved = 0;
	}
}

/* The state with wide entries, room for `more` more; the old one is freed. */
static FunnelState *
make_wide(FunnelState *state, int64 more)
{
	FunnelState *wide;

	Assert(!state->wide);
	wide = new_state(GetMemoryChunkContext(state), state->within, state->nsteps, true,
					 (int64) state->nevents + more);
	wide->sorted = state->sorted;
	widen_events(WIDE_EVENTS(wide), state->events, state->nevents);
	wide->nevents = state->nevents;
	if (!state->first)			/* see reserve_events */
		pfree(state);
	return wide;
}

/* Append an entry as it is (no merging), keeping the sorted flag right. */
static FunnelState *
append_event(FunnelState *state, int64 ts, uint32 steps)
{
	if (!state->wide && !fits_packed(ts))
		state = make_wide(state, 1);
	else
		state = reserve_events(state, 1);
	if (state->nevents > 0 && event_ts(state, state->nevents - 1) >= ts)
		state->sorted = false;
	if (state->wide)
	{
		FunnelEvent *e = &WIDE_EVENTS(state)[state->nevents];

		e->ts = ts;
		e->steps = steps;
		e->reserved = 0;
	}
	else
		state->events[state->nevents] = pack_event(ts, steps);
	state->nevents++;
	return state;
}

/*
 * One event of a row.  The usual case, packed, is inline: the last entry is
 * next to where the new one goes, so a row touches the header's cache line
 * and at most one more.  An event at the last entry's timestamp merges into
 * it; input sorted by time, the usual case, needs no sort at the end.
 */
static inline FunnelState *
add_event(FunnelState *state, int64 ts, uint32 steps)
{
	if (likely(!state->wide && fits_packed(ts)))
	{
		int32		n = state->nevents;

		if (n > 0)
		{
			int64		last = packed_ts(state->events[n - 1]);

			if (last == ts)
			{
				state->events[n - 1] |= steps;
				return state;
			}
			if (last > ts)
				state->sorted = false;
		}
		if (unlikely(n == state->capacity))
			state = reserve_events(state, 1);
		state->events[n] = pack_event(ts, steps);
		state->nevents = n + 1;
		return state;
	}
	if (state->wide && state->nevents > 0)
	{
		FunnelEvent *last = &WIDE_EVENTS(state)[state->nevents - 1];

		if (last->ts == ts)
		{
			last->steps |= steps;
			return state;
		}
	}
	return append_event(state, ts, steps);
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
		/* A few instructions, no memory: '1 day' and '24 hours' are equal. */
		if (window_micros(given) != state->within)
			state_mismatch_error("window");
	}
	else
	{
		state = new_state(aggcontext, window_micros(given), nsteps, nsteps > FUNNEL_PACKED_STEPS, 0);
		state->first = true;
	}
	if (mask != 0 && !PG_ARGISNULL(1))
		state = add_event(state, PG_GETARG_TIMESTAMPTZ(1), mask);
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
	bool		b_before = false;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "kpi_funnel_combine called in non-aggregate context");
	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)				/* a copy: the second state belongs to someone else */
		PG_RETURN_POINTER(copy_state(aggcontext, b, b->nevents));
	if (a->nsteps != b->nsteps)
		state_mismatch_error("number of steps");
	if (a->within != b->within)
		state_mismatch_error("window");
	if (b->nevents == 0)
		PG_RETURN_POINTER(a);
	if (a->nevents > 0 && event_ts(a, a->nevents - 1) >= event_ts(b, 0))
		b_before = true;
	if (b->wide && !a->wide)
		a = make_wide(a, b->nevents);
	else
		a = reserve_events(a, b->nevents);
	if (a->wide == b->wide)
		memcpy((char *) a->events + entry_size(a->wide) * a->nevents, b->events, entry_size(b->wide) * b->nevents);
	else						/* a wide, b packed */
		widen_events(WIDE_EVENTS(a) + a->nevents, b->events, b->nevents);
	a->sorted = a->sorted && b->sorted && !b_before;
	a->nevents += b->nevents;
	PG_RETURN_POINTER(a);
}

/*
 * Serialized form: version byte, number of steps, sorted flag, window
 * (int64), event count (int32), then per event ts (int64) and steps (int32).
 * The same whether the state is packed or wide.
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
		pq_sendint64(&buf, event_ts(state, i));
		pq_sendint32(&buf, event_steps(state, i));
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
	(void) pq_getmsgbyte(&buf);	/* the sorted flag: never trusted, recomputed */
	within = pq_getmsgint64(&buf);
	nevents = pq_getmsgint(&buf, 4);
	if (version != FUNNEL_FORMAT_VERSION || nsteps < 1 || nsteps > FUNNEL_MAX_STEPS ||
		within < 0 || nevents < 0 || nevents > FUNNEL_MAX_EVENTS ||
		(int64) buf.len - 15 != (int64) nevents * 12)
		elog(ERROR, "invalid kpi.funnel state");
	valid_steps = nsteps == 32 ? PG_UINT32_MAX : ((uint32) 1 << nsteps) - 1;
	state = new_state(aggcontext, within, nsteps, nsteps > FUNNEL_PACKED_STEPS, nevents);
	for (int i = 0; i < nevents; i++)
	{
		int64		ts = pq_getmsgint64(&buf);
		uint32		steps = pq_getmsgint(&buf, 4);

		if (steps == 0 || (steps & ~valid_steps) != 0)
			elog(ERROR, "invalid kpi.funnel state: event %d matches steps %x", i, steps);
		/* widened once, with room for the rest */
		if (!state->wide && !fits_packed(ts))
			state = make_wide(state, nevents - i);
		state = append_event(state, ts, steps);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

#define ST_SORT sort_packed_events
#define ST_ELEMENT_TYPE int64
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

#define ST_SORT sort_wide_events
#define ST_ELEMENT_TYPE FunnelEvent
#define ST_COMPARE(a, b) (((a)->ts > (b)->ts) - ((a)->ts < (b)->ts))
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Sort by time and merge equal timestamps.  This rewrites the state but not
 * what it means (the same events), so the final functions are READ_ONLY in
 * the sense that matters: calling them again, or adding rows afterwards,
 * gives the right answer.  Packed entries sort as integers: by timestamp,
 * then by steps, which the merge ORs together.
 */
static void
normalise(FunnelState *state)
{
	int			out = 0;
	int			n = state->nevents;

	if (state->sorted)
		return;
	if (!state->wide)
	{
		int64	   *events = state->events;

		if (n <= 32)
		{
			/* most entities have a handful of events: no sort call overhead */
			for (int i = 1; i < n; i++)
			{
				int64		e = events[i];
				int			j = i;

				for (; j > 0 && events[j - 1] > e; j--)
					events[j] = events[j - 1];
				events[j] = e;
			}
		}
		else
			sort_packed_events(events, n);
		for (int i = 0; i < n; i++)
		{
			if (out > 0 && packed_ts(events[out - 1]) == packed_ts(events[i]))
				events[out - 1] |= packed_steps(events[i]);
			else
				events[out++] = events[i];
		}
	}
	else
	{
		FunnelEvent *events = WIDE_EVENTS(state);

		sort_wide_events(events, n);
		for (int i = 0; i < n; i++)
		{
			if (out > 0 && events[out - 1].ts == events[i].ts)
				events[out - 1].steps |= events[i].steps;
			else
				events[out++] = events[i];
		}
	}
	state->nevents = out;
	state->sorted = true;
}

/*
 * The pass over the events in time order.  start[j] is the latest timestamp
 * of step 1 of any chain that has reached step j + 1 so far (valid for
 * j < reached).
 */
typedef struct FunnelPass
{
	int64		start[FUNNEL_MAX_STEPS];
	int32		reached;
	int32		nsteps;
	uint64		within;
	bool		strict;
} FunnelPass;

/* One event; true once every step is reached. */
static inline bool
pass_event(FunnelPass *pass, int64 ts, uint32 steps)
{
	while (steps != 0)
	{
		/*
		 * Default mode: ascending, so one timestamp can serve several
		 * consecutive steps.  Strict mode: descending, so every step builds
		 * on a chain that ended before this timestamp.
		 */
		int			j = pass->strict ? pg_leftmost_one_pos32(steps) : pg_rightmost_one_pos32(steps);

		steps &= ~((uint32) 1 << j);
		if (j == 0)
		{
			pass->start[0] = ts;
			if (pass->reached == 0)
				pass->reached = 1;
		}
		/*
		 * start[j - 1] <= ts, as events come in time order; the unsigned
		 * difference cannot overflow even for -infinity.
		 */
		else if (j <= pass->reached && (uint64) ts - (uint64) pass->start[j - 1] <= pass->within)
		{
			pass->start[j] = pass->start[j - 1];
			if (j == pass->reached)
			{
				pass->reached = j + 1;
				if (pass->reached == pass->nsteps)
					return true;
			}
		}
	}
	return false;
}

/* The longest chain. */
static int32
funnel_level(FunnelState *state, bool strict)
{
	FunnelPass	pass;

	pass.reached = 0;
	pass.nsteps = state->nsteps;
	pass.within = (uint64) state->within;
	pass.strict = strict;
	normalise(state);
	if (!state->wide)
	{
		for (int i = 0; i < state->nevents; i++)
			if (pass_event(&pass, packed_ts(state->events[i]), packed_steps(state->events[i])))
				break;
	}
	else
	{
		for (int i = 0; i < state->nevents; i++)
			if (pass_event(&pass, WIDE_EVENTS(state)[i].ts, WIDE_EVENTS(state)[i].steps))
				break;
	}
	return pass.reached;
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
