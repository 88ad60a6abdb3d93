/*
 * gil_cpython.c - CPython 3.2+'s GIL, after Python/ceval_gil.c.
 *
 * How it works, and why
 * ---------------------
 * The GIL is not a bare mutex.  It is a flag, `locked`, guarded by a mutex
 * and announced by a condition variable.  A thread that wants it (take)
 * locks the mutex and, while `locked` is set, sleeps on the condition
 * variable -- but never for longer than the switch interval (5 ms by
 * default; sys.setswitchinterval in Python, rt_set_switch_interval_us here).
 *
 * When such a timed wait runs out and nothing changed meanwhile (the GIL is
 * still locked and `switch_number` is the same, so no other thread got a
 * turn either), the waiter sets the *drop request*.  The drop request lives
 * in the eval breaker, the one word the interpreter checks at every loop
 * back-edge (rt_checkpoint here, JUMP_BACKWARD in CPython).  The holder sees
 * it at its next checkpoint and drops the GIL.  So a CPU-bound thread keeps
 * the GIL for one interval at a time, and only when someone is waiting: a
 * lone thread never pays for switching.
 *
 * Forced switching.  Dropping is not enough on a multicore machine.  The
 * dropping thread is running, hot in cache, and goes straight back to take;
 * the waiter first has to be woken by the kernel.  The dropper would win the
 * race nearly every time, and the waiter would wait another interval, and
 * another.  That is exactly what went wrong with the GIL before 3.2 (see
 * gil_ticks.c).  So when a thread drops because of a drop request, it then
 * waits on a second condition variable until `last_holder` is no longer
 * itself: until the GIL has really changed hands.  CPython calls this
 * FORCE_SWITCHING.
 *
 * `switch_number` counts hand-overs.  A waiter that wakes up after its
 * interval compares it with the value it saw before sleeping: if the GIL
 * went round to some other thread meanwhile, the holder is not hogging it,
 * and no drop request is needed yet.
 *
 * One liberty taken, for speed.  CPython always takes `mutex` to look at
 * `locked`.  Here `locked` is an atomic, and a thread that finds nobody
 * waiting takes or drops the GIL with one atomic instruction and no mutex:
 * the uncontended case (a lone thread doing I/O) then costs what a bare
 * mutex does.  The fast and slow paths meet through `waiters` with the
 * classic store-then-load handshake (both sequentially consistent): a
 * waiter counts itself in `waiters` and then tries `locked`; a dropper
 * clears `locked` and then reads `waiters`.  At least one of them sees the
 * other, so either the waiter gets the GIL or the dropper wakes it: no
 * wake-up is lost.  With anyone waiting, everything goes through `mutex`
 * exactly as in CPython.
 *
 * What it does not do.  There is no priority: a thread coming back from
 * I/O queues behind a CPU-bound holder like everyone else and waits up to an
 * interval for its turn.  That is the convoy effect (chapter 6).  Nor is the
 * order of waiters fair: whichever waiter the condition variable wakes wins.
 *
 * Locking rule: `mutex` guards the wait on `cond`; `switch_mutex` guards
 * the hand-over wait on `switch_cond`.  `locked` and `waiters` are atomics
 * (the handshake above); `last_holder` and `switch_number` are atomics
 * written only by the thread that just took the GIL.
 */
#include "rt_internal.h"

#include <errno.h>
#include <stdlib.h>

typedef struct gil_cpython {
    pthread_mutex_t mutex;            /* guards the wait on cond */
    pthread_cond_t cond;              /* signalled when the GIL is dropped */
    atomic_int locked;                /* 1 while some thread holds the GIL */
    atomic_int waiters;               /* threads in the slow path of take */
    atomic_ulong switch_number;       /* hand-overs to a different thread */
    pthread_mutex_t switch_mutex;     /* FORCE_SWITCHING */
    pthread_cond_t switch_cond;       /* signalled when the GIL changes hands */
    _Atomic(rt_tstate *) last_holder; /* who took it last */
} gil_cpython;

/* A condition variable that times out on the monotonic clock, so setting
 * the wall clock cannot stretch a switch interval. */
