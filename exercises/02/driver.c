/*
 * driver.c - exercise 02's driver: correctness cases and measurements.
 *
 * Provided; do not edit.  Built together with your profile.c, the exercise
 * kit (exercises/common/exkit.h: main(), the grader's protocol, and the runs
 * of chapter 2) and the runtime, it is the program the grader runs:
 *
 *   prog test <case>            runs one correctness case
 *   prog measure profile <RUN>  runs the jobs one way (serial, loop, gil,
 *                               nogil or split), traced, and reports what
 *                               your functions make of the trace
 *
 * Some cases hand you small traces written by hand, whose answers are known;
 * the others run real jobs with the trace on and check your steps, instant
 * by instant, against the counts the driver reads off the same events the
 * slow way (every event up to that instant, replayed from the start).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ex02.h"
#include "exkit.h"
#include "rt.h"

#define US 1000u /* ns: the hand-made traces count in microseconds */

/* ------------------------------------------------------------------ */
/* The driver's own reading of a trace: the definition, evaluated the  */
/* slow way at one instant                                             */
/* ------------------------------------------------------------------ */

/* Does event e put (is_job, who) on (1), off (0), or neither (-1)?  With
 * `waiting_counts`, a request for the GIL counts as executing: the mistake
 * this exercise is about, computed to recognise it. */
static int effect(const rt_event *e, int is_job, uint32_t who, int waiting_counts)
{
    if (is_job) {
        if (e->kind != RT_EV_MARK || !e->label || e->arg != who)
            return -1;
        return strcmp(e->label, EX02_JOB_BEGIN) == 0 ? 1
               : strcmp(e->label, EX02_JOB_END) == 0 ? 0
                                                     : -1;
    }
    if (e->tid != who)
        return -1;
    if (e->kind == RT_EV_GIL_TAKE || (waiting_counts && e->kind == RT_EV_GIL_REQUEST))
        return 1;
    return e->kind == RT_EV_GIL_DROP ? 0 : -1;
}

/* The state of (is_job, who) just after instant t: its last event with
 * t_ns <= t decides (ties: the later one in the buffer). */
static int on_at(const rt_event *ev, size_t n, int is_job, uint32_t who, uint64_t t,
                 int waiting_counts)
{
    int on = 0;
    uint64_t when = 0;
    for (size_t i = 0; i < n; i++) {
        int e = effect(&ev[i], is_job, who, waiting_counts);
        if (e >= 0 && ev[i].t_ns <= t && ev[i].t_ns >= when) {
            on = e;
            when = ev[i].t_ns;
        }
    }
    return on;
}

/* Everything a trace counts: its jobs and its threads, each once. */
typedef struct who {
    int is_job;
    uint32_t id;
} who;

static size_t whos(const rt_event *ev, size_t n, who *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int job = effect(&ev[i], 1, ev[i].arg, 0) >= 0;
        if (!job && effect(&ev[i], 0, ev[i].tid, 1) < 0)
            continue;
        who w = {job, job ? ev[i].arg : ev[i].tid};
        size_t j = 0;
        while (j < k && (out[j].is_job != w.is_job || out[j].id != w.id))
            j++;
        if (j == k && k < cap)
            out[k++] = w;
    }
    return k;
}

/* The counts just after instant t. */
static void truth_at(const rt_event *ev, size_t n, const who *w, size_t nw, uint64_t t,
                     int waiting_counts, int *in_progress, int *executing)
{
    *in_progress = *executing = 0;
    for (size_t i = 0; i < nw; i++) {
        int on = on_at(ev, n, w[i].is_job, w[i].id, t, waiting_counts);
        *(w[i].is_job ? in_progress : executing) += on;
    }
}

