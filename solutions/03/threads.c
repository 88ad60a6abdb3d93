/* BEGIN SOLUTION */
/*
 * threads.c - exercise 03, reference solution.
 *
 * Part A: ex03_job_run, a CPU-bound job that updates a shared tally.
 * Part B: ex03_run_threads, one runtime thread (one OS thread) per job.
 * Part C: ex03_count_os_threads, the kernel's view of our threads.
 *
 * This file is also the starter's single source: exercises/03/threads.c is
 * what `grader starter 03 --write` makes of it, by dropping the SOLUTION
 * regions and keeping the STARTER ones (exercises/README.md, "Solutions
 * and starters from one file").
 */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/*
 * threads.c - exercise 03: CPU-bound threads under the GIL.
 *
 * You write three functions (their contracts are in ex03.h):
 *
 *   Part A  ex03_job_run          one CPU-bound job that updates a shared tally
 *   Part B  ex03_run_threads      run N jobs at once, one runtime thread each
 *   Part C  ex03_count_os_threads how many OS threads the kernel sees
 *
 * Then measure: `grader submit exercises/03` runs your jobs serially and on
 * threads and shows you the speedup (there should be none) and the
 * runtime's counters that explain it.  The README says more.
 *
 * The file compiles as it is, but every test fails: replace each TODO.
 */
#endif /* END STARTER */
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
    /* BEGIN SOLUTION */
    job->os_tid = gettid();
    uint64_t per_step = job->units / (uint64_t)job->steps;
    uint64_t sum = 0;
    for (int i = 0; i < job->steps; i++) {
        uint64_t n = per_step;
        if (i == job->steps - 1)
            n += job->units % (uint64_t)job->steps;
        /* Pure computation: it needs the GIL and keeps it, except when
         * rt_checkpoint() inside rt_bytecodes() hands it to a waiting
         * thread after a switch interval. */
        sum += rt_bytecodes(n);
        /* A plain read-modify-write of shared memory.  Safe here, and only
         * here: we hold the GIL, and nothing between the read and the write
         * is a checkpoint where we could lose it. */
        job->tally->units_done += n;
    }
    job->result = sum;
    job->tally->jobs_done++;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(A1): record which OS thread runs this job (gettid()). */

    /* TODO(A2): run job->units units of work in job->steps steps with
     * rt_bytecodes(), adding up what each call returns into job->result.
     * Each step is units / steps units; the last one also takes the
     * remainder.  After each step, add the step's units to
     * job->tally->units_done, the counter every job shares.  Do you need a
     * lock around that update?  Think about who holds the GIL. */

    /* TODO(A3): when all steps are done, count the job in
     * job->tally->jobs_done. */
    (void)job;
#endif /* END STARTER */
}

/* BEGIN SOLUTION */
/* Runs one job on a runtime thread: rt_thread_start's fn(arg) signature. */
static void S_thread_main(void *arg)
{
    ex03_job_run(arg);
}

/* Part B.  Contract in ex03.h.  Start every thread first, then join them
 * all: starting and joining one at a time would never have two alive. */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/* Part B.  Contract in ex03.h. */
#endif /* END STARTER */
int ex03_run_threads(ex03_job *jobs, int n)
{
    /* BEGIN SOLUTION */
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
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(B1): check the arguments (-EINVAL). */

    /* TODO(B2): start one runtime thread per job with rt_thread_start: its
     * function gets a void *, so you need a small function that turns it
     * back into an ex03_job * and calls ex03_job_run.  Keep the rt_thread
     * pointers (calloc an array of n). */

    /* TODO(B3): join every thread you started with rt_thread_join, free
     * the array, and return 0 (or the error if a thread failed to start). */
    (void)jobs;
    (void)n;
    return -ENOSYS;
#endif /* END STARTER */
}

/* BEGIN SOLUTION */
/* Part C.  Contract in ex03.h.  Every thread of a process is a directory
 * /proc/self/task/<tid>; the listing also holds "." and "..". */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/* Part C.  Contract in ex03.h. */
#endif /* END STARTER */
int ex03_count_os_threads(void)
{
    /* BEGIN SOLUTION */
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
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(C1): open /proc/self/task with opendir, count its entries with
     * readdir (each thread is a directory named by its id; skip "." and
     * ".."), closedir, and return the count. */
    return -ENOSYS;
#endif /* END STARTER */
}
