/*
 * goal_parser.c
 *		The goal statement parser: German and English KPI goals such as
 *		"Steigerung der Conversion Rate von 18 % auf 25 % bis 31.03.2027" or
 *		"Reduce CAC below EUR 120 by end of Q2 2027".
 *
 * No backend calls: memory comes from the caller's allocator, the one error
 * (input too long) goes to the caller's callback.  So the same file builds
 * into the extension (src/goal.c wraps it) and into the libFuzzer target.
 *
 * How it reads a statement, each step linear in the input:
 *   1. lex: words (lower-cased, umlauts folded: "März" -> "maerz"), numbers
 *      (digits with . and , kept raw), dates (2027-03-31, 31.03.2027) and a
 *      few symbols (% € $ -> > <).  A hyphen between word characters is
 *      dropped, so "Conversion-Rate" reads as "conversion rate".
 *   2. tag: the longest phrase of the lexicon starting at each word, found by
 *      binary search on its first word; else a word stem ("steiger..."),
 *      else a compound ending in a metric ("...umsatz"); else unknown.
 *      The lexicon entries also vote for the language.
 *   3. numbers get their value once the language is known: "1.200" is 1200
 *      in German and 1.2 in English; "2,5" is 2.5 in both.
 *   4. passes over the tagged items: review cadence, deadlines, values with
 *      their roles (von/from = baseline, auf/to = target, um/by = change),
 *      metric, verb; then direction, comparison and unit are settled.
 * What no pass used and is not a function word becomes "unparsed".
 * Ambiguities that would need a guess (31.02.2027, "bis 2027") become
 * problems instead.
 */
#include "goal_parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Calendar
 * ------------------------------------------------------------------------- */

/* Days from 1970-01-01 to 2000-01-01. */
#define EPOCH_2000_OFFSET 10957

int32_t
goal_days_from_civil(int year, int month, int day)
{
	/* Howard Hinnant's days_from_civil, shifted to the 2000-01-01 epoch. */
	int			y = year - (month <= 2);
	int			era = (y >= 0 ? y : y - 399) / 400;
	int			yoe = y - era * 400;
	int			doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int			doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t) (era * 146097 + doe - 719468 - EPOCH_2000_OFFSET);
}

void
goal_civil_from_days(int32_t days, int *year, int *month, int *day)
{
	int64_t		z = (int64_t) days + EPOCH_2000_OFFSET + 719468;
	int64_t		era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t		doe = z - era * 146097;
	int64_t		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t		mp = (5 * doy + 2) / 153;
	int			d = (int) (doy - (153 * mp + 2) / 5 + 1);
	int			m = (int) (mp < 10 ? mp + 3 : mp - 9);

	*year = (int) (yoe + era * 400 + (m <= 2));
	*month = m;
	*day = d;
}

static int
days_in_month(int year, int month)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return mdays[month - 1];
}

static int32_t
end_of_month(int year, int month)
{
	return goal_days_from_civil(year, month, days_in_month(year, month));
}

/* reference + n months, the day clamped to the end of the month. */
static int32_t
add_months(int32_t reference, int n)
{
	int			y,
				m,
				d;
	int			total;

	goal_civil_from_days(reference, &y, &m, &d);
	total = y * 12 + (m - 1) + n;
	y = total / 12;
	m = total % 12 + 1;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	return goal_days_from_civil(y, m, d);
}

/* The Sunday that ends ISO week n of year, or -1 when the year has no week n. */
static int32_t
iso_week_end(int year, int week)
{
	int32_t		jan4 = goal_days_from_civil(year, 1, 4);
	int32_t		next_jan4 = goal_days_from_civil(year + 1, 1, 4);
	/* ISO weekday, Monday = 1: 2000-01-01 (day 0) was a Saturday */
	int			dow4 = (int) (((jan4 % 7) + 7 + 5) % 7) + 1;
	int			next_dow4 = (int) (((next_jan4 % 7) + 7 + 5) % 7) + 1;
	int32_t		monday1 = jan4 - (dow4 - 1);
	int32_t		next_monday1 = next_jan4 - (next_dow4 - 1);
	int			weeks = (int) ((next_monday1 - monday1) / 7);

	if (week < 1 || week > weeks)
		return -1;
	return monday1 + 7 * week - 1;
}

/* ---------------------------------------------------------------------------
 * Lexicon
 * ------------------------------------------------------------------------- */

typedef enum Tag
{
	T_WORD,						/* unknown word */
	T_NUM,
	T_DATE,
	T_PERCENT,
	T_POINTS,					/* percentage points */
	T_CURRENCY,					/* val: currency */
	T_SCALE,					/* val: power of ten */
	T_COUNTNOUN,				/* customers, deals: the value is a count */
	T_METRIC,					/* val: GoalKpi */
	T_VERB,						/* val: Verb */
	T_CMP,						/* val: GoalComparison */
	T_ARROW,
	T_FROM,
	T_TO,
	T_BY,						/* um, by: a change (or, in English, a deadline) */
	T_DLPREP,					/* bis, until, before: may precede a deadline */
	T_IN,						/* in, within, innerhalb, binnen */
	T_NEXT,						/* next, nächsten */
	T_START,					/* ab, starting, seit: a start, not a deadline */
	T_DAYUNIT,					/* val: days (1, 7) or -months (-1, -12) */
	T_MONTH,					/* val: 1..12; may (en) only in a date */
	T_QUARTER,					/* q1..q4: val */
	T_HALF,						/* h1, h2: val */
	T_QUARTERWORD,
	T_HALFWORD,
	T_ORDWORD,					/* first, zweites: val */
	T_NUMWORD,					/* one, zwei: val */
	T_END,						/* Ende, end of */
	T_BEGIN,					/* Anfang, beginning of */
	T_MID,						/* Mitte, mid */
	T_YEAREND,
	T_QUARTEREND,
	T_MONTHEND,
	T_YEARWORD,
	T_WEEKWORD,					/* KW, CW: a calendar week */
	T_CADENCE,					/* val: days, or -months */
	T_EVERY,
	T_MORE,						/* "20 % mehr": val +1 / -1 */
	T_OF,						/* of, des: may sit inside a date */
	T_FILLER,					/* function words: understood, carry nothing */
	T_SLASH
} Tag;

typedef enum Verb
{
	V_HIGHER = 1,
	V_LOWER,
	V_IMPROVE,					/* the metric's own direction */
	V_KEEP,
	V_REACH,					/* no direction of its own */
	V_DOUBLE,
	V_TRIPLE,
	V_HALVE
} Verb;

enum
{
	CUR_EUR = 1, CUR_USD, CUR_CHF, CUR_GBP
};

static const char *const currency_code[] = {NULL, "EUR", "USD", "CHF", "GBP"};

enum
{
	L_ANY = 0, L_DE = 1, L_EN = 2
};

typedef struct LexEntry
{
	const char *words;			/* normalised, separated by one space */
	uint8_t		tag;
	int16_t		val;
	uint8_t		lang;
} LexEntry;

#define E(w, t, v, l) {w, t, v, l}

