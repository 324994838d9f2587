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
 * rows.  kpi.attribute_totals (at the end of this file) applies the same
 * rules to a whole table and sums the credits per channel, without the
 * GROUP BY customer_id that bounds kpi.attribute's speed.
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
 * - the final function sorts once by (time, channel rank), and ranks the
 *   channels by name once per query, not once per customer.
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
#include <sys/mman.h>

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

PG_FUNCTION_INFO_V1(kpi_attribute_accum);
PG_FUNCTION_INFO_V1(kpi_attribute_combine);
PG_FUNCTION_INFO_V1(kpi_attribute_serialize);
PG_FUNCTION_INFO_V1(kpi_attribute_deserialize);
PG_FUNCTION_INFO_V1(kpi_attribute_final);

/* 12 bytes per entry: 48 MB per customer at most. */
#define ATTR_MAX_EVENTS (4 * 1024 * 1024)
#define ATTR_MAX_CHANNELS (16 * 1024 * 1024)
#define ATTR_MAX_NAMES_BYTES (256 * 1024 * 1024)
/* Distinct model arguments one call site may see (a model per customer). */
#define ATTR_MAX_PARAM_SETS 64

/* Credits are integers in units of 1e-12. */
#define CREDIT_DIGITS 12
#define CREDIT_UNITS INT64CONST(1000000000000)

/* Serialized format version: bump when the layout changes. */
#define ATTR_SERIAL_VERSION 1

/* The first allocation of a state, in bytes. */
#define STATE_FIRST_BYTES 128
/* Dictionaries larger than this get a hash index. */
#define LINEAR_LOOKUP_MAX 8

typedef enum AttrModel
{
	MODEL_FIRST_TOUCH,
	MODEL_LAST_TOUCH,
	MODEL_LAST_NON_DIRECT,
	MODEL_LINEAR,
	MODEL_TIME_DECAY,
	MODEL_POSITION_BASED
} AttrModel;

static const char *const model_names[] = {
	"first_touch", "last_touch", "last_non_direct", "linear", "time_decay",
	"position_based"
};

#define DEFAULT_LOOKBACK (INT64CONST(90) * USECS_PER_DAY)
#define DEFAULT_HALF_LIFE (INT64CONST(7) * USECS_PER_DAY)

/* The model and its parameters, parsed once per distinct set of arguments. */
typedef struct AttrParams
{
	int32		model;			/* AttrModel */
	bool		bounded;		/* false: NULL lookback, no limit */
	int64		lookback;		/* microseconds */
	int64		half_life;		/* microseconds, time_decay */
	float8		first_share;	/* position_based, fractions summing to 1 */
	float8		middle_share;
	float8		last_share;
	int32		direct_len;		/* last_non_direct: the direct channel */
	char	   *direct;

	/* The arguments they were parsed from, compared per row. */
	int32		model_len;
	char	   *model_text;
	bool		lookback_null;
	Interval	lookback_arg;
	Interval	half_life_arg;

	/* The direct channel's id in the dictionary, looked up when it grows. */
	int32		direct_channel;
	int32		direct_checked_at;
	struct AttrParams *next;
} AttrParams;

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
 * The final function's sort entry: the channel's rank by name for a touch,
 * UINT32_MAX for a conversion, so that at one instant the touches come first
 * (in name order) and a touch at the very instant of a conversion counts for
 * it.
 */
typedef struct SortEvent
{
	int64		ts;
	uint32		key;
} SortEvent;

typedef struct AttrChannel
{
	int32		offset;			/* into names */
	int32		len;
	uint32		hash;
} AttrChannel;

/* Per call site: channel names, parsed models, and the channels' name order. */
typedef struct AttrDict
{
	MemoryContext cxt;
	AttrParams *params;
	int32		nparams;

	int32		nchannels;
	int32		maxchannels;
	AttrChannel *channels;
	int32		names_len;
	int32		names_cap;
	char	   *names;
	int32		last_channel;	/* one-entry lookup cache, -1 if none */
	int32		nslots;			/* hash index, 0 while linear lookup */
	int32	   *slots;

} AttrDict;

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
	AttrDict   *dict;
	AttrParams *params;
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

static bool
params_equal(const AttrParams *a, const AttrParams *b)
{
	return a->model == b->model && a->bounded == b->bounded &&
		(!a->bounded || a->lookback == b->lookback) &&
		a->half_life == b->half_life &&
		a->first_share == b->first_share && a->middle_share == b->middle_share &&
		a->last_share == b->last_share && a->direct_len == b->direct_len &&
		(a->direct_len == 0 || memcmp(a->direct, b->direct, a->direct_len) == 0);
}

static void
params_differ_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the attribution model and its parameters must be the same for every row of a group")));
}

/*
 * Were these parameters parsed from exactly these arguments?  Compared by
 * value (a model from a column may reuse one address for different texts);
 * a constant model costs a memcmp of a few bytes per row.
 */
