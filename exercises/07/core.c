/*
 * core.c - exercise 07: the event loop's core.  Yours to edit: the TODOs
 * below, part by part (README.md says how it is graded; ex07.h holds each
 * function's contract).
 *
 *   Part A, timers: a binary min-heap in an array, ordered by (deadline,
 *     seq), as asyncio keeps its `_scheduled` list with heapq (whose
 *     TimerHandles compare deadlines only: chapter 7 shows what the seq
 *     adds).
 *     heap[0] is the earliest; node i's children are 2i+1 and 2i+2, its
 *     parent (i-1)/2.
 *   Part B, ready queue: a ring buffer that doubles when full, asyncio's
 *     `_ready` deque.
 *   Part C, readiness: poll(2) on an array of struct pollfd, one per
 *     watched fd (selectors.PollSelector).
 *   Part D: a task body that fans out and gathers.
 */
#include "ex07.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* The core's state.  Every pointer starts NULL and every count 0
 * (ex07_create uses calloc), and realloc(NULL, size) is malloc(size). */
typedef struct core {
    rt_timer_entry *heap; /* Part A: heap[0 .. n) */
    size_t n, cap;
    rt_callback *cbs; /* Part B: the ring, two arrays of ring_cap slots; */
    void **args;      /*   the oldest pair is at `head` */
    size_t head, count, ring_cap;
    struct pollfd *pfds; /* Part C: pfds[0 .. npfds), one per watched fd */
    size_t npfds, pfds_cap;
} core;

void *ex07_create(void)
{
    return calloc(1, sizeof(core));
}

void ex07_destroy(void *self)
{
    core *c = self;
    free(c->heap);
    free(c->cbs);
    free(c->args);
    free(c->pfds);
    free(c);
}

/* ---------------------------------------------------- Part A: timers */

/* 1 if a comes before b: earlier deadline, or the same and scheduled
 * first.  (Python: `(a.when, a.seq) < (b.when, b.seq)`.) */
static int before(const rt_timer_entry *a, const rt_timer_entry *b)
{
    /* TODO A1: compare the deadlines; when they are equal, the sequence
     * numbers break the tie (equal deadlines fire in the order scheduled). */
    return a->deadline_ns < b->deadline_ns;
}

int ex07_timer_push(void *self, const rt_timer_entry *e)
{
    core *c = self;
    if (c->n == c->cap) { /* full: double the array (64 to begin with) */
        size_t cap = c->cap ? 2 * c->cap : 64;
        rt_timer_entry *h = realloc(c->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        c->heap = h;
        c->cap = cap;
    }
    /* TODO A2: put *e at the end (index c->n), count it, and sift it up:
     * while it comes before its parent, swap them (heapq.heappush). */
    (void)e, (void)before;
    return -ENOSYS;
}

int ex07_timer_peek(void *self, rt_timer_entry *out)
{
    core *c = self;
    /* TODO A3: the earliest entry is heap[0]. */
    (void)c, (void)out;
    return 0;
}

int ex07_timer_pop(void *self, rt_timer_entry *out)
{
    core *c = self;
    /* TODO A4: copy heap[0] out, move the last entry to the root, and sift
     * it down: while a child comes before it, swap it with the *earlier* of
     * its two children (heapq.heappop). */
    (void)c, (void)out;
    return 0;
}

size_t ex07_timer_count(void *self)
{
    return ((core *)self)->n;
}

/* ----------------------------------------------- Part B: ready queue */

int ex07_ready_push(void *self, rt_callback cb, void *arg)
{
    core *c = self;
    /* TODO B1: when count == ring_cap, grow (both arrays, twice the size,
     * copying the pairs oldest first); then write the pair at the slot
     * after the newest, (head + count) % ring_cap, and count it. */
    (void)c, (void)cb, (void)arg;
    return -ENOSYS;
}

int ex07_ready_pop(void *self, rt_callback *cb, void **arg)
{
    core *c = self;
    /* TODO B2: take the pair at `head`, advance head (wrapping), count
     * one fewer. */
    (void)c, (void)cb, (void)arg;
    return 0;
}

size_t ex07_ready_count(void *self)
{
    return ((core *)self)->count;
}

/* ------------------------------------------------- Part C: readiness */

/* Where fd sits in pfds, or -1. */
static long find_fd(const core *c, int fd)
{
    for (size_t i = 0; i < c->npfds; i++)
        if (c->pfds[i].fd == fd)
            return (long)i;
    return -1;
}

int ex07_io_watch(void *self, int fd, unsigned old_events, unsigned new_events)
{
    core *c = self;
    (void)old_events; /* we look the fd up instead: it cannot go stale */
    short want = (short)((new_events & RT_IO_READ ? POLLIN : 0) |
                         (new_events & RT_IO_WRITE ? POLLOUT : 0));
    long i = find_fd(c, fd);
    /* TODO C1: want == 0: remove fd's entry (if any) from pfds.  Otherwise
     * update its entry's events, or append {fd, want} (growing pfds as the
     * heap grows). */
    (void)c, (void)i, (void)want;
    return -ENOSYS;
}

int ex07_io_wait(void *self, int64_t timeout_ns, rt_io_event *out, int max)
{
    core *c = self;
    /* TODO C2: poll(c->pfds, c->npfds, ms) with timeout_ns in whole
     * milliseconds (-1 stays -1; round up), then one event per entry
     * whose revents is not 0 (at most `max`): POLLIN -> RT_IO_READ,
     * POLLOUT -> RT_IO_WRITE, POLLERR/POLLHUP/POLLNVAL -> RT_IO_ERROR. */
    (void)c, (void)timeout_ns, (void)out, (void)max;
    return -ENOSYS;
}

/* ----------------------------------------------- Part D: fan out, gather */

int ex07_fanout(rt_task *t)
{
    ex07_fanout_frame *f = rt_frame(t);
    long sum = 0; /* a C local: used only after the await, never across it */
    /* Everything kept across the await lives in *f: C locals do not
     * survive it (the function returns to the loop at RT_AWAIT). */
    RT_BEGIN(t);
    /* TODO D1: spawn every child first (rt_spawn with ex07_child and an
     * ex07_child_frame), keeping each in f->kids; then
     * RT_AWAIT(t, rt_async_gather(...)); then add up rt_task_result() of
     * each into sum and release it.  RT_END(t, result) ends the task. */
    (void)f;
    RT_END(t, sum ? sum : -ENOSYS);
}
