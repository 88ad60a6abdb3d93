/*
 * patterns.c - speedup patterns judged on two kinds of evidence.
 *
 * A pattern says how a variant compares with a baseline: `none` (about 1x:
 * CPU-bound threads under a GIL), `scales` (about min(workers, cores)x),
 * `overlaps` (N waits take about the longest one), `slower`.  Timing alone
 * lies on a shared machine, so (docs/design.md, "The grader"):
 *
 * 1. Mechanism, from the runtime's counters in each `measure` line: did two
 *    threads ever run at once (max_running), did anyone run interpreter work
 *    without the GIL (bytecodes_unheld), were the threads started at all,
 *    how many threads waited at once (max_blocked), how many pool workers
 *    ran tasks.  Counters do not depend on the machine's load.
 * 2. Timing: baseline and variant runs interleaved (B V, V B, B V, ...) so a
 *    neighbour's burst hurts both alike; medians; and, in every round, a
 *    calibration of the parallel capacity we really get (calibrate.c).
 *
 * Each kind of evidence says "agrees", "contradicts" or "undecided"
 * (timing, e.g. when one core is all we get: then `none` and `scales`
 * look the same) or "unavailable" (no counter for it).  A pattern fails
 * when either contradicts; the report shows why, with the figures.
 * Thresholds leave a wide undecided band on purpose: the price of never
 * failing a correct solution on a busy machine is that timing alone
 * convicts only gross mistakes; the counters catch the rest.
 */
#include "grader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { S_AGREES, S_CONTRADICTS, S_UNDECIDED, S_UNAVAILABLE };
/* "the counters agree", "timing agrees": same words, two numbers. */
static const char *const S_plural[] = {"agree", "contradict", "are undecided",
                                       "are unavailable"};
static const char *const S_word[] = {"agrees", "contradicts", "undecided",
                                     "unavailable"};

typedef struct S_sample {
    double wall_ns;
    json_t *line; /* the parsed measure line (owned) */
} S_sample;

typedef struct S_progress {
    const char *name;
    int round, rounds;
    int shown;
} S_progress;

static void S_show(void *arg)
{
    S_progress *p = arg;
    static const char spin[] = "|/-\\";
    fprintf(stderr, "\r  measuring %s: round %d of %d %c ", p->name, p->round,
            p->rounds, spin[(p->shown++) % 4]);
    fflush(stderr);
}

/* Runs `prog measure args...` once.  Returns 0 and fills *s, or -1 with a
 * reason (caller frees) when the run failed or printed no valid line. */
static int S_measure(const gr_pattern_ctx *ctx, const gr_strv *args, S_progress *pr,
                     S_sample *s, char **why)
{
    gr_strv argv = {0};
    gr_strv_push(&argv, ctx->prog);
    gr_strv_push(&argv, "measure");
    for (size_t i = 0; i < args->n; i++)
        gr_strv_push(&argv, args->v[i]);
    gr_run_opts o = ctx->opts;
    if (!ctx->quiet) {
        o.progress = S_show;
        o.progress_arg = pr;
    }
    gr_run_result r;
    int rc = gr_sandbox_run(argv.v, &o, &r);
    char *shown = gr_fmt("measure %s", args->n ? args->v[0] : "");
    gr_strv_free(&argv);
    free(shown);
    if (rc < 0) {
        *why = gr_fmt("the grader could not run the program: %s", strerror(-rc));
        return -1;
    }
    if (r.end != GR_END_EXIT || r.exit_code != 0) {
        char *d = gr_run_describe(&r, &o.limits);
        *why = gr_fmt("`prog measure %s` failed: %s%s%.*s", args->v[0], d,
                      *r.err ? "; stderr: " : "", 300, r.err);
        free(d);
        gr_run_result_free(&r);
        return -1;
    }
    /* The last non-empty line of stdout is the measure line. */
    char *last = NULL;
    for (char *t = strtok(r.out, "\n"); t; t = strtok(NULL, "\n"))
        if (*t)
            last = t;
    json_error_t err;
    json_t *j = last ? json_loads(last, 0, &err) : NULL;
    json_t *wall = j ? json_object_get(j, "wall_ns") : NULL;
    if (!j || !json_is_object(j) || !json_is_number(wall) ||
        !json_is_object(json_object_get(j, "stats"))) {
        *why =
            gr_fmt("`prog measure %s` printed no valid measure line (JSON with wall_ns "
                   "and stats) on stdout",
                   args->v[0]);
        json_decref(j);
        gr_run_result_free(&r);
        return -1;
    }
    s->wall_ns = json_number_value(wall);
    s->line = j;
    gr_run_result_free(&r);
    return 0;
}

