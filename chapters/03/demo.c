/*
 * demo.c - chapter 3's demo: CPU-bound threads under the GIL and without;
 * a total that two threads update; one long native call.
 *
 *   make chapter3            (or: make demo-3, or run build/demos/03/demo)
 *   build/demos/03/demo show [--reps N] [--ms N] [--quick] [--json]
 *   build/demos/03/demo measure main | gil T | nogil T
 *   build/demos/03/demo measure race plain|call
 *   build/demos/03/demo measure longcall native|python MS
 *
 * `show` prints four tables, each with CPython's figures for the same
 * experiment beside the runtime's (chapters/03/twin.py, run now when
 * python3 is installed):
 *   1. time: the same CPU-bound "Python" work (rt_bytecodes) on the main
 *      thread alone, on 2 and 4 threads under the GIL (and on 2 with a 1 ms
 *      switch interval), and on 2 and 4 threads with the runtime started
 *      without a GIL (RT_GIL_NONE).  Each way runs --reps times,
 *      interleaved (A B C D E F A B ...).  A rep's
 *      speedup is that rep's serial time over its own, so a slow moment of
 *      the machine hits both; the table gives the median and the spread.
 *   2. why: the counters of each way's median run.
 *   3. a shared total: two threads add 1 to it, with nothing between the
 *      read and the write, or with a call (and its checkpoints) in between.
 *   4. one long call: how long a second thread waits for the GIL while the
 *      first runs native code that never checkpoints, or Python code.
 *
 * `measure` runs one of them once and prints the exercise kit's measure
 * line: chapters/03/claims.yaml checks the chapter's claims on those lines
 * with the grader's own judge (`grader claims 3`).
 *
 * RT_GIL in the environment picks the policy of the GIL rows (default
 * cpython; try RT_GIL=ticks), RT_SWITCH_INTERVAL_US its switch interval.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exkit.h"
#include "native_call.h"
#include "rt.h"

#define MAX_THREADS 4
#define MAX_REPS    15
#define MEASURE_MS  120  /* the work of one `measure` run */
#define RACE_ITERS  1000 /* increments per thread of the shared total */
#define RACE_STEP   0.05 /* ms of work per increment */
#define TICK_MS     0.05 /* the second thread's work between two looks */

/* One thread's share of the work. */
typedef struct work {
    uint64_t units;  /* in: rt_bytecodes units to run */
    uint64_t result; /* out: keeps the work from being optimised away */
} work;

// [job]
/* A CPU-bound job: pure computation, no waiting.  It runs holding the GIL;
 * inside rt_bytecodes(), rt_checkpoint() gives the GIL up when another
 * thread has asked for it (every switch interval, 5 ms by default). */
static void cpu_job(void *arg)
{
    work *w = arg;
    w->result = rt_bytecodes(w->units);
}
// [end]

/* Runs `units` of work split over `nthreads` runtime threads (0: on the
 * main thread) and returns the OS threads counted while they were alive.
 * Call with the runtime started, holding the GIL. */
static int run_work(int nthreads, uint64_t units)
{
    work w[MAX_THREADS] = {{0}};
    int os_threads;
    if (nthreads == 0) {
        w[0].units = units;
        cpu_job(&w[0]);
        return exkit_os_threads();
    }
    // [start-join]
    rt_thread *t[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) {
        w[i].units = units / (uint64_t)nthreads; /* equal shares */
        if (i == 0)
            w[i].units += units % (uint64_t)nthreads;
        t[i] = rt_thread_start(cpu_job, &w[i]); /* a new OS thread */
        if (!t[i])
            exkit_fail("rt_thread_start failed");
    }
    /* All started: count them while they are alive. */
    os_threads = exkit_os_threads();
    for (int i = 0; i < nthreads; i++)
        rt_thread_join(t[i]); /* lets go of the GIL while it waits */
    // [end]
    return os_threads;
}

/* ------------------------------------------------------------------ */
/* A shared total                                                      */
/* ------------------------------------------------------------------ */

/* Two threads add 1 to `total`, RACE_ITERS times each.  Fields in: set by
 * the caller; `total` is shared, read and written holding the GIL. */
typedef struct race {
    int with_call;  /* in: a call between the read and the write */
    uint64_t step;  /* in: rt_bytecodes units of work per increment */
    uint64_t total; /* shared: the count */
} race;

