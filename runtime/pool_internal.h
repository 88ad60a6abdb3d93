/*
 * pool_internal.h - what the pool's files share (not a public header).
 *
 *   pool.c          life cycle: create (fork / spawn), shutdown, free, submit
 *   pool_manager.c  the parent's I/O thread: dispatch, results, dead workers
 *   pool_future.c   batches: futures and map iterators, and waiting on them
 *   pool_worker.c   the worker side: task registry, the guard, the loop
 *
 * Wire protocol between the parent and a worker (one AF_UNIX stream socket
 * per worker; integers little-endian, as rt_codec.h):
 *
 *   task frame    u32 len | u32 seq | u8 nlen | name[nlen] | u32 count |
 *                 count * (u32 alen | encoded argument[alen])
 *   result frame  u32 len | u32 seq | u32 count | u64 codec_ns | u64 run_ns |
 *                 count * (i32 rc | u32 rlen | bytes[rlen])
 *                 (rc == 0: an encoded result; else the error message)
 *
 * `len` counts the bytes after itself.  A worker answers frames in the
 * order it got them, so the parent matches results to the oldest frame in
 * flight; seq is only checked.  The first frame a worker sends is a result
 * frame with seq RT__HELLO_SEQ and no items: "I am serving".  The parent
 * ends a worker by shutting down its side of the socket for writing; the
 * worker sees end-of-file, sends what it owes and exits 0.
 */
#ifndef RT_POOL_INTERNAL_H
#define RT_POOL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "rt_internal.h" /* rt__fatal */
#include "rt_pool.h"

#define RT__HELLO_SEQ     0xFFFFFFFFu
#define RT__PENDING       1  /* rc of an item not resolved yet */
#define RT__TASK_NAME_MAX 64 /* including the NUL */
#define RT__WORKER_ENV    "RT_POOL_WORKER"
#define RT__RESULT_HDR    28 /* bytes of a result frame before its items */
#define RT__EST_MAX       32 /* tasks whose duration the pool learns */

/* A batch: what one submit or one map asked for.  Futures are batches of
 * one item whose argument was encoded at submit time; iterators are batches
 * of n items whose arguments are encoded as they are sent.  All fields are
 * private and guarded by the pool's lock. */
typedef struct rt__batch {
    rt_pool *pool;
    int refs;       /* the user's handle + the manager while anything is unsent
                       or in flight */
    int user_freed; /* the user let go: cancel what is unsent */
    char task[RT__TASK_NAME_MAX];
    size_t n, chunksize;
    int ordered;           /* iterator yields in index order */
    rt_value *const *args; /* map: the caller's arguments */
    uint8_t *enc;          /* future: the encoded argument (owned) */
    size_t enc_len;
    size_t next_send;       /* items before it are sent or cancelled */
    size_t inflight;        /* chunks held by workers */
    size_t resolved;        /* items with a final rc */
    rt_value **results;     /* results[i] once rc[i] == 0 */
    int *rc;                /* RT__PENDING, 0 or a negative errno */
    char **msg;             /* error text per failed item (owned; NULL until
                               the first error) */
    size_t *order;          /* unordered: indexes in the order they resolved */
    size_t cursor;          /* next to hand out: an index (ordered) or a
                               position in order[] (unordered) */
    char *last_err;         /* text of the last failure handed out */
    struct rt__batch *next; /* the pool's queue of batches with unsent items */
    int queued;
    int est;         /* index into the pool's est[], or -1 */
    int ext_results; /* results[] belongs to the caller (rt_pool_map) */
    /* A future's done callback (rt__pool_future_on_done), or NULL. */
    void (*done_fn)(void *arg, int rc);
    void *done_arg;
} rt__batch;

struct rt_pool_future {
    rt__batch b;
};
struct rt_pool_iter {
    rt__batch b;
};

/* A chunk in flight: items [first, first + count) of a batch. */
typedef struct rt__chunk {
    rt__batch *b;
    size_t first, count;
    uint32_t seq;
    uint64_t sent_ns;
} rt__chunk;

/* A growable byte buffer. */
typedef struct rt__buf {
    uint8_t *data;
    size_t len, off, cap; /* bytes [off, len) are still to be consumed */
} rt__buf;

typedef struct rt__worker {
    int index;
    pid_t pid; /* 0 once reaped */
    int pidfd; /* readable when the process exits */
    int fd;    /* the parent's end of the socket */
    int hello; /* the worker said it is serving */
    int eof;   /* its socket reached end-of-file */
    int want_out;
    uint64_t start_ns;
    rt__buf out, in;
    rt__chunk *fifo; /* chunks in flight, oldest first (a ring) */
    size_t fifo_cap, fifo_head, fifo_len;
} rt__worker;

