/*
 * demo.c - chapter 3's demo: CPU-bound threads under the GIL, and without.
 *
 *   make chapter3            (or: make demo-3, or run build/demos/03)
 *   build/demos/03 [--reps N] [--ms N] [--quick] [--json]
 *
 * Runs the same amount of CPU-bound "Python" work (rt_bytecodes) five ways:
 * on the main thread alone, on 2 and on 4 threads under the GIL, and on 2
 * and 4 threads with the runtime started without a GIL (RT_GIL_NONE, the
 * free-threaded build's model).  Each way is run --reps times, interleaved
 * (A B C A B C ...), and the median wall time is shown with the runtime's
 * counters, which say *why*: how many threads ever ran at once, how often
 * the GIL changed hands, how long each holder kept it.  It also counts the
 * process's OS threads while the workers are alive.
 *
 * RT_GIL in the environment picks the policy of the GIL rows (default
 * cpython; try RT_GIL=ticks), RT_SWITCH_INTERVAL_US its switch interval.
 * --json prints one JSON line per run instead of the table (the tests read
 * it: tests/chapters/test_ch03.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

#define MAX_THREADS 4
#define MAX_REPS    15

/* One thread's share of the work. */
typedef struct work {
    uint64_t units;  /* in: rt_bytecodes units to run */
    uint64_t result; /* out: keeps the work from being optimised away */
} work;

// [job]
/* A CPU-bound job: pure computation, no waiting.  It runs holding the GIL;
 * inside rt_bytecodes(), rt_checkpoint() gives the GIL up when another
 * thread has asked for it (every switch interval, 5 ms by default). */
static void cpu_job(void *arg)
{
    work *w = arg;
    w->result = rt_bytecodes(w->units);
}
// [end]

// [os-threads]
/* How many OS threads this process has now: the "Threads:" line of
 * /proc/self/status (Linux).  Returns -1 if it cannot be read. */
static int os_threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}
// [end]

/* What one run measured. */
typedef struct run {
    const char *policy; /* the runtime's policy name */
    int threads;        /* 0 = the main thread alone */
    uint64_t units;     /* total work */
    uint64_t wall_ns, cpu_ns;
    int os_threads; /* OS threads alive while the workers were */
    rt_stats stats;
} run;

static uint64_t cpu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs `units` of work split over `nthreads` runtime threads (0: on the
 * main thread).  Call with the runtime started, holding the GIL. */
static void run_work(run *r, int nthreads, uint64_t units)
{
    work w[MAX_THREADS] = {{0}};
    rt_stats_reset();
    uint64_t t0 = rt_now_ns(), c0 = cpu_now_ns();
    if (nthreads == 0) {
        w[0].units = units;
        cpu_job(&w[0]);
        r->os_threads = os_threads_now();
    } else {
        // [start-join]
        rt_thread *t[MAX_THREADS];
        for (int i = 0; i < nthreads; i++) {
            w[i].units = units / (uint64_t)nthreads; /* equal shares */
            if (i == 0)
                w[i].units += units % (uint64_t)nthreads;
            t[i] = rt_thread_start(cpu_job, &w[i]); /* a new OS thread */
            if (!t[i]) {
                perror("rt_thread_start");
                exit(1);
            }
        }
        /* All started: count them while they are alive. */
        r->os_threads = os_threads_now();
        for (int i = 0; i < nthreads; i++)
            rt_thread_join(t[i]); /* lets go of the GIL while it waits */
        // [end]
    }
    r->wall_ns = rt_now_ns() - t0;
    r->cpu_ns = cpu_now_ns() - c0;
    r->threads = nthreads;
    r->units = units;
    rt_stats_get(&r->stats);
}

/* Starts the runtime with the GIL rows' policy (RT_GIL, default cpython)
 * or, when `free_threaded`, with none, runs once, and stops it. */
