/*
 * demo.c - chapter 8's demo: what a process pool buys and what it costs.
 *
 *   make demo-8                               the tables for a human
 *   build/demos/08/demo measure <load> ...    one measure line (claims.yaml)
 *
 * Workloads (each on a runtime the kit starts; pools are created before
 * the measured part begins, except where starting them is what is measured):
 *   serial N MS          N items of MS ms of interpreter work, one by one
 *   pool N MS W          the same items mapped over W worker processes
 *   tiny_serial N        N tiny items (squaring an int) in a plain loop
 *   tiny_map N C         the same items through rt_pool_map, chunksize C
 *                        (0: the default, ceil(N / (4 * workers)))
 *   tiny_submit N        the same items as N futures: one message each
 *   copy MB / shm MB     one MB MiB argument, copied / in shared memory
 *   start fork|spawn     start 2 workers and run one item on each
 *   inherit fork|spawn   what a worker sees of a global main() changed
 *   noguard              a spawn pool whose workers skip the guard
 *   crash                a map one of whose items kills its worker
 *
 * `show` prints the tables with CPython's figures beside them, measured a
 * moment earlier by chapters/08/twin.py.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"
#include "rt_pool.h"

#define TINY_N   20000 /* items in the tiny-task table */
#define CPU_N    8     /* items in the CPU-bound table */
#define CPU_MS   40    /* ms of work per CPU-bound item */
#define WORKERS  2
#define MAX_REPS 9

// [tasks]
/* Tasks run in a worker: read the argument, store a result, return 0. */
static int spin(const rt_value *arg, rt_value **out) /* arg: units of work */
{
    *out = rt_value_int((int64_t)rt_bytecodes((uint64_t)arg->as.i));
    return *out ? 0 : -ENOMEM;
}

static int square(const rt_value *arg, rt_value **out) /* a tiny task */
{
    *out = rt_value_int(arg->as.i * arg->as.i);
    return *out ? 0 : -ENOMEM;
}
// [end]

/* The length of a bytes argument or of a shared block, after reading
 * every 4096th byte of it (so the pages are really touched). */
static int measure_len(const rt_value *arg, rt_value **out)
{
    const uint8_t *p = arg->kind == RT_V_SHM ? rt_shm_data(arg->as.shm) : arg->as.bytes;
    size_t n = arg->kind == RT_V_SHM ? rt_shm_size(arg->as.shm) : arg->len;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i += 4096)
        sink ^= p[i];
    (void)sink;
    *out = rt_value_int((int64_t)n);
    return *out ? 0 : -ENOMEM;
}

/* Kills the worker that runs it: a crash in the middle of a map. */
static int die(const rt_value *arg, rt_value **out)
{
    (void)arg, (void)out;
    kill(getpid(), SIGKILL);
    return 0;
}

// [inherit]
/* A global that main() changes at run time, as a Python script sets a
 * module-level CONFIG inside `if __name__ == "__main__":`. */
static int64_t S_setting = 0;

static int peek(const rt_value *arg, rt_value **out) /* what this worker sees */
{
    (void)arg;
    *out = rt_value_int(S_setting);
    return *out ? 0 : -ENOMEM;
}
// [end]

/* One run's figures. */
typedef struct run {
    double ms;
    rt_pool_stats ps;
    int64_t value; /* a result the run checks or reports */
    int rc;
    char err[400];
} run;

static void start_clock(exkit_measure *m, uint64_t *t0)
{
    if (m)
        exkit_measure_start(m);
    *t0 = rt_now_ns();
}

static void stop_clock(exkit_measure *m, uint64_t t0, run *r)
{
    r->ms = (double)(rt_now_ns() - t0) / 1e6;
    if (m)
        exkit_measure_stop(m);
}

static rt_pool *new_pool(int workers, rt_pool_start how)
{
    rt_pool *p = rt_pool_create(&(rt_pool_opts){.workers = workers, .start = how});
    if (!p)
        exkit_fail("rt_pool_create: %s", strerror(errno));
    return p;
}

static rt_value **int_args(size_t n, int64_t v) /* v < 0: 0, 1, 2, ... */
{
    rt_value **a = malloc(n * sizeof *a);
    for (size_t i = 0; a && i < n; i++)
        if (!(a[i] = rt_value_int(v < 0 ? (int64_t)i : v)))
            exkit_fail("out of memory");
    if (!a)
        exkit_fail("out of memory");
    return a;
}

