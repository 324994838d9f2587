/*
 * ratio_fuzz.c
 *		libFuzzer target for kpi's numeric decoder and kpi.ratio's text and
 *		binary input, built from the unchanged sources (src/decimal_sum.c,
 *		src/ratio.c, src/ratio_io.c, src/float_sum.c) with the backend stubs
 *		of test/fuzz/backend_stubs.c.
 *
 * The first input byte picks the target, the rest is its input:
 *
 *	 0	kpi.ratio text input.  An error must carry 22P02 or 22003; a value
 *		must be well formed, print, read back equal with the same text, and
 *		come back equal through send/recv.
 *	 1	kpi.ratio binary input (recv): the same checks on what it accepts;
 *		errors must be 22P03, 22003 or 08P01 (short message).
 *	 2	a numeric datum's payload (header and base-10000 digits).  It is
 *		wrapped in every varlena form PostgreSQL can hand a function -- a
 *		1-byte header, a 4-byte header, pglz-compressed inline, an on-disk
 *		TOAST pointer (plain and compressed), an in-memory indirect pointer
 *		-- and decoded through the three entry points (the inline fast path
 *		of the transitions, decode_numeric_input, decimal_from_numeric).
 *		Every form and entry must give the same result, and for a valid
 *		numeric that result must equal an independent decoding: the exact
 *		value at the documented scale, or 22003 exactly when the value has
 *		more than 36 places or does not fit 128 bits.  kpi 0.1.0 read the
 *		bytes of a TOAST pointer as digits: the pointer forms catch that.
 *
 * Besides these checks, any crash or sanitizer report (ASan, UBSan) fails.
 * Build and run: bash test/fuzz/ratio.sh [seconds]
 */
#include "postgres.h"

#include <setjmp.h>

#include "access/toast_compression.h"
#include "common/pg_lzcompress.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

#include "backend_stubs.h"
#include "ratio.h"

extern Datum kpi_ratio_in(PG_FUNCTION_ARGS);
extern Datum kpi_ratio_out(PG_FUNCTION_ARGS);
extern Datum kpi_ratio_send(PG_FUNCTION_ARGS);
extern Datum kpi_ratio_recv(PG_FUNCTION_ARGS);

#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #cond); abort(); } } while (0)

/* ---------- calling the server functions, catching their errors ---------- */

typedef struct CallResult
{
	bool		ok;
	int			sqlstate;		/* when !ok */
	Datum		value;
} CallResult;

static CallResult
call1(PGFunction fn, Datum arg)
{
	LOCAL_FCINFO(fcinfo, 1);
	sigjmp_buf	jump;
	CallResult	result = {false, 0, (Datum) 0};

	memset(fcinfo, 0, SizeForFunctionCallInfo(1));
	fcinfo->nargs = 1;
	fcinfo->args[0].value = arg;
	fcinfo->args[0].isnull = false;
	stub_error_jump = &jump;
	if (sigsetjmp(jump, 0) == 0)
	{
		result.value = fn(fcinfo);
		result.ok = true;
		CHECK(!fcinfo->isnull);
	}
	else
		result.sqlstate = stub_error_sqlstate;
	stub_error_jump = NULL;
	return result;
}

static bool
sqlstate_in(int sqlstate, const int *allowed, int n)
{
	for (int i = 0; i < n; i++)
		if (sqlstate == allowed[i])
			return true;
	return false;
}

static CallResult
ratio_recv_bytes(const char *data, int len)
{
	StringInfoData buf;

	buf.data = palloc(len + 1);
	memcpy(buf.data, data, len);
	buf.data[len] = '\0';
	buf.len = len;
	buf.maxlen = len + 1;
	buf.cursor = 0;
	return call1(kpi_ratio_recv, PointerGetDatum(&buf));
}