static void S_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void *S_create(long switch_interval_us)
{
    (void)switch_interval_us; /* read afresh at each wait: it may change */
    gil_cpython *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mutex, NULL);
    S_cond_init_monotonic(&g->cond);
    pthread_mutex_init(&g->switch_mutex, NULL);
    pthread_cond_init(&g->switch_cond, NULL);
    return g;
}

static void S_destroy(void *self)
{
    gil_cpython *g = self;
    pthread_mutex_destroy(&g->mutex);
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->switch_mutex);
    pthread_cond_destroy(&g->switch_cond);
    free(g);
}

/* Sets `locked` if it was clear; 1 on success. */
static int S_try_lock(gil_cpython *g)
{
    int expected = 0;
    return atomic_compare_exchange_strong(&g->locked, &expected, 1);
}

/* The new holder's bookkeeping: a hand-over to a different thread bumps
 * switch_number and wakes a dropper waiting for exactly that. */
static void S_took(gil_cpython *g, rt_tstate *ts)
{
    if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == ts)
        return; /* the same thread again: no hand-over, nobody to wake */
    pthread_mutex_lock(&g->switch_mutex);
    atomic_store(&g->last_holder, ts);
    atomic_fetch_add(&g->switch_number, 1);
    pthread_cond_signal(&g->switch_cond);
    pthread_mutex_unlock(&g->switch_mutex);
}

/* take_gil: returns with `ts` holding the GIL.  Any number of threads may
 * call it at once; each sleeps at most one interval at a time. */
static void S_take(void *self, rt_tstate *ts)
{
    gil_cpython *g = self;
    /* Fast path: nobody waits and the GIL is free. */
    if (atomic_load(&g->waiters) == 0 && S_try_lock(g)) {
        S_took(g, ts);
        return;
    }
    pthread_mutex_lock(&g->mutex);
    atomic_fetch_add(&g->waiters, 1); /* then look at locked: the handshake */
    while (!S_try_lock(g)) {
        unsigned long saved_switchnum = atomic_load(&g->switch_number);
        struct timespec deadline = rt__deadline_after_us(rt_gil_interval_us());
        int err = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (err == ETIMEDOUT) {
            /* A whole interval with no hand-over: ask the holder to drop. */
            if (atomic_load(&g->locked) &&
                atomic_load(&g->switch_number) == saved_switchnum)
                rt_gil_request_drop();
        } else if (atomic_load(&g->locked)) {
            rt__count(RT__FUTILE_WAKEUPS); /* woken, but someone was faster */
        }
    }
    atomic_fetch_sub(&g->waiters, 1);
    S_took(g, ts);
    /* The new holder gets a full interval: forget a request aimed at the
     * previous one. */
    if (rt_gil_drop_requested())
        rt_gil_clear_drop();
    pthread_mutex_unlock(&g->mutex);
}

/* drop_gil: `ts` holds the GIL and lets go.  If a drop request is pending
 * (a waiter timed out), wait until another thread has taken the GIL, so
 * that `ts` cannot win it straight back.  As in CPython, this applies to any
 * drop with a request pending, forced or not. */
static void S_drop(void *self, rt_tstate *ts, int forced)
{
    gil_cpython *g = self;
    (void)forced;
    if (!atomic_exchange(&g->locked, 0)) /* clear locked, then read waiters */
        rt__fatal("cpython GIL: drop while unlocked");
    if (atomic_load(&g->waiters) > 0) {
        pthread_mutex_lock(&g->mutex);
        pthread_cond_signal(&g->cond);
        pthread_mutex_unlock(&g->mutex);
    }
    if (atomic_load_explicit(&rt__drop_request, memory_order_relaxed)) {
        pthread_mutex_lock(&g->switch_mutex);
        /* Not switched yet: wait.  A loop, because condition variables may
         * wake spuriously; the waiter that asked is still in S_take and will
         * take the GIL, so this cannot wait forever. */
        while (atomic_load(&g->last_holder) == ts)
            pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        pthread_mutex_unlock(&g->switch_mutex);
    }
}

/* The eval breaker fired: switch if a drop was requested. */
static int S_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
    return rt_gil_drop_requested();
}

const rt_gil_ops rt__gil_cpython_ops = {
    .name = "cpython",
    .create = S_create,
    .destroy = S_destroy,
    .take = S_take,
    .drop = S_drop,
    .breaker = S_breaker,
};
