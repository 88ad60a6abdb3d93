/*
 * judge.c - the pattern judge's verdicts: pure functions of the figures,
 * so the tests can put them at their edges (tests/grader/test_judge.c).
 *
 * Each kind of evidence says "agrees", "contradicts" or "undecided"
 * (timing, e.g. when one core is all we get: then `none` and `scales`
 * look the same) or "unavailable" (no counter for it).  A pattern fails
 * when either contradicts (patterns.c).  Thresholds leave a wide undecided
 * band on purpose: the price of never failing a correct solution on a busy
 * machine is that timing alone convicts only gross mistakes; the counters
 * catch the rest.
 *
 * And one more judge: does a run's own report (the measure line) agree
 * with what the grader measured from outside (gr_judge_self_report)?
 */
#include "grader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The mechanism's word on a pattern, with the reason. */
int gr_judge_mechanism(const gr_pattern *p, const gr_mech *m, char **why)
{
    int w = p->workers;
    switch (p->expect) {
    case GR_EXPECT_NONE:
        if (m->bytecodes_unheld > 0) {
            *why = gr_fmt("%.0f units of interpreter work ran without the GIL "
                          "(bytecodes_unheld): the GIL was released around Python work",
                          m->bytecodes_unheld);
            return GR_CONTRADICTS;
        }
        if (m->max_running >= 2) {
            *why = gr_fmt("%.0f threads ran interpreter code at the same moment "
                          "(max_running): nothing serialised them",
                          m->max_running);
            return GR_CONTRADICTS;
        }
        if (m->threads_started_min < w) {
            *why = gr_fmt("only %.0f thread(s) were started, the pattern needs %d "
                          "(threads_started): the work did not run in threads",
                          fmax(0, m->threads_started_min), w);
            return GR_CONTRADICTS;
        }
        *why = gr_fmt("%.0f threads started, never more than %.0f running at once, no "
                      "work outside the GIL",
                      m->threads_started_min, fmax(1, m->max_running));
        return GR_AGREES;
    case GR_EXPECT_SCALES:
        if (m->runs_parallel * 2 > m->n) {
            *why = gr_fmt("%d of %d runs had %s at once", m->runs_parallel, m->n,
                          m->workers_used >= 2 ? "several workers running tasks"
                                               : "several threads running");
            return GR_AGREES;
        }
        *why =
            gr_fmt("at most %.0f thread(s) ran at once (max_running)%s: the work was "
                   "serialised",
                   fmax(0, m->max_running),
                   m->workers_used >= 0 ? " and one pool worker did the tasks" : "");
        if (m->workers_used >= 0) {
            free(*why);
            *why = gr_fmt(
                "only %.0f pool worker(s) ran tasks (workers_used), %d expected: "
                "the tasks ran serially",
                m->workers_used, w);
        }
        return GR_CONTRADICTS;
    case GR_EXPECT_OVERLAPS: {
        double waiting = fmax(m->max_blocked, m->loop_max_waiting);
        if (waiting >= w) {
            *why = gr_fmt("%.0f waits were in progress at once", waiting);
            return GR_AGREES;
        }
        if (m->max_blocked < 0 && m->loop_max_waiting < 0) {
            *why = gr_xstrdup("no wait counters in the measure line");
            return GR_UNAVAILABLE;
        }
        *why = gr_fmt(
            "at most %.0f wait(s) in progress at once (max_blocked), %d expected: "
            "the waits did not overlap (does the blocking call release the GIL?)",
            fmax(0, waiting), w);
        return GR_CONTRADICTS;
    }
    case GR_EXPECT_SLOWER:
        if (m->codec_bytes < 0) {
            *why = gr_xstrdup("no codec counter in the measure line");
            return GR_UNAVAILABLE;
        }
        if (m->codec_bytes > 0) {
            *why = gr_fmt("%.0f bytes crossed the codec", m->codec_bytes);
            return GR_AGREES;
        }
        *why =
            gr_xstrdup("no bytes crossed the codec: the variant did not use the pool");
        return GR_CONTRADICTS;
    }
    return GR_UNAVAILABLE;
}

/* Do all rounds have an outside speedup (the grader's clocks) above x? */
static double S_frac_outside(const gr_timing *t, double x)
{
    int k = 0;
    for (int i = 0; i < t->n && t->oratio; i++)
        k += t->oratio[i] > x;
    return t->n ? (double)k / t->n : 0;
}

