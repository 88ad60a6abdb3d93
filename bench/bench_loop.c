/*
 * bench_loop.c - the event loop's costs, measured as asyncio's are.
 *
 * Each row mirrors one figure of the CPython twin (bench/py/loop_twin.py),
 * with the same workload: two tasks yielding to each other; creating and
 * running 200k tasks; 100k timers with delays spread over 10 ms; memory per
 * task suspended on a future; 100k tasks each sleeping 10 ms; one-byte echo
 * round trips over a socketpair.  libuv's twin (bench_uv.c) prints the
 * libuv column of the same rows, which the targets compare with.  Rows report the least
 * disturbed of 5 runs (3 for 1M timers).
 *
 * Usage: bench_loop [OUTDIR [ROW]]   (ROW: run only rows whose name has it)
 */
#include "rt_loop.h"
#include "bench_util.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MS 1000000ull

static const char *only; /* run only rows whose name contains this */

static int want(const char *name)
{
    return !only || strstr(name, only);
}

static rt_loop *new_loop(void)
{
    rt_loop *l = rt_loop_new(NULL);
    if (!l) {
        perror("bench_loop: rt_loop_new");
        exit(1);
    }
    return l;
}

/* The least disturbed of 5 runs (the machine is shared; the twin does the
 * same). */
static double best5(double (*fn)(void))
{
    double best = fn();
    for (int i = 1; i < 5; i++) {
        double v = fn();
        if (v < best)
            best = v;
    }
    return best;
}

/* ---------------------------------------------------------------- switch */

#define SWITCHES 200000

struct spin {
    int i;
};

static int spin(rt_task *t)
{
    struct spin *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < SWITCHES; f->i++)
        RT_AWAIT(t, rt_async_yield(t));
    RT_END(t, 0);
}

/* Two tasks each `await sleep(0)` 200k times: ns per switch. */
static double switch_ns(void)
{
    rt_loop *l = new_loop();
    uint64_t t0 = rt_now_ns();
    rt_task_release(rt_spawn(l, spin, NULL, sizeof(struct spin)));
    rt_task_release(rt_spawn(l, spin, NULL, sizeof(struct spin)));
    rt_loop_run(l);
    double ns = (double)(rt_now_ns() - t0) / (2.0 * SWITCHES);
    rt_loop_free(l);
    return ns;
}

/* ---------------------------------------------------------------- create */

#define CREATE 200000

static int noop(rt_task *t)
{
    return RT_DONE;
}

struct creator {
    rt_task **tasks;
    int i;
};

/* Like the twin: create 200k tasks, then await each in turn. */
static int creator(rt_task *t)
{
    struct creator *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < CREATE; f->i++)
        f->tasks[f->i] = rt_spawn(rt_task_loop(t), noop, NULL, 0);
    for (f->i = 0; f->i < CREATE; f->i++) {
        RT_AWAIT(t, rt_async_join(t, f->tasks[f->i]));
        rt_task_release(f->tasks[f->i]);
    }
    RT_END(t, 0);
}

static double create_run_ns(void)
{
    rt_loop *l = new_loop();
    struct creator c = {malloc(CREATE * sizeof(rt_task *)), 0};
    uint64_t t0 = rt_now_ns();
    rt_task *t = rt_spawn(l, creator, &c, sizeof c);
    rt_loop_run_until(l, t);
    double ns = (double)(rt_now_ns() - t0) / CREATE;
    rt_task_release(t);
    free(c.tasks);
    rt_loop_free(l);
    return ns;
}

/* ---------------------------------------------------------------- timers */

static size_t fired, to_fire;

static void on_timer(rt_loop *l, void *arg)
{
    if (++fired == to_fire)
        rt_loop_stop(l);
}

/* n call_later with delays (i % 1000) * 10 us (0..10 ms), as the twin:
 * ns per timer, from the first call_later to the last callback. */
