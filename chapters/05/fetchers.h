/*
 * fetchers.h - chapter 5's experiment, shared by its demo (demo.c) and its
 * figure program (sizing.c).
 *
 * Header-only on purpose: each chapter program is built from one .c file,
 * so the two include the same static functions instead of linking them.
 *
 * The experiment: N local servers (exercises/common/exkit_serve.h), each
 * waiting `delay` before it sends a reply of "<key> <value>\n" lines and
 * closes.  N requests are fetched one after another on the main thread,
 * or on a pool of k runtime threads; each reply may then be parsed, as
 * Python code.  One `way` says which; fx_run measures it once.
 */
#ifndef CH05_FETCHERS_H
#define CH05_FETCHERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exkit.h"
#include "exkit_serve.h"
#include "rt.h"

#define FX_MAX_N          32
#define FX_UNITS_PER_BYTE 100 /* interpreter work per byte parsed (ex05.h) */

/* One way of doing the N requests.  All fields public. */
typedef struct fx_way {
    int workers;  /* 0: on the main thread, one after another; else a pool */
    int fetch;    /* fetch each reply from its server (else: bodies in memory) */
    int parse;    /* parse each reply */
    int hold_gil; /* fetch with the plain calls, keeping the GIL while they wait */
} fx_way;

/* The servers and the bodies of one experiment.  Owned by fx_setup's
 * caller; fx_teardown frees it.  Fields read-only after fx_setup. */
typedef struct fx_bench {
    int n;
    long delay_us;
    char *body; /* every server sends this body (parse-only ways read it too) */
    size_t len;
    exkit_servers *set;
} fx_bench;

/* What one run of one way measured. */
typedef struct fx_outcome {
    uint64_t wall_ns, cpu_ns;
    rt_stats stats; /* counters over the run */
    int ok;         /* requests whose reply came back whole */
} fx_outcome;

/* Builds a body of about `bytes` bytes and starts n servers that wait
 * delay_us before sending it, and with `hold` (else NULL) until
 * hold(set, hold_arg) agrees, for at most 5 s.  Any thread. */
static void fx_setup(fx_bench *b, int n, long delay_us, size_t bytes,
                     int (*hold)(exkit_servers *, void *), void *hold_arg)
{
    size_t cap = bytes + 64, len = 0;
    char *body = malloc(cap);
    if (!body)
        exkit_fail("demo: out of memory");
    for (int j = 0; len < bytes; j++)
        len += (size_t)snprintf(body + len, cap - len, "reading-%d %d\n", j,
                                (j * 7919) % 100003);
    exkit_server_spec spec[FX_MAX_N];
    for (int i = 0; i < n; i++)
        spec[i] = (exkit_server_spec){.delay_us = delay_us,
                                      .reply = body,
                                      .reply_len = len,
                                      .hold = hold,
                                      .hold_arg = hold_arg,
                                      .hold_max_us = 5000000};
    *b = (fx_bench){.n = n, .delay_us = delay_us, .body = body, .len = len};
    b->set = exkit_servers_start(spec, n);
}

static void fx_teardown(fx_bench *b)
{
    exkit_servers_stop(b->set);
    free(b->body);
}

/* The plain system calls, with the runtime's error convention (a negative
 * errno).  They keep the GIL while they wait: nothing here lets go. */
static int fx_plain_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    return connect(fd, addr, len) < 0 ? -errno : 0;
}

static ssize_t fx_plain_send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n = send(fd, buf, len, flags);
    return n < 0 ? -errno : n;
}

static ssize_t fx_plain_recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = recv(fd, buf, len, flags);
    return n < 0 ? -errno : n;
}

// [calls]
/* The three calls a fetch makes.  Either the runtime's wrappers, which let
 * go of the GIL while they wait (Py_BEGIN_ALLOW_THREADS around the system
 * call, as in CPython's socket module), or the plain system calls, which
 * sleep in the kernel still holding it. */
typedef struct fx_calls {
    int (*connect)(int fd, const struct sockaddr *addr, socklen_t len);
    ssize_t (*send)(int fd, const void *buf, size_t len, int flags);
    ssize_t (*recv)(int fd, void *buf, size_t len, int flags);
} fx_calls;

static const fx_calls fx_letting_go = {rt_connect, rt_send, rt_recv};
static const fx_calls fx_keeping_gil = {fx_plain_connect, fx_plain_send, fx_plain_recv};
// [end]

// [fetch]
/* One download: connect, ask, read until the server closes.  Returns the
 * bytes read into buf[0..cap), or a negative errno. */
