/*
 * driver.c - exercise @NN@'s driver, on the exercise kit (exercises/common/exkit.h).
 * Provided; do not edit.
 */
#include "ex@NN@.h"
#include "exkit.h"
#include "rt.h"

/* What ex@NN@_work must return for `units`: the same work, done here. */
static uint64_t expected(uint64_t units)
{
    return rt_bytecodes(units);
}

static void check_work(uint64_t units)
{
    uint64_t want = expected(units);
    rt_stats_reset();
    uint64_t got = ex@NN@_work(units);
    rt_stats st;
    rt_stats_get(&st);
    if (st.bytecodes == 0 && units > 0)
        exkit_fail("ex@NN@_work ran no work: it is still the starter's TODO");
    if (st.bytecodes != units)
        exkit_fail("ex@NN@_work(%llu) ran %llu units of work", (unsigned long long)units,
                   (unsigned long long)st.bytecodes);
    if (got != want)
        exkit_fail("ex@NN@_work(%llu) returned %llu, not what rt_bytecodes returned "
                   "(%llu): a TODO is left",
                   (unsigned long long)units, (unsigned long long)got,
                   (unsigned long long)want);
}

static void case_work(void)
{
    check_work(100000);
}

static void case_zero(void)
{
    check_work(0);
}

static void load_work(exkit_measure *m, int nargs, char **args)
{
    uint64_t units = (uint64_t)exkit_arg_long(nargs, args, 0, 1, 1L << 40, "U");
    exkit_result_uint(m, "result", ex@NN@_work(units));
}

static const exkit_case S_cases[] = {{"work", case_work, 0}, {"zero", case_zero, 0}};
static const exkit_workload S_workloads[] = {{"work", "U", load_work, 0}};
static const exkit_driver S_driver = {
    .tag = "ex@NN@", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
