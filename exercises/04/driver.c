/*
 * driver.c - exercise 04's driver: your GIL, tested and measured.
 *
 * Provided; do not edit.  Built with your gil.c, the exercise kit
 * (exercises/common/exkit.h: main() and the grader's protocol) and the
 * runtime, it is the program the grader runs:
 *
 *   prog test <case>             runs one check of your GIL
 *   prog measure <workload> <N>  runs one workload once, prints its figures
 *
 * Every case and workload starts the runtime with your GIL in the custom
 * slot (RT_GIL_CUSTOM, the five functions of ex04.h), so the runtime's
 * counters and trace measure yours exactly as they measure CPython's.  Most
 * cases are the kit's GIL checks (exercises/common/gil_checks.h: read them
 * to see what is measured, and how); each prints its figures on stdout and,
 * when it fails, one line naming the likely mistake.
 *
 * Workloads: `serial N` runs N CPU-bound jobs one after another on the
 * main thread; `threads N` runs them on N threads, taking turns at your
 * GIL.  The grader compares the two (pattern `none`).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ex04.h"
#include "exkit.h"
#include "rt.h"

#define GC_FAIL(msg) exkit_fail("%s", msg)
#define GC_NOTES     stdout
#include "gil_checks.h"

/* One measured job: about 55 ms of "Python code" on a 2020s core.  Fixed,
 * not calibrated, so every run of a workload does the same work. */
#define MEASURE_UNITS 50000000u
#define MAX_JOBS      8

/* Your GIL, as the runtime sees it. */
static const rt_gil_ops S_yours = {
    .name = "yours",
    .create = ex04_create,
    .destroy = ex04_destroy,
    .take = ex04_take,
    .drop = ex04_drop,
    .breaker = ex04_breaker,
};

/* The configuration of a check: your GIL at `interval_us`. */
static rt_config S_config(long interval_us)
{
    return gil_checks_config(RT_GIL_CUSTOM, &S_yours, interval_us);
}

/* Every case starts here: a GIL that cannot even be created is the
 * starter's first TODO, and saying so beats any other message. */
static void S_ready(void)
{
    void *g = ex04_create(5000);
    if (!g)
        exkit_fail("ex04_create returned NULL: TODO 1 (create the GIL's state) is "
                   "still to do");
    ex04_destroy(g);
}

/* ------------------------------------------------------------------ */
/* The checks                                                          */
/* ------------------------------------------------------------------ */

/* One case: `check` on your GIL at `interval_us` (0: the check's own). */
#define GIL_CASE(name, interval_us, check)                                             \
    static void case_##name(void)                                                      \
    {                                                                                  \
        S_ready();                                                                     \
        rt_config cfg = S_config(interval_us);                                         \
        check;                                                                         \
    }

/* exclusion: four CPU-bound threads at a 1 ms interval never both hold it. */
GIL_CASE(exclusion, 1000, gil_check_exclusion(&cfg, 4, 50))
/* interleaving: two CPU-bound threads take turns. */
GIL_CASE(interleaving, 2000, gil_check_interleaving(&cfg))
/* handover: a forced drop hands the GIL to the waiter, and only when asked. */
GIL_CASE(handover, 2000, gil_check_forced_handover(&cfg))
/* hold: holds last an interval, at 2, 10 and 50 ms. */
GIL_CASE(hold, 0, gil_check_hold_scales(&cfg))
/* spacing: after a hand-over, no drop request for a whole interval, with
 * four threads waiting (100 ms: far above a busy machine's delays). */
GIL_CASE(spacing, 100000, gil_check_drop_spacing(&cfg, 4))
/* wakeup: a drop wakes a waiter at once (the check uses a 10 s interval). */
GIL_CASE(wakeup, 0, gil_check_wakeup_on_release(&cfg))
/* sleep: waiters sleep instead of spinning (20 ms interval). */
GIL_CASE(sleep, 20000, gil_check_waiters_sleep(&cfg))
/* fairness: two CPU-bound threads share the GIL about evenly. */
GIL_CASE(fairness, 2000, gil_check_fairness(&cfg))

