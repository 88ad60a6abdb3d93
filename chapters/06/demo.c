/*
 * demo.c - chapter 6's demo: the convoy effect, measured beside CPython.
 *
 *   make chapter6            (or: make demo-6, or run build/demos/06/demo)
 *   build/demos/06/demo show [--quick]
 *   build/demos/06/demo measure server US none|thread|native|process
 *   build/demos/06/demo measure loop US none|thread
 *
 * The main experiment: an echo server.  The I/O thread waits in recv() for
 * a one-byte request, sends it back, waits again.  A client outside the
 * process's GIL (a plain pthread here, another process in the Python twin:
 * a client on the network) sends a request every 2 ms and times each round
 * trip.  First the server runs alone, then beside a CPU-bound thread, at
 * switch intervals of 5, 1 and 0.1 ms.  Each request wakes the server from
 * recv(); it needs the GIL back, a CPU-bound thread holds it and lets go
 * only when asked, and a waiter asks only after a whole interval.  The
 * runtime's counters say why: how many of the server's takes waited, how
 * many drop requests it took, and how long the server waited for the GIL
 * after recv() returned.
 *
 * The second table tries the remedies a program has (chapter 6, "What to
 * do about it"): the same CPU work in native code that lets go of the GIL,
 * and in another process.  The third is convoy.py's own loop (the
 * project's reference script: send a byte, read it back, on one thread),
 * whose convoy depends on a race (chapter 6 says which).  Beside each row,
 * CPython's own figure for the same experiment, measured now by
 * chapters/06/twin.py.
 *
 * `measure` runs one row once and prints the kit's measure line;
 * chapters/06/claims.yaml checks the chapter's claims on it.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"

enum { THINK_US = 2000 }; /* the client's pause between requests */

/* What runs beside the I/O thread. */
typedef enum neighbour {
    N_NONE,    /* nothing: the I/O thread alone */
    N_THREAD,  /* a CPU-bound thread running "Python" (holding the GIL) */
    N_NATIVE,  /* a CPU-bound thread in native code that lets go of the GIL */
    N_PROCESS, /* a CPU-bound process: no GIL shared at all */
} neighbour;
static const char *const S_neighbour_name[] = {"none", "thread", "native", "process"};

/* What one run measured. */
typedef struct run {
    int ops;          /* requests served, or send+recv pairs (the loop) */
    double us_per_op; /* the loop: mean wall time per pair, as convoy.py */
    rt_hist rtt;      /* the server: the client's round trips */
    rt_hist wait;     /* the I/O thread's wait for the GIL after a call */
    int waits;        /* ... how many were timed */
    int slow;         /* ... of those, waits of half an interval or more */
    rt_stats stats;   /* the runtime's counters for the measured part */
} run;

/* ------------------------------------------------------------------ */
/* The neighbours                                                      */
/* ------------------------------------------------------------------ */

static atomic_int S_stop;

// [cpu-thread]
/* A CPU-bound thread: "Python" code, holding the GIL, until told to stop.
 * The Python twin: `while not stop: n += 1`. */
static void cpu_thread(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&S_stop, memory_order_relaxed))
        rt_bytecodes(256);
}
// [end]

/* Plain C arithmetic, no runtime call: what a C extension computes. */
static uint64_t native_work(uint64_t n, uint64_t seed)
{
    for (uint64_t i = 0; i < n; i++)
        seed = seed * 6364136223846793005u + 1442695040888963407u;
    return seed;
}

// [native-thread]
/* The same CPU work in native code that lets go of the GIL while it
 * computes, as hashlib does for large inputs (Py_BEGIN_ALLOW_THREADS).
 * It holds the GIL only for a moment between chunks. */
static void native_thread(void *arg)
{
    uint64_t *sink = arg;
    while (!atomic_load_explicit(&S_stop, memory_order_relaxed)) {
        RT_BEGIN_ALLOW_THREADS
            *sink = native_work(200000, *sink); /* about a millisecond */
        RT_END_ALLOW_THREADS
    }
}
// [end]

/* A CPU-bound child process: forked, it touches nothing of the runtime
 * (only the forking thread survives a fork) and spins until killed. */
static pid_t start_cpu_process(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        volatile uint64_t x = 1;
        for (;;)
            x = native_work(1000000, x);
    }
    return pid;
}

/* What start_neighbour started, for stop_neighbour. */
typedef struct started {
    rt_thread *thread;
    pid_t child;
} started;

