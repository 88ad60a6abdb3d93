/*
 * threads.c - exercise 03, MUTANT data-race: a plausible wrong solution.
 *
 * The mistake: the whole job, tally updates included, runs inside
 * RT_BEGIN_ALLOW_THREADS / RT_END_ALLOW_THREADS.  Without the GIL two
 * threads update tally->units_done at the same time: a data race, which
 * ThreadSanitizer reports (and which can lose updates).
 *
 * Part A: ex03_job_run, a CPU-bound job that updates a shared tally.
 * Part B: ex03_run_threads, one runtime thread (one OS thread) per job.
 * Part C: ex03_count_os_threads, the kernel's view of our threads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include "ex03.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt.h"

/* Part A.  Contract in ex03.h.  Runs with the GIL held, start to end. */
void ex03_job_run(ex03_job *job)
{
    job->os_tid = gettid();
    uint64_t per_step = job->units / (uint64_t)job->steps;
    uint64_t sum = 0;
    /* Let the other threads run while this one computes: "the tally is
     * only a counter, what could go wrong?" */
    rt_tstate *ts = rt_save_thread();
    for (int i = 0; i < job->steps; i++) {
        uint64_t n = per_step;
        if (i == job->steps - 1)
            n += job->units % (uint64_t)job->steps;
        sum += rt_bytecodes(n);
        job->tally->units_done += n; /* racy: no GIL, no lock */
    }
    rt_restore_thread(ts);
    job->result = sum;
    job->tally->jobs_done++;
}

/* Runs one job on a runtime thread: rt_thread_start's fn(arg) signature. */
static void S_thread_main(void *arg)
{
    ex03_job_run(arg);
}

/* Part B.  Contract in ex03.h.  Start every thread first, then join them
 * all: starting and joining one at a time would never have two alive. */
int ex03_run_threads(ex03_job *jobs, int n)
{
    if (n < 0 || (n > 0 && !jobs))
        return -EINVAL;
    if (n == 0)
        return 0;
    rt_thread **threads = calloc((size_t)n, sizeof *threads);
    if (!threads)
        return -ENOMEM;
    int started = 0, err = 0;
    for (; started < n; started++) {
        threads[started] = rt_thread_start(S_thread_main, &jobs[started]);
        if (!threads[started]) {
            err = errno ? -errno : -EAGAIN;
            break;
        }
    }
    /* rt_thread_join releases the GIL while it waits: the threads need it. */
    for (int i = 0; i < started; i++) {
        int rc = rt_thread_join(threads[i]);
        if (rc < 0 && !err)
            err = rc;
    }
    free(threads);
    return err;
}

/* Part C.  Contract in ex03.h.  Every thread of a process is a directory
 * /proc/self/task/<tid>; the listing also holds "." and "..". */
int ex03_count_os_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (!dir)
        return -errno;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.')
            count++;
    closedir(dir);
    return count;
}
