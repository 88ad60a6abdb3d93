/*
 * work.c - exercise @NN@: replace each TODO (the contract is in ex@NN@.h).
 */
#include "ex@NN@.h"

#include "rt.h"

uint64_t ex@NN@_work(uint64_t units)
{
    /* TODO: run `units` units of work with rt_bytecodes() and return what it
     * returned. */
    (void)units;
    return 0;
}
