/*
 * convoy.c - exercise 06's measured run (see convoy.h for the cast and the
 * phases).  Provided; do not edit.
 *
 * How the server's GIL wait is measured: instead of rt_recv() (which is
 * RT_BEGIN_ALLOW_THREADS around recv()), the server spells the same thing
 * out, so that it can read the clock between the system call's return and
 * the moment it holds the GIL again.  That difference is exactly what the
 * convoy costs: the data has arrived, the thread is awake, and it waits for
 * a lock.
 *
 * Locking rule: every field of `convoy` marked "out" is written by one
 * thread (the client: rtt and windows; a server: its wait and slow; main:
 * the trace figures) and read by main after the joins.  `stop`, `units`
 * and the ids are atomics.
 */
#include "convoy.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exkit.h"

enum { S_CHUNK = 256 }; /* rt_bytecodes units between the CPU thread's counts */

/* One server's argument. */
typedef struct S_server_arg {
    convoy *c;
    int idx;
} S_server_arg;

/* Sleeps `us` microseconds without the runtime (the client has no GIL). */
static void S_nap_us(long us)
{
    struct timespec d = {us / 1000000, (us % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &d) == EINTR) {
    }
}

/* send() or recv() of exactly one byte, retrying on EINTR; fails the
 * program on any other error.  No GIL involved: a plain system call. */
static void S_xfer(int fd, char *b, int sending, const char *who)
{
    for (;;) {
        ssize_t n = sending ? send(fd, b, 1, MSG_NOSIGNAL) : recv(fd, b, 1, 0);
        if (n == 1)
            return;
        if (n < 0 && errno == EINTR)
            continue;
        exkit_fail("%s: %s failed: %s", who, sending ? "send" : "recv",
                   n == 0 ? "connection closed" : strerror(errno));
    }
}

/* ---------------------------------------------------------------- server */

// [server]
/* The I/O thread: wait for a request, handle it, reply; again. */
static void S_server(void *arg)
{
    S_server_arg *a = arg;
    convoy *c = a->c;
    int fd = c->sock[a->idx][0];
    atomic_store(&c->server_id[a->idx], rt_tstate_id(rt_current()));
    for (;;) {
        char req;
        rt_tstate *ts = rt_save_thread(); /* Py_BEGIN_ALLOW_THREADS */
        S_xfer(fd, &req, 0, "server");    /* blocks until a request comes */
        uint64_t back = rt_now_ns();      /* the data is here ... */
        rt_restore_thread(ts);            /* ... but first, the GIL */
        uint64_t waited = rt_now_ns() - back;
        if (req == 'q')
            break;
        int phase = req == 'l' ? CONVOY_LOADED : CONVOY_ALONE;
        rt_hist_add(&c->wait[a->idx][phase], waited);
        if (waited * 2 >= (uint64_t)c->interval_us * 1000)
            c->slow[a->idx][phase]++;
        rt_bytecodes(200); /* handling the request: a little Python work */
        ts = rt_save_thread();
        S_xfer(fd, &req, 1, "server"); /* the reply */
        rt_restore_thread(ts);
    }
}
// [end]

/* ---------------------------------------------------------------- cpu */

/* The CPU-bound thread: compute until told to stop, counting the work. */
static void S_cpu(void *arg)
{
    convoy *c = arg;
    atomic_store(&c->cpu_id, rt_tstate_id(rt_current()));
    atomic_store(&c->cpu_os_tid, convoy_os_tid());
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        rt_bytecodes(S_CHUNK);
        atomic_fetch_add_explicit(&c->units, S_CHUNK, memory_order_relaxed);
    }
}

/* ---------------------------------------------------------------- client */

/* `rounds` round trips to every server, each request marked `mark`. */
static void S_rounds(convoy *c, char mark, int phase)
{
    for (int r = 0; r < c->rounds; r++) {
        for (int s = 0; s < c->servers; s++) {
            char b = mark;
            uint64_t t0 = rt_now_ns();
            S_xfer(c->sock[s][1], &b, 1, "client");
            S_xfer(c->sock[s][1], &b, 0, "client");
            rt_hist_add(&c->rtt[s][phase], rt_now_ns() - t0);
        }
        S_nap_us(c->think_us);
    }
}

int convoy_os_tid(void)
{
    /* /proc/thread-self is "PID/task/TID" in the numbering of the pid
     * namespace /proc was mounted for.  Inside the grader's own PID
     * namespace, with the machine's /proc, gettid() is a number that /proc
     * does not know (/proc/self/task/3), and every figure read would be 0. */
    char link[64];
    ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *slash = strrchr(link, '/');
        int tid = slash ? atoi(slash + 1) : 0;
        if (tid > 0)
            return tid;
    }
    return (int)gettid();
}

