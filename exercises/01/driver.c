/*
 * driver.c - exercise 01's driver: correctness cases and measurements.
 *
 * Provided; do not edit.  Built together with your jobs.c, the exercise
 * kit (exercises/common/exkit.h: main() and the grader's protocol) and the
 * runtime, it is the program the grader runs:
 *
 *   prog test <case>                  runs one correctness case
 *   prog measure serial <JOB> <N>     your job N times, one after another
 *   prog measure threads <JOB> <N>    N copies on threads (ex01_run_threads)
 *   prog measure classify <JOB>       ex01_measure and ex01_classify on one
 *       JOB: wait (50 ms), checksum (8 MiB), mixed (checksum 4 MiB, wait 25 ms)
 *
 * The cases check your answers against the kernel's own accounts of the
 * same run (CPU clocks, getrusage), never against a stopwatch alone, so
 * they hold on a busy machine.  Each failure message names the likely
 * mistake.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid(), RUSAGE_THREAD */
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ex01.h"
#include "exkit.h"
#include "rt.h"

#define MiB (1u << 20)
#define MS  1000000u /* ns */

/* ------------------------------------------------------------------ */
/* The driver's own yardsticks                                         */
/* ------------------------------------------------------------------ */

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Voluntary context switches of the calling thread: each one is a time
 * the kernel parked it until something happened. */
static long parked_count(void)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_nvcsw;
}

/* A test buffer: bytes that follow a pattern, shifted by `seed` (0 for the
 * buffers whose checksums the cases know by heart; random for the others,
 * so that no checksum can be known in advance).  Caller frees. */
static uint8_t *pattern(size_t len, uint8_t seed)
{
    uint8_t *p = malloc(len ? len : 1);
    if (!p)
        exkit_fail("driver: out of memory");
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 7 + (i >> 12) + seed);
    return p;
}

/* A seed no one can guess, from the clock. */
static uint8_t random_seed(void)
{
    uint64_t t = rt_now_ns();
    return (uint8_t)(1 + (t ^ t >> 17) % 255);
}

/* What Adler-32 of p[0..len) must be, by another road than the loop you
 * write: a = 1 + sum of the bytes, and b, the sum of every a, is len plus
 * each byte times the number of sums it is in (len - i), both mod 65521. */
static uint32_t adler_closed_form(const uint8_t *p, size_t len)
{
    uint64_t a = 1, b = len % 65521;
    for (size_t i = 0; i < len; i++) {
        a += p[i];
        b += (uint64_t)p[i] * (len - i);
        if ((i & 0xffff) == 0xffff) /* keep the sums small */
            a %= 65521, b %= 65521;
    }
    return (uint32_t)(b % 65521) << 16 | (uint32_t)(a % 65521);
}

/* The driver's jobs, to test Parts B to D apart from Part A. */
static void drv_sleep(void *arg)
{
    rt_sleep_us((long)(uintptr_t)arg * 1000);
}

static void drv_compute(void *arg)
{
    rt_bytecodes((uint64_t)((double)(uintptr_t)arg * rt_bytecodes_per_ms()));
}

/* Two threads computing `arg` ms each, under the GIL: CPU time on threads
 * other than the caller's. */
static void drv_two_threads(void *arg)
{
    rt_thread *a = rt_thread_start(drv_compute, arg);
    rt_thread *b = rt_thread_start(drv_compute, arg);
    if (!a || !b)
        exkit_fail("driver: rt_thread_start failed");
    rt_thread_join(a);
    rt_thread_join(b);
}

/* ------------------------------------------------------------------ */
/* Part A                                                              */
/* ------------------------------------------------------------------ */

