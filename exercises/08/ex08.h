/*
 * ex08.h - exercise 08's interface: a pool map with chunking, built on the
 * process pool's public primitives (rt_pool.h).  Provided; do not edit.
 *
 * The runtime already has rt_pool_map.  Here you write your own, the way
 * CPython's ProcessPoolExecutor.map is written (Lib/concurrent/futures/
 * process.py): cut the items into chunks, send each chunk as ONE task (one
 * future, one message), let the worker run the task on every item of its
 * chunk, and put the results back together in the items' order.
 *
 *     CPython 3.11                          this exercise
 *     Pool.map's default chunksize          ex08_default_chunksize
 *       (divmod(len, 4 * workers), +1)
 *     _process_chunk(fn, chunk)             ex08_run_chunk   (in a worker)
 *     _get_chunks + submit + chain results  ex08_map         (in the parent)
 *
 * How a chunk travels.  A task takes one rt_value and returns one, so a
 * chunk is a list value (rt_value_list) holding copies of its items, and
 * its result is a list of as many results.  The worker needs a task that
 * takes a chunk: for each task it offers, the driver registers a second
 * one, named "<task>/chunk", that calls ex08_run_chunk with the task:
 *
 *     static int square_chunk(const rt_value *chunk, rt_value **out)
 *     {
 *         return ex08_run_chunk(square, chunk, out);
 *     }
 *     rt_pool_register("square/chunk", square_chunk);
 *
 * (CPython sends partial(_process_chunk, fn): pickle names both functions,
 * and the worker looks them up, as rt_pool looks up "square/chunk".)  So
 * ex08_map(p, "square/chunk", ...) maps square over the items.
 *
 * Errors are negative errno values, as everywhere in the runtime.
 */
#ifndef EX08_H
#define EX08_H

#include <stddef.h>

#include "rt_codec.h"
#include "rt_pool.h"

/* The chunk size Python's multiprocessing.Pool.map picks when none is
 * given, for n items and `workers` workers (workers >= 1): n divided by
 * 4 * workers, plus one if that division leaves a remainder.  At least 1
 * (CPython sends no chunk at all for n == 0; here 1 is returned).
 * Examples: (100, 2) -> 13, (16, 2) -> 2, (3, 2) -> 1. */
size_t ex08_default_chunksize(size_t n, int workers);

/* Runs in a worker (and in the tests, in the parent): applies fn to every
 * item of `chunk`, a list value (RT_V_LIST; its items may be NULL, which
 * is None), and stores in *out a new list of the same length with result i
 * at index i.  Returns 0.  If fn fails on an item (returns a negative
 * errno), returns that errno at once, with *out NULL and nothing leaked:
 * the whole chunk fails, as _process_chunk's list comprehension raises.
 * -EINVAL if chunk is not a list, -ENOMEM if memory runs out.  Does not
 * free chunk (the pool owns it). */
int ex08_run_chunk(rt_pool_fn fn, const rt_value *chunk, rt_value **out);

/* Runs in the parent: maps the task behind `chunk_task` (a task registered
 * as above) over args[0..n) on pool p.
 *   - chunksize 0 means ex08_default_chunksize(n, rt_pool_workers(p));
 *   - the items go in chunks of `chunksize` consecutive items (the last
 *     chunk may be shorter), each chunk one rt_pool_submit: so the pool
 *     sends ceil(n / chunksize) task messages, never one per item;
 *   - all chunks are submitted before any result is awaited (else the
 *     workers would take turns, not work together);
 *   - on success returns 0 with results[i] the result of args[i] (the
 *     caller frees each), in the order of args, whatever order the chunks
 *     finished in;
 *   - on failure returns the error of the first failed chunk in index
 *     order, with every results[i] NULL, and a message in err (errlen
 *     bytes; err may be NULL) naming the chunk's first item and what
 *     rt_pool_future_error said;
 *   - either way, when it returns no chunk of this map is still pending in
 *     the pool (each was waited for, or cancelled before it was sent) and
 *     every future has been freed.
 * The caller keeps args; n == 0 returns 0 at once and sends nothing. */
int ex08_map(rt_pool *p, const char *chunk_task, rt_value *const *args, size_t n,
             size_t chunksize, rt_value **results, char *err, size_t errlen);

#endif /* EX08_H */
