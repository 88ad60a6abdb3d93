/*
 * rt_loop.h - the runtime's event loop (asyncio's model): public API.
 *
 * One thread juggles many waits.  The loop keeps three things: a ready
 * queue of callbacks to run now, a heap of timers ordered by (deadline,
 * sequence), and a set of file descriptors it asks the kernel about
 * (epoll).  Each turn of the loop ("iteration") waits for the earliest of
 * "an fd is ready" and "the first timer is due", moves what became due into
 * the ready queue, and runs the callbacks that were ready when the turn
 * began.  Everything else - tasks, sleeps, futures, gather, timeouts - is
 * built from those three pieces.  loop.c opens with the longer story.
 *
 * Tasks are stackless, like Python's coroutines: a task is a function plus a
 * heap-allocated frame.  The function runs from the top, or from where it
 * last stopped, until it awaits something it cannot have yet; then it
 * returns to the loop, and the loop calls it again when the awaited thing is
 * done.  Only the frame survives between calls, so every variable a task
 * needs after an await lives in its frame, never in a C local:
 *
 *     struct sleeper { long ms; int id; };      // the frame: args + kept locals
 *
 *     static int sleeper(rt_task *t)
 *     {
 *         struct sleeper *f = rt_frame(t);
 *         RT_BEGIN(t);
 *         RT_AWAIT(t, rt_async_sleep(t, f->ms * 1000000));
 *         if (t->awaited < 0)                   // -ECANCELED, -ETIMEDOUT, ...
 *             RT_RETURN(t, t->awaited);
 *         printf("task %d woke\n", f->id);
 *         RT_END(t, f->id);                     // the task's result
 *     }
 *
 *     struct sleeper a = {20, 1};
 *     rt_task *ta = rt_spawn(loop, sleeper, &a, sizeof a);  // frame copied
 *     rt_loop_run_until(loop, ta);
 *     long result = rt_task_result(ta);         // 1
 *     rt_task_release(ta);
 *
 * RT_BEGIN/RT_AWAIT/RT_END are a `switch` on t->resume_at (Simon Tatham's
 * "coroutines in C", as in Contiki's protothreads): RT_AWAIT stores its line
 * number and returns RT_SUSPENDED; the next call jumps straight back to that
 * line.  Limits that follow: at most one RT_AWAIT per source line, no
 * RT_AWAIT inside a `switch` of your own, and C locals are garbage after an
 * await (keep them in the frame).
 *
 * Conventions are rt.h's: 0 or a count on success, negative errno on error;
 * names beginning `rt__` are internal (the one function RT_END needs is
 * declared here, with why).  Locking rule: every function here is
 * for the loop's own thread (the one inside rt_loop_run), except those marked
 * "any thread".  The loop thread holds the GIL while it runs callbacks and
 * tasks and lets go of it only while it blocks in the kernel.
 */
#ifndef RT_LOOP_H
#define RT_LOOP_H

#include "rt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_loop rt_loop;
typedef struct rt_task rt_task;
typedef struct rt_timer rt_timer;
typedef struct rt_future rt_future;
typedef struct rt_pool_future rt_pool_future; /* the process pool's (rt_pool.h) */

/* A callback in the ready queue or on a timer. */
typedef void (*rt_callback)(rt_loop *l, void *arg);

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

typedef struct rt_loop_core_ops rt_loop_core_ops;

/* Creates a loop on the given core (NULL: the built-in one, see the end of
 * this header).  Returns NULL with errno set (ENOMEM, EMFILE, ...).  Free
 * with rt_loop_free().  Any thread; the loop then belongs to the thread that
 * runs it. */
RT_API rt_loop *rt_loop_new(const rt_loop_core_ops *core);

/* Runs the loop until nothing is left to do: no ready callback, no live
 * timer, no fd waited on and no unfinished task.  A task waiting on a future
 * counts as something to do (another thread may set it through
 * rt_call_soon_threadsafe), so a task waiting for ever keeps the loop
 * blocked for ever, as in asyncio.  Returns 0, -ESHUTDOWN if the loop is
 * closed, -EBUSY if it is already running, or the readiness wait's error. */