enum { RT__RUNNING, RT__SHUTDOWN, RT__BROKEN };

struct rt_pool {
    atomic_int refs; /* the user + every batch */
    pthread_mutex_t lock;
    pthread_cond_t cond; /* broadcast when items resolve or the state moves */
    int state;
    int manager_done; /* every worker reaped and every fd closed */
    int joined;
    rt_pool_start start;
    long start_timeout_ms;
    int nworkers;
    rt__worker *w;
    rt__batch *qhead, *qtail; /* batches with unsent items */
    pthread_t manager;
    int epfd, evfd;
    atomic_int wake_pending;
    char *error; /* why it broke */
    rt_pool_stats stats;
    uint32_t seq;
    int last_pick; /* the worker the last chunk went to */
    /* How long an item of each task takes in a worker (smoothed), learnt
     * from results: it sizes the dispatch window (pool_manager.c). */
    struct {
        char task[RT__TASK_NAME_MAX];
        double item_ns; /* 0 until a result came back */
    } est[RT__EST_MAX];
    int nest;
};

/* pool.c */
void rt__pool_unref(rt_pool *p); /* any lock state; frees on the last ref */
void rt__pool_wake(rt_pool *p);  /* wake the manager; any thread, no lock */
/* Starts a map (imap, imap_unordered, map); NULL with errno set.  No lock. */
rt__batch *rt__pool_imap(rt_pool *p, const char *task, rt_value *const *args, size_t n,
                         size_t chunksize, int ordered, rt_value **results);

/* pool_manager.c: the manager thread's body. */
void *rt__pool_manager(void *arg);

/* pool_future.c.  Locking: all need p->lock held unless said. */
/* A batch of n items, with `extra` bytes for an encoded argument, filing
 * results in `results` (the caller's, may be NULL: the batch's own).  No
 * lock needed; NULL on ENOMEM. */
rt__batch *rt__batch_new(rt_pool *p, const char *task, size_t n, size_t chunksize,
                         size_t extra, rt_value **results, int ordered);
void rt__batch_resolve(rt__batch *b, size_t i, int rc, rt_value *result,
                       const char *msg);
void rt__batch_unref(rt__batch *b); /* may free b (and drop its pool ref) */
/* Fails every item of b not yet sent with rc and msg; returns how many. */
size_t rt__batch_fail_unsent(rt__batch *b, int rc, const char *msg);
/* Waits on p->cond until pred(b) or the deadline (0 = none); releases the
 * GIL if the caller holds it.  Returns 0 or -ETIMEDOUT. */
int rt__pool_wait(rt_pool *p, int (*pred)(const rt__batch *b), const rt__batch *b,
                  uint64_t deadline_ns);
/* Fails everything pending in the pool (queue and in flight) with msg. */
void rt__pool_fail_all(rt_pool *p, int rc, const char *msg);

/* pool_future.c, for the event loop's bridge (loop_pool.c): the analogue
 * of concurrent.futures.Future.add_done_callback.  Both take the pool lock
 * themselves.
 *
 * rt__pool_future_on_done arranges fn(arg, rc) to be called once f is
 * resolved, with its rc, on whichever thread resolves it (the manager, or a
 * thread cancelling or shutting down), with the pool lock held: fn must be
 * short and must not call into the pool.  Returns 1 if armed; 0 if f is
 * resolved already (*rc is its rc; fn is not armed); -EBUSY if a callback
 * is armed already.  rt__pool_future_disarm returns 1 if a callback was
 * armed (it will never run now), 0 if it has run or none was armed. */
int rt__pool_future_on_done(rt_pool_future *f, void (*fn)(void *arg, int rc), void *arg,
                            int *rc);
int rt__pool_future_disarm(rt_pool_future *f);

/* pool_worker.c */
rt_pool_fn rt__pool_fn_lookup(const char *name, size_t len); /* NULL if none */
int rt__pool_in_worker(void); /* nonzero inside a pool worker */
/* Runs the worker loop on socket fd; returns the exit status. */
int rt__pool_worker_main(int fd, int index);

/* Buffers (pool_worker.c).  rt__buf_reserve makes room for n more bytes;
 * returns 0 or -ENOMEM. */
int rt__buf_reserve(rt__buf *b, size_t n);
void rt__buf_free(rt__buf *b);
/* Moves unconsumed bytes to the front (call when off is large). */
void rt__buf_compact(rt__buf *b);

static inline void rt__put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static inline uint32_t rt__get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline void rt__put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}
static inline uint64_t rt__get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#endif /* RT_POOL_INTERNAL_H */
