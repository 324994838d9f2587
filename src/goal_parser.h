/*
 * goal_parser.h
 *		Reads a free-text KPI goal statement, in German or English, into its
 *		parts: metric, direction, baseline, target, unit, deadline, cadence.
 *
 * The parser makes no backend calls: it allocates through a callback and
 * reports the one error it knows (an input over GOAL_MAX_INPUT bytes) through
 * another, so that the fuzz harness (test/fuzz/goal_parser_fuzz.c) can run it
 * without a server.  Its work is linear in the input length.  Dates are day
 * numbers counted from 2000-01-01, as PostgreSQL's DateADT.
 */
#ifndef GOAL_PARSER_H
#define GOAL_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longer statements are rejected (SQLSTATE 22023 in the SQL wrapper). */
#define GOAL_MAX_INPUT 10240

/* At most this many problems are reported; the rest are dropped. */
#define GOAL_MAX_PROBLEMS 8

typedef enum GoalLanguage
{
	GOAL_LANG_EN,
	GOAL_LANG_DE
} GoalLanguage;

/* The KPIs the parser recognises. */
typedef enum GoalKpi
{
	GOAL_KPI_NONE,
	GOAL_KPI_CONVERSION_RATE,
	GOAL_KPI_CLOSING_RATE,		/* win rate, Abschlussquote: conversion at the customer stage */
	GOAL_KPI_CAC,
	GOAL_KPI_ROMI,
	GOAL_KPI_ROAS,
	GOAL_KPI_COST_PER_LEAD,
	GOAL_KPI_LEADS,
	GOAL_KPI_REVENUE
} GoalKpi;

typedef enum GoalComparison
{
	GOAL_CMP_NONE,
	GOAL_CMP_TO,
	GOAL_CMP_AT_LEAST,
	GOAL_CMP_AT_MOST
} GoalComparison;

/* How the target is stated. */
typedef enum GoalTargetKind
{
	GOAL_TARGET_NONE,
	GOAL_TARGET_VALUE,			/* an absolute value: target */
	GOAL_TARGET_RELATIVE,		/* a relative change: change = +0.2 for "um 20 %" up */
	GOAL_TARGET_DELTA			/* a change by an amount in unit: "um 3 Prozentpunkte" */
} GoalTargetKind;

typedef void *(*GoalAllocFn) (void *context, size_t size);
typedef void (*GoalErrorFn) (void *context, const char *message, const char *detail);

typedef struct GoalParse
{
	GoalLanguage language;
	GoalKpi		kpi;
	int			metric_phrase_start;	/* byte offset in the input; -1 when none */
	int			metric_phrase_len;
	int			direction;		/* +1 higher_is_better, -1 lower_is_better, 0 unknown */
	bool		has_baseline;
	double		baseline;
	bool		has_target;
	double		target;
	GoalTargetKind target_kind;
	bool		has_change;
	double		change;			/* signed: a fraction for RELATIVE, an amount for DELTA */
	bool		change_is_relative;	/* change is a fraction ("um 20 %"), not an amount */
	const char *unit;			/* static: "%", "EUR", "USD", "CHF", "GBP", "count", "ratio"; NULL */
	GoalComparison comparison;
	bool		has_due;
	int32_t		due_on;			/* days since 2000-01-01 */
	int			review_days;	/* review cadence; both 0 when none is stated */
	int			review_months;
	char	   *unparsed;		/* NUL-terminated; NULL when everything was understood */
	int			nproblems;
	char	   *problems[GOAL_MAX_PROBLEMS];	/* NUL-terminated English messages */
} GoalParse;

/*
 * Parses text[0 .. len) (UTF-8; NUL bytes are treated as spaces).  Relative
 * deadlines ("in 30 Tagen") count from reference_day.  Returns false after
 * calling on_error when the input is too long; on_error may also not return.
 */
extern bool goal_parse(const char *text, size_t len, int32_t reference_day,
					   GoalAllocFn alloc, GoalErrorFn on_error, void *context,
					   GoalParse *out);

/* Names for the SQL columns. */
extern const char *goal_kpi_metric(GoalKpi kpi);	/* kpi.metric domain value, or NULL */
extern const char *goal_kpi_stage(GoalKpi kpi);	/* kpi.stage domain value, or NULL */
extern const char *goal_kpi_name(GoalKpi kpi);	/* e.g. "cost_per_lead", or NULL */
extern const char *goal_comparison_name(GoalComparison comparison);
extern const char *goal_target_kind_name(GoalTargetKind kind);

/* Calendar helpers on day numbers since 2000-01-01 (proleptic Gregorian). */
extern int32_t goal_days_from_civil(int year, int month, int day);
extern void goal_civil_from_days(int32_t days, int *year, int *month, int *day);

#endif							/* GOAL_PARSER_H */
