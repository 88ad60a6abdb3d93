/*
 * honest_static_everything: a correct solution with helpers of its own
 * (static, as they should be), a static table, an enum and goto cleanup.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ex03.h"
#include "rt.h"

enum { S_DOT_ENTRIES = 2 };

static uint64_t S_share(uint64_t units, int steps, int i)
{
    uint64_t per = units / (uint64_t)steps;
    return i + 1 < steps ? per : per + units % (uint64_t)steps;
}

static void S_account(ex03_tally *t, uint64_t n)
{
    t->units_done += n;
}

void ex03_job_run(ex03_job *job)
{
    uint64_t sum = 0;
    job->os_tid = gettid();
    for (int i = 0; i < job->steps; i++) {
        uint64_t n = S_share(job->units, job->steps, i);
        sum += rt_bytecodes(n);
        S_account(job->tally, n);
    }
    job->result = sum;
    job->tally->jobs_done++;
}

static void S_trampoline(void *p)
{
    ex03_job_run(p);
}

int ex03_run_threads(ex03_job *jobs, int n)
{
    int rc = 0, started = 0;
    rt_thread **t = NULL;
    if (n < 0 || (n > 0 && jobs == NULL))
        return -EINVAL;
    if (n == 0)
        goto out;
    t = malloc((size_t)n * sizeof *t);
    if (!t)
        return -ENOMEM;
    memset(t, 0, (size_t)n * sizeof *t);
    for (; started < n; started++)
        if (!(t[started] = rt_thread_start(S_trampoline, &jobs[started]))) {
            rc = -EAGAIN;
            goto join;
        }
join:
    while (started > 0)
        rt_thread_join(t[--started]);
out:
    free(t);
    return rc;
}

int ex03_count_os_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d)
        return -errno;
    while (readdir(d))
        n++;
    closedir(d);
    return n - S_DOT_ENTRIES;
}
