/*
 * convoy_timeline.c - draws chapter 6's figure: the convoy, as a timeline.
 *
 *   make figure-6                  (writes chapters/06/convoy_timeline.svg)
 *   build/demos/06/convoy_timeline OUT.svg
 *
 * An echo server thread answers a request every 3 ms from a client outside
 * the GIL, beside a CPU-bound thread, under the runtime's cpython GIL at a
 * 2 ms switch interval, with tracing on.  Twice: with the CPU work in
 * "Python" (it holds the GIL), and in native code that lets go of it.  The
 * figure draws each run's trace as two lanes, one per thread: a solid bar
 * while the thread holds the GIL, a hatched bar while it waits for it, a
 * thin line while the server is away in recv(), and a tick where a waiter
 * gave up waiting and asked the holder to drop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

enum { REQUESTS = 6, THINK_US = 3000, INTERVAL_US = 2000 };
enum { W = 680, LANE_H = 22, LEFT = 110, PANEL_H = 122 };

static atomic_int S_stop;

/* The CPU work: "Python" holding the GIL, or native code letting go. */
static void cpu_python(void *arg)
{
    (void)arg;
    while (!atomic_load(&S_stop))
        rt_bytecodes(256);
}

static void cpu_native(void *arg)
{
    volatile uint64_t *x = arg;
    while (!atomic_load(&S_stop)) {
        RT_BEGIN_ALLOW_THREADS
            for (int i = 0; i < 200000; i++)
                *x = *x * 6364136223846793005u + 1;
        RT_END_ALLOW_THREADS
    }
}

/* The client, outside the GIL: a request every THINK_US, then 'q'. */
static void *client(void *arg)
{
    int fd = *(int *)arg;
    for (int i = 0; i <= REQUESTS; i++) {
        char b = i < REQUESTS ? 'r' : 'q';
        if (send(fd, &b, 1, MSG_NOSIGNAL) != 1 || (b == 'r' && recv(fd, &b, 1, 0) != 1))
            return NULL;
        struct timespec d = {0, THINK_US * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &d) == EINTR) {
        }
    }
    return NULL;
}

/* One run, traced; returns the trace window [*t0, *t1] of the requests. */
static int run(void (*cpu)(void *), uint64_t *t0, uint64_t *t1, int *cpu_id)
{
    int fd[2];
    static uint64_t sink = 1;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) < 0)
        return -errno;
    atomic_store(&S_stop, 0);
    rt_thread *t = rt_thread_start_named("CPU thread", cpu, &sink);
    if (!t)
        return -errno;
    rt_sleep_us(20000);
    pthread_t c;
    if (pthread_create(&c, NULL, client, &fd[1]) != 0)
        return -EAGAIN;
    *t0 = rt_now_ns();
    for (;;) {
        char b;
        if (rt_recv(fd[0], &b, 1, 0) != 1 || b == 'q')
            break;
        rt_send(fd[0], &b, 1, 0);
    }
    *t1 = rt_now_ns();
    atomic_store(&S_stop, 1);
    rt_thread_join(t);
    pthread_join(c, NULL);
    close(fd[0]);
    close(fd[1]);
    *cpu_id = 1; /* main is 0, the CPU thread the first started */
    return 0;
}

static double S_x(uint64_t t, uint64_t t0, uint64_t t1)
{
    return LEFT + (double)(t - t0) * (W - LEFT - 10) / (double)(t1 - t0);
}

/* One lane: thread `tid`'s holds and waits between t0 and t1. */
static void lane(FILE *out, int tid, double y, uint64_t t0, uint64_t t1, int server)
{
    size_t n;
    const rt_event *ev = rt_trace_events(&n, NULL);
    uint64_t from = t0;
    int state = 0; /* 0 away (or not yet known), 1 waiting, 2 holding */
    (void)server;
    fprintf(out, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#999'/>\n", LEFT,
            y + LANE_H / 2.0, W - 10, y + LANE_H / 2.0);
    for (size_t i = 0; i <= n; i++) {
        int end = i == n;
        const rt_event *e = end ? NULL : &ev[i];
        if (!end && (e->tid != tid || e->t_ns < t0))
            continue;
        uint64_t at = end || e->t_ns > t1 ? t1 : e->t_ns;
        if (state && at > from) {
            double x0 = S_x(from, t0, t1), x1 = S_x(at, t0, t1);
            if (x1 - x0 < 1.5) /* a hold of microseconds: still show it */
                x1 = x0 + 1.5;
            if (state == 2)
                fprintf(
                    out,
                    "<rect x='%.1f' y='%.1f' width='%.1f' height='%d' fill='%s'/>\n",
                    x0, y, x1 - x0, LANE_H, server ? "#2b6cb0" : "#c05621");
            else
                fprintf(out,
                        "<rect x='%.1f' y='%.1f' width='%.1f' height='%d' "
                        "fill='url(#wait)' stroke='#2b6cb0' stroke-width='0.6'/>\n",
                        x0, y + 4, x1 - x0, LANE_H - 8);
        }
        if (end || e->t_ns > t1)
            break;
        if (e->kind == RT_EV_GIL_REQUEST)
            state = 1;
        else if (e->kind == RT_EV_GIL_TAKE)
            state = 2;
        else if (e->kind == RT_EV_GIL_DROP)
            state = 0;
        else if (e->kind == RT_EV_DROP_REQUEST) {
            double x = S_x(e->t_ns, t0, t1);
            fprintf(out,
                    "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#c53030' "
                    "stroke-width='2'/>\n",
                    x, y - 4, x, y + LANE_H + 4);
        }
        from = e->t_ns;
    }
}

