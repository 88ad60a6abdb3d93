/*
 * exkit_runs.c - the same jobs, run five ways (chapter 2 and exercise 02).
 *
 * A job computes, waits, and computes again: the shape of most real work
 * (parse a request, wait for the database, render the answer).  The five
 * ways differ only in who does the jobs:
 *
 *   serial  the main thread, one job after another;
 *   loop    the main thread's event loop, one task per job (rt_loop.h):
 *           a task that waits gives the thread to another task;
 *   gil     one runtime thread per job, under the GIL;
 *   nogil   the same threads, the runtime started without a GIL;
 *   split   one job only, its computing shared by two threads without a
 *           GIL ("one job, two hands"): the job's two halves run at once.
 *
 * Each job marks its beginning and its end in the runtime's trace
 * (RT_EV_MARK, arg = the job's id, label EXKIT_JOB_BEGIN / EXKIT_JOB_END),
 * and counts itself in and out of a live "in progress" counter, so a run
 * has two independent records of which jobs were in progress when.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>

#include "exkit.h"
#include "rt_loop.h"

static const char *const S_names[EXKIT_RUN_KINDS] = {"serial", "loop", "gil", "nogil",
                                                     "split"};

const char *exkit_run_name(exkit_run_kind k)
{
    return k < EXKIT_RUN_KINDS ? S_names[k] : "?";
}

int exkit_run_parse(const char *name, exkit_run_kind *out)
{
    for (int k = 0; k < EXKIT_RUN_KINDS; k++)
        if (strcmp(name, S_names[k]) == 0) {
            *out = (exkit_run_kind)k;
            return 0;
        }
    return -EINVAL;
}

void exkit_run_config(exkit_run_kind k, size_t trace_events, rt_config *cfg,
                      unsigned *flags)
{
    rt_config_default(cfg);
    cfg->trace_events = trace_events;
    *flags = k == EXKIT_RUN_NOGIL || k == EXKIT_RUN_SPLIT ? EXKIT_NO_GIL : 0;
}

/* ------------------------------------------------------------------ */
/* One job's life                                                      */
/* ------------------------------------------------------------------ */

static exkit_run_result *S_out;    /* the run in progress */
static rt_loop_stats S_loop_stats; /* the last loop run's, for the measure line */
static atomic_int S_in_progress, S_max_in_progress;

static void S_begin(int id)
{
    rt_trace_event(RT_EV_MARK, (uint32_t)id, EXKIT_JOB_BEGIN);
    S_out->job_begin_ns[id - 1] = rt_now_ns();
    int now = atomic_fetch_add(&S_in_progress, 1) + 1;
    int max = atomic_load(&S_max_in_progress);
    while (now > max && !atomic_compare_exchange_weak(&S_max_in_progress, &max, now)) {
    }
}

static void S_end(int id)
{
    S_out->job_end_ns[id - 1] = rt_now_ns();
    atomic_fetch_sub(&S_in_progress, 1);
    rt_trace_event(RT_EV_MARK, (uint32_t)id, EXKIT_JOB_END);
}

/* Computing: interpreter work, holding the GIL (or the right to run). */
static void S_compute(double ms)
{
    rt_bytecodes((uint64_t)(ms * rt_bytecodes_per_ms()));
}

// [job]
/* One whole job on the calling thread: compute, wait, compute. */
static void S_job(int id, const exkit_jobs *j)
{
    S_begin(id);
    S_compute(j->compute_ms);
    if (j->wait_ms > 0)
        rt_sleep_us((long)(j->wait_ms * 1000)); /* lets go of the GIL */
    S_compute(j->compute_ms);
    S_end(id);
}
// [end]

/* ------------------------------------------------------------------ */
/* The five ways                                                       */
/* ------------------------------------------------------------------ */

typedef struct S_thread_arg {
    int id;
    const exkit_jobs *jobs;
    double ms; /* split: this hand's share */
} S_thread_arg;

static void S_thread_job(void *arg)
{
    const S_thread_arg *a = arg;
    S_job(a->id, a->jobs);
}

static void S_thread_share(void *arg)
{
    S_compute(((const S_thread_arg *)arg)->ms);
}

// [task]
/* A job as a loop task: the same three steps, the wait an await. */
typedef struct S_task_frame {
    int id;
    exkit_jobs jobs;
} S_task_frame;

