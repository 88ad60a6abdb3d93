/*
 * driver.c - exercise 08's driver: the tasks, the correctness cases and
 * the measured workloads, on the exercise kit (exercises/common/exkit.h).
 * Provided; do not edit.
 *
 *   prog test <case>                  runs one correctness case
 *   prog measure serial N MS          N items of MS ms of work, one by one
 *   prog measure map N MS W C         the same with your ex08_map, W workers,
 *                                     chunksize C (0: your default)
 *   prog measure tiny N C             N tiny items with your ex08_map on 2
 *                                     workers, chunksize C
 *
 * Every case checks what the pool's counters say (rt_pool_stats): how
 * many messages went to the workers, how many items are still pending.
 * None trusts a stopwatch.  Reading the cases is a fine way to learn what
 * is expected; each failure message names the likely mistake.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ex08.h"
#include "exkit.h"
#include "rt.h"

/* ------------------------------------------------------------------ */
/* The tasks, and their chunk tasks (registered in main, before the     */
/* guard, so spawned workers know them too)                             */
/* ------------------------------------------------------------------ */

static int square(const rt_value *arg, rt_value **out)
{
    if (!arg || arg->kind != RT_V_INT)
        return -EINVAL;
    *out = rt_value_int(arg->as.i * arg->as.i);
    return *out ? 0 : -ENOMEM;
}

/* CPU-bound: arg units of interpreter work. */
static int spin(const rt_value *arg, rt_value **out)
{
    *out = rt_value_int((int64_t)rt_bytecodes((uint64_t)arg->as.i));
    return *out ? 0 : -ENOMEM;
}

/* Item 0 takes 200 ms, the others no time: item 0's chunk finishes last. */
static int slow_first(const rt_value *arg, rt_value **out)
{
    if (arg->as.i == 0)
        rt_sleep_us(200000);
    return square(arg, out);
}

/* Item 7 fails with EDOM; items from 8 on take 300 ms each, so the chunks
 * after the failing one are still running long after it failed. */
#define FAIL_AT 7
static int fail_at(const rt_value *arg, rt_value **out)
{
    if (arg->as.i == FAIL_AT)
        return -EDOM;
    if (arg->as.i > FAIL_AT)
        rt_sleep_us(300000);
    return square(arg, out);
}

/* A counter in memory the parent maps shared before it forks its workers:
 * both workers see the same int. */
static atomic_int *S_meet;

/* Counts itself in, then waits (up to 5 s, sleeping) until `arg` items
 * have arrived; returns how many it saw.  Only items that run at the same
 * time can see each other. */
static int meet(const rt_value *arg, rt_value **out)
{
    int seen = atomic_fetch_add(S_meet, 1) + 1;
    for (int t = 0; t < 5000 && seen < arg->as.i; t++) {
        rt_sleep_us(1000);
        seen = atomic_load(S_meet);
    }
    *out = rt_value_int(seen);
    return *out ? 0 : -ENOMEM;
}

/* Returns a copy of its argument (None stays None). */
static int echo(const rt_value *arg, rt_value **out)
{
    *out = rt_value_copy(arg);
    return arg && !*out ? -ENOMEM : 0;
}

/* "<task>/chunk": the task applied to a chunk by your ex08_run_chunk. */
#define CHUNK_TASK(fn)                                                                 \
    static int fn##_chunk(const rt_value *chunk, rt_value **out)                       \
    {                                                                                  \
        return ex08_run_chunk(fn, chunk, out);                                         \
    }
CHUNK_TASK(square)
CHUNK_TASK(spin)
CHUNK_TASK(slow_first)
CHUNK_TASK(fail_at)
CHUNK_TASK(echo)
CHUNK_TASK(meet)

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static rt_pool *new_pool(int workers, rt_pool_start how)
{
    rt_pool *p = rt_pool_create(&(rt_pool_opts){.workers = workers, .start = how});
    if (!p)
        exkit_fail("driver: rt_pool_create: %s", strerror(errno));
    return p;
}

static rt_value **ints(size_t n, int64_t each) /* each < 0: 0, 1, 2, ... */
{
    rt_value **a = calloc(n ? n : 1, sizeof *a);
    for (size_t i = 0; a && i < n; i++)
        a[i] = rt_value_int(each < 0 ? (int64_t)i : each);
    if (!a)
        exkit_fail("driver: out of memory");
    return a;
}