/* wait: the waiting job parks the thread and lets go of the GIL. */
static void case_wait(void)
{
    ex01_wait w = {30};
    rt_stats_reset();
    long p0 = parked_count();
    uint64_t c0 = thread_cpu_ns(), t0 = rt_now_ns();
    ex01_wait_job(&w);
    uint64_t wall = rt_now_ns() - t0, cpu = thread_cpu_ns() - c0;
    long parked = parked_count() - p0;
    rt_stats st;
    rt_stats_get(&st);
    if (wall < 1 * MS && parked == 0)
        exkit_fail("ex01_wait_job returned at once, without waiting: it is still the "
                   "starter's TODO (A1)");
    if (parked == 0 || cpu > 15 * MS)
        exkit_fail("your wait job used %.1f ms of CPU time to wait %ld ms, and the "
                   "kernel never parked the thread: it spins in a loop, burning a "
                   "core; a wait must ask the kernel to park the thread (rt_sleep_us)",
                   (double)cpu / 1e6, w.ms);
    if (st.blocking_calls == 0)
        exkit_fail("your wait job slept while holding the GIL (no allow-threads "
                   "region was entered): no other thread can run meanwhile; wait with "
                   "rt_sleep_us, which lets go of the GIL as time.sleep does");
    if (wall < (uint64_t)w.ms * MS)
        exkit_fail("ex01_wait_job({%ld}) returned after %.1f ms: wait the whole time "
                   "(rt_sleep_us takes microseconds)",
                   w.ms, (double)wall / 1e6);
    ex01_wait zero = {0};
    ex01_wait_job(&zero); /* must simply return */
}

/* checksum: Adler-32, checked on known values. */
static void case_checksum(void)
{
    static const struct {
        const char *text;
        uint32_t want;
    } known[] = {{"", 0x00000001u},
                 {"a", 0x00620062u},
                 {"abc", 0x024d0127u},
                 {"Wikipedia", 0x11e60398u}};
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        ex01_sum s = {(const uint8_t *)known[k].text, strlen(known[k].text),
                      0xdeadbeef};
        ex01_checksum_job(&s);
        if (s.result == 0xdeadbeef)
            exkit_fail("ex01_checksum_job left s->result as it was: it is still the "
                       "starter's TODO (A2)");
        if (s.result != known[k].want)
            exkit_fail("the Adler-32 checksum of \"%s\" is 0x%08x, yours 0x%08x: a "
                       "starts at 1, b at 0; for each byte a = (a + byte) %% 65521, "
                       "b = (b + a) %% 65521; the result is b << 16 | a",
                       known[k].text, known[k].want, s.result);
    }
    /* 64 KiB of 0xff: sums that overflow 32 bits unless reduced as they go. */
    uint8_t *ff = malloc(1 << 16);
    if (!ff)
        exkit_fail("driver: out of memory");
    memset(ff, 0xff, 1 << 16);
    ex01_sum big = {ff, 1 << 16, 0};
    ex01_checksum_job(&big);
    free(ff);
    if (big.result != 0x77970ef2u)
        exkit_fail("the checksum of 64 KiB of 0xff bytes is 0x77970ef2, yours 0x%08x: "
                   "do your sums overflow?  Reduce them modulo 65521 as you go",
                   big.result);
    uint8_t *p = pattern(MiB, 0);
    ex01_sum s = {p, MiB, 0};
    rt_stats_reset();
    ex01_checksum_job(&s);
    free(p);
    rt_stats st;
    rt_stats_get(&st);
    if (s.result != 0x47bc7789u) /* zlib.adler32 of the same bytes */
        exkit_fail("the checksum of the 1 MiB test pattern is 0x47bc7789, yours 0x%08x",
                   s.result);
    if (st.blocking_calls > 0)
        exkit_fail("your checksum let go of the GIL while it computed (%llu times): in "
                   "this model computing is Python code, which holds the GIL; call "
                   "rt_checkpoint() to let others in instead",
                   (unsigned long long)st.blocking_calls);
}

/* A thread that needs the GIL back every millisecond: it sleeps 1 ms at a
 * time, 20 times. */
static void ticker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++)
        rt_sleep_us(1000);
}

/* checkpoint: while the checksum computes, another thread that wants the
 * GIL gets it: the computing thread gives it up at a checkpoint when asked
 * (a forced drop), as CPython's loop does every switch interval. */
