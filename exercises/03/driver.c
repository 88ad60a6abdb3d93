/*
 * driver.c - exercise 03's driver: correctness cases and measurements.
 *
 * Provided; do not edit.  Built together with your threads.c, the exercise
 * kit (exercises/common/exkit.h: main() and the grader's protocol) and the
 * runtime, it is the program the grader runs:
 *
 *   prog test <case>             runs one correctness case
 *   prog measure <workload> <N>  runs one workload once, prints its figures
 *
 * Workloads: `serial N` runs N CPU-bound jobs one after another on the main
 * thread; `threads N` runs them on N threads with your ex03_run_threads;
 * `freethreads N` does the same with the runtime started without a GIL
 * (RT_GIL_NONE), each job with a tally of its own, since without a GIL
 * nothing may be shared unprotected.
 *
 * Reading the cases below is a fine way to learn what is expected; each
 * failure message names the likely mistake.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "ex03.h"
#include "exkit.h"
#include "rt.h"

/* Work sizes, in rt_bytecodes units (about a nanosecond each on a 2020s
 * core).  Fixed, not calibrated, so that every run does the same work and
 * the grader's serial and threaded runs compare like with like. */
#define MEASURE_UNITS 50000000u /* one measured job: ~55 ms */
#define MEASURE_STEPS 50
#define TEST_UNITS    8000000u /* one test job: ~9 ms (more under sanitizers) */

#define MAX_JOBS 64

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* What ex03_job_run must leave in job->result for a job of `units` units
 * done in `steps` steps (the contract in ex03.h).  Runs the same work, so
 * call it before the counters are reset.  Holding the GIL. */
static uint64_t expected_result(uint64_t units, int steps)
{
    uint64_t per = units / (uint64_t)steps, sum = 0;
    for (int i = 0; i < steps; i++)
        sum += rt_bytecodes(i == steps - 1 ? per + units % (uint64_t)steps : per);
    return sum;
}

/* Fills jobs[0..n-1]: job i gets units[i] units in steps[i] steps, and
 * all of them share *tally (zeroed here). */
static void make_jobs(ex03_job *jobs, int n, const uint64_t *units, const int *steps,
                      ex03_tally *tally)
{
    memset(tally, 0, sizeof *tally);
    for (int i = 0; i < n; i++)
        jobs[i] = (ex03_job){.units = units[i], .steps = steps[i], .tally = tally};
}

/* Checks what every job reported after a run of n jobs that shared *tally.
 * `want[i]` is job i's expected result. */
static void check_jobs(const ex03_job *jobs, int n, const ex03_tally *tally,
                       const uint64_t *want)
{
    if (tally->jobs_done < n)
        exkit_fail(
            "ex03_run_threads returned while %d of your %d jobs had not finished: "
            "wait for every thread with rt_thread_join before returning",
            n - tally->jobs_done, n);
    if (tally->jobs_done > n)
        exkit_fail("the tally says %d jobs finished, but there were only %d: does each "
                   "job add 1 to tally->jobs_done exactly once, at its end?",
                   tally->jobs_done, n);
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        total += jobs[i].units;
        if (jobs[i].os_tid == 0)
            exkit_fail(
                "job %d never recorded job->os_tid: did every job run, each with "
                "its own ex03_job (&jobs[i]) as the thread's argument?",
                i);
        if (jobs[i].result == want[i])
            continue;
        for (int j = 0; j < n; j++)
            if (j != i && jobs[i].result == want[j])
                exkit_fail("job %d holds job %d's result: pass thread i its own job, "
                           "&jobs[i]",
                           i, j);
        exkit_fail("job %d's result is %llu, expected %llu: add up what rt_bytecodes "
                   "returns at each of the job's steps (units / steps each, the "
                   "remainder in the last step)",
                   i, (unsigned long long)jobs[i].result, (unsigned long long)want[i]);
    }
    if (tally->units_done != total)
        exkit_fail(
            "the shared tally counted %llu units, but the jobs were %llu units in "
            "all: after each step add that step's units to tally->units_done",
            (unsigned long long)tally->units_done, (unsigned long long)total);
}

/* ------------------------------------------------------------------ */
/* Correctness cases                                                   */
/* ------------------------------------------------------------------ */

