/*
 * driver.c - exercise 07's driver: your loop core, tested and measured.
 *
 * Provided; do not edit.  Built with your core.c, the exercise kit
 * (exercises/common/exkit.h: main() and the grader's protocol) and the
 * runtime, it is the program the grader runs:
 *
 *   prog test <case>             runs one check of your core
 *   prog measure <workload> <N>  runs one workload once, prints its figures
 *
 * Two kinds of check.  Some call your functions directly and compare what
 * comes out with what must (a heap against a plain list, a ring against
 * the order things went in).  The others run the runtime's own event loop
 * on your core - rt_loop_new(&S_yours) - and read the loop's counters
 * (rt_loop_stats): how many turns it took, how many times it asked the
 * kernel, how many tasks were waiting at once.  None of them times
 * anything: a loop that spins is caught by counting its polls, not by a
 * clock.
 *
 * Part C's checks are in readiness.c; ex07_driver.h is what the two
 * files share.
 *
 * Workloads: `one_by_one N` is a task that sleeps 50 ms N times in turn;
 * `fanout N` is your ex07_fanout with N children sleeping 50 ms each.  The
 * grader compares the two (pattern `overlaps`).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ex07_driver.h"
#include "exkit.h"
#include "rt.h"

/* Your core, as the runtime's loop sees it.  No timer_compact: cancelled
 * timers wait their turn in your heap (rt_loop.h says the slot may be
 * NULL). */
