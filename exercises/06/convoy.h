/*
 * convoy.h - exercise 06's measured run: an I/O thread serving requests
 * beside a CPU-bound thread, under whatever GIL the runtime was started
 * with.  Provided; do not edit.  Used by driver.c's tests and workloads.
 *
 * The cast (three runtime threads and one plain pthread):
 *   server  a runtime thread: recv() a one-byte request, a little Python
 *           work, send() the reply, again.  It times how long it waited for
 *           the GIL each time recv() returned: the convoy, measured.
 *   client  a plain pthread, not attached to the runtime (it needs no GIL,
 *           like a client on another machine): sends a request, times the
 *           round trip, pauses `think_us`, again.  It also runs the phases.
 *   cpu     a runtime thread that computes (rt_bytecodes) until told to
 *           stop, counting its work as it goes.
 *   main    starts them, then sleeps in a blocking read until the client
 *           says the run is over.
 *
 * The phases, run by the client:
 *   ALONE   `rounds` round trips with no CPU thread: the unloaded latency;
 *   SOLO1   the CPU thread alone for `solo_ms`: its throughput on its own;
 *   LOADED  `rounds` round trips with the CPU thread running;
 *   SOLO2   the CPU thread alone again (a busy machine drifts: the two solo
 *           windows bracket the loaded one).
 *
 * Evidence kept: round-trip and GIL-wait histograms per phase (measured by
 * the client and the server themselves), the CPU thread's work in each
 * window, and, from the runtime's trace (the GIL's front end records every
 * take, drop and drop request, whoever's GIL it is), the CPU thread's
 * takes and forced drops and the server's drop requests in the LOADED
 * window.  The trace must be on (rt_config.trace_events).
 */
#ifndef CONVOY_H
#define CONVOY_H

#include <stdatomic.h>
#include <stdint.h>

#include "rt.h"

enum { CONVOY_ALONE, CONVOY_LOADED, CONVOY_NPHASES };
enum { CONVOY_SOLO1, CONVOY_WINDOW_LOADED, CONVOY_SOLO2, CONVOY_NWINDOWS };

typedef struct convoy {
    /* in: set by the caller */
    int rounds;    /* round trips per phase, 1..1000 */
    long think_us; /* the client's pause between requests */
    long solo_ms;  /* each solo window of the CPU thread */
    int servers;   /* 1 or 2 I/O threads (each with its own client) */

    /* out: filled by convoy_run, read after it returns */
    long interval_us;                 /* the switch interval in force */
    rt_hist rtt[2][CONVOY_NPHASES];   /* per server: client's round trips */
    rt_hist wait[2][CONVOY_NPHASES];  /* per server: GIL wait after recv() */
    int slow[2][CONVOY_NPHASES];      /* ... of those, waits >= interval / 2 */
    int fast_asks[2];                 /* LOADED: the server's drop requests made within
                                         interval / 2 of starting to wait (trace) */
    uint64_t win_ns[CONVOY_NWINDOWS]; /* each window's length */
    uint64_t win_units[CONVOY_NWINDOWS];  /* the CPU thread's work in it */
    uint64_t win_queued[CONVOY_NWINDOWS]; /* ... and the time it spent ready
                                             to run but kept off a core by the
                                             kernel (other programs) */
    uint64_t win_on_cpu[CONVOY_NWINDOWS]; /* ... and the time it ran on one */
    int cpu_takes;          /* LOADED window: GIL takes by the CPU thread (trace) */
    int cpu_forced;         /* LOADED window: its forced drops (trace) */
    uint64_t cpu_wait_ns;   /* LOADED window: time it spent waiting for the GIL
                               (from each GIL request to the take, trace) */
    int cpu_handovers;      /* LOADED window: a server dropped the GIL to block
                              and the CPU thread took it next (trace) */
    int cpu_slow_handovers; /* ... of those, taken a whole interval or more
                               after it was both free and asked for */
    size_t trace_dropped;   /* trace events lost for want of room */

    /* private: the wiring */
    int sock[2][2];        /* per server: [0] server's end, [1] client's */
    int ctl[2];            /* client -> main: 's' start the CPU thread, 'd' done */
    atomic_int stop;       /* tells the CPU thread to stop */
    atomic_int cpu_id;     /* the CPU thread's trace lane, -1 before it runs */
    atomic_int cpu_os_tid; /* its convoy_os_tid(), 0 before it runs */
    atomic_int server_id[2];
    atomic_uint_fast64_t units; /* the CPU thread's work so far */
    uint64_t win_t[CONVOY_NWINDOWS][2];
    uint64_t win_q0[CONVOY_NWINDOWS], win_cpu0[CONVOY_NWINDOWS];
} convoy;

/* Runs the whole experiment on the calling thread (main, holding the GIL,
 * runtime started with tracing).  Returns 0, or fails the program with a
 * message (exkit_fail) if a socket, pipe or thread cannot be made. */
int convoy_run(convoy *c);

/* The CPU thread's throughput in the LOADED window as a fraction of its
 * throughput alone: how fast it computed while on a core (work per
 * nanosecond of CPU, against the mean of the two solo windows: hand-overs
 * cost cache and lock work) times convoy_cpu_share (how much of the time
 * it could run it was not asleep waiting for the GIL).  Measured this way,
 * other programs taking the machine's cores do not count against the GIL.
 * (Without the kernel's schedstat, the rates are per wall-clock ns.)  0 if
 * unmeasured. */
double convoy_cpu_kept(const convoy *c);

/* The share of the LOADED window in which the CPU thread did not sleep
 * for the GIL: 1 - (its GIL waits - its run-queue delay) / window.  The
 * run-queue delay is subtracted because a woken thread that waits for a
 * core is the machine's doing, not the GIL's.  Counters, not a stopwatch:
 * it does not depend on how fast the machine computes. */
double convoy_cpu_share(const convoy *c);

/* The calling thread's id as /proc numbers it: gettid(), except inside a
 * PID namespace that kept the machine's /proc (the grader's sandbox), where
 * it is the id the machine knows the thread by.  What convoy_sched takes. */
int convoy_os_tid(void);

/* The kernel's account of thread `tid` (convoy_os_tid() of a thread of this
 * process), from /proc/self/task/<tid>/schedstat: ns spent on a core, and
 * ns spent ready to run but kept off one (on a run queue).  Returns 0, or
 * -1 with both 0 if the kernel does not say.  Any thread. */
int convoy_sched(int tid, uint64_t *on_cpu, uint64_t *queued);
/* Just the second figure. */
uint64_t convoy_queued_ns(int tid);

#endif /* CONVOY_H */
