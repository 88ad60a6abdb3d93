/*
 * test_pool.c - the process pool doing its job: map order, chunking edge
 * cases, imap_unordered, futures, task errors, large payloads through the
 * codec and through shared memory, the GIL released while waiting, the
 * fork-with-threads warning.
 */
#include "rt_test_util.h"
#include "test_pool_tasks.h"

#include <stdatomic.h>

static void check_squares(rt_value **res, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECKF(res[i] && res[i]->kind == RT_V_INT && res[i]->as.i == (int64_t)(i * i),
               "item %zu", i);
}

CASE(map_keeps_order_at_any_chunksize)
{
    tu_init(RT_GIL_CPYTHON, 0, 10000); /* with a trace: dispatches are events */
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    size_t n = 1000, chunks[] = {1, 7, 0, 5000};
    rt_value **args = int_args(n), *res[1000];
    for (int k = 0; k < 4; k++) {
        rt_pool_stats before, after;
        rt_pool_stats_get(p, &before);
        char err[200];
        CHECKF(rt_pool_map(p, "square", args, n, chunks[k], res, err, sizeof err) == 0,
               "%s", err);
        check_squares(res, n);
        for (size_t i = 0; i < n; i++)
            rt_value_free(res[i]);
        rt_pool_stats_get(p, &after);
        size_t cs = chunks[k] ? chunks[k] : rt_pool_default_chunksize(n, 2);
        CHECK(after.chunks_sent - before.chunks_sent == (n + cs - 1) / cs);
        CHECK(after.done - before.done == n && after.failed == 0);
    }
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.per_worker[0] + s.per_worker[1] == 4 * n);
    CHECK(s.submitted == 4 * n && s.procs_started == 2 && s.workers == 2);
    CHECK(s.bytes_encoded >= 4 * n * 10 && s.bytes_decoded >= 4 * n * 10);
    CHECK(s.writes > 0 && s.reads > 0);
    /* Batching: far fewer system calls than chunks at chunksize 1. */
    CHECKF(s.writes < s.chunks_sent, "writes %llu chunks %llu",
           (unsigned long long)s.writes, (unsigned long long)s.chunks_sent);
    rt_pool_free(p); /* before reading the trace: the manager records into it */
    size_t count, dropped, sent = 0, got = 0;
    const rt_event *ev = rt_trace_events(&count, &dropped);
    for (size_t i = 0; i < count; i++) {
        sent += ev[i].kind == RT_EV_POOL_DISPATCH;
        got += ev[i].kind == RT_EV_POOL_RESULT && ev[i].arg < 2;
    }
    CHECKF(dropped == 0 && sent == s.chunks_sent && got == s.chunks_sent,
           "dispatch %zu result %zu chunks %llu", sent, got,
           (unsigned long long)s.chunks_sent);
    free_args(args, n);
    rt_fini();
}

CASE(chunking_edge_cases)
{
    CHECK(rt_pool_default_chunksize(0, 2) == 1);
    CHECK(rt_pool_default_chunksize(1, 2) == 1);
    CHECK(rt_pool_default_chunksize(8, 2) == 1);
    CHECK(rt_pool_default_chunksize(9, 2) == 2);
    CHECK(rt_pool_default_chunksize(1000, 2) == 125);
    CHECK(rt_pool_default_chunksize(SIZE_MAX, 1) == SIZE_MAX / 4 + 1); /* no overflow */
    rt_pool *p = make_pool(4, RT_POOL_FORK);
    rt_value *res[3] = {(rt_value *)1};
    /* 0 items: nothing sent, success. */
    CHECK(rt_pool_map(p, "square", NULL, 0, 0, res, NULL, 0) == 0);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.chunks_sent == 0);
    rt_pool_iter *it = rt_pool_imap_unordered(p, "square", NULL, 0, 0);
    size_t idx;
    rt_value *v;
    CHECK(it && rt_pool_iter_next(it, 1000, &idx, &v) == 0);
    rt_pool_iter_free(it);
    /* Fewer items than workers; a chunksize larger than n. */
    rt_value **args = int_args(3);
    CHECK(rt_pool_map(p, "square", args, 3, 0, res, NULL, 0) == 0);
    check_squares(res, 3);
    for (int i = 0; i < 3; i++)
        rt_value_free(res[i]);
    CHECK(rt_pool_map(p, "square", args, 3, 1000, res, NULL, 0) == 0);
    check_squares(res, 3);
    for (int i = 0; i < 3; i++)
        rt_value_free(res[i]);
    rt_pool_stats_get(p, &s);
    CHECK(s.chunks_sent == 3 + 1); /* chunksize ceil(3/16) = 1: 3 chunks; then 1 */
    free_args(args, 3);
    rt_pool_free(p);
}

