/*
 * test_pool_spawn.c - the spawn start method and the `__main__` guard.
 *
 * A spawned worker is this very program run again, entering the worker
 * loop through rt_pool_worker_guard() in main().  Two stand-ins for
 * programs that get it wrong are selected by environment variables the
 * case sets before starting the pool (the workers inherit them):
 *   TEST_POOL_FORGETFUL    main() creates a pool without the guard;
 *   TEST_POOL_NEVER_SERVES main() does something else forever.
 */
#include "rt_test_util.h"
#include "test_pool_tasks.h"

#include <limits.h>
#include <sys/prctl.h>

CASE(spawn_map_and_pids)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    int fds = count_fds();
    rt_pool *p = make_pool(2, RT_POOL_SPAWN);
    size_t n = 100;
    rt_value **args = int_args(n), *res[100];
    char err[300];
    CHECKF(rt_pool_map(p, "square", args, n, 1, res, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < n; i++) {
        CHECK(res[i]->as.i == (int64_t)(i * i));
        rt_value_free(res[i]);
    }
    /* The workers are fresh runs of this program: same executable. */
    for (int i = 0; i < 2; i++) {
        char a[64], b[PATH_MAX], c[PATH_MAX];
        snprintf(a, sizeof a, "/proc/%d/exe", (int)rt_pool_worker_pid(p, i));
        ssize_t la = readlink(a, b, sizeof b - 1),
                lb = readlink("/proc/self/exe", c, sizeof c - 1);
        CHECK(la > 0 && la == lb && memcmp(b, c, (size_t)la) == 0);
    }
    /* Shared memory works across exec too: the handle is a path. */
    rt_shm *shm = rt_shm_create(1 << 16);
    rt_value *h = rt_value_shm(shm), *v;
    rt_pool_future *f = rt_pool_submit(p, "shm_fill", h);
    CHECK(rt_pool_future_result(f, 30000, &v) == 0);
    CHECK(((uint8_t *)rt_shm_data(shm))[300] == 300 % 251);
    rt_value_free(v);
    rt_pool_future_free(f);
    rt_value_free(h);
    rt_shm_free(shm);
    /* A spawned worker runs its own runtime: a nested pool is refused. */
    f = rt_pool_submit(p, "nested", NULL);
    CHECK(rt_pool_future_result(f, 30000, &v) == -EPERM);
    rt_pool_future_free(f);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.procs_started == 2 && s.workers_used >= 1 && s.done == n + 1);
    rt_pool_free(p);
    free_args(args, n);
    CHECK(count_children() == 0 && count_fds() == fds);
    rt_fini();
}

/* The program that forgot the guard.  Under spawn, each worker runs this
 * from the top and reaches rt_pool_create(), which must stop it. */
static int forgetful_main(void)
{
    rt_init(NULL);
    rt_pool_opts o = {.workers = 2, .start = RT_POOL_SPAWN};
    rt_pool *p = rt_pool_create(&o); /* in a worker: exits 86 here */
    if (!p)
        return 1;
    rt_value *v = rt_value_int(3), *r = NULL;
    rt_pool_future *f = rt_pool_submit(p, "square", v);
    int rc = rt_pool_future_result(f, 60000, &r);
    printf("forgetful: rc %d\n", rc);
    rt_pool_future_free(f);
    rt_value_free(v);
    rt_value_free(r);
    rt_pool_free(p);
    rt_fini();
    return 0;
}

CASE(missing_guard_is_a_clear_error)
{
    /* Orphans would be re-parented to us: we would see any grandchild. */
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    setenv("TEST_POOL_FORGETFUL", "1", 1);
    /* LeakSanitizer's exit-time check clones a tracer process; a worker
     * killed during it (the pool kills the second worker once the first
     * fails) would orphan the tracer onto us and look like a runaway. */
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    int pipefd[2], saved = dup(2);
    CHECK(pipe(pipefd) == 0 && saved >= 0);
    dup2(pipefd[1], 2); /* the workers' stderr */
    rt_pool_opts o = {.workers = 2, .start = RT_POOL_SPAWN};
    rt_pool *p = rt_pool_create(&o);
    dup2(saved, 2);
    close(saved);
    close(pipefd[1]);
    CHECK(p);
    rt_value *v = rt_value_int(3), *r = NULL;
    /* The pool may break before or after the submit: the future fails, or
     * the pool refuses the work.  Either way the error names the mistake. */
    rt_pool_future *f = rt_pool_submit(p, "square", v);
    int rc = f ? rt_pool_future_result(f, 60000, &r) : -errno;
    const char *e = f ? rt_pool_future_error(f) : rt_pool_error(p);
    CHECKF(rc == -EPIPE, "rc %d: %s", rc, e ? e : "");
    CHECKF(strstr(e, "exited with status 86") && strstr(e, "rt_pool_worker_guard()") &&
               strstr(e, "__main__"),
           "%s", e);
    rt_pool_stats s;
    rt_pool_stats_get(p, &s);
    CHECK(s.procs_started == 2);
    rt_pool_future_free(f);
    rt_value_free(v);
    rt_pool_free(p);
    /* The worker said what was wrong, on its stderr. */
    char buf[4096];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof buf - 1 &&
           (k = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)k;
    buf[len] = 0;
    close(pipefd[0]);
    CHECKF(strstr(buf, "main() tried to create a pool before calling "
                       "rt_pool_worker_guard()") &&
               strstr(buf, "No process was started"),
           "worker stderr: %s", buf);
    /* No runaway: nothing beyond our two workers ever existed. */
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
    CHECK(count_children() == 0);
}

CASE(worker_that_never_serves_times_out)
{
    setenv("TEST_POOL_NEVER_SERVES", "1", 1);
    rt_pool_opts o = {.workers = 1, .start = RT_POOL_SPAWN, .start_timeout_ms = 300};
    rt_pool *p = rt_pool_create(&o);
    CHECK(p);
    rt_value *v = rt_value_int(3), *r = NULL;
    rt_pool_future *f = rt_pool_submit(p, "square", v); /* NULL if broken already */
    int rc = f ? rt_pool_future_result(f, 60000, &r) : -errno; /* not a hang */
    const char *e = f ? rt_pool_future_error(f) : rt_pool_error(p);
    CHECKF(rc == -EPIPE, "rc %d: %s", rc, e ? e : "");
    CHECKF(strstr(e, "did not start serving within 300 ms"), "%s", e);
    rt_pool_future_free(f);
    rt_value_free(v);
    rt_pool_free(p);
    CHECK(count_children() == 0);
}

CASE(guard_is_a_no_op_in_a_normal_run)
{
    char *argv[] = {"x", NULL};
    CHECK(rt_pool_worker_guard(1, argv) == 0);
}

int main(int argc, char **argv)
{
    register_tasks();
    if (getenv("TEST_POOL_FORGETFUL"))
        return forgetful_main();
    if (getenv("TEST_POOL_NEVER_SERVES") && getenv("RT_POOL_WORKER")) {
        pause(); /* killed by the pool when its start timeout runs out */
        return 0;
    }
    if (rt_pool_worker_guard(argc, argv))
        return 0;
    return check_main(argc, argv,
                      CASES(spawn_map_and_pids, missing_guard_is_a_clear_error,
                            worker_that_never_serves_times_out,
                            guard_is_a_no_op_in_a_normal_run));
}
