/*
 * demo.c - chapter 3's demo: CPU-bound threads under the GIL, and without.
 *
 *   make chapter3            (or: make demo-3, or run build/demos/03/demo)
 *   build/demos/03/demo show [--reps N] [--ms N] [--quick]
 *   build/demos/03/demo measure main | gil T | nogil T
 *
 * `show` runs the same amount of CPU-bound "Python" work (rt_bytecodes)
 * five ways: on the main thread alone, on 2 and on 4 threads under the GIL,
 * and on 2 and 4 threads with the runtime started without a GIL
 * (RT_GIL_NONE, the free-threaded build's model).  Each way is run --reps
 * times, interleaved (A B C A B C ...), and the median wall time is shown
 * with the runtime's counters, which say *why*: how many threads ever ran
 * at once, how often the GIL changed hands, how long each holder kept it.
 * Beside them, CPython's own figures for the same experiment, measured now
 * by chapters/03/twin.py when python3 is installed.
 *
 * `measure` runs one way once and prints the exercise kit's measure line:
 * chapters/03/claims.yaml checks the chapter's claims on those lines with
 * the grader's own judge (`grader claims 3`).
 *
 * RT_GIL in the environment picks the policy of the GIL rows (default
 * cpython; try RT_GIL=ticks), RT_SWITCH_INTERVAL_US its switch interval.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"

#define MAX_THREADS 4
#define MAX_REPS    15
#define MEASURE_MS  120 /* the work of one `measure` run */

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

/* What one run measured. */
typedef struct run {
    int threads;    /* 0 = the main thread alone */
    int os_threads; /* OS threads alive while the workers were */
    uint64_t wall_ns, cpu_ns;
    rt_stats stats;
} run;

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
/* measure: one run, one line (the claims read these)                 */
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

/* ------------------------------------------------------------------ */
/* show: the table                                                     */
/* ------------------------------------------------------------------ */

/* Starts the runtime with the GIL rows' policy (RT_GIL, default cpython)
 * or, when `free_threaded`, with none, runs once, and stops it. */
static void run_once(run *r, int free_threaded, int nthreads, uint64_t units)
{
    // [policy]
    rt_config cfg;
    rt_config_default(&cfg); /* the cpython policy, 5 ms interval */
    if (free_threaded)
        cfg.policy = RT_GIL_NONE; /* no GIL: threads run at once */
    // [end]
    /* RT_GIL in the environment may choose the GIL rows' policy; the
     * free-threaded rows stay free-threaded. */
    exkit_runtime_start(&cfg, free_threaded ? EXKIT_NO_GIL : 0);
    rt_stats_reset();
    uint64_t t0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
    r->os_threads = run_work(nthreads, units);
    r->wall_ns = rt_now_ns() - t0;
    r->cpu_ns = exkit_cpu_now_ns() - c0;
    r->threads = nthreads;
    rt_stats_get(&r->stats);
    rt_fini();
}

/* The five ways: {free-threaded?, threads}. */
static const struct {
    int free_threaded, threads;
} S_ways[] = {{0, 0}, {0, 2}, {0, 4}, {1, 2}, {1, 4}};
enum { NWAYS = sizeof S_ways / sizeof S_ways[0] };

/* CPython's speedup for way w, from the twin, as text ("0.97x" or "-"). */
static const char *twin_cell(int w, char *buf, size_t n)
{
    static const char *const names[NWAYS] = {"serial_speedup", "threads2_speedup",
                                             "threads4_speedup", NULL, NULL};
    double x = names[w] ? exkit_twin(names[w]) : NAN;
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2fx", x);
    return buf;
}