static ssize_t fx_fetch(const fx_calls *io, const struct sockaddr_un *addr,
                        socklen_t addrlen, char *buf, size_t cap)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    ssize_t got = 0, n = io->connect(fd, (const struct sockaddr *)addr, addrlen);
    if (n == 0)
        n = io->send(fd, "GET /\n", 6, MSG_NOSIGNAL);
    while (n > 0 && (size_t)got < cap) {
        n = io->recv(fd, buf + got, cap - (size_t)got, 0); /* the long wait */
        if (n > 0)
            got += n;
    }
    close(fd);
    return n < 0 ? n : got;
}
// [end]

// [parse]
/* Parsing a reply is Python code (split, int, a dict store per line), so
 * it runs holding the GIL and pays FX_UNITS_PER_BYTE units of interpreter
 * work per byte.  Nothing in it waits, so nothing in it lets go: two
 * threads parsing take turns at the GIL like any CPU-bound threads. */
static uint64_t fx_parse(const char *buf, size_t len)
{
    uint64_t total = 0;
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (sp && sp < nl)
            total += strtoull(sp + 1, NULL, 10);
        rt_bytecodes((uint64_t)(nl + 1 - p) * FX_UNITS_PER_BYTE);
        p = nl + 1;
    }
    return total;
}
// [end]

/* One run's shared state: the tasks' counter and their results. */
typedef struct fx_job {
    fx_bench *b;
    const fx_way *w;
    int next;         /* the next request nobody has taken (under the GIL) */
    int ok;           /* replies that came back whole (under the GIL) */
    uint64_t checked; /* parse totals, kept so the work is not dropped */
} fx_job;

/* Request i: fetch it (or take the body from memory), then parse it. */
static void fx_task(fx_job *job, int i)
{
    fx_bench *b = job->b;
    const char *data = b->body;
    char *buf = NULL;
    ssize_t len = (ssize_t)b->len;
    if (job->w->fetch) {
        socklen_t alen;
        const struct sockaddr_un *addr = exkit_server_addr(b->set, i, &alen);
        buf = malloc(b->len + 1);
        if (!buf)
            exkit_fail("demo: out of memory");
        len = fx_fetch(job->w->hold_gil ? &fx_keeping_gil : &fx_letting_go, addr, alen,
                       buf, b->len + 1);
        data = buf;
    }
    if (len == (ssize_t)b->len && memcmp(data, b->body, b->len) == 0)
        job->ok++;
    if (job->w->parse && len > 0) {
        uint64_t total = fx_parse(data, (size_t)len); /* may change hands here... */
        job->checked += total; /* ...but not between this read and write */
    }
    free(buf);
}

/* A pool worker: takes request indices until none is left, like a thread
 * of ThreadPoolExecutor.  The counter needs no lock: it is read and bumped
 * while holding the GIL, with nothing that could let go in between. */
static void fx_worker(void *arg)
{
    fx_job *job = arg;
    for (int i; (i = job->next) < job->b->n;) {
        job->next = i + 1;
        fx_task(job, i);
    }
}

/* Does the n requests of `b` the way `w` says, once, and measures it.
 * Call with the runtime started, holding the GIL. */
static void fx_run(fx_bench *b, const fx_way *w, fx_outcome *o)
{
    fx_job job = {.b = b, .w = w};
    rt_thread *t[FX_MAX_N];
    int k = w->workers < b->n ? w->workers : b->n;
    rt_stats_reset();
    uint64_t t0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
    if (w->workers == 0) {
        for (int i = 0; i < b->n; i++)
            fx_task(&job, i);
    } else {
        for (int i = 0; i < k; i++) /* start them all... */
            if (!(t[i] = rt_thread_start(fx_worker, &job)))
                exkit_fail("demo: cannot start a thread");
        for (int i = 0; i < k; i++) /* ...then wait for each */
            rt_thread_join(t[i]);
    }
    o->wall_ns = rt_now_ns() - t0;
    o->cpu_ns = exkit_cpu_now_ns() - c0;
    rt_stats_get(&o->stats);
    o->ok = job.ok;
    if (job.checked == 42) /* keep the parse's result observable */
        o->ok++;
}

/* Bytes of body whose parse costs about `ms` of interpreter time here. */
static size_t fx_parse_bytes(double ms)
{
    return (size_t)(ms * rt_bytecodes_per_ms() / FX_UNITS_PER_BYTE);
}

#endif /* CH05_FETCHERS_H */
