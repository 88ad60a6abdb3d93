/*
 * ex04.h - exercise 04's interface: the GIL you write in gil.c.
 *
 * Provided; do not edit.  The driver (driver.c) puts these five functions
 * in an rt_gil_ops table (runtime/include/rt.h, "A GIL of your own") and
 * starts the runtime with it (RT_GIL_CUSTOM), so every runtime thread
 * takes and drops *your* GIL, measured by the runtime's own counters and
 * trace exactly like the built-in ones.
 *
 * Who calls what.  The runtime calls ex04_take when a thread needs the GIL
 * (it starts, comes back from a blocking call, or retakes after a forced
 * drop), ex04_drop when it lets go (it blocks, exits, or answers a drop
 * request), and ex04_breaker from rt_checkpoint() when the eval breaker is
 * set, which happens when a waiter calls rt_gil_request_drop().  It never
 * calls take for a thread that holds the GIL, nor drop for one that does
 * not.  `ts` identifies the calling thread: compare the pointers, never
 * look inside.
 *
 * What the runtime gives you (rt.h): rt_gil_request_drop() sets the drop
 * request and the eval breaker, and is counted in stats.drop_requests;
 * rt_gil_clear_drop() clears both; rt_gil_drop_requested() reads the
 * request; rt_gil_interval_us() is the switch interval in force (it can
 * change while the program runs, as sys.setswitchinterval changes
 * CPython's: read it at each wait).
 */
#ifndef EX04_H
#define EX04_H

#include "rt.h"

/* Creates the GIL's state for a switch interval of `switch_interval_us`
 * (free, nobody holding it).  Returns it (ex04_destroy frees it), or NULL
 * if memory runs out.  Called once by rt_init, before any thread attaches. */
void *ex04_create(long switch_interval_us);

/* Frees what ex04_create made.  Called by rt_fini; no thread holds the GIL
 * or waits for it. */
void ex04_destroy(void *self);

/* Returns once `ts` holds the GIL.  At most one thread holds it at a time.
 * A thread that finds it held sleeps (no busy waiting) until it is
 * dropped, but never for longer than one switch interval at a time; when a
 * whole interval passed and the GIL is still held and has not changed
 * hands meanwhile, it asks the holder to let go (rt_gil_request_drop) and
 * waits again.  A thread that takes the GIL over from another one counts a
 * hand-over and wakes a dropper waiting for exactly that (see ex04_drop);
 * it clears any pending drop request (the new holder gets a full
 * interval).  Any number of threads may call it at once. */
void ex04_take(void *self, rt_tstate *ts);

/* `ts` holds the GIL and lets go of it; a waiting thread, if any, must be
 * woken at once.  `forced` is 1 when the drop answers a drop request (the
 * runtime will call ex04_take for `ts` right after), 0 when the thread is
 * about to block or exit.  If a drop request is pending, returns only once
 * another thread has taken the GIL, so that `ts`, still running on its
 * core, cannot win it straight back (CPython's FORCE_SWITCHING). */
void ex04_drop(void *self, rt_tstate *ts, int forced);

/* The eval breaker fired at a checkpoint of `ts`, which holds the GIL.
 * Returns nonzero to make the runtime drop and retake the GIL now (a
 * forced drop): exactly when a drop was requested. */
int ex04_breaker(void *self, rt_tstate *ts);

#endif /* EX04_H */
