/*
 * goal.c
 *		kpi.parse_goal(statement text, reference_date date): the SQL face of
 *		the goal statement parser (goal_parser.c).
 *
 * The parser is backend-free; this file gives it palloc, turns its one error
 * (a statement over 10 kB) into SQLSTATE 22023, and converts its result into
 * the row that kpi.parse_goal returns.  The parser reads UTF-8: in a database
 * with another encoding the statement is converted on the way in and the
 * texts it returns on the way out.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "goal_parser.h"

/* The columns of kpi.parse_goal, in order. */
enum
{
	COL_LANGUAGE,
	COL_METRIC,
	COL_METRIC_PHRASE,
	COL_DIRECTION,
	COL_BASELINE,
	COL_TARGET,
	COL_UNIT,
	COL_COMPARISON,
	COL_DUE_ON,
	COL_REVIEW_EVERY,
	COL_UNPARSED,
	COL_KPI,
	COL_STAGE,
	COL_TARGET_KIND,
	COL_RELATIVE_CHANGE,
	COL_ABSOLUTE_CHANGE,
	COL_PROBLEMS,
	N_COLUMNS
};

static void *
goal_palloc(void *context, size_t size)
{
	return palloc(size);
}

static void
goal_error(void *context, const char *message, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s", message),
			 errdetail("%s", detail),
			 errhint("Split the statement, or pass only the sentence that states the goal.")));
}

/* A text datum from UTF-8 bytes, in the database encoding. */
static Datum
server_text(const char *utf8, int len, bool convert)
{
	if (convert)
	{
		char	   *s = pg_any_to_server(utf8, len, PG_UTF8);

		if (s != utf8)
			return PointerGetDatum(cstring_to_text(s));
	}
	return PointerGetDatum(cstring_to_text_with_len(utf8, len));
}

PG_FUNCTION_INFO_V1(kpi_parse_goal);

/* kpi.parse_goal(statement text, reference_date date): one row, the statement's parts. */
Datum
kpi_parse_goal(PG_FUNCTION_ARGS)
{
	Datum		raw = PG_GETARG_DATUM(0);
	DateADT		reference = PG_GETARG_DATEADT(1);
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	text	   *statement;
	const char *input;
	int			input_len;
	bool		convert = GetDatabaseEncoding() != PG_UTF8;
	GoalParse	g;
	Datum		values[N_COLUMNS];
	bool		nulls[N_COLUMNS];

	/* Refuse a long statement before detoasting all of it. */
	if (toast_raw_datum_size(raw) - VARHDRSZ > GOAL_MAX_INPUT)
		goal_error(NULL, "goal statement too long",
				   psprintf("The statement has %zu bytes; at most %d are read.",
							(size_t) (toast_raw_datum_size(raw) - VARHDRSZ), GOAL_MAX_INPUT));
	if (DATE_NOT_FINITE(reference))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reference date must be finite"),
				 errdetail("Deadlines such as \"in 30 Tagen\" count from the reference date.")));

	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "kpi.parse_goal must return a row");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		if (tupdesc->natts != N_COLUMNS)
			elog(ERROR, "kpi.parse_goal is declared with %d columns, the library has %d",
				 tupdesc->natts, N_COLUMNS);
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}

	statement = DatumGetTextPP(raw);
	input = VARDATA_ANY(statement);
	input_len = VARSIZE_ANY_EXHDR(statement);
	if (convert)
	{
		input = pg_server_to_any(input, input_len, PG_UTF8);
		if (input != VARDATA_ANY(statement))
			input_len = strlen(input);
	}

	goal_parse(input, input_len, reference, goal_palloc, goal_error, NULL, &g);

	memset(nulls, true, sizeof(nulls));
	values[COL_LANGUAGE] = CStringGetTextDatum(g.language == GOAL_LANG_DE ? "de" : "en");
	nulls[COL_LANGUAGE] = false;
	if (g.kpi != GOAL_KPI_NONE)
	{
		values[COL_METRIC] = CStringGetTextDatum(goal_kpi_metric(g.kpi));
		values[COL_METRIC_PHRASE] = server_text(input + g.metric_phrase_start, g.metric_phrase_len, convert);
		values[COL_KPI] = CStringGetTextDatum(goal_kpi_name(g.kpi));
		nulls[COL_METRIC] = nulls[COL_METRIC_PHRASE] = nulls[COL_KPI] = false;
		/* a conversion rate in general has no single funnel stage */
		if (goal_kpi_stage(g.kpi) != NULL)
		{
			values[COL_STAGE] = CStringGetTextDatum(goal_kpi_stage(g.kpi));
			nulls[COL_STAGE] = false;
		}
	}
	if (g.direction != 0)
	{
		values[COL_DIRECTION] = CStringGetTextDatum(g.direction > 0 ? "higher_is_better" : "lower_is_better");
		nulls[COL_DIRECTION] = false;
	}
	if (g.has_baseline)
	{
		values[COL_BASELINE] = Float8GetDatum(g.baseline);
		nulls[COL_BASELINE] = false;
	}
	if (g.has_target)
	{
		values[COL_TARGET] = Float8GetDatum(g.target);
		nulls[COL_TARGET] = false;
	}
	if (g.unit != NULL)
	{
		values[COL_UNIT] = CStringGetTextDatum(g.unit);
		nulls[COL_UNIT] = false;
	}
	if (g.comparison != GOAL_CMP_NONE)
	{
		values[COL_COMPARISON] = CStringGetTextDatum(goal_comparison_name(g.comparison));
		nulls[COL_COMPARISON] = false;
	}
	if (g.has_due)
	{
		values[COL_DUE_ON] = DateADTGetDatum(g.due_on);
		nulls[COL_DUE_ON] = false;
	}
	if (g.review_days != 0 || g.review_months != 0)
	{
		Interval   *every = palloc0(sizeof(Interval));

		every->day = g.review_days;
		every->month = g.review_months;
		values[COL_REVIEW_EVERY] = IntervalPGetDatum(every);
		nulls[COL_REVIEW_EVERY] = false;
	}
	if (g.unparsed != NULL)
	{
		values[COL_UNPARSED] = server_text(g.unparsed, strlen(g.unparsed), convert);
		nulls[COL_UNPARSED] = false;
	}
	if (g.target_kind != GOAL_TARGET_NONE)
	{
		values[COL_TARGET_KIND] = CStringGetTextDatum(goal_target_kind_name(g.target_kind));
		nulls[COL_TARGET_KIND] = false;
	}
	if (g.has_change)
	{
		/* "um 20 %" is a relative change; "um 3 Prozentpunkte", "by 500 leads" an absolute one */
		int			col = g.change_is_relative ? COL_RELATIVE_CHANGE : COL_ABSOLUTE_CHANGE;

		values[col] = Float8GetDatum(g.change);
		nulls[col] = false;
	}
	{
		Datum	   *problems = palloc(sizeof(Datum) * (g.nproblems + 1));

		for (int i = 0; i < g.nproblems; i++)
			problems[i] = server_text(g.problems[i], strlen(g.problems[i]), convert);
		values[COL_PROBLEMS] = PointerGetDatum(construct_array(problems, g.nproblems, TEXTOID, -1, false,
															   TYPALIGN_INT));
		nulls[COL_PROBLEMS] = false;
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
