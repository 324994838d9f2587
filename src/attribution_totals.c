/*
 * attribution_totals.c
 *		kpi.attribute_totals(): the credit per channel over many customers.
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
 * units of 1e-12 kpi.attribute gives (attr_conversion_units), added as
 * integers.
 *
 * The model, the dictionary of channel names, the crediting of one
 * customer's conversions and the pieces of the serialized format are
 * kpi.attribute's (attribution.c, attribution.h), so that the two
 * aggregates cannot drift apart.
 */
#include "postgres.h"

#include <sys/mman.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "attribution.h"

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
	AttrStateHead head;			/* first: attr_combine_args reads it */
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
	s->head.dict = dict;
	s->head.params = params;
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
	MemoryContext aggcontext = attr_agg_context(fcinfo, "kpi.attribute_totals_accum", ATTR_AS_TRANSITION);
	AttrDict   *dict = attr_get_dict(fcinfo);
	TotalsState *s;
	int64		customer;
	int64		ts;
	int32		channel;
	bool		converted;

	if (PG_ARGISNULL(0))
		s = totals_new(aggcontext, dict, attr_row_params(fcinfo, 5, dict, NULL), 0);
	else
	{
		s = (TotalsState *) PG_GETARG_POINTER(0);
		attr_row_params(fcinfo, 5, dict, s->head.params);
	}

	if (PG_ARGISNULL(1) || !attr_read_row(fcinfo, 2, dict, &ts, &channel, &converted))
		PG_RETURN_POINTER(s);
	customer = PG_GETARG_INT64(1);
	if (channel >= 0)
		totals_push(s, customer, ts, channel);
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
	if (src->head.dict == dst->head.dict)
	{
		memcpy(dst->rows + dst->nrows, src->rows, src->nrows * sizeof(TotalsRow));
		dst->nrows += src->nrows;
		return;
	}
	map = attr_channel_map_new(src->head.dict);
	for (i = 0; i < src->nrows; i++)
	{
		TotalsRow  *r = &dst->rows[dst->nrows++];
		int32		ch = src->rows[i].channel;

		*r = src->rows[i];
		if (ch >= 0)
			r->channel = attr_map_channel(map, src->head.dict, dst->head.dict, ch);
	}
	pfree(map);
}

Datum
kpi_attribute_totals_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	AttrStateHead *h1;
	AttrStateHead *h2;
	TotalsState *s1;
	TotalsState *s2;

	if (!attr_combine_args(fcinfo, "kpi.attribute_totals_combine", &aggcontext, &h1, &h2))
		return attr_return_state(fcinfo, h1);
	s1 = (TotalsState *) h1;
	s2 = (TotalsState *) h2;
	if (s1 == NULL)
		s1 = totals_new(aggcontext, h2->dict, h2->params, s2->nrows);
	totals_merge(s1, s2);
	PG_RETURN_POINTER(s1);
}

/*
 * Layout: attr_serialize_head (version byte, the parameters, the state's own
 * channel names), then the rows (count, then customer, time and local
 * channel of each).
 */
Datum
kpi_attribute_totals_serialize(PG_FUNCTION_ARGS)
{
	TotalsState *s;
	SerialScratch *sc;
	StringInfoData buf;
	int64		i;

	attr_agg_context(fcinfo, "kpi.attribute_totals_serialize", ATTR_BY_AGGREGATE);
	s = (TotalsState *) PG_GETARG_POINTER(0);
	sc = attr_serial_scratch(fcinfo, s->head.dict);
	for (i = 0; i < s->nrows; i++)
		attr_serial_number(sc, s->rows[i].channel);

	pq_begintypsend(&buf);
	attr_serialize_head(&buf, &s->head, sc);
	pq_sendint64(&buf, s->nrows);
	/*
	 * the rows, at most TOTALS_MAX_ROWS * 20 bytes, after the channel names:
	 * past MaxAllocSize in all, enlargeStringInfo stops with a clean error
	 */
	enlargeStringInfo(&buf, s->nrows * 20);
	for (i = 0; i < s->nrows; i++)
	{
		pq_writeint64(&buf, s->rows[i].customer);
		pq_writeint64(&buf, s->rows[i].ts);
		pq_writeint32(&buf, attr_serial_local(sc, s->rows[i].channel));
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
kpi_attribute_totals_deserialize(PG_FUNCTION_ARGS)
{
	AttrSerialIn in;
	TotalsState *s;
	int64		nrows;
	int64		i;

	attr_deserialize_begin(fcinfo, "kpi.attribute_totals_deserialize", ATTR_MAX_CHANNELS, &in);
	attr_need_bytes(&in.buf, 8);
	nrows = pq_getmsgint64(&in.buf);
	if (nrows < 0 || nrows > TOTALS_MAX_ROWS)
		attr_corrupt_state("Bad row count.");
	attr_need_bytes(&in.buf, nrows * 20);
	s = totals_new(in.aggcontext, in.dict, in.params, nrows);
	for (i = 0; i < nrows; i++)
	{
		TotalsRow  *r = &s->rows[i];

		r->customer = pq_getmsgint64(&in.buf);
		r->ts = pq_getmsgint64(&in.buf);
		r->channel = attr_deserialize_channel(&in, pq_getmsgint(&in.buf, 4));
	}
	s->nrows = nrows;
	attr_deserialize_end(&in);
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
	attr_conversion_units(t->weight, t->units, t->touched, ntouched);
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
	return DirectFunctionCall2(numeric_add, w, attr_credit_numeric(fraction));
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
	d = s->head.dict;
	p = s->head.params;
	nchannels = d->nchannels;

	/* Rank every channel of the query by name (C collation), once. */
	by_rank = palloc(Max(nchannels, 1) * sizeof(int32));
	rank_of = palloc(Max(nchannels, 1) * sizeof(int32));
	for (i = 0; i < nchannels; i++)
		by_rank[i] = (int32) i;
	qsort_arg(by_rank, nchannels, sizeof(int32), attr_compare_channel_names, d);
	for (i = 0; i < nchannels; i++)
		rank_of[by_rank[i]] = (int32) i;
	if (p->model == MODEL_LAST_NON_DIRECT)
	{
		uint32		hash;
		int32		direct = attr_lookup_channel(d, p->direct, p->direct_len, &hash);

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
		attr_credit_conversions(p, ev, n, direct_rank, t.weight, t.touched, add_credits, &t);
		CHECK_FOR_INTERRUPTS();
	}
	for (i = 0; i < s->nrows; i++)
		if (s->rows[i].channel >= 0)
			s->rows[i].channel = by_rank[s->rows[i].channel];

	attr_result_type(fcinfo, "kpi.attribute_totals_final", &element_type, &tupdesc,
					 &typlen, &typbyval, &typalign);
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
