/* BEGIN SOLUTION */
/*
 * core.c - exercise 07: the event loop's core.  (Reference solution.)
 *
 * Three data structures, each the one asyncio's loop uses in Python:
 *
 *   Part A, timers: a binary min-heap in an array, ordered by (deadline,
 *     seq): asyncio's `_scheduled` list kept with heapq, except that
 *     asyncio's TimerHandles compare by `when` alone (events.py, 3.11), so
 *     equal deadlines come out in no promised order; the runtime promises
 *     first in, first out.  heap[0] is the earliest; node i's children are
 *     2i+1 and 2i+2, its parent (i-1)/2.
 *   Part B, ready queue: a ring buffer that doubles when full: asyncio's
 *     `_ready` collections.deque.  A Python list would do `pop(0)` in
 *     O(n); a ring pops the oldest in O(1).
 *   Part C, readiness: poll(2) on an array of struct pollfd, one per
 *     watched fd: selectors.PollSelector.  (asyncio on Linux picks
 *     EpollSelector; poll is simpler to get right and just as correct, at
 *     O(watched fds) per wait instead of O(ready fds).)
 *   Part D: a task body that fans out and gathers.
 */
/* END SOLUTION */
#if 0  /* BEGIN STARTER */
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
#endif /* END STARTER */
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
    /* BEGIN SOLUTION */
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    return a->seq < b->seq;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO A1: compare the deadlines; when they are equal, the sequence
     * numbers break the tie (equal deadlines fire in the order scheduled). */
    return a->deadline_ns < b->deadline_ns;
#endif /* END STARTER */
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
    /* BEGIN SOLUTION */
    /* Sift up: the new entry climbs while it comes before its parent. */
    size_t i = c->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(e, &c->heap[parent]))
            break;
        c->heap[i] = c->heap[parent];
        i = parent;
    }
    c->heap[i] = *e;
    return 0;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO A2: put *e at the end (index c->n), count it, and sift it up:
     * while it comes before its parent, swap them (heapq.heappush). */
    (void)e, (void)before;
    return -ENOSYS;
#endif /* END STARTER */
}

int ex07_timer_peek(void *self, rt_timer_entry *out)
{
    core *c = self;
    /* BEGIN SOLUTION */
    if (c->n == 0)
        return 0;
    *out = c->heap[0];
    return 1;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO A3: the earliest entry is heap[0]. */
    (void)c, (void)out;
    return 0;
#endif /* END STARTER */
}

int ex07_timer_pop(void *self, rt_timer_entry *out)
{
    core *c = self;
    /* BEGIN SOLUTION */
    if (c->n == 0)
        return 0;
    *out = c->heap[0];
    rt_timer_entry last = c->heap[--c->n];
    /* Sift down: `last` takes the hole at the root and sinks below the
     * earlier of its two children until both come after it. */
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= c->n)
            break;
        if (child + 1 < c->n && before(&c->heap[child + 1], &c->heap[child]))
            child++;
        if (!before(&c->heap[child], &last))
            break;
        c->heap[i] = c->heap[child];
        i = child;
    }
    if (c->n > 0)
        c->heap[i] = last;
    return 1;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO A4: copy heap[0] out, move the last entry to the root, and sift
     * it down: while a child comes before it, swap it with the *earlier* of
     * its two children (heapq.heappop). */
    (void)c, (void)out;
    return 0;
#endif /* END STARTER */
}

size_t ex07_timer_count(void *self)
{
    return ((core *)self)->n;
}

/* ----------------------------------------------- Part B: ready queue */

int ex07_ready_push(void *self, rt_callback cb, void *arg)
{
    core *c = self;
    /* BEGIN SOLUTION */
    if (c->count == c->ring_cap) {
        /* Full: new arrays twice the size, the old pairs copied oldest
         * first, so the ring starts again at 0.  (A realloc would keep a
         * ring that wraps past its end in two pieces in the wrong places.) */
        size_t cap = c->ring_cap ? 2 * c->ring_cap : 64;
        rt_callback *cbs = malloc(cap * sizeof *cbs);
        void **args = malloc(cap * sizeof *args);
        if (!cbs || !args) {
            free(cbs);
            free(args);
            return -ENOMEM;
        }
        for (size_t i = 0; i < c->count; i++) {
            cbs[i] = c->cbs[(c->head + i) % c->ring_cap];
            args[i] = c->args[(c->head + i) % c->ring_cap];
        }
        free(c->cbs);
        free(c->args);
        c->cbs = cbs;
        c->args = args;
        c->ring_cap = cap;
        c->head = 0;
    }
    size_t tail = (c->head + c->count) % c->ring_cap;
    c->cbs[tail] = cb;
    c->args[tail] = arg;
    c->count++;
    return 0;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO B1: when count == ring_cap, grow (both arrays, twice the size,
     * copying the pairs oldest first); then write the pair at the slot
     * after the newest, (head + count) % ring_cap, and count it. */
    (void)c, (void)cb, (void)arg;
    return -ENOSYS;
#endif /* END STARTER */
}