CASE(huge_n)
{
    size_t n = 200000;
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_value **args = int_args(n), **res = calloc(n, sizeof *res);
    CHECK(rt_pool_map(p, "square", args, n, 0, res, NULL, 0) == 0);
    check_squares(res, n);
    for (size_t i = 0; i < n; i++)
        rt_value_free(res[i]);
    /* chunksize 1: n frames, moved in bulk. */
    CHECK(rt_pool_map(p, "square", args, n, 1, res, NULL, 0) == 0);
    check_squares(res, n);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.done == 2 * n && s.chunks_sent == 8 + n);
    CHECKF(s.writes * 10 < n, "writes %llu", (unsigned long long)s.writes);
    for (size_t i = 0; i < n; i++)
        rt_value_free(res[i]);
    free(res);
    free_args(args, n);
    rt_pool_free(p);
}

CASE(imap_unordered_yields_as_they_finish)
{
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    /* Item 0 sleeps 300 ms; the rest 1 ms.  Round-robin gives worker 0
     * items 0 and 2, worker 1 items 1 and 3: item 0 cannot come first. */
    int64_t ms[] = {300, 1, 1, 1, 1, 1};
    rt_value *args[6];
    for (int i = 0; i < 6; i++)
        args[i] = rt_value_int(ms[i]);
    rt_pool_iter *it = rt_pool_imap_unordered(p, "sleep_ms", args, 6, 1);
    CHECK(it);
    int seen[6] = {0}, k = 0, rc;
    size_t idx, order[6];
    rt_value *v;
    while ((rc = rt_pool_iter_next(it, 30000, &idx, &v)) == 1) {
        CHECK(idx < 6 && !seen[idx] && v->as.i == ms[idx]);
        seen[idx] = 1;
        order[k++] = idx;
        rt_value_free(v);
    }
    CHECK(rc == 0 && k == 6);
    size_t pos0 = 0;
    while (order[pos0] != 0)
        pos0++;
    /* Items 1 and 3 (1 ms, worker 1) come before item 0 (300 ms). */
    CHECKF(pos0 >= 2, "item 0 came at position %zu", pos0);
    rt_pool_iter_free(it);
    /* The ordered iterator waits for item 0 first. */
    it = rt_pool_imap(p, "sleep_ms", args, 6, 1);
    for (size_t i = 0; i < 6; i++) {
        CHECK(rt_pool_iter_next(it, 30000, &idx, &v) == 1 && idx == i);
        rt_value_free(v);
    }
    CHECK(rt_pool_iter_next(it, 0, &idx, &v) == 0);
    rt_pool_iter_free(it);
    for (int i = 0; i < 6; i++)
        rt_value_free(args[i]);
    rt_pool_free(p);
}

CASE(futures_submit_timeout_cancel)
{
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_value *seven = rt_value_int(7), *v = NULL;
    rt_pool_future *f = rt_pool_submit(p, "square", seven);
    CHECK(f && rt_pool_future_result(f, 30000, &v) == 0 && v->as.i == 49);
    CHECK(rt_pool_future_done(f) && rt_pool_future_error(f) == NULL);
    rt_value_free(v);
    rt_pool_future_free(f);
    /* A slow task: a short wait times out, the item stays pending. */
    rt_value *ms = rt_value_int(200);
    f = rt_pool_submit(p, "sleep_ms", ms);
    CHECK(rt_pool_future_result(f, 10, &v) == -ETIMEDOUT && v == NULL);
    CHECK(rt_pool_future_result(f, 30000, &v) == 0 && v->as.i == 200);
    rt_value_free(v);
    rt_pool_future_free(f);
    /* Queue more than the windows take; the last can be cancelled. */
    rt_pool_future *fs[12];
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    for (int i = 0; i < 12; i++)
        CHECK((fs[i] = rt_pool_submit(p, "sleep_ms", ms)) != NULL);
    /* Wait until the manager has filled both windows (2 chunks each). */
    uint64_t sent = s.chunks_sent;
    for (int i = 0; i < 10000 && s.chunks_sent < sent + 4; i++) {
        usleep(1000);
        rt_pool_stats_get(p, &s);
    }
    CHECK(s.chunks_sent == sent + 4);
    CHECK(rt_pool_future_cancel(fs[11]) == 1);
    CHECK(rt_pool_future_cancel(fs[11]) == 0);
    CHECK(rt_pool_future_result(fs[11], 0, &v) == -ECANCELED);
    CHECK(rt_pool_future_cancel(fs[0]) == 0); /* already with a worker */
    CHECK(rt_pool_future_result(fs[0], 30000, &v) == 0);
    rt_value_free(v);
    for (int i = 0; i < 12; i++)
        rt_pool_future_free(fs[i]); /* pending ones too */
    /* Unknown to the parent: refused at submit, as pickle refuses. */
    errno = 0;
    CHECK(rt_pool_submit(p, "no_such_task", seven) == NULL && errno == ENOENT);
    rt_pool_stats_get(p, &s);
    CHECK(s.cancelled >= 1);
    rt_pool_free(p);
    rt_value_free(seven);
    rt_value_free(ms);
}

