/*
 * demo.c - chapter 2's demo: the same jobs, dealt with and done five ways.
 *
 *   make chapter2            (or: make demo-2, or run build/demos/02/demo)
 *   build/demos/02/demo show [--reps N] [--quick]
 *   build/demos/02/demo measure <RUN> [N COMPUTE_MS WAIT_MS]
 *       RUN: serial, loop, gil, nogil, split
 *
 * Three jobs, each of which computes, waits, and computes again, run one
 * after another on the main thread; as three tasks of an event loop on
 * that one thread; on three threads under the GIL; on three threads
 * without it; and, last, one job whose computing two threads do at once.
 * For each way the table shows how long it took and the two counts the
 * chapter is about: how many jobs were in progress at once (counted live,
 * as the jobs begin and end), and how many threads were allowed to run at
 * once (the runtime's max_running).  The first says concurrent, the second
 * parallel.  Beside them, CPython's figures for the serial, asyncio and
 * threading versions, measured now by chapters/02/twin.py.
 *
 * `measure` runs one way once and prints the kit's measure line; the
 * chapter's claims (chapters/02/claims.yaml) are judged on those lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"

#define MAX_REPS 9

/* ------------------------------------------------------------------ */
/* measure                                                             */
/* ------------------------------------------------------------------ */

/* Reads [N COMPUTE_MS WAIT_MS] (defaults 3, 10, 40). */
static exkit_jobs jobs_from(int nargs, char **args)
{
    exkit_jobs j = {3, 10, 40};
    if (nargs != 0 && nargs != 3)
        exkit_fail("usage: measure <RUN> [N COMPUTE_MS WAIT_MS]");
    if (nargs == 3) {
        j.n = (int)exkit_arg_long(nargs, args, 0, 1, EXKIT_RUN_MAX_JOBS, "N");
        j.compute_ms = (double)exkit_arg_long(nargs, args, 1, 0, 1000, "COMPUTE_MS");
        j.wait_ms = (double)exkit_arg_long(nargs, args, 2, 0, 1000, "WAIT_MS");
    }
    return j;
}

/* The runtime must be started the run's way (no GIL for nogil and split),
 * so each workload starts it itself. */
static void load_run(exkit_measure *m, exkit_run_kind k, int nargs, char **args)
{
    exkit_jobs j = jobs_from(nargs, args);
    rt_config cfg;
    unsigned flags;
    exkit_run_config(k, 0, &cfg, &flags);
    exkit_runtime_start(&cfg, flags);
    rt_bytecodes_per_ms(); /* calibrate before the clocks start */
    exkit_run_result r;
    exkit_measure_start(m);
    exkit_run(k, &j, &r);
    exkit_measure_stop(m);
    exkit_run_report(m, &r);
    rt_fini();
}

#define LOAD(name, kind)                                                               \
    static void load_##name(exkit_measure *m, int nargs, char **args)                  \
    {                                                                                  \
        load_run(m, kind, nargs, args);                                                \
    }
LOAD(serial, EXKIT_RUN_SERIAL)
LOAD(loop, EXKIT_RUN_LOOP)
LOAD(gil, EXKIT_RUN_GIL)
LOAD(nogil, EXKIT_RUN_NOGIL)
LOAD(split, EXKIT_RUN_SPLIT)

/* ------------------------------------------------------------------ */
/* show                                                                */
/* ------------------------------------------------------------------ */

static const struct {
    exkit_run_kind kind;
    const char *label;
    const char *twin; /* the CPython version's name in twin.py, or NULL */
} S_ways[] = {
    {EXKIT_RUN_SERIAL, "one after another", "serial"},
    {EXKIT_RUN_LOOP, "event loop, 3 tasks", "asyncio"},
    {EXKIT_RUN_GIL, "3 threads, GIL", "threads"},
    {EXKIT_RUN_NOGIL, "3 threads, no GIL", NULL},
    {EXKIT_RUN_SPLIT, "1 job, 2 hands", NULL},
};
enum { NWAYS = sizeof S_ways / sizeof S_ways[0] };

// [verdict]
/* Concurrent: several jobs in progress at once (dealing with many things).
 * Parallel: several threads running at once (doing many things). */
static const char *verdict(int in_progress, int running)
{
    if (in_progress >= 2 && running >= 2)
        return "both";
    if (in_progress >= 2)
        return "concurrent";
    if (running >= 2)
        return "parallel";
    return "neither";
}
// [end]

static void run_once(exkit_run_kind k, const exkit_jobs *j, exkit_run_result *r)
{
    rt_config cfg;
    unsigned flags;
    exkit_run_config(k, 0, &cfg, &flags);
    exkit_runtime_start(&cfg, flags);
    exkit_run(k, j, r);
    rt_fini();
}

static const char *twin_cell(const char *way, const char *what, const char *fmt,
                             char *buf, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "%s_%s", way ? way : "-", what);
    double x = way ? exkit_twin(key) : NAN;
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, x);
    return buf;
}

