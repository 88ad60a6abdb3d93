/*
 * gil_checks_turns.h - the checks of gil_checks.h about who holds the GIL:
 * never two threads at once, a forced drop that really hands over, waiters
 * that sleep, and fair turns.  Included by gil_checks.h (include that one):
 * the helpers, GC_CHECK and GC_NOTES come from there.
 */
#ifndef GIL_CHECKS_TURNS_H
#define GIL_CHECKS_TURNS_H

#ifndef GIL_CHECKS_H
#error "include gil_checks.h, which includes this file"
#endif

/* ---------------------------------------------------------------- exclusion */

/* Native code: `n` steps of arithmetic with no checkpoint, so the GIL
 * cannot change hands inside it. */
static uint64_t gc_native(long n)
{
    uint64_t x = 1;
    for (long i = 0; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        __asm__ volatile("" : "+r"(x)); /* keep every step */
    }
    return x;
}

/* What the exclusion check's threads share.  `inside` and `violations` are
 * relaxed atomics, deliberately: they count, but create no ordering between
 * threads, so under ThreadSanitizer the only ordering of `total` is the
 * one the GIL itself provides. */
typedef struct gc_excl {
    atomic_int inside;     /* threads between two checkpoints right now */
    atomic_int violations; /* times a thread found another one there */
    uint64_t total;        /* plain: read and written holding the GIL */
    int iters;             /* steps per thread */
    long spin;             /* native work between the read and the write */
    uint64_t units;        /* Python code (with checkpoints) after each step */
} gc_excl;

static void gc_excl_main(void *p)
{
    gc_excl *x = p;
    for (int i = 0; i < x->iters; i++) {
        if (atomic_fetch_add_explicit(&x->inside, 1, memory_order_relaxed) != 0)
            atomic_fetch_add_explicit(&x->violations, 1, memory_order_relaxed);
        uint64_t seen = x->total; /* a read, native work, a write: */
        gc_native(x->spin);       /* no checkpoint in between, so under */
        x->total = seen + 1;      /* a GIL no other thread can come in */
        atomic_fetch_sub_explicit(&x->inside, 1, memory_order_relaxed);
        rt_bytecodes(x->units); /* where the GIL may change hands */
    }
}

/* Never two holders: `nthreads` CPU-bound threads (2 to 8), about `ms`
 * each, at the interval in `base`.  Between two checkpoints a thread holds
 * the GIL, so no other thread may be there: each counts itself in and out
 * (relaxed atomics) and does a read-modify-write of a plain shared total
 * in between.  Fails if a thread ever found another one inside, if an
 * update of the total was lost, or if the runtime saw two threads running
 * at once (stats.max_running, counted around take and drop).  Under
 * ThreadSanitizer the total is also a data race unless the GIL orders the
 * threads (a mutex does; a plain flag does not).  The threads must also
 * have taken turns, or the check proves nothing. */
static void gil_check_exclusion(const rt_config *base, int nthreads, double ms)
{
    enum { MAX = 8 };
    GC_CHECK(nthreads >= 2 && nthreads <= MAX, "%d threads", nthreads);
    gc_start(base, 0, 0);
    const double step_ms = 0.02; /* Python code per step */
    gc_excl x = {.spin = 2000, .units = (uint64_t)(step_ms * rt_bytecodes_per_ms())};
    x.iters = (int)(ms / step_ms) + 1;
    rt_stats_reset();
    rt_thread *t[MAX];
    for (int i = 0; i < nthreads; i++)
        t[i] = gc_thread(gc_excl_main, &x);
    for (int i = 0; i < nthreads; i++)
        GC_CHECK(rt_thread_join(t[i]) == 0, "join");
    rt_stats st;
    rt_stats_get(&st);
    int violations = atomic_load(&x.violations);
    uint64_t want = (uint64_t)nthreads * (uint64_t)x.iters;
    fprintf(GC_NOTES,
            "# exclusion, %d threads x %d steps, interval %ld us: %d times two "
            "inside, total %llu of %llu, %llu switches, at most %d running\n",
            nthreads, x.iters, rt_switch_interval_us(), violations,
            (unsigned long long)x.total, (unsigned long long)want,
            (unsigned long long)st.switches, st.max_running);
    rt_fini();
    GC_CHECK(violations == 0,
             "two threads held the GIL at once (%d times, %d threads): your take "
             "returned while another thread held it (test and set `locked` under "
             "the mutex, and wait in a loop while it is set)",
             violations, nthreads);
    GC_CHECK(x.total == want,
             "%llu updates of a shared total were lost (%llu of %llu): two threads "
             "ran Python code at once",
             (unsigned long long)(want - x.total), (unsigned long long)x.total,
             (unsigned long long)want);
    GC_CHECK(st.max_running == 1,
             "the runtime saw %d threads holding the GIL at once: your take "
             "returned while another thread held it",
             st.max_running);
    GC_CHECK(st.switches >= 4,
             "only %llu hand-overs between %d CPU-bound threads: they hardly took "
             "turns, so mutual exclusion was never put to the test (is the holder "
             "made to let go when a waiter asks?)",
             (unsigned long long)st.switches, nthreads);
}

