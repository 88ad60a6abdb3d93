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
#include "figure.h"

static uint64_t S_work[2];

static void cpu_job(void *arg)
{
    uint64_t *units = arg;
    *units = rt_bytecodes(*units);
}

/* 30 ms of work each: about six turns apiece at 5 ms. */
static void setup(double per_ms)
{
    S_work[0] = S_work[1] = (uint64_t)(30 * per_ms);
}

int main(int argc, char **argv)
{
    const fig_thread th[2] = {{"thread A", cpu_job, &S_work[0]},
                              {"thread B", cpu_job, &S_work[1]}};
    return figure_main(argc, argv, setup, th);
}
