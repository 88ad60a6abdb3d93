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
 * names beginning `rt__` are internal.  Locking rule: every function here is
 * for the loop's own thread (the one inside rt_loop_run), except those marked
 * "any thread".  The loop thread holds the GIL while it runs callbacks and
 * tasks and lets go of it only while it blocks in the kernel.
 */
#ifndef RT_LOOP_H
#define RT_LOOP_H

#include "rt.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rt_loop rt_loop;
typedef struct rt_task rt_task;
typedef struct rt_timer rt_timer;
typedef struct rt_future rt_future;
typedef struct rt__waiter rt__waiter;
typedef struct rt__gather rt__gather;

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
rt_loop *rt_loop_new(const rt_loop_core_ops *core);

/* Runs the loop until nothing is left to do: no ready callback, no live
 * timer, no fd waited on and no unfinished task.  A task waiting on a future
 * counts as something to do (another thread may set it through
 * rt_call_soon_threadsafe), so a task waiting for ever keeps the loop
 * blocked for ever, as in asyncio.  Returns 0, -ESHUTDOWN if the loop is
 * closed, -EBUSY if it is already running, or the readiness wait's error. */
int rt_loop_run(rt_loop *l);
/* Runs the loop until `task` is done (asyncio's run_until_complete). */
int rt_loop_run_until(rt_loop *l, rt_task *task);
/* Asks a running loop to return after the current iteration. */
void rt_loop_stop(rt_loop *l);

/* Closes the loop: every unfinished task ends cancelled (-ECANCELED)
 * without running again, pending callbacks and timers are dropped, the
 * kernel objects are closed.  Task and timer handles the caller still holds
 * stay valid for rt_task_result() / rt_task_release() / rt_timer_release().
 * Returns 0, or -EBUSY from inside rt_loop_run.  Closing twice is harmless. */
int rt_loop_close(rt_loop *l);
/* Closes the loop if needed and frees it. */
void rt_loop_free(rt_loop *l);

/* The loop's clock: rt_now_ns(), the monotonic clock every deadline uses. */
uint64_t rt_loop_now(const rt_loop *l);

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
void rt_loop_stats_get(const rt_loop *l, rt_loop_stats *out);

/* ------------------------------------------------------------------ */
/* Callbacks and timers                                                */
/* ------------------------------------------------------------------ */

/* Queues cb(l, arg) to run on the next iteration (asyncio's call_soon).
 * Callbacks run in the order queued.  Returns 0, -ENOMEM or -ESHUTDOWN. */
int rt_call_soon(rt_loop *l, rt_callback cb, void *arg);

/* Queues cb(l, arg) from any thread (call_soon_threadsafe) and wakes the
 * loop if it is blocked (an eventfd write).  The loop runs it on its own
 * thread; callbacks from one thread keep their order.  Returns 0, -ENOMEM,
 * or -ESHUTDOWN if the loop is closed.  Any thread, attached or not. */
int rt_call_soon_threadsafe(rt_loop *l, rt_callback cb, void *arg);

/* Runs cb(l, arg) once `delay_ns` has passed (call_later), or at the
 * absolute rt_now_ns() time `deadline_ns` (call_at).  Timers with the same
 * deadline fire in the order they were scheduled.  If `handle` is not NULL,
 * *handle receives a reference the caller owns: pass it to exactly one of
 * rt_timer_cancel() or rt_timer_release().  Returns 0, -ENOMEM, -ESHUTDOWN. */
int rt_call_later(rt_loop *l, uint64_t delay_ns, rt_callback cb, void *arg,
                  rt_timer **handle);
int rt_call_at(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg,
               rt_timer **handle);

/* Cancels the timer if it has not run yet (0) or reports it already ran
 * (-EALREADY); either way the caller's reference is given up.  The timer
 * leaves the heap lazily (see loop.c). */