static const rt_loop_core_ops S_yours = {
    .name = "yours",
    .create = ex07_create,
    .destroy = ex07_destroy,
    .timer_push = ex07_timer_push,
    .timer_peek = ex07_timer_peek,
    .timer_pop = ex07_timer_pop,
    .timer_count = ex07_timer_count,
    .timer_compact = NULL,
    .ready_push = ex07_ready_push,
    .ready_pop = ex07_ready_pop,
    .ready_count = ex07_ready_count,
    .io_watch = ex07_io_watch,
    .io_wait = ex07_io_wait,
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

void *ex07d_core(void)
{
    void *c = ex07_create();
    if (!c)
        exkit_fail("ex07_create returned NULL");
    return c;
}

/* A deterministic pseudo-random sequence (the same in every run). */
static uint64_t S_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static void S_push(void *c, uint64_t deadline, uint64_t seq)
{
    rt_timer_entry e = {deadline, seq, NULL, (void *)(uintptr_t)seq};
    int rc = ex07_timer_push(c, &e);
    if (rc < 0)
        exkit_fail_rc("ex07_timer_push", rc);
}

/* A loop on your core; fails the case with the reason if there is none. */
rt_loop *ex07d_loop(void)
{
    rt_loop *l = rt_loop_new(&S_yours);
    if (!l)
        exkit_fail("rt_loop_new on your core failed (%s%s): the loop registers its "
                   "wake-up eventfd with ex07_io_watch first, so Part C must work "
                   "before any loop can run",
                   strerror(errno),
                   errno == ENOSYS ? ": TODO C1 is still the starter's" : "");
    return l;
}

/* rt_spawn, failing the case if it fails. */
rt_task *ex07d_spawn(rt_loop *l, rt_task_fn fn, const void *frame, size_t size)
{
    rt_task *t = rt_spawn(l, fn, frame, size);
    if (!t)
        exkit_fail("rt_spawn failed on your core: %s", strerror(errno));
    return t;
}

void ex07d_run(rt_loop *l)
{
    int rc = rt_loop_run(l);
    if (rc < 0)
        exkit_fail("rt_loop_run on your core failed: %s (from ex07_io_wait?)",
                   strerror(-rc));
}

void ex07d_pipe(int fds[2])
{
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
        exkit_fail("pipe2: %s (the machine, not your code)", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* Part A: the timer heap                                              */
/* ------------------------------------------------------------------ */

/* heap: 3000 entries with distinct random deadlines, pushes and pops
 * interleaved, every pop compared with the smallest of a plain list. */
static void case_heap(void)
{
    enum { N = 3000 };
    static uint64_t live[N];
    size_t nlive = 0, pops = 0;
    uint64_t s = 7;
    void *c = ex07d_core();
    for (uint64_t i = 0; i < N; i++) {
        /* distinct: random high bits, i in the low ones */
        uint64_t d = (S_rand(&s) % 1000000) * N + i;
        S_push(c, d, i + 1);
        live[nlive++] = d;
        if (ex07_timer_count(c) != nlive)
            exkit_fail("ex07_timer_count says %zu after %zu pushes and %zu pops",
                       ex07_timer_count(c), (size_t)i + 1, pops);
        int npop = i % 3 == 2 ? 2 : 0; /* two pops every three pushes */
        if (i + 1 == N)
            npop = (int)nlive; /* then empty it */
        for (int k = 0; k < npop; k++) {
            size_t m = 0;
            for (size_t j = 1; j < nlive; j++)
                if (live[j] < live[m])
                    m = j;
            rt_timer_entry peek = {0}, e = {0};
            if (!ex07_timer_peek(c, &peek))
                exkit_fail("ex07_timer_peek found nothing with %zu entries", nlive);
            if (!ex07_timer_pop(c, &e))
                exkit_fail("ex07_timer_pop found nothing with %zu entries", nlive);
            if (e.deadline_ns != live[m])
                exkit_fail("pop %zu gave deadline %llu, but %llu was in the heap and "
                           "comes first: the heap order is broken (with %zu entries: "
                           "check the sift-down, both children)",
                           pops + 1, (unsigned long long)e.deadline_ns,
                           (unsigned long long)live[m], nlive);
            if (peek.deadline_ns != e.deadline_ns || peek.seq != e.seq)
                exkit_fail("ex07_timer_peek and the ex07_timer_pop after it gave "
                           "different entries");
            if (e.arg != (void *)(uintptr_t)e.seq)
                exkit_fail("an entry came out with another entry's arg: copy whole "
                           "entries, not fields");
            live[m] = live[--nlive];
            pops++;
        }
    }
    rt_timer_entry e;
    if (ex07_timer_pop(c, &e) || ex07_timer_peek(c, &e) || ex07_timer_count(c) != 0)
        exkit_fail("the heap is empty, but pop, peek or count says otherwise");
    ex07_destroy(c);
}

/* ties: equal deadlines come out in the order scheduled (seq), directly
 * and through the loop's call_at. */
static int S_order[64], S_norder;

static void S_record(rt_loop *l, void *arg)
{
    (void)l;
    S_order[S_norder++] = (int)(intptr_t)arg;
}

static void case_ties(void)
{
    void *c = ex07d_core();
    /* 4 deadlines x 25 entries, scheduled round-robin: seq rises. */
    for (uint64_t i = 0; i < 100; i++)
        S_push(c, 1000 + (i % 4) * 10, i + 1);
    uint64_t last_d = 0, last_seq = 0;
    for (int k = 0; k < 100; k++) {
        rt_timer_entry e;
        if (!ex07_timer_pop(c, &e))
            exkit_fail("ex07_timer_pop found nothing after %d of 100 pops", k);
        if (e.deadline_ns < last_d)
            exkit_fail("deadline %llu came out after %llu",
                       (unsigned long long)e.deadline_ns, (unsigned long long)last_d);
        if (e.deadline_ns == last_d && e.seq < last_seq)
            exkit_fail("two timers due at the same time came out in the wrong order "
                       "(seq %llu after %llu): equal deadlines must fire in the order "
                       "they were scheduled, so compare seq when deadlines are equal",
                       (unsigned long long)e.seq, (unsigned long long)last_seq);
        last_d = e.deadline_ns;
        last_seq = e.seq;
    }
    ex07_destroy(c);

    /* The same through the loop: 40 callbacks at one deadline. */
    rt_loop *l = ex07d_loop();
    uint64_t when = rt_now_ns() + 2 * EX07D_MS;
    S_norder = 0;
    for (int i = 0; i < 40; i++)
        if (rt_call_at(l, when, S_record, (void *)(intptr_t)i, NULL) < 0)
            exkit_fail("rt_call_at failed on your core");
    ex07d_run(l);
    for (int i = 0; i < 40; i++)
        if (S_norder != 40 || S_order[i] != i)
            exkit_fail("40 callbacks scheduled for the same moment ran out of order "
                       "(position %d ran callback %d): equal deadlines must fire in "
                       "the order they were scheduled (seq breaks ties)",
                       i, S_norder > i ? S_order[i] : -1);
    rt_loop_free(l);
}

/* ------------------------------------------------------------------ */
/* Part B: the ready queue                                             */
/* ------------------------------------------------------------------ */

static void S_cb_a(rt_loop *l, void *arg)
{
    (void)l, (void)arg;
}
static void S_cb_b(rt_loop *l, void *arg)
{
    (void)l, (void)arg;
}

/* ring: first in, first out, through wrap-arounds and through growing
 * while wrapped (the oldest pair is not at index 0 then). */
static void case_ring(void)
{
    void *c = ex07d_core();
    uintptr_t in = 1, out = 1;
    /* Rounds of "push p, pop q" with p > q: the ring fills while its head
     * moves, so it wraps and grows at many different head positions. */
    static const int rounds[][2] = {{5, 3},     {70, 60},    {100, 90},   {200, 150},
                                    {300, 280}, {1000, 700}, {5000, 4000}};
    for (size_t r = 0; r <= sizeof rounds / sizeof rounds[0]; r++) {
        int p = r < sizeof rounds / sizeof rounds[0] ? rounds[r][0] : 0;
        int q = r < sizeof rounds / sizeof rounds[0] ? rounds[r][1] : (int)(in - out);
        for (int i = 0; i < p; i++, in++) {
            int rc = ex07_ready_push(c, in & 1 ? S_cb_a : S_cb_b, (void *)in);
            if (rc < 0)
                exkit_fail_rc("ex07_ready_push", rc);
        }
        if (ex07_ready_count(c) != in - out)
            exkit_fail("ex07_ready_count says %zu with %zu queued", ex07_ready_count(c),
                       (size_t)(in - out));
        for (int i = 0; i < q; i++, out++) {
            rt_callback cb = NULL;
            void *arg = NULL;
            if (!ex07_ready_pop(c, &cb, &arg))
                exkit_fail("ex07_ready_pop found nothing with %zu queued",
                           (size_t)(in - out));
            if ((uintptr_t)arg != out)
                exkit_fail("ready queue: pushed %zu, %zu still queued, and pop gave "
                           "item %zu instead of %zu, the oldest: the queue must give "
                           "items back first in, first out, and growing must keep "
                           "them (copy them oldest first, starting at head)",
                           (size_t)(in - 1), (size_t)(in - out), (size_t)(uintptr_t)arg,
                           (size_t)out);
            if (cb != (out & 1 ? S_cb_a : S_cb_b))
                exkit_fail("ready queue: item %zu came out with another item's "
                           "callback",
                           (size_t)out);
        }
    }
    rt_callback cb;
    void *arg;
    if (ex07_ready_pop(c, &cb, &arg) || ex07_ready_count(c) != 0)
        exkit_fail("the ready queue is empty, but pop or count says otherwise");
    ex07_destroy(c);
}

/* turns: two tasks that yield take turns, and a callback queued during a
 * turn runs in a later turn. */
typedef struct yielder {
    int id, steps;
} yielder;

static int S_trail[400], S_ntrail;

static int S_yielder(rt_task *t)
{
    yielder *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->steps = 0; f->steps < 100; f->steps++) {
        if (S_ntrail < 400)
            S_trail[S_ntrail++] = f->id;
        RT_AWAIT(t, rt_async_yield(t));
    }
    RT_END(t, 0);
}

static uint64_t S_turn_a, S_turn_b;

static void S_second(rt_loop *l, void *arg)
{
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    S_turn_b = st.iterations;
    (void)arg;
}

static void S_first(rt_loop *l, void *arg)
{
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    S_turn_a = st.iterations;
    rt_call_soon(l, S_second, arg);
}

static void case_turns(void)
{
    rt_loop *l = ex07d_loop();
    S_turn_a = S_turn_b = 0;
    rt_call_soon(l, S_first, NULL);
    ex07d_run(l);
    if (S_turn_b == 0)
        exkit_fail("a callback queued by a callback never ran");
    if (S_turn_b == S_turn_a)
        exkit_fail("a callback queued during a turn ran in that same turn: the "
                   "loop runs only what was ready when the turn began, so the ready "
                   "queue must give the oldest first");
    S_ntrail = 0;
    yielder a = {1, 0}, b = {2, 0};
    rt_task *ta = ex07d_spawn(l, S_yielder, &a, sizeof a);
    rt_task *tb = ex07d_spawn(l, S_yielder, &b, sizeof b);
    ex07d_run(l);
    for (int i = 0; i + 1 < S_ntrail && i < 100; i++)
        if (S_trail[i] == S_trail[i + 1])
            exkit_fail("two tasks that both yield did not take turns: task %d ran "
                       "twice in a row at step %d while the other waited (the newest "
                       "callback ran first: the ready queue must be first in, first "
                       "out, or a yielding task starves the others)",
                       S_trail[i], i + 1);
    rt_task_release(ta);
    rt_task_release(tb);
    rt_loop_free(l);
}

/* ------------------------------------------------------------------ */
/* Part D: fan out and gather                                          */
/* ------------------------------------------------------------------ */

int ex07_child(rt_task *t)
{
    ex07_child_frame *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, f->sleep_ns));
    if (t->awaited < 0)
        RT_RETURN(t, t->awaited);
    RT_END(t, f->id);
}

