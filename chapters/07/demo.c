/*
 * demo.c - chapter 7's demo: one thread, many waits, and what blocks it.
 *
 *   make chapter7            (or: make demo-7, or run build/demos/07/demo)
 *   build/demos/07/demo show [--reps N] [--quick]
 *   build/demos/07/demo measure serial N | gather N | blocking N
 *                             | to_thread N | many N | stall CHUNKED
 *
 * Every workload runs on the runtime's event loop (rt_loop.h, its built-in
 * core), on the main thread:
 *
 *   serial N     one task awaits N sleeps of 50 ms, one after another
 *   gather N     N tasks each await one sleep of 50 ms; a parent gathers them
 *   blocking N   the same N tasks, but each sleeps with a blocking call
 *                (Python's time.sleep inside a coroutine)
 *   to_thread N  ... each hands its blocking sleep to a thread of its own
 *                and awaits a future the thread sets (asyncio.to_thread)
 *   many N       N tasks sleeping 100 ms at once: what each costs in memory
 *   stall C      a ticker task wakes every 1 ms while another task computes
 *                100 ms: in one step (C = 0) or in 1 ms steps with a yield
 *                between them (C = 1); counts the ticks during the computing
 *
 * `show` runs them, medians of --reps runs, beside CPython's figures for the
 * same experiments with asyncio (chapters/07/twin.py).  `measure` prints
 * one measure line: chapters/07/claims.yaml checks the chapter's claims on
 * them (`grader claims 7`).
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "exkit.h"
#include "rt.h"
#include "rt_loop.h"

#define MS       1000000ull
#define SLEEP_MS 50
#define MAX_N    100000
#define MAX_REPS 9

static rt_loop *S_loop(void)
{
    rt_loop *l = rt_loop_new(NULL);
    if (!l)
        exkit_fail("rt_loop_new failed");
    return l;
}

static rt_task *S_spawn(rt_loop *l, rt_task_fn fn, const void *frame, size_t size)
{
    rt_task *t = rt_spawn(l, fn, frame, size);
    if (!t)
        exkit_fail("rt_spawn failed");
    return t;
}

/* How many tasks are inside their "wait" right now, and the most at once:
 * the demo's own count, for blocking waits the loop cannot see. */
static int S_in_wait, S_max_in_wait;

static void S_wait_begins(void)
{
    if (++S_in_wait > S_max_in_wait)
        S_max_in_wait = S_in_wait;
}

/* ------------------------------------------------------------------ */
/* The ways to wait                                                    */
/* ------------------------------------------------------------------ */

// [serial]
/* await asyncio.sleep(0.05) n times in a row. */
typedef struct serial_frame {
    int n, i;
} serial_frame;

static int serial_task(rt_task *t)
{
    serial_frame *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < f->n; f->i++) {
        S_wait_begins();
        RT_AWAIT(t, rt_async_sleep(t, SLEEP_MS * MS));
        S_in_wait--;
    }
    RT_END(t, 0);
}
// [end]

// [sleeper]
/* async def sleeper(): await asyncio.sleep(0.05) */
static int sleeper(rt_task *t)
{
    RT_BEGIN(t);
    S_wait_begins();
    RT_AWAIT(t, rt_async_sleep(t, SLEEP_MS * MS));
    S_in_wait--;
    RT_END(t, 1);
}
// [end]

// [blocker]
/* async def blocker(): time.sleep(0.05)  -- the mistake */
static int blocker(rt_task *t)
{
    RT_BEGIN(t);
    S_wait_begins();
    rt_sleep_us(SLEEP_MS * 1000); /* blocks the loop's thread */
    S_in_wait--;
    RT_END(t, 1);
}
// [end]

// [to-thread]
/* async def offloaded(): await asyncio.to_thread(time.sleep, 0.05)
 *
 * The thread does the blocking call, then asks the loop - the only safe
 * way in from another thread - to set the future the task awaits. */
typedef struct offload {
    rt_loop *loop;
    rt_future done; /* set on the loop's thread */
    rt_thread *thread;
} offload;

static void offload_finish(rt_loop *l, void *arg) /* runs on the loop */
{
    (void)l;
    rt_future_set(&((offload *)arg)->done, 1);
}

