/*
 * gil_checks.h - behavioural checks of a GIL, for any GIL the runtime can
 * run: a built-in policy, or an exercise's own rt_gil_ops (RT_GIL_CUSTOM).
 *
 * Each check catches a class of mistake that leaves a GIL working but
 * wrong, the kind `make test` missed until these existed:
 *
 *   gil_check_drop_spacing      a waiter that reads switch_number after its
 *                               timed wait instead of before, or waits less
 *                               than the interval (drop requests come too
 *                               soon after a hand-over)
 *   gil_check_wakeup_on_release a drop that never signals the condition
 *                               variable (the lost wake-up a timed wait hides)
 *   gil_check_interleaving      a GIL that never makes its holder let go
 *                               (two CPU-bound threads run one after the other)
 *   gil_check_hold_scales       a GIL that ignores the configured interval
 *
 * Call each from a thread that is not attached, with no runtime running.
 * Each starts the runtime with the configuration it is given (policy,
 * custom_gil, ticks; the interval where the check says so), runs a
 * workload, judges by the runtime's counters and trace, stops the runtime,
 * and prints "# " lines with the figures on stderr.  A failed check prints
 * "file:line: check failed: ..." with its figures and exits the process
 * (tests/check.h), so run each check in a process of its own (a CASE does).
 *
 * Bounds are one-sided or generous, never tight wall-clock limits: on a
 * busy machine a waiter wakes late, which makes holds longer and requests
 * rarer, never the reverse.  The one timeout (gil_check_wakeup_on_release)
 * is 3 s against a hand-over that takes microseconds; only a lost wake-up,
 * which waits out a 10 s interval, reaches it.
 *
 * Header-only (static functions) so any test or exercise driver can
 * include it; it needs check.h and rt.h on the include path.
 */
#ifndef GIL_CHECKS_H
#define GIL_CHECKS_H

#include "check.h"
#include "rt.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
    CHECKF(err == 0, "rt_init: %s", strerror(-err));
}

/* A CPU-bound thread: `units` of rt_bytecodes; records its trace lane. */
typedef struct gc_cpu {
    uint64_t units;
    int tid; /* written by the thread before it works */
} gc_cpu;

static void gc_cpu_main(void *p)
{
    gc_cpu *c = p;
    c->tid = rt_tstate_id(rt_current());
    rt_bytecodes(c->units);
}

/* Runs n CPU-bound threads of `ms` milliseconds of work each (sized on one
 * free core) and joins them; tids[i] (if tids) gets each thread's trace
 * lane.  Call holding the GIL. */
