/*
 * gil.c - exercise 04: build CPython's GIL from a mutex and two condition
 * variables (Python/ceval_gil.h in 3.2-3.11, Python/ceval_gil.c since).
 *
 * You write the five functions at the bottom; their contracts are in
 * ex04.h, and chapter 4 explains the algorithm.  The state is given (the
 * struct below), and so are two helpers for timed waits.  The file
 * compiles as it is, but every test fails: do the TODOs in order, and run
 * `grader submit exercises/04` after each.
 *
 * Locking rule: `mutex` guards `locked`, `switch_number` and the wait on
 * `cond`; `switch_mutex` guards `last_holder` and the wait on
 * `switch_cond`.  A thread that holds both takes `mutex` first.
 */
#include "ex04.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* The GIL's state.  All fields private to this file. */
typedef struct ex04_gil {
    pthread_mutex_t mutex;        /* guards the next two and the wait on cond */
    pthread_cond_t cond;          /* signalled when the GIL is dropped */
    int locked;                   /* 1 while some thread holds the GIL */
    unsigned long switch_number;  /* hand-overs to a different thread so far */
    pthread_mutex_t switch_mutex; /* guards last_holder and the wait on switch_cond */
    pthread_cond_t switch_cond;   /* signalled when the GIL changes hands */
    rt_tstate *last_holder;       /* the thread that took the GIL last */
} ex04_gil;

/* ---------------------------------------------------------------- provided */

/* A condition variable whose timed waits use the monotonic clock, so that
 * setting the wall clock cannot stretch or shrink a switch interval. */
static inline void S_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

/* The absolute time `us` microseconds from now on the monotonic clock: the
 * deadline pthread_cond_timedwait wants for a condition variable made by
 * S_cond_init_monotonic. */
static inline struct timespec S_deadline_after_us(long us)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long ns = (long long)ts.tv_nsec + (long long)us * 1000;
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    return ts;
}

/* ---------------------------------------------------------------- yours */

void *ex04_create(long switch_interval_us)
{
    /* TODO 1: allocate an ex04_gil with calloc (all zero: the GIL starts
     * free), initialise its two mutexes and two condition variables (make
     * `cond` with S_cond_init_monotonic: its waits are timed), and return
     * it.  Should the interval be stored here?  Read ex04.h first. */
    (void)switch_interval_us;
    return NULL;
}

void ex04_destroy(void *self)
{
    /* TODO 1 (continued): destroy what ex04_create initialised; free it. */
    free(self);
}

void ex04_take(void *self, rt_tstate *ts)
{
    /* TODO 2: under `mutex`, wait while the GIL is locked: one interval at
     * a time (pthread_cond_timedwait on `cond`, deadline from
     * S_deadline_after_us(rt_gil_interval_us())).  A wait that timed out,
     * with the GIL still locked and no hand-over since the wait began,
     * asks the holder to let go: rt_gil_request_drop().
     *
     * TODO 3: once it is free, take it.  A hand-over to a different thread
     * (last_holder, under `switch_mutex`) counts in switch_number and wakes
     * whoever waits on `switch_cond`.  Clear a pending drop request. */
    (void)self;
    (void)ts;
}

void ex04_drop(void *self, rt_tstate *ts, int forced)
{
    /* TODO 4: release the GIL under `mutex`, and wake one waiter at once.
     *
     * TODO 5: if a drop request is pending, do not return before another
     * thread has taken the GIL (wait on `switch_cond` while last_holder is
     * still you): otherwise you win it straight back.  (FORCE_SWITCHING) */
    (void)self;
    (void)ts;
    (void)forced;
}

int ex04_breaker(void *self, rt_tstate *ts)
{
    /* TODO 6: make the runtime drop and retake the GIL when, and only
     * when, a drop was requested. */
    (void)self;
    (void)ts;
    return 0;
}
