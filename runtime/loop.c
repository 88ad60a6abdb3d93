/*
 * loop.c - the event loop: one thread, many waits.
 *
 * What an event loop is.  A thread that does I/O the blocking way spends
 * its life asleep in the kernel, one wait at a time.  An event loop turns
 * that around: it asks the kernel about all its waits at once (epoll) and
 * sleeps only until the first of them is over.  Nothing else is needed to
 * juggle ten thousand sockets on one thread - as long as nobody blocks, and
 * as long as each piece of work is cut into steps that end where they would
 * have waited.  asyncio, libuv, Node, Redis's ae.c and nginx are all this
 * loop.
 *
 * One iteration (rt_loop_run calls S_iterate until there is nothing left):
 *
 *   1. Take the callbacks other threads queued (rt_call_soon_threadsafe).
 *   2. Decide how long we may sleep: not at all if callbacks are ready;
 *      otherwise until the earliest live timer; for ever if there is none.
 *   3. Ask the core for readiness with that timeout, letting go of the GIL
 *      while we sleep (rt_save_thread), so other Python threads run.  Tasks
 *      whose fd became ready go to the ready queue.
 *   4. Move every timer that is due into the ready queue, earliest first.
 *   5. Run the callbacks that are in the ready queue now - and only those:
 *      a callback that queues another (a task that yields) waits for the
 *      next iteration, so I/O and timers get looked at between any two
 *      steps of the same task.  asyncio's _run_once does exactly this.
 *
 * Tasks (loop_task.c) are callbacks too: "resume task t" is the callback
 * S_task_step(t), queued when whatever t awaits is done.
 *
 * Timers and lazy cancellation.  The heap gives the earliest timer in O(1)
 * but cannot cheaply remove one from the middle.  So cancelling a timer only
 * marks it; when a cancelled timer reaches the top it is thrown away
 * unfired.  If cancelled timers ever outnumber live ones (think of a server
 * whose every request arms a timeout and finishes early), the heap is
 * rebuilt without them in O(n) - asyncio's rule, with its threshold of 100
 * timers before bothering.
 *
 * Timer granularity.  A wait for a timer is rounded up to whole
 * milliseconds, so timers fire up to 1 ms late, in batches - as in asyncio
 * (its selector rounds the timeout up to 1 ms) and libuv (its clock counts
 * milliseconds).  The reason is cost: every blocking wait is a trip through
 * the scheduler, tens of microseconds on a virtual machine, so a loop that
 * woke for each of 1000 timers spread over 10 ms would spend its time
 * waking.  A timer is never fired early.
 *
 * Two shortcuts a learner should know about, because they are where this
 * loop differs from asyncio's:
 *   - Step 3 is skipped when no fd is waited on and callbacks are ready:
 *     with nothing to ask the kernel, a poll with timeout 0 is a wasted
 *     system call (asyncio makes it anyway).  Callbacks from other threads
 *     are still seen in step 1, from an atomic counter.
 *   - The GIL is released only around a poll that may block; a poll with
 *     timeout 0 returns at once, and a release/retake pair would cost more
 *     than the poll.  rt_checkpoint() is called once per iteration, so a
 *     busy loop still lets other threads have the GIL (see rt.h).
 *
 * Threads.  The loop belongs to one thread.  The only door in from other
 * threads is rt_call_soon_threadsafe: a mutex-protected list, plus an
 * eventfd the loop's epoll watches, written when the list goes from "loop
 * knows" to "loop may be asleep".  The flag ts_wake avoids a write per call
 * when a burst of calls arrives: only the first writes; the loop clears the
 * flag before it takes the list, so a call that finds the flag set is sure
 * to be taken by the loop's next look.
 */
#include "loop_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { RT__L_OPEN = 1, RT__L_RUNNING, RT__L_CLOSED };

/* Lazy cancellation: rebuild only for heaps at least this big (asyncio's
 * _MIN_SCHEDULED_TIMER_HANDLES) and when more than half is cancelled. */
#define S_MIN_COMPACT 100

/* The granularity of a blocking wait for a timer (see the essay). */
#define S_GRAIN_NS 1000000

