/*
 * run.c - the pipeline of `grader submit` (docs/design.md, "The grader"):
 *
 *   scratch copy -> build -> correctness tests -> sanitizers -> speedup
 *   patterns -> quiz -> report (the caller) -> gradebook (the caller)
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

/* The sanitizers' own settings: stop at the first report, with a distinct
 * exit code, and a memory ceiling of their own (RLIMIT_AS cannot be used
 * with their shadow memory; sandbox.c also watches resident memory). */
static char **S_sanitizer_env(const gr_exercise *ex)
{
    static char *env[4];
    static char tsan[128], asan[160];
    snprintf(tsan, sizeof tsan,
             "TSAN_OPTIONS=halt_on_error=1 exitcode=66 second_deadlock_stack=1 "
             "hard_rss_limit_mb=%ld",
             ex->limits.memory_mb);
    snprintf(asan, sizeof asan,
             "ASAN_OPTIONS=detect_leaks=1 exitcode=66 hard_rss_limit_mb=%ld "
             "allocator_may_return_null=1",
             ex->limits.memory_mb);
    env[0] = tsan;
    env[1] = asan;
    env[2] = "UBSAN_OPTIONS=halt_on_error=1 print_stacktrace=1 exitcode=66";
    env[3] = NULL;
    return env;
}

static gr_run_opts S_opts(const gr_exercise *ex, const char *scratch, int sanitizer)
{
    gr_run_opts o = {.cwd = scratch, .limits = ex->limits, .sanitizer = sanitizer};
    if (sanitizer) {
        /* Sanitized code runs 2-15x slower: give it room. */
        o.limits.wall_seconds *= 3;
        o.limits.cpu_seconds *= 3;
        o.env = S_sanitizer_env(ex);
    }
    return o;
}

/* stderr then stdout, capped at 8 KB for the report, valid UTF-8. */
static char *S_output(const gr_run_result *r)
{
    char *s = gr_fmt("%.*s%s%.*s", 6144, r->err, *r->err && *r->out ? "\n" : "", 2048,
                     r->out);
    gr_utf8_fix(s);
    return s;
}

/* The first non-empty line of s (caller frees). */
static char *S_first_line(const char *s)
{
    while (*s == '\n')
        s++;
    char *l = gr_fmt("%.*s", (int)strcspn(s, "\n"), s);
    gr_utf8_fix(l);
    return l;
}

/* Runs `prog test <case>`; returns 1 if it passed. */
static int S_run_case(const char *prog, const gr_test *t, const gr_run_opts *o,
                      gr_run_result *res)
{
    char *argv[] = {(char *)prog, "test", t->casename, NULL};
    int rc = gr_sandbox_run(argv, o, res);
    if (rc < 0) {
        memset(res, 0, sizeof *res);
        res->end = GR_END_SPAWN;
        res->out = gr_xstrdup("");
        res->err = gr_fmt("the grader could not run the program: %s", strerror(-rc));
        return 0;
    }
    return res->end == GR_END_EXIT && res->exit_code == 0;
}

static void S_tests(const gr_exercise *ex, const char *scratch, gr_report *r)
{
    char *prog = gr_fmt("%s/prog-rel", scratch);
    gr_run_opts o = S_opts(ex, scratch, 0);
    for (size_t i = 0; i < ex->ntests; i++) {
        const gr_test *t = &ex->tests[i];
        gr_check *c = gr_report_add(r, "test", t->name, t->points);
        c->hidden = t->hidden;
        gr_run_result res;
        uint64_t t0 = gr_now_ns();
        int ok = S_run_case(prog, t, &o, &res);
        c->seconds = (double)(gr_now_ns() - t0) / 1e9;
        if (ok) {
            gr_check_set(c, GR_PASS, t->points, "passed");
        } else if (res.end == GR_END_EXIT && *res.err) {
            /* The driver's one-line reason, in the learner's terms. */
            char *l = S_first_line(res.err);
            gr_check_set(c, GR_FAIL, 0, "%s", l);
            free(l);
            c->output = S_output(&res);
        } else {
            char *d = gr_run_describe(&res, &o.limits);
            gr_utf8_fix(d);
            gr_check_set(c, GR_FAIL, 0, "%s", d);
            free(d);
            c->output = S_output(&res);
        }
        gr_run_result_free(&res);
    }
    free(prog);
}

