/*
 * test_loop_pool.c - the event loop and the process pool in one program:
 * loop tasks await pool futures (asyncio's run_in_executor), through
 * rt_async_pool_future (runtime/loop_pool.c).
 *
 * What is checked is the pattern, from counters: every await overlaps
 * (the loop's max_waiting), the loop keeps running its other tasks while
 * the workers compute (a ticker advances meanwhile), each result is the
 * pool's, failures and cancellation arrive as outcomes, and closing the
 * loop mid-wait leaves nothing behind (ASan) and nothing racing (TSan).
 */
#include "rt_loop.h"
#include "rt_pool.h"
#include "rt_test_util.h"
#include "test_pool_tasks.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define MS 1000000ull

/* The loop's main thread starts the runtime, then the pool (forked before
 * any other thread exists), then the loop. */
static rt_pool *S_pool;

static rt_loop *start(int workers)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    S_pool = make_pool(workers, RT_POOL_FORK);
    rt_loop *l = rt_loop_new(NULL);
    CHECK(l != NULL);
    return l;
}

static void stop(rt_loop *l)
{
    rt_loop_free(l);
    rt_pool_free(S_pool);
    rt_fini();
}

/* ------------------------------------------------------ run_in_executor */

/* await loop.run_in_executor(pool, task, arg): submit, await, take. */
struct offload {
    const char *task;
    int64_t arg;
    rt_pool_future *pf;
    int64_t result; /* the pool's value, or -1 */
    uint64_t ticks_before, ticks_after;
};

static uint64_t S_ticks; /* the ticker's count: the loop ran */

/* Submits task(arg) to the pool; NULL with errno set on failure. */
static rt_pool_future *submit_int(const char *task, int64_t arg)
{
    rt_value *v = rt_value_int(arg);
    rt_pool_future *pf = v ? rt_pool_submit(S_pool, task, v) : NULL;
    rt_value_free(v);
    return pf;
}

static int offload(rt_task *t)
{
    struct offload *f = rt_frame(t);
    RT_BEGIN(t);
    f->pf = submit_int(f->task, f->arg);
    if (!f->pf)
        RT_RETURN(t, -errno);
    f->ticks_before = S_ticks;
    RT_AWAIT(t, rt_async_pool_future(t, f->pf));
    f->ticks_after = S_ticks;
    if (t->awaited == 0) {
        rt_value *out = NULL;
        CHECK(rt_pool_future_result(f->pf, 0, &out) == 0 && out);
        f->result = out->as.i;
        rt_value_free(out);
    }
    RT_END(t, t->awaited);
}

/* Counts 1 ms sleeps until told to stop: proof the loop is not blocked. */
static int S_ticking;
static int ticker(rt_task *t)
{
    RT_BEGIN(t);
    while (S_ticking) {
        RT_AWAIT(t, rt_async_sleep(t, 1 * MS));
        S_ticks++;
    }
    RT_END(t, 0);
}

/* Waits for the offloads, then stops the ticker. */
struct boss {
    rt_task **kids;
    size_t n;
};
static int boss(rt_task *t)
{
    struct boss *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_gather(t, f->kids, f->n));
    S_ticking = 0;
    RT_END(t, t->awaited);
}

CASE(tasks_await_pool_futures_while_the_loop_runs)
{
    enum { N = 4 };
    rt_loop *l = start(2);
    S_ticking = 1;
    rt_task *tick = rt_spawn(l, ticker, NULL, 0);
    struct offload o[N];
    rt_task *kids[N];
    for (int i = 0; i < N; i++) {
        o[i] = (struct offload){.task = "sleep_ms", .arg = 60 + i, .result = -1};
        CHECK((kids[i] = rt_spawn(l, offload, &o[i], sizeof o[i])) != NULL);
    }
    struct boss b = {kids, N};
    rt_task *tb = rt_spawn(l, boss, &b, sizeof b);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(tb) == 0);
    for (int i = 0; i < N; i++) {
        struct offload *f = rt_frame(kids[i]);
        CHECKF(rt_task_result(kids[i]) == 0, "task %d: %ld", i,
               rt_task_result(kids[i]));
        CHECK(f->result == 60 + i); /* the worker's value, through the codec */
        /* The loop ran the ticker while this task waited for the pool. */
        CHECKF(f->ticks_after > f->ticks_before, "ticks %llu -> %llu",
               (unsigned long long)f->ticks_before, (unsigned long long)f->ticks_after);
        rt_pool_future_free(f->pf);
        rt_task_release(kids[i]);
    }
    rt_loop_stats ls;
    rt_loop_stats_get(l, &ls);
    CHECKF(ls.max_waiting >= N + 1, "max_waiting %zu", ls.max_waiting); /* + boss */
    CHECKF(ls.threadsafe_calls >= N, "threadsafe_calls %llu",
           (unsigned long long)ls.threadsafe_calls); /* one wake per result */
    rt_pool_stats ps;
    rt_pool_stats_get(S_pool, &ps);
    CHECK(ps.submitted == N && ps.done == N);
    rt_task_release(tick);
    rt_task_release(tb);
    stop(l);
}

