/*
 * honest_redundant_mutex: a correct solution that does not trust the GIL
 * with the shared tally and guards it with a pthread mutex as well (more
 * than the GIL needs, and harmless: ThreadSanitizer must find nothing).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "ex03.h"
#include "rt.h"

static pthread_mutex_t S_tally_lock = PTHREAD_MUTEX_INITIALIZER;

void ex03_job_run(ex03_job *job)
{
    job->os_tid = gettid();
    uint64_t per = job->units / (uint64_t)job->steps, sum = 0;
    for (int i = 0; i < job->steps; i++) {
        uint64_t n = per + (i == job->steps - 1 ? job->units % (uint64_t)job->steps : 0);
        sum += rt_bytecodes(n);
        pthread_mutex_lock(&S_tally_lock);
        job->tally->units_done += n;
        pthread_mutex_unlock(&S_tally_lock);
    }
    job->result = sum;
    pthread_mutex_lock(&S_tally_lock);
    job->tally->jobs_done++;
    pthread_mutex_unlock(&S_tally_lock);
}

static void S_run(void *arg)
{
    ex03_job_run(arg);
}

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
    for (; started < n; started++)
        if (!(threads[started] = rt_thread_start(S_run, &jobs[started]))) {
            err = -EAGAIN;
            break;
        }
    for (int i = 0; i < started; i++)
        rt_thread_join(threads[i]);
    free(threads);
    return err;
}

int ex03_count_os_threads(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (!dir)
        return -errno;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        count += e->d_name[0] != '.';
    closedir(dir);
    return count;
}