/* A value accepted by an input function: well formed, and every round trip holds. */
static void
check_accepted_ratio(const Ratio *ratio)
{
	CallResult	text;
	CallResult	again;
	CallResult	text_again;
	CallResult	sent;
	CallResult	received;
	bytea	   *wire;

	CHECK(ratio_problem(ratio) == NULL);
	text = call1(kpi_ratio_out, PointerGetDatum(ratio));
	CHECK(text.ok);
	again = call1(kpi_ratio_in, text.value);
	if (!again.ok)
		fprintf(stderr, "output not accepted back: %s\n", DatumGetCString(text.value));
	CHECK(again.ok);
	CHECK(ratio_equal(ratio, DatumGetRatioP(again.value)));
	text_again = call1(kpi_ratio_out, again.value);
	CHECK(text_again.ok && strcmp(DatumGetCString(text.value), DatumGetCString(text_again.value)) == 0);

	sent = call1(kpi_ratio_send, PointerGetDatum(ratio));
	CHECK(sent.ok);
	wire = DatumGetByteaPP(sent.value);
	received = ratio_recv_bytes(VARDATA_ANY(wire), VARSIZE_ANY_EXHDR(wire));
	CHECK(received.ok);
	CHECK(ratio_equal(ratio, DatumGetRatioP(received.value)));
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	static const int allowed[] = {ERRCODE_INVALID_TEXT_REPRESENTATION, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE};
	char	   *input = palloc(size + 1);
	CallResult	parsed;

	memcpy(input, data, size);
	input[size] = '\0';
	parsed = call1(kpi_ratio_in, CStringGetDatum(input));
	if (!parsed.ok)
	{
		CHECK(sqlstate_in(parsed.sqlstate, allowed, lengthof(allowed)));
		return;
	}
	check_accepted_ratio(DatumGetRatioP(parsed.value));
}

static void
fuzz_binary(const uint8_t *data, size_t size)
{
	static const int allowed[] = {ERRCODE_INVALID_BINARY_REPRESENTATION, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
	ERRCODE_PROTOCOL_VIOLATION};
	CallResult	received = ratio_recv_bytes((const char *) data, (int) size);

	if (!received.ok)
	{
		CHECK(sqlstate_in(received.sqlstate, allowed, lengthof(allowed)));
		return;
	}
	check_accepted_ratio(DatumGetRatioP(received.value));
}

/* ---------- the numeric decoder in every varlena form ---------- */

/* The harness's TOAST table: on-disk pointers name a value by index. */
#define TOAST_SLOTS 4
static struct varlena *toast_table[TOAST_SLOTS];
static int	toast_used;

/* What the server's detoaster does, for the forms built below. */
struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL_ONDISK(datum))
	{
		varatt_external pointer;

		memcpy(&pointer, VARDATA_EXTERNAL(datum), sizeof(pointer));
		CHECK(pointer.va_valueid < (Oid) toast_used);
		return pg_detoast_datum_packed(toast_table[pointer.va_valueid]);
	}
	if (VARATT_IS_EXTERNAL_INDIRECT(datum))
	{
		varatt_indirect pointer;

		memcpy(&pointer, VARDATA_EXTERNAL(datum), sizeof(pointer));
		return pg_detoast_datum_packed(pointer.pointer);
	}
	CHECK(!VARATT_IS_EXTERNAL(datum));	/* no expanded numerics */
	if (VARATT_IS_COMPRESSED(datum))
	{
		int32		rawsize = VARDATA_COMPRESSED_GET_EXTSIZE(datum);
		struct varlena *result = palloc(rawsize + VARHDRSZ);

		CHECK(pglz_decompress((char *) datum + VARHDRSZ_COMPRESSED,
							  VARSIZE(datum) - VARHDRSZ_COMPRESSED,
							  VARDATA(result), rawsize, true) == rawsize);
		SET_VARSIZE(result, rawsize + VARHDRSZ);
		return result;
	}
	return datum;				/* inline, 1- or 4-byte header: as it is */
}

/* One decoding: the class and value, or the error. */
typedef struct Decoded
{
	bool		ok;
	int			sqlstate;
	NumericClass class;
	int128		unscaled;
	int			scale;
} Decoded;