static pg_attribute_always_inline bool
args_match(FunctionCallInfo fcinfo, int base, const AttrParams *p)
{
	text	   *model;

	if (PG_ARGISNULL(base))
		return false;
	model = PG_GETARG_TEXT_PP(base);
	if (VARSIZE_ANY_EXHDR(model) != p->model_len ||
		memcmp(VARDATA_ANY(model), p->model_text, p->model_len) != 0)
		return false;
	if (PG_NARGS() > base + 1)
	{
		if (PG_ARGISNULL(base + 1) != p->lookback_null)
			return false;
		if (!PG_ARGISNULL(base + 1) &&
			memcmp(PG_GETARG_INTERVAL_P(base + 1), &p->lookback_arg, sizeof(Interval)) != 0)
			return false;
	}
	if (PG_NARGS() > base + 2 &&
		(PG_ARGISNULL(base + 2) ||
		 memcmp(PG_GETARG_INTERVAL_P(base + 2), &p->half_life_arg, sizeof(Interval)) != 0))
		return false;
	return true;
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
static AttrParams *
find_params(FunctionCallInfo fcinfo, int base, AttrDict *dict)
{
	AttrParams *p;
	AttrParams	parsed;
	text	   *model;

	for (p = dict->params; p != NULL; p = p->next)
		if (args_match(fcinfo, base, p))
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

static AttrDict *
get_dict(FunctionCallInfo fcinfo)
{
	AttrDict   *dict = (AttrDict *) fcinfo->flinfo->fn_extra;

	if (dict == NULL)
	{
		dict = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AttrDict));
		dict->cxt = fcinfo->flinfo->fn_mcxt;
		dict->last_channel = -1;
		fcinfo->flinfo->fn_extra = dict;
	}
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

/* The id of a channel name, or -1 when the dictionary does not have it. */
static pg_attribute_always_inline int32
lookup_channel(AttrDict *d, const char *name, int32 len, uint32 *hash_out)
{
	uint32		hash;
	int32		i;

	/* Touches of one channel often come in runs. */
	if (d->last_channel >= 0)
	{
		AttrChannel *c = &d->channels[d->last_channel];

		if (c->len == len && memcmp(d->names + c->offset, name, len) == 0)
			return d->last_channel;
	}

	hash = hash_bytes((const unsigned char *) name, len);
	*hash_out = hash;
	if (d->nslots == 0)
	{
		for (i = 0; i < d->nchannels; i++)
		{
			AttrChannel *c = &d->channels[i];

			if (c->hash == hash && c->len == len && memcmp(d->names + c->offset, name, len) == 0)
				return d->last_channel = i;
		}
	}
	else
	{
		uint32		h = hash & (d->nslots - 1);

		while ((i = d->slots[h]) >= 0)
		{
			AttrChannel *c = &d->channels[i];

			if (c->hash == hash && c->len == len && memcmp(d->names + c->offset, name, len) == 0)
				return d->last_channel = i;
			h = (h + 1) & (d->nslots - 1);
		}
	}
	return -1;
}

/* The id of a channel name, added if new. */
static pg_attribute_always_inline int32
intern_channel(AttrDict *d, const char *name, int32 len)
{
	uint32		hash = 0;
	int32		i = lookup_channel(d, name, len, &hash);

	if (likely(i >= 0))
		return i;

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
	s->dict = dict;
	s->params = params;
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

static void
check_finite(int64 ts)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("attribution needs finite timestamps"),
				 errdetail("A touch or conversion is at %s.", ts > 0 ? "infinity" : "-infinity")));
}

/* ---------------------------------------------------------------------------
 * Transition, combine, serialize, deserialize
 * ---------------------------------------------------------------------------
 */

/*
 * kpi.attribute transition: args (state, ts, channel, converted, model
 * [, lookback [, half_life]]).  A row with a channel is a touch; a row with
 * converted = true is a conversion, and, when it also names a channel, a
 * touch at the moment of conversion.  Rows without a time are skipped.
 */
Datum
kpi_attribute_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrDict   *dict;
	AttrState  *s;
	int64		ts;
	bool		converted;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_accum can only be called as an aggregate's transition function")));
	dict = get_dict(fcinfo);

	if (PG_ARGISNULL(0))
		s = state_new(aggcontext, dict, find_params(fcinfo, 4, dict), 0);
	else
	{
		s = (AttrState *) PG_GETARG_POINTER(0);
		/* The model must not change within a group. */
		if (unlikely(!args_match(fcinfo, 4, s->params)))
		{
			AttrParams *p = find_params(fcinfo, 4, dict);

			if (p != s->params && !params_equal(p, s->params))
				params_differ_error();
		}
	}

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	converted = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	if (PG_ARGISNULL(2) && !converted)
		PG_RETURN_POINTER(s);
	check_finite(ts);

	if (!PG_ARGISNULL(2))
	{
		text	   *channel = PG_GETARG_TEXT_PP(2);

		s = push_event(s, ts, intern_channel(dict, VARDATA_ANY(channel), VARSIZE_ANY_EXHDR(channel)));
	}
	if (converted)
		s = push_event(s, ts, -1);
	PG_RETURN_POINTER(s);
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
	if (src->dict != dst->dict)
	{
		map = palloc(Max(src->dict->nchannels, 1) * sizeof(int32));
		memset(map, 0xff, Max(src->dict->nchannels, 1) * sizeof(int32));
	}
	for (i = 0; i < src->nevents; i++)
	{
		AttrEvent  *e = &dst->events[dst->nevents++];
		int32		ch = src->events[i].channel;

		e->ts = src->events[i].ts;
		if (map != NULL && ch >= 0)
		{
			if (map[ch] < 0)
			{
				const AttrChannel *c = &src->dict->channels[ch];

				map[ch] = intern_channel(dst->dict, src->dict->names + c->offset, c->len);
			}
			ch = map[ch];
		}
		e->channel = ch;
	}
	if (map)
		pfree(map);
	return dst;
}