static void case_checkpoint(void)
{
    size_t len = 16 * MiB; /* long enough to be asked, even by a fast checksum */
    uint8_t *p = pattern(len, random_seed());
    uint32_t want = adler_closed_form(p, len);
    ex01_sum s = {p, len, 0xdeadbeef};
    rt_stats_reset();
    rt_thread *a = rt_thread_start(ex01_checksum_job, &s);
    rt_thread *b = rt_thread_start(ticker, NULL);
    if (!a || !b)
        exkit_fail("driver: rt_thread_start failed");
    rt_thread_join(a);
    rt_thread_join(b);
    free(p);
    rt_stats st;
    rt_stats_get(&st);
    if (s.result == 0xdeadbeef)
        exkit_fail("ex01_checksum_job left s->result as it was: it is still the "
                   "starter's TODO (A2)");
    if (s.result != want)
        exkit_fail("on a thread, the checksum of a 16 MiB buffer came out 0x%08x, "
                   "not 0x%08x",
                   s.result, want);
    if (st.forced_drops == 0 && st.drop_requests > 0)
        exkit_fail("another thread asked for the GIL %llu times while your checksum "
                   "computed, and it never let go until it finished: call "
                   "rt_checkpoint() every 4096 bytes",
                   (unsigned long long)st.drop_requests);
}

/* ------------------------------------------------------------------ */
/* Part B                                                              */
/* ------------------------------------------------------------------ */

/* Runs ex01_measure on job(arg) with the driver's own clocks around it.
 * *outer gets what the driver saw (process CPU, wall). */
static ex01_times measured(void (*job)(void *), void *arg, ex01_times *outer)
{
    ex01_times t = {0, 0};
    uint64_t w0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
    int rc = ex01_measure(job, arg, &t);
    outer->cpu_ns = exkit_cpu_now_ns() - c0;
    outer->wall_ns = rt_now_ns() - w0;
    if (rc < 0)
        exkit_fail_rc("ex01_measure", rc);
    return t;
}

/* A job cannot use more CPU time than the whole process did around it
 * (2 ms for the clocks' own granularity). */
static void not_more_than_process(const ex01_times *t, const ex01_times *outer)
{
    if (t->cpu_ns > outer->cpu_ns + 2 * MS)
        exkit_fail("ex01_measure says the job used %.1f ms of CPU time, more than the "
                   "%.1f ms the whole process used around your call",
                   (double)t->cpu_ns / 1e6, (double)outer->cpu_ns / 1e6);
}

/* measure: both clocks, on a sleep and on a computation. */
static void case_measure(void)
{
    ex01_times outer, t = measured(drv_sleep, (void *)(uintptr_t)40, &outer);
    if (t.wall_ns == 0 && t.cpu_ns == 0)
        exkit_fail("ex01_measure returned 0 but left both times at 0: fill *out");
    if (t.wall_ns < 40 * MS || t.wall_ns > outer.wall_ns)
        exkit_fail("ex01_measure says a 40 ms sleep took %.1f ms of wall time (the "
                   "driver saw %.1f ms around your call): read a clock like "
                   "CLOCK_MONOTONIC just before and just after the job",
                   (double)t.wall_ns / 1e6, (double)outer.wall_ns / 1e6);
    if (t.cpu_ns > 25 * MS && t.cpu_ns > outer.cpu_ns + 2 * MS)
        exkit_fail("ex01_measure says a 40 ms sleep used %.1f ms of CPU time, but the "
                   "process used %.1f ms in all: you are reading the wall clock for "
                   "both times; CPU time needs a CPU clock (CLOCK_PROCESS_CPUTIME_ID, "
                   "or getrusage)",
                   (double)t.cpu_ns / 1e6, (double)outer.cpu_ns / 1e6);
    not_more_than_process(&t, &outer);

    t = measured(drv_compute, (void *)(uintptr_t)30, &outer);
    if (t.cpu_ns + 2 * MS < outer.cpu_ns * 7 / 10)
        exkit_fail("ex01_measure says 30 ms of computing used %.1f ms of CPU time; the "
                   "process used %.1f ms meanwhile: read a CPU clock before and after "
                   "the job, in nanoseconds",
                   (double)t.cpu_ns / 1e6, (double)outer.cpu_ns / 1e6);
    not_more_than_process(&t, &outer);
    if (ex01_measure(NULL, NULL, &t) != -EINVAL ||
        ex01_measure(drv_sleep, 0, NULL) != -EINVAL)
        exkit_fail("ex01_measure with a NULL job or a NULL out must return -EINVAL");
}

