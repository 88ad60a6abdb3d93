/*
 * ex03.h - exercise 03's interface: what threads.c provides to the driver.
 *
 * Provided; do not edit.  The driver (driver.c) calls these three
 * functions, checks what they did, and measures them.  Everything here runs
 * on the runtime of runtime/include/rt.h: read its "Threads" and "Running
 * Python code" sections first.
 */
#ifndef EX03_H
#define EX03_H

#include <stdint.h>
#include <sys/types.h>

/* Progress shared by every job of one run: the "global variable that all
 * threads update".  Public; all fields are written by the jobs. */
typedef struct ex03_tally {
    uint64_t units_done; /* rt_bytecodes units run so far, all jobs together */
    int jobs_done;       /* jobs that have finished all their steps */
} ex03_tally;

/* One CPU-bound job: "Python code" that computes and never waits. */
typedef struct ex03_job {
    uint64_t units;    /* in: how much work, in rt_bytecodes() units */
    int steps;         /* in: do the work in this many steps (>= 1) */
    ex03_tally *tally; /* in: the shared progress counter (never NULL) */
    uint64_t result;   /* out: sum of what rt_bytecodes() returned, step by step */
    pid_t os_tid;      /* out: gettid() of the OS thread that ran the job */
} ex03_job;

/* Runs one job on the calling thread, which must hold the GIL.
 *
 * Step i (i = 0 .. steps-1) runs units / steps units with rt_bytecodes(); the
 * last step also runs the remainder (units % steps), so the steps add up to
 * exactly job->units.  After each step, add the step's units to
 * tally->units_done; after the last step, add 1 to tally->jobs_done.
 * job->result is the sum (mod 2^64) of the values the steps' rt_bytecodes()
 * calls returned.  job->os_tid is gettid() of the calling thread. */
void ex03_job_run(ex03_job *job);

/* Runs jobs[0..n-1] at the same time, each on a runtime thread of its own
 * (rt_thread_start), and returns once every one of them has finished and its
 * thread is gone (rt_thread_join).  Call holding the GIL.
 * Returns 0; -EINVAL if n < 0 or jobs is NULL while n > 0; or, if a thread
 * cannot be started, the negative errno after joining those that were. */
int ex03_run_threads(ex03_job *jobs, int n);

/* Returns how many OS threads this process has right now, as the kernel
 * lists them in /proc/self/task (one directory per thread), or a negative
 * errno if that directory cannot be read.  Any thread. */
int ex03_count_os_threads(void);

#endif /* EX03_H */
