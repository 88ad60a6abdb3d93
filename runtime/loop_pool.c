/*
 * loop_pool.c - a loop task awaits a process pool's future.
 *
 * asyncio's `await loop.run_in_executor(pool, fn, arg)` puts CPU-bound work
 * in a process pool without blocking the event loop: the pool's future
 * (concurrent.futures.Future) is wrapped in an asyncio.Future, and when the
 * pool's thread resolves the first, it sets the second through
 * call_soon_threadsafe, which wakes the loop.  This file is that bridge,
 * and it is the whole of it:
 *
 *   rt_async_pool_future(t, pf)   arms a done callback on pf (the pool's
 *                                 add_done_callback) and suspends t;
 *   S_resolved (pool side)        runs on the thread that resolves pf, under
 *                                 the pool's lock, and queues S_wake on the
 *                                 loop (rt__call_soon_threadsafe_node: no
 *                                 allocation, so no lost wake-up);
 *   S_wake (loop thread)          wakes t with pf's rc.
 *
 * The wait is a small record, a bridge, shared by the two sides: the task
 * holds one reference while it waits, the pool side one from arming until
 * its queued call has run or been dropped.  Whoever lets go last frees it;
 * the count is atomic because the two sides are different threads.
 *
 * Cancelling the task (or closing the loop) disarms the callback under the
 * pool's lock: after that it never runs.  If it ran already, its call is
 * in the loop's queue; the task just stops waiting, and S_wake, finding no
 * task, only lets go.  As asyncio's wrap_future does, cancelling also
 * cancels pf if no worker has it yet.
 *
 * Limits: one task awaits a given pf at a time (-EBUSY); pf must outlive
 * the wait (rt_pool_future_free refuses a future being awaited).
 */
#include "loop_internal.h"
#include "pool_internal.h"

#include <errno.h>
#include <stdlib.h>

struct rt__bridge {
    rt__tscall call;    /* S_wake, queued when pf resolves */
    atomic_int refs;    /* the waiting task's + the pool side's */
    rt__task *task;     /* loop thread only: NULL once it stopped waiting */
    rt_loop *loop;      /* read-only */
    rt_pool_future *pf; /* read-only */
    int rc;             /* pf's rc, written before the call is queued */
};

static void S_unref(rt__bridge *b)
{
    if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1)
        free(b);
}

/* Loop thread: pf has resolved (b->rc); wake the task if it still waits. */
static void S_wake(rt_loop *l, void *arg)
{
    rt__bridge *b = arg;
    rt__task *t = b->task;
    if (t) {
        b->task = NULL;
        t->on.bridge = NULL;
        rt__task_wake(t, b->rc);
        S_unref(b); /* the task's reference */
    }
    S_unref(b); /* the pool side's, carried by the call */
}

/* The loop closed with the call still queued: it will never run. */
static void S_drop(rt__tscall *c)
{
    S_unref((rt__bridge *)c);
}

/* The pool side: any thread, the pool's lock held.  Only queues. */
static void S_resolved(void *arg, int rc)
{
    rt__bridge *b = arg;
    b->rc = rc;
    if (rt__call_soon_threadsafe_node(b->loop, &b->call) < 0)
        S_unref(b); /* the loop is closed: its task stopped waiting already */
}

int rt_async_pool_future(rt_task *pt, rt_pool_future *pf)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    if (!pf) {
        t->pub.awaited = -EINVAL;
        return 0;
    }
    rt__bridge *b = malloc(sizeof *b);
    if (!b) {
        t->pub.awaited = -ENOMEM;
        return 0;
    }
    *b = (rt__bridge){.call = {.cb = S_wake, .arg = b, .drop = S_drop},
                      .task = t,
                      .loop = t->loop,
                      .pf = pf};
    atomic_init(&b->refs, 2);
    int now = 0;
    int armed = rt__pool_future_on_done(pf, S_resolved, b, &now);
    if (armed <= 0) { /* resolved already (not a wait), or -EBUSY */
        free(b);
        t->pub.awaited = armed == 0 ? now : armed;
        return 0;
    }
    t->on.bridge = b;
    rt__task_suspend(t, RT__W_POOL);
    return RT_SUSPENDED;
}

/* Loop thread: t, waiting on a pool future, is cancelled or its loop is
 * closing. */
void rt__pool_wait_forget(rt__task *t)
{
    rt__bridge *b = t->on.bridge;
    t->on.bridge = NULL;
    b->task = NULL;
    if (rt__pool_future_disarm(b->pf))
        S_unref(b); /* the callback will never run: drop the pool side's */
    rt_pool_future_cancel(b->pf);
    S_unref(b); /* the task's */
}
