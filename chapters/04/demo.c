/*
 * demo.c - chapter 4's demo: two CPU-bound threads under CPython's GIL at
 * three switch intervals, and under the GIL it replaced in 3.2.
 *
 *   make chapter4            (or: make demo-4, or run build/demos/04/demo)
 *   build/demos/04/demo show [--reps N] [--quick] [--json]
 *   build/demos/04/demo measure serial | threads 2
 *
 * `show` runs six ways of doing the same CPU-bound work: on the main thread
 * alone and over two threads, under the cpython policy at 5 ms (the
 * default), 1 ms and 20 ms, and under the ticks policy (a release every 100
 * checkpoints, as Python 2 did every 100 ticks) alone and over two threads.
 * Each way runs --reps times, interleaved, untraced, for the time; then
 * once more with the trace on, for what happened.  Three tables: the time
 * against the work alone, the counters that explain it, and how long one
 * thread ran before the other got in.  Beside them, CPython's figures for
 * the same experiment (chapters/04/twin.py: Python 3 at the same intervals,
 * and Python 2.7 when one is installed).
 *
 * `measure` runs one way once and prints the exercise kit's measure line,
 * with the trace's figures in "result": chapters/04/claims.yaml checks the
 * chapter's claims on those lines (`grader claims 4`).  There RT_GIL and
 * RT_SWITCH_INTERVAL_US choose the GIL; `show` sets its own.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"
#include "two_threads.h"

#define MAX_REPS    15
#define MEASURE_MS  120       /* the work of one `measure` run */
#define TRACE_SLOTS (1 << 20) /* room for 120 ms of the ticks policy's drops */

/* The six ways, and the twin's name for CPython's figures of the same. */
static const struct way {
    const char *label;
    rt_gil_policy policy;
    long interval_us; /* 0: the policy has none */
    int threads;      /* 0: the main thread alone */
    int alone;        /* the way this one is compared with */
    const char *twin;
} S_ways[] = {
    {"cpython, alone", RT_GIL_CPYTHON, 5000, 0, 0, NULL},
    {"cpython, 5 ms", RT_GIL_CPYTHON, 5000, 2, 0, "t5"},
    {"cpython, 1 ms", RT_GIL_CPYTHON, 1000, 2, 0, "t1"},
    {"cpython, 20 ms", RT_GIL_CPYTHON, 20000, 2, 0, "t20"},
    {"ticks, alone", RT_GIL_TICKS, 0, 0, 4, NULL},
    {"ticks, 2 threads", RT_GIL_TICKS, 0, 2, 4, "py2"},
};
enum { NWAYS = sizeof S_ways / sizeof S_ways[0] };

/* One run of a way. */
typedef struct run {
    uint64_t wall_ns, cpu_ns;
    rt_stats stats;
    tt_trace trace; /* traced runs only */
} run;

/* Runs way w once with `units` of work, traced if `traced`. */
static void run_once(int w, uint64_t units, int traced, run *r)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = S_ways[w].policy;
    if (S_ways[w].interval_us)
        cfg.switch_interval_us = S_ways[w].interval_us;
    cfg.trace_events = traced ? TRACE_SLOTS : 0;
    exkit_runtime_start(&cfg, 0);
    rt_stats_reset();
    uint64_t t0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
    tt_work(S_ways[w].threads, units);
    r->wall_ns = rt_now_ns() - t0;
    r->cpu_ns = exkit_cpu_now_ns() - c0;
    rt_stats_get(&r->stats);
    if (traced && S_ways[w].threads == 2)
        tt_trace_read(1, 2, &r->trace); /* main is lane 0, the workers 1 and 2 */
    rt_fini();
}

/* ------------------------------------------------------------------ */
/* measure: one run, one line (the claims read these)                  */
/* ------------------------------------------------------------------ */

static void measure(exkit_measure *m, int threads)
{
    uint64_t units = (uint64_t)(MEASURE_MS * rt_bytecodes_per_ms());
    exkit_measure_start(m); /* after the one-off calibration above */
    tt_work(threads, units);
    exkit_measure_stop(m);
    long interval = rt_policy() == RT_GIL_TICKS ? 0 : rt_switch_interval_us();
    exkit_result_str(m, "policy", rt_policy_name(rt_policy()));
    exkit_result_int(m, "threads", threads);
    exkit_result_int(m, "interval_us", interval);
    if (threads < 2)
        return;
    rt_stats st;
    rt_stats_get(&st);
    tt_trace tr;
    tt_trace_read(1, 2, &tr);
    exkit_result_int(m, "trace_complete", tr.complete);
    exkit_result_double(m, "turn_p50_ms", rt_hist_quantile(&tr.turns, 0.5) / 1e6);
    if (interval)
        exkit_result_double(m, "turn_p50_per_interval",
                            rt_hist_quantile(&tr.turns, 0.5) / 1e3 / (double)interval);
    exkit_result_uint(m, "turns", tr.turns.count);
    exkit_result_uint(m, "forced_drops", tr.forced);
    exkit_result_uint(m, "forced_retakes", tr.retakes);
    exkit_result_double(m, "drops_per_switch",
                        (double)st.forced_drops /
                            (double)(st.switches ? st.switches : 1));
    /* Requests nobody answered at a checkpoint (the holder blocked or
     * exited first), and forced drops nobody asked for. */
    exkit_result_uint(
        m, "unanswered_requests",
        st.drop_requests > st.forced_drops ? st.drop_requests - st.forced_drops : 0);
    exkit_result_uint(
        m, "unasked_drops",
        st.forced_drops > st.drop_requests ? st.forced_drops - st.drop_requests : 0);
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    (void)nargs, (void)args;
    measure(m, 0);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    measure(m, (int)exkit_arg_long(nargs, args, 0, 2, 2, "2"));
}

