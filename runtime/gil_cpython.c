/*
 * gil_cpython.c - CPython 3.2+'s GIL, after Python/ceval_gil.h (3.2-3.11)
 * and Python/ceval_gil.c (3.12 on).
 *
 * How it works, and why
 * ---------------------
 * The GIL is not a bare mutex.  It is a flag, `locked`, guarded by a mutex
 * and announced by a condition variable.  A thread that wants it (take)
 * locks the mutex and, while `locked` is set, sleeps on the condition
 * variable -- but never for longer than the switch interval (5 ms by
 * default; sys.setswitchinterval in Python, rt_set_switch_interval_us here).
 * A thread that lets go (drop) clears the flag and signals the condition
 * variable, so one sleeper wakes at once instead of at its timeout.
 *
 * When such a timed wait runs out and nothing changed meanwhile (the GIL is
 * still locked and `switch_number` is the same, so no other thread got a
 * turn either), the waiter sets the *drop request*.  The drop request lives
 * in the eval breaker, the one word the interpreter checks at its loop
 * back-edges and calls (rt_checkpoint here).  The holder sees it at its
 * next checkpoint and drops the GIL.  So a CPU-bound thread keeps the GIL
 * for one interval at a time, and only when someone is waiting: a lone
 * thread never pays for switching.  In 3.11 and 3.12 the request is a flag
 * of the interpreter; from 3.13 it is a bit in the holding thread's own
 * eval breaker.
 *
 * `switch_number` counts hand-overs.  A waiter reads it *before* it goes
 * to sleep and compares after its timeout: if the GIL went round to some
 * other thread meanwhile, the holder is not hogging it, and no drop request
 * is needed yet.  (Read after the sleep, it would always look unchanged, and
 * every timeout would cut the current holder's turn short.)
 *
 * Forced switching.  Dropping is not enough on a multicore machine.  The
 * dropping thread is running, hot in cache, and goes straight back to take;
 * the waiter first has to be woken by the kernel.  The dropper would win the
 * race nearly every time, and the waiter would wait another interval, and
 * another.  That is exactly what went wrong with the GIL before 3.2 (see
 * gil_ticks.c).  So when a thread drops with a drop request pending, it
 * then waits on a second condition variable until `last_holder` is no
 * longer itself: until the GIL has really changed hands.  CPython calls
 * this FORCE_SWITCHING.  CPython waits there under one `if` (a single
 * COND_WAIT); this file waits in a `while` loop.  A condition variable may
 * wake up spuriously: after an `if`, such a wake-up sends the dropper back
 * to take the GIL before anyone else had it, and it may win it straight
 * back.  The runtime's tests check that *every* forced drop hands over, so
 * it loops until the hand-over has happened.  The loop cannot wait for
 * ever: the waiter that asked stays in take until it has the GIL (the
 * runtime has no interpreter shutdown that could make it leave without
 * it, the case CPython's gh-96387 deals with).
 *
 * The convoy.  A thread coming back from I/O asks for the GIL like any
 * other waiter.  If a CPU-bound thread holds it, nothing wakes the I/O
 * thread early -- the holder never drops of its own accord -- so it sleeps a
 * *full* interval, times out, sets the drop request, and only then gets the
 * GIL.  Every time it comes back from a blocking call, it pays one whole
 * interval: 5 ms for a reply that took microseconds.  That is the convoy
 * effect (chapter 6, bpo-7946).  Nor is the order of waiters fair:
 * whichever waiter the condition variable wakes wins.
 *
 * The lock word: how this file differs from CPython
 * -------------------------------------------------
 * CPython changes `locked` only with `mutex` held (once the GIL exists), so
 * even a lone thread doing I/O locks and unlocks the mutex on every take
 * and every drop.  It does read `locked` without the mutex in a few places:
 * drop_gil's "GIL is not locked" check, gil_created() (is there a GIL at
 * all: `locked` is -1 before it exists), and 3.12's
 * current_thread_holds_gil().  Those reads are safe because each asks about
 * something only the caller can change: its own hold, or whether the GIL
 * has been created.
 *
 * Here `locked` becomes one atomic lock word that also says who holds the
 * GIL and whether anyone waits for it:
 *
 *     0               free, nobody waiting
 *     (id+1)<<1       held by thread `id`, nobody waiting
 *     (id+1)<<1 | 1   held, and at least one thread waits (the waiters bit)
 *     1               free, but threads wait: one is being woken
 *
 * Taking a free GIL nobody waits for is one compare-and-swap, 0 -> mine;
 * dropping a GIL nobody waits for is one compare-and-swap, mine -> 0.
 * Neither touches the mutex, and both read and write the word without it.
 * That is safe because of the waiters bit: a thread about to wait first
 * sets it (under the mutex), and once it is set both compare-and-swaps fail,
 * so every later change goes through the mutex exactly as in CPython: the
 * waiter's timed wait, the dropper's signal, the drop request.  A dropper
 * whose swap failed knows someone waits and signals under the mutex; a
 * waiter sets the bit and sleeps without letting go of the mutex in between
 * (pthread_cond_timedwait releases it atomically), so the signal cannot
 * fall between the two: no wake-up is lost.  The waiters bit stays set
 * while any thread waits, even when the GIL is free, so while anyone waits
 * a newcomer goes through the mutex, as it would in CPython, instead of
 * slipping past on the fast path.
 *
 * While the process has only one thread (glibc's __libc_single_threaded,
 * the flag glibc's own mutex uses to skip its atomic instructions), no
 * other thread can look at the word at all, so take and drop are a plain
 * load and store.  A thread can only appear through pthread_create, called
 * by this very thread, which clears the flag first: the next take or drop
 * then uses the compare-and-swaps above.  Taking and dropping the GIL alone
 * therefore costs about what a bare mutex costs in the same process (make
 * bench: gil.uncontended_ns beside gil.mutex_ns).
 *
 * Two more readers look at the word without the mutex, and only look: the
 * deadlock report (diag.c, from a signal handler, where no lock may be
 * taken) and gil.c's measurements (is this take going to wait?).  Both get
 * a snapshot that may be stale by the time they use it, which is all a
 * report or a statistic needs; neither decides who holds the GIL.
 *
 * Locking rule: `mutex` guards `nwaiters`, the wait on `cond`, and every
 * change of the word while its waiters bit is set; the bit itself is set
 * under `mutex`.  `switch_mutex` guards the hand-over wait on
 * `switch_cond`.  `last_holder` and `switch_number` are atomics written
 * only by the thread that has just taken the GIL.
 */
