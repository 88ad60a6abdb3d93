/*
 * gil_checks.h - behavioural checks of a GIL, for any GIL the runtime can
 * run: a built-in policy, or an exercise's own rt_gil_ops (RT_GIL_CUSTOM).
 * Provided; part of the exercise kit.  The runtime's own tests
 * (tests/runtime/test_gil_checks.c) and exercise 04's driver both run them.
 *
 * Each check catches a class of mistake that leaves a GIL working but
 * wrong, the kind a test of "does it run?" misses:
 *
 *   gil_check_exclusion         two threads holding the GIL at once
 *   gil_check_drop_spacing      a waiter that reads switch_number after its
 *                               timed wait instead of before, or waits less
 *                               than the interval (drop requests come too
 *                               soon after a hand-over)
 *   gil_check_wakeup_on_release a drop that never signals the condition
 *                               variable (the lost wake-up a timed wait hides)
 *   gil_check_interleaving      a GIL that never makes its holder let go
 *                               (two CPU-bound threads run one after the other)
 *   gil_check_hold_scales       a GIL that ignores the configured interval,
 *                               or lets go on a schedule of its own
 *   gil_check_forced_handover   a dropper that takes the GIL straight back
 *                               (no forced switching), or drops unasked
 *   gil_check_waiters_sleep     a waiter that spins instead of sleeping
 *   gil_check_fairness          one CPU-bound thread starving another
 *
 * Call each from a thread that is not attached, with no runtime running.
 * Each starts the runtime with the configuration it is given (policy,
 * custom_gil, ticks; the interval where the check says so), runs a
 * workload, judges by the runtime's counters and trace (and, for spinning,
 * by the kernel's accounting of the waiting threads), stops the runtime,
 * and prints "# " lines with its figures on GC_NOTES (default stderr).  A
 * failed check ends the process through GC_FAIL (below), so run each check
 * in a process of its own (a test CASE or an exercise case does).
 *
 * Bounds are one-sided or generous, never tight wall-clock limits: on a
 * busy machine a waiter wakes late, which makes holds longer and requests
 * rarer, never the reverse.  The two timeouts (wake-up on release, and the
 * round trips of an exercise's hidden test) are seconds against hand-overs
 * that take microseconds; only a lost wake-up, which waits out a 10 s
 * interval, reaches them.
 *
 * Header-only (static functions), so any test or driver can include it;
 * it needs rt.h on the include path.  Before including it, a program may
 * define GC_FAIL(msg) (how a failed check ends the process; default: print
 * "file:line: check failed: msg" and _exit(1), as tests/check.h does) and
 * GC_NOTES (the stream for the figures).
 */
#ifndef GIL_CHECKS_H
#define GIL_CHECKS_H

#include "rt.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef GC_FAIL
#define GC_FAIL(msg) gc_fail_default(__FILE__, __LINE__, msg)
static inline _Noreturn void gc_fail_default(const char *file, int line,
                                             const char *msg)
{
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, msg);
    fflush(NULL);
    _exit(1);
}
#endif
#ifndef GC_NOTES
#define GC_NOTES stderr
#endif

/* GC_CHECK(cond, fmt, ...): fail with the formatted message unless cond. */
#define GC_CHECK(cond, ...)                                                            \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            char gc_msg_[768];                                                         \
            snprintf(gc_msg_, sizeof gc_msg_, __VA_ARGS__);                            \
            GC_FAIL(gc_msg_);                                                          \
        }                                                                              \
    } while (0)

/* A configuration for the checks: `policy` (with `custom` for
 * RT_GIL_CUSTOM) and the interval in microseconds (0: the default). */
static inline rt_config gil_checks_config(rt_gil_policy policy,
                                          const rt_gil_ops *custom, long interval_us)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = policy;
    cfg.custom_gil = custom;
    if (interval_us)
        cfg.switch_interval_us = interval_us;
    return cfg;
}

/* ---------------------------------------------------------------- helpers */

