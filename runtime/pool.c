/*
 * pool.c - the process pool: starting workers, handing them work, stopping.
 *
 * Why processes.  A GIL lets one thread at a time run Python code, so
 * CPU-bound threads do not add up.  Processes each have their own
 * interpreter and their own GIL: N workers can compute on N cores.  What
 * they cannot do is share objects.  Everything a task needs crosses as
 * bytes, and that copying is the whole economics of a process pool: a task
 * must compute for much longer than it takes to encode, send, receive and
 * decode its argument and result, or the pool loses to a plain loop.
 *
 * The shape, after CPython's concurrent.futures.ProcessPoolExecutor:
 *
 *     user threads --submit/map--> queue --manager thread--> socket --> worker
 *          ^                                   |                        |
 *          +------- futures, broadcast <-------+<------- results <------+
 *
 * One manager thread in the parent (pool_manager.c) owns every worker's
 * socket and does all the I/O: it encodes arguments straight into each
 * worker's output buffer, writes, reads results, decodes them and resolves
 * futures.  It also watches each worker's pidfd, so a death is noticed the
 * moment the process exits, not when someone happens to wait.  User threads
 * only queue work and sleep on a condition variable (releasing the GIL).
 *
 * Why not one write and one read per task?  That is what makes
 * multiprocessing.Pool cost ~38 us a task at chunksize 1 here: two
 * syscalls, two wake-ups and pickling per task, through a shared queue with
 * a lock.  This pool keeps many small frames in flight to each worker (a
 * window sized so each worker has about 2 ms of work queued) and moves them
 * in bulk: one send() carries hundreds of frames, one recv() brings back
 * thousands of results.  Per-task cost is then codec work and bookkeeping:
 * 0.3-0.5 us a task at chunksize 1 on the 2-core machine this was written
 * on (`make bench`, pool.task_us_chunk1), where a system call round trip
 * alone costs several microseconds.  Shared-memory rings with futex
 * wake-ups would save the copies through the kernel, but the copies are
 * not where the time goes at this size: the codec, malloc and the clock
 * are (a clock read costs ~70 ns on a virtual machine, so the pool times
 * whole frames, never single items).  The window is what keeps long tasks fair: the
 * pool learns how long an item of each task takes (from the workers' own timings in
 * each result frame), and with 100 ms tasks the window shrinks to 2 chunks, so no
 * worker hoards work another could be doing.  A task it has not timed yet gets the
 * small window.
 *
 * Start methods.  fork copies the parent: fast (a few ms), and the child
 * starts with the parent's memory, including whatever other threads had
 * half-done (a lock held by a thread that does not exist in the child stays
 * locked forever: hence the warning when forking a multi-threaded program).
 * spawn runs the program again (/proc/self/exe) with a marker in the
 * environment; main() must call rt_pool_worker_guard() early, which sees the
 * marker and becomes a worker.  A program without the guard runs main()
 * again and reaches rt_pool_create() inside a worker: the marker is still
 * set, so we stop it there with an explanation rather than let every worker
 * start a pool of its own.
 *
 * Workers inherit only their own socket: the child closes every other
 * descriptor (close_range), so no worker holds another worker's socket
 * open, and fork and spawn children start alike.
 *
 * Limits, admitted: a task that never returns stalls its worker forever
 * (there is no per-task timeout: Python has none either); shutdown waits
 * for running tasks; a dead worker is never replaced (the pool breaks, as
 * ProcessPoolExecutor's does).
 */
#include "pool_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static atomic_int S_live_managers; /* pool manager threads running now */

size_t rt_pool_default_chunksize(size_t n, int workers)
{
    size_t per = 4 * (size_t)(workers > 0 ? workers : 1);
    size_t c = n / per + (n % per != 0); /* ceil without overflow */
    return c ? c : 1;
}

static int S_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The program's own argv, for a spawned worker: /proc/self/cmdline. */
static char **S_cmdline(void)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    for (ssize_t n = 1; fd >= 0 && n > 0;) {
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap += 65536);
            if (!nb)
                break;
            buf = nb;
        }
        n = read(fd, buf + len, cap - len - 1);
        if (n > 0)
            len += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    size_t argc = 0;
    for (size_t i = 0; i < len; i++)
        argc += buf[i] == 0;
    char **argv = calloc(argc + 2, sizeof *argv);
    if (!argv) {
        free(buf);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
        argv[k++] = buf + i;
    if (k == 0) { /* no /proc: argv[0] is the executable's name at least */
        free(buf);
        buf = strdup("/proc/self/exe");
        argv[k++] = buf;
    }
    return argv; /* argv[0] points at the block: free(argv[0]), free(argv) */
}

/* The child side of a fork.  Closes every descriptor but 0-2 and its
 * socket, then either becomes a worker (fork) or re-executes the program
 * (spawn).  Never returns. */