/* Many short items, resolved by the pool's manager thread while the loop
 * thread runs: the bridge's two sides meet often (ThreadSanitizer). */
CASE(many_offloads_and_their_wake_ups)
{
    enum { N = 200 };
    rt_loop *l = start(2);
    static struct offload o[N];
    static rt_task *kids[N];
    for (int i = 0; i < N; i++) {
        o[i] = (struct offload){.task = "square", .arg = i, .result = -1};
        CHECK((kids[i] = rt_spawn(l, offload, &o[i], sizeof o[i])) != NULL);
    }
    CHECK(rt_loop_run(l) == 0);
    for (int i = 0; i < N; i++) {
        struct offload *f = rt_frame(kids[i]);
        CHECK(rt_task_result(kids[i]) == 0 && f->result == (int64_t)i * i);
        rt_pool_future_free(f->pf);
        rt_task_release(kids[i]);
    }
    stop(l);
}

/* ------------------------------------------------------------ outcomes */

CASE(a_failed_item_is_the_outcome)
{
    rt_loop *l = start(1);
    struct offload o = {.task = "fail_odd", .arg = 3, .result = -1};
    rt_task *t = rt_spawn(l, offload, &o, sizeof o);
    CHECK(rt_loop_run_until(l, t) == 0);
    CHECK(rt_task_result(t) == -EDOM);
    struct offload *f = rt_frame(t);
    CHECK(f->result == -1);
    rt_pool_future_free(f->pf);
    rt_task_release(t);
    stop(l);
}

/* Awaiting a pool future that is resolved already is not a wait. */
struct late {
    rt_pool_future *pf;
    long awaited;
};
static int await_done(rt_task *t)
{
    struct late *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_pool_future(t, f->pf));
    f->awaited = t->awaited;
    RT_END(t, 0);
}

CASE(a_resolved_future_is_not_a_wait)
{
    rt_loop *l = start(1);
    struct late f = {submit_int("square", 7), 1};
    CHECK(f.pf != NULL);
    while (!rt_pool_future_done(f.pf))
        rt_sleep_us(1000);
    rt_task *t = rt_spawn(l, await_done, &f, sizeof f);
    CHECK(rt_loop_run(l) == 0);
    CHECK(((struct late *)rt_frame(t))->awaited == 0);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.max_waiting == 0 && s.threadsafe_calls == 0);
    rt_value *out = NULL;
    CHECK(rt_pool_future_result(f.pf, 0, &out) == 0 && out->as.i == 49);
    rt_value_free(out);
    rt_pool_future_free(f.pf);
    rt_task_release(t);
    stop(l);
}

CASE(one_task_at_a_time_per_pool_future)
{
    rt_loop *l = start(1);
    struct late f = {submit_int("sleep_ms", 80), 1};
    CHECK(f.pf != NULL);
    rt_task *a = rt_spawn(l, await_done, &f, sizeof f);
    rt_task *b = rt_spawn(l, await_done, &f, sizeof f);
    CHECK(rt_loop_run(l) == 0);
    CHECK(((struct late *)rt_frame(a))->awaited == 0);
    CHECK(((struct late *)rt_frame(b))->awaited == -EBUSY);
    rt_pool_future_free(f.pf);
    rt_task_release(a);
    rt_task_release(b);
    stop(l);
}

/* ------------------------------------------------------------ cancellation */

static void cancel_cb(rt_loop *l, void *arg)
{
    rt_task_cancel(arg);
}

/* One worker holding two long items (its window, see pool_manager.c): a
 * third item is still queued when its awaiting task is cancelled, so the
 * pool future is cancelled too. */
