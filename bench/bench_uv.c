/*
 * bench_uv.c - libuv's twin of bench_loop's timer and echo rows.
 *
 * The figures here are libuv's, not ours: they are the yardstick of the
 * "<= 2x libuv" targets of bench_loop's timer and echo rows, measured on
 * the same machine in the same `make bench`.  The workloads are bench_loop's: 100k
 * and 1M timers with delays (i % 1000) * 10 us (libuv counts milliseconds,
 * so 0..9 ms), and one-byte echo round trips over a socketpair, each end a
 * uv_pipe_t.  libuv has no tasks, so the switch, create, memory and sleep
 * rows have no twin here.  Rows report the least disturbed of 5 runs (3 for
 * 1M timers).  Built only where uv.h is installed (mk/loop.mk).
 *
 * Usage: bench_uv [OUTDIR]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "bench_util.h"

static uint64_t now_ns(void)
{
    return uv_hrtime();
}

/* libuv's figure goes in the "libuv" column of our row of the same name. */
static void uv_row(const char *name, const char *unit, double v, const char *note)
{
    (void)note; /* the loop's own row says what is measured */
    bench_row_side("libuv", name, unit, v, NULL, NULL);
}

static void check(int rc, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "bench_uv: %s: %s\n", what, uv_strerror(rc));
        exit(1);
    }
}

/* ---------------------------------------------------------------- timers */

static size_t fired;

static void on_timer(uv_timer_t *t)
{
    fired++;
}

static double timers_ns(size_t n)
{
    uv_loop_t loop;
    check(uv_loop_init(&loop), "uv_loop_init");
    uv_timer_t *t = malloc(n * sizeof *t);
    if (!t)
        exit(1);
    fired = 0;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        uv_timer_init(&loop, &t[i]);
        check(uv_timer_start(&t[i], on_timer, (i % 1000) / 100, 0), "uv_timer_start");
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    double ns = (double)(now_ns() - t0) / (double)n;
    if (fired != n)
        fprintf(stderr, "bench_uv: %zu of %zu timers fired\n", fired, n);
    for (size_t i = 0; i < n; i++)
        uv_close((uv_handle_t *)&t[i], NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(t);
    return ns;
}

/* ---------------------------------------------------------------- echo */

#define ROUNDS 50000

static uv_pipe_t client, server;
static int rounds;
static char rbuf[64];

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    *buf = uv_buf_init(rbuf, sizeof rbuf);
}

static void send_x(uv_stream_t *s, const char *data, size_t len)
{
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
    check(uv_try_write(s, &b, 1), "uv_try_write");
}

static void on_server_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n > 0)
        send_x(s, buf->base, (size_t)n);
    else if (n < 0)
        uv_close((uv_handle_t *)s, NULL);
}

static void on_client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    if (n <= 0)
        return;
    if (++rounds < ROUNDS) {
        send_x(s, "x", 1);
        return;
    }
    uv_read_stop(s);
    uv_close((uv_handle_t *)s, NULL); /* the server then reads EOF */
}

static double echo_rtt_us(void)
{
    uv_loop_t loop;
    check(uv_loop_init(&loop), "uv_loop_init");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("bench_uv: socketpair");
        exit(1);
    }
    uv_pipe_init(&loop, &server, 0);
    uv_pipe_init(&loop, &client, 0);
    check(uv_pipe_open(&server, sv[0]), "uv_pipe_open");
    check(uv_pipe_open(&client, sv[1]), "uv_pipe_open");
    check(uv_read_start((uv_stream_t *)&server, on_alloc, on_server_read), "read");
    check(uv_read_start((uv_stream_t *)&client, on_alloc, on_client_read), "read");
    rounds = 0;
    uint64_t t0 = now_ns();
    send_x((uv_stream_t *)&client, "x", 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    double us = (double)(now_ns() - t0) / 1e3 / ROUNDS;
    uv_loop_close(&loop);
    return us;
}

static double best(double (*fn)(void), int runs)
{
    double b = fn();
    for (int i = 1; i < runs; i++) {
        double v = fn();
        if (v < b)
            b = v;
    }
    return b;
}

static double timers100k(void)
{
    return timers_ns(100000);
}

static double timers1m(void)
{
    return timers_ns(1000000);
}

int main(int argc, char **argv)
{
    /* As bench_loop: steady state, freed memory kept in the process. */
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    uv_row("loop.timer_ns", "ns", best(timers100k, 5),
           "100k uv_timer_start, delays 0..9 ms; wall / timers");
    uv_row("loop.timer1m_ns", "ns", best(timers1m, 3),
           "1M uv_timer_start, delays 0..9 ms; wall / timers");
    uv_row("loop.echo_rtt_us", "us", best(echo_rtt_us, 5),
           "one-byte echo over a socketpair (uv_pipe_t, uv_try_write), 50k rounds");
    return 0;
}