static started start_neighbour(neighbour nb)
{
    static uint64_t sink = 1;
    started st = {NULL, -1};
    atomic_store(&S_stop, 0);
    if (nb == N_THREAD || nb == N_NATIVE) {
        st.thread = rt_thread_start_named(
            "cpu", nb == N_THREAD ? cpu_thread : native_thread, &sink);
        if (!st.thread)
            exkit_fail("rt_thread_start: %s", strerror(errno));
    } else if (nb == N_PROCESS && (st.child = start_cpu_process()) < 0) {
        exkit_fail("fork: %s", strerror(errno));
    }
    rt_sleep_us(50000); /* as convoy.py: let the neighbour get going */
    return st;
}

static void stop_neighbour(started st)
{
    atomic_store(&S_stop, 1);
    if (st.thread)
        rt_thread_join(st.thread);
    if (st.child > 0) {
        kill(st.child, SIGKILL);
        waitpid(st.child, NULL, 0);
    }
}

/* ------------------------------------------------------------------ */
/* The I/O thread's calls, timed                                       */
/* ------------------------------------------------------------------ */

// [timed-call]
/* One blocking call as rt_send/rt_recv make it (RT_BEGIN_ALLOW_THREADS
 * around the system call), spelled out so that the wait for the GIL after
 * the call can be timed on its own.  Returns that wait in ns. */
static uint64_t timed_call(int fd, char *c, int sending)
{
    rt_tstate *ts = rt_save_thread(); /* let go of the GIL */
    ssize_t n = sending ? send(fd, c, 1, MSG_NOSIGNAL) : recv(fd, c, 1, 0);
    uint64_t back = rt_now_ns(); /* the call is done ... */
    rt_restore_thread(ts);       /* ... now wait for the GIL */
    uint64_t waited = rt_now_ns() - back;
    if (n != 1)
        exkit_fail("%s failed: %s", sending ? "send" : "recv",
                   n == 0 ? "connection closed" : strerror(errno));
    return waited;
}
// [end]

/* Keeps one of the I/O thread's waits for the GIL. */
static void keep_wait(run *r, uint64_t waited)
{
    rt_hist_add(&r->wait, waited);
    r->waits++;
    if (waited * 2 >= (uint64_t)rt_switch_interval_us() * 1000)
        r->slow++;
}

/* ------------------------------------------------------------------ */
/* The echo server and its client                                      */
/* ------------------------------------------------------------------ */

typedef struct client {
    int fd, requests;
    rt_hist *rtt;
} client;

/* The client: not attached to the runtime, it needs no GIL (a client on
 * another machine).  A request every THINK_US, each round trip timed. */
static void *client_main(void *arg)
{
    client *cl = arg;
    for (int i = 0; i <= cl->requests; i++) {
        char b = i < cl->requests ? 'r' : 'q';
        uint64_t t0 = rt_now_ns();
        if (send(cl->fd, &b, 1, MSG_NOSIGNAL) != 1)
            exkit_fail("client: send failed");
        if (b == 'q')
            break;
        if (recv(cl->fd, &b, 1, 0) != 1)
            exkit_fail("client: recv failed");
        rt_hist_add(cl->rtt, rt_now_ns() - t0);
        struct timespec d = {0, THINK_US * 1000};
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &d, &d) == EINTR) {
        }
    }
    return NULL;
}

// [server]
/* The echo server, on the calling thread: wait for a request, answer it. */
static void serve(int fd, run *r)
{
    char c;
    for (;;) {
        uint64_t waited = timed_call(fd, &c, 0); /* recv: blocks until a request */
        if (c == 'q')
            break;
        keep_wait(r, waited);  /* the data was there; the GIL was not */
        rt_bytecodes(200);     /* handling it: a little Python work */
        timed_call(fd, &c, 1); /* the reply */
        r->ops++;
    }
}
// [end]

/* `requests` round trips beside `nb`, on the running runtime (main
 * thread, holding the GIL).  Only the server's waits after recv() are
 * kept: those are the ones a request waits for. */
static void run_server(neighbour nb, int requests, run *r)
{
    int fd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) < 0)
        exkit_fail("socketpair: %s", strerror(errno));
    memset(r, 0, sizeof *r);
    started st = start_neighbour(nb);
    client cl = {fd[1], requests, &r->rtt};
    pthread_t t;
    if (pthread_create(&t, NULL, client_main, &cl) != 0)
        exkit_fail("pthread_create failed");
    rt_stats_reset();
    serve(fd[0], r);
    rt_stats_get(&r->stats);
    pthread_join(t, NULL);
    stop_neighbour(st);
    close(fd[0]);
    close(fd[1]);
}

