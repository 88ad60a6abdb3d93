/*
 * run.c - the pipeline of `grader submit`:
 *
 *   scratch copy -> build (checked before linking) -> correctness tests,
 *   with the sanitizers' builds and re-runs beside them (stages.c) ->
 *   speedup patterns -> quiz -> report (the caller) -> gradebook (the caller)
 *
 * Every stage adds checks to the report; a stage that cannot run (the
 * program does not compile) adds its checks as skipped, with their points,
 * so the score always reads "out of" the same total.  "Does not compile"
 * is a verdict like any other, never a crash of the grader.
 */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void S_patterns(gr_grading *g, int quiet, gr_report *r)
{
    const gr_exercise *ex = g->ex;
    char *cwd = gr_scratch_rundir(g->s, "run");
    int capped;
    gr_pattern_ctx ctx = {.opts = gr_grading_opts(g, cwd, 0, &capped),
                          .prog = g->s->prog[GR_REL].path,
                          .bin = &g->s->prog[GR_REL],
                          .quiet = quiet};
    for (size_t i = 0; i < ex->npatterns; i++) {
        gr_check *c =
            gr_report_add(r, "pattern", ex->patterns[i].name, ex->patterns[i].points);
        gr_pattern_judge(&ex->patterns[i], &ctx, c);
    }
    free(cwd);
}

/* Adds every test, skipped with `why`. */
static void S_skip_tests(const gr_exercise *ex, gr_report *r, const char *why)
{
    for (size_t i = 0; i < ex->ntests; i++)
        gr_check_set(gr_report_add(r, "test", ex->tests[i].name, ex->tests[i].points),
                     GR_SKIP, 0, "%s", why);
}

/* Adds the checks a stage would have made, skipped with `why`. */
static void S_skip_rest(const gr_exercise *ex, const gr_submit_opts *o, gr_report *r,
                        const char *why)
{
    S_skip_tests(ex, r, why);
    for (size_t i = 0; !o->skip_sanitizers && i < ex->sanitizers.n; i++)
        gr_check_set(gr_report_add(r, "sanitizer",
                                   strcmp(ex->sanitizers.v[i], "thread")
                                       ? "sanitizer:address"
                                       : "sanitizer:thread",
                                   1),
                     GR_SKIP, 0, "%s", why);
    for (size_t i = 0; !o->skip_patterns && i < ex->npatterns; i++)
        gr_check_set(
            gr_report_add(r, "pattern", ex->patterns[i].name, ex->patterns[i].points),
            GR_SKIP, 0, "%s", why);
}

/* Everything after the build: tests and sanitizers side by side, then the
 * patterns (alone: their timing must not compete with sanitized runs),
 * then the quiz. */
static void S_stages(gr_grading *g, const gr_submit_opts *o, gr_report *r)
{
    if (o->skip_tests) /* batch: its correctness run has graded them */
        S_skip_tests(g->ex, r, "not run (--skip tests)");
    else
        gr_tests_and_sanitizers(g, o, r);
    if (!o->skip_patterns)
        S_patterns(g, o->quiet, r);
    if (g->ex->quiz_chapter && !o->skip_quiz)
        gr_quiz_grade(g->ex, r);
}

/* The build check's verdict from the plain build. */
static void S_build_verdict(const gr_exercise *ex, gr_check *b, int built, char *log,
                            char *refused, int reused)
{
    if (built < 0) {
        char *l = log && *log ? gr_first_line(log) : gr_xstrdup(strerror(-built));
        gr_check_set(b, GR_ERROR, 0, "the grader could not build: %s", l);
        free(l);
    } else if (refused) {
        gr_check_set(b, GR_FAIL, 0, "refused before linking: %s", refused);
    } else if (!built) {
        char *first = log ? strstr(log, "error") : NULL;
        char *line = NULL;
        if (first) {
            while (first > log && first[-1] != '\n')
                first--;
            line = gr_first_line(first);
        }
        gr_check_set(b, GR_FAIL, 0, "does not compile%s%s", line ? ": " : "",
                     line ? line : " (compiler output below)");
        free(line);
    } else {
        gr_check_set(b, GR_PASS, 0,
                     "compiled with -Wall -Wextra%s; the object check found only what "
                     "exercise %s allows%s",
                     log && *log ? " (with warnings)" : "", ex->id,
                     reused ? " (the program of an earlier grading of the same files)"
                            : "");
    }
    b->output = log;
}