static void S_run_handle(rt_loop *l, void *arg);
static void S_run_node(rt_loop *l, void *arg);

/* ---------------------------------------------------------------- life */

rt_loop *rt_loop_new(const rt_loop_core_ops *core)
{
    rt_loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->core = core ? core : &rt_loop_core_builtin;
    l->cs = l->core->create();
    if (!l->cs)
        goto fail;
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->wake_fd < 0)
        goto fail_core;
    int rc = l->core->io_watch(l->cs, l->wake_fd, 0, RT_IO_READ);
    if (rc < 0) {
        errno = -rc;
        goto fail_fd;
    }
    pthread_mutex_init(&l->ts_lock, NULL);
    l->state = RT__L_OPEN;
    return l;
fail_fd:
    close(l->wake_fd);
fail_core:
    l->core->destroy(l->cs);
fail : {
    int e = errno;
    free(l);
    errno = e;
    return NULL;
}
}

int rt_loop_close(rt_loop *l)
{
    if (!l)
        return -EINVAL;
    if (l->state == RT__L_RUNNING)
        return -EBUSY;
    if (l->state == RT__L_CLOSED)
        return 0;
    pthread_mutex_lock(&l->ts_lock);
    l->ts_closed = 1; /* from now on rt_call_soon_threadsafe says -ESHUTDOWN */
    rt__tscall *calls = l->ts_head;
    l->ts_head = l->ts_tail = NULL;
    pthread_mutex_unlock(&l->ts_lock);
    while (calls) {
        rt__tscall *next = calls->next;
        if (calls->drop)
            calls->drop(calls);
        else
            free(calls);
        calls = next;
    }
    /* Tasks first: they give up their timers and fd waits. */
    rt__tasks_close(l);
    rt_callback cb;
    void *arg;
    while (l->core->ready_pop(l->cs, &cb, &arg)) {
        /* Only timers with a handle own something in the queue, and
         * caller-owned nodes from other threads would (today an iteration
         * runs every node it takes, so none is left here: the check keeps
         * close correct should that change). */
        if (cb == S_run_handle)
            rt_timer_release(arg);
        else if (cb == S_run_node)
            ((rt__tscall *)arg)->drop(arg);
    }
    rt_timer_entry e;
    while (l->core->timer_pop(l->cs, &e)) {
        if (e.cb == S_run_handle) {
            ((rt_timer *)e.arg)->in_heap = 0;
            rt_timer_release(e.arg);
        }
    }
    rt__io_close(l);
    close(l->wake_fd);
    l->core->destroy(l->cs);
    l->cs = NULL;
    l->state = RT__L_CLOSED;
    return 0;
}

void rt_loop_free(rt_loop *l)
{
    if (!l)
        return;
    if (rt_loop_close(l) < 0)
        rt__fatal("rt_loop_free on a running loop");
    pthread_mutex_destroy(&l->ts_lock);
    free(l);
}

uint64_t rt_loop_now(const rt_loop *l)
{
    (void)l;
    return rt_now_ns();
}

void rt_loop_stats_get(const rt_loop *l, rt_loop_stats *out)
{
    if (l && out)
        *out = l->stats;
    else if (out)
        memset(out, 0, sizeof *out);
}

void rt_loop_stop(rt_loop *l)
{
    if (l)
        l->stop = 1;
}

/* ---------------------------------------------------------------- ready */

/* Queues cb(l, arg).  Loop thread.  Running out of memory here would lose
 * a task's wake-up, which no caller could repair, so it is fatal. */
void rt__ready(rt_loop *l, rt_callback cb, void *arg)
{
    if (l->core->ready_push(l->cs, cb, arg) < 0)
        rt__fatal("event loop: out of memory for the ready queue");
}

int rt_call_soon(rt_loop *l, rt_callback cb, void *arg)
{
    if (!l || !cb)
        return -EINVAL;
    if (l->state == RT__L_CLOSED)
        return -ESHUTDOWN;
    return l->core->ready_push(l->cs, cb, arg);
}