/* ------------------------------------------------------------------ */
/* convoy.py's loop                                                    */
/* ------------------------------------------------------------------ */

// [io-loop]
/* Send a byte, read it back, on one thread; no real wait anywhere. */
static void run_loop(neighbour nb, int ops, run *r)
{
    int fd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) < 0)
        exkit_fail("socketpair: %s", strerror(errno));
    memset(r, 0, sizeof *r);
    started st = start_neighbour(nb);
    rt_stats_reset();
    uint64_t t0 = rt_now_ns();
    char c = 'x';
    for (int i = 0; i < ops; i++) {
        keep_wait(r, timed_call(fd[0], &c, 1));
        keep_wait(r, timed_call(fd[1], &c, 0));
    }
    r->us_per_op = (double)(rt_now_ns() - t0) / 1e3 / ops;
    r->ops = ops;
    rt_stats_get(&r->stats);
    stop_neighbour(st);
    close(fd[0]);
    close(fd[1]);
}
// [end]

/* ------------------------------------------------------------------ */
/* measure: one row, one line (the claims read these)                  */
/* ------------------------------------------------------------------ */

static neighbour parse_neighbour(int nargs, char **args, neighbour most)
{
    if (nargs < 2)
        exkit_fail("usage: measure server|loop US none|thread|native|process");
    for (neighbour nb = N_NONE; nb <= most; nb++)
        if (strcmp(args[1], S_neighbour_name[nb]) == 0)
            return nb;
    exkit_fail("'%s' is not a neighbour here (none, thread, native, process)", args[1]);
}

static void report(exkit_measure *m, neighbour nb, long us, const run *r)
{
    exkit_measure_stop(m);
    exkit_result_str(m, "neighbour", S_neighbour_name[nb]);
    exkit_result_int(m, "interval_us", us);
    exkit_result_int(m, "ops", r->ops);
    exkit_result_int(m, "waits_timed", r->waits);
    exkit_result_int(m, "slow_waits", r->slow);
    exkit_result_double(m, "wait_p50_us", rt_hist_quantile(&r->wait, 0.5) / 1e3);
    exkit_result_double(m, "rtt_p50_us", rt_hist_quantile(&r->rtt, 0.5) / 1e3);
    exkit_result_double(m, "us_per_op", r->us_per_op);
    exkit_result_uint(m, "gil_waits", r->stats.waits);
    exkit_result_uint(m, "drop_requests", r->stats.drop_requests);
    exkit_result_uint(m, "forced_drops", r->stats.forced_drops);
}

static void load_server(exkit_measure *m, int nargs, char **args)
{
    long us = exkit_arg_long(nargs, args, 0, 50, 100000, "US");
    neighbour nb = parse_neighbour(nargs, args, N_PROCESS);
    rt_set_switch_interval_us(us);
    static run r;
    run_server(nb, 40, &r);
    report(m, nb, us, &r);
}

static void load_loop(exkit_measure *m, int nargs, char **args)
{
    long us = exkit_arg_long(nargs, args, 0, 50, 100000, "US");
    neighbour nb = parse_neighbour(nargs, args, N_THREAD);
    rt_set_switch_interval_us(us);
    static run r;
    run_loop(nb, 100, &r);
    report(m, nb, us, &r);
}

/* ------------------------------------------------------------------ */
/* show: the tables                                                    */
/* ------------------------------------------------------------------ */

/* A slowdown on a log scale: 6 characters a decade, '|' at 10x, 100x,
 * 1000x. */
static char *slow_bar(char *buf, double ratio)
{
    return exkit_bar(buf, ratio > 1 ? log10(ratio) : 0, 6, 24);
}

/* CPython's figure `name` as text ("4711" or "-"). */
static const char *twin_cell(const char *name, char *buf, size_t n)
{
    double x = exkit_twin(name);
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, x < 100 ? "%.1f" : "%.0f", x);
    return buf;
}

/* One row, run afresh on its own runtime at `us`; `base` is the figure
 * the slowdown is against (0: this row is the base).  Returns the row's
 * figure: the median round trip (server) or the mean per pair (loop). */