typedef enum Entry
{
	ENTRY_FAST_PATH,			/* decode_input(), inline in every transition */
	ENTRY_DECODE_INPUT,			/* decode_numeric_input() */
	ENTRY_DECIMAL_FROM_NUMERIC	/* decimal_from_numeric() */
} Entry;

static Decoded
decode(struct varlena *datum, Entry entry)
{
	sigjmp_buf	jump;
	Decoded		result = {0};

	stub_error_jump = &jump;
	if (sigsetjmp(jump, 0) == 0)
	{
		KpiInput	input;

		switch (entry)
		{
			case ENTRY_FAST_PATH:
				decode_input(PointerGetDatum(datum), INPUT_NUMERIC, &input, true);
				break;
			case ENTRY_DECODE_INPUT:
				input = decode_numeric_input(PointerGetDatum(datum), true);
				break;
			case ENTRY_DECIMAL_FROM_NUMERIC:
				result.class = decimal_from_numeric(PointerGetDatum(datum), &result.unscaled, &result.scale);
				result.ok = true;
				break;
		}
		if (entry != ENTRY_DECIMAL_FROM_NUMERIC)
		{
			result.ok = true;
			if (!input.is_float)
			{
				result.class = NUMERIC_CLASS_FINITE;
				result.unscaled = input.unscaled;
				result.scale = input.scale;
			}
			else
				result.class = isnan(input.approx) ? NUMERIC_CLASS_NAN
					: input.approx > 0 ? NUMERIC_CLASS_PINF : NUMERIC_CLASS_NINF;
		}
	}
	else
	{
		result.ok = false;
		result.sqlstate = stub_error_sqlstate;
	}
	stub_error_jump = NULL;
	return result;
}

static bool
same_decoding(const Decoded *a, const Decoded *b)
{
	if (a->ok != b->ok)
		return false;
	if (!a->ok)
		return a->sqlstate == b->sqlstate;
	if (a->class != b->class)
		return false;
	return a->class != NUMERIC_CLASS_FINITE ||
		(a->unscaled == b->unscaled && a->scale == b->scale);
}

/*
 * The independent decoding of a valid numeric payload, from the format as
 * numeric.c documents it: sign, display scale, weight, and digits 0..9999
 * with no leading or trailing zero digit.  Returns false for a payload that
 * PostgreSQL never stores (the decoder may then do anything but crash).
 */
typedef struct Expected
{
	NumericClass class;
	bool		representable;
	int128		unscaled;		/* at scale */
	int			scale;
} Expected;

