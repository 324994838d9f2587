/*
 * attribution.c
 *		kpi.attribute(): which channels earned a customer's conversions.
 *
 * Used per customer (GROUP BY customer_id), the aggregate collects the
 * customer's touches and conversions in any order, and its final function
 * sorts them once and credits each conversion from the touches since the
 * previous conversion that lie within the lookback, under one of six models
 * (first_touch, last_touch, last_non_direct, linear, time_decay,
 * position_based).  The result is an array of kpi.credit
 * (conversion_at, channel, credit) that unnest() or kpi.credits() turns into
 * rows.  kpi.attribute_totals (attribution_totals.c) applies the same
 * rules to a whole table and sums the credits per channel, without the
 * GROUP BY customer_id that bounds kpi.attribute's speed; what the two
 * share (the model, the dictionary of channel names, the crediting of one
 * customer's conversions, the pieces of the serialized formats) is here,
 * declared in attribution.h.
 *
 * Credits are exact decimals with at most 12 digits after the point.  The
 * real-valued shares are rounded down to 1e-12 and the units left over go to
 * the channel with the largest credit, so that the credits of one conversion
 * add up to exactly 1 in numeric arithmetic, in any order of summation.
 * A float8 credit could not promise that once a dashboard sums it.
 *
 * Layout, chosen for a million customers in one hash table:
 * - the channel names and the parsed model live once per aggregate call site
 *   (AttrDict, in the transition function's fn_extra), not once per
 *   customer: a customer's state is its touches, 12 bytes each (AttrEvent,
 *   packed), after a 24-byte header, in one allocation of 128 bytes
 *   (8 events) that doubles as needed;
 * - nothing is allocated per row but when a customer's touch array doubles;
 * - the final function ranks only the customer's own channels by name (a
 *   handful, cheaper than a ranking of every channel of the query) and
 *   sorts once by (time, channel rank).
 *
 * The state is internal, with serialize/deserialize functions for parallel
 * query; a serialized state carries the names of its own channels, and a
 * deserialized one is interned into the deserialize function's dictionary.
 * Citus cannot split an internal-state aggregate into partial aggregates, but
 * attribution is grouped by customer: with the touches distributed by
 * customer the whole GROUP BY runs on the workers (doc/attribution.md).
 *
 * Memory per customer grows with that customer's touches only, and is
 * bounded: past ATTR_MAX_EVENTS touches and conversions in one group the
 * aggregate stops with 54000 rather than exhausting memory.  The dictionary
 * grows with the distinct channel names of the query.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "attribution.h"

PG_FUNCTION_INFO_V1(kpi_attribute_accum);
PG_FUNCTION_INFO_V1(kpi_attribute_combine);
PG_FUNCTION_INFO_V1(kpi_attribute_serialize);
PG_FUNCTION_INFO_V1(kpi_attribute_deserialize);
PG_FUNCTION_INFO_V1(kpi_attribute_final);

/* The first allocation of a state, in bytes. */
#define STATE_FIRST_BYTES 128

static const char *const model_names[] = {
	"first_touch", "last_touch", "last_non_direct", "linear", "time_decay",
	"position_based"
};

#define DEFAULT_LOOKBACK (INT64CONST(90) * USECS_PER_DAY)
#define DEFAULT_HALF_LIFE (INT64CONST(7) * USECS_PER_DAY)

/*
 * A touch (channel >= 0) or a conversion (channel = -1): 12 bytes, packed,
 * since a million customers' touches are most of the aggregate's memory.
 */
typedef struct AttrEvent
{
	int64		ts;
	int32		channel;
} pg_attribute_packed() AttrEvent;

/*
 * One allocation: the header and the events, reallocated as a whole when it
 * fills, doubling its size from 128 bytes (8 events; AllocSet rounds to
 * powers of two, so nothing is lost): a customer with 10 touches takes 256
 * bytes.  The state
 * of an internal-type aggregate may move; the executor keeps the pointer the
 * transition function returns.
 */
typedef struct AttrState
{
	AttrStateHead head;			/* first: attr_combine_args reads it */
	int32		nevents;
	int32		maxevents;
	AttrEvent	events[FLEXIBLE_ARRAY_MEMBER];
} AttrState;

#define STATE_CAPACITY(bytes) ((int32) (((bytes) - offsetof(AttrState, events)) / sizeof(AttrEvent)))

/* ---------------------------------------------------------------------------
 * Parameters
 * ---------------------------------------------------------------------------
 */

static int64
interval_usecs(const Interval *iv, const char *what)
{
	int64		usecs;
	int64		part;

	/* A month is 30 days and a day 24 hours, as in extract(epoch ...). */
	if (pg_mul_s64_overflow((int64) iv->month, INT64CONST(30) * USECS_PER_DAY, &usecs) ||
		pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &part) ||
		pg_add_s64_overflow(usecs, part, &usecs) ||
		pg_add_s64_overflow(usecs, iv->time, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is out of range", what)));
	if (usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", what),
				 errdetail("The %s given is %s.", what,
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(iv))))));
	return usecs;
}

static void
invalid_model(const char *spec, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid attribution model \"%s\"", spec),
			 detail ? errdetail("%s", detail) : 0,
			 errhint("The models are first_touch, last_touch, last_non_direct, last_non_direct(<direct channel>), "
					 "linear, time_decay, position_based and position_based(<first>/<middle>/<last>) in percent.")));
}

/*
 * Parse "name" or "name(argument)".  The argument of last_non_direct is the
 * direct channel's name, taken verbatim; that of position_based the split in
 * percent, e.g. 30/40/30.
 */