/* job: one job on the calling (main) thread. */
static void case_job(void)
{
    ex03_job job;
    ex03_tally tally;
    uint64_t units = TEST_UNITS + 5; /* not a multiple of steps: a remainder */
    int steps = 7;
    make_jobs(&job, 1, &units, &steps, &tally);
    uint64_t want = expected_result(units, steps);
    rt_stats_reset();
    ex03_job_run(&job);
    rt_stats st;
    rt_stats_get(&st);
    if (job.os_tid == 0 && st.bytecodes == 0 && tally.jobs_done == 0)
        exkit_fail("ex03_job_run did no work and recorded nothing: it is still the "
                   "starter's TODO (Part A)");
    if (job.os_tid != gettid())
        exkit_fail(
            "job->os_tid is %d, but the job ran on OS thread %d: set it to gettid() "
            "of the thread running the job",
            (int)job.os_tid, (int)gettid());
    if (st.bytecodes != units)
        exkit_fail(
            "a job of %llu units ran %llu units of work: the steps must add up to "
            "job->units exactly (units / steps each, the remainder in the last)",
            (unsigned long long)units, (unsigned long long)st.bytecodes);
    if (tally.jobs_done != 1)
        exkit_fail("after one job tally->jobs_done is %d: add 1 when the job finishes",
                   tally.jobs_done);
    check_jobs(&job, 1, &tally, &want);
}

/* run_all: four jobs of different sizes on four threads, one shared tally. */
static void case_run_all(void)
{
    enum { N = 4 };
    ex03_job jobs[N];
    ex03_tally tally;
    uint64_t units[N], want[N];
    int steps[N];
    for (int i = 0; i < N; i++) {
        units[i] = TEST_UNITS / 2 * (uint64_t)(i + 1) + (uint64_t)i;
        steps[i] = 40 + i;
        want[i] = expected_result(units[i], steps[i]);
    }
    make_jobs(jobs, N, units, steps, &tally);
    int rc = ex03_run_threads(jobs, N);
    if (rc < 0)
        exkit_fail_rc("ex03_run_threads", rc);
    check_jobs(jobs, N, &tally, want);
}

/* os_threads: while the jobs run, their threads must be real OS threads,
 * alive at the same time, one per job. */
static void case_os_threads(void)
{
    enum { N = 4 };
    ex03_job jobs[N];
    ex03_tally tally;
    uint64_t units[N], want[N];
    int steps[N];
    for (int i = 0; i < N; i++) {
        units[i] = 2 * TEST_UNITS;
        steps[i] = 10;
    }
    want[0] = expected_result(units[0], steps[0]);
    for (int i = 1; i < N; i++)
        want[i] = want[0];
    make_jobs(jobs, N, units, steps, &tally);

    exkit_sampler s;
    exkit_sampler_start(&s);
    int base = exkit_os_threads(); /* main, the sampler, any runtime helpers */
    rt_stats_reset();
    int rc = ex03_run_threads(jobs, N);
    int peak = exkit_sampler_stop(&s) - base;
    rt_stats st;
    rt_stats_get(&st);
    if (rc < 0)
        exkit_fail_rc("ex03_run_threads", rc);
    if (peak <= 0 && st.threads_started == 0)
        exkit_fail("only 1 OS thread (main) was running while your %d threads were "
                   "supposed to be alive: are you starting them with rt_thread_start?",
                   N);
    if (peak < 2)
        exkit_fail(
            "at most %d of your %d threads was alive at any moment: start all of "
            "them before you join any",
            peak, N);
    if (st.threads_started != N)
        exkit_fail(
            "you started %d runtime threads for %d jobs: start exactly one per job",
            st.threads_started, N);
    pid_t main_tid = gettid();
    for (int i = 0; i < N; i++) {
        if (jobs[i].os_tid == main_tid)
            exkit_fail(
                "job %d ran on the main thread (OS thread %d), not on a thread of "
                "its own",
                i, (int)main_tid);
        for (int j = 0; j < i; j++)
            if (jobs[j].os_tid == jobs[i].os_tid && jobs[i].os_tid != 0)
                exkit_fail("jobs %d and %d both ran on OS thread %d: give each job a "
                           "thread of its own",
                           j, i, (int)jobs[i].os_tid);
    }
    check_jobs(jobs, N, &tally, want);
}

/* joins: when ex03_run_threads returns, every job is done and every thread
 * it started is gone, from the runtime and from the kernel. */
