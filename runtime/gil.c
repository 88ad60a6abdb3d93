/*
 * gil.c - the GIL's front end: the same accounting around every policy.
 *
 * Each policy (gil_cpython.c, gil_ticks.c, "none" below, or an exercise's
 * own through rt_config.custom_gil) only decides who may run.  This file
 * wraps its take and drop with what the course measures: how long each
 * thread waited and held, how often the GIL changed hands, how many threads
 * ever ran at once.  Because the wrapper is shared, a learner's GIL is
 * measured exactly like CPython's.
 *
 * It also owns the eval breaker (rt__eval_breaker), the one word
 * rt_checkpoint() reads.  It is set when a drop is requested and, under the
 * ticks policy, permanently (that policy counts every checkpoint).
 *
 * Locking rule: the holder's bookkeeping (rt_tstate.holds_gil, took_at_ns)
 * belongs to its own thread.  Shared figures are atomics, so the front end
 * also works with no GIL at all.
 */
#include "rt_internal.h"

#include <errno.h>
#include <stdlib.h>

atomic_int rt__eval_breaker;

static const rt_gil_ops *S_ops;     /* the policy in force */
static void *S_self;                /* its state */
static atomic_long S_interval_us;   /* switch interval */
static long S_ticks;                /* ticks policy: checkpoints per turn */
static int S_breaker_always;        /* ticks policy: every checkpoint looks */
atomic_int rt__drop_request;        /* gil_drop_request */
static int S_word_names_holder;     /* the policy's lock word says who holds */
static int S_lone_is_bare;          /* ... and no trace: see S_alone() */
static atomic_int S_holder_id = -1; /* who holds the GIL (other policies) */
static atomic_int S_last_taker = -1;
static atomic_uint_fast64_t S_holder_since; /* start of a measured hold, or 0 */
static atomic_int S_waiting;                /* threads inside take */

/* ---------------------------------------------------------------- none */
/* Free-threaded: there is no lock; every thread runs whenever it likes. */
static void *S_none_create(long us)
{
    (void)us;
    static int token;
    return &token;
}
static void S_none_destroy(void *self)
{
    (void)self;
}
static void S_none_take(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
}
static void S_none_drop(void *self, rt_tstate *ts, int forced)
{
    (void)self;
    (void)ts;
    (void)forced;
}
static int S_none_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
    return 0;
}
const rt_gil_ops rt__gil_none_ops = {
    .name = "none",
    .create = S_none_create,
    .destroy = S_none_destroy,
    .take = S_none_take,
    .drop = S_none_drop,
    .breaker = S_none_breaker,
};

/* ---------------------------------------------------------------- setup */

/* Chooses and creates the policy.  Called by rt_init before any thread is
 * attached.  Returns 0, -EINVAL or -ENOMEM. */