static void
parse_model(text *model_text, AttrParams *p, MemoryContext cxt)
{
	char	   *spec = text_to_cstring(model_text);
	char	   *open = strchr(spec, '(');
	size_t		name_len = open ? (size_t) (open - spec) : strlen(spec);
	char	   *arg = NULL;
	int			m;

	if (open)
	{
		size_t		len = strlen(spec);

		if (spec[len - 1] != ')')
			invalid_model(spec, "A model's argument is written in parentheses at its end.");
		arg = pnstrdup(open + 1, len - (open - spec) - 2);
	}

	p->model = -1;
	for (m = 0; m < lengthof(model_names); m++)
		if (strlen(model_names[m]) == name_len && strncmp(spec, model_names[m], name_len) == 0)
			p->model = m;
	if (p->model < 0)
		invalid_model(spec, NULL);

	p->direct_len = 0;
	p->direct = NULL;
	p->first_share = 0.4;
	p->middle_share = 0.2;
	p->last_share = 0.4;

	if (arg != NULL && p->model != MODEL_LAST_NON_DIRECT && p->model != MODEL_POSITION_BASED)
		invalid_model(spec, "Only last_non_direct and position_based take an argument in parentheses; time_decay takes its half-life as the argument after the lookback.");

	if (p->model == MODEL_LAST_NON_DIRECT)
	{
		const char *direct = arg ? arg : "direct";

		if (*direct == '\0')
			invalid_model(spec, "The direct channel's name must not be empty.");
		p->direct_len = strlen(direct);
		p->direct = MemoryContextStrdup(cxt, direct);
	}
	else if (p->model == MODEL_POSITION_BASED && arg != NULL)
	{
		double		share[3];
		char	   *cur = arg;
		int			i;

		for (i = 0; i < 3; i++)
		{
			char	   *end;

			errno = 0;
			share[i] = strtod(cur, &end);
			if (end == cur || errno != 0 || !isfinite(share[i]) || share[i] < 0)
				invalid_model(spec, "The split is three percentages, first/middle/last, e.g. 40/20/40.");
			cur = end;
			if (i < 2)
			{
				if (*cur != '/')
					invalid_model(spec, "The split is three percentages, first/middle/last, e.g. 40/20/40.");
				cur++;
			}
		}
		if (*cur != '\0')
			invalid_model(spec, "The split is three percentages, first/middle/last, e.g. 40/20/40.");
		if (fabs(share[0] + share[1] + share[2] - 100.0) > 1e-9)
			invalid_model(spec, "The three percentages must add up to 100.");
		p->first_share = share[0] / 100.0;
		p->middle_share = share[1] / 100.0;
		p->last_share = share[2] / 100.0;
	}
	pfree(spec);
	if (arg)
		pfree(arg);
}

/*
 * The parameters of this call, from its argument "base" (the model: 4 for
 * kpi.attribute, 5 for kpi.attribute_totals) and on.
 */
static void
read_params(FunctionCallInfo fcinfo, int base, AttrParams *p, MemoryContext cxt)
{
	if (PG_ARGISNULL(base))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution model must not be null")));
	parse_model(PG_GETARG_TEXT_PP(base), p, cxt);

	p->bounded = true;
	p->lookback = DEFAULT_LOOKBACK;
	if (PG_NARGS() > base + 1)
	{
		if (PG_ARGISNULL(base + 1))
			p->bounded = false;
		else
			p->lookback = interval_usecs(PG_GETARG_INTERVAL_P(base + 1), "lookback");
	}

	p->half_life = DEFAULT_HALF_LIFE;
	if (PG_NARGS() > base + 2)
	{
		if (p->model != MODEL_TIME_DECAY)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a half-life applies only to the time_decay model"),
					 errdetail("The model is %s.", model_names[p->model])));
		if (PG_ARGISNULL(base + 2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("half-life must not be null")));
		p->half_life = interval_usecs(PG_GETARG_INTERVAL_P(base + 2), "half-life");
	}
}

bool
attr_params_equal(const AttrParams *a, const AttrParams *b)
{
	return a->model == b->model && a->bounded == b->bounded &&
		(!a->bounded || a->lookback == b->lookback) &&
		a->half_life == b->half_life &&
		a->first_share == b->first_share && a->middle_share == b->middle_share &&
		a->last_share == b->last_share && a->direct_len == b->direct_len &&
		(a->direct_len == 0 || memcmp(a->direct, b->direct, a->direct_len) == 0);
}

void
attr_params_differ_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the attribution model and its parameters must be the same for every row of a group")));
}

static AttrParams *
add_params(AttrDict *dict)
{
	AttrParams *p;

	if (dict->nparams >= ATTR_MAX_PARAM_SETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many different attribution models in one kpi.attribute call"),
				 errdetail("One call may see at most %d different sets of model arguments.", ATTR_MAX_PARAM_SETS)));
	p = MemoryContextAllocZero(dict->cxt, sizeof(AttrParams));
	p->direct_channel = -1;
	p->direct_checked_at = -1;
	p->next = dict->params;
	dict->params = p;
	dict->nparams++;
	return p;
}

/* The parsed parameters of this row's arguments, parsed on first sight. */
AttrParams *
attr_find_params(FunctionCallInfo fcinfo, int base, AttrDict *dict)
{
	AttrParams *p;
	AttrParams	parsed;
	text	   *model;

	for (p = dict->params; p != NULL; p = p->next)
		if (attr_args_match(fcinfo, base, p))
			return p;

	/* Parse first, so that an invalid model leaves the dictionary as it was. */
	read_params(fcinfo, base, &parsed, dict->cxt);
	p = add_params(dict);
	memcpy(p, &parsed, offsetof(AttrParams, model_len));
	model = PG_GETARG_TEXT_PP(base);
	p->model_len = VARSIZE_ANY_EXHDR(model);
	p->model_text = MemoryContextAlloc(dict->cxt, Max(p->model_len, 1));
	memcpy(p->model_text, VARDATA_ANY(model), p->model_len);
	p->lookback_null = PG_NARGS() > base + 1 && PG_ARGISNULL(base + 1);
	if (PG_NARGS() > base + 1 && !PG_ARGISNULL(base + 1))
		p->lookback_arg = *PG_GETARG_INTERVAL_P(base + 1);
	if (PG_NARGS() > base + 2)
		p->half_life_arg = *PG_GETARG_INTERVAL_P(base + 2);
	return p;
}

