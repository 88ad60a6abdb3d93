/*
 * test_judge.c - the pattern judge (grader/judge.c) at the edges of its
 * thresholds, and the check of a run's own report against the grader's
 * measurement.  Pure functions of the figures: no program runs, no clock,
 * so every case is exact on any machine.
 *
 * What a planted bug must not get past: the `none` pattern's parallelism
 * threshold raised from 1.3 to 2.0 lets a GIL-free variant using 1.96x CPU
 * over wall through (none_parallelism_edges); a judge that ignored the
 * grader's own clock would let a variant faster in every round through
 * (none_faster_every_round_by_our_clock).
 */
#include "../../grader/grader.h"
#include "check.h"

#include <stdlib.h>

static gr_pattern S_pattern(gr_expect e, int workers)
{
    return (gr_pattern){.name = "p", .expect = e, .workers = workers, .points = 1};
}

/* Timing's verdict on n rounds that all read `s` (own clocks) and `o`
 * (the grader's), with capacity cap and variant parallelism par. */
static int S_timing(gr_expect e, int workers, double s, double o, double cap,
                    double par, double cpu_ratio)
{
    double r[5], or [5], pv[5];
    for (int i = 0; i < 5; i++) {
        r[i] = s;
        or [i] = o;
        pv[i] = par;
    }
    gr_timing t = {.ratio = r,
                   .oratio = or
                   ,
                   .par = pv,
                   .n = 5,
                   .s = s,
                   .s_outside = o,
                   .cap = cap,
                   .par_med = par,
                   .cpu_ratio = cpu_ratio};
    gr_pattern p = S_pattern(e, workers);
    char *why = NULL;
    int v = gr_judge_timing(&p, &t, &why);
    CHECK(why && *why); /* every verdict says why */
    free(why);
    return v;
}

CASE(none_parallelism_edges)
{
    /* Two threads computing at once show it as CPU time over wall time. */
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.0, 2.0, 1.96, 1) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.0, 2.0, 1.35, 1) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.0, 2.0, 1.25, 1) != GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.0, 2.0, 1.0, 1) == GR_AGREES);
    /* Even with a single free core the kernel's CPU figure convicts. */
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.0, 1.1, 1.5, 1) == GR_CONTRADICTS);
}

CASE(none_faster_every_round_by_our_clock)
{
    /* Faster in every round by the grader's clock, with cores free:
     * whatever the counters and the program's own figures claim. */
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.6, 1.8, 1.0, 1) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.6, 1.6, 1.8, 1.0, 1) == GR_CONTRADICTS);
    /* ... but not with one free core: then nothing could run faster. */
    CHECK(S_timing(GR_EXPECT_NONE, 2, 1.0, 1.6, 1.2, 1.0, 1) == GR_UNDECIDED);
    /* ... and not when one round of five says otherwise. */
    double r[5] = {1, 1, 1, 1, 1}, o[5] = {1.6, 1.6, 1.3, 1.6, 1.6},
           p[5] = {1, 1, 1, 1, 1};
    gr_timing t = {.ratio = r,
                   .oratio = o,
                   .par = p,
                   .n = 5,
                   .s = 1,
                   .s_outside = 1.6,
                   .cap = 1.8,
                   .par_med = 1,
                   .cpu_ratio = 1};
    gr_pattern pat = S_pattern(GR_EXPECT_NONE, 2);
    char *why = NULL;
    CHECK(gr_judge_timing(&pat, &t, &why) != GR_CONTRADICTS);
    free(why);
}

CASE(none_threads_fighting)
{
    /* Much slower and burning more CPU than the baseline: a convoy. */
    CHECK(S_timing(GR_EXPECT_NONE, 2, 0.35, 0.35, 2.0, 1.0, 1.6) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_NONE, 2, 0.35, 0.35, 2.0, 1.0, 1.2) != GR_CONTRADICTS);
}