/* ---------------------------------------------------------------- hand-over */

/* A forced drop hands over: two CPU-bound threads at the interval in
 * `base` (for 30 intervals, at least 60 ms).  Whenever the holder
 * drops because a waiter asked (a GIL_DROP with arg 1 in the trace), the
 * next thread to take the GIL must be another one, at least 90% of the
 * time: a dropper that goes straight back to take, still running on its
 * core, wins the race against the waiter the kernel has yet to wake (no
 * forced switching, the pre-3.2 thrash).  (CPython 3.2-3.14 waits for the
 * switch under one `if`; a spurious wake-up could end that wait early, so
 * the bound is 90%, not all.)  And the holder lets go at a checkpoint only
 * when asked: forced drops <= drop requests. */
static void gil_check_forced_handover(const rt_config *base)
{
    double ms = 30.0 * (double)base->switch_interval_us / 1000.0;
    /* On two cores of their own, as in Beazley's measurements: the dropper
     * keeps running on its core while the waiter is woken on the other.  (A
     * waiter woken on the dropper's own core may preempt it and win, which
     * on a busy machine would hide the mistake.) */
    int cpus[2], pinned = gc_two_cpus(cpus) == 0;
    gc_start(base, 0, 1 << 18);
    rt_stats_reset();
    int tid[2];
    gc_run_cpus(2, ms < 60 ? 60 : ms, 5, tid, pinned ? cpus : NULL);
    rt_stats st;
    rt_stats_get(&st);
    size_t n;
    const rt_event *ev = gc_events(&n);
    int pending = -1, forced = 0, handed = 0;
    for (size_t i = 0; i < n; i++) {
        int mine = ev[i].tid == tid[0] || ev[i].tid == tid[1];
        if (mine && ev[i].kind == RT_EV_THREAD_EXIT)
            break; /* one is done: nobody left to hand over to */
        if (mine && ev[i].kind == RT_EV_GIL_DROP && ev[i].arg) {
            pending = ev[i].tid;
            forced++;
        } else if (ev[i].kind == RT_EV_GIL_TAKE && pending >= 0) {
            handed += ev[i].tid != pending;
            pending = -1;
        }
    }
    fprintf(GC_NOTES,
            "# forced hand-over, interval %ld us, %s: %d of %d forced drops handed "
            "the GIL to the other thread; %llu forced drops, %llu drop requests\n",
            rt_switch_interval_us(), pinned ? "one thread per CPU" : "one CPU", handed,
            forced, (unsigned long long)st.forced_drops,
            (unsigned long long)st.drop_requests);
    rt_fini();
    GC_CHECK(forced >= 5,
             "only %d forced drops while two CPU-bound threads ran: is the holder "
             "made to let go when a waiter asks (the breaker returns "
             "rt_gil_drop_requested())?",
             forced);
    GC_CHECK(handed >= 0.9 * forced,
             "after %d of %d forced drops the dropper took the GIL straight back "
             "before the waiting thread could: after a forced drop, wait until "
             "another thread has taken the GIL (FORCE_SWITCHING: last_holder, "
             "switch_cond)",
             forced - handed, forced);
    GC_CHECK(st.forced_drops <= st.drop_requests,
             "%llu forced drops but only %llu drop requests: the holder let go "
             "without being asked (let the breaker return rt_gil_drop_requested(), "
             "and clear the request when a thread takes the GIL)",
             (unsigned long long)st.forced_drops, (unsigned long long)st.drop_requests);
}

