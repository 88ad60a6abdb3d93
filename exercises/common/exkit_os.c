/*
 * exkit_os.c - the kernel's view of the process's threads.
 *
 * The runtime knows the threads it started; the kernel knows every thread
 * there is.  Drivers count through the kernel so that a learner's answer
 * is checked against something the learner's code did not write.
 * Linux only: /proc/self/status has a "Threads:" line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <time.h>

#include "exkit.h"

// [os-threads]
/* The kernel's count: the "Threads:" line of /proc/self/status. */
int exkit_os_threads(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        exkit_fail("cannot open /proc/self/status: %s", strerror(errno));
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    if (n < 0)
        exkit_fail("no Threads: line in /proc/self/status");
    return n;
}
// [end]

int exkit_os_threads_settle(int want)
{
    int n = exkit_os_threads();
    for (int i = 0; i < 400 && n != want; i++) {
        nanosleep(&(struct timespec){0, 5000000}, NULL);
        n = exkit_os_threads();
    }
    return n;
}

/* The sampler's thread: a plain pthread, so it needs no GIL and never
 * competes for it; it only reads /proc. */
static void *S_sampler_main(void *arg)
{
    exkit_sampler *s = arg;
    while (!atomic_load(&s->stop)) {
        int n = exkit_os_threads();
        if (n > atomic_load(&s->peak))
            atomic_store(&s->peak, n);
        nanosleep(&(struct timespec){0, 200000}, NULL);
    }
    return NULL;
}

void exkit_sampler_start(exkit_sampler *s)
{
    atomic_init(&s->stop, 0);
    atomic_init(&s->peak, 0);
    if (pthread_create(&s->thread, NULL, S_sampler_main, s) != 0)
        exkit_fail("driver: cannot start the sampling thread");
}

int exkit_sampler_stop(exkit_sampler *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    return atomic_load(&s->peak);
}

int exkit_os_schedstat(uint64_t *on_cpu_ns, uint64_t *queued_ns)
{
    /* Three numbers: time on a core, time runnable but queued, timeslices.
     * The kernel keeps them per thread; CONFIG_SCHED_INFO, on in every
     * distribution kernel we know of. */
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    if (!f)
        return -errno;
    unsigned long long run = 0, queued = 0;
    int got = fscanf(f, "%llu %llu", &run, &queued);
    fclose(f);
    if (got != 2)
        return -ENOENT;
    *on_cpu_ns = run;
    *queued_ns = queued;
    return 0;
}
