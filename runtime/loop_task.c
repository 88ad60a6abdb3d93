/*
 * loop_task.c - tasks, futures, gather, cancellation, timeouts.
 *
 * A task is a resumable function: rt_task_fn plus a frame on the heap,
 * which is all a Python coroutine is too (a code object plus a frame whose
 * f_lasti says where to go on).  Each "step" is one call of the function,
 * made by the loop from the ready queue; the step runs until the task
 * awaits something not yet done (the function returns RT_SUSPENDED) or
 * ends (RT_DONE).  No stack is kept between steps, which is why a
 * suspended task costs a couple of hundred bytes instead of a thread's
 * megabytes, and why a switch is a function call instead of a context
 * switch.  The price is the rule rt_loop.h states: what must survive an
 * await lives in the frame.
 *
 * A task's life:
 *
 *     rt_spawn --> READY --step--> RUNNING --RT_END--> DONE
 *                    ^                |
 *                    |             RT_AWAIT
 *                    |                v
 *                    +---wake---- WAITING   (sleep, fd, future, task, gather,
 *                                            a pool future: loop_pool.c)
 *
 * Every wait ends the same way, in rt__task_wake(t, outcome): the outcome
 * goes to t->awaited and the task's next step is queued.  Cancellation is a
 * wake with -ECANCELED: whatever the task waited on is told to forget it
 * (timer cancelled, fd wait dropped, waiter unlinked), then it is woken.  A
 * task that is READY or RUNNING cannot be interrupted, so the cancellation
 * is parked in cancel_rc and delivered at the next step or the next await -
 * the same place asyncio throws CancelledError into a coroutine.
 *
 * Futures wake waiters in the order they started waiting.  A task is a
 * future too (t->done), so awaiting a task is awaiting its future.
 */
#include "loop_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rt__gather {
    rt__task *parent;
    rt_task **kids; /* the caller's array (in the parent's frame) */
    size_t n, left;
    rt__waiter nodes[]; /* nodes[i] waits on kids[i]->done */
};

static void S_end(rt__task *t, long result);
static void S_release(rt__task *t);
static void S_timeout_clear(rt__task *t);

/* ---------------------------------------------------------------- futures */

void rt_future_init(rt_future *f)
{
    memset(f, 0, sizeof *f);
}

/* Adds w to f's waiters.  The list is kept newest-first (O(1) to add) and
 * reversed when the future is set. */
static void S_future_add(rt_future *f, rt__waiter *w)
{
    w->next = f->waiters;
    f->waiters = w;
}

/* Removes w from f's waiters if it is there.  O(waiters): futures in this
 * runtime have few, and only cancellation calls it. */
static void S_future_remove(rt_future *f, rt__waiter *w)
{
    for (rt__waiter **p = &f->waiters; *p; p = &(*p)->next) {
        if (*p == w) {
            *p = w->next;
            return;
        }
    }
}

int rt_future_set(rt_future *f, long value)
{
    if (!f)
        return -EINVAL;
    if (f->done)
        return -EALREADY;
    f->done = 1;
    f->value = value;
    rt__waiter *w = f->waiters, *prev = NULL;
    f->waiters = NULL;
    while (w) { /* reverse: oldest waiter first */
        rt__waiter *next = w->next;
        w->next = prev;
        prev = w;
        w = next;
    }
    for (w = prev; w;) {
        rt__waiter *next = w->next; /* w may be freed by its callback */
        w->fn(w->arg, value);
        w = next;
    }
    return 0;
}

/* ---------------------------------------------------------------- steps */

/* One step of t: the callback the ready queue holds for a READY task. */
static void S_task_step(rt_loop *l, void *arg)
{
    rt__task *t = arg;
    assert(t->state == RT__T_READY);
    if (t->cancel_rc) {
        long rc = t->cancel_rc;
        t->cancel_rc = 0;
        if (t->pub.resume_at == 0) { /* cancelled before it ever ran */
            t->state = RT__T_RUNNING;
            S_end(t, rc);
            S_release(t);
            return;
        }
        t->pub.awaited = rc; /* replaces what the await would have given */
    }
    t->state = RT__T_RUNNING;
    l->current = t;
    l->stats.switches++;
    rt_trace_event(RT_EV_TASK_SWITCH, t->pub.id, NULL);
    int r = t->fn(&t->pub);
    l->current = NULL;
    if (r == RT_SUSPENDED) {
        if (t->state == RT__T_RUNNING)
            rt__fatal("task returned RT_SUSPENDED without awaiting (use RT_AWAIT)");
        return;
    }
    if (t->state == RT__T_RUNNING) /* a bare `return RT_DONE;` */
        S_end(t, 0);
    S_release(t); /* the loop's reference */
}

