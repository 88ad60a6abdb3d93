/*
 * ex06.h - exercise 06's interface: the GIL that priority_gil.c provides.
 *
 * Provided; do not edit.  The driver installs your GIL in the runtime's
 * custom slot before every test (rt_config.policy = RT_GIL_CUSTOM,
 * rt_config.custom_gil = &ex06_gil), so every runtime thread of the test
 * takes and drops the GIL through your five functions.  Read the section
 * "A GIL of your own" of runtime/rt.h first: it says when the runtime
 * calls them, on which thread, and with what `forced` means.
 */
#ifndef EX06_H
#define EX06_H

#include "rt.h"

/* The GIL of priority_gil.c: a CPython-style GIL (a flag, a mutex, a
 * condition variable, the switch interval as a waiter's timeout, forced
 * switching) plus one rule CPython does not have:
 *
 *   a thread that takes the GIL back after a blocking call (its last drop
 *   had forced == 0) and finds it held asks the holder to drop at once,
 *   with rt_gil_request_drop(), instead of after a whole switch interval.
 *
 * Everything else stays CPython's: a thread that was forced off at a
 * checkpoint waits its interval like any other, so two CPU-bound threads
 * still take turns every interval; a drop always wakes a waiter; nobody
 * busy-waits.  The driver checks each of these (README.md, "Grading"). */
extern const rt_gil_ops ex06_gil;

#endif /* EX06_H */
