/*
 * thread.c - runtime threads: one real OS thread per "Python thread".
 *
 * Why real OS threads, when only one of them may run Python code at a time?
 * Because the others are not idle in the interesting case: they are blocked
 * in the kernel (a read, a sleep, a connect) or running native code that
 * released the GIL.  Only the kernel can block a thread in a system call and
 * wake it when the data arrives, so each Python thread needs a kernel thread
 * of its own.  CPython's threading.Thread is pthread_create underneath, and
 * so is rt_thread_start; chapter 3 counts them in /proc/self/task.
 *
 * Each attached thread has a state (rt_tstate, PyThreadState) reachable
 * from a thread-local pointer.  A registry lists the live states so the
 * runtime can count them, sum their counters and forget them after fork.
 *
 * Locking rule: S_lock guards the registry list, the id counter and the
 * retired counter totals.  A state's own fields belong to its thread.
 */
#include "rt_internal.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Thread_local rt_tstate *rt__current;

static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static rt_tstate *S_threads;                 /* live states */
atomic_int rt__attached;                     /* how many (read without the lock) */
static int S_next_id;                        /* next dense id */
static uint64_t S_retired[RT__TS_NCOUNTERS]; /* counters of exited threads */
static pthread_key_t S_exit_key;             /* catches threads that exit attached */
static pthread_once_t S_key_once = PTHREAD_ONCE_INIT;

struct rt_thread {
    pthread_t pthread;  /* private */
    void (*fn)(void *); /* private */
    void *arg;          /* private */
    char name[32];      /* private */
    sem_t started;      /* private: posted once os_tid is known */
    atomic_int os_tid;  /* read-only once started */
};

/* A thread that ends while still attached skipped rt_detach (or returned
 * from its function inside an allow-threads region): a bug that would leave
 * the GIL locked for ever, so say so. */
static void S_exit_check(void *p)
{
    rt_tstate *ts = p;
    rt__fatal("thread %d (%s) exited while %s (missing rt_detach?)", ts->id, ts->name,
              ts->holds_gil ? "holding the GIL" : "attached to the runtime");
}

static void S_make_key(void)
{
    pthread_key_create(&S_exit_key, S_exit_check);
}

/* Creates the calling thread's state and registers it.  The caller must not
 * be attached already.  Does not take the GIL. */
rt_tstate *rt__tstate_new(const char *name)
{
    if (rt__current)
        rt__fatal("thread %d (%s) is attached twice", rt__current->id,
                  rt__current->name);
    pthread_once(&S_key_once, S_make_key);
    rt_tstate *ts = calloc(1, sizeof *ts);
    if (!ts)
        rt__fatal("out of memory attaching a thread");
    ts->os_tid = (pid_t)syscall(SYS_gettid);
    pthread_mutex_lock(&S_lock);
    ts->id = S_next_id++;
    ts->next = S_threads;
    S_threads = ts;
    atomic_fetch_add(&rt__attached, 1);
    pthread_mutex_unlock(&S_lock);
    if (name && *name)
        snprintf(ts->name, sizeof ts->name, "%s", name);
    else
        snprintf(ts->name, sizeof ts->name, "thread-%d", ts->id);
    rt__trace_name_thread(ts->id, ts->name);
    rt__current = ts;
    pthread_setspecific(S_exit_key, ts);
    return ts;
}

/* Unregisters and frees the calling thread's state, folding its counters
 * into the retired totals.  The caller must not hold the GIL. */
void rt__tstate_free(rt_tstate *ts)
{
    if (ts->holds_gil)
        rt__fatal("thread %d (%s) detaches while holding the GIL", ts->id, ts->name);
    pthread_mutex_lock(&S_lock);
    for (rt_tstate **pp = &S_threads; *pp; pp = &(*pp)->next) {
        if (*pp == ts) {
            *pp = ts->next;
            break;
        }
    }
    atomic_fetch_sub(&rt__attached, 1);
    for (int i = 0; i < RT__TS_NCOUNTERS; i++)
        S_retired[i] += atomic_load(&ts->ctr[i]);
    pthread_mutex_unlock(&S_lock);
    pthread_setspecific(S_exit_key, NULL);
    rt__current = NULL;
    free(ts);
}

void rt__threads_sum(uint64_t sum[RT__TS_NCOUNTERS])
{
    pthread_mutex_lock(&S_lock);
    for (int i = 0; i < RT__TS_NCOUNTERS; i++)
        sum[i] = S_retired[i];
    for (rt_tstate *ts = S_threads; ts; ts = ts->next)
        for (int i = 0; i < RT__TS_NCOUNTERS; i++)
            sum[i] += atomic_load_explicit(&ts->ctr[i], memory_order_relaxed);
    pthread_mutex_unlock(&S_lock);
}

/* rt_stats_reset: zero the per-thread counters too. */
void rt__threads_reset_counters(void)
{
    pthread_mutex_lock(&S_lock);
    memset(S_retired, 0, sizeof S_retired);
    for (rt_tstate *ts = S_threads; ts; ts = ts->next)
        for (int i = 0; i < RT__TS_NCOUNTERS; i++)
            atomic_store(&ts->ctr[i], 0);
    pthread_mutex_unlock(&S_lock);
}

