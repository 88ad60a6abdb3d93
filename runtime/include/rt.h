/*
 * rt.h - the GIL Workbook mini-runtime: public API (threads, GIL, I/O).
 *
 * This header is everything a demo, an exercise or a test may touch of the
 * threaded runtime.  The event loop has rt_loop.h, the process pool
 * rt_pool.h, the values that cross to a pool worker rt_codec.h; all four
 * live in runtime/include/, the only runtime folder a program outside the
 * runtime sees.  Names beginning `rt__` are internal: the two below appear
 * here only because rt_checkpoint(), an inline function, needs them.
 *
 * What a program can link against.  The runtime archive exports exactly
 * the functions and variables marked RT_API in these four headers; every
 * other symbol of the runtime is local to the archive's one object, so a
 * program can neither call an internal function nor replace a runtime
 * module by defining its symbols (it gets "multiple definition" instead).
 * runtime/README.md explains how the archive is made.
 *
 * The model, in one paragraph.  Each runtime thread is a real OS thread (as
 * each Python thread is).  A thread runs "Python code" only while it holds
 * the GIL.  Python code calls rt_checkpoint() at its loop back-edges, as
 * CPython's interpreter checks its eval breaker at JUMP_BACKWARD; that is
 * where a thread asked to let go of the GIL does so.  Blocking calls
 * (rt_sleep_us, rt_read, rt_recv, ...) release the GIL while they wait, so
 * other threads run meanwhile.  Which algorithm the GIL uses is a policy
 * chosen at rt_init(): CPython 3.2+'s (the default), the pre-3.2 "ticks"
 * lock, none at all (free-threaded), or one supplied by an exercise.
 *
 * Conventions (libuv's):
 *   - functions that can fail return 0 or a positive count on success and a
 *     negative errno value (-EINVAL, -EAGAIN, ...) on failure;
 *   - misuse that would corrupt the model (releasing a GIL you do not hold,
 *     attaching a thread twice, ...) is a programming error: the runtime
 *     prints "rt: fatal: <what>" on stderr and aborts;
 *   - ownership is stated on each function ("caller frees").
 *
 * Locking rule: unless a function says otherwise, call it from an attached
 * thread that holds the GIL (the state every thread is in while running its
 * function).  Functions marked "any thread" need neither.
 */
#ifndef RT_H
#define RT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks what the runtime exports.  The runtime is compiled with
 * -fvisibility=hidden, so a function or variable without this mark stays
 * inside the runtime archive. */
#define RT_API __attribute__((visibility("default")))

/* ------------------------------------------------------------------ */
/* Configuration and life cycle                                        */
/* ------------------------------------------------------------------ */

typedef enum rt_gil_policy {
    RT_GIL_CPYTHON = 0, /* CPython 3.2+: interval, drop request, forced switch */
    RT_GIL_TICKS,       /* CPython < 3.2: drop and retake every N checkpoints */
    RT_GIL_NONE,        /* free-threaded: no GIL; the program must synchronise */
    RT_GIL_CUSTOM       /* an exercise's own GIL, through rt_config.custom_gil */
} rt_gil_policy;

typedef struct rt_tstate rt_tstate;   /* one per attached thread (opaque) */
typedef struct rt_gil_ops rt_gil_ops; /* a GIL implementation, see below */

typedef struct rt_config {
    rt_gil_policy policy;         /* public; default RT_GIL_CPYTHON */
    long switch_interval_us;      /* public; cpython/custom; 0 means 5000 */
    long ticks;                   /* public; ticks policy; 0 means 100 */
    const rt_gil_ops *custom_gil; /* public; required with RT_GIL_CUSTOM */
    size_t trace_events;          /* public; trace buffer size; 0 = no trace */
} rt_config;

/* Fills *cfg with the defaults (cpython policy, 5 ms, no trace).  Any thread. */
RT_API void rt_config_default(rt_config *cfg);

/* Parses a policy name ("cpython", "ticks", "none") into *out.
 * Returns 0, or -EINVAL for an unknown name.  Any thread. */
RT_API int rt_policy_parse(const char *name, rt_gil_policy *out);
RT_API const char *rt_policy_name(rt_gil_policy policy); /* any thread */

/* Starts the runtime and attaches the calling thread as "main", holding
 * the GIL.  `cfg` may be NULL for the defaults.  Environment overrides, so a
 * learner can re-run any demo under another policy without recompiling:
 * RT_GIL=cpython|ticks|none, RT_SWITCH_INTERVAL_US=N, RT_TRACE=N (events).
 * Returns 0, -EALREADY if running, -EINVAL for a bad config, -ENOMEM. */
RT_API int rt_init(const rt_config *cfg);

/* Stops the runtime.  Call from the main thread, holding the GIL, after
 * every rt_thread has been joined.  Frees the trace and the GIL. */
