/*
 * gil_ticks.c - the GIL before CPython 3.2 ("ticks"), kept to show why it
 * was replaced.
 *
 * How it worked
 * -------------
 * Python 2 and 3.0/3.1 released the GIL every N "ticks" (sys.setcheckinterval,
 * default 100 bytecodes) and immediately asked for it again, hoping another
 * thread would get a turn in between.  The lock itself was a plain binary
 * semaphore: a flag, a mutex and a condition variable, with no notion of
 * whose turn it is.
 *
 * On one core that works: the release wakes a waiter, and the scheduler
 * often runs it.  On two cores it fails, as David Beazley measured in 2009
 * ("Inside the Python GIL": two CPU-bound threads ran 1.8x *slower* than
 * one after the other).  The releasing thread is running; the waiter, on
 * the other core, first has to be woken by the kernel.  By the time it runs,
 * the releaser has already retaken the lock, so the waiter finds it taken
 * and goes back to sleep: a futile wakeup, counted here in
 * rt_stats.futile_wakeups.  Thousands of signals a second buy almost no
 * switches, and each costs a system call on both sides.
 *
 * Here a thread counts down rt__ticks_setting() checkpoints (the eval
 * breaker is kept permanently set under this policy, so every checkpoint
 * comes here) and then drops and retakes the GIL.  No forced switch, no
 * interval, no drop request: that is the point.
 *
 * Locking rule: `mutex` guards `locked`; `cond` announces a release.
 */
#include "rt_internal.h"

#include <stdlib.h>

typedef struct gil_ticks {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int locked;
} gil_ticks;

static void *S_create(long switch_interval_us)
{
    (void)switch_interval_us; /* this GIL has no interval */
    gil_ticks *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mutex, NULL);
    pthread_cond_init(&g->cond, NULL);
    return g;
}

static void S_destroy(void *self)
{
    gil_ticks *g = self;
    pthread_mutex_destroy(&g->mutex);
    pthread_cond_destroy(&g->cond);
    free(g);
}

/* Wait until the flag is clear, then set it.  No ordering among waiters. */
static void S_take(void *self, rt_tstate *ts)
{
    gil_ticks *g = self;
    pthread_mutex_lock(&g->mutex);
    while (g->locked) {
        pthread_cond_wait(&g->cond, &g->mutex);
        if (g->locked)
            rt__count(RT__FUTILE_WAKEUPS); /* lost the race to the releaser */
    }
    g->locked = 1;
    ts->ticks_left = rt__ticks_setting();
    pthread_mutex_unlock(&g->mutex);
}

/* Clear the flag and wake one waiter.  Nothing makes the releaser wait for
 * the waiter: it may take the lock straight back. */
static void S_drop(void *self, rt_tstate *ts, int forced)
{
    gil_ticks *g = self;
    (void)ts;
    (void)forced;
    pthread_mutex_lock(&g->mutex);
    if (!g->locked)
        rt__fatal("ticks GIL: drop while unlocked");
    g->locked = 0;
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->mutex);
}

// [ticks-breaker]
/* Every checkpoint lands here: count down, and switch when the count runs
 * out (whether or not anyone is waiting: the old GIL could not tell). */
static int S_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    if (--ts->ticks_left > 0)
        return 0;
    ts->ticks_left = rt__ticks_setting();
    return 1;
}
// [end]

const rt_gil_ops rt__gil_ticks_ops = {
    .name = "ticks",
    .create = S_create,
    .destroy = S_destroy,
    .take = S_take,
    .drop = S_drop,
    .breaker = S_breaker,
};
