/*
 * test_gil_checks.c - the behavioural checks of gil_checks.h (part of the
 * exercise kit, exercises/common/), run against the runtime's own GILs,
 * and through the custom slot against CPython's algorithm written the way
 * exercise 04 asks for it (so the checks are known to work on a GIL behind
 * rt_gil_ops, as they will on the learner's).  Exercise 04's mutants show
 * that each check fails on the mistake it names.
 */
#include "check.h"
#include "../../exercises/common/gil_checks.h"

#include <pthread.h>

/* ---------------------------------------------------------------- slot GIL */

/* CPython 3.11's take_gil/drop_gil behind rt_gil_ops: a `locked` flag
 * under a mutex, a timed wait of one interval, a drop request after a
 * whole interval with no hand-over (switch_number read before the wait),
 * and FORCE_SWITCHING with CPython's single `if`. */
typedef struct {
    pthread_mutex_t mutex, switch_mutex;
    pthread_cond_t cond, switch_cond;
    int locked;                  /* under mutex */
    unsigned long switch_number; /* under mutex */
    rt_tstate *last_holder;      /* under switch_mutex */
} slot_gil;

static void *slot_create(long us)
{
    (void)us; /* rt_gil_interval_us() is read at every wait */
    slot_gil *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&g->switch_cond, NULL);
    pthread_mutex_init(&g->mutex, NULL);
    pthread_mutex_init(&g->switch_mutex, NULL);
    return g;
}

static void slot_destroy(void *self)
{
    slot_gil *g = self;
    pthread_cond_destroy(&g->cond);
    pthread_cond_destroy(&g->switch_cond);
    pthread_mutex_destroy(&g->mutex);
    pthread_mutex_destroy(&g->switch_mutex);
    free(g);
}

static void slot_take(void *self, rt_tstate *ts)
{
    slot_gil *g = self;
    pthread_mutex_lock(&g->mutex);
    while (g->locked) {
        unsigned long saved = g->switch_number;
        uint64_t end = rt_now_ns() + (uint64_t)rt_gil_interval_us() * 1000;
        struct timespec d = {(time_t)(end / 1000000000), (long)(end % 1000000000)};
        int err = pthread_cond_timedwait(&g->cond, &g->mutex, &d);
        if (err == ETIMEDOUT && g->locked && g->switch_number == saved)
            rt_gil_request_drop();
    }
    pthread_mutex_lock(&g->switch_mutex);
    g->locked = 1;
    if (g->last_holder != ts) {
        g->last_holder = ts;
        g->switch_number++;
    }
    pthread_cond_signal(&g->switch_cond);
    pthread_mutex_unlock(&g->switch_mutex);
    if (rt_gil_drop_requested())
        rt_gil_clear_drop();
    pthread_mutex_unlock(&g->mutex);
}

static void slot_drop(void *self, rt_tstate *ts, int forced)
{
    slot_gil *g = self;
    (void)forced;
    pthread_mutex_lock(&g->mutex);
    g->locked = 0;
    pthread_cond_signal(&g->cond);
    pthread_mutex_unlock(&g->mutex);
    if (rt_gil_drop_requested()) {
        pthread_mutex_lock(&g->switch_mutex);
        if (g->last_holder == ts) {
            rt_gil_clear_drop();
            pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        }
        pthread_mutex_unlock(&g->switch_mutex);
    }
}

static int slot_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
    return rt_gil_drop_requested();
}

static const rt_gil_ops slot_ops = {"slot",    slot_create, slot_destroy,
                                    slot_take, slot_drop,   slot_breaker};

/* ---------------------------------------------------------------- cases */

/* One case: `check` on the GIL `policy` (`ops` for the slot) at `us`. */
#define GIL_CASE(name, check, policy, ops, us)                                         \
    CASE(name)                                                                         \
    {                                                                                  \
        rt_config cfg = gil_checks_config(policy, ops, us);                            \
        check(&cfg);                                                                   \
    }

/* Four waiters: three time out just after the hand-over, so a waiter that
 * reads switch_number after its wait asks at once.  100 ms: well above a
 * busy machine's scheduling delay (see the check). */
static void drop_spacing_4(const rt_config *cfg)
{
    gil_check_drop_spacing(cfg, 4);
}

/* Four threads at 1 ms, about 50 ms of work each. */
static void exclusion_4(const rt_config *cfg)
{
    gil_check_exclusion(cfg, 4, 50);
}

GIL_CASE(exclusion_cpython, exclusion_4, RT_GIL_CPYTHON, NULL, 1000)
GIL_CASE(exclusion_ticks, exclusion_4, RT_GIL_TICKS, NULL, 0)
GIL_CASE(exclusion_slot, exclusion_4, RT_GIL_CUSTOM, &slot_ops, 1000)
GIL_CASE(drop_spacing_cpython, drop_spacing_4, RT_GIL_CPYTHON, NULL, 100000)
GIL_CASE(drop_spacing_slot, drop_spacing_4, RT_GIL_CUSTOM, &slot_ops, 100000)
GIL_CASE(wakeup_on_release_cpython, gil_check_wakeup_on_release, RT_GIL_CPYTHON, NULL,
         0)
GIL_CASE(wakeup_on_release_ticks, gil_check_wakeup_on_release, RT_GIL_TICKS, NULL, 0)
GIL_CASE(wakeup_on_release_slot, gil_check_wakeup_on_release, RT_GIL_CUSTOM, &slot_ops,
         0)
GIL_CASE(interleaving_cpython, gil_check_interleaving, RT_GIL_CPYTHON, NULL, 2000)
GIL_CASE(interleaving_ticks, gil_check_interleaving, RT_GIL_TICKS, NULL, 0)
GIL_CASE(interleaving_slot, gil_check_interleaving, RT_GIL_CUSTOM, &slot_ops, 2000)
GIL_CASE(hold_scales_with_interval_cpython, gil_check_hold_scales, RT_GIL_CPYTHON, NULL,
         0)
GIL_CASE(hold_scales_with_interval_slot, gil_check_hold_scales, RT_GIL_CUSTOM,
         &slot_ops, 0)
GIL_CASE(forced_handover_cpython, gil_check_forced_handover, RT_GIL_CPYTHON, NULL, 2000)
GIL_CASE(forced_handover_slot, gil_check_forced_handover, RT_GIL_CUSTOM, &slot_ops,
         2000)
GIL_CASE(waiters_sleep_cpython, gil_check_waiters_sleep, RT_GIL_CPYTHON, NULL, 20000)
GIL_CASE(waiters_sleep_ticks, gil_check_waiters_sleep, RT_GIL_TICKS, NULL, 0)
GIL_CASE(waiters_sleep_slot, gil_check_waiters_sleep, RT_GIL_CUSTOM, &slot_ops, 20000)
GIL_CASE(fairness_cpython, gil_check_fairness, RT_GIL_CPYTHON, NULL, 2000)
GIL_CASE(fairness_slot, gil_check_fairness, RT_GIL_CUSTOM, &slot_ops, 2000)

int main(int argc, char **argv)
{
    return check_main(
        argc, argv,
        CASES(exclusion_cpython, exclusion_ticks, exclusion_slot, drop_spacing_cpython,
              drop_spacing_slot, wakeup_on_release_cpython, wakeup_on_release_ticks,
              wakeup_on_release_slot, interleaving_cpython, interleaving_ticks,
              interleaving_slot, hold_scales_with_interval_cpython,
              hold_scales_with_interval_slot, forced_handover_cpython,
              forced_handover_slot, waiters_sleep_cpython, waiters_sleep_ticks,
              waiters_sleep_slot, fairness_cpython, fairness_slot));
}
