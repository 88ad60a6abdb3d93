/*
 * figure.h - what chapter 3's figure programs (timeline.c, longcall.c)
 * share: a traced runtime, two named threads, and the trace of their run
 * written as an SVG timeline (rt_trace_write_svg).
 */
#ifndef CH03_FIGURE_H
#define CH03_FIGURE_H

#include <stdio.h>

#include "rt.h"

/* One thread of the figure.  All fields public. */
typedef struct fig_thread {
    const char *name; /* its lane's label */
    void (*fn)(void *);
    void *arg;
} fig_thread;

/* The whole program: `prog OUT.svg`.  Starts the runtime with the cpython
 * policy (5 ms) and tracing on, calls setup(units per ms) so the program
 * can size its work on this machine, runs the two threads from start to
 * join, writes the trace of that stretch to OUT.svg, and stops the
 * runtime.  Returns main's exit status (0, 1 failed, 2 usage). */
static inline int figure_main(int argc, char **argv, void (*setup)(double per_ms),
                              const fig_thread th[2])
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.svg\n", argv[0]);
        return 2;
    }
    rt_config cfg;
    rt_config_default(&cfg); /* cpython policy, 5 ms switch interval */
    cfg.trace_events = 8192; /* room for every take, drop and request */
    if (rt_init(&cfg) < 0) {
        fprintf(stderr, "%s: rt_init failed\n", argv[0]);
        return 1;
    }
    setup(rt_bytecodes_per_ms());
    uint64_t t0 = rt_now_ns();
    rt_thread *t[2];
    for (int i = 0; i < 2; i++)
        if (!(t[i] = rt_thread_start_named(th[i].name, th[i].fn, th[i].arg))) {
            perror("rt_thread_start");
            return 1;
        }
    for (int i = 0; i < 2; i++)
        rt_thread_join(t[i]);
    uint64_t t1 = rt_now_ns();
    FILE *out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    int rc = rt_trace_write_svg(out, 760, t0, t1);
    if (fclose(out) != 0 || rc < 0) {
        fprintf(stderr, "%s: could not write %s\n", argv[0], argv[1]);
        return 1;
    }
    rt_fini();
    return 0;
}

#endif /* CH03_FIGURE_H */