static void gc_run_cpu(int n, double ms, int *tids)
{
    enum { MAX = 8 };
    CHECK(n <= MAX);
    gc_cpu c[MAX];
    rt_thread *t[MAX];
    uint64_t units = (uint64_t)(rt_bytecodes_per_ms() * ms);
    for (int i = 0; i < n; i++) {
        c[i] = (gc_cpu){.units = units, .tid = -1};
        CHECK((t[i] = rt_thread_start(gc_cpu_main, &c[i])) != NULL);
    }
    for (int i = 0; i < n; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    for (int i = 0; i < n && tids; i++)
        tids[i] = c[i].tid;
}

/* From the trace: how long each hold that ended in a forced drop lasted
 * (a GIL_TAKE to the same thread's next GIL_DROP with arg 1), into *h.
 * Those are the holds the interval governs; holds that end because a
 * thread blocks or exits are left out.  Call when the threads are joined. */
static void gc_forced_holds(rt_hist *h)
{
    size_t n, dropped;
    const rt_event *ev = rt_trace_events(&n, &dropped);
    CHECKF(dropped == 0, "trace too small: %zu events dropped", dropped);
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

/* ---------------------------------------------------------------- checks */

/* A drop request may come only after a whole interval in which the GIL
 * did not change hands: a waiter reads switch_number *before* its timed
 * wait and asks only if it is unchanged when the wait times out.  So after
 * any hand-over, the next drop request is at least one interval later.
 *
 * The scene, at interval I (base->switch_interval_us): main holds the GIL
 * while two CPU-bound threads start and wait for it; at 0.8 I main blocks
 * (a join), and one of them takes the GIL.  The other's wait began before
 * that hand-over and times out about 0.2 I after it: it must see the
 * hand-over and wait again, so the first drop request comes >= I after
 * main's drop.  A waiter that reads switch_number after its wait sees
 * nothing change and asks at once, 0.2 I after the hand-over plus the time
 * it takes to wake.  Judged from the trace (main's GIL_DROP to the first
 * DROP_REQUEST after it).  A round in which main overslept and a waiter
 * timed out before the hand-over proves nothing and is not counted: three
 * rounds that count, out of at most eight, and at least one.  A busy
 * machine makes the request later, never earlier; choose I well above its
 * scheduling delay, which also delays the faulty request (100 ms does on a
 * loaded 2-core machine).  Takes about 15 intervals. */
static void gil_check_drop_spacing(const rt_config *base)
{
    long interval = base->switch_interval_us;
    CHECKF(interval > 0, "interval %ld", interval);
    gc_start(base, 0, 1 << 16);
    /* Work enough that the first holder still runs when the request is due
     * (1.2 I after the hand-over); more wall time on a busy machine. */
    uint64_t units = (uint64_t)(rt_bytecodes_per_ms() * 2.0 * (double)interval / 1000);
    int counted = 0;
    for (int round = 0; round < 8 && counted < 3; round++) {
        rt_trace_mark("round");
        gc_cpu c[2] = {{.units = units, .tid = -1}, {.units = units, .tid = -1}};
        rt_thread *t[2];
        /* 0.8 I from before the first start (no wait began earlier), holding
         * the GIL: both threads wait. */
        uint64_t until = rt_now_ns() + (uint64_t)interval * 800;
        for (int i = 0; i < 2; i++)
            CHECK((t[i] = rt_thread_start(gc_cpu_main, &c[i])) != NULL);
        struct timespec hold = {(time_t)(until / 1000000000),
                                (long)(until % 1000000000)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &hold, NULL) == EINTR) {
        }
        for (int i = 0; i < 2; i++)
            CHECK(rt_thread_join(t[i]) == 0); /* the first join hands over */
        size_t n, dropped;
        const rt_event *ev = rt_trace_events(&n, &dropped);
        CHECKF(dropped == 0, "trace too small: %zu events dropped", dropped);
        size_t i = n;
        while (i > 0 && !(ev[i - 1].kind == RT_EV_MARK && ev[i - 1].tid == 0))
            i--; /* back to this round's mark */
        CHECK(i > 0);
        uint64_t mark = ev[i - 1].t_ns, handover = 0, request = 0;
        int early = 0; /* a waiter timed out before the hand-over */
        for (; i < n && !request; i++) {
            if (!handover && ev[i].kind == RT_EV_GIL_DROP && ev[i].tid == 0) {
                handover = ev[i].t_ns;
            } else if (ev[i].kind == RT_EV_DROP_REQUEST && !handover) {
                /* Still a whole interval: no wait began before the mark. */
                double after = (double)(ev[i].t_ns - mark) / 1000.0;
                CHECKF(after >= 0.95 * (double)interval,
                       "round %d: a drop request %.0f us after the waiters began, "
                       "interval %ld us: the wait is shorter than the interval",
                       round, after, interval);
                early = 1;
            } else if (ev[i].kind == RT_EV_DROP_REQUEST) {
                request = ev[i].t_ns;
            }
        }
        CHECKF(handover && request, "round %d: no %s in the trace", round,
               handover ? "drop request" : "hand-over");
        double gap = (double)(request - handover) / 1000.0;
        fprintf(stderr,
                "# drop spacing, interval %ld us, round %d: first drop request %.0f us "
                "after the hand-over%s\n",
                interval, round, gap,
                early ? " (not counted: a waiter timed out before it)" : "");
        if (early)
            continue;
        counted++;
        CHECKF(gap >= 0.95 * (double)interval,
               "round %d: a drop request %.0f us after a hand-over, interval %ld us: "
               "asked before a whole interval without a hand-over (switch_number "
               "read after the timed wait? the wait shorter than the interval?)",
               round, gap, interval);
    }
    CHECKF(counted >= 1, "no round counted: a waiter timed out before every hand-over "
                         "(main overslept 0.2 I each time: the machine is too busy)");
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
    CHECK(rt_read(w->wake[0], &c, 1) == 1); /* releases the GIL while blocked */
    CHECK(write(w->reply[1], "r", 1) == 1); /* holding the GIL again */
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
        CHECK(pipe(w.wake) == 0 && pipe(w.reply) == 0);
        rt_thread *t = rt_thread_start(gc_wake_reader, &w);
        CHECK(t != NULL);
        while (!atomic_load(&w.reading))
            rt_sleep_us(1000); /* let it run to its read */
        rt_stats_reset();
        CHECK(write(w.wake[1], "w", 1) == 1); /* wake it, keeping the GIL */
        struct timespec hold = {0, 50 * 1000 * 1000};
        while (nanosleep(&hold, &hold) < 0 && errno == EINTR) {
        } /* native code holding the GIL: the reader must wait */
        uint64_t t0 = rt_now_ns();
        struct pollfd pfd = {.fd = w.reply[0], .events = POLLIN};
        int ready;
        RT_BEGIN_ALLOW_THREADS
            ready = poll(&pfd, 1, 3000);
        RT_END_ALLOW_THREADS
        uint64_t handover = rt_now_ns() - t0;
        CHECKF(ready == 1,
               "round %d: the waiting thread did not get the GIL within 3 s of its "
               "release (interval 10 s): a drop that does not wake a waiter",
               round);
        CHECK(rt_thread_join(t) == 0);
        rt_stats st;
        rt_stats_get(&st);
        if (st.wait.max_ns >= 25 * 1000 * 1000)
            waited++;
        fprintf(stderr,
                "# wake-up on release, round %d: the reader waited %.1f ms for the "
                "GIL, got it %.3f ms after the holder blocked\n",
                round, (double)st.wait.max_ns / 1e6, (double)handover / 1e6);
        close(w.wake[0]);
        close(w.wake[1]);
        close(w.reply[0]);
        close(w.reply[1]);
    }
    CHECKF(waited >= 1,
           "the reader never waited for the GIL: the check proved nothing");
    rt_fini();
}