static void free_all(rt_value **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        rt_value_free(v[i]);
    free(v);
}

/* Runs ex08_map; fails the case on an error, naming it. */
static void map_ok(rt_pool *p, const char *task, rt_value **args, size_t n,
                   size_t chunksize, rt_value **res)
{
    char err[400] = "";
    int rc = ex08_map(p, task, args, n, chunksize, res, err, sizeof err);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex08_map", rc);
    if (rc != 0)
        exkit_fail("ex08_map(\"%s\", %zu items, chunksize %zu) returned %d (%s): %s",
                   task, n, chunksize, rc, strerror(-rc), err);
}

/* Every results[i] must be args[i] squared. */
static void check_squares(rt_value **args, rt_value **res, size_t n, size_t chunksize)
{
    for (size_t i = 0; i < n; i++) {
        int64_t want = args[i]->as.i * args[i]->as.i;
        if (!res[i]) {
            size_t last = n - (n - 1) % chunksize - 1;
            exkit_fail("results[%zu] is missing (NULL)%s", i,
                       i >= last && n % chunksize
                           ? ": the last chunk is shorter than chunksize, and it "
                             "must be sent too"
                           : "");
        }
        if (res[i]->kind != RT_V_INT || res[i]->as.i != want)
            exkit_fail("results[%zu] is %lld, expected %lld (= %lld squared)%s", i,
                       (long long)(res[i]->kind == RT_V_INT ? res[i]->as.i : -1),
                       (long long)want, (long long)args[i]->as.i,
                       res[i]->kind == RT_V_INT && res[i]->as.i != want
                           ? ": results must be in the order of the items, not "
                             "the order the chunks finished"
                           : "");
    }
}

/* The pool sent exactly `want` task messages for a map of n items. */
static void check_messages(rt_pool *p, size_t n, size_t chunksize, uint64_t want)
{
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    if (s.chunks_sent == n && n > want)
        exkit_fail("the pool sent %llu messages for %zu items at chunksize %zu: one "
                   "per item; a chunk of items must travel as one message "
                   "(ceil(%zu / %zu) = %llu)",
                   (unsigned long long)s.chunks_sent, n, chunksize, n, chunksize,
                   (unsigned long long)want);
    if (s.chunks_sent != want)
        exkit_fail("the pool sent %llu messages for %zu items at chunksize %zu, "
                   "expected ceil(%zu / %zu) = %llu",
                   (unsigned long long)s.chunks_sent, n, chunksize, n, chunksize,
                   (unsigned long long)want);
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */
/* ------------------------------------------------------------------ */

static void case_default_chunksize(void)
{
    static const struct {
        size_t n;
        int workers;
        size_t want;
    } T[] = {{100, 2, 13},  {16, 2, 2},  {17, 2, 3},     {3, 2, 1},        {8, 1, 2},
             {1, 8, 1},     {0, 2, 1},   {1001, 2, 126}, {20000, 2, 2500}, {9, 2, 2},
             {1000, 4, 63}, {64, 16, 1}, {65, 16, 2}};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        size_t got = ex08_default_chunksize(T[i].n, T[i].workers);
        if (got == T[i].want)
            continue;
        if (got == 0)
            exkit_fail("ex08_default_chunksize(%zu, %d) returned 0: it is still the "
                       "starter's TODO (a chunk size is at least 1)",
                       T[i].n, T[i].workers);
        size_t per = 4 * (size_t)T[i].workers;
        exkit_fail("ex08_default_chunksize(%zu, %d) returned %zu, expected %zu "
                   "(Pool.map: divmod(%zu, 4 * %d) = (%zu, %zu)%s)",
                   T[i].n, T[i].workers, got, T[i].want, T[i].n, T[i].workers,
                   T[i].n / per, T[i].n % per,
                   T[i].n % per ? ", plus one for the remainder" : ", at least 1");
    }
}