/* The threads workload is traced, for its result figures. */
static void configure(rt_config *cfg, const char *what)
{
    if (strcmp(what, "threads") == 0)
        cfg->trace_events = TRACE_SLOTS;
}

/* ------------------------------------------------------------------ */
/* show: the tables                                                    */
/* ------------------------------------------------------------------ */

/* The twin's figure `way``_what` ("t5" "_speedup"), or NAN. */
static double twin_fig(const char *way, const char *what)
{
    char key[48];
    if (!way)
        return NAN;
    snprintf(key, sizeof key, "%s_%s", way, what);
    return exkit_twin(key);
}

/* A median turn as "5.2 ms" (or "-" when there were none). */
static const char *ms_text(double ns, char *buf, size_t n)
{
    if (ns <= 0 || isnan(ns))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, ns < 1e5 ? "%.3f ms" : "%.1f ms", ns / 1e6);
    return buf;
}

/* show --json: table 1's runs, one JSON line each, for the book's page
 * (make measure-4 records them; tools/sitedata.c and site/theme/live.js
 * draw them beside the chapter's table).  Each line names its row
 * ("label") and the row it is compared with ("base"), as table 1 does. */
static void json_runs(int reps, uint64_t units)
{
    for (int rep = 0; rep < reps; rep++)
        for (int w = 0; w < NWAYS; w++) {
            run r;
            run_once(w, units, 0, &r);
            printf("{\"kind\": \"run\", \"label\": \"%s\", \"base\": \"%s\", "
                   "\"policy\": \"%s\", \"interval_us\": %ld, \"threads\": %d, "
                   "\"units\": %llu, \"wall_ns\": %llu, \"cpu_ns\": %llu, \"stats\": ",
                   S_ways[w].label, S_ways[S_ways[w].alone].label,
                   rt_policy_name(S_ways[w].policy), S_ways[w].interval_us,
                   S_ways[w].threads, (unsigned long long)units,
                   (unsigned long long)r.wall_ns, (unsigned long long)r.cpu_ns);
            rt_stats_write_json(&r.stats, stdout);
            printf("}\n");
        }
}