/* ------------------------------------------------------------------ */
/* Stress: computing and blocking threads together                     */
/* ------------------------------------------------------------------ */

/* What the stress threads share.  `inside` and `violations` are relaxed
 * atomics (they count; they do not order: see gil_checks_turns.h). */
typedef struct stress {
    atomic_int inside, violations, done;
    uint64_t total; /* plain: read and written holding the GIL */
    uint64_t units; /* Python code per step */
    int iters;      /* steps per thread */
} stress;

/* One step that needs the GIL: a read-modify-write no other holder may
 * interleave with, then Python code with its checkpoints. */
static void stress_step(stress *s, uint64_t units)
{
    if (atomic_fetch_add_explicit(&s->inside, 1, memory_order_relaxed) != 0)
        atomic_fetch_add_explicit(&s->violations, 1, memory_order_relaxed);
    uint64_t seen = s->total;
    gc_native(500);
    s->total = seen + 1;
    atomic_fetch_sub_explicit(&s->inside, 1, memory_order_relaxed);
    rt_bytecodes(units);
}

static void stress_cpu(void *p)
{
    stress *s = p;
    for (int i = 0; i < s->iters; i++)
        stress_step(s, s->units);
    atomic_fetch_add(&s->done, 1);
}

/* Blocks (releasing the GIL) before each step: it comes back again and
 * again while the computing threads hold the GIL. */
static void stress_io(void *p)
{
    stress *s = p;
    for (int i = 0; i < s->iters; i++) {
        rt_sleep_us(100 + 50 * (i % 7));
        stress_step(s, s->units / 4);
    }
    atomic_fetch_add(&s->done, 1);
}

/* A plain pthread (not attached: it never needs the GIL) that fails the
 * program if `*done` has not reached `want` after `seconds`. */
typedef struct watchdog {
    pthread_t thread;
    atomic_int *done, stop;
    int want, seconds;
    const char *what;
} watchdog;

static void *watchdog_main(void *p)
{
    watchdog *w = p;
    for (int ms = 0; ms < w->seconds * 1000 && !atomic_load(&w->stop); ms += 10)
        usleep(10000);
    if (!atomic_load(&w->stop) && atomic_load(w->done) < w->want)
        exkit_fail("%s: after %d s only %d of %d threads had finished: a thread "
                   "waiting for the GIL was never woken (a drop that does not signal "
                   "the condition variable?) or threads wait for each other for ever "
                   "(a deadlock: take the two mutexes in the same order everywhere)",
                   w->what, w->seconds, atomic_load(w->done), w->want);
    return NULL;
}

static void watchdog_start(watchdog *w, atomic_int *done, int want, int seconds,
                           const char *what)
{
    *w = (watchdog){.done = done, .want = want, .seconds = seconds, .what = what};
    if (pthread_create(&w->thread, NULL, watchdog_main, w) != 0)
        exkit_fail("pthread_create failed");
}

static void watchdog_stop(watchdog *w)
{
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
}

/* stress: three computing and three blocking threads at a 500 us interval,
 * about 100 ms of work each: all finish, never two inside, no update lost.
 * Under ThreadSanitizer (the grader runs every case again under it) a
 * data race in your GIL shows up here first. */
