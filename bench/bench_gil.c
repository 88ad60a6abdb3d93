/*
 * bench_gil.c - the GIL's costs and patterns, measured.
 *
 * Prints one JSON row per figure (see CONTRIBUTING.md); `make bench` puts
 * CPython's twin figures beside them (bench/py/gil_twin.py).  Progress goes
 * to stderr.  Also writes the picture the course is built around:
 * $B/bench/gil-timeline.svg (and .json for Perfetto), two CPU-bound threads
 * taking turns at the 5 ms switch interval.
 *
 * Usage: bench_gil [OUTDIR]
 */
#include "rt.h"
#include "bench_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void start(rt_gil_policy policy, long interval_us, size_t trace)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = policy;
    cfg.switch_interval_us = interval_us;
    cfg.trace_events = trace;
    if (rt_init(&cfg) < 0) {
        fprintf(stderr, "bench_gil: rt_init failed\n");
        exit(1);
    }
}

/* ---------------------------------------------------------------- costs */

/* The cost of one pair, as the best of many short runs: a run of 50,000
 * pairs takes well under a millisecond, so on a shared machine most runs
 * see no preemption at all, and the fastest is the cost itself. */
static double best_pair_ns(void (*pairs)(int n))
{
    enum { RUNS = 60, PAIRS = 50000 };
    double best = 1e9;
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = rt_now_ns();
        pairs(PAIRS);
        double ns = (double)(rt_now_ns() - t0) / PAIRS;
        if (ns < best)
            best = ns;
    }
    return best;
}

/* n lock/unlock pairs of a bare mutex.  While the process has one thread,
 * glibc's mutex skips its atomic instructions (__libc_single_threaded);
 * once a thread has been created it cannot, so main measures both. */
static void mutex_pairs(int n)
{
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        __asm__ volatile("" ::: "memory");
        pthread_mutex_unlock(&m);
    }
}

/* n drop+take pairs: what a blocking call pays with nobody else around. */
static void gil_pairs(int n)
{
    for (int i = 0; i < n; i++) {
        rt_tstate *ts = rt_save_thread();
        rt_restore_thread(ts);
    }
}

static double mutex_pair_ns(void)
{
    return best_pair_ns(mutex_pairs);
}

static double gil_pair_ns(void)
{
    start(RT_GIL_CPYTHON, 5000, 0);
    double ns = best_pair_ns(gil_pairs);
    rt_fini();
    return ns;
}

/* Makes the process multi-threaded for good: glibc never goes back to its
 * single-threaded shortcuts once a thread has existed. */
static void *S_nothing(void *p)
{
    return p;
}
static void become_threaded(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, S_nothing, NULL) == 0)
        pthread_join(t, NULL);
}

/* ---------------------------------------------------------------- CPU */

static void cpu_job(void *p)
{
    rt_bytecodes(*(uint64_t *)p);
}

