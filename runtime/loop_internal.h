/*
 * loop_internal.h - what the event loop's files share (not a public header).
 *
 *   loop.c       the loop itself: life, the ready queue, timers, one
 *                iteration, the door for other threads
 *   loop_core.c  the built-in core: timer heap, ring buffer, epoll
 *   loop_task.c  tasks, futures, gather, cancellation, timeouts
 *   loop_io.c    tasks waiting on file descriptors
 *   loop_pool.c  tasks waiting on a process pool's future
 *
 * A task has two faces.  A task body sees `rt_task` (rt_loop.h): the three
 * fields the RT_ macros need.  The runtime sees `rt__task`, which begins
 * with that public part and carries everything else; rt__task_of() turns
 * one into the other (a cast: `pub` is the first member).
 *
 * Locking rule: everything here is for the loop's own thread, except
 * rt__call_soon_threadsafe_node and what loop_pool.c's comments say.
 */
#ifndef RT_LOOP_INTERNAL_H
#define RT_LOOP_INTERNAL_H

#include "rt_internal.h" /* rt__fatal */
#include "rt_loop.h"

#include <pthread.h>
#include <stdatomic.h>

enum { RT__T_READY = 1, RT__T_RUNNING, RT__T_WAITING, RT__T_DONE };
enum { RT__W_NONE, RT__W_SLEEP, RT__W_FUTURE, RT__W_GATHER, RT__W_IO, RT__W_POOL };

typedef struct rt__task rt__task;
typedef struct rt__waiter rt__waiter;
typedef struct rt__gather rt__gather;
typedef struct rt__bridge rt__bridge;

struct rt__waiter { /* one entry of a future's waiter list */
    rt__waiter *next;
    void (*fn)(void *arg, long value);
    void *arg;
};

struct rt__task {
    rt_task pub; /* what rt_loop.h shows: must stay the first member */
    rt_task_fn fn;
    rt_loop *loop;
    rt__task *prev, *next; /* the loop's list of unfinished tasks */
    rt_future done;        /* set with the task's result when it ends */
    rt__waiter waiter;     /* this task in a future's waiter list */
    union {                /* what the task waits on, by `wait` */
        rt_timer *timer;
        rt_future *future;
        rt__gather *gather;
        rt__bridge *bridge; /* loop_pool.c */
        struct {
            int fd, op;
            void *buf;
            size_t len;
        } io;
    } on;
    rt_timer *timeout; /* rt_timeout_set's timer, or NULL */
    int16_t cancel_rc; /* pending cancellation (-ECANCELED, -ETIMEDOUT) or 0 */
    uint16_t refs;     /* the loop's (until done) + the spawner's */
    uint8_t state;     /* RT__T_* */
    uint8_t wait;      /* RT__W_* */
    uint8_t mark;      /* scratch for rt_async_gather (a task listed twice) */
    uint64_t frame[];  /* the frame, copied in by rt_spawn (8-byte aligned) */
};

/* The runtime's side of a task body's `rt_task *`. */
static inline rt__task *rt__task_of(rt_task *t)
{
    return (rt__task *)t;
}

struct rt_timer { /* a timer that can be cancelled (loop.c) */
    rt_callback cb;
    void *arg;
    atomic_uint refs;  /* the loop's (until run or discarded) + a holder's;
                          atomic: a holder may release from any thread */
    uint8_t cancelled; /* set by rt__timer_cancel; the entry is skipped */
    uint8_t in_heap;   /* still in the heap (counts towards compaction) */
    uint8_t ran;       /* its callback has been called */
};

/* A call queued from another thread (rt_call_soon_threadsafe).  The loop
 * runs cb(l, arg) on its own thread.  `drop` says who owns the node: NULL
 * for rt_call_soon_threadsafe's own (malloc'd, freed by the loop once
 * queued); otherwise the node is embedded in its owner's memory, the loop
 * never frees it, and calls drop(node) instead of cb if the loop closes
 * before running it. */
typedef struct rt__tscall {
    struct rt__tscall *next;
    rt_callback cb;
    void *arg;
    void (*drop)(struct rt__tscall *c);
} rt__tscall;

#define RT__LOOP_EVENTS 256
struct rt__fdw; /* loop_io.c: who waits on one fd */

struct rt_loop {
    const rt_loop_core_ops *core;
    void *cs;  /* the core's state */
    int state; /* RT__L_* (loop.c) */
    int stop;
    rt__task *current; /* the task being stepped, or NULL */
    rt__task *tasks;   /* unfinished tasks */
    uint32_t next_id;
    uint64_t timer_seq;
    size_t timers_cancelled; /* cancelled entries still in the heap */
    struct rt__fdw *fds;     /* indexed by fd */
    int nfds;
    int wake_fd; /* eventfd for rt_call_soon_threadsafe */
    pthread_mutex_t ts_lock;
    rt__tscall *ts_head, *ts_tail; /* under ts_lock */
    int ts_closed;                 /* under ts_lock */
    atomic_int ts_count;           /* calls queued, for a lock-free peek */
    atomic_int ts_wake;            /* an eventfd write is pending */
    rt_loop_stats stats;
    rt_io_event events[RT__LOOP_EVENTS];
};

/* loop.c */
void rt__ready(rt_loop *l, rt_callback cb, void *arg);
rt_timer *rt__timer_add(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg);
void rt__timer_cancel(rt_loop *l, rt_timer *tm);
/* Queues a caller-owned node (c->drop set) from any thread.  Returns 0, or
 * -ESHUTDOWN if the loop is closed (the node stays the caller's).  Never
 * allocates, so it cannot fail for want of memory. */
int rt__call_soon_threadsafe_node(rt_loop *l, rt__tscall *c);

/* loop_task.c.  rt__task_end (RT_END) is declared in rt_loop.h. */
void rt__task_wake(rt__task *t, long outcome);
int rt__await_begin(rt__task *t);
void rt__task_suspend(rt__task *t, int wait);
void rt__tasks_close(rt_loop *l);

/* loop_io.c */
void rt__io_dispatch(rt_loop *l, const rt_io_event *ev, int n);
void rt__io_forget(rt__task *t);
void rt__io_close(rt_loop *l);

/* loop_pool.c: a cancelled or closed task stops awaiting its pool future. */
void rt__pool_wait_forget(rt__task *t);

#endif /* RT_LOOP_INTERNAL_H */
