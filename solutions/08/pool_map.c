/* BEGIN SOLUTION */
/*
 * pool_map.c - exercise 08, reference solution: a pool map with chunking
 * on the pool's public primitives.  Also the starter's single source:
 * `grader starter 08 --write` makes exercises/08/pool_map.c of it.
 *
 * The three parts are CPython's ProcessPoolExecutor.map taken apart
 * (Lib/concurrent/futures/process.py, 3.11): _get_chunks cuts the items,
 * each chunk is one submit of partial(_process_chunk, fn), and
 * _chain_from_iterable_of_lists lays the chunks' lists end to end in the
 * order they were submitted.  The chunk size default is multiprocessing.
 * Pool's (Lib/multiprocessing/pool.py, _map_async), since Executor.map's
 * own default is 1.
 */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/*
 * pool_map.c - exercise 08: a pool map with chunking.  Replace each TODO;
 * the contracts are in ex08.h, the task in README.md.
 */
#endif /* END STARTER */
#include "ex08.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ Part A */

size_t ex08_default_chunksize(size_t n, int workers)
{
    /* BEGIN SOLUTION */
    /* chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
     * if extra: chunksize += 1 */
    size_t per = 4 * (size_t)(workers > 0 ? workers : 1);
    size_t chunk = n / per, extra = n % per;
    if (extra)
        chunk += 1;
    return chunk ? chunk : 1;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(A): Pool.map's default: n / (4 * workers), plus 1 when the
     * division leaves a remainder; at least 1. */
    (void)n, (void)workers;
    return 0;
#endif /* END STARTER */
}

/* ------------------------------------------------------------ Part B */

int ex08_run_chunk(rt_pool_fn fn, const rt_value *chunk, rt_value **out)
{
    /* BEGIN SOLUTION */
    *out = NULL;
    if (!chunk || chunk->kind != RT_V_LIST)
        return -EINVAL;
    rt_value *res = rt_value_list(chunk->len);
    if (!res)
        return -ENOMEM;
    for (size_t i = 0; i < chunk->len; i++) {
        rt_value *r = NULL;
        int rc = fn(chunk->as.items[i], &r);
        if (rc != 0) {
            /* One item failed: the chunk fails, as _process_chunk's list
             * comprehension raises and loses the results made so far. */
            rt_value_free(r);
            rt_value_free(res);
            return rc < 0 ? rc : -rc;
        }
        rt_value_list_set(res, i, r); /* the list owns r now */
    }
    *out = res;
    return 0;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO(B): a new list of chunk->len results: result i is what
     * fn(chunk->as.items[i], &r) stored in r.  A failing item fails the
     * chunk: free what you built and return its errno. */
    (void)fn, (void)chunk;
    *out = NULL;
    return -ENOSYS;
#endif /* END STARTER */
}

/* ------------------------------------------------------------ Part C */

/* BEGIN SOLUTION */
/* Copies args[first, first + count) into a new list value: the chunk
 * that crosses to a worker.  NULL when memory runs out. */
static rt_value *S_make_chunk(rt_value *const *args, size_t first, size_t count)
{
    rt_value *chunk = rt_value_list(count);
    for (size_t j = 0; chunk && j < count; j++) {
        rt_value *item = rt_value_copy(args[first + j]);
        if (args[first + j] && !item) {
            rt_value_free(chunk);
            return NULL;
        }
        rt_value_list_set(chunk, j, item);
    }
    return chunk;
}

/* Moves the results of one chunk (a list of `count`) into results[first..],
 * emptying the list so that freeing it frees no result.  -EBADMSG if the
 * worker sent back something else. */
static int S_file_results(rt_value *list, rt_value **results, size_t first,
                          size_t count)
{
    if (!list || list->kind != RT_V_LIST || list->len != count)
        return -EBADMSG;
    for (size_t j = 0; j < count; j++) {
        results[first + j] = list->as.items[j];
        list->as.items[j] = NULL; /* ownership moved to results[] */
    }
    return 0;
}
/* END SOLUTION */

int ex08_map(rt_pool *p, const char *chunk_task, rt_value *const *args, size_t n,
             size_t chunksize, rt_value **results, char *err, size_t errlen)
{
    /* BEGIN SOLUTION */
    if (err && errlen)
        err[0] = '\0';
    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    if (n == 0)
        return 0;
    if (chunksize == 0)
        chunksize = ex08_default_chunksize(n, rt_pool_workers(p));
    size_t nchunks = n / chunksize + (n % chunksize != 0);
    rt_pool_future **fs = calloc(nchunks, sizeof *fs);
    if (!fs)
        return -ENOMEM;

    /* 1. Submit every chunk before waiting for any: the workers then have
     * work queued and run side by side. */
    int first_rc = 0;
    for (size_t c = 0; c < nchunks && first_rc == 0; c++) {
        size_t first = c * chunksize;
        size_t count = n - first < chunksize ? n - first : chunksize;
        rt_value *chunk = S_make_chunk(args, first, count);
        fs[c] = chunk ? rt_pool_submit(p, chunk_task, chunk) : NULL;
        if (!fs[c]) {
            first_rc = chunk ? -errno : -ENOMEM;
            if (err && errlen)
                snprintf(err, errlen, "chunk at item %zu: cannot submit: %s", first,
                         strerror(-first_rc));
        }
        rt_value_free(chunk); /* submit encoded it already */
    }

    /* 2. Collect in submission order, which is the items' order, whatever
     * order the chunks finished in.  After a failure keep waiting for the
     * rest (they are running; a map must not return with work of its own
     * still in the pool), but file nothing more. */
    for (size_t c = 0; c < nchunks && fs[c]; c++) {
        size_t first = c * chunksize;
        size_t count = n - first < chunksize ? n - first : chunksize;
        rt_value *list = NULL;
        int rc = rt_pool_future_result(fs[c], -1, &list);
        if (rc == 0 && first_rc == 0)
            rc = S_file_results(list, results, first, count);
        if (rc != 0 && first_rc == 0) {
            first_rc = rc;
            const char *why = rt_pool_future_error(fs[c]);
            if (err && errlen)
                snprintf(err, errlen, "chunk at item %zu: %s", first,
                         why ? why : strerror(-rc));
        }
        rt_value_free(list);
        rt_pool_future_free(fs[c]);
    }
    free(fs);
    if (first_rc != 0)
        for (size_t i = 0; i < n; i++) {
            rt_value_free(results[i]);
            results[i] = NULL;
        }
    return first_rc;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
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
#endif /* END STARTER */
}