// [race]
/* `total += 1`, spelt out as its load and its store.  With nothing in
 * between, no checkpoint separates them, so the GIL cannot change hands
 * there: no update is lost.  A call in between (here, Python code with its
 * checkpoints) is where the holder may be asked to let go: the other thread
 * then runs, and this one later stores a stale value. */
static void race_job(void *arg)
{
    race *r = arg;
    for (int i = 0; i < RACE_ITERS; i++) {
        uint64_t seen = r->total; /* load */
        if (r->with_call)
            rt_bytecodes(r->step); /* a call inside the window */
        r->total = seen + 1;       /* store */
        if (!r->with_call)
            rt_bytecodes(r->step); /* the same work, after the store */
    }
}
// [end]

/* Runs the race on two threads; returns the updates lost.  Holding the GIL. */
static uint64_t run_race(int with_call)
{
    race r = {.with_call = with_call,
              .step = (uint64_t)(RACE_STEP * rt_bytecodes_per_ms())};
    rt_thread *t[2];
    for (int i = 0; i < 2; i++)
        if (!(t[i] = rt_thread_start(race_job, &r)))
            exkit_fail("rt_thread_start failed");
    for (int i = 0; i < 2; i++)
        rt_thread_join(t[i]);
    return 2 * RACE_ITERS - r.total;
}

/* ------------------------------------------------------------------ */
/* One long call                                                       */
/* ------------------------------------------------------------------ */

/* A caller runs one call while a ticker, a second thread doing a little
 * Python code at a time, notes how long it ever waits between two turns.
 * `in_call`, `stop`, `ticks` are atomics; the rest is written by one
 * thread and read after both are joined. */
typedef struct call_run {
    int native;     /* in: native_call, or rt_bytecodes (Python code) */
    uint64_t units; /* in: the call's work */
    atomic_int in_call, stop, ticks;
    uint64_t turns_during; /* ticker turns that saw in_call set */
    uint64_t longest_ns;   /* the ticker's longest gap between two turns */
    uint64_t call_ns, result;
    rt_stats before, after; /* the counters just around the call */
    rt_stats end;           /* ... and once both threads are done */
} call_run;

static void ticker(void *arg)
{
    call_run *c = arg;
    uint64_t units = (uint64_t)(TICK_MS * rt_bytecodes_per_ms());
    uint64_t last = rt_now_ns();
    while (!atomic_load(&c->stop)) {
        rt_bytecodes(units); /* may lose the GIL at a checkpoint in here */
        uint64_t now = rt_now_ns();
        if (now - last > c->longest_ns)
            c->longest_ns = now - last;
        last = now;
        atomic_fetch_add(&c->ticks, 1);
        if (atomic_load(&c->in_call))
            c->turns_during++; /* ran while the caller was in its call */
    }
}

static void caller(void *arg)
{
    call_run *c = arg;
    while (atomic_load(&c->ticks) == 0)
        rt_sleep_us(1000); /* lets the ticker get going */
    rt_stats_get(&c->before);
    uint64_t t0 = rt_now_ns();
    atomic_store(&c->in_call, 1);
    c->result = c->native ? native_call(c->units) : rt_bytecodes(c->units);
    atomic_store(&c->in_call, 0);
    c->call_ns = rt_now_ns() - t0;
    rt_stats_get(&c->after);
    rt_checkpoint(); /* CPython checks the eval breaker after a call returns */
    atomic_store(&c->stop, 1);
}

/* Runs a call of `ms` of work beside the ticker.  Holding the GIL. */
static void run_call(call_run *c, int native, double ms)
{
    memset(c, 0, sizeof *c);
    c->native = native;
    c->units = (uint64_t)(ms * rt_bytecodes_per_ms());
    rt_thread *t = rt_thread_start(ticker, c), *u = rt_thread_start(caller, c);
    if (!t || !u)
        exkit_fail("rt_thread_start failed");
    rt_thread_join(u);
    rt_thread_join(t);
    rt_stats_get(&c->end); /* the caller's hold ended after its call */
}

/* ------------------------------------------------------------------ */
/* measure: one run, one line (the claims read these)                  */
/* ------------------------------------------------------------------ */

static void measure(exkit_measure *m, int nthreads)
{
    uint64_t units = (uint64_t)(MEASURE_MS * rt_bytecodes_per_ms());
    exkit_measure_start(m); /* after the one-off calibration above */
    int os = run_work(nthreads, units);
    exkit_measure_stop(m);
    exkit_result_int(m, "threads", nthreads);
    exkit_result_uint(m, "units", units);
    exkit_result_int(m, "os_threads", os);
    exkit_result_str(m, "policy", rt_policy_name(rt_policy()));
}

