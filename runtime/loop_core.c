/*
 * loop_core.c - the event loop's built-in core: timer heap, ready queue,
 * epoll.
 *
 * These are the three data structures exercise 07 asks a learner to build
 * (rt_loop.h, "The loop core").  Each is the textbook one, chosen for the
 * cost the loop pays per operation:
 *
 *   Timers: a min-heap in an array (4-ary, see S_D), keyed by (deadline,
 *     seq).  Push and pop are O(log n), peek is O(1).  Each entry holds its
 *     key and its (callback, argument) by value, so sifting through a heap
 *     of a million timers compares neighbouring memory instead of chasing a
 *     pointer per comparison.  The sequence number makes the order total:
 *     two timers due at the same nanosecond fire in the order they were
 *     scheduled.  asyncio does not promise that: its TimerHandles compare
 *     by `when` alone (Lib/asyncio/events.py, 3.11) and heapq is not
 *     stable, so call_at twice with one `when` may run the second first,
 *     which its documentation calls undefined.  libuv keeps the same
 *     order with a pointer-linked heap, which can remove from the middle; we
 *     do not need that, as cancellation is lazy (see loop.c).
 *
 *   Ready queue: a ring buffer of (callback, argument) pairs that doubles
 *     when full.  No allocation per callback, FIFO by construction.
 *
 *   Readiness: epoll, level-triggered.  The loop tells the core what each
 *     fd is watched for (io_watch) only when that changes, so a task that
 *     reads a socket in a loop costs no epoll_ctl per read.  Timeouts are
 *     given in nanoseconds to epoll_pwait2 (Linux 5.11); on an older kernel
 *     we fall back to epoll_wait's milliseconds, rounded up so that we never
 *     wake before a timer is due and spin.
 *
 * Limit: epoll is Linux's.  A kqueue or poll(2) core would fill the same
 * two io_ slots.
 */
#include "loop_internal.h" /* RT__LOOP_EVENTS */

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

typedef struct S_ready {
    rt_callback cb;
    void *arg;
} S_ready;

typedef struct S_core {
    rt_timer_entry *heap; /* heap[0] is the earliest */
    size_t n, cap;
    S_ready *ring; /* ring[(head + i) & (ring_cap - 1)], i < ring_n */
    size_t head, ring_n, ring_cap;
    int epfd;
    int no_pwait2; /* the kernel lacks epoll_pwait2 */
    struct epoll_event evs[RT__LOOP_EVENTS];
} S_core;

/* ---------------------------------------------------------------- heap */

/* Strict order on (deadline, seq): seq is unique, so never equal. */
static inline int S_before(const rt_timer_entry *a, const rt_timer_entry *b)
{
    return a->deadline_ns < b->deadline_ns ||
           (a->deadline_ns == b->deadline_ns && a->seq < b->seq);
}

/* The heap is 4-ary: node i's children are 4i+1 .. 4i+4.  Half the depth
 * of a binary heap, and the four children of a node sit side by side in
 * memory, so a pop through a million timers touches about half as many
 * cache lines.  (With D = 2 this is the textbook binary heap.) */
#define S_D 4

