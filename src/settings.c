/*
 * settings.c
 *		The kpi.* settings: one table of names, defaults and allowed values,
 *		read and validated by kpi.setting(), listed by kpi.settings().
 *
 * The settings are plain custom settings (SET kpi.language = 'de'), validated
 * when they are read rather than defined as GUCs here.  A GUC defined in C
 * only becomes real when the library loads, and if that first load happens
 * inside a parallel query PostgreSQL cannot apply the session's earlier SET to
 * it: the value would silently fall back to its default for the rest of the
 * session (test sql/core_06_settings covers this).
 *
 * A bad value is reported when kpi first reads it, with one short message that
 * names the setting and what it allows.  The catalog reads settings deep in
 * nested PL/pgSQL functions, each of which would add a CONTEXT line to the
 * error; a misspelt value is the user's SET, not a fault of those functions,
 * so the error is raised without them (see report_invalid_setting()).
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

typedef enum SettingKind
{
	SETTING_CHOICE,				/* one of a list of words */
	SETTING_INTEGER,			/* an integer in [min, max] */
	SETTING_FRACTION,			/* a decimal number in [min, max] */
	SETTING_POSITIVE,			/* a decimal number in (min, max] */
	SETTING_TIMESTAMP			/* a timestamptz, or empty for now() */
} SettingKind;

typedef struct KpiSetting
{
	const char *name;			/* without the "kpi." prefix */
	const char *default_value;	/* NULL: no value */
	SettingKind kind;
	const char *const *choices; /* SETTING_CHOICE, NULL-terminated */
	double		min;			/* SETTING_INTEGER, _FRACTION, _POSITIVE */
	double		max;
	const char *allowed;		/* for people: what a valid value looks like */
	const char *description;
} KpiSetting;

static const char *const language_choices[] = {"en", "de", NULL};
static const char *const enforce_choices[] = {"off", "warn", "error", NULL};

/* Every setting, documented here once: kpi.settings() shows this table. */
static const KpiSetting settings_table[] = {
	{"language", "en", SETTING_CHOICE, language_choices, 0, 0,
		"en or de",
	"Language of SMART check details, audit findings and review texts."},
	{"enforce_smart", "warn", SETTING_CHOICE, enforce_choices, 0, 0,
		"off, warn or error",
	"What writing an active definition that is not SMART does: nothing, a warning, or an error (23514)."},
	{"max_active_kpis", "5", SETTING_INTEGER, NULL, 1, 1000,
		"an integer from 1 to 1000",
	"How many active KPIs kpi.audit() accepts before it reports too_many."},
	{"at_risk_margin", "0.10", SETTING_FRACTION, NULL, 0, 1,
		"a number from 0 to 1",
	"How far progress may fall behind the plan and still count as at_risk rather than off_track."},
	{"max_monthly_change", "0.25", SETTING_POSITIVE, NULL, 0, 100,
		"a number above 0 and at most 100 (0.25 = 25 % a month)",
	"The largest relative change per month that kpi.smart_check_text() accepts as realistic."},
	{"as_of", NULL, SETTING_TIMESTAMP, NULL, 0, 0,
		"a timestamp with time zone, or empty for now()",
	"\"Now\" for SMART checks, the scorecard and reviews; pins time for reports and tests."},
};

#define NUM_KPI_SETTINGS lengthof(settings_table)

static const KpiSetting *
find_setting(const char *name)
{
	for (int i = 0; i < NUM_KPI_SETTINGS; i++)
		if (strcmp(settings_table[i].name, name) == 0)
			return &settings_table[i];
	return NULL;
}

/*
 * Raise the error for a bad value of a setting, without the CONTEXT lines of
 * the functions that happened to read it.  Every PG_TRY and exception block
 * restores its own saved error_context_stack, so clearing it here only
 * affects this error.
 */
static void
report_invalid_setting(const KpiSetting *setting, const char *value)
{
	error_context_stack = NULL;
	ereport(ERROR,
			(errcode(setting->kind == SETTING_TIMESTAMP ? ERRCODE_INVALID_DATETIME_FORMAT
					 : ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for setting \"kpi.%s\": \"%s\"", setting->name, value),
			 errdetail("kpi.%s must be %s.", setting->name, setting->allowed),
			 errhint("RESET kpi.%s goes back to the default%s%s.", setting->name,
					 setting->default_value ? ", " : "",
					 setting->default_value ? setting->default_value : "")));
}