static void load_main(exkit_measure *m, int nargs, char **args)
{
    (void)nargs, (void)args;
    measure(m, 0);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    measure(m, (int)exkit_arg_long(nargs, args, 0, 1, MAX_THREADS, "T"));
}

/* args[0] must be `a` (returns 1) or `b` (returns 0). */
static int arg_choice(int nargs, char **args, const char *a, const char *b)
{
    if (nargs < 1 || (strcmp(args[0], a) && strcmp(args[0], b)))
        exkit_fail("expected %s or %s, got %s", a, b, nargs ? args[0] : "nothing");
    return strcmp(args[0], a) == 0;
}

static void load_race(exkit_measure *m, int nargs, char **args)
{
    int with_call = arg_choice(nargs, args, "call", "plain");
    rt_bytecodes_per_ms(); /* calibrate before the clock starts */
    exkit_measure_start(m);
    uint64_t lost = run_race(with_call);
    exkit_measure_stop(m);
    exkit_result_str(m, "update", with_call ? "call" : "plain");
    exkit_result_uint(m, "expected", 2 * RACE_ITERS);
    exkit_result_uint(m, "lost", lost);
}

static void load_call(exkit_measure *m, int nargs, char **args)
{
    int native = arg_choice(nargs, args, "native", "python");
    long ms = exkit_arg_long(nargs, args, 1, 1, 10000, "MS");
    call_run c;
    rt_bytecodes_per_ms();
    exkit_measure_start(m);
    run_call(&c, native, (double)ms);
    exkit_measure_stop(m);
    exkit_result_str(m, "call", native ? "native" : "python");
    exkit_result_double(m, "call_ms", (double)c.call_ns / 1e6);
    exkit_result_double(m, "longest_wait_ms", (double)c.longest_ns / 1e6);
    exkit_result_uint(m, "turns_during_call", c.turns_during);
    exkit_result_uint(m, "switches_during_call", c.after.switches - c.before.switches);
    exkit_result_uint(m, "drop_requests_during_call",
                      c.after.drop_requests - c.before.drop_requests);
    exkit_result_uint(m, "forced_drops_during_call",
                      c.after.forced_drops - c.before.forced_drops);
    /* The longest holding of the GIL in the run, and whether it spans the
     * whole call: the caller took the GIL before the call began and let go
     * of it after the call ended, or earlier, at a checkpoint inside. */
    exkit_result_uint(m, "longest_hold_us", c.end.hold.max_ns / 1000);
    exkit_result_int(m, "hold_covers_call", c.end.hold.max_ns >= c.call_ns);
}

/* ------------------------------------------------------------------ */
/* show: the tables                                                    */
/* ------------------------------------------------------------------ */

/* What one run of table 1 measured. */
typedef struct run {
    int os_threads;     /* OS threads alive while the workers were */
    long interval_us;   /* the switch interval in force */
    const char *policy; /* the policy in force (rt_policy_name) */
    uint64_t wall_ns, cpu_ns;
    rt_stats stats;
} run;

/* The six ways: {free-threaded?, threads, switch interval (0: the default)},
 * and the twin's name for its figures of the same way. */
static const struct {
    int free_threaded, threads;
    long interval_us;
    const char *twin;
} S_ways[] = {{0, 0, 0, "serial"},   {0, 2, 0, "threads2"},
              {0, 4, 0, "threads4"}, {0, 2, 1000, "threads2_1ms"},
              {1, 2, 0, NULL},       {1, 4, 0, NULL}};
enum { NWAYS = sizeof S_ways / sizeof S_ways[0] };

/* Starts the runtime for way w: the GIL rows' policy (RT_GIL, default
 * cpython) or, for a free-threaded way, none; runs once, and stops it. */
static void run_once(run *r, int w, uint64_t units)
{
    int free_threaded = S_ways[w].free_threaded;
    // [policy]
    rt_config cfg;
    rt_config_default(&cfg); /* the cpython policy, 5 ms interval */
    if (free_threaded)
        cfg.policy = RT_GIL_NONE; /* no GIL: threads run at once */
    // [end]
    if (S_ways[w].interval_us)
        cfg.switch_interval_us = S_ways[w].interval_us;
    /* RT_GIL in the environment may choose the GIL rows' policy; the
     * free-threaded rows stay free-threaded. */
    exkit_runtime_start(&cfg, free_threaded ? EXKIT_NO_GIL : 0);
    rt_stats_reset();
    uint64_t t0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
    r->os_threads = run_work(S_ways[w].threads, units);
    r->wall_ns = rt_now_ns() - t0;
    r->cpu_ns = exkit_cpu_now_ns() - c0;
    rt_stats_get(&r->stats);
    r->interval_us = rt_switch_interval_us(); /* RT_SWITCH_INTERVAL_US wins */
    r->policy = rt_policy_name(rt_policy());
    rt_fini();
}

