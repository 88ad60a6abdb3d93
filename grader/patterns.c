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
 * The measure line is the program's own report, and the learner's code runs
 * in that program.  So the grader measures every run from outside as well
 * (sandbox.c: wall time of the whole process, CPU time by the kernel), a run
 * whose report cannot be true fails (gr_judge_self_report), parallelism is
 * the kernel's CPU over the grader's wall, and for `none` a variant faster
 * by the grader's clock in every round is convicted whatever its counters
 * say.  The speedup itself compares the measured parts (the report's
 * wall_ns, checked to fit the process's life): a workload's untimed set-up
 * would blur a whole-process ratio.  The verdicts are judge.c's.
 */
#include "grader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "the counters agree", "timing agrees": same words, two numbers. */
static const char *const S_plural[] = {"agree", "contradict", "are undecided",
                                       "are unavailable"};
static const char *const S_word[] = {"agrees", "contradicts", "undecided",
                                     "unavailable"};

typedef struct S_sample {
    double wall_ns;     /* the measure line's: the measured part */
    double out_wall_ns; /* the grader's: the whole process */
    double out_cpu_ns;  /* the kernel's: the whole process */
    json_t *line;       /* the parsed measure line (owned) */
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
    int rc = ctx->bin ? gr_run_binary(ctx->bin, argv.v, &o, &r)
                      : gr_sandbox_run(argv.v, &o, &r);
    gr_strv_free(&argv);
    if (rc < 0 && ctx->bin) {
        *why = gr_fmt("`prog measure %s`: %s", args->v[0], r.err);
        gr_run_result_free(&r);
        return -1;
    }
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
    char *last = NULL, *save = NULL;
    for (char *t = strtok_r(r.out, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
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
    /* The line is the program's claim: it must fit what we measured. */
    json_t *cpu = json_object_get(j, "cpu_ns");
    gr_evidence e = {.self_wall_ns = json_number_value(wall),
                     .self_cpu_ns = json_is_number(cpu) ? json_number_value(cpu) : 0,
                     .wall_ns = (double)r.wall_ns,
                     .cpu_ns = (double)r.cpu_ns,
                     .cores = gr_cores(),
                     .children = r.max_procs > 1};
    char *bad = NULL;
    if (gr_judge_self_report(&e, &bad)) {
        *why = gr_fmt("`prog measure %s`: its report contradicts the grader's own "
                      "measurement: %s",
                      args->v[0], bad);
        free(bad);
        json_decref(j);
        gr_run_result_free(&r);
        return -1;
    }
    s->wall_ns = e.self_wall_ns;
    s->out_wall_ns = e.wall_ns;
    s->out_cpu_ns = e.cpu_ns;
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

static gr_mech gr_mechanism(S_sample *v, int n)
{
    gr_mech m = {.threads_started_min = 1e18,
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

/* Rounds after which a clear pass may stop (gr_judge_settled). */
enum { S_EARLY = 3 };

static gr_timing S_timing(const double *ratio, const double *oratio, const double *par,
                          const double *capv, const double *cpur, int n)
{
    return (gr_timing){.ratio = ratio,
                       .oratio = oratio,
                       .s_outside = S_med(oratio, n),
                       .par = par,
                       .n = n,
                       .s = S_med(ratio, n),
                       .cap = S_med(capv, n),
                       .par_med = S_med(par, n),
                       .cpu_ratio = S_med(cpur, n)};
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
    double *oratio = course_xcalloc((size_t)max_rounds, sizeof *oratio);
    double *claimed = course_xcalloc((size_t)max_rounds, sizeof *claimed);
    double parallelism = -1;
    S_progress pr = {.name = p->name, .rounds = p->pairs};
    char *why = NULL, *mwhy = NULL, *twhy = NULL;
    int n = 0, tw = GR_UNDECIDED, mw = GR_UNAVAILABLE;
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
        /* Parallelism and CPU from the kernel, for the whole process: the
         * program's own cpu_ns is only checked against them (S_measure). */
        double vc = vs[n].out_cpu_ns, bc = bs[n].out_cpu_ns;
        double vo = vs[n].out_wall_ns, bo = bs[n].out_wall_ns;
        oratio[n] = vo > 0 ? bo / vo : 0;
        par[n] = vc > 0 && vo > 0 ? vc / vo : -1;
        cpur[n] = vc > 0 && bc > 0 ? vc / bc : 1;
        double sc = json_number_value(json_object_get(vs[n].line, "cpu_ns"));
        claimed[n] = sc > 0 && vw[n] > 0 ? sc / vw[n] : -1;
        n++;
        if (n < p->pairs && n != S_EARLY)
            continue;
        gr_timing t = S_timing(ratio, oratio, par, capv, cpur, n);
        if (n < p->pairs) { /* n == S_EARLY: a clear pass may stop here */
            gr_mech m = gr_mechanism(vs, n);
            if (!gr_judge_settled(p, &m, &t))
                continue;
        }
        speedup = t.s;
        cap = t.cap;
        free(twhy);
        parallelism = t.par_med;
        tw = gr_judge_timing(p, &t, &twhy);
        /* Undecided with enough cores: more rounds may settle it.  With one
         * free core more rounds cannot help, so stop. */
        if (tw != GR_UNDECIDED || cap < 1.5 || n >= max_rounds)
            break;
        pr.rounds = n + 2 <= max_rounds ? n + 2 : max_rounds;
    }
    gr_mech m = gr_mechanism(vs, n);
    mw = gr_judge_mechanism(p, &m, &mwhy);

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
    json_object_set_new(f, "variant_parallelism_claimed",
                        json_real(n ? round(S_med(claimed, n) * 1000) / 1000 : -1));
    json_object_set_new(f, "speedup_outside",
                        json_real(n ? round(S_med(oratio, n) * 1000) / 1000 : 0));
    json_object_set_new(f, "speedup_outside_runs", S_array(oratio, n, 1));
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
    if (mw == GR_CONTRADICTS || tw == GR_CONTRADICTS) {
        gr_check_set(c, GR_FAIL, 0, "expected `%s` but %s", gr_expect_name(p->expect),
                     mw == GR_CONTRADICTS ? mwhy : twhy);
    } else if (tw == GR_AGREES && mw == GR_AGREES) {
        gr_check_set(c, GR_PASS, c->max_score,
                     "%s: the counters agree (%s); timing agrees (%s)",
                     gr_expect_name(p->expect), mwhy, twhy);
    } else {
        gr_check_set(c, GR_PASS, c->max_score,
                     "%s: the counters %s (%s); timing %s (%s)%s",
                     gr_expect_name(p->expect), S_plural[mw], mwhy, S_word[tw], twhy,
                     tw == GR_UNDECIDED ? ": the counters decide" : "");
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
    free(oratio);
    free(claimed);
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
