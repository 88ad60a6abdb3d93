/*
 * pool_future.c - futures and map iterators: where results wait for their
 * owner.
 *
 * Both are one thing inside, a batch: n items, each with a state (pending,
 * done, failed) and a slot for its result.  The manager thread resolves
 * items as result frames come in and broadcasts the pool's condition
 * variable once per frame batch; a waiting user thread wakes, checks its
 * own batch, and sleeps again if it has nothing yet.  One condition
 * variable for the whole pool means some futile wake-ups when many threads
 * wait on different futures; the usual case (one thread waiting on one map)
 * gets exactly the wake-ups it needs, and the design stays small.
 *
 * A batch is reference-counted: the user's handle is one reference, and
 * the manager holds one while any item is unsent or in flight, so a user
 * may free a future whose task is still running in a worker.
 */
#include "pool_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

rt__batch *rt__batch_new(rt_pool *p, const char *task, size_t n, size_t chunksize,
                         size_t extra, rt_value **results, int ordered)
{
    rt__batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    /* Per-item state only where needed: a map writes straight into the
     * caller's results[], only an unordered iterator needs order[], and
     * error texts get an array when the first error comes.  Each array
     * avoided is pages a big map does not touch. */
    size_t slots = n ? n : 1;
    b->ext_results = results != NULL;
    b->results = results ? results : calloc(slots, sizeof *b->results);
    b->rc = malloc(slots * sizeof *b->rc);
    b->order = ordered ? NULL : malloc(slots * sizeof *b->order);
    if (extra)
        b->enc = malloc(extra);
    if (!b->results || !b->rc || (!ordered && !b->order) || (extra && !b->enc)) {
        if (!b->ext_results)
            free(b->results);
        free(b->rc), free(b->order), free(b->enc);
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < slots; i++)
        b->rc[i] = RT__PENDING;
    b->pool = p;
    b->refs = 1;
    snprintf(b->task, sizeof b->task, "%s", task);
    b->n = n;
    b->chunksize = chunksize ? chunksize : 1;
    b->ordered = ordered;
    atomic_fetch_add(&p->refs, 1);
    return b;
}

/* Resolves item i.  Caller holds the pool lock; takes ownership of result. */
void rt__batch_resolve(rt__batch *b, size_t i, int rc, rt_value *result,
                       const char *msg)
{
    assert(i < b->n && b->rc[i] == RT__PENDING && rc != RT__PENDING);
    b->rc[i] = rc;
    b->results[i] = result;
    if (rc != 0 && msg && !b->msg)
        b->msg = calloc(b->n, sizeof *b->msg);
    if (rc != 0 && msg && b->msg)
        b->msg[i] = strdup(msg); /* NULL on ENOMEM: the code still says it */
    if (b->order)
        b->order[b->resolved] = i;
    b->resolved++;
    rt_pool_stats *s = &b->pool->stats;
    if (rc == 0)
        s->done++;
    else if (rc == -ECANCELED)
        s->cancelled++;
    else
        s->failed++;
    if (b->done_fn && b->resolved == b->n) {
        void (*fn)(void *, int) = b->done_fn;
        b->done_fn = NULL;
        fn(b->done_arg, rc);
    }
}

size_t rt__batch_fail_unsent(rt__batch *b, int rc, const char *msg)
{
    size_t k = 0;
    for (; b->next_send < b->n; b->next_send++, k++)
        rt__batch_resolve(b, b->next_send, rc, NULL, msg);
    return k;
}

/* Drops a reference.  Caller holds the pool lock.  The pool reference the
 * batch held is dropped after the batch is gone; the pool itself cannot go
 * away here because the caller's own reference keeps it. */
void rt__batch_unref(rt__batch *b)
{
    assert(b->refs > 0);
    if (--b->refs > 0)
        return;
    for (size_t i = 0; b->msg && i < b->n; i++)
        free(b->msg[i]);
    if (!b->ext_results) { /* a map's results[] are its caller's */
        for (size_t i = 0; i < b->n; i++)
            rt_value_free(b->results[i]);
        free(b->results);
    }
    free(b->rc), free(b->msg), free(b->order), free(b->enc);
    free(b->last_err);
    int left = atomic_fetch_sub(&b->pool->refs, 1);
    assert(left > 1);
    (void)left;
    free(b);
}