/* ---------------------------------------------------------------- sleeping */

static void gc_nothing(void *p)
{
    (void)p;
}

/* Waiters sleep: main holds the GIL for 300 ms in native code (it never
 * reaches a checkpoint, so no drop request is answered) while three
 * threads wait for it, at the interval in `base`.  A waiter should sleep on
 * the condition variable, waking once an interval to ask again.  The
 * kernel counts how long each waiting thread was runnable (on a core, or
 * queued for one: /proc/self/task/TID/schedstat), which on a busy machine
 * is as true as on an idle one: a sleeper is runnable for well under 5% of
 * the time, a spinner (even one that calls sched_yield) for all of it.
 * But a machine that is busy enough queues a sleeper each time its timed
 * wait ends, so runnable alone can mislead: a spinner also burns CPU time,
 * or (one that yields) is put on a core again and again, while a queued
 * sleeper is put on a core about once an interval.  Fails at 50% runnable
 * with the process using 0.03 of a core or more or a thread put on a core
 * more than 4 times an interval, or, where the kernel keeps no scheduler
 * statistics, when the process used more than 0.3 of a core while main
 * slept. */
static void gil_check_waiters_sleep(const rt_config *base)
{
    enum { N = 3 };
    gc_start(base, 0, 0);
    rt_thread *t[N];
    for (int i = 0; i < N; i++)
        t[i] = gc_thread(gc_nothing, NULL); /* each waits in take: main holds */
    gc_hold_ns(20 * 1000 * 1000);
    uint64_t r0[N], r1[N], n0[N], n1[N];
    int have = 1;
    for (int i = 0; i < N; i++)
        have &= gc_runnable_ns(rt_thread_os_id(t[i]), &r0[i], &n0[i]) == 0;
    uint64_t w0 = rt_now_ns(), c0 = gc_process_cpu_ns();
    gc_hold_ns(300 * 1000 * 1000);
    uint64_t w1 = rt_now_ns(), c1 = gc_process_cpu_ns();
    for (int i = 0; i < N && have; i++)
        have &= gc_runnable_ns(rt_thread_os_id(t[i]), &r1[i], &n1[i]) == 0;
    for (int i = 0; i < N; i++)
        GC_CHECK(rt_thread_join(t[i]) == 0, "join");
    double wall = (double)(w1 - w0), worst = 0, cores = (double)(c1 - c0) / wall;
    uint64_t most_slices = 0;
    for (int i = 0; i < N && have; i++) {
        if ((double)(r1[i] - r0[i]) / wall > worst)
            worst = (double)(r1[i] - r0[i]) / wall;
        if (n1[i] - n0[i] > most_slices)
            most_slices = n1[i] - n0[i];
    }
    /* A sleeper is put on a core about once an interval (its timed wait
     * ends); a spinner that yields, over and over. */
    double wakes = wall / 1e3 / (double)rt_switch_interval_us();
    int busy = cores >= 0.03 || (double)most_slices > 4 * wakes + 20;
    fprintf(GC_NOTES,
            "# waiters sleep, interval %ld us: %d threads waited %.0f ms; the busiest "
            "was runnable %s%.1f%% of the time and put on a core %llu times; the "
            "process used %.2f cores\n",
            rt_switch_interval_us(), N, wall / 1e6, have ? "" : "(unknown) ",
            100 * worst, (unsigned long long)most_slices, cores);
    rt_fini();
    GC_CHECK(!have || worst < 0.5 || !busy,
             "while another thread held the GIL for %.0f ms, a waiting thread was "
             "runnable %.0f%% of the time (the process used %.2f cores): your "
             "take kept a core busy instead of sleeping on the condition variable "
             "(a spin-wait? wait with pthread_cond_timedwait)",
             wall / 1e6, 100 * worst, cores);
    GC_CHECK(cores < 0.3,
             "while another thread held the GIL for %.0f ms in native code, the "
             "process used %.2f cores: the waiting threads kept a core busy instead "
             "of sleeping on the condition variable (a spin-wait?)",
             wall / 1e6, cores);
}

/* ---------------------------------------------------------------- fairness */

/* What the fairness check's two threads share, touched holding the GIL
 * (`stop` excepted). */
typedef struct gc_fair {
    atomic_int stop;
    int last;           /* who ran the last chunk */
    uint64_t units;     /* Python code per chunk */
    uint64_t chunks[2]; /* chunks each has done */
    uint64_t turns[2];  /* times each took over from the other */
} gc_fair;

