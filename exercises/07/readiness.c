/*
 * readiness.c - exercise 07's checks of Part C, readiness: what
 * ex07_io_watch and ex07_io_wait report, alone and under the runtime's
 * loop.  Provided; do not edit.  Part of the driver (see driver.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ex07_driver.h"

/* ------------------------------------------------------------------ */
/* Part C: readiness                                                   */
/* ------------------------------------------------------------------ */

/* The events io_wait reports for fd (0 if none), waiting timeout_ns. */
static unsigned S_events_for(void *c, int fd, int64_t timeout_ns)
{
    rt_io_event ev[8];
    int n = ex07_io_wait(c, timeout_ns, ev, 8);
    if (n < 0)
        exkit_fail_rc("ex07_io_wait", n);
    if (n > 8)
        exkit_fail("ex07_io_wait returned %d events with max 8", n);
    unsigned got = 0;
    for (int i = 0; i < n; i++) {
        if (ev[i].events == 0)
            exkit_fail("ex07_io_wait reported fd %d with no events", ev[i].fd);
        if (ev[i].fd == fd)
            got |= ev[i].events;
    }
    return got;
}

static void S_watch(void *c, int fd, unsigned old, unsigned new)
{
    int rc = ex07_io_watch(c, fd, old, new);
    if (rc < 0)
        exkit_fail_rc("ex07_io_watch", rc);
}

typedef struct reader {
    int fd;
    char buf[8];
} reader;

static int S_reader(rt_task *t)
{
    reader *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_read(t, f->fd, f->buf, sizeof f->buf));
    RT_END(t, t->awaited);
}

typedef struct writer {
    int fd;
    uint64_t after_ns;
} writer;

static int S_writer(rt_task *t)
{
    writer *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, f->after_ns));
    RT_AWAIT(t, rt_async_write(t, f->fd, "hi!", 3));
    RT_END(t, t->awaited);
}

/* io: readable, writable and hung-up fds are reported as such, and a task
 * reading a pipe is woken when another task writes. */
void ex07d_case_io(void)
{
    void *c = ex07d_core();
    int p[2];
    ex07d_pipe(p);
    S_watch(c, p[0], 0, RT_IO_READ);
    if (S_events_for(c, p[0], 0))
        exkit_fail("ex07_io_wait reported an empty pipe readable");
    if (write(p[1], "x", 1) != 1)
        exkit_fail("write to a pipe failed");
    if (!(S_events_for(c, p[0], 0) & RT_IO_READ))
        exkit_fail("a pipe with a byte in it was not reported readable "
                   "(RT_IO_READ for POLLIN)");
    S_watch(c, p[1], 0, RT_IO_WRITE);
    if (!(S_events_for(c, p[1], 0) & RT_IO_WRITE))
        exkit_fail("an empty pipe's write end was not reported writable "
                   "(RT_IO_WRITE for POLLOUT)");
    S_watch(c, p[1], RT_IO_WRITE, 0);
    close(p[1]);
    char b;
    if (read(p[0], &b, 1) != 1)
        exkit_fail("read from a pipe failed");
    if (!(S_events_for(c, p[0], 0) & (RT_IO_ERROR | RT_IO_READ)))
        exkit_fail("a pipe whose writer hung up was not reported (POLLHUP is "
                   "RT_IO_ERROR)");
    ex07_destroy(c);
    close(p[0]);

    rt_loop *l = ex07d_loop();
    ex07d_pipe(p);
    reader r = {.fd = p[0]};
    writer w = {p[1], 5 * EX07D_MS};
    rt_task *tr = ex07d_spawn(l, S_reader, &r, sizeof r);
    rt_task *tw = ex07d_spawn(l, S_writer, &w, sizeof w);
    ex07d_run(l);
    if (rt_task_result(tr) != 3)
        exkit_fail("a task reading a pipe got %ld, not the 3 bytes another task wrote",
                   rt_task_result(tr));
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    if (st.max_fds_waiting < 1)
        exkit_fail("the reader never waited for readiness");
    rt_task_release(tr);
    rt_task_release(tw);
    rt_loop_free(l);
    close(p[0]);
    close(p[1]);
}

typedef struct reads_then_sleeps {
    int fd;
    char b;
} reads_then_sleeps;

static int S_reads_then_sleeps(rt_task *t)
{
    reads_then_sleeps *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_readable(t, f->fd));
    RT_AWAIT(t, rt_async_read(t, f->fd, &f->b, 1));
    RT_AWAIT(t, rt_async_sleep(t, 30 * EX07D_MS));
    RT_END(t, 0);
}