static void S_child(int fd, int index, rt_pool_start start, char **argv, char **envp,
                    int rt_running)
{
    if (fd > 3)
        close_range(3, (unsigned)fd - 1, 0);
    close_range((unsigned)fd + 1, ~0U, 0);
    if (start == RT_POOL_SPAWN) {
        int flags = fcntl(fd, F_GETFD);
        fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        execve("/proc/self/exe", argv, envp);
        static const char msg[] = "rt_pool: spawn: cannot re-execute /proc/self/exe\n";
        ssize_t r = write(2, msg, sizeof msg - 1);
        (void)r;
        _exit(127);
    }
    /* PyOS_AfterFork_Child: only this thread exists here.  If it was not
     * attached while the runtime ran, it stays unattached (see pool_worker.c). */
    if (rt_current())
        rt_after_fork_child();
    else if (!rt_running)
        rt_init(NULL);
    int status = rt__pool_worker_main(fd, index);
    /* _exit: the parent's atexit handlers and stdio buffers are not ours. */
    _exit(status);
}

static void S_no_guard(void)
{
    fprintf(stderr, "rt_pool: error: this process is a spawned pool worker, but main() "
                    "tried to create a pool before calling rt_pool_worker_guard().\n"
                    "rt_pool: a spawned worker runs the program again from the top; "
                    "without the guard each worker would start workers of its own.\n"
                    "rt_pool: put  if (rt_pool_worker_guard(argc, argv)) return 0;  "
                    "at the top of main(), after rt_pool_register() (Python: "
                    "if __name__ == \"__main__\":).  No process was started.\n");
    fflush(NULL);
    exit(RT_POOL_EXIT_NO_GUARD);
}

/* Starts worker i: socket pair, fork, pidfd.  Returns 0 or -errno. */
static int S_start_worker(rt_pool *p, int i, char **argv, char **environ_copy,
                          size_t envc, int rt_running)
{
    rt__worker *w = &p->w[i];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    int sz = 1 << 20; /* more frames in flight; the kernel caps it at wmem_max */
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
    char marker[64];
    snprintf(marker, sizeof marker, "%s=fd=%d,index=%d", RT__WORKER_ENV, sv[1], i);
    if (environ_copy)
        environ_copy[envc] = marker; /* built before fork: no malloc after */
    fflush(NULL);                    /* or the child's exit would print twice */
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]), close(sv[1]);
        return -e;
    }
    if (pid == 0)
        S_child(sv[1], i, p->start, argv, environ_copy, rt_running);
    close(sv[1]);
    p->stats.procs_started++;
    w->index = i;
    w->pid = pid;
    w->fd = sv[0];
    w->start_ns = rt_now_ns();
    fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
    w->pidfd = pidfd_open(pid, 0);
    if (w->pidfd < 0) { /* Linux < 5.3: we could fall back to EOF + waitpid */
        int e = errno;
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        w->pid = 0;
        return -e;
    }
    return 0;
}

/* Kills and reaps the workers started so far (creation failed). */
static void S_abort_start(rt_pool *p)
{
    for (int i = 0; i < p->nworkers; i++) {
        rt__worker *w = &p->w[i];
        if (w->pid > 0) {
            kill(w->pid, SIGKILL);
            while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR) {
            }
        }
        if (w->fd > 0)
            close(w->fd);
        if (w->pidfd > 0)
            close(w->pidfd);
        w->pid = 0;
        w->fd = w->pidfd = -1;
    }
}

