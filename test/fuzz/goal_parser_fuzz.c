/*
 * goal_parser_fuzz.c
 *		libFuzzer target for the goal statement parser (src/goal_parser.c).
 *
 * The parser makes no backend calls, so it runs here as it runs in the
 * server, with malloc standing in for palloc.  Besides "no crash, no
 * sanitizer report", each input checks what the SQL wrapper relies on:
 * spans inside the input, NUL-terminated strings no longer than the input,
 * values in their enums, the 10 kB limit reported through the callback, and
 * the same result when parsed twice.
 *
 * Build and run: bash test/fuzz/goal_parser.sh [seconds]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goal_parser.h"

/* Every allocation of one parse, freed after it. */
typedef struct Arena
{
	void	  **blocks;
	size_t		n;
	size_t		cap;
	int			errors;
} Arena;

static void *
arena_alloc(void *context, size_t size)
{
	Arena	   *a = context;
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		abort();
	if (a->n == a->cap)
	{
		a->cap = a->cap ? 2 * a->cap : 16;
		a->blocks = realloc(a->blocks, a->cap * sizeof(void *));
		if (a->blocks == NULL)
			abort();
	}
	a->blocks[a->n++] = p;
	return p;
}

static void
arena_error(void *context, const char *message, const char *detail)
{
	Arena	   *a = context;

	if (message == NULL || detail == NULL)
		abort();
	a->errors++;
}

static void
arena_free(Arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s\n", #cond); abort(); } } while (0)

static void
check_parse(const GoalParse *g, size_t size)
{
	CHECK(g->language == GOAL_LANG_EN || g->language == GOAL_LANG_DE);
	CHECK(g->kpi >= GOAL_KPI_NONE && g->kpi <= GOAL_KPI_REVENUE);
	if (g->kpi != GOAL_KPI_NONE)
	{
		CHECK(g->metric_phrase_start >= 0 && g->metric_phrase_len > 0);
		CHECK((size_t) g->metric_phrase_start + (size_t) g->metric_phrase_len <= size);
		CHECK(goal_kpi_metric(g->kpi) != NULL && goal_kpi_name(g->kpi) != NULL);
	}
	CHECK(g->direction >= -1 && g->direction <= 1);
	CHECK(g->comparison >= GOAL_CMP_NONE && g->comparison <= GOAL_CMP_AT_MOST);
	CHECK(g->target_kind >= GOAL_TARGET_NONE && g->target_kind <= GOAL_TARGET_DELTA);
	CHECK(g->has_target == (g->target_kind == GOAL_TARGET_VALUE));
	CHECK(!g->has_change || g->target_kind != GOAL_TARGET_NONE);
	CHECK(g->review_days >= 0 && g->review_months >= 0);
	CHECK(g->nproblems >= 0 && g->nproblems <= GOAL_MAX_PROBLEMS);
	for (int i = 0; i < g->nproblems; i++)
		CHECK(g->problems[i] != NULL && strlen(g->problems[i]) < 200);
	if (g->unparsed != NULL)
		CHECK(strlen(g->unparsed) > 0 && strlen(g->unparsed) <= size);
	if (g->has_due)
	{
		int			y,
					m,
					d;

		goal_civil_from_days(g->due_on, &y, &m, &d);
		CHECK(goal_days_from_civil(y, m, d) == g->due_on);
		CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	}
}

/* The fields that must come out the same from a second parse. */
static int
same_parse(const GoalParse *a, const GoalParse *b)
{
	if (a->language != b->language || a->kpi != b->kpi || a->direction != b->direction ||
		a->has_baseline != b->has_baseline || a->has_target != b->has_target ||
		a->has_change != b->has_change || a->comparison != b->comparison ||
		a->has_due != b->has_due || a->due_on != b->due_on || a->nproblems != b->nproblems ||
		a->review_days != b->review_days || a->review_months != b->review_months ||
		a->metric_phrase_start != b->metric_phrase_start)
		return 0;
	if ((a->unit == NULL) != (b->unit == NULL) || (a->unit && strcmp(a->unit, b->unit) != 0))
		return 0;
	if ((a->unparsed == NULL) != (b->unparsed == NULL) ||
		(a->unparsed && strcmp(a->unparsed, b->unparsed) != 0))
		return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena		a1 = {0},
				a2 = {0};
	GoalParse	g1,
				g2;
	int32_t		reference;
	bool		ok;

	/* the first two bytes pick the reference day (2000-01-01 + 0..65535 days) */
	if (size < 2)
		return 0;
	reference = (int32_t) (data[0] | (data[1] << 8));
	data += 2;
	size -= 2;

	ok = goal_parse((const char *) data, size, reference, arena_alloc, arena_error, &a1, &g1);
	if (size > GOAL_MAX_INPUT)
	{
		CHECK(!ok && a1.errors == 1);
		arena_free(&a1);
		return 0;
	}
	CHECK(ok && a1.errors == 0);
	check_parse(&g1, size);

	ok = goal_parse((const char *) data, size, reference, arena_alloc, arena_error, &a2, &g2);
	CHECK(ok && same_parse(&g1, &g2));

	arena_free(&a1);
	arena_free(&a2);
	return 0;
}