CASE(task_errors_fail_only_their_item)
{
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    size_t n = 20;
    rt_value **args = int_args(n), *res[20];
    char err[300];
    CHECK(rt_pool_map(p, "fail_odd", args, n, 3, res, err, sizeof err) == -EDOM);
    CHECKF(strstr(err, "item 1: task 'fail_odd' failed in worker") &&
               strstr(err, "error -33"),
           "%s", err);
    for (size_t i = 0; i < n; i++)
        CHECK(res[i] == NULL);
    rt_pool_iter *it = rt_pool_imap_unordered(p, "fail_odd", args, n, 1);
    int ok = 0, failed = 0, rc;
    size_t idx;
    rt_value *v;
    while ((rc = rt_pool_iter_next(it, 30000, &idx, &v)) != 0) {
        if (rc == 1) {
            CHECK(idx % 2 == 0 && v->as.i == (int64_t)idx);
            rt_value_free(v);
            ok++;
        } else {
            CHECK(rc == -EDOM && idx % 2 == 1 &&
                  strstr(rt_pool_iter_error(it), "fail_odd") != NULL);
            failed++;
        }
    }
    CHECK(ok == 10 && failed == 10);
    rt_pool_iter_free(it);
    /* The pool is fine afterwards. */
    CHECK(rt_pool_map(p, "square", args, n, 0, res, NULL, 0) == 0);
    check_squares(res, n);
    for (size_t i = 0; i < n; i++)
        rt_value_free(res[i]);
    CHECK(rt_pool_error(p) == NULL);
    /* A task registered after the fork is unknown to the workers. */
    CHECK(rt_pool_register("late", t_square) == 0);
    CHECK(rt_pool_register("late", t_square) == -EEXIST);
    CHECK(rt_pool_register("a_name_that_is_far_too_long_to_fit_in_the_sixty_three_"
                           "bytes_of_room_we_give",
                           t_square) == -ENAMETOOLONG);
    rt_pool_future *f = rt_pool_submit(p, "late", args[3]);
    CHECK(rt_pool_future_result(f, 30000, &v) == -ENOENT);
    CHECKF(strstr(rt_pool_future_error(f), "'late' is not registered in worker"), "%s",
           rt_pool_future_error(f));
    rt_pool_future_free(f);
    /* A worker cannot start a pool of its own. */
    f = rt_pool_submit(p, "nested", NULL);
    CHECK(rt_pool_future_result(f, 30000, &v) == -EPERM);
    rt_pool_future_free(f);
    /* A result the codec refuses fails its item, with the reason. */
    f = rt_pool_submit(p, "too_deep", NULL);
    CHECK(rt_pool_future_result(f, 30000, &v) == -ELOOP);
    CHECKF(strstr(rt_pool_future_error(f),
                  "'too_deep' returned a result the codec cannot encode"),
           "%s", rt_pool_future_error(f));
    rt_pool_future_free(f);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.failed == 10 + 10 + 3 && rt_pool_error(p) == NULL);
    rt_pool_free(p);
    free_args(args, n);
}

/* 64 MiB each way: through the codec, then through shared memory.  Under
 * ThreadSanitizer every byte access of the fill and sum loops is
 * instrumented (80 s for 64 MiB), so that build moves 8 MiB: the same code
 * paths (frames far larger than a socket buffer, partial writes), less
 * waiting.  ASan+UBSan runs the full 64 MiB. */