/* The twin's figure `name``suffix` ("threads2" "_speedup"), or NAN. */
static double twin_fig(const char *name, const char *suffix)
{
    char key[64];
    snprintf(key, sizeof key, "%s%s", name ? name : "", suffix);
    return name ? exkit_twin(key) : NAN;
}

/* "0.97x (0.91-1.02)" from the twin's figures for `name`, or "-". */
static const char *twin_speedup(const char *name, char *buf, size_t n)
{
    double med = twin_fig(name, "_speedup"), lo = twin_fig(name, "_speedup_min"),
           hi = twin_fig(name, "_speedup_max");
    if (isnan(med))
        snprintf(buf, n, "-");
    else if (isnan(lo) || isnan(hi))
        snprintf(buf, n, "%.2fx", med);
    else
        snprintf(buf, n, "%.2fx (%.2f-%.2f)", med, lo, hi);
    return buf;
}

/* The row's name; `r` is one of its runs (for the interval in force). */
static const char *row_label(int w, const run *r, char *buf, size_t n)
{
    if (S_ways[w].threads == 0)
        snprintf(buf, n, "main thread alone");
    else if (S_ways[w].free_threaded)
        snprintf(buf, n, "no GIL, %d threads", S_ways[w].threads);
    else if (S_ways[w].interval_us)
        snprintf(buf, n, "%s, %d thr, %g ms",
                 getenv("RT_GIL") ? getenv("RT_GIL") : "GIL", S_ways[w].threads,
                 (double)r->interval_us / 1000);
    else
        snprintf(buf, n, "%s, %d threads", getenv("RT_GIL") ? getenv("RT_GIL") : "GIL",
                 S_ways[w].threads);
    return buf;
}