static int sorted_by_time(const rt_event *ev, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (ev[i].t_ns < ev[i - 1].t_ns)
            return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Checking a learner's profile                                        */
/* ------------------------------------------------------------------ */

/* Runs ex02_profile with room to spare; fails on an error return. */
static long profile(const rt_event *ev, size_t n, ex02_step **steps)
{
    size_t cap = n + 1;
    *steps = calloc(cap, sizeof **steps);
    if (!*steps)
        exkit_fail("driver: out of memory");
    long k = ex02_profile(ev, n, *steps, cap);
    if (k < 0)
        exkit_fail_rc("ex02_profile", (int)k);
    if ((size_t)k > cap)
        exkit_fail("ex02_profile returned %ld steps, but out had room for %zu", k, cap);
    return k;
}

/* Checks steps[0..k) against the trace: shape first, then the counts at
 * every instant where they could change.  `what` names the trace. */
static void check_profile(const char *what, const rt_event *ev, size_t n,
                          const ex02_step *s, long k)
{
    uint64_t first = UINT64_MAX, last = 0;
    for (size_t i = 0; i < n; i++) {
        first = ev[i].t_ns < first ? ev[i].t_ns : first;
        last = ev[i].t_ns > last ? ev[i].t_ns : last;
    }
    double base = (double)first; /* times in messages: from the trace's start */
#define AT(t) (((double)(t)-base) / 1e3)
    if (k == 0)
        exkit_fail("%s: ex02_profile returned no steps for a trace of %zu events "
                   "spanning %.1f us",
                   what, n, AT(last));
    for (long i = 0; i < k; i++) {
        if (s[i].t0_ns >= s[i].t1_ns)
            exkit_fail("%s: your step %ld lasts from %.1f us to %.1f us: zero length "
                       "(or less).  Events at the same instant are one change: apply "
                       "them all before you start the next step, and steps are "
                       "half-open, [t0, t1)%s",
                       what, i, AT(s[i].t0_ns), AT(s[i].t1_ns),
                       sorted_by_time(ev, n) ? "" : "; and sort the events by t_ns");
        if (i > 0 && s[i].t0_ns != s[i - 1].t1_ns)
            exkit_fail("%s: your step %ld ends at %.1f us but step %ld begins at %.1f "
                       "us: the steps must follow each other without gaps, in time "
                       "order%s",
                       what, i - 1, AT(s[i - 1].t1_ns), i, AT(s[i].t0_ns),
                       sorted_by_time(ev, n)
                           ? ""
                           : " (this trace's events are not in time order: two "
                             "threads read the clock in one order and recorded in "
                             "the other; sort the events by t_ns before you sweep)");
    }
    if (s[0].t0_ns != first || s[k - 1].t1_ns != last)
        exkit_fail("%s: your steps cover %.1f us to %.1f us, the trace %.1f us to %.1f "
                   "us: from its earliest event to its latest%s",
                   what, AT(s[0].t0_ns), AT(s[k - 1].t1_ns), 0.0, AT(last),
                   sorted_by_time(ev, n) ? "" : " (sort the events by t_ns first)");
    /* Counts: at the start of every step, and at every event's instant. */
    who w[256];
    size_t nw = whos(ev, n, w, 256);
    for (size_t probe = 0; probe < (size_t)k + n; probe++) {
        uint64_t t = probe < (size_t)k ? s[probe].t0_ns : ev[probe - (size_t)k].t_ns;
        if (t >= last)
            continue;
        long at = 0;
        while (at + 1 < k && s[at + 1].t0_ns <= t)
            at++;
        int inp, exe;
        truth_at(ev, n, w, nw, t, 0, &inp, &exe);
        if (s[at].in_progress == inp && s[at].executing == exe)
            continue;
        if (at > 0 && s[at - 1].in_progress == s[at].in_progress &&
            s[at - 1].executing == s[at].executing)
            exkit_fail("%s: your steps %ld and %ld have the same counts: merge them",
                       what, at - 1, at);
        int w_inp, w_exe;
        truth_at(ev, n, w, nw, t, 1, &w_inp, &w_exe);
        if (s[at].executing > exe && s[at].executing == w_exe)
            exkit_fail(
                "%s: at %.1f us you count %d threads executing, but only %d held "
                "the right to run; the others were waiting for the GIL "
                "(RT_EV_GIL_REQUEST, not yet RT_EV_GIL_TAKE): waiting is not "
                "executing",
                what, AT(t), s[at].executing, exe);
        exkit_fail(
            "%s: at %.1f us your step %ld says %d jobs in progress and %d threads "
            "executing; the events up to that instant say %d and %d%s",
            what, AT(t), at, s[at].in_progress, s[at].executing, inp, exe,
            sorted_by_time(ev, n) ? ""
                                  : " (this trace's events are not in time "
                                    "order: sort them by t_ns first)");
    }
#undef AT
}

/* The summary the steps imply, computed by the driver. */
static ex02_summary summary_of(const ex02_step *s, long k)
{
    ex02_summary m = {0, 0, 0, 0, 0};
    double in = 0, ex = 0;
    for (long i = 0; i < k; i++) {
        double len = (double)(s[i].t1_ns - s[i].t0_ns);
        in += s[i].in_progress * len;
        ex += s[i].executing * len;
        m.max_in_progress = fmax(m.max_in_progress, s[i].in_progress);
        m.max_executing = fmax(m.max_executing, s[i].executing);
    }
    if (k) {
        m.span_ns = s[k - 1].t1_ns - s[0].t0_ns;
        m.avg_in_progress = in / (double)m.span_ns;
        m.avg_executing = ex / (double)m.span_ns;
    }
    return m;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-6 * fmax(1, fabs(b));
}

/* Checks the learner's summary of steps[0..k). */
static void check_summary(const char *what, const ex02_step *s, long k)
{
    ex02_summary got, want = summary_of(s, k);
    memset(&got, 0xff, sizeof got);
    int rc = ex02_summarise(s, k, &got);
    if (rc < 0)
        exkit_fail_rc("ex02_summarise", rc);
    if (got.max_in_progress != want.max_in_progress ||
        got.max_executing != want.max_executing)
        exkit_fail("%s: the highest steps are %d jobs in progress and %d threads "
                   "executing; your summary says %d and %d",
                   what, want.max_in_progress, want.max_executing, got.max_in_progress,
                   got.max_executing);
    if (got.span_ns != want.span_ns)
        exkit_fail("%s: the steps span %llu ns, your summary says %llu", what,
                   (unsigned long long)want.span_ns, (unsigned long long)got.span_ns);
    if (!near(got.avg_in_progress, want.avg_in_progress) ||
        !near(got.avg_executing, want.avg_executing)) {
        double plain_in = 0, plain_ex = 0;
        for (long i = 0; i < k; i++) {
            plain_in += s[i].in_progress / (double)k;
            plain_ex += s[i].executing / (double)k;
        }
        exkit_fail(
            "%s: on average over time %.4f jobs were in progress and %.4f "
            "threads executing; your summary says %.4f and %.4f%s",
            what, want.avg_in_progress, want.avg_executing, got.avg_in_progress,
            got.avg_executing,
            near(got.avg_in_progress, plain_in) && near(got.avg_executing, plain_ex)
                ? ": that is the plain mean of the steps' counts; weigh each step "
                  "by how long it lasts (its t1_ns - t0_ns) and divide by the "
                  "span"
                : "");
    }
}

static const char *kind_name(ex02_kind k)
{
    static const char *const names[] = {"UNKNOWN", "NEITHER", "CONCURRENT", "PARALLEL",
                                        "BOTH"};
    return k <= EX02_BOTH ? names[k] : "not an ex02_kind";
}

/* ------------------------------------------------------------------ */
/* Hand-made traces                                                    */
/* ------------------------------------------------------------------ */

#define E(t, k, tid, arg, label)                                                       \
    {                                                                                  \
        (uint64_t)(t) * US + 1000000, (label), (arg), (tid), (k)                       \
    }
#define TAKE(t, tid)     E(t, RT_EV_GIL_TAKE, tid, 0, NULL)
#define DROP(t, tid)     E(t, RT_EV_GIL_DROP, tid, 0, NULL)
#define REQ(t, tid)      E(t, RT_EV_GIL_REQUEST, tid, 0, NULL)
#define BEGIN(t, tid, j) E(t, RT_EV_MARK, tid, j, EX02_JOB_BEGIN)
#define END(t, tid, j)   E(t, RT_EV_MARK, tid, j, EX02_JOB_END)

/* Two threads taking turns at the GIL with two jobs, and main. */
static const rt_event S_small[] = {
    TAKE(0, 0),    REQ(5, 1),     REQ(8, 2),
    DROP(10, 0),   TAKE(12, 1),   BEGIN(12, 1, 1),
    DROP(20, 1),   TAKE(21, 2),   BEGIN(22, 2, 2),
    END(30, 2, 2), DROP(30, 2),   REQ(35, 1),
    TAKE(36, 1),   END(40, 1, 1), DROP(40, 1),
    REQ(41, 0),    TAKE(42, 0),   E(50, RT_EV_MARK, 0, 0, "something else")};
/* ... and its steps, worked out by hand: {t0, t1, in progress, executing}. */
static const struct {
    int t0, t1, in, ex;
} S_small_steps[] = {{0, 10, 0, 1},  {10, 12, 0, 0}, {12, 20, 1, 1}, {20, 21, 1, 0},
                     {21, 22, 1, 1}, {22, 30, 2, 1}, {30, 36, 1, 0}, {36, 40, 1, 1},
                     {40, 42, 0, 0}, {42, 50, 0, 1}};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* steps: the hand-made trace, step by step. */
static void case_steps(void)
{
    ex02_step *s;
    ex02_step probe;
    long rc = ex02_profile(S_small, N(S_small), &probe, 1);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex02_profile", (int)rc);
    long k = profile(S_small, N(S_small), &s);
    check_profile("the hand-made trace", S_small, N(S_small), s, k);
    if ((size_t)k != N(S_small_steps))
        exkit_fail("the hand-made trace has %zu steps, yours %ld", N(S_small_steps), k);
    if (rc != -ENOSPC)
        exkit_fail(
            "with room for 1 step, where %zu are needed, ex02_profile must return "
            "-ENOSPC, not %ld",
            N(S_small_steps), rc);
    free(s);
}

/* edges: things that happen at the same instant. */
static void case_edges(void)
{
    /* Job 2 begins and thread 2 takes the GIL at the very nanosecond job 1
     * ends and thread 1 drops it; the buffer has the "on"s first. */
    static const rt_event ev[] = {
        TAKE(0, 1),      BEGIN(0, 1, 1), REQ(3, 2),     TAKE(10, 2), BEGIN(10, 2, 2),
        END(10, 1, 1),   DROP(10, 1),    END(20, 2, 2), DROP(20, 2), TAKE(20, 3),
        BEGIN(20, 3, 3), END(30, 3, 3),  DROP(30, 3)};
    ex02_step *s;
    long k = profile(ev, N(ev), &s);
    check_profile("a trace with hand-overs at the same nanosecond", ev, N(ev), s, k);
    ex02_summary sum;
    if (ex02_summarise(s, k, &sum) == 0 &&
        (sum.max_in_progress > 1 || sum.max_executing > 1))
        exkit_fail("a trace where each job ends at the instant the next begins: never "
                   "two at once, but your summary says %d in progress, %d executing",
                   sum.max_in_progress, sum.max_executing);
    free(s);
}

/* order: a trace whose buffer order is not its time order. */
static void case_order(void)
{
    /* Two threads without a GIL: thread 2 read the clock before thread 1
     * but claimed its slot after. */
    static const rt_event ev[] = {
        TAKE(0, 0),    TAKE(3, 1),     BEGIN(4, 1, 1),
        TAKE(2, 2),    BEGIN(2, 2, 2), DROP(6, 0),
        END(14, 1, 1), DROP(15, 1),    END(12, 2, 2),
        DROP(13, 2),   TAKE(16, 0),    E(17, RT_EV_THREAD_EXIT, 1, 0, NULL)};
    ex02_step *s;
    long k = profile(ev, N(ev), &s);
    check_profile("a trace recorded out of time order", ev, N(ev), s, k);
    free(s);
}

/* summary: known steps, known summary. */
static void case_summary(void)
{
    static const ex02_step s[] = {{1000 * US, 1010 * US, 1, 1},
                                  {1010 * US, 1100 * US, 3, 1},
                                  {1100 * US, 1110 * US, 1, 2}};
    ex02_summary got;
    int rc = ex02_summarise(s, 3, &got);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex02_summarise", rc);
    check_summary("three steps of 10, 90 and 10 us", s, 3);
    ex02_summary zero;
    memset(&zero, 0xff, sizeof zero);
    if (ex02_summarise(s, 0, &zero) != 0 || zero.max_in_progress ||
        zero.max_executing || zero.span_ns || zero.avg_in_progress != 0 ||
        zero.avg_executing != 0)
        exkit_fail("ex02_summarise of no steps must return 0 with everything zero");
    if (ex02_summarise(s, 3, NULL) != -EINVAL ||
        ex02_summarise(NULL, 2, &zero) != -EINVAL)
        exkit_fail(
            "ex02_summarise with a NULL out, or NULL steps and n > 0, must return "
            "-EINVAL");
}

/* classify: the four kinds. */
static void case_classify(void)
{
    static const struct {
        int in, ex;
        ex02_kind want;
        const char *why;
    } cases[] = {
        {1, 1, EX02_NEITHER, "one job at a time, one thread at a time"},
        {3, 1, EX02_CONCURRENT,
         "3 jobs in progress, never 2 threads executing: dealing with many things, "
         "doing one at a time"},
        {1, 2, EX02_PARALLEL,
         "one job, 2 threads executing at once: one thing, done by many hands"},
        {3, 2, EX02_BOTH, "3 jobs in progress, 2 threads executing at once"},
    };
    ex02_summary probe = {2, 2, 1, 1, 1};
    if (ex02_classify(&probe) == EX02_UNKNOWN) {
        exkit_fail("ex02_classify says UNKNOWN: it is still the starter's TODO (C1)");
    }
    for (size_t i = 0; i < N(cases); i++) {
        ex02_summary s = {cases[i].in, cases[i].ex, 1, 1, 1000};
        ex02_kind got = ex02_classify(&s);
        if (got == cases[i].want)
            continue;
        exkit_fail("a run with %s is %s; yours says %s%s", cases[i].why,
                   kind_name(cases[i].want), kind_name(got),
                   cases[i].ex < 2 && (got == EX02_PARALLEL || got == EX02_BOTH)
                       ? ": parallel means several threads executing at the same "
                         "instant (max_executing), not several jobs in progress"
                   : cases[i].in < 2 && (got == EX02_CONCURRENT || got == EX02_BOTH)
                       ? ": concurrent means several jobs in progress at once "
                         "(max_in_progress), not several threads executing"
                       : "");
    }
    if (ex02_classify(NULL) != EX02_UNKNOWN)
        exkit_fail("ex02_classify(NULL) must say UNKNOWN");
}

/* odd (hidden): traces at the edges of the contract. */
static void case_odd(void)
{
    ex02_step s[8];
    long k = ex02_profile(S_small, 0, s, 8);
    if (k == -ENOSYS)
        exkit_fail_rc("ex02_profile", (int)k);
    if (k != 0)
        exkit_fail("ex02_profile of no events returned %ld, expected 0", k);
    static const rt_event instant[] = {TAKE(5, 1), BEGIN(5, 1, 1), DROP(5, 1)};
    if ((k = ex02_profile(instant, N(instant), s, 8)) != 0)
        exkit_fail("a trace whose events all happen at one instant spans no time: 0 "
                   "steps, not %ld",
                   k);
    if ((k = ex02_profile(NULL, 3, s, 8)) != -EINVAL)
        exkit_fail("ex02_profile(NULL, 3, ...) returned %ld, expected -EINVAL", k);
    if ((k = ex02_profile(S_small, N(S_small), NULL, 8)) != -EINVAL)
        exkit_fail("ex02_profile with out == NULL and cap 8 returned %ld, expected "
                   "-EINVAL",
                   k);
    /* Repeats, drops of threads that never took, marks of other kinds, events
     * nobody counts: only the real changes count. */
    static const rt_event odd[] = {DROP(0, 4),
                                   TAKE(1, 1),
                                   TAKE(2, 1),
                                   E(3, RT_EV_DROP_REQUEST, 2, 0, NULL),
                                   BEGIN(4, 1, 7),
                                   BEGIN(5, 1, 7),
                                   E(6, RT_EV_MARK, 1, 7, NULL),
                                   END(9, 1, 9),
                                   E(10, RT_EV_TASK_SWITCH, 1, 7, NULL),
                                   END(11, 1, 7),
                                   DROP(12, 1),
                                   DROP(13, 1)};
    ex02_step *p;
    k = profile(odd, N(odd), &p);
    check_profile("a trace with repeats and strays", odd, N(odd), p, k);
    free(p);
}

/* ------------------------------------------------------------------ */
/* Real runs                                                           */
/* ------------------------------------------------------------------ */

/* The jobs every real run does: 3 of them, 4 ms of computing, a 12 ms wait,
 * 4 ms more (split: one job, two hands computing 4 ms each). */
static const exkit_jobs S_jobs = {3, 4, 12};

/* Runs the jobs the k way with the trace on; *r gets the run's figures. */
static exkit_trace traced_run(exkit_run_kind k, exkit_run_result *r, exkit_measure *m)
{
    if (strcmp(EX02_JOB_BEGIN, EXKIT_JOB_BEGIN) || strcmp(EX02_JOB_END, EXKIT_JOB_END))
        exkit_fail("driver: ex02.h and the kit disagree on the marks' labels");
    rt_config cfg;
    unsigned flags;
    exkit_run_config(k, 1 << 16, &cfg, &flags);
    exkit_runtime_start(&cfg, flags);
    if (m)
        exkit_measure_start(m); /* the run only, with the runtime up */
    exkit_run(k, &S_jobs, r);
    if (m) {
        exkit_measure_stop(m);
        exkit_run_report(m, r);
    }
    exkit_trace t;
    exkit_trace_copy(&t);
    rt_fini();
    if (t.dropped)
        exkit_fail("driver: the trace lost %zu events", t.dropped);
    return t;
}

/* A real run, read by the learner's three functions and checked. */
static void real_run(exkit_run_kind k, ex02_kind want, const char *why)
{
    exkit_run_result r;
    exkit_trace t = traced_run(k, &r, NULL);
    char what[64];
    snprintf(what, sizeof what, "the %s run's trace", exkit_run_name(k));
    ex02_step *s;
    long n = profile(t.events, t.n, &s);
    check_profile(what, t.events, t.n, s, n);
    ex02_summary sum = summary_of(s, n);
    if (sum.max_in_progress != r.max_in_progress)
        exkit_fail("driver: the trace says %d jobs at most in progress, the jobs "
                   "counted %d",
                   sum.max_in_progress, r.max_in_progress);
    check_summary(what, s, n);
    ex02_summarise(s, n, &sum);
    ex02_kind got = ex02_classify(&sum);
    if (got != want)
        exkit_fail("%s: %d jobs at most in progress, %d threads at most executing: "
                   "%s, so %s; yours says %s",
                   what, sum.max_in_progress, sum.max_executing, why, kind_name(want),
                   kind_name(got));
    free(s);
    exkit_trace_free(&t);
}

static void case_serial(void)
{
    real_run(EXKIT_RUN_SERIAL, EX02_NEITHER, "one job after another on one thread");
}

static void case_loop(void)
{
    real_run(EXKIT_RUN_LOOP, EX02_CONCURRENT,
             "the loop juggles the jobs on one thread: when one waits, another runs");
}

static void case_gil(void)
{
    real_run(EXKIT_RUN_GIL, EX02_CONCURRENT,
             "each job has a thread, but the GIL lets one run at a time");
}

static void case_nogil(void)
{
    real_run(EXKIT_RUN_NOGIL, EX02_BOTH,
             "each job has a thread and nothing stops them running at once");
}

static void case_split(void)
{
    real_run(EXKIT_RUN_SPLIT, EX02_PARALLEL,
             "one job, whose computing two threads do at the same time");
}

/* ------------------------------------------------------------------ */
/* Measurements                                                        */
/* ------------------------------------------------------------------ */

/* profile RUN: the run, traced, and what your functions make of it. */
static void load_profile(exkit_measure *m, int nargs, char **args)
{
    exkit_run_kind k;
    if (nargs != 1 || exkit_run_parse(args[0], &k) < 0)
        exkit_fail("usage: measure profile serial|loop|gil|nogil|split");
    exkit_run_result r;
    exkit_trace t = traced_run(k, &r, m);
    ex02_step *s;
    long n = profile(t.events, t.n, &s);
    ex02_summary sum;
    int rc = ex02_summarise(s, n, &sum);
    if (rc < 0)
        exkit_fail_rc("ex02_summarise", rc);
    exkit_result_int(m, "events", (int64_t)t.n);
    exkit_result_int(m, "steps", n);
    exkit_result_int(m, "your_max_in_progress", sum.max_in_progress);
    exkit_result_int(m, "your_max_executing", sum.max_executing);
    exkit_result_double(m, "your_avg_in_progress", sum.avg_in_progress);
    exkit_result_double(m, "your_avg_executing", sum.avg_executing);
    exkit_result_str(m, "your_kind", kind_name(ex02_classify(&sum)));
    exkit_result_double(m, "cores", (double)r.cpu_ns / (double)(r.t1_ns - r.t0_ns));
    free(s);
    exkit_trace_free(&t);
}

static const exkit_case S_cases[] = {
    {"steps", case_steps, 0},
    {"edges", case_edges, 0},
    {"order", case_order, 0},
    {"summary", case_summary, 0},
    {"classify", case_classify, 0},
    {"odd", case_odd, 0},
    {"serial", case_serial, EXKIT_OWN_RUNTIME},
    {"loop", case_loop, EXKIT_OWN_RUNTIME},
    {"gil", case_gil, EXKIT_OWN_RUNTIME},
    {"nogil", case_nogil, EXKIT_OWN_RUNTIME},
    {"split", case_split, EXKIT_OWN_RUNTIME},
};

static const exkit_workload S_workloads[] = {
    {"profile", "RUN", load_profile, EXKIT_OWN_RUNTIME},
};

static const exkit_driver S_driver = {
    .tag = "ex02", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