/* Runs ex07_fanout(n, sleep_ns) on l to the end; returns its result and
 * the loop's counters. */
static long S_fanout(rt_loop *l, int n, uint64_t sleep_ns, rt_loop_stats *st)
{
    static ex07_fanout_frame f; /* big: not on the stack */
    memset(&f, 0, sizeof f);
    f.n = n;
    f.sleep_ns = sleep_ns;
    rt_task *t = ex07d_spawn(l, ex07_fanout, &f, sizeof f);
    int rc = rt_loop_run_until(l, t);
    if (rc < 0)
        exkit_fail("rt_loop_run_until on your core failed: %s", strerror(-rc));
    long r = rt_task_result(t);
    rt_task_release(t);
    rt_loop_stats_get(l, st);
    return r;
}

/* fanout: 100 children sleeping 20 ms wait at the same time; the result is
 * their sum. */
static void case_fanout(void)
{
    rt_loop *l = ex07d_loop();
    rt_loop_stats st;
    long r = S_fanout(l, 100, 20 * EX07D_MS, &st);
    if (r == -ENOSYS)
        exkit_fail("ex07_fanout ended with -ENOSYS: TODO D1 is still the starter's");
    if (st.tasks_created != 101)
        exkit_fail("ex07_fanout(100) started %llu tasks, not 100",
                   (unsigned long long)st.tasks_created - 1);
    if (st.max_waiting < 100)
        exkit_fail("100 children that each sleep 20 ms were never all waiting at "
                   "once (at most %zu): start every child before you wait for any",
                   st.max_waiting);
    if (r != 5050)
        exkit_fail("ex07_fanout(100) ended with %ld, not 1 + 2 + ... + 100 = 5050", r);
    rt_loop_run(l); /* any child left over ends now */
    rt_loop_stats_get(l, &st);
    if (st.tasks_done != 101)
        exkit_fail("%llu of 101 tasks ended", (unsigned long long)st.tasks_done);
    rt_loop_free(l);
}

