/*
 * ratio_io.c
 *		Text and binary I/O for kpi.ratio.
 *
 * The text form is what psql shows and what Citus ships between nodes as a
 * partial aggregate state, so it must round-trip exactly:
 *
 *		(n=3, num=12.50, den=7, sxx=52.0625, syy=17, sxy=29.75)
 *
 * Decimal sums print every digit at their scale.  Floating-point sums print
 * with a leading "~" as the shortest exact double, followed by the signed
 * low part of the double-double when it is not zero: ~0.30000000000000004
 * or ~1e+16+1.  The moments print as shortest exact doubles.  On input the
 * moments may be left out; they are then NaN, "unknown", so that a
 * confidence interval is never computed from moments nobody supplied.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/float.h"

#include "ratio.h"

PG_FUNCTION_INFO_V1(kpi_ratio_in);
PG_FUNCTION_INFO_V1(kpi_ratio_out);
PG_FUNCTION_INFO_V1(kpi_ratio_send);
PG_FUNCTION_INFO_V1(kpi_ratio_recv);

#define RATIO_TEXT_FORM "(n=<count>, num=<sum>, den=<sum>[, sxx=<float>, syy=<float>, sxy=<float>])"

static void
append_double(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

static void
append_sum(StringInfo buf, const RatioSum *sum)
{
	if (sum->kind == SUM_DECIMAL)
	{
		appendStringInfoString(buf, decimal_to_cstring(sum->v.decimal, sum->scale));
		return;
	}
	appendStringInfoChar(buf, '~');
	append_double(buf, sum->v.fp.hi);
	if (sum->v.fp.lo != 0.0)
	{
		if (sum->v.fp.lo > 0)
			appendStringInfoChar(buf, '+');
		append_double(buf, sum->v.fp.lo);
	}
}

/* kpi.ratio text output. */
Datum
kpi_ratio_out(PG_FUNCTION_ARGS)
{
	Ratio	   *ratio = PG_GETARG_RATIO_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(n=" INT64_FORMAT ", num=", ratio->n);
	append_sum(&buf, &ratio->num);
	appendStringInfoString(&buf, ", den=");
	append_sum(&buf, &ratio->den);
	appendStringInfoString(&buf, ", sxx=");
	append_double(&buf, ratio->sum_xx);
	appendStringInfoString(&buf, ", syy=");
	append_double(&buf, ratio->sum_yy);
	appendStringInfoString(&buf, ", sxy=");
	append_double(&buf, ratio->sum_xy);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* A small recursive-descent reader over the input string. */
typedef struct RatioParser
{
	const char *input;			/* the whole string, for messages */
	const char *p;				/* current position */
} RatioParser;

static void pg_attribute_noreturn()
syntax_error(const RatioParser *parser)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type kpi.ratio: \"%s\"", parser->input),
			 errdetail("Expected the form %s.", RATIO_TEXT_FORM)));
}

static void
skip_space(RatioParser *parser)
{
	while (isspace((unsigned char) *parser->p))
		parser->p++;
}

static void
expect_char(RatioParser *parser, char c)
{
	skip_space(parser);
	if (*parser->p != c)
		syntax_error(parser);
	parser->p++;
}

static bool
accept_key(RatioParser *parser, const char *key)
{
	size_t		len = strlen(key);

	skip_space(parser);
	if (strncmp(parser->p, key, len) != 0)
		return false;
	parser->p += len;
	expect_char(parser, '=');
	skip_space(parser);
	return true;
}

static double
parse_double(RatioParser *parser)
{
	char	   *end;
	double		value;

	skip_space(parser);
	/* Reject an empty number here; float8in_internal would say "double precision". */
	if (*parser->p == '\0' || *parser->p == ',' || *parser->p == ')')
		syntax_error(parser);
	value = float8in_internal((char *) parser->p, &end, "kpi.ratio", parser->input);
	parser->p = end;
	return value;
}

static void
parse_sum(RatioParser *parser, RatioSum *sum)
{
	skip_space(parser);
	if (*parser->p == '~')
	{
		parser->p++;
		sum->kind = SUM_FLOAT;
		sum->scale = 0;
		sum->v.fp.hi = parse_double(parser);
		sum->v.fp.lo = 0.0;
		if (*parser->p == '+' || *parser->p == '-')
			sum->v.fp.lo = parse_double(parser);
		return;
	}
	else
	{
		int			scale;
		const char *end;

		sum->kind = SUM_DECIMAL;
		if (!decimal_parse(parser->p, &end, &sum->v.decimal, &scale))
			syntax_error(parser);
		sum->scale = scale;
		parser->p = end;
	}
}

