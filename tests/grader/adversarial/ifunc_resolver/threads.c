/*
 * ifunc_resolver: an ifunc: its resolver runs while the program loads, before main.
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

static int real_helper(void) { return 1; }
static void *resolve(void) { return (void *)real_helper; }
int helper(void) __attribute__((ifunc("resolve")));

/* Part A.  Contract in ex03.h.  Runs with the GIL held, start to end. */
void ex03_job_run(ex03_job *job)
{
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