rt_pool *rt_pool_create(const rt_pool_opts *opts)
{
    rt_pool_opts o = {0};
    if (opts)
        o = *opts;
    if (getenv(RT__WORKER_ENV) && !rt__pool_in_worker())
        S_no_guard();
    if (rt__pool_in_worker()) { /* daemonic processes have no children */
        errno = EPERM;
        return NULL;
    }
    if (o.workers == 0)
        o.workers = S_cores();
    if (o.workers < 1 || o.workers > RT_POOL_MAX_WORKERS ||
        (o.start != RT_POOL_FORK && o.start != RT_POOL_SPAWN) ||
        o.start_timeout_ms < 0) {
        errno = EINVAL;
        return NULL;
    }
    rt_pool *p = calloc(1, sizeof *p);
    rt__worker *w = calloc((size_t)o.workers, sizeof *w);
    if (!p || !w) {
        free(p), free(w);
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&p->refs, 1);
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cond, &ca);
    pthread_condattr_destroy(&ca);
    p->start = o.start;
    p->start_timeout_ms = o.start_timeout_ms ? o.start_timeout_ms : 20000;
    p->nworkers = o.workers;
    p->stats.workers = o.workers;
    p->w = w;
    for (int i = 0; i < o.workers; i++)
        w[i].fd = w[i].pidfd = -1;
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    p->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    int threads = rt_thread_count(), managers = atomic_load(&S_live_managers);
    if (o.start == RT_POOL_FORK && (threads > 1 || managers > 0))
        fprintf(stderr,
                "rt_pool: warning: fork() with %d other thread(s) running (%d runtime, "
                "%d pool manager); only the forking thread exists in the workers, and "
                "any lock another thread held stays locked there.  Create pools "
                "before starting threads, or use RT_POOL_SPAWN.\n",
                (threads > 1 ? threads - 1 : 0) + managers,
                threads > 1 ? threads - 1 : 0, managers);

    /* Spawn: argv and the environment (plus one marker slot) are built
     * before any fork, since the child may only exec. */
    char **argv = NULL, **envc = NULL;
    size_t nenv = 0;
    int rc = p->epfd < 0 || p->evfd < 0 ? -errno : 0;
    if (rc == 0 && o.start == RT_POOL_SPAWN) {
        while (environ[nenv])
            nenv++;
        argv = S_cmdline();
        envc = calloc(nenv + 2, sizeof *envc);
        if (!argv || !envc)
            rc = -ENOMEM;
        else
            memcpy(envc, environ, nenv * sizeof *envc);
    }
    int rt_running = rt_thread_count() > 0;
    for (int i = 0; rc == 0 && i < o.workers; i++)
        rc = S_start_worker(p, i, argv, envc, nenv, rt_running);
    if (argv)
        free(argv[0]);
    free(argv), free(envc);
    if (rc == 0) {
        /* The manager takes no signals: they belong to the program's threads. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        rc = -pthread_create(&p->manager, NULL, rt__pool_manager, p);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc == 0)
            atomic_fetch_add(&S_live_managers, 1);
    }
    if (rc < 0) {
        S_abort_start(p);
        p->joined = p->manager_done = 1; /* no manager to join */
        rt_pool_free(p);
        errno = -rc;
        return NULL;
    }
    return p;
}

void rt__pool_wake(rt_pool *p)
{
    if (!atomic_exchange(&p->wake_pending, 1)) {
        uint64_t one = 1;
        ssize_t r = write(p->evfd, &one, sizeof one);
        (void)r; /* EAGAIN: the counter is saturated, the manager wakes anyway */
    }
}