static void offload_run(void *arg) /* runs on the worker thread */
{
    offload *o = arg;
    rt_sleep_us(SLEEP_MS * 1000); /* blocks this thread only */
    rt_call_soon_threadsafe(o->loop, offload_finish, o);
}

static int offloaded(rt_task *t)
{
    offload *o = *(offload **)rt_frame(t);
    RT_BEGIN(t);
    S_wait_begins();
    o->thread = rt_thread_start(offload_run, o);
    if (!o->thread)
        RT_RETURN(t, -1);
    RT_AWAIT(t, rt_async_future(t, &o->done));
    S_in_wait--;
    RT_END(t, 1);
}
// [end]

/* The parent: spawns n children running `fn` (frame: a pointer each, or
 * none) and gathers them.  The children are kept in a static array: one
 * gathering at a time in this program. */
static rt_task *S_kids[MAX_N];

typedef struct gather_frame {
    int n;
    rt_task_fn fn;
    offload *offloads; /* to_thread: one each */
} gather_frame;

// [gatherer]
static int gatherer(rt_task *t)
{
    gather_frame *f = rt_frame(t);
    RT_BEGIN(t);
    for (int i = 0; i < f->n; i++) {
        offload *o = f->offloads ? &f->offloads[i] : NULL;
        S_kids[i] = S_spawn(rt_task_loop(t), f->fn, &o, o ? sizeof o : 0);
    }
    RT_AWAIT(t, rt_async_gather(t, S_kids, (size_t)f->n));
    for (int i = 0; i < f->n; i++)
        rt_task_release(S_kids[i]);
    RT_END(t, t->awaited);
}
// [end]

// [many]
/* N tasks asleep at once; a probe, queued after them all, measures the
 * heap once every one of them has taken its first step and is waiting. */
typedef struct probe_frame {
    size_t before;
    int n;
} probe_frame;

static size_t S_heap_bytes(void)
{
    return mallinfo2().uordblks; /* bytes malloc has handed out */
}

static double S_bytes_per_task;

static int probe(rt_task *t)
{
    probe_frame *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_yield(t)); /* by now every sleeper sleeps */
    S_bytes_per_task = (double)(S_heap_bytes() - f->before) / f->n;
    RT_END(t, 0);
}

static int long_sleeper(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, 100 * MS));
    RT_END(t, 0);
}
// [end]

// [stall]
/* A ticker that wants to run every 1 ms, and a task that computes 100 ms:
 * in one step (chunked = 0), or in 1 ms steps with `await sleep(0)`
 * between them (chunked = 1).  ticks_during counts the ticker's wake-ups
 * while the computing task was in progress. */
typedef struct stall_state {
    int computing, done, ticks_during;
} stall_state;

static stall_state S_stall;

typedef struct ticker_frame {
    int i;
} ticker_frame;

static int ticker(rt_task *t)
{
    RT_BEGIN(t);
    while (!S_stall.done) {
        RT_AWAIT(t, rt_async_sleep(t, 1 * MS));
        if (S_stall.computing)
            S_stall.ticks_during++;
    }
    RT_END(t, 0);
}

typedef struct cruncher_frame {
    int chunked, step;
    uint64_t units_per_ms;
} cruncher_frame;

static int cruncher(rt_task *t)
{
    cruncher_frame *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, 5 * MS)); /* let the ticker get going */
    S_stall.computing = 1;
    if (!f->chunked) {
        rt_bytecodes(100 * f->units_per_ms); /* 100 ms, one step */
    } else {
        for (f->step = 0; f->step < 100; f->step++) {
            rt_bytecodes(f->units_per_ms);  /* 1 ms ... */
            RT_AWAIT(t, rt_async_yield(t)); /* ... then let others run */
        }
    }
    S_stall.computing = 0;
    S_stall.done = 1;
    RT_END(t, 0);
}
// [end]

/* ------------------------------------------------------------------ */
/* Running one experiment                                              */
/* ------------------------------------------------------------------ */

typedef enum { W_SERIAL, W_GATHER, W_BLOCKING, W_TO_THREAD, W_MANY, W_STALL } way;

/* What one run measured. */
typedef struct outcome {
    uint64_t wall_ns;
    int max_in_wait, bytes_per_task, ticks_during;
    rt_loop_stats loop;
} outcome;

