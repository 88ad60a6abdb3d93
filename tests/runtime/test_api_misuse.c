/*
 * test_api_misuse.c - the three `rt__` names the runtime exports (because
 * inline code in the public headers reaches them) cannot corrupt it when a
 * program uses them by hand: rt__handle_eval_breaker and rt__eval_breaker
 * (rt_checkpoint, rt.h) and rt__task_end (RT_END, rt_loop.h).
 * tests/runtime/test_exports.sh checks that nothing else is exported.
 */
#include "rt_loop.h"
#include "rt_test_util.h"

#include <pthread.h>

static void *call_breaker(void *arg)
{
    rt__handle_eval_breaker(); /* a thread the runtime does not know */
    return arg;
}

/* Called with nothing pending, from every state a thread can be in, the
 * slow path of a checkpoint does nothing: no drop, no take, no switch. */
CASE(spurious_eval_breaker_calls_are_harmless)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_stats before, after;
    rt_stats_get(&before);
    for (int i = 0; i < 1000; i++)
        rt__handle_eval_breaker(); /* holding the GIL, nothing requested */
    RT_BEGIN_ALLOW_THREADS
        rt__handle_eval_breaker(); /* attached, not holding the GIL */
        CHECK(!rt_holds_gil());
    RT_END_ALLOW_THREADS
    pthread_t th;
    CHECK(pthread_create(&th, NULL, call_breaker, NULL) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    CHECK(rt_holds_gil());
    rt_stats_get(&after);
    CHECK(after.forced_drops == before.forced_drops);
    CHECK(after.drop_requests == before.drop_requests);
    /* One take: RT_END_ALLOW_THREADS's. */
    CHECKF(after.takes == before.takes + 1, "takes %llu -> %llu",
           (unsigned long long)before.takes, (unsigned long long)after.takes);
    rt_fini();
}

/* A breaker set by hand sends checkpoints down the slow path, which finds
 * no request: work runs to the end, holding the GIL, with no forced drop. */
CASE(an_eval_breaker_set_by_hand_forces_nothing)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    atomic_store(&rt__eval_breaker, 1);
    rt_stats_reset();
    rt_bytecodes(100000);
    rt_stats st;
    rt_stats_get(&st);
    CHECK(st.bytecodes == 100000 && st.bytecodes_unheld == 0);
    CHECK(st.forced_drops == 0);
    CHECK(rt_holds_gil());
    rt_fini();
}

/* rt__task_end outside the task's own step would unlink a task twice:
 * refused with a fatal error that says what happened. */
static int sleeper(rt_task *t)
{
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, 1000000));
    RT_END(t, 0);
}

static void end_from_outside(void)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_loop *l = rt_loop_new(NULL);
    CHECK(l != NULL);
    rt_task *t = rt_spawn(l, sleeper, NULL, 0);
    rt__task_end(t, 42); /* not running: it has not even started */
}

CASE(rt_task_end_outside_a_step_is_fatal)
{
    int status;
    const char *err = tu_child_stderr(end_from_outside, &status);
    CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %d", status);
    CHECKF(strstr(err, "rt: fatal: RT_END or RT_RETURN outside the task's own step"),
           "%s", err);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(spurious_eval_breaker_calls_are_harmless,
                            an_eval_breaker_set_by_hand_forces_nothing,
                            rt_task_end_outside_a_step_is_fatal));
}
