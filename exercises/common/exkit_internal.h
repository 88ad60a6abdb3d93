/*
 * exkit_internal.h - what the kit's own files share; not for drivers.
 */
#ifndef EXKIT_INTERNAL_H
#define EXKIT_INTERNAL_H

#include "exkit.h"

/* The inside of a JSON object under construction ("a": 1, "b": 2). */
typedef struct exkit_buf {
    char text[2048];
    size_t len;
} exkit_buf;

struct exkit_measure {
    int restarts; /* exkit_measure_start calls: the kit's, then the workload's */
    int stopped;
    uint64_t wall0, cpu0;         /* clocks at the (last) start */
    uint64_t wall_ns, cpu_ns;     /* what stop measured */
    rt_stats stats;               /* counters at stop */
    exkit_buf result, loop, pool; /* the measure line's objects */
};

void exkit__buf_add(exkit_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void exkit__buf_key(exkit_buf *b, const char *key);

#endif /* EXKIT_INTERNAL_H */