/* ---------------------------------------------------------------------------
 * The dictionary of channel names
 * ---------------------------------------------------------------------------
 */

/* attr_get_dict's first call at a call site: the dictionary, empty. */
AttrDict *
attr_new_dict(FunctionCallInfo fcinfo)
{
	AttrDict   *dict;

	dict = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AttrDict));
	dict->cxt = fcinfo->flinfo->fn_mcxt;
	dict->last_channel = -1;
	fcinfo->flinfo->fn_extra = dict;
	return dict;
}

static void
too_many_events(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many touches and conversions in one attribution group"),
			 errdetail("kpi.attribute keeps at most %d touches and conversions per group.", ATTR_MAX_EVENTS),
			 errhint("Group by customer, and filter the touches to the period of interest first.")));
}

static void
too_many_channels(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many distinct channels in one kpi.attribute call"),
			 errdetail("One call keeps at most %d distinct channels of at most %d bytes in all.",
					   ATTR_MAX_CHANNELS, ATTR_MAX_NAMES_BYTES)));
}

/* Capacity for at least "needed" items; doubles. */
static void *
grow(MemoryContext cxt, void *array, int32 *cap, int64 needed, size_t item_size, int64 limit)
{
	int64		newcap = Max(*cap, 8);
	void	   *result;

	while (newcap < needed)
		newcap *= 2;
	if (newcap > limit)
		newcap = limit;
	if (array == NULL)
		result = MemoryContextAlloc(cxt, newcap * item_size);
	else
		result = repalloc(array, newcap * item_size);
	*cap = (int32) newcap;
	return result;
}

static void
build_slots(AttrDict *d)
{
	int32		nslots = 16;
	int32		i;

	while (nslots < d->nchannels * 2)
		nslots *= 2;
	if (d->slots)
		pfree(d->slots);
	d->slots = MemoryContextAlloc(d->cxt, nslots * sizeof(int32));
	memset(d->slots, 0xff, nslots * sizeof(int32));
	d->nslots = nslots;
	for (i = 0; i < d->nchannels; i++)
	{
		uint32		h = d->channels[i].hash & (nslots - 1);

		while (d->slots[h] >= 0)
			h = (h + 1) & (nslots - 1);
		d->slots[h] = i;
	}
}

/*
 * Add a channel name that attr_lookup_channel did not find (its hash given)
 * and return its id: attr_intern_channel's path for a name not seen before.
 */
int32
attr_add_channel(AttrDict *d, const char *name, int32 len, uint32 hash)
{
	int32		i;

	if (d->nchannels >= ATTR_MAX_CHANNELS || (int64) d->names_len + len > ATTR_MAX_NAMES_BYTES)
		too_many_channels();
	if (d->nchannels >= d->maxchannels)
		d->channels = grow(d->cxt, d->channels, &d->maxchannels, (int64) d->nchannels + 1,
						   sizeof(AttrChannel), ATTR_MAX_CHANNELS);
	if ((int64) d->names_len + len > d->names_cap)
		d->names = grow(d->cxt, d->names, &d->names_cap, (int64) d->names_len + len, 1,
						ATTR_MAX_NAMES_BYTES);
	memcpy(d->names + d->names_len, name, len);
	i = d->nchannels++;
	d->channels[i].offset = d->names_len;
	d->channels[i].len = len;
	d->channels[i].hash = hash;
	d->names_len += len;

	if (d->nchannels > LINEAR_LOOKUP_MAX)
	{
		if (d->nslots < d->nchannels * 2)
			build_slots(d);
		else
		{
			uint32		h = hash & (d->nslots - 1);

			while (d->slots[h] >= 0)
				h = (h + 1) & (d->nslots - 1);
			d->slots[h] = i;
		}
	}
	return d->last_channel = i;
}

/* ---------------------------------------------------------------------------
 * The state
 * ---------------------------------------------------------------------------
 */

static AttrState *
state_new(MemoryContext cxt, AttrDict *dict, AttrParams *params, int64 capacity)
{
	Size		bytes = STATE_FIRST_BYTES;
	AttrState  *s;

	if (capacity > ATTR_MAX_EVENTS)
		too_many_events();
	while (STATE_CAPACITY(bytes) < capacity)
		bytes *= 2;
	s = MemoryContextAlloc(cxt, bytes);
	s->head.dict = dict;
	s->head.params = params;
	s->nevents = 0;
	s->maxevents = Min(STATE_CAPACITY(bytes), ATTR_MAX_EVENTS);
	return s;
}

/* Room for "needed" events: the state may move. */
static AttrState *
reserve_events(AttrState *s, int64 needed)
{
	Size		bytes = STATE_FIRST_BYTES;

	if (needed > ATTR_MAX_EVENTS)
		too_many_events();
	/* the allocation's size: a power of two from STATE_FIRST_BYTES */
	while (STATE_CAPACITY(bytes) < s->maxevents)
		bytes *= 2;
	while (STATE_CAPACITY(bytes) < needed)
		bytes *= 2;
	s = repalloc(s, bytes);
	s->maxevents = Min(STATE_CAPACITY(bytes), ATTR_MAX_EVENTS);
	return s;
}

static pg_attribute_always_inline AttrState *
push_event(AttrState *s, int64 ts, int32 channel)
{
	if (unlikely(s->nevents >= s->maxevents))
		s = reserve_events(s, (int64) s->nevents + 1);
	s->events[s->nevents].ts = ts;
	s->events[s->nevents].channel = channel;
	s->nevents++;
	return s;
}

