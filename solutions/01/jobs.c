/*
 * jobs.c - exercise 01, reference solution: waiting or computing?
 *
 *   Part A  ex01_wait_job, ex01_checksum_job   a job that waits, one that computes
 *   Part B  ex01_measure                       wall time and CPU time of a job
 *   Part C  ex01_classify                      I/O-bound, CPU-bound or mixed
 *   Part D  ex01_run_threads                   n copies of a job on n threads
 */
#include "ex01.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "rt.h"

/* Part A.  Contracts in ex01.h. */
void ex01_wait_job(void *arg)
{
    const ex01_wait *w = arg;
    /* rt_sleep_us parks the thread in the kernel and lets go of the GIL
     * around the wait, as time.sleep does (Py_BEGIN_ALLOW_THREADS). */
    if (w->ms > 0)
        rt_sleep_us(w->ms * 1000);
}

#define ADLER_MOD 65521u /* the largest prime below 2^16 */

void ex01_checksum_job(void *arg)
{
    ex01_sum *s = arg;
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < s->len; i++) {
        a = (a + s->data[i]) % ADLER_MOD;
        b = (b + a) % ADLER_MOD;
        /* Computing holds the GIL; this is where a waiting thread gets in,
         * as a Python loop checks the eval breaker at each iteration. */
        if ((i & 4095) == 4095)
            rt_checkpoint();
    }
    s->result = b << 16 | a;
}

/* Part B. */
static uint64_t S_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ex01_measure(void (*job)(void *), void *arg, ex01_times *out)
{
    if (!job || !out)
        return -EINVAL;
    /* Wall time: a clock that never jumps (CLOCK_MONOTONIC, Python's
     * time.perf_counter).  CPU time: the whole process, every thread
     * (CLOCK_PROCESS_CPUTIME_ID, Python's time.process_time), because a job
     * may start threads of its own and their time is the job's too. */
    uint64_t w0 = S_ns(CLOCK_MONOTONIC), c0 = S_ns(CLOCK_PROCESS_CPUTIME_ID);
    job(arg);
    uint64_t c1 = S_ns(CLOCK_PROCESS_CPUTIME_ID), w1 = S_ns(CLOCK_MONOTONIC);
    out->wall_ns = w1 - w0;
    out->cpu_ns = c1 - c0;
    return 0;
}

/* Part C.
 *
 * The thresholds: a job on the CPU a fifth of the time or less spent four
 * fifths of it waiting, and giving it a faster CPU would change little:
 * I/O-bound.  One on the CPU four fifths of the time or more would go
 * about as fast as the CPU lets it: CPU-bound.  In between, both matter:
 * mixed.  A fifth leaves room for the CPU a wait costs (system calls, waking
 * up) and for clock noise; it is a judgement, not a law.  On a busy machine
 * a CPU-bound job also waits, for a core, and its share drops: measure on a
 * quiet one, or count the queueing as the chapter does. */
#define IO_BELOW  0.2
#define CPU_ABOVE 0.8

ex01_kind ex01_classify(const ex01_times *t)
{
    if (!t || t->wall_ns == 0)
        return EX01_UNKNOWN;
    double share = (double)t->cpu_ns / (double)t->wall_ns;
    if (share >= CPU_ABOVE)
        return EX01_CPU_BOUND; /* above 1: several threads computed at once */
    if (share <= IO_BELOW)
        return EX01_IO_BOUND;
    return EX01_MIXED;
}

/* Part D. */
int ex01_run_threads(void (*job)(void *), void *const *args, int n)
{
    if (!job || n < 0)
        return -EINVAL;
    if (n == 0)
        return 0;
    rt_thread **t = calloc((size_t)n, sizeof *t);
    if (!t)
        return -ENOMEM;
    int started = 0, rc = 0;
    /* Start every copy first, then join them: joining one right after
     * starting it would run the copies one at a time. */
    for (; started < n; started++) {
        t[started] = rt_thread_start(job, args ? args[started] : NULL);
        if (!t[started]) {
            rc = -errno;
            break;
        }
    }
    for (int i = 0; i < started; i++)
        rt_thread_join(t[i]); /* lets go of the GIL while it waits */
    free(t);
    return rc;
}