/* every_thread: a job that computes on two threads of its own. */
static void case_every_thread(void)
{
    rt_bytecodes_per_ms(); /* calibrate here, not on two threads at once */
    ex01_times outer, t = measured(drv_two_threads, (void *)(uintptr_t)20, &outer);
    if (t.cpu_ns + 2 * MS < outer.cpu_ns * 7 / 10)
        exkit_fail(
            "this job ran on two threads of its own and the process used %.1f ms of "
            "CPU time, but ex01_measure counted %.1f ms: it counts only the calling "
            "thread's CPU time (CLOCK_THREAD_CPUTIME_ID or RUSAGE_THREAD?); count the "
            "whole process's (CLOCK_PROCESS_CPUTIME_ID or RUSAGE_SELF), as "
            "time.process_time does",
            (double)outer.cpu_ns / 1e6, (double)t.cpu_ns / 1e6);
}

/* ------------------------------------------------------------------ */
/* Part C                                                              */
/* ------------------------------------------------------------------ */

static const char *kind_name(ex01_kind k)
{
    switch (k) {
    case EX01_IO_BOUND:
        return "IO_BOUND";
    case EX01_MIXED:
        return "MIXED";
    case EX01_CPU_BOUND:
        return "CPU_BOUND";
    case EX01_UNKNOWN:
        return "UNKNOWN";
    }
    return "not an ex01_kind";
}

/* Expects classify({100 ms wall, pct% of it CPU}) to be `want`. */
static void expect_kind(int pct, ex01_kind want, const char *why)
{
    ex01_times t = {100 * MS, (uint64_t)pct * MS};
    ex01_kind got = ex01_classify(&t);
    if (got == want)
        return;
    exkit_fail("a job on the CPU for %d ms of its 100 ms wall time (%s) is %s, your "
               "ex01_classify says %s",
               pct, why, kind_name(want), kind_name(got));
}

/* classify: synthetic measurements, known answers. */
static void case_classify(void)
{
    ex01_times idle = {100 * MS, 1 * MS}, busy = {100 * MS, 99 * MS};
    ex01_kind a = ex01_classify(&idle), b = ex01_classify(&busy);
    if (a == EX01_UNKNOWN && b == EX01_UNKNOWN)
        exkit_fail("ex01_classify returns UNKNOWN for every measurement: it is still "
                   "the starter's TODO (C1)");
    if (a == EX01_CPU_BOUND && b == EX01_IO_BOUND)
        exkit_fail("your thresholds are swapped: a job on the CPU 1%% of its wall time "
                   "was waiting (IO_BOUND), one on it 99%% of the time was computing "
                   "(CPU_BOUND)");
    expect_kind(0, EX01_IO_BOUND, "a sleep");
    expect_kind(5, EX01_IO_BOUND, "waiting for the network");
    expect_kind(10, EX01_IO_BOUND, "waiting nine tenths of the time");
    expect_kind(35, EX01_MIXED, "a third computing");
    expect_kind(50, EX01_MIXED, "half and half");
    expect_kind(65, EX01_MIXED, "two thirds computing");
    expect_kind(90, EX01_CPU_BOUND, "computing nine tenths of the time");
    expect_kind(100, EX01_CPU_BOUND, "a hash");
    expect_kind(190, EX01_CPU_BOUND, "two threads computing at once");
}

/* classify_edges (hidden): no wall time; tiny and huge figures. */
static void case_classify_edges(void)
{
    ex01_times none = {0, 5 * MS}, tiny = {1000, 999}, huge = {UINT64_MAX / 2, 10};
    ex01_kind k;
    if (ex01_classify(&tiny) == EX01_UNKNOWN && ex01_classify(&huge) == EX01_UNKNOWN)
        exkit_fail("ex01_classify returns UNKNOWN for every measurement: it is still "
                   "the starter's TODO (C1)");
    if ((k = ex01_classify(&none)) != EX01_UNKNOWN)
        exkit_fail("a measurement with no wall time has no ratio: ex01_classify must "
                   "say UNKNOWN, not %s",
                   kind_name(k));
    if ((k = ex01_classify(&tiny)) != EX01_CPU_BOUND)
        exkit_fail("999 ns of CPU in 1000 ns of wall time is CPU_BOUND, yours %s (do "
                   "you divide integers?)",
                   kind_name(k));
    if ((k = ex01_classify(&huge)) != EX01_IO_BOUND)
        exkit_fail("10 ns of CPU in %llu ns of wall time is IO_BOUND, yours %s",
                   (unsigned long long)huge.wall_ns, kind_name(k));
}