static void free_values(rt_value **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rt_value_free(v[i]);
    free(v);
}

/* Maps `task` over args with rt_pool_map; fails the program on an error. */
static void map_or_fail(rt_pool *p, const char *task, rt_value **args, size_t n,
                        size_t chunksize, rt_value **res)
{
    char err[300];
    int rc = rt_pool_map(p, task, args, n, chunksize, res, err, sizeof err);
    if (rc)
        exkit_fail("rt_pool_map: %s", err);
}

static void run_cpu(exkit_measure *m, int n, long ms, int workers, run *r)
{
    uint64_t units = (uint64_t)((double)ms * rt_bytecodes_per_ms()), t0;
    rt_value **args = int_args((size_t)n, (int64_t)units),
             **res = calloc((size_t)n, sizeof *res);
    rt_pool *p = workers ? new_pool(workers, RT_POOL_FORK) : NULL;
    start_clock(m, &t0);
    if (p) {
        map_or_fail(p, "spin", args, (size_t)n, 0, res);
    } else {
        for (int i = 0; i < n; i++)
            spin(args[i], &res[i]);
    }
    stop_clock(m, t0, r);
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
    r->value = n;
    free_values(args, (size_t)n);
    free_values(res, (size_t)n);
}

// [tiny]
/* N tiny items three ways: a plain loop, one map with chunks of
 * `chunksize`, or one future per item (Executor.submit in a loop). */
enum { TINY_LOOP, TINY_MAP, TINY_SUBMIT };

static void tiny_way(int how, rt_pool *p, rt_value **args, size_t n, size_t chunksize,
                     rt_value **res, rt_pool_future **fs)
{
    if (how == TINY_LOOP) {
        for (size_t i = 0; i < n; i++)
            square(args[i], &res[i]);
    } else if (how == TINY_MAP) {
        map_or_fail(p, "square", args, n, chunksize, res);
    } else {
        for (size_t i = 0; i < n; i++)
            if (!(fs[i] = rt_pool_submit(p, "square", args[i])))
                exkit_fail("rt_pool_submit: %s", strerror(errno));
        for (size_t i = 0; i < n; i++) {
            if (rt_pool_future_result(fs[i], -1, &res[i]) != 0)
                exkit_fail("item %zu failed", i);
            rt_pool_future_free(fs[i]);
        }
    }
}
// [end]

static void run_tiny(exkit_measure *m, int how, size_t n, size_t chunksize, run *r)
{
    rt_value **args = int_args(n, -1), **res = calloc(n, sizeof *res);
    rt_pool_future **fs = calloc(n, sizeof *fs);
    rt_pool *p = how == TINY_LOOP ? NULL : new_pool(WORKERS, RT_POOL_FORK);
    uint64_t t0;
    start_clock(m, &t0);
    tiny_way(how, p, args, n, chunksize, res, fs);
    stop_clock(m, t0, r);
    r->value = 0;
    for (size_t i = 0; i < n; i++)
        if (res[i] && res[i]->as.i == (int64_t)(i * i))
            r->value++;
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
    free(fs);
    free_values(args, n);
    free_values(res, n);
}

/* One argument of `mb` MiB sent to a worker, copied by the codec or (shared)
 * as a handle to a shared memory block the parent filled. */
static void run_copy(exkit_measure *m, size_t mb, int shared, run *r)
{
    size_t size = mb << 20;
    rt_pool *p = new_pool(1, RT_POOL_FORK);
    rt_shm *shm = shared ? rt_shm_create(size) : NULL;
    uint8_t *buf = shared ? rt_shm_data(shm) : malloc(size);
    if (!buf)
        exkit_fail("out of memory");
    memset(buf, 7, size);
    uint64_t t0;
    start_clock(m, &t0);
    rt_value *arg = shared ? rt_value_shm(shm) : rt_value_bytes_take(buf, size), *res;
    rt_pool_future *f = arg ? rt_pool_submit(p, "measure_len", arg) : NULL;
    if (!f || (r->rc = rt_pool_future_result(f, -1, &res)) != 0)
        exkit_fail("sending %zu MiB: %s", mb,
                   f ? rt_pool_future_error(f) : strerror(errno));
    stop_clock(m, t0, r);
    r->value = res->as.i;
    rt_value_free(res);
    rt_pool_future_free(f);
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
    rt_value_free(arg);
    rt_shm_free(shm);
}

/* Starts 2 workers the given way and runs one item on each (a map of two
 * items at chunksize 1): the time until both are serving, then stops them. */
