/*
 * test_loop_io.c - the event loop's file descriptors: 10,000 fds waited on
 * at once, echo, writability, cancellation, fd errors, EINTR.
 */
#include "test_loop_util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

static void pair(int sv[2])
{
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
}

/* ---------------------------------------------------------------- many */

#define NPAIRS 5000 /* 10,000 fds, each waited on by one task */

struct reader {
    int fd;
    unsigned char expect;
    unsigned char byte;
};

static int reader(rt_task *t)
{
    struct reader *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_read(t, f->fd, &f->byte, 1));
    if (t->awaited != 1)
        RT_RETURN(t, t->awaited < 0 ? t->awaited : -EIO);
    RT_END(t, f->byte == f->expect ? 0 : -EILSEQ);
}

static int fds[2 * NPAIRS];

/* Once every task waits: one byte into each fd, naming its peer. */
static void write_all(rt_loop *l, void *arg)
{
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECKF(s.fds_waiting == 2 * NPAIRS, "%zu waiting", s.fds_waiting);
    for (int i = 0; i < 2 * NPAIRS; i++) {
        unsigned char b = (unsigned char)(i ^ 1);
        CHECK(write(fds[i], &b, 1) == 1); /* arrives at fds[i ^ 1] */
    }
}

CASE(ten_thousand_fds)
{
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_cur < 2 * NPAIRS + 100) {
        rl.rlim_cur = rl.rlim_max;
        CHECKF(setrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 2 * NPAIRS + 100,
               "need %d open files, limit %ld", 2 * NPAIRS + 100, (long)rl.rlim_max);
    }
    rt_loop *l = new_loop();
    rt_task **t = malloc(2 * NPAIRS * sizeof *t);
    CHECK(t != NULL);
    for (int i = 0; i < NPAIRS; i++)
        pair(&fds[2 * i]);
    for (int i = 0; i < 2 * NPAIRS; i++) {
        struct reader r = {fds[i], (unsigned char)i, 0};
        CHECK((t[i] = rt_spawn(l, reader, &r, sizeof r)) != NULL);
    }
    CHECK(rt_call_later(l, 10 * MS, write_all, NULL, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    for (int i = 0; i < 2 * NPAIRS; i++) {
        CHECKF(rt_task_result(t[i]) == 0, "task %d: %ld", i, rt_task_result(t[i]));
        rt_task_release(t[i]);
    }
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.max_fds_waiting == 2 * NPAIRS && s.max_waiting == 2 * NPAIRS);
    CHECK(s.fds_waiting == 0);
    for (int i = 0; i < 2 * NPAIRS; i++)
        close(fds[i]);
    free(t);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- echo */

#define ROUNDS 2000

struct echo {
    int fd;
    int i;
    char buf[16];
};

static int echo_server(rt_task *t)
{
    struct echo *f = rt_frame(t);
    RT_BEGIN(t);
    for (;;) {
        RT_AWAIT(t, rt_async_read(t, f->fd, f->buf, sizeof f->buf));
        if (t->awaited <= 0)
            break; /* 0: the client hung up */
        RT_AWAIT(t, rt_async_write(t, f->fd, f->buf, (size_t)t->awaited));
        if (t->awaited < 0)
            RT_RETURN(t, t->awaited);
        f->i++;
    }
    RT_END(t, t->awaited < 0 ? t->awaited : f->i);
}

static int echo_client(rt_task *t)
{
    struct echo *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < ROUNDS; f->i++) {
        snprintf(f->buf, sizeof f->buf, "%d", f->i);
        RT_AWAIT(t, rt_async_write(t, f->fd, f->buf, strlen(f->buf)));
        CHECK(t->awaited == (long)strlen(f->buf));
        memset(f->buf, 0, sizeof f->buf);
        RT_AWAIT(t, rt_async_read(t, f->fd, f->buf, sizeof f->buf - 1));
        CHECK(t->awaited > 0 && atoi(f->buf) == f->i);
    }
    shutdown(f->fd, SHUT_WR);
    RT_END(t, f->i);
}

CASE(echo_over_socketpair)
{
    rt_loop *l = new_loop();
    int sv[2];
    pair(sv);
    struct echo s = {sv[0], 0, {0}}, c = {sv[1], 0, {0}};
    rt_task *ts = rt_spawn(l, echo_server, &s, sizeof s);
    rt_task *tc = rt_spawn(l, echo_client, &c, sizeof c);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(tc) == ROUNDS);
    CHECK(rt_task_result(ts) == ROUNDS);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    CHECK(st.polls > 0 && st.max_fds_waiting >= 1);
    rt_task_release(ts);
    rt_task_release(tc);
    close(sv[0]);
    close(sv[1]);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- writable */

struct filler {
    int fd;
    long written;
    char chunk[4096];
};

/* Writes until the socket buffer is full, then waits for room once. */
static int filler(rt_task *t)
{
    struct filler *f = rt_frame(t);
    RT_BEGIN(t);
    while (write(f->fd, f->chunk, sizeof f->chunk) > 0)
        f->written += sizeof f->chunk;
    CHECK(errno == EAGAIN);
    RT_AWAIT(t, rt_async_writable(t, f->fd));
    RT_END(t, t->awaited);
}

static void drain(rt_loop *l, void *arg)
{
    char buf[65536];
    while (read((int)(intptr_t)arg, buf, sizeof buf) > 0) {
    }
}