/* Did the plain run of test `name` pass? */
static int S_test_passed(const gr_report *r, const char *name)
{
    for (size_t i = 0; i < r->nchecks; i++)
        if (!strcmp(r->checks[i].kind, "test") && !strcmp(r->checks[i].name, name))
            return r->checks[i].status == GR_PASS;
    return 0;
}

/* The sanitizer's own headline: "ThreadSanitizer: data race ...". */
static const char *S_sanitizer_report(const char *err)
{
    static const char *const marks[] = {
        "WARNING: ThreadSanitizer:", "ERROR: AddressSanitizer:",
        "ERROR: LeakSanitizer:",     "runtime error:",
        "ThreadSanitizer:",          NULL};
    for (int i = 0; marks[i]; i++) {
        const char *p = strstr(err, marks[i]);
        if (p)
            return p;
    }
    return NULL;
}

static void S_sanitizers(const gr_exercise *ex, const gr_paths *p, const char *scratch,
                         gr_report *r)
{
    for (size_t s = 0; s < ex->sanitizers.n; s++) {
        int thread = !strcmp(ex->sanitizers.v[s], "thread");
        gr_variant v = thread ? GR_TSAN : GR_ASAN;
        gr_check *c = gr_report_add(
            r, "sanitizer", thread ? "sanitizer:thread" : "sanitizer:address", 1);
        const char *who = thread ? "ThreadSanitizer" : "AddressSanitizer+UBSan";
        uint64_t t0 = gr_now_ns();
        char *log = NULL;
        char *prog = gr_fmt("%s/prog-%s", scratch, gr_variant_name(v));
        int built = access(prog, X_OK) == 0 ? 1 : gr_build(ex, p, scratch, v, &log);
        if (built != 1) {
            free(prog);
            gr_check_set(c, built < 0 ? GR_ERROR : GR_FAIL, 0, "does not build with %s",
                         who);
            c->output = log;
            gr_utf8_fix(c->output);
            continue;
        }
        free(log);
        gr_run_opts o = S_opts(ex, scratch, 1);
        int found = 0;
        for (size_t i = 0; i < ex->ntests && !found; i++) {
            gr_run_result res;
            S_run_case(prog, &ex->tests[i], &o, &res);
            const char *rep = S_sanitizer_report(res.err);
            if (rep) {
                char *l = S_first_line(rep);
                gr_check_set(c, GR_FAIL, 0, "%s found a problem in test %s: %s", who,
                             ex->tests[i].name, l);
                free(l);
                c->output = S_output(&res);
                found = 1;
            } else if (res.end == GR_END_MEMORY || res.end == GR_END_TIMEOUT) {
                char *d = gr_run_describe(&res, &o.limits);
                gr_check_set(c, GR_FAIL, 0, "under %s, test %s: %s", who,
                             ex->tests[i].name, d);
                free(d);
                c->output = S_output(&res);
                found = 1;
            }
            /* Other failures are the plain test's to report, not ours. */
            gr_run_result_free(&res);
        }
        /* Finding nothing wrong in a TODO that does nothing earns no point. */
        int passing = 0;
        for (size_t i = 0; i < ex->ntests; i++)
            passing += S_test_passed(r, ex->tests[i].name);
        if (!found && !passing)
            gr_check_set(c, GR_SKIP, 0,
                         "%s found nothing, but no correctness test passes yet", who);
        else if (!found)
            gr_check_set(c, GR_PASS, 1, "%s found nothing in %zu test case(s)", who,
                         ex->ntests);
        c->seconds = (double)(gr_now_ns() - t0) / 1e9;
        free(prog);
    }
}

