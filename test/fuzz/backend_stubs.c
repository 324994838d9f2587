/*
 * backend_stubs.c
 *		The few PostgreSQL backend services that kpi's numeric decoder and
 *		kpi.ratio's I/O functions call, for running them outside the server
 *		under libFuzzer (test/fuzz/ratio_fuzz.c).
 *
 * The kpi sources are compiled unchanged against the server headers; the
 * frontend libpgcommon supplies StringInfo, shortest-float printing and
 * pglz.  What the server would do on an ERROR -- abandon the call -- is a
 * longjmp back to the harness here, with the SQLSTATE kept for checking.
 * palloc is an arena freed after every input, as a memory context would be,
 * so that an error leaves no leak for the sanitizer to report.
 */
#include "postgres.h"

#include <setjmp.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/float.h"

#include "backend_stubs.h"

/* ---------- errors ---------- */

sigjmp_buf *stub_error_jump = NULL;
int			stub_error_sqlstate = 0;
static int	pending_elevel;
static int	pending_sqlstate;

bool
errstart(int elevel, const char *domain)
{
	pending_elevel = elevel;
	pending_sqlstate = elevel >= ERROR ? ERRCODE_INTERNAL_ERROR : 0;
	return elevel >= ERROR;		/* notices and debug output are dropped */
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (pending_elevel < ERROR)
		return;
	stub_error_sqlstate = pending_sqlstate;
	if (stub_error_jump == NULL)
		abort();
	siglongjmp(*stub_error_jump, 1);
}

int
errcode(int sqlerrcode)
{
	pending_sqlstate = sqlerrcode;
	return 0;
}

int
errmsg(const char *fmt,...)
{
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	return 0;
}

int
errdetail(const char *fmt,...)
{
	return 0;
}

int
errhint(const char *fmt,...)
{
	return 0;
}

/* ---------- memory: one arena, freed after each input ---------- */

typedef struct Block
{
	struct Block *next;
	size_t		size;
	max_align_t data[];
} Block;

static Block *blocks = NULL;

void *
palloc(Size size)
{
	Block	   *b = malloc(sizeof(Block) + (size ? size : 1));

	if (b == NULL)
		abort();
	b->next = blocks;
	b->size = size;
	blocks = b;
	return b->data;
}

void *
palloc0(Size size)
{
	void	   *p = palloc(size);

	memset(p, 0, size);
	return p;
}

void *
palloc_extended(Size size, int flags)
{
	return (flags & MCXT_ALLOC_ZERO) ? palloc0(size) : palloc(size);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return palloc(size);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return palloc0(size);
}

void *
repalloc(void *pointer, Size size)
{
	Block	   *old = (Block *) ((char *) pointer - offsetof(Block, data));
	void	   *p = palloc(size);

	memcpy(p, pointer, Min(old->size, size));
	return p;					/* the old block is freed with the arena */
}

void
pfree(void *pointer)
{
	/* freed with the arena */
}

char *
pstrdup(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = palloc(len + 1);

	memcpy(out, in, len + 1);
	return out;
}

void
stub_free_all(void)
{
	while (blocks != NULL)
	{
		Block	   *next = blocks->next;

		free(blocks);
		blocks = next;
	}
}

/* ---------- utils/adt/float.c ---------- */

void
float_overflow_error(void)
{
	ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("value out of range: overflow")));
}

void
float_underflow_error(void)
{
	ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("value out of range: underflow")));
}

void
float_zero_divide_error(void)
{
	ereport(ERROR, (errcode(ERRCODE_DIVISION_BY_ZERO), errmsg("division by zero")));
}

int
float8_cmp_internal(float8 a, float8 b)
{
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return (a > b) - (a < b);
}

/*
 * float8in_internal as PostgreSQL 15 defines it: leading spaces, strtod,
 * the spellings NaN / [+-]Infinity / [+-]inf accepted case-insensitively,
 * ERANGE an error unless the result is zero or infinite by underflow...
 * as in float.c; trailing spaces skipped; an empty or malformed number is
 * 22P02.
 */
double
float8in_internal(char *num, char **endptr_p, const char *type_name, const char *orig_string)
{
	double		val;
	char	   *endptr;

	while (*num != '\0' && isspace((unsigned char) *num))
		num++;
	if (*num == '\0')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("invalid input syntax")));
	errno = 0;
	val = strtod(num, &endptr);
	if (endptr == num || errno != 0)
	{
		int			save_errno = errno;

		if (pg_strncasecmp(num, "NaN", 3) == 0)
		{
			val = get_float8_nan();
			endptr = num + 3;
		}
		else if (pg_strncasecmp(num, "Infinity", 8) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 8;
		}
		else if (pg_strncasecmp(num, "+Infinity", 9) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 9;
		}
		else if (pg_strncasecmp(num, "-Infinity", 9) == 0)
		{
			val = -get_float8_infinity();
			endptr = num + 9;
		}
		else if (pg_strncasecmp(num, "inf", 3) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 3;
		}
		else if (pg_strncasecmp(num, "+inf", 4) == 0)
		{
			val = get_float8_infinity();
			endptr = num + 4;
		}
		else if (pg_strncasecmp(num, "-inf", 4) == 0)
		{
			val = -get_float8_infinity();
			endptr = num + 4;
		}
		else if (save_errno == ERANGE)
		{
			if (val == 0.0 || val >= HUGE_VAL || val <= -HUGE_VAL)
				ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE), errmsg("out of range")));
		}
		else
			ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("invalid input syntax")));
	}
	while (*endptr != '\0' && isspace((unsigned char) *endptr))
		endptr++;
	if (endptr_p)
		*endptr_p = endptr;
	else if (*endptr != '\0')
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("invalid input syntax")));
	return val;
}

/* ---------- libpq/pqformat.c ---------- */

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoSpaces(buf, VARHDRSZ);
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	SET_VARSIZE(result, buf->len);
	return result;
}

void
pq_sendfloat8(StringInfo buf, float8 f)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.f = f;
	pq_sendint64(buf, swap.i);
}

static void
insufficient_data(void)
{
	ereport(ERROR, (errcode(ERRCODE_PROTOCOL_VIOLATION), errmsg("insufficient data left in message")));
}

int
pq_getmsgbyte(StringInfo msg)
{
	if (msg->cursor >= msg->len)
		insufficient_data();
	return (unsigned char) msg->data[msg->cursor++];
}

void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		insufficient_data();
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned char n8;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &n8, 1);
			return n8;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			return pg_ntoh16(n16);
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			return pg_ntoh32(n32);
	}
	elog(ERROR, "unsupported integer size %d", b);
	return 0;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return pg_ntoh64(n64);
}

float8
pq_getmsgfloat8(StringInfo msg)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.i = pq_getmsgint64(msg);
	return swap.f;
}

/* ---------- fmgr: ratio.c's 0.1.0 type lookup is never reached here ---------- */

Oid
get_fn_expr_argtype(FmgrInfo *flinfo, int argnum)
{
	abort();
}