RT_API void rt_fini(void);

/* The policy and interval in force (read-only after rt_init). Any thread. */
RT_API rt_gil_policy rt_policy(void);
RT_API long rt_switch_interval_us(void);
/* Changes the switch interval (sys.setswitchinterval).  -EINVAL if <= 0. */
RT_API int rt_set_switch_interval_us(long us);

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

typedef struct rt_thread rt_thread; /* opaque; freed by rt_thread_join */

/* Starts a real OS thread that attaches to the runtime, takes the GIL and
 * runs fn(arg); when fn returns the thread drops the GIL and detaches.
 * Returns NULL with errno set on failure.  The name (may be NULL) labels the
 * thread's lane in traces; it is copied. */
RT_API rt_thread *rt_thread_start(void (*fn)(void *), void *arg);
RT_API rt_thread *rt_thread_start_named(const char *name, void (*fn)(void *),
                                        void *arg);

/* Waits for t to finish, releasing the GIL while waiting, and frees t.
 * Returns 0 or a negative errno. */
RT_API int rt_thread_join(rt_thread *t);

/* The kernel's id for t's OS thread (gettid()), valid once started: what
 * /proc/self/task lists.  Any thread. */
RT_API pid_t rt_thread_os_id(const rt_thread *t);

/* Attaches a thread the runtime did not start (PyGILState_Ensure): creates
 * its state and takes the GIL.  Attaching twice is a fatal error. */
RT_API void rt_attach(const char *name);
/* Drops the GIL and forgets the calling thread (PyGILState_Release). */
RT_API void rt_detach(void);

/* How many threads are attached now (main included).  Any thread. */
RT_API int rt_thread_count(void);

/* Call in the child right after fork() (PyOS_AfterFork_Child): only the
 * forking thread survives a fork, so the runtime forgets every other thread,
 * re-creates the GIL's locks, and leaves the caller attached as "main",
 * holding the GIL.  Counters and trace start empty. */
RT_API void rt_after_fork_child(void);

/* The calling thread's state, or NULL if not attached.  Any thread. */
RT_API rt_tstate *rt_current(void);
/* A small dense id (main = 0, then 1, 2, ... in attach order).  Any thread. */
RT_API int rt_tstate_id(const rt_tstate *ts);
/* Nonzero if the calling thread holds the GIL (always 1 under RT_GIL_NONE
 * while attached and not inside an allow-threads region).  Any thread. */
RT_API int rt_holds_gil(void);

/* ------------------------------------------------------------------ */
/* Running Python code                                                 */
/* ------------------------------------------------------------------ */

/* The eval breaker (CPython: ceval.eval_breaker).  Nonzero when the thread
 * holding the GIL should stop and look: a drop request, or the ticks
 * policy's countdown.  Internal: use rt_checkpoint().
 *
 * Exported only because rt_checkpoint() below is inline and must reach
 * them from the caller's code.  A program that touches them gains nothing
 * it could not get by calling rt_checkpoint() more often or never:
 * rt__handle_eval_breaker() called by hand is one more checkpoint (from a
 * thread that is not attached or does not hold the GIL it does nothing);
 * a breaker set by hand makes later checkpoints take the slow path until
 * the next drop request is cleared; one cleared by hand hides a drop
 * request as a loop without checkpoints would, until the waiter asks
 * again one switch interval later (under the ticks policy, whose breaker
 * is always set, it stops the countdown: again the same as never reaching
 * a checkpoint). */
RT_API extern atomic_int rt__eval_breaker;
RT_API void rt__handle_eval_breaker(void);

/* Call at every loop back-edge of "Python" code.  Costs one relaxed load
 * when nothing is pending; otherwise gives up the GIL if asked to. */
static inline void rt_checkpoint(void)
{
    if (atomic_load_explicit(&rt__eval_breaker, memory_order_relaxed))
        rt__handle_eval_breaker();
}

/* Runs n units of interpreter work: real integer arithmetic, with a
 * checkpoint every RT_BYTECODES_PER_CHECK units, as a Python loop checks at
 * each iteration.  Returns a value derived from the work so the compiler
 * cannot drop it.  Must be called holding the GIL (counted otherwise: see
 * rt_stats.bytecodes_unheld). */
#define RT_BYTECODES_PER_CHECK 8
RT_API uint64_t rt_bytecodes(uint64_t n);

/* How many rt_bytecodes units this machine runs per millisecond on one
 * uncontended core, measured once (about 20 ms) on first call.  Use it to
 * size work in time: rt_bytecodes(ms * rt_bytecodes_per_ms()). */
RT_API double rt_bytecodes_per_ms(void);

/* ------------------------------------------------------------------ */
/* Releasing the GIL: blocking calls and native code                   */
/* ------------------------------------------------------------------ */