/* Tables 1 and 2. */
static void show_threads(int reps, double total_ms, int quick)
{
    rt_init(NULL); /* size the work in time on this machine (~20 ms) */
    uint64_t units = (uint64_t)(total_ms * rt_bytecodes_per_ms());
    rt_fini();
    static run runs[NWAYS][MAX_REPS];
    for (int rep = 0; rep < reps; rep++) /* interleaved: A B C D E F A B ... */
        for (int w = 0; w < NWAYS; w++)
            run_once(&runs[w][rep], w, units);

    printf("\n1. %.0f ms of CPU-bound work, split over threads (%ld cores, %d reps)\n",
           total_ms, sysconf(_SC_NPROCESSORS_ONLN), reps);
    printf("   CPython runs the same experiment (chapters/03/twin.py)...\n");
    exkit_twin_run("chapters/03/twin.py", quick ? "--quick" : "");
    printf("\n  %-17s %7s %18s  %-15s %s\n", "run", "wall", "speedup (spread)",
           "   1x   2x   3x",
           exkit_twin_version()[0] ? exkit_twin_version() : "CPython");
    const run *median[NWAYS];
    double best[2] = {0, 0}; /* best median speedup: with, without a GIL */
    for (int w = 0; w < NWAYS; w++) {
        double wall[MAX_REPS], ratio[MAX_REPS];
        for (int rep = 0; rep < reps; rep++) {
            wall[rep] = (double)runs[w][rep].wall_ns;
            ratio[rep] = (double)runs[0][rep].wall_ns / wall[rep];
        }
        double lo = ratio[0], hi = ratio[0];
        for (int rep = 1; rep < reps; rep++)
            lo = fmin(lo, ratio[rep]), hi = fmax(hi, ratio[rep]);
        double med_ns = exkit_median(wall, (size_t)reps);
        double speedup = exkit_median(ratio, (size_t)reps);
        median[w] = &runs[w][0]; /* the run closest to the median */
        for (int rep = 0; rep < reps; rep++)
            if (fabs((double)runs[w][rep].wall_ns - med_ns) <
                fabs((double)median[w]->wall_ns - med_ns))
                median[w] = &runs[w][rep];
        if (S_ways[w].threads)
            best[S_ways[w].free_threaded] =
                fmax(best[S_ways[w].free_threaded], speedup);
        char label[40], bar[32], spread[24], cpy[40];
        snprintf(spread, sizeof spread, "%.2fx (%.2f-%.2f)", speedup, lo, hi);
        printf("  %-17s %4.0f ms %18s  %s %s\n",
               row_label(w, median[w], label, sizeof label), med_ns / 1e6,
               w ? spread : "1.00x", exkit_bar(bar, speedup, 5, 15),
               w ? twin_speedup(S_ways[w].twin, cpy, sizeof cpy) : "1.00x");
    }
    printf("\n2. Why: the counters of each way's median run\n\n");
    printf("  %-17s %5s %8s %6s %7s %8s %6s %6s\n", "run", "cores", "switches",
           "forced", "at once", "hold p50", "OS thr", "CPy OS");
    for (int w = 0; w < NWAYS; w++) {
        const run *r = median[w];
        char label[40], at_once[8] = "-", hold[16] = "-", cpy_os[8] = "-";
        if (S_ways[w].threads) /* alone: the runtime does not track it */
            snprintf(at_once, sizeof at_once, "%d", r->stats.max_running);
        if (S_ways[w].threads && !S_ways[w].free_threaded)
            snprintf(hold, sizeof hold, "%.1f ms",
                     (double)rt_hist_quantile(&r->stats.hold, 0.5) / 1e6);
        if (!isnan(twin_fig(S_ways[w].twin, "_os_threads")))
            snprintf(cpy_os, sizeof cpy_os, "%.0f",
                     twin_fig(S_ways[w].twin, "_os_threads"));
        printf("  %-17s %5.2f %8llu %6llu %7s %8s %6d %6s\n",
               row_label(w, median[w], label, sizeof label),
               (double)r->cpu_ns / (double)r->wall_ns,
               (unsigned long long)r->stats.switches,
               (unsigned long long)r->stats.forced_drops, at_once, hold, r->os_threads,
               cpy_os);
    }
    int at_once[2] = {0, 0}; /* the most at once: with, without a GIL */
    for (int w = 1; w < NWAYS; w++) {
        int *most = &at_once[S_ways[w].free_threaded];
        *most =
            median[w]->stats.max_running > *most ? median[w]->stats.max_running : *most;
    }
    printf(
        "\n  With the GIL at most %d thread ran Python code at a time; best median "
        "speedup %.2fx.\n  Without it, up to %d at once; best median speedup %.2fx.\n",
        at_once[0], best[0], at_once[1], best[1]);
    if (sysconf(_SC_NPROCESSORS_ONLN) >= 2 && best[1] < 1.3)
        printf("  The no-GIL rows barely scaled: another program is probably busy on "
               "your\n  cores right now (look with top) and left this one about one "
               "core.\n");
    printf(
        "\n  speedup   serial time / this time, per rep: median (lowest-highest)\n"
        "  switches  GIL hand-overs to another thread; forced: drops made because a\n"
        "            waiter asked, after waiting one switch interval\n"
        "  at once   most threads allowed to run Python code at the same moment\n"
        "            (holding the GIL; with no GIL, every attached thread, main\n"
        "            included while it starts the workers)\n"
        "  hold p50  how long a thread typically kept the GIL\n"
        "  cores     CPU time / wall time: how many cores the run kept busy\n"
        "  OS thr    OS threads while the workers were alive (main + 1 each);\n"
        "            CPy OS: the same count in CPython (/proc/self/task)\n");
}