Datum
kpi_attribute_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrState  *s1;
	AttrState  *s2;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_combine can only be called as an aggregate's combine function")));
	s1 = PG_ARGISNULL(0) ? NULL : (AttrState *) PG_GETARG_POINTER(0);
	s2 = PG_ARGISNULL(1) ? NULL : (AttrState *) PG_GETARG_POINTER(1);
	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		/* A copy in the aggregate context, never an alias of s2. */
		s1 = state_new(aggcontext, s2->dict, s2->params, s2->nevents);
	else if (s1->params != s2->params && !params_equal(s1->params, s2->params))
		params_differ_error();
	s1 = state_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

/*
 * Per serialize call site: the local number of each dictionary channel in
 * the state being serialized, valid where stamp[] holds this state's stamp,
 * so that nothing is cleared between states.
 */
typedef struct SerialScratch
{
	int32		cap;
	int32	   *local;
	uint32	   *stamp;
	uint32		current;
} SerialScratch;

/* The serialize call site's scratch, with a fresh stamp for one state. */
static SerialScratch *
serial_scratch(FunctionCallInfo fcinfo, const AttrDict *dict)
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
		}
		sc->local = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, newcap * sizeof(int32));
		sc->stamp = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, newcap * sizeof(uint32));
		sc->cap = newcap;
		sc->current = 0;
	}
	if (++sc->current == 0)
	{
		memset(sc->stamp, 0, sc->cap * sizeof(uint32));
		sc->current = 1;
	}
	return sc;
}

/* The parameters, as the serialized formats of both aggregates begin. */
static void
send_params(StringInfo buf, const AttrParams *p)
{
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
}

/*
 * Layout: version byte, the parameters, the state's own channel names
 * (count, then length and bytes of each), then the events (count, then time
 * and local channel of each).  Workers and leader run the same binary, but
 * the format is still read defensively.
 */
Datum
kpi_attribute_serialize(PG_FUNCTION_ARGS)
{
	AttrState  *s;
	const AttrParams *p;
	SerialScratch *sc;
	StringInfoData buf;
	int32		nlocal = 0;
	int32	   *order;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_serialize can only be called by an aggregate")));
	s = (AttrState *) PG_GETARG_POINTER(0);
	p = s->params;

	sc = serial_scratch(fcinfo, s->dict);
	order = palloc(Max(s->nevents, 1) * sizeof(int32));
	for (i = 0; i < s->nevents; i++)
	{
		int32		ch = s->events[i].channel;

		if (ch >= 0 && sc->stamp[ch] != sc->current)
		{
			sc->stamp[ch] = sc->current;
			sc->local[ch] = nlocal;
			order[nlocal++] = ch;
		}
	}

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ATTR_SERIAL_VERSION);
	send_params(&buf, p);
	pq_sendint32(&buf, nlocal);
	for (i = 0; i < nlocal; i++)
	{
		const AttrChannel *c = &s->dict->channels[order[i]];

		pq_sendint32(&buf, c->len);
		pq_sendbytes(&buf, s->dict->names + c->offset, c->len);
	}
	pq_sendint32(&buf, s->nevents);
	enlargeStringInfo(&buf, s->nevents * 12);
	for (i = 0; i < s->nevents; i++)
	{
		int32		ch = s->events[i].channel;

		pq_writeint64(&buf, s->events[i].ts);
		pq_writeint32(&buf, ch < 0 ? -1 : sc->local[ch]);
	}
	pfree(order);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
corrupt_state(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid serialized attribution state"),
			 errdetail("%s", what)));
}

static void
need_bytes(StringInfo buf, int64 n)
{
	if (n < 0 || n > buf->len - buf->cursor)
		corrupt_state("The state is shorter than its header says.");
}

/*
 * The parameters sent by send_params, as the dictionary's entry for them:
 * the deserialized states of one query share their parameters.
 */