static double timer_cpu_ns; /* CPU time per timer of the last run */

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double timers_ns(size_t n, size_t *max_pending)
{
    rt_loop *l = new_loop();
    fired = 0;
    to_fire = n;
    uint64_t t0 = rt_now_ns(), c0 = cpu_ns();
    for (size_t i = 0; i < n; i++)
        rt_call_later(l, (i % 1000) * 10000, on_timer, NULL, NULL);
    rt_loop_run(l);
    double ns = (double)(rt_now_ns() - t0) / (double)n;
    timer_cpu_ns = (double)(cpu_ns() - c0) / (double)n;
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    if (max_pending)
        *max_pending = s.max_timers;
    rt_loop_free(l);
    return ns;
}

static double timer100k_ns(void)
{
    return timers_ns(100000, NULL);
}

/* ---------------------------------------------------------------- memory */

static rt_future gate;

static int gated(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_future(t, &gate));
    RT_END(t, 0);
}

static void stop_cb(rt_loop *l, void *arg)
{
    rt_loop_stop(l);
}

static int napper(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, 3600 * 1000 * MS)); /* an hour: cancelled */
    RT_END(t, 0);
}

/* Bytes malloc hands out per suspended task (everything: task, frame,
 * timer, heap slot, ready-queue growth), from mallinfo2 over 100k tasks
 * running `fn` to its first await. */
static double task_bytes(rt_task_fn fn)
{
    enum { N = 100000 };
    rt_loop *l = new_loop();
    rt_future_init(&gate);
    rt_task **t = malloc(N * sizeof *t);
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < N; i++)
        t[i] = rt_spawn(l, fn, NULL, 0);
    rt_call_soon(l, stop_cb, NULL);
    rt_loop_run(l); /* one iteration: every task runs to its await */
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    if (s.waiting != N)
        fprintf(stderr, "bench_loop: %zu tasks waiting, expected %d\n", s.waiting, N);
    double bytes = (double)(mallinfo2().uordblks - before) / N;
    rt_future_set(&gate, 0);
    for (int i = 0; i < N; i++) {
        rt_task_cancel(t[i]);
        rt_task_release(t[i]);
    }
    rt_loop_run(l);
    free(t);
    rt_loop_free(l);
    return bytes;
}

/* ---------------------------------------------------------------- sleep */

static int nap10(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, 10 * MS));
    RT_END(t, 0);
}

struct sleepers {
    rt_task **tasks;
    size_t n, i;
};

/* asyncio.gather of 100k tasks each sleeping 10 ms. */
static int sleepers(rt_task *t)
{
    struct sleepers *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < f->n; f->i++)
        f->tasks[f->i] = rt_spawn(rt_task_loop(t), nap10, NULL, 0);
    RT_AWAIT(t, rt_async_gather(t, f->tasks, f->n));
    for (f->i = 0; f->i < f->n; f->i++)
        rt_task_release(f->tasks[f->i]);
    RT_END(t, t->awaited);
}

static double sleep100k_ms(void)
{
    rt_loop *l = new_loop();
    struct sleepers s = {malloc(100000 * sizeof(rt_task *)), 100000, 0};
    uint64_t t0 = rt_now_ns();
    rt_task *t = rt_spawn(l, sleepers, &s, sizeof s);
    rt_loop_run_until(l, t);
    double ms = (double)(rt_now_ns() - t0) / 1e6;
    rt_task_release(t);
    free(s.tasks);
    rt_loop_free(l);
    return ms;
}

/* ---------------------------------------------------------------- echo */

#define ROUNDS 50000

struct echo {
    int fd, i;
    char buf[64];
};

static int echo_server(rt_task *t)
{
    struct echo *f = rt_frame(t);
    RT_BEGIN(t);
    for (;;) {
        RT_AWAIT(t, rt_async_read(t, f->fd, f->buf, sizeof f->buf));
        if (t->awaited <= 0)
            break;
        RT_AWAIT(t, rt_async_write(t, f->fd, f->buf, (size_t)t->awaited));
    }
    RT_END(t, 0);
}