void
attr_infinite_timestamp(int64 ts)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("attribution needs finite timestamps"),
			 errdetail("A touch or conversion is at %s.", ts > 0 ? "infinity" : "-infinity")));
}

/* ---------------------------------------------------------------------------
 * Transition, combine, serialize, deserialize
 * ---------------------------------------------------------------------------
 */

void
attr_not_aggregate(const char *fname, const char *how)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s can only be called %s", fname, how)));
}

/*
 * kpi.attribute transition: args (state, ts, channel, converted, model
 * [, lookback [, half_life]]).  A row with a channel is a touch; a row with
 * converted = true is a conversion, and, when it also names a channel, a
 * touch at the moment of conversion.  Rows without a time are skipped.
 */
Datum
kpi_attribute_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = attr_agg_context(fcinfo, "kpi.attribute_accum", ATTR_AS_TRANSITION);
	AttrDict   *dict = attr_get_dict(fcinfo);
	AttrState  *s;
	int64		ts;
	int32		channel;
	bool		converted;

	if (PG_ARGISNULL(0))
		s = state_new(aggcontext, dict, attr_row_params(fcinfo, 4, dict, NULL), 0);
	else
	{
		s = (AttrState *) PG_GETARG_POINTER(0);
		attr_row_params(fcinfo, 4, dict, s->head.params);
	}

	if (!attr_read_row(fcinfo, 1, dict, &ts, &channel, &converted))
		PG_RETURN_POINTER(s);
	if (channel >= 0)
		s = push_event(s, ts, channel);
	if (converted)
		s = push_event(s, ts, -1);
	PG_RETURN_POINTER(s);
}

/*
 * A map from the channels of dictionary src to those of another, filled by
 * attr_map_channel as the channels come: -1 for each, to begin with.
 */
int32 *
attr_channel_map_new(const AttrDict *src)
{
	int32	   *map = palloc(Max(src->nchannels, 1) * sizeof(int32));

	memset(map, 0xff, Max(src->nchannels, 1) * sizeof(int32));
	return map;
}

/*
 * Append every event of src to dst, mapping channels when their dictionaries
 * differ; dst may move.
 */
static AttrState *
state_merge(AttrState *dst, const AttrState *src)
{
	int32	   *map = NULL;
	int32		i;

	if ((int64) dst->nevents + src->nevents > dst->maxevents)
		dst = reserve_events(dst, (int64) dst->nevents + src->nevents);
	if (src->head.dict != dst->head.dict)
		map = attr_channel_map_new(src->head.dict);
	for (i = 0; i < src->nevents; i++)
	{
		AttrEvent  *e = &dst->events[dst->nevents++];
		int32		ch = src->events[i].channel;

		e->ts = src->events[i].ts;
		if (map != NULL && ch >= 0)
			ch = attr_map_channel(map, src->head.dict, dst->head.dict, ch);
		e->channel = ch;
	}
	if (map)
		pfree(map);
	return dst;
}

/*
 * The start of both combine functions.  False when the second state is
 * absent: the result is then the first as it is (attr_return_state).  Else
 * *s1 is NULL, and the caller makes it a copy of *s2 in the aggregate
 * context (never an alias of s2), or it has the parameters of *s2.
 */
bool
attr_combine_args(FunctionCallInfo fcinfo, const char *fname, MemoryContext *aggcontext,
				  AttrStateHead **s1, AttrStateHead **s2)
{
	*aggcontext = attr_agg_context(fcinfo, fname, ATTR_AS_COMBINE);
	*s1 = PG_ARGISNULL(0) ? NULL : (AttrStateHead *) PG_GETARG_POINTER(0);
	*s2 = PG_ARGISNULL(1) ? NULL : (AttrStateHead *) PG_GETARG_POINTER(1);
	if (*s2 == NULL)
		return false;
	if (*s1 != NULL)
		attr_check_same_params((*s1)->params, (*s2)->params);
	return true;
}

Datum
kpi_attribute_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrStateHead *h1;
	AttrStateHead *h2;
	AttrState  *s1;
	AttrState  *s2;

	if (!attr_combine_args(fcinfo, "kpi.attribute_combine", &aggcontext, &h1, &h2))
		return attr_return_state(fcinfo, h1);
	s1 = (AttrState *) h1;
	s2 = (AttrState *) h2;
	if (s1 == NULL)
		s1 = state_new(aggcontext, h2->dict, h2->params, s2->nevents);
	s1 = state_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

/*
 * The serialize call site's scratch, with a fresh stamp and no channels
 * numbered, for one state.
 */
SerialScratch *
attr_serial_scratch(FunctionCallInfo fcinfo, const AttrDict *dict)
{
	SerialScratch *sc = (SerialScratch *) fcinfo->flinfo->fn_extra;

	if (sc == NULL)
		fcinfo->flinfo->fn_extra = sc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SerialScratch));
	if (sc->cap < dict->nchannels)
	{
		int32		newcap = Max(dict->nchannels, 16);

		if (sc->local)
		{
			pfree(sc->local);
			pfree(sc->stamp);
			pfree(sc->order);
		}
		sc->local = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, newcap * sizeof(int32));
		sc->stamp = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, newcap * sizeof(uint32));
		sc->order = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, newcap * sizeof(int32));
		sc->cap = newcap;
		sc->current = 0;
	}
	if (++sc->current == 0)
	{
		memset(sc->stamp, 0, sc->cap * sizeof(uint32));
		sc->current = 1;
	}
	sc->nlocal = 0;
	return sc;
}

/*
 * How the serialized formats of both aggregates begin: version byte, the
 * parameters, then the state's own channel names (count, then length and
 * bytes of each), numbered by attr_serial_number.  Workers and leader run
 * the same binary, but the format is still read defensively.
 */