CASE(writable_after_peer_drains)
{
    rt_loop *l = new_loop();
    int sv[2];
    pair(sv);
    struct filler *f = calloc(1, sizeof *f);
    f->fd = sv[0];
    rt_task *t = rt_spawn(l, filler, f, sizeof *f);
    CHECK(rt_call_later(l, 20 * MS, drain, (void *)(intptr_t)sv[1], NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(t) == 0);
    CHECK(((struct filler *)rt_frame(t))->written > 0);
    rt_task_release(t);
    free(f);
    close(sv[0]);
    close(sv[1]);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- cancel */

static void cancel_it(rt_loop *l, void *arg)
{
    CHECK(rt_task_cancel(arg) == 0);
}

static int second_fd;

static void spawn_second_and_write(rt_loop *l, void *arg)
{
    int *sv = arg;
    struct reader r = {sv[0], 'z', 0};
    rt_task *t = rt_spawn(l, reader, &r, sizeof r);
    CHECK(t != NULL);
    rt_task_release(t);
    CHECK(write(sv[1], "z", 1) == 1);
    second_fd = 1;
}

CASE(cancel_fd_wait_frees_the_fd)
{
    rt_loop *l = new_loop();
    int sv[2];
    pair(sv);
    struct reader r = {sv[0], 'x', 0};
    rt_task *t = rt_spawn(l, reader, &r, sizeof r);
    CHECK(rt_call_later(l, 10 * MS, cancel_it, t, NULL) == 0);
    /* A second reader can take the fd once the first is gone. */
    CHECK(rt_call_later(l, 20 * MS, spawn_second_and_write, sv, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    CHECK(rt_task_result(t) == -ECANCELED);
    CHECK(second_fd == 1);
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECK(s.fds_waiting == 0 && s.tasks_done == 2);
    rt_task_release(t);
    close(sv[0]);
    close(sv[1]);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- errors */

struct probe {
    int fd, fd2;
    long r[6];
};

static int probe(rt_task *t)
{
    struct probe *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_readable(t, -1));
    f->r[0] = t->awaited;
    RT_AWAIT(t, rt_async_readable(t, 999)); /* not open */
    f->r[1] = t->awaited;
    RT_AWAIT(t, rt_async_readable(t, f->fd2)); /* a regular file */
    f->r[2] = t->awaited;
    {
        char c;
        RT_AWAIT(t, rt_async_read(t, 998, &c, 1));
        f->r[3] = t->awaited;
    }
    RT_END(t, 0);
}

static int busy_reader(rt_task *t)
{
    struct probe *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_readable(t, f->fd)); /* someone else waits on it */
    f->r[4] = t->awaited;
    RT_END(t, 0);
}

CASE(fd_errors)
{
    rt_loop *l = new_loop();
    int sv[2];
    pair(sv);
    int file = memfd_create("probe", MFD_CLOEXEC); /* a file epoll cannot watch */
    CHECK(file >= 0);
    struct probe p = {sv[0], file, {1, 1, 1, 1, 1, 1}};
    rt_task *first = rt_spawn(l, busy_reader, &p, sizeof p);  /* waits */
    rt_task *second = rt_spawn(l, busy_reader, &p, sizeof p); /* -EBUSY */
    rt_task *t = rt_spawn(l, probe, &p, sizeof p);
    CHECK(rt_call_later(l, 10 * MS, cancel_it, first, NULL) == 0);
    CHECK(rt_loop_run(l) == 0);
    struct probe *f = rt_frame(t);
    CHECK(f->r[0] == -EBADF);
    CHECK(f->r[1] == -EBADF);
    CHECK(f->r[2] == -EPERM);
    CHECK(f->r[3] == -EBADF);
    CHECK(((struct probe *)rt_frame(first))->r[4] == -ECANCELED);
    CHECK(((struct probe *)rt_frame(second))->r[4] == -EBUSY);
    rt_task_release(first);
    rt_task_release(second);
    rt_task_release(t);
    close(file);
    close(sv[0]);
    close(sv[1]);
    rt_loop_free(l);
    rt_fini();
}

/* ---------------------------------------------------------------- EINTR */

static void on_usr1(int sig) {}

static pthread_t loop_thread;
static _Atomic int stop_pestering;

static void *pester(void *arg)
{
    while (!atomic_load(&stop_pestering)) {
        pthread_kill(loop_thread, SIGUSR1);
        usleep(2000);
    }
    return NULL;
}

struct nap {
    uint64_t ns, woke;
};

static int nap(rt_task *t)
{
    struct nap *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, f->ns));
    f->woke = rt_loop_now(rt_task_loop(t));
    RT_END(t, t->awaited);
}

CASE(eintr_is_retried)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: epoll_wait fails with EINTR */
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    rt_loop *l = new_loop();
    loop_thread = pthread_self();
    struct nap n = {200 * MS, 0};
    rt_task *t = rt_spawn(l, nap, &n, sizeof n);
    pthread_t p;
    CHECK(pthread_create(&p, NULL, pester, NULL) == 0);
    uint64_t t0 = rt_loop_now(l);
    CHECK(rt_loop_run(l) == 0);
    atomic_store(&stop_pestering, 1);
    pthread_join(p, NULL);
    CHECK(rt_task_result(t) == 0);
    CHECK(((struct nap *)rt_frame(t))->woke - t0 >= 200 * MS); /* not woken early */
    rt_loop_stats s;
    rt_loop_stats_get(l, &s);
    CHECKF(s.polls_interrupted >= 1, "%llu", (unsigned long long)s.polls_interrupted);
    rt_task_release(t);
    rt_loop_free(l);
    rt_fini();
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(ten_thousand_fds, echo_over_socketpair,
                            writable_after_peer_drains, cancel_fd_wait_frees_the_fd,
                            fd_errors, eintr_is_retried));
}