/* Moves heap[i] up until its parent is earlier. */
static void S_sift_up(rt_timer_entry *h, size_t i)
{
    rt_timer_entry e = h[i];
    while (i > 0) {
        size_t parent = (i - 1) / S_D;
        if (!S_before(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

/* Moves heap[i] down until every child is later. */
static void S_sift_down(rt_timer_entry *h, size_t n, size_t i)
{
    rt_timer_entry e = h[i];
    for (;;) {
        size_t first = S_D * i + 1, best = first;
        if (first >= n)
            break;
        size_t end = first + S_D < n ? first + S_D : n;
        for (size_t c = first + 1; c < end; c++)
            if (S_before(&h[c], &h[best]))
                best = c;
        if (!S_before(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static int S_timer_push(void *self, const rt_timer_entry *e)
{
    S_core *c = self;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        rt_timer_entry *h = realloc(c->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        c->heap = h;
        c->cap = cap;
    }
    c->heap[c->n] = *e;
    S_sift_up(c->heap, c->n++);
    return 0;
}

static int S_timer_peek(void *self, rt_timer_entry *out)
{
    S_core *c = self;
    if (c->n == 0)
        return 0;
    *out = c->heap[0];
    return 1;
}

static int S_timer_pop(void *self, rt_timer_entry *out)
{
    S_core *c = self;
    if (c->n == 0)
        return 0;
    *out = c->heap[0];
    c->heap[0] = c->heap[--c->n];
    if (c->n > 1)
        S_sift_down(c->heap, c->n, 0);
    return 1;
}

static size_t S_timer_count(void *self)
{
    return ((S_core *)self)->n;
}

/* Keeps the entries keep() accepts, then rebuilds the heap bottom-up
 * (Floyd's method: O(n), cheaper than n pushes). */
static void S_timer_compact(void *self, int (*keep)(const rt_timer_entry *, void *),
                            void *arg)
{
    S_core *c = self;
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++)
        if (keep(&c->heap[i], arg))
            c->heap[kept++] = c->heap[i];
    c->n = kept;
    for (size_t i = kept / S_D + 1; i-- > 0;)
        if (i < kept)
            S_sift_down(c->heap, kept, i);
}

/* ---------------------------------------------------------------- ready */

static int S_ready_push(void *self, rt_callback cb, void *arg)
{
    S_core *c = self;
    if (c->ring_n == c->ring_cap) {
        /* Double, unrolling the ring so the oldest entry lands at 0. */
        size_t cap = c->ring_cap ? 2 * c->ring_cap : 256;
        S_ready *r = malloc(cap * sizeof *r);
        if (!r)
            return -ENOMEM;
        for (size_t i = 0; i < c->ring_n; i++)
            r[i] = c->ring[(c->head + i) & (c->ring_cap - 1)];
        free(c->ring);
        c->ring = r;
        c->ring_cap = cap;
        c->head = 0;
    }
    S_ready *slot = &c->ring[(c->head + c->ring_n++) & (c->ring_cap - 1)];
    slot->cb = cb;
    slot->arg = arg;
    return 0;
}

static int S_ready_pop(void *self, rt_callback *cb, void **arg)
{
    S_core *c = self;
    if (c->ring_n == 0)
        return 0;
    S_ready *slot = &c->ring[c->head];
    *cb = slot->cb;
    *arg = slot->arg;
    c->head = (c->head + 1) & (c->ring_cap - 1);
    c->ring_n--;
    return 1;
}

static size_t S_ready_count(void *self)
{
    return ((S_core *)self)->ring_n;
}

/* ---------------------------------------------------------------- epoll */

static uint32_t S_to_epoll(unsigned ev)
{
    return (ev & RT_IO_READ ? EPOLLIN : 0) | (ev & RT_IO_WRITE ? EPOLLOUT : 0);
}

/* ADD, MOD or DEL as the change requires.  The loop's idea of what is
 * registered can be stale when a watched fd was closed and its number
 * reused (close() removes it from epoll behind our back), so a MOD that
 * finds nothing retries as ADD, and an ADD that finds one as MOD. */
static int S_io_watch(void *self, int fd, unsigned old_events, unsigned new_events)
{
    S_core *c = self;
    struct epoll_event ev = {.events = S_to_epoll(new_events), .data.fd = fd};
    if (new_events == 0) {
        if (epoll_ctl(c->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != ENOENT &&
            errno != EBADF)
            return -errno;
        return 0;
    }
    int op = old_events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(c->epfd, op, fd, &ev) == 0)
        return 0;
    if (op == EPOLL_CTL_MOD && errno == ENOENT)
        op = EPOLL_CTL_ADD;
    else if (op == EPOLL_CTL_ADD && errno == EEXIST)
        op = EPOLL_CTL_MOD;
    else
        return -errno;
    return epoll_ctl(c->epfd, op, fd, &ev) == 0 ? 0 : -errno;
}

static int S_io_wait(void *self, int64_t timeout_ns, rt_io_event *out, int max)
{
    S_core *c = self;
    if (max > RT__LOOP_EVENTS)
        max = RT__LOOP_EVENTS;
    int n = -1;
    if (!c->no_pwait2) {
        struct timespec ts = {(time_t)(timeout_ns / 1000000000),
                              (long)(timeout_ns % 1000000000)};
        n = epoll_pwait2(c->epfd, c->evs, max, timeout_ns < 0 ? NULL : &ts, NULL);
        if (n < 0 && errno == ENOSYS)
            c->no_pwait2 = 1;
    }
    if (c->no_pwait2) {
        int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        n = epoll_wait(c->epfd, c->evs, max, ms);
    }
    if (n < 0)
        return -errno;
    for (int i = 0; i < n; i++) {
        uint32_t e = c->evs[i].events;
        out[i].fd = c->evs[i].data.fd;
        out[i].events = (e & EPOLLIN ? RT_IO_READ : 0) |
                        (e & EPOLLOUT ? RT_IO_WRITE : 0) |
                        (e & (EPOLLERR | EPOLLHUP) ? RT_IO_ERROR : 0);
    }
    return n;
}

/* ---------------------------------------------------------------- life */

static void *S_create(void)
{
    S_core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (c->epfd < 0) {
        int e = errno;
        free(c);
        errno = e;
        return NULL;
    }
    return c;
}

static void S_destroy(void *self)
{
    S_core *c = self;
    close(c->epfd);
    free(c->heap);
    free(c->ring);
    free(c);
}

const rt_loop_core_ops rt_loop_core_builtin = {
    .name = "builtin",
    .create = S_create,
    .destroy = S_destroy,
    .timer_push = S_timer_push,
    .timer_peek = S_timer_peek,
    .timer_pop = S_timer_pop,
    .timer_count = S_timer_count,
    .timer_compact = S_timer_compact,
    .ready_push = S_ready_push,
    .ready_pop = S_ready_pop,
    .ready_count = S_ready_count,
    .io_watch = S_io_watch,
    .io_wait = S_io_wait,
};