static void case_run_chunk(void)
{
    rt_value *chunk = rt_value_list(5), *out = NULL;
    for (size_t i = 0; i < 5; i++)
        rt_value_list_set(chunk, i, rt_value_int((int64_t)i + 1));
    int rc = ex08_run_chunk(square, chunk, &out);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex08_run_chunk", rc);
    if (rc != 0 || !out || out->kind != RT_V_LIST || out->len != 5)
        exkit_fail("ex08_run_chunk(square, [1, 2, 3, 4, 5]) must return 0 and a list "
                   "of 5 results (returned %d)",
                   rc);
    for (size_t i = 0; i < 5; i++)
        if (!out->as.items[i] || out->as.items[i]->as.i != (int64_t)((i + 1) * (i + 1)))
            exkit_fail(
                "ex08_run_chunk(square, [1, 2, 3, 4, 5]): item %zu of the result "
                "is not %zu",
                i, (i + 1) * (i + 1));
    rt_value_free(out);
    rt_value_free(chunk);

    /* An empty chunk gives an empty list; None items reach the task. */
    chunk = rt_value_list(0);
    if (ex08_run_chunk(square, chunk, &out) != 0 || !out || out->kind != RT_V_LIST ||
        out->len != 0)
        exkit_fail("ex08_run_chunk on an empty list must return 0 and an empty list");
    rt_value_free(out);
    rt_value_free(chunk);
    chunk = rt_value_list(3);
    rt_value_list_set(chunk, 1, rt_value_int(9));
    if (ex08_run_chunk(echo, chunk, &out) != 0 || !out || out->len != 3 ||
        out->as.items[0] || out->as.items[2] || !out->as.items[1] ||
        out->as.items[1]->as.i != 9)
        exkit_fail("ex08_run_chunk(echo, [None, 9, None]) must give [None, 9, None]");
    rt_value_free(out);
    rt_value_free(chunk);

    /* A failing item fails the chunk; not a list is -EINVAL. */
    chunk = rt_value_list(3);
    for (size_t i = 0; i < 3; i++)
        rt_value_list_set(chunk, i, rt_value_int(FAIL_AT - 1 + (int64_t)i));
    out = rt_value_int(1234); /* must be replaced by NULL */
    rt_value *sentinel = out;
    rc = ex08_run_chunk(fail_at, chunk, &out);
    if (rc != -EDOM)
        exkit_fail("ex08_run_chunk: the task failed with -EDOM on item 1, so the chunk "
                   "must fail with -EDOM (returned %d)",
                   rc);
    if (out)
        exkit_fail("ex08_run_chunk: after a failure *out must be NULL%s",
                   out == sentinel ? " (it was left as it was)" : "");
    rt_value_free(sentinel);
    rt_value_free(chunk);
    rt_value *one = rt_value_int(1);
    if (ex08_run_chunk(square, one, &out) != -EINVAL || out)
        exkit_fail("ex08_run_chunk on a value that is not a list must return -EINVAL");
    rt_value_free(one);
}

/* Squares 0..n-1 with ex08_map on 2 workers started `how`, at chunksize
 * cs (> 0), and checks the results and that `messages` were sent. */
static void squares_case(rt_pool_start how, size_t n, size_t cs, uint64_t messages)
{
    rt_pool *p = new_pool(2, how);
    rt_value **args = ints(n, -1), **res = calloc(n, sizeof *res);
    map_ok(p, "square/chunk", args, n, cs, res);
    check_squares(args, res, n, cs);
    check_messages(p, n, cs, messages);
    rt_pool_free(p);
    free_all(args, n);
    free_all(res, n);
}

static void case_map_results(void)
{
    squares_case(RT_POOL_FORK, 10, 3, 4);
}

static void case_map_default_chunks(void)
{
    size_t n = 1001; /* 2 workers: ceil(1001 / 8) = 126 an item, 8 chunks */
    rt_pool *p = new_pool(2, RT_POOL_FORK);
    rt_value **args = ints(n, -1), **res = calloc(n, sizeof *res);
    map_ok(p, "square/chunk", args, n, 0, res);
    check_squares(args, res, n, 126);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    if (s.chunks_sent != 8)
        exkit_fail(
            "with chunksize 0, %zu items on 2 workers went in %llu messages, "
            "expected 8: chunksize 0 means ex08_default_chunksize(%zu, 2) = %zu, "
            "and Pool.map's default for 1001 items on 2 workers is 126",
            n, (unsigned long long)s.chunks_sent, n, ex08_default_chunksize(n, 2));
    rt_pool_free(p);
    free_all(args, n);
    free_all(res, n);
}

static void case_map_in_order(void)
{
    size_t n = 8;
    rt_pool *p = new_pool(2, RT_POOL_FORK);
    rt_value **args = ints(n, -1), **res = calloc(n, sizeof *res);
    map_ok(p, "slow_first/chunk", args, n, 1, res); /* item 0 finishes last */
    check_squares(args, res, n, 1);
    check_messages(p, n, 1, n);
    rt_pool_free(p);
    free_all(args, n);
    free_all(res, n);
}

