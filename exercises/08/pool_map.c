/*
 * pool_map.c - exercise 08: a pool map with chunking.  Replace each TODO;
 * the contracts are in ex08.h, the task in README.md.
 */
#include "ex08.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ Part A */

size_t ex08_default_chunksize(size_t n, int workers)
{
    /* TODO(A): Pool.map's default: n / (4 * workers), plus 1 when the
     * division leaves a remainder; at least 1. */
    (void)n, (void)workers;
    return 0;
}

/* ------------------------------------------------------------ Part B */

int ex08_run_chunk(rt_pool_fn fn, const rt_value *chunk, rt_value **out)
{
    /* TODO(B): a new list of chunk->len results: result i is what
     * fn(chunk->as.items[i], &r) stored in r.  A failing item fails the
     * chunk: free what you built and return its errno. */
    (void)fn, (void)chunk;
    *out = NULL;
    return -ENOSYS;
}

/* ------------------------------------------------------------ Part C */


int ex08_map(rt_pool *p, const char *chunk_task, rt_value *const *args, size_t n,
             size_t chunksize, rt_value **results, char *err, size_t errlen)
{
    /* TODO(C): chunksize 0 -> ex08_default_chunksize(n, rt_pool_workers(p)).
     * Submit one future per chunk (a list of copies of its items) with
     * rt_pool_submit(p, chunk_task, chunk), all of them before waiting;
     * then wait for each in order (rt_pool_future_result), move the
     * results of its list into results[], and free every future.  On a
     * failure: the first failed chunk's errno, results all NULL, nothing
     * left running. */
    (void)p, (void)chunk_task, (void)args, (void)chunksize, (void)err, (void)errlen;
    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    return -ENOSYS;
}