static AttrParams *
recv_params(StringInfo buf, AttrDict *dict)
{
	AttrParams	p;
	AttrParams *known;

	memset(&p, 0, sizeof(p));
	need_bytes(buf, 4 + 1 + 8 + 8 + 8 * 3 + 4);
	p.model = pq_getmsgint(buf, 4);
	if (p.model < 0 || p.model >= lengthof(model_names))
		corrupt_state("Unknown model.");
	p.bounded = pq_getmsgbyte(buf) != 0;
	p.lookback = pq_getmsgint64(buf);
	p.half_life = pq_getmsgint64(buf);
	p.first_share = pq_getmsgfloat8(buf);
	p.middle_share = pq_getmsgfloat8(buf);
	p.last_share = pq_getmsgfloat8(buf);
	if (p.half_life <= 0 || (p.bounded && p.lookback <= 0))
		corrupt_state("Non-positive lookback or half-life.");
	p.direct_len = pq_getmsgint(buf, 4);
	need_bytes(buf, p.direct_len);
	p.direct = buf->data + buf->cursor;
	buf->cursor += p.direct_len;

	for (known = dict->params; known != NULL; known = known->next)
		if (params_equal(known, &p))
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

Datum
kpi_attribute_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrDict   *dict;
	bytea	   *data;
	StringInfoData buf;
	AttrParams *known;
	AttrState  *s;
	int32		nchannels;
	int32	   *map;
	int32		nevents;
	int32		i;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_deserialize can only be called by an aggregate")));
	dict = get_dict(fcinfo);
	data = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	if (buf.len < 1 || pq_getmsgbyte(&buf) != ATTR_SERIAL_VERSION)
		corrupt_state("Unknown format version.");
	known = recv_params(&buf, dict);

	need_bytes(&buf, 4);
	nchannels = pq_getmsgint(&buf, 4);
	if (nchannels < 0 || nchannels > ATTR_MAX_EVENTS)
		corrupt_state("Bad channel count.");
	map = palloc(Max(nchannels, 1) * sizeof(int32));
	for (i = 0; i < nchannels; i++)
	{
		int32		len;

		need_bytes(&buf, 4);
		len = pq_getmsgint(&buf, 4);
		need_bytes(&buf, len);
		map[i] = intern_channel(dict, buf.data + buf.cursor, len);
		buf.cursor += len;
	}

	need_bytes(&buf, 4);
	nevents = pq_getmsgint(&buf, 4);
	if (nevents < 0 || nevents > ATTR_MAX_EVENTS)
		corrupt_state("Bad event count.");
	need_bytes(&buf, (int64) nevents * 12);
	s = state_new(aggcontext, dict, known, nevents);
	for (i = 0; i < nevents; i++)
	{
		AttrEvent  *e = &s->events[i];
		int32		ch;

		e->ts = pq_getmsgint64(&buf);
		ch = pq_getmsgint(&buf, 4);
		if (ch < -1 || ch >= nchannels)
			corrupt_state("Channel index out of range.");
		e->channel = ch < 0 ? -1 : map[ch];
	}
	s->nevents = nevents;
	if (buf.cursor != buf.len)
		corrupt_state("Trailing bytes.");
	pfree(map);
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

static int
compare_channel_names(const void *a, const void *b, void *arg)
{
	const AttrDict *d = (const AttrDict *) arg;
	const AttrChannel *ca = &d->channels[*(const int32 *) a];
	const AttrChannel *cb = &d->channels[*(const int32 *) b];
	int			cmp = memcmp(d->names + ca->offset, d->names + cb->offset, Min(ca->len, cb->len));

	if (cmp != 0)
		return cmp;
	return (ca->len > cb->len) - (ca->len < cb->len);
}

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

static FinalScratch *
final_scratch(FunctionCallInfo fcinfo, AttrDict *d)
{
	FinalScratch *fs = (FinalScratch *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;

	if (fs == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(mcxt);
		Oid			array_type;

		fs = palloc0(sizeof(FinalScratch));
		/* From the function's own catalog entry, never from fn_expr. */
		array_type = get_func_rettype(fcinfo->flinfo->fn_oid);
		fs->element_type = get_element_type(array_type);
		if (!OidIsValid(fs->element_type))
			elog(ERROR, "kpi.attribute_final must return an array");
		fs->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(fs->element_type, -1));
		get_typlenbyvalalign(fs->element_type, &fs->typlen, &fs->typbyval, &fs->typalign);
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
static Datum
credit_numeric(int64 units)
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
			fs->numeric_value[slot] = credit_numeric(units);
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
static void
conversion_units(double *weight, int64 *units, int32 *touched, int32 ntouched)
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

	conversion_units(fs->weight, fs->units, fs->touched, ntouched);
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

/*
 * Walk one customer's events ev[0, n), sorted by time then key (touches by
 * channel rank, conversions last at one instant), and call fn once per
 * conversion: with the number of ranks in touched[] whose weight[] the model
 * set, or with 0 for a conversion no touch reaches (unattributed).  Each
 * conversion is credited from the touches since the previous one, within
 * the lookback.
 */
typedef void (*conversion_fn) (void *arg, int64 conversion_at, int32 ntouched);

static void
credit_conversions(const AttrParams *p, const SortEvent *ev, int32 n, int32 direct_rank,
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
	d = s->dict;
	p = s->params;
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

				while (j >= 0 && compare_channel_names(&fs->by_rank[j], &ch, d) > 0)
				{
					fs->by_rank[j + 1] = fs->by_rank[j];
					j--;
				}
				fs->by_rank[j + 1] = ch;
			}
		}
		else
			qsort_arg(fs->by_rank, nlocal, sizeof(int32), compare_channel_names, d);
	}
	for (i = 0; i < nlocal; i++)
		fs->rank_of[fs->by_rank[i]] = i;

	if (p->model == MODEL_LAST_NON_DIRECT)
	{
		if (p->direct_channel < 0 && p->direct_checked_at != d->nchannels)
		{
			uint32		hash;

			p->direct_channel = lookup_channel(d, p->direct, p->direct_len, &hash);
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
	credit_conversions(p, ev, s->nevents, direct_rank, fs->weight, fs->touched, emit_credits, &ec);

	PG_RETURN_ARRAYTYPE_P(construct_array(out.elems, out.n, fs->element_type, fs->typlen,
										  fs->typbyval, fs->typalign));
}

/* ---------------------------------------------------------------------------
 * kpi.attribute_totals: the credit per channel over many customers
 *
 * kpi.attribute_totals(customer_id, ts, channel, converted, model [, lookback
 * [, half_life]]) applies exactly kpi.attribute's rules to each customer and
 * returns the credits summed per channel, for the common question "how many
 * conversions did each channel earn".  It is not grouped by customer: the
 * state buffers every row (20 bytes, appended, no hash lookup per row) and
 * the final function sorts the buffer by (customer, time, channel rank) and
 * credits one customer's run at a time.  That is what makes it cheaper than
 * GROUP BY customer_id, whose hash table costs a cache miss or two per row
 * once it outgrows the CPU caches, plus a state and a result array per
 * customer.  The totals are exact: each conversion's credits are the same
 * units of 1e-12 kpi.attribute gives (conversion_units), added as integers.
 * ---------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(kpi_attribute_totals_accum);
PG_FUNCTION_INFO_V1(kpi_attribute_totals_combine);
PG_FUNCTION_INFO_V1(kpi_attribute_totals_serialize);
PG_FUNCTION_INFO_V1(kpi_attribute_totals_deserialize);
PG_FUNCTION_INFO_V1(kpi_attribute_totals_final);

/*
 * Rows per state: 20 bytes each, so that the serialized state of a parallel
 * worker stays within a bytea's 1 GB.  More rows: group by a bucket of the
 * customer (GROUP BY customer_id % 8) and add the totals up.
 */
#define TOTALS_MAX_ROWS INT64CONST(50000000)
#define TOTALS_FIRST_ROWS 1024

/*
 * One touch (channel >= 0) or conversion (channel = -1).  The final function
 * replaces channel by the channel's rank by name, in place; as uint32 the
 * conversion's -1 then sorts after every touch at the same instant.
 */
typedef struct TotalsRow
{
	int64		customer;
	int64		ts;
	int32		channel;
} pg_attribute_packed() TotalsRow;

typedef struct TotalsState
{
	AttrDict   *dict;
	AttrParams *params;
	MemoryContext cxt;
	int64		nrows;
	int64		maxrows;
	TotalsRow  *rows;			/* a huge allocation, doubled as it fills */
} TotalsState;

static void
too_many_rows(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("too many touches and conversions in one kpi.attribute_totals group"),
			 errdetail("kpi.attribute_totals keeps at most " INT64_FORMAT " touches and conversions per group.",
					   TOTALS_MAX_ROWS),
			 errhint("Group by a bucket of the customer, e.g. GROUP BY customer_id %% 8, and add the totals up.")));
}