RT_API int rt_loop_run(rt_loop *l);
/* Runs the loop until `task` is done (asyncio's run_until_complete). */
RT_API int rt_loop_run_until(rt_loop *l, rt_task *task);
/* Asks a running loop to return after the current iteration. */
RT_API void rt_loop_stop(rt_loop *l);

/* Closes the loop: every unfinished task ends cancelled (-ECANCELED)
 * without running again, pending callbacks and timers are dropped, the
 * kernel objects are closed.  Task and timer handles the caller still holds
 * stay valid for rt_task_result() / rt_task_release() / rt_timer_release().
 * Returns 0, or -EBUSY from inside rt_loop_run.  Closing twice is harmless. */
RT_API int rt_loop_close(rt_loop *l);
/* Closes the loop if needed and frees it. */
RT_API void rt_loop_free(rt_loop *l);

/* The loop's clock: rt_now_ns(), the monotonic clock every deadline uses. */
RT_API uint64_t rt_loop_now(const rt_loop *l);

/* The evidence (the grader reads it): all counts since rt_loop_new. */
typedef struct rt_loop_stats {
    uint64_t iterations;        /* turns of the loop */
    uint64_t polls;             /* readiness waits (epoll_wait calls) */
    uint64_t polls_blocking;    /* ... of them with a timeout other than 0 */
    uint64_t polls_interrupted; /* ... that returned EINTR (and were retried) */
    uint64_t callbacks;         /* ready-queue entries run (steps included) */
    uint64_t switches;          /* task steps: a task resumed by the loop */
    uint64_t tasks_created;
    uint64_t tasks_done;
    uint64_t timers_fired;     /* timers that came due (sleeps included) */
    uint64_t timers_cancelled; /* timers cancelled before they fired */
    uint64_t heap_rebuilds;    /* lazy-cancellation clean-ups of the heap */
    uint64_t threadsafe_calls; /* rt_call_soon_threadsafe callbacks run */
    size_t waiting;            /* tasks suspended on a wait now */
    size_t max_waiting;        /* most at once: "did the waits overlap?" */
    size_t fds_waiting;        /* tasks waiting on an fd now */
    size_t max_fds_waiting;    /* most at once */
    size_t max_timers;         /* most timers in the heap at once */
} rt_loop_stats;

/* Copies the counters into *out. */
RT_API void rt_loop_stats_get(const rt_loop *l, rt_loop_stats *out);

/* ------------------------------------------------------------------ */
/* Callbacks and timers                                                */
/* ------------------------------------------------------------------ */

/* Queues cb(l, arg) to run on the next iteration (asyncio's call_soon).
 * Callbacks run in the order queued.  Returns 0, -ENOMEM or -ESHUTDOWN. */
RT_API int rt_call_soon(rt_loop *l, rt_callback cb, void *arg);

/* Queues cb(l, arg) from any thread (call_soon_threadsafe) and wakes the
 * loop if it is blocked (an eventfd write).  The loop runs it on its own
 * thread; callbacks from one thread keep their order.  Returns 0, -ENOMEM,
 * or -ESHUTDOWN if the loop is closed.  Any thread, attached or not. */
RT_API int rt_call_soon_threadsafe(rt_loop *l, rt_callback cb, void *arg);

/* Runs cb(l, arg) once `delay_ns` has passed (call_later), or at the
 * absolute rt_now_ns() time `deadline_ns` (call_at).  Timers with the same
 * deadline fire in the order they were scheduled.  If `handle` is not NULL,
 * *handle receives a reference the caller owns: pass it to exactly one of
 * rt_timer_cancel() or rt_timer_release().  Returns 0, -ENOMEM, -ESHUTDOWN. */
RT_API int rt_call_later(rt_loop *l, uint64_t delay_ns, rt_callback cb, void *arg,
                         rt_timer **handle);
RT_API int rt_call_at(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg,
                      rt_timer **handle);

/* Cancels the timer if it has not run yet (0) or reports it already ran
 * (-EALREADY); either way the caller's reference is given up.  The timer
 * leaves the heap lazily (see loop.c). */