/* Runs `n` units `jobs` times, serially or on `jobs` threads; seconds. */
static double run_jobs(int jobs, int threaded, uint64_t n)
{
    uint64_t t0 = rt_now_ns();
    if (!threaded) {
        for (int i = 0; i < jobs; i++)
            rt_bytecodes(n);
    } else {
        rt_thread *t[16];
        for (int i = 0; i < jobs; i++)
            t[i] = rt_thread_start(cpu_job, &n);
        for (int i = 0; i < jobs; i++)
            rt_thread_join(t[i]);
    }
    return (double)(rt_now_ns() - t0) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Speedup of 2 threads over serial under `policy`, from interleaved runs
 * (serial, threads, serial, threads...) and medians, so a neighbour's burst
 * of load hits both sides alike. */
static double cpu2_speedup(rt_gil_policy policy, double *serial_s, rt_stats *st)
{
    start(policy, 5000, 0);
    uint64_t n = (uint64_t)(rt_bytecodes_per_ms() * 150); /* ~150 ms a job */
    double s[5], t[5];
    for (int r = 0; r < 5; r++) {
        s[r] = run_jobs(2, 0, n);
        rt_stats_reset();
        t[r] = run_jobs(2, 1, n);
    }
    rt_stats_get(st);
    qsort(s, 5, sizeof *s, cmp_double);
    qsort(t, 5, sizeof *t, cmp_double);
    rt_fini();
    *serial_s = s[2];
    return s[2] / t[2];
}

/* Hold times of 2 CPU-bound threads at the default interval, traced; the
 * first 100 ms of the trace become the timeline picture. */
static void hold_times(const char *outdir)
{
    start(RT_GIL_CPYTHON, 5000, 1 << 18);
    uint64_t n = (uint64_t)(rt_bytecodes_per_ms() * 400);
    rt_stats_reset();
    rt_thread *a = rt_thread_start_named("cpu-1", cpu_job, &n);
    rt_thread *b = rt_thread_start_named("cpu-2", cpu_job, &n);
    rt_thread_join(a);
    rt_thread_join(b);
    rt_stats st;
    rt_stats_get(&st);
    char note[200];
    snprintf(note, sizeof note,
             "p10 %.2f, p90 %.2f ms over %llu holds; %llu forced drops; interval 5 ms",
             rt_hist_quantile(&st.hold, 0.1) / 1e6,
             rt_hist_quantile(&st.hold, 0.9) / 1e6, (unsigned long long)st.hold.count,
             (unsigned long long)st.forced_drops);
    row("gil.hold_ms", "ms", rt_hist_quantile(&st.hold, 0.5) / 1e6, "5 +-10% (4.5-5.5)",
        note);

    char path[512];
    size_t count;
    const rt_event *ev = rt_trace_events(&count, NULL);
    uint64_t t0 = 0;
    for (size_t i = 0; i < count; i++)
        if (ev[i].kind == RT_EV_GIL_TAKE && ev[i].tid == 2) {
            t0 = ev[i].t_ns; /* from when both threads are running */
            break;
        }
    snprintf(path, sizeof path, "%s/gil-timeline.svg", outdir);
    FILE *f = fopen(path, "w");
    if (f) {
        rt_trace_write_svg(f, 760, t0, t0 + 60000000);
        fclose(f);
        fprintf(stderr, "bench_gil: wrote %s\n", path);
    }
    snprintf(path, sizeof path, "%s/gil-trace.json", outdir);
    if ((f = fopen(path, "w"))) {
        rt_trace_write_chrome(f);
        fclose(f);
    }
    rt_fini();
}

/* ---------------------------------------------------------------- convoy */

static atomic_int S_stop;
static void spinner(void *p)
{
    (void)p;
    while (!atomic_load_explicit(&S_stop, memory_order_relaxed))
        rt_bytecodes(64);
}

/* Mean us per send+recv of one byte over a socketpair (convoy.py's loop). */
static double io_loop_us(int k)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    char c = 'x';
    uint64_t t0 = rt_now_ns();
    for (int i = 0; i < k; i++) {
        rt_send(sv[0], &c, 1, 0);
        rt_recv(sv[1], &c, 1, 0);
    }
    double us = (double)(rt_now_ns() - t0) / 1e3 / k;
    close(sv[0]);
    close(sv[1]);
    return us;
}

static void convoy(long interval_us, double *alone, double *loaded)
{
    start(RT_GIL_CPYTHON, interval_us, 0);
    *alone = io_loop_us(200);
    atomic_store(&S_stop, 0);
    rt_thread *t = rt_thread_start(spinner, NULL);
    rt_sleep_us(50000);
    *loaded = io_loop_us(interval_us >= 1000 ? 100 : 200);
    atomic_store(&S_stop, 1);
    rt_thread_join(t);
    rt_fini();
}

/* ---------------------------------------------------------------- I/O */

static void io_job(void *p)
{
    (void)p;
    rt_sleep_us(200000);
}