/*
 * Ask for transparent huge pages on the 2 MB-aligned part of a large buffer
 * not yet written to: ten million rows are 200 MB, and faulting them in
 * 4 kB pages cost a third of kpi.attribute_totals' CPU time in the benchmark
 * (2.6 s with the advice, 4.0 s without; bench/attribution_results.md).
 * Only advice: where the kernel ignores it, nothing changes but the speed.
 */
static void
advise_huge_pages(void *start, Size bytes)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = 2 * 1024 * 1024;
	uintptr_t	from = TYPEALIGN(huge, (uintptr_t) start);
	uintptr_t	to = TYPEALIGN_DOWN(huge, (uintptr_t) start + bytes);

	if (to > from)
		(void) madvise((void *) from, to - from, MADV_HUGEPAGE);
#endif
}

static TotalsState *
totals_new(MemoryContext cxt, AttrDict *dict, AttrParams *params, int64 capacity)
{
	TotalsState *s = MemoryContextAlloc(cxt, sizeof(TotalsState));

	if (capacity > TOTALS_MAX_ROWS)
		too_many_rows();
	s->dict = dict;
	s->params = params;
	s->cxt = cxt;
	s->nrows = 0;
	s->maxrows = Max(capacity, TOTALS_FIRST_ROWS);
	s->rows = MemoryContextAllocHuge(cxt, s->maxrows * sizeof(TotalsRow));
	advise_huge_pages(s->rows, s->maxrows * sizeof(TotalsRow));
	return s;
}