/* Two CPU-bound threads must take turns while both run, not run one after
 * the other: counted from the trace as hand-overs between them (a GIL_TAKE
 * by one following a GIL_TAKE by the other) before either exits.  At least
 * 10, whatever the policy: ticks hands over now and then among thousands
 * of futile drops (100 ms of work each), an interval policy every interval
 * (40 intervals of work each, at least 100 ms).  A full trace buffer is
 * fine: what it kept is the beginning of the run. */
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
    gc_run_cpu(2, ms, tid);
    size_t n;
    const rt_event *ev = rt_trace_events(&n, NULL);
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
    fprintf(stderr,
            "# interleaving, 2 threads x %.0f ms, policy %s: %d hand-overs between "
            "them in %d takes while both ran\n",
            ms, rt_policy_name(rt_policy()), alternations, takes);
    CHECKF(alternations >= 10,
           "%d hand-overs between two CPU-bound threads while both ran: they ran "
           "one after the other (is the holder ever made to let go?)",
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
 * ms) fails the 50 ms bound; one whose holds do not depend on it fails the
 * comparisons.  The interval in `base` is ignored.  Takes about 1.5 s. */
static void gil_check_hold_scales(const rt_config *base)
{
    const long intervals[3] = {2000, 10000, 50000};
    double p25[3], p50[3];
    for (int k = 0; k < 3; k++) {
        gc_start(base, intervals[k], 1 << 16);
        double ms = 12.0 * (double)intervals[k] / 1000.0;
        gc_run_cpu(2, ms < 30 ? 30 : ms, NULL);
        rt_hist forced;
        gc_forced_holds(&forced);
        p25[k] = (double)rt_hist_quantile(&forced, 0.25);
        p50[k] = (double)rt_hist_quantile(&forced, 0.5);
        fprintf(stderr,
                "# hold at interval %ld us: forced holds p25 %.0f us, median %.0f us "
                "over %llu holds\n",
                intervals[k], p25[k] / 1000, p50[k] / 1000,
                (unsigned long long)forced.count);
        CHECKF(forced.count >= 5, "interval %ld us: only %llu forced holds",
               intervals[k], (unsigned long long)forced.count);
        CHECKF(p50[k] >= 0.8 * (double)intervals[k] * 1000,
               "interval %ld us: median forced hold %.0f us, shorter than the interval",
               intervals[k], p50[k] / 1000);
        rt_fini();
    }
    CHECKF(p50[1] < p50[2] && 2 * p25[0] < p50[2],
           "at 2, 10, 50 ms: p25 %.0f us, medians %.0f, %.0f us: holds do not follow "
           "the interval",
           p25[0] / 1000, p50[1] / 1000, p50[2] / 1000);
    CHECKF(p50[2] <= 3.0 * (double)intervals[2] * 1000,
           "interval 50 ms: median forced hold %.0f us, over 3 intervals",
           p50[2] / 1000);
}

#endif /* GIL_CHECKS_H */