/* A counter from a measure line: stats.<key>, or <obj>.<key> at top level
 * (pool and loop counters, see exercises/README.md).  -1 if absent. */
static double S_counter(json_t *line, const char *obj, const char *key)
{
    json_t *o = json_object_get(line, obj);
    if (!o && strcmp(obj, "stats"))
        o = json_object_get(json_object_get(line, "stats"), obj);
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

typedef struct S_mech {
    double max_running, bytecodes_unheld, threads_started_min, max_blocked;
    double workers_used, codec_bytes, loop_max_waiting;
    int runs_parallel; /* variant runs in which max_running >= 2 or workers_used >= 2 */
    int n;
} S_mech;

static S_mech S_mechanism(S_sample *v, int n)
{
    S_mech m = {.threads_started_min = 1e18,
                .workers_used = -1,
                .codec_bytes = -1,
                .loop_max_waiting = -1,
                .n = n};
    for (int i = 0; i < n; i++) {
        json_t *l = v[i].line;
        double mr = S_counter(l, "stats", "max_running");
        double wu = S_counter(l, "pool", "workers_used");
        m.max_running = fmax(m.max_running, mr);
        m.bytecodes_unheld =
            fmax(m.bytecodes_unheld, S_counter(l, "stats", "bytecodes_unheld"));
        m.threads_started_min =
            fmin(m.threads_started_min, S_counter(l, "stats", "threads_started"));
        m.max_blocked = fmax(m.max_blocked, S_counter(l, "stats", "max_blocked"));
        m.workers_used = fmax(m.workers_used, wu);
        /* rt_pool_stats names them bytes_encoded / bytes_decoded. */
        double enc = S_counter(l, "pool", "bytes_encoded");
        double dec = S_counter(l, "pool", "bytes_decoded");
        double codec = enc >= 0 || dec >= 0 ? fmax(enc, 0) + fmax(dec, 0)
                                            : S_counter(l, "pool", "codec_bytes");
        m.codec_bytes = fmax(m.codec_bytes, codec);
        m.loop_max_waiting =
            fmax(m.loop_max_waiting, S_counter(l, "loop", "max_waiting"));
        if (mr >= 2 || wu >= 2)
            m.runs_parallel++;
    }
    return m;
}

/* The mechanism's word on a pattern, with the reason. */
static int S_judge_mechanism(const gr_pattern *p, const S_mech *m, char **why)
{
    int w = p->workers;
    switch (p->expect) {
    case GR_EXPECT_NONE:
        if (m->bytecodes_unheld > 0) {
            *why = gr_fmt("%.0f units of interpreter work ran without the GIL "
                          "(bytecodes_unheld): the GIL was released around Python work",
                          m->bytecodes_unheld);
            return S_CONTRADICTS;
        }
        if (m->max_running >= 2) {
            *why = gr_fmt("%.0f threads ran interpreter code at the same moment "
                          "(max_running): nothing serialised them",
                          m->max_running);
            return S_CONTRADICTS;
        }
        if (m->threads_started_min < w) {
            *why = gr_fmt("only %.0f thread(s) were started, the pattern needs %d "
                          "(threads_started): the work did not run in threads",
                          fmax(0, m->threads_started_min), w);
            return S_CONTRADICTS;
        }
        *why = gr_fmt("%.0f threads started, never more than %.0f running at once, no "
                      "work outside the GIL",
                      m->threads_started_min, fmax(1, m->max_running));
        return S_AGREES;
    case GR_EXPECT_SCALES:
        if (m->runs_parallel * 2 > m->n) {
            *why = gr_fmt("%d of %d runs had %s at once", m->runs_parallel, m->n,
                          m->workers_used >= 2 ? "several workers running tasks"
                                               : "several threads running");
            return S_AGREES;
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
        return S_CONTRADICTS;
    case GR_EXPECT_OVERLAPS: {
        double waiting = fmax(m->max_blocked, m->loop_max_waiting);
        if (waiting >= w) {
            *why = gr_fmt("%.0f waits were in progress at once", waiting);
            return S_AGREES;
        }
        if (m->max_blocked < 0 && m->loop_max_waiting < 0) {
            *why = gr_xstrdup("no wait counters in the measure line");
            return S_UNAVAILABLE;
        }
        *why = gr_fmt(
            "at most %.0f wait(s) in progress at once (max_blocked), %d expected: "
            "the waits did not overlap (does the blocking call release the GIL?)",
            fmax(0, waiting), w);
        return S_CONTRADICTS;
    }
    case GR_EXPECT_SLOWER:
        if (m->codec_bytes < 0) {
            *why = gr_xstrdup("no codec counter in the measure line");
            return S_UNAVAILABLE;
        }
        if (m->codec_bytes > 0) {
            *why = gr_fmt("%.0f bytes crossed the codec", m->codec_bytes);
            return S_AGREES;
        }
        *why =
            gr_xstrdup("no bytes crossed the codec: the variant did not use the pool");
        return S_CONTRADICTS;
    }
    return S_UNAVAILABLE;
}

/* What timing saw, round by round. */
typedef struct S_timing {
    const double *ratio; /* baseline wall / variant wall, per round */
    const double *par;   /* variant cpu / wall per round (-1: no cpu_ns) */
    int n;
    double s, cap, par_med, cpu_ratio; /* medians; cpu_ratio = variant/baseline cpu */
} S_timing;

/* The fraction of rounds whose speedup is above (dir > 0) or below
 * (dir < 0) x.  Timing convicts only when nearly every round agrees: one
 * disturbed run must not decide, and runs are disturbed in bursts. */
static double S_frac(const S_timing *t, double x, int dir)
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
static int S_judge_timing(const gr_pattern *p, const S_timing *t, char **why)
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
            return S_CONTRADICTS;
        }
        if (s < 0.4 && t->cpu_ratio > 1.5 && S_frac(t, 0.5, -1) >= 0.8) {
            *why =
                gr_fmt("the variant took %.1fx as long and burned %.1fx the CPU of the "
                       "baseline: threads fight over the GIL",
                       1 / s, t->cpu_ratio);
            return S_CONTRADICTS;
        }
        if (cap < 1.5) {
            *why = gr_fmt(
                "%.2fx with only %.2f core(s) free: a GIL-free variant could not "
                "run faster either, so timing cannot tell",
                s, cap);
            return S_UNDECIDED;
        }
        if (s > 1.4 && par < 0) {
            if (S_frac(t, 1.4, +1) >= 0.8) {
                *why = gr_fmt(
                    "%.2fx faster than the baseline with %.2f cores free: threads "
                    "under a GIL cannot do that",
                    s, cap);
                return S_CONTRADICTS;
            }
        }
        if (s >= 0.6 && s <= 1.4) {
            *why =
                gr_fmt("%.2fx with %.2f cores free: about 1x, as a GIL allows", s, cap);
            return S_AGREES;
        }
        *why =
            gr_fmt("%.2fx with %.2f cores free, but the variant never computed on two "
                   "cores at once (CPU/wall %.2f): noisy runs",
                   s, cap, par);
        return S_UNDECIDED;
    case GR_EXPECT_SCALES:
        if (cap < 1.5) {
            *why = gr_fmt(
                "%.2fx with only %.2f core(s) free: no speedup is possible now, so "
                "timing cannot tell",
                s, cap);
            return S_UNDECIDED;
        }
        if (s >= 1 + 0.4 * (e - 1)) {
            *why = gr_fmt("%.2fx with %.2f cores free (at least %.2fx expected)", s,
                          cap, 1 + 0.4 * (e - 1));
            return S_AGREES;
        }
        if (s < 1 + 0.15 * (e - 1) && (par < 0 || par < 1.15) &&
            S_frac(t, 1 + 0.15 * (e - 1), -1) >= 0.8) {
            *why = gr_fmt("%.2fx with %.2f cores free: no better than serial", s, cap);
            return S_CONTRADICTS;
        }
        *why =
            gr_fmt("%.2fx with %.2f cores free: between serial and parallel", s, cap);
        return S_UNDECIDED;
    case GR_EXPECT_OVERLAPS:
        /* Waiting needs little CPU, so a busy machine blurs this one less. */
        if (s >= 1 + 0.5 * (p->workers - 1)) {
            *why = gr_fmt("%.2fx: %d waits took about as long as one", s, p->workers);
            return S_AGREES;
        }
        if (s < 1 + 0.15 * (p->workers - 1) &&
            S_frac(t, 1 + 0.15 * (p->workers - 1), -1) >= 0.8) {
            *why = gr_fmt("%.2fx: the %d waits took about as long as their sum", s,
                          p->workers);
            return S_CONTRADICTS;
        }
        *why = gr_fmt("%.2fx: partly overlapped", s);
        return S_UNDECIDED;
    case GR_EXPECT_SLOWER:
        if (s <= 0.9) {
            *why = gr_fmt("the variant is %.2fx as fast: slower, as expected", s);
            return S_AGREES;
        }
        if (s >= 1.0 && S_frac(t, 1.0, +1) >= 0.8) {
            *why =
                gr_fmt("the variant is %.2fx as fast: not slower than the baseline", s);
            return S_CONTRADICTS;
        }
        *why = gr_fmt("%.2fx: too close to tell", s);
        return S_UNDECIDED;
    }
    return S_UNDECIDED;
}