static void case_stress(void)
{
    enum { CPU = 3, IO = 3 };
    S_ready();
    rt_config cfg = S_config(500);
    gc_start(&cfg, 0, 0);
    stress s = {.units = (uint64_t)(0.5 * rt_bytecodes_per_ms()), .iters = 200};
    watchdog w;
    watchdog_start(&w, &s.done, CPU + IO, 20, "stress");
    rt_thread *t[CPU + IO];
    for (int i = 0; i < CPU + IO; i++)
        t[i] = gc_thread(i < CPU ? stress_cpu : stress_io, &s);
    for (int i = 0; i < CPU + IO; i++)
        rt_thread_join(t[i]);
    watchdog_stop(&w);
    rt_stats st;
    rt_stats_get(&st);
    rt_fini();
    printf("# stress: %d threads, %llu switches, %llu drop requests, %d times two "
           "inside, total %llu\n",
           CPU + IO, (unsigned long long)st.switches,
           (unsigned long long)st.drop_requests, atomic_load(&s.violations),
           (unsigned long long)s.total);
    if (atomic_load(&s.violations) || st.max_running > 1)
        exkit_fail("stress: two threads held the GIL at once (%d times): your take "
                   "returned while another thread held it",
                   atomic_load(&s.violations));
    if (s.total != (uint64_t)(CPU + IO) * (uint64_t)s.iters)
        exkit_fail(
            "stress: %llu updates of a shared total were lost: two threads ran "
            "Python code at once",
            (unsigned long long)((uint64_t)(CPU + IO) * (uint64_t)s.iters - s.total));
}

/* BEGIN HIDDEN TESTS */
/* ------------------------------------------------------------------ */
/* Hidden cases (instructor edition)                                   */
/* ------------------------------------------------------------------ */

/* short: four threads at a 200 us interval; forced hand-over at 500 us. */
static void case_short(void)
{
    S_ready();
    rt_config cfg = S_config(200);
    gil_check_exclusion(&cfg, 4, 50);
    cfg = S_config(500);
    gil_check_forced_handover(&cfg);
}

/* Two threads pass a byte back and forth over two pipes: each blocks in
 * rt_read (dropping the GIL) until the other writes. */
typedef struct pingpong {
    int ab[2], ba[2];
    int trips;
    atomic_int done;
} pingpong;

static void ping(void *p)
{
    pingpong *q = p;
    char c = 'x';
    for (int i = 0; i < q->trips; i++)
        if (rt_write(q->ab[1], &c, 1) != 1 || rt_read(q->ba[0], &c, 1) != 1)
            exkit_fail("io: a pipe failed");
    atomic_fetch_add(&q->done, 1);
}

static void pong(void *p)
{
    pingpong *q = p;
    char c;
    for (int i = 0; i < q->trips; i++)
        if (rt_read(q->ab[0], &c, 1) != 1 || rt_write(q->ba[1], &c, 1) != 1)
            exkit_fail("io: a pipe failed");
    atomic_fetch_add(&q->done, 1);
}

/* A CPU-bound thread that runs until told to stop.  S_spinning: it has
 * begun, holding the GIL (a thread's function runs with it). */
static atomic_int S_spin_stop, S_spinning;
static void spinner(void *p)
{
    (void)p;
    atomic_store(&S_spinning, 1);
    while (!atomic_load(&S_spin_stop))
        rt_bytecodes(10000);
}

/* io: threads that block again and again.  First two of them ping-pong
 * 300 times at a 10 s interval, so only your drop's signal can wake the
 * one waiting for the GIL; then the same beside a CPU-bound thread at
 * 1 ms, where each return from a read must wait for the holder to be
 * asked, and be handed the GIL. */