/* kpi.ratio text input. */
Datum
kpi_ratio_in(PG_FUNCTION_ARGS)
{
	char	   *input = PG_GETARG_CSTRING(0);
	RatioParser parser = {input, input};
	Ratio	   *ratio = palloc(sizeof(Ratio));
	const char *problem;
	char	   *end;

	ratio_init(ratio, true);
	expect_char(&parser, '(');
	if (!accept_key(&parser, "n"))
		syntax_error(&parser);
	errno = 0;
	if (!isdigit((unsigned char) *parser.p) && *parser.p != '-')
		syntax_error(&parser);
	ratio->n = strtoi64(parser.p, &end, 10);
	if (errno == ERANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("row count is out of range for type kpi.ratio: \"%s\"", input)));
	parser.p = end;
	expect_char(&parser, ',');
	if (!accept_key(&parser, "num"))
		syntax_error(&parser);
	parse_sum(&parser, &ratio->num);
	expect_char(&parser, ',');
	if (!accept_key(&parser, "den"))
		syntax_error(&parser);
	parse_sum(&parser, &ratio->den);

	skip_space(&parser);
	if (*parser.p == ',')
	{
		parser.p++;
		if (!accept_key(&parser, "sxx"))
			syntax_error(&parser);
		ratio->sum_xx = parse_double(&parser);
		expect_char(&parser, ',');
		if (!accept_key(&parser, "syy"))
			syntax_error(&parser);
		ratio->sum_yy = parse_double(&parser);
		expect_char(&parser, ',');
		if (!accept_key(&parser, "sxy"))
			syntax_error(&parser);
		ratio->sum_xy = parse_double(&parser);
	}
	else
	{
		ratio->sum_xx = get_float8_nan();
		ratio->sum_yy = get_float8_nan();
		ratio->sum_xy = get_float8_nan();
	}
	expect_char(&parser, ')');
	skip_space(&parser);
	if (*parser.p != '\0')
		syntax_error(&parser);

	if ((problem = ratio_problem(ratio)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kpi.ratio value out of range: \"%s\"", input),
				 errdetail("The summary has a %s.", problem)));
	PG_RETURN_RATIO_P(ratio);
}

/*
 * Binary format, version 1: version byte, n, then per sum a kind byte and
 * either (scale int16, high int64, low int64) or (hi float8, lo float8),
 * then the three moments.
 */
static void
send_sum(StringInfo buf, const RatioSum *sum)
{
	pq_sendbyte(buf, sum->kind);
	if (sum->kind == SUM_DECIMAL)
	{
		pq_sendint16(buf, sum->scale);
		pq_sendint64(buf, (int64) (sum->v.decimal >> 64));
		pq_sendint64(buf, (int64) (uint64) sum->v.decimal);
	}
	else
	{
		pq_sendfloat8(buf, sum->v.fp.hi);
		pq_sendfloat8(buf, sum->v.fp.lo);
	}
}

/* kpi.ratio binary output. */
Datum
kpi_ratio_send(PG_FUNCTION_ARGS)
{
	Ratio	   *ratio = PG_GETARG_RATIO_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RATIO_FORMAT_VERSION);
	pq_sendint64(&buf, ratio->n);
	send_sum(&buf, &ratio->num);
	send_sum(&buf, &ratio->den);
	pq_sendfloat8(&buf, ratio->sum_xx);
	pq_sendfloat8(&buf, ratio->sum_yy);
	pq_sendfloat8(&buf, ratio->sum_xy);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
recv_sum(StringInfo buf, RatioSum *sum)
{
	sum->kind = pq_getmsgbyte(buf);
	if (sum->kind == SUM_DECIMAL)
	{
		int64		high;
		uint64		low;

		sum->scale = pq_getmsgint(buf, 2);
		high = pq_getmsgint64(buf);
		low = (uint64) pq_getmsgint64(buf);
		sum->v.decimal = (int128) (((uint128) (uint64) high << 64) | low);
		/* a sum sent by 0.1.0 may carry zeros beyond 36 places */
		(void) ratio_sum_normalise_scale(sum);
	}
	else if (sum->kind == SUM_FLOAT)
	{
		sum->v.fp.hi = pq_getmsgfloat8(buf);
		sum->v.fp.lo = pq_getmsgfloat8(buf);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid sum kind %d in external kpi.ratio value", sum->kind)));
}

/* kpi.ratio binary input; pq_getmsg* error out on short input. */
Datum
kpi_ratio_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Ratio	   *ratio = palloc(sizeof(Ratio));
	int			version;
	const char *problem;

	ratio_init(ratio, true);
	version = pq_getmsgbyte(buf);
	if (version != RATIO_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported kpi.ratio binary format version %d", version),
				 errdetail("This build of kpi reads format version %d.", RATIO_FORMAT_VERSION)));
	ratio->n = pq_getmsgint64(buf);
	recv_sum(buf, &ratio->num);
	recv_sum(buf, &ratio->den);
	ratio->sum_xx = pq_getmsgfloat8(buf);
	ratio->sum_yy = pq_getmsgfloat8(buf);
	ratio->sum_xy = pq_getmsgfloat8(buf);
	if (buf->cursor != buf->len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("trailing bytes in external kpi.ratio value")));
	if ((problem = ratio_problem(ratio)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external kpi.ratio value"),
				 errdetail("The summary has a %s.", problem)));
	PG_RETURN_RATIO_P(ratio);
}
