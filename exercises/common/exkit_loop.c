/*
 * exkit_loop.c - the event loop's counters in the measure line ("loop").
 * A file of its own so a driver that never uses the loop links none of it.
 */
#include "exkit_internal.h"
#include "rt_loop.h"

void exkit_report_loop(exkit_measure *m, const struct rt_loop_stats *s)
{
    exkit_buf *b = &m->loop;
    if (b->len)
        exkit_fail("driver bug: exkit_report_loop called twice");
#define U(f)                                                                           \
    exkit__buf_key(b, #f);                                                             \
    exkit__buf_add(b, "%llu", (unsigned long long)s->f)
    U(iterations);
    U(polls);
    U(polls_blocking);
    U(callbacks);
    U(switches);
    U(tasks_created);
    U(tasks_done);
    U(timers_fired);
    U(timers_cancelled);
    U(threadsafe_calls);
    U(max_waiting);
    U(max_fds_waiting);
    U(max_timers);
#undef U
}