/* BEGIN HIDDEN TESTS */
/* crowd: ten fan-outs of 1000 children at once: 10,000 sleeping tasks,
 * 10,000 timers in your heap, and every one fires. */
static int S_ten(rt_task *t)
{
    struct ten {
        rt_task *kids[10];
    } *f = rt_frame(t);
    long sum = 0; /* used only after the await */
    RT_BEGIN(t);
    for (int i = 0; i < 10; i++) {
        static ex07_fanout_frame ff;
        memset(&ff, 0, sizeof ff);
        ff.n = 1000;
        ff.sleep_ns = (uint64_t)(20 + i) * EX07D_MS;
        f->kids[i] = rt_spawn(rt_task_loop(t), ex07_fanout, &ff, sizeof ff);
        if (!f->kids[i])
            RT_RETURN(t, -ENOMEM);
    }
    RT_AWAIT(t, rt_async_gather(t, f->kids, 10));
    for (int i = 0; i < 10; i++) {
        sum += rt_task_result(f->kids[i]);
        rt_task_release(f->kids[i]);
    }
    RT_END(t, t->awaited < 0 ? t->awaited : sum);
}

static void case_crowd(void)
{
    rt_loop *l = ex07d_loop();
    struct {
        rt_task *kids[10];
    } f = {{0}};
    rt_task *t = ex07d_spawn(l, S_ten, &f, sizeof f);
    ex07d_run(l);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    if (rt_task_result(t) != 10 * 500500L)
        exkit_fail("ten fan-outs of 1000 ended with %ld, not %ld", rt_task_result(t),
                   10 * 500500L);
    if (st.max_waiting < 10000 || st.timers_fired != 10000 || st.max_timers < 10000)
        exkit_fail("10,000 sleeping tasks: %zu waiting at most, %llu timers fired, "
                   "%zu in the heap at most",
                   st.max_waiting, (unsigned long long)st.timers_fired, st.max_timers);
    rt_task_release(t);
    rt_loop_free(l);
}