/* Appends c to the list other threads fill and wakes the loop.  Returns 0
 * or -ESHUTDOWN (c is not queued).  Any thread. */
static int S_enqueue(rt_loop *l, rt__tscall *c)
{
    c->next = NULL;
    pthread_mutex_lock(&l->ts_lock);
    if (l->ts_closed) {
        pthread_mutex_unlock(&l->ts_lock);
        return -ESHUTDOWN;
    }
    if (l->ts_tail)
        l->ts_tail->next = c;
    else
        l->ts_head = c;
    l->ts_tail = c;
    atomic_fetch_add(&l->ts_count, 1);
    /* Write the eventfd under the lock: rt_loop_close cannot close it now. */
    if (!atomic_exchange(&l->ts_wake, 1)) {
        uint64_t one = 1;
        ssize_t w;
        do
            w = write(l->wake_fd, &one, sizeof one);
        while (w < 0 && errno == EINTR);
        /* EAGAIN means the counter is full: the loop is woken anyway. */
    }
    pthread_mutex_unlock(&l->ts_lock);
    return 0;
}

int rt_call_soon_threadsafe(rt_loop *l, rt_callback cb, void *arg)
{
    if (!l || !cb)
        return -EINVAL;
    rt__tscall *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    *c = (rt__tscall){.cb = cb, .arg = arg};
    int rc = S_enqueue(l, c);
    if (rc < 0)
        free(c);
    return rc;
}

int rt__call_soon_threadsafe_node(rt_loop *l, rt__tscall *c)
{
    assert(c->drop); /* a node without an owner would be freed by the loop */
    return S_enqueue(l, c);
}

/* A caller-owned node's turn in the ready queue (it may be freed by its
 * callback). */
static void S_run_node(rt_loop *l, void *arg)
{
    rt__tscall *c = arg;
    c->cb(l, c->arg);
}

/* Moves the calls other threads queued into the ready queue.  Loop thread.
 * Our own nodes are freed here; a caller-owned node goes into the queue
 * itself, so that closing the loop can hand it back (drop). */
static void S_take_threadsafe(rt_loop *l)
{
    if (atomic_load_explicit(&l->ts_count, memory_order_acquire) == 0)
        return;
    pthread_mutex_lock(&l->ts_lock);
    rt__tscall *c = l->ts_head;
    l->ts_head = l->ts_tail = NULL;
    atomic_store(&l->ts_count, 0);
    pthread_mutex_unlock(&l->ts_lock);
    while (c) {
        rt__tscall *next = c->next;
        l->stats.threadsafe_calls++;
        if (c->drop) {
            rt__ready(l, S_run_node, c);
        } else {
            rt__ready(l, c->cb, c->arg);
            free(c);
        }
        c = next;
    }
}

/* The eventfd fired: re-arm the flag first (see the essay), then drain. */
static void S_wake_drain(rt_loop *l)
{
    uint64_t n;
    atomic_store(&l->ts_wake, 0);
    while (read(l->wake_fd, &n, sizeof n) < 0 && errno == EINTR) {
    }
}

/* ---------------------------------------------------------------- timers */

/* Two kinds of timer entry.  A timer nobody can cancel (call_later without
 * a handle) is just (deadline, seq, cb, arg) in the heap: no allocation, and
 * when due, (cb, arg) goes straight to the ready queue.  A timer with a
 * handle - the caller's, or a task's sleep or timeout, which cancellation
 * must reach - also has an rt_timer, and its entry is (S_run_handle,
 * timer).  The ready queue holds the rt_timer too, so a timer cancelled after
 * it left the heap but before its turn in the queue still does not run. */
static void S_run_handle(rt_loop *l, void *arg)
{
    rt_timer *tm = arg;
    if (!tm->cancelled) {
        tm->ran = 1;
        tm->cb(l, tm->arg);
    }
    rt_timer_release(tm);
}

static int S_cancelled(const rt_timer_entry *e)
{
    return e->cb == S_run_handle && ((rt_timer *)e->arg)->cancelled;
}