static void run_start(exkit_measure *m, rt_pool_start how, run *r)
{
    rt_value **args = int_args(WORKERS, 3), *res[WORKERS];
    uint64_t t0;
    start_clock(m, &t0);
    rt_pool *p = new_pool(WORKERS, how);
    map_or_fail(p, "square", args, WORKERS, 1, res);
    stop_clock(m, t0, r);
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
    r->value = res[0]->as.i;
    for (int i = 0; i < WORKERS; i++)
        rt_value_free(res[i]);
    free_values(args, WORKERS);
}

// [inherit-run]
/* main() changes the global, then starts a pool and asks a worker for it. */
static void run_inherit(rt_pool_start how, run *r)
{
    S_setting = 42;
    rt_pool *p = new_pool(1, how);
    rt_pool_future *f = rt_pool_submit(p, "peek", NULL);
    rt_value *v = NULL;
    if (!f || rt_pool_future_result(f, -1, &v) != 0)
        exkit_fail("peek failed");
    r->value = v->as.i; /* fork: 42, a copy of the parent; spawn: 0 */
    rt_value_free(v);
    rt_pool_future_free(f);
    rt_pool_free(p);
}
// [end]

/* A spawn pool whose workers run main() without the guard (DEMO8_SKIP_GUARD
 * in their environment: see main).  Each worker reaches rt_pool_create,
 * which stops it; the pool breaks, and the item fails with the reason. */
static void run_noguard(run *r)
{
    setenv("DEMO8_SKIP_GUARD", "1", 1);
    rt_pool *p = new_pool(1, RT_POOL_SPAWN);
    unsetenv("DEMO8_SKIP_GUARD");
    rt_value *arg = rt_value_int(3), *v = NULL;
    rt_pool_future *f = rt_pool_submit(p, "square", arg);
    r->rc = f ? rt_pool_future_result(f, 10000, &v) : -errno;
    const char *why = rt_pool_error(p);
    snprintf(r->err, sizeof r->err, "%s", why ? why : "");
    r->value = strstr(r->err, "rt_pool_worker_guard") != NULL;
    rt_value_free(v);
    rt_value_free(arg);
    rt_pool_future_free(f);
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
}

/* A map of 8 items on 2 workers whose item 3 kills its worker: the pool
 * breaks, and every item not yet done fails instead of waiting forever. */
static void run_crash(run *r)
{
    rt_pool *p = new_pool(WORKERS, RT_POOL_FORK);
    rt_value **args = int_args(8, -1), *res[8];
    rt_pool_future *f[8];
    for (int i = 0; i < 8; i++)
        f[i] = rt_pool_submit(p, i == 3 ? "die" : "spin", args[i]);
    r->value = 0;
    for (int i = 0; i < 8; i++) {
        res[i] = NULL;
        int rc = f[i] ? rt_pool_future_result(f[i], 10000, &res[i]) : -EPIPE;
        r->value += rc == -EPIPE; /* failed because the pool broke */
        r->rc = rc == -ETIMEDOUT ? rc : r->rc;
        rt_value_free(res[i]);
        rt_pool_future_free(f[i]);
    }
    const char *why = rt_pool_error(p);
    snprintf(r->err, sizeof r->err, "%s", why ? why : "");
    rt_pool_stats_get(p, &r->ps);
    rt_pool_free(p);
    free_values(args, 8);
}

/* ------------------------------------------------------------ measure */

static void report(exkit_measure *m, const run *r, int pool)
{
    exkit_result_double(m, "ms", r->ms);
    exkit_result_int(m, "value", r->value);
    if (pool)
        exkit_report_pool(m, &r->ps);
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    run r = {0};
    run_cpu(m, (int)exkit_arg_long(nargs, args, 0, 1, 256, "N"),
            exkit_arg_long(nargs, args, 1, 1, 1000, "MS"), 0, &r);
    report(m, &r, 0);
}

static void load_pool(exkit_measure *m, int nargs, char **args)
{
    run r = {0};
    run_cpu(m, (int)exkit_arg_long(nargs, args, 0, 1, 256, "N"),
            exkit_arg_long(nargs, args, 1, 1, 1000, "MS"),
            (int)exkit_arg_long(nargs, args, 2, 1, 16, "W"), &r);
    report(m, &r, 1);
}

