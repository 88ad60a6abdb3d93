/* BEGIN SOLUTION */
/*
 * jobs.c - exercise 01, reference solution: waiting or computing?
 *
 *   Part A  ex01_wait_job, ex01_checksum_job   a job that waits, one that computes
 *   Part B  ex01_measure                       wall time and CPU time of a job
 *   Part C  ex01_classify                      I/O-bound, CPU-bound or mixed
 *   Part D  ex01_run_threads                   n copies of a job on n threads
 */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/*
 * jobs.c - exercise 01: waiting or computing?
 *
 * You write five functions (their contracts are in ex01.h):
 *
 *   Part A  ex01_wait_job      a job that waits
 *           ex01_checksum_job  a job that computes
 *   Part B  ex01_measure       wall time and CPU time of a job
 *   Part C  ex01_classify      I/O-bound, CPU-bound or mixed
 *   Part D  ex01_run_threads   n copies of a job on n threads
 *
 * Then measure: `grader submit exercises/01` runs your waiting job and your
 * computing job 4 at a time on threads, and shows you which overlap.  The
 * README says more.
 *
 * The file compiles as it is, but every test fails: replace each TODO.
 */
#endif /* END STARTER */
#include "ex01.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "rt.h"

/* Part A.  Contracts in ex01.h. */
void ex01_wait_job(void *arg)
{
    /* BEGIN SOLUTION */
    const ex01_wait *w = arg;
    /* rt_sleep_us parks the thread in the kernel and lets go of the GIL
     * around the wait, as time.sleep does (Py_BEGIN_ALLOW_THREADS). */
    if (w->ms > 0)
        rt_sleep_us(w->ms * 1000);
        /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(A1): wait ((ex01_wait *)arg)->ms milliseconds.  Which of the
     * runtime's calls parks the thread *and* lets go of the GIL while it
     * waits, as time.sleep does?  (runtime/include/rt.h, "Releasing the GIL".) */
    (void)arg;
#endif /* END STARTER */
}

/* BEGIN SOLUTION */
#define ADLER_MOD 65521u /* the largest prime below 2^16 */

/* END SOLUTION */
void ex01_checksum_job(void *arg)
{
#if 0  /* BEGIN STARTER */
    /* TODO(A2): the Adler-32 checksum of s->data[0..s->len) into s->result.
     * Two sums modulo 65521: a starts at 1 and adds each byte; b starts at
     * 0 and adds each new a; the checksum is b << 16 | a.  After every 4096
     * bytes, call rt_checkpoint(): this job holds the GIL while it
     * computes, and that is where a waiting thread can take its turn. */
#endif /* END STARTER */
    ex01_sum *s = arg;
    /* BEGIN SOLUTION */
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
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    (void)s;
#endif /* END STARTER */
}

/* Part B. */
/* BEGIN SOLUTION */
static uint64_t S_ns(clockid_t clock)
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
int ex01_measure(void (*job)(void *), void *arg, ex01_times *out)
#endif /* END STARTER */
{
    /* BEGIN SOLUTION */
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(B1): check the arguments (-EINVAL). */

    /* TODO(B2): read two clocks before and after job(arg): one for wall
     * time, one for CPU time.  Which clock counts the CPU time of every
     * thread of the process, and not only the caller's?  (man
     * clock_gettime, man getrusage.)  Fill *out and return 0. */
    (void)job;
    (void)arg;
    (void)out;
    return -ENOSYS;
#endif /* END STARTER */
}

/* BEGIN SOLUTION */
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

/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/* Part C. */
#endif /* END STARTER */
ex01_kind ex01_classify(const ex01_times *t)
{
    /* BEGIN SOLUTION */
    if (!t || t->wall_ns == 0)
        return EX01_UNKNOWN;
    double share = (double)t->cpu_ns / (double)t->wall_ns;
    if (share >= CPU_ABOVE)
        return EX01_CPU_BOUND; /* above 1: several threads computed at once */
    if (share <= IO_BELOW)
        return EX01_IO_BOUND;
    return EX01_MIXED;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(C1): classify by the share of wall time spent on the CPU.
     * Choose your two thresholds and say in a comment why those. */
    (void)t;
    return EX01_UNKNOWN;
#endif /* END STARTER */
}

/* Part D. */
int ex01_run_threads(void (*job)(void *), void *const *args, int n)
{
    /* BEGIN SOLUTION */
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
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(D1): check the arguments (-EINVAL). */

    /* TODO(D2): start n runtime threads with rt_thread_start, copy i with
     * args[i] (or NULL when args is NULL); keep the rt_thread pointers. */

    /* TODO(D3): join every thread you started (rt_thread_join) and return
     * 0, or the error if one failed to start. */
    (void)job;
    (void)args;
    (void)n;
    return -ENOSYS;
#endif /* END STARTER */
}