/* Ends the running task t with `result`. */
static void S_end(rt__task *t, long result)
{
    rt_loop *l = t->loop;
    S_timeout_clear(t);
    t->state = RT__T_DONE;
    if (t->prev)
        t->prev->next = t->next;
    else
        l->tasks = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    l->stats.tasks_done++;
    rt_future_set(&t->done, result);
}

/* RT_END / RT_RETURN, from t's own step.  Exported (rt_loop.h): a program
 * can call it by hand, so a task that is not running is refused loudly
 * rather than unlinked twice. */
int rt__task_end(rt_task *pt, long result)
{
    rt__task *t = rt__task_of(pt);
    if (!t || !t->loop || t->loop->current != t || t->state != RT__T_RUNNING)
        rt__fatal("RT_END or RT_RETURN outside the task's own step (task %u)",
                  t ? t->pub.id : 0);
    S_end(t, result);
    return RT_DONE;
}

/* Marks the running task t as waiting on something of kind `wait`.  The
 * await op has already arranged for rt__task_wake to be called later. */
void rt__task_suspend(rt__task *t, int wait)
{
    rt_loop *l = t->loop;
    assert(t->state == RT__T_RUNNING);
    t->state = RT__T_WAITING;
    t->wait = (uint8_t)wait;
    if (++l->stats.waiting > l->stats.max_waiting)
        l->stats.max_waiting = l->stats.waiting;
}

/* Ends t's wait with `outcome` and queues its next step.  Loop thread. */
void rt__task_wake(rt__task *t, long outcome)
{
    assert(t->state == RT__T_WAITING);
    t->loop->stats.waiting--;
    t->wait = RT__W_NONE;
    t->pub.awaited = outcome;
    t->state = RT__T_READY;
    rt__ready(t->loop, S_task_step, t);
}

/* Every await op starts here.  Returns 1 to go on, 0 if the await is over
 * already (a cancellation was pending: t->awaited has it), or -EPERM if t
 * is not the running task. */
int rt__await_begin(rt__task *t)
{
    if (!t || !t->loop || t->loop->current != t || t->state != RT__T_RUNNING)
        return -EPERM;
    if (t->cancel_rc) {
        t->pub.awaited = t->cancel_rc;
        t->cancel_rc = 0;
        return 0;
    }
    return 1;
}

rt_task *rt_spawn(rt_loop *l, rt_task_fn fn, const void *frame, size_t frame_size)
{
    if (!l || !fn) {
        errno = EINVAL;
        return NULL;
    }
    if (!l->cs) { /* closed */
        errno = ESHUTDOWN;
        return NULL;
    }
    rt__task *t = malloc(sizeof *t + frame_size);
    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    if (frame)
        memcpy(t->frame, frame, frame_size);
    else
        memset(t->frame, 0, frame_size);
    t->fn = fn;
    t->loop = l;
    t->pub.id = ++l->next_id;
    t->refs = 2; /* the caller's, the loop's */
    t->state = RT__T_READY;
    t->next = l->tasks;
    if (l->tasks)
        l->tasks->prev = t;
    l->tasks = t;
    l->stats.tasks_created++;
    rt__ready(l, S_task_step, t);
    return &t->pub;
}

/* Drops one of t's references (the loop's or the spawner's). */
static void S_release(rt__task *t)
{
    assert(t->refs > 0);
    if (--t->refs == 0)
        free(t);
}

void rt_task_release(rt_task *t)
{
    if (t)
        S_release(rt__task_of(t));
}

void *rt_frame(rt_task *t)
{
    return t ? rt__task_of(t)->frame : NULL;
}

rt_loop *rt_task_loop(const rt_task *t)
{
    return t ? ((const rt__task *)t)->loop : NULL;
}

int rt_task_done(const rt_task *t)
{
    return t && ((const rt__task *)t)->state == RT__T_DONE;
}