/* PyEval_SaveThread / PyEval_RestoreThread.  Save drops the GIL and returns
 * the thread state to hand back to restore, which takes the GIL again.
 * Between the two the thread must not run Python code or touch runtime
 * objects.  Releasing without holding the GIL is fatal. */
RT_API rt_tstate *rt_save_thread(void);
RT_API void rt_restore_thread(rt_tstate *ts);

/* Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS, for native code. */
#define RT_BEGIN_ALLOW_THREADS                                                         \
    {                                                                                  \
        rt_tstate *rt__saved_ts = rt_save_thread();
#define RT_END_ALLOW_THREADS                                                           \
    rt_restore_thread(rt__saved_ts);                                                   \
    }

/* Blocking wrappers: each releases the GIL around the system call, retries
 * on EINTR (sleep resumes with the time left), and returns the call's result
 * or a negative errno. */
RT_API int rt_sleep_us(long us);
RT_API ssize_t rt_read(int fd, void *buf, size_t len);
RT_API ssize_t rt_write(int fd, const void *buf, size_t len);
RT_API ssize_t rt_send(int fd, const void *buf, size_t len, int flags);
RT_API ssize_t rt_recv(int fd, void *buf, size_t len, int flags);
RT_API int rt_accept(int fd, struct sockaddr *addr, socklen_t *addrlen);
RT_API int rt_connect(int fd, const struct sockaddr *addr, socklen_t addrlen);

/* Deadlock report.  With RT_DEADLOCK_REPORT=1 in the environment, rt_init
 * installs a SIGUSR2 handler that writes one line to stderr naming the
 * thread holding the GIL, for how long, and how many threads wait for it:
 *   "rt: GIL held by thread 2 (worker) for 5012 ms; 1 thread(s) waiting"
 * (without "for ... ms" when the hold began while the thread was alone:
 * those holds are not timed, see gil.c).
 * The grader sends SIGUSR2 before it kills a program that timed out. */

/* ------------------------------------------------------------------ */
/* A GIL of your own (exercise 04's and 06's slot)                     */
/* ------------------------------------------------------------------ */

/* A GIL implementation.  The runtime calls these with its own accounting
 * (counters, trace) around them, so a custom GIL is measured exactly like
 * the built-in ones.  `self` is what create() returned.
 *
 *   create   allocate state for the given interval; NULL on failure.
 *   destroy  free it (no thread is attached any more).
 *   take     return once `ts` holds the GIL.  May wait; must not busy-wait.
 *   drop     `ts` holds the GIL; release it.  `forced` is nonzero when the
 *            drop answers a drop request (from rt_checkpoint), zero when
 *            the thread is about to block or exit.
 *   breaker  called from rt_checkpoint() when the eval breaker is set, with
 *            the GIL held; return nonzero to make the runtime drop and retake
 *            the GIL now (a forced switch).
 *
 * To ask the holder to let go, a waiter calls rt_gil_request_drop(); the
 * implementation clears it with rt_gil_clear_drop() (typically in take).
 *
 * Who calls, and what a policy may infer from it (a contract, relied on by
 * exercise 06's priority GIL):
 *   - take and drop always run on the thread `ts` describes, so a policy
 *     may keep per-thread facts in _Thread_local variables;
 *   - drop(forced = 0) is the thread entering a blocking call (every
 *     rt_save_thread: rt_read, rt_sleep_us, rt_thread_join, the event
 *     loop's wait, ...), leaving its function, or rt_detach.  In the first
 *     case the same thread's next take is its return from that call;
 *   - drop(forced = 1) is always followed by the same thread's take: the
 *     thread answered a drop request at a checkpoint and wants the GIL
 *     back at once (it is CPU-bound);
 *   - a thread's first take (when it starts or attaches) follows no drop
 *     of its own, except after rt_detach and rt_attach on the same OS
 *     thread, when it follows the detach's unforced drop. */
struct rt_gil_ops {
    const char *name;
    void *(*create)(long switch_interval_us);
    void (*destroy)(void *self);
    void (*take)(void *self, rt_tstate *ts);
    void (*drop)(void *self, rt_tstate *ts, int forced);
    int (*breaker)(void *self, rt_tstate *ts);
};

/* Sets / clears the drop request and the eval breaker with it.  Any thread.
 * rt_gil_drop_requested() reads it. */
RT_API void rt_gil_request_drop(void);
RT_API void rt_gil_clear_drop(void);
RT_API int rt_gil_drop_requested(void);
/* The switch interval in force, for a custom GIL's timed waits.  Any thread. */
RT_API long rt_gil_interval_us(void);

/* ------------------------------------------------------------------ */
/* Counters: the evidence the grader reads                             */
/* ------------------------------------------------------------------ */

