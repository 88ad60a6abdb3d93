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
#include "ex01.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "rt.h"

/* Part A.  Contracts in ex01.h. */
void ex01_wait_job(void *arg)
{
    /* TODO(A1): wait ((ex01_wait *)arg)->ms milliseconds.  Which of the
     * runtime's calls parks the thread *and* lets go of the GIL while it
     * waits, as time.sleep does?  (runtime/include/rt.h, "Releasing the GIL".) */
    (void)arg;
}

void ex01_checksum_job(void *arg)
{
    /* TODO(A2): the Adler-32 checksum of s->data[0..s->len) into s->result.
     * Two sums modulo 65521: a starts at 1 and adds each byte; b starts at
     * 0 and adds each new a; the checksum is b << 16 | a.  After every 4096
     * bytes, call rt_checkpoint(): this job holds the GIL while it
     * computes, and that is where a waiting thread can take its turn. */
    ex01_sum *s = arg;
    (void)s;
}

/* Part B. */
int ex01_measure(void (*job)(void *), void *arg, ex01_times *out)
{
    /* TODO(B1): check the arguments (-EINVAL). */

    /* TODO(B2): read two clocks before and after job(arg): one for wall
     * time, one for CPU time.  Which clock counts the CPU time of every
     * thread of the process, and not only the caller's?  (man
     * clock_gettime, man getrusage.)  Fill *out and return 0. */
    (void)job;
    (void)arg;
    (void)out;
    return -ENOSYS;
}

/* Part C. */
ex01_kind ex01_classify(const ex01_times *t)
{
    /* TODO(C1): classify by the share of wall time spent on the CPU.
     * Choose your two thresholds and say in a comment why those. */
    (void)t;
    return EX01_UNKNOWN;
}

/* Part D. */
int ex01_run_threads(void (*job)(void *), void *const *args, int n)
{
    /* TODO(D1): check the arguments (-EINVAL). */

    /* TODO(D2): start n runtime threads with rt_thread_start, copy i with
     * args[i] (or NULL when args is NULL); keep the rt_thread pointers. */

    /* TODO(D3): join every thread you started (rt_thread_join) and return
     * 0, or the error if one failed to start. */
    (void)job;
    (void)args;
    (void)n;
    return -ENOSYS;
}