RT_API int rt_timer_cancel(rt_loop *l, rt_timer *h);
/* Gives up the caller's reference and lets the timer fire.  Any thread. */
RT_API void rt_timer_release(rt_timer *h);

/* ------------------------------------------------------------------ */
/* Tasks                                                               */
/* ------------------------------------------------------------------ */

/* A task's body.  Returns RT_SUSPENDED when it awaits (through RT_AWAIT)
 * and RT_DONE when it ends (through RT_END / RT_RETURN). */
typedef int (*rt_task_fn)(rt_task *t);
enum { RT_DONE = 0, RT_SUSPENDED = 1 };

/* A future: a value that will exist later (asyncio.Future).  Caller-owned
 * memory (it may live in a task's frame); initialise with rt_future_init.
 * It must not be freed while a task waits on it. */
struct rt_future {
    long value;                 /* read-only: the result, valid once done */
    int done;                   /* read-only */
    struct rt__waiter *waiters; /* private: who to wake when it is set */
};

/* A task, as a task body sees it.  Only the fields the RT_ macros use are
 * shown; the rest of the task (its function, its loop, what it waits on,
 * its frame) is the runtime's own (runtime/loop_internal.h).  Tasks are
 * made by rt_spawn, never by the caller. */
struct rt_task {
    long awaited;  /* read-only: outcome of the last RT_AWAIT (see below) */
    int resume_at; /* private: RT_AWAIT's resume point, 0 = from the top */
    uint32_t id;   /* read-only: 1, 2, ... in spawn order (trace lane arg) */
};

/* Creates a task running fn with a frame of `frame_size` bytes, copied
 * from `frame` (NULL: zeroed), and queues its first step.  The frame is
 * aligned for pointers, 64-bit integers and doubles (8 bytes), not for
 * long double or SIMD types: 16-byte alignment would cost every task 16
 * bytes, and a task's locals rarely need it.  Returns the task,
 * holding a reference the caller owns (release it with rt_task_release, any
 * time: the task runs on regardless), or NULL with errno set (ENOMEM,
 * ESHUTDOWN for a closed loop). */
RT_API rt_task *rt_spawn(rt_loop *l, rt_task_fn fn, const void *frame,
                         size_t frame_size);
/* Gives up the caller's reference; the task is freed once it is done too. */
RT_API void rt_task_release(rt_task *t);

/* The task's frame (what rt_spawn copied in; 8-byte aligned). */
RT_API void *rt_frame(rt_task *t);
/* The loop the task runs on (asyncio's Task.get_loop()). */
RT_API rt_loop *rt_task_loop(const rt_task *t);

/* Asks the task to stop: it sees `-ECANCELED` as the outcome of the await
 * it is suspended at (or of its next await, if it cancels itself), and
 * decides what to do with it, as a coroutine may catch CancelledError.  A
 * task cancelled before its first step ends without running.  Cancelling a
 * task in gather also cancels the tasks it gathers.  Returns 0, or -EALREADY
 * if the task is done. */
RT_API int rt_task_cancel(rt_task *t);

RT_API int rt_task_done(const rt_task *t);         /* nonzero once it has ended */
RT_API long rt_task_result(const rt_task *t);      /* its result; -EAGAIN if not done */
RT_API rt_task *rt_task_current(const rt_loop *l); /* the running task or NULL */

/* Timeouts (asyncio.timeout): after `ns`, the task is cancelled with
 * -ETIMEDOUT instead of -ECANCELED, so the await it is at returns
 * -ETIMEDOUT.  Setting again replaces the deadline; clear it when the
 * guarded awaits are over.  Returns 0 or -ENOMEM. */
RT_API int rt_timeout_set(rt_task *t, uint64_t ns);
RT_API void rt_timeout_clear(rt_task *t);

/* ------------------------------------------------------------------ */
/* Awaiting                                                            */
/* ------------------------------------------------------------------ */

