/*
 * ex07_driver.h - what driver.c and readiness.c share.  Provided; do not
 * edit.
 */
#ifndef EX07_DRIVER_H
#define EX07_DRIVER_H

#include "ex07.h"
#include "exkit.h"
#include "rt.h"

#define EX07D_MS 1000000ull

/* Your core, fresh from ex07_create; fails the case if it is NULL. */
void *ex07d_core(void);
/* A loop on your core; fails the case, with the reason, if there is none. */
rt_loop *ex07d_loop(void);
/* rt_spawn, failing the case if it fails. */
rt_task *ex07d_spawn(rt_loop *l, rt_task_fn fn, const void *frame, size_t size);
/* rt_loop_run, failing the case if it fails. */
void ex07d_run(rt_loop *l);
/* A non-blocking pipe, or the case fails. */
void ex07d_pipe(int fds[2]);

/* readiness.c: Part C's checks. */
void ex07d_case_io(void);
void ex07d_case_unwatch(void);
void ex07d_case_nospin(void);
/* BEGIN HIDDEN TESTS */
void ex07d_case_many_fds(void);
/* END HIDDEN TESTS */

#endif /* EX07_DRIVER_H */