static void case_map_at_once(void)
{
    S_meet = mmap(NULL, sizeof *S_meet, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (S_meet == MAP_FAILED)
        exkit_fail("driver: mmap: %s", strerror(errno));
    atomic_store(S_meet, 0);
    rt_pool *p = new_pool(2, RT_POOL_FORK); /* after the mmap: they share it */
    rt_value **args = ints(2, 2), **res = calloc(2, sizeof *res);
    map_ok(p, "meet/chunk", args, 2, 1, res);
    for (size_t i = 0; i < 2; i++)
        if (!res[i] || res[i]->as.i < 2)
            exkit_fail("two chunks of one item each, on two workers: item %zu waited "
                       "5 s and never met the other, so only one chunk was running "
                       "at a time: submit every chunk before waiting for any",
                       i);
    rt_pool_free(p);
    free_all(args, 2);
    free_all(res, 2);
    munmap(S_meet, sizeof *S_meet);
}

static void case_map_error(void)
{
    size_t n = 20, cs = 4; /* chunk [4, 8) fails; the later ones take 1.2 s */
    rt_pool *p = new_pool(2, RT_POOL_FORK);
    rt_value **args = ints(n, -1), **res = calloc(n, sizeof *res);
    char err[400] = "";
    int rc = ex08_map(p, "fail_at/chunk", args, n, cs, res, err, sizeof err);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s); /* at once: what is still pending now? */
    if (rc == -ENOSYS)
        exkit_fail_rc("ex08_map", rc);
    if (rc == 0)
        exkit_fail("ex08_map returned 0, but item %d failed with -EDOM: a failed chunk "
                   "must fail the map (an error swallowed is a wrong answer)",
                   FAIL_AT);
    if (rc != -EDOM)
        exkit_fail("ex08_map returned %d (%s); the task failed with -EDOM (%d)", rc,
                   strerror(-rc), -EDOM);
    for (size_t i = 0; i < n; i++)
        if (res[i])
            exkit_fail("after a failure every results[i] must be NULL; results[%zu] "
                       "is not (free the results filed before the failure)",
                       i);
    if (!strstr(err, "fail_at/chunk"))
        exkit_fail("after a failure err must say why (what rt_pool_future_error "
                   "said: it names the task); it says \"%s\"",
                   err);
    uint64_t pending = s.submitted - s.done - s.failed - s.cancelled;
    if (pending)
        exkit_fail("ex08_map returned while %llu of its chunks were still pending in "
                   "the pool: after a failure, wait for (or cancel) every chunk you "
                   "submitted before returning",
                   (unsigned long long)pending);
    rt_pool_free(p);
    free_all(args, n);
    free(res);
}

static void case_map_spawn(void)
{
    squares_case(RT_POOL_SPAWN, 50, 7, 8); /* workers: this program run again */
}

/* BEGIN HIDDEN TESTS */
static void case_map_edges(void)
{
    rt_pool *p = new_pool(2, RT_POOL_FORK);
    rt_value *none[1] = {NULL};
    int rc = ex08_map(p, "square/chunk", none, 0, 0, none, NULL, 0);
    if (rc == -ENOSYS)
        exkit_fail_rc("ex08_map", rc);
    if (rc != 0)
        exkit_fail("a map of 0 items must return 0 (returned %d)", rc);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    if (s.chunks_sent != 0)
        exkit_fail("a map of 0 items sent %llu messages; it must send none",
                   (unsigned long long)s.chunks_sent);
    /* A chunk larger than the map: one message. */
    size_t n = 10;
    rt_value **args = ints(n, -1), **res = calloc(n, sizeof *res);
    map_ok(p, "square/chunk", args, n, 100, res);
    check_squares(args, res, n, 100);
    check_messages(p, n, 100, 1);
    free_all(res, n);
    /* None items cross as None; err may be NULL. */
    for (size_t i = 0; i < n; i += 3)
        rt_value_free(args[i]), args[i] = NULL;
    res = calloc(n, sizeof *res);
    if (ex08_map(p, "echo/chunk", args, n, 4, res, NULL, 0) != 0)
        exkit_fail("ex08_map of echo over items with None among them failed");
    for (size_t i = 0; i < n; i++)
        if (!rt_value_equal(args[i], res[i]))
            exkit_fail(
                "echo: results[%zu] differs from args[%zu] (None must stay None)", i,
                i);
    rt_pool_free(p);
    free_all(args, n);
    free_all(res, n);
}
/* END HIDDEN TESTS */