static int show(int nargs, char **args)
{
    exkit_show_opts o = {.reps = 5};
    int rc = exkit_show_args(nargs, args, &o, 2, MAX_REPS, 1);
    if (rc)
        return rc;
    int reps = o.reps, quick = o.quick;
    /* Each way sets its own GIL: the environment's choice would blur them. */
    unsetenv("RT_GIL");
    unsetenv("RT_SWITCH_INTERVAL_US");
    unsetenv("RT_TRACE");
    double total_ms = quick ? 60 : 240;
    rt_init(NULL); /* size the work in time on this machine (~20 ms) */
    uint64_t units = (uint64_t)(total_ms * rt_bytecodes_per_ms());
    rt_fini();
    if (o.json) {
        json_runs(reps, units);
        return 0;
    }

    printf("\nChapter 4: inside the GIL, measured on this machine\n");
    static run runs[NWAYS][MAX_REPS], traced[NWAYS];
    for (int rep = 0; rep < reps; rep++) /* interleaved: A B C D E F A B ... */
        for (int w = 0; w < NWAYS; w++)
            run_once(w, units, 0, &runs[w][rep]);
    for (int w = 0; w < NWAYS; w++)
        run_once(w, units, 1, &traced[w]);
    printf("\n1. %.0f ms of CPU-bound work: alone, and split over 2 threads "
           "(%ld cores, %d reps)\n",
           total_ms, sysconf(_SC_NPROCESSORS_ONLN), reps);
    printf("   CPython runs the same experiment (chapters/04/twin.py)...\n");
    exkit_twin_run("chapters/04/twin.py", quick ? "--quick" : "");

    printf("\n  %-17s %7s %18s  %-10s %s\n", "run", "wall", "vs alone (spread)",
           "   1x   2x", "CPython");
    double median_cores[NWAYS];
    for (int w = 0; w < NWAYS; w++) {
        double wall[MAX_REPS], ratio[MAX_REPS], cores[MAX_REPS];
        double lo = INFINITY, hi = 0;
        for (int rep = 0; rep < reps; rep++) {
            const run *r = &runs[w][rep];
            wall[rep] = (double)r->wall_ns;
            ratio[rep] = (double)runs[S_ways[w].alone][rep].wall_ns / wall[rep];
            cores[rep] = (double)r->cpu_ns / wall[rep];
            lo = fmin(lo, ratio[rep]), hi = fmax(hi, ratio[rep]);
        }
        double med = exkit_median(wall, (size_t)reps);
        double speedup = exkit_median(ratio, (size_t)reps);
        median_cores[w] = exkit_median(cores, (size_t)reps);
        char spread[32] = "1.00x", bar[24], cpy[96] = "-";
        if (S_ways[w].threads)
            snprintf(spread, sizeof spread, "%.2fx (%.2f-%.2f)", speedup, lo, hi);
        double t = twin_fig(S_ways[w].twin, "speedup");
        if (!isnan(t))
            snprintf(cpy, sizeof cpy, "%.2fx (%.2f-%.2f)%s", t,
                     twin_fig(S_ways[w].twin, "speedup_min"),
                     twin_fig(S_ways[w].twin, "speedup_max"),
                     S_ways[w].policy == RT_GIL_TICKS ? " 2.7" : "");
        else if (!S_ways[w].threads)
            snprintf(cpy, sizeof cpy, "1.00x");
        printf("  %-17s %4.0f ms %18s  %-10s %s\n", S_ways[w].label, med / 1e6, spread,
               exkit_bar(bar, speedup, 5, 10), cpy);
    }

    printf("\n2. Why: the counters of a traced run of each way\n\n");
    printf("  %-17s %5s %8s %7s %8s %7s %9s %6s\n", "run", "cores", "switches",
           "forced", "retakes", "futile", "hold p50", "CPy sw");
    for (int w = 0; w < NWAYS; w++) {
        const run *r = &traced[w];
        char hold[16] = "-", cpy_sw[12] = "-";
        if (S_ways[w].threads)
            ms_text((double)rt_hist_quantile(&r->stats.hold, 0.5), hold, sizeof hold);
        if (!isnan(twin_fig(S_ways[w].twin, "switches")))
            snprintf(cpy_sw, sizeof cpy_sw, "%.0f",
                     twin_fig(S_ways[w].twin, "switches"));
        char retakes[16] = "-";
        if (S_ways[w].threads)
            snprintf(retakes, sizeof retakes, "%llu",
                     (unsigned long long)r->trace.retakes);
        printf("  %-17s %5.2f %8llu %7llu %8s %7llu %9s %6s\n", S_ways[w].label,
               median_cores[w], (unsigned long long)r->stats.switches,
               (unsigned long long)r->stats.forced_drops, retakes,
               (unsigned long long)r->stats.futile_wakeups, hold, cpy_sw);
    }

    printf("\n3. How long one thread ran before the other got in (median turn;\n"
           "   the bars' scale is in ms)\n\n");
    printf("  %-17s %9s  %-25s %9s\n", "run", "runtime", "         10        20",
           "CPython");
    for (int w = 0; w < NWAYS; w++) {
        if (!S_ways[w].threads)
            continue;
        double turn = (double)rt_hist_quantile(&traced[w].trace.turns, 0.5);
        char t1[16], t2[16], bar[32];
        ms_text(turn, t1, sizeof t1);
        ms_text(twin_fig(S_ways[w].twin, "turn_ms") * 1e6, t2, sizeof t2);
        /* One character a millisecond: the bar's '|'s mark 5, 10, ... 25 ms,
         * where the header's numbers end. */
        printf("  %-17s %9s  %-25s %9s\n", S_ways[w].label, t1,
               exkit_bar(bar, turn / 5e6, 5, 25), t2);
    }
    printf(
        "\n  vs alone  the same work on the main thread alone / this time, per rep:\n"
        "            median (lowest-highest); ticks rows against ticks alone\n"
        "  cores     CPU time / wall time (median): 1 = one core busy\n"
        "  switches  hand-overs to the other thread; forced: drops at a checkpoint\n"
        "            (a waiter asked, or the ticks countdown ran out)\n"
        "  retakes   forced drops after which the same thread took the GIL back\n"
        "            before the other could (from the trace)\n"
        "  futile    wake-ups of a waiter that found the GIL taken again\n"
        "  hold p50  median time from taking the GIL to dropping it\n"
        "  CPy sw    CPython's switches between its two threads, seen from Python\n"
        "  CPython   %s for the cpython rows; for the ticks rows Python 2.7, the\n"
        "            GIL before 3.2, when one is installed (chapters/04/twin.py)\n",
        exkit_twin_version()[0] ? exkit_twin_version() : "Python 3");
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"serial", "", load_serial, 0},
    {"threads", "2", load_threads, 0},
};

static const exkit_driver S_demo = {.tag = "demo-4",
                                    EXKIT_WORKLOADS(S_workloads),
                                    .configure = configure,
                                    .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