void
attr_serialize_head(StringInfo buf, const AttrStateHead *s, const SerialScratch *sc)
{
	const AttrParams *p = s->params;
	int32		i;

	pq_sendbyte(buf, ATTR_SERIAL_VERSION);
	pq_sendint32(buf, p->model);
	pq_sendbyte(buf, p->bounded ? 1 : 0);
	pq_sendint64(buf, p->lookback);
	pq_sendint64(buf, p->half_life);
	pq_sendfloat8(buf, p->first_share);
	pq_sendfloat8(buf, p->middle_share);
	pq_sendfloat8(buf, p->last_share);
	pq_sendint32(buf, p->direct_len);
	if (p->direct_len > 0)
		pq_sendbytes(buf, p->direct, p->direct_len);
	pq_sendint32(buf, sc->nlocal);
	for (i = 0; i < sc->nlocal; i++)
	{
		const AttrChannel *c = &s->dict->channels[sc->order[i]];

		pq_sendint32(buf, c->len);
		pq_sendbytes(buf, s->dict->names + c->offset, c->len);
	}
}

/*
 * Layout: attr_serialize_head, then the events (count, then time and local
 * channel of each).
 */
Datum
kpi_attribute_serialize(PG_FUNCTION_ARGS)
{
	AttrState  *s;
	SerialScratch *sc;
	StringInfoData buf;
	int32		i;

	attr_agg_context(fcinfo, "kpi.attribute_serialize", ATTR_BY_AGGREGATE);
	s = (AttrState *) PG_GETARG_POINTER(0);
	sc = attr_serial_scratch(fcinfo, s->head.dict);
	for (i = 0; i < s->nevents; i++)
		attr_serial_number(sc, s->events[i].channel);

	pq_begintypsend(&buf);
	attr_serialize_head(&buf, &s->head, sc);
	pq_sendint32(&buf, s->nevents);
	enlargeStringInfo(&buf, s->nevents * 12);
	for (i = 0; i < s->nevents; i++)
	{
		pq_writeint64(&buf, s->events[i].ts);
		pq_writeint32(&buf, attr_serial_local(sc, s->events[i].channel));
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

void
attr_corrupt_state(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized attribution state"),
			 errdetail("%s", what)));
}

void
attr_need_bytes(StringInfo buf, int64 n)
{
	if (n < 0 || n > buf->len - buf->cursor)
		attr_corrupt_state("The state is shorter than its header says.");
}

/*
 * The parameters sent by attr_serialize_head, as the dictionary's entry for
 * them: the deserialized states of one query share their parameters.
 */
static AttrParams *
recv_params(StringInfo buf, AttrDict *dict)
{
	AttrParams	p;
	AttrParams *known;

	memset(&p, 0, sizeof(p));
	attr_need_bytes(buf, 4 + 1 + 8 + 8 + 8 * 3 + 4);
	p.model = pq_getmsgint(buf, 4);
	if (p.model < 0 || p.model >= lengthof(model_names))
		attr_corrupt_state("Unknown model.");
	p.bounded = pq_getmsgbyte(buf) != 0;
	p.lookback = pq_getmsgint64(buf);
	p.half_life = pq_getmsgint64(buf);
	p.first_share = pq_getmsgfloat8(buf);
	p.middle_share = pq_getmsgfloat8(buf);
	p.last_share = pq_getmsgfloat8(buf);
	if (p.half_life <= 0 || (p.bounded && p.lookback <= 0))
		attr_corrupt_state("Non-positive lookback or half-life.");
	p.direct_len = pq_getmsgint(buf, 4);
	attr_need_bytes(buf, p.direct_len);
	p.direct = buf->data + buf->cursor;
	buf->cursor += p.direct_len;

	for (known = dict->params; known != NULL; known = known->next)
		if (attr_params_equal(known, &p))
			break;
	if (known == NULL)
	{
		known = add_params(dict);
		memcpy(known, &p, offsetof(AttrParams, model_len));
		if (p.direct_len > 0)
		{
			known->direct = MemoryContextAlloc(dict->cxt, p.direct_len + 1);
			memcpy(known->direct, p.direct, p.direct_len);
			known->direct[p.direct_len] = '\0';
		}
		else
			known->direct = NULL;
	}

	return known;
}

/*
 * Open the serialized state of a deserialize call: check its version, and
 * read what attr_serialize_head wrote, its parameters and channel names into
 * the call site's dictionary.  A state with more than max_channels channel
 * names is corrupt.
 */
void
attr_deserialize_begin(FunctionCallInfo fcinfo, const char *fname, int32 max_channels,
					   AttrSerialIn *in)
{
	bytea	   *data;
	int32		i;

	in->aggcontext = attr_agg_context(fcinfo, fname, ATTR_BY_AGGREGATE);
	in->dict = attr_get_dict(fcinfo);
	data = PG_GETARG_BYTEA_PP(0);
	in->buf.data = VARDATA_ANY(data);
	in->buf.len = VARSIZE_ANY_EXHDR(data);
	in->buf.maxlen = in->buf.len;
	in->buf.cursor = 0;

	if (in->buf.len < 1 || pq_getmsgbyte(&in->buf) != ATTR_SERIAL_VERSION)
		attr_corrupt_state("Unknown format version.");
	in->params = recv_params(&in->buf, in->dict);

	attr_need_bytes(&in->buf, 4);
	in->nchannels = pq_getmsgint(&in->buf, 4);
	if (in->nchannels < 0 || in->nchannels > max_channels)
		attr_corrupt_state("Bad channel count.");
	in->map = palloc(Max(in->nchannels, 1) * sizeof(int32));
	for (i = 0; i < in->nchannels; i++)
	{
		int32		len;

		attr_need_bytes(&in->buf, 4);
		len = pq_getmsgint(&in->buf, 4);
		attr_need_bytes(&in->buf, len);
		in->map[i] = attr_intern_channel(in->dict, in->buf.data + in->buf.cursor, len);
		in->buf.cursor += len;
	}
}

