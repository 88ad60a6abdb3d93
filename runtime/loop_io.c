/*
 * loop_io.c - tasks waiting on file descriptors.
 *
 * A task that wants to read a socket asks the loop to wake it when the
 * socket is readable; the loop adds the fd to what the core watches
 * (epoll), and when the kernel reports the fd ready, the task's step is
 * queued.  Two design points, both borrowed from libuv:
 *
 *   - Change the kernel's interest lazily.  When a reader is woken we do not
 *     remove the fd from epoll at once: nearly always the task reads and
 *     comes straight back to wait on the same fd, and an epoll_ctl pair per
 *     read would cost more than the read.  Only if the fd fires while nobody
 *     waits for it do we narrow the interest (one wasted wake-up instead of
 *     two system calls per wait).
 *
 *   - Do the I/O for the task.  rt_async_read first simply tries read(2);
 *     only on EAGAIN does it wait, and when the fd is ready the loop does the
 *     read before waking the task, so the task resumes with the byte count,
 *     as with a completion API (io_uring, IOCP).  If the read still finds
 *     nothing (another reader was first), the task keeps waiting.
 *
 * One reader and one writer per fd at a time, as asyncio's add_reader
 * allows one callback per fd: a second waiter gets -EBUSY.
 *
 * Limit: closing an fd a task is waiting on is the caller's mistake (the
 * kernel drops it from epoll silently and the task is never woken): cancel
 * the task first, as with asyncio's remove_reader.
 */
#include "loop_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rt__fdw {
    rt__task *reader, *writer;
    unsigned watched; /* what the core watches this fd for (RT_IO_*) */
    unsigned empty;   /* RT_IO_READ: the last read was short; RT_IO_WRITE:
                         the last write was (see S_async_io) */
};

enum { S_OP_READY, S_OP_READ, S_OP_WRITE };

/* Makes room in the fd table for fd.  0 or -ENOMEM. */
static int S_grow(rt_loop *l, int fd)
{
    if (fd < l->nfds)
        return 0;
    int n = l->nfds ? l->nfds : 64;
    while (n <= fd)
        n *= 2;
    struct rt__fdw *f = realloc(l->fds, (size_t)n * sizeof *f);
    if (!f)
        return -ENOMEM;
    memset(f + l->nfds, 0, (size_t)(n - l->nfds) * sizeof *f);
    l->fds = f;
    l->nfds = n;
    return 0;
}

/* Suspends the running task t until fd is ready for `dir` (RT_IO_READ or
 * RT_IO_WRITE), then does `op`.  Returns RT_SUSPENDED, or 0 with the error
 * in t->pub.awaited. */
static int S_wait_fd(rt__task *t, int fd, unsigned dir, int op, void *buf, size_t len)
{
    rt_loop *l = t->loop;
    int rc = fd < 0 ? -EBADF : S_grow(l, fd);
    if (rc < 0) {
        t->pub.awaited = rc;
        return 0;
    }
    struct rt__fdw *w = &l->fds[fd];
    rt__task **slot = dir == RT_IO_READ ? &w->reader : &w->writer;
    if (*slot) {
        t->pub.awaited = -EBUSY;
        return 0;
    }
    if (!(w->watched & dir)) {
        rc = l->core->io_watch(l->cs, fd, w->watched, w->watched | dir);
        if (rc < 0) {
            t->pub.awaited = rc;
            return 0;
        }
        w->watched |= dir;
    }
    *slot = t;
    t->on.io.fd = fd;
    t->on.io.op = op;
    t->on.io.buf = buf;
    t->on.io.len = len;
    if (++l->stats.fds_waiting > l->stats.max_fds_waiting)
        l->stats.max_fds_waiting = l->stats.fds_waiting;
    rt__task_suspend(t, RT__W_IO);
    return RT_SUSPENDED;
}

int rt_async_readable(rt_task *pt, int fd)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    t->pub.awaited = 0;
    return S_wait_fd(t, fd, RT_IO_READ, S_OP_READY, NULL, 0);
}

int rt_async_writable(rt_task *pt, int fd)
{
    rt__task *t = rt__task_of(pt);
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    t->pub.awaited = 0;
    return S_wait_fd(t, fd, RT_IO_WRITE, S_OP_READY, NULL, 0);
}

