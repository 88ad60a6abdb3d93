/*
 * io.c - blocking calls that let go of the GIL while they wait.
 *
 * This is what makes threads useful for I/O under a GIL: a thread about to
 * block in the kernel drops the GIL first (Py_BEGIN_ALLOW_THREADS in every
 * CPython socket and file call), so the other threads run meanwhile, and
 * takes it again when the call returns.  Ten threads each waiting 200 ms
 * then finish in about 200 ms, not two seconds.
 *
 * Each wrapper retries on EINTR (a signal handler ran; the call did not
 * fail) and returns the call's result or a negative errno, libuv style.
 * errno is read before the GIL is retaken: taking it makes system calls of
 * its own that may change errno.
 */
#include "rt_internal.h"

#include <errno.h>
#include <unistd.h>

int rt_sleep_us(long us)
{
    if (us < 0)
        return -EINVAL;
    /* An absolute deadline: an interrupted sleep resumes with the time left,
     * not the whole time again. */
    struct timespec deadline = rt__deadline_after_us(us);
    int err;
    RT_BEGIN_ALLOW_THREADS
    do
        err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
    while (err == EINTR);
    RT_END_ALLOW_THREADS
    return -err;
}

// [blocking-call]
/* One shape for every fd call: release, call until not EINTR, retake. */
#define S_BLOCKING_CALL(type, call)                                                    \
    type rc;                                                                           \
    int err = 0;                                                                       \
    RT_BEGIN_ALLOW_THREADS                                                             \
    do                                                                                 \
        rc = (call);                                                                   \
    while (rc < 0 && errno == EINTR);                                                  \
    if (rc < 0)                                                                        \
        err = errno;                                                                   \
    RT_END_ALLOW_THREADS                                                               \
    return rc < 0 ? -err : rc

ssize_t rt_read(int fd, void *buf, size_t len)
{
    S_BLOCKING_CALL(ssize_t, read(fd, buf, len));
}

ssize_t rt_write(int fd, const void *buf, size_t len)
{
    S_BLOCKING_CALL(ssize_t, write(fd, buf, len));
}

ssize_t rt_send(int fd, const void *buf, size_t len, int flags)
{
    S_BLOCKING_CALL(ssize_t, send(fd, buf, len, flags));
}

ssize_t rt_recv(int fd, void *buf, size_t len, int flags)
{
    S_BLOCKING_CALL(ssize_t, recv(fd, buf, len, flags));
}
// [end]

int rt_accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
    S_BLOCKING_CALL(int, accept(fd, addr, addrlen));
}

/* connect is special: after EINTR the connection goes on in the background,
 * and calling connect again fails with EALREADY.  Wait for it with poll and
 * read the outcome from SO_ERROR, as CPython's sock_connect does. */
#include <poll.h>
int rt_connect(int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    int rc, err = 0;
    RT_BEGIN_ALLOW_THREADS
    rc = connect(fd, addr, addrlen);
    if (rc < 0 && errno == EINTR) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        while ((rc = poll(&p, 1, -1)) < 0 && errno == EINTR) {
        }
        socklen_t len = sizeof err;
        if (rc >= 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0)
            rc = err ? -1 : 0;
        else
            err = errno;
    } else if (rc < 0) {
        err = errno;
    }
    RT_END_ALLOW_THREADS
    return rc < 0 ? -err : 0;
}