static int S_push(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg)
{
    rt_timer_entry e = {deadline_ns, ++l->timer_seq, cb, arg};
    int rc = l->core->timer_push(l->cs, &e);
    if (rc < 0)
        return rc;
    size_t n = l->core->timer_count(l->cs);
    if (n > l->stats.max_timers)
        l->stats.max_timers = n;
    return 0;
}

/* Schedules a timer with a handle; returns it holding two references, the
 * loop's and the caller's, or NULL on ENOMEM.  Loop thread. */
rt_timer *rt__timer_add(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg)
{
    rt_timer *tm = malloc(sizeof *tm);
    if (!tm)
        return NULL;
    *tm = (rt_timer){.cb = cb, .arg = arg, .in_heap = 1};
    atomic_init(&tm->refs, 2);
    if (S_push(l, deadline_ns, S_run_handle, tm) < 0) {
        free(tm);
        return NULL;
    }
    return tm;
}

/* Drops a cancelled entry that left the heap (popped or compacted away). */
static void S_discard(rt_loop *l, const rt_timer_entry *e)
{
    rt_timer *tm = e->arg;
    tm->in_heap = 0;
    l->timers_cancelled--;
    rt_timer_release(tm);
}

static int S_keep_live(const rt_timer_entry *e, void *arg)
{
    if (!S_cancelled(e))
        return 1;
    S_discard(arg, e);
    return 0;
}

/* Marks tm cancelled (it stays in the heap until it surfaces or the heap is
 * compacted).  Does not drop the caller's reference.  Loop thread. */
void rt__timer_cancel(rt_loop *l, rt_timer *tm)
{
    if (tm->cancelled)
        return;
    tm->cancelled = 1;
    l->stats.timers_cancelled++;
    if (!tm->in_heap)
        return;
    l->timers_cancelled++;
    size_t n = l->core->timer_count(l->cs);
    if (l->core->timer_compact && n >= S_MIN_COMPACT && 2 * l->timers_cancelled > n) {
        l->core->timer_compact(l->cs, S_keep_live, l);
        l->stats.heap_rebuilds++;
        assert(l->timers_cancelled == 0);
    }
}

int rt_call_at(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg,
               rt_timer **handle)
{
    if (!l || !cb)
        return -EINVAL;
    if (l->state == RT__L_CLOSED)
        return -ESHUTDOWN;
    if (!handle)
        return S_push(l, deadline_ns, cb, arg);
    *handle = rt__timer_add(l, deadline_ns, cb, arg);
    return *handle ? 0 : -ENOMEM;
}

int rt_call_later(rt_loop *l, uint64_t delay_ns, rt_callback cb, void *arg,
                  rt_timer **handle)
{
    return rt_call_at(l, rt_now_ns() + delay_ns, cb, arg, handle);
}

int rt_timer_cancel(rt_loop *l, rt_timer *h)
{
    if (!l || !h)
        return -EINVAL;
    int ran = h->ran;
    if (!ran && l->state != RT__L_CLOSED) /* closing dropped it already */
        rt__timer_cancel(l, h);
    rt_timer_release(h);
    return ran ? -EALREADY : 0;
}

/* Any thread: the loop drops its reference on its own thread while a
 * holder may drop theirs on another, so the count is atomic.  The
 * decrement is acquire-release: whoever frees sees every write the other
 * made to the timer before letting go. */
void rt_timer_release(rt_timer *h)
{
    if (!h)
        return;
    unsigned before = atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel);
    if (before == 0)
        rt__fatal("rt_timer_release: the timer was already released");
    if (before == 1)
        free(h);
}

/* Pops the cancelled timers off the top, so the top is live.  Returns 1
 * and the top entry in *e if there is one. */
static int S_peek_live(rt_loop *l, rt_timer_entry *e)
{
    while (l->core->timer_peek(l->cs, e)) {
        if (!S_cancelled(e))
            return 1;
        l->core->timer_pop(l->cs, e);
        S_discard(l, e);
    }
    return 0;
}

/* Step 4: every timer due by `now` goes to the ready queue, in order. */
static void S_expire_timers(rt_loop *l, uint64_t now)
{
    rt_timer_entry e;
    while (S_peek_live(l, &e) && e.deadline_ns <= now) {
        l->core->timer_pop(l->cs, &e);
        if (e.cb == S_run_handle)
            ((rt_timer *)e.arg)->in_heap = 0;
        l->stats.timers_fired++;
        rt__ready(l, e.cb, e.arg);
    }
}

