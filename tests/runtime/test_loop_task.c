/*
 * test_loop_task.c - the event loop's tasks: cancellation, gather, futures,
 * call_soon from other threads, errors, closing.
 *
 * Time is asserted from the loop's own clock with generous bounds: what is
 * checked is the pattern (waits overlap: three sleeps take about the
 * longest, not the sum) and the order, never a tight figure.
 */
#include "test_loop_util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void nothing(rt_loop *l, void *arg) {}

/* ---------------------------------------------------------------- cancel */

static void cancel_it(rt_loop *l, void *arg)
{
    CHECK(rt_task_cancel(arg) == 0);
}

CASE(cancel_mid_await)
{
    rt_loop *l = new_loop();
    struct sleeper s = {60000 * MS, 'A'}; /* a minute */
    rt_task *t = rt_spawn(l, sleeper, &s, sizeof s);
    CHECK(rt_call_later(l, 20 * MS, cancel_it, t, NULL) == 0);
    uint64_t t0 = rt_loop_now(l);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_loop_now(l) - t0 < 30000 * MS); /* woke early, generously */
    CHECK(rt_task_result(t) == -ECANCELED);
    CHECK(norder == 0); /* the code after the await did not run */
    CHECK(rt_task_cancel(t) == -EALREADY);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    CHECK(st.timers_cancelled == 1 && st.waiting == 0);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

static int never_runs(rt_task *t)
{
    order[norder++] = 'X';
    return RT_DONE;
}