#include "rt_internal.h"

#include <errno.h>
#include <stdlib.h>
#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define S_ALONE_IN_PROCESS() (__libc_single_threaded != 0)
#endif
#endif
#ifndef S_ALONE_IN_PROCESS
#define S_ALONE_IN_PROCESS() 0 /* no way to tell: always use atomics */
#endif

#define S_WAITERS 1u /* the lock word's waiters bit */

/* Kept out of line: inlined, the slow paths would make the fast paths save
 * and restore registers they never use. */
#define S_SLOW __attribute__((noinline))

typedef struct gil_cpython {
    /* Read on every take and drop: kept together. */
    atomic_uint word;                 /* the lock word, see above */
    _Atomic(rt_tstate *) last_holder; /* who took it last */
    atomic_ulong switch_number;       /* hand-overs to a different thread */
    /* The slow path. */
    pthread_mutex_t mutex;        /* guards nwaiters and the wait on cond */
    pthread_cond_t cond;          /* signalled when the GIL is dropped */
    int nwaiters;                 /* threads waiting in take (under mutex) */
    pthread_mutex_t switch_mutex; /* FORCE_SWITCHING */
    pthread_cond_t switch_cond;   /* signalled when the GIL changes hands */
} gil_cpython;

/* The lock word of a GIL held by `ts`, nobody waiting. */
static unsigned S_mine(const rt_tstate *ts)
{
    return ((unsigned)ts->id + 1u) << 1;
}

/* Whether a lock word says "held". */
static int S_held(unsigned word)
{
    return (word >> 1) != 0;
}

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

/* A hand-over to a different thread: bump switch_number and wake a
 * dropper waiting for exactly that (FORCE_SWITCHING). */
static void S_switched(gil_cpython *g, rt_tstate *ts)
{
    pthread_mutex_lock(&g->switch_mutex);
    atomic_store_explicit(&g->last_holder, ts, memory_order_relaxed);
    atomic_fetch_add_explicit(&g->switch_number, 1, memory_order_relaxed);
    pthread_cond_signal(&g->switch_cond);
    pthread_mutex_unlock(&g->switch_mutex);
}

/* The new holder's bookkeeping, when there is any: a hand-over to a
 * different thread (S_switched), or a drop request aimed at the previous
 * holder, which is forgotten because the new holder gets a full interval
 * (CPython resets it on every take too). */
S_SLOW static void S_took_news(gil_cpython *g, rt_tstate *ts)
{
    if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != ts)
        S_switched(g, ts);
    if (atomic_load_explicit(&rt__drop_request, memory_order_relaxed))
        rt_gil_clear_drop();
}

/* Whether the new holder `ts` has bookkeeping to do: the same thread taking
 * again with no request pending (a lone thread's I/O) costs two loads. */
static inline int S_took_is_news(gil_cpython *g, rt_tstate *ts)
{
    return atomic_load_explicit(&g->last_holder, memory_order_relaxed) != ts ||
           atomic_load_explicit(&rt__drop_request, memory_order_relaxed);
}

// [take-wait]
/* take_gil's waiting part: the GIL was held or had waiters.  Sets the
 * waiters bit, then sleeps one interval at a time until the GIL is free,
 * asking the holder to drop after a whole interval with no hand-over. */