int ex07_ready_pop(void *self, rt_callback *cb, void **arg)
{
    core *c = self;
    /* BEGIN SOLUTION */
    if (c->count == 0)
        return 0;
    *cb = c->cbs[c->head];
    *arg = c->args[c->head];
    c->head = (c->head + 1) % c->ring_cap;
    c->count--;
    return 1;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO B2: take the pair at `head`, advance head (wrapping), count
     * one fewer. */
    (void)c, (void)cb, (void)arg;
    return 0;
#endif /* END STARTER */
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
    /* BEGIN SOLUTION */
    if (want == 0) { /* stop watching: the last entry takes its place */
        if (i >= 0)
            c->pfds[i] = c->pfds[--c->npfds];
        return 0;
    }
    if (i >= 0) {
        c->pfds[i].events = want;
        return 0;
    }
    if (c->npfds == c->pfds_cap) {
        size_t cap = c->pfds_cap ? 2 * c->pfds_cap : 16;
        struct pollfd *p = realloc(c->pfds, cap * sizeof *p);
        if (!p)
            return -ENOMEM;
        c->pfds = p;
        c->pfds_cap = cap;
    }
    c->pfds[c->npfds++] = (struct pollfd){.fd = fd, .events = want};
    return 0;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO C1: want == 0: remove fd's entry (if any) from pfds.  Otherwise
     * update its entry's events, or append {fd, want} (growing pfds as the
     * heap grows). */
    (void)c, (void)i, (void)want;
    return -ENOSYS;
#endif /* END STARTER */
}

int ex07_io_wait(void *self, int64_t timeout_ns, rt_io_event *out, int max)
{
    core *c = self;
    /* BEGIN SOLUTION */
    /* poll counts milliseconds: round up, so that we never wake before a
     * timer is due only to find nothing to do and wait again. */
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int n = poll(c->pfds, (nfds_t)c->npfds, ms);
    if (n < 0)
        return -errno;
    int k = 0;
    for (size_t i = 0; i < c->npfds && k < max; i++) {
        short r = c->pfds[i].revents;
        if (r == 0)
            continue;
        out[k].fd = c->pfds[i].fd;
        out[k].events = (r & POLLIN ? RT_IO_READ : 0) |
                        (r & POLLOUT ? RT_IO_WRITE : 0) |
                        (r & (POLLERR | POLLHUP | POLLNVAL) ? RT_IO_ERROR : 0);
        k++;
    }
    return k;
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO C2: poll(c->pfds, c->npfds, ms) with timeout_ns in whole
     * milliseconds (-1 stays -1; round up), then one event per entry
     * whose revents is not 0 (at most `max`): POLLIN -> RT_IO_READ,
     * POLLOUT -> RT_IO_WRITE, POLLERR/POLLHUP/POLLNVAL -> RT_IO_ERROR. */
    (void)c, (void)timeout_ns, (void)out, (void)max;
    return -ENOSYS;
#endif /* END STARTER */
}

/* ----------------------------------------------- Part D: fan out, gather */

int ex07_fanout(rt_task *t)
{
    ex07_fanout_frame *f = rt_frame(t);
    long sum = 0; /* a C local: used only after the await, never across it */
    /* Everything kept across the await lives in *f: C locals do not
     * survive it (the function returns to the loop at RT_AWAIT). */
    RT_BEGIN(t);
    /* BEGIN SOLUTION */
    for (int i = 0; i < f->n; i++) {
        ex07_child_frame kid = {f->sleep_ns, i + 1};
        f->kids[i] = rt_spawn(rt_task_loop(t), ex07_child, &kid, sizeof kid);
        if (!f->kids[i]) {
            for (int j = 0; j < i; j++) {
                rt_task_cancel(f->kids[j]);
                rt_task_release(f->kids[j]);
            }
            RT_RETURN(t, -ENOMEM);
        }
    }
    RT_AWAIT(t, rt_async_gather(t, f->kids, (size_t)f->n));
    for (int i = 0; i < f->n; i++) {
        sum += rt_task_result(f->kids[i]);
        rt_task_release(f->kids[i]);
    }
    if (t->awaited < 0)
        RT_RETURN(t, t->awaited);
    RT_END(t, sum);
    /* END SOLUTION */
#if 0  /* BEGIN STARTER */
    /* TODO D1: spawn every child first (rt_spawn with ex07_child and an
     * ex07_child_frame), keeping each in f->kids; then
     * RT_AWAIT(t, rt_async_gather(...)); then add up rt_task_result() of
     * each into sum and release it.  RT_END(t, result) ends the task. */
    (void)f;
    RT_END(t, sum ? sum : -ENOSYS);
#endif /* END STARTER */
}
