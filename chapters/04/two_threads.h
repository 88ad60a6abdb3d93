/*
 * two_threads.h - chapter 4's experiment, shared by the demo (demo.c) and
 * the figure program (thrash.c): CPU-bound work on the main thread alone,
 * or split over two threads, under a GIL policy and switch interval; and
 * what the trace says about it.  The threads run wherever the kernel puts
 * them, as CPython's do: on an idle 2-core machine, one on each core.
 *
 * Locking rule: tt_run is for the program's main thread, with no runtime
 * running (it starts and stops one); the trace readers want the runtime
 * started and the workers joined.
 */
#ifndef CH04_TWO_THREADS_H
#define CH04_TWO_THREADS_H

#include <stdlib.h>
#include <string.h>

#include "exkit.h"
#include "rt.h"

/* One worker's share of the work, and what it computed. */
typedef struct tt_worker {
    uint64_t units, result;
} tt_worker;

// [worker]
/* A CPU-bound thread, as `def count(n): while n > 0: n -= 1` is in Python:
 * pure computation, with a checkpoint every few units of work, where the
 * holder answers a drop request (or, under the ticks policy, counts down
 * its 100 ticks). */
static void tt_worker_main(void *arg)
{
    tt_worker *w = arg;
    w->result = rt_bytecodes(w->units);
}
// [end]

/* Runs `units` of work on the main thread (threads == 0) or split over
 * `threads` (1..2) runtime threads, and joins them.  Call holding the GIL. */
static inline void tt_work(int threads, uint64_t units)
{
    if (threads == 0) {
        rt_bytecodes(units);
        return;
    }
    tt_worker w[2];
    rt_thread *t[2];
    for (int i = 0; i < threads; i++) {
        w[i] = (tt_worker){.units = units / (uint64_t)threads};
        if (!(t[i] = rt_thread_start(tt_worker_main, &w[i])))
            exkit_fail("rt_thread_start failed");
    }
    for (int i = 0; i < threads; i++)
        rt_thread_join(t[i]);
}

/* What the trace of a run says (tt_trace_read).  All fields public. */
typedef struct tt_trace {
    rt_hist turns;        /* how long one thread kept running before another
                             took the GIL: consecutive holds by one thread */
    rt_hist forced_holds; /* holds that ended in a forced drop */
    uint64_t forced;      /* forced drops */
    uint64_t retakes;     /* ... after which the dropper took the GIL again,
                             before any other thread */
    int complete;         /* the trace buffer held every event */
} tt_trace;

/* Reads the trace of the workers `a` and `b` (trace lanes), from their
 * first take to the first exit of either.  Call with the workers joined. */
static inline void tt_trace_read(int a, int b, tt_trace *out)
{
    size_t n, dropped;
    const rt_event *ev = rt_trace_events(&n, &dropped);
    memset(out, 0, sizeof *out);
    out->complete = dropped == 0;
    int holder = -1, dropper = -1;
    uint64_t turn_start = 0, took[2] = {0, 0}, last_drop = 0;
    for (size_t i = 0; i < n; i++) {
        int who = ev[i].tid == a ? 0 : ev[i].tid == b ? 1 : -1;
        if (ev[i].kind == RT_EV_THREAD_EXIT && who >= 0)
            break; /* one is done: no more turns to take */
        if (ev[i].kind == RT_EV_GIL_TAKE) {
            if (dropper >= 0)
                out->retakes += (int)ev[i].tid == dropper;
            dropper = -1;
            if (who < 0)
                continue;
            took[who] = ev[i].t_ns;
            if (holder != who) { /* the other thread's turn ends here */
                if (holder >= 0 && last_drop > turn_start)
                    rt_hist_add(&out->turns, last_drop - turn_start);
                holder = who;
                turn_start = ev[i].t_ns;
            }
        } else if (ev[i].kind == RT_EV_GIL_DROP && who >= 0) {
            last_drop = ev[i].t_ns;
            if (ev[i].arg) {
                out->forced++;
                dropper = ev[i].tid;
                if (took[who] && ev[i].t_ns >= took[who])
                    rt_hist_add(&out->forced_holds, ev[i].t_ns - took[who]);
            }
        }
    }
}

#endif /* CH04_TWO_THREADS_H */
