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
 * rows.
 *
 * Credits are exact decimals with at most 12 digits after the point.  The
 * real-valued shares are rounded down to 1e-12 and the units left over go to
 * the channel with the largest credit, so that the credits of one conversion
 * add up to exactly 1 in numeric arithmetic, in any order of summation.
 * A float8 credit could not promise that once a dashboard sums it.
 *
 * The state is internal, with serialize/deserialize functions for parallel
 * query.  Citus cannot split an internal-state aggregate into partial
 * aggregates, but attribution is grouped by customer: with the touches
 * distributed by customer the whole GROUP BY runs on the workers
 * (doc/attribution.md says so).  An internal state is what keeps the per-row
 * cost low: one touch is 16 bytes appended to an array that doubles, and a
 * channel name is stored once per customer, looked up by a one-entry cache,
 * then a linear scan, then a small hash table once a customer has many
 * channels.  Nothing is allocated per row.
 *
 * Memory per group grows with that group's touches only, and is bounded:
 * past ATTR_MAX_EVENTS touches and conversions the aggregate stops with
 * 54000 rather than exhausting memory.
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

/* 16 bytes per entry: 64 MB per customer at most. */
#define ATTR_MAX_EVENTS (4 * 1024 * 1024)
#define ATTR_MAX_NAMES_BYTES (64 * 1024 * 1024)

/* Credits are integers in units of 1e-12. */
#define CREDIT_DIGITS 12
#define CREDIT_UNITS INT64CONST(1000000000000)

/* Serialized format version: bump when the layout changes. */
#define ATTR_SERIAL_VERSION 1

/* Inline capacities: most customers need no allocation beyond the state. */
#define INLINE_EVENTS 8
#define INLINE_CHANNELS 4
#define INLINE_NAME_BYTES 48
/* Channel tables larger than this get a hash index. */
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

/* The model and its parameters, fixed for one aggregate call. */
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
} AttrParams;

/*
 * A touch (channel >= 0) or a conversion (channel = -1).  sort_key is only
 * meaningful inside the final function: the channel's rank by name for a
 * touch, and UINT32_MAX for a conversion, so that at one instant the touches
 * come first (in name order) and a touch at the very instant of a conversion
 * counts for it.
 */
typedef struct AttrEvent
{
	int64		ts;
	int32		channel;
	uint32		sort_key;
} AttrEvent;

typedef struct AttrChannel
{
	int32		offset;			/* into names */
	int32		len;
	uint32		hash;
} AttrChannel;

typedef struct AttrState
{
	AttrParams	params;
	/*
	 * The parameter arguments last seen, to re-check them per row at the
	 * cost of a pointer and a memcmp: a constant model is one pointer.
	 */
	Datum		model_seen;
	bool		lookback_null_seen;
	Interval	lookback_seen;
	Interval	half_life_seen;

	int32		nevents;
	int32		maxevents;
	AttrEvent  *events;

	int32		nchannels;
	int32		maxchannels;
	AttrChannel *channels;
	int32		names_len;
	int32		names_cap;
	char	   *names;
	int32		last_channel;	/* one-entry lookup cache, -1 if none */
	int32		nslots;			/* hash index, 0 while linear lookup */
	int32	   *slots;

	AttrEvent	inline_events[INLINE_EVENTS];
	AttrChannel inline_channels[INLINE_CHANNELS];
	char		inline_names[INLINE_NAME_BYTES];
} AttrState;

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
		invalid_model(spec, "Only last_non_direct and position_based take an argument in parentheses; time_decay takes its half-life as the sixth argument.");

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

/* The parameters of this call, from its arguments 4 (model) and on. */
static void
read_params(FunctionCallInfo fcinfo, AttrParams *p, MemoryContext cxt)
{
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("attribution model must not be null")));
	parse_model(PG_GETARG_TEXT_PP(4), p, cxt);

	p->bounded = true;
	p->lookback = DEFAULT_LOOKBACK;
	if (PG_NARGS() > 5)
	{
		if (PG_ARGISNULL(5))
			p->bounded = false;
		else
			p->lookback = interval_usecs(PG_GETARG_INTERVAL_P(5), "lookback");
	}

	p->half_life = DEFAULT_HALF_LIFE;
	if (PG_NARGS() > 6)
	{
		if (p->model != MODEL_TIME_DECAY)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a half-life applies only to the time_decay model"),
					 errdetail("The model is %s.", model_names[p->model])));
		if (PG_ARGISNULL(6))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("half-life must not be null")));
		p->half_life = interval_usecs(PG_GETARG_INTERVAL_P(6), "half-life");
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