static void case_io(void)
{
    S_ready();
    for (int round = 0; round < 2; round++) {
        rt_config cfg = S_config(round == 0 ? 10 * 1000 * 1000 : 1000);
        gc_start(&cfg, 0, 0);
        pingpong q = {.trips = round == 0 ? 300 : 50};
        if (pipe(q.ab) < 0 || pipe(q.ba) < 0)
            exkit_fail("io: pipe failed");
        watchdog w;
        watchdog_start(&w, &q.done, 2, round == 0 ? 5 : 15,
                       round == 0 ? "io (10 s interval)"
                                  : "io (beside a CPU-bound thread)");
        atomic_store(&S_spin_stop, 0);
        atomic_store(&S_spinning, 0);
        rt_thread *cpu = round == 1 ? gc_thread(spinner, NULL) : NULL;
        /* On a busy machine the spinner's OS thread may not run for a
         * while: the ping-pong could be over before it ever held the GIL,
         * and then no thread would have had to ask.  Wait for it, the GIL
         * let go meanwhile. */
        while (cpu && !atomic_load(&S_spinning))
            rt_sleep_us(1000);
        rt_thread *a = gc_thread(ping, &q), *b = gc_thread(pong, &q);
        rt_thread_join(a);
        rt_thread_join(b);
        atomic_store(&S_spin_stop, 1);
        if (cpu)
            rt_thread_join(cpu);
        watchdog_stop(&w);
        rt_stats st;
        rt_stats_get(&st);
        rt_fini();
        for (int i = 0; i < 2; i++)
            close(q.ab[i]), close(q.ba[i]);
        printf("# io round %d: %d round trips, %llu switches, %llu drop requests, "
               "longest wait for the GIL %.1f ms\n",
               round, q.trips, (unsigned long long)st.switches,
               (unsigned long long)st.drop_requests, (double)st.wait.max_ns / 1e6);
        if (st.max_running > 1)
            exkit_fail("io: two threads held the GIL at once");
        if (round == 1 && st.drop_requests == 0)
            exkit_fail("io: a thread back from a read never asked the CPU-bound "
                       "holder to let go, yet got the GIL: is the holder made to "
                       "wait?");
    }
}
/* END HIDDEN TESTS */

/* ------------------------------------------------------------------ */
/* Workloads: the pattern `none`                                       */
/* ------------------------------------------------------------------ */

static void cpu_job(void *p)
{
    uint64_t *result = p;
    *result = rt_bytecodes(MEASURE_UNITS);
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 0, 1, MAX_JOBS, "N");
    uint64_t r[MAX_JOBS];
    for (int i = 0; i < n; i++)
        cpu_job(&r[i]);
    exkit_result_int(m, "jobs", n);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 0, 1, MAX_JOBS, "N");
    uint64_t r[MAX_JOBS];
    rt_thread *t[MAX_JOBS];
    for (int i = 0; i < n; i++)
        if (!(t[i] = rt_thread_start(cpu_job, &r[i])))
            exkit_fail("rt_thread_start failed");
    for (int i = 0; i < n; i++)
        rt_thread_join(t[i]);
    exkit_result_int(m, "jobs", n);
    exkit_result_str(m, "gil", rt_policy_name(rt_policy()));
}

/* Every workload runs under your GIL. */
static void configure(rt_config *cfg, const char *what)
{
    (void)what;
    cfg->policy = RT_GIL_CUSTOM;
    cfg->custom_gil = &S_yours;
}

static const exkit_case S_cases[] = {
    {"exclusion", case_exclusion, EXKIT_OWN_RUNTIME},
    {"interleaving", case_interleaving, EXKIT_OWN_RUNTIME},
    {"handover", case_handover, EXKIT_OWN_RUNTIME},
    {"hold", case_hold, EXKIT_OWN_RUNTIME},
    {"spacing", case_spacing, EXKIT_OWN_RUNTIME},
    {"wakeup", case_wakeup, EXKIT_OWN_RUNTIME},
    {"sleep", case_sleep, EXKIT_OWN_RUNTIME},
    {"fairness", case_fairness, EXKIT_OWN_RUNTIME},
    {"stress", case_stress, EXKIT_OWN_RUNTIME},
    /* BEGIN HIDDEN TESTS */
    {"short", case_short, EXKIT_OWN_RUNTIME},
    {"io", case_io, EXKIT_OWN_RUNTIME},
    /* END HIDDEN TESTS */
};
static const exkit_workload S_workloads[] = {
    {"serial", "N", load_serial, 0},
    {"threads", "N", load_threads, 0},
};
static const exkit_driver S_driver = {.tag = "ex04",
                                      EXKIT_CASES(S_cases),
                                      EXKIT_WORKLOADS(S_workloads),
                                      .configure = configure};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