long rt_task_result(const rt_task *pt)
{
    const rt__task *t = (const rt__task *)pt;
    if (!t)
        return -EINVAL;
    return t->state == RT__T_DONE ? t->done.value : -EAGAIN;
}

rt_task *rt_task_current(const rt_loop *l)
{
    return l && l->current ? &l->current->pub : NULL;
}

/* ---------------------------------------------------------------- awaits */

int rt_async_yield(rt_task *pt)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    /* Not a wait: straight back to the end of the ready queue. */
    t->pub.awaited = 0;
    t->state = RT__T_READY;
    rt__ready(t->loop, S_task_step, t);
    return RT_SUSPENDED;
}

static void S_sleep_done(rt_loop *l, void *arg)
{
    rt__task *t = arg;
    rt_timer_release(t->on.timer); /* the task's reference */
    t->on.timer = NULL;
    rt__task_wake(t, 0);
}

int rt_async_sleep(rt_task *pt, uint64_t ns)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    t->on.timer = rt__timer_add(t->loop, rt_now_ns() + ns, S_sleep_done, t);
    if (!t->on.timer) {
        t->pub.awaited = -ENOMEM;
        return 0;
    }
    rt__task_suspend(t, RT__W_SLEEP);
    return RT_SUSPENDED;
}

static void S_future_done(void *arg, long value)
{
    rt__task *t = arg;
    t->on.future = NULL;
    rt__task_wake(t, value);
}

int rt_async_future(rt_task *pt, rt_future *f)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    if (!f) {
        t->pub.awaited = -EINVAL;
        return 0;
    }
    if (f->done) {
        t->pub.awaited = f->value;
        return 0;
    }
    t->waiter = (rt__waiter){.fn = S_future_done, .arg = t};
    S_future_add(f, &t->waiter);
    t->on.future = f;
    rt__task_suspend(t, RT__W_FUTURE);
    return RT_SUSPENDED;
}

int rt_async_join(rt_task *pt, rt_task *po)
{
    rt__task *t = rt__task_of(pt), *other = rt__task_of(po);
    if (t && other && (other == t || other->loop != t->loop)) {
        int rc = rt__await_begin(t);
        if (rc <= 0)
            return rc;
        t->pub.awaited = other == t ? -EDEADLK : -EINVAL;
        return 0;
    }
    return rt_async_future(pt, other ? &other->done : NULL);
}

/* ---------------------------------------------------------------- gather */

/* Unhooks g from the gathered tasks not done yet.  (A done task's waiter
 * list was emptied when it ended.) */
static void S_gather_unhook(rt__gather *g)
{
    for (size_t i = 0; i < g->n; i++) {
        rt__task *k = rt__task_of(g->kids[i]);
        if (g->nodes[i].fn && !k->done.done)
            S_future_remove(&k->done, &g->nodes[i]);
    }
}

static void S_gather_one(void *arg, long value)
{
    rt__gather *g = arg;
    g->left--;
    if (value >= 0 && g->left > 0)
        return;
    rt__task *parent = g->parent;
    S_gather_unhook(g);
    free(g);
    parent->on.gather = NULL;
    rt__task_wake(parent, value < 0 ? value : 0);
}

int rt_async_gather(rt_task *pt, rt_task **tasks, size_t n)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    size_t left = 0;
    for (size_t i = 0; i < n; i++) {
        rt__task *k = rt__task_of(tasks[i]);
        if (!k || k->loop != t->loop || k == t) {
            t->pub.awaited = -EINVAL;
            return 0;
        }
        if (!k->done.done)
            left++;
        else if (k->done.value < 0) { /* failed already */
            t->pub.awaited = k->done.value;
            return 0;
        }
    }
    t->pub.awaited = 0;
    if (left == 0)
        return 0;
    rt__gather *g = calloc(1, sizeof *g + n * sizeof g->nodes[0]);
    if (!g) {
        t->pub.awaited = -ENOMEM;
        return 0;
    }
    g->parent = t;
    g->kids = tasks;
    g->n = n;
    /* One waiter per distinct unfinished task: a task listed twice is
     * waited for once (as asyncio's gather does), so that it never holds
     * two nodes of g when its end frees g. */
    for (size_t i = 0; i < n; i++) {
        rt__task *k = rt__task_of(tasks[i]);
        if (k->done.done || k->mark)
            continue;
        k->mark = 1;
        g->nodes[i] = (rt__waiter){.fn = S_gather_one, .arg = g};
        S_future_add(&k->done, &g->nodes[i]);
    }
    left = 0;
    for (size_t i = 0; i < n; i++) {
        left += g->nodes[i].fn != NULL;
        rt__task_of(tasks[i])->mark = 0;
    }
    g->left = left;
    t->on.gather = g;
    rt__task_suspend(t, RT__W_GATHER);
    return RT_SUSPENDED;
}