static bool
expected_decoding(const uint8_t *payload, size_t size, Expected *out)
{
	uint16		header;
	bool		negative;
	int			dscale;
	int			weight;
	const uint8_t *digits;
	int			ndigits;
	char		text[200];
	int			len = 0;
	int			exponent;
	int			places;
	uint128		magnitude = 0;
	uint128		limit;

	memset(out, 0, sizeof(*out));
	if (size < 2)
		return false;
	memcpy(&header, payload, 2);
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		if (size != 2)
			return false;
		if (header == NUM_NAN)
			out->class = NUMERIC_CLASS_NAN;
		else if (header == NUM_PINF)
			out->class = NUMERIC_CLASS_PINF;
		else if (header == NUM_NINF)
			out->class = NUMERIC_CLASS_NINF;
		else
			return false;
		return true;
	}
	if ((header & NUM_SIGN_MASK) == NUM_SHORT)
	{
		negative = (header & NUM_SHORT_SIGN_MASK) != 0;
		dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = header & NUM_SHORT_WEIGHT_MASK;
		if (header & NUM_SHORT_WEIGHT_SIGN)
			weight |= ~NUM_SHORT_WEIGHT_MASK;
		digits = payload + 2;
		size -= 2;
	}
	else
	{
		int16		w;

		if (size < 4)
			return false;
		negative = (header & NUM_SIGN_MASK) == NUM_NEG;
		dscale = header & NUM_DSCALE_MASK;
		memcpy(&w, payload + 2, 2);
		weight = w;
		digits = payload + 4;
		size -= 4;
	}
	if (size % 2 != 0 || size / 2 > 40)
		return false;
	ndigits = size / 2;
	out->class = NUMERIC_CLASS_FINITE;

	/* The integer of all digits as decimal text, and its power of ten. */
	for (int i = 0; i < ndigits; i++)
	{
		int16		d;

		memcpy(&d, digits + 2 * i, 2);
		if (d < 0 || d > 9999 || ((i == 0 || i == ndigits - 1) && d == 0))
			return false;
		len += sprintf(text + len, i == 0 ? "%d" : "%04d", d);
	}
	exponent = ndigits == 0 ? 0 : 4 * (weight - ndigits + 1);
	while (len > 0 && text[len - 1] == '0')
	{
		len--;
		exponent++;
	}
	places = exponent < 0 ? -exponent : 0;
	if (ndigits > 0 && places > dscale)
		return false;			/* digits beyond the display scale: never stored */

	/* Representable: at most 36 places, and the integer within int128. */
	limit = ((uint128) 1 << 127) - (negative ? 0 : 1);
	out->representable = places <= DECIMAL_MAX_SCALE;
	for (int i = 0; i < len + (exponent > 0 ? exponent : 0) && out->representable; i++)
	{
		int			d = i < len ? text[i] - '0' : 0;

		if (magnitude > (limit - d) / 10)
			out->representable = false;
		else
			magnitude = magnitude * 10 + d;
	}
	if (!out->representable)
		return true;
	out->unscaled = negative ? (int128) (-magnitude) : (int128) magnitude;
	out->scale = places;
	/* the display scale is kept when it has at most 36 places and fits */
	if (dscale <= DECIMAL_MAX_SCALE && dscale > places)
	{
		int128		at_dscale = out->unscaled;

		if (decimal_rescale(&at_dscale, places, dscale))
		{
			out->unscaled = at_dscale;
			out->scale = dscale;
		}
	}
	return true;
}