/* A decimal number: digits with at most one point, as SQL's numeric input. */
static bool
parse_decimal(const char *value, double *result)
{
	char	   *end;
	int			points = 0;

	if (*value == '\0')
		return false;
	for (const char *p = value; *p; p++)
	{
		if (*p == '.')
			points++;
		else if (!isdigit((unsigned char) *p))
			return false;
	}
	if (points > 1 || strcmp(value, ".") == 0)
		return false;
	*result = strtod(value, &end);
	return *end == '\0';
}

/* The timestamptz a kpi.as_of value denotes, as text; false when it is none. */
static bool
parse_timestamp(const char *value, char **result)
{
	volatile bool ok = true;
	MemoryContext oldcontext = CurrentMemoryContext;

	/*
	 * PostgreSQL 15 has no soft input errors: catch the input function's
	 * error and replace it by ours, which is raised right after, so no state
	 * survives the caught error.
	 */
	PG_TRY();
	{
		Datum		ts = DirectFunctionCall3(timestamptz_in, CStringGetDatum(value),
											 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));

		*result = DatumGetCString(DirectFunctionCall1(timestamptz_out, ts));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcontext);
		FlushErrorState();
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * The validated value of one setting, or its default; NULL for an empty
 * kpi.as_of.  Errors for a bad value.
 */
static char *
setting_value(const KpiSetting *setting)
{
	const char *raw = GetConfigOption(psprintf("kpi.%s", setting->name), true, false);
	char	   *value;
	double		number;
	char	   *timestamp;

	/* Surrounding blanks are forgiven; an empty value means the default. */
	value = raw ? pstrdup(raw) : pstrdup("");
	while (*value == ' ')
		value++;
	for (char *end = value + strlen(value); end > value && end[-1] == ' '; end--)
		end[-1] = '\0';
	if (*value == '\0')
	{
		if (setting->default_value == NULL)
			return NULL;
		value = pstrdup(setting->default_value);
	}

	switch (setting->kind)
	{
		case SETTING_CHOICE:
			for (char *p = value; *p; p++)
				*p = pg_ascii_tolower((unsigned char) *p);
			for (const char *const *choice = setting->choices; *choice; choice++)
				if (strcmp(value, *choice) == 0)
					return value;
			break;
		case SETTING_INTEGER:
			if (strspn(value, "0123456789") == strlen(value) && strlen(value) <= 9 &&
				parse_decimal(value, &number) && number >= setting->min && number <= setting->max)
				return value;
			break;
		case SETTING_FRACTION:
			if (parse_decimal(value, &number) && number >= setting->min && number <= setting->max)
				return value;
			break;
		case SETTING_POSITIVE:
			if (parse_decimal(value, &number) && number > setting->min && number <= setting->max)
				return value;
			break;
		case SETTING_TIMESTAMP:
			if (parse_timestamp(value, &timestamp))
				return timestamp;
			break;
	}
	report_invalid_setting(setting, value);
	return NULL;				/* not reached */
}

PG_FUNCTION_INFO_V1(kpi_setting);

/* kpi.setting(name): the validated value of kpi.<name>, or its default. */
Datum
kpi_setting(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const KpiSetting *setting = find_setting(name);
	char	   *value;

	if (setting == NULL)
	{
		StringInfoData names;

		initStringInfo(&names);
		for (int i = 0; i < NUM_KPI_SETTINGS; i++)
			appendStringInfo(&names, "%skpi.%s", i > 0 ? ", " : "", settings_table[i].name);
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unrecognized kpi setting \"%s\"", name),
				 errhint("The settings are %s.", names.data)));
	}
	value = setting_value(setting);
	if (value == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(value));
}

PG_FUNCTION_INFO_V1(kpi_settings_list);

/* kpi.settings(): every setting with its value, default, allowed values and meaning. */
Datum
kpi_settings_list(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < NUM_KPI_SETTINGS; i++)
	{
		const KpiSetting *setting = &settings_table[i];
		const char *raw = GetConfigOption(psprintf("kpi.%s", setting->name), true, false);
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = CStringGetTextDatum(psprintf("kpi.%s", setting->name));
		/* The value as set, unvalidated: this view must work to fix a bad one. */
		if (raw && *raw)
			values[1] = CStringGetTextDatum(raw);
		else
			nulls[1] = true;
		if (setting->default_value)
			values[2] = CStringGetTextDatum(setting->default_value);
		else
			nulls[2] = true;
		values[3] = CStringGetTextDatum(setting->allowed);
		values[4] = CStringGetTextDatum(setting->description);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
