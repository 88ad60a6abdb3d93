/*
 * ex07.h - exercise 07's interface: the event loop's core, and a task.
 *
 * Provided; do not edit.  The runtime's event loop (runtime/include/
 * rt_loop.h) keeps its tasks, sleeps, futures, gather and timeouts to
 * itself, and asks a *core* for three things only: keep the timers in
 * order, keep the ready callbacks in order, and wait for file descriptors.
 * You write that core in core.c; the driver (driver.c) puts your functions
 * in an rt_loop_core_ops table and creates every loop with it
 * (rt_loop_new(&yours)), so the runtime's loop, tasks and gather run on
 * your data structures, measured by the loop's own counters.
 *
 * Who calls what: the loop calls every function below on its own thread,
 * one call at a time (no locking needed).  `self` is what ex07_create
 * returned.  The loop's turn (rt_loop.h, "The loop"; loop.c's opening
 * comment) is: take ready_count() once, decide a timeout from timer_peek(),
 * io_wait(), move due timers with timer_pop() + ready_push(), then
 * ready_pop() exactly the count taken at the start.
 */
#ifndef EX07_H
#define EX07_H

#include "rt_loop.h"

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- life */

/* Makes an empty core: no timers, no ready callbacks, no fd watched.
 * Returns it, or NULL if memory runs out. */
void *ex07_create(void);
/* Frees everything ex07_create and the other functions allocated. */
void ex07_destroy(void *self);

/* ---------------------------------------------------- Part A: timers */

/* Adds a copy of *e.  Returns 0, or -ENOMEM (nothing added).  There is no
 * limit on how many entries a core holds besides memory. */
int ex07_timer_push(void *self, const rt_timer_entry *e);
/* The entry that comes first - the smallest deadline_ns, and among equal
 * deadlines the smallest seq - is copied to *out: returns 1.  Returns 0
 * (and leaves *out alone) if there is none.  Removes nothing. */
int ex07_timer_peek(void *self, rt_timer_entry *out);
/* The same, and removes that entry. */
int ex07_timer_pop(void *self, rt_timer_entry *out);
/* How many entries there are. */
size_t ex07_timer_count(void *self);

/* ----------------------------------------------- Part B: ready queue */

/* Appends (cb, arg).  Returns 0, or -ENOMEM (nothing appended).  No limit
 * besides memory. */
int ex07_ready_push(void *self, rt_callback cb, void *arg);
/* Removes the *oldest* pair into *cb, *arg and returns 1 (first in, first
 * out); returns 0 if the queue is empty. */
int ex07_ready_pop(void *self, rt_callback *cb, void **arg);
/* How many pairs are queued. */
size_t ex07_ready_count(void *self);

/* ------------------------------------------------- Part C: readiness */

/* The loop changes what fd is watched for, from `old_events` to
 * `new_events` (RT_IO_READ | RT_IO_WRITE; 0 = not watched at all).  After
 * new_events == 0 the fd must never be reported again (until watched
 * anew).  Returns 0 or a negative errno (-ENOMEM). */
int ex07_io_watch(void *self, int fd, unsigned old_events, unsigned new_events);
/* Waits until one of the watched fds is ready or timeout_ns has passed,
 * whichever is first; timeout_ns -1 = no limit, 0 = just look.  Never
 * returns before the timeout unless an fd is ready (rounding a timeout to
 * whole milliseconds: up, not down).  Writes at most `max` events to out[]
 * (fd and RT_IO_READ / RT_IO_WRITE as asked for, plus RT_IO_ERROR for an
 * error, a hang-up or an fd that is not open) and returns how many; 0 when
 * the time ran out; a negative errno on failure (-EINTR when a signal
 * interrupted the wait: the loop simply asks again). */
int ex07_io_wait(void *self, int64_t timeout_ns, rt_io_event *out, int max);

/* ----------------------------------------------- Part D: fan out, gather */

/* The most children one ex07_fanout starts. */
#define EX07_MAX_KIDS 1024

/* A child (provided, in driver.c): sleeps sleep_ns on the loop, then ends
 * with its `id` as its result. */
typedef struct ex07_child_frame {
    uint64_t sleep_ns;
    long id;
} ex07_child_frame;
int ex07_child(rt_task *t);

/* ex07_fanout's frame: the arguments, and what it keeps across awaits. */
typedef struct ex07_fanout_frame {
    int n;                        /* in: how many children, 0..EX07_MAX_KIDS */
    uint64_t sleep_ns;            /* in: how long each child sleeps */
    rt_task *kids[EX07_MAX_KIDS]; /* yours: the children, alive over the await */
} ex07_fanout_frame;

/* A task body (asyncio's `await gather(*(child(i) for i in range(n)))`):
 * starts n children running ex07_child, child i with id i + 1 and
 * sleep_ns, all of them before waiting for any; waits until all are done;
 * releases them; ends with the sum of their results, or with the first
 * negative outcome of the wait (-ECANCELED if the fan-out itself is
 * cancelled: the children are then cancelled too) or -ENOMEM if a child
 * cannot be started.  n children sleeping s each take about s, not n * s. */
int ex07_fanout(rt_task *t);

#endif /* EX07_H */