int rt_timer_cancel(rt_loop *l, rt_timer *h);
/* Gives up the caller's reference and lets the timer fire.  Any thread. */
void rt_timer_release(rt_timer *h);

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
    long value;          /* read-only: the result, valid once done */
    int done;            /* read-only */
    rt__waiter *waiters; /* private: who to wake when it is set */
};

struct rt__waiter { /* private: one entry of a future's waiter list */
    rt__waiter *next;
    void (*fn)(void *arg, long value);
    void *arg;
};

struct rt_task {
    long awaited;  /* read-only: outcome of the last RT_AWAIT (see below) */
    int resume_at; /* private to the RT_ macros: 0 = from the top */
    uint32_t id;   /* read-only: 1, 2, ... in spawn order (trace lane arg) */
    /* private: */
    rt_task_fn fn;
    rt_loop *loop;
    rt_task *prev, *next; /* the loop's list of unfinished tasks */
    rt_future done;       /* set with the task's result when it ends */
    rt__waiter waiter;    /* this task in a future's waiter list */
    union {               /* what the task waits on, by `wait` */
        rt_timer *timer;
        rt_future *future;
        rt__gather *gather;
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

/* Creates a task running fn with a frame of `frame_size` bytes, copied
 * from `frame` (NULL: zeroed), and queues its first step.  The frame is
 * aligned for pointers, 64-bit integers and doubles (8 bytes), not for
 * long double or SIMD types: 16-byte alignment would cost every task 16
 * bytes, and a task's locals rarely need it.  Returns the task,
 * holding a reference the caller owns (release it with rt_task_release, any
 * time: the task runs on regardless), or NULL with errno set (ENOMEM,
 * ESHUTDOWN for a closed loop). */
rt_task *rt_spawn(rt_loop *l, rt_task_fn fn, const void *frame, size_t frame_size);
/* Gives up the caller's reference; the task is freed once it is done too. */
void rt_task_release(rt_task *t);

/* The task's frame (what rt_spawn copied in). */
static inline void *rt_frame(rt_task *t)
{
    return t->frame;
}

/* Asks the task to stop: it sees `-ECANCELED` as the outcome of the await
 * it is suspended at (or of its next await, if it cancels itself), and
 * decides what to do with it, as a coroutine may catch CancelledError.  A
 * task cancelled before its first step ends without running.  Cancelling a
 * task in gather also cancels the tasks it gathers.  Returns 0, or -EALREADY
 * if the task is done. */
int rt_task_cancel(rt_task *t);

int rt_task_done(const rt_task *t);         /* nonzero once it has ended */
long rt_task_result(const rt_task *t);      /* its result; -EAGAIN if not done */
rt_task *rt_task_current(const rt_loop *l); /* the running task or NULL */

/* Timeouts (asyncio.timeout): after `ns`, the task is cancelled with
 * -ETIMEDOUT instead of -ECANCELED, so the await it is at returns
 * -ETIMEDOUT.  Setting again replaces the deadline; clear it when the
 * guarded awaits are over.  Returns 0 or -ENOMEM. */
int rt_timeout_set(rt_task *t, uint64_t ns);
void rt_timeout_clear(rt_task *t);

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

#define RT_RETURN(t, value) return rt__task_end((t), (value))

#define RT_END(t, value)                                                               \
    }                                                                                  \
    return rt__task_end((t), (value))

int rt_async_yield(rt_task *t);                /* asyncio.sleep(0) */
int rt_async_sleep(rt_task *t, uint64_t ns);   /* asyncio.sleep(ns / 1e9) */
int rt_async_join(rt_task *t, rt_task *other); /* await other; its result */
int rt_async_future(rt_task *t, rt_future *f); /* await f; its value */
/* asyncio.gather: waits until every task in tasks[0..n) is done (the array
 * must stay valid meanwhile: keep it in the frame).  Outcome: 0, or the
 * first negative result a task ended with (as soon as it ends; the others
 * run on).  Each result: rt_task_result(tasks[i]).  If the waiting task is
 * cancelled, the unfinished gathered tasks are cancelled too. */
int rt_async_gather(rt_task *t, rt_task **tasks, size_t n);

/* Readiness: wait until fd is readable / writable (or has an error or hung
 * up).  One reader and one writer per fd at a time (-EBUSY otherwise); a bad
 * fd gives -EBADF, one epoll cannot watch (a regular file) -EPERM. */
int rt_async_readable(rt_task *t, int fd);
int rt_async_writable(rt_task *t, int fd);
/* read(2) / write(2) that wait for readiness first if they must: outcome
 * is the byte count or a negative errno.  `fd` must be O_NONBLOCK; `buf`
 * must stay valid until the await returns (keep it in the frame). */
int rt_async_read(rt_task *t, int fd, void *buf, size_t len);
int rt_async_write(rt_task *t, int fd, const void *buf, size_t len);

void rt_future_init(rt_future *f);
/* Sets the value (negative: an error) and wakes every task awaiting it.
 * Returns 0, or -EALREADY if it was set before. */
int rt_future_set(rt_future *f, long value);

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
extern const rt_loop_core_ops rt_loop_core_builtin;

/* ------------------------------------------------------------------ */
/* Internal: shared by runtime/loop*.c; not for exercises               */
/* ------------------------------------------------------------------ */

enum { RT__T_READY = 1, RT__T_RUNNING, RT__T_WAITING, RT__T_DONE };
enum { RT__W_NONE, RT__W_SLEEP, RT__W_FUTURE, RT__W_GATHER, RT__W_IO };

struct rt_timer { /* private: a timer that can be cancelled (loop.c) */
    rt_callback cb;
    void *arg;
    atomic_uint refs;  /* the loop's (until run or discarded) + a holder's;
                          atomic: a holder may release from any thread */
    uint8_t cancelled; /* set by rt__timer_cancel; the entry is skipped */
    uint8_t in_heap;   /* still in the heap (counts towards compaction) */
    uint8_t ran;       /* its callback has been called */
};

#define RT__LOOP_EVENTS 256
struct rt__fdw; /* loop_io.c: who waits on one fd */
struct rt__tscall;

struct rt_loop { /* private */
    const rt_loop_core_ops *core;
    void *cs;  /* the core's state */
    int state; /* RT__L_* (loop.c) */
    int stop;
    rt_task *current; /* the task being stepped, or NULL */
    rt_task *tasks;   /* unfinished tasks */
    uint32_t next_id;
    uint64_t timer_seq;
    size_t timers_cancelled; /* cancelled entries still in the heap */
    struct rt__fdw *fds;     /* indexed by fd */
    int nfds;
    int wake_fd; /* eventfd for rt_call_soon_threadsafe */
    pthread_mutex_t ts_lock;
    struct rt__tscall *ts_head, *ts_tail; /* under ts_lock */
    int ts_closed;                        /* under ts_lock */
    atomic_int ts_count;                  /* calls queued, for a lock-free peek */
    atomic_int ts_wake;                   /* an eventfd write is pending */
    rt_loop_stats stats;
    rt_io_event events[RT__LOOP_EVENTS];
};

int rt__task_end(rt_task *t, long result);
void rt__task_wake(rt_task *t, long outcome);
int rt__await_begin(rt_task *t);
void rt__task_suspend(rt_task *t, int wait);
void rt__tasks_close(rt_loop *l);
void rt__ready(rt_loop *l, rt_callback cb, void *arg);
rt_timer *rt__timer_add(rt_loop *l, uint64_t deadline_ns, rt_callback cb, void *arg);
void rt__timer_cancel(rt_loop *l, rt_timer *tm);
void rt__io_dispatch(rt_loop *l, const rt_io_event *ev, int n);
void rt__io_forget(rt_task *t);
void rt__io_close(rt_loop *l);

#ifdef __cplusplus
}
#endif
#endif /* RT_LOOP_H */
