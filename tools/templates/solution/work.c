/* BEGIN SOLUTION */
/*
 * work.c - exercise @NN@, reference solution.  Also the starter's single
 * source: `grader starter @NN@ --write` makes exercises/@NN@/work.c of it.
 */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
/*
 * work.c - exercise @NN@: replace each TODO (the contract is in ex@NN@.h).
 */
#endif /* END STARTER */
#include "ex@NN@.h"

#include "rt.h"

uint64_t ex@NN@_work(uint64_t units)
{
    /* BEGIN SOLUTION */
    return rt_bytecodes(units);
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO: run `units` units of work with rt_bytecodes() and return what it
     * returned. */
    (void)units;
    return 0;
#endif /* END STARTER */
}