/* A log-linear histogram of durations in nanoseconds: 8 buckets per power
 * of two, so a quantile is exact to within about 9%. */
#define RT_HIST_SUB     8
#define RT_HIST_BUCKETS (64 * RT_HIST_SUB)
typedef struct rt_hist {
    uint64_t count, sum_ns, min_ns, max_ns;
    uint64_t bucket[RT_HIST_BUCKETS];
} rt_hist;

typedef struct rt_stats {
    uint64_t takes;            /* GIL acquisitions */
    uint64_t switches;         /* takes by a thread other than the last holder */
    uint64_t waits;            /* takes that found the GIL held and waited */
    uint64_t drop_requests;    /* a waiter timed out and asked the holder to drop */
    uint64_t forced_drops;     /* drops made at a checkpoint, answering a request */
    uint64_t futile_wakeups;   /* a waiter woke, found the GIL taken, slept again */
    uint64_t bytecodes;        /* rt_bytecodes units run */
    uint64_t bytecodes_unheld; /* ... of them run without holding the GIL */
    uint64_t blocking_calls;   /* allow-threads regions entered */
    int max_running;           /* most threads holding the right to run at once */
    int max_blocked;           /* most threads inside allow-threads at once */
    int threads_started;       /* rt_thread_start calls that succeeded */
    rt_hist hold;              /* how long each GIL holding lasted */
    rt_hist wait;              /* how long each take waited */
} rt_stats;

/* Copies the counters into *out (a snapshot; fields may be mid-update under
 * RT_GIL_NONE).  rt_stats_reset() zeroes them.  Any thread. */
RT_API void rt_stats_get(rt_stats *out);
RT_API void rt_stats_reset(void);

/* Histogram helpers.  Any thread. */
RT_API void rt_hist_add(rt_hist *h, uint64_t ns);
RT_API uint64_t rt_hist_quantile(const rt_hist *h, double q); /* 0 if empty */
/* Prints the counters as one JSON object (no newline). */
RT_API void rt_stats_write_json(const rt_stats *s, FILE *out);

/* ------------------------------------------------------------------ */
/* Trace: who held the GIL when                                        */
/* ------------------------------------------------------------------ */

typedef enum rt_event_kind {
    RT_EV_GIL_REQUEST = 1, /* a thread starts waiting for the GIL */
    RT_EV_GIL_TAKE,        /* ... and has it */
    RT_EV_GIL_DROP,        /* the holder lets go (arg: 1 if forced) */
    RT_EV_DROP_REQUEST,    /* a waiter asks the holder to drop */
    RT_EV_THREAD_START,
    RT_EV_THREAD_EXIT,
    RT_EV_TASK_SWITCH,   /* event loop: arg = task id */
    RT_EV_POOL_DISPATCH, /* pool: arg = worker */
    RT_EV_POOL_RESULT,   /* pool: arg = worker */
    RT_EV_MARK           /* rt_trace_mark() */
} rt_event_kind;

typedef struct rt_event {
    uint64_t t_ns;     /* rt_now_ns() */
    const char *label; /* static string or NULL */
    uint32_t arg;
    uint16_t tid;  /* rt_tstate_id of the thread */
    uint16_t kind; /* rt_event_kind */
} rt_event;

/* Monotonic clock in nanoseconds.  Any thread. */
static inline uint64_t rt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Records an event if tracing is on (rt_config.trace_events > 0).  Lock-free;
 * when the buffer is full, events are counted as dropped.  `label` must
 * outlive the runtime (a string literal).  Any attached thread. */
RT_API void rt_trace_event(rt_event_kind kind, uint32_t arg, const char *label);
RT_API void rt_trace_mark(const char *label);

/* The recorded events, in order of recording (read-only; valid until
 * rt_fini), and how many were dropped for lack of room.  Any thread, but
 * call it when the threads you care about are quiet. */
RT_API const rt_event *rt_trace_events(size_t *count, size_t *dropped);
/* The name of trace lane `tid` ("main", "thread-3", or the name given). */
RT_API const char *rt_trace_thread_name(int tid);

/* Writes the trace as Chrome Trace Event JSON (open it in Perfetto or
 * chrome://tracing): one lane per thread, GIL holdings as spans.
 * Returns 0 or a negative errno. */
RT_API int rt_trace_write_chrome(FILE *out);
/* Writes the trace as a standalone SVG timeline, `width` pixels wide: one
 * lane per thread, a filled bar while the thread holds the GIL, a thin bar
 * while it waits.  Only events from t0_ns to t1_ns (0, 0 = everything). */
RT_API int rt_trace_write_svg(FILE *out, int width, uint64_t t0_ns, uint64_t t1_ns);

#ifdef __cplusplus
}
#endif
#endif /* RT_H */