static void case_joins(void)
{
    enum { N = 3 };
    ex03_job jobs[N];
    ex03_tally tally;
    uint64_t units[N] = {TEST_UNITS, TEST_UNITS, TEST_UNITS}, want[N];
    int steps[N] = {5, 5, 5};
    want[0] = want[1] = want[2] = expected_result(TEST_UNITS, 5);
    make_jobs(jobs, N, units, steps, &tally);
    int base = exkit_os_threads();
    int rc = ex03_run_threads(jobs, N);
    int finished = tally.jobs_done; /* read at once: unjoined threads go on */
    if (rc < 0)
        exkit_fail_rc("ex03_run_threads", rc);
    if (finished < N)
        exkit_fail(
            "ex03_run_threads returned while %d of your %d jobs had not finished: "
            "wait for every thread with rt_thread_join before returning",
            N - finished, N);
    if (rt_thread_count() != 1)
        exkit_fail(
            "after ex03_run_threads returned, %d runtime threads besides main were "
            "still attached: join every thread you started",
            rt_thread_count() - 1);
    int now = exkit_os_threads_settle(base);
    if (now != base)
        exkit_fail("after ex03_run_threads returned, the process still had %d more OS "
                   "threads than before: join every thread you started",
                   now - base);
    check_jobs(jobs, N, &tally, want);
}

/* A plain pthread that blocks reading a pipe until the write end closes. */
static void *parked_main(void *arg)
{
    char c;
    while (read(*(int *)arg, &c, 1) > 0)
        ;
    return NULL;
}

/* Checks the learner's count against the kernel's, with `extra` parked
 * threads the runtime never heard of. */
static void check_count(int extra)
{
    int got = ex03_count_os_threads(), want = exkit_os_threads();
    if (got < 0)
        exkit_fail_rc("ex03_count_os_threads", got);
    if (got == want)
        return;
    if (got == rt_thread_count())
        exkit_fail(
            "ex03_count_os_threads() returned %d, but the process has %d OS threads "
            "(%d of them plain pthreads the runtime never saw): you are counting "
            "runtime threads (rt_thread_count); count the entries of "
            "/proc/self/task instead",
            got, want, extra);
    if (got == want + 2)
        exkit_fail("ex03_count_os_threads() returned %d, but the process has %d OS "
                   "threads: skip the \".\" and \"..\" entries of /proc/self/task",
                   got, want);
    exkit_fail(
        "ex03_count_os_threads() returned %d, but the kernel lists %d OS threads "
        "in /proc/self/task (%d of them plain pthreads started by the driver): "
        "count the directory's entries, except \".\" and \"..\"",
        got, want, extra);
}

/* count: the learner's count follows the kernel's as threads come and go. */
static void case_count(void)
{
    int base = exkit_os_threads();
    check_count(0);
    int fds[2];
    if (pipe(fds) != 0)
        exkit_fail("driver: pipe: %s", strerror(errno));
    pthread_t parked[9];
    int started = 0, want[2] = {3, 9};
    for (int round = 0; round < 2; round++) {
        for (; started < want[round]; started++)
            if (pthread_create(&parked[started], NULL, parked_main, &fds[0]) != 0)
                exkit_fail("driver: cannot start a thread");
        exkit_os_threads_settle(base + started);
        check_count(started);
    }
    close(fds[1]);
    for (int i = 0; i < started; i++)
        pthread_join(parked[i], NULL);
    close(fds[0]);
    exkit_os_threads_settle(base);
    check_count(0);
}

/* BEGIN HIDDEN TESTS */
/* many (hidden): sixteen small jobs; one OS thread each, all gone after. */
static void case_many(void)
{
    enum { N = 16 };
    ex03_job jobs[N];
    ex03_tally tally;
    uint64_t units[N], want[N];
    int steps[N];
    for (int i = 0; i < N; i++) {
        units[i] = TEST_UNITS / 4 + (uint64_t)i;
        steps[i] = 3;
        want[i] = expected_result(units[i], steps[i]);
    }
    make_jobs(jobs, N, units, steps, &tally);
    int base = exkit_os_threads();
    rt_stats_reset();
    int rc = ex03_run_threads(jobs, N);
    if (rc < 0)
        exkit_fail_rc("ex03_run_threads", rc);
    check_jobs(jobs, N, &tally, want);
    rt_stats st;
    rt_stats_get(&st);
    if (st.threads_started != N)
        exkit_fail(
            "you started %d runtime threads for %d jobs: start exactly one per job",
            st.threads_started, N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < i; j++)
            if (jobs[j].os_tid == jobs[i].os_tid)
                exkit_fail("jobs %d and %d both ran on OS thread %d: give each job a "
                           "thread of its own",
                           j, i, (int)jobs[i].os_tid);
    int now = exkit_os_threads_settle(base);
    if (now != base)
        exkit_fail("after running %d jobs the process kept %d extra OS threads: join "
                   "every thread you started",
                   N, now - base);
}

