/*
 * test_pool_fail.c - the pool when things go wrong: a worker killed
 * mid-map, a crash, an exit, shutdown with pending work; and afterwards no
 * zombie and no leaked descriptor, checked from /proc.
 *
 * Times here are generous bounds that only a hang would cross (the 50 ms
 * target is measured by `make bench`, pool.kill_ms).
 */
#include "test_pool_tasks.h"

#include <sys/wait.h>

static rt_value **ms_args(size_t n, int64_t ms)
{
    rt_value **a = int_args(n);
    for (size_t i = 0; i < n; i++) {
        rt_value_free(a[i]);
        a[i] = rt_value_int(ms);
    }
    return a;
}

/* Waits until the manager has sent at least `chunks` chunks to workers, so
 * a kill or a shutdown lands mid-map. */
static void wait_dispatched(rt_pool *p, uint64_t chunks)
{
    for (int i = 0; i < 5000; i++) {
        rt_pool_stats s;
        rt_pool_stats_get(p, &s);
        if (s.chunks_sent >= chunks)
            return;
        usleep(1000);
    }
    CHECK(!"chunks were never dispatched");
}

static void check_clean(int fds_before)
{
    CHECKF(count_children() == 0, "%d child process(es) left", count_children());
    CHECKF(count_fds() == fds_before, "fds %d, before %d", count_fds(), fds_before);
}

CASE(worker_killed_mid_map)
{
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    size_t n = 8;
    rt_value **args = ms_args(n, 2000);
    rt_pool_iter *it = rt_pool_imap(p, "sleep_ms", args, n, 1);
    wait_dispatched(p, 4);
    usleep(50000); /* the workers are inside their first 2 s sleep */
    pid_t victim = rt_pool_worker_pid(p, 0);
    CHECK(victim > 0 && kill(victim, SIGKILL) == 0);
    uint64_t t0 = rt_now_ns();
    size_t idx;
    rt_value *v;
    int rc, failed = 0;
    while ((rc = rt_pool_iter_next(it, 20000, &idx, &v)) != 0) {
        CHECKF(rc == -EPIPE, "item %zu: rc %d", idx, rc);
        failed++;
    }
    double ms = (double)(rt_now_ns() - t0) / 1e6;
    CHECK(failed == (int)n); /* none could finish: every one fails */
    CHECKF(ms < 1500, "the error took %.0f ms (tasks take 2000)", ms);
    char want[100];
    snprintf(want, sizeof want, "worker 0 (pid %d) was killed by signal 9 (SIGKILL)",
             (int)victim);
    CHECKF(strstr(rt_pool_error(p), want) && strstr(rt_pool_error(p), "broken pool"),
           "%s", rt_pool_error(p));
    CHECK(strcmp(rt_pool_iter_error(it), rt_pool_error(p)) == 0);
    rt_pool_iter_free(it);
    /* The pool refuses new work. */
    errno = 0;
    CHECK(rt_pool_submit(p, "square", args[0]) == NULL && errno == EPIPE);
    char err[600];
    rt_value *res[8];
    CHECK(rt_pool_map(p, "square", args, n, 0, res, err, sizeof err) == -EPIPE);
    CHECKF(strstr(err, "SIGKILL"), "%s", err);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.failed == n && s.procs_started == 2); /* no replacement started */
    rt_pool_free(p);
    free_args(args, n);
    check_clean(fds);
}

CASE(task_that_crashes)
{
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_pool_future *slow =
        rt_pool_submit(p, "sleep_ms", &(rt_value){.kind = RT_V_INT, .as.i = 5000});
    rt_pool_future *f = rt_pool_submit(p, "abort", NULL);
    rt_value *v;
    CHECK(rt_pool_future_result(f, 20000, &v) == -EPIPE);
    CHECKF(strstr(rt_pool_future_error(f), "(SIGABRT)"), "%s", rt_pool_future_error(f));
    /* The other worker's pending task fails too, at once. */
    int rc = rt_pool_future_result(slow, 2000, &v);
    CHECKF(rc == -EPIPE, "rc %d: %s", rc, rt_pool_future_error(slow));
    rt_pool_future_free(f);
    rt_pool_future_free(slow);
    rt_pool_free(p);
    check_clean(fds);
}

CASE(task_that_exits)
{
    int fds = count_fds();
    rt_pool *p = make_pool(1, RT_POOL_FORK);
    rt_pool_future *f = rt_pool_submit(p, "exit7", NULL);
    rt_value *v;
    CHECK(rt_pool_future_result(f, 20000, &v) == -EPIPE);
    CHECKF(strstr(rt_pool_future_error(f), "exited with status 7"), "%s",
           rt_pool_future_error(f));
    rt_pool_future_free(f);
    rt_pool_free(p);
    check_clean(fds);
}