static int echo_client(rt_task *t)
{
    struct echo *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < ROUNDS; f->i++) {
        RT_AWAIT(t, rt_async_write(t, f->fd, "x", 1));
        RT_AWAIT(t, rt_async_read(t, f->fd, f->buf, sizeof f->buf));
    }
    shutdown(f->fd, SHUT_WR);
    RT_END(t, 0);
}

static double echo_rtt_us(void)
{
    rt_loop *l = new_loop();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0) {
        perror("bench_loop: socketpair");
        exit(1);
    }
    struct echo s = {sv[0], 0, {0}}, c = {sv[1], 0, {0}};
    rt_task_release(rt_spawn(l, echo_server, &s, sizeof s));
    uint64_t t0 = rt_now_ns();
    rt_task *tc = rt_spawn(l, echo_client, &c, sizeof c);
    rt_loop_run_until(l, tc);
    double us = (double)(rt_now_ns() - t0) / 1e3 / ROUNDS;
    rt_loop_run(l); /* the server sees the hang-up */
    rt_task_release(tc);
    close(sv[0]);
    close(sv[1]);
    rt_loop_free(l);
    return us;
}

int main(int argc, char **argv)
{
    only = argc > 2 ? argv[2] : NULL;
    /* Steady state, not first touch: keep freed memory in the process (a
     * long-running server does), so each run after the first reuses pages
     * instead of faulting them in again. */
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    if (rt_init(NULL) < 0) {
        fprintf(stderr, "bench_loop: rt_init failed\n");
        return 1;
    }
    char note[200];
    if (want("loop.switch_ns"))
        row("loop.switch_ns", "ns", best5(switch_ns), "<= 100 ns (asyncio / 20)",
            "two tasks each awaiting rt_async_yield 200k times (asyncio: sleep(0))");
    if (want("loop.create_run_ns"))
        row("loop.create_run_ns", "ns", best5(create_run_ns), "<= asyncio / 20",
            "spawn 200k tasks, then join each");
    if (want("loop.timer_ns"))
        row("loop.timer_ns", "ns", best5(timer100k_ns), "<= 200 ns; <= 2x libuv",
            "100k call_later, delays 0..10 ms; wall / timers, so the 10 ms spread "
            "alone is 100 ns of it");
    if (want("loop.timer1m_ns")) {
        size_t pending = 0;
        double t1m = timers_ns(1000000, &pending), cpu = timer_cpu_ns;
        for (int i = 1; i < 3; i++) {
            double v = timers_ns(1000000, &pending);
            if (v < t1m)
                t1m = v;
            if (timer_cpu_ns < cpu)
                cpu = timer_cpu_ns;
        }
        snprintf(note, sizeof note,
                 "1M call_later, delays 0..10 ms, %zu pending at once; best of 3; "
                 "CPU time %.0f ns per timer",
                 pending, cpu);
        row("loop.timer1m_ns", "ns", t1m, "<= 200 ns; <= 2x libuv", note);
    }
    if (want("loop.task_bytes"))
        row("loop.task_bytes", "B", task_bytes(gated), "<= 256 B (asyncio / 4)",
            "malloc bytes per task suspended on a future (mallinfo2 over 100k), "
            "ready-queue growth included");
    if (want("loop.sleeping_task_bytes"))
        row("loop.sleeping_task_bytes", "B", task_bytes(napper), "<= 256 B",
            "the same for a task suspended in a sleep: its timer and heap slot "
            "included");
    if (want("loop.sleep100k_ms"))
        row("loop.sleep100k_ms", "ms", best5(sleep100k_ms), "<= 60 ms (10 ms + 50)",
            "gather of 100k tasks each sleeping 10 ms, total wall");
    if (want("loop.echo_rtt_us"))
        row("loop.echo_rtt_us", "us", best5(echo_rtt_us), "<= 2x libuv",
            "one-byte echo round trip over a socketpair, 50k rounds");
    rt_fini();
    return 0;
}
