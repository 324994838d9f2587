/*
 * attribution.h
 *		What kpi.attribute (attribution.c) and kpi.attribute_totals
 *		(attribution_totals.c) share: the limits, the parsed model, the
 *		dictionary of channel names, the crediting of one customer's
 *		conversions, and the pieces of their serialized formats.
 *
 * The helpers a transition function calls once per row are static inline
 * here, so that splitting the aggregates into two files costs no call per
 * row; the rest runs once per state (combine, serialize, deserialize,
 * final) and lives in attribution.c.
 */
#ifndef KPI_ATTRIBUTION_H
#define KPI_ATTRIBUTION_H

#include "access/tupdesc.h"
#include "common/hashfn.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

/* 12 bytes per entry: 48 MB per customer at most. */
#define ATTR_MAX_EVENTS (4 * 1024 * 1024)
#define ATTR_MAX_CHANNELS (16 * 1024 * 1024)
#define ATTR_MAX_NAMES_BYTES (256 * 1024 * 1024)
/* Distinct model arguments one call site may see (a model per customer). */
#define ATTR_MAX_PARAM_SETS 64

/* Credits are integers in units of 1e-12. */
#define CREDIT_DIGITS 12
#define CREDIT_UNITS INT64CONST(1000000000000)

/*
 * Serialized format version of both aggregates: bump when the layout of
 * either changes.
 */
#define ATTR_SERIAL_VERSION 1

/* Dictionaries larger than this get a hash index. */
#define LINEAR_LOOKUP_MAX 8

/* How a support function must be called, for attr_agg_context's error. */
#define ATTR_AS_TRANSITION "as an aggregate's transition function"
#define ATTR_AS_COMBINE "as an aggregate's combine function"
#define ATTR_BY_AGGREGATE "by an aggregate"

typedef enum AttrModel
{
	MODEL_FIRST_TOUCH,
	MODEL_LAST_TOUCH,
	MODEL_LAST_NON_DIRECT,
	MODEL_LINEAR,
	MODEL_TIME_DECAY,
	MODEL_POSITION_BASED
} AttrModel;

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
 * The final functions' sort entry: the channel's rank by name for a touch,
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
 * What the states of both aggregates begin with: the call site's dictionary
 * and the group's parameters.
 */
typedef struct AttrStateHead
{
	AttrDict   *dict;
	AttrParams *params;
} AttrStateHead;

/*
 * Per serialize call site: the local number of each dictionary channel in
 * the state being serialized, valid where stamp[] holds this state's stamp,
 * so that nothing is cleared between states; order[] lists the state's
 * channels by local number.
 */
typedef struct SerialScratch
{
	int32		cap;
	int32	   *local;
	uint32	   *stamp;
	uint32		current;
	int32		nlocal;
	int32	   *order;
} SerialScratch;

/* A serialized state being read, after attr_deserialize_begin. */
typedef struct AttrSerialIn
{
	MemoryContext aggcontext;
	StringInfoData buf;
	AttrDict   *dict;
	AttrParams *params;			/* the dictionary's entry for them */
	int32		nchannels;		/* the state's own channels */
	int32	   *map;			/* local channel -> dictionary channel */
} AttrSerialIn;

/* attribution.c */
extern void attr_not_aggregate(const char *fname, const char *how) pg_attribute_noreturn();
extern AttrParams *attr_find_params(FunctionCallInfo fcinfo, int base, AttrDict *dict);
extern bool attr_params_equal(const AttrParams *a, const AttrParams *b);
extern void attr_params_differ_error(void) pg_attribute_noreturn();
extern void attr_infinite_timestamp(int64 ts) pg_attribute_noreturn();
extern AttrDict *attr_new_dict(FunctionCallInfo fcinfo);
extern int32 attr_add_channel(AttrDict *d, const char *name, int32 len, uint32 hash);
extern bool attr_combine_args(FunctionCallInfo fcinfo, const char *fname,
							  MemoryContext *aggcontext,
							  AttrStateHead **s1, AttrStateHead **s2);
extern int32 *attr_channel_map_new(const AttrDict *src);
extern SerialScratch *attr_serial_scratch(FunctionCallInfo fcinfo, const AttrDict *dict);
extern void attr_serialize_head(StringInfo buf, const AttrStateHead *s, const SerialScratch *sc);
extern void attr_corrupt_state(const char *what) pg_attribute_noreturn();
extern void attr_need_bytes(StringInfo buf, int64 n);
extern void attr_deserialize_begin(FunctionCallInfo fcinfo, const char *fname,
								   int32 max_channels, AttrSerialIn *in);
extern void attr_deserialize_end(AttrSerialIn *in);
extern void attr_result_type(FunctionCallInfo fcinfo, const char *fname, Oid *element_type,
							 TupleDesc *tupdesc, int16 *typlen, bool *typbyval, char *typalign);
extern Datum attr_credit_numeric(int64 units);
extern void attr_conversion_units(double *weight, int64 *units, int32 *touched, int32 ntouched);

/*
 * Walk one customer's events ev[0, n), sorted by time then key (touches by
 * channel rank, conversions last at one instant), and call fn once per
 * conversion: with the number of ranks in touched[] whose weight[] the model
 * set, or with 0 for a conversion no touch reaches (unattributed).  Each
 * conversion is credited from the touches since the previous one, within
 * the lookback.
 */
typedef void (*conversion_fn) (void *arg, int64 conversion_at, int32 ntouched);
extern void attr_credit_conversions(const AttrParams *p, const SortEvent *ev, int32 n,
									int32 direct_rank, double *weight, int32 *touched,
									conversion_fn fn, void *arg);

/*
 * The aggregate context, or an error naming the function when it is called
 * outside an aggregate ("how": ATTR_AS_TRANSITION, ...).
 */