/* Inside a task body, between RT_BEGIN(t) and RT_END(t, result):
 *
 *   RT_AWAIT(t, op)   runs an rt_async_* op; if it must wait, the task
 *                     returns to the loop and resumes on this line later.
 *                     Afterwards t->awaited holds the outcome: 0 or a value
 *                     (bytes read, the awaited task's result) on success,
 *                     or a negative errno (-ECANCELED, -ETIMEDOUT, -EBADF..).
 *   RT_RETURN(t, v)   ends the task now with result v.
 *
 * The rt_async_* ops return RT_SUSPENDED (the task now waits), or 0 after
 * setting t->awaited (done at once: a timer of 0 is still a wait, but a done
 * future, a read with data already there or an error is not).  Called for a
 * task that is not the one running, they change nothing and return -EPERM:
 * that is "awaiting outside a task", which RT_AWAIT stores in t->awaited. */
#if defined(__has_attribute)
#if __has_attribute(fallthrough)
#define RT__FALLTHROUGH __attribute__((fallthrough))
#endif
#endif
#ifndef RT__FALLTHROUGH
#define RT__FALLTHROUGH ((void)0)
#endif

#define RT_BEGIN(t)                                                                    \
    switch ((t)->resume_at) {                                                          \
    case 0:

#define RT_AWAIT(t, op)                                                                \
    do {                                                                               \
        (t)->resume_at = __LINE__;                                                     \
        int rt__rc = (op);                                                             \
        if (rt__rc == RT_SUSPENDED)                                                    \
            return RT_SUSPENDED;                                                       \
        if (rt__rc < 0)                                                                \
            (t)->awaited = rt__rc;                                                     \
        RT__FALLTHROUGH;                                                               \
    case __LINE__:;                                                                    \
    } while (0)

/* Ends the running task with `value`: what RT_RETURN and RT_END expand to,
 * so it is exported (the one `rt__` symbol of this header).  Called for a
 * task that is not the running one, it is a fatal error ("rt: fatal: ..."),
 * never a corrupted loop. */
RT_API int rt__task_end(rt_task *t, long result);

#define RT_RETURN(t, value) return rt__task_end((t), (value))

#define RT_END(t, value)                                                               \
    }                                                                                  \
    return rt__task_end((t), (value))

RT_API int rt_async_yield(rt_task *t);                /* asyncio.sleep(0) */
RT_API int rt_async_sleep(rt_task *t, uint64_t ns);   /* asyncio.sleep(ns / 1e9) */
RT_API int rt_async_join(rt_task *t, rt_task *other); /* await other; its result */
RT_API int rt_async_future(rt_task *t, rt_future *f); /* await f; its value */
/* Awaits a process pool's future without blocking the loop: asyncio's
 *     await loop.run_in_executor(pool, fn, arg)
 * is rt_pool_submit() then RT_AWAIT(t, rt_async_pool_future(t, pf)).  The
 * outcome is pf's: 0 once its result is in (take it with
 * rt_pool_future_result(pf, 0, &v), which no longer waits), or its negative
 * errno.  The loop thread keeps running other tasks meanwhile; the pool's
 * thread wakes it through the loop's eventfd, as call_soon_threadsafe does.
 * Contract: one task at a time awaits a given pf (-EBUSY otherwise), and pf
 * is not freed while it does (freeing it is a fatal error).  Cancelling the
 * task (or closing the loop) stops the wait and, as asyncio's wrap_future
 * does, cancels pf if no worker has it yet. */
RT_API int rt_async_pool_future(rt_task *t, rt_pool_future *pf);
/* asyncio.gather: waits until every task in tasks[0..n) is done (the array
 * must stay valid meanwhile: keep it in the frame).  Outcome: 0, or the
 * first negative result a task ended with (as soon as it ends; the others
 * run on).  Each result: rt_task_result(tasks[i]).  If the waiting task is
 * cancelled, the unfinished gathered tasks are cancelled too. */
RT_API int rt_async_gather(rt_task *t, rt_task **tasks, size_t n);

/* Readiness: wait until fd is readable / writable (or has an error or hung
 * up).  One reader and one writer per fd at a time (-EBUSY otherwise); a bad
 * fd gives -EBADF, one epoll cannot watch (a regular file) -EPERM. */