/* rt_fini: ids start again from 0 at the next rt_init. */
void rt__threads_reset(void)
{
    pthread_mutex_lock(&S_lock);
    S_next_id = 0;
    memset(S_retired, 0, sizeof S_retired);
    pthread_mutex_unlock(&S_lock);
}

/* In a forked child only the forking thread exists.  Its registry lock may
 * have been held by a thread that is gone, so re-create it; drop every other
 * state (their memory is a copy; free it) and make the survivor "main". */
void rt__threads_after_fork(rt_tstate *survivor)
{
    pthread_mutex_init(&S_lock, NULL);
    rt_tstate *ts = S_threads;
    while (ts) {
        rt_tstate *next = ts->next;
        if (ts != survivor)
            free(ts);
        ts = next;
    }
    survivor->next = NULL;
    survivor->id = 0;
    survivor->os_tid = (pid_t)syscall(SYS_gettid);
    snprintf(survivor->name, sizeof survivor->name, "main");
    for (int i = 0; i < RT__TS_NCOUNTERS; i++)
        atomic_store(&survivor->ctr[i], 0);
    S_threads = survivor;
    atomic_store(&rt__attached, 1);
    S_next_id = 1;
    memset(S_retired, 0, sizeof S_retired);
    rt__trace_name_thread(0, "main");
}

int rt_thread_count(void)
{
    return atomic_load(&rt__attached);
}

rt_tstate *rt_current(void)
{
    return rt__current;
}

int rt_tstate_id(const rt_tstate *ts)
{
    return ts ? ts->id : -1;
}

/* ---------------------------------------------------------------- threads */

/* The body of every runtime thread: attach, publish the OS id, take the GIL,
 * run, drop, detach.  The creator waits only for the publication, which
 * happens before this thread asks for the GIL the creator holds. */
static void *S_thread_main(void *p)
{
    rt_thread *t = p;
    rt_tstate *ts = rt__tstate_new(t->name[0] ? t->name : NULL);
    atomic_store(&t->os_tid, ts->os_tid);
    rt_trace_event(RT_EV_THREAD_START, 0, NULL);
    sem_post(&t->started);

    rt__gil_take(ts);
    t->fn(t->arg);
    if (!ts->holds_gil)
        rt__fatal("thread %d (%s) returned inside an allow-threads region "
                  "(missing RT_END_ALLOW_THREADS?)",
                  ts->id, ts->name);
    rt_trace_event(RT_EV_THREAD_EXIT, 0, NULL);
    rt__gil_drop(ts, 0);
    rt__tstate_free(ts);
    return NULL;
}

rt_thread *rt_thread_start_named(const char *name, void (*fn)(void *), void *arg)
{
    if (!fn) {
        errno = EINVAL;
        return NULL;
    }
    if (!rt__current)
        rt__fatal("rt_thread_start: the calling thread is not attached");
    rt_thread *t = calloc(1, sizeof *t);
    if (!t) {
        errno = ENOMEM;
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;
    /* From now on there may be contention: measure the current hold. */
    rt__gil_account(rt__current);
    if (name)
        snprintf(t->name, sizeof t->name, "%s", name);
    sem_init(&t->started, 0, 0);
    int err = pthread_create(&t->pthread, NULL, S_thread_main, t);
    if (err) {
        sem_destroy(&t->started);
        free(t);
        errno = err;
        return NULL;
    }
    /* Wait for the OS id (threading.Thread.start waits for "started" too).
     * The GIL stays with us: the new thread posts before asking for it. */
    while (sem_wait(&t->started) < 0 && errno == EINTR) {
    }
    rt__thread_started();
    return t;
}

rt_thread *rt_thread_start(void (*fn)(void *), void *arg)
{
    return rt_thread_start_named(NULL, fn, arg);
}

int rt_thread_join(rt_thread *t)
{
    if (!t)
        return -EINVAL;
    int err;
    if (rt_holds_gil()) {
        RT_BEGIN_ALLOW_THREADS
        err = pthread_join(t->pthread, NULL);
        RT_END_ALLOW_THREADS
    } else {
        err = pthread_join(t->pthread, NULL);
    }
    sem_destroy(&t->started);
    free(t);
    return -err;
}

pid_t rt_thread_os_id(const rt_thread *t)
{
    return t ? atomic_load(&t->os_tid) : -1;
}

/* ---------------------------------------------------------------- attach */

void rt_attach(const char *name)
{
    rt_tstate *ts = rt__tstate_new(name);
    rt__gil_take(ts);
}

void rt_detach(void)
{
    rt_tstate *ts = rt__current;
    if (!ts)
        rt__fatal("rt_detach: this thread is not attached");
    if (ts->holds_gil)
        rt__gil_drop(ts, 0);
    rt__tstate_free(ts);
}