int convoy_sched(int tid, uint64_t *on_cpu, uint64_t *queued)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", tid);
    FILE *f = fopen(path, "r");
    unsigned long long run = 0, wait = 0;
    int ok = f && fscanf(f, "%llu %llu", &run, &wait) == 2;
    if (f)
        fclose(f);
    *on_cpu = ok ? run : 0;
    *queued = ok ? wait : 0;
    return ok ? 0 : -1;
}

uint64_t convoy_queued_ns(int tid)
{
    uint64_t on_cpu, queued;
    convoy_sched(tid, &on_cpu, &queued);
    return queued;
}

static void S_window_open(convoy *c, int w)
{
    convoy_sched(atomic_load(&c->cpu_os_tid), &c->win_cpu0[w], &c->win_q0[w]);
    c->win_t[w][0] = rt_now_ns();
    c->win_units[w] = atomic_load(&c->units);
}

static void S_window_close(convoy *c, int w)
{
    c->win_t[w][1] = rt_now_ns();
    c->win_units[w] = atomic_load(&c->units) - c->win_units[w];
    c->win_ns[w] = c->win_t[w][1] - c->win_t[w][0];
    uint64_t on_cpu, queued;
    convoy_sched(atomic_load(&c->cpu_os_tid), &on_cpu, &queued);
    queued -= c->win_q0[w];
    c->win_queued[w] =
        queued < c->win_ns[w] ? queued : 0; /* never more than the window */
    c->win_on_cpu[w] = on_cpu - c->win_cpu0[w];
}

static void S_tell_main(convoy *c, char what)
{
    while (write(c->ctl[1], &what, 1) < 0)
        if (errno != EINTR)
            exkit_fail("client: write to main failed: %s", strerror(errno));
}

/* The client runs the phases (convoy.h). */
static void *S_client(void *arg)
{
    convoy *c = arg;
    S_rounds(c, 'a', CONVOY_ALONE);
    S_tell_main(c, 's');
    while (atomic_load(&c->units) == 0) /* the CPU thread is computing */
        S_nap_us(200);
    S_nap_us(5000);
    S_window_open(c, CONVOY_SOLO1);
    S_nap_us(c->solo_ms * 1000);
    S_window_close(c, CONVOY_SOLO1);
    S_window_open(c, CONVOY_WINDOW_LOADED);
    S_rounds(c, 'l', CONVOY_LOADED);
    S_window_close(c, CONVOY_WINDOW_LOADED);
    S_window_open(c, CONVOY_SOLO2);
    S_nap_us(c->solo_ms * 1000);
    S_window_close(c, CONVOY_SOLO2);
    for (int s = 0; s < c->servers; s++) {
        char q = 'q';
        S_xfer(c->sock[s][1], &q, 1, "client");
    }
    S_tell_main(c, 'd');
    return NULL;
}

/* ---------------------------------------------------------------- main */

/* Main waits for the client's word, in a blocking call (GIL released). */
static char S_wait_for_client(convoy *c)
{
    char b = 0;
    ssize_t n = rt_read(c->ctl[0], &b, 1);
    if (n != 1)
        exkit_fail("main: reading the client's signal failed (%zd)", n);
    return b;
}