CASE(idle_worker_killed)
{
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_value *v;
    rt_pool_future *f = rt_pool_submit(p, "pid", NULL);
    CHECK(rt_pool_future_result(f, 20000, &v) == 0); /* both are up */
    rt_value_free(v);
    rt_pool_future_free(f);
    CHECK(kill(rt_pool_worker_pid(p, 1), SIGTERM) == 0);
    for (int i = 0; i < 20000 && !rt_pool_error(p); i++)
        usleep(1000);
    CHECKF(rt_pool_error(p) && strstr(rt_pool_error(p), "worker 1") &&
               strstr(rt_pool_error(p), "SIGTERM") &&
               strstr(rt_pool_error(p), "0 pending item(s)"),
           "%s", rt_pool_error(p) ? rt_pool_error(p) : "(not broken)");
    errno = 0;
    CHECK(rt_pool_submit(p, "pid", NULL) == NULL && errno == EPIPE);
    rt_pool_free(p);
    check_clean(fds);
}

CASE(shutdown_cancels_pending)
{
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_value *ms = rt_value_int(50), *v;
    rt_pool_future *fs[20];
    for (int i = 0; i < 20; i++)
        CHECK((fs[i] = rt_pool_submit(p, "sleep_ms", ms)) != NULL);
    wait_dispatched(p, 2);
    int cancelled = rt_pool_shutdown(p, 1);
    /* At most the windows' worth (2 chunks per worker at first) was sent. */
    CHECKF(cancelled >= 12 && cancelled <= 18, "cancelled %d", cancelled);
    int ok = 0, canc = 0;
    for (int i = 0; i < 20; i++) {
        int rc =
            rt_pool_future_result(fs[i], 0, &v); /* shutdown waited: all resolved */
        CHECKF(rc == 0 || rc == -ECANCELED, "rc %d", rc);
        if (rc == 0) {
            rt_value_free(v);
            ok++;
        } else {
            canc++;
        }
        rt_pool_future_free(fs[i]);
    }
    CHECK(canc == cancelled && ok == 20 - cancelled);
    errno = 0;
    CHECK(rt_pool_submit(p, "sleep_ms", ms) == NULL && errno == ESHUTDOWN);
    CHECK(rt_pool_shutdown(p, 1) == 0); /* twice is fine */
    CHECK(rt_pool_error(p) == NULL);    /* a clean stop is not a break */
    CHECK(count_children() == 0);       /* shutdown reaped the workers */
    rt_pool_free(p);
    rt_value_free(ms);
    check_clean(fds);
}

CASE(shutdown_waits_for_pending)
{
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_FORK);
    rt_value **args = ms_args(10, 20), *v;
    rt_pool_future *fs[10];
    for (int i = 0; i < 10; i++)
        fs[i] = rt_pool_submit(p, "sleep_ms", args[i]);
    CHECK(rt_pool_shutdown(p, 0) == 0);
    for (int i = 0; i < 10; i++) {
        CHECK(rt_pool_future_result(fs[i], 0, &v) == 0 && v->as.i == 20);
        rt_value_free(v);
        rt_pool_future_free(fs[i]);
    }
    rt_pool_free(p);
    free_args(args, 10);
    check_clean(fds);
}

CASE(many_pools_leave_nothing_behind)
{
    int fds = count_fds();
    for (int k = 0; k < 5; k++) {
        rt_pool *p = make_pool(3, RT_POOL_FORK);
        rt_pool_future *f = rt_pool_submit(p, "pid", NULL);
        if (k % 2) /* free with the future still out */
            rt_pool_future_free(f);
        rt_pool_free(p);
        if (k % 2 == 0) {
            rt_value *v = NULL;
            int rc = rt_pool_future_result(f, 0, &v); /* the future outlives its pool */
            CHECK(rc == 0 && v && v->as.i > 0);
            rt_value_free(v);
            rt_pool_future_free(f);
        }
    }
    check_clean(fds);
}

int main(int argc, char **argv)
{
    register_tasks();
    if (rt_pool_worker_guard(argc, argv))
        return 0;
    return check_main(argc, argv,
                      CASES(worker_killed_mid_map, task_that_crashes, task_that_exits,
                            idle_worker_killed, shutdown_cancels_pending,
                            shutdown_waits_for_pending,
                            many_pools_leave_nothing_behind));
}
