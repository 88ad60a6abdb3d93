/*
 * ex02.h - exercise 02's interface: what profile.c provides to the driver.
 *
 * Provided; do not edit.  The driver (driver.c) runs the same jobs four or
 * five ways with the runtime's trace on (rt.h, "Trace"), hands you the
 * events, and checks what you make of them against its own reading.
 *
 * The events that matter (all others change nothing):
 *
 *   RT_EV_MARK, label EX02_JOB_BEGIN, arg j   job j begins: in progress
 *   RT_EV_MARK, label EX02_JOB_END,   arg j   job j ends
 *   RT_EV_GIL_TAKE  by thread tid             tid is executing: it holds the
 *                                             right to run Python code (the
 *                                             GIL, or under no GIL the same
 *                                             right, which nobody withholds)
 *   RT_EV_GIL_DROP  by thread tid             tid stops executing (it blocks,
 *                                             waits, or exits)
 *
 * RT_EV_GIL_REQUEST means "starts waiting for the GIL": a thread that waits
 * is in the middle of its work but is not executing.  Compare labels with
 * strcmp (a label may be NULL).  A job is one of the program's pieces of
 * work, whatever runs it; a thread (tid) is one of the hands that can run
 * them; the two need not match (a loop runs many jobs on one thread).
 */
#ifndef EX02_H
#define EX02_H

#include <stddef.h>
#include <stdint.h>

#include "rt.h"

#define EX02_JOB_BEGIN "job begins"
#define EX02_JOB_END   "job ends"

/* One step of the two step functions: from t0_ns (included) to t1_ns (not
 * included), this many jobs were in progress and this many threads were
 * executing.  Public. */
typedef struct ex02_step {
    uint64_t t0_ns, t1_ns; /* t0_ns < t1_ns */
    int in_progress;       /* jobs begun and not yet ended */
    int executing;         /* threads holding the right to run */
} ex02_step;

/* Part A.  Turns events ev[0..n) into steps out[0..k) and returns k.
 *
 *   - The events are in the order they were recorded, which is not always
 *     the order of their times (two threads can read the clock in one
 *     order and record in the other): order them by t_ns first.
 *   - Each job and each thread is in one of two states, set and cleared by
 *     the events above; a repeat (a drop of a thread not executing, ...)
 *     changes nothing.  Counts are how many are in the "on" state.
 *   - The steps cover the trace from its first event's time to its last
 *     one's: out[0].t0_ns is the earliest t_ns, out[k-1].t1_ns the latest,
 *     and out[i].t1_ns == out[i+1].t0_ns.
 *   - At an instant t, the counts are those after every event with
 *     t_ns <= t: events at the same instant are one change.  So no step is
 *     empty (t0_ns < t1_ns), and two neighbouring steps never have the same
 *     two counts (merge them).
 *
 * Returns k (0 when the events span no time), -EINVAL if ev is NULL while
 * n > 0 or out is NULL while cap > 0, -ENOSPC if more than cap steps are
 * needed, -ENOMEM.  `ev` is only read.  Any thread. */
long ex02_profile(const rt_event *ev, size_t n, ex02_step *out, size_t cap);

/* What the two step functions say, over the whole profile.  Public. */
typedef struct ex02_summary {
    int max_in_progress, max_executing;    /* the highest step of each */
    double avg_in_progress, avg_executing; /* their means over time: each
                                              step weighs its length */
    uint64_t span_ns;                      /* from steps[0].t0_ns to steps[n-1].t1_ns */
} ex02_summary;

/* Part B.  Summarises steps[0..n) into *out (all zero when n == 0).
 * Returns 0, or -EINVAL if out is NULL, or steps is NULL while n > 0, or
 * n < 0.  Any thread. */
int ex02_summarise(const ex02_step *steps, long n, ex02_summary *out);

typedef enum ex02_kind {
    EX02_UNKNOWN = 0,
    EX02_NEITHER,    /* one job at a time, one thread at a time */
    EX02_CONCURRENT, /* several jobs in progress at once, one executing */
    EX02_PARALLEL,   /* several threads executing at once, one job */
    EX02_BOTH        /* several jobs in progress, several threads executing */
} ex02_kind;

/* Part C.  A run was concurrent if at some instant two or more jobs were
 * in progress, and parallel if at some instant two or more threads were
 * executing; the four kinds are the four combinations.  EX02_UNKNOWN for a
 * NULL summary.  Any thread. */
ex02_kind ex02_classify(const ex02_summary *s);

#endif /* EX02_H */
