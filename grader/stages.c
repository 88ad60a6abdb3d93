/*
 * stages.c - the correctness tests, with the sanitizers' re-runs beside.
 *
 * The plain tests run one after another in the calling thread.  Each
 * sanitizer (ThreadSanitizer, ASan+UBSan) gets a thread of its own that
 * builds its variant and then re-runs every test case under it, each case
 * as soon as the plain run of that case is over: a case that hit one of
 * its limits there (time, memory, processes, output) is not re-run, since
 * a fork bomb or an endless loop tells a sanitizer nothing and would only
 * cost its limit (x3) again.
 *
 * Bounded cost: once any run of a grading has hit its time limit, every
 * later run gets at most max(3 s, 3 x the longest run that ended on its
 * own) (x3 for a sanitizer), so a submission that loops in every test
 * costs one full limit, not one per test.  Its reasons say so.  (An honest
 * run is never near its limit, and after a time-out the grading has failed
 * anyway; on a busy machine a test that would pass may be cut short too.)
 */
#include "grader.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The sanitizers' own settings: stop at the first report, with a distinct
 * exit code, and a memory ceiling of their own (RLIMIT_AS cannot be used
 * with their shadow memory; sandbox.c also watches resident memory). */
static char **S_sanitizer_env(const gr_exercise *ex, char buf[2][160])
{
    static char *env[4];
    snprintf(buf[0], 160,
             "TSAN_OPTIONS=halt_on_error=1 exitcode=66 second_deadlock_stack=1 "
             "hard_rss_limit_mb=%ld",
             ex->limits.memory_mb);
    snprintf(buf[1], 160,
             "ASAN_OPTIONS=detect_leaks=1 exitcode=66 hard_rss_limit_mb=%ld "
             "allocator_may_return_null=1",
             ex->limits.memory_mb);
    env[0] = buf[0];
    env[1] = buf[1];
    env[2] = "UBSAN_OPTIONS=halt_on_error=1 print_stacktrace=1 exitcode=66";
    env[3] = NULL;
    return env;
}

gr_limits gr_grading_limits(gr_grading *g, gr_limits l, int sanitizer, int *capped)
{
    if (sanitizer) { /* sanitized code runs 2-15x slower: give it room */
        l.wall_seconds *= 3;
        l.cpu_seconds *= 3;
    }
    pthread_mutex_lock(&g->lock);
    long cap = 0;
    if (g->time_hit) {
        /* A sanitizer's floor is 3x too: its start-up alone can take
         * seconds on a busy machine, and a cut there would blame the code. */
        double c = 3 * g->longest_ok * (sanitizer ? 3 : 1), floor = sanitizer ? 9 : 3;
        cap = c < floor ? (long)floor : (long)c + 1;
    }
    pthread_mutex_unlock(&g->lock);
    *capped = cap && cap < l.wall_seconds;
    if (*capped) {
        l.wall_seconds = cap;
        if (l.cpu_seconds > cap)
            l.cpu_seconds = cap;
    }
    return l;
}

void gr_grading_note(gr_grading *g, const gr_run_result *res)
{
    pthread_mutex_lock(&g->lock);
    if (res->end == GR_END_TIMEOUT || res->end == GR_END_CPU)
        g->time_hit = 1;
    else if (res->end == GR_END_EXIT && (double)res->wall_ns / 1e9 > g->longest_ok)
        g->longest_ok = (double)res->wall_ns / 1e9;
    pthread_mutex_unlock(&g->lock);
}

gr_run_opts gr_grading_opts(gr_grading *g, const char *cwd, int sanitizer, int *capped)
{
    gr_run_opts o = {.cwd = cwd,
                     .profile = GR_PROFILE_PROGRAM,
                     .limits = gr_grading_limits(g, g->ex->limits, sanitizer, capped),
                     .sanitizer = sanitizer,
                     .exec_dirs = (const char *const *)g->bin_dirs,
                     .secret_dirs = (const char *const *)g->s->secret};
    return o;
}

/* stderr then stdout, capped at 8 KB for the report, valid UTF-8. */
char *gr_run_output(const gr_run_result *r)
{
    char *s = gr_fmt("%.*s%s%.*s", 6144, r->err, *r->err && *r->out ? "\n" : "", 2048,
                     r->out);
    gr_utf8_fix(s);
    return s;
}

/* The first non-empty line of s (caller frees). */
char *gr_first_line(const char *s)
{
    while (*s == '\n')
        s++;
    char *l = gr_fmt("%.*s", (int)strcspn(s, "\n"), s);
    gr_utf8_fix(l);
    return l;
}

int gr_run_binary(const gr_binary *b, char *const argv[], gr_run_opts *o,
                  gr_run_result *res)
{
    o->bin = b;
    int rc = gr_sandbox_run(argv, o, res);
    o->bin = NULL;
    if (rc < 0) {
        memset(res, 0, sizeof *res);
        res->end = GR_END_SPAWN;
        res->out = gr_xstrdup("");
        res->err = gr_fmt("the grader could not run the program: %s", strerror(-rc));
    }
    return rc;
}

