/*
 * runtime.c - starting and stopping the runtime; configuration.
 *
 * rt_init chooses the GIL policy (from the config, then the environment, so
 * a learner can re-run any demo under another policy without recompiling),
 * starts the trace if asked, and attaches the calling thread as "main"
 * holding the GIL -- the state a Python program starts in.
 *
 * Locking rule: rt_init and rt_fini run on the main thread while no other
 * runtime thread exists.
 */
#include "rt_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int S_running;

_Noreturn void rt__fatal(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "rt: fatal: %s\n", msg);
    fflush(stderr);
    abort();
}

void rt_config_default(rt_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->policy = RT_GIL_CPYTHON;
    cfg->switch_interval_us = 5000; /* CPython's DEFAULT_INTERVAL */
    cfg->ticks = 100;               /* Python 2's sys.getcheckinterval() */
}

static const char *const S_policy_names[] = {
    [RT_GIL_CPYTHON] = "cpython",
    [RT_GIL_TICKS] = "ticks",
    [RT_GIL_NONE] = "none",
    [RT_GIL_CUSTOM] = "custom",
};

int rt_policy_parse(const char *name, rt_gil_policy *out)
{
    if (!name || !out)
        return -EINVAL;
    for (int p = RT_GIL_CPYTHON; p < RT_GIL_CUSTOM; p++) {
        if (strcmp(name, S_policy_names[p]) == 0) {
            *out = (rt_gil_policy)p;
            return 0;
        }
    }
    return -EINVAL;
}

const char *rt_policy_name(rt_gil_policy policy)
{
    if ((unsigned)policy > RT_GIL_CUSTOM)
        return "?";
    return S_policy_names[policy];
}

/* Reads a positive long from the environment; 0 if unset, -1 if malformed. */
static long S_env_long(const char *var)
{
    const char *s = getenv(var);
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v <= 0) {
        fprintf(stderr, "rt: ignoring %s=%s (want a positive number)\n", var, s);
        return -1;
    }
    return v;
}

int rt_init(const rt_config *user)
{
    if (S_running)
        return -EALREADY;
    rt_config cfg;
    if (user)
        cfg = *user;
    else
        rt_config_default(&cfg);
    if (cfg.switch_interval_us == 0)
        cfg.switch_interval_us = 5000;
    if (cfg.ticks == 0)
        cfg.ticks = 100;

    const char *env = getenv("RT_GIL");
    if (env && *env && cfg.policy != RT_GIL_CUSTOM) {
        if (rt_policy_parse(env, &cfg.policy) < 0)
            fprintf(stderr, "rt: ignoring RT_GIL=%s (want cpython, ticks or none)\n",
                    env);
    }
    long v;
    if ((v = S_env_long("RT_SWITCH_INTERVAL_US")) > 0)
        cfg.switch_interval_us = v;
    if ((v = S_env_long("RT_TICKS")) > 0)
        cfg.ticks = v;
    if ((v = S_env_long("RT_TRACE")) > 0)
        cfg.trace_events = (size_t)v;

    if (cfg.switch_interval_us < 0 || cfg.ticks < 0)
        return -EINVAL;
    int err = rt__gil_init(&cfg);
    if (err < 0)
        return err;
    if (cfg.trace_events && (err = rt__trace_init(cfg.trace_events)) < 0) {
        rt__gil_fini();
        return err;
    }
    rt_stats_reset();
    const char *report = getenv("RT_DEADLOCK_REPORT");
    if (report && strcmp(report, "1") == 0)
        rt__diag_install();
    S_running = 1;
    rt_attach("main");
    return 0;
}

void rt_fini(void)
{
    if (!S_running)
        return;
    rt_tstate *ts = rt__current;
    if (!ts || !ts->holds_gil)
        rt__fatal("rt_fini: call it from the main thread, holding the GIL");
    int n = rt_thread_count();
    if (n != 1)
        rt__fatal("rt_fini: %d other thread(s) still attached (join them first)",
                  n - 1);
    rt_detach();
    rt__diag_uninstall();
    rt__gil_fini();
    rt__trace_fini();
    rt__threads_reset();
    S_running = 0;
}

void rt_after_fork_child(void)
{
    rt_tstate *ts = rt__current;
    if (!S_running || !ts)
        rt__fatal("rt_after_fork_child: the forking thread was not attached");
    rt__threads_after_fork(ts);
    rt__trace_after_fork();
    rt_stats_reset();
    rt__gil_after_fork(ts);
}
