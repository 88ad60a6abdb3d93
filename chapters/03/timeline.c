/*
 * timeline.c - draws chapter 3's figure: who holds the GIL, when.
 *
 *   make figure-3                      (writes chapters/03/timeline.svg)
 *   build/demos/03/timeline OUT.svg
 *
 * Two CPU-bound threads run under the cpython policy with tracing on, while
 * the main thread waits in rt_thread_join.  The trace (rt_trace_write_svg)
 * shows the threads taking turns: each holds the GIL for about one switch
 * interval, until the other, having waited that long, asks it to let go.
 */
#include <stdio.h>

#include "rt.h"

static void cpu_job(void *arg)
{
    uint64_t *units = arg;
    *units = rt_bytecodes(*units);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.svg\n", argv[0]);
        return 2;
    }
    rt_config cfg;
    rt_config_default(&cfg); /* cpython policy, 5 ms switch interval */
    cfg.trace_events = 4096; /* room for every take, drop and request */
    if (rt_init(&cfg) < 0) {
        fprintf(stderr, "timeline: rt_init failed\n");
        return 1;
    }
    /* 30 ms of work each: about six turns apiece at 5 ms. */
    uint64_t work[2];
    work[0] = work[1] = (uint64_t)(30 * rt_bytecodes_per_ms());
    uint64_t t0 = rt_now_ns();
    rt_thread *a = rt_thread_start_named("thread A", cpu_job, &work[0]);
    rt_thread *b = rt_thread_start_named("thread B", cpu_job, &work[1]);
    if (!a || !b) {
        perror("rt_thread_start");
        return 1;
    }
    rt_thread_join(a);
    rt_thread_join(b);
    uint64_t t1 = rt_now_ns();
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    int rc = rt_trace_write_svg(out, 760, t0, t1);
    if (fclose(out) != 0 || rc < 0) {
        fprintf(stderr, "timeline: could not write %s\n", argv[1]);
        return 1;
    }
    rt_fini();
    return 0;
}