CASE(scales_edges)
{
    /* e = min(workers, capacity) = 2: agrees from 1 + 0.4 (e - 1) = 1.4x. */
    CHECK(S_timing(GR_EXPECT_SCALES, 2, 1.41, 1.4, 2.0, 1.9, 1) == GR_AGREES);
    CHECK(S_timing(GR_EXPECT_SCALES, 2, 1.1, 1.1, 2.0, 1.0, 1) == GR_CONTRADICTS);
    /* Serial-looking, but the CPU says two cores computed: undecided. */
    CHECK(S_timing(GR_EXPECT_SCALES, 2, 1.1, 1.1, 2.0, 1.5, 1) == GR_UNDECIDED);
    CHECK(S_timing(GR_EXPECT_SCALES, 2, 1.0, 1.0, 1.2, 1.0, 1) == GR_UNDECIDED);
}

CASE(overlaps_and_slower_edges)
{
    CHECK(S_timing(GR_EXPECT_OVERLAPS, 4, 2.5, 2.5, 1.0, 0.1, 1) == GR_AGREES);
    CHECK(S_timing(GR_EXPECT_OVERLAPS, 4, 1.3, 1.3, 1.0, 0.1, 1) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_OVERLAPS, 4, 2.0, 2.0, 1.0, 0.1, 1) == GR_UNDECIDED);
    CHECK(S_timing(GR_EXPECT_SLOWER, 2, 0.85, 0.85, 1.0, 1.0, 1) == GR_AGREES);
    CHECK(S_timing(GR_EXPECT_SLOWER, 2, 1.05, 1.05, 1.0, 1.0, 1) == GR_CONTRADICTS);
    CHECK(S_timing(GR_EXPECT_SLOWER, 2, 0.95, 0.95, 1.0, 1.0, 1) == GR_UNDECIDED);
}

static int S_mech(gr_expect e, gr_mech m)
{
    gr_pattern p = S_pattern(e, 2);
    char *why = NULL;
    int v = gr_judge_mechanism(&p, &m, &why);
    CHECK(why && *why);
    free(why);
    return v;
}

CASE(mechanism_edges)
{
    gr_mech clean = {.max_running = 1,
                     .threads_started_min = 2,
                     .workers_used = -1,
                     .codec_bytes = -1,
                     .loop_max_waiting = -1,
                     .n = 5};
    CHECK(S_mech(GR_EXPECT_NONE, clean) == GR_AGREES);
    gr_mech m = clean;
    m.bytecodes_unheld = 1;
    CHECK(S_mech(GR_EXPECT_NONE, m) == GR_CONTRADICTS);
    m = clean;
    m.max_running = 2;
    CHECK(S_mech(GR_EXPECT_NONE, m) == GR_CONTRADICTS);
    m = clean;
    m.threads_started_min = 1;
    CHECK(S_mech(GR_EXPECT_NONE, m) == GR_CONTRADICTS);
    m = clean;
    m.runs_parallel = 3;
    CHECK(S_mech(GR_EXPECT_SCALES, m) == GR_AGREES);
    m.runs_parallel = 2; /* not most of 5 runs */
    CHECK(S_mech(GR_EXPECT_SCALES, m) == GR_CONTRADICTS);
    m = clean;
    m.max_blocked = -1;
    CHECK(S_mech(GR_EXPECT_OVERLAPS, m) == GR_UNAVAILABLE);
    m.max_blocked = 2;
    CHECK(S_mech(GR_EXPECT_OVERLAPS, m) == GR_AGREES);
    m.max_blocked = 1;
    CHECK(S_mech(GR_EXPECT_OVERLAPS, m) == GR_CONTRADICTS);
    CHECK(S_mech(GR_EXPECT_SLOWER, clean) == GR_UNAVAILABLE);
}

