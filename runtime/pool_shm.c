/*
 * pool_shm.c - shared memory blocks: the fix for large arrays (rt_codec.h).
 *
 * Sending a 64 MiB array to a worker through the codec copies it four
 * times (encode, into the socket, out of it, decode) and back again for
 * the result.  A shared block is copied zero times: it is a memfd (an
 * anonymous file in RAM) that both processes map, and only a handle of 16
 * bytes crosses.  This is what multiprocessing.shared_memory and NumPy
 * arrays backed by it do in Python.
 *
 * The handle is the creator's pid and descriptor number.  A receiver opens
 * /proc/<pid>/fd/<fd>, which opens the same memfd, then maps it.  Limits:
 * Linux only; the creator must keep the block open until the receiver has
 * opened it; the receiver needs permission to look into the creator's
 * /proc entry (same user, not made undumpable), which a pool's parent and
 * its own workers always have.  Passing the descriptor itself over the
 * socket (SCM_RIGHTS) would lift the last two limits at the price of a
 * second channel beside the byte stream.
 */
#include "rt_internal.h" /* rt__shm_*, and rt_codec.h */

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct rt_shm {
    atomic_int refs; /* private: references (values and handles) */
    int fd;          /* private: the memfd (or the reopened /proc file) */
    pid_t origin;    /* private: the creator's pid, for the handle */
    int origin_fd;   /* private: the creator's fd number, for the handle */
    void *data;      /* private: the mapping */
    size_t size;     /* private */
};

static rt_shm *S_shm_wrap(int fd, size_t size, pid_t origin, int origin_fd)
{
    /* mmap of length 0 is an error; map one page so an empty block works. */
    void *data = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (data == MAP_FAILED)
        return NULL;
    rt_shm *shm = calloc(1, sizeof *shm);
    if (!shm) {
        munmap(data, size ? size : 1);
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&shm->refs, 1);
    shm->fd = fd;
    shm->origin = origin;
    shm->origin_fd = origin_fd;
    shm->data = data;
    shm->size = size;
    return shm;
}

rt_shm *rt_shm_create(size_t size)
{
    int fd = memfd_create("rt_shm", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, size ? (off_t)size : 1) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    rt_shm *shm = S_shm_wrap(fd, size, getpid(), fd);
    if (!shm) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return shm;
}

/* Opens a handle received from another process.  The creator's descriptor
 * is reachable as /proc/<pid>/fd/<fd>: opening that path opens the same
 * memfd.  The file is checked to hold at least `size` bytes, so a forged
 * handle cannot make us read past the end of a smaller file. */
rt_shm *rt__shm_open(pid_t pid, int fd, uint64_t size, int *rc, char *why, size_t len)
{
    char path[64], target[128];
    snprintf(path, sizeof path, "/proc/%u/fd/%d", (unsigned)pid, fd);
    /* Only a block made by rt_shm_create: a forged handle must not open
     * (read-write!) whatever other file that descriptor happens to be. */
    ssize_t tlen = readlink(path, target, sizeof target - 1);
    if (tlen >= 0)
        target[tlen] = 0;
    if (tlen >= 0 && strncmp(target, "/memfd:rt_shm", 13) != 0) {
        *rc = -EBADMSG;
        snprintf(why, len, "shared memory handle %s is not a shared block (it is %s)",
                 path, target);
        return NULL;
    }
    int mfd = open(path, O_RDWR | O_CLOEXEC);
    if (mfd < 0) {
        int e = errno;
        *rc = -e;
        snprintf(why, len,
                 "cannot open shared memory handle %s (%s): its creator must keep the "
                 "block until results are in",
                 path, strerror(e));
        return NULL;
    }
    off_t end = lseek(mfd, 0, SEEK_END);
    if (end < 0 || (uint64_t)end < (size ? size : 1) || size > SIZE_MAX) {
        close(mfd);
        *rc = -EBADMSG;
        snprintf(why, len,
                 "shared memory handle %s is smaller than the %llu bytes claimed", path,
                 (unsigned long long)size);
        return NULL;
    }
    rt_shm *shm = S_shm_wrap(mfd, (size_t)size, pid, fd);
    if (!shm) {
        int e = errno;
        close(mfd);
        *rc = -e;
        snprintf(why, len, "cannot map shared memory %s: %s", path, strerror(e));
    }
    return shm;
}

void *rt_shm_data(const rt_shm *shm)
{
    return shm ? shm->data : NULL;
}

size_t rt_shm_size(const rt_shm *shm)
{
    return shm ? shm->size : 0;
}

void rt_shm_free(rt_shm *shm)
{
    if (!shm || atomic_fetch_sub(&shm->refs, 1) != 1)
        return;
    munmap(shm->data, shm->size ? shm->size : 1);
    close(shm->fd);
    free(shm);
}

void rt__shm_ref(rt_shm *shm)
{
    atomic_fetch_add(&shm->refs, 1);
}

void rt__shm_handle(const rt_shm *shm, pid_t *pid, int *fd)
{
    *pid = shm->origin;
    *fd = shm->origin_fd;
}