void rt__pool_fail_all(rt_pool *p, int rc, const char *msg)
{
    while (p->qhead) {
        rt__batch *b = p->qhead;
        p->qhead = b->next;
        b->queued = 0;
        rt__batch_fail_unsent(b, rc, msg);
        if (b->inflight == 0)
            rt__batch_unref(b); /* the manager's reference */
    }
    p->qtail = NULL;
    for (int w = 0; w < p->nworkers; w++) {
        rt__worker *wk = &p->w[w];
        for (; wk->fifo_len; wk->fifo_len--) {
            rt__chunk *c = &wk->fifo[wk->fifo_head];
            wk->fifo_head = (wk->fifo_head + 1) % wk->fifo_cap;
            for (size_t i = c->first; i < c->first + c->count; i++)
                rt__batch_resolve(c->b, i, rc, NULL, msg);
            if (--c->b->inflight == 0 && c->b->next_send == c->b->n && !c->b->queued)
                rt__batch_unref(c->b);
        }
    }
    pthread_cond_broadcast(&p->cond);
}

int rt__pool_wait(rt_pool *p, int (*pred)(const rt__batch *b), const rt__batch *b,
                  uint64_t deadline_ns)
{
    if (pred(b))
        return 0;
    /* A blocking wait: other runtime threads may run meanwhile, so give up
     * the GIL.  Never sleep on the GIL while holding p->lock (a thread that
     * holds the GIL may be waiting for p->lock): let go of p->lock around
     * both GIL operations. */
    rt_tstate *ts = NULL;
    if (rt_holds_gil()) {
        pthread_mutex_unlock(&p->lock);
        ts = rt_save_thread();
        pthread_mutex_lock(&p->lock);
    }
    int rc = 0;
    while (!pred(b)) {
        if (!deadline_ns) {
            pthread_cond_wait(&p->cond, &p->lock);
            continue;
        }
        struct timespec ts_abs = {(time_t)(deadline_ns / 1000000000u),
                                  (long)(deadline_ns % 1000000000u)};
        if (pthread_cond_timedwait(&p->cond, &p->lock, &ts_abs) == ETIMEDOUT &&
            !pred(b)) {
            rc = -ETIMEDOUT;
            break;
        }
    }
    if (ts) {
        pthread_mutex_unlock(&p->lock);
        rt_restore_thread(ts);
        pthread_mutex_lock(&p->lock);
    }
    return rc;
}

static uint64_t S_deadline(long timeout_ms)
{
    return timeout_ms < 0 ? 0 : rt_now_ns() + (uint64_t)timeout_ms * 1000000u + 1;
}

/* ------------------------------------------------------------ futures */

static int S_first_resolved(const rt__batch *b)
{
    return b->rc[0] != RT__PENDING;
}

