/*
 * pool_worker.c - the worker side of the process pool: the task registry,
 * the spawn guard, and the loop a worker runs.
 *
 * A worker is a plain single-threaded loop: read task frames from its
 * socket, run each item, append a result to an output buffer, and write the
 * buffer back.  The one rule that keeps it from deadlocking with the parent
 * is: never block reading while holding unsent results.  The parent may be
 * waiting for exactly those results before it sends more work.
 *
 * Batching is where the speed comes from.  The parent sends many small
 * frames at once; the worker reads all it can in one read(), runs them, and
 * answers in one write().  So at chunksize 1 a task costs a few hundred
 * nanoseconds of encoding and bookkeeping, not two system calls and two
 * context switches.  The limit on batching is latency: results of a slow
 * task should not wait for the rest of the batch, so the buffer is also
 * flushed once its oldest result is RT__FLUSH_NS old.
 */
#include "pool_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define S_MAX_TASKS  256
#define S_READ_MIN   (256 * 1024)
#define RT__FLUSH_NS 500000 /* flush results older than 0.5 ms */

static struct {
    char name[RT__TASK_NAME_MAX];
    size_t len;
    rt_pool_fn fn;
} S_tasks[S_MAX_TASKS];
static int S_ntasks;
static int S_in_worker; /* set in a worker process (fork or spawn) */

/* ------------------------------------------------------------ registry */

int rt_pool_register(const char *name, rt_pool_fn fn)
{
    if (!name || !fn || !*name)
        return -EINVAL;
    size_t len = strlen(name);
    if (len >= RT__TASK_NAME_MAX)
        return -ENAMETOOLONG;
    if (rt__pool_fn_lookup(name, len))
        return -EEXIST;
    if (S_ntasks == S_MAX_TASKS)
        return -ENOSPC;
    memcpy(S_tasks[S_ntasks].name, name, len + 1);
    S_tasks[S_ntasks].len = len;
    S_tasks[S_ntasks].fn = fn;
    S_ntasks++;
    return 0;
}

/* Finds a task by name (not NUL-terminated: it points into a frame).
 * Registration happens at start-up, before any pool thread exists, so
 * lookups need no lock. */
rt_pool_fn rt__pool_fn_lookup(const char *name, size_t len)
{
    for (int i = 0; i < S_ntasks; i++)
        if (S_tasks[i].len == len && memcmp(S_tasks[i].name, name, len) == 0)
            return S_tasks[i].fn;
    return NULL;
}

int rt__pool_in_worker(void)
{
    return S_in_worker;
}

/* ------------------------------------------------------------ buffers */

