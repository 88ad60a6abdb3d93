/*
 * calibrate.c - how much parallelism this machine gives us right now.
 *
 * sched_getaffinity says how many cores we may use; it does not say how
 * many are free.  On a shared 2-core machine with a neighbour compiling,
 * two threads may get 1.1 cores' worth of time, and a correct solution's
 * "2x" becomes 1.1x through no fault of its own.  So the grader measures
 * the capacity in the same session as the patterns, interleaved with them
 * (see patterns.c): `workers` threads spin lock-free arithmetic for 30 ms
 * and we divide the CPU time they got by the wall time: the number of
 * cores' worth of CPU the machine gave us just now.
 * Limit: it measures CPU, not memory bandwidth or caches.
 */
#include "grader.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

int gr_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    return 1;
}

static atomic_ullong S_sink; /* keeps the spin loop from being optimised away */

/* Spins (an LCG: no memory traffic, no locks) until `until_ns`. */
static void *S_spin(void *arg)
{
    uint64_t until = *(const uint64_t *)arg, x = 1;
    while (gr_now_ns() < until)
        for (int i = 0; i < 4096; i++)
            x = x * 6364136223846793005u + 1442695040888963407u;
    atomic_fetch_add_explicit(&S_sink, x, memory_order_relaxed);
    return NULL;
}

static uint64_t S_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Why CPU time and not "n workers vs one, same work": where the threads
 * land decides such a race.  With a hog pinned to core 1, a lone worker
 * that lands there runs at half speed, two workers split one fast and one
 * slow core, and the ratio claims 2 free cores.  CPU time over wall time
 * is what we were really given, wherever the threads ran. */
double gr_calibrate_round(int workers)
{
    pthread_t *t = gr_xmalloc((size_t)workers * sizeof *t);
    uint64_t w0 = gr_now_ns(), c0 = S_cpu_ns();
    uint64_t until = w0 + 30000000u; /* 30 ms */
    int started = 0;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&t[i], NULL, S_spin, &until) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double cap = (double)(S_cpu_ns() - c0) / (double)(gr_now_ns() - w0);
    free(t);
    return cap;
}