int gr_submit(const gr_exercise *ex, const gr_paths *p, const gr_submit_opts *o,
              gr_report *r)
{
    memset(r, 0, sizeof *r);
    r->exercise = gr_xstrdup(ex->id);
    r->slug = gr_xstrdup(ex->slug);
    r->title = gr_xstrdup(ex->title);
    r->started_at = gr_iso_time();
    uint64_t t0 = gr_now_ns();
    r->machine = json_pack("{s:i, s:b, s:o}", "cores", gr_cores(), "root",
                           geteuid() == 0, "isolation", gr_isolation_json());

    gr_scratch s;
    int rc = gr_scratch_prepare(ex, p, o->from, &s);
    if (rc < 0) {
        gr_scratch_free(&s, 0);
        return rc == -ENOMEM || rc == -ENOSPC ? rc : -EINVAL;
    }
    gr_objcheck_rules rules;
    gr_objcheck_rules_make(ex, &s.public_headers, &s.exercise_headers, &rules);
    gr_grading g = {.ex = ex, .p = p, .s = &s, .rules = &rules, .bin_dirs = {s.bin}};
    pthread_mutex_init(&g.lock, NULL);
    pthread_cond_init(&g.cond, NULL);

    gr_check *b = gr_report_add(r, "build", "build", 0);
    char *log = NULL, *refused = NULL;
    uint64_t tb = gr_now_ns();
    int built = gr_build(ex, p, &s, GR_REL, &rules, &log, &refused);
    b->seconds = (double)(gr_now_ns() - tb) / 1e9;
    if (log)
        gr_utf8_fix(log);
    S_build_verdict(ex, b, built, log, refused, s.reused);
    if (built < 0) {
        rc = built;
    } else if (built != 1) {
        S_skip_rest(ex, o, r,
                    refused ? "not run: the program was refused (see build)"
                            : "not run: the program does not compile");
        if (ex->quiz_chapter && !o->skip_quiz)
            gr_quiz_grade(ex, r);
    } else {
        /* --repeat (make reliability): the same build graded again and
         * again; every pass but the last goes to o->each. */
        for (int rep = 1; rep < o->repeat; rep++) {
            gr_report x = {.exercise = gr_xstrdup(ex->id),
                           .slug = gr_xstrdup(ex->slug),
                           .title = gr_xstrdup(ex->title),
                           .started_at = gr_iso_time(),
                           .machine = json_deep_copy(r->machine)};
            uint64_t tx = gr_now_ns();
            gr_check_set(gr_report_add(&x, "build", "build", 0), GR_PASS, 0,
                         "compiled");
            g.time_hit = 0;
            S_stages(&g, o, &x);
            x.seconds = (double)(gr_now_ns() - tx) / 1e9;
            x.finished_at = gr_iso_time();
            gr_report_total(&x);
            o->each(&x, o->each_arg);
            gr_report_free(&x);
        }
        if (o->repeat > 1) {
            /* The last report times the build and its own grading, not
             * the repeats before it. */
            free(r->started_at);
            r->started_at = gr_iso_time();
            t0 = gr_now_ns() - (uint64_t)(b->seconds * 1e9);
        }
        g.time_hit = 0;
        S_stages(&g, o, r);
    }
    free(refused);
    if (o->keep)
        fprintf(stderr, "grader: scratch directory kept: %s\n", s.dir);
    gr_scratch_free(&s, o->keep);
    gr_objcheck_rules_free(&rules);
    for (int v = 0; v < GR_NVARIANTS; v++) {
        free(g.log[v]);
        free(g.refused[v]);
    }
    free(g.test_done);
    pthread_mutex_destroy(&g.lock);
    pthread_cond_destroy(&g.cond);
    r->seconds = (double)(gr_now_ns() - t0) / 1e9;
    r->finished_at = gr_iso_time();
    gr_report_total(r);
    return rc < 0 ? rc : 0;
}