static double io10_speedup(double *threads_s, int *max_blocked)
{
    start(RT_GIL_CPYTHON, 5000, 0);
    uint64_t t0 = rt_now_ns();
    for (int i = 0; i < 10; i++)
        io_job(NULL);
    double serial = (double)(rt_now_ns() - t0) / 1e9;
    rt_stats_reset();
    t0 = rt_now_ns();
    rt_thread *t[10];
    for (int i = 0; i < 10; i++)
        t[i] = rt_thread_start(io_job, NULL);
    for (int i = 0; i < 10; i++)
        rt_thread_join(t[i]);
    *threads_s = (double)(rt_now_ns() - t0) / 1e9;
    rt_stats st;
    rt_stats_get(&st);
    *max_blocked = st.max_blocked;
    rt_fini();
    return serial / *threads_s;
}

int main(int argc, char **argv)
{
    const char *outdir = argc > 1 ? argv[1] : ".";
    char note[200];

    fprintf(stderr, "bench_gil: lock costs...\n");
    double m = mutex_pair_ns(), g = gil_pair_ns();
    row("gil.mutex_ns", "ns", m, NULL,
        "bare pthread mutex lock+unlock, best of 60 runs; process with one thread");
    snprintf(note, sizeof note,
             "rt_save_thread+rt_restore_thread, with counters; %.2fx the mutex", g / m);
    row("gil.uncontended_ns", "ns", g, "<= 2x gil.mutex_ns", note);
    become_threaded();
    m = mutex_pair_ns();
    g = gil_pair_ns();
    row("gil.mutex_threaded_ns", "ns", m, NULL,
        "the same, once the process has had a second thread (atomic instructions)");
    snprintf(note, sizeof note,
             "one runtime thread in a threaded process; %.2fx the mutex", g / m);
    row("gil.uncontended_threaded_ns", "ns", g, "<= 2x gil.mutex_threaded_ns", note);

    fprintf(stderr, "bench_gil: hold times (2 CPU-bound threads, 5 ms interval)...\n");
    hold_times(outdir);

    fprintf(stderr, "bench_gil: CPU-bound speedups (cpython, ticks, none)...\n");
    rt_stats st;
    double serial;
    double sp = cpu2_speedup(RT_GIL_CPYTHON, &serial, &st);
    snprintf(note, sizeof note,
             "median of 5 interleaved; serial %.3f s; max_running %d", serial,
             st.max_running);
    row("gil.cpu2_speedup", "x", sp, "~1x (no speedup)", note);
    sp = cpu2_speedup(RT_GIL_TICKS, &serial, &st);
    snprintf(note, sizeof note,
             "pre-3.2 GIL: %llu futile wake-ups, %llu switches in the last run",
             (unsigned long long)st.futile_wakeups, (unsigned long long)st.switches);
    row("gil.ticks_cpu2_speedup", "x", sp, "< 1x on 2 cores (Beazley 2009: 1/1.8)",
        note);
    sp = cpu2_speedup(RT_GIL_NONE, &serial, &st);
    snprintf(note, sizeof note, "free-threaded; max_running %d", st.max_running);
    row("gil.none_cpu2_speedup", "x", sp, "~min(2, free cores)", note);

    fprintf(stderr, "bench_gil: convoy (send+recv under 1 CPU-bound thread)...\n");
    double alone, loaded;
    convoy(5000, &alone, &loaded);
    row("gil.convoy_alone_us", "us", alone, NULL, "socketpair send+recv, alone");
    snprintf(note, sizeof note, "%.0fx slower than alone", loaded / alone);
    row("gil.convoy_loaded_us", "us", loaded, "same order as CPython (interval-bound)",
        note);
    convoy(1000, &alone, &loaded);
    row("gil.convoy_loaded_1ms_us", "us", loaded, NULL, "switch interval 1 ms");
    convoy(100, &alone, &loaded);
    row("gil.convoy_loaded_100us_us", "us", loaded, NULL, "switch interval 0.1 ms");

    fprintf(stderr, "bench_gil: I/O-bound (10 threads x 0.2 s sleep)...\n");
    double ts;
    int mb;
    sp = io10_speedup(&ts, &mb);
    snprintf(note, sizeof note, "threads %.3f s; max_blocked %d", ts, mb);
    row("gil.io10_speedup", "x", sp, "~10x", note);
    return 0;
}
