/*
 * test_gil.c - the GIL's behaviour under each policy, judged from the
 * runtime's counters and trace, never from wall-clock bounds.
 */
#include "rt_test_util.h"

#include <pthread.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

/* State shared by the CPU-bound workers below.  `inside` detects two
 * threads between checkpoints at once; `counter` is a plain long that only
 * the GIL protects (ThreadSanitizer reports a race if it does not). */
typedef struct {
    atomic_int inside;
    atomic_int overlaps;
    long counter;
    int iterations;
} excl_state;

static void excl_worker(void *p)
{
    excl_state *s = p;
    for (int i = 0; i < s->iterations; i++) {
        /* No checkpoint in this region, so no GIL hand-over inside it: if two
         * threads are ever here at once, the GIL failed to exclude. */
        if (atomic_fetch_add(&s->inside, 1) != 0)
            atomic_fetch_add(&s->overlaps, 1);
        s->counter++;
        for (volatile int k = 0; k < 50; k++) {
        }
        atomic_fetch_sub(&s->inside, 1);
        rt_bytecodes(256); /* checkpoints: here the GIL may change hands */
    }
}

static void run_exclusion(rt_gil_policy policy, long interval_us)
{
    tu_init(policy, interval_us, 0);
    excl_state s = {.iterations = 3000};
    rt_thread *t[4];
    for (int i = 0; i < 4; i++)
        CHECK((t[i] = rt_thread_start(excl_worker, &s)) != NULL);
    for (int i = 0; i < 4; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECKF(s.counter == 4L * s.iterations, "counter %ld", s.counter);
    CHECKF(atomic_load(&s.overlaps) == 0, "%d overlaps", atomic_load(&s.overlaps));
    CHECKF(st.max_running == 1, "max_running %d", st.max_running);
    CHECK(st.bytecodes_unheld == 0);
    CHECK(st.threads_started == 4);
    CHECKF(st.switches >= 4, "switches %llu", (unsigned long long)st.switches);
    rt_fini();
}

CASE(mutual_exclusion_cpython)
{
    run_exclusion(RT_GIL_CPYTHON, 200);
}

CASE(mutual_exclusion_ticks)
{
    run_exclusion(RT_GIL_TICKS, 0);
}

/* A minimal GIL of one's own through the slot exercise 04 uses: a flag, a
 * mutex, a condition variable, and a drop request after one interval. */
typedef struct {
    pthread_mutex_t m;
    pthread_cond_t c;
    int locked;
} mini_gil;
static void *mini_create(long us)
{
    (void)us;
    mini_gil *g = calloc(1, sizeof *g);
    pthread_mutex_init(&g->m, NULL);
    pthread_cond_init(&g->c, NULL);
    return g;
}
static void mini_destroy(void *self)
{
    mini_gil *g = self;
    pthread_mutex_destroy(&g->m);
    pthread_cond_destroy(&g->c);
    free(g);
}
static void mini_take(void *self, rt_tstate *ts)
{
    mini_gil *g = self;
    (void)ts;
    pthread_mutex_lock(&g->m);
    while (g->locked) {
        struct timespec d;
        clock_gettime(CLOCK_REALTIME, &d);
        d.tv_nsec += rt_gil_interval_us() * 1000;
        d.tv_sec += d.tv_nsec / 1000000000;
        d.tv_nsec %= 1000000000;
        if (pthread_cond_timedwait(&g->c, &g->m, &d) == ETIMEDOUT && g->locked)
            rt_gil_request_drop();
    }
    g->locked = 1;
    rt_gil_clear_drop();
    pthread_mutex_unlock(&g->m);
}
static void mini_drop(void *self, rt_tstate *ts, int forced)
{
    mini_gil *g = self;
    (void)ts;
    (void)forced;
    pthread_mutex_lock(&g->m);
    g->locked = 0;
    pthread_cond_signal(&g->c);
    pthread_mutex_unlock(&g->m);
}
static int mini_breaker(void *self, rt_tstate *ts)
{
    (void)self;
    (void)ts;
    return rt_gil_drop_requested();
}
static const rt_gil_ops mini_ops = {"mini",    mini_create, mini_destroy,
                                    mini_take, mini_drop,   mini_breaker};

CASE(custom_gil_slot)
{
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = RT_GIL_CUSTOM;
    cfg.custom_gil = &mini_ops;
    cfg.switch_interval_us = 200;
    CHECK(rt_init(&cfg) == 0);
    CHECK(rt_policy() == RT_GIL_CUSTOM);
    excl_state s = {.iterations = 2000};
    rt_thread *a = rt_thread_start(excl_worker, &s),
              *b = rt_thread_start(excl_worker, &s);
    CHECK(a && b);
    CHECK(rt_thread_join(a) == 0 && rt_thread_join(b) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECK(s.counter == 2L * s.iterations);
    CHECK(atomic_load(&s.overlaps) == 0);
    CHECK(st.max_running == 1);
    CHECK(st.takes > 2);
    rt_fini();
}

CASE(custom_gil_incomplete_is_rejected)
{
    rt_gil_ops broken = mini_ops;
    broken.breaker = NULL;
    rt_config cfg;
    rt_config_default(&cfg);
    cfg.policy = RT_GIL_CUSTOM;
    cfg.custom_gil = &broken;
    CHECK(rt_init(&cfg) == -EINVAL);
    cfg.custom_gil = NULL;
    CHECK(rt_init(&cfg) == -EINVAL);
}

/* ---------------------------------------------------------------- fairness */

typedef struct {
    atomic_int stop;
    long progress[4];
} fair_state;
typedef struct {
    fair_state *s;
    int idx;
} fair_arg;

static void fair_worker(void *p)
{
    fair_arg *a = p;
    while (!atomic_load(&a->s->stop)) {
        rt_bytecodes(512);
        a->s->progress[a->idx]++;
    }
}

CASE(fairness_every_cpu_thread_progresses)
{
    tu_init(RT_GIL_CPYTHON, 1000, 0);
    fair_state s = {0};
    fair_arg args[4];
    rt_thread *t[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (fair_arg){&s, i};
        CHECK((t[i] = rt_thread_start(fair_worker, &args[i])) != NULL);
    }
    /* Wait until the GIL has changed hands often enough for every thread to
     * have had turns; the main thread sleeps (releasing the GIL) meanwhile. */
    rt_stats st;
    do {
        rt_sleep_us(20000);
        rt_stats_get(&st);
    } while (st.switches < 40);
    atomic_store(&s.stop, 1);
    for (int i = 0; i < 4; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    for (int i = 0; i < 4; i++)
        CHECKF(s.progress[i] > 0, "thread %d made no progress", i);
    rt_fini();
}

/* ---------------------------------------------------------------- interval */

static void spin_worker(void *p)
{
    uint64_t n = *(uint64_t *)p;
    rt_bytecodes(n);
}

/* Two CPU-bound threads: each holds the GIL for about one interval at a
 * time.  A hold can be longer on a busy machine (the waiter wakes late),
 * never much shorter: a drop is only requested after a full interval of
 * waiting.  So the check is one-sided plus a loose upper bound. */
CASE(switch_interval_honoured)
{
    const long interval = 2000;
    tu_init(RT_GIL_CPYTHON, interval, 0);
    uint64_t n = (uint64_t)(rt_bytecodes_per_ms() * 60); /* ~60 ms each */
    rt_stats_reset();
    rt_thread *a = rt_thread_start(spin_worker, &n),
              *b = rt_thread_start(spin_worker, &n);
    CHECK(a && b);
    CHECK(rt_thread_join(a) == 0 && rt_thread_join(b) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECKF(st.forced_drops >= 5, "forced_drops %llu",
           (unsigned long long)st.forced_drops);
    CHECK(st.drop_requests >= st.forced_drops / 2);
    /* Holds that ended in a forced drop dominate; their median >= interval. */
    uint64_t p50 = rt_hist_quantile(&st.hold, 0.5);
    CHECKF(p50 >= (uint64_t)interval * 1000 * 8 / 10, "median hold %llu ns",
           (unsigned long long)p50);
    CHECKF(p50 <= (uint64_t)interval * 1000 * 50, "median hold %llu ns",
           (unsigned long long)p50);
    rt_fini();
}

CASE(switch_interval_setter)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    CHECK(rt_switch_interval_us() == 5000);
    CHECK(rt_set_switch_interval_us(0) == -EINVAL);
    CHECK(rt_set_switch_interval_us(700) == 0);
    CHECK(rt_switch_interval_us() == 700 && rt_gil_interval_us() == 700);
    rt_fini();
}

/* FORCE_SWITCHING: after a forced drop, the next thread to take the GIL is
 * never the one that dropped it.  Checked on every forced drop in the
 * trace. */
CASE(forced_switch_hands_over)
{
    tu_init(RT_GIL_CPYTHON, 500, 1 << 16);
    uint64_t n = (uint64_t)(rt_bytecodes_per_ms() * 30);
    rt_thread *a = rt_thread_start(spin_worker, &n),
              *b = rt_thread_start(spin_worker, &n);
    CHECK(a && b);
    CHECK(rt_thread_join(a) == 0 && rt_thread_join(b) == 0);
    size_t count, dropped;
    const rt_event *ev = rt_trace_events(&count, &dropped);
    int forced = 0;
    for (size_t i = 0; i < count; i++) {
        if (ev[i].kind != RT_EV_GIL_DROP || !ev[i].arg)
            continue;
        for (size_t j = i + 1; j < count; j++) {
            if (ev[j].kind == RT_EV_GIL_TAKE) {
                CHECKF(ev[j].tid != ev[i].tid, "thread %d won the GIL back", ev[i].tid);
                forced++;
                break;
            }
        }
    }
    CHECKF(forced >= 3, "only %d forced drops traced", forced);
    rt_fini();
}

/* ---------------------------------------------------------------- stress */

static void churn_worker(void *p)
{
    (void)p;
    for (int i = 0; i < 300; i++) {
        rt_bytecodes(64);
        if (i % 3 == 0)
            rt_sleep_us(0);
        RT_BEGIN_ALLOW_THREADS
        sched_yield();
        RT_END_ALLOW_THREADS
    }
}

/* Many threads taking and dropping the GIL through every path, with a tiny
 * interval: a lost wake-up would hang, and the case's time limit would
 * catch it. */
static void run_churn(rt_gil_policy policy)
{
    tu_init(policy, 50, 0);
    enum { N = 16 };
    rt_thread *t[N];
    for (int i = 0; i < N; i++)
        CHECK((t[i] = rt_thread_start(churn_worker, NULL)) != NULL);
    for (int i = 0; i < N; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECK(st.threads_started == N);
    CHECK(st.blocking_calls >= N * 300);
    if (policy != RT_GIL_NONE)
        CHECK(st.max_running == 1);
    rt_fini();
}

CASE(no_lost_wakeups_cpython)
{
    run_churn(RT_GIL_CPYTHON);
}

CASE(no_lost_wakeups_ticks)
{
    run_churn(RT_GIL_TICKS);
}

/* ---------------------------------------------------------------- none */

typedef struct {
    atomic_int arrived;
} meet_state;

/* Each thread waits, running "Python code", until both are inside at once.
 * Under any GIL this would never end; without one it must. */
static void meet_worker(void *p)
{
    meet_state *s = p;
    atomic_fetch_add(&s->arrived, 1);
    while (atomic_load(&s->arrived) < 2)
        rt_bytecodes(8);
}

CASE(policy_none_runs_in_parallel)
{
    tu_init(RT_GIL_NONE, 0, 0);
    meet_state s = {0};
    rt_thread *a = rt_thread_start(meet_worker, &s),
              *b = rt_thread_start(meet_worker, &s);
    CHECK(a && b);
    CHECK(rt_thread_join(a) == 0 && rt_thread_join(b) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECKF(st.max_running >= 2, "max_running %d", st.max_running);
    CHECK(st.forced_drops == 0 && st.drop_requests == 0);
    rt_fini();
}

CASE(policy_from_environment)
{
    setenv("RT_GIL", "none", 1);
    setenv("RT_SWITCH_INTERVAL_US", "1234", 1);
    CHECK(rt_init(NULL) == 0);
    CHECK(rt_policy() == RT_GIL_NONE);
    CHECK(rt_switch_interval_us() == 1234);
    CHECK(rt_init(NULL) == -EALREADY);
    rt_fini();
    setenv("RT_GIL", "ticks", 1);
    CHECK(rt_init(NULL) == 0);
    CHECK(rt_policy() == RT_GIL_TICKS);
    rt_fini();
    rt_gil_policy p;
    CHECK(rt_policy_parse("cpython", &p) == 0 && p == RT_GIL_CPYTHON);
    CHECK(rt_policy_parse("bogus", &p) == -EINVAL);
}

/* ---------------------------------------------------------------- hist */

CASE(histogram_quantiles)
{
    rt_hist h;
    memset(&h, 0, sizeof h);
    for (uint64_t v = 1; v <= 100000; v++)
        rt_hist_add(&h, v * 100);
    CHECK(h.count == 100000 && h.min_ns == 100 && h.max_ns == 10000000);
    double p50 = (double)rt_hist_quantile(&h, 0.5),
           p90 = (double)rt_hist_quantile(&h, 0.9);
    CHECKF(p50 > 5e6 * 0.91 && p50 < 5e6 * 1.09, "p50 %.0f", p50);
    CHECKF(p90 > 9e6 * 0.91 && p90 < 9e6 * 1.09, "p90 %.0f", p90);
    CHECK(rt_hist_quantile(&h, 0) == 100 && rt_hist_quantile(&h, 1) == 10000000);
    rt_hist empty;
    memset(&empty, 0, sizeof empty);
    CHECK(rt_hist_quantile(&empty, 0.5) == 0);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(mutual_exclusion_cpython, mutual_exclusion_ticks,
                            custom_gil_slot, custom_gil_incomplete_is_rejected,
                            fairness_every_cpu_thread_progresses,
                            switch_interval_honoured, switch_interval_setter,
                            forced_switch_hands_over, no_lost_wakeups_cpython,
                            no_lost_wakeups_ticks, policy_none_runs_in_parallel,
                            policy_from_environment, histogram_quantiles));
}
