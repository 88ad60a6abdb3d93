/*
 * demo.c - chapter 4's demo (written by make new-exercise; replace it).
 *
 *   make demo-4                          the table for a human (`demo show`)
 *   build/demos/04/demo measure work U   one measure line (claims.yaml reads it)
 */
#include <stdio.h>

#include "exkit.h"
#include "rt.h"

// [work]
/* U units of interpreter work on the main thread, holding the GIL. */
static void load_work(exkit_measure *m, int nargs, char **args)
{
    uint64_t units = (uint64_t)exkit_arg_long(nargs, args, 0, 1, 1L << 40, "U");
    uint64_t result = rt_bytecodes(units);
    exkit_result_uint(m, "units", units);
    exkit_result_uint(m, "result", result);
}
// [end]

static int show(int nargs, char **args)
{
    (void)nargs, (void)args;
    rt_init(NULL);
    rt_stats_reset();
    uint64_t t0 = rt_now_ns();
    rt_bytecodes(1000000);
    double ms = (double)(rt_now_ns() - t0) / 1e6;
    rt_stats st;
    rt_stats_get(&st);
    rt_fini();
    printf("  1,000,000 units of work: %.2f ms, %llu units counted\n", ms,
           (unsigned long long)st.bytecodes);
    return 0;
}

static const exkit_workload S_workloads[] = {{"work", "U", load_work, 0}};
static const exkit_driver S_demo = {
    .tag = "demo-4", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