S_SLOW static void S_take_slow(gil_cpython *g, rt_tstate *ts)
{
    pthread_mutex_lock(&g->mutex);
    g->nwaiters++;
    /* From here on the holder cannot drop without the mutex. */
    unsigned word =
        atomic_fetch_or_explicit(&g->word, S_WAITERS, memory_order_acquire) | S_WAITERS;
    while (S_held(word)) {
        /* Read before sleeping: did anyone else get a turn meanwhile? */
        unsigned long saved_switchnum =
            atomic_load_explicit(&g->switch_number, memory_order_relaxed);
        struct timespec deadline = rt__deadline_after_us(rt_gil_interval_us());
        int err = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        word = atomic_load_explicit(&g->word, memory_order_acquire);
        if (err == ETIMEDOUT) {
            /* A whole interval with no hand-over: ask the holder to drop. */
            if (S_held(word) &&
                atomic_load_explicit(&g->switch_number, memory_order_relaxed) ==
                    saved_switchnum)
                rt_gil_request_drop();
        } else if (S_held(word)) {
            rt__count(RT__FUTILE_WAKEUPS); /* woken, but someone was faster */
        }
    }
    /* The word is 1 (free, waiters): only mutex holders may change it now. */
    g->nwaiters--;
    atomic_store_explicit(&g->word, S_mine(ts) | (g->nwaiters ? S_WAITERS : 0),
                          memory_order_relaxed);
    S_took_news(g, ts);
    pthread_mutex_unlock(&g->mutex);
}
// [end]

// [take-fast]
/* take_gil: returns with `ts` holding the GIL.  Any number of threads may
 * call it at once; each sleeps at most one interval at a time.  Every call
 * out of the fast path is a tail call, so the fast path saves no
 * registers. */
static void S_take(void *self, rt_tstate *ts)
{
    gil_cpython *g = self;
    unsigned free_word = 0;
    if (S_ALONE_IN_PROCESS() &&
        atomic_load_explicit(&g->word, memory_order_relaxed) == 0) {
        atomic_store_explicit(&g->word, S_mine(ts), memory_order_relaxed);
    } else if (!atomic_compare_exchange_strong_explicit(
                   &g->word, &free_word, S_mine(ts), memory_order_acquire,
                   memory_order_relaxed)) {
        S_take_slow(g, ts);
        return;
    }
    if (S_took_is_news(g, ts))
        S_took_news(g, ts);
}
// [end]

// [force-switch]
/* FORCE_SWITCHING: a drop request is pending, so wait until another thread
 * has taken the GIL (a loop: see "Forced switching" above). */
S_SLOW static void S_wait_for_switch(gil_cpython *g, rt_tstate *ts)
{
    pthread_mutex_lock(&g->switch_mutex);
    while (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == ts)
        pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
    pthread_mutex_unlock(&g->switch_mutex);
}
// [end]

/* drop_gil's hand-over: `ts` holds the GIL and its swap failed, so the
 * waiters bit is set (`word` is what the swap found).  Leave "free,
 * waiters" for the thread the signal wakes. */
S_SLOW static void S_drop_slow(gil_cpython *g, rt_tstate *ts, unsigned word)
{
    if (word != (S_mine(ts) | S_WAITERS))
        rt__fatal("cpython GIL: thread %d drops a GIL it does not hold", ts->id);
    pthread_mutex_lock(&g->mutex);
    atomic_store_explicit(&g->word, S_WAITERS, memory_order_release);
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->mutex);
    if (atomic_load_explicit(&rt__drop_request, memory_order_relaxed))
        S_wait_for_switch(g, ts);
}

/* drop_gil: `ts` holds the GIL and lets go.  If a drop request is pending
 * (a waiter timed out), wait until another thread has taken the GIL, so
 * that `ts` cannot win it straight back.  As in CPython, this applies to any
 * drop with a request pending, forced or not. */
static void S_drop(void *self, rt_tstate *ts, int forced)
{
    gil_cpython *g = self;
    (void)forced;
    unsigned mine = S_mine(ts), word = mine;
    if (S_ALONE_IN_PROCESS() &&
        atomic_load_explicit(&g->word, memory_order_relaxed) == mine) {
        atomic_store_explicit(&g->word, 0, memory_order_relaxed);
    } else if (!atomic_compare_exchange_strong_explicit(
                   &g->word, &word, 0, memory_order_release, memory_order_relaxed)) {
        S_drop_slow(g, ts, word);
        return;
    }
    if (atomic_load_explicit(&rt__drop_request, memory_order_relaxed))
        S_wait_for_switch(g, ts);
}

/* The eval breaker fired: switch if a drop was requested. */
static int S_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
    return atomic_load_explicit(&rt__drop_request, memory_order_relaxed);
}

/* Who holds the GIL, read from the lock word: a thread id, or -1.  One
 * atomic load, so the deadlock report may call it from a signal handler. */
int rt__gil_cpython_holder(void *self)
{
    unsigned word =
        atomic_load_explicit(&((gil_cpython *)self)->word, memory_order_relaxed);
    return S_held(word) ? (int)(word >> 1) - 1 : -1;
}

const rt_gil_ops rt__gil_cpython_ops = {
    .name = "cpython",
    .create = S_create,
    .destroy = S_destroy,
    .take = S_take,
    .drop = S_drop,
    .breaker = S_breaker,
};