RT_API int rt_async_readable(rt_task *t, int fd);
RT_API int rt_async_writable(rt_task *t, int fd);
/* read(2) / write(2) that wait for readiness first if they must: outcome
 * is the byte count or a negative errno.  `fd` must be O_NONBLOCK; `buf`
 * must stay valid until the await returns (keep it in the frame). */
RT_API int rt_async_read(rt_task *t, int fd, void *buf, size_t len);
RT_API int rt_async_write(rt_task *t, int fd, const void *buf, size_t len);

RT_API void rt_future_init(rt_future *f);
/* Sets the value (negative: an error) and wakes every task awaiting it.
 * Returns 0, or -EALREADY if it was set before. */
RT_API int rt_future_set(rt_future *f, long value);

/* ------------------------------------------------------------------ */
/* The loop core: exercise 07's slot                                   */
/* ------------------------------------------------------------------ */

/* The three data structures at the heart of the loop, behind a fixed
 * interface (as Redis's ae.c puts epoll/kqueue/select behind ae_*.c).  The
 * loop does all the bookkeeping - tasks, cancellation, counters - and asks
 * the core only to keep order and to wait.  Exercise 07 supplies its own
 * core; rt_loop_core_builtin is the reference.  `self` is what create()
 * returned; every op is called on the loop's thread only.
 *
 *   timer_push    add an entry; 0 or -ENOMEM.
 *   timer_peek    copy the entry with the smallest (deadline_ns, seq) into
 *                 *out and return 1, or return 0 if there is none.
 *   timer_pop     the same, and remove it.
 *   timer_count   how many entries there are (cancelled ones included).
 *   timer_compact optional (may be NULL): drop every entry for which
 *                 keep(entry, arg) returns 0 and restore the heap order; the
 *                 loop calls it when more than half the entries are
 *                 cancelled.  Without it cancelled entries wait their turn.
 *   ready_push    append (cb, arg) to the FIFO; 0 or -ENOMEM.
 *   ready_pop     remove the oldest into *cb, *arg and return 1; 0 if empty.
 *   ready_count   how many are queued.
 *   io_watch      change what the kernel watches fd for, from `old` to `new`
 *                 (RT_IO_READ | RT_IO_WRITE; 0 = stop watching); 0 or -errno.
 *   io_wait       wait up to timeout_ns (-1: no limit, 0: just look) for
 *                 readiness; write up to max events to out; return how many,
 *                 or -errno (-EINTR is fine: the loop tries again). */
enum { RT_IO_READ = 1, RT_IO_WRITE = 2, RT_IO_ERROR = 4 };

typedef struct rt_timer_entry {
    uint64_t deadline_ns; /* rt_now_ns() time it is due */
    uint64_t seq;         /* order of scheduling: breaks ties FIFO */
    rt_callback cb;       /* what to queue when it is due: the core */
    void *arg;            /*   only carries these two */
} rt_timer_entry;

typedef struct rt_io_event {
    int fd;
    unsigned events; /* RT_IO_READ | RT_IO_WRITE | RT_IO_ERROR */
} rt_io_event;

struct rt_loop_core_ops {
    const char *name;
    void *(*create)(void); /* NULL with errno set on failure */
    void (*destroy)(void *self);
    int (*timer_push)(void *self, const rt_timer_entry *e);
    int (*timer_peek)(void *self, rt_timer_entry *out);
    int (*timer_pop)(void *self, rt_timer_entry *out);
    size_t (*timer_count)(void *self);
    void (*timer_compact)(void *self, int (*keep)(const rt_timer_entry *, void *),
                          void *arg);
    int (*ready_push)(void *self, rt_callback cb, void *arg);
    int (*ready_pop)(void *self, rt_callback *cb, void **arg);
    size_t (*ready_count)(void *self);
    int (*io_watch)(void *self, int fd, unsigned old_events, unsigned new_events);
    int (*io_wait)(void *self, int64_t timeout_ns, rt_io_event *out, int max);
};

/* The built-in core: a 4-ary min-heap, a ring buffer, epoll. */
RT_API extern const rt_loop_core_ops rt_loop_core_builtin;

#ifdef __cplusplus
}
#endif
#endif /* RT_LOOP_H */
