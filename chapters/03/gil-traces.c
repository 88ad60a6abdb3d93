/*
 * gil-traces.c - records the GIL traces behind chapter 3's interactive timeline.
 *
 *   make traces-3                    (re-records chapters/03/gil-traces.json)
 *   build/demos/03/gil-traces OUT.json
 *
 * Two CPU-bound threads run once under each setting the page lets the reader
 * pick: the cpython policy with a 1, 5 and 20 ms switch interval, the ticks
 * policy (the GIL before Python 3.2) and no GIL at all.  Each run's trace is
 * the runtime's own Chrome Trace Event JSON (rt_trace_write_chrome), wrapped
 * in one object:
 *
 *   {"traces": [{"policy": "cpython", "interval_ms": 5, "work_ms": 30,
 *                "trace": {"traceEvents": [...]}}, ...]}
 *
 * interval_ms is null for the policies that ignore the interval.  The site
 * (site/timeline.c) checks this shape; tools/sitedata stamps it with the
 * date and the machine.
 *
 * Limit: the ticks policy drops the GIL every `ticks` checkpoints.  At its
 * default (100, Python 2's check interval) that is about once a microsecond
 * here: 30 ms of work would be some 20,000 events, too many to draw or to
 * ship in a page.  The trace uses TICKS checkpoints a turn instead (about
 * 300 us) and says so; the mechanism it shows (drop, then compete to take
 * the lock straight back) is the same at any count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"

enum { TICKS = 30000 };

/* A CPU-bound job: *arg bytecode units, computed holding the GIL. */
static void cpu_job(void *arg)
{
    uint64_t *units = arg;
    *units = rt_bytecodes(*units);
}

/* One setting: the policy, its switch interval (0: the policy ignores it)
 * and how long each thread computes. */
typedef struct setting {
    rt_gil_policy policy;
    int interval_ms;
    int work_ms;
    long ticks; /* ticks policy: checkpoints per turn (0: the default) */
} setting;

/* Runs two threads under s with tracing on and appends the wrapped trace
 * to out.  Returns 0 or -1 after saying why. */
static int record(const setting *s, double units_per_ms, FILE *out)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = s->policy;
    if (s->interval_ms)
        cfg.switch_interval_us = s->interval_ms * 1000L;
    if (s->ticks)
        cfg.ticks = s->ticks;
    cfg.trace_events = 8192;
    if (rt_init(&cfg) < 0) {
        fprintf(stderr, "traces: rt_init failed\n");
        return -1;
    }
    uint64_t work[2];
    work[0] = work[1] = (uint64_t)(s->work_ms * units_per_ms);
    rt_thread *a = rt_thread_start_named("thread A", cpu_job, &work[0]);
    rt_thread *b = rt_thread_start_named("thread B", cpu_job, &work[1]);
    if (!a || !b) {
        perror("traces: rt_thread_start");
        return -1;
    }
    rt_thread_join(a);
    rt_thread_join(b);
    size_t dropped;
    rt_trace_events(NULL, &dropped);
    if (dropped)
        fprintf(stderr, "traces: %s: %zu events did not fit the trace buffer\n",
                rt_policy_name(s->policy), dropped);
    fprintf(out, "{\"policy\": \"%s\", \"interval_ms\": ", rt_policy_name(s->policy));
    if (s->interval_ms)
        fprintf(out, "%d", s->interval_ms);
    else
        fputs("null", out);
    fprintf(out, ", \"work_ms\": %d, ", s->work_ms);
    if (s->ticks)
        fprintf(out, "\"ticks\": %ld, ", s->ticks);
    fputs("\"trace\": ", out);
    int rc = rt_trace_write_chrome(out);
    fputs("}", out);
    rt_fini();
    return rc < 0 ? -1 : 0;
}

/* Records every setting into argv[1]; exit 0, 1 on failure, 2 usage. */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.json\n", argv[0]);
        return 2;
    }
    /* Enough work for several turns at every interval: 4 turns each at
     * 20 ms, 30 at 1 ms. */
    static const setting settings[] = {
        {RT_GIL_CPYTHON, 1, 30, 0},  {RT_GIL_CPYTHON, 5, 30, 0},
        {RT_GIL_CPYTHON, 20, 80, 0}, {RT_GIL_TICKS, 0, 30, TICKS},
        {RT_GIL_NONE, 0, 30, 0},
    };
    /* The settings are this program's point: the environment's overrides
     * (RT_GIL, RT_SWITCH_INTERVAL_US, RT_TICKS) must not change them. */
    unsetenv("RT_GIL");
    unsetenv("RT_SWITCH_INTERVAL_US");
    unsetenv("RT_TICKS");
    rt_init(NULL);
    double units_per_ms = rt_bytecodes_per_ms();
    rt_fini();
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    fputs("{\"traces\": [\n", out);
    int rc = 0;
    for (size_t i = 0; i < sizeof settings / sizeof settings[0] && rc == 0; i++) {
        if (i)
            fputs(",\n", out);
        rc = record(&settings[i], units_per_ms, out);
    }
    fputs("\n]}\n", out);
    if (fclose(out) != 0 || rc < 0) {
        fprintf(stderr, "traces: could not write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
