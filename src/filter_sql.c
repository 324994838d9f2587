/*
 * filter_sql.c
 *		kpi.filter_sql(): a definition's equality filters as an SQL condition.
 *
 * The query builder asks for the filters of every KPI several times per
 * measurement: kpi.source_query and kpi.summary_query, for each KPI of each
 * scorecard.  As PL/pgSQL over jsonb_each it ran a query of its own on every
 * call, about a tenth of a scorecard read from a summary (issue 13); here it
 * is one pass over the jsonb object.  The text is the same as
 *
 *   SELECT string_agg(CASE WHEN jsonb_typeof(f.value) = 'null' THEN format('%I IS NULL', f.key)
 *                          ELSE format('%I = %L', f.key, f.value #>> '{}') END,
 *                     ' AND ' ORDER BY f.key)
 *   FROM jsonb_each(filters) AS f
 *
 * keys in the order of the database's default collation, as ORDER BY f.key.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/varlena.h"

PG_FUNCTION_INFO_V1(kpi_filter_sql);

typedef struct Filter
{
	char	   *key;
	int			key_len;
	char	   *value;			/* NULL for JSON null: IS NULL */
} Filter;

static int
compare_filters(const void *a, const void *b)
{
	const Filter *fa = (const Filter *) a;
	const Filter *fb = (const Filter *) b;

	return varstr_cmp(fa->key, fa->key_len, fb->key, fb->key_len, DEFAULT_COLLATION_OID);
}

/* What value #>> '{}' gives for a value of an object: its text, unquoted. */
static char *
value_text(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			return NULL;		/* jbvNull */
	}
}

/*
 * kpi.filter_sql(definition kpi.definitions) → text: the filters ANDed in
 * key order, NULL when there are none (or the row or its filters are NULL).
 */
Datum
kpi_filter_sql(PG_FUNCTION_ARGS)
{
	HeapTupleHeader row;
	bool		isnull;
	Datum		filters;
	Jsonb	   *jb;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken token;
	Filter	   *items;
	int			n = 0;
	StringInfoData sql;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	row = PG_GETARG_HEAPTUPLEHEADER(0);
	filters = GetAttributeByName(row, "filters", &isnull);
	if (isnull)
		PG_RETURN_NULL();
	jb = DatumGetJsonbP(filters);
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot call %s on a non-object", "jsonb_each")));
	if (JB_ROOT_COUNT(jb) == 0)
		PG_RETURN_NULL();

	items = palloc(sizeof(Filter) * JB_ROOT_COUNT(jb));
	it = JsonbIteratorInit(&jb->root);
	while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (token == WJB_KEY)
		{
			Assert(n < JB_ROOT_COUNT(jb));
			items[n].key = pnstrdup(v.val.string.val, v.val.string.len);
			items[n].key_len = v.val.string.len;
		}
		else if (token == WJB_VALUE)
			items[n++].value = value_text(&v);
	}
	qsort(items, n, sizeof(Filter), compare_filters);

	initStringInfo(&sql);
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
			appendStringInfoString(&sql, " AND ");
		appendStringInfoString(&sql, quote_identifier(items[i].key));
		if (items[i].value == NULL)
			appendStringInfoString(&sql, " IS NULL");
		else
		{
			appendStringInfoString(&sql, " = ");
			appendStringInfoString(&sql, quote_literal_cstr(items[i].value));
		}
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(sql.data, sql.len));
}
