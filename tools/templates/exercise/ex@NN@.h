/*
 * ex@NN@.h - exercise @NN@'s interface: what work.c provides to the driver.
 * Provided; do not edit.
 */
#ifndef EX@NN@_H
#define EX@NN@_H

#include <stdint.h>

/* Runs `units` units of interpreter work with rt_bytecodes() on the calling
 * thread, which holds the GIL, and returns what rt_bytecodes() returned. */
uint64_t ex@NN@_work(uint64_t units);

#endif /* EX@NN@_H */