/* Starts the runtime with `base`, overriding the interval (if nonzero) and
 * the trace size.  The caller becomes "main", holding the GIL. */
static void gc_start(const rt_config *base, long interval_us, size_t trace_events)
{
    rt_config cfg = *base;
    if (interval_us)
        cfg.switch_interval_us = interval_us;
    cfg.trace_events = trace_events;
    int err = rt_init(&cfg);
    GC_CHECK(err == 0, "rt_init: %s", strerror(-err));
}

/* Starts a runtime thread running fn(arg), or fails. */
static rt_thread *gc_thread(void (*fn)(void *), void *arg)
{
    rt_thread *t = rt_thread_start(fn, arg);
    GC_CHECK(t != NULL, "rt_thread_start: %s", strerror(errno));
    return t;
}

/* Sleeps until rt_now_ns() reaches `until` without letting go of the GIL:
 * native code holding it.  Returns at once if that time has passed. */
static void gc_hold_until(uint64_t until)
{
    struct timespec ts = {(time_t)(until / 1000000000), (long)(until % 1000000000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

static void gc_hold_ns(uint64_t ns)
{
    gc_hold_until(rt_now_ns() + ns);
}

/* Two CPUs this process may run on, into cpus[0..1].  Returns 0, or -1
 * when it may run on one only. */
static int gc_two_cpus(int cpus[2])
{
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) < 0)
        return -1;
    for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &set))
            cpus[n++] = c;
    return n == 2 ? 0 : -1;
}