/* The fraction of rounds whose speedup is above (dir > 0) or below
 * (dir < 0) x.  Timing convicts only when nearly every round agrees: one
 * disturbed run must not decide, and runs are disturbed in bursts. */
static double S_frac(const gr_timing *t, double x, int dir)
{
    int k = 0;
    for (int i = 0; i < t->n; i++)
        k += dir > 0 ? t->ratio[i] > x : t->ratio[i] < x;
    return t->n ? (double)k / t->n : 0;
}

/* Timing's word on a pattern.  Two timing signals, both in the report:
 *  - speedup, baseline wall over variant wall (medians of interleaved
 *    rounds), judged against the capacity measured in the same rounds;
 *  - the variant's parallelism, its CPU time over its wall time: above 1
 *    only if more than one thread computed at once.  Unlike speedup it
 *    needs no second run, so neighbours and thread placement (a run that
 *    lands on the core a hog holds goes at half speed) cannot fake it. */
int gr_judge_timing(const gr_pattern *p, const gr_timing *t, char **why)
{
    double s = t->s, cap = t->cap, par = t->par_med;
    double e = fmin(p->workers, cap); /* the best speedup this machine allows now */
    switch (p->expect) {
    case GR_EXPECT_NONE:
        if (par > 1.3) {
            *why = gr_fmt(
                "the variant used %.2fx as much CPU time as wall time: more than "
                "one thread computed at once, which a GIL prevents",
                par);
            return GR_CONTRADICTS;
        }
        if (s < 0.4 && t->cpu_ratio > 1.5 && S_frac(t, 0.5, -1) >= 0.8) {
            *why =
                gr_fmt("the variant took %.1fx as long and burned %.1fx the CPU of the "
                       "baseline: threads fight over the GIL",
                       1 / s, t->cpu_ratio);
            return GR_CONTRADICTS;
        }
        if (cap < 1.5) {
            *why = gr_fmt(
                "%.2fx with only %.2f core(s) free: a GIL-free variant could not "
                "run faster either, so timing cannot tell",
                s, cap);
            return GR_UNDECIDED;
        }
        if (S_frac_outside(t, 1.4) == 1.0) {
            /* The grader's own clocks: whatever the counters claim. */
            *why = gr_fmt("every round of the variant ran more than 1.4x faster than "
                          "the baseline by the grader's clock (%.2fx) with %.2f cores "
                          "free: threads under a GIL cannot do that",
                          t->s_outside, cap);
            return GR_CONTRADICTS;
        }
        if (s >= 0.6 && s <= 1.4) {
            *why =
                gr_fmt("%.2fx with %.2f cores free: about 1x, as a GIL allows", s, cap);
            return GR_AGREES;
        }
        *why =
            gr_fmt("%.2fx with %.2f cores free, but the variant never computed on two "
                   "cores at once (CPU/wall %.2f): noisy runs",
                   s, cap, par);
        return GR_UNDECIDED;
    case GR_EXPECT_SCALES:
        if (cap < 1.5) {
            *why = gr_fmt(
                "%.2fx with only %.2f core(s) free: no speedup is possible now, so "
                "timing cannot tell",
                s, cap);
            return GR_UNDECIDED;
        }
        if (s >= 1 + 0.4 * (e - 1)) {
            *why = gr_fmt("%.2fx with %.2f cores free (at least %.2fx expected)", s,
                          cap, 1 + 0.4 * (e - 1));
            return GR_AGREES;
        }
        if (s < 1 + 0.15 * (e - 1) && (par < 0 || par < 1.15) &&
            S_frac(t, 1 + 0.15 * (e - 1), -1) >= 0.8) {
            *why = gr_fmt("%.2fx with %.2f cores free: no better than serial", s, cap);
            return GR_CONTRADICTS;
        }
        *why =
            gr_fmt("%.2fx with %.2f cores free: between serial and parallel", s, cap);
        return GR_UNDECIDED;
    case GR_EXPECT_OVERLAPS:
        /* Waiting needs little CPU, so a busy machine blurs this one less. */
        if (s >= 1 + 0.5 * (p->workers - 1)) {
            *why = gr_fmt("%.2fx: %d waits took about as long as one", s, p->workers);
            return GR_AGREES;
        }
        if (s < 1 + 0.15 * (p->workers - 1) &&
            S_frac(t, 1 + 0.15 * (p->workers - 1), -1) >= 0.8) {
            *why = gr_fmt("%.2fx: the %d waits took about as long as their sum", s,
                          p->workers);
            return GR_CONTRADICTS;
        }
        *why = gr_fmt("%.2fx: partly overlapped", s);
        return GR_UNDECIDED;
    case GR_EXPECT_SLOWER:
        if (s <= 0.9) {
            *why = gr_fmt("the variant is %.2fx as fast: slower, as expected", s);
            return GR_AGREES;
        }
        if (s >= 1.0 && S_frac(t, 1.0, +1) >= 0.8) {
            *why =
                gr_fmt("the variant is %.2fx as fast: not slower than the baseline", s);
            return GR_CONTRADICTS;
        }
        *why = gr_fmt("%.2fx: too close to tell", s);
        return GR_UNDECIDED;
    }
    return GR_UNDECIDED;
}