static pg_attribute_always_inline MemoryContext
attr_agg_context(FunctionCallInfo fcinfo, const char *fname, const char *how)
{
	MemoryContext aggcontext;

	if (unlikely(!AggCheckCallContext(fcinfo, &aggcontext)))
		attr_not_aggregate(fname, how);
	return aggcontext;
}

/* The call site's dictionary (in fn_extra), made on the first call. */
static pg_attribute_always_inline AttrDict *
attr_get_dict(FunctionCallInfo fcinfo)
{
	AttrDict   *dict = (AttrDict *) fcinfo->flinfo->fn_extra;

	if (likely(dict != NULL))
		return dict;
	return attr_new_dict(fcinfo);
}

/* Both states of a combine call are returned as they are or as NULL. */
static inline Datum
attr_return_state(FunctionCallInfo fcinfo, void *state)
{
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/* The parameters of two states of one group must be the same. */
static pg_attribute_always_inline void
attr_check_same_params(const AttrParams *a, const AttrParams *b)
{
	if (a != b && !attr_params_equal(a, b))
		attr_params_differ_error();
}

/*
 * Were these parameters parsed from exactly these arguments?  Compared by
 * value (a model from a column may reuse one address for different texts);
 * a constant model costs a memcmp of a few bytes per row.
 */
static pg_attribute_always_inline bool
attr_args_match(FunctionCallInfo fcinfo, int base, const AttrParams *p)
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

/*
 * A transition's parameters: those of the group's first row for a new state
 * (params NULL), else a check that this row's model, from argument "base"
 * on, is the group's.
 */
static pg_attribute_always_inline AttrParams *
attr_row_params(FunctionCallInfo fcinfo, int base, AttrDict *dict, AttrParams *params)
{
	if (params == NULL)
		return attr_find_params(fcinfo, base, dict);
	/* The model must not change within a group. */
	if (unlikely(!attr_args_match(fcinfo, base, params)))
		attr_check_same_params(attr_find_params(fcinfo, base, dict), params);
	return params;
}

/* The id of a channel name, or -1 when the dictionary does not have it. */
static pg_attribute_always_inline int32
attr_lookup_channel(AttrDict *d, const char *name, int32 len, uint32 *hash_out)
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

/* The id of a channel name, added (once per distinct name) if new. */
static pg_attribute_always_inline int32
attr_intern_channel(AttrDict *d, const char *name, int32 len)
{
	uint32		hash = 0;
	int32		i = attr_lookup_channel(d, name, len, &hash);

	if (likely(i >= 0))
		return i;
	return attr_add_channel(d, name, len, hash);
}

/*
 * One row of a transition, from its arguments ts, channel and converted at
 * "first" and on: false when the row is skipped (no time, or neither a
 * channel nor a conversion); else its time, its channel's id (-1 for none)
 * and whether it is a conversion.
 */
static pg_attribute_always_inline bool
attr_read_row(FunctionCallInfo fcinfo, int first, AttrDict *dict,
			  int64 *ts, int32 *channel, bool *converted)
{
	if (PG_ARGISNULL(first))
		return false;
	*ts = PG_GETARG_TIMESTAMPTZ(first);
	*converted = !PG_ARGISNULL(first + 2) && PG_GETARG_BOOL(first + 2);
	if (PG_ARGISNULL(first + 1) && !*converted)
		return false;
	if (unlikely(TIMESTAMP_NOT_FINITE(*ts)))
		attr_infinite_timestamp(*ts);
	*channel = -1;
	if (!PG_ARGISNULL(first + 1))
	{
		text	   *name = PG_GETARG_TEXT_PP(first + 1);

		*channel = attr_intern_channel(dict, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	}
	return true;
}

/*
 * A channel of another dictionary (combine), as this one's: map[] starts
 * at -1 (attr_channel_map_new) and fills as the channels come.
 */
static inline int32
attr_map_channel(int32 *map, const AttrDict *src, AttrDict *dst, int32 ch)
{
	if (map[ch] < 0)
	{
		const AttrChannel *c = &src->channels[ch];

		map[ch] = attr_intern_channel(dst, src->names + c->offset, c->len);
	}
	return map[ch];
}

/* Serialize: give channel ch (-1: a conversion) its local number on first use. */
static inline void
attr_serial_number(SerialScratch *sc, int32 ch)
{
	if (ch >= 0 && sc->stamp[ch] != sc->current)
	{
		sc->stamp[ch] = sc->current;
		sc->local[ch] = sc->nlocal;
		sc->order[sc->nlocal++] = ch;
	}
}

/* Serialize: the local number of channel ch, -1 for a conversion. */
static inline int32
attr_serial_local(const SerialScratch *sc, int32 ch)
{
	return ch < 0 ? -1 : sc->local[ch];
}

/* Deserialize: a serialized local channel number as the dictionary's. */
static inline int32
attr_deserialize_channel(const AttrSerialIn *in, int32 ch)
{
	if (ch < -1 || ch >= in->nchannels)
		attr_corrupt_state("Channel index out of range.");
	return ch < 0 ? -1 : in->map[ch];
}

/* Channel ids ordered by their names' bytes (C collation); arg: the AttrDict. */
static inline int
attr_compare_channel_names(const void *a, const void *b, void *arg)
{
	const AttrDict *d = (const AttrDict *) arg;
	const AttrChannel *ca = &d->channels[*(const int32 *) a];
	const AttrChannel *cb = &d->channels[*(const int32 *) b];
	int			cmp = memcmp(d->names + ca->offset, d->names + cb->offset, Min(ca->len, cb->len));

	if (cmp != 0)
		return cmp;
	return (ca->len > cb->len) - (ca->len < cb->len);
}

#endif							/* KPI_ATTRIBUTION_H */