CASE(cancelling_the_task_cancels_an_unsent_item)
{
    rt_loop *l = start(1);
    struct offload busy = {.task = "sleep_ms", .arg = 150, .result = -1};
    struct offload queued = {.task = "square", .arg = 5, .result = -1};
    rt_task *tb[2] = {rt_spawn(l, offload, &busy, sizeof busy),
                      rt_spawn(l, offload, &busy, sizeof busy)};
    rt_task *tq = rt_spawn(l, offload, &queued, sizeof queued);
    CHECK(rt_call_later(l, 20 * MS, cancel_cb, tq, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(tq) == -ECANCELED);
    struct offload *fq = rt_frame(tq);
    rt_value *out = NULL;
    CHECK(rt_pool_future_result(fq->pf, 0, &out) == -ECANCELED && out == NULL);
    rt_pool_stats ps;
    rt_pool_stats_get(S_pool, &ps);
    CHECK(ps.cancelled == 1 && ps.done == 2);
    rt_pool_future_free(fq->pf);
    rt_task_release(tq);
    for (int i = 0; i < 2; i++) {
        CHECK(rt_task_result(tb[i]) == 0);
        rt_pool_future_free(((struct offload *)rt_frame(tb[i]))->pf);
        rt_task_release(tb[i]);
    }
    stop(l);
}

/* Stops the loop once the pool has sent the item to its worker and the
 * time in *arg has come; until then looks again every millisecond.  Sent,
 * not merely due: on a busy machine the send can take longer than any
 * fixed delay, and an unsent item is cancelled by the close, not run. */
static void stop_once_sent(rt_loop *l, void *arg)
{
    const uint64_t *not_before_ns = arg;
    rt_pool_stats st;
    rt_pool_stats_get(S_pool, &st);
    if (st.chunks_sent >= 1 && rt_now_ns() >= *not_before_ns)
        rt_loop_stop(l);
    else
        CHECK(rt_call_later(l, MS, stop_once_sent, arg, NULL) == 0);
}

/* Starts a one-worker pool and a loop with one task offloading a sleep of
 * `ms`, and runs the loop until it stops, at least `stop_ms` in and once
 * the item is in the worker's hands, the task still awaiting.  Returns the
 * task (caller releases); *lp is the loop. */
static rt_task *stopped_mid_wait(rt_loop **lp, int64_t ms, uint64_t stop_ms)
{
    rt_loop *l = *lp = start(1);
    struct offload o = {.task = "sleep_ms", .arg = ms, .result = -1};
    rt_task *t = rt_spawn(l, offload, &o, sizeof o);
    static uint64_t not_before_ns;
    not_before_ns = rt_now_ns() + stop_ms * MS;
    CHECK(rt_call_later(l, MS, stop_once_sent, &not_before_ns, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(!rt_task_done(t));
    return t;
}

/* The loop is closed while a task awaits an item a worker is running: the
 * task ends cancelled, the item finishes in its worker, and the late result
 * finds no one to wake (nothing leaks, nothing touches the freed loop). */
CASE(closing_the_loop_mid_wait)
{
    rt_loop *l;
    rt_task *t = stopped_mid_wait(&l, 100, 20);
    rt_pool_future *pf = ((struct offload *)rt_frame(t))->pf;
    CHECK(rt_loop_close(l) == 0);
    CHECK(rt_task_result(t) == -ECANCELED);
    rt_loop_free(l);
    rt_value *out = NULL; /* the worker had it: it still completes */
    CHECK(rt_pool_future_result(pf, 30000, &out) == 0 && out->as.i == 100);
    rt_value_free(out);
    rt_pool_future_free(pf);
    rt_task_release(t);
    rt_pool_free(S_pool);
    rt_fini();
}

/* The result arrives while the loop is stopped: its wake-up waits in the
 * loop's queue, and closing the loop hands it back instead of running it. */
CASE(closing_the_loop_with_a_wake_up_queued)
{
    rt_loop *l;
    rt_task *t = stopped_mid_wait(&l, 30, 5);
    rt_pool_future *pf = ((struct offload *)rt_frame(t))->pf;
    while (!rt_pool_future_done(pf)) /* resolved: the wake-up is queued */
        rt_sleep_us(1000);
    CHECK(rt_loop_close(l) == 0);
    CHECK(rt_task_result(t) == -ECANCELED);
    rt_pool_future_free(pf);
    rt_task_release(t);
    stop(l);
}

/* Freeing a pool future a task awaits would leave the task waiting on
 * freed memory: a fatal error that says so. */
static void free_while_awaited(void)
{
    rt_loop *l;
    rt_task *t = stopped_mid_wait(&l, 50, 5);
    rt_pool_future_free(((struct offload *)rt_frame(t))->pf);
}

CASE(freeing_an_awaited_pool_future_is_fatal)
{
    int status;
    const char *err = tu_child_stderr(free_while_awaited, &status);
    CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d", status);
    CHECKF(strstr(err, "rt: fatal: rt_pool_future_free: a loop task is awaiting"), "%s",
           err);
}

int main(int argc, char **argv)
{
    register_tasks();
    if (rt_pool_worker_guard(argc, argv))
        return 0;
    return check_main(
        argc, argv,
        CASES(tasks_await_pool_futures_while_the_loop_runs,
              many_offloads_and_their_wake_ups, a_failed_item_is_the_outcome,
              a_resolved_future_is_not_a_wait, one_task_at_a_time_per_pool_future,
              cancelling_the_task_cancels_an_unsent_item, closing_the_loop_mid_wait,
              closing_the_loop_with_a_wake_up_queued,
              freeing_an_awaited_pool_future_is_fatal));
}