int rt_pool_future_result(rt_pool_future *f, long timeout_ms, rt_value **out)
{
    if (!f || !out)
        return -EINVAL;
    rt__batch *b = &f->b;
    rt_pool *p = b->pool;
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    int rc = rt__pool_wait(p, S_first_resolved, b, S_deadline(timeout_ms));
    if (rc == 0) {
        rc = b->rc[0];
        *out = b->results[0];
        b->results[0] = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int rt_pool_future_done(rt_pool_future *f)
{
    if (!f)
        return 0;
    pthread_mutex_lock(&f->b.pool->lock);
    int done = f->b.rc[0] != RT__PENDING;
    pthread_mutex_unlock(&f->b.pool->lock);
    return done;
}

const char *rt_pool_future_error(rt_pool_future *f)
{
    if (!f)
        return NULL;
    pthread_mutex_lock(&f->b.pool->lock);
    const char *m = f->b.msg ? f->b.msg[0] : NULL;
    pthread_mutex_unlock(&f->b.pool->lock);
    return m;
}

int rt_pool_future_cancel(rt_pool_future *f)
{
    if (!f)
        return 0;
    rt__batch *b = &f->b;
    pthread_mutex_lock(&b->pool->lock);
    int k = (int)rt__batch_fail_unsent(b, -ECANCELED, "cancelled before it was sent");
    if (k)
        pthread_cond_broadcast(&b->pool->cond);
    pthread_mutex_unlock(&b->pool->lock);
    return k;
}

/* Frees the user's handle.  Unsent items are cancelled (and leave the
 * queue when the manager next looks); items in flight finish in their
 * worker and are thrown away. */
static void S_batch_release(rt__batch *b)
{
    rt_pool *p = b->pool;
    atomic_fetch_add(&p->refs, 1); /* keep p alive across the unref below */
    pthread_mutex_lock(&p->lock);
    b->user_freed = 1;
    rt__batch_fail_unsent(b, -ECANCELED, "cancelled: its owner freed it");
    rt__batch_unref(b);
    pthread_mutex_unlock(&p->lock);
    rt__pool_unref(p);
}

void rt_pool_future_free(rt_pool_future *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->b.pool->lock);
    int awaited = f->b.done_fn != NULL;
    pthread_mutex_unlock(&f->b.pool->lock);
    if (awaited)
        rt__fatal("rt_pool_future_free: a loop task is awaiting this future "
                  "(cancel the task first)");
    S_batch_release(&f->b);
}

int rt__pool_future_on_done(rt_pool_future *f, void (*fn)(void *arg, int rc), void *arg,
                            int *rc)
{
    rt__batch *b = &f->b;
    pthread_mutex_lock(&b->pool->lock);
    int armed = 1;
    if (b->rc[0] != RT__PENDING) {
        *rc = b->rc[0];
        armed = 0;
    } else if (b->done_fn) {
        armed = -EBUSY;
    } else {
        b->done_fn = fn;
        b->done_arg = arg;
    }
    pthread_mutex_unlock(&b->pool->lock);
    return armed;
}

int rt__pool_future_disarm(rt_pool_future *f)
{
    pthread_mutex_lock(&f->b.pool->lock);
    int armed = f->b.done_fn != NULL;
    f->b.done_fn = NULL;
    pthread_mutex_unlock(&f->b.pool->lock);
    return armed;
}

/* ------------------------------------------------------------ iterators */

static int S_next_ready(const rt__batch *b)
{
    if (b->ordered)
        return b->cursor >= b->n || b->rc[b->cursor] != RT__PENDING;
    return b->cursor >= b->n || b->cursor < b->resolved;
}

int rt_pool_iter_next(rt_pool_iter *it, long timeout_ms, size_t *index, rt_value **out)
{
    if (!it || !index || !out)
        return -EINVAL;
    rt__batch *b = &it->b;
    rt_pool *p = b->pool;
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    int rc = rt__pool_wait(p, S_next_ready, b, S_deadline(timeout_ms));
    if (rc == 0 && b->cursor >= b->n) {
        rc = 0; /* exhausted */
    } else if (rc == 0) {
        size_t i = b->ordered ? b->cursor : b->order[b->cursor];
        b->cursor++;
        *index = i;
        rc = b->rc[i];
        if (rc == 0) {
            *out = b->results[i];
            b->results[i] = NULL;
            rc = 1;
        } else {
            free(b->last_err);
            b->last_err = b->msg ? b->msg[i] : NULL;
            if (b->msg)
                b->msg[i] = NULL;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

const char *rt_pool_iter_error(rt_pool_iter *it)
{
    return it ? it->b.last_err : NULL;
}

void rt_pool_iter_free(rt_pool_iter *it)
{
    if (it)
        S_batch_release(&it->b);
}

static int S_all_resolved(const rt__batch *b)
{
    return b->resolved == b->n;
}

int rt_pool_map(rt_pool *p, const char *task, rt_value *const *args, size_t n,
                size_t chunksize, rt_value **results, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!results)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        results[i] = NULL;
    /* The manager files results straight into the caller's array; we wait
     * once for all of them (one lock, one wake-up per result frame), even
     * after a failure, so nothing is left in flight. */
    rt__batch *b = rt__pool_imap(p, task, args, n, chunksize, 1, results);
    if (!b) {
        int e = errno;
        const char *why = e == EPIPE ? rt_pool_error(p) : NULL;
        if (err && errlen)
            snprintf(err, errlen, "map: %s%s%s", strerror(e), why ? ": " : "",
                     why ? why : "");
        return -e;
    }
    pthread_mutex_lock(&p->lock);
    rt__pool_wait(p, S_all_resolved, b, 0);
    int first = 0;
    for (size_t i = 0; i < n && !first; i++) {
        if (b->rc[i] == 0)
            continue;
        first = b->rc[i];
        if (err && errlen)
            snprintf(err, errlen, "item %zu: %s", i,
                     b->msg && b->msg[i] ? b->msg[i] : strerror(-first));
    }
    pthread_mutex_unlock(&p->lock);
    S_batch_release(b);
    if (first)
        for (size_t i = 0; i < n; i++) {
            rt_value_free(results[i]);
            results[i] = NULL;
        }
    return first;
}