/* Runs `prog test <case>` of variant v into res. */
static void S_run_case(gr_grading *g, gr_variant v, const gr_test *t, const char *cwd,
                       gr_run_result *res, gr_limits *used, int *capped)
{
    char *argv[] = {g->s->prog[v].path, "test", t->casename, NULL};
    gr_run_opts o = gr_grading_opts(g, cwd, v != GR_REL, capped);
    char buf[2][160];
    if (v != GR_REL)
        o.env = S_sanitizer_env(g->ex, buf);
    *used = o.limits;
    gr_run_binary(&g->s->prog[v], argv, &o, res);
    gr_grading_note(g, res);
}

/* The plain run of test i is over (done), and hit a limit (hit). */
static void S_mark(gr_grading *g, size_t i, int hit)
{
    pthread_mutex_lock(&g->lock);
    g->test_done[i] = 1 + hit;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

/* Waits for the plain run of test i; returns 1 if it hit a limit. */
static int S_wait(gr_grading *g, size_t i)
{
    pthread_mutex_lock(&g->lock);
    while (!g->test_done[i])
        pthread_cond_wait(&g->cond, &g->lock);
    int hit = g->test_done[i] == 2;
    pthread_mutex_unlock(&g->lock);
    return hit;
}

/* Runs test i into its check. */
static void S_test(gr_grading *g, gr_check *c, size_t i, const char *cwd)
{
    const gr_test *t = &g->ex->tests[i];
    gr_run_result res;
    gr_limits lim;
    int capped;
    uint64_t t0 = gr_now_ns();
    S_run_case(g, GR_REL, t, cwd, &res, &lim, &capped);
    c->seconds = (double)(gr_now_ns() - t0) / 1e9;
    if (res.end == GR_END_EXIT && res.exit_code == 0) {
        gr_check_set(c, GR_PASS, t->points, "passed");
    } else if (res.end == GR_END_EXIT && *res.err) {
        /* The driver's one-line reason, in the learner's terms. */
        char *l = gr_first_line(res.err);
        gr_check_set(c, GR_FAIL, 0, "%s", l);
        free(l);
        c->output = gr_run_output(&res);
    } else {
        char *d = gr_run_describe(&res, &lim);
        gr_utf8_fix(d);
        gr_check_set(c, GR_FAIL, 0, "%s%s", d,
                     capped && gr_run_hit_limit(&res)
                         ? " (time limit shortened: an earlier run hit its limit)"
                         : "");
        free(d);
        c->output = gr_run_output(&res);
    }
    S_mark(g, i, gr_run_hit_limit(&res));
    gr_run_result_free(&res);
}

typedef struct S_plain {
    gr_grading *g;
    gr_check **checks;
    int slot; /* its own working directory: run-<slot> */
} S_plain;

/* Takes the next test not yet started, until there is none. */
static void *S_plain_worker(void *arg)
{
    S_plain *w = arg;
    char name[32];
    snprintf(name, sizeof name, "run-%d", w->slot);
    for (;;) {
        pthread_mutex_lock(&w->g->lock);
        size_t i = w->g->next_test++;
        pthread_mutex_unlock(&w->g->lock);
        if (i >= w->g->ex->ntests)
            break;
        char *cwd = gr_scratch_rundir(w->g->s, name); /* empty for each run */
        S_test(w->g, w->checks[i], i, cwd);
        free(cwd);
    }
    return NULL;
}

/* The plain tests, two at a time on a machine with two cores or more:
 * they are separate processes, and feedback comes sooner.  One at a time
 * when the exercise says tests_alone (its tests time latencies, which a
 * neighbour's CPU use would stretch). */
static void S_tests(gr_grading *g, gr_check **checks)
{
    g->next_test = 0;
    S_plain w[2] = {{g, checks, 0}, {g, checks, 1}};
    pthread_t t;
    int second = gr_cores() >= 2 && g->ex->ntests > 1 && !g->ex->tests_alone &&
                 pthread_create(&t, NULL, S_plain_worker, &w[1]) == 0;
    S_plain_worker(&w[0]);
    if (second)
        pthread_join(t, NULL);
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

typedef struct S_san {
    gr_grading *g;
    gr_variant v;
    gr_check *c;
    gr_check **tests;
} S_san;

/* One sanitizer: build (once per grading), then re-run every case. */
static void *S_sanitizer(void *arg)
{
    S_san *sa = arg;
    gr_grading *g = sa->g;
    const gr_exercise *ex = g->ex;
    gr_check *c = sa->c;
    const char *who = sa->v == GR_TSAN ? "ThreadSanitizer" : "AddressSanitizer+UBSan";
    uint64_t t0 = gr_now_ns();
    gr_variant v = sa->v;
    if (!g->tried[v]) { /* once per grading, whatever --repeat says */
        g->tried[v] = 1;
        g->built[v] = gr_build(ex, g->p, g->s, v, g->rules, &g->log[v], &g->refused[v]);
        if (g->log[v])
            gr_utf8_fix(g->log[v]);
    }
    int built = g->built[v];
    char *cwd = built == 1 ? gr_scratch_rundir(g->s, gr_variant_name(v)) : NULL;
    int found = 0, skipped = 0, ran = 0;
    if (built != 1) {
        gr_check_set(c, built < 0 ? GR_ERROR : GR_FAIL, 0, "does not build with %s%s%s",
                     who, g->refused[v] ? ": " : "",
                     g->refused[v] ? g->refused[v] : "");
        c->output = gr_xstrdup(g->log[v] ? g->log[v] : "");
    }
    for (size_t i = 0; i < ex->ntests; i++) {
        int hit = S_wait(g, i); /* even when not built: keep in step */
        if (built != 1 || found)
            continue;
        if (hit) {
            skipped++;
            continue;
        }
        gr_run_result res;
        gr_limits lim;
        int capped;
        S_run_case(g, v, &ex->tests[i], cwd, &res, &lim, &capped);
        ran++;
        const char *rep = S_sanitizer_report(res.err);
        if (rep) {
            char *l = gr_first_line(rep);
            gr_check_set(c, GR_FAIL, 0, "%s found a problem in test %s: %s", who,
                         ex->tests[i].name, l);
            free(l);
            c->output = gr_run_output(&res);
            found = 1;
        } else if (gr_run_hit_limit(&res)) {
            char *d = gr_run_describe(&res, &lim);
            gr_check_set(c, GR_FAIL, 0, "under %s, test %s: %s", who, ex->tests[i].name,
                         d);
            free(d);
            c->output = gr_run_output(&res);
            found = 1;
        }
        /* Other failures are the plain test's to report, not ours. */
        gr_run_result_free(&res);
        free(gr_scratch_rundir(g->s, gr_variant_name(v)));
    }
    if (built == 1 && !found) {
        /* Finding nothing wrong in a TODO that does nothing earns no point. */
        int passing = 0;
        for (size_t i = 0; i < ex->ntests; i++)
            passing += sa->tests[i]->status == GR_PASS;
        char *note = skipped ? gr_fmt(" (%d not re-run: they hit a limit in the plain "
                                      "run)",
                                      skipped)
                             : gr_xstrdup("");
        if (!passing)
            gr_check_set(c, GR_SKIP, 0,
                         "%s found nothing, but no correctness test passes yet%s", who,
                         note);
        else
            gr_check_set(c, GR_PASS, 1, "%s found nothing in %d test case(s)%s", who,
                         ran, note);
        free(note);
    }
    c->seconds = (double)(gr_now_ns() - t0) / 1e9;
    free(cwd);
    return NULL;
}

void gr_tests_and_sanitizers(gr_grading *g, const gr_submit_opts *o, gr_report *r)
{
    int sanitizers = !o->skip_sanitizers;
    const gr_exercise *ex = g->ex;
    /* Every check first: threads fill their own, the list never moves. */
    gr_check **tests = gr_xmalloc((ex->ntests + 1) * sizeof *tests);
    for (size_t i = 0; i < ex->ntests; i++) {
        tests[i] = gr_report_add(r, "test", ex->tests[i].name, ex->tests[i].points);
        tests[i]->hidden = ex->tests[i].hidden;
    }
    size_t ns = sanitizers ? ex->sanitizers.n : 0;
    S_san *sa = calloc(ns + 1, sizeof *sa);
    for (size_t k = 0; k < ns; k++) {
        int thread = !strcmp(ex->sanitizers.v[k], "thread");
        sa[k] = (S_san){
            .g = g,
            .v = thread ? GR_TSAN : GR_ASAN,
            .c = gr_report_add(r, "sanitizer",
                               thread ? "sanitizer:thread" : "sanitizer:address", 1)};
    }
    free(g->test_done);
    g->test_done = calloc(ex->ntests + 1, sizeof *g->test_done);
    /* gr_report_add may have moved the list: take the pointers now. */
    for (size_t i = 0; i < ex->ntests; i++)
        tests[i] = &r->checks[r->nchecks - ns - ex->ntests + i];
    pthread_t *th = calloc(ns + 1, sizeof *th);
    int *started = calloc(ns + 1, sizeof *started);
    /* The sanitizers build and re-run beside the plain tests, or (tests_alone)
     * after them, so that no compiler or re-run shares the CPU with a test. */
    int after = ex->tests_alone;
    if (after)
        S_tests(g, tests);
    for (size_t k = 0; k < ns; k++) {
        sa[k].c = &r->checks[r->nchecks - ns + k];
        sa[k].tests = tests;
        started[k] = pthread_create(&th[k], NULL, S_sanitizer, &sa[k]) == 0;
    }
    if (!after)
        S_tests(g, tests);
    if (o->tests_done) /* build and tests: the checks before the sanitizers' */
        o->tests_done(r, r->nchecks - ns, o->each_arg);
    for (size_t k = 0; k < ns; k++)
        if (started[k])
            pthread_join(th[k], NULL);
        else
            S_sanitizer(&sa[k]);
    free(started);
    free(th);
    free(sa);
    free(tests);
}
