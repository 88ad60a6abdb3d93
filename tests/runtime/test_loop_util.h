/*
 * test_loop_util.h - what the event loop's tests share: a fresh loop, and
 * the chapter-style tasks (a sleeper that records its wake-up, a task that
 * gathers three sleepers).
 */
#ifndef TEST_LOOP_UTIL_H
#define TEST_LOOP_UTIL_H

#include "rt_loop.h"
#include "rt_test_util.h"

#include <stdint.h>

#define MS 1000000ull

/* Starts the runtime (cpython GIL, no trace) and makes a loop. */
static inline rt_loop *new_loop(void)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_loop *l = rt_loop_new(NULL);
    CHECK(l != NULL);
    return l;
}

static char order[16]; /* names, in the order the tasks woke */
static int norder;
static uint64_t woke_at[3]; /* loop clock at each wake, by name 'A'.. */

struct sleeper {
    uint64_t ns;
    char name;
};

/* A chapter-style task: sleep, record, return the name. */
static inline int sleeper(rt_task *t)
{
    struct sleeper *f = rt_frame(t);
    RT_BEGIN(t);
    RT_AWAIT(t, rt_async_sleep(t, f->ns));
    if (t->awaited < 0)
        RT_RETURN(t, t->awaited);
    woke_at[f->name - 'A'] = rt_loop_now(rt_task_loop(t));
    order[norder++] = f->name;
    RT_END(t, f->name);
}

struct trio {
    rt_task *kids[3]; /* the caller releases them */
    uint64_t unit;
};

/* asyncio.gather(sleep(2u), sleep(1u), sleep(3u)), as the reference does. */
static inline int trio(rt_task *t)
{
    struct trio *f = rt_frame(t);
    RT_BEGIN(t);
    {
        struct sleeper a = {2 * f->unit, 'A'}, b = {1 * f->unit, 'B'},
                       c = {3 * f->unit, 'C'};
        f->kids[0] = rt_spawn(rt_task_loop(t), sleeper, &a, sizeof a);
        f->kids[1] = rt_spawn(rt_task_loop(t), sleeper, &b, sizeof b);
        f->kids[2] = rt_spawn(rt_task_loop(t), sleeper, &c, sizeof c);
    }
    RT_AWAIT(t, rt_async_gather(t, f->kids, 3));
    RT_END(t, t->awaited);
}

#endif /* TEST_LOOP_UTIL_H */