/* ---------------------------------------------------------------- run */

/* Nothing could ever happen again: see rt_loop_run's contract. */
static int S_idle(rt_loop *l)
{
    rt_timer_entry e;
    return l->core->ready_count(l->cs) == 0 && !S_peek_live(l, &e) &&
           l->stats.fds_waiting == 0 && l->tasks == NULL &&
           atomic_load(&l->ts_count) == 0;
}

/* Step 3: wait for readiness for up to timeout_ns, without the GIL if the
 * wait may block.  Returns 0 or a negative errno (EINTR is retried by the
 * caller's next iteration). */
static int S_poll(rt_loop *l, int64_t timeout_ns)
{
    rt_tstate *ts = NULL;
    if (timeout_ns != 0 && rt_current() && rt_holds_gil())
        ts = rt_save_thread();
    int n = l->core->io_wait(l->cs, timeout_ns, l->events, RT__LOOP_EVENTS);
    if (ts)
        rt_restore_thread(ts);
    l->stats.polls++;
    if (timeout_ns != 0)
        l->stats.polls_blocking++;
    if (n == -EINTR) {
        l->stats.polls_interrupted++;
        return 0;
    }
    if (n < 0)
        return n;
    /* The eventfd is the loop's own; everything else is a task's fd. */
    int j = 0;
    for (int i = 0; i < n; i++) {
        if (l->events[i].fd == l->wake_fd)
            S_wake_drain(l);
        else
            l->events[j++] = l->events[i];
    }
    rt__io_dispatch(l, l->events, j);
    return 0;
}

// [iterate]
static int S_iterate(rt_loop *l)
{
    l->stats.iterations++;
    S_take_threadsafe(l); /* 1 */
    int64_t timeout = 0;  /* 2 */
    rt_timer_entry e;
    if (l->core->ready_count(l->cs) == 0 && !l->stop) {
        if (S_peek_live(l, &e)) {
            uint64_t now = rt_now_ns();
            timeout = e.deadline_ns > now ? (int64_t)(e.deadline_ns - now) : 0;
            /* Whole milliseconds, rounded up (see the essay). */
            timeout = (timeout + S_GRAIN_NS - 1) / S_GRAIN_NS * S_GRAIN_NS;
        } else {
            timeout = -1;
        }
    }
    if (timeout != 0 || l->stats.fds_waiting > 0) { /* 3 */
        int rc = S_poll(l, timeout);
        if (rc < 0)
            return rc;
    }
    if (l->core->timer_count(l->cs) > 0) /* 4 */
        S_expire_timers(l, rt_now_ns());
    size_t n = l->core->ready_count(l->cs); /* 5 */
    l->stats.callbacks += n;
    while (n-- > 0) {
        rt_callback cb;
        void *arg;
        int got = l->core->ready_pop(l->cs, &cb, &arg);
        assert(got);
        (void)got;
        cb(l, arg);
    }
    return 0;
}
// [end]

static int S_run(rt_loop *l, rt__task *until)
{
    if (!l)
        return -EINVAL;
    if (l->state == RT__L_CLOSED)
        return -ESHUTDOWN;
    if (l->state == RT__L_RUNNING)
        return -EBUSY;
    l->state = RT__L_RUNNING;
    l->stop = 0;
    int rc = 0;
    for (;;) {
        if (until ? until->state == RT__T_DONE : S_idle(l))
            break;
        rc = S_iterate(l);
        if (rc < 0 || l->stop)
            break;
        rt_checkpoint(); /* let other threads have the GIL if they asked */
    }
    l->state = RT__L_OPEN;
    return rc;
}

int rt_loop_run(rt_loop *l)
{
    return S_run(l, NULL);
}

int rt_loop_run_until(rt_loop *l, rt_task *task)
{
    if (!task)
        return -EINVAL;
    return S_run(l, rt__task_of(task));
}