/* edge (hidden): no jobs, bad arguments, a single job. */
static void case_edge(void)
{
    rt_stats_reset();
    int rc = ex03_run_threads(NULL, 0);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex03_run_threads", rc);
    if (rc != 0)
        exkit_fail(
            "ex03_run_threads(NULL, 0) returned %d: with no jobs there is nothing "
            "to do, return 0",
            rc);
    ex03_job one;
    ex03_tally tally;
    uint64_t units = TEST_UNITS / 2;
    int steps = 1;
    make_jobs(&one, 1, &units, &steps, &tally);
    if ((rc = ex03_run_threads(&one, -1)) != -EINVAL)
        exkit_fail("ex03_run_threads(jobs, -1) returned %d, expected -EINVAL", rc);
    if ((rc = ex03_run_threads(NULL, 2)) != -EINVAL)
        exkit_fail("ex03_run_threads(NULL, 2) returned %d, expected -EINVAL", rc);
    rt_stats st;
    rt_stats_get(&st);
    if (st.threads_started != 0)
        exkit_fail("ex03_run_threads started %d threads for no valid job",
                   st.threads_started);
    uint64_t want = expected_result(units, steps);
    if ((rc = ex03_run_threads(&one, 1)) < 0)
        exkit_fail_rc("ex03_run_threads", rc);
    check_jobs(&one, 1, &tally, &want);
}
/* END HIDDEN TESTS */

/* ------------------------------------------------------------------ */
/* Measurements                                                        */
/* ------------------------------------------------------------------ */

/* Runs N measured jobs serially, on threads, or on threads without a GIL,
 * and reports what the jobs themselves recorded, so a run that skipped
 * work shows in the figures.  The kit times the run and adds the
 * runtime's counters. */
static void measure_jobs(exkit_measure *m, int nargs, char **args, int how)
{
    enum { SERIAL, THREADS, FREE };
    static ex03_job jobs[MAX_JOBS];
    static ex03_tally tallies[MAX_JOBS];
    int n = (int)exkit_arg_long(nargs, args, 0, 1, MAX_JOBS, "N");
    int own_tally = how == FREE; /* without a GIL nothing may be shared */
    for (int i = 0; i < n; i++)
        jobs[i] = (ex03_job){.units = MEASURE_UNITS,
                             .steps = MEASURE_STEPS,
                             .tally = own_tally ? &tallies[i] : &tallies[0]};
    exkit_measure_start(m);
    if (how == SERIAL) {
        for (int i = 0; i < n; i++)
            ex03_job_run(&jobs[i]);
    } else {
        int rc = ex03_run_threads(jobs, n);
        if (rc < 0)
            exkit_fail_rc("ex03_run_threads", rc);
    }
    exkit_measure_stop(m);

    uint64_t units_done = 0;
    int jobs_done = 0, distinct = 0;
    for (int i = 0; i < (own_tally ? n : 1); i++) {
        units_done += tallies[i].units_done;
        jobs_done += tallies[i].jobs_done;
    }
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= jobs[j].os_tid == jobs[i].os_tid;
        distinct += !seen;
    }
    exkit_result_int(m, "jobs", n);
    exkit_result_uint(m, "units_per_job", MEASURE_UNITS);
    exkit_result_uint(m, "units_done", units_done);
    exkit_result_int(m, "jobs_done", jobs_done);
    exkit_result_int(m, "os_threads_used", distinct);
    exkit_result_str(m, "policy", rt_policy_name(rt_policy()));
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    measure_jobs(m, nargs, args, 0);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    measure_jobs(m, nargs, args, 1);
}

static void load_freethreads(exkit_measure *m, int nargs, char **args)
{
    measure_jobs(m, nargs, args, 2);
}

static const exkit_case S_cases[] = {
    {"job", case_job, 0},
    {"run_all", case_run_all, 0},
    {"os_threads", case_os_threads, 0},
    {"joins", case_joins, 0},
    {"count", case_count, 0},
    /* BEGIN HIDDEN TESTS */
    {"many", case_many, 0},
    {"edge", case_edge, 0},
    /* END HIDDEN TESTS */
};

static const exkit_workload S_workloads[] = {
    {"serial", "N", load_serial, 0},
    {"threads", "N", load_threads, 0},
    {"freethreads", "N", load_freethreads, EXKIT_NO_GIL},
};

static const exkit_driver S_driver = {
    .tag = "ex03", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