void rt__pool_unref(rt_pool *p)
{
    if (atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    for (int i = 0; i < p->nworkers; i++) {
        rt__buf_free(&p->w[i].in);
        rt__buf_free(&p->w[i].out);
        free(p->w[i].fifo);
    }
    if (p->epfd >= 0)
        close(p->epfd);
    if (p->evfd >= 0)
        close(p->evfd);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    free(p->error);
    free(p->w);
    free(p);
}

/* Adds b to the queue for the manager and wakes it, adding enc_ns of
 * encoding to the counters.  Returns b, or NULL with errno set (the pool
 * is broken or shut down; b is freed).  Takes p->lock. */
static rt__batch *S_enqueue(rt_pool *p, rt__batch *b, uint64_t enc_ns)
{
    pthread_mutex_lock(&p->lock);
    int rc = p->state == RT__RUNNING ? 0 : p->state == RT__BROKEN ? -EPIPE : -ESHUTDOWN;
    if (rc < 0) {
        rt__batch_unref(b);
        pthread_mutex_unlock(&p->lock);
        errno = -rc;
        return NULL;
    }
    p->stats.submitted += b->n;
    p->stats.encode_ns += enc_ns;
    p->stats.bytes_encoded += b->enc_len;
    b->est = -1;
    for (int i = 0; i < p->nest && b->est < 0; i++)
        if (strcmp(p->est[i].task, b->task) == 0)
            b->est = i;
    if (b->est < 0 && p->nest < RT__EST_MAX) {
        b->est = p->nest++;
        snprintf(p->est[b->est].task, sizeof p->est[b->est].task, "%s", b->task);
    }
    if (b->n > 0) {
        b->refs++; /* the manager's */
        b->queued = 1;
        if (p->qtail)
            p->qtail->next = b;
        else
            p->qhead = b;
        p->qtail = b;
    }
    pthread_mutex_unlock(&p->lock);
    rt__pool_wake(p);
    return b;
}

/* Checks what submit and map are given: a task known here (pickle fails
 * in the caller for a function it cannot name), arguments the codec can
 * encode.  Returns 0 or -errno; *size is args[0]'s encoded size. */
static int S_check(rt_pool *p, const char *task, const rt_value *const *args, size_t n,
                   long long *size)
{
    if (!p || !task || (n && !args))
        return -EINVAL;
    if (!rt__pool_fn_lookup(task, strlen(task)))
        return -ENOENT;
    for (size_t i = 0; i < n; i++) {
        long long sz = rt_codec_size(args[i]);
        if (sz < 0 || sz > UINT32_MAX)
            return sz < 0 ? (int)sz : -E2BIG;
        if (i == 0)
            *size = sz;
    }
    return 0;
}

rt_pool_future *rt_pool_submit(rt_pool *p, const char *task, const rt_value *arg)
{
    long long size = 0;
    int rc = S_check(p, task, &arg, 1, &size);
    rt__batch *b = rc < 0 ? NULL : rt__batch_new(p, task, 1, 1, (size_t)size, NULL, 1);
    if (!b) {
        errno = rc < 0 ? -rc : ENOMEM;
        return NULL;
    }
    /* Encoded now, so the caller may free arg as soon as we return. */
    uint64_t t0 = rt_now_ns();
    b->enc_len = (size_t)rt_codec_encode_into(arg, b->enc, (size_t)size);
    return (rt_pool_future *)S_enqueue(p, b, rt_now_ns() - t0);
}

rt__batch *rt__pool_imap(rt_pool *p, const char *task, rt_value *const *args, size_t n,
                         size_t chunksize, int ordered, rt_value **results)
{
    /* Every argument must encode before any is sent: the manager then
     * never meets one that cannot. */
    long long size;
    int rc = S_check(p, task, (const rt_value *const *)args, n, &size);
    if (rc == 0 && chunksize == 0)
        chunksize = rt_pool_default_chunksize(n, p->nworkers);
    rt__batch *b =
        rc < 0 ? NULL : rt__batch_new(p, task, n, chunksize, 0, results, ordered);
    if (!b) {
        errno = rc < 0 ? -rc : ENOMEM;
        return NULL;
    }
    b->args = args;
    return S_enqueue(p, b, 0);
}

rt_pool_iter *rt_pool_imap(rt_pool *p, const char *task, rt_value *const *args,
                           size_t n, size_t chunksize)
{
    return (rt_pool_iter *)rt__pool_imap(p, task, args, n, chunksize, 1, NULL);
}

rt_pool_iter *rt_pool_imap_unordered(rt_pool *p, const char *task,
                                     rt_value *const *args, size_t n, size_t chunksize)
{
    return (rt_pool_iter *)rt__pool_imap(p, task, args, n, chunksize, 0, NULL);
}

static int S_manager_done(const rt__batch *b)
{
    return b->pool->manager_done;
}

int rt_pool_shutdown(rt_pool *p, int cancel_pending)
{
    if (!p)
        return -EINVAL;
    size_t cancelled = 0;
    pthread_mutex_lock(&p->lock);
    if (p->state == RT__RUNNING)
        p->state = RT__SHUTDOWN;
    if (cancel_pending)
        for (rt__batch *b = p->qhead; b; b = b->next)
            cancelled += rt__batch_fail_unsent(b, -ECANCELED, "cancelled by shutdown");
    pthread_cond_broadcast(&p->cond);
    int join = !p->joined;
    p->joined = 1;
    pthread_mutex_unlock(&p->lock);
    rt__pool_wake(p);
    if (join) {
        rt_tstate *ts = rt_holds_gil() ? rt_save_thread() : NULL;
        pthread_join(p->manager, NULL);
        if (ts)
            rt_restore_thread(ts);
        atomic_fetch_sub(&S_live_managers, 1);
    } else {
        /* Another thread is joining: wait for the manager to finish. */
        rt__batch probe = {.pool = p};
        pthread_mutex_lock(&p->lock);
        rt__pool_wait(p, S_manager_done, &probe, 0);
        pthread_mutex_unlock(&p->lock);
    }
    return (int)cancelled;
}

void rt_pool_free(rt_pool *p)
{
    if (!p)
        return;
    rt_pool_shutdown(p, 0); /* at once if it was shut down before */
    rt__pool_unref(p);
}

int rt_pool_workers(const rt_pool *p)
{
    return p ? p->nworkers : 0;
}

pid_t rt_pool_worker_pid(rt_pool *p, int i)
{
    if (!p || i < 0 || i >= p->nworkers)
        return 0;
    pthread_mutex_lock(&p->lock);
    pid_t pid = p->w[i].pid;
    pthread_mutex_unlock(&p->lock);
    return pid;
}

const char *rt_pool_error(rt_pool *p)
{
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->lock);
    const char *e = p->error; /* set once, never changed after */
    pthread_mutex_unlock(&p->lock);
    return e;
}

void rt_pool_stats_get(rt_pool *p, rt_pool_stats *out)
{
    if (!out)
        return;
    if (!p) {
        memset(out, 0, sizeof *out);
        return;
    }
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    pthread_mutex_unlock(&p->lock);
    out->workers_used = 0;
    for (int i = 0; i < out->workers; i++)
        out->workers_used += out->per_worker[i] > 0;
}