/* ------------------------------------------------------------------ */
/* Workloads                                                            */
/* ------------------------------------------------------------------ */

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    size_t n = (size_t)exkit_arg_long(nargs, args, 0, 1, 256, "N");
    long ms = exkit_arg_long(nargs, args, 1, 1, 1000, "MS");
    rt_value **a = ints(n, (int64_t)((double)ms * rt_bytecodes_per_ms()));
    rt_value **res = calloc(n, sizeof *res);
    exkit_measure_start(m);
    for (size_t i = 0; i < n; i++)
        spin(a[i], &res[i]);
    exkit_measure_stop(m);
    exkit_result_uint(m, "items", n);
    free_all(a, n);
    free_all(res, n);
}

/* W workers, then ex08_map over n items of `units` each (the pool is
 * started before the measured part: its start is not the map's cost). */
static void measure_map(exkit_measure *m, const char *task, size_t n, int64_t units,
                        int workers, size_t chunksize)
{
    rt_pool *p = new_pool(workers, RT_POOL_FORK);
    rt_value **a = ints(n, units), **res = calloc(n, sizeof *res);
    exkit_measure_start(m);
    map_ok(p, task, a, n, chunksize, res);
    exkit_measure_stop(m);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    exkit_report_pool(m, &s);
    exkit_result_uint(m, "items", n);
    exkit_result_uint(m, "messages", s.chunks_sent);
    rt_pool_free(p);
    free_all(a, n);
    free_all(res, n);
}

static void load_map(exkit_measure *m, int nargs, char **args)
{
    size_t n = (size_t)exkit_arg_long(nargs, args, 0, 1, 256, "N");
    long ms = exkit_arg_long(nargs, args, 1, 1, 1000, "MS");
    int w = (int)exkit_arg_long(nargs, args, 2, 1, 16, "W");
    size_t c = (size_t)exkit_arg_long(nargs, args, 3, 0, 256, "C");
    measure_map(m, "spin/chunk", n, (int64_t)((double)ms * rt_bytecodes_per_ms()), w,
                c);
}

static void load_tiny(exkit_measure *m, int nargs, char **args)
{
    size_t n = (size_t)exkit_arg_long(nargs, args, 0, 1, 1000000, "N");
    size_t c = (size_t)exkit_arg_long(nargs, args, 1, 0, 1000000, "C");
    measure_map(m, "square/chunk", n, 3, 2, c);
}

static const exkit_case S_cases[] = {
    {"default_chunksize", case_default_chunksize, 0},
    {"run_chunk", case_run_chunk, 0},
    {"map_results", case_map_results, 0},
    {"map_default_chunks", case_map_default_chunks, 0},
    {"map_in_order", case_map_in_order, 0},
    {"map_at_once", case_map_at_once, 0},
    {"map_error", case_map_error, 0},
    {"map_spawn", case_map_spawn, 0},
    /* BEGIN HIDDEN TESTS */
    {"map_edges", case_map_edges, 0},
    /* END HIDDEN TESTS */
};
static const exkit_workload S_workloads[] = {
    {"serial", "N MS", load_serial, 0},
    {"map", "N MS W C", load_map, 0},
    {"tiny", "N C", load_tiny, 0},
};
static const exkit_driver S_driver = {
    .tag = "ex08", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    /* Every task a worker may be asked for is registered first: a spawned
     * worker is this program run again, and it finds tasks by name. */
    rt_pool_register("square/chunk", square_chunk);
    rt_pool_register("spin/chunk", spin_chunk);
    rt_pool_register("slow_first/chunk", slow_first_chunk);
    rt_pool_register("fail_at/chunk", fail_at_chunk);
    rt_pool_register("echo/chunk", echo_chunk);
    rt_pool_register("meet/chunk", meet_chunk);
    /* if __name__ == "__main__": a spawned worker serves tasks inside this
     * call and then ends here; the program's own run goes on. */
    if (rt_pool_worker_guard(argc, argv))
        return 0;
    return exkit_main(&S_driver, argc, argv);
}