static int show(int nargs, char **args)
{
    exkit_show_opts o = {.reps = 3};
    int rc = exkit_show_args(nargs, args, &o, 1, MAX_REPS, 0);
    if (rc)
        return rc;
    int reps = o.reps;
    exkit_jobs j = o.quick ? (exkit_jobs){3, 4, 15} : (exkit_jobs){3, 10, 40};
    const char *twin_args = o.quick ? "--quick" : "";
    static exkit_run_result runs[NWAYS][MAX_REPS];
    for (int rep = 0; rep < reps; rep++) /* interleaved: A B C D E A B ... */
        for (int w = 0; w < NWAYS; w++)
            run_once(S_ways[w].kind, &j, &runs[w][rep]);

    double load[3] = {0};
    getloadavg(load, 3);
    printf(
        "\nChapter 2: %d jobs (compute %.0f ms, wait %.0f ms, compute %.0f ms), five "
        "ways\n  (%ld cores, load average %.2f; median of %d runs)\n",
        j.n, j.compute_ms, j.wait_ms, j.compute_ms, sysconf(_SC_NPROCESSORS_ONLN),
        load[0], reps);
    printf("  CPython runs the serial, asyncio and threading versions "
           "(chapters/02/twin.py)...\n");
    exkit_twin_run("chapters/02/twin.py", twin_args);
    printf("\n  %-20s %8s %7s  %-16s %11s %11s %6s  %-10s  %s\n", "run", "wall",
           "speedup", "   1x   2x   3x", "in progress", "running", "cores", "verdict",
           "CPython: wall, in progress, cores");
    printf("  %-20s %8s %7s  %-16s %11s %11s %6s  %-10s\n", "", "", "", "", "max  avg",
           "max", "", "");
    double serial_ms = 0;
    for (int w = 0; w < NWAYS; w++) {
        double wall[MAX_REPS];
        for (int rep = 0; rep < reps; rep++)
            wall[rep] = (double)(runs[w][rep].t1_ns - runs[w][rep].t0_ns);
        double med = exkit_median(wall, (size_t)reps);
        const exkit_run_result *r = &runs[w][0];
        for (int rep = 0; rep < reps; rep++) /* the run closest to the median */
            if (fabs((double)(runs[w][rep].t1_ns - runs[w][rep].t0_ns) - med) <
                fabs((double)(r->t1_ns - r->t0_ns) - med))
                r = &runs[w][rep];
        double ms = med / 1e6, span = (double)(r->t1_ns - r->t0_ns);
        if (w == 0)
            serial_ms = ms;
        char bar[32], c1[16], c2[16], c3[16], sp[16];
        if (S_ways[w].kind == EXKIT_RUN_SPLIT) { /* other work: no speedup */
            snprintf(sp, sizeof sp, "-");
            snprintf(bar, sizeof bar, "%16s", "");
        } else {
            snprintf(sp, sizeof sp, "%.2fx", serial_ms / ms);
            exkit_bar(bar, serial_ms / ms, 5, 16);
        }
        printf("  %-20s %5.0f ms %7s  %s %5d %5.2f %11d %6.2f  %-10s  %s %s %s\n",
               S_ways[w].label, ms, sp, bar, r->max_in_progress,
               (double)r->job_ns_sum / span, r->stats.max_running,
               (double)r->cpu_ns / span,
               verdict(r->max_in_progress, r->stats.max_running),
               twin_cell(S_ways[w].twin, "wall_ms", "%.0f ms", c1, sizeof c1),
               twin_cell(S_ways[w].twin, "avg_in_progress", "%.2f", c2, sizeof c2),
               twin_cell(S_ways[w].twin, "cores", "%.2f", c3, sizeof c3));
    }
    printf("\n  The last row is different work: one job whose %.0f ms of computing "
           "two\n  threads do at the same time, %.0f ms each, with no wait.\n",
           2 * j.compute_ms, j.compute_ms);
    if (exkit_twin_version()[0])
        printf("  CPython column: %s on this machine; '-' where it has no version "
               "(no\n  free-threaded build measured).\n",
               exkit_twin_version());
    printf("\n  in progress  jobs begun and not yet ended: most at once, and the "
           "average\n"
           "               over the run (the jobs' total length / the wall time)\n"
           "  running      most threads allowed to run Python code at once, the main\n"
           "               thread included (the runtime's max_running)\n"
           "  cores        CPU time / wall time: how many cores were busy, on "
           "average\n"
           "  verdict      concurrent: 2+ jobs in progress at once; parallel: 2+ "
           "threads\n"
           "               running at once\n");
    return 0;
}

#define JOBS_ARGS "[N COMPUTE_MS WAIT_MS]"
static const exkit_workload S_workloads[] = {
    {"serial", JOBS_ARGS, load_serial, EXKIT_OWN_RUNTIME},
    {"loop", JOBS_ARGS, load_loop, EXKIT_OWN_RUNTIME},
    {"gil", JOBS_ARGS, load_gil, EXKIT_OWN_RUNTIME},
    {"nogil", JOBS_ARGS, load_nogil, EXKIT_OWN_RUNTIME},
    {"split", JOBS_ARGS, load_split, EXKIT_OWN_RUNTIME},
};

static const exkit_driver S_demo = {
    .tag = "demo-2", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