/* ------------------------------------------------------------------ */
/* Part D                                                              */
/* ------------------------------------------------------------------ */

/* One copy's record: which OS thread ran it. */
typedef struct copy {
    pid_t tid;
    int runs;
} copy;

static void record_copy(void *arg)
{
    copy *c = arg;
    c->tid = gettid();
    c->runs++;
    rt_sleep_us(20000); /* long enough for every copy to be alive at once */
}

/* threads: n copies, each on a thread of its own, all alive at once, all
 * joined before the call returns. */
static void case_threads(void)
{
    enum { N = 4 };
    copy c[N] = {{0, 0}};
    void *args[N];
    for (int i = 0; i < N; i++)
        args[i] = &c[i];
    rt_stats_reset();
    int rc = ex01_run_threads(record_copy, args, N);
    if (rc < 0)
        exkit_fail_rc("ex01_run_threads", rc);
    rt_stats st;
    rt_stats_get(&st);
    for (int i = 0; i < N; i++) {
        if (c[i].runs != 1)
            exkit_fail("copy %d ran %d times: run each copy once, copy i with args[i]",
                       i, c[i].runs);
        if (c[i].tid == gettid())
            exkit_fail("copy %d ran on the calling thread: start a thread per copy", i);
        for (int j = 0; j < i; j++)
            if (c[j].tid == c[i].tid)
                exkit_fail("copies %d and %d ran on the same OS thread: one thread "
                           "per copy",
                           j, i);
    }
    if (st.threads_started != N)
        exkit_fail("you started %d runtime threads for %d copies", st.threads_started,
                   N);
    if (st.max_blocked < N)
        exkit_fail("at most %d of your %d copies were waiting at the same time: start "
                   "all of them before you join any",
                   st.max_blocked - 1, N);
    if (rt_thread_count() != 1)
        exkit_fail("after ex01_run_threads returned, %d threads were still attached: "
                   "join every thread you started",
                   rt_thread_count() - 1);
}

/* threads_edge (hidden): no copies, bad arguments, NULL args. */
static void case_threads_edge(void)
{
    int rc = ex01_run_threads(drv_sleep, NULL, 0);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex01_run_threads", rc);
    if (rc != 0)
        exkit_fail("ex01_run_threads(job, NULL, 0) returned %d: no copies, nothing to "
                   "do, return 0",
                   rc);
    if ((rc = ex01_run_threads(NULL, NULL, 2)) != -EINVAL)
        exkit_fail("ex01_run_threads(NULL, NULL, 2) returned %d, expected -EINVAL", rc);
    if ((rc = ex01_run_threads(drv_sleep, NULL, -1)) != -EINVAL)
        exkit_fail("ex01_run_threads(job, NULL, -1) returned %d, expected -EINVAL", rc);
    rt_stats_reset();
    if ((rc = ex01_run_threads(drv_sleep, NULL, 3)) < 0) /* each sleeps 0 ms */
        exkit_fail_rc("ex01_run_threads", rc);
    rt_stats st;
    rt_stats_get(&st);
    if (st.threads_started != 3)
        exkit_fail("with args == NULL, ex01_run_threads(job, NULL, 3) must still run 3 "
                   "copies (each with a NULL argument); it started %d threads",
                   st.threads_started);
}

/* ------------------------------------------------------------------ */
/* Measurements                                                        */
/* ------------------------------------------------------------------ */

enum { WAIT, CHECKSUM, MIXED };

/* One copy of a measured job.  Each copy has its own checksum argument
 * (its result is its own), all reading one buffer. */
typedef struct load_copy {
    int kind;
    ex01_wait wait;
    ex01_sum sum;
} load_copy;

static void load_copy_run(void *arg)
{
    load_copy *c = arg;
    if (c->kind != WAIT)
        ex01_checksum_job(&c->sum);
    if (c->kind != CHECKSUM)
        ex01_wait_job(&c->wait);
}

