/*
 * longcall.c - draws chapter 3's second figure: one long native call.
 *
 *   make figure-3                      (writes chapters/03/longcall.svg)
 *   build/demos/03/longcall OUT.svg
 *
 * Two threads under the cpython policy with tracing on.  The ticker runs
 * Python code (rt_bytecodes) in small steps until told to stop.  The caller
 * runs 20 ms of Python code, then one 30 ms native call (native_call.h: no
 * checkpoint, GIL held), then 10 ms of Python code again.  The trace shows
 * the two taking turns every switch interval, except during the native
 * call, when the ticker waits for the whole length of the call.
 */
#include <stdatomic.h>

#include "figure.h"
#include "native_call.h"

static atomic_int S_stop;
static double S_per_ms;

static void setup(double per_ms)
{
    S_per_ms = per_ms;
}

static void ticker(void *arg)
{
    (void)arg;
    uint64_t units = (uint64_t)(0.05 * S_per_ms), sink = 0; /* 50 us a step */
    while (!atomic_load(&S_stop))
        sink += rt_bytecodes(units);
    if (sink == 42) /* keep the work observable */
        atomic_store(&S_stop, 2);
}

static void caller(void *arg)
{
    (void)arg;
    uint64_t sink = rt_bytecodes((uint64_t)(20 * S_per_ms));
    sink += native_call((uint64_t)(30 * S_per_ms));
    rt_checkpoint(); /* as CPython checks after a call returns */
    sink += rt_bytecodes((uint64_t)(10 * S_per_ms));
    atomic_store(&S_stop, sink == 42 ? 2 : 1);
}

int main(int argc, char **argv)
{
    const fig_thread th[2] = {{"ticker", ticker, NULL}, {"caller", caller, NULL}};
    return figure_main(argc, argv, setup, th);
}