/* big_heap: 100,000 entries, many deadlines shared, drained in order. */
static void case_big_heap(void)
{
    void *c = ex07d_core();
    uint64_t s = 11;
    for (uint64_t i = 1; i <= 100000; i++)
        S_push(c, S_rand(&s) % 5000, i);
    rt_timer_entry prev = {0, 0, NULL, NULL}, e;
    for (int k = 0; k < 100000; k++) {
        if (!ex07_timer_pop(c, &e))
            exkit_fail("the heap ran dry after %d of 100,000 pops", k);
        if (k && (e.deadline_ns < prev.deadline_ns ||
                  (e.deadline_ns == prev.deadline_ns && e.seq < prev.seq)))
            exkit_fail("100,000 timers: pop %d came out of (deadline, seq) order", k);
        prev = e;
    }
    ex07_destroy(c);
}
/* END HIDDEN TESTS */

/* ------------------------------------------------------------------ */
/* Workloads                                                           */
/* ------------------------------------------------------------------ */

typedef struct one_by_one {
    int n, i;
} one_by_one;

/* The baseline: one task sleeping 50 ms n times, each after the last. */
static int S_one_by_one(rt_task *t)
{
    one_by_one *f = rt_frame(t);
    RT_BEGIN(t);
    for (f->i = 0; f->i < f->n; f->i++)
        RT_AWAIT(t, rt_async_sleep(t, 50 * EX07D_MS));
    RT_END(t, f->n);
}

static void load_one_by_one(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 0, 1, 64, "N");
    rt_loop *l = ex07d_loop();
    one_by_one f = {n, 0};
    rt_task *t = ex07d_spawn(l, S_one_by_one, &f, sizeof f);
    ex07d_run(l);
    rt_loop_stats st;
    rt_loop_stats_get(l, &st);
    exkit_result_int(m, "sleeps", n);
    exkit_report_loop(m, &st);
    rt_task_release(t);
    rt_loop_free(l);
}

static void load_fanout(exkit_measure *m, int nargs, char **args)
{
    int n = (int)exkit_arg_long(nargs, args, 0, 1, EX07_MAX_KIDS, "N");
    rt_loop *l = ex07d_loop();
    rt_loop_stats st;
    long r = S_fanout(l, n, 50 * EX07D_MS, &st);
    if (r != (long)n * (n + 1) / 2)
        exkit_fail("ex07_fanout(%d) ended with %ld", n, r);
    exkit_result_int(m, "sleeps", n);
    exkit_report_loop(m, &st);
    rt_loop_free(l);
}

static const exkit_case S_cases[] = {
    {"heap", case_heap, 0},
    {"ties", case_ties, 0},
    {"ring", case_ring, 0},
    {"turns", case_turns, 0},
    {"io", ex07d_case_io, 0},
    {"unwatch", ex07d_case_unwatch, 0},
    {"nospin", ex07d_case_nospin, 0},
    {"fanout", case_fanout, 0},
    /* BEGIN HIDDEN TESTS */
    {"crowd", case_crowd, 0},
    {"many_fds", ex07d_case_many_fds, 0},
    {"big_heap", case_big_heap, 0},
    /* END HIDDEN TESTS */
};
static const exkit_workload S_workloads[] = {
    {"one_by_one", "N", load_one_by_one, 0},
    {"fanout", "N", load_fanout, 0},
};
static const exkit_driver S_driver = {
    .tag = "ex07", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_workloads)};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