static int show(int nargs, char **args)
{
    int reps = 3, quick = 0;
    double total_ms = 240;
    for (int i = 0; i < nargs; i++) {
        if (strcmp(args[i], "--quick") == 0)
            quick = 1, reps = 1, total_ms = 120;
        else if (strcmp(args[i], "--reps") == 0 && i + 1 < nargs)
            reps = atoi(args[++i]);
        else if (strcmp(args[i], "--ms") == 0 && i + 1 < nargs)
            total_ms = atof(args[++i]);
        else {
            fprintf(stderr, "usage: demo show [--reps N] [--ms N] [--quick]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || total_ms <= 0) {
        fprintf(stderr, "demo: --reps 1..%d, --ms > 0\n", MAX_REPS);
        return 2;
    }

    /* Size the work in time on this machine (measured once, ~20 ms). */
    rt_init(NULL);
    uint64_t units = (uint64_t)(total_ms * rt_bytecodes_per_ms());
    rt_fini();

    static run runs[NWAYS][MAX_REPS];
    for (int rep = 0; rep < reps; rep++) /* interleaved: A B C D E A B ... */
        for (int w = 0; w < NWAYS; w++)
            run_once(&runs[w][rep], S_ways[w].free_threaded, S_ways[w].threads, units);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\nChapter 3: %.0f ms of CPU-bound work, split over threads "
           "(%ld cores, median of %d runs)\n\n",
           total_ms, cores, reps);
    printf("  CPython measures the same experiment (chapters/03/twin.py)...\n");
    exkit_twin_run("chapters/03/twin.py", quick ? "--quick" : "");
    printf("\n  %-20s %8s %8s  %-24s %8s %6s %8s %7s %7s %9s %6s\n", "run", "wall",
           "speedup", "      1x      2x      3x", "CPython", "cores", "switches",
           "forced", "at once", "hold p50", "OS thr");
    double serial_ms = 0, gil_best = 0, free_best = 0;
    int gil_at_once = 0, free_at_once = 0;
    for (int w = 0; w < NWAYS; w++) {
        double wall[MAX_REPS];
        for (int rep = 0; rep < reps; rep++)
            wall[rep] = (double)runs[w][rep].wall_ns;
        double med_ns = exkit_median(wall, (size_t)reps);
        const run *med = &runs[w][0]; /* the run closest to the median */
        for (int rep = 0; rep < reps; rep++)
            if (fabs((double)runs[w][rep].wall_ns - med_ns) <
                fabs((double)med->wall_ns - med_ns))
                med = &runs[w][rep];
        double ms = med_ns / 1e6;
        if (w == 0)
            serial_ms = ms;
        char label[40], bar[32], cpy[16];
        if (med->threads == 0)
            snprintf(label, sizeof label, "main thread alone");
        else if (S_ways[w].free_threaded)
            snprintf(label, sizeof label, "no GIL, %d threads", med->threads);
        else
            snprintf(label, sizeof label, "%s, %d threads",
                     getenv("RT_GIL") ? getenv("RT_GIL") : "cpython", med->threads);
        double speedup = serial_ms / ms;
        printf("  %-20s %5.0f ms %7.2fx  %s %8s", label, ms, speedup,
               exkit_bar(bar, speedup, 8, 24), twin_cell(w, cpy, sizeof cpy));
        printf(" %6.2f %8llu %7llu ", (double)med->cpu_ns / (double)med->wall_ns,
               (unsigned long long)med->stats.switches,
               (unsigned long long)med->stats.forced_drops);
        if (med->threads == 0) /* alone: the runtime does not track it */
            printf("%7s ", "-");
        else
            printf("%7d ", med->stats.max_running);
        if (S_ways[w].free_threaded || med->threads == 0)
            printf("%9s %6d\n", "-", med->os_threads); /* no turns to time */
        else
            printf("%6.1f ms %6d\n",
                   (double)rt_hist_quantile(&med->stats.hold, 0.5) / 1e6,
                   med->os_threads);
        int *at_once = S_ways[w].free_threaded ? &free_at_once : &gil_at_once;
        double *best = S_ways[w].free_threaded ? &free_best : &gil_best;
        if (med->threads > 0) {
            *best = speedup > *best ? speedup : *best;
            *at_once =
                med->stats.max_running > *at_once ? med->stats.max_running : *at_once;
        }
    }
    printf("\n  With the GIL: at most %d thread ran Python code at a time, best "
           "speedup %.2fx.\n  Without it:   up to %d at once (main included), "
           "best speedup %.2fx.\n",
           gil_at_once, gil_best, free_at_once, free_best);
    if (cores >= 2 && free_best < 1.3)
        printf("  The no-GIL rows barely scaled: another program is probably busy "
               "on your\n  cores right now (look with top) and left this one "
               "about one core.\n");
    if (exkit_twin_version()[0])
        printf("  CPython column: %s on this machine, the same work as Python threads "
               "(no\n  free-threaded build measured: '-').\n",
               exkit_twin_version());
    printf(
        "\n  speedup   serial wall time / this wall time (same work in every row)\n"
        "  switches  GIL hand-overs to another thread; forced: drops made because a\n"
        "            waiter asked, after waiting one switch interval\n"
        "  at once   most threads allowed to run Python code at the same moment\n"
        "  hold p50  how long a thread typically kept the GIL\n"
        "  cores     CPU time / wall time: how many cores the run kept busy\n"
        "  OS thr    OS threads in the process while the workers were alive\n"
        "            (main + one per runtime thread)\n");
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"main", "", load_main, 0},
    {"gil", "T", load_threads, 0},
    {"nogil", "T", load_threads, EXKIT_NO_GIL},
};

static const exkit_driver S_demo = {
    .tag = "demo-3", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