typedef struct gc_fair_arg {
    gc_fair *f;
    int me;
    int cpu; /* the CPU it keeps to, or -1 */
} gc_fair_arg;

static void gc_fair_main(void *p)
{
    gc_fair_arg *a = p;
    gc_fair *f = a->f;
    gc_pin(a->cpu);
    while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
        rt_bytecodes(f->units);
        f->chunks[a->me]++;
        if (f->last != a->me) {
            f->last = a->me;
            f->turns[a->me]++;
        }
    }
}

/* One round of the fairness check: two threads compete for 300 ms. */
static void gc_fair_round(const rt_config *base, gc_fair *f)
{
    int cpus[2], pinned = gc_two_cpus(cpus) == 0; /* as gil_check_forced_handover */
    gc_start(base, 0, 0);
    *f = (gc_fair){.last = -1, .units = (uint64_t)(0.05 * rt_bytecodes_per_ms())};
    gc_fair_arg a[2] = {{f, 0, pinned ? cpus[0] : -1}, {f, 1, pinned ? cpus[1] : -1}};
    rt_thread *t[2];
    for (int i = 0; i < 2; i++)
        t[i] = gc_thread(gc_fair_main, &a[i]);
    RT_BEGIN_ALLOW_THREADS
        struct timespec d = {0, 300 * 1000 * 1000};
        while (nanosleep(&d, &d) < 0 && errno == EINTR) {
        }
        atomic_store(&f->stop, 1);
    RT_END_ALLOW_THREADS
    for (int i = 0; i < 2; i++)
        GC_CHECK(rt_thread_join(t[i]) == 0, "join");
    fprintf(GC_NOTES,
            "# fairness, interval %ld us: turns %llu and %llu, chunks of work %llu "
            "and %llu\n",
            rt_switch_interval_us(), (unsigned long long)f->turns[0],
            (unsigned long long)f->turns[1], (unsigned long long)f->chunks[0],
            (unsigned long long)f->chunks[1]);
    rt_fini();
}

/* Whether a round was fair: each thread had 30% of the turns and 20% of
 * the work. */
static int gc_fair_enough(const gc_fair *f)
{
    uint64_t chunks = f->chunks[0] + f->chunks[1], turns = f->turns[0] + f->turns[1];
    for (int i = 0; i < 2; i++)
        if (f->turns[i] < 0.3 * (double)turns || f->chunks[i] < 0.2 * (double)chunks)
            return 0;
    return chunks >= 20;
}

/* Fair turns: two CPU-bound threads, each on a CPU of its own when there
 * are two, compete for 300 ms at the interval in `base`, doing chunks of
 * Python code until main (not holding the GIL) tells them to stop.  Under
 * CPython's GIL they alternate, one interval each: each must get at least
 * 30% of the turns and 20% of the work.  A GIL that lets one thread keep
 * it (no forced switching on a multicore machine) starves the other in
 * every round.  A busy machine can starve one in a single round (its turns
 * come, but the kernel gives its CPU to another program while it holds the
 * GIL), so up to three rounds are run and one fair round passes. */
static void gil_check_fairness(const rt_config *base)
{
    gc_fair f;
    for (int round = 0; round < 3; round++) {
        gc_fair_round(base, &f);
        if (gc_fair_enough(&f))
            return;
    }
    uint64_t chunks = f.chunks[0] + f.chunks[1], turns = f.turns[0] + f.turns[1];
    GC_CHECK(chunks >= 20, "the two threads did only %llu chunks of work in 300 ms",
             (unsigned long long)chunks);
    for (int i = 0; i < 2; i++) {
        GC_CHECK(
            f.turns[i] >= 0.3 * (double)turns && f.chunks[i] >= 0.2 * chunks,
            "two CPU-bound threads shared the GIL unfairly in each of three rounds: "
            "in the last, one had %llu of %llu turns and did %llu of %llu chunks of "
            "work (the other kept the GIL: does a forced drop wait until the "
            "waiting thread has taken it?)",
            (unsigned long long)f.turns[i], (unsigned long long)turns,
            (unsigned long long)f.chunks[i], (unsigned long long)chunks);
    }
}

#endif /* GIL_CHECKS_TURNS_H */