/* The state must end where its contents do. */
void
attr_deserialize_end(AttrSerialIn *in)
{
	if (in->buf.cursor != in->buf.len)
		attr_corrupt_state("Trailing bytes.");
	pfree(in->map);
}

Datum
kpi_attribute_deserialize(PG_FUNCTION_ARGS)
{
	AttrSerialIn in;
	AttrState  *s;
	int32		nevents;
	int32		i;

	/* A state's channels are at most its events. */
	attr_deserialize_begin(fcinfo, "kpi.attribute_deserialize", ATTR_MAX_EVENTS, &in);
	attr_need_bytes(&in.buf, 4);
	nevents = pq_getmsgint(&in.buf, 4);
	if (nevents < 0 || nevents > ATTR_MAX_EVENTS)
		attr_corrupt_state("Bad event count.");
	attr_need_bytes(&in.buf, (int64) nevents * 12);
	s = state_new(in.aggcontext, in.dict, in.params, nevents);
	for (i = 0; i < nevents; i++)
	{
		AttrEvent  *e = &s->events[i];

		e->ts = pq_getmsgint64(&in.buf);
		e->channel = attr_deserialize_channel(&in, pq_getmsgint(&in.buf, 4));
	}
	s->nevents = nevents;
	attr_deserialize_end(&in);
	PG_RETURN_POINTER(s);
}

/* ---------------------------------------------------------------------------
 * Final: sort once, credit each conversion
 * ---------------------------------------------------------------------------
 */

#define ST_SORT sort_events
#define ST_ELEMENT_TYPE SortEvent
#define ST_COMPARE(a, b) \
	((a)->ts < (b)->ts ? -1 : (a)->ts > (b)->ts ? 1 : \
	 (a)->key < (b)->key ? -1 : (a)->key > (b)->key ? 1 : 0)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* Per final call site: the result type, and scratch arrays by channel rank. */
typedef struct FinalScratch
{
	Oid			element_type;
	TupleDesc	tupdesc;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum		one;			/* the numeric 1 */

	int32		cap;			/* of the arrays below */
	double	   *weight;			/* by local rank */
	int64	   *units;			/* by local rank */
	int32	   *touched;		/* local ranks */
	int32	   *by_rank;		/* local rank -> channel */
	int32	   *rank_of;		/* channel -> local rank, where stamp[] is current */
	uint32	   *stamp;
	uint32		current;
	/* recent credits as numeric, by units: most credits recur (1/4, 1/3, ...) */
	int64		numeric_units[256];
	Datum		numeric_value[256];
	AttrDict   *texts_of;		/* the dictionary texts[] belongs to */
	int32		ntexts;
	text	  **texts;			/* channel -> name as text */
} FinalScratch;

/*
 * The element type of a final function's array result, from the function's
 * own catalog entry (never from fn_expr), with its blessed tuple descriptor,
 * allocated in the current memory context.
 */
void
attr_result_type(FunctionCallInfo fcinfo, const char *fname, Oid *element_type,
				 TupleDesc *tupdesc, int16 *typlen, bool *typbyval, char *typalign)
{
	*element_type = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	if (!OidIsValid(*element_type))
		elog(ERROR, "%s must return an array", fname);
	*tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(*element_type, -1));
	get_typlenbyvalalign(*element_type, typlen, typbyval, typalign);
}

static FinalScratch *
final_scratch(FunctionCallInfo fcinfo, AttrDict *d)
{
	FinalScratch *fs = (FinalScratch *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

	if (fs == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);

		fs = palloc0(sizeof(FinalScratch));
		attr_result_type(fcinfo, "kpi.attribute_final", &fs->element_type, &fs->tupdesc,
						 &fs->typlen, &fs->typbyval, &fs->typalign);
		fs->one = NumericGetDatum(int64_to_numeric(1));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = fs;
	}
	if (fs->cap < d->nchannels)
	{
		int32		newcap = Max(d->nchannels, 16);

		if (fs->weight)
		{
			pfree(fs->weight);
			pfree(fs->units);
			pfree(fs->touched);
			pfree(fs->by_rank);
			pfree(fs->rank_of);
			pfree(fs->stamp);
		}
		fs->weight = MemoryContextAllocZero(mcxt, newcap * sizeof(double));
		fs->units = MemoryContextAlloc(mcxt, newcap * sizeof(int64));
		fs->touched = MemoryContextAlloc(mcxt, newcap * sizeof(int32));
		fs->by_rank = MemoryContextAlloc(mcxt, newcap * sizeof(int32));
		fs->rank_of = MemoryContextAlloc(mcxt, newcap * sizeof(int32));
		fs->stamp = MemoryContextAllocZero(mcxt, newcap * sizeof(uint32));
		fs->current = 0;
		fs->cap = newcap;
	}
	if (fs->texts_of != d || fs->ntexts < d->nchannels)
	{
		int32		n = Max(d->nchannels, 16);

		if (fs->texts_of == d && fs->texts)
		{
			fs->texts = repalloc(fs->texts, n * sizeof(text *));
			memset(fs->texts + fs->ntexts, 0, (n - fs->ntexts) * sizeof(text *));
		}
		else
			fs->texts = MemoryContextAllocZero(mcxt, n * sizeof(text *));
		fs->texts_of = d;
		fs->ntexts = n;
	}
	return fs;
}

/* An exact decimal from units of 1e-12, without trailing zeros. */
Datum
attr_credit_numeric(int64 units)
{
	int			digits = CREDIT_DIGITS;

	while (digits > 0 && units % 10 == 0)
	{
		units /= 10;
		digits--;
	}
	return NumericGetDatum(int64_div_fast_to_numeric(units, digits));
}

typedef struct Output
{
	Datum	   *elems;
	int32		n;
	int32		cap;
} Output;