/* ---------------------------------------------------------------- cancel */

/* Makes whatever t waits on forget it.  With `cascade`, a gather's
 * unfinished tasks are cancelled too (asyncio's gather does this). */
static void S_detach(rt__task *t, int cascade)
{
    rt_loop *l = t->loop;
    switch (t->wait) {
    case RT__W_SLEEP:
        rt__timer_cancel(l, t->on.timer);
        rt_timer_release(t->on.timer);
        t->on.timer = NULL;
        break;
    case RT__W_FUTURE:
        S_future_remove(t->on.future, &t->waiter);
        t->on.future = NULL;
        break;
    case RT__W_GATHER: {
        rt__gather *g = t->on.gather;
        S_gather_unhook(g);
        if (cascade)
            for (size_t i = 0; i < g->n; i++)
                if (g->nodes[i].fn)
                    rt_task_cancel(g->kids[i]);
        free(g);
        t->on.gather = NULL;
        break;
    }
    case RT__W_IO:
        rt__io_forget(t);
        break;
    case RT__W_POOL:
        rt__pool_wait_forget(t);
        break;
    default:
        assert(0 && "waiting on nothing");
    }
}

static int S_cancel(rt__task *t, int reason)
{
    switch (t->state) {
    case RT__T_DONE:
        return -EALREADY;
    case RT__T_WAITING:
        S_detach(t, 1);
        rt__task_wake(t, reason);
        return 0;
    default: /* READY or RUNNING: delivered at its next step or await */
        t->cancel_rc = (int16_t)reason;
        return 0;
    }
}

int rt_task_cancel(rt_task *t)
{
    if (!t)
        return -EINVAL;
    return S_cancel(rt__task_of(t), -ECANCELED);
}

static void S_timeout_fired(rt_loop *l, void *arg)
{
    rt__task *t = arg;
    rt_timer_release(t->timeout); /* the task's reference */
    t->timeout = NULL;
    S_cancel(t, -ETIMEDOUT);
}

int rt_timeout_set(rt_task *pt, uint64_t ns)
{
    rt__task *t = rt__task_of(pt);
    if (!t || t->state == RT__T_DONE)
        return -EINVAL;
    S_timeout_clear(t);
    t->timeout = rt__timer_add(t->loop, rt_now_ns() + ns, S_timeout_fired, t);
    return t->timeout ? 0 : -ENOMEM;
}

void rt_timeout_clear(rt_task *t)
{
    if (t)
        S_timeout_clear(rt__task_of(t));
}

static void S_timeout_clear(rt__task *t)
{
    if (!t->timeout)
        return;
    rt__timer_cancel(t->loop, t->timeout);
    rt_timer_release(t->timeout);
    t->timeout = NULL;
    /* A -ETIMEDOUT already parked for the next await is void now too. */
    if (t->cancel_rc == -ETIMEDOUT)
        t->cancel_rc = 0;
}

/* rt_loop_close: every unfinished task ends as cancelled, unrun.  First all
 * waits are undone (so no future, fd or timer points at a task), then the
 * tasks end; their waiters are not woken, as they are being closed too. */
void rt__tasks_close(rt_loop *l)
{
    for (rt__task *t = l->tasks; t; t = t->next) {
        if (t->state == RT__T_WAITING)
            S_detach(t, 0);
        t->wait = RT__W_NONE;
        S_timeout_clear(t);
    }
    while (l->tasks) {
        rt__task *t = l->tasks;
        l->tasks = t->next;
        t->prev = t->next = NULL;
        t->state = RT__T_DONE;
        t->done.done = 1;
        t->done.value = -ECANCELED;
        t->done.waiters = NULL;
        S_release(t); /* the loop's reference */
    }
}
