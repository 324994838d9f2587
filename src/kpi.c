/*
 * kpi.c
 *		Module entry point and the kpi.* settings.
 *
 * The settings are defined here, in C, so that a typo in a value (say
 * kpi.enforce_smart = 'eror') is rejected instead of silently ignored.
 * SQL code reads them with current_setting('kpi.x', true), which also works
 * before this library is loaded in a session.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

typedef enum EnforceSmart
{
	ENFORCE_SMART_OFF,
	ENFORCE_SMART_WARN,
	ENFORCE_SMART_ERROR
} EnforceSmart;

static const struct config_enum_entry enforce_smart_options[] = {
	{"off", ENFORCE_SMART_OFF, false},
	{"warn", ENFORCE_SMART_WARN, false},
	{"error", ENFORCE_SMART_ERROR, false},
	{NULL, 0, false}
};

static const struct config_enum_entry language_options[] = {
	{"en", 0, false},
	{"de", 1, false},
	{NULL, 0, false}
};

static int	enforce_smart = ENFORCE_SMART_WARN;
static int	language = 0;
static int	max_active_kpis = 5;
static double at_risk_margin = 0.10;
static char *as_of = NULL;

void
_PG_init(void)
{
	DefineCustomEnumVariable("kpi.language",
							 "Language of SMART criteria names and details: en or de.",
							 NULL, &language, 0, language_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("kpi.enforce_smart",
							 "What happens when a KPI definition is not SMART: off, warn or error.",
							 NULL, &enforce_smart, ENFORCE_SMART_WARN, enforce_smart_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("kpi.max_active_kpis",
							"Active KPIs per team above which kpi.audit() reports too_many.",
							NULL, &max_active_kpis, 5, 1, 1000,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("kpi.at_risk_margin",
							 "How far progress may lag the expected progress and still be at_risk rather than off_track.",
							 NULL, &at_risk_margin, 0.10, 0.0, 1.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("kpi.as_of",
							   "Pins \"now\" for KPI reviews (a timestamptz); empty means now().",
							   NULL, &as_of, "",
							   PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("kpi");
}