/* Reads the LOADED window's GIL events from the trace. */
static void S_read_trace(convoy *c)
{
    size_t n;
    const rt_event *ev = rt_trace_events(&n, &c->trace_dropped);
    uint64_t lo = c->win_t[CONVOY_WINDOW_LOADED][0];
    uint64_t hi = c->win_t[CONVOY_WINDOW_LOADED][1];
    uint64_t half = (uint64_t)c->interval_us * 500;
    int cpu = atomic_load(&c->cpu_id);
    uint64_t since[2] = {0, 0}; /* when each server began waiting */
    uint64_t cpu_since = 0;     /* when the CPU thread began waiting */
    uint64_t freed_at = 0;      /* a server dropped the GIL to block */
    for (size_t i = 0; i < n; i++) {
        const rt_event *e = &ev[i];
        if (e->kind == RT_EV_GIL_TAKE && freed_at) { /* who got the freed GIL? */
            if (e->tid == cpu && cpu_since && e->t_ns >= lo && e->t_ns <= hi) {
                /* from when it was both free and asked for to the take */
                uint64_t from = cpu_since > freed_at ? cpu_since : freed_at;
                c->cpu_handovers++;
                c->cpu_slow_handovers +=
                    e->t_ns - from >= (uint64_t)c->interval_us * 1000;
            }
            freed_at = 0;
        }
        if (e->tid == cpu && e->kind == RT_EV_GIL_REQUEST)
            cpu_since = e->t_ns;
        if (e->tid == cpu && e->kind == RT_EV_GIL_TAKE && cpu_since) {
            uint64_t from = cpu_since > lo ? cpu_since : lo;
            uint64_t to = e->t_ns < hi ? e->t_ns : hi;
            c->cpu_wait_ns += to > from ? to - from : 0; /* clipped to the window */
            cpu_since = 0;
        }
        if (e->t_ns < lo || e->t_ns > hi)
            continue;
        if (e->tid == cpu && e->kind == RT_EV_GIL_TAKE)
            c->cpu_takes++;
        if (e->tid == cpu && e->kind == RT_EV_GIL_DROP && e->arg == 1)
            c->cpu_forced++;
        for (int s = 0; s < c->servers; s++) {
            if (e->tid != atomic_load(&c->server_id[s]))
                continue;
            if (e->kind == RT_EV_GIL_DROP && e->arg == 0)
                freed_at = e->t_ns;
            if (e->kind == RT_EV_GIL_REQUEST)
                since[s] = e->t_ns;
            else if (e->kind == RT_EV_GIL_TAKE)
                since[s] = 0;
            else if (e->kind == RT_EV_DROP_REQUEST && since[s] &&
                     e->t_ns - since[s] < half)
                c->fast_asks[s]++;
        }
    }
}

int convoy_run(convoy *c)
{
    static S_server_arg args[2];
    rt_thread *server[2] = {NULL, NULL}, *cpu = NULL;
    pthread_t client;
    if (c->servers < 1 || c->servers > 2 || c->rounds < 1 || c->rounds > 1000)
        exkit_fail("convoy_run: bad settings (driver bug)");
    c->interval_us = rt_gil_interval_us();
    atomic_init(&c->stop, 0);
    atomic_init(&c->units, 0);
    atomic_init(&c->cpu_id, -1);
    atomic_init(&c->cpu_os_tid, 0);
    for (int s = 0; s < c->servers; s++) {
        atomic_init(&c->server_id[s], -1);
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, c->sock[s]) < 0)
            exkit_fail("socketpair: %s", strerror(errno));
    }
    if (pipe(c->ctl) < 0)
        exkit_fail("pipe: %s", strerror(errno));
    for (int s = 0; s < c->servers; s++) {
        args[s] = (S_server_arg){c, s};
        if (!(server[s] = rt_thread_start_named("server", S_server, &args[s])))
            exkit_fail("rt_thread_start: %s", strerror(errno));
    }
    if (pthread_create(&client, NULL, S_client, c) != 0)
        exkit_fail("pthread_create failed");
    if (S_wait_for_client(c) != 's')
        exkit_fail("main: unexpected signal from the client");
    if (!(cpu = rt_thread_start_named("cpu", S_cpu, c)))
        exkit_fail("rt_thread_start: %s", strerror(errno));
    if (S_wait_for_client(c) != 'd')
        exkit_fail("main: unexpected signal from the client");
    atomic_store(&c->stop, 1);
    rt_thread_join(cpu);
    for (int s = 0; s < c->servers; s++)
        rt_thread_join(server[s]);
    pthread_join(client, NULL);
    for (int s = 0; s < c->servers; s++) {
        close(c->sock[s][0]);
        close(c->sock[s][1]);
    }
    close(c->ctl[0]);
    close(c->ctl[1]);
    S_read_trace(c);
    return 0;
}

/* Work per nanosecond on a core in window w (per nanosecond of the window
 * when the kernel does not say). */
static double S_rate(const convoy *c, int w)
{
    uint64_t ns = c->win_on_cpu[w] ? c->win_on_cpu[w] : c->win_ns[w];
    return ns ? (double)c->win_units[w] / (double)ns : 0;
}

double convoy_cpu_share(const convoy *c)
{
    uint64_t w = c->win_ns[CONVOY_WINDOW_LOADED],
             q = c->win_queued[CONVOY_WINDOW_LOADED];
    uint64_t slept = c->cpu_wait_ns > q ? c->cpu_wait_ns - q : 0;
    return w ? 1.0 - (double)(slept < w ? slept : w) / (double)w : 0;
}

double convoy_cpu_kept(const convoy *c)
{
    double solo = (S_rate(c, CONVOY_SOLO1) + S_rate(c, CONVOY_SOLO2)) / 2;
    return solo > 0 ? S_rate(c, CONVOY_WINDOW_LOADED) / solo * convoy_cpu_share(c) : 0;
}