int rt__gil_init(const rt_config *cfg)
{
    switch (cfg->policy) {
    case RT_GIL_CPYTHON:
        S_ops = &rt__gil_cpython_ops;
        break;
    case RT_GIL_TICKS:
        S_ops = &rt__gil_ticks_ops;
        break;
    case RT_GIL_NONE:
        S_ops = &rt__gil_none_ops;
        break;
    case RT_GIL_CUSTOM:
        S_ops = cfg->custom_gil;
        if (!S_ops || !S_ops->create || !S_ops->destroy || !S_ops->take ||
            !S_ops->drop || !S_ops->breaker)
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    atomic_store(&S_interval_us, cfg->switch_interval_us);
    S_ticks = cfg->ticks;
    S_breaker_always = cfg->policy == RT_GIL_TICKS;
    S_word_names_holder = S_ops == &rt__gil_cpython_ops;
    S_lone_is_bare = S_word_names_holder && cfg->trace_events == 0;
    atomic_store(&rt__drop_request, 0);
    atomic_store(&rt__eval_breaker, S_breaker_always);
    atomic_store(&S_holder_id, -1);
    atomic_store(&S_last_taker, -1);
    atomic_store(&S_holder_since, 0);
    atomic_store(&S_waiting, 0);
    S_self = S_ops->create(cfg->switch_interval_us);
    return S_self ? 0 : -ENOMEM;
}

void rt__gil_fini(void)
{
    if (S_ops && S_self)
        S_ops->destroy(S_self);
    S_ops = NULL;
    S_self = NULL;
    atomic_store(&rt__eval_breaker, 0);
}

/* In a forked child the old locks may be held by threads that no longer
 * exist: abandon them (never destroy a locked mutex) and start afresh,
 * with `ts` holding the new GIL. */
void rt__gil_after_fork(rt_tstate *ts)
{
    S_self = S_ops->create(atomic_load(&S_interval_us));
    if (!S_self)
        rt__fatal("after fork: cannot re-create the GIL");
    atomic_store(&rt__drop_request, 0);
    atomic_store(&rt__eval_breaker, S_breaker_always);
    atomic_store(&S_waiting, 0);
    atomic_store(&S_holder_id, -1);
    atomic_store(&S_last_taker, -1);
    atomic_store(&S_holder_since, 0);
    ts->holds_gil = 0;
    ts->accounted = 0; /* a hold measured in the parent ended there */
    rt__gil_take(ts);
}

rt_gil_policy rt_policy(void)
{
    if (S_ops == &rt__gil_ticks_ops)
        return RT_GIL_TICKS;
    if (S_ops == &rt__gil_none_ops)
        return RT_GIL_NONE;
    if (S_ops && S_ops != &rt__gil_cpython_ops)
        return RT_GIL_CUSTOM;
    return RT_GIL_CPYTHON;
}

long rt_switch_interval_us(void)
{
    return atomic_load(&S_interval_us);
}

long rt_gil_interval_us(void)
{
    return atomic_load_explicit(&S_interval_us, memory_order_relaxed);
}

int rt_set_switch_interval_us(long us)
{
    if (us <= 0)
        return -EINVAL;
    atomic_store(&S_interval_us, us);
    return 0;
}

long rt__ticks_setting(void)
{
    return S_ticks;
}

/* ---------------------------------------------------------------- requests */

void rt_gil_request_drop(void)
{
    if (!atomic_exchange(&rt__drop_request, 1)) {
        rt__count(RT__DROP_REQUESTS);
        rt_trace_event(RT_EV_DROP_REQUEST, 0, NULL);
    }
    atomic_store(&rt__eval_breaker, 1);
}

void rt_gil_clear_drop(void)
{
    atomic_store(&rt__drop_request, 0);
    atomic_store(&rt__eval_breaker, S_breaker_always);
}

int rt_gil_drop_requested(void)
{
    return atomic_load(&rt__drop_request);
}

/* ---------------------------------------------------------------- take/drop */

/* Whether takes and drops are measured now.  A lone thread has nothing to
 * contend with, so its holds say nothing about the GIL: skipping the clock
 * reads and shared counters keeps an uncontended take+drop as cheap as the
 * lock itself (CPython's principle too: a lone thread never pays for
 * switching).  Tracing measures everything. */
static int S_measuring(void)
{
    return atomic_load_explicit(&rt__attached, memory_order_relaxed) > 1 ||
           atomic_load_explicit(&rt__tracing, memory_order_relaxed);
}

/* The uncontended case at its barest: one thread attached, not measured,
 * and a policy whose lock word names its holder, so take and drop are the
 * policy's own and nothing else.  S_lone_is_bare is fixed at rt_init (the
 * policy and the trace cannot change later), so this is two loads. */
static inline int S_alone(void)
{
    return S_lone_is_bare &&
           atomic_load_explicit(&rt__attached, memory_order_relaxed) <= 1;
}

/* Who holds the GIL now (-1: nobody).  The cpython policy's lock word
 * names its holder, so the front end keeps no copy of its own for it (one
 * store fewer on every take and drop); other policies' holders are recorded
 * in S_holder_id.  Atomic loads only: the deadlock report calls this from a
 * signal handler. */
static int S_holder(void)
{
    if (S_word_names_holder)
        return rt__gil_cpython_holder(S_self);
    return atomic_load_explicit(&S_holder_id, memory_order_relaxed);
}

/* Marks `ts` (holding the GIL) as the holder, measured from now. */
static void S_begin_hold(rt_tstate *ts, uint64_t now)
{
    ts->accounted = 1;
    ts->took_at_ns = now;
    atomic_store_explicit(&S_holder_since, now, memory_order_relaxed);
    rt__running_add(1);
    /* Load + store, not exchange: takes are serialised by the GIL. */
    int prev = atomic_load_explicit(&S_last_taker, memory_order_relaxed);
    atomic_store_explicit(&S_last_taker, ts->id, memory_order_relaxed);
    if (prev >= 0 && prev != ts->id)
        rt__count(RT__SWITCHES);
}

/* A hold that began while `ts` was alone becomes measured: called when a
 * second thread is about to start. */
void rt__gil_account(rt_tstate *ts)
{
    if (ts && ts->holds_gil && !ts->accounted)
        S_begin_hold(ts, rt_now_ns());
}

/* rt__gil_take's measured path: the clock, the wait, the trace. */
static void S_take_measured(rt_tstate *ts)
{
    int none = S_ops == &rt__gil_none_ops;
    int contended = !none && S_holder() >= 0;
    uint64_t t0 = contended ? rt_now_ns() : 0;
    rt_trace_event(RT_EV_GIL_REQUEST, 0, NULL);
    if (contended)
        atomic_fetch_add(&S_waiting, 1);
    S_ops->take(S_self, ts);
    uint64_t t1 = rt_now_ns();
    if (contended) {
        atomic_fetch_sub(&S_waiting, 1);
        rt__count(RT__WAITS);
        rt__count_wait(t1 - t0);
    }
    ts->holds_gil = 1;
    if (!S_word_names_holder)
        atomic_store_explicit(&S_holder_id, ts->id, memory_order_relaxed);
    S_begin_hold(ts, t1);
    rt_trace_event(RT_EV_GIL_TAKE, 0, NULL);
}

/* Takes the GIL for `ts` (the calling thread, not holding it) through the
 * policy, and records the wait.  Unmeasured, it is the policy's take and
 * stores to the thread's own state: no clock, no shared counter. */
void rt__gil_take(rt_tstate *ts)
{
    if (ts->holds_gil)
        rt__fatal("thread %d (%s) takes the GIL it already holds", ts->id, ts->name);
    rt__ts_add(ts, RT__TS_TAKES, 1);
    if (S_measuring()) {
        S_take_measured(ts);
        return;
    }
    S_ops->take(S_self, ts);
    ts->holds_gil = 1;
    if (!S_word_names_holder)
        atomic_store_explicit(&S_holder_id, ts->id, memory_order_relaxed);
}

/* The end of a measured hold: its length, the trace, the running level. */
static void S_end_hold(rt_tstate *ts, int forced)
{
    rt__count_hold(rt_now_ns() - ts->took_at_ns);
    rt_trace_event(RT_EV_GIL_DROP, (uint32_t)forced, NULL);
    rt__running_add(-1);
    atomic_store_explicit(&S_holder_since, 0, memory_order_relaxed);
    ts->accounted = 0;
}

/* Drops the GIL held by `ts` (the calling thread) and records the hold.
 * Bookkeeping happens before the policy's drop, while still holding. */
void rt__gil_drop(rt_tstate *ts, int forced)
{
    if (!ts->holds_gil)
        rt__fatal("thread %d (%s) releases the GIL but does not hold it", ts->id,
                  ts->name);
    if (ts->accounted)
        S_end_hold(ts, forced);
    if (!S_word_names_holder &&
        atomic_load_explicit(&S_holder_id, memory_order_relaxed) == ts->id)
        atomic_store_explicit(&S_holder_id, -1, memory_order_relaxed);
    ts->holds_gil = 0;
    S_ops->drop(S_self, ts, forced);
}

/* rt_checkpoint()'s slow path: the eval breaker is set. */
void rt__handle_eval_breaker(void)
{
    rt_tstate *ts = rt__current;
    if (!ts || !ts->holds_gil || !S_ops)
        return; /* checkpoints outside the GIL are counted by rt_bytecodes */
    if (S_ops->breaker(S_self, ts)) {
        rt__count(RT__FORCED_DROPS);
        rt__gil_drop(ts, 1);
        rt__gil_take(ts);
    }
}

/* For the deadlock report (a signal handler): atomic loads only.  The
 * duration is known only for a measured hold (since_ns 0 otherwise). */
int rt__gil_holder_id(uint64_t *since_ns, int *waiting)
{
    int id = S_ops && S_self ? S_holder() : -1;
    *since_ns = id >= 0 ? atomic_load(&S_holder_since) : 0;
    *waiting = atomic_load(&S_waiting);
    return id;
}

/* ---------------------------------------------------------------- public */

/* Misuse of save/restore: say what went wrong. */
static _Noreturn void S_save_misuse(const rt_tstate *ts)
{
    if (!ts)
        rt__fatal("rt_save_thread: this thread is not attached to the runtime");
    rt__fatal("thread %d (%s) releases the GIL but does not hold it "
              "(nested RT_BEGIN_ALLOW_THREADS?)",
              ts->id, ts->name);
}

/* The hot path of every blocking call.  Alone (S_alone) it is the
 * policy's drop and take, two per-thread counters and two stores to the
 * thread's own state; otherwise the measured path in rt__gil_drop and
 * rt__gil_take. */
rt_tstate *rt_save_thread(void)
{
    rt_tstate *ts = rt__current;
    if (!ts || !ts->holds_gil)
        S_save_misuse(ts);
    rt__ts_add(ts, RT__TS_BLOCKING, 1);
    if (S_alone() && !ts->accounted) {
        ts->holds_gil = 0;
        S_ops->drop(S_self, ts, 0);
        return ts;
    }
    if (S_measuring()) {
        ts->blocked_counted = 1;
        rt__blocked_add(1);
    }
    rt__gil_drop(ts, 0);
    return ts;
}

void rt_restore_thread(rt_tstate *ts)
{
    if (!ts || ts != rt__current)
        rt__fatal("rt_restore_thread: not the state rt_save_thread returned "
                  "on this thread");
    if (ts->blocked_counted) {
        rt__blocked_add(-1);
        ts->blocked_counted = 0;
    } else if (S_alone() && !ts->holds_gil) {
        rt__ts_add(ts, RT__TS_TAKES, 1);
        S_ops->take(S_self, ts);
        ts->holds_gil = 1;
        return;
    }
    rt__gil_take(ts);
}

int rt_holds_gil(void)
{
    return rt__current && rt__current->holds_gil;
}