static void
emit(Output *out, FinalScratch *fs, AttrDict *d, MemoryContext mcxt, int64 conversion_at,
	 int32 channel, int64 units)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	values[0] = TimestampTzGetDatum(conversion_at);
	if (channel < 0)
	{
		nulls[1] = true;
		values[1] = (Datum) 0;
	}
	else
	{
		if (fs->texts[channel] == NULL)
		{
			const AttrChannel *c = &d->channels[channel];
			MemoryContext old = MemoryContextSwitchTo(mcxt);

			fs->texts[channel] = cstring_to_text_with_len(d->names + c->offset, c->len);
			MemoryContextSwitchTo(old);
		}
		values[1] = PointerGetDatum(fs->texts[channel]);
	}
	if (units == CREDIT_UNITS)
		values[2] = fs->one;
	else
	{
		uint32		slot = (uint32) (((uint64) units * UINT64CONST(0x9E3779B97F4A7C15)) >> 56);

		if (fs->numeric_units[slot] != units)
		{
			MemoryContext old = MemoryContextSwitchTo(mcxt);

			if (fs->numeric_units[slot] != 0)
				pfree(DatumGetPointer(fs->numeric_value[slot]));
			fs->numeric_value[slot] = attr_credit_numeric(units);
			fs->numeric_units[slot] = units;
			MemoryContextSwitchTo(old);
		}
		values[2] = fs->numeric_value[slot];
	}
	if (out->n >= out->cap)
	{
		out->cap *= 2;
		out->elems = repalloc(out->elems, out->cap * sizeof(Datum));
	}
	out->elems[out->n++] = HeapTupleGetDatum(heap_form_tuple(fs->tupdesc, values, nulls));
}

/*
 * Turn the real shares of one conversion (weight[] by rank over the ranks in
 * touched[]) into units of 1e-12 that add up to exactly 1 (units[] by rank),
 * and sort touched[] into rank order; weight[] is left zeroed.  Shared by
 * kpi.attribute and kpi.attribute_totals, so that the two agree to the unit.
 */
void
attr_conversion_units(double *weight, int64 *units, int32 *touched, int32 ntouched)
{
	double		total = 0;
	int64		assigned = 0;
	int32		i;
	int32		largest = -1;

	/* touched[] holds ranks, usually a handful: insertion sort */
	for (i = 1; i < ntouched; i++)
	{
		int32		r = touched[i];
		int32		j = i - 1;

		while (j >= 0 && touched[j] > r)
		{
			touched[j + 1] = touched[j];
			j--;
		}
		touched[j + 1] = r;
	}
	for (i = 0; i < ntouched; i++)
		total += weight[touched[i]];
	for (i = 0; i < ntouched; i++)
	{
		int32		r = touched[i];
		double		share = weight[r] / total * (double) CREDIT_UNITS;

		units[r] = share >= (double) CREDIT_UNITS ? CREDIT_UNITS : (int64) floor(share);
		assigned += units[r];
		if (largest < 0 || units[r] > units[largest])
			largest = r;
		weight[r] = 0;
	}
	/* The rounding remainder (a few units of 1e-12) to the largest credit. */
	units[largest] += CREDIT_UNITS - assigned;
}

/* Emit one conversion's credits, in channel-name order. */
static void
emit_conversion(Output *out, FinalScratch *fs, AttrDict *d, MemoryContext mcxt,
				int64 conversion_at, int32 ntouched)
{
	int32		i;

	attr_conversion_units(fs->weight, fs->units, fs->touched, ntouched);
	for (i = 0; i < ntouched; i++)
	{
		int32		r = fs->touched[i];

		if (fs->units[r] > 0)
			emit(out, fs, d, mcxt, conversion_at, fs->by_rank[r], fs->units[r]);
	}
}

static inline void
add_weight(double *weight, int32 *touched, int32 *ntouched, int32 rank, double w)
{
	/* Each rank enters touched[] once: weights are positive once set. */
	if (weight[rank] == 0 && w > 0)
		touched[(*ntouched)++] = rank;
	weight[rank] += w;
}

/*
 * The real-valued weight of each touch in ev[lo, hi) (sorted by time, then
 * channel rank; hi > lo) for the conversion after them, under the model,
 * added into weight[] by rank; the ranks given a weight are listed in
 * touched[].  Returns their number.
 */
static int32
weigh_conversion(const AttrParams *p, const SortEvent *ev, int32 lo, int32 hi,
				 int32 direct_rank, double *weight, int32 *touched)
{
	int32		k = hi - lo;
	int32		ntouched = 0;
	int32		j;

#define RANK(idx) ((int32) ev[(idx)].key)
	switch (p->model)
	{
		case MODEL_FIRST_TOUCH:
			add_weight(weight, touched, &ntouched, RANK(lo), 1.0);
			break;
		case MODEL_LAST_TOUCH:
			add_weight(weight, touched, &ntouched, RANK(hi - 1), 1.0);
			break;
		case MODEL_LAST_NON_DIRECT:
			for (j = hi - 1; j > lo && RANK(j) == direct_rank; j--)
				;
			add_weight(weight, touched, &ntouched, RANK(j), 1.0);
			break;
		case MODEL_LINEAR:
			for (j = lo; j < hi; j++)
				add_weight(weight, touched, &ntouched, RANK(j), 1.0);
			break;
		case MODEL_TIME_DECAY:
			{
				/*
				 * 2^(-Δ/half-life) relative to the latest touch: the
				 * factor 2^(-(conversion - latest)/half-life) cancels in
				 * the normalisation, and the latest touch's weight 1
				 * keeps the total from underflowing.
				 */
				double		latest = (double) ev[hi - 1].ts;
				double		h = (double) p->half_life;

				for (j = lo; j < hi; j++)
					add_weight(weight, touched, &ntouched, RANK(j),
							   exp2(-(latest - (double) ev[j].ts) / h));
				break;
			}
		case MODEL_POSITION_BASED:
			if (k == 1)
				add_weight(weight, touched, &ntouched, RANK(lo), 1.0);
			else if (k == 2)
			{
				double		ends = p->first_share + p->last_share;

				add_weight(weight, touched, &ntouched, RANK(lo),
						   ends > 0 ? p->first_share / ends : 0.5);
				add_weight(weight, touched, &ntouched, RANK(hi - 1),
						   ends > 0 ? p->last_share / ends : 0.5);
			}
			else
			{
				add_weight(weight, touched, &ntouched, RANK(lo), p->first_share);
				add_weight(weight, touched, &ntouched, RANK(hi - 1), p->last_share);
				for (j = lo + 1; j < hi - 1; j++)
					add_weight(weight, touched, &ntouched, RANK(j), p->middle_share / (k - 2));
			}
			break;
		default:
			elog(ERROR, "unknown attribution model %d", p->model);
	}
#undef RANK
	return ntouched;
}