/*
 * Room for "needed" rows, doubling.  A new buffer and a copy rather than
 * repalloc: the huge-page advice splits the mapping, after which realloc
 * cannot mremap it and would copy into 4 kB pages anyway.
 */
static void
totals_reserve(TotalsState *s, int64 needed)
{
	int64		newcap = s->maxrows;
	TotalsRow  *rows;

	if (needed > TOTALS_MAX_ROWS)
		too_many_rows();
	while (newcap < needed)
		newcap *= 2;
	newcap = Min(newcap, TOTALS_MAX_ROWS);
	rows = MemoryContextAllocHuge(s->cxt, newcap * sizeof(TotalsRow));
	advise_huge_pages(rows, newcap * sizeof(TotalsRow));
	memcpy(rows, s->rows, s->nrows * sizeof(TotalsRow));
	pfree(s->rows);
	s->rows = rows;
	s->maxrows = newcap;
}

static pg_attribute_always_inline void
totals_push(TotalsState *s, int64 customer, int64 ts, int32 channel)
{
	TotalsRow  *r;

	if (unlikely(s->nrows >= s->maxrows))
		totals_reserve(s, s->nrows + 1);
	r = &s->rows[s->nrows++];
	r->customer = customer;
	r->ts = ts;
	r->channel = channel;
}

/*
 * Transition: args (state, customer, ts, channel, converted, model
 * [, lookback [, half_life]]); the rows are read as kpi.attribute reads them,
 * and rows without a customer are skipped.
 */
Datum
kpi_attribute_totals_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrDict   *dict;
	TotalsState *s;
	int64		customer;
	int64		ts;
	bool		converted;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_totals_accum can only be called as an aggregate's transition function")));
	dict = get_dict(fcinfo);

	if (PG_ARGISNULL(0))
		s = totals_new(aggcontext, dict, find_params(fcinfo, 5, dict), 0);
	else
	{
		s = (TotalsState *) PG_GETARG_POINTER(0);
		if (unlikely(!args_match(fcinfo, 5, s->params)))
		{
			AttrParams *p = find_params(fcinfo, 5, dict);

			if (p != s->params && !params_equal(p, s->params))
				params_differ_error();
		}
	}

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	customer = PG_GETARG_INT64(1);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	converted = !PG_ARGISNULL(4) && PG_GETARG_BOOL(4);
	if (PG_ARGISNULL(3) && !converted)
		PG_RETURN_POINTER(s);
	check_finite(ts);

	if (!PG_ARGISNULL(3))
	{
		text	   *channel = PG_GETARG_TEXT_PP(3);

		totals_push(s, customer, ts, intern_channel(dict, VARDATA_ANY(channel), VARSIZE_ANY_EXHDR(channel)));
	}
	if (converted)
		totals_push(s, customer, ts, -1);
	PG_RETURN_POINTER(s);
}

/* Append the rows of src to dst, mapping channels when the dictionaries differ. */
static void
totals_merge(TotalsState *dst, const TotalsState *src)
{
	int32	   *map = NULL;
	int64		i;

	if (src->nrows == 0)
		return;
	if (dst->nrows + src->nrows > dst->maxrows)
		totals_reserve(dst, dst->nrows + src->nrows);
	if (src->dict == dst->dict)
	{
		memcpy(dst->rows + dst->nrows, src->rows, src->nrows * sizeof(TotalsRow));
		dst->nrows += src->nrows;
		return;
	}
	map = palloc(Max(src->dict->nchannels, 1) * sizeof(int32));
	memset(map, 0xff, Max(src->dict->nchannels, 1) * sizeof(int32));
	for (i = 0; i < src->nrows; i++)
	{
		TotalsRow  *r = &dst->rows[dst->nrows++];
		int32		ch = src->rows[i].channel;

		*r = src->rows[i];
		if (ch >= 0)
		{
			if (map[ch] < 0)
			{
				const AttrChannel *c = &src->dict->channels[ch];

				map[ch] = intern_channel(dst->dict, src->dict->names + c->offset, c->len);
			}
			r->channel = map[ch];
		}
	}
	pfree(map);
}

Datum
kpi_attribute_totals_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TotalsState *s1;
	TotalsState *s2;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_totals_combine can only be called as an aggregate's combine function")));
	s1 = PG_ARGISNULL(0) ? NULL : (TotalsState *) PG_GETARG_POINTER(0);
	s2 = PG_ARGISNULL(1) ? NULL : (TotalsState *) PG_GETARG_POINTER(1);
	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		/* A copy in the aggregate context, never an alias of s2. */
		s1 = totals_new(aggcontext, s2->dict, s2->params, s2->nrows);
	else if (s1->params != s2->params && !params_equal(s1->params, s2->params))
		params_differ_error();
	totals_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

/*
 * Layout: version byte, the parameters, the state's own channel names, then
 * the rows (count, then customer, time and local channel of each).
 */
