/*
 * rt_internal.h - what the runtime's modules share with one another.
 *
 * Nothing here is for demos, exercises or tests: use the public headers
 * in runtime/include/.  Names are `rt__` (double underscore), as libuv
 * marks its internals `uv__`; none of them is exported from the runtime
 * archive except the few rt.h and rt_loop.h list with their reasons.
 */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#include "rt.h"
#include "rt_codec.h"

#include <pthread.h>

/* Most threads whose names the trace keeps; later ones are "thread-N". */
#define RT__MAX_NAMED_THREADS 1024

/* Per-thread counters (rt_tstate.ctr). */
enum {
    RT__TS_BYTECODES,
    RT__TS_UNHELD,
    RT__TS_TAKES,
    RT__TS_BLOCKING,
    RT__TS_NCOUNTERS
};

/* Adds n to one of the calling thread's own counters. */
static inline void rt__ts_add(rt_tstate *ts, int which, uint64_t n);

/* One attached thread (PyThreadState).  Created by rt__tstate_new on the
 * thread it describes and freed by rt__tstate_free on the same thread. */
struct rt_tstate {
    int id;              /* read-only: dense id, main = 0 */
    pid_t os_tid;        /* read-only: gettid() */
    char name[32];       /* read-only */
    int holds_gil;       /* private to the owning thread */
    uint64_t took_at_ns; /* private: when it last took the GIL */
    long ticks_left;     /* private: ticks policy countdown */
    int accounted;       /* private: this holding is being measured */
    int blocked_counted; /* private: counted in the blocked level */
    /* Counters written by the owner only (relaxed load + store, no locked
     * instruction), summed by rt_stats_get. */
    atomic_uint_fast64_t ctr[RT__TS_NCOUNTERS];
    struct rt_tstate *next; /* registry list, under the registry lock */
};

static inline void rt__ts_add(rt_tstate *ts, int which, uint64_t n)
{
    atomic_store_explicit(&ts->ctr[which],
                          atomic_load_explicit(&ts->ctr[which], memory_order_relaxed) +
                              n,
                          memory_order_relaxed);
}

/* The CLOCK_MONOTONIC time `us` microseconds from now: the deadline of a
 * timed wait (the monotonic clock, so setting the wall clock cannot stretch
 * or cut a wait). */
static inline struct timespec rt__deadline_after_us(long us)
{
    struct timespec d;
    clock_gettime(CLOCK_MONOTONIC, &d);
    d.tv_sec += us / 1000000;
    d.tv_nsec += (us % 1000000) * 1000;
    if (d.tv_nsec >= 1000000000) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000;
    }
    return d;
}

/* How many threads are attached (thread.c).  While it is 1 nothing can
 * contend, and the GIL's front end skips its measurements. */
extern atomic_int rt__attached;

/* Fatal misuse: prints "rt: fatal: <message>" and aborts. */
_Noreturn void rt__fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* thread.c: the registry of attached threads. */
rt_tstate *rt__tstate_new(const char *name);          /* attaches the caller, no GIL */
void rt__tstate_free(rt_tstate *ts);                  /* detaches the caller */
void rt__threads_reset(void);                         /* rt_fini: forget ids */
void rt__threads_reset_counters(void);                /* rt_stats_reset */
void rt__threads_sum(uint64_t sum[RT__TS_NCOUNTERS]); /* live + retired */
void rt__threads_after_fork(rt_tstate *survivor);
extern _Thread_local rt_tstate *rt__current;

/* gil.c: the front end every policy runs behind. */
int rt__gil_init(const rt_config *cfg);
void rt__gil_fini(void);
void rt__gil_take(rt_tstate *ts);
void rt__gil_drop(rt_tstate *ts, int forced);
void rt__gil_after_fork(rt_tstate *ts);
void rt__gil_account(rt_tstate *ts); /* start measuring the current hold */
int rt__gil_holder_id(uint64_t *since_ns, int *waiting); /* for the report */

/* The drop request (gil_drop_request); rt_gil_drop_requested() reads it.
 * Policies read it inline on their hot paths. */
extern atomic_int rt__drop_request;

/* The built-in policies (gil_cpython.c, gil_ticks.c, gil.c). */
extern const rt_gil_ops rt__gil_cpython_ops;
extern const rt_gil_ops rt__gil_ticks_ops;
extern const rt_gil_ops rt__gil_none_ops;
long rt__ticks_setting(void);
/* The cpython policy's lock word names its holder: a thread id or -1.  One
 * atomic load (safe in a signal handler).  `self` is its create() result. */
int rt__gil_cpython_holder(void *self);

/* stats.c: counters.  All are safe from any thread. */
typedef enum rt__counter {
    RT__SWITCHES,
    RT__WAITS,
    RT__DROP_REQUESTS,
    RT__FORCED_DROPS,
    RT__FUTILE_WAKEUPS,
    RT__NCOUNTERS
} rt__counter;
void rt__count(rt__counter c);
void rt__count_hold(uint64_t ns);
void rt__count_wait(uint64_t ns);
void rt__running_add(int delta); /* tracks max_running */
void rt__blocked_add(int delta); /* tracks max_blocked */
void rt__thread_started(void);

/* trace.c */
extern atomic_int rt__tracing; /* 1 while recording */
int rt__trace_init(size_t events);
void rt__trace_fini(void);
void rt__trace_name_thread(int tid, const char *name);
void rt__trace_after_fork(void); /* empties the buffer */

/* pool_shm.c, for the codec (codec.c): take a reference to a block; read
 * its handle; open a handle another process sent, returning NULL with *rc
 * a negative errno and a message in why. */
void rt__shm_ref(rt_shm *shm);
void rt__shm_handle(const rt_shm *shm, pid_t *pid, int *fd);
rt_shm *rt__shm_open(pid_t pid, int fd, uint64_t size, int *rc, char *why, size_t len);

/* diag.c: the SIGUSR2 deadlock report. */
void rt__diag_install(void);
void rt__diag_uninstall(void);

#endif /* RT_INTERNAL_H */
