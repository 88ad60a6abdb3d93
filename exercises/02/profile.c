/*
 * profile.c - exercise 02: in progress vs executing.
 *
 * You write three functions (their contracts are in ex02.h):
 *
 *   Part A  ex02_profile    a runtime trace -> two step functions: how many
 *                           jobs were in progress, and how many threads
 *                           were executing, at every instant
 *   Part B  ex02_summarise  their maxima, and their means over time
 *   Part C  ex02_classify   concurrent, parallel, both or neither
 *
 * Then `grader submit exercises/02` runs the same jobs on an event loop, on
 * threads under the GIL, on threads without it and one after another,
 * hands you each run's trace, and checks your reading against its own.
 *
 * The file compiles as it is, but every test fails: replace each TODO.
 */
#include "ex02.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Part A.  Contract in ex02.h. */
long ex02_profile(const rt_event *ev, size_t n, ex02_step *out, size_t cap)
{
    /* TODO(A1): check the arguments (-EINVAL).  n == 0: no steps. */

    /* TODO(A2): keep the events that change something (ex02.h lists them),
     * and sort them by time: a copy, since ev is read-only.  Why sort at
     * all?  Look at how rt_trace_event fills its buffer (runtime/trace.c). */

    /* TODO(A3): sweep from the earliest time to the latest.  At each
     * instant apply *every* event of that instant, then write a step that
     * lasts until the next instant with an event (or the end), unless the
     * counts did not change (then the previous step goes on).  Keep an
     * on/off state per job and per thread, so a repeat changes nothing.
     * Which events put a thread on, and which take it off?  Is a thread
     * that asked for the GIL and is waiting for it executing? */
    (void)ev;
    (void)n;
    (void)out;
    (void)cap;
    return -ENOSYS;
}

/* Part B. */
int ex02_summarise(const ex02_step *steps, long n, ex02_summary *out)
{
    /* TODO(B1): the highest step of each count, and each count's mean over
     * time: a step that lasts twice as long counts twice as much. */
    (void)steps;
    (void)n;
    (void)out;
    return -ENOSYS;
}

/* Part C. */
ex02_kind ex02_classify(const ex02_summary *s)
{
    /* TODO(C1): concurrent, parallel, both or neither?  Which of the two
     * counts says "dealing with many things", which "doing many things"? */
    (void)s;
    return EX02_UNKNOWN;
}