/* Runs way w with n (tasks, sleeps, or `chunked` for W_STALL) on a fresh
 * loop of the main thread, to the end. */
static void S_exec(way w, int n, outcome *out)
{
    static offload offloads[64];
    rt_loop *l = S_loop();
    S_in_wait = S_max_in_wait = 0;
    S_stall = (stall_state){0};
    serial_frame sf = {n, 0};
    gather_frame gf = {n,
                       w == W_BLOCKING    ? blocker
                       : w == W_TO_THREAD ? offloaded
                                          : sleeper,
                       w == W_TO_THREAD ? offloads : NULL};
    cruncher_frame cf = {n, 0, (uint64_t)rt_bytecodes_per_ms()};
    probe_frame pf = {S_heap_bytes(), n};
    for (int i = 0; w == W_TO_THREAD && i < n; i++) {
        offloads[i] = (offload){.loop = l};
        rt_future_init(&offloads[i].done);
    }
    uint64_t t0 = rt_now_ns();
    if (w == W_SERIAL)
        rt_task_release(S_spawn(l, serial_task, &sf, sizeof sf));
    else if (w == W_MANY) {
        for (int i = 0; i < n; i++)
            rt_task_release(S_spawn(l, long_sleeper, NULL, 0));
        rt_task_release(S_spawn(l, probe, &pf, sizeof pf));
    } else if (w == W_STALL) {
        rt_task_release(S_spawn(l, ticker, NULL, 0));
        rt_task_release(S_spawn(l, cruncher, &cf, sizeof cf));
    } else
        rt_task_release(S_spawn(l, gatherer, &gf, sizeof gf));
    if (rt_loop_run(l) < 0)
        exkit_fail("rt_loop_run failed");
    out->wall_ns = rt_now_ns() - t0;
    for (int i = 0; w == W_TO_THREAD && i < n; i++)
        if (offloads[i].thread)
            rt_thread_join(offloads[i].thread);
    rt_loop_stats_get(l, &out->loop);
    out->max_in_wait = S_max_in_wait;
    out->bytes_per_task = w == W_MANY ? (int)llround(S_bytes_per_task) : 0;
    out->ticks_during = S_stall.ticks_during;
    rt_loop_free(l);
}

static void S_measure(exkit_measure *m, way w, int n)
{
    outcome o;
    S_exec(w, n, &o);
    exkit_result_int(m, "n", n);
    exkit_result_int(m, "max_in_wait", o.max_in_wait);
    if (w == W_MANY)
        exkit_result_int(m, "bytes_per_task", o.bytes_per_task);
    if (w == W_STALL)
        exkit_result_int(m, "ticks_during", o.ticks_during);
    exkit_report_loop(m, &o.loop);
}

#define LOAD(name, w, lo, hi, what)                                                    \
    static void load_##name(exkit_measure *m, int nargs, char **args)                  \
    {                                                                                  \
        S_measure(m, w, (int)exkit_arg_long(nargs, args, 0, lo, hi, what));            \
    }
LOAD(serial, W_SERIAL, 1, 64, "N")
LOAD(gather, W_GATHER, 1, 64, "N")
LOAD(blocking, W_BLOCKING, 1, 64, "N")
LOAD(to_thread, W_TO_THREAD, 1, 64, "N")
LOAD(many, W_MANY, 1, MAX_N, "N")
LOAD(stall, W_STALL, 0, 1, "CHUNKED")

/* ------------------------------------------------------------------ */
/* show: the table                                                     */
/* ------------------------------------------------------------------ */

/* The table's rows, and the twin's name for each. */
static const struct {
    const char *label, *twin;
    way w;
    int n;
} S_rows[] = {
    {"8 sleeps, one after another", "serial", W_SERIAL, 8},
    {"8 sleeps, gathered", "gather", W_GATHER, 8},
    {"8 blocking sleeps, gathered", "blocking", W_BLOCKING, 8},
    {"8 blocking sleeps, to_thread", "to_thread", W_TO_THREAD, 8},
    {"10,000 tasks sleep 100 ms", "many", W_MANY, 10000},
    {"ticker + 100 ms in one step", "stall", W_STALL, 0},
    {"ticker + 100 steps of 1 ms", "chunked", W_STALL, 1},
};
#define NROWS ((int)(sizeof S_rows / sizeof S_rows[0]))