static void load_tiny(exkit_measure *m, int nargs, char **args, int how)
{
    run r = {0};
    size_t n = (size_t)exkit_arg_long(nargs, args, 0, 1, 1000000, "N");
    size_t c =
        how == TINY_MAP ? (size_t)exkit_arg_long(nargs, args, 1, 0, 1000000, "C") : 0;
    run_tiny(m, how, n, c, &r);
    report(m, &r, how != TINY_LOOP);
}

static void load_tiny_serial(exkit_measure *m, int nargs, char **args)
{
    load_tiny(m, nargs, args, TINY_LOOP);
}

static void load_tiny_map(exkit_measure *m, int nargs, char **args)
{
    load_tiny(m, nargs, args, TINY_MAP);
}

static void load_tiny_submit(exkit_measure *m, int nargs, char **args)
{
    load_tiny(m, nargs, args, TINY_SUBMIT);
}

static void load_copy(exkit_measure *m, int nargs, char **args, int shared)
{
    run r = {0};
    run_copy(m, (size_t)exkit_arg_long(nargs, args, 0, 1, 256, "MB"), shared, &r);
    report(m, &r, 1);
}

static void load_copy_bytes(exkit_measure *m, int nargs, char **args)
{
    load_copy(m, nargs, args, 0);
}

static void load_copy_shm(exkit_measure *m, int nargs, char **args)
{
    load_copy(m, nargs, args, 1);
}

static rt_pool_start start_arg(int nargs, char **args)
{
    if (nargs >= 1 && strcmp(args[0], "spawn") == 0)
        return RT_POOL_SPAWN;
    if (nargs >= 1 && strcmp(args[0], "fork") == 0)
        return RT_POOL_FORK;
    exkit_fail("expected fork or spawn");
}

static void load_start(exkit_measure *m, int nargs, char **args)
{
    run r = {0};
    run_start(m, start_arg(nargs, args), &r);
    report(m, &r, 1);
}

static void load_inherit(exkit_measure *m, int nargs, char **args)
{
    run r = {0};
    run_inherit(start_arg(nargs, args), &r);
    report(m, &r, 0);
}

static void load_noguard(exkit_measure *m, int nargs, char **args)
{
    (void)nargs, (void)args;
    run r = {0};
    run_noguard(&r);
    exkit_result_int(m, "broken", r.rc == -EPIPE); /* the item failed: EPIPE */
    exkit_result_int(m, "guard_named", r.value);
    exkit_report_pool(m, &r.ps);
}

static void load_crash(exkit_measure *m, int nargs, char **args)
{
    (void)nargs, (void)args;
    run r = {0};
    run_crash(&r);
    exkit_result_int(m, "failed_broken", r.value);
    exkit_result_int(m, "timed_out", r.rc == -ETIMEDOUT);
    exkit_result_int(m, "signal_named", strstr(r.err, "SIGKILL") != NULL);
    exkit_report_pool(m, &r.ps);
}

#include "show.h"

static const exkit_workload S_workloads[] = {
    {"serial", "N MS", load_serial, 0},
    {"pool", "N MS W", load_pool, 0},
    {"tiny_serial", "N", load_tiny_serial, 0},
    {"tiny_map", "N C", load_tiny_map, 0},
    {"tiny_submit", "N", load_tiny_submit, 0},
    {"copy", "MB", load_copy_bytes, 0},
    {"shm", "MB", load_copy_shm, 0},
    {"start", "fork|spawn", load_start, 0},
    {"inherit", "fork|spawn", load_inherit, 0},
    {"noguard", "", load_noguard, 0},
    {"crash", "", load_crash, 0},
};
static const exkit_driver S_demo = {
    .tag = "demo-8", EXKIT_WORKLOADS(S_workloads), .show = show};

// [main]
int main(int argc, char **argv)
{
    /* Tasks first: a spawned worker is this program run again, and it must
     * know the same names (pickle sends a function's name, not its code). */
    rt_pool_register("spin", spin);
    rt_pool_register("square", square);
    rt_pool_register("measure_len", measure_len);
    rt_pool_register("peek", peek);
    rt_pool_register("die", die);
    /* if __name__ == "__main__": a spawned worker serves here and returns
     * 1; the program's own run goes on.  (DEMO8_SKIP_GUARD: the noguard
     * workload's deliberate mistake.) */
    if (!getenv("DEMO8_SKIP_GUARD") && rt_pool_worker_guard(argc, argv))
        return 0;
    return exkit_main(&S_demo, argc, argv);
}
// [end]
