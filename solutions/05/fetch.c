/*
 * fetch.c - exercise 05, reference solution: a fetcher that lets go of the
 * GIL while it waits.
 *
 *   Part A  ex05_fetch      one request: connect, send, recv until closed
 *   Part B  ex05_parse      the reply's body, as Python code (holding the GIL)
 *   Part C  ex05_pool_run   a pool of k threads taking tasks from a counter
 *   Part D  ex05_fetch_all  A and B on C: ThreadPoolExecutor.map(fetch, urls)
 */
#include "ex05.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

/* ------------------------------------------------------------ Part A */

/* Sends all of buf[0..len), however few bytes each send takes.
 * Returns 0 or a negative errno.  Holding the GIL; rt_send lets go of it. */
static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = rt_send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0)
            return (int)n;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads until the peer closes, into a buffer that grows as needed.
 * Returns the byte count and sets *out (caller frees), or a negative errno
 * (*out NULL).  Gives up with -EMSGSIZE past `most` bytes. */
static ssize_t recv_all(int fd, char **out, size_t most)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t rc;
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap) {
            if (cap > most) {
                rc = -EMSGSIZE;
                goto fail;
            }
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                rc = -ENOMEM;
                goto fail;
            }
            buf = bigger;
            cap *= 2;
        }
        /* recv returns what has arrived so far: often less than asked. */
        ssize_t n = rt_recv(fd, buf + len, cap - len, 0);
        if (n < 0) {
            rc = n;
            goto fail;
        }
        if (n == 0)
            break; /* the server closed: the reply is all here */
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = buf;
    return (ssize_t)len;
fail:
    free(buf);
    *out = NULL;
    return rc;
}

/* Splits raw[0..len) "OK <n>\n<body>" into the body's offset and length.
 * Returns 0, -EPROTO or -EMSGSIZE. */
static int split_reply(const char *raw, size_t len, size_t *off, size_t *body_len)
{
    const char *nl = memchr(raw, '\n', len < 32 ? len : 32);
    if (!nl || len < 4 || memcmp(raw, "OK ", 3) != 0 || nl == raw + 3)
        return -EPROTO;
    uint64_t n = 0;
    for (const char *p = raw + 3; p < nl; p++) {
        if (*p < '0' || *p > '9' || n > EX05_MAX_BODY)
            return -EPROTO;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (n > EX05_MAX_BODY)
        return -EMSGSIZE;
    *off = (size_t)(nl + 1 - raw);
    if (len - *off != n) /* closed early, or sent too much */
        return -EPROTO;
    *body_len = (size_t)n;
    return 0;
}

int ex05_fetch(const ex05_request *req, ex05_reply *out)
{
    char *raw = NULL, line[300];
    size_t off = 0, body_len = 0;
    int rc;
    *out = (ex05_reply){NULL, 0};
    int n = snprintf(line, sizeof line, "GET %s\n", req->path);
    if (n < 0 || (size_t)n >= sizeof line)
        return -EINVAL;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Each of these may block, and each lets go of the GIL while it does:
     * other threads run Python code meanwhile. */
    rc = rt_connect(fd, (const struct sockaddr *)req->addr, req->addrlen);
    if (rc < 0)
        goto out;
    rc = send_all(fd, line, (size_t)n);
    if (rc < 0)
        goto out;
    ssize_t got = recv_all(fd, &raw, EX05_MAX_BODY + 64);
    if (got < 0) {
        rc = (int)got;
        goto out;
    }
    rc = split_reply(raw, (size_t)got, &off, &body_len);
    if (rc < 0)
        goto out;
    /* Keep only the body: move it to the front of the buffer. */
    memmove(raw, raw + off, body_len + 1); /* with its '\0' */
    *out = (ex05_reply){raw, body_len};
    raw = NULL;
out:
    free(raw);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------ Part B */

int ex05_parse(const char *body, size_t len, ex05_record *rec)
{
    *rec = (ex05_record){0, 0, 0};
    size_t i = 0;
    while (i < len) {
        size_t start = i, key = 0;
        while (i < len && body[i] != ' ') {
            char c = body[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '-'))
                return -EBADMSG;
            i++, key++;
        }
        if (key == 0 || i == len)
            return -EBADMSG;
        i++; /* the space */
        uint64_t v = 0;
        int digits = 0;
        while (i < len && body[i] >= '0' && body[i] <= '9' && digits < 18)
            v = v * 10 + (uint64_t)(body[i++] - '0'), digits++;
        if (digits == 0 || i == len || body[i] != '\n')
            return -EBADMSG;
        i++;
        /* This line was Python code: pay for it, holding the GIL. */
        rt_bytecodes((uint64_t)(i - start) * EX05_UNITS_PER_BYTE);
        rec->items++;
        rec->total += v;
        if (v > rec->max)
            rec->max = v;
    }
    return 0;
}

/* ------------------------------------------------------------ Part C */

/* What the pool's threads share.  `next` is read and bumped by whichever
 * thread holds the GIL, with no checkpoint in between: no lock needed. */
typedef struct pool {
    int n, next;
    ex05_task fn;
    void *arg;
} pool;

static void pool_worker(void *p_)
{
    pool *p = p_;
    for (;;) {
        int i = p->next; /* take the next task... */
        if (i >= p->n)
            return;
        p->next = i + 1; /* ...before anyone else can: we hold the GIL */
        p->fn(i, p->arg);
    }
}

int ex05_pool_run(int n, int workers, ex05_task fn, void *arg)
{
    if (n < 0 || workers < 1 || !fn)
        return -EINVAL;
    int k = workers < n ? workers : n, started = 0, err = 0;
    if (k == 0)
        return 0;
    pool p = {.n = n, .next = 0, .fn = fn, .arg = arg};
    rt_thread **t = calloc((size_t)k, sizeof *t);
    if (!t)
        return -ENOMEM;
    /* Start them all first: a thread joined before the next one starts
     * would leave one wait in flight at a time. */
    for (; started < k; started++) {
        t[started] = rt_thread_start(pool_worker, &p);
        if (!t[started]) {
            err = errno ? -errno : -EAGAIN;
            break;
        }
    }
    /* rt_thread_join lets go of the GIL while it waits. */
    for (int i = 0; i < started; i++) {
        int rc = rt_thread_join(t[i]);
        if (rc < 0 && !err)
            err = rc;
    }
    free(t);
    return err;
}

/* ------------------------------------------------------------ Part D */

typedef struct fetch_job {
    const ex05_request *reqs;
    ex05_result *results;
    int flags;
} fetch_job;

static void fetch_task(int i, void *arg)
{
    fetch_job *job = arg;
    ex05_result *r = &job->results[i];
    r->rec = (ex05_record){0, 0, 0};
    r->status = ex05_fetch(&job->reqs[i], &r->reply);
    if (r->status == 0 && (job->flags & EX05_PARSE))
        r->status = ex05_parse(r->reply.body, r->reply.len, &r->rec);
}

int ex05_fetch_all(const ex05_request *reqs, ex05_result *results, int n, int workers,
                   int flags)
{
    if (n > 0 && (!reqs || !results))
        return -EINVAL;
    fetch_job job = {.reqs = reqs, .results = results, .flags = flags};
    return ex05_pool_run(n, workers, fetch_task, &job);
}
