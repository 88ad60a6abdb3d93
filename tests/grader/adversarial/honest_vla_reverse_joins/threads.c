/*
 * honest_vla_reverse_joins: a correct solution that keeps its threads in a
 * variable-length array on the stack and joins them last to first.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include "ex03.h"
#include "rt.h"

void ex03_job_run(ex03_job *job)
{
    const uint64_t steps = (uint64_t)job->steps;
    job->os_tid = gettid();
    job->result = 0;
    for (uint64_t i = 0; i < steps; i++) {
        uint64_t n = job->units / steps + (i + 1 == steps ? job->units % steps : 0);
        job->result += rt_bytecodes(n);
        job->tally->units_done += n;
    }
    job->tally->jobs_done++;
}

static void S_entry(void *job)
{
    ex03_job_run(job);
}

int ex03_run_threads(ex03_job *jobs, int n)
{
    if (n < 0 || (!jobs && n))
        return -EINVAL;
    if (!n)
        return 0;
    rt_thread *threads[n]; /* a VLA: n is at most a few dozen here */
    int started = 0;
    while (started < n && (threads[started] = rt_thread_start(S_entry, &jobs[started])))
        started++;
    for (int i = started - 1; i >= 0; i--) /* last started, first joined */
        rt_thread_join(threads[i]);
    return started == n ? 0 : -EAGAIN;
}

int ex03_count_os_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -errno;
    int n = -2; /* "." and ".." */
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}
