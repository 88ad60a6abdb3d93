/*
 * timeline.c - draws chapter 1's figure: what each thread was doing, when.
 *
 *   make figure-1                      (writes chapters/01/timeline.svg)
 *   build/demos/01/timeline OUT.svg
 *
 * Three threads start together under the GIL: one computes (40 ms of
 * interpreter work), one waits (a 40 ms sleep), one does both (15 ms of
 * work, a 30 ms sleep, 15 ms of work).  The runtime traces every take and
 * drop of the GIL; from those events each thread's lane shows when it ran,
 * when it waited for the GIL, and when the kernel had it parked.  While a
 * thread is parked its core runs somebody else: the picture of "waiting is
 * not computing".
 */
#include <stdio.h>
#include <stdlib.h>

#include "exkit.h"
#include "rt.h"

typedef struct job {
    double compute1_ms, sleep_ms, compute2_ms;
} job;

static void job_main(void *arg)
{
    const job *j = arg;
    double per_ms = rt_bytecodes_per_ms();
    rt_bytecodes((uint64_t)(j->compute1_ms * per_ms));
    if (j->sleep_ms > 0)
        rt_sleep_us((long)(j->sleep_ms * 1000));
    rt_bytecodes((uint64_t)(j->compute2_ms * per_ms));
}

/* One lane per thread, from its GIL events: a take starts a run, a drop
 * ends it; a request starts a wait for the GIL; between a drop that was
 * not forced and the thread's next request, the thread was parked (it
 * let go of the GIL to block). */
static void draw_lane(exkit_svg *s, const exkit_trace *tr, int tid, uint64_t t1)
{
    int y = exkit_svg_lane(s, tr->names[tid]);
    uint64_t run = 0, wait = 0, parked = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const rt_event *e = &tr->events[i];
        if (e->tid != tid)
            continue;
        if (e->kind == RT_EV_GIL_REQUEST) {
            if (parked)
                exkit_svg_span(s, y, parked, e->t_ns, EXKIT_SVG_PARKED);
            parked = 0;
            wait = e->t_ns;
        } else if (e->kind == RT_EV_GIL_TAKE) {
            if (wait)
                exkit_svg_span(s, y, wait, e->t_ns, EXKIT_SVG_GIL);
            wait = 0;
            run = e->t_ns;
        } else if (e->kind == RT_EV_GIL_DROP) {
            if (run)
                exkit_svg_span(s, y, run, e->t_ns, EXKIT_SVG_RUN);
            run = 0;
            parked =
                e->arg ? 0 : e->t_ns; /* forced: it goes straight back to waiting */
        } else if (e->kind == RT_EV_THREAD_EXIT) {
            parked = 0; /* its last drop is its exit */
        }
    }
    if (run)
        exkit_svg_span(s, y, run, t1, EXKIT_SVG_RUN);
}

/* Runs the three threads with tracing on and keeps the trace; *t0 and *t1
 * bracket the threads' lives. */
static void run_traced(exkit_trace *tr, uint64_t *t0, uint64_t *t1)
{
    static const job jobs[3] = {{40, 0, 0}, {0, 40, 0}, {15, 30, 15}};
    static const char *const names[3] = {"computes", "waits", "both"};
    rt_config cfg;
    rt_config_default(&cfg); /* cpython policy, 5 ms switch interval */
    cfg.trace_events = 1 << 14;
    exkit_runtime_start(&cfg, 0);
    rt_bytecodes_per_ms(); /* calibrate before the picture starts */
    rt_thread *t[3];
    *t0 = rt_now_ns();
    for (int i = 0; i < 3; i++)
        if (!(t[i] = rt_thread_start_named(names[i], job_main, (void *)&jobs[i])))
            exkit_fail("rt_thread_start failed");
    for (int i = 0; i < 3; i++)
        rt_thread_join(t[i]);
    *t1 = rt_now_ns();
    exkit_trace_copy(tr);
    rt_fini();
}

int main(int argc, char **argv)
{
    if (argc != 2)
        exkit_fail("usage: timeline OUT.svg");
    exkit_trace tr;
    uint64_t t0, t1;
    run_traced(&tr, &t0, &t1);
    if (tr.dropped)
        exkit_fail("the trace lost %zu events: make the buffer bigger", tr.dropped);

    exkit_svg *s = exkit_svg_open(argv[1], 760);
    exkit_svg_panel(s, "Three threads under the GIL, started together", t0, t1);
    for (int tid = 1; tid <= 3; tid++)
        draw_lane(s, &tr, tid, t1);
    draw_lane(s, &tr, 0, t1);
    exkit_svg_legend(s, (const char *[4]){"runs (holds the GIL)", "waits for the GIL",
                                          "parked by the kernel", NULL});
    int rc =
        exkit_svg_close(s, "Three threads: the computing one alternates with the "
                           "others at the GIL, the waiting one is parked, using no "
                           "core, while the others compute.");
    exkit_trace_free(&tr);
    if (rc < 0) {
        fprintf(stderr, "timeline: could not write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