/* read(2) or write(2) once, retrying on EINTR.  Returns the count or -errno. */
static ssize_t S_do_io(int op, int fd, void *buf, size_t len)
{
    ssize_t n;
    do
        n = op == S_OP_READ ? read(fd, buf, len) : write(fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

/* Remembers whether the last read (write) on fd came back short: then the
 * kernel's buffer is empty (full), and the next attempt would only find
 * EAGAIN. */
static void S_note(rt_loop *l, int fd, unsigned dir, ssize_t n, size_t len)
{
    if (fd < 0 || fd >= l->nfds)
        return;
    if (n >= 0 && (size_t)n < len)
        l->fds[fd].empty |= dir;
    else
        l->fds[fd].empty &= ~dir;
}

/* Tries the I/O at once, unless the last one on this fd came back short:
 * then it waits for readiness first, as libuv does, which spares a read
 * that would find nothing (two system calls per echo round trip). */
static int S_async_io(rt__task *t, int op, int fd, void *buf, size_t len)
{
    int rc = rt__await_begin(t);
    if (rc <= 0)
        return rc;
    rt_loop *l = t->loop;
    unsigned dir = op == S_OP_READ ? RT_IO_READ : RT_IO_WRITE;
    if (fd >= 0 && fd < l->nfds && (l->fds[fd].empty & dir))
        return S_wait_fd(t, fd, dir, op, buf, len);
    ssize_t n = S_do_io(op, fd, buf, len);
    if (n != -EAGAIN && n != -EWOULDBLOCK) { /* done now: no wait needed */
        S_note(l, fd, dir, n, len);
        t->pub.awaited = n;
        return 0;
    }
    return S_wait_fd(t, fd, dir, op, buf, len);
}

int rt_async_read(rt_task *t, int fd, void *buf, size_t len)
{
    return S_async_io(rt__task_of(t), S_OP_READ, fd, buf, len);
}

int rt_async_write(rt_task *t, int fd, const void *buf, size_t len)
{
    return S_async_io(rt__task_of(t), S_OP_WRITE, fd, (void *)buf, len);
}

/* The fd of *slot's task is ready: do its I/O and wake it, or leave it
 * waiting if the I/O would still block. */
static void S_ready(rt_loop *l, rt__task **slot)
{
    rt__task *t = *slot;
    long outcome = 0;
    if (t->on.io.op != S_OP_READY) {
        outcome = S_do_io(t->on.io.op, t->on.io.fd, t->on.io.buf, t->on.io.len);
        if (outcome == -EAGAIN || outcome == -EWOULDBLOCK)
            return; /* spurious: keep waiting */
        S_note(l, t->on.io.fd,
               slot == &l->fds[t->on.io.fd].reader ? RT_IO_READ : RT_IO_WRITE, outcome,
               t->on.io.len);
    }
    *slot = NULL;
    l->stats.fds_waiting--;
    rt__task_wake(t, outcome);
}

/* Wakes the tasks whose fds the core reported ready, and narrows the
 * interest of fds that fired with nobody waiting (see the essay). */
void rt__io_dispatch(rt_loop *l, const rt_io_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        int fd = ev[i].fd;
        assert(fd >= 0 && fd < l->nfds);
        struct rt__fdw *w = &l->fds[fd];
        unsigned fired =
            ev[i].events & RT_IO_ERROR ? RT_IO_READ | RT_IO_WRITE : ev[i].events;
        unsigned wanted = (w->reader ? RT_IO_READ : 0) | (w->writer ? RT_IO_WRITE : 0);
        w->empty &= ~fired; /* the kernel says there is something now */
        if (fired & RT_IO_READ && w->reader)
            S_ready(l, &w->reader);
        if (fired & RT_IO_WRITE && w->writer)
            S_ready(l, &w->writer);
        unsigned stale = fired & w->watched & ~wanted;
        if (stale) {
            unsigned keep = w->watched & ~stale;
            if (l->core->io_watch(l->cs, fd, w->watched, keep) == 0)
                w->watched = keep;
            else
                w->watched = 0; /* the fd is gone (closed): forget it */
        }
    }
}

/* t (waiting on an fd) is cancelled: stop waiting; the interest stays and
 * is narrowed lazily. */
void rt__io_forget(rt__task *t)
{
    rt_loop *l = t->loop;
    struct rt__fdw *w = &l->fds[t->on.io.fd];
    if (w->reader == t)
        w->reader = NULL;
    else if (w->writer == t)
        w->writer = NULL;
    else
        assert(0 && "task not waiting on its fd");
    l->stats.fds_waiting--;
}

/* rt_loop_close: the epoll instance goes with the core; drop the table. */
void rt__io_close(rt_loop *l)
{
    free(l->fds);
    l->fds = NULL;
    l->nfds = 0;
}