static int S_task(rt_task *t)
{
    S_task_frame *f = rt_frame(t);
    RT_BEGIN(t);
    S_begin(f->id);
    S_compute(f->jobs.compute_ms);
    RT_AWAIT(t, rt_async_sleep(t, (uint64_t)(f->jobs.wait_ms * 1e6)));
    S_compute(f->jobs.compute_ms);
    S_end(f->id);
    RT_END(t, 0);
}
// [end]

static void S_threads(const exkit_jobs *j, int n, void (*fn)(void *), double ms)
{
    rt_thread *t[EXKIT_RUN_MAX_JOBS];
    S_thread_arg a[EXKIT_RUN_MAX_JOBS];
    for (int i = 0; i < n; i++) {
        a[i] = (S_thread_arg){i + 1, j, ms};
        if (!(t[i] = rt_thread_start(fn, &a[i])))
            exkit_fail("rt_thread_start: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++)
        rt_thread_join(t[i]);
}

static void S_loop(const exkit_jobs *j, exkit_run_result *out)
{
    rt_loop *l = rt_loop_new(NULL);
    if (!l)
        exkit_fail("rt_loop_new: %s", strerror(errno));
    for (int i = 0; i < j->n; i++) {
        S_task_frame f = {i + 1, *j};
        rt_task *t = rt_spawn(l, S_task, &f, sizeof f);
        if (!t)
            exkit_fail("rt_spawn: %s", strerror(errno));
        rt_task_release(t); /* the loop keeps it until it is done */
    }
    int rc = rt_loop_run(l);
    if (rc < 0)
        exkit_fail("rt_loop_run: %s", strerror(-rc));
    rt_loop_stats_get(l, &S_loop_stats);
    out->has_loop = 1;
    out->loop_switches = S_loop_stats.switches;
    out->loop_max_waiting = S_loop_stats.max_waiting;
    rt_loop_free(l);
}

void exkit_run(exkit_run_kind k, const exkit_jobs *j, exkit_run_result *out)
{
    if (j->n < 1 || j->n > EXKIT_RUN_MAX_JOBS)
        exkit_fail("a run has 1 to %d jobs, not %d", EXKIT_RUN_MAX_JOBS, j->n);
    memset(out, 0, sizeof *out);
    out->kind = k;
    out->jobs = k == EXKIT_RUN_SPLIT ? 1 : j->n;
    S_out = out;
    atomic_store(&S_in_progress, 0);
    atomic_store(&S_max_in_progress, 0);
    rt_bytecodes_per_ms(); /* calibrated before anything is timed */
    rt_stats_reset();
    out->t0_ns = rt_now_ns();
    uint64_t c0 = exkit_cpu_now_ns();
    switch (k) {
    case EXKIT_RUN_SERIAL:
        for (int i = 0; i < j->n; i++)
            S_job(i + 1, j);
        break;
    case EXKIT_RUN_LOOP:
        S_loop(j, out);
        break;
    case EXKIT_RUN_GIL:
    case EXKIT_RUN_NOGIL:
        S_threads(j, j->n, S_thread_job, 0);
        break;
    case EXKIT_RUN_SPLIT:
        /* One job whose computing is done by two hands at once, each
         * compute_ms of it; no waiting. */
        S_begin(1);
        S_threads(j, 2, S_thread_share, j->compute_ms);
        S_end(1);
        break;
    default:
        exkit_fail("no run kind %d", (int)k);
    }
    out->t1_ns = rt_now_ns();
    out->cpu_ns = exkit_cpu_now_ns() - c0;
    rt_stats_get(&out->stats);
    out->max_in_progress = atomic_load(&S_max_in_progress);
    for (int i = 0; i < out->jobs; i++)
        out->job_ns_sum += out->job_end_ns[i] - out->job_begin_ns[i];
    S_out = NULL;
}

void exkit_run_report(exkit_measure *m, const exkit_run_result *r)
{
    exkit_result_str(m, "run", exkit_run_name(r->kind));
    exkit_result_int(m, "jobs", r->jobs);
    exkit_result_int(m, "max_in_progress", r->max_in_progress);
    exkit_result_double(m, "job_ms_sum", (double)r->job_ns_sum / 1e6);
    if (r->has_loop)
        exkit_report_loop(m, &S_loop_stats);
}