/* unwatch: after io_watch(fd, .., 0) the fd is never reported again. */
void ex07d_case_unwatch(void)
{
    void *c = ex07d_core();
    int p[2];
    ex07d_pipe(p);
    if (write(p[1], "xy", 2) != 2)
        exkit_fail("write to a pipe failed");
    S_watch(c, p[0], 0, RT_IO_READ);
    S_watch(c, p[1], 0, RT_IO_WRITE);
    S_watch(c, p[0], RT_IO_READ, 0);
    if (S_events_for(c, p[0], 0))
        exkit_fail("ex07_io_wait reported fd %d after ex07_io_watch(fd, READ, 0): "
                   "a watch set to 0 must be removed",
                   p[0]);
    S_watch(c, p[1], RT_IO_WRITE, 0);
    S_watch(c, p[0], 0, RT_IO_READ);
    if (!(S_events_for(c, p[0], 0) & RT_IO_READ))
        exkit_fail("a pipe watched again after being unwatched was not reported");
    ex07_destroy(c);

    /* Through the loop: a task waits for the pipe, reads one byte of two,
     * then sleeps 30 ms.  The loop narrows the watch as soon as the pipe
     * fires with nobody waiting; a core that keeps reporting it makes
     * every turn return at once. */
    rt_loop *l = ex07d_loop();
    reads_then_sleeps f = {.fd = p[0]};
    rt_task *t = ex07d_spawn(l, S_reads_then_sleeps, &f, sizeof f);
    ex07d_run(l);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    if (st.polls > 20)
        exkit_fail("a task that read a pipe and then slept 30 ms cost %llu polls: "
                   "the pipe, still readable, was reported again and again after "
                   "the loop stopped watching it (ex07_io_watch(fd, READ, 0) must "
                   "remove it)",
                   (unsigned long long)st.polls);
    rt_task_release(t);
    rt_loop_free(l);
    close(p[0]);
    close(p[1]);
}

/* The watchdog: a plain thread that writes to a pipe after `ms`, so that
 * a wait that ignores its timeout ends anyway, and we can tell. */
typedef struct watchdog {
    int fd;
    int ms;
} watchdog;

static void *S_watchdog(void *arg)
{
    watchdog *w = arg;
    struct timespec ts = {w->ms / 1000, (long)(w->ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
    if (write(w->fd, "!", 1) < 0) {
        /* nothing to do: the test judges what io_wait reported */
    }
    return NULL;
}

typedef struct sleeper {
    int k;
} sleeper;

static int S_sleeper(rt_task *t)
{
    sleeper *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->k = 0; f->k < 3; f->k++)
        RT_AWAIT(t, rt_async_sleep(t, 20 * EX07D_MS));
    RT_END(t, 0);
}

/* nospin: io_wait honours its timeout, neither returning at once (a busy
 * loop: many polls) nor waiting past it (the watchdog's byte arrives). */
void ex07d_case_nospin(void)
{
    void *c = ex07d_core();
    int p[2];
    ex07d_pipe(p);
    S_watch(c, p[0], 0, RT_IO_READ);
    static watchdog w;
    w = (watchdog){p[1], 3000};
    pthread_t th;
    if (pthread_create(&th, NULL, S_watchdog, &w) != 0)
        exkit_fail("pthread_create failed (the machine, not your code)");
    pthread_detach(th);
    if (S_events_for(c, p[0], 0) != 0)
        exkit_fail("ex07_io_wait(timeout 0) reported a pipe nobody wrote to");
    if (S_events_for(c, p[0], 30 * EX07D_MS) != 0)
        exkit_fail("ex07_io_wait(timeout 30 ms) was still waiting 3 s later, when "
                   "a byte arrived: it waits past its timeout (poll counts "
                   "milliseconds; only -1 means no limit)");
    ex07_destroy(c);

    /* Through the loop: one task sleeping 20 ms three times. */
    rt_loop *l = ex07d_loop();
    sleeper s = {0};
    rt_task *t = ex07d_spawn(l, S_sleeper, &s, sizeof s);
    ex07d_run(l);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    /* 3 sleeps: about 3 blocking polls, a few more if woken early by a
     * signal or rounding.  A loop that spins makes thousands. */
    if (st.polls > 20)
        exkit_fail("three 20 ms sleeps took %llu polls and %llu turns of the loop: "
                   "ex07_io_wait returns before its timeout, so the loop spins (a "
                   "busy wait); convert the timeout to milliseconds rounding up",
                   (unsigned long long)st.polls, (unsigned long long)st.iterations);
    if (st.timers_fired != 3)
        exkit_fail("three sleeps fired %llu timers",
                   (unsigned long long)st.timers_fired);
    rt_task_release(t);
    rt_loop_free(l);
    /* p stays open: the watchdog writes to it later, and a pipe with no
     * reader would raise SIGPIPE. */
}

/* BEGIN HIDDEN TESTS */
/* many_fds: 200 pipes, a reader on each, written in reverse order. */
void ex07d_case_many_fds(void)
{
    enum { N = 200 };
    static int fds[N][2];
    static rt_task *tasks[N];
    rt_loop *l = ex07d_loop();
    for (int i = 0; i < N; i++) {
        ex07d_pipe(fds[i]);
        reader r = {.fd = fds[i][0]};
        tasks[i] = ex07d_spawn(l, S_reader, &r, sizeof r);
        writer w = {fds[i][1], (uint64_t)(N - i) * EX07D_MS / 10};
        rt_task_release(ex07d_spawn(l, S_writer, &w, sizeof w));
    }
    ex07d_run(l);
    for (int i = 0; i < N; i++) {
        if (rt_task_result(tasks[i]) != 3)
            exkit_fail("reader %d of %d got %ld, not 3 bytes", i, N,
                       rt_task_result(tasks[i]));
        rt_task_release(tasks[i]);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    rt_loop_free(l);
}
/* END HIDDEN TESTS */
