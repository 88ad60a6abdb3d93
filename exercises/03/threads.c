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
}

/* Part B.  Contract in ex03.h. */
int ex03_run_threads(ex03_job *jobs, int n)
{
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
}

/* Part C.  Contract in ex03.h. */
int ex03_count_os_threads(void)
{
    /* TODO(C1): open /proc/self/task with opendir, count its entries with
     * readdir (each thread is a directory named by its id; skip "." and
     * ".."), closedir, and return the count. */
    return -ENOSYS;
}