static void run_once(run *r, int free_threaded, int nthreads, uint64_t units)
{
    // [policy]
    rt_config cfg;
    rt_config_default(&cfg); /* the cpython policy, 5 ms interval */
    if (free_threaded)
        cfg.policy = RT_GIL_NONE; /* no GIL: threads run at once */
    // [end]
    /* RT_GIL overrides cfg.policy in rt_init: let it choose the GIL rows
     * only, so the free-threaded rows stay free-threaded. */
    char *env = getenv("RT_GIL");
    char saved[32] = "";
    if (env && free_threaded) {
        snprintf(saved, sizeof saved, "%s", env);
        unsetenv("RT_GIL");
    }
    int rc = rt_init(&cfg);
    if (saved[0])
        setenv("RT_GIL", saved, 1);
    if (rc < 0) {
        fprintf(stderr, "demo: rt_init failed (%d)\n", rc);
        exit(1);
    }
    r->policy = rt_policy_name(rt_policy());
    run_work(r, nthreads, units);
    rt_fini();
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void print_json(const run *r)
{
    printf("{\"kind\": \"run\", \"policy\": \"%s\", \"threads\": %d, \"units\": %llu, "
           "\"wall_ns\": %llu, \"cpu_ns\": %llu, \"os_threads\": %d, \"stats\": ",
           r->policy, r->threads, (unsigned long long)r->units,
           (unsigned long long)r->wall_ns, (unsigned long long)r->cpu_ns,
           r->os_threads);
    rt_stats_write_json(&r->stats, stdout);
    printf("}\n");
}

/* A bar of `x` (a speedup) at 8 characters per 1x, up to 4x. */
static void bar(double x)
{
    int n = (int)(x * 8 + 0.5);
    for (int i = 0; i < 32; i++)
        fputs(i < n ? "#" : (i % 8 == 7 ? "|" : " "), stdout);
}

int main(int argc, char **argv)
{
    int reps = 3, json = 0;
    double total_ms = 240;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--quick") == 0)
            reps = 1, total_ms = 120;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
            total_ms = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--reps N] [--ms N] [--quick] [--json]\n",
                    argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || total_ms <= 0) {
        fprintf(stderr, "demo: --reps 1..%d, --ms > 0\n", MAX_REPS);
        return 2;
    }

    /* Size the work in time on this machine (measured once, ~20 ms). */
    rt_init(NULL);
    uint64_t units = (uint64_t)(total_ms * rt_bytecodes_per_ms());
    rt_fini();

    /* The five ways: {free-threaded?, threads}. */
    static const struct {
        int free_threaded, threads;
    } ways[] = {{0, 0}, {0, 2}, {0, 4}, {1, 2}, {1, 4}};
    enum { NWAYS = sizeof ways / sizeof ways[0] };
    static run runs[NWAYS][MAX_REPS];
    for (int rep = 0; rep < reps; rep++) /* interleaved: A B C D E A B ... */
        for (int w = 0; w < NWAYS; w++) {
            run_once(&runs[w][rep], ways[w].free_threaded, ways[w].threads, units);
            if (json)
                print_json(&runs[w][rep]);
        }
    if (json)
        return 0;

    /* The table: medians of wall time; counters from the median run. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("\nChapter 3: %.0f ms of CPU-bound work, split over threads "
           "(%ld cores, median of %d runs)\n\n",
           total_ms, cores, reps);
    printf("  %-20s %8s %8s  %-32s %6s %8s %7s %7s %9s %6s\n", "run", "wall", "speedup",
           "      1x      2x      3x      4x", "cores", "switches", "forced", "at once",
           "hold p50", "OS thr");
    double serial_ms = 0, gil_best = 0, free_best = 0;
    int gil_at_once = 0, free_at_once = 0;
    for (int w = 0; w < NWAYS; w++) {
        uint64_t wall[MAX_REPS];
        for (int rep = 0; rep < reps; rep++)
            wall[rep] = runs[w][rep].wall_ns;
        qsort(wall, (size_t)reps, sizeof wall[0], cmp_u64);
        const run *med = &runs[w][0];
        for (int rep = 0; rep < reps; rep++)
            if (runs[w][rep].wall_ns == wall[reps / 2])
                med = &runs[w][rep];
        double ms = (double)wall[reps / 2] / 1e6;
        if (w == 0)
            serial_ms = ms;
        char label[40];
        if (med->threads == 0)
            snprintf(label, sizeof label, "main thread alone");
        else
            snprintf(label, sizeof label, "%s, %d threads",
                     ways[w].free_threaded ? "no GIL" : med->policy, med->threads);
        double speedup = serial_ms / ms;
        printf("  %-20s %5.0f ms %7.2fx  ", label, ms, speedup);
        bar(speedup);
        printf(" %6.2f", (double)med->cpu_ns / (double)med->wall_ns);
        printf(" %8llu %7llu ", (unsigned long long)med->stats.switches,
               (unsigned long long)med->stats.forced_drops);
        if (med->threads == 0) /* alone: the runtime does not track it */
            printf("%7s ", "-");
        else
            printf("%7d ", med->stats.max_running);
        if (ways[w].free_threaded || med->threads == 0)
            printf("%9s %6d\n", "-", med->os_threads); /* no turns to time */
        else
            printf("%6.1f ms %6d\n",
                   (double)rt_hist_quantile(&med->stats.hold, 0.5) / 1e6,
                   med->os_threads);
        if (med->threads > 0 && !ways[w].free_threaded) {
            gil_best = speedup > gil_best ? speedup : gil_best;
            gil_at_once = med->stats.max_running > gil_at_once ? med->stats.max_running
                                                               : gil_at_once;
        } else if (ways[w].free_threaded) {
            free_best = speedup > free_best ? speedup : free_best;
            free_at_once = med->stats.max_running > free_at_once
                               ? med->stats.max_running
                               : free_at_once;
        }
    }
    printf("\n  With the GIL: at most %d thread ran Python code at a time, best "
           "speedup %.2fx.\n  Without it:   up to %d at once (main included), "
           "best speedup %.2fx.\n",
           gil_at_once, gil_best, free_at_once, free_best);
    if (cores >= 2 && free_best < 1.3)
        printf("  The no-GIL rows barely scaled: another program is probably busy "
               "on your\n  cores right now (look with top) and left this one "
               "about one core.\n");
    printf(
        "\n  speedup   serial wall time / this wall time (same work in every row)\n"
        "  switches  GIL hand-overs to another thread; forced: drops made because a\n"
        "            waiter asked, after waiting one switch interval\n"
        "  at once   most threads allowed to run Python code at the same moment\n"
        "  hold p50  how long a thread typically kept the GIL\n"
        "  cores     CPU time / wall time: how many cores the run kept busy\n"
        "  OS thr    OS threads in the process while the workers were alive\n"
        "            (main + one per runtime thread)\n"
        "\n  CPython 3.11, 2 CPU-bound threads vs serial, on the project's 2-core\n"
        "  machine: 0.83x-1.15x.  Under the GIL, expect ~1x whatever the thread\n"
        "  count; without it, up to min(threads, free cores)x.\n");
    return 0;
}