/* ---------------------------------------------------------------------------
 * The state
 * ---------------------------------------------------------------------------
 */

static AttrState *
state_new(MemoryContext cxt)
{
	AttrState  *s = MemoryContextAlloc(cxt, sizeof(AttrState));

	s->model_seen = (Datum) 0;
	s->params.direct = NULL;
	s->params.direct_len = 0;
	s->nevents = 0;
	s->maxevents = INLINE_EVENTS;
	s->events = s->inline_events;
	s->nchannels = 0;
	s->maxchannels = INLINE_CHANNELS;
	s->channels = s->inline_channels;
	s->names_len = 0;
	s->names_cap = INLINE_NAME_BYTES;
	s->names = s->inline_names;
	s->last_channel = -1;
	s->nslots = 0;
	s->slots = NULL;
	return s;
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

/*
 * Room for "extra" more items in an array that starts inline: the inline
 * buffer is copied out once, later growth doubles in place.
 */
static void *
grow_array(MemoryContext cxt, void *array, void *inline_array, int32 *cap,
		   int64 needed, size_t item_size, int64 limit)
{
	int64		newcap = *cap;
	void	   *result;

	if (needed > limit)
		too_many_events();
	while (newcap < needed)
		newcap *= 2;
	if (newcap > limit)
		newcap = limit;
	if (array == inline_array)
	{
		result = MemoryContextAlloc(cxt, newcap * item_size);
		memcpy(result, array, (*cap) * item_size);
	}
	else
		result = repalloc(array, newcap * item_size);
	*cap = (int32) newcap;
	return result;
}

static pg_attribute_always_inline void
push_event(AttrState *s, MemoryContext cxt, int64 ts, int32 channel)
{
	if (unlikely(s->nevents >= s->maxevents))
		s->events = grow_array(cxt, s->events, s->inline_events, &s->maxevents,
							   (int64) s->nevents + 1, sizeof(AttrEvent), ATTR_MAX_EVENTS);
	s->events[s->nevents].ts = ts;
	s->events[s->nevents].channel = channel;
	s->nevents++;
}

static void
build_slots(AttrState *s, MemoryContext cxt)
{
	int32		nslots = 16;
	int32		i;

	while (nslots < s->nchannels * 2)
		nslots *= 2;
	if (s->slots)
		pfree(s->slots);
	s->slots = MemoryContextAlloc(cxt, nslots * sizeof(int32));
	memset(s->slots, 0xff, nslots * sizeof(int32));
	s->nslots = nslots;
	for (i = 0; i < s->nchannels; i++)
	{
		uint32		h = s->channels[i].hash & (nslots - 1);

		while (s->slots[h] >= 0)
			h = (h + 1) & (nslots - 1);
		s->slots[h] = i;
	}
}

/* The index of a channel name in the state's table, added if new. */
static int32
intern_channel(AttrState *s, MemoryContext cxt, const char *name, int32 len)
{
	uint32		hash;
	int32		i;

	/* Touches of one channel often come in runs. */
	if (s->last_channel >= 0)
	{
		AttrChannel *c = &s->channels[s->last_channel];

		if (c->len == len && memcmp(s->names + c->offset, name, len) == 0)
			return s->last_channel;
	}

	hash = hash_bytes((const unsigned char *) name, len);
	if (s->nslots == 0)
	{
		for (i = 0; i < s->nchannels; i++)
		{
			AttrChannel *c = &s->channels[i];

			if (c->hash == hash && c->len == len && memcmp(s->names + c->offset, name, len) == 0)
				return s->last_channel = i;
		}
	}
	else
	{
		uint32		h = hash & (s->nslots - 1);

		while ((i = s->slots[h]) >= 0)
		{
			AttrChannel *c = &s->channels[i];

			if (c->hash == hash && c->len == len && memcmp(s->names + c->offset, name, len) == 0)
				return s->last_channel = i;
			h = (h + 1) & (s->nslots - 1);
		}
	}

	/* A new channel. */
	if (s->nchannels >= s->maxchannels)
		s->channels = grow_array(cxt, s->channels, s->inline_channels, &s->maxchannels,
								 (int64) s->nchannels + 1, sizeof(AttrChannel), ATTR_MAX_EVENTS);
	if ((int64) s->names_len + len > s->names_cap)
		s->names = grow_array(cxt, s->names, s->inline_names, &s->names_cap,
							  (int64) s->names_len + len, 1, ATTR_MAX_NAMES_BYTES);
	memcpy(s->names + s->names_len, name, len);
	i = s->nchannels++;
	s->channels[i].offset = s->names_len;
	s->channels[i].len = len;
	s->channels[i].hash = hash;
	s->names_len += len;

	if (s->nchannels > LINEAR_LOOKUP_MAX)
	{
		if (s->nslots < s->nchannels * 2)
			build_slots(s, cxt);
		else
		{
			uint32		h = hash & (s->nslots - 1);

			while (s->slots[h] >= 0)
				h = (h + 1) & (s->nslots - 1);
			s->slots[h] = i;
		}
	}
	return s->last_channel = i;
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

/* Same parameter arguments as the row before? (args 4 on; not NULL model) */
static pg_attribute_always_inline bool
same_arguments(FunctionCallInfo fcinfo, const AttrState *s)
{
	if (PG_ARGISNULL(4) || PG_GETARG_DATUM(4) != s->model_seen)
		return false;
	if (PG_NARGS() > 5)
	{
		if (PG_ARGISNULL(5) != s->lookback_null_seen)
			return false;
		if (!PG_ARGISNULL(5) &&
			memcmp(PG_GETARG_INTERVAL_P(5), &s->lookback_seen, sizeof(Interval)) != 0)
			return false;
	}
	if (PG_NARGS() > 6 &&
		(PG_ARGISNULL(6) ||
		 memcmp(PG_GETARG_INTERVAL_P(6), &s->half_life_seen, sizeof(Interval)) != 0))
		return false;
	return true;
}

/* Called after read_params() accepted the arguments. */
static void
remember_arguments(FunctionCallInfo fcinfo, AttrState *s)
{
	s->model_seen = PG_GETARG_DATUM(4);
	s->lookback_null_seen = PG_NARGS() > 5 && PG_ARGISNULL(5);
	if (PG_NARGS() > 5 && !PG_ARGISNULL(5))
		s->lookback_seen = *PG_GETARG_INTERVAL_P(5);
	if (PG_NARGS() > 6)
		s->half_life_seen = *PG_GETARG_INTERVAL_P(6);
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
	MemoryContext aggcontext;
	AttrState  *s;
	int64		ts;
	bool		converted;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_accum can only be called as an aggregate's transition function")));

	if (PG_ARGISNULL(0))
	{
		s = state_new(aggcontext);
		read_params(fcinfo, &s->params, aggcontext);
		remember_arguments(fcinfo, s);
	}
	else
	{
		s = (AttrState *) PG_GETARG_POINTER(0);
		if (unlikely(!same_arguments(fcinfo, s)))
		{
			AttrParams	p;

			read_params(fcinfo, &p, CurrentMemoryContext);
			if (!params_equal(&p, &s->params))
				params_differ_error();
			remember_arguments(fcinfo, s);
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

		push_event(s, aggcontext, ts,
				   intern_channel(s, aggcontext, VARDATA_ANY(channel),
								  VARSIZE_ANY_EXHDR(channel)));
	}
	if (converted)
		push_event(s, aggcontext, ts, -1);
	PG_RETURN_POINTER(s);
}

/* Append every event of src to dst, mapping src's channels to dst's. */
static void
state_merge(AttrState *dst, const AttrState *src, MemoryContext cxt)
{
	int32	   *map = palloc(Max(src->nchannels, 1) * sizeof(int32));
	int32		i;

	for (i = 0; i < src->nchannels; i++)
		map[i] = intern_channel(dst, cxt, src->names + src->channels[i].offset,
								src->channels[i].len);
	if ((int64) dst->nevents + src->nevents > dst->maxevents)
		dst->events = grow_array(cxt, dst->events, dst->inline_events, &dst->maxevents,
								 (int64) dst->nevents + src->nevents, sizeof(AttrEvent),
								 ATTR_MAX_EVENTS);
	for (i = 0; i < src->nevents; i++)
	{
		AttrEvent  *e = &dst->events[dst->nevents++];

		e->ts = src->events[i].ts;
		e->channel = src->events[i].channel < 0 ? -1 : map[src->events[i].channel];
	}
	pfree(map);
}

static void
copy_params(AttrParams *dst, const AttrParams *src, MemoryContext cxt)
{
	*dst = *src;
	if (src->direct_len > 0)
	{
		dst->direct = MemoryContextAlloc(cxt, src->direct_len + 1);
		memcpy(dst->direct, src->direct, src->direct_len);
		dst->direct[src->direct_len] = '\0';
	}
	else
		dst->direct = NULL;
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
	{
		/* A copy in the aggregate context, never an alias of s2. */
		s1 = state_new(aggcontext);
		copy_params(&s1->params, &s2->params, aggcontext);
	}
	else if (!params_equal(&s1->params, &s2->params))
		params_differ_error();
	state_merge(s1, s2, aggcontext);
	PG_RETURN_POINTER(s1);
}

/*
 * Layout: version byte, the parameters, the channel names (count, then
 * length and bytes of each), then the events (count, then time and channel
 * of each).  Workers and leader run the same binary, but the format is still
 * read defensively.
 */
Datum
kpi_attribute_serialize(PG_FUNCTION_ARGS)
{
	AttrState  *s;
	StringInfoData buf;
	int32		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_serialize can only be called by an aggregate")));
	s = (AttrState *) PG_GETARG_POINTER(0);

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, ATTR_SERIAL_VERSION);
	pq_sendint32(&buf, s->params.model);
	pq_sendbyte(&buf, s->params.bounded ? 1 : 0);
	pq_sendint64(&buf, s->params.lookback);
	pq_sendint64(&buf, s->params.half_life);
	pq_sendfloat8(&buf, s->params.first_share);
	pq_sendfloat8(&buf, s->params.middle_share);
	pq_sendfloat8(&buf, s->params.last_share);
	pq_sendint32(&buf, s->params.direct_len);
	if (s->params.direct_len > 0)
		pq_sendbytes(&buf, s->params.direct, s->params.direct_len);
	pq_sendint32(&buf, s->nchannels);
	for (i = 0; i < s->nchannels; i++)
	{
		pq_sendint32(&buf, s->channels[i].len);
		pq_sendbytes(&buf, s->names + s->channels[i].offset, s->channels[i].len);
	}
	pq_sendint32(&buf, s->nevents);
	enlargeStringInfo(&buf, s->nevents * 12);
	for (i = 0; i < s->nevents; i++)
	{
		pq_writeint64(&buf, s->events[i].ts);
		pq_writeint32(&buf, s->events[i].channel);
	}
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

Datum
kpi_attribute_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	bytea	   *data;
	StringInfoData buf;
	AttrState  *s;
	int32		nchannels;
	int32		nevents;
	int32		i;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kpi.attribute_deserialize can only be called by an aggregate")));
	data = PG_GETARG_BYTEA_PP(0);
	buf.data = VARDATA_ANY(data);
	buf.len = VARSIZE_ANY_EXHDR(data);
	buf.maxlen = buf.len;
	buf.cursor = 0;

	s = state_new(aggcontext);
	need_bytes(&buf, 1 + 4 + 1 + 8 + 8 + 8 * 3 + 4);
	if (pq_getmsgbyte(&buf) != ATTR_SERIAL_VERSION)
		corrupt_state("Unknown format version.");
	s->params.model = pq_getmsgint(&buf, 4);
	if (s->params.model < 0 || s->params.model >= lengthof(model_names))
		corrupt_state("Unknown model.");
	s->params.bounded = pq_getmsgbyte(&buf) != 0;
	s->params.lookback = pq_getmsgint64(&buf);
	s->params.half_life = pq_getmsgint64(&buf);
	s->params.first_share = pq_getmsgfloat8(&buf);
	s->params.middle_share = pq_getmsgfloat8(&buf);
	s->params.last_share = pq_getmsgfloat8(&buf);
	if (s->params.half_life <= 0 || (s->params.bounded && s->params.lookback <= 0))
		corrupt_state("Non-positive lookback or half-life.");
	s->params.direct_len = pq_getmsgint(&buf, 4);
	need_bytes(&buf, s->params.direct_len);
	if (s->params.direct_len > 0)
	{
		s->params.direct = MemoryContextAlloc(aggcontext, s->params.direct_len + 1);
		pq_copymsgbytes(&buf, s->params.direct, s->params.direct_len);
		s->params.direct[s->params.direct_len] = '\0';
	}

	need_bytes(&buf, 4);
	nchannels = pq_getmsgint(&buf, 4);
	if (nchannels < 0 || nchannels > ATTR_MAX_EVENTS)
		corrupt_state("Bad channel count.");
	for (i = 0; i < nchannels; i++)
	{
		int32		len;

		need_bytes(&buf, 4);
		len = pq_getmsgint(&buf, 4);
		need_bytes(&buf, len);
		if (intern_channel(s, aggcontext, buf.data + buf.cursor, len) != i)
			corrupt_state("Duplicate channel name.");
		buf.cursor += len;
	}

	need_bytes(&buf, 4);
	nevents = pq_getmsgint(&buf, 4);
	if (nevents < 0 || nevents > ATTR_MAX_EVENTS)
		corrupt_state("Bad event count.");
	need_bytes(&buf, (int64) nevents * 12);
	if (nevents > s->maxevents)
		s->events = grow_array(aggcontext, s->events, s->inline_events, &s->maxevents,
							   nevents, sizeof(AttrEvent), ATTR_MAX_EVENTS);
	for (i = 0; i < nevents; i++)
	{
		AttrEvent  *e = &s->events[i];

		e->ts = pq_getmsgint64(&buf);
		e->channel = pq_getmsgint(&buf, 4);
		if (e->channel < -1 || e->channel >= nchannels)
			corrupt_state("Channel index out of range.");
	}
	s->nevents = nevents;
	if (buf.cursor != buf.len)
		corrupt_state("Trailing bytes.");
	PG_RETURN_POINTER(s);
}

/* ---------------------------------------------------------------------------
 * Final: sort once, credit each conversion
 * ---------------------------------------------------------------------------
 */

#define ST_SORT sort_attr_events
#define ST_ELEMENT_TYPE AttrEvent
#define ST_COMPARE(a, b) \
	((a)->ts < (b)->ts ? -1 : (a)->ts > (b)->ts ? 1 : \
	 (a)->sort_key < (b)->sort_key ? -1 : (a)->sort_key > (b)->sort_key ? 1 : 0)
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

static int
compare_channel_names(const void *a, const void *b, void *arg)
{
	const AttrState *s = (const AttrState *) arg;
	const AttrChannel *ca = &s->channels[*(const int32 *) a];
	const AttrChannel *cb = &s->channels[*(const int32 *) b];
	int			cmp = memcmp(s->names + ca->offset, s->names + cb->offset, Min(ca->len, cb->len));

	if (cmp != 0)
		return cmp;
	return (ca->len > cb->len) - (ca->len < cb->len);
}

/* Cached per call site: the composite kpi.credit and its array type. */
typedef struct CreditType
{
	Oid			array_type;
	Oid			element_type;
	TupleDesc	tupdesc;
	int16		typlen;
	bool		typbyval;
	char		typalign;
} CreditType;

static CreditType *
credit_type(FunctionCallInfo fcinfo)
{
	CreditType *ct = (CreditType *) fcinfo->flinfo->fn_extra;

	if (ct == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		ct = palloc(sizeof(CreditType));
		/* From the function's own catalog entry, never from fn_expr. */
		ct->array_type = get_func_rettype(fcinfo->flinfo->fn_oid);
		ct->element_type = get_element_type(ct->array_type);
		if (!OidIsValid(ct->element_type))
			elog(ERROR, "kpi.attribute_final must return an array");
		ct->tupdesc = lookup_rowtype_tupdesc_copy(ct->element_type, -1);
		ct->tupdesc = BlessTupleDesc(ct->tupdesc);
		get_typlenbyvalalign(ct->element_type, &ct->typlen, &ct->typbyval, &ct->typalign);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = ct;
	}
	return ct;
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
emit(Output *out, CreditType *ct, const AttrState *s, int64 conversion_at,
	 int32 channel, int64 units)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	HeapTuple	tuple;

	values[0] = TimestampTzGetDatum(conversion_at);
	if (channel < 0)
	{
		nulls[1] = true;
		values[1] = (Datum) 0;
	}
	else
		values[1] = PointerGetDatum(cstring_to_text_with_len(s->names + s->channels[channel].offset,
															 s->channels[channel].len));
	values[2] = credit_numeric(units);
	tuple = heap_form_tuple(ct->tupdesc, values, nulls);
	if (out->n >= out->cap)
	{
		out->cap *= 2;
		out->elems = repalloc(out->elems, out->cap * sizeof(Datum));
	}
	out->elems[out->n++] = HeapTupleGetDatum(tuple);
}

/*
 * Turn the real shares of one conversion (weight[] over the channels in
 * touched[], by rank) into units of 1e-12 that add up to exactly 1, and emit
 * them in channel-name order.
 */
static void
emit_conversion(Output *out, CreditType *ct, const AttrState *s, int64 conversion_at,
				const int32 *by_rank, double *weight, int32 *touched, int32 ntouched,
				int64 *units)
{
	double		total = 0;
	int64		assigned = 0;
	int32		i;
	int32		largest = -1;

	/* touched[] holds ranks; name order is rank order */
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
	}
	/* The rounding remainder (a few units of 1e-12) to the largest credit. */
	units[largest] += CREDIT_UNITS - assigned;
	for (i = 0; i < ntouched; i++)
	{
		int32		r = touched[i];

		if (units[r] > 0)
			emit(out, ct, s, conversion_at, by_rank[r], units[r]);
		weight[r] = 0;
	}
}

static inline void
add_weight(double *weight, int32 *touched, int32 *ntouched, int32 rank, double w)
{
	if (weight[rank] == 0 && w > 0)
	{
		/* Each rank enters touched[] once: weights are positive once set. */
		touched[(*ntouched)++] = rank;
	}
	weight[rank] += w;
}

Datum
kpi_attribute_final(PG_FUNCTION_ARGS)
{
	AttrState  *s;
	const AttrParams *p;
	CreditType *ct;
	int32	   *by_rank;		/* rank -> channel */
	int32	   *rank_of;		/* channel -> rank */
	double	   *weight;			/* by rank */
	int64	   *units;			/* by rank */
	int32	   *touched;
	int32		direct_rank = -1;
	Output		out;
	int32		seg_start = 0;
	int32		i;
	ArrayType  *result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (AttrState *) PG_GETARG_POINTER(0);
	p = &s->params;
	ct = credit_type(fcinfo);

	by_rank = palloc(Max(s->nchannels, 1) * sizeof(int32));
	rank_of = palloc(Max(s->nchannels, 1) * sizeof(int32));
	weight = palloc0(Max(s->nchannels, 1) * sizeof(double));
	units = palloc(Max(s->nchannels, 1) * sizeof(int64));
	touched = palloc(Max(s->nchannels, 1) * sizeof(int32));
	for (i = 0; i < s->nchannels; i++)
		by_rank[i] = i;
	if (s->nchannels > 1)
		qsort_arg(by_rank, s->nchannels, sizeof(int32), compare_channel_names, s);
	for (i = 0; i < s->nchannels; i++)
	{
		const AttrChannel *c = &s->channels[by_rank[i]];

		rank_of[by_rank[i]] = i;
		if (p->model == MODEL_LAST_NON_DIRECT && c->len == p->direct_len &&
			memcmp(s->names + c->offset, p->direct, c->len) == 0)
			direct_rank = i;
	}

	/*
	 * Sorting reorders the events in place.  The state keeps the same events,
	 * so it stays valid for further transitions (window use) and for a second
	 * final call: the final function is read-only in effect.
	 */
	for (i = 0; i < s->nevents; i++)
		s->events[i].sort_key = s->events[i].channel < 0 ? PG_UINT32_MAX :
			(uint32) rank_of[s->events[i].channel];
	sort_attr_events(s->events, s->nevents);

	out.cap = 8;
	out.n = 0;
	out.elems = palloc(out.cap * sizeof(Datum));

	for (i = 0; i < s->nevents; i++)
	{
		const AttrEvent *conv = &s->events[i];
		int32		lo = seg_start;
		int32		hi = i;		/* touches are [lo, hi) */
		int32		k;
		int32		ntouched = 0;
		int64		oldest;
		int32		j;

		if (conv->channel >= 0)
			continue;
		seg_start = i + 1;

		if (p->bounded && !pg_sub_s64_overflow(conv->ts, p->lookback, &oldest))
			while (lo < hi && s->events[lo].ts < oldest)
				lo++;
		k = hi - lo;
		if (k == 0)
		{
			/* No touch in reach: the conversion is unattributed. */
			emit(&out, ct, s, conv->ts, -1, CREDIT_UNITS);
			continue;
		}

#define RANK(idx) ((int32) s->events[(idx)].sort_key)
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
					double		latest = (double) s->events[hi - 1].ts;
					double		h = (double) p->half_life;

					for (j = lo; j < hi; j++)
						add_weight(weight, touched, &ntouched, RANK(j),
								   exp2(-(latest - (double) s->events[j].ts) / h));
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
		if (ntouched == 0)
		{
			/* cannot happen: some touch always has a positive weight */
			emit(&out, ct, s, conv->ts, -1, CREDIT_UNITS);
			continue;
		}
		emit_conversion(&out, ct, s, conv->ts, by_rank, weight, touched, ntouched, units);
	}

	result = construct_array(out.elems, out.n, ct->element_type, ct->typlen,
							 ct->typbyval, ct->typalign);
	PG_RETURN_ARRAYTYPE_P(result);
}
