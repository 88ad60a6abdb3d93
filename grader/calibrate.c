/*
 * calibrate.c - how much parallelism this machine gives us right now.
 *
 * sched_getaffinity says how many cores we may use; it does not say how
 * many are free.  On a shared 2-core machine with a neighbour compiling,
 * two threads may get 1.1 cores' worth of time, and a correct solution's
 * "2x" becomes 1.1x through no fault of its own.  So the grader measures
 * the capacity in the same session as the patterns, interleaved with them
 * (see patterns.c): `workers` threads each spin the same fixed amount of
 * lock-free arithmetic, against one thread spinning it alone.  If the
 * machine gives us c cores, the many take about workers/c times as long.
 * Limit: it measures CPU, not memory bandwidth or caches.
 */
#include "grader.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

int gr_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    return 1;
}

static atomic_ullong S_sink; /* keeps the spin loop from being optimised away */
static uint64_t S_iters;     /* work per worker: about 25 ms, sized once */

/* A fixed amount of integer work (an LCG); no memory traffic, no locks. */
static void *S_spin(void *arg)
{
    uint64_t x = (uint64_t)(uintptr_t)arg + 1;
    for (uint64_t i = 0; i < S_iters; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    atomic_fetch_add_explicit(&S_sink, x, memory_order_relaxed);
    return NULL;
}

/* Sizes S_iters so that one worker spins for about 25 ms. */
static void S_size(void)
{
    if (S_iters)
        return;
    S_iters = 1u << 16;
    for (;;) {
        uint64_t t0 = gr_now_ns();
        S_spin(NULL);
        uint64_t dt = gr_now_ns() - t0;
        if (dt > 5000000u) {
            S_iters = (uint64_t)((double)S_iters * 25e6 / (double)dt);
            return;
        }
        S_iters *= 4;
    }
}

/* Runs n workers at once and returns the wall time until all finished. */
static double S_time(int n)
{
    pthread_t *t = gr_xmalloc((size_t)n * sizeof *t);
    uint64_t t0 = gr_now_ns();
    int started = 0;
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, S_spin, (void *)(uintptr_t)i) == 0)
            started++;
        else
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double dt = (double)(gr_now_ns() - t0);
    free(t);
    /* If threads could not be created, charge the missing ones as serial. */
    return started ? dt * n / started : dt;
}

void gr_calibrate_round(int workers, double *t1_ns, double *tn_ns)
{
    S_size();
    *t1_ns = S_time(1);
    *tn_ns = S_time(workers);
}
