/*
 * test_loop.c - the event loop: ordering, the ready queue, timers,
 * timeouts, the GIL, a core of one's own.  Tasks, cancellation, gather,
 * futures, threads and errors: test_loop_task.c; fds: test_loop_io.c.
 *
 * Time is asserted from the loop's own clock with generous bounds: what is
 * checked is the pattern (waits overlap: three sleeps take about the
 * longest, not the sum) and the order, never a tight figure.
 */
#include "test_loop_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

CASE(sleeps_finish_in_deadline_order_and_overlap)
{
    rt_loop *l = new_loop();
    const uint64_t unit = 100 * MS;
    struct trio fr = {.unit = unit};
    rt_task *main = rt_spawn(l, trio, &fr, sizeof fr);
    uint64_t t0 = rt_loop_now(l);
    CHECK(rt_loop_run_until(l, main) == 0);
    uint64_t took = rt_loop_now(l) - t0;
    CHECK(rt_task_result(main) == 0);
    CHECKF(norder == 3 && memcmp(order, "BAC", 3) == 0, "order %.*s", norder, order);
    /* Each woke no earlier than its deadline. */
    CHECK(woke_at[1] - t0 >= 1 * unit);
    CHECK(woke_at[0] - t0 >= 2 * unit);
    CHECK(woke_at[2] - t0 >= 3 * unit);
    /* About the longest (3 units), far from the sum (6). */
    CHECKF(took >= 3 * unit && took < 5 * unit, "took %llu ms",
           (unsigned long long)(took / MS));
    rt_task *kids[3];
    memcpy(kids, ((struct trio *)rt_frame(main))->kids, sizeof kids);
    CHECK(rt_task_result(kids[0]) == 'A' && rt_task_result(kids[1]) == 'B' &&
          rt_task_result(kids[2]) == 'C');
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECKF(s.max_waiting == 4, "max_waiting %zu", s.max_waiting); /* 3 + gather */
    CHECK(s.tasks_created == 4 && s.tasks_done == 4 && s.timers_fired == 3);
    for (int i = 0; i < 3; i++)
        rt_task_release(kids[i]);
    rt_task_release(main);
    rt_loop_free(l);
    rt_fini();
}

static uintptr_t fired[1000];
static int nfired;

static void record(rt_loop *l, void *arg)
{
    fired[nfired++] = (uintptr_t)arg;
}