#ifdef __SANITIZE_THREAD__
#define PAYLOAD_MIB 8
#else
#define PAYLOAD_MIB 64
#endif
CASE(large_payloads)
{
    size_t size = (size_t)PAYLOAD_MIB << 20;
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    uint8_t *data = malloc(size);
    int64_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += data[i] = (uint8_t)(i * 2654435761u >> 24);
    rt_value *arg = rt_value_bytes_take(data, size), *v = NULL;
    rt_pool_future *f = rt_pool_submit(p, "ident", arg);
    CHECK(rt_pool_future_result(f, 60000, &v) == 0 && rt_value_equal(v, arg));
    rt_value_free(v);
    rt_pool_future_free(f);
    f = rt_pool_submit(p, "sum_bytes", arg);
    CHECK(rt_pool_future_result(f, 60000, &v) == 0 && v->as.i == sum);
    rt_value_free(v);
    rt_pool_future_free(f);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.bytes_encoded >= 2 * size && s.bytes_decoded >= size);
    /* Shared memory: only a handle crosses; the worker writes in place. */
    rt_shm *shm = rt_shm_create(size);
    CHECK(shm);
    rt_value *h = rt_value_shm(shm);
    f = rt_pool_submit(p, "shm_fill", h);
    CHECK(rt_pool_future_result(f, 60000, &v) == 0 && v->kind == RT_V_SHM);
    const uint8_t *d = rt_shm_data(shm);
    for (size_t i = 0; i < size; i += 4099)
        CHECK(d[i] == (uint8_t)(i % 251));
    CHECK(rt_value_equal(v, h));
    rt_value_free(v);
    rt_pool_future_free(f);
    rt_pool_stats s2;
    rt_pool_stats_get(p, &s2);
    CHECK(s2.bytes_encoded - s.bytes_encoded < 100); /* a handle, not 64 MiB */
    rt_value_free(h);
    rt_shm_free(shm);
    rt_value_free(arg);
    rt_pool_free(p);
}

static atomic_long S_spins;
static atomic_int S_stop;
static void spinner(void *arg)
{
    (void)arg;
    while (!atomic_load(&S_stop)) {
        rt_bytecodes(1000);
        atomic_fetch_add(&S_spins, 1);
    }
}

CASE(waiting_releases_the_gil)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_pool *p = make_pool(2, RT_POOL_FORK); /* before the thread: no warning */
    rt_thread *t = rt_thread_start(spinner, NULL);
    CHECK(t);
    rt_value **args = int_args(4), *res[4];
    for (int i = 0; i < 4; i++) {
        rt_value_free(args[i]);
        args[i] = rt_value_int(100);
    }
    long before = atomic_load(&S_spins);
    CHECK(rt_pool_map(p, "sleep_ms", args, 4, 1, res, NULL, 0) == 0);
    long during = atomic_load(&S_spins) - before;
    atomic_store(&S_stop, 1);
    CHECK(rt_thread_join(t) == 0);
    /* 200 ms of waiting: the thread ran meanwhile (a held GIL gives ~0). */
    CHECKF(during > 10, "spins during the map: %ld", during);
    for (int i = 0; i < 4; i++)
        rt_value_free(res[i]);
    free_args(args, 4);
    rt_pool_free(p);
    rt_fini();
}

static void fork_with_thread(void)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    atomic_store(&S_stop, 0);
    rt_thread *t = rt_thread_start(spinner, NULL);
    rt_pool *p = make_pool(3, RT_POOL_FORK);
    rt_value *v = rt_value_int(5), *r = NULL;
    rt_pool_future *f = rt_pool_submit(p, "square", v);
    CHECK(rt_pool_future_result(f, 30000, &r) == 0 && r->as.i == 25);
    rt_value_free(r);
    rt_pool_future_free(f);
    rt_value_free(v);
    rt_pool_free(p);
    atomic_store(&S_stop, 1);
    rt_thread_join(t);
    rt_fini();
}

CASE(warns_when_forking_with_threads)
{
    int status;
    const char *err = tu_child_stderr(fork_with_thread, &status);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d: %s", status, err);
    const char *w = strstr(err, "rt_pool: warning: fork() with 1 other thread(s)");
    CHECKF(w != NULL, "stderr: %s", err);
    CHECK(strstr(w + 1, "rt_pool: warning") == NULL); /* once per pool */
}

int main(int argc, char **argv)
{
    register_tasks();
    if (rt_pool_worker_guard(argc, argv))
        return 0;
    return check_main(argc, argv,
                      CASES(map_keeps_order_at_any_chunksize, chunking_edge_cases,
                            huge_n, imap_unordered_yields_as_they_finish,
                            futures_submit_timeout_cancel,
                            task_errors_fail_only_their_item, large_payloads,
                            waiting_releases_the_gil, warns_when_forking_with_threads));
}