int rt__buf_reserve(rt__buf *b, size_t n)
{
    if (b->cap - b->len >= n)
        return 0;
    if (b->off > 0 && b->off >= b->len / 2) {
        rt__buf_compact(b);
        if (b->cap - b->len >= n)
            return 0;
    }
    size_t cap = b->cap ? b->cap * 2 : 4096;
    if (cap < b->len + n)
        cap = b->len + n;
    uint8_t *d = realloc(b->data, cap);
    if (!d)
        return -ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

void rt__buf_compact(rt__buf *b)
{
    if (b->off == 0)
        return;
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
}

void rt__buf_free(rt__buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ the loop */

/* read / write that release the GIL if this thread holds it (rt_read).  A
 * fork worker whose parent forked from an unattached thread while the
 * runtime ran cannot attach (the GIL's holder does not exist here); it runs
 * unattached and uses the plain calls. */
static ssize_t S_read_fd(int fd, void *buf, size_t len)
{
    if (rt_holds_gil())
        return rt_read(fd, buf, len);
    ssize_t n;
    while ((n = read(fd, buf, len)) < 0 && errno == EINTR) {
    }
    return n < 0 ? -errno : n;
}

static ssize_t S_write_fd(int fd, const void *buf, size_t len)
{
    if (rt_holds_gil())
        return rt_write(fd, buf, len);
    ssize_t n;
    while ((n = write(fd, buf, len)) < 0 && errno == EINTR) {
    }
    return n < 0 ? -errno : n;
}

/* Writes all of out to fd.  0 or -errno. */
static int S_flush(int fd, rt__buf *out)
{
    while (out->off < out->len) {
        ssize_t n = S_write_fd(fd, out->data + out->off, out->len - out->off);
        if (n < 0)
            return (int)n;
        out->off += (size_t)n;
    }
    out->off = out->len = 0;
    return 0;
}

/* Appends one item's result record (rc, length, bytes). */
static int S_put_item(rt__buf *out, int32_t rc, const void *data, size_t len)
{
    if (rt__buf_reserve(out, 8 + len) < 0)
        return -ENOMEM;
    rt__put32(out->data + out->len, (uint32_t)rc);
    rt__put32(out->data + out->len + 4, (uint32_t)len);
    if (len)
        memcpy(out->data + out->len + 8, data, len);
    out->len += 8 + len;
    return 0;
}

/* One item on its way through a frame's three phases. */
typedef struct S_item {
    const uint8_t *arg; /* its encoded argument, inside the frame */
    size_t alen;
    int rc;      /* 0 so far, or why it failed */
    rt_value *v; /* the argument, then the result */
    char *msg;   /* a decode error's text (owned) */
} S_item;

/* Appends an item's error record: "task ... failed ..." and friends. */
static int S_put_error(rt__buf *out, const S_item *it, const char *name, int index)
{
    char msg[512];
    int n;
    if (it->rc == -ENOENT && !it->msg)
        n = snprintf(
            msg, sizeof msg,
            "task '%s' is not registered in worker %d (pid %d): register tasks "
            "before rt_pool_worker_guard() and before creating the pool",
            name, index, (int)getpid());
    else if (it->msg)
        n = snprintf(msg, sizeof msg, "worker %d: %s", index, it->msg);
    else
        n = snprintf(msg, sizeof msg, "task '%s' failed in worker %d: error %d (%s)",
                     name, index, it->rc, strerror(-it->rc));
    return S_put_item(out, it->rc, msg,
                      (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
}

/* Appends an item's result record: the encoded result, or an error. */
static int S_put_result(rt__buf *out, S_item *it, const char *name, int index)
{
    if (it->rc == 0) {
        long long size = rt_codec_size(it->v);
        if (size >= 0 && size <= UINT32_MAX) {
            if (rt__buf_reserve(out, 8 + (size_t)size) < 0)
                return -ENOMEM;
            long long w =
                rt_codec_encode_into(it->v, out->data + out->len + 8, (size_t)size);
            assert(w == size);
            (void)w;
            rt__put32(out->data + out->len, 0);
            rt__put32(out->data + out->len + 4, (uint32_t)size);
            out->len += 8 + (size_t)size;
            return 0;
        }
        it->rc = size < 0 ? (int)size : -E2BIG;
        char buf[200];
        snprintf(buf, sizeof buf,
                 "task '%s' returned a result the codec cannot encode: %s", name,
                 strerror(-it->rc));
        it->msg = strdup(buf);
    }
    return S_put_error(out, it, name, index);
}

/* Runs one task frame (body: after the length field) and appends its
 * result frame.  Three phases, each over every item of the frame: decode
 * the arguments, run the task, encode the results.  Timing whole phases
 * (four clock reads a frame) rather than each item keeps the measuring
 * from costing more than the codec it measures.  *now is the clock at the
 * end.  Returns 0, -ENOMEM, or -EPROTO for a frame that does not parse
 * (the parent is broken or not a pool: the worker gives up). */
static int S_run_frame(const uint8_t *p, size_t len, int index, rt__buf *out,
                       uint64_t *now)
{
    if (len < 9 || len < 5u + p[4] + 4u)
        return -EPROTO;
    uint32_t seq = rt__get32(p);
    size_t nlen = p[4];
    uint32_t count = rt__get32(p + 5 + nlen);
    const uint8_t *q = p + 9 + nlen, *end = p + len;
    char name[RT__TASK_NAME_MAX];
    snprintf(name, sizeof name, "%.*s", (int)nlen, (const char *)p + 5);
    rt_pool_fn fn = rt__pool_fn_lookup(name, nlen);
    if (count > len / 4)
        return -EPROTO; /* each item takes at least its length field */
    S_item stack[16], *items = count <= 16 ? stack : calloc(count, sizeof *items);
    if (!items)
        return -ENOMEM;
    for (uint32_t i = 0; i < count; i++) {
        if (end - q < 4 || (size_t)(end - q - 4) < rt__get32(q)) {
            if (items != stack)
                free(items);
            return -EPROTO;
        }
        items[i] = (S_item){q + 4, rt__get32(q), fn ? 0 : -ENOENT, NULL, NULL};
        q += 4 + items[i].alen;
    }
    if (q != end) {
        if (items != stack)
            free(items);
        return -EPROTO;
    }
    char err[256];
    uint64_t t0 = rt_now_ns();
    for (uint32_t i = 0; i < count; i++) { /* 1. decode */
        if (items[i].rc == 0 &&
            (items[i].rc = rt_codec_decode(items[i].arg, items[i].alen, &items[i].v,
                                           err, sizeof err)) < 0)
            items[i].msg = strdup(err);
    }
    uint64_t t1 = rt_now_ns();
    for (uint32_t i = 0; i < count; i++) { /* 2. run */
        if (items[i].rc != 0)
            continue;
        rt_value *res = NULL;
        int rc = fn(items[i].v, &res);
        rt_value_free(items[i].v);
        items[i].v = res;
        if (rc != 0) {
            items[i].rc = rc > 0 ? -rc : rc;
            rt_value_free(res);
            items[i].v = NULL;
        }
    }
    uint64_t t2 = rt_now_ns();
    int rc = rt__buf_reserve(out, RT__RESULT_HDR);
    size_t hdr = out->len;
    if (rc == 0)
        out->len += RT__RESULT_HDR;
    for (uint32_t i = 0; i < count; i++) { /* 3. encode */
        if (rc == 0)
            rc = S_put_result(out, &items[i], name, index);
        rt_value_free(items[i].v);
        free(items[i].msg);
    }
    if (items != stack)
        free(items);
    if (rc < 0)
        return rc;
    *now = rt_now_ns();
    uint8_t *h = out->data + hdr;
    rt__put32(h, (uint32_t)(out->len - hdr - 4));
    rt__put32(h + 4, seq);
    rt__put32(h + 8, count);
    rt__put64(h + 12, (t1 - t0) + (*now - t2));
    rt__put64(h + 20, t2 - t1);
    return 0;
}

int rt__pool_worker_main(int fd, int index)
{
    rt__buf in = {0}, out = {0};
    int status = 0;
    S_in_worker = 1;
    /* Hello: an empty result frame saying "serving". */
    if (rt__buf_reserve(&out, RT__RESULT_HDR) < 0)
        return 4;
    memset(out.data, 0, RT__RESULT_HDR);
    rt__put32(out.data, RT__RESULT_HDR - 4);
    rt__put32(out.data + 4, RT__HELLO_SEQ);
    out.len = RT__RESULT_HDR;
    uint64_t oldest = rt_now_ns();

    for (;;) {
        size_t avail = in.len - in.off, need;
        if (avail >= 4 && avail - 4 >= rt__get32(in.data + in.off)) {
            size_t flen = rt__get32(in.data + in.off);
            uint64_t now = 0, empty = out.len == 0;
            int rc = S_run_frame(in.data + in.off + 4, flen, index, &out, &now);
            if (rc < 0) {
                fprintf(stderr, "rt_pool: worker %d: %s; exiting\n", index,
                        rc == -EPROTO ? "malformed task frame from the parent"
                                      : strerror(-rc));
                status = 3;
                break;
            }
            in.off += 4 + flen;
            if (empty)
                oldest = now; /* about when the first unsent result was made */
            if (out.len > S_READ_MIN || now - oldest > RT__FLUSH_NS) {
                if (S_flush(fd, &out) < 0)
                    break; /* the parent is gone: nobody to answer */
            }
            continue;
        }
        need = avail >= 4 ? 4 + rt__get32(in.data + in.off) - avail : 4 - avail;
        /* Never block on read while holding results: the parent may be
         * waiting for them before it sends more. */
        if (out.len && S_flush(fd, &out) < 0)
            break;
        rt__buf_compact(&in);
        if (rt__buf_reserve(&in, need > S_READ_MIN ? need : S_READ_MIN) < 0) {
            status = 4;
            break;
        }
        ssize_t n = S_read_fd(fd, in.data + in.len, in.cap - in.len);
        if (n < 0) {
            status = n == -ECONNRESET ? 0 : 3;
            break;
        }
        if (n == 0) { /* the parent shut the pool down (or died) */
            if (avail) {
                fprintf(stderr, "rt_pool: worker %d: torn frame at end of input\n",
                        index);
                status = 3;
            }
            break;
        }
        in.len += (size_t)n;
    }
    rt__buf_free(&in);
    rt__buf_free(&out);
    return status;
}

/* ------------------------------------------------------------ the guard */

int rt_pool_worker_guard(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const char *marker = getenv(RT__WORKER_ENV);
    if (!marker)
        return 0; /* a normal run: "__main__" */
    int fd = -1, index = -1;
    if (sscanf(marker, "fd=%d,index=%d", &fd, &index) != 2 || fd < 3 || index < 0) {
        fprintf(stderr, "rt_pool: bad %s=%s in the environment\n", RT__WORKER_ENV,
                marker);
        exit(2);
    }
    /* Forget the marker so programs the tasks may run do not inherit it;
     * S_in_worker now stops this process from starting pools. */
    unsetenv(RT__WORKER_ENV);
    S_in_worker = 1;
    int started = 0;
    if (!rt_current()) {
        int rc = rt_init(NULL);
        if (rc < 0 && rc != -EALREADY) {
            fprintf(stderr, "rt_pool: worker %d: rt_init: %s\n", index, strerror(-rc));
            exit(4);
        }
        started = rc == 0;
    }
    int status = rt__pool_worker_main(fd, index);
    close(fd);
    if (started)
        rt_fini();
    if (status != 0)
        exit(status);
    return 1;
}
