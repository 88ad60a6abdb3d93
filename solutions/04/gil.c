/* BEGIN SOLUTION */
/*
 * gil.c - exercise 04: CPython's GIL, built from a mutex and two condition
 * variables (Python/ceval_gil.h in 3.2-3.11, Python/ceval_gil.c since).
 *
 * The GIL is a flag, `locked`, guarded by `mutex`; a thread that finds it
 * set sleeps on `cond` for one switch interval at a time, and asks the
 * holder to let go when a whole interval passed without a hand-over.  A
 * drop with a request pending waits on `switch_cond` until another thread
 * has the GIL (FORCE_SWITCHING).  Contracts in ex04.h.
 *
 * Locking rule: `mutex` guards `locked`, `switch_number` and the wait on
 * `cond`; `switch_mutex` guards `last_holder` and the wait on
 * `switch_cond`.  A thread that holds both takes `mutex` first.
 */
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
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
#endif /* END STARTER */
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
/* BEGIN SOLUTION */
    (void)switch_interval_us; /* read afresh at each wait: it may change */
    ex04_gil *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mutex, NULL);
    S_cond_init_monotonic(&g->cond);
    pthread_mutex_init(&g->switch_mutex, NULL);
    pthread_cond_init(&g->switch_cond, NULL);
    return g;
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
    /* TODO 1: allocate an ex04_gil with calloc (all zero: the GIL starts
     * free), initialise its two mutexes and two condition variables (make
     * `cond` with S_cond_init_monotonic: its waits are timed), and return
     * it.  Should the interval be stored here?  Read ex04.h first. */
    (void)switch_interval_us;
    return NULL;
#endif /* END STARTER */
}

void ex04_destroy(void *self)
{
/* BEGIN SOLUTION */
    ex04_gil *g = self;
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->mutex);
    pthread_cond_destroy(&g->switch_cond);
    pthread_mutex_destroy(&g->switch_mutex);
    free(g);
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
    /* TODO 1 (continued): destroy what ex04_create initialised; free it. */
    free(self);
#endif /* END STARTER */
}

void ex04_take(void *self, rt_tstate *ts)
{
/* BEGIN SOLUTION */
    ex04_gil *g = self;
    pthread_mutex_lock(&g->mutex);
    while (g->locked) {
        /* Before the wait: did the GIL change hands while we slept? */
        unsigned long seen = g->switch_number;
        struct timespec deadline = S_deadline_after_us(rt_gil_interval_us());
        int err = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (err == ETIMEDOUT && g->locked && g->switch_number == seen)
            rt_gil_request_drop(); /* a whole interval, no hand-over: ask */
    }
    g->locked = 1;
    pthread_mutex_lock(&g->switch_mutex);
    if (g->last_holder != ts) {
        g->last_holder = ts;
        g->switch_number++;
        pthread_cond_broadcast(&g->switch_cond); /* a dropper may wait for this */
    }
    pthread_mutex_unlock(&g->switch_mutex);
    if (rt_gil_drop_requested())
        rt_gil_clear_drop(); /* the new holder gets a whole interval */
    pthread_mutex_unlock(&g->mutex);
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
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
#endif /* END STARTER */
}

void ex04_drop(void *self, rt_tstate *ts, int forced)
{
/* BEGIN SOLUTION */
    ex04_gil *g = self;
    (void)forced; /* any drop with a request pending hands over, as in CPython */
    pthread_mutex_lock(&g->mutex);
    g->locked = 0;
    pthread_cond_signal(&g->cond); /* wake a waiter now, not at its timeout */
    pthread_mutex_unlock(&g->mutex);
    if (rt_gil_drop_requested()) {
        /* FORCE_SWITCHING: still on our core, we would win the GIL straight
         * back; wait until another thread has it.  A loop, not CPython's
         * single `if`: a spurious wake-up must not end the wait early. */
        pthread_mutex_lock(&g->switch_mutex);
        while (g->last_holder == ts)
            pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        pthread_mutex_unlock(&g->switch_mutex);
    }
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
    /* TODO 4: release the GIL under `mutex`, and wake one waiter at once.
     *
     * TODO 5: if a drop request is pending, do not return before another
     * thread has taken the GIL (wait on `switch_cond` while last_holder is
     * still you): otherwise you win it straight back.  (FORCE_SWITCHING) */
    (void)self;
    (void)ts;
    (void)forced;
#endif /* END STARTER */
}

int ex04_breaker(void *self, rt_tstate *ts)
{
#if 0 /* BEGIN STARTER */
    /* TODO 6: make the runtime drop and retake the GIL when, and only
     * when, a drop was requested. */
#endif /* END STARTER */
    (void)self;
    (void)ts;
/* BEGIN SOLUTION */
    return rt_gil_drop_requested();
/* END SOLUTION */
#if 0 /* BEGIN STARTER */
    return 0;
#endif /* END STARTER */
}
