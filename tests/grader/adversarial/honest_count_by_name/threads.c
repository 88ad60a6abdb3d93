/*
 * honest_count_by_name: a correct solution in another style.  Part C counts
 * the entries of /proc/self/task whose names are numbers (strtol), rather
 * than skipping the dot entries; Part B keeps going with do/while loops.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "ex03.h"
#include "rt.h"

static uint64_t step_units(const ex03_job *job, int i)
{
    uint64_t per = job->units / (uint64_t)job->steps;
    return i == job->steps - 1 ? per + job->units % (uint64_t)job->steps : per;
}

void ex03_job_run(ex03_job *job)
{
    job->os_tid = gettid();
    job->result = 0;
    int i = 0;
    do {
        uint64_t n = step_units(job, i);
        job->result += rt_bytecodes(n);
        job->tally->units_done += n;
    } while (++i < job->steps);
    job->tally->jobs_done += 1;
}

static void run_one(void *arg)
{
    ex03_job_run((ex03_job *)arg);
}

int ex03_run_threads(ex03_job *jobs, int n)
{
    if (n < 0 || (jobs == NULL && n > 0))
        return -EINVAL;
    rt_thread **t = n ? malloc(sizeof(rt_thread *) * (size_t)n) : NULL;
    if (n && !t)
        return -ENOMEM;
    int started = 0, rc = 0;
    while (started < n) {
        t[started] = rt_thread_start(run_one, jobs + started);
        if (t[started] == NULL) {
            rc = -EAGAIN;
            break;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        if (rt_thread_join(t[i]) < 0 && rc == 0)
            rc = -EIO;
    free(t);
    return rc;
}

int ex03_count_os_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (d == NULL)
        return -errno;
    int count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (*end == '\0' && tid > 0)
            count++;
    }
    closedir(d);
    return count;
}