static int S_report(double self_wall, double self_cpu, double wall, double cpu,
                    int children)
{
    gr_evidence e = {.self_wall_ns = self_wall * 1e6,
                     .self_cpu_ns = self_cpu * 1e6,
                     .wall_ns = wall * 1e6,
                     .cpu_ns = cpu * 1e6,
                     .cores = 2,
                     .children = children};
    char *why = NULL;
    int v = gr_judge_self_report(&e, &why);
    CHECK(v == 0 || (why && *why));
    free(why);
    return v;
}

CASE(self_report_against_our_clocks)
{
    /* Honest: the measured part inside the life, its CPU inside the CPU. */
    CHECK(S_report(300, 300, 310, 308, 0) == 0);
    CHECK(S_report(300, 600, 310, 612, 0) == 0); /* two cores, honestly */
    CHECK(S_report(100, 90, 900, 800, 0) == 0);  /* a long untimed set-up */
    /* Claims more time than the process lived. */
    CHECK(S_report(2100, 300, 760, 300, 0) == 1);
    /* Claims more CPU than the kernel counted for the whole process. */
    CHECK(S_report(300, 900, 310, 612, 0) == 1);
    /* Claims a fraction of the CPU it used: the rest cannot fit outside. */
    CHECK(S_report(300, 300, 310, 612, 0) == 1);
    CHECK(S_report(1400, 4, 1560, 418, 0) == 1);
    /* ... unless children (a process pool) spent it: not checkable. */
    CHECK(S_report(300, 300, 310, 612, 1) == 0);
    CHECK(S_report(-1, 300, 310, 612, 0) == 1);
}

/* Three rounds of a `none` pattern with these ratios (own and the
 * grader's clocks alike) and parallelisms: settled early or not? */
static int S_settled(const double r[3], const double par[3], gr_mech m)
{
    double sorted[3] = {r[0], r[1], r[2]}, ps[3] = {par[0], par[1], par[2]};
    gr_timing t = {.ratio = r,
                   .oratio = r,
                   .par = par,
                   .n = 3,
                   .s = gr_median(sorted, 3),
                   .s_outside = gr_median(sorted, 3),
                   .cap = 1.95,
                   .par_med = gr_median(ps, 3),
                   .cpu_ratio = 1};
    gr_pattern p = S_pattern(GR_EXPECT_NONE, 2);
    return gr_judge_settled(&p, &m, &t);
}

CASE(settled_early_only_when_every_round_agrees)
{
    gr_mech clean = {.max_running = 1,
                     .threads_started_min = 2,
                     .workers_used = -1,
                     .codec_bytes = -1,
                     .loop_max_waiting = -1,
                     .n = 3};
    const double one[3] = {1, 1, 1};
    /* An honest GIL: three rounds near 1x, one core at a time. */
    CHECK(S_settled((const double[3]){0.98, 0.97, 1.0}, one, clean) == 1);
    /* One round that alone would not agree (1.5x) keeps the rest coming,
     * though the median (1.0x) agrees. */
    CHECK(S_settled((const double[3]){1.0, 1.5, 0.99}, one, clean) == 0);
    /* One round with two cores busy at once: the same. */
    CHECK(S_settled((const double[3]){1.0, 1.0, 1.0}, (const double[3]){1, 1.6, 1},
                    clean) == 0);
    /* The counters have the first word: a contradiction is never settled
     * early (it gets every round, and then fails). */
    gr_mech m = clean;
    m.bytecodes_unheld = 1;
    CHECK(S_settled((const double[3]){0.98, 0.97, 1.0}, one, m) == 0);
    /* A GIL-free cheat whose counters were made to look clean: every round
     * 1.9x by every clock never settles as a pass. */
    CHECK(S_settled((const double[3]){1.9, 1.9, 1.9}, (const double[3]){1.9, 1.9, 1.9},
                    clean) == 0);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(none_parallelism_edges,
                            none_faster_every_round_by_our_clock, none_threads_fighting,
                            scales_edges, overlaps_and_slower_edges, mechanism_edges,
                            self_report_against_our_clocks,
                            settled_early_only_when_every_round_agrees));
}