Datum
kpi_attribute_totals_serialize(PG_FUNCTION_ARGS)
{
	TotalsState *s;
	SerialScratch *sc;
	StringInfoData buf;
	int32		nlocal = 0;
	int32	   *order;
	int64		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_totals_serialize can only be called by an aggregate")));
	s = (TotalsState *) PG_GETARG_POINTER(0);
	sc = serial_scratch(fcinfo, s->dict);
	order = palloc(Max(s->dict->nchannels, 1) * sizeof(int32));
	for (i = 0; i < s->nrows; i++)
	{
		int32		ch = s->rows[i].channel;

		if (ch >= 0 && sc->stamp[ch] != sc->current)
		{
			sc->stamp[ch] = sc->current;
			sc->local[ch] = nlocal;
			order[nlocal++] = ch;
		}
	}

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ATTR_SERIAL_VERSION);
	send_params(&buf, s->params);
	pq_sendint32(&buf, nlocal);
	for (i = 0; i < nlocal; i++)
	{
		const AttrChannel *c = &s->dict->channels[order[i]];

		pq_sendint32(&buf, c->len);
		pq_sendbytes(&buf, s->dict->names + c->offset, c->len);
	}
	pq_sendint64(&buf, s->nrows);
	/* at most TOTALS_MAX_ROWS * 20 bytes: within MaxAllocSize */
	enlargeStringInfo(&buf, s->nrows * 20);
	for (i = 0; i < s->nrows; i++)
	{
		int32		ch = s->rows[i].channel;

		pq_writeint64(&buf, s->rows[i].customer);
		pq_writeint64(&buf, s->rows[i].ts);
		pq_writeint32(&buf, ch < 0 ? -1 : sc->local[ch]);
	}
	pfree(order);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
kpi_attribute_totals_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrDict   *dict;
	bytea	   *data;
	StringInfoData buf;
	AttrParams *known;
	TotalsState *s;
	int32		nchannels;
	int32	   *map;
	int64		nrows;
	int64		i;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_totals_deserialize can only be called by an aggregate")));
	dict = get_dict(fcinfo);
	data = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	if (buf.len < 1 || pq_getmsgbyte(&buf) != ATTR_SERIAL_VERSION)
		corrupt_state("Unknown format version.");
	known = recv_params(&buf, dict);

	need_bytes(&buf, 4);
	nchannels = pq_getmsgint(&buf, 4);
	if (nchannels < 0 || nchannels > ATTR_MAX_CHANNELS)
		corrupt_state("Bad channel count.");
	map = palloc(Max(nchannels, 1) * sizeof(int32));
	for (i = 0; i < nchannels; i++)
	{
		int32		len;

		need_bytes(&buf, 4);
		len = pq_getmsgint(&buf, 4);
		need_bytes(&buf, len);
		map[i] = intern_channel(dict, buf.data + buf.cursor, len);
		buf.cursor += len;
	}

	need_bytes(&buf, 8);
	nrows = pq_getmsgint64(&buf);
	if (nrows < 0 || nrows > TOTALS_MAX_ROWS)
		corrupt_state("Bad row count.");
	need_bytes(&buf, nrows * 20);
	s = totals_new(aggcontext, dict, known, nrows);
	for (i = 0; i < nrows; i++)
	{
		TotalsRow  *r = &s->rows[i];
		int32		ch;

		r->customer = pq_getmsgint64(&buf);
		r->ts = pq_getmsgint64(&buf);
		ch = pq_getmsgint(&buf, 4);
		if (ch < -1 || ch >= nchannels)
			corrupt_state("Channel index out of range.");
		r->channel = ch < 0 ? -1 : map[ch];
	}
	s->nrows = nrows;
	if (buf.cursor != buf.len)
		corrupt_state("Trailing bytes.");
	pfree(map);
	PG_RETURN_POINTER(s);
}

#define ST_SORT sort_totals_rows
#define ST_ELEMENT_TYPE TotalsRow
#define ST_COMPARE(a, b) \
	((a)->customer < (b)->customer ? -1 : (a)->customer > (b)->customer ? 1 : \
	 (a)->ts < (b)->ts ? -1 : (a)->ts > (b)->ts ? 1 : \
	 (uint32) (a)->channel < (uint32) (b)->channel ? -1 : \
	 (uint32) (a)->channel > (uint32) (b)->channel ? 1 : 0)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* The totals: whole conversions and units of 1e-12, by channel rank. */
typedef struct TotalsSink
{
	double	   *weight;
	int64	   *units;
	int32	   *touched;
	int64	   *whole;
	int64	   *fraction;		/* below CREDIT_UNITS */
	int64		unattributed;
} TotalsSink;

static void
add_credits(void *arg, int64 conversion_at, int32 ntouched)
{
	TotalsSink *t = (TotalsSink *) arg;
	int32		i;

	if (ntouched == 0)
	{
		t->unattributed++;
		return;
	}
	conversion_units(t->weight, t->units, t->touched, ntouched);
	for (i = 0; i < ntouched; i++)
	{
		int32		r = t->touched[i];

		t->fraction[r] += t->units[r];
		if (t->fraction[r] >= CREDIT_UNITS)
		{
			t->fraction[r] -= CREDIT_UNITS;
			t->whole[r]++;
		}
	}
}