static const LexEntry lexicon[] = {
	/* metrics */
	E("conversion rate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_ANY),
	E("conversion rates", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_ANY),
	E("conversionrate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_ANY),
	E("conversion quote", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("conversionquote", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("konversionsrate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("konversionsquote", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("konversion rate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("konversionrate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("umwandlungsrate", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_DE),
	E("cvr", T_METRIC, GOAL_KPI_CONVERSION_RATE, L_ANY),
	E("abschlussquote", T_METRIC, GOAL_KPI_CLOSING_RATE, L_DE),
	E("abschlussrate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_DE),
	E("gewinnquote", T_METRIC, GOAL_KPI_CLOSING_RATE, L_DE),
	E("win rate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_ANY),
	E("winrate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_ANY),
	E("closing rate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_ANY),
	E("close rate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_EN),
	E("closingrate", T_METRIC, GOAL_KPI_CLOSING_RATE, L_ANY),
	E("cac", T_METRIC, GOAL_KPI_CAC, L_ANY),
	E("customer acquisition cost", T_METRIC, GOAL_KPI_CAC, L_ANY),
	E("customer acquisition costs", T_METRIC, GOAL_KPI_CAC, L_ANY),
	E("customer acquisition cost cac", T_METRIC, GOAL_KPI_CAC, L_ANY),
	E("acquisition cost", T_METRIC, GOAL_KPI_CAC, L_EN),
	E("acquisition costs", T_METRIC, GOAL_KPI_CAC, L_EN),
	E("cost per acquisition", T_METRIC, GOAL_KPI_CAC, L_EN),
	E("cost per new customer", T_METRIC, GOAL_KPI_CAC, L_EN),
	E("cost per customer", T_METRIC, GOAL_KPI_CAC, L_EN),
	E("kundenakquisitionskosten", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kundenakquisekosten", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kundengewinnungskosten", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("akquisitionskosten", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("akquisekosten", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten pro neukunde", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten pro neukunden", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten je neukunde", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten je neukunden", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten / neukunde", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("kosten pro kunde", T_METRIC, GOAL_KPI_CAC, L_DE),
	E("romi", T_METRIC, GOAL_KPI_ROMI, L_ANY),
	E("return on marketing investment", T_METRIC, GOAL_KPI_ROMI, L_ANY),
	E("return on marketing investments", T_METRIC, GOAL_KPI_ROMI, L_ANY),
	E("marketing roi", T_METRIC, GOAL_KPI_ROMI, L_ANY),
	E("roas", T_METRIC, GOAL_KPI_ROAS, L_ANY),
	E("return on ad spend", T_METRIC, GOAL_KPI_ROAS, L_ANY),
	E("return on advertising spend", T_METRIC, GOAL_KPI_ROAS, L_ANY),
	E("werbeertrag", T_METRIC, GOAL_KPI_ROAS, L_DE),
	E("cost per lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_ANY),
	E("costs per lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_ANY),
	E("cost / lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_ANY),
	E("cpl", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_ANY),
	E("kosten pro lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_DE),
	E("kosten je lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_DE),
	E("kosten / lead", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_DE),
	E("leadkosten", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_DE),
	E("lead kosten", T_METRIC, GOAL_KPI_COST_PER_LEAD, L_DE),
	E("leads", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("lead", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("mql", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("mqls", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("sql", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("sqls", T_METRIC, GOAL_KPI_LEADS, L_ANY),
	E("neue leads", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("new leads", T_METRIC, GOAL_KPI_LEADS, L_EN),
	E("qualified leads", T_METRIC, GOAL_KPI_LEADS, L_EN),
	E("qualifizierte leads", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("anzahl leads", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("anzahl der leads", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("number of leads", T_METRIC, GOAL_KPI_LEADS, L_EN),
	E("lead volume", T_METRIC, GOAL_KPI_LEADS, L_EN),
	E("leadvolumen", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("lead volumen", T_METRIC, GOAL_KPI_LEADS, L_DE),
	E("revenue", T_METRIC, GOAL_KPI_REVENUE, L_EN),
	E("revenues", T_METRIC, GOAL_KPI_REVENUE, L_EN),
	E("sales revenue", T_METRIC, GOAL_KPI_REVENUE, L_EN),
	E("turnover", T_METRIC, GOAL_KPI_REVENUE, L_EN),
	E("umsatz", T_METRIC, GOAL_KPI_REVENUE, L_DE),
	E("umsatzes", T_METRIC, GOAL_KPI_REVENUE, L_DE),
	E("umsaetze", T_METRIC, GOAL_KPI_REVENUE, L_DE),
	E("erloes", T_METRIC, GOAL_KPI_REVENUE, L_DE),
	E("erloese", T_METRIC, GOAL_KPI_REVENUE, L_DE),
	E("erloeses", T_METRIC, GOAL_KPI_REVENUE, L_DE),

	/* count nouns: a number before them is a count */
	E("neukunden", T_COUNTNOUN, 0, L_DE),
	E("neukunde", T_COUNTNOUN, 0, L_DE),
	E("kunden", T_COUNTNOUN, 0, L_DE),
	E("customers", T_COUNTNOUN, 0, L_EN),
	E("new customers", T_COUNTNOUN, 0, L_EN),
	E("deals", T_COUNTNOUN, 0, L_ANY),
	E("abschluesse", T_COUNTNOUN, 0, L_DE),

	/* verbs and their nouns; stems are in stem_lexicon below */
	E("lower", T_VERB, V_LOWER, L_EN),
	E("lowers", T_VERB, V_LOWER, L_EN),
	E("lowered", T_VERB, V_LOWER, L_EN),
	E("lowering", T_VERB, V_LOWER, L_EN),
	E("cut", T_VERB, V_LOWER, L_EN),
	E("cuts", T_VERB, V_LOWER, L_EN),
	E("cutting", T_VERB, V_LOWER, L_EN),
	E("bring down", T_VERB, V_LOWER, L_EN),
	E("drive down", T_VERB, V_LOWER, L_EN),
	E("push down", T_VERB, V_LOWER, L_EN),
	E("get", T_VERB, V_REACH, L_EN),
	E("hit", T_VERB, V_REACH, L_EN),
	E("lift", T_VERB, V_HIGHER, L_EN),
	E("lifts", T_VERB, V_HIGHER, L_EN),
	E("lifted", T_VERB, V_HIGHER, L_EN),
	E("keep", T_VERB, V_KEEP, L_EN),
	E("keeps", T_VERB, V_KEEP, L_EN),
	E("kept", T_VERB, V_KEEP, L_EN),
	E("hold", T_VERB, V_KEEP, L_EN),
	E("holds", T_VERB, V_KEEP, L_EN),
	E("held", T_VERB, V_KEEP, L_EN),
	E("stay", T_VERB, V_KEEP, L_EN),
	E("remain", T_VERB, V_KEEP, L_EN),
	E("halten", T_VERB, V_KEEP, L_DE),
	E("haelt", T_VERB, V_KEEP, L_DE),
	E("halte", T_VERB, V_KEEP, L_DE),
	E("gehalten", T_VERB, V_KEEP, L_DE),
	E("stabil halten", T_VERB, V_KEEP, L_DE),
	E("bleiben", T_VERB, V_KEEP, L_DE),
	E("bleibt", T_VERB, V_KEEP, L_DE),

	/* comparisons */
	E("mindestens", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("min", T_CMP, GOAL_CMP_AT_LEAST, L_ANY),
	E("minimum", T_CMP, GOAL_CMP_AT_LEAST, L_ANY),
	E("wenigstens", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("ueber", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("oberhalb", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("mehr als", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("nicht unter", T_CMP, GOAL_CMP_AT_LEAST, L_DE),
	E("at least", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("above", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("over", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("more than", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("greater than", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("no less than", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("not less than", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("not below", T_CMP, GOAL_CMP_AT_LEAST, L_EN),
	E("hoechstens", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("maximal", T_CMP, GOAL_CMP_AT_MOST, L_ANY),
	E("max", T_CMP, GOAL_CMP_AT_MOST, L_ANY),
	E("maximum", T_CMP, GOAL_CMP_AT_MOST, L_ANY),
	E("unter", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("unterhalb", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("weniger als", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("nicht mehr als", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("nicht ueber", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("bis zu", T_CMP, GOAL_CMP_AT_MOST, L_DE),
	E("at most", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("below", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("under", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("less than", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("no more than", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("not more than", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("not above", T_CMP, GOAL_CMP_AT_MOST, L_EN),
	E("up to", T_CMP, GOAL_CMP_AT_MOST, L_EN),

	/* roles of a value */
	E("von", T_FROM, 0, L_DE),
	E("vom", T_FROM, 0, L_DE),
	E("ausgehend von", T_FROM, 0, L_DE),
	E("derzeit", T_FROM, 0, L_DE),
	E("aktuell", T_FROM, 0, L_DE),
	E("momentan", T_FROM, 0, L_DE),
	E("heute", T_FROM, 0, L_DE),
	E("bisher", T_FROM, 0, L_DE),
	E("basis", T_FROM, 0, L_DE),
	E("ausgangswert", T_FROM, 0, L_DE),
	E("ist", T_FROM, 0, L_DE),
	E("from", T_FROM, 0, L_EN),
	E("currently", T_FROM, 0, L_EN),
	E("current", T_FROM, 0, L_EN),
	E("today", T_FROM, 0, L_EN),
	E("now", T_FROM, 0, L_EN),
	E("baseline", T_FROM, 0, L_EN),
	E("was", T_FROM, 0, L_EN),
	E("auf", T_TO, 0, L_DE),
	E("ziel", T_TO, 0, L_DE),
	E("zielwert", T_TO, 0, L_DE),
	E("soll", T_TO, 0, L_DE),
	E("to", T_TO, 0, L_EN),
	E("target", T_TO, 0, L_EN),
	E("goal", T_TO, 0, L_EN),
	E("um", T_BY, 0, L_DE),
	E("by", T_BY, 0, L_EN),

	/* more / less after a value: "20 % mehr Leads" */
	E("mehr", T_MORE, 1, L_DE),
	E("more", T_MORE, 1, L_EN),
	E("higher", T_MORE, 1, L_EN),
	E("hoeher", T_MORE, 1, L_DE),
	E("zusaetzliche", T_MORE, 1, L_DE),
	E("additional", T_MORE, 1, L_EN),
	E("weniger", T_MORE, -1, L_DE),
	E("less", T_MORE, -1, L_EN),
	E("fewer", T_MORE, -1, L_EN),
	E("niedriger", T_MORE, -1, L_DE),

	/* units */
	E("%", T_PERCENT, 0, L_ANY),
	E("prozent", T_PERCENT, 0, L_DE),
	E("percent", T_PERCENT, 0, L_EN),
	E("per cent", T_PERCENT, 0, L_EN),
	E("pct", T_PERCENT, 0, L_EN),
	E("prozentpunkte", T_POINTS, 0, L_DE),
	E("prozentpunkten", T_POINTS, 0, L_DE),
	E("prozentpunkt", T_POINTS, 0, L_DE),
	E("% punkte", T_POINTS, 0, L_DE),
	E("% punkt", T_POINTS, 0, L_DE),
	E("punkte", T_POINTS, 0, L_DE),
	E("pp", T_POINTS, 0, L_ANY),
	E("ppt", T_POINTS, 0, L_EN),
	E("ppts", T_POINTS, 0, L_EN),
	E("pkt", T_POINTS, 0, L_DE),
	E("percentage points", T_POINTS, 0, L_EN),
	E("percentage point", T_POINTS, 0, L_EN),
	E("percent points", T_POINTS, 0, L_EN),
	E("% points", T_POINTS, 0, L_EN),
	E("points", T_POINTS, 0, L_EN),
	E("eur", T_CURRENCY, CUR_EUR, L_ANY),
	E("euro", T_CURRENCY, CUR_EUR, L_ANY),
	E("euros", T_CURRENCY, CUR_EUR, L_EN),
	E("usd", T_CURRENCY, CUR_USD, L_ANY),
	E("us$", T_CURRENCY, CUR_USD, L_ANY),
	E("dollar", T_CURRENCY, CUR_USD, L_ANY),
	E("dollars", T_CURRENCY, CUR_USD, L_EN),
	E("chf", T_CURRENCY, CUR_CHF, L_ANY),
	E("franken", T_CURRENCY, CUR_CHF, L_DE),
	E("fr", T_CURRENCY, CUR_CHF, L_DE),
	E("gbp", T_CURRENCY, CUR_GBP, L_ANY),
	E("tsd", T_SCALE, 3, L_DE),
	E("tausend", T_SCALE, 3, L_DE),
	E("thousand", T_SCALE, 3, L_EN),
	E("mio", T_SCALE, 6, L_DE),
	E("million", T_SCALE, 6, L_ANY),
	E("millionen", T_SCALE, 6, L_DE),
	E("millions", T_SCALE, 6, L_EN),
	E("mrd", T_SCALE, 9, L_DE),
	E("milliarde", T_SCALE, 9, L_DE),
	E("milliarden", T_SCALE, 9, L_DE),
	E("billion", T_SCALE, 9, L_EN),
	E("bn", T_SCALE, 9, L_EN),

	/* deadlines */
	E("bis", T_DLPREP, 0, L_DE),
	E("bis zum", T_DLPREP, 0, L_DE),
	E("bis zur", T_DLPREP, 0, L_DE),
	E("bis spaetestens", T_DLPREP, 0, L_DE),
	E("spaetestens", T_DLPREP, 0, L_DE),
	E("spaetestens zum", T_DLPREP, 0, L_DE),
	E("spaetestens bis", T_DLPREP, 0, L_DE),
	E("zum", T_DLPREP, 0, L_DE),
	E("per", T_DLPREP, 0, L_ANY),
	E("am", T_DLPREP, 0, L_DE),
	E("until", T_DLPREP, 0, L_EN),
	E("through", T_DLPREP, 0, L_EN),
	E("thru", T_DLPREP, 0, L_EN),
	E("till", T_DLPREP, 0, L_EN),
	E("before", T_DLPREP, 0, L_EN),
	E("no later than", T_DLPREP, 0, L_EN),
	E("on", T_DLPREP, 0, L_EN),
	E("at", T_DLPREP, 0, L_EN),
	E("due", T_DLPREP, 0, L_EN),
	E("deadline", T_DLPREP, 0, L_ANY),
	E("frist", T_DLPREP, 0, L_DE),
	E("faellig", T_DLPREP, 0, L_DE),
	E("in", T_IN, 0, L_ANY),
	E("im", T_IN, 0, L_DE),
	E("innerhalb", T_IN, 0, L_DE),
	E("innerhalb von", T_IN, 0, L_DE),
	E("innerhalb der", T_IN, 0, L_DE),
	E("binnen", T_IN, 0, L_DE),
	E("within", T_IN, 0, L_EN),
	E("within the", T_IN, 0, L_EN),
	E("in the", T_IN, 0, L_EN),
	E("in den", T_IN, 0, L_DE),
	E("next", T_NEXT, 0, L_EN),
	E("coming", T_NEXT, 0, L_EN),
	E("following", T_NEXT, 0, L_EN),
	E("naechsten", T_NEXT, 0, L_DE),
	E("naechste", T_NEXT, 0, L_DE),
	E("naechstes", T_NEXT, 0, L_DE),
	E("naechster", T_NEXT, 0, L_DE),
	E("kommenden", T_NEXT, 0, L_DE),
	E("folgenden", T_NEXT, 0, L_DE),
	E("ab", T_START, 0, L_DE),
	E("seit", T_START, 0, L_DE),
	E("beginnend", T_START, 0, L_DE),
	E("starting", T_START, 0, L_EN),
	E("starting in", T_START, 0, L_EN),
	E("since", T_START, 0, L_EN),
	E("tag", T_DAYUNIT, 1, L_DE),
	E("tage", T_DAYUNIT, 1, L_DE),
	E("tagen", T_DAYUNIT, 1, L_DE),
	E("day", T_DAYUNIT, 1, L_EN),
	E("days", T_DAYUNIT, 1, L_EN),
	E("woche", T_DAYUNIT, 7, L_DE),
	E("wochen", T_DAYUNIT, 7, L_DE),
	E("week", T_DAYUNIT, 7, L_EN),
	E("weeks", T_DAYUNIT, 7, L_EN),
	E("monat", T_DAYUNIT, -1, L_DE),
	E("monate", T_DAYUNIT, -1, L_DE),
	E("monaten", T_DAYUNIT, -1, L_DE),
	E("month", T_DAYUNIT, -1, L_EN),
	E("months", T_DAYUNIT, -1, L_EN),
	E("jahr", T_YEARWORD, 0, L_DE),
	E("jahres", T_YEARWORD, 0, L_DE),
	E("kw", T_WEEKWORD, 0, L_DE),
	E("kalenderwoche", T_WEEKWORD, 0, L_DE),
	E("cw", T_WEEKWORD, 0, L_EN),
	E("calendar week", T_WEEKWORD, 0, L_EN),
	E("jahre", T_DAYUNIT, -12, L_DE),
	E("jahren", T_DAYUNIT, -12, L_DE),
	E("year", T_YEARWORD, 0, L_EN),
	E("years", T_DAYUNIT, -12, L_EN),
	E("januar", T_MONTH, 1, L_DE),
	E("jaenner", T_MONTH, 1, L_DE),
	E("january", T_MONTH, 1, L_EN),
	E("jan", T_MONTH, 1, L_ANY),
	E("februar", T_MONTH, 2, L_DE),
	E("february", T_MONTH, 2, L_EN),
	E("feb", T_MONTH, 2, L_ANY),
	E("maerz", T_MONTH, 3, L_DE),
	E("marz", T_MONTH, 3, L_DE),
	E("mrz", T_MONTH, 3, L_DE),
	E("march", T_MONTH, 3, L_EN),
	E("mar", T_MONTH, 3, L_EN),
	E("april", T_MONTH, 4, L_ANY),
	E("apr", T_MONTH, 4, L_ANY),
	E("mai", T_MONTH, 5, L_DE),
	E("may", T_MONTH, 105, L_EN),	/* also "may" the verb: only in a date */
	E("juni", T_MONTH, 6, L_DE),
	E("june", T_MONTH, 6, L_EN),
	E("jun", T_MONTH, 6, L_ANY),
	E("juli", T_MONTH, 7, L_DE),
	E("july", T_MONTH, 7, L_EN),
	E("jul", T_MONTH, 7, L_ANY),
	E("august", T_MONTH, 8, L_ANY),
	E("aug", T_MONTH, 8, L_ANY),
	E("september", T_MONTH, 9, L_ANY),
	E("sep", T_MONTH, 9, L_ANY),
	E("sept", T_MONTH, 9, L_ANY),
	E("oktober", T_MONTH, 10, L_DE),
	E("okt", T_MONTH, 10, L_DE),
	E("october", T_MONTH, 10, L_EN),
	E("oct", T_MONTH, 10, L_EN),
	E("november", T_MONTH, 11, L_ANY),
	E("nov", T_MONTH, 11, L_ANY),
	E("dezember", T_MONTH, 12, L_DE),
	E("dez", T_MONTH, 12, L_DE),
	E("december", T_MONTH, 12, L_EN),
	E("dec", T_MONTH, 12, L_EN),
	E("q1", T_QUARTER, 1, L_ANY),
	E("q2", T_QUARTER, 2, L_ANY),
	E("q3", T_QUARTER, 3, L_ANY),
	E("q4", T_QUARTER, 4, L_ANY),
	E("h1", T_HALF, 1, L_ANY),
	E("h2", T_HALF, 2, L_ANY),
	E("hj1", T_HALF, 1, L_DE),
	E("hj2", T_HALF, 2, L_DE),
	E("quartal", T_QUARTERWORD, 0, L_DE),
	E("quartals", T_QUARTERWORD, 0, L_DE),
	E("quarter", T_QUARTERWORD, 0, L_EN),
	E("halbjahr", T_HALFWORD, 0, L_DE),
	E("halbjahres", T_HALFWORD, 0, L_DE),
	E("jahreshaelfte", T_HALFWORD, 0, L_DE),
	E("half", T_HALFWORD, 0, L_EN),
	E("first", T_ORDWORD, 1, L_EN),
	E("second", T_ORDWORD, 2, L_EN),
	E("third", T_ORDWORD, 3, L_EN),
	E("fourth", T_ORDWORD, 4, L_EN),
	E("erste", T_ORDWORD, 1, L_DE),
	E("ersten", T_ORDWORD, 1, L_DE),
	E("erstes", T_ORDWORD, 1, L_DE),
	E("zweite", T_ORDWORD, 2, L_DE),
	E("zweiten", T_ORDWORD, 2, L_DE),
	E("zweites", T_ORDWORD, 2, L_DE),
	E("dritte", T_ORDWORD, 3, L_DE),
	E("dritten", T_ORDWORD, 3, L_DE),
	E("drittes", T_ORDWORD, 3, L_DE),
	E("vierte", T_ORDWORD, 4, L_DE),
	E("vierten", T_ORDWORD, 4, L_DE),
	E("viertes", T_ORDWORD, 4, L_DE),
	E("ein", T_NUMWORD, 1, L_DE),
	E("eine", T_NUMWORD, 1, L_DE),
	E("einem", T_NUMWORD, 1, L_DE),
	E("einen", T_NUMWORD, 1, L_DE),
	E("one", T_NUMWORD, 1, L_EN),
	E("a", T_NUMWORD, 1, L_EN),
	E("an", T_NUMWORD, 1, L_EN),
	E("zwei", T_NUMWORD, 2, L_DE),
	E("two", T_NUMWORD, 2, L_EN),
	E("drei", T_NUMWORD, 3, L_DE),
	E("three", T_NUMWORD, 3, L_EN),
	E("vier", T_NUMWORD, 4, L_DE),
	E("four", T_NUMWORD, 4, L_EN),
	E("sechs", T_NUMWORD, 6, L_DE),
	E("six", T_NUMWORD, 6, L_EN),
	E("zwoelf", T_NUMWORD, 12, L_DE),
	E("twelve", T_NUMWORD, 12, L_EN),
	E("ende", T_END, 0, L_DE),
	E("ende des", T_END, 0, L_DE),
	E("zum ende", T_END, 0, L_DE),
	E("zum ende des", T_END, 0, L_DE),
	E("ultimo", T_END, 0, L_DE),
	E("end", T_END, 0, L_EN),
	E("end of", T_END, 0, L_EN),
	E("the end of", T_END, 0, L_EN),
	E("close of", T_END, 0, L_EN),
	E("anfang", T_BEGIN, 0, L_DE),
	E("beginn", T_BEGIN, 0, L_DE),
	E("beginning of", T_BEGIN, 0, L_EN),
	E("start of", T_BEGIN, 0, L_EN),
	E("early", T_BEGIN, 0, L_EN),
	E("mitte", T_MID, 0, L_DE),
	E("mid", T_MID, 0, L_EN),
	E("middle of", T_MID, 0, L_EN),
	E("jahresende", T_YEAREND, 0, L_DE),
	E("jahresende des", T_YEAREND, 0, L_DE),
	E("ende des jahres", T_YEAREND, 0, L_DE),
	E("ende dieses jahres", T_YEAREND, 0, L_DE),
	E("ende des laufenden jahres", T_YEAREND, 0, L_DE),
	E("ende des geschaeftsjahres", T_YEAREND, 0, L_DE),
	E("geschaeftsjahresende", T_YEAREND, 0, L_DE),
	E("year end", T_YEAREND, 0, L_EN),
	E("yearend", T_YEAREND, 0, L_EN),
	E("end of year", T_YEAREND, 0, L_EN),
	E("end of the year", T_YEAREND, 0, L_EN),
	E("end of this year", T_YEAREND, 0, L_EN),
	E("eoy", T_YEAREND, 0, L_EN),
	E("quartalsende", T_QUARTEREND, 0, L_DE),
	E("ende des quartals", T_QUARTEREND, 0, L_DE),
	E("end of the quarter", T_QUARTEREND, 0, L_EN),
	E("end of quarter", T_QUARTEREND, 0, L_EN),
	E("quarter end", T_QUARTEREND, 0, L_EN),
	E("monatsende", T_MONTHEND, 0, L_DE),
	E("ende des monats", T_MONTHEND, 0, L_DE),
	E("end of the month", T_MONTHEND, 0, L_EN),
	E("end of month", T_MONTHEND, 0, L_EN),
	E("month end", T_MONTHEND, 0, L_EN),

	/* review cadence */
	E("taeglich", T_CADENCE, 1, L_DE),
	E("daily", T_CADENCE, 1, L_EN),
	E("woechentlich", T_CADENCE, 7, L_DE),
	E("wochentlich", T_CADENCE, 7, L_DE),
	E("weekly", T_CADENCE, 7, L_EN),
	E("woechentliche", T_CADENCE, 7, L_DE),
	E("woechentlichen", T_CADENCE, 7, L_DE),
	E("woechentlicher", T_CADENCE, 7, L_DE),
	E("wochentliche", T_CADENCE, 7, L_DE),
	E("monatliche", T_CADENCE, -1, L_DE),
	E("monatlichen", T_CADENCE, -1, L_DE),
	E("monatliches", T_CADENCE, -1, L_DE),
	E("woechentliches", T_CADENCE, 7, L_DE),
	E("taegliches", T_CADENCE, 1, L_DE),
	E("monatlicher", T_CADENCE, -1, L_DE),
	E("taegliche", T_CADENCE, 1, L_DE),
	E("taeglichen", T_CADENCE, 1, L_DE),
	E("every week", T_CADENCE, 7, L_EN),
	E("every month", T_CADENCE, -1, L_EN),
	E("zweiwoechentlich", T_CADENCE, 14, L_DE),
	E("14 taegig", T_CADENCE, 14, L_DE),
	E("biweekly", T_CADENCE, 14, L_EN),
	E("bi weekly", T_CADENCE, 14, L_EN),
	E("fortnightly", T_CADENCE, 14, L_EN),
	E("every other week", T_CADENCE, 14, L_EN),
	E("monatlich", T_CADENCE, -1, L_DE),
	E("monthly", T_CADENCE, -1, L_EN),
	E("quartalsweise", T_CADENCE, -3, L_DE),
	E("vierteljaehrlich", T_CADENCE, -3, L_DE),
	E("quarterly", T_CADENCE, -3, L_EN),
	E("alle", T_EVERY, 0, L_DE),
	E("jede", T_EVERY, 0, L_DE),
	E("jeden", T_EVERY, 0, L_DE),
	E("jedes", T_EVERY, 0, L_DE),
	E("every", T_EVERY, 0, L_EN),
	E("each", T_EVERY, 0, L_EN),
	E("once a", T_EVERY, 0, L_EN),
	E("einmal pro", T_EVERY, 0, L_DE),
	E("einmal im", T_EVERY, 0, L_DE),
	E("einmal je", T_EVERY, 0, L_DE),

	/* rates such as "500 Leads pro Monat" are understood and carry nothing */
	E("pro monat", T_FILLER, 0, L_DE),
	E("je monat", T_FILLER, 0, L_DE),
	E("pro woche", T_FILLER, 0, L_DE),
	E("je woche", T_FILLER, 0, L_DE),
	E("pro quartal", T_FILLER, 0, L_DE),
	E("pro jahr", T_FILLER, 0, L_DE),
	E("per month", T_FILLER, 0, L_EN),
	E("per week", T_FILLER, 0, L_EN),
	E("per quarter", T_FILLER, 0, L_EN),
	E("per year", T_FILLER, 0, L_EN),
	E("a month", T_FILLER, 0, L_EN),
	E("a week", T_FILLER, 0, L_EN),

	/* the word of, in dates: "31st of March", "first half of 2027" */
	E("of", T_OF, 0, L_EN),
	E("des", T_OF, 0, L_DE),

	/* function and framing words */
	E("der", T_FILLER, 0, L_DE),
	E("die", T_FILLER, 0, L_DE),
	E("das", T_FILLER, 0, L_DE),
	E("den", T_FILLER, 0, L_DE),
	E("dem", T_FILLER, 0, L_DE),
	E("einer", T_FILLER, 0, L_DE),
	E("eines", T_FILLER, 0, L_DE),
	E("und", T_FILLER, 0, L_DE),
	E("oder", T_FILLER, 0, L_DE),
	E("zu", T_FILLER, 0, L_DE),
	E("zur", T_FILLER, 0, L_DE),
	E("bei", T_FILLER, 0, L_DE),
	E("fuer", T_FILLER, 0, L_DE),
	E("mit", T_FILLER, 0, L_DE),
	E("wir", T_FILLER, 0, L_DE),
	E("unser", T_FILLER, 0, L_DE),
	E("unsere", T_FILLER, 0, L_DE),
	E("unseren", T_FILLER, 0, L_DE),
	E("unserer", T_FILLER, 0, L_DE),
	E("unseres", T_FILLER, 0, L_DE),
	E("sollen", T_FILLER, 0, L_DE),
	E("wollen", T_FILLER, 0, L_DE),
	E("will", T_FILLER, 0, L_EN),
	E("wird", T_FILLER, 0, L_DE),
	E("werden", T_FILLER, 0, L_DE),
	E("muss", T_FILLER, 0, L_DE),
	E("muessen", T_FILLER, 0, L_DE),
	E("sind", T_FILLER, 0, L_DE),
	E("gesamt", T_FILLER, 0, L_DE),
	E("insgesamt", T_FILLER, 0, L_DE),
	E("ca", T_FILLER, 0, L_DE),
	E("rund", T_FILLER, 0, L_DE),
	E("etwa", T_FILLER, 0, L_DE),
	E("ueberpruefung", T_FILLER, 0, L_DE),
	E("ueberpruefen", T_FILLER, 0, L_DE),
	E("pruefen", T_FILLER, 0, L_DE),
	E("pruefung", T_FILLER, 0, L_DE),
	E("kontrolle", T_FILLER, 0, L_DE),
	E("review", T_FILLER, 0, L_ANY),
	E("reviewed", T_FILLER, 0, L_EN),
	E("reporting", T_FILLER, 0, L_ANY),
	E("kpi", T_FILLER, 0, L_ANY),
	E("number of", T_FILLER, 0, L_EN),
	E("anzahl", T_FILLER, 0, L_DE),
	E("anzahl der", T_FILLER, 0, L_DE),
	E("anzahl an", T_FILLER, 0, L_DE),
	E("kennzahl", T_FILLER, 0, L_DE),
	E("the", T_FILLER, 0, L_EN),
	E("and", T_FILLER, 0, L_EN),
	E("or", T_FILLER, 0, L_EN),
	E("our", T_FILLER, 0, L_EN),
	E("we", T_FILLER, 0, L_EN),
	E("should", T_FILLER, 0, L_EN),
	E("must", T_FILLER, 0, L_EN),
	E("shall", T_FILLER, 0, L_EN),
	E("be", T_FILLER, 0, L_EN),
	E("is", T_FILLER, 0, L_EN),
	E("are", T_FILLER, 0, L_EN),
	E("for", T_FILLER, 0, L_EN),
	E("with", T_FILLER, 0, L_EN),
	E("this", T_FILLER, 0, L_EN),
	E("its", T_FILLER, 0, L_EN),
	E("overall", T_FILLER, 0, L_EN),
	E("total", T_FILLER, 0, L_EN),
	E("about", T_FILLER, 0, L_EN),
	E("around", T_FILLER, 0, L_EN),
	E("approx", T_FILLER, 0, L_EN),
	E("approximately", T_FILLER, 0, L_EN),
	E("check", T_FILLER, 0, L_EN),
	E("checked", T_FILLER, 0, L_EN),
	E("objective", T_FILLER, 0, L_EN),
	E("okr", T_FILLER, 0, L_ANY),
	E("/", T_SLASH, 0, L_ANY),
};

#undef E

/* Stems: a word that starts with one of these and is in no phrase above. */
typedef struct StemEntry
{
	const char *stem;
	uint8_t		verb;
	uint8_t		lang;
} StemEntry;

static const StemEntry stem_lexicon[] = {
	{"steiger", V_HIGHER, L_DE}, {"gesteiger", V_HIGHER, L_DE},
	{"erhoeh", V_HIGHER, L_DE}, {"anheb", V_HIGHER, L_DE}, {"angehob", V_HIGHER, L_DE},
	{"ausbau", V_HIGHER, L_DE}, {"ausgebaut", V_HIGHER, L_DE},
	{"wachs", V_HIGHER, L_DE}, {"gewachs", V_HIGHER, L_DE}, {"wachstum", V_HIGHER, L_DE},
	{"vergroesser", V_HIGHER, L_DE}, {"maximier", V_HIGHER, L_DE}, {"hochfahr", V_HIGHER, L_DE},
	{"increas", V_HIGHER, L_EN}, {"rais", V_HIGHER, L_EN}, {"grow", V_HIGHER, L_EN},
	{"grew", V_HIGHER, L_EN}, {"boost", V_HIGHER, L_EN},
	{"expand", V_HIGHER, L_EN}, {"maximi", V_HIGHER, L_EN},
	{"senk", V_LOWER, L_DE}, {"gesenk", V_LOWER, L_DE}, {"reduz", V_LOWER, L_DE},
	{"redukt", V_LOWER, L_DE}, {"verringer", V_LOWER, L_DE}, {"minimier", V_LOWER, L_DE},
	{"verkleiner", V_LOWER, L_DE}, {"drueck", V_LOWER, L_DE}, {"gedrueckt", V_LOWER, L_DE},
	{"abbau", V_LOWER, L_DE},
	{"reduc", V_LOWER, L_EN}, {"decreas", V_LOWER, L_EN}, {"shrink", V_LOWER, L_EN},
	{"minimi", V_LOWER, L_EN}, {"slash", V_LOWER, L_EN},
	{"verbesser", V_IMPROVE, L_DE}, {"optimier", V_IMPROVE, L_DE},
	{"improv", V_IMPROVE, L_EN}, {"optimi", V_IMPROVE, L_EN},
	{"beibehalt", V_KEEP, L_DE}, {"stabilisier", V_KEEP, L_DE}, {"halten", V_KEEP, L_DE},
	{"maintain", V_KEEP, L_EN}, {"stabili", V_KEEP, L_EN}, {"sustain", V_KEEP, L_EN},
	{"erreich", V_REACH, L_DE}, {"generier", V_REACH, L_DE}, {"gewinn", V_REACH, L_DE},
	{"reach", V_REACH, L_EN}, {"achiev", V_REACH, L_EN}, {"generat", V_REACH, L_EN},
	{"attain", V_REACH, L_EN}, {"deliver", V_REACH, L_EN},
	{"verdoppel", V_DOUBLE, L_DE}, {"verdoppl", V_DOUBLE, L_DE}, {"doubl", V_DOUBLE, L_EN},
	{"verdreifach", V_TRIPLE, L_DE}, {"tripl", V_TRIPLE, L_EN},
	{"halbier", V_HALVE, L_DE}, {"halv", V_HALVE, L_EN},
};

/* Compounds that end in a metric: "Gesamtumsatz", "Shop-Konversionsrate". */
typedef struct SuffixEntry
{
	const char *suffix;
	uint8_t		kpi;
} SuffixEntry;

static const SuffixEntry metric_suffixes[] = {
	{"konversionsrate", GOAL_KPI_CONVERSION_RATE},
	{"konversionsquote", GOAL_KPI_CONVERSION_RATE},
	{"conversionrate", GOAL_KPI_CONVERSION_RATE},
	{"abschlussquote", GOAL_KPI_CLOSING_RATE},
	{"abschlussrate", GOAL_KPI_CLOSING_RATE},
	{"akquisitionskosten", GOAL_KPI_CAC},
	{"umsatz", GOAL_KPI_REVENUE},
	{"umsaetze", GOAL_KPI_REVENUE},
	{"umsatzes", GOAL_KPI_REVENUE},
	{"erloes", GOAL_KPI_REVENUE},
	{"erloese", GOAL_KPI_REVENUE},
	{"revenue", GOAL_KPI_REVENUE},
	{"leads", GOAL_KPI_LEADS},
};

#define N_LEXICON (sizeof(lexicon) / sizeof(lexicon[0]))
#define MAX_PHRASE_WORDS 5

/* The lexicon split into words, and its entries sorted by first word. */
typedef struct LexIndexEntry
{
	const LexEntry *entry;
	int			nwords;
	const char *word[MAX_PHRASE_WORDS];
	uint8_t		wordlen[MAX_PHRASE_WORDS];
} LexIndexEntry;

static LexIndexEntry lex_index[N_LEXICON];
static char lex_words[N_LEXICON * 40];
static bool lex_ready = false;

static int
compare_words(const char *a, int alen, const char *b, int blen)
{
	int			n = alen < blen ? alen : blen;
	int			c = memcmp(a, b, n);

	if (c != 0)
		return c;
	return alen - blen;
}

static int
compare_index_entries(const void *a, const void *b)
{
	const LexIndexEntry *x = a;
	const LexIndexEntry *y = b;
	int			c = compare_words(x->word[0], x->wordlen[0], y->word[0], y->wordlen[0]);

	if (c != 0)
		return c;
	return y->nwords - x->nwords;	/* longer phrases first */
}

static void
lex_init(void)
{
	size_t		used = 0;

	for (size_t i = 0; i < N_LEXICON; i++)
	{
		const char *w = lexicon[i].words;
		size_t		len = strlen(w);
		char	   *copy = lex_words + used;
		int			n = 0;
		size_t		start = 0;

		if (used + len + 1 > sizeof(lex_words))
			abort();			/* cannot happen: the table is static */
		memcpy(copy, w, len + 1);
		used += len + 1;
		for (size_t k = 0; k <= len; k++)
		{
			if (copy[k] == ' ' || copy[k] == '\0')
			{
				if (n >= MAX_PHRASE_WORDS)
					abort();
				lex_index[i].word[n] = copy + start;
				lex_index[i].wordlen[n] = (uint8_t) (k - start);
				n++;
				start = k + 1;
			}
		}
		lex_index[i].nwords = n;
		lex_index[i].entry = &lexicon[i];
	}
	qsort(lex_index, N_LEXICON, sizeof(LexIndexEntry), compare_index_entries);
	lex_ready = true;
}

/* ---------------------------------------------------------------------------
 * Lexer
 * ------------------------------------------------------------------------- */

typedef enum TokKind
{
	K_WORD,
	K_NUM,
	K_DATE,
	K_SYM
} TokKind;

typedef struct Token
{
	int			start;			/* byte span in the input */
	int			end;
	uint8_t		kind;
	bool		after_punct;	/* punctuation (not a space or hyphen) came before it */
	uint8_t		tag;			/* symbols: their tag */
	int16_t		val;
	int			norm;			/* words (and % and /): offset in the normalised buffer */
	int			normlen;
	/* numbers */
	int8_t		sign;			/* -1, +1, or 0 when none was written */
	bool		ordinal;		/* 31st, 2nd */
	bool		times;			/* 4x */
	int8_t		scale;			/* 3 for 5k, 6 for 1.2M */
	int			nstart;			/* the digits and separators: [nstart, nend) */
	int			nend;
	/* dates */
	int			y,
				m,
				d;
} Token;

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The length of a UTF-8 letter at s (ASCII letters and the Latin-1 and
 * Latin Extended-A/B letters, lead bytes C3..C9 with a continuation byte),
 * or 0.  C3 97 (×) and C3 B7 (÷) are not letters.
 */
static int
letter_len(const unsigned char *s, int remaining)
{
	if (remaining <= 0)
		return 0;
	if (is_ascii_letter(s[0]))
		return 1;
	if (remaining >= 2 && s[0] >= 0xC3 && s[0] <= 0xC9 && (s[1] & 0xC0) == 0x80)
	{
		if (s[0] == 0xC3 && (s[1] == 0x97 || s[1] == 0xB7))
			return 0;
		return 2;
	}
	return 0;
}

/* Appends the normalised form of the letter at s to out; returns bytes written. */
static int
normalise_letter(const unsigned char *s, int len, char *out, int *german)
{
	if (len == 1)
	{
		out[0] = (char) ((s[0] >= 'A' && s[0] <= 'Z') ? s[0] + 32 : s[0]);
		return 1;
	}
	if (s[0] == 0xC3)
	{
		switch (s[1])
		{
			case 0x84:			/* Ä */
			case 0xA4:			/* ä */
				out[0] = 'a', out[1] = 'e';
				(*german)++;
				return 2;
			case 0x96:			/* Ö */
			case 0xB6:			/* ö */
				out[0] = 'o', out[1] = 'e';
				(*german)++;
				return 2;
			case 0x9C:			/* Ü */
			case 0xBC:			/* ü */
				out[0] = 'u', out[1] = 'e';
				(*german)++;
				return 2;
			case 0x9F:			/* ß */
				out[0] = 's', out[1] = 's';
				(*german)++;
				return 2;
			default:
				out[0] = (char) s[0];
				/* upper case Latin-1 letters (C3 80..9E) to lower case */
				out[1] = (char) ((s[1] >= 0x80 && s[1] <= 0x9E) ? s[1] + 0x20 : s[1]);
				return 2;
		}
	}
	out[0] = (char) s[0];
	out[1] = (char) s[1];
	return 2;
}

/* Whether s[i] starts a number's sign: "+20 %", "-15 %", "−3 pp". */
static int
sign_len(const unsigned char *s, int i, int len)
{
	bool		after_break = (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == ':' ||
							   s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r');

	if (!after_break)
		return 0;
	if ((s[i] == '+' || s[i] == '-') && i + 1 < len && is_digit(s[i + 1]))
		return 1;
	/* U+2212 minus sign */
	if (i + 3 < len && s[i] == 0xE2 && s[i + 1] == 0x88 && s[i + 2] == 0x92 && is_digit(s[i + 3]))
		return 3;
	return 0;
}

/* The number of digits at s[i..]. */
static int
digit_run(const unsigned char *s, int i, int len)
{
	int			n = 0;

	while (i + n < len && is_digit(s[i + n]))
		n++;
	return n;
}

static int
small_int(const unsigned char *s, int i, int n)
{
	int			v = 0;

	for (int k = 0; k < n; k++)
		v = v * 10 + (s[i + k] - '0');
	return v;
}

typedef struct Lexed
{
	Token	   *tok;
	int			ntok;
	char	   *norm;
	int			german_letters;
} Lexed;

/*
 * Lexes a number, ISO date or dotted date at s[i] (a digit).  Returns the
 * index after it.
 */
static int
lex_number(const unsigned char *s, int i, int len, Token *t)
{
	int			n = digit_run(s, i, len);
	int			j;

	t->kind = K_NUM;
	t->nstart = i;

	/* 2027-03-31 */
	if (n == 4 && i + 10 <= len && s[i + 4] == '-' && is_digit(s[i + 5]) && is_digit(s[i + 6]) &&
		s[i + 7] == '-' && is_digit(s[i + 8]) && is_digit(s[i + 9]) &&
		(i + 10 == len || !is_digit(s[i + 10])))
	{
		t->kind = K_DATE;
		t->y = small_int(s, i, 4);
		t->m = small_int(s, i + 5, 2);
		t->d = small_int(s, i + 8, 2);
		t->nend = i + 10;
		return i + 10;
	}
	/* 31.03.2027, 1.4.2027 */
	if (n >= 1 && n <= 2 && i + n < len && s[i + n] == '.')
	{
		int			m = digit_run(s, i + n + 1, len);

		if (m >= 1 && m <= 2 && i + n + 1 + m < len && s[i + n + 1 + m] == '.')
		{
			int			y = digit_run(s, i + n + m + 2, len);

			if (y == 0 && (i + n + m + 2 == len || !is_digit(s[i + n + m + 2])) &&
				small_int(s, i + n + 1, m) >= 1 && small_int(s, i + n + 1, m) <= 12)
			{
				/* 31.03. without a year: the next such day */
				t->kind = K_DATE;
				t->d = small_int(s, i, n);
				t->m = small_int(s, i + n + 1, m);
				t->y = 0;
				t->nend = i + n + m + 2;
				return t->nend;
			}
			if (y == 4)
			{
				t->kind = K_DATE;
				t->d = small_int(s, i, n);
				t->m = small_int(s, i + n + 1, m);
				t->y = small_int(s, i + n + m + 2, 4);
				t->nend = i + n + m + 6;
				return t->nend;
			}
		}
	}

	/* digits, and groups after . , ' separators */
	j = i + n;
	while (j + 1 < len && (s[j] == '.' || s[j] == ',' || s[j] == '\'') && is_digit(s[j + 1]))
		j += 1 + digit_run(s, j + 1, len);
	t->nend = j;

	/* suffixes written without a space: 31st, 5k, 1.2M, 4x */
	{
		int			w = 0;

		while (j + w < len && is_ascii_letter(s[j + w]) && w < 4)
			w++;
		if (w > 0 && (j + w == len || !is_ascii_letter(s[j + w])))
		{
			char		suf[5];

			for (int k = 0; k < w; k++)
				suf[k] = (char) ((s[j + k] >= 'A' && s[j + k] <= 'Z') ? s[j + k] + 32 : s[j + k]);
			suf[w] = '\0';
			if (strcmp(suf, "st") == 0 || strcmp(suf, "nd") == 0 || strcmp(suf, "rd") == 0 ||
				strcmp(suf, "th") == 0)
				t->ordinal = true, j += w;
			else if (strcmp(suf, "k") == 0)
				t->scale = 3, j += w;
			else if (strcmp(suf, "m") == 0 || strcmp(suf, "mn") == 0)
				t->scale = 6, j += w;
			else if (strcmp(suf, "bn") == 0)
				t->scale = 9, j += w;
			else if (strcmp(suf, "x") == 0)
				t->times = true, j += w;
		}
	}
	return j;
}

/*
 * Splits the input into tokens: at most one per byte, which is what the
 * caller allocates.  A hyphen is punctuation, so "Conversion-Rate" lexes as
 * two words (a '-' before a digit after a space is a sign; see sign_len).
 */
static void
lex(const unsigned char *s, int len, Lexed *lx)
{
	int			i = 0;
	int			normused = 0;
	bool		punct = false;

	lx->ntok = 0;
	lx->german_letters = 0;
	while (i < len)
	{
		unsigned char c = s[i];
		Token	   *t = &lx->tok[lx->ntok];
		int			ll;
		int			sl;

		memset(t, 0, sizeof(Token));
		t->start = i;
		t->after_punct = punct;

		if ((sl = sign_len(s, i, len)) > 0)
		{
			t->sign = (s[i] == '+') ? 1 : -1;
			i = lex_number(s, i + sl, len, t);
			t->end = i;
			if (t->kind == K_DATE)
				t->sign = 0;
			lx->ntok++;
			punct = false;
			continue;
		}
		if (is_digit(c))
		{
			i = lex_number(s, i, len, t);
			t->end = i;
			lx->ntok++;
			punct = false;
			continue;
		}
		if ((ll = letter_len(s + i, len - i)) > 0)
		{
			/* a word: letters, then letters or digits (q2, h1, fy2027) */
			t->kind = K_WORD;
			t->norm = normused;
			while (i < len)
			{
				ll = letter_len(s + i, len - i);
				if (ll > 0)
				{
					normused += normalise_letter(s + i, ll, lx->norm + normused, &lx->german_letters);
					i += ll;
				}
				else if (is_digit(s[i]))
					lx->norm[normused++] = (char) s[i++];
				else if (s[i] == '$' && normused - t->norm == 2 &&
						 memcmp(lx->norm + t->norm, "us", 2) == 0)
					lx->norm[normused++] = (char) s[i++];	/* US$ */
				else
					break;
			}
			t->normlen = normused - t->norm;
			t->end = i;
			lx->ntok++;
			punct = false;
			continue;
		}
		/* symbols */
		t->kind = K_SYM;
		if (c == '%')
		{
			t->tag = T_PERCENT;
			t->norm = normused;
			lx->norm[normused++] = '%';
			t->normlen = 1;
			i++;
		}
		else if (c == '/')
		{
			t->tag = T_SLASH;
			t->norm = normused;
			lx->norm[normused++] = '/';
			t->normlen = 1;
			i++;
		}
		else if (c == '$')
			t->tag = T_CURRENCY, t->val = CUR_USD, i++;
		else if (i + 2 < len && c == 0xE2 && s[i + 1] == 0x82 && s[i + 2] == 0xAC)
			t->tag = T_CURRENCY, t->val = CUR_EUR, i += 3;	/* € */
		else if (i + 1 < len && c == 0xC2 && s[i + 1] == 0xA3)
			t->tag = T_CURRENCY, t->val = CUR_GBP, i += 2;	/* £ */
		else if (i + 2 < len && c == 0xE2 && s[i + 1] == 0x86 && s[i + 2] == 0x92)
			t->tag = T_ARROW, i += 3;	/* → */
		else if (i + 1 < len && (c == '-' || c == '=') && s[i + 1] == '>')
			t->tag = T_ARROW, i += 2;
		else if (c == '>')
		{
			t->tag = T_CMP, t->val = GOAL_CMP_AT_LEAST;
			i += (i + 1 < len && s[i + 1] == '=') ? 2 : 1;
		}
		else if (c == '<')
		{
			t->tag = T_CMP, t->val = GOAL_CMP_AT_MOST;
			i += (i + 1 < len && s[i + 1] == '=') ? 2 : 1;
		}
		else if (i + 2 < len && c == 0xE2 && s[i + 1] == 0x89 && (s[i + 2] == 0xA5 || s[i + 2] == 0xA4))
		{
			t->tag = T_CMP;		/* ≥ ≤ */
			t->val = s[i + 2] == 0xA5 ? GOAL_CMP_AT_LEAST : GOAL_CMP_AT_MOST;
			i += 3;
		}
		else
		{
			/* punctuation and spaces: no token */
			if (c != ' ' && c != '-' && c != '\t' && c != '\n' && c != '\r')
				punct = true;
			if (c >= 0xC0)
			{
				/* skip a whole multi-byte character */
				i++;
				while (i < len && (s[i] & 0xC0) == 0x80)
					i++;
			}
			else
				i++;
			continue;
		}
		t->end = i;
		lx->ntok++;
		punct = false;
	}
}

/* ---------------------------------------------------------------------------
 * Tagging: tokens -> items
 * ------------------------------------------------------------------------- */

typedef enum ItemState
{
	S_FREE,						/* no pass has used it */
	S_USED,						/* understood */
	S_REJECTED					/* looked at, and reported as unparsed */
} ItemState;

typedef struct Item
{
	uint8_t		tag;
	int16_t		val;
	uint8_t		state;
	int			tok;			/* first token */
	int			ntok;			/* tokens covered */
	int			start;			/* byte span */
	int			end;
	/* numbers: the value once the language is known */
	bool		num_ok;
	double		num;
	bool		num_integer;	/* written without separators */
	int			num_digits;
	double		num_mantissa;	/* num = num_mantissa / 10^num_frac, digits as written */
	int			num_frac;
} Item;

typedef struct Parser
{
	const unsigned char *s;
	int			len;
	int32_t		reference;
	GoalAllocFn alloc;
	void	   *context;
	Lexed		lx;
	Item	   *items;
	int			nitems;
	int			votes_de;
	int			votes_en;
	bool		change_sign_written;	/* "+20 %", "20 % weniger" */
	GoalParse  *out;
} Parser;

static bool
norm_equals(const Parser *p, const Token *t, const char *w, int wlen)
{
	return t->normlen == wlen && memcmp(p->lx.norm + t->norm, w, wlen) == 0;
}

static void
vote(Parser *p, int lang)
{
	if (lang == L_DE)
		p->votes_de++;
	else if (lang == L_EN)
		p->votes_en++;
}

/* Finds the longest lexicon phrase starting at token k; returns its length in tokens. */
static int
match_phrase(Parser *p, int k, const LexEntry **found)
{
	const Token *t = &p->lx.tok[k];
	const char *w = p->lx.norm + t->norm;
	int			lo = 0,
				hi = (int) N_LEXICON;
	int			best = 0;

	/* lower bound of the first word */
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (compare_words(lex_index[mid].word[0], lex_index[mid].wordlen[0], w, t->normlen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int e = lo; e < (int) N_LEXICON; e++)
	{
		const LexIndexEntry *x = &lex_index[e];
		int			n;

		if (compare_words(x->word[0], x->wordlen[0], w, t->normlen) != 0)
			break;
		if (x->nwords <= best || k + x->nwords > p->lx.ntok)
			continue;
		for (n = 1; n < x->nwords; n++)
		{
			const Token *u = &p->lx.tok[k + n];

			if (u->normlen == 0 || !norm_equals(p, u, x->word[n], x->wordlen[n]))
				break;
		}
		if (n == x->nwords)
		{
			best = n;
			*found = x->entry;
		}
	}
	return best;
}

static bool
starts_with(const char *w, int wlen, const char *prefix)
{
	int			n = (int) strlen(prefix);

	return wlen >= n && memcmp(w, prefix, n) == 0;
}

static bool
ends_with(const char *w, int wlen, const char *suffix)
{
	int			n = (int) strlen(suffix);

	return wlen >= n && memcmp(w + wlen - n, suffix, n) == 0;
}

static void
tag_tokens(Parser *p)
{
	int			k = 0;

	p->nitems = 0;
	while (k < p->lx.ntok)
	{
		Token	   *t = &p->lx.tok[k];
		Item	   *it = &p->items[p->nitems++];
		const LexEntry *e = NULL;
		int			n;

		memset(it, 0, sizeof(Item));
		it->tok = k;
		it->ntok = 1;
		it->start = t->start;
		it->end = t->end;

		if (t->kind == K_NUM || t->kind == K_DATE)
		{
			it->tag = t->kind == K_NUM ? T_NUM : T_DATE;
			k++;
			continue;
		}
		if (t->normlen > 0 && (n = match_phrase(p, k, &e)) > 0)
		{
			it->tag = e->tag;
			it->val = e->val;
			it->ntok = n;
			it->end = p->lx.tok[k + n - 1].end;
			vote(p, e->lang);
			k += n;
			continue;
		}
		if (t->kind == K_SYM)
		{
			it->tag = t->tag;
			it->val = t->val;
			k++;
			continue;
		}
		/* a stem or a compound */
		{
			const char *w = p->lx.norm + t->norm;
			bool		done = false;

			it->tag = T_WORD;
			for (size_t s = 0; s < sizeof(stem_lexicon) / sizeof(stem_lexicon[0]); s++)
			{
				if (w[0] == stem_lexicon[s].stem[0] && starts_with(w, t->normlen, stem_lexicon[s].stem))
				{
					it->tag = T_VERB;
					it->val = stem_lexicon[s].verb;
					vote(p, stem_lexicon[s].lang);
					done = true;
					break;
				}
			}
			for (size_t s = 0; !done && s < sizeof(metric_suffixes) / sizeof(metric_suffixes[0]); s++)
			{
				if ((int) strlen(metric_suffixes[s].suffix) + 2 <= t->normlen &&
					ends_with(w, t->normlen, metric_suffixes[s].suffix))
				{
					it->tag = T_METRIC;
					it->val = metric_suffixes[s].kpi;
					done = true;
				}
			}
		}
		k++;
	}
}

/* ---------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------- */

/*
 * mantissa * 10^exponent in one correctly rounded operation, so that "2,5 %"
 * gives exactly the double 0.025 that the literal 0.025 gives (mantissa has
 * at most 15 digits, and powers of ten up to 10^22 are exact).
 */
static double
scaled(double mantissa, int exponent)
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

	if (exponent >= 0)
		return exponent <= 22 ? mantissa * pow10[exponent] : mantissa * 1e22 * pow10[exponent - 22];
	return -exponent <= 22 ? mantissa / pow10[-exponent] : mantissa / 1e22 / pow10[-exponent - 22];
}

/*
 * The value of a number token in the statement's language.  Separators:
 * with both . and , the last one is the decimal mark and the other groups
 * thousands; one separator used several times groups thousands; used once
 * it is a decimal mark unless exactly three digits follow, where the
 * language decides ("1.200" is 1200 in German, 1.2 in English).  Returns
 * false for forms that fit none of these (1,2.3.4).
 */
static bool
number_value(const Parser *p, const Token *t, Item *it)
{
	const unsigned char *s = p->s;
	int			seps = 0;
	int			last_sep = -1;
	unsigned char last_sepc = 0;
	bool		has_dot = false,
				has_comma = false,
				has_quote = false;
	unsigned char decimal = 0;
	double		mantissa = 0;
	int			frac = 0;
	int			digits = 0;
	bool		in_frac = false;
	int			group_len = 0;
	bool		first_group = true;

	for (int i = t->nstart; i < t->nend; i++)
	{
		if (s[i] == '.')
			has_dot = true;
		else if (s[i] == ',')
			has_comma = true;
		else if (s[i] == '\'')
			has_quote = true;
		if (!is_digit(s[i]))
		{
			seps++;
			last_sep = i;
			last_sepc = s[i];
		}
	}
	if (has_quote && (has_dot + has_comma) > 1)
		return false;
	if (seps == 0)
		decimal = 0;
	else if ((has_dot + has_comma + has_quote) == 2)
		decimal = last_sepc == '\'' ? 0xFF : last_sepc;
	else if (seps == 1 && last_sepc != '\'')
	{
		int			after = t->nend - last_sep - 1;
		int			before = last_sep - t->nstart;
		bool		thousands = after == 3 && before <= 3 && s[t->nstart] != '0' &&
			((last_sepc == '.' && p->out->language == GOAL_LANG_DE) ||
			 (last_sepc == ',' && p->out->language == GOAL_LANG_EN));

		decimal = thousands ? 0 : last_sepc;
	}
	else
		decimal = 0;			/* thousands groups only */
	if (decimal == 0xFF)
		return false;

	for (int i = t->nstart; i < t->nend; i++)
	{
		if (is_digit(s[i]))
		{
			if (digits >= 15)
				return false;	/* beyond exact doubles: not a goal number */
			mantissa = mantissa * 10 + (s[i] - '0');
			digits++;
			group_len++;
			if (in_frac)
				frac++;
			continue;
		}
		/* a separator */
		if (s[i] == decimal)
		{
			if (!first_group && group_len != 3)
				return false;
			in_frac = true;
		}
		else
		{
			/* a thousands separator: 1-3 digits before the first, 3 between */
			if (in_frac || (first_group ? (group_len < 1 || group_len > 3) : group_len != 3))
				return false;
		}
		first_group = false;
		group_len = 0;
	}
	/* the last thousands group has three digits */
	if (!in_frac && !first_group && group_len != 3)
		return false;
	it->num_mantissa = mantissa;
	it->num_frac = frac;
	it->num = scaled(mantissa, -frac);
	it->num_integer = seps == 0;
	it->num_digits = digits;
	return true;
}

/* ---------------------------------------------------------------------------
 * Problems and helpers for the passes
 * ------------------------------------------------------------------------- */

static void
add_problem(Parser *p, const char *what, int start, int end)
{
	GoalParse  *out = p->out;
	int			n;
	int			wlen = (int) strlen(what);
	char	   *msg;

	if (out->nproblems >= GOAL_MAX_PROBLEMS)
		return;
	if (start < 0)
		start = end = 0;
	/* quote at most 80 bytes of the statement, cut at a character boundary */
	n = end - start;
	if (n > 80)
	{
		n = 80;
		while (n > 0 && (p->s[start + n] & 0xC0) == 0x80)
			n--;
	}
	msg = p->alloc(p->context, wlen + n + 8);
	memcpy(msg, what, wlen);
	if (n > 0)
	{
		msg[wlen] = ':';
		msg[wlen + 1] = ' ';
		memcpy(msg + wlen + 2, p->s + start, n);
		wlen += 2 + n;
	}
	msg[wlen] = '\0';
	out->problems[out->nproblems++] = msg;
}

/* The next item after i that no pass has used, or -1. */
static int
next_free(const Parser *p, int i)
{
	for (int k = i + 1; k < p->nitems; k++)
		if (p->items[k].state == S_FREE)
			return k;
	return -1;
}

static bool
item_is(const Parser *p, int i, int tag)
{
	return i >= 0 && i < p->nitems && p->items[i].state == S_FREE && p->items[i].tag == tag;
}

/* Whether a unit follows item i ("2000 Leads", "25 %"): then it is no date part. */
static bool
followed_by_unit(const Parser *p, int i)
{
	int			j = next_free(p, i);

	if (j < 0)
		return false;
	switch (p->items[j].tag)
	{
		case T_PERCENT:
		case T_POINTS:
		case T_CURRENCY:
		case T_SCALE:
		case T_COUNTNOUN:
			return true;
		case T_METRIC:
			return p->items[j].val == GOAL_KPI_LEADS;
		default:
			return false;
	}
}

/* A plausible year: 4 digits, 1900..2999, written plainly. */
static bool
item_is_year(const Parser *p, int i)
{
	const Item *it;
	const Token *t;

	if (!item_is(p, i, T_NUM))
		return false;
	it = &p->items[i];
	t = &p->lx.tok[it->tok];
	return it->num_ok && it->num_integer && it->num_digits == 4 && t->sign == 0 && !t->ordinal &&
		t->scale == 0 && !t->times && it->num >= 1900 && it->num <= 2999 && !followed_by_unit(p, i);
}

/* A day of the month: 1 or 2 digits, 1..31 (31st allowed). */
static bool
item_is_day(const Parser *p, int i)
{
	const Item *it;
	const Token *t;

	if (!item_is(p, i, T_NUM))
		return false;
	it = &p->items[i];
	t = &p->lx.tok[it->tok];
	return it->num_ok && it->num_integer && it->num_digits <= 2 && t->sign == 0 && t->scale == 0 &&
		!t->times && it->num >= 1 && it->num <= 31 && !followed_by_unit(p, i);
}

/* A small whole count (1..999) written as digits or a number word. */
static bool
item_small_count(const Parser *p, int i, int *n)
{
	const Item *it;
	const Token *t;

	if (i < 0 || i >= p->nitems || p->items[i].state != S_FREE)
		return false;
	it = &p->items[i];
	if (it->tag == T_NUMWORD)
	{
		*n = it->val;
		return true;
	}
	if (it->tag != T_NUM)
		return false;
	t = &p->lx.tok[it->tok];
	if (!it->num_ok || !it->num_integer || t->sign != 0 || t->ordinal || t->scale != 0 ||
		t->times || it->num < 1 || it->num > 3660)
		return false;
	*n = (int) it->num;
	return true;
}

static void
use_range(Parser *p, int from, int to)
{
	for (int k = from; k <= to; k++)
		if (p->items[k].state == S_FREE)
			p->items[k].state = S_USED;
}

/* ---------------------------------------------------------------------------
 * Pass: review cadence
 * ------------------------------------------------------------------------- */

static void
set_cadence(Parser *p, int unit, int count)
{
	if (p->out->review_days != 0 || p->out->review_months != 0)
		return;					/* the first one stated counts */
	if (unit > 0)
		p->out->review_days = unit * count;
	else
		p->out->review_months = -unit * count;
}

static void
pass_cadence(Parser *p)
{
	for (int i = 0; i < p->nitems; i++)
	{
		Item	   *it = &p->items[i];

		if (it->state != S_FREE)
			continue;
		if (it->tag == T_CADENCE)
		{
			set_cadence(p, it->val, 1);
			it->state = S_USED;
		}
		else if (it->tag == T_EVERY)
		{
			int			j = next_free(p, i);
			int			n = 1;

			/* every week; alle 2 Wochen; every two weeks; jedes Quartal */
			if (item_small_count(p, j, &n) && item_is(p, next_free(p, j), T_DAYUNIT))
			{
				int			u = next_free(p, j);

				set_cadence(p, p->items[u].val, n);
				use_range(p, i, u);
			}
			else if (item_is(p, j, T_DAYUNIT))
			{
				set_cadence(p, p->items[j].val, 1);
				use_range(p, i, j);
			}
			else if (item_is(p, j, T_QUARTERWORD))
			{
				set_cadence(p, -3, 1);
				use_range(p, i, j);
			}
			else if (item_is(p, j, T_YEARWORD))
			{
				set_cadence(p, -12, 1);
				use_range(p, i, j);
			}
		}
	}
}

/* ---------------------------------------------------------------------------
 * Pass: deadlines
 * ------------------------------------------------------------------------- */

typedef enum DateKind
{
	D_NONE,
	D_DAY,						/* a day: valid or not */
	D_PERIOD,					/* a month, quarter, half or year: its end (or begin, mid) */
	D_AMBIGUOUS					/* "bis 2027": start or end? */
} DateKind;

typedef struct DateFound
{
	DateKind	kind;
	bool		valid;
	int32_t		day;
	int			last;			/* the last item of the expression */
} DateFound;

/*
 * A period [first, last] of a year, picked by the modifier: its last day
 * (END or none), first day (BEGIN) or middle (MID: the 15th of a month, the
 * last day of the period's middle month otherwise).
 */
static int32_t
period_day(int year, int first_month, int months, int modifier)
{
	int			last_month = first_month + months - 1;

	if (modifier == T_BEGIN)
		return goal_days_from_civil(year, first_month, 1);
	if (modifier == T_MID)
	{
		if (months == 1)
			return goal_days_from_civil(year, first_month, 15);
		return end_of_month(year, first_month + months / 2 - 1);
	}
	return end_of_month(year, last_month);
}

/*
 * A period with no year: the first one whose chosen day is on or after the
 * reference day ("bis Ende März" said in December is next March).
 */
static int32_t
period_day_next(const Parser *p, int first_month, int months, int modifier)
{
	int			y,
				m,
				d;
	int32_t		day;

	goal_civil_from_days(p->reference, &y, &m, &d);
	day = period_day(y, first_month, months, modifier);
	if (day < p->reference)
		day = period_day(y + 1, first_month, months, modifier);
	return day;
}

/* The item after i, skipping free "of"/"des" and slashes. */
static int
next_skip_of(const Parser *p, int i)
{
	int			j = next_free(p, i);
	int			skipped = 0;

	/* at most two: a run of "of of of" must not make the parser quadratic */
	while (j >= 0 && skipped++ < 2 && (p->items[j].tag == T_OF || p->items[j].tag == T_SLASH ||
					  (p->items[j].tag == T_FILLER && p->lx.tok[p->items[j].tok].normlen == 3 &&
					   memcmp(p->lx.norm + p->lx.tok[p->items[j].tok].norm, "the", 3) == 0)))
		j = next_free(p, j);
	return j;
}

static void
found_day(DateFound *f, int year, int month, int day, int last)
{
	f->kind = D_DAY;
	f->last = last;
	f->valid = year >= 1900 && year <= 2999 && month >= 1 && month <= 12 &&
		day >= 1 && day <= days_in_month(year, month);
	if (f->valid)
		f->day = goal_days_from_civil(year, month, day);
}

static void
found_period(DateFound *f, int32_t day, int last)
{
	f->kind = D_PERIOD;
	f->valid = true;
	f->day = day;
	f->last = last;
}

/* A day with a month word: 31. März 2027, March 31st, 2027, the 31st of March. */
static bool
match_day_month(Parser *p, int i, bool context, DateFound *f)
{
	int			j,
				k;
	int			y,
				m,
				d;

	goal_civil_from_days(p->reference, &y, &m, &d);
	if (item_is_day(p, i) && item_is(p, (j = next_skip_of(p, i)), T_MONTH))
	{
		int			month = p->items[j].val % 100;
		int			day = (int) p->items[i].num;

		k = next_free(p, j);
		if (item_is_year(p, k))
			found_day(f, (int) p->items[k].num, month, day, k);
		else
		{
			/* no year: the next such day */
			found_day(f, y, month, day, j);
			if (f->valid && f->day < p->reference)
				found_day(f, y + 1, month, day, j);
		}
		return true;
	}
	if (item_is(p, i, T_MONTH) && item_is_day(p, (j = next_free(p, i))))
	{
		int			month = p->items[i].val % 100;
		int			day = (int) p->items[j].num;
		bool		ordinal = p->lx.tok[p->items[j].tok].ordinal;

		k = next_free(p, j);
		if (item_is_year(p, k))
		{
			found_day(f, (int) p->items[k].num, month, day, k);
			return true;
		}
		if (ordinal || context)
		{
			found_day(f, y, month, day, j);
			if (f->valid && f->day < p->reference)
				found_day(f, y + 1, month, day, j);
			return true;
		}
	}
	return false;
}

/*
 * The date expression starting at item i, if any.  context says that a
 * deadline word (bis, by, Ende, ...) comes right before, which a month name
 * without a year needs.
 */
static bool
match_date(Parser *p, int i, int modifier, bool context, DateFound *f)
{
	Item	   *it = &p->items[i];
	int			j,
				k;

	f->kind = D_NONE;
	if (it->state != S_FREE)
		return false;
	switch (it->tag)
	{
		case T_DATE:
			{
				Token	   *t = &p->lx.tok[it->tok];
				int			y,
							m,
							d;

				if (t->y != 0)
				{
					found_day(f, t->y, t->m, t->d, i);
					return true;
				}
				/* 31.03. without a year: the next such day */
				goal_civil_from_days(p->reference, &y, &m, &d);
				found_day(f, y, t->m, t->d, i);
				if (f->valid && f->day < p->reference)
					found_day(f, y + 1, t->m, t->d, i);
				return true;
			}
		case T_NUM:
			if (match_day_month(p, i, context, f))
				return true;
			/* 2. Quartal 2027, 1. Halbjahr 2027 */
			j = next_free(p, i);
			if (item_is_day(p, i) && (item_is(p, j, T_QUARTERWORD) || item_is(p, j, T_HALFWORD)))
			{
				bool		quarter = p->items[j].tag == T_QUARTERWORD;
				int			n = (int) it->num;

				if (n > (quarter ? 4 : 2))
					return false;
				k = next_skip_of(p, j);
				if (item_is_year(p, k))
					found_period(f, period_day((int) p->items[k].num, quarter ? 3 * n - 2 : 6 * n - 5,
											   quarter ? 3 : 6, modifier), k);
				else
					found_period(f, period_day_next(p, quarter ? 3 * n - 2 : 6 * n - 5,
													quarter ? 3 : 6, modifier), j);
				return true;
			}
			/* Ende 2027, end of 2027; in 2027 */
			if (item_is_year(p, i) && (modifier != 0 || context))
			{
				int			year = (int) it->num;

				if (modifier != 0)
					found_period(f, period_day(year, 1, 12, modifier), i);
				else
				{
					f->kind = D_AMBIGUOUS;
					f->last = i;
				}
				return true;
			}
			return false;
		case T_MONTH:
			if (match_day_month(p, i, context || modifier != 0, f))
				return true;
			j = next_free(p, i);
			if (item_is_year(p, j))
			{
				found_period(f, period_day((int) p->items[j].num, it->val % 100, 1, modifier), j);
				return true;
			}
			/* a month alone needs a deadline word; "may" never stands alone */
			if ((context || modifier != 0) && it->val < 100)
			{
				found_period(f, period_day_next(p, it->val, 1, modifier), i);
				return true;
			}
			return false;
		case T_QUARTER:
		case T_HALF:
			{
				bool		quarter = it->tag == T_QUARTER;
				int			n = it->val;

				j = next_skip_of(p, i);
				if (item_is_year(p, j))
					found_period(f, period_day((int) p->items[j].num, quarter ? 3 * n - 2 : 6 * n - 5,
											   quarter ? 3 : 6, modifier), j);
				else
					found_period(f, period_day_next(p, quarter ? 3 * n - 2 : 6 * n - 5,
													quarter ? 3 : 6, modifier), i);
				return true;
			}
		case T_ORDWORD:
			/* second quarter of 2027, erstes Halbjahr 2027 */
			j = next_free(p, i);
			if (item_is(p, j, T_QUARTERWORD) || item_is(p, j, T_HALFWORD))
			{
				bool		quarter = p->items[j].tag == T_QUARTERWORD;
				int			n = it->val;

				if (n > (quarter ? 4 : 2))
					return false;
				k = next_skip_of(p, j);
				if (item_is_year(p, k))
					found_period(f, period_day((int) p->items[k].num, quarter ? 3 * n - 2 : 6 * n - 5,
											   quarter ? 3 : 6, modifier), k);
				else
					found_period(f, period_day_next(p, quarter ? 3 * n - 2 : 6 * n - 5,
													quarter ? 3 : 6, modifier), j);
				return true;
			}
			return false;
		case T_YEAREND:
			{
				int			y,
							m,
							d;

				j = next_free(p, i);
				if (item_is_year(p, j))
				{
					found_period(f, period_day((int) p->items[j].num, 1, 12, 0), j);
					return true;
				}
				goal_civil_from_days(p->reference, &y, &m, &d);
				found_period(f, period_day(y, 1, 12, 0), i);
				return true;
			}
		case T_QUARTEREND:
			{
				int			y,
							m,
							d;

				goal_civil_from_days(p->reference, &y, &m, &d);
				found_period(f, end_of_month(y, ((m - 1) / 3) * 3 + 3), i);
				return true;
			}
		case T_MONTHEND:
			{
				int			y,
							m,
							d;

				goal_civil_from_days(p->reference, &y, &m, &d);
				found_period(f, end_of_month(y, m), i);
				return true;
			}
		case T_WEEKWORD:
			{
				/* KW 20 2027, CW 20: the Sunday that ends the ISO week */
				int			week = 0,
							y,
							m,
							d;
				int32_t		end;

				j = next_free(p, i);
				if (!item_small_count(p, j, &week) || p->items[j].tag != T_NUM)
					return false;
				k = next_skip_of(p, j);
				if (item_is_year(p, k))
				{
					end = iso_week_end((int) p->items[k].num, week);
					f->kind = D_DAY;
					f->valid = end >= 0;
					f->day = end;
					f->last = k;
					return true;
				}
				goal_civil_from_days(p->reference, &y, &m, &d);
				end = iso_week_end(y, week);
				if (end < p->reference)
					end = iso_week_end(y + 1, week);
				f->kind = D_DAY;
				f->valid = end >= 0;
				f->day = end;
				f->last = j;
				return true;
			}
		case T_YEARWORD:
			/* im Jahr 2027 */
			j = next_free(p, i);
			if (item_is_year(p, j) && (modifier != 0 || context))
			{
				found_period(f, period_day((int) p->items[j].num, 1, 12, modifier), j);
				return true;
			}
			return false;
		case T_IN:
		case T_NEXT:
			{
				/* in 30 Tagen, within 6 weeks, in den nächsten 3 Monaten, next 30 days */
				int			n = 0;
				int			skipped = 0;
				bool		next = it->tag == T_NEXT;

				j = next_free(p, i);
				/* at most three words between: "in den nächsten"; never a whole run */
				while (j >= 0 && skipped++ < 3 && (p->items[j].tag == T_NEXT || p->items[j].tag == T_IN ||
								  (p->items[j].tag == T_FILLER &&
								   p->lx.tok[p->items[j].tok].normlen == 3)))	/* the, den */
				{
					next = next || p->items[j].tag == T_NEXT;
					j = next_free(p, j);
				}
				if (next && j >= 0 && p->items[j].state == S_FREE)
				{
					int			y,
								m,
								d;

					goal_civil_from_days(p->reference, &y, &m, &d);
					/* next quarter, nächstes Jahr, (end of) next month */
					if (p->items[j].tag == T_QUARTERWORD)
					{
						int			q = (m - 1) / 3 + 1;

						found_period(f, q == 4 ? end_of_month(y + 1, 3) : end_of_month(y, 3 * q + 3), j);
						return true;
					}
					if (p->items[j].tag == T_YEARWORD)
					{
						found_period(f, end_of_month(y + 1, 12), j);
						return true;
					}
					if (p->items[j].tag == T_DAYUNIT && p->items[j].val == -1 && modifier == T_END)
					{
						found_period(f, m == 12 ? end_of_month(y + 1, 1) : end_of_month(y, m + 1), j);
						return true;
					}
				}
				if (item_small_count(p, j, &n) &&
					(item_is(p, (k = next_free(p, j)), T_DAYUNIT) || item_is(p, k, T_YEARWORD)))
				{
					int			unit = p->items[k].tag == T_YEARWORD ? -12 : p->items[k].val;

					found_period(f, unit > 0 ? p->reference + unit * n : add_months(p->reference, -unit * n), k);
					return true;
				}
				if (item_is(p, j, T_DAYUNIT) && it->tag == T_NEXT)
				{
					int			unit = p->items[j].val;

					found_period(f, unit > 0 ? p->reference + unit : add_months(p->reference, -unit), j);
					return true;
				}
				/* in 2027, im Jahr 2027 */
				if (item_is_year(p, j) && it->tag == T_IN)
				{
					found_period(f, period_day((int) p->items[j].num, 1, 12, 0), j);
					return true;
				}
				if (item_is(p, j, T_YEARWORD) && item_is_year(p, next_free(p, j)) && it->tag == T_IN)
				{
					k = next_free(p, j);
					found_period(f, period_day((int) p->items[k].num, 1, 12, 0), k);
					return true;
				}
				return false;
			}
		default:
			return false;
	}
}

static void
pass_deadlines(Parser *p)
{
	for (int i = 0; i < p->nitems; i++)
	{
		Item	   *it = &p->items[i];
		int			first = i;
		int			modifier = 0;
		bool		context = false;
		DateFound	f;
		int			b;
		bool		is_start = false;

		if (it->state != S_FREE)
			continue;

		/* the word before: a deadline preposition, or a start */
		b = i - 1;
		if (b >= 0 && p->items[b].state == S_FREE)
		{
			int			tag = p->items[b].tag;

			if (tag == T_DLPREP || tag == T_BY || tag == T_IN)
				context = true;
			else if (tag == T_START || tag == T_FROM)
				is_start = true;
		}
		if (it->tag == T_END || it->tag == T_BEGIN || it->tag == T_MID)
		{
			int			j = next_free(p, i);

			if (j < 0)
				continue;
			/* "Ende des Jahres" is a phrase; "Ende Q2", "end of March 2027" */
			modifier = it->tag;
			if (!match_date(p, j, modifier, true, &f))
				continue;
		}
		else if (!match_date(p, i, 0, context, &f))
			continue;

		if (f.kind == D_NONE)
			continue;

		/* the prepositions that lead to it are part of it */
		for (b = first - 1; b >= 0 && p->items[b].state == S_FREE; b--)
		{
			int			tag = p->items[b].tag;

			if (tag == T_DLPREP || tag == T_BY || tag == T_IN ||
				(is_start && (tag == T_START || tag == T_FROM)))
				first = b;
			else
				break;
		}

		if (is_start)
		{
			/* "ab März 2027", "starting Q1 2027": a start, which a goal row has no column for */
			for (int k = first; k <= f.last; k++)
				if (p->items[k].state == S_FREE)
					p->items[k].state = S_REJECTED;
			i = f.last;
			continue;
		}
		use_range(p, first, f.last);
		if (f.kind == D_AMBIGUOUS)
			add_problem(p, "deadline names a year, not whether its start or end is meant", p->items[first].start,
						p->items[f.last].end);
		else if (!f.valid)
			add_problem(p, "no such date", p->items[i].start, p->items[f.last].end);
		else if (p->out->has_due)
		{
			if (f.day != p->out->due_on)
				add_problem(p, "more than one deadline; the first counts", p->items[i].start,
							p->items[f.last].end);
		}
		else
		{
			p->out->has_due = true;
			p->out->due_on = f.day;
		}
		i = f.last;
	}
}

/* ---------------------------------------------------------------------------
 * Pass: values and their roles
 * ------------------------------------------------------------------------- */

typedef enum Role
{
	R_NONE,
	R_FROM,
	R_TO,
	R_BY
} Role;

typedef struct Value
{
	double		v;
	double		mantissa;		/* v = mantissa * 10^exponent, signed */
	int			exponent;
	const char *unit;			/* "%", currency, "count", "ratio", or NULL */
	bool		points;			/* percentage points */
	int8_t		sign;			/* written sign */
	int			last;			/* last item */
} Value;

static void
set_unit(Parser *p, const char *unit, int start, int end)
{
	if (unit == NULL)
		return;
	if (p->out->unit == NULL)
		p->out->unit = unit;
	else if (strcmp(p->out->unit, unit) != 0)
		add_problem(p, "more than one unit; the first counts", start, end);
}

/* A value at item i: [currency] number [scale] [unit]. */
static bool
match_value(Parser *p, int i, Value *v)
{
	int			n = i;
	int			j;
	const Item *num;
	const Token *t;
	int			scale;

	memset(v, 0, sizeof(Value));
	if (item_is(p, i, T_CURRENCY) && item_is(p, next_free(p, i), T_NUM))
	{
		v->unit = currency_code[p->items[i].val];
		n = next_free(p, i);
	}
	if (!item_is(p, n, T_NUM))
		return false;
	num = &p->items[n];
	t = &p->lx.tok[num->tok];
	if (!num->num_ok || t->ordinal)
		return false;
	scale = t->scale;
	v->sign = t->sign;
	v->last = n;
	j = next_free(p, n);
	if (item_is(p, j, T_SCALE))
	{
		scale += p->items[j].val;
		v->last = j;
		j = next_free(p, j);
	}
	v->mantissa = num->num_mantissa * (t->sign < 0 ? -1 : 1);
	v->exponent = scale - num->num_frac;
	v->v = scaled(v->mantissa, v->exponent);
	if (t->times)
		v->unit = "ratio";
	else if (item_is(p, j, T_PERCENT))
	{
		v->unit = "%";
		v->last = j;
		if (item_is(p, next_free(p, j), T_POINTS))
		{
			v->points = true;
			v->last = next_free(p, j);
		}
	}
	else if (item_is(p, j, T_POINTS))
	{
		v->unit = "%";
		v->points = true;
		v->last = j;
	}
	else if (v->unit == NULL && item_is(p, j, T_CURRENCY))
	{
		v->unit = currency_code[p->items[j].val];
		v->last = j;
	}
	else if (item_is(p, j, T_COUNTNOUN))
	{
		v->unit = "count";
		v->last = j;
	}
	else if (v->last + 1 < p->nitems && p->items[v->last + 1].tag == T_METRIC &&
			 p->items[v->last + 1].val == GOAL_KPI_LEADS)
		v->unit = "count";		/* "500 Leads": the metric pass has read the metric */
	return true;
}

static void
pass_values(Parser *p)
{
	Role		role = R_NONE;
	GoalComparison cmp = GOAL_CMP_NONE;
	int			default_target_item = -1;	/* a target taken without a role word */
	double		default_target = 0;
	GoalParse  *out = p->out;

	for (int i = 0; i < p->nitems; i++)
	{
		Item	   *it = &p->items[i];
		Value		v;
		Role		r;

		if (it->state != S_FREE)
			continue;
		switch (it->tag)
		{
			case T_FROM:
				/* "von derzeit 18 %": the last role word counts */
				role = R_FROM;
				it->state = S_USED;
				continue;
			case T_TO:
				role = R_TO;
				it->state = S_USED;
				continue;
			case T_BY:
				role = R_BY;
				it->state = S_USED;
				continue;
			case T_CMP:
				cmp = it->val;
				it->state = S_USED;
				continue;
			case T_ARROW:
				/* "18 % -> 25 %": what came before is the baseline */
				if (default_target_item >= 0 && !out->has_baseline)
				{
					out->has_target = false;
					/* a change stated before keeps its kind */
					out->target_kind = !out->has_change ? GOAL_TARGET_NONE :
						out->change_is_relative ? GOAL_TARGET_RELATIVE : GOAL_TARGET_DELTA;
					if (!out->has_change)
						out->comparison = GOAL_CMP_NONE;
					out->has_baseline = true;
					out->baseline = default_target;
					default_target_item = -1;
				}
				role = R_TO;
				it->state = S_USED;
				continue;
			case T_NUM:
			case T_CURRENCY:
				break;
			default:
				continue;
		}
		if (!match_value(p, i, &v))
			continue;

		r = role;
		if (r == R_NONE && cmp == GOAL_CMP_NONE)
		{
			int			j = next_free(p, v.last);

			if (v.sign != 0)
				r = R_BY;
			else if (item_is(p, j, T_MORE) ||
					 (item_is(p, j, T_VERB) && (p->items[j].val == V_HIGHER || p->items[j].val == V_LOWER) &&
					  v.unit != NULL && strcmp(v.unit, "%") == 0))
			{
				/* "20 % mehr Leads", "a 20% increase": a change */
				r = R_BY;
				if (item_is(p, j, T_MORE))
				{
					if (v.sign == 0)
						v.sign = (int8_t) p->items[j].val;
					v.last = j;
				}
			}
			else if (v.unit != NULL && strcmp(v.unit, "%") == 0 && !v.points &&
					 (out->kpi == GOAL_KPI_LEADS || out->kpi == GOAL_KPI_REVENUE ||
					  out->kpi == GOAL_KPI_CAC || out->kpi == GOAL_KPI_COST_PER_LEAD))
				r = R_BY;		/* "Increase leads 30%": leads are no percentage */
			else if (!out->has_target && out->target_kind != GOAL_TARGET_RELATIVE &&
					 out->target_kind != GOAL_TARGET_DELTA)
				r = R_TO;
		}
		else if (r == R_NONE)
			r = R_TO;			/* "mindestens 500 Leads" */

		switch (r)
		{
			case R_FROM:
				if (out->has_baseline)
				{
					role = R_NONE;
					continue;	/* a second baseline: left unparsed */
				}
				out->has_baseline = true;
				out->baseline = v.v;
				if (v.points)
					add_problem(p, "a baseline in percentage points", it->start, p->items[v.last].end);
				set_unit(p, v.unit, it->start, p->items[v.last].end);
				break;
			case R_TO:
				if (out->has_target)
				{
					role = R_NONE;
					cmp = GOAL_CMP_NONE;
					continue;	/* a second target: left unparsed */
				}
				if (v.points)
				{
					/* "auf 3 Prozentpunkte mehr" is rare: read as a change */
					out->has_change = true;
					out->change = v.v;
					out->target_kind = GOAL_TARGET_DELTA;
					set_unit(p, "%", it->start, p->items[v.last].end);
					break;
				}
				out->has_target = true;
				out->target = v.v;
				out->target_kind = GOAL_TARGET_VALUE;
				if (cmp != GOAL_CMP_NONE)
					out->comparison = cmp;
				if (role == R_NONE && cmp == GOAL_CMP_NONE)
				{
					default_target_item = i;
					default_target = v.v;
				}
				set_unit(p, v.unit, it->start, p->items[v.last].end);
				break;
			case R_BY:
				if (out->has_change)
				{
					role = R_NONE;
					continue;
				}
				out->has_change = true;
				if (v.unit != NULL && strcmp(v.unit, "%") == 0 && !v.points)
				{
					/* a relative change, kept as such: "um 20 %" */
					out->change = scaled(v.mantissa, v.exponent - 2);
					out->change_is_relative = true;
					if (out->target_kind == GOAL_TARGET_NONE)
						out->target_kind = GOAL_TARGET_RELATIVE;
				}
				else
				{
					out->change = v.v;
					if (out->target_kind == GOAL_TARGET_NONE)
						out->target_kind = GOAL_TARGET_DELTA;
					set_unit(p, v.unit, it->start, p->items[v.last].end);
				}
				/* a sign written or implied ("mehr"/"weniger") is kept; else the direction decides */
				if (v.sign != 0)
					out->change = (out->change < 0 ? -out->change : out->change) * v.sign;
				else
					out->change = out->change < 0 ? -out->change : out->change;
				if (cmp != GOAL_CMP_NONE)
					out->comparison = cmp;
				if (v.sign != 0)
					p->change_sign_written = true;
				break;
			case R_NONE:
				continue;
		}
		use_range(p, i, v.last);
		role = R_NONE;
		cmp = GOAL_CMP_NONE;
		i = v.last;
	}
}

/* ---------------------------------------------------------------------------
 * Pass: metric and verb
 * ------------------------------------------------------------------------- */

static int
pass_metric(Parser *p)
{
	GoalParse  *out = p->out;

	for (int i = 0; i < p->nitems; i++)
	{
		Item	   *it = &p->items[i];
		int			first = i;

		if (it->tag != T_METRIC || it->state == S_REJECTED)
			continue;
		/* "Lead-Konversionsrate", "Leads conversion rate": the last metric word is the head */
		while (i + 1 < p->nitems && p->items[i + 1].tag == T_METRIC && p->items[i + 1].state != S_REJECTED &&
			   !p->lx.tok[p->items[i + 1].tok].after_punct)
			i++;
		if (out->kpi == GOAL_KPI_NONE)
		{
			out->kpi = p->items[i].val;
			out->metric_phrase_start = p->items[first].start;
			out->metric_phrase_len = p->items[i].end - p->items[first].start;
		}
		else if ((int) out->kpi != p->items[i].val)
		{
			add_problem(p, "more than one metric; the first counts", p->items[first].start, p->items[i].end);
		}
		for (int k = first; k <= i; k++)
			p->items[k].state = S_USED;
	}
	return 0;
}

static int
natural_direction(GoalKpi kpi)
{
	switch (kpi)
	{
		case GOAL_KPI_CAC:
		case GOAL_KPI_COST_PER_LEAD:
			return -1;
		case GOAL_KPI_NONE:
			return 0;
		default:
			return 1;
	}
}

static void
finish(Parser *p)
{
	GoalParse  *out = p->out;
	int			verb = 0;
	bool		change_sign_written = p->change_sign_written;

	for (int i = 0; i < p->nitems; i++)
	{
		Item	   *it = &p->items[i];

		if (it->tag == T_VERB && it->state == S_FREE)
		{
			if (verb == 0)
				verb = it->val;
			it->state = S_USED;
		}
	}

	switch (verb)
	{
		case V_HIGHER:
		case V_DOUBLE:
		case V_TRIPLE:
			out->direction = 1;
			break;
		case V_LOWER:
		case V_HALVE:
			out->direction = -1;
			break;
		default:
			if (out->comparison == GOAL_CMP_AT_LEAST)
				out->direction = 1;
			else if (out->comparison == GOAL_CMP_AT_MOST)
				out->direction = -1;
			else
				out->direction = natural_direction(out->kpi);
			break;
	}

	/* verdoppeln, double, halbieren: a relative change unless a target was stated */
	if ((verb == V_DOUBLE || verb == V_TRIPLE || verb == V_HALVE) && !out->has_target && !out->has_change)
	{
		out->has_change = true;
		out->change = verb == V_DOUBLE ? 1.0 : verb == V_TRIPLE ? 2.0 : -0.5;
		out->change_is_relative = true;
		out->target_kind = GOAL_TARGET_RELATIVE;
		change_sign_written = true;
	}

	/* the change goes the way of the direction, unless its sign was written */
	if (out->has_change && !change_sign_written && out->direction < 0)
		out->change = -out->change;

	if (out->comparison == GOAL_CMP_NONE)
	{
		if (verb == V_KEEP && out->direction != 0)
			out->comparison = out->direction > 0 ? GOAL_CMP_AT_LEAST : GOAL_CMP_AT_MOST;
		else if (out->has_target || out->has_change)
			out->comparison = GOAL_CMP_TO;
	}

	/* the unit a metric implies when none is written */
	if (out->unit == NULL && (out->has_target || out->has_baseline || out->target_kind == GOAL_TARGET_DELTA))
	{
		if (out->kpi == GOAL_KPI_LEADS)
			out->unit = "count";
		else if (out->kpi == GOAL_KPI_ROAS || out->kpi == GOAL_KPI_ROMI)
			out->unit = "ratio";
	}
}

/* ---------------------------------------------------------------------------
 * Unparsed text
 * ------------------------------------------------------------------------- */

static bool
carries_content(int tag)
{
	switch (tag)
	{
		case T_WORD:
		case T_NUM:
		case T_DATE:
		case T_PERCENT:
		case T_POINTS:
		case T_CURRENCY:
		case T_SCALE:
		case T_COUNTNOUN:
		case T_MONTH:
		case T_QUARTER:
		case T_HALF:
		case T_QUARTERWORD:
		case T_HALFWORD:
		case T_DAYUNIT:
		case T_YEAREND:
		case T_QUARTEREND:
		case T_MONTHEND:
		case T_MORE:
		case T_ARROW:
			return true;
		default:
			return false;
	}
}

static void
collect_unparsed(Parser *p)
{
	char	   *buf = NULL;
	int			used = 0;
	int			previous = -2;
	int			previous_end = 0;

	for (int i = 0; i < p->nitems; i++)
	{
		const Item *it = &p->items[i];
		int			n;

		if (it->state == S_USED || (it->state == S_FREE && !carries_content(it->tag)))
			continue;
		if (buf == NULL)
			buf = p->alloc(p->context, (size_t) p->len + 1);
		n = it->end - it->start;
		/*
		 * One space where the statement had a gap ("Online-Shop" keeps its
		 * hyphen), none between items that touch ("%%"): never longer than
		 * the statement.
		 */
		if (used > 0 && it->start > previous_end)
			buf[used++] = (previous == i - 1 && it->start == previous_end + 1 &&
						   p->s[it->start - 1] == '-') ? '-' : ' ';
		previous = i;
		previous_end = it->end;
		/* used + n <= len: items do not overlap, and a separator stands for a gap */
		memcpy(buf + used, p->s + it->start, n);
		used += n;
	}
	if (buf != NULL)
	{
		/* NUL bytes of the input must not cut the text short */
		for (int k = 0; k < used; k++)
			if (buf[k] == '\0')
				buf[k] = ' ';
		buf[used] = '\0';
	}
	p->out->unparsed = buf;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

bool
goal_parse(const char *text, size_t len, int32_t reference_day,
		   GoalAllocFn alloc, GoalErrorFn on_error, void *context, GoalParse *out)
{
	Parser		p;

	memset(out, 0, sizeof(GoalParse));
	out->metric_phrase_start = -1;
	if (len > GOAL_MAX_INPUT)
	{
		char		detail[120];

		snprintf(detail, sizeof(detail), "The statement has %zu bytes; at most %d are read.",
				 len, GOAL_MAX_INPUT);
		on_error(context, "goal statement too long", detail);
		return false;
	}
	if (!lex_ready)
		lex_init();

	memset(&p, 0, sizeof(p));
	p.s = (const unsigned char *) text;
	p.len = (int) len;
	p.reference = reference_day;
	p.alloc = alloc;
	p.context = context;
	p.out = out;
	/* at most one token, one item and two normalised bytes per input byte */
	p.lx.tok = alloc(context, sizeof(Token) * (len + 1));
	p.items = alloc(context, sizeof(Item) * (len + 1));
	p.lx.norm = alloc(context, 2 * len + 2);

	lex(p.s, p.len, &p.lx);
	tag_tokens(&p);

	/* the language: votes of the lexicon, and umlauts for German */
	p.votes_de += p.lx.german_letters;
	out->language = p.votes_de > p.votes_en ? GOAL_LANG_DE : GOAL_LANG_EN;

	for (int i = 0; i < p.nitems; i++)
	{
		Item	   *it = &p.items[i];

		if (it->tag == T_NUM)
			it->num_ok = number_value(&p, &p.lx.tok[it->tok], it);
	}

	pass_cadence(&p);
	pass_deadlines(&p);
	pass_metric(&p);
	pass_values(&p);
	finish(&p);
	collect_unparsed(&p);
	return true;
}

/* ---------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------- */

const char *
goal_kpi_metric(GoalKpi kpi)
{
	switch (kpi)
	{
		case GOAL_KPI_CONVERSION_RATE:
		case GOAL_KPI_CLOSING_RATE:
			return "conversion_rate";
		case GOAL_KPI_CAC:
			return "cac";
		case GOAL_KPI_ROMI:
			return "romi";
		case GOAL_KPI_ROAS:
			return "roas";
		case GOAL_KPI_COST_PER_LEAD:
			return "ratio";
		case GOAL_KPI_LEADS:
			return "count";
		case GOAL_KPI_REVENUE:
			return "sum";
		default:
			return NULL;
	}
}

const char *
goal_kpi_stage(GoalKpi kpi)
{
	switch (kpi)
	{
		case GOAL_KPI_CLOSING_RATE:
		case GOAL_KPI_CAC:
			return "customer";
		case GOAL_KPI_COST_PER_LEAD:
		case GOAL_KPI_LEADS:
			return "lead";
		case GOAL_KPI_REVENUE:
		case GOAL_KPI_ROMI:
		case GOAL_KPI_ROAS:
			return "revenue";
		default:
			return NULL;
	}
}

const char *
goal_kpi_name(GoalKpi kpi)
{
	switch (kpi)
	{
		case GOAL_KPI_CONVERSION_RATE:
			return "conversion_rate";
		case GOAL_KPI_CLOSING_RATE:
			return "closing_rate";
		case GOAL_KPI_CAC:
			return "cac";
		case GOAL_KPI_ROMI:
			return "romi";
		case GOAL_KPI_ROAS:
			return "roas";
		case GOAL_KPI_COST_PER_LEAD:
			return "cost_per_lead";
		case GOAL_KPI_LEADS:
			return "leads";
		case GOAL_KPI_REVENUE:
			return "revenue";
		default:
			return NULL;
	}
}

const char *
goal_comparison_name(GoalComparison comparison)
{
	switch (comparison)
	{
		case GOAL_CMP_TO:
			return "to";
		case GOAL_CMP_AT_LEAST:
			return "at_least";
		case GOAL_CMP_AT_MOST:
			return "at_most";
		default:
			return NULL;
	}
}

const char *
goal_target_kind_name(GoalTargetKind kind)
{
	switch (kind)
	{
		case GOAL_TARGET_VALUE:
			return "value";
		case GOAL_TARGET_RELATIVE:
			return "relative";
		case GOAL_TARGET_DELTA:
			return "delta";
		default:
			return NULL;
	}
}