/* Tables 3 and 4: one run each, runtime started with the GIL rows' policy. */
static void show_race_and_call(double call_ms)
{
    rt_config cfg;
    rt_config_default(&cfg);
    exkit_runtime_start(&cfg, 0);
    uint64_t lost[2] = {run_race(0), run_race(1)};
    call_run c[2];
    run_call(&c[0], 1, call_ms);
    run_call(&c[1], 0, call_ms);
    rt_fini();

    double expected = exkit_twin("race_expected");
    printf("\n3. Two threads add 1 to a shared total: updates lost (runtime 2 x %d,\n"
           "   CPython 2 x %.0f: chapters/03/count_race.py)\n\n",
           RACE_ITERS, isnan(expected) ? 0 : expected / 2);
    printf("  %-30s %7s %8s  %s\n", "between the load and the store", "runtime",
           "CPython", "CPython's line");
    const char *py[3] = {"plain", "with_call", "through_property"};
    const char *what[3] = {"nothing", "a call (checkpoints inside)",
                           "a property's getter and setter"};
    const char *code[3] = {"count += 1", "count = same(count) + 1", "box.value += 1"};
    for (int i = 0; i < 3; i++) {
        char rt_lost[16] = "-", cpy[16] = "-";
        if (i < 2)
            snprintf(rt_lost, sizeof rt_lost, "%llu", (unsigned long long)lost[i]);
        double v = twin_fig("race_", py[i]);
        if (!isnan(v) && !isnan(expected))
            snprintf(cpy, sizeof cpy, "%.0f", expected - v);
        printf("  %-30s %7s %8s  %s\n", what[i], rt_lost, cpy, code[i]);
    }

    printf("\n4. A second thread's longest wait for the GIL while the first makes one "
           "call\n\n  %-40s %8s %12s %6s\n",
           "the call", "took", "longest wait", "turns");
    for (int i = 0; i < 2; i++)
        printf("  %-40s %5.1f ms %9.1f ms %6llu\n",
               i ? "runtime: Python code (checkpoints)"
                 : "runtime: native, no checkpoint",
               (double)c[i].call_ns / 1e6, (double)c[i].longest_ns / 1e6,
               (unsigned long long)c[i].turns_during);
    const char *pyname[2] = {"c_call", "python_loop"};
    const char *pylabel[2] = {"CPython: sum(range(n)), one C call",
                              "CPython: a sum in a for loop"};
    for (int i = 0; i < 2; i++) {
        double took = twin_fig(pyname[i], "_ms"),
               wait = twin_fig(pyname[i], "_wait_ms");
        if (!isnan(took) && !isnan(wait))
            printf("  %-40s %5.1f ms %9.1f ms %6s\n", pylabel[i], took, wait, "");
    }
    printf("\n  turns: how many times the second thread ran during the call.  The "
           "switch\n  interval bounds the wait only where there are checkpoints.\n");
}

/* show --json: table 1's runs, one JSON line each, for the book's page
 * (make measure-3 records them; tools/sitedata.c and site/theme/live.js
 * draw them beside the chapter's table).  The 1 ms way is left out: the
 * page's table has no row for it. */
static void json_runs(int reps, double total_ms)
{
    rt_init(NULL);
    uint64_t units = (uint64_t)(total_ms * rt_bytecodes_per_ms());
    rt_fini();
    for (int rep = 0; rep < reps; rep++)
        for (int w = 0; w < NWAYS; w++) {
            if (S_ways[w].interval_us)
                continue;
            run r;
            run_once(&r, w, units);
            printf("{\"kind\": \"run\", \"policy\": \"%s\", \"threads\": %d, "
                   "\"units\": %llu, \"wall_ns\": %llu, \"cpu_ns\": %llu, "
                   "\"os_threads\": %d, \"stats\": ",
                   r.policy, S_ways[w].threads, (unsigned long long)units,
                   (unsigned long long)r.wall_ns, (unsigned long long)r.cpu_ns,
                   r.os_threads);
            rt_stats_write_json(&r.stats, stdout);
            printf("}\n");
        }
}

static int show(int nargs, char **args)
{
    int reps = 5, quick = 0, json = 0;
    double total_ms = 240, call_ms = 60;
    for (int i = 0; i < nargs; i++) {
        if (strcmp(args[i], "--quick") == 0)
            quick = 1, reps = 3, total_ms = 60, call_ms = 30;
        else if (strcmp(args[i], "--json") == 0)
            json = 1;
        else if (strcmp(args[i], "--reps") == 0 && i + 1 < nargs)
            reps = atoi(args[++i]);
        else if (strcmp(args[i], "--ms") == 0 && i + 1 < nargs)
            total_ms = atof(args[++i]);
        else {
            fprintf(stderr,
                    "usage: demo show [--reps N] [--ms N] [--quick] [--json]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || total_ms <= 0) {
        fprintf(stderr, "demo: --reps 1..%d, --ms > 0\n", MAX_REPS);
        return 2;
    }
    if (json) {
        json_runs(reps, total_ms);
        return 0;
    }
    printf("\nChapter 3: threads and the GIL, measured on this machine\n");
    show_threads(reps, total_ms, quick);
    show_race_and_call(call_ms);
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"main", "", load_main, 0},
    {"gil", "T", load_threads, 0},
    {"nogil", "T", load_threads, EXKIT_NO_GIL},
    {"race", "plain|call", load_race, 0},
    {"longcall", "native|python MS", load_call, 0},
};

static const exkit_driver S_demo = {
    .tag = "demo-3", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