static int show(int nargs, char **args)
{
    exkit_show_opts o = {.reps = 3};
    int rc = exkit_show_args(nargs, args, &o, 1, MAX_REPS, 0);
    if (rc)
        return rc;
    rt_config cfg;
    rt_config_default(&cfg);
    exkit_runtime_start(&cfg, 0);
    static outcome runs[NROWS][MAX_REPS];
    for (int rep = 0; rep < o.reps; rep++) /* interleaved: A B C ... A B C */
        for (int r = 0; r < NROWS; r++)
            S_exec(S_rows[r].w, S_rows[r].n, &runs[r][rep]);
    rt_fini();

    printf("\nChapter 7: waits on one thread (the runtime's event loop; sleeps of "
           "%d ms;\nmedian of %d runs)\n\n",
           SLEEP_MS, o.reps);
    printf("  CPython measures the same experiments with asyncio "
           "(chapters/07/twin.py)...\n");
    exkit_twin_run("chapters/07/twin.py", o.quick ? "--quick" : "");
    printf("\n  %-30s %8s %9s %8s %6s %6s %7s\n", "run", "wall", "CPython", "at once",
           "polls", "ticks", "B/task");
    for (int r = 0; r < NROWS; r++) {
        double wall[MAX_REPS];
        for (int i = 0; i < o.reps; i++)
            wall[i] = (double)runs[r][i].wall_ns / 1e6;
        double ms = exkit_median(wall, (size_t)o.reps);
        const outcome *x = &runs[r][o.reps - 1];
        char name[48];
        snprintf(name, sizeof name, "%s_ms", S_rows[r].twin);
        double py = exkit_twin(name);
        printf("  %-30s %5.0f ms", S_rows[r].label, ms);
        if (isnan(py))
            printf(" %9s", "-");
        else
            printf(" %6.0f ms", py);
        int at_once = S_rows[r].w == W_MANY ? (int)x->loop.max_waiting : x->max_in_wait;
        printf(" %8d %6llu", at_once, (unsigned long long)x->loop.polls);
        if (S_rows[r].w == W_STALL)
            printf(" %6d", x->ticks_during);
        else
            printf(" %6s", "");
        if (S_rows[r].w == W_MANY)
            printf(" %7d", x->bytes_per_task);
        printf("\n");
    }
    if (exkit_twin_version()[0]) {
        printf("\n  CPython (%s), the same rows with asyncio: ticks %.0f in one step, "
               "%.0f in\n  1 ms steps; %.0f bytes a sleeping task (tracemalloc); "
               "to_thread's pool has\n  %.0f threads here (min(32, cores + 4)).\n",
               exkit_twin_version(), exkit_twin("stall_ticks"),
               exkit_twin("chunked_ticks"), exkit_twin("bytes_per_task"),
               exkit_twin("default_workers"));
        printf("  A thread instead of a task: %.0f KiB of stack reserved each "
               "(threading's default\n  here), %.0f KiB of it resident once "
               "it waits, %.0f us to start one and see\n  it run, against %.1f "
               "us for a task.\n",
               exkit_twin("thread_stack_kib"), exkit_twin("thread_rss_kib"),
               exkit_twin("thread_start_us"), exkit_twin("task_start_us"));
        printf("  20 callbacks that asyncio was asked to run at the very same loop "
               "time ran in\n  the order scheduled: %s (this loop: always, by "
               "sequence number).\n",
               exkit_twin("same_when_in_order") == 1 ? "yes" : "no");
    }
    printf("\n  at once  most tasks inside their wait at the same moment (for 10,000 "
           "tasks:\n           the loop's own count of tasks suspended on a wait)\n"
           "  polls    times the loop asked the kernel for readiness\n"
           "  ticks    wake-ups of a 1 ms ticker while the other task computed\n"
           "  B/task   heap bytes per sleeping task (malloc's count), runtime only\n");
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"serial", "N", load_serial, 0},     {"gather", "N", load_gather, 0},
    {"blocking", "N", load_blocking, 0}, {"to_thread", "N", load_to_thread, 0},
    {"many", "N", load_many, 0},         {"stall", "CHUNKED", load_stall, 0},
};
static const exkit_driver S_demo = {
    .tag = "demo-7", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
