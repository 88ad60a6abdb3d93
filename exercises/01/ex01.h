/*
 * ex01.h - exercise 01's interface: what jobs.c provides to the driver.
 *
 * Provided; do not edit.  The driver (driver.c) calls these functions,
 * checks what they did against the kernel's own accounts, and measures
 * them.  Everything runs on the runtime of runtime/include/rt.h: read its
 * "Running Python code" and "Releasing the GIL" sections first.
 *
 * A job, here, is a function `void job(void *arg)` run by a thread holding
 * the GIL, as a Python function is: it may give the GIL up while it blocks
 * (the runtime's blocking calls do that for it) and must hold it while it
 * computes.
 */
#ifndef EX01_H
#define EX01_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Part A: two jobs, one that waits and one that computes              */
/* ------------------------------------------------------------------ */

/* The waiting job's argument.  Public; `ms` is read only. */
typedef struct ex01_wait {
    long ms; /* in: how long to wait, in milliseconds (>= 0) */
} ex01_wait;

/* Waits arg->ms milliseconds the way time.sleep does: the thread is
 * parked by the kernel (it uses no CPU) and lets go of the GIL meanwhile,
 * so other threads run.  `arg` is an ex01_wait *.  Holding the GIL. */
void ex01_wait_job(void *arg);

/* The computing job's argument.  Public. */
typedef struct ex01_sum {
    const uint8_t *data; /* in: the bytes to checksum (caller owns them) */
    size_t len;          /* in */
    uint32_t result;     /* out: the Adler-32 checksum of data[0..len) */
} ex01_sum;

/* Computes the Adler-32 checksum of arg->data (as zlib.adler32 does) into
 * arg->result.  Holds the GIL from start to end, as Python code does, and
 * calls rt_checkpoint() after every 4096 bytes so that a thread waiting
 * for the GIL gets its turn.  `arg` is an ex01_sum *.  Holding the GIL. */
void ex01_checksum_job(void *arg);

/* ------------------------------------------------------------------ */
/* Part B: measuring a job                                             */
/* ------------------------------------------------------------------ */

/* Where a job's time went.  Public. */
typedef struct ex01_times {
    uint64_t wall_ns; /* wall-clock time from start to end */
    uint64_t cpu_ns;  /* CPU time (user + system) the process used meanwhile,
                         on every one of its threads */
} ex01_times;

/* Runs job(arg) once on the calling thread and fills *out.  Returns 0, or
 * -EINVAL if job or out is NULL.  Holding the GIL. */
int ex01_measure(void (*job)(void *), void *arg, ex01_times *out);

/* ------------------------------------------------------------------ */
/* Part C: classifying a measurement                                   */
/* ------------------------------------------------------------------ */

typedef enum ex01_kind {
    EX01_UNKNOWN = 0, /* nothing to go on (no wall time) */
    EX01_IO_BOUND,    /* mostly waiting */
    EX01_MIXED,       /* a real share of both */
    EX01_CPU_BOUND    /* mostly computing */
} ex01_kind;

/* Classifies a measurement by the share of its wall time spent on the CPU.
 * Your thresholds are yours to choose and to justify in a comment; the
 * tests ask only that a job on the CPU a tenth of its wall time or less is
 * I/O-bound, one on it nine tenths or more is CPU-bound (more than all of
 * it, when several threads computed at once, too), and one on it between
 * 35% and 65% of it is mixed.  EX01_UNKNOWN when t->wall_ns is 0.  Any
 * thread. */
ex01_kind ex01_classify(const ex01_times *t);

/* ------------------------------------------------------------------ */
/* Part D: many copies of a job on threads                             */
/* ------------------------------------------------------------------ */

/* Runs n copies of job at the same time, copy i on a runtime thread of its
 * own (rt_thread_start) with args[i] as its argument (NULL for all when
 * args is NULL), and returns once every copy has finished and its thread
 * is joined (rt_thread_join).  Returns 0; -EINVAL if job is NULL or n < 0;
 * or, if a thread cannot be started, the negative errno after joining
 * those that were.  Holding the GIL. */
int ex01_run_threads(void (*job)(void *), void *const *args, int n);

#endif /* EX01_H */
