/*
 * input_checks.c
 *		Checks of catalog input whose errors teach: a value outside a closed
 *		set names the allowed values and the closest one, an invalid name
 *		says what a name may be, and an unknown KPI suggests the closest
 *		existing name.
 *
 * The domains of kpi.definitions call kpi.must_be_one_of() in their CHECK
 * constraints instead of a bare IN list, because a failing domain CHECK only
 * says "violates check constraint"; these raise the same SQLSTATE (23514)
 * with a message that says what to write instead.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"
#include "utils/varlena.h"

/*
 * The element of candidates closest to word by edit distance (case-folded),
 * or NULL when none is close enough to be a likely typo: at most a third of
 * the word's length, and at least 1 edit, away.
 */
static char *
closest_of(const char *word, ArrayType *candidates)
{
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	char	   *folded = asc_tolower(word, strlen(word));
	int			max_distance = Max(1, (int) strlen(word) / 3);
	char	   *best = NULL;
	int			best_distance = max_distance + 1;

	deconstruct_array(candidates, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
	for (int i = 0; i < count; i++)
	{
		char	   *candidate;
		int			distance;

		if (nulls[i])
			continue;
		candidate = TextDatumGetCString(elements[i]);
		distance = varstr_levenshtein_less_equal(folded, strlen(folded), candidate, strlen(candidate),
												 1, 1, 1, best_distance, true);
		if (distance < best_distance)
		{
			best_distance = distance;
			best = candidate;
		}
	}
	return best;
}

/* The elements of a text array, as "a, b or c". */
static char *
list_of(ArrayType *values)
{
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	StringInfoData list;

	deconstruct_array(values, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
	initStringInfo(&list);
	for (int i = 0; i < count; i++)
		appendStringInfo(&list, "%s%s", i == 0 ? "" : (i == count - 1 ? " or " : ", "),
						 nulls[i] ? "NULL" : TextDatumGetCString(elements[i]));
	return list.data;
}

PG_FUNCTION_INFO_V1(kpi_closest_name);

/* kpi.closest_name(word, candidates): the likely intended candidate, or NULL. */
Datum
kpi_closest_name(PG_FUNCTION_ARGS)
{
	char	   *best = closest_of(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_ARRAYTYPE_P(1));

	if (best == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(best));
}

PG_FUNCTION_INFO_V1(kpi_must_be_one_of);

/* kpi.must_be_one_of(value, what, allowed): true, or a 23514 error naming the allowed values. */
Datum
kpi_must_be_one_of(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ArrayType  *allowed = PG_GETARG_ARRAYTYPE_P(2);
	Datum	   *elements;
	bool	   *nulls;
	int			count;
	char	   *word;
	char	   *closest;

	deconstruct_array(allowed, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
	for (int i = 0; i < count; i++)
		if (!nulls[i] && DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID,
															  PointerGetDatum(value), elements[i])))
			PG_RETURN_BOOL(true);

	word = text_to_cstring(value);
	closest = closest_of(word, allowed);
	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invalid %s \"%s\"", what, word),
			 errdetail("The %s must be %s.", what, list_of(allowed)),
			 closest ? errhint("Did you mean \"%s\"?", closest) : 0));
	PG_RETURN_BOOL(false);		/* not reached */
}

PG_FUNCTION_INFO_V1(kpi_must_be_identifier);

/*
 * kpi.must_be_identifier(value, what): true for a lower-case identifier
 * ([a-z][a-z0-9_]*), or a 23514 error that says so and offers the nearest one.
 */
Datum
kpi_must_be_identifier(PG_FUNCTION_ARGS)
{
	char	   *value = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool		valid = value[0] >= 'a' && value[0] <= 'z';
	StringInfoData suggestion;

	for (const char *p = value; valid && *p; p++)
		valid = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	if (valid)
		PG_RETURN_BOOL(true);

	/* The nearest identifier: lower case, runs of anything else as one '_'. */
	initStringInfo(&suggestion);
	for (const char *p = value; *p; p++)
	{
		char		c = pg_ascii_tolower((unsigned char) *p);

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			appendStringInfoChar(&suggestion, c);
		else if (suggestion.len > 0 && suggestion.data[suggestion.len - 1] != '_')
			appendStringInfoChar(&suggestion, '_');
	}
	while (suggestion.len > 0 && suggestion.data[suggestion.len - 1] == '_')
		suggestion.data[--suggestion.len] = '\0';
	valid = suggestion.len > 0 && suggestion.data[0] >= 'a' && suggestion.data[0] <= 'z';

	ereport(ERROR,
			(errcode(ERRCODE_CHECK_VIOLATION),
			 errmsg("invalid %s \"%s\"", what, value),
			 errdetail("A %s is a lower-case identifier: a letter a-z, then letters a-z, digits and underscores.", what),
			 valid ? errhint("For example \"%s\".", suggestion.data) : 0));
	PG_RETURN_BOOL(false);		/* not reached */
}