/* A panel: title, two lanes, a time axis. */
static void panel(FILE *out, double y, const char *title, uint64_t t0, uint64_t t1,
                  int cpu_id)
{
    fprintf(out, "<text x='10' y='%.0f' font-size='14' font-weight='bold'>%s</text>\n",
            y + 14, title);
    fprintf(out, "<text x='10' y='%.0f' font-size='13'>I/O thread</text>\n", y + 41);
    fprintf(out, "<text x='10' y='%.0f' font-size='13'>CPU thread</text>\n", y + 71);
    lane(out, 0, y + 26, t0, t1, 1);
    lane(out, cpu_id, y + 56, t0, t1, 0);
    double ms = (double)(t1 - t0) / 1e6;
    int step = ms <= 40 ? 5 : ms <= 80 ? 10 : ms <= 200 ? 20 : 50; /* about 8 ticks */
    for (int k = 0; k <= (int)ms; k += step) {
        double x = S_x(t0 + (uint64_t)k * 1000000u, t0, t1);
        fprintf(out,
                "<line x1='%.1f' y1='%.0f' x2='%.1f' y2='%.0f' stroke='#666'/>"
                "<text x='%.1f' y='%.0f' font-size='13' text-anchor='middle'>%d "
                "ms</text>\n",
                x, y + 84, x, y + 89, x, y + 102, k);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.svg\n", argv[0]);
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fprintf(
        out,
        "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
        "viewBox='0 0 %d %d' font-family='sans-serif' font-size='13'>\n"
        "<defs><pattern id='wait' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'><rect width='3' height='6' fill='#90cdf4'/>"
        "</pattern></defs>\n<rect width='100%%' height='100%%' fill='white'/>\n",
        W, 2 * PANEL_H + 58, W, 2 * PANEL_H + 58);
    static const struct {
        void (*cpu)(void *);
        const char *title;
    } runs[2] = {
        {cpu_python, "CPU work in Python (interval 2 ms): each request waits"},
        {cpu_native, "The same work in native code that lets go: no wait"},
    };
    for (int i = 0; i < 2; i++) {
        rt_config cfg;
        rt_config_default(&cfg); /* the cpython policy */
        cfg.switch_interval_us = INTERVAL_US;
        cfg.trace_events = 1 << 16;
        if (rt_init(&cfg) < 0) {
            fprintf(stderr, "convoy_timeline: rt_init failed\n");
            return 1;
        }
        uint64_t t0 = 0, t1 = 0;
        int cpu_id = 1;
        if (run(runs[i].cpu, &t0, &t1, &cpu_id) < 0) {
            fprintf(stderr, "convoy_timeline: the run failed\n");
            return 1;
        }
        panel(out, 6 + i * PANEL_H, runs[i].title, t0, t1, cpu_id);
        rt_fini();
    }
    /* The legend, in two lines so that nothing overlaps. */
    int ly = 2 * PANEL_H + 18;
    fprintf(
        out,
        "<g font-size='13'>"
        "<rect x='10' y='%d' width='16' height='11' fill='#2b6cb0'/>"
        "<text x='32' y='%d'>holds the GIL</text>"
        "<rect x='170' y='%d' width='16' height='11' fill='url(#wait)' "
        "stroke='#2b6cb0'/>"
        "<text x='192' y='%d'>waits for it</text>"
        "<line x1='10' y1='%d' x2='26' y2='%d' stroke='#999'/>"
        "<text x='32' y='%d'>away (in recv() or native code)</text>"
        "<line x1='301' y1='%d' x2='301' y2='%d' stroke='#c53030' stroke-width='2'/>"
        "<text x='310' y='%d'>gave up waiting: asks the holder to drop</text></g>\n",
        ly, ly + 10, ly, ly + 10, ly + 26, ly + 26, ly + 30, ly + 18, ly + 34, ly + 30);
    fprintf(out, "</svg>\n");
    if (fclose(out) != 0) {
        fprintf(stderr, "convoy_timeline: could not write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