static void S_patterns(const gr_exercise *ex, const char *scratch, int quiet,
                       gr_report *r)
{
    gr_pattern_ctx ctx = {.opts = S_opts(ex, scratch, 0), .quiet = quiet};
    char *prog = gr_fmt("%s/prog-rel", scratch);
    ctx.prog = prog;
    for (size_t i = 0; i < ex->npatterns; i++) {
        gr_check *c =
            gr_report_add(r, "pattern", ex->patterns[i].name, ex->patterns[i].points);
        gr_pattern_judge(&ex->patterns[i], &ctx, c);
    }
    free(prog);
}

/* Adds the checks a stage would have made, skipped with `why`. */
static void S_skip_rest(const gr_exercise *ex, const gr_submit_opts *o, gr_report *r,
                        const char *why)
{
    for (size_t i = 0; i < ex->ntests; i++)
        gr_check_set(gr_report_add(r, "test", ex->tests[i].name, ex->tests[i].points),
                     GR_SKIP, 0, "%s", why);
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

/* Everything after the build: tests, sanitizers, patterns, quiz. */
static void S_stages(const gr_exercise *ex, const gr_paths *p, const gr_submit_opts *o,
                     const char *scratch, gr_report *r)
{
    S_tests(ex, scratch, r);
    if (!o->skip_sanitizers)
        S_sanitizers(ex, p, scratch, r);
    if (!o->skip_patterns)
        S_patterns(ex, scratch, o->quiet, r);
    if (ex->quiz_chapter && !o->skip_quiz)
        gr_quiz_grade(ex, r);
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
    r->machine = json_pack("{s:i, s:b}", "cores", gr_cores(), "root", geteuid() == 0);

    char *scratch = NULL;
    int rc = gr_scratch_prepare(ex, o->from, &scratch);
    if (rc < 0) {
        if (scratch)
            gr_rm_rf(scratch);
        free(scratch);
        return rc == -ENOMEM || rc == -ENOSPC ? rc : -EINVAL;
    }
    gr_check *b = gr_report_add(r, "build", "build", 0);
    char *log = NULL;
    uint64_t tb = gr_now_ns();
    int built = gr_build(ex, p, scratch, GR_REL, &log);
    b->seconds = (double)(gr_now_ns() - tb) / 1e9;
    if (log)
        gr_utf8_fix(log);
    if (built < 0) {
        gr_check_set(b, GR_ERROR, 0, "the grader could not build: %s",
                     strerror(-built));
        b->output = log;
        rc = built;
    } else if (!built) {
        char *first = log ? strstr(log, "error") : NULL;
        char *line = NULL;
        if (first) {
            while (first > log && first[-1] != '\n')
                first--;
            line = S_first_line(first);
        }
        gr_check_set(b, GR_FAIL, 0, "does not compile%s%s", line ? ": " : "",
                     line ? line : " (compiler output below)");
        free(line);
        b->output = log;
        S_skip_rest(ex, o, r, "not run: the program does not compile");
        if (ex->quiz_chapter && !o->skip_quiz)
            gr_quiz_grade(ex, r);
    } else {
        gr_check_set(b, GR_PASS, 0, "compiled with -Wall -Wextra%s",
                     log && *log ? " (with warnings)" : "");
        b->output = log;
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
            S_stages(ex, p, o, scratch, &x);
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
        S_stages(ex, p, o, scratch, r);
    }
    if (o->keep)
        fprintf(stderr, "grader: scratch directory kept: %s\n", scratch);
    else
        gr_rm_rf(scratch);
    free(scratch);
    r->seconds = (double)(gr_now_ns() - t0) / 1e9;
    r->finished_at = gr_iso_time();
    gr_report_total(r);
    return rc < 0 ? rc : 0;
}