static double row(const char *label, int loop, neighbour nb, long us, int n,
                  double base, const char *twin_name)
{
    rt_config cfg;
    rt_config_default(&cfg); /* the cpython policy */
    cfg.switch_interval_us = us;
    exkit_runtime_start(&cfg, 0);
    static run r;
    if (loop)
        run_loop(nb, n, &r);
    else
        run_server(nb, n, &r);
    rt_fini();
    double fig = loop ? r.us_per_op : rt_hist_quantile(&r.rtt, 0.5) / 1e3;
    char bar[32], cpy[16];
    double per = 1.0 / (r.ops ? r.ops : 1);
    printf("  %-23s %8.0f  %s %8s %6.2f %6.2f %9.0f %5.0f%%\n", label, fig,
           slow_bar(bar, base > 0 ? fig / base : 1),
           twin_cell(twin_name, cpy, sizeof cpy), (double)r.stats.waits * per,
           (double)r.stats.drop_requests * per, rt_hist_quantile(&r.wait, 0.5) / 1e3,
           r.waits ? 100.0 * r.slow / r.waits : 0);
    return fig;
}

static void header(const char *what)
{
    printf("  %-23s %8s  %-24s %8s %6s %6s %9s %6s\n", what, "us",
           "1x    10x   100x  1000x", "CPython", "waits", "asks", "wait p50", "slow");
}

static int show(int nargs, char **args)
{
    int quick = 0;
    for (int i = 0; i < nargs; i++) {
        if (strcmp(args[i], "--quick") != 0) {
            fprintf(stderr, "usage: demo show [--quick]\n");
            return 2;
        }
        quick = 1;
    }
    int n = quick ? 10 : 30;
    printf("\nChapter 6: the convoy effect.  An echo server thread answers a request "
           "every %d ms\n(round trip: median us), alone and beside a CPU-bound thread; "
           "the runtime's\ncpython GIL, %ld cores.\n\n",
           THINK_US / 1000, sysconf(_SC_NPROCESSORS_ONLN));
    printf("  CPython measures the same experiments (chapters/06/twin.py)...\n");
    exkit_twin_run("chapters/06/twin.py", quick ? "--quick" : "");

    static const long intervals[] = {5000, 1000, 100};
    printf("\n");
    header("switch interval");
    for (int i = 0; i < 3; i++) {
        long us = intervals[i];
        char label[40], name[40];
        snprintf(label, sizeof label, "%.1f ms: alone", us / 1000.0);
        snprintf(name, sizeof name, "rtt_alone_us_%ld", us);
        double a = row(label, 0, N_NONE, us, n, 0, name);
        snprintf(label, sizeof label, "%.1f ms: + CPU thread", us / 1000.0);
        snprintf(name, sizeof name, "rtt_cpu_us_%ld", us);
        row(label, 0, N_THREAD, us, n, a, name);
    }

    printf("\n  What to do about it: the same CPU work, elsewhere (5 ms interval)\n\n");
    header("the CPU work");
    double a = row("none (server alone)", 0, N_NONE, 5000, n, 0, "rtt_alone_us_5000");
    row("a Python thread", 0, N_THREAD, 5000, n, a, "rtt_cpu_us_5000");
    row("native, lets go of GIL", 0, N_NATIVE, 5000, n, a, "rtt_native_us_5000");
    row("another process", 0, N_PROCESS, 5000, n, a, "rtt_process_us_5000");

    int k = quick ? 20 : 100;
    printf("\n  convoy.py's loop: send a byte and read it back on one thread, "
           "us per pair (5 ms)\n\n");
    header("the loop");
    a = row("alone", 1, N_NONE, 5000, k, 0, "loop_alone_us_5000");
    row("+ CPU thread", 1, N_THREAD, 5000, k, a, "loop_cpu_us_5000");

    if (exkit_twin_version()[0])
        printf("\n  CPython column: %s on this machine (twin.py: the client is another "
               "process;\n  the CPU thread a `while` loop; native is hashlib.sha256 on "
               "1 MB; a\n  multiprocessing.Process).\n",
               exkit_twin_version());
    printf(
        "\n  us        server: median round trip seen by the client; loop: mean per "
        "send+recv\n"
        "  waits     the runtime's takes that found the GIL held, per request (pair)\n"
        "  asks      drop requests per request (pair): a waiter slept a whole "
        "interval, then asked\n"
        "  wait p50  the I/O thread's median wait for the GIL after a call returned\n"
        "  slow      the I/O thread's waits of half an interval or more\n");
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"server", "US none|thread|native|process", load_server, 0},
    {"loop", "US none|thread", load_loop, 0},
};

static const exkit_driver S_demo = {
    .tag = "demo-6", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