/* The payload in each varlena form; returns how many forms were built. */
#define MAX_FORMS 6
static int
build_forms(const uint8_t *payload, size_t size, struct varlena **forms, const char **names)
{
	int			n = 0;
	struct varlena *long_form = palloc(size + VARHDRSZ);
	int32		max_compressed = PGLZ_MAX_OUTPUT(size);
	char	   *compressed = palloc(max_compressed + VARHDRSZ_COMPRESSED);
	int32		compressed_len;

	toast_used = 0;

	SET_VARSIZE(long_form, size + VARHDRSZ);
	memcpy(VARDATA(long_form), payload, size);
	names[n] = "4-byte header";
	forms[n++] = long_form;

	if (size + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		struct varlena *short_form = palloc(size + VARHDRSZ_SHORT);

		SET_VARSIZE_SHORT(short_form, size + VARHDRSZ_SHORT);
		memcpy(VARDATA_SHORT(short_form), payload, size);
		names[n] = "1-byte header";
		forms[n++] = short_form;
	}

	compressed_len = pglz_compress((const char *) payload, size, compressed + VARHDRSZ_COMPRESSED,
								   PGLZ_strategy_always);
	if (compressed_len >= 0)
	{
		struct varlena *c = (struct varlena *) compressed;
		varatt_external pointer;
		struct varlena *ondisk = palloc(VARHDRSZ_EXTERNAL + sizeof(varatt_external));

		SET_VARSIZE_COMPRESSED(c, compressed_len + VARHDRSZ_COMPRESSED);
		((varattrib_4b *) c)->va_compressed.va_tcinfo =
			(uint32) size | ((uint32) TOAST_PGLZ_COMPRESSION_ID << VARLENA_EXTSIZE_BITS);
		names[n] = "compressed inline";
		forms[n++] = c;

		/* the compressed datum stored out of line */
		toast_table[toast_used] = c;
		pointer.va_rawsize = size + VARHDRSZ;
		pointer.va_extinfo = (uint32) compressed_len |
			((uint32) TOAST_PGLZ_COMPRESSION_ID << VARLENA_EXTSIZE_BITS);
		pointer.va_valueid = toast_used++;
		pointer.va_toastrelid = 1;
		SET_VARTAG_EXTERNAL(ondisk, VARTAG_ONDISK);
		memcpy(VARDATA_EXTERNAL(ondisk), &pointer, sizeof(pointer));
		CHECK(VARATT_EXTERNAL_IS_COMPRESSED(pointer));
		names[n] = "TOAST pointer, compressed";
		forms[n++] = ondisk;
	}

	{
		/* the plain datum stored out of line */
		varatt_external pointer;
		struct varlena *ondisk = palloc(VARHDRSZ_EXTERNAL + sizeof(varatt_external));
		varatt_indirect indirect;
		struct varlena *in_memory = palloc(VARHDRSZ_EXTERNAL + sizeof(varatt_indirect));

		toast_table[toast_used] = long_form;
		pointer.va_rawsize = size + VARHDRSZ;
		pointer.va_extinfo = (uint32) size;
		pointer.va_valueid = toast_used++;
		pointer.va_toastrelid = 1;
		SET_VARTAG_EXTERNAL(ondisk, VARTAG_ONDISK);
		memcpy(VARDATA_EXTERNAL(ondisk), &pointer, sizeof(pointer));
		names[n] = "TOAST pointer";
		forms[n++] = ondisk;

		indirect.pointer = long_form;
		SET_VARTAG_EXTERNAL(in_memory, VARTAG_INDIRECT);
		memcpy(VARDATA_EXTERNAL(in_memory), &indirect, sizeof(indirect));
		names[n] = "indirect pointer";
		forms[n++] = in_memory;
	}
	return n;
}

static void
fuzz_numeric(const uint8_t *payload, size_t size)
{
	struct varlena *forms[MAX_FORMS];
	const char *names[MAX_FORMS];
	int			nforms;
	Decoded		reference;
	Expected	expected;
	bool		valid;

	if (size > 200)
		return;
	nforms = build_forms(payload, size, forms, names);
	reference = decode(forms[0], ENTRY_DECIMAL_FROM_NUMERIC);
	for (int f = 0; f < nforms; f++)
		for (Entry e = ENTRY_FAST_PATH; e <= ENTRY_DECIMAL_FROM_NUMERIC; e++)
		{
			Decoded		d = decode(forms[f], e);

			if (!same_decoding(&d, &reference))
			{
				fprintf(stderr, "form \"%s\", entry %d decodes differently\n", names[f], (int) e);
				abort();
			}
		}

	valid = expected_decoding(payload, size, &expected);
	if (!valid)
	{
		/* never stored by PostgreSQL: any clean outcome will do */
		CHECK(reference.ok || reference.sqlstate == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE ||
			  reference.sqlstate == ERRCODE_INTERNAL_ERROR);
		return;
	}
	if (expected.class != NUMERIC_CLASS_FINITE)
	{
		CHECK(reference.ok && reference.class == expected.class);
		return;
	}
	if (!expected.representable)
	{
		CHECK(!reference.ok && reference.sqlstate == ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
		return;
	}
	if (!reference.ok)
		fprintf(stderr, "a representable value was rejected (SQLSTATE %d)\n", reference.sqlstate);
	CHECK(reference.ok && reference.class == NUMERIC_CLASS_FINITE);
	CHECK(reference.scale == expected.scale);
	CHECK(reference.unscaled == expected.unscaled);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3)
	{
		case 0:
			fuzz_text(data + 1, size - 1);
			break;
		case 1:
			fuzz_binary(data + 1, size - 1);
			break;
		case 2:
			fuzz_numeric(data + 1, size - 1);
			break;
	}
	stub_free_all();
	return 0;
}
