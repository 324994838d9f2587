/*
 * backend_stubs.h
 *		Error and memory hooks of test/fuzz/backend_stubs.c for the harness.
 */
#ifndef KPI_FUZZ_BACKEND_STUBS_H
#define KPI_FUZZ_BACKEND_STUBS_H

#include <setjmp.h>

/* Where an ERROR jumps to, and its SQLSTATE (an ERRCODE_ value). */
extern sigjmp_buf *stub_error_jump;
extern int	stub_error_sqlstate;

/* Frees everything palloc'd since the last call. */
extern void stub_free_all(void);

#endif