int gr_judge_self_report(const gr_evidence *e, char **why)
{
    *why = NULL;
    double ms = 1e6;
    if (e->self_wall_ns < 0 || e->self_cpu_ns < 0) {
        *why = gr_xstrdup("the measure line has a negative time");
        return 1;
    }
    /* The measured part is a part of the process's life. */
    if (e->self_wall_ns > e->wall_ns * 1.02 + 2 * ms) {
        *why =
            gr_fmt("the program claims its measured part took %.1f ms, but the whole "
                   "process lived %.1f ms by the grader's clock",
                   e->self_wall_ns / ms, e->wall_ns / ms);
        return 1;
    }
    /* ... and its CPU time a part of the process's CPU time. */
    if (e->self_cpu_ns > e->cpu_ns * 1.05 + 5 * ms) {
        *why = gr_fmt("the program claims %.1f ms of CPU time, but the kernel counted "
                      "%.1f ms for the whole process",
                      e->self_cpu_ns / ms, e->cpu_ns / ms);
        return 1;
    }
    /* What the kernel counted beyond the claim was spent outside the
     * measured part, where there were only (wall - self_wall) x cores of
     * it to spend.  Children (a process pool) count in the kernel's figure
     * and not in the program's own: then this cannot be checked. */
    double outside = e->cpu_ns - e->self_cpu_ns;
    double room = (e->wall_ns - e->self_wall_ns) * e->cores + 10 * ms + 0.1 * e->cpu_ns;
    if (!e->children && outside > room) {
        *why =
            gr_fmt("the program claims %.1f ms of CPU time in %.1f ms, but the kernel "
                   "counted %.1f ms in %.1f ms: the %.1f ms more cannot have been "
                   "spent in the %.1f ms outside the measured part",
                   e->self_cpu_ns / ms, e->self_wall_ns / ms, e->cpu_ns / ms,
                   e->wall_ns / ms, outside / ms, (e->wall_ns - e->self_wall_ns) / ms);
        return 1;
    }
    return 0;
}

/* A pass may be settled after a few rounds instead of `pairs` (patterns.c
 * asks after 3): when the counters agree, the rounds together agree and
 * every round alone agrees.  The rounds left could not then turn timing
 * against it: a contradiction needs nearly every round (S_frac), or a
 * median the agreeing majority would hold.  They would only cost time,
 * about half a second a grading, which a class of 300 feels.  Anything
 * short of that (one doubtful round, a word that is not "agrees") gets
 * every round.  What is given up is the counters of the rounds not run: a
 * fault that shows in them now and then is left to the tests, which run
 * the code more often. */
int gr_judge_settled(const gr_pattern *p, const gr_mech *m, const gr_timing *t)
{
    char *why = NULL;
    int ok = gr_judge_mechanism(p, m, &why) == GR_AGREES;
    for (int i = -1; ok && i < t->n; i++) { /* -1: the rounds together */
        gr_timing one = *t;
        if (i >= 0) { /* round i alone, with the capacity of them all */
            one.ratio = t->ratio + i;
            one.oratio = t->oratio ? t->oratio + i : NULL;
            one.par = t->par + i;
            one.n = 1;
            one.s = t->ratio[i];
            one.s_outside = t->oratio ? t->oratio[i] : 0;
            one.par_med = t->par[i];
        }
        free(why);
        why = NULL;
        ok = gr_judge_timing(p, &one, &why) == GR_AGREES;
    }
    free(why);
    return ok;
}