/* whole + fraction / 1e12, exactly, without trailing zeros */
static Datum
total_numeric(int64 whole, int64 fraction)
{
	Datum		w = NumericGetDatum(int64_to_numeric(whole));

	if (fraction == 0)
		return w;
	return DirectFunctionCall2(numeric_add, w, credit_numeric(fraction));
}

Datum
kpi_attribute_totals_final(PG_FUNCTION_ARGS)
{
	TotalsState *s;
	AttrDict   *d;
	AttrParams *p;
	int32		nchannels;
	int32	   *by_rank;
	int32	   *rank_of;
	int32		direct_rank = -1;
	TotalsSink	t;
	SortEvent  *ev;
	int64		evcap = 64;
	int64		i;
	int64		start;
	Oid			element_type;
	TupleDesc	tupdesc;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	int32		nelems = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (TotalsState *) PG_GETARG_POINTER(0);
	d = s->dict;
	p = s->params;
	nchannels = d->nchannels;

	/* Rank every channel of the query by name (C collation), once. */
	by_rank = palloc(Max(nchannels, 1) * sizeof(int32));
	rank_of = palloc(Max(nchannels, 1) * sizeof(int32));
	for (i = 0; i < nchannels; i++)
		by_rank[i] = (int32) i;
	qsort_arg(by_rank, nchannels, sizeof(int32), compare_channel_names, d);
	for (i = 0; i < nchannels; i++)
		rank_of[by_rank[i]] = (int32) i;
	if (p->model == MODEL_LAST_NON_DIRECT)
	{
		uint32		hash;
		int32		direct = lookup_channel(d, p->direct, p->direct_len, &hash);

		if (direct >= 0)
			direct_rank = rank_of[direct];
	}

	/*
	 * Channels become ranks in place, then one sort groups the customers and
	 * orders each one's events as kpi.attribute orders them; the ranks go
	 * back to channels at the end.  The state is then the same set of rows
	 * in another order, which is all a later transition or final call (a
	 * window frame) relies on: FINALFUNC_MODIFY = READ_ONLY holds.  Sorting
	 * a copy instead would double the memory of the largest state.
	 */
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].channel >= 0)
			s->rows[i].channel = rank_of[s->rows[i].channel];
	sort_totals_rows(s->rows, s->nrows);

	t.weight = palloc0(Max(nchannels, 1) * sizeof(double));
	t.units = palloc(Max(nchannels, 1) * sizeof(int64));
	t.touched = palloc(Max(nchannels, 1) * sizeof(int32));
	t.whole = palloc0(Max(nchannels, 1) * sizeof(int64));
	t.fraction = palloc0(Max(nchannels, 1) * sizeof(int64));
	t.unattributed = 0;
	ev = palloc(evcap * sizeof(SortEvent));
	for (start = 0; start < s->nrows; start = i)
	{
		int64		customer = s->rows[start].customer;
		int32		n;
		int32		j;

		for (i = start; i < s->nrows && s->rows[i].customer == customer; i++)
			;
		n = (int32) (i - start);
		if (n > evcap)
		{
			while (evcap < n)
				evcap *= 2;
			ev = repalloc_huge(ev, evcap * sizeof(SortEvent));
		}
		for (j = 0; j < n; j++)
		{
			ev[j].ts = s->rows[start + j].ts;
			ev[j].key = (uint32) s->rows[start + j].channel;
		}
		credit_conversions(p, ev, n, direct_rank, t.weight, t.touched, add_credits, &t);
		CHECK_FOR_INTERRUPTS();
	}
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].channel >= 0)
			s->rows[i].channel = by_rank[s->rows[i].channel];

	element_type = get_element_type(get_func_rettype(fcinfo->flinfo->fn_oid));
	if (!OidIsValid(element_type))
		elog(ERROR, "kpi.attribute_totals_final must return an array");
	tupdesc = lookup_rowtype_tupdesc_copy(element_type, -1);
	BlessTupleDesc(tupdesc);
	get_typlenbyvalalign(element_type, &typlen, &typbyval, &typalign);
	elems = palloc((nchannels + 1) * sizeof(Datum));
	for (i = 0; i < nchannels; i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		const AttrChannel *c = &d->channels[by_rank[i]];

		if (t.whole[i] == 0 && t.fraction[i] == 0)
			continue;
		values[0] = PointerGetDatum(cstring_to_text_with_len(d->names + c->offset, c->len));
		values[1] = total_numeric(t.whole[i], t.fraction[i]);
		elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	if (t.unattributed > 0)
	{
		Datum		values[2];
		bool		nulls[2] = {true, false};

		values[0] = (Datum) 0;
		values[1] = NumericGetDatum(int64_to_numeric(t.unattributed));
		elems[nelems++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nelems, element_type, typlen, typbyval, typalign));
}