CASE(cancel_before_first_step)
{
    rt_loop *l = new_loop();
    rt_task *t = rt_spawn(l, never_runs, NULL, 0);
    CHECK(rt_task_cancel(t) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(norder == 0 && rt_task_result(t) == -ECANCELED);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

/* Cancels itself, then sees it at its next await; then carries on, as a
 * coroutine that catches CancelledError may. */
static int self_cancel(rt_task *t)
{
    RT_BEGIN(t);
    CHECK(rt_task_cancel(t) == 0);
    RT_AWAIT(t, rt_async_sleep(t, 60000 * MS));
    CHECK(t->awaited == -ECANCELED);
    RT_AWAIT(t, rt_async_yield(t));
    CHECK(t->awaited == 0);
    RT_END(t, 7);
}

CASE(self_cancel_seen_at_next_await)
{
    rt_loop *l = new_loop();
    rt_task *t = rt_spawn(l, self_cancel, NULL, 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(t) == 7);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

CASE(cancelling_gather_cancels_its_tasks)
{
    rt_loop *l = new_loop();
    struct trio fr = {.unit = 60000 * MS};
    rt_task *main = rt_spawn(l, trio, &fr, sizeof fr);
    CHECK(rt_call_later(l, 20 * MS, cancel_it, main, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(main) == -ECANCELED);
    struct trio *f = rt_frame(main);
    for (int i = 0; i < 3; i++) {
        CHECK(rt_task_result(f->kids[i]) == -ECANCELED);
        rt_task_release(f->kids[i]);
    }
    CHECK(norder == 0);
    rt_task_release(main);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- gather */

struct fails {
    uint64_t ns;
    long result;
};

static int fails(rt_task *t)
{
    struct fails *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, f->ns));
    RT_END(t, f->result);
}

struct gatherer {
    rt_task *kids[3];
    uint64_t at_error;
};

static int gatherer(rt_task *t)
{
    struct gatherer *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_gather(t, f->kids, 3));
    f->at_error = rt_loop_now(rt_task_loop(t));
    RT_END(t, t->awaited);
}

CASE(gather_reports_first_error_at_once)
{
    rt_loop *l = new_loop();
    struct fails a = {200 * MS, 1}, b = {10 * MS, -EIO}, c = {300 * MS, 3};
    struct gatherer g = {{rt_spawn(l, fails, &a, sizeof a),
                          rt_spawn(l, fails, &b, sizeof b),
                          rt_spawn(l, fails, &c, sizeof c)},
                         0};
    rt_task *t = rt_spawn(l, gatherer, &g, sizeof g);
    uint64_t t0 = rt_loop_now(l);
    CHECK(rt_loop_run(l) == 0); /* runs on until the others are done too */
    struct gatherer *f = rt_frame(t);
    CHECK(rt_task_result(t) == -EIO);
    /* The error arrived before the 200 ms task was done. */
    CHECK(f->at_error - t0 < 200 * MS);
    CHECK(rt_task_result(g.kids[0]) == 1 && rt_task_result(g.kids[2]) == 3);
    for (int i = 0; i < 3; i++)
        rt_task_release(g.kids[i]);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

struct twice {
    rt_task *kids[3];
};

static int gather_twice(rt_task *t)
{
    struct twice *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_gather(t, f->kids, 3));
    RT_END(t, t->awaited);
}

/* A task listed twice is waited for once; its failure ends the gather
 * without touching the gather's freed state (ASan watches). */
CASE(gather_with_a_task_listed_twice)
{
    rt_loop *l = new_loop();
    struct fails bad = {5 * MS, -EIO}, good = {50 * MS, 2};
    rt_task *b = rt_spawn(l, fails, &bad, sizeof bad);
    rt_task *g = rt_spawn(l, fails, &good, sizeof good);
    struct twice tw = {{b, g, b}};
    rt_task *t = rt_spawn(l, gather_twice, &tw, sizeof tw);
    struct twice ok = {{g, g, g}};
    rt_task *t2 = rt_spawn(l, gather_twice, &ok, sizeof ok);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(t) == -EIO);
    CHECK(rt_task_result(t2) == 0 && rt_task_result(g) == 2);
    rt_task_release(b);
    rt_task_release(g);
    rt_task_release(t);
    rt_task_release(t2);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- futures */

struct awaiter {
    rt_future *fut;
    int round;
};

static int awaiter(rt_task *t)
{
    struct awaiter *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_future(t, f->fut));
    order[norder++] = (char)('0' + f->round);
    RT_END(t, t->awaited);
}

static void set_42(rt_loop *l, void *arg)
{
    CHECK(rt_future_set(arg, 42) == 0);
    CHECK(rt_future_set(arg, 43) == -EALREADY);
}

CASE(futures_wake_waiters_in_order)
{
    rt_loop *l = new_loop();
    rt_future fut;
    rt_future_init(&fut);
    rt_task *t[3];
    for (int i = 0; i < 3; i++) {
        struct awaiter a = {&fut, i};
        t[i] = rt_spawn(l, awaiter, &a, sizeof a);
    }
    CHECK(rt_call_later(l, 10 * MS, set_42, &fut, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(norder == 3 && memcmp(order, "012", 3) == 0);
    for (int i = 0; i < 3; i++) {
        CHECK(rt_task_result(t[i]) == 42);
        rt_task_release(t[i]);
    }
    /* A done future is no wait at all. */
    struct awaiter a = {&fut, 9};
    rt_task *d = rt_spawn(l, awaiter, &a, sizeof a);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(d) == 42);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.switches == 7); /* 3 x (wait, resume), then 1: no wait at all */
    rt_task_release(d);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- chaos */

/* Many tasks awaiting each other in every way while cancellations and
 * timeouts land at random moments.  Checks the bookkeeping adds up at the
 * end; ASan and TSan check that no wait outlives what it waits on. */
#define NCHAOS 2000

static rt_future chaos_gate;
static uint32_t chaos_seed = 7;

static uint32_t chaos_rand(void)
{
    chaos_seed = chaos_seed * 1103515245u + 12345u;
    return chaos_seed >> 8;
}

struct chaos {
    int kind;
    uint64_t ns;
    rt_task *others[3];
};

static int chaos(rt_task *t)
{
    struct chaos *f = rt_frame(t);
    RT_BEGIN(t);
    if (f->kind == 1) /* a timeout that may cut the sleep below */
        CHECK(rt_timeout_set(t, f->ns / 2) == 0);
    if (f->kind == 2 && f->others[0])
        RT_AWAIT(t, rt_async_join(t, f->others[0]));
    else if (f->kind == 3 && f->others[2])
        RT_AWAIT(t, rt_async_gather(t, f->others, 3));
    else if (f->kind == 4)
        RT_AWAIT(t, rt_async_future(t, &chaos_gate));
    else
        RT_AWAIT(t, rt_async_sleep(t, f->ns));
    RT_AWAIT(t, rt_async_yield(t));
    rt_timeout_clear(t);
    RT_END(t, t->awaited < 0 ? t->awaited : f->kind);
}

static rt_task *chaos_tasks[NCHAOS];

static void chaos_cancel(rt_loop *l, void *arg)
{
    rt_task_cancel(chaos_tasks[(uintptr_t)arg]);
}

static void chaos_open(rt_loop *l, void *arg)
{
    rt_future_set(&chaos_gate, 1);
}

/* Spawns the NCHAOS tasks and their cancellations. */
static void chaos_start(rt_loop *l)
{
    rt_future_init(&chaos_gate);
    for (int i = 0; i < NCHAOS; i++) {
        struct chaos c = {(int)(chaos_rand() % 5), (chaos_rand() % 50) * MS / 10, {0}};
        for (int k = 0; k < 3 && i > 0; k++)
            c.others[k] = chaos_tasks[chaos_rand() % (uint32_t)i];
        CHECK((chaos_tasks[i] = rt_spawn(l, chaos, &c, sizeof c)) != NULL);
        if (chaos_rand() % 3 == 0)
            CHECK(rt_call_later(l, (chaos_rand() % 60) * MS / 10, chaos_cancel,
                                (void *)(uintptr_t)i, NULL) == 0);
    }
    CHECK(rt_call_later(l, 3 * MS, chaos_open, NULL, NULL) == 0);
}

CASE(chaos_of_waits_and_cancellations)
{
    rt_loop *l = new_loop();
    chaos_start(l);
    CHECK(rt_loop_run(l) == 0);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.tasks_created == NCHAOS && s.tasks_done == NCHAOS);
    CHECK(s.waiting == 0 && s.fds_waiting == 0);
    int cancelled = 0, timed_out = 0;
    for (int i = 0; i < NCHAOS; i++) {
        long r = rt_task_result(chaos_tasks[i]);
        CHECKF(r >= 0 || r == -ECANCELED || r == -ETIMEDOUT, "task %d: %ld", i, r);
        cancelled += r == -ECANCELED;
        timed_out += r == -ETIMEDOUT;
        rt_task_release(chaos_tasks[i]);
    }
    CHECKF(cancelled > 0 && timed_out > 0, "%d cancelled, %d timed out", cancelled,
           timed_out);
    rt_loop_free(l);
    rt_fini();
}

static void chaos_stop(rt_loop *l, void *arg)
{
    rt_loop_stop(l);
}

/* Closing the loop in the middle of it all: every task ends, cancelled or
 * done, and nothing is left pointing at freed memory. */
CASE(close_in_the_middle_of_chaos)
{
    rt_loop *l = new_loop();
    chaos_start(l);
    CHECK(rt_call_later(l, 2 * MS, chaos_stop, NULL, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.tasks_done < NCHAOS); /* stopped with work pending */
    CHECK(rt_loop_close(l) == 0);
    for (int i = 0; i < NCHAOS; i++) {
        CHECK(rt_task_done(chaos_tasks[i]));
        rt_task_release(chaos_tasks[i]);
    }
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- threads */

#define NTHREADS   4
#define PER_THREAD 1000

static rt_loop *ts_loop;
static rt_future ts_done;
static int ts_next[NTHREADS]; /* next sequence number expected per thread */
static int ts_total;

static void ts_cb(rt_loop *l, void *arg)
{
    uintptr_t v = (uintptr_t)arg;
    int th = (int)(v / PER_THREAD), seq = (int)(v % PER_THREAD);
    CHECKF(seq == ts_next[th], "thread %d: %d, expected %d", th, seq, ts_next[th]);
    ts_next[th]++;
    if (++ts_total == NTHREADS * PER_THREAD)
        rt_future_set(&ts_done, ts_total);
}

static void ts_thread(void *arg)
{
    uintptr_t th = (uintptr_t)arg;
    for (uintptr_t i = 0; i < PER_THREAD; i++) {
        CHECK(rt_call_soon_threadsafe(ts_loop, ts_cb, (void *)(th * PER_THREAD + i)) ==
              0);
        if (i % 64 == 0)
            rt_checkpoint();
    }
}

static int wait_done(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_future(t, &ts_done));
    RT_END(t, t->awaited);
}

CASE(call_soon_threadsafe_from_four_threads)
{
    ts_loop = new_loop();
    rt_future_init(&ts_done);
    rt_task *t = rt_spawn(ts_loop, wait_done, NULL, 0);
    rt_thread *th[NTHREADS];
    for (uintptr_t i = 0; i < NTHREADS; i++)
        CHECK((th[i] = rt_thread_start(ts_thread, (void *)i)) != NULL);
    CHECK(rt_loop_run_until(ts_loop, t) == 0);
    CHECK(rt_task_result(t) == NTHREADS * PER_THREAD);
    for (int i = 0; i < NTHREADS; i++)
        CHECK(rt_thread_join(th[i]) == 0);
    rt_loop_stats s;
    rt_loop_stats_get(ts_loop, &s);
    CHECK(s.threadsafe_calls == NTHREADS * PER_THREAD);
    rt_task_release(t);
    rt_loop_free(ts_loop);
    rt_fini();
}

/* The loop lets go of the GIL while it sleeps: a CPU-bound thread gets its
 * work done during a task's sleep, not after it. */
/* ---------------------------------------------------------------- errors */

static int reenter(rt_task *t)
{
    CHECK(rt_loop_run(rt_task_loop(t)) == -EBUSY);
    CHECK(rt_loop_close(rt_task_loop(t)) == -EBUSY);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_join(t, t));
    CHECK(t->awaited == -EDEADLK);
    RT_END(t, 0);
}

CASE(errors)
{
    rt_loop *l = new_loop();
    /* Awaiting outside a task: t exists but is not running. */
    struct sleeper s = {MS, 'A'};
    rt_task *t = rt_spawn(l, sleeper, &s, sizeof s);
    CHECK(rt_async_sleep(t, MS) == -EPERM);
    CHECK(rt_async_yield(NULL) == -EPERM);
    CHECK(rt_task_result(t) == -EAGAIN);
    rt_task *r = rt_spawn(l, reenter, NULL, 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(r) == 0);
    rt_task_release(r);
    CHECK(rt_loop_run_until(l, NULL) == -EINVAL);
    /* A closed loop. */
    CHECK(rt_loop_close(l) == 0);
    CHECK(rt_loop_close(l) == 0);
    CHECK(rt_loop_run(l) == -ESHUTDOWN);
    CHECK(rt_spawn(l, sleeper, &s, sizeof s) == NULL && errno == ESHUTDOWN);
    CHECK(rt_call_soon(l, nothing, NULL) == -ESHUTDOWN);
    CHECK(rt_call_soon_threadsafe(l, nothing, NULL) == -ESHUTDOWN);
    CHECK(rt_call_later(l, MS, nothing, NULL, NULL) == -ESHUTDOWN);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

static int no_await(rt_task *t)
{
    return RT_SUSPENDED; /* a mistake: suspended without awaiting */
}

static void suspend_without_await(void)
{
    rt_loop *l = new_loop();
    rt_task_release(rt_spawn(l, no_await, NULL, 0));
    rt_loop_run(l);
}

CASE(suspending_without_await_is_fatal)
{
    int status;
    const char *err = tu_child_stderr(suspend_without_await, &status);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECKF(strstr(err, "rt: fatal: task returned RT_SUSPENDED") != NULL, "%s", err);
}

static void set_later(rt_loop *l, void *arg)
{
    rt_future_set(arg, 1);
}

static void stop_cb(rt_loop *l, void *arg)
{
    rt_loop_stop(l);
}

CASE(close_cancels_what_is_pending)
{
    rt_loop *l = new_loop();
    rt_future never;
    rt_future_init(&never);
    struct sleeper s = {60000 * MS, 'A'};
    struct awaiter a = {&never, 0};
    struct trio tr = {.unit = 60000 * MS};
    rt_task *t1 = rt_spawn(l, sleeper, &s, sizeof s);
    rt_task *t2 = rt_spawn(l, awaiter, &a, sizeof a);
    rt_task *t3 = rt_spawn(l, trio, &tr, sizeof tr);
    rt_timer *h; /* due long after the one iteration, however slow it is */
    CHECK(rt_call_later(l, 60000 * MS, set_later, &never, &h) == 0);
    CHECK(rt_call_soon(l, stop_cb, NULL) == 0);
    CHECK(rt_loop_run(l) == 0); /* one iteration: everything starts waiting */
    CHECK(never.waiters != NULL);
    CHECK(rt_loop_close(l) == 0);
    CHECK(never.waiters == NULL); /* no dangling waiter */
    CHECK(rt_task_result(t1) == -ECANCELED && rt_task_result(t2) == -ECANCELED &&
          rt_task_result(t3) == -ECANCELED);
    CHECK(rt_timer_cancel(l, h) == 0);
    rt_task_release(t1);
    rt_task_release(t2);
    struct trio *f3 = rt_frame(t3);
    for (int i = 0; i < 3; i++) {
        CHECK(rt_task_result(f3->kids[i]) == -ECANCELED);
        rt_task_release(f3->kids[i]);
    }
    rt_task_release(t3);
    rt_loop_free(l);
    rt_fini();
}

int main(int argc, char **argv)
{
    return check_main(
        argc, argv,
        CASES(cancel_mid_await, cancel_before_first_step,
              self_cancel_seen_at_next_await, cancelling_gather_cancels_its_tasks,
              gather_reports_first_error_at_once, gather_with_a_task_listed_twice,
              futures_wake_waiters_in_order, chaos_of_waits_and_cancellations,
              close_in_the_middle_of_chaos, call_soon_threadsafe_from_four_threads,
              errors, suspending_without_await_is_fatal,
              close_cancels_what_is_pending));
}