/* Keeps the calling thread on CPU `cpu` (if >= 0). */
static void gc_pin(int cpu)
{
    if (cpu < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* A CPU-bound thread: computes (rt_bytecodes, `units` at a time) until
 * rt_now_ns() reaches `until_ns` and it has had `min_turns` turns at the
 * GIL (a turn begins when it finds `*last`, the lane of the thread that
 * computed last, is not its own), or until `cap_ns` in any case.  Wall
 * time and turns, not an amount of work: on an idle machine a check takes
 * as long as it says, on a busy one long enough to see the turns it
 * needs, and with a GIL that never hands over it ends at the cap. */
typedef struct gc_cpu {
    uint64_t units, until_ns, cap_ns;
    int min_turns;
    int *last; /* shared, read and written holding the GIL; NULL: no turns */
    int tid;   /* written by the thread before it works */
    int cpu;   /* the CPU it keeps to, or -1 */
} gc_cpu;

static void gc_cpu_main(void *p)
{
    gc_cpu *c = p;
    c->tid = rt_tstate_id(rt_current());
    gc_pin(c->cpu);
    for (int turns = 0;;) {
        if (c->last && *c->last != c->tid) {
            *c->last = c->tid;
            turns++;
        }
        uint64_t now = rt_now_ns();
        if (now >= c->cap_ns || (now >= c->until_ns && turns >= c->min_turns))
            break;
        rt_bytecodes(c->units);
    }
}

/* A gc_cpu computing until `until_ns` (no turns asked for), 0.2 ms of work
 * at a time (sized on one free core), on CPU `cpu` (-1: any).  Call
 * holding the GIL. */
static gc_cpu gc_cpu_until(uint64_t until_ns, int cpu)
{
    return (gc_cpu){.units = (uint64_t)(0.2 * rt_bytecodes_per_ms()),
                    .until_ns = until_ns,
                    .cap_ns = until_ns,
                    .tid = -1,
                    .cpu = cpu};
}

/* Runs n CPU-bound threads that compute until `ms` milliseconds have passed
 * and each has had `min_turns` turns at the GIL (at most 20 x ms, and at
 * least 2 s), and joins them; tids[i] (if tids) gets each thread's trace
 * lane; thread i keeps to CPU cpus[i] if `cpus` is not NULL.  Call holding
 * the GIL. */
static void gc_run_cpus(int n, double ms, int min_turns, int *tids, const int *cpus)
{
    enum { MAX = 8 };
    GC_CHECK(n <= MAX, "at most %d threads", MAX);
    gc_cpu c[MAX];
    rt_thread *t[MAX];
    int last = -1;
    rt_bytecodes_per_ms(); /* calibrated once (about 20 ms), before the clock */
    uint64_t now = rt_now_ns(), until = now + (uint64_t)(ms * 1e6);
    uint64_t cap = now + (uint64_t)(ms < 100 ? 2e9 : 20 * ms * 1e6);
    for (int i = 0; i < n; i++) {
        c[i] = gc_cpu_until(until, cpus ? cpus[i] : -1);
        c[i].cap_ns = cap;
        c[i].min_turns = min_turns;
        c[i].last = &last;
        t[i] = gc_thread(gc_cpu_main, &c[i]);
    }
    for (int i = 0; i < n; i++)
        GC_CHECK(rt_thread_join(t[i]) == 0, "rt_thread_join failed");
    for (int i = 0; i < n && tids; i++)
        tids[i] = c[i].tid;
}

/* The recorded events (a full buffer keeps the beginning of the run, which
 * is what the checks look at). */
static const rt_event *gc_events(size_t *n)
{
    return rt_trace_events(n, NULL);
}

/* From the trace: how long each hold that ended in a forced drop lasted
 * (a GIL_TAKE to the same thread's next GIL_DROP with arg 1), into *h.
 * Those are the holds the interval governs; holds that end because a
 * thread blocks or exits are left out.  Call when the threads are joined. */
static void gc_forced_holds(rt_hist *h)
{
    size_t n;
    const rt_event *ev = gc_events(&n);
    memset(h, 0, sizeof *h);
    enum { LANES = 64 };
    uint64_t took[LANES] = {0};
    for (size_t i = 0; i < n; i++) {
        if (ev[i].tid >= LANES)
            continue;
        if (ev[i].kind == RT_EV_GIL_TAKE) {
            took[ev[i].tid] = ev[i].t_ns;
        } else if (ev[i].kind == RT_EV_GIL_DROP) {
            if (ev[i].arg && took[ev[i].tid] && ev[i].t_ns >= took[ev[i].tid])
                rt_hist_add(h, ev[i].t_ns - took[ev[i].tid]);
            took[ev[i].tid] = 0;
        }
    }
}

/* The kernel's view of thread `tid` of this process: nanoseconds it has
 * spent on a core plus waiting in the run queue for one, i.e. runnable
 * (/proc/self/task/TID/schedstat).  A thread asleep on a condition
 * variable adds nothing; a spinning one adds its whole wall time, busy
 * machine or not.  *slices: how many times it was put on a core (the
 * third number).  Returns 0, or -ENOENT without scheduler statistics. */
/* Whether /proc/self/task/DIR is the thread whose id in its own PID
 * namespace is tid: the last number of its status file's NSpid line. */
static int gc_task_is(const char *dir, pid_t tid)
{
    char path[300], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%s/status", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int yes = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "NSpid:", 6) == 0) {
            char *last = strrchr(line, '\t');
            last = last ? last + 1 : line + 6;
            yes = atol(last) == (long)tid;
            break;
        }
    fclose(f);
    return yes;
}

/* /proc/self/task/<dir>/schedstat for thread tid.  The grader runs a
 * program in a PID namespace of its own without remounting /proc, so the
 * id the thread knows itself by (gettid) is not the name of its directory
 * there: look for the task whose NSpid ends in tid. */
static int gc_schedstat_path(pid_t tid, char *path, size_t size)
{
    char dir[32];
    snprintf(dir, sizeof dir, "%d", (int)tid);
    if (gc_task_is(dir, tid)) {
        snprintf(path, size, "/proc/self/task/%s/schedstat", dir);
        return 0;
    }
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -ENOENT;
    int rc = -ENOENT;
    for (struct dirent *e; rc < 0 && (e = readdir(d));)
        if (e->d_name[0] != '.' && gc_task_is(e->d_name, tid)) {
            snprintf(path, size, "/proc/self/task/%s/schedstat", e->d_name);
            rc = 0;
        }
    closedir(d);
    return rc;
}

static int gc_runnable_ns(pid_t tid, uint64_t *ns, uint64_t *slices)
{
    char path[300];
    if (gc_schedstat_path(tid, path, sizeof path) < 0)
        return -ENOENT;
    FILE *f = fopen(path, "r");
    if (!f)
        return -ENOENT;
    unsigned long long on_cpu = 0, queued = 0, runs = 0;
    int got = fscanf(f, "%llu %llu %llu", &on_cpu, &queued, &runs);
    fclose(f);
    if (got != 3)
        return -ENOENT;
    *ns = on_cpu + queued;
    *slices = runs;
    return 0;
}

static uint64_t gc_process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- checks */

/* A drop request may come only after a whole interval in which the GIL
 * did not change hands: a waiter reads switch_number *before* its timed
 * wait and asks only if it is unchanged when the wait times out.  So after
 * any hand-over, the next drop request is at least one interval later.
 *
 * The scene, at interval I (base->switch_interval_us): main holds the GIL
 * while `nthreads` CPU-bound threads (2 to 8) start and wait for it; at
 * 0.8 I main blocks (a join), and one of them takes the GIL.  The others'
 * waits began before that hand-over and time out about 0.2 I after it:
 * each must see the hand-over and wait again, so the first drop request
 * comes >= I after main's drop.  A waiter that reads switch_number after
 * its wait sees nothing change and asks at once, 0.2 I after the hand-over
 * plus the time it takes to wake (with more waiters, the sooner one of
 * them does).  Judged from the trace (main's GIL_DROP to the first
 * DROP_REQUEST after it).  A round in which main overslept and a waiter
 * timed out before the hand-over proves nothing and is not counted: three
 * rounds that count, out of at most eight, and at least one.  A busy
 * machine makes the request later, never earlier; choose I well above its
 * scheduling delay, which also delays the faulty request (100 ms does on a
 * loaded 2-core machine).  Takes about 3 intervals a round. */
static void gil_check_drop_spacing(const rt_config *base, int nthreads)
{
    enum { MAX = 8 };
    long interval = base->switch_interval_us;
    GC_CHECK(interval > 0 && nthreads >= 2 && nthreads <= MAX,
             "interval %ld, %d threads", interval, nthreads);
    gc_start(base, 0, 1 << 16);
    rt_bytecodes_per_ms(); /* calibrated once (about 20 ms), before the clock */
    int counted = 0, asked = 0;
    for (int round = 0; round < 8 && counted < 3; round++) {
        rt_trace_mark("round");
        gc_cpu c[MAX];
        rt_thread *t[MAX];
        /* 0.8 I from before the first start (no wait began earlier), holding
         * the GIL: every thread waits. */
        uint64_t t0 = rt_now_ns();
        for (int i = 0; i < nthreads; i++) {
            /* Computing until 4 I: the request is due at 2 I (1.2 I after
             * the hand-over), with two intervals to spare for a waiter that
             * a busy machine (or ThreadSanitizer) wakes late. */
            c[i] = gc_cpu_until(t0 + (uint64_t)interval * 4000, -1);
            t[i] = gc_thread(gc_cpu_main, &c[i]);
        }
        gc_hold_until(t0 + (uint64_t)interval * 800);
        for (int i = 0; i < nthreads; i++)
            GC_CHECK(rt_thread_join(t[i]) == 0, "join"); /* the first hands over */
        size_t n;
        const rt_event *ev = gc_events(&n);
        size_t i = n;
        while (i > 0 && !(ev[i - 1].kind == RT_EV_MARK && ev[i - 1].tid == 0))
            i--; /* back to this round's mark */
        GC_CHECK(i > 0, "round %d: the trace is full", round);
        uint64_t mark = ev[i - 1].t_ns, handover = 0, request = 0;
        int early = 0; /* a waiter timed out before the hand-over */
        for (; i < n && !request; i++) {
            if (!handover && ev[i].kind == RT_EV_GIL_DROP && ev[i].tid == 0) {
                handover = ev[i].t_ns;
            } else if (ev[i].kind == RT_EV_DROP_REQUEST && !handover) {
                /* Still a whole interval: no wait began before the mark. */
                double after = (double)(ev[i].t_ns - mark) / 1000.0;
                GC_CHECK(after >= 0.95 * (double)interval,
                         "round %d: a drop request %.0f us after the waiters began, at "
                         "a %ld us interval: the timed wait is shorter than the "
                         "interval (does it last rt_gil_interval_us()?)",
                         round, after, interval);
                early = 1;
            } else if (ev[i].kind == RT_EV_DROP_REQUEST) {
                request = ev[i].t_ns;
            }
        }
        GC_CHECK(handover,
                 "round %d: no hand-over in the trace: main dropped the GIL "
                 "to %d waiting threads and none of them took it",
                 round, nthreads);
        if (!request) {
            /* Late waiters can miss the whole window; a GIL whose waiters
             * never ask misses it in every round (checked below). */
            fprintf(GC_NOTES,
                    "# drop spacing, round %d: no drop request before the threads "
                    "finished (not counted: the waiters woke too late)\n",
                    round);
            continue;
        }
        asked++;
        double gap = (double)(request - handover) / 1000.0;
        fprintf(GC_NOTES,
                "# drop spacing, %d threads, interval %ld us, round %d: first drop "
                "request %.0f us after the hand-over%s\n",
                nthreads, interval, round, gap,
                early ? " (not counted: a waiter timed out before it)" : "");
        if (early)
            continue;
        counted++;
        GC_CHECK(gap >= 0.95 * (double)interval,
                 "round %d: a drop request %.0f us after a hand-over, at a %ld us "
                 "interval: a waiter asked before a whole interval had passed "
                 "without a hand-over (switch_number read after the timed wait "
                 "instead of before it?)",
                 round, gap, interval);
    }
    GC_CHECK(asked >= 1,
             "no drop request in the trace in 8 rounds: %d CPU-bound threads never "
             "asked for the GIL (does a waiter that times out call "
             "rt_gil_request_drop()?)",
             nthreads);
    GC_CHECK(counted >= 1, "no round counted: a waiter timed out before every "
                           "hand-over (main overslept 0.2 I each time: the machine "
                           "is too busy)");
    rt_fini();
}

/* The wake-up check's blocked thread: waits in a read without the GIL, and
 * when the byte comes, takes the GIL back and answers. */
typedef struct gc_wake {
    int wake[2], reply[2];
    atomic_int reading;
} gc_wake;

static void gc_wake_reader(void *p)
{
    gc_wake *w = p;
    char c;
    atomic_store(&w->reading, 1);
    GC_CHECK(rt_read(w->wake[0], &c, 1) == 1, "read");  /* no GIL while blocked */
    GC_CHECK(write(w->reply[1], "r", 1) == 1, "write"); /* holding the GIL again */
}

/* A thread blocked in I/O comes back while another holds the GIL, so it
 * waits for the GIL; then the holder blocks, dropping the GIL.  The drop
 * must wake the waiter at once.  With a 10 s interval, a drop that forgets
 * to signal the condition variable leaves the waiter asleep until its
 * timeout, 10 s later: the holder, blocked in poll() for the reply with a
 * 3 s limit, sees nothing.  Three rounds; the waiter must really have
 * waited (the holder keeps the GIL for 50 ms first) in at least one.  The
 * interval in `base` is ignored. */
static void gil_check_wakeup_on_release(const rt_config *base)
{
    const long interval = 10 * 1000 * 1000;
    gc_start(base, interval, 0);
    int waited = 0;
    for (int round = 0; round < 3; round++) {
        gc_wake w = {.reading = 0};
        GC_CHECK(pipe(w.wake) == 0 && pipe(w.reply) == 0, "pipe");
        rt_thread *t = gc_thread(gc_wake_reader, &w);
        while (!atomic_load(&w.reading))
            rt_sleep_us(1000); /* let it run to its read */
        rt_stats_reset();
        GC_CHECK(write(w.wake[1], "w", 1) == 1, "write"); /* wake it, keeping the GIL */
        gc_hold_ns(50 * 1000 * 1000); /* native code holding the GIL: it must wait */
        uint64_t t0 = rt_now_ns();
        struct pollfd pfd = {.fd = w.reply[0], .events = POLLIN};
        int ready;
        RT_BEGIN_ALLOW_THREADS
            ready = poll(&pfd, 1, 3000);
        RT_END_ALLOW_THREADS
        uint64_t handover = rt_now_ns() - t0;
        GC_CHECK(ready == 1,
                 "round %d: a thread waiting for the GIL did not get it within 3 s "
                 "of its release (interval 10 s): the drop does not wake a waiter "
                 "(signal the condition variable when you clear `locked`)",
                 round);
        GC_CHECK(rt_thread_join(t) == 0, "join");
        rt_stats st;
        rt_stats_get(&st);
        if (st.wait.max_ns >= 25 * 1000 * 1000)
            waited++;
        fprintf(GC_NOTES,
                "# wake-up on release, round %d: the reader waited %.1f ms for the "
                "GIL, got it %.3f ms after the holder blocked\n",
                round, (double)st.wait.max_ns / 1e6, (double)handover / 1e6);
        close(w.wake[0]);
        close(w.wake[1]);
        close(w.reply[0]);
        close(w.reply[1]);
    }
    GC_CHECK(waited >= 1,
             "the reader never waited for the GIL: the check proved nothing");
    rt_fini();
}

/* Two CPU-bound threads must take turns while both run, not run one after
 * the other: counted from the trace as hand-overs between them (a GIL_TAKE
 * by one following a GIL_TAKE by the other) before either exits.  At least
 * 10, whatever the policy: ticks hands over now and then among thousands
 * of futile drops (in 100 ms), an interval policy every interval (in 40
 * intervals, at least 100 ms).  A full trace buffer is fine: what it kept
 * is the beginning of the run. */
static void gil_check_interleaving(const rt_config *base)
{
    double ms = 100;
    if (base->policy != RT_GIL_TICKS) {
        ms = 40.0 * (double)base->switch_interval_us / 1000.0;
        if (ms < 100)
            ms = 100;
    }
    gc_start(base, 0, 1 << 20);
    int tid[2];
    gc_run_cpus(2, ms, 7, tid, NULL); /* >= 12 takes while both run */
    size_t n;
    const rt_event *ev = gc_events(&n);
    int last = -1, alternations = 0, takes = 0;
    for (size_t i = 0; i < n; i++) {
        int mine = ev[i].tid == tid[0] || ev[i].tid == tid[1];
        if (!mine)
            continue;
        if (ev[i].kind == RT_EV_THREAD_EXIT)
            break; /* one is done: the other runs alone from here */
        if (ev[i].kind != RT_EV_GIL_TAKE)
            continue;
        takes++;
        if (last >= 0 && ev[i].tid != last)
            alternations++;
        last = ev[i].tid;
    }
    fprintf(GC_NOTES,
            "# interleaving, 2 threads for %.0f ms, policy %s: %d hand-overs between "
            "them in %d takes while both ran\n",
            ms, rt_policy_name(rt_policy()), alternations, takes);
    GC_CHECK(alternations >= 10,
             "%d hand-overs between two CPU-bound threads while both ran: they ran "
             "one after the other (is the holder ever made to let go? the breaker "
             "must answer a drop request)",
             alternations);
    rt_fini();
}

/* Hold times follow the interval: two CPU-bound threads at 2, 10 and 50
 * ms.  A forced hold lasts at least one interval (see
 * gil_check_drop_spacing), longer on a busy machine, whose scheduling delay
 * is added to every hold.  So each median must be >= 0.8 I; the 50 ms
 * median must exceed the 10 ms one and twice the lower quartile at 2 ms
 * (the quartile, because a delay of 10-20 ms on a loaded machine dwarfs a
 * 2 ms interval and moves the median most); and it must stay under 3
 * intervals.  A GIL that ignores the configured interval (say, always 5
 * ms) fails the 10 or 50 ms bound; one that lets go on a schedule of its
 * own, a countdown of checkpoints as before Python 3.2, has holds of
 * microseconds; one whose holds do not depend on the interval fails the
 * comparisons; one that reads the interval once, when it is created, fails
 * at 50 ms, which is set after the start.  The interval in `base` is
 * ignored.  Takes about 0.8 s. */
static void gil_check_hold_scales(const rt_config *base)
{
    const long intervals[3] = {2000, 10000, 50000};
    double p25[3], p50[3];
    for (int k = 0; k < 3; k++) {
        /* The last setting is made after the start, as sys.setswitchinterval
         * would be: a GIL must read the interval at each wait. */
        gc_start(base, k == 2 ? intervals[0] : intervals[k], 1 << 16);
        if (k == 2)
            rt_set_switch_interval_us(intervals[k]);
        double ms = 12.0 * (double)intervals[k] / 1000.0; /* about 12 holds */
        gc_run_cpus(2, ms < 60 ? 60 : ms, 5, NULL, NULL); /* >= 8 forced holds */
        rt_hist forced;
        gc_forced_holds(&forced);
        p25[k] = (double)rt_hist_quantile(&forced, 0.25);
        p50[k] = (double)rt_hist_quantile(&forced, 0.5);
        fprintf(GC_NOTES,
                "# hold at interval %ld us: forced holds p25 %.0f us, median %.0f us "
                "over %llu holds\n",
                intervals[k], p25[k] / 1000, p50[k] / 1000,
                (unsigned long long)forced.count);
        GC_CHECK(forced.count >= 5,
                 "interval %ld us: only %llu forced drops while two CPU-bound "
                 "threads ran (is the holder ever asked to let go?)",
                 intervals[k], (unsigned long long)forced.count);
        double interval_ns = (double)intervals[k] * 1000;
        /* Microseconds, where even the shortest interval tried is 2 ms: the
         * holder does not wait to be asked. */
        GC_CHECK(p50[k] >= 0.1 * (double)intervals[0] * 1000,
                 "median forced hold %.1f us at a %ld us interval: the holder lets go "
                 "long before anyone has waited a whole interval (a countdown of "
                 "checkpoints, as before Python 3.2? let go only when a waiter asks)",
                 p50[k] / 1000, intervals[k]);
        GC_CHECK(k < 2 || p50[k] >= 0.8 * interval_ns,
                 "median forced hold %.0f us after the interval was changed to %ld "
                 "us: the interval changed while the program ran, but the waits did "
                 "not (read rt_gil_interval_us() at each wait, not once when the GIL "
                 "is created)",
                 p50[k] / 1000, intervals[k]);
        GC_CHECK(p50[k] >= 0.8 * interval_ns,
                 "median forced hold %.0f us at a %ld us interval, shorter than the "
                 "interval: does your timed wait last rt_gil_interval_us()?",
                 p50[k] / 1000, intervals[k]);
        rt_fini();
    }
    GC_CHECK(p50[1] < p50[2] && 2 * p25[0] < p50[2],
             "at 2, 10, 50 ms: p25 %.0f us, medians %.0f, %.0f us: holds do not "
             "follow the interval (does your timed wait last rt_gil_interval_us()?)",
             p25[0] / 1000, p50[1] / 1000, p50[2] / 1000);
    GC_CHECK(p50[2] <= 3.0 * (double)intervals[2] * 1000,
             "interval 50 ms: median forced hold %.0f us, over 3 intervals: "
             "does your timed wait last rt_gil_interval_us()?",
             p50[2] / 1000);
}

#include "gil_checks_turns.h" /* exclusion, hand-over, sleeping, fairness */

#endif /* GIL_CHECKS_H */