/* Declared, with what it does, in attribution.h. */
void
attr_credit_conversions(const AttrParams *p, const SortEvent *ev, int32 n, int32 direct_rank,
						double *weight, int32 *touched, conversion_fn fn, void *arg)
{
	int32		seg_start = 0;
	int32		i;

	for (i = 0; i < n; i++)
	{
		int32		lo = seg_start;
		int32		hi = i;		/* touches are [lo, hi) */
		int64		oldest;

		if (ev[i].key != PG_UINT32_MAX)
			continue;
		seg_start = i + 1;

		if (p->bounded && !pg_sub_s64_overflow(ev[i].ts, p->lookback, &oldest))
			while (lo < hi && ev[lo].ts < oldest)
				lo++;
		/* No touch in reach: the conversion is unattributed. */
		fn(arg, ev[i].ts, hi > lo ? weigh_conversion(p, ev, lo, hi, direct_rank, weight, touched) : 0);
	}
}

/* kpi.attribute's conversion_fn: the conversion's elements of the result. */
typedef struct EmitContext
{
	Output	   *out;
	FinalScratch *fs;
	AttrDict   *d;
	MemoryContext mcxt;
} EmitContext;

static void
emit_credits(void *arg, int64 conversion_at, int32 ntouched)
{
	EmitContext *ec = (EmitContext *) arg;

	if (ntouched == 0)
		emit(ec->out, ec->fs, ec->d, ec->mcxt, conversion_at, -1, CREDIT_UNITS);
	else
		emit_conversion(ec->out, ec->fs, ec->d, ec->mcxt, conversion_at, ntouched);
}

Datum
kpi_attribute_final(PG_FUNCTION_ARGS)
{
	AttrState  *s;
	AttrDict   *d;
	AttrParams *p;
	FinalScratch *fs;
	int32		direct_rank = -1;
	int32		nlocal = 0;
	SortEvent  *ev;
	Output		out;
	EmitContext ec;
	int32		i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (AttrState *) PG_GETARG_POINTER(0);
	d = s->head.dict;
	p = s->head.params;
	fs = final_scratch(fcinfo, d);

	/*
	 * Rank this customer's channels by name (C collation): a handful, so
	 * this is cheaper than keeping a ranking of every channel of the query,
	 * which a query with many distinct channels would have to redo often.
	 */
	if (++fs->current == 0)
	{
		memset(fs->stamp, 0, fs->cap * sizeof(uint32));
		fs->current = 1;
	}
	for (i = 0; i < s->nevents; i++)
	{
		int32		ch = s->events[i].channel;

		if (ch >= 0 && fs->stamp[ch] != fs->current)
		{
			fs->stamp[ch] = fs->current;
			fs->by_rank[nlocal++] = ch;
		}
	}
	if (nlocal > 1)
	{
		/* insertion sort for the usual few, qsort beyond */
		if (nlocal <= 16)
		{
			for (i = 1; i < nlocal; i++)
			{
				int32		ch = fs->by_rank[i];
				int32		j = i - 1;

				while (j >= 0 && attr_compare_channel_names(&fs->by_rank[j], &ch, d) > 0)
				{
					fs->by_rank[j + 1] = fs->by_rank[j];
					j--;
				}
				fs->by_rank[j + 1] = ch;
			}
		}
		else
			qsort_arg(fs->by_rank, nlocal, sizeof(int32), attr_compare_channel_names, d);
	}
	for (i = 0; i < nlocal; i++)
		fs->rank_of[fs->by_rank[i]] = i;

	if (p->model == MODEL_LAST_NON_DIRECT)
	{
		if (p->direct_channel < 0 && p->direct_checked_at != d->nchannels)
		{
			uint32		hash;

			p->direct_channel = attr_lookup_channel(d, p->direct, p->direct_len, &hash);
			p->direct_checked_at = d->nchannels;
		}
		if (p->direct_channel >= 0 && fs->stamp[p->direct_channel] == fs->current)
			direct_rank = fs->rank_of[p->direct_channel];
	}

	/* Sorted in a copy: the state stays as it was (FINALFUNC_MODIFY = READ_ONLY). */
	ev = palloc(Max(s->nevents, 1) * sizeof(SortEvent));
	for (i = 0; i < s->nevents; i++)
	{
		ev[i].ts = s->events[i].ts;
		ev[i].key = s->events[i].channel < 0 ? PG_UINT32_MAX :
			(uint32) fs->rank_of[s->events[i].channel];
	}
	sort_events(ev, s->nevents);

	out.cap = 8;
	out.n = 0;
	out.elems = palloc(out.cap * sizeof(Datum));

	ec.out = &out;
	ec.fs = fs;
	ec.d = d;
	ec.mcxt = fcinfo->flinfo->fn_mcxt;
	attr_credit_conversions(p, ev, s->nevents, direct_rank, fs->weight, fs->touched, emit_credits, &ec);

	PG_RETURN_ARRAYTYPE_P(construct_array(out.elems, out.n, fs->element_type, fs->typlen,
										  fs->typbyval, fs->typalign));
}