/* argv as one string, "serial 2" (caller frees). */
static char *S_join(const gr_strv *v)
{
    char *s = gr_xstrdup("");
    for (size_t i = 0; i < v->n; i++) {
        char *t = gr_fmt("%s%s%s", s, i ? " " : "", v->v[i]);
        free(s);
        s = t;
    }
    return s;
}

static json_t *S_array(const double *v, int n, double scale)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_real(round(v[i] * scale * 1000) / 1000));
    return a;
}

static double S_med(const double *v, int n)
{
    double *c = gr_xmalloc((size_t)n * sizeof *c);
    memcpy(c, v, (size_t)n * sizeof *c);
    double m = gr_median(c, (size_t)n);
    free(c);
    return m;
}

void gr_pattern_judge(const gr_pattern *p, const gr_pattern_ctx *ctx, gr_check *c)
{
    int max_rounds = p->pairs * 3;
    S_sample *bs = course_xcalloc((size_t)max_rounds, sizeof *bs);
    S_sample *vs = course_xcalloc((size_t)max_rounds, sizeof *vs);
    double *bw = course_xcalloc((size_t)max_rounds, sizeof *bw),
           *vw = course_xcalloc((size_t)max_rounds, sizeof *vw);
    double *ratio = course_xcalloc((size_t)max_rounds, sizeof *ratio);
    double *capv = course_xcalloc((size_t)max_rounds, sizeof *capv);
    double *par = course_xcalloc((size_t)max_rounds, sizeof *par);
    double *cpur = course_xcalloc((size_t)max_rounds, sizeof *cpur);
    double parallelism = -1;
    S_progress pr = {.name = p->name, .rounds = p->pairs};
    char *why = NULL, *mwhy = NULL, *twhy = NULL;
    int n = 0, tw = S_UNDECIDED, mw = S_UNAVAILABLE;
    double speedup = 0, cap = 0;
    uint64_t t0 = gr_now_ns();
    /* Under a CPU quota the spin reads high (calibrate.c): cap it. */
    double quota = gr_cpu_quota(), most = p->workers;
    if (quota > 0 && quota < most)
        most = quota;
    while (n < max_rounds) {
        pr.round = n + 1;
        capv[n] = fmin(most, gr_calibrate_round(p->workers));
        /* Alternate the order (B V, V B) so drift hurts both alike. */
        int vfirst = n % 2;
        for (int k = 0; k < 2; k++) {
            int is_v = k == vfirst;
            S_sample *s = is_v ? &vs[n] : &bs[n];
            if (S_measure(ctx, is_v ? &p->variant : &p->baseline, &pr, s, &why) < 0)
                goto failed;
        }
        bw[n] = bs[n].wall_ns;
        vw[n] = vs[n].wall_ns;
        ratio[n] = vw[n] > 0 ? bw[n] / vw[n] : 0;
        double vc = json_number_value(json_object_get(vs[n].line, "cpu_ns"));
        double bc = json_number_value(json_object_get(bs[n].line, "cpu_ns"));
        par[n] = vc > 0 && vw[n] > 0 ? vc / vw[n] : -1;
        cpur[n] = vc > 0 && bc > 0 ? vc / bc : 1;
        n++;
        if (n < p->pairs)
            continue;
        speedup = S_med(ratio, n);
        cap = S_med(capv, n);
        free(twhy);
        S_timing t = {.ratio = ratio,
                      .par = par,
                      .n = n,
                      .s = speedup,
                      .cap = cap,
                      .par_med = S_med(par, n),
                      .cpu_ratio = S_med(cpur, n)};
        parallelism = t.par_med;
        tw = S_judge_timing(p, &t, &twhy);
        /* Undecided with enough cores: more rounds may settle it.  With one
         * free core more rounds cannot help, so stop. */
        if (tw != S_UNDECIDED || cap < 1.5 || n >= max_rounds)
            break;
        pr.rounds = n + 2 <= max_rounds ? n + 2 : max_rounds;
    }
    S_mech m = S_mechanism(vs, n);
    mw = S_judge_mechanism(p, &m, &mwhy);

    json_t *f = json_object();
    json_object_set_new(f, "expect", json_string(gr_expect_name(p->expect)));
    json_object_set_new(f, "workers", json_integer(p->workers));
    json_object_set_new(f, "rounds", json_integer(n));
    json_object_set_new(f, "cores", json_integer(gr_cores()));
    json_object_set_new(f, "capacity", json_real(round(cap * 1000) / 1000));
    json_object_set_new(f, "cpu_quota",
                        quota > 0 ? json_real(round(quota * 1000) / 1000)
                                  : json_null());
    json_object_set_new(f, "speedup", json_real(round(speedup * 1000) / 1000));
    json_object_set_new(f, "variant_parallelism",
                        json_real(round(parallelism * 1000) / 1000));
    json_object_set_new(f, "speedup_runs", S_array(ratio, n, 1));
    json_object_set_new(f, "baseline_ms", json_real(round(S_med(bw, n) / 1e3) / 1e3));
    json_object_set_new(f, "variant_ms", json_real(round(S_med(vw, n) / 1e3) / 1e3));
    json_object_set_new(f, "baseline_runs_ms", S_array(bw, n, 1e-6));
    json_object_set_new(f, "variant_runs_ms", S_array(vw, n, 1e-6));
    json_object_set_new(f, "capacity_runs", S_array(capv, n, 1));
    char *bl = S_join(&p->baseline), *vl = S_join(&p->variant);
    json_object_set_new(f, "baseline", json_string(bl));
    json_object_set_new(f, "variant", json_string(vl));
    free(bl);
    free(vl);
    json_t *mj = json_object();
    json_object_set_new(mj, "max_running", json_real(m.max_running));
    json_object_set_new(mj, "bytecodes_unheld", json_real(m.bytecodes_unheld));
    json_object_set_new(mj, "threads_started", json_real(m.threads_started_min));
    json_object_set_new(mj, "max_blocked", json_real(m.max_blocked));
    if (m.workers_used >= 0)
        json_object_set_new(mj, "workers_used", json_real(m.workers_used));
    if (m.codec_bytes >= 0)
        json_object_set_new(mj, "codec_bytes", json_real(m.codec_bytes));
    if (m.loop_max_waiting >= 0)
        json_object_set_new(mj, "loop_max_waiting", json_real(m.loop_max_waiting));
    json_object_set_new(f, "counters", mj);
    json_object_set_new(f, "timing", json_string(S_word[tw]));
    json_object_set_new(f, "timing_reason", json_string(twhy));
    json_object_set_new(f, "mechanism", json_string(S_word[mw]));
    json_object_set_new(f, "mechanism_reason", json_string(mwhy));
    c->figures = f;
    if (mw == S_CONTRADICTS || tw == S_CONTRADICTS) {
        gr_check_set(c, GR_FAIL, 0, "expected `%s` but %s", gr_expect_name(p->expect),
                     mw == S_CONTRADICTS ? mwhy : twhy);
    } else if (tw == S_AGREES && mw == S_AGREES) {
        gr_check_set(c, GR_PASS, c->max_score,
                     "%s: the counters agree (%s); timing agrees (%s)",
                     gr_expect_name(p->expect), mwhy, twhy);
    } else {
        gr_check_set(c, GR_PASS, c->max_score,
                     "%s: the counters %s (%s); timing %s (%s)%s",
                     gr_expect_name(p->expect), S_plural[mw], mwhy, S_word[tw], twhy,
                     tw == S_UNDECIDED ? ": the counters decide" : "");
    }
    goto done;
failed:
    gr_check_set(c, GR_FAIL, 0, "%s", why);
    free(why);
done:
    if (!ctx->quiet)
        fprintf(stderr, "\r%*s\r", 60 + (int)strlen(p->name), "");
    c->seconds = (double)(gr_now_ns() - t0) / 1e9;
    for (int i = 0; i < max_rounds; i++) {
        json_decref(bs[i].line);
        json_decref(vs[i].line);
    }
    free(bs);
    free(vs);
    free(bw);
    free(vw);
    free(ratio);
    free(capv);
    free(par);
    free(cpur);
    free(mwhy);
    free(twhy);
}

int gr_measure_once(const gr_pattern_ctx *ctx, const gr_strv *args, json_t **line,
                    char **why)
{
    S_progress pr = {.name = args->n ? args->v[0] : "", .rounds = 1, .round = 1};
    S_sample s = {0};
    *line = NULL;
    if (S_measure(ctx, args, &pr, &s, why) < 0)
        return -1;
    if (!ctx->quiet)
        fprintf(stderr, "\r%*s\r", 60 + (int)strlen(pr.name), "");
    *line = s.line;
    return 0;
}

double gr_measure_value(json_t *line, const char *path)
{
    const char *dot = strchr(path, '.');
    if (!dot)
        return -1;
    char obj[16];
    snprintf(obj, sizeof obj, "%.*s", (int)(dot - path), path);
    return S_counter(line, obj, dot + 1);
}