#define MAX_COPIES 16
static load_copy S_copies[MAX_COPIES];
static uint8_t *S_buf;
static uint32_t S_want[2]; /* the checksums of S_buf's first 4 and 8 MiB */

/* Parses <JOB> and prepares n copies of it (before the clocks start). */
static int load_prepare(int nargs, char **args, int n)
{
    if (nargs < 1)
        exkit_fail("missing argument JOB (wait, checksum or mixed)");
    int kind = strcmp(args[0], "wait") == 0       ? WAIT
               : strcmp(args[0], "checksum") == 0 ? CHECKSUM
               : strcmp(args[0], "mixed") == 0    ? MIXED
                                                  : -1;
    if (kind < 0)
        exkit_fail("JOB must be wait, checksum or mixed, not '%s'", args[0]);
    if (!S_buf) {
        S_buf = pattern(8 * MiB, random_seed());
        S_want[0] = adler_closed_form(S_buf, 4 * MiB);
        S_want[1] = adler_closed_form(S_buf, 8 * MiB);
    }
    for (int i = 0; i < n; i++)
        S_copies[i] = (load_copy){.kind = kind,
                                  .wait = {kind == WAIT ? 50 : 25},
                                  .sum = {S_buf, kind == MIXED ? 4 * MiB : 8 * MiB, 0}};
    return kind;
}

/* What the copies reported: a run whose checksums are wrong did not do the
 * work it was timed for, and its timing would mean nothing. */
static void load_report(exkit_measure *m, int n)
{
    int right = 0;
    for (int i = 0; i < n; i++) {
        const ex01_sum *sum = &S_copies[i].sum;
        if (S_copies[i].kind == WAIT)
            continue;
        uint32_t want = S_want[sum->len == 8 * MiB];
        if (sum->result != want)
            exkit_fail("copy %d's checksum of %zu MiB is 0x%08x, not 0x%08x: the "
                       "measured job did not do its work",
                       i, sum->len / MiB, sum->result, want);
        right++;
    }
    exkit_result_int(m, "copies", n);
    exkit_result_int(m, "checksums_right", right);
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 1, 1, MAX_COPIES, "N");
    load_prepare(nargs, args, n);
    exkit_measure_start(m);
    for (int i = 0; i < n; i++)
        load_copy_run(&S_copies[i]);
    exkit_measure_stop(m);
    load_report(m, n);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 1, 1, MAX_COPIES, "N");
    load_prepare(nargs, args, n);
    void *argv[MAX_COPIES];
    for (int i = 0; i < n; i++)
        argv[i] = &S_copies[i];
    exkit_measure_start(m);
    int rc = ex01_run_threads(load_copy_run, argv, n);
    exkit_measure_stop(m);
    if (rc < 0)
        exkit_fail_rc("ex01_run_threads", rc);
    load_report(m, n);
}

static void load_classify(exkit_measure *m, int nargs, char **args)
{
    load_prepare(nargs, args, 1);
    ex01_times t = {0, 0};
    exkit_measure_start(m);
    int rc = ex01_measure(load_copy_run, &S_copies[0], &t);
    exkit_measure_stop(m);
    if (rc < 0)
        exkit_fail_rc("ex01_measure", rc);
    exkit_result_uint(m, "your_wall_ns", t.wall_ns);
    exkit_result_uint(m, "your_cpu_ns", t.cpu_ns);
    exkit_result_str(m, "your_class", kind_name(ex01_classify(&t)));
}

static const exkit_case S_cases[] = {
    {"wait", case_wait, 0},
    {"checksum", case_checksum, 0},
    {"checkpoint", case_checkpoint, 0},
    {"measure", case_measure, 0},
    {"every_thread", case_every_thread, 0},
    {"classify", case_classify, 0},
    {"classify_edges", case_classify_edges, 0},
    {"threads", case_threads, 0},
    {"threads_edge", case_threads_edge, 0},
};

static const exkit_workload S_workloads[] = {
    {"serial", "JOB N", load_serial, 0},
    {"threads", "JOB N", load_threads, 0},
    {"classify", "JOB", load_classify, 0},
};

static const exkit_driver S_driver = {
    .tag = "ex01", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
