/*
 * rt_test_util.h - helpers shared by the runtime's tests.
 */
#ifndef RT_TEST_UTIL_H
#define RT_TEST_UTIL_H

#include "check.h"
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* Starts the runtime with `policy` and `interval_us` (0 = default) and
 * `trace` events, checking it worked. */
static inline void tu_init(rt_gil_policy policy, long interval_us, size_t trace)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = policy;
    if (interval_us)
        cfg.switch_interval_us = interval_us;
    cfg.trace_events = trace;
    CHECK(rt_init(&cfg) == 0);
}

/* Runs fn() in a child process (a fresh runtime) and returns its stderr
 * (static buffer) and exit status in *status.  For misuse that aborts. */
static inline const char *tu_child_stderr(void (*fn)(void), int *status)
{
    static char buf[4096];
    int p[2];
    CHECK(pipe(p) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        alarm(30);
        fn();
        _exit(0);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    close(p[0]);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
    return buf;
}

#endif