CASE(equal_deadlines_fire_fifo)
{
    rt_loop *l = new_loop();
    uint64_t when = rt_now_ns() + 5 * MS;
    /* Interleave two deadlines so the heap really has to sort. */
    for (uintptr_t i = 0; i < 1000; i++)
        CHECK(rt_call_at(l, when + (i % 2 ? 0 : MS), record, (void *)i, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(nfired == 1000);
    for (int i = 0; i < 500; i++) {
        CHECKF(fired[i] == (uintptr_t)(2 * i + 1), "%d: %zu", i, (size_t)fired[i]);
        CHECKF(fired[500 + i] == (uintptr_t)(2 * i), "%d: %zu", i, (size_t)fired[i]);
    }
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- ready */

static uint64_t iter_of[2];

static void second(rt_loop *l, void *arg)
{
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    iter_of[1] = s.iterations;
}

static void first(rt_loop *l, void *arg)
{
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    iter_of[0] = s.iterations;
    CHECK(rt_call_soon(l, second, NULL) == 0);
}

CASE(callbacks_added_meanwhile_wait_for_next_iteration)
{
    rt_loop *l = new_loop();
    CHECK(rt_call_soon(l, first, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(iter_of[0] > 0 && iter_of[1] == iter_of[0] + 1);
    rt_loop_free(l);
    rt_fini();
}

struct yielder {
    char name;
    int n, i;
};

static int yielder(rt_task *t)
{
    struct yielder *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < f->n; f->i++) {
        order[norder++] = f->name;
        RT_AWAIT(t, rt_async_yield(t));
    }
    RT_END(t, 0);
}

CASE(yielding_tasks_take_turns)
{
    rt_loop *l = new_loop();
    struct yielder a = {'a', 4, 0}, b = {'b', 4, 0};
    rt_task_release(rt_spawn(l, yielder, &a, sizeof a));
    rt_task_release(rt_spawn(l, yielder, &b, sizeof b));
    CHECK(rt_loop_run(l) == 0);
    CHECKF(norder == 8 && memcmp(order, "abababab", 8) == 0, "%.*s", norder, order);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.switches == 10); /* 5 steps each: 4 yields, then the end */
    CHECK(s.polls == 0);     /* no fd, callbacks ready: nothing to ask the kernel */
    rt_loop_free(l);
    rt_fini();
}

/* With tracing on, each step is a task-switch event naming the task: the
 * trace shows the two tasks taking turns. */
CASE(task_switches_are_traced)
{
    tu_init(RT_GIL_CPYTHON, 0, 4096);
    rt_loop *l = rt_loop_new(NULL);
    CHECK(l != NULL);
    struct yielder a = {'a', 3, 0}, b = {'b', 3, 0};
    rt_task *ta = rt_spawn(l, yielder, &a, sizeof a);
    rt_task *tb = rt_spawn(l, yielder, &b, sizeof b);
    CHECK(rt_loop_run(l) == 0);
    size_t n, dropped;
    const rt_event *ev = rt_trace_events(&n, &dropped);
    uint32_t seen[16];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 16; i++)
        if (ev[i].kind == RT_EV_TASK_SWITCH)
            seen[k++] = ev[i].arg;
    CHECKF(k == 8, "%zu switch events", k);
    for (size_t i = 0; i < k; i++)
        CHECK(seen[i] == (i % 2 ? tb->id : ta->id));
    rt_task_release(ta);
    rt_task_release(tb);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- timeouts */

struct guarded {
    uint64_t timeout, sleep;
    long first, second;
};

static int guarded(rt_task *t)
{
    struct guarded *f = rt_frame(t);
    RT_BEGIN(t);
    CHECK(rt_timeout_set(t, f->timeout) == 0);
    RT_AWAIT(t, rt_async_sleep(t, f->sleep));
    f->first = t->awaited;
    rt_timeout_clear(t);
    RT_AWAIT(t, rt_async_sleep(t, MS)); /* must not be hit by the old timeout */
    f->second = t->awaited;
    RT_END(t, 0);
}

CASE(timeouts)
{
    rt_loop *l = new_loop();
    struct guarded hit = {20 * MS, 60000 * MS, 1, 1}, miss = {60000 * MS, 5 * MS, 1, 1};
    rt_task *a = rt_spawn(l, guarded, &hit, sizeof hit);
    rt_task *b = rt_spawn(l, guarded, &miss, sizeof miss);
    uint64_t t0 = rt_loop_now(l);
    CHECK(rt_loop_run(l) == 0);
    /* Ends early: the minute-long sleep was cut, the cleared timeout does
     * not keep the loop alive. */
    CHECK(rt_loop_now(l) - t0 < 30000 * MS);
    struct guarded *fa = rt_frame(a), *fb = rt_frame(b);
    CHECK(fa->first == -ETIMEDOUT && fa->second == 0);
    CHECK(fb->first == 0 && fb->second == 0);
    rt_task_release(a);
    rt_task_release(b);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- timers */

#define NTIMERS 1000000
static uint32_t *deadline_of; /* per timer: ms offset (many ties) */
static uint32_t last_fired = UINT32_MAX;
static size_t nfired_big;

static void big_fire(rt_loop *l, void *arg)
{
    uint32_t i = (uint32_t)(uintptr_t)arg;
    CHECKF(i % 4 == 0, "cancelled timer %u fired", i);
    if (last_fired != UINT32_MAX) {
        uint32_t d0 = deadline_of[last_fired], d1 = deadline_of[i];
        CHECKF(d0 < d1 || (d0 == d1 && last_fired < i), "%u after %u", i, last_fired);
    }
    last_fired = i;
    nfired_big++;
}

CASE(million_pending_timers_with_lazy_cancellation)
{
    rt_loop *l = new_loop();
    deadline_of = malloc(NTIMERS * sizeof *deadline_of);
    rt_timer **h = malloc(NTIMERS * sizeof *h);
    CHECK(deadline_of && h);
    uint64_t base = rt_now_ns() + 50 * MS;
    uint32_t x = 12345;
    for (uint32_t i = 0; i < NTIMERS; i++) {
        x = x * 1103515245u + 12345u; /* scrambled deadlines, 200 distinct */
        deadline_of[i] = (x >> 16) % 200;
        CHECK(rt_call_at(l, base + deadline_of[i] * 100000ull, big_fire,
                         (void *)(uintptr_t)i, &h[i]) == 0);
    }
    /* Cancel three in four: the heap must be rebuilt along the way. */
    for (uint32_t i = 0; i < NTIMERS; i++) {
        if (i % 4)
            CHECK(rt_timer_cancel(l, h[i]) == 0);
        else
            rt_timer_release(h[i]);
    }
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.max_timers == NTIMERS);
    CHECK(s.heap_rebuilds >= 1);
    CHECK(rt_loop_run(l) == 0);
    rt_loop_stats_get(l, &s);
    CHECKF(nfired_big == NTIMERS / 4, "fired %zu", nfired_big);
    CHECK(s.timers_fired == NTIMERS / 4 && s.timers_cancelled == 3 * NTIMERS / 4);
    free(deadline_of);
    free(h);
    rt_loop_free(l);
    rt_fini();
}

/* rt_timer_release is for any thread: a plain thread (not attached, so no
 * GIL orders it with the loop) gives up its handles while the loop fires
 * the timers and drops its own references.  The reference count is shared
 * by the two threads: ThreadSanitizer reports a race if it is not atomic,
 * and ASan a double free or a leak if a decrement is lost. */
#define NRELEASE 64
static rt_timer *release_h[NRELEASE];
static int release_fired;

static void release_fire(rt_loop *l, void *arg)
{
    release_fired++;
}

static void *release_all(void *arg)
{
    for (int i = 0; i < NRELEASE; i++)
        rt_timer_release(release_h[i]);
    return NULL;
}

CASE(timer_release_from_another_thread)
{
    rt_loop *l = new_loop();
    for (int i = 0; i < NRELEASE; i++) /* due in 0 to 0.3 ms: fired meanwhile */
        CHECK(rt_call_later(l, (uint64_t)(i % 4) * 100000, release_fire, NULL,
                            &release_h[i]) == 0);
    pthread_t th;
    CHECK(pthread_create(&th, NULL, release_all, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    CHECK(release_fired == NRELEASE);
    rt_loop_free(l);
    rt_fini();
}

static _Atomic uint64_t worker_done_at;

static void cpu_worker(void *arg)
{
    rt_bytecodes((uint64_t)(20 * rt_bytecodes_per_ms()));
    atomic_store(&worker_done_at, rt_now_ns());
}

CASE(gil_released_while_blocked)
{
    rt_loop *l = new_loop();
    rt_bytecodes_per_ms(); /* calibrate before the clock starts */
    struct sleeper s = {1000 * MS, 'A'};
    rt_task *t = rt_spawn(l, sleeper, &s, sizeof s);
    rt_thread *w = rt_thread_start(cpu_worker, NULL);
    CHECK(w != NULL);
    CHECK(rt_loop_run(l) == 0);
    uint64_t done = atomic_load(&worker_done_at);
    CHECKF(done != 0 && done < woke_at[0], "worker done %lld ms after the wake",
           (long long)(done - woke_at[0]) / 1000000);
    CHECK(rt_thread_join(w) == 0);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- core slot */

/* Exercise 07's slot: a core of one's own.  This one delegates to the
 * built-in core but counts each call and offers no timer_compact, so the
 * loop must do without heap rebuilds: everything still works, through the
 * ops only. */
static const rt_loop_core_ops *B = &rt_loop_core_builtin;
static size_t n_push, n_pop, n_ready, n_wait;

static int c_timer_push(void *s, const rt_timer_entry *e)
{
    n_push++;
    return B->timer_push(s, e);
}
static int c_timer_pop(void *s, rt_timer_entry *e)
{
    n_pop++;
    return B->timer_pop(s, e);
}
static int c_ready_push(void *s, rt_callback cb, void *arg)
{
    n_ready++;
    return B->ready_push(s, cb, arg);
}
static int c_io_wait(void *s, int64_t timeout_ns, rt_io_event *out, int max)
{
    n_wait++;
    return B->io_wait(s, timeout_ns, out, max);
}

CASE(a_core_of_ones_own)
{
    rt_loop_core_ops ops = *B;
    ops.name = "counting";
    ops.timer_push = c_timer_push;
    ops.timer_pop = c_timer_pop;
    ops.timer_compact = NULL;
    ops.ready_push = c_ready_push;
    ops.io_wait = c_io_wait;
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_loop *l = rt_loop_new(&ops);
    CHECK(l != NULL);
    /* 100 ms apart: the order holds even if the loop thread is preempted
     * between the three sleepers' first steps on a busy machine. */
    struct trio fr = {.unit = 100 * MS};
    rt_task *main = rt_spawn(l, trio, &fr, sizeof fr);
    rt_timer *h[200];
    for (int i = 0; i < 200; i++) /* all cancelled: no compaction offered */
        CHECK(rt_call_later(l, 5 * MS, record, NULL, &h[i]) == 0);
    for (int i = 0; i < 200; i++)
        CHECK(rt_timer_cancel(l, h[i]) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(memcmp(order, "BAC", 3) == 0 && nfired == 0);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.heap_rebuilds == 0 && s.timers_fired == 3);
    CHECK(n_push == 203 && n_pop == 203 && n_ready >= 8 && n_wait >= 1);
    struct trio *f = rt_frame(main);
    for (int i = 0; i < 3; i++)
        rt_task_release(f->kids[i]);
    rt_task_release(main);
    rt_loop_free(l);
    rt_fini();
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(sleeps_finish_in_deadline_order_and_overlap,
                            equal_deadlines_fire_fifo,
                            callbacks_added_meanwhile_wait_for_next_iteration,
                            yielding_tasks_take_turns, task_switches_are_traced,
                            timeouts, million_pending_timers_with_lazy_cancellation,
                            timer_release_from_another_thread,
                            gil_released_while_blocked, a_core_of_ones_own));
}
