/*
 * pool_manager.c - the parent's I/O thread: dispatch, results, dead workers.
 *
 * One thread, one epoll set: each worker's socket (readable: results;
 * writable: room for more tasks), each worker's pidfd (readable: the
 * process exited), and an eventfd that user threads poke when they queue
 * work or shut down.  The thread is not a runtime thread: it never runs
 * Python code and never takes the GIL, like the executor manager thread
 * CPython starts for a ProcessPoolExecutor.
 *
 * Each turn of the loop, holding the pool lock:
 *   1. dispatch: give the least-loaded worker chunks until its window is full,
 *      encoding arguments straight into its output buffer;
 *   2. write each worker's buffer (non-blocking; EPOLLOUT if it is full);
 *   3. drop the lock and wait in epoll_wait;
 *   4. read results in bulk, decode, resolve, broadcast once.
 *
 * A worker death.  The pidfd turns readable when the worker exits, however
 * it exits.  We first drain its socket (results it sent before dying are
 * real results), then reap it with waitid(P_PIDFD) and read how it ended,
 * then break the pool: every pending item fails with -EPIPE and a message
 * naming the worker and the signal, the other workers get SIGKILL, and
 * they are reaped as their pidfds turn readable in turn.  The thread ends
 * when every worker has been reaped and every descriptor closed.
 *
 * Locking rule for this file: every function runs on the manager thread,
 * holding p->lock (dropped only around epoll_wait).  The workers' buffers
 * and in-flight rings are the manager's alone; batches and counters are
 * shared with user threads under the lock.
 */
#include "pool_internal.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_TAG_WAKE     0
#define S_TAG_SOCK     1
#define S_TAG_PIDFD    2
#define S_TAG(w, kind) ((uint64_t)(w) << 2 | (kind))
#define S_WINDOW_NS    2000000.0 /* keep ~2 ms of work queued at each worker */
#define S_WINDOW_MAX   4096
#define S_OUT_MAX      (1u << 20) /* stop encoding ahead beyond 1 MiB unsent */
#define S_READ_CHUNK   (256 * 1024)

/* ------------------------------------------------------------ dispatch */

/* Encodes one task frame for items [first, first + count) of b into w's
 * output buffer.  Returns 0 or -ENOMEM.  Caller holds p->lock. */
static int S_encode_frame(rt_pool *p, rt__worker *w, rt__batch *b, size_t first,
                          size_t count, uint32_t seq)
{
    size_t nlen = strlen(b->task), body = 4 + 1 + nlen + 4;
    for (size_t i = first; i < first + count; i++)
        body += 4 + (b->enc ? b->enc_len : (size_t)rt_codec_size(b->args[i]));
    if (body > UINT32_MAX || rt__buf_reserve(&w->out, 4 + body) < 0)
        return -ENOMEM;
    uint64_t t0 = rt_now_ns();
    uint8_t *q = w->out.data + w->out.len;
    rt__put32(q, (uint32_t)body);
    rt__put32(q + 4, seq);
    q[8] = (uint8_t)nlen;
    memcpy(q + 9, b->task, nlen);
    rt__put32(q + 9 + nlen, (uint32_t)count);
    q += 13 + nlen;
    for (size_t i = first; i < first + count; i++) {
        size_t n = b->enc ? b->enc_len : (size_t)rt_codec_size(b->args[i]);
        rt__put32(q, (uint32_t)n);
        if (b->enc)
            memcpy(q + 4, b->enc, n);
        else
            rt_codec_encode_into(b->args[i], q + 4, n); /* checked at submit */
        q += 4 + n;
    }
    assert(q == w->out.data + w->out.len + 4 + body);
    w->out.len += 4 + body;
    if (!b->enc) { /* futures were counted when encoded, at submit */
        p->stats.encode_ns += rt_now_ns() - t0;
        p->stats.bytes_encoded += body - (9 + nlen) - 4 * count;
    }
    return 0;
}

/* Drops fully-sent batches from the head of the queue. */
static void S_prune(rt_pool *p)
{
    while (p->qhead && p->qhead->next_send == p->qhead->n) {
        rt__batch *b = p->qhead;
        p->qhead = b->next;
        if (!p->qhead)
            p->qtail = NULL;
        b->queued = 0;
        b->next = NULL;
        if (b->inflight == 0)
            rt__batch_unref(b); /* the manager's reference */
    }
}

static int S_fifo_push(rt__worker *w, rt__chunk c)
{
    if (w->fifo_len == w->fifo_cap) {
        size_t cap = w->fifo_cap ? w->fifo_cap * 2 : 16;
        rt__chunk *f = malloc(cap * sizeof *f);
        if (!f)
            return -ENOMEM;
        for (size_t i = 0; i < w->fifo_len; i++)
            f[i] = w->fifo[(w->fifo_head + i) % w->fifo_cap];
        free(w->fifo);
        w->fifo = f;
        w->fifo_cap = cap;
        w->fifo_head = 0;
    }
    w->fifo[(w->fifo_head + w->fifo_len++) % w->fifo_cap] = c;
    return 0;
}

/* The worker with the least work in flight that has room for more, or
 * NULL.  Ties go to the one after the last chosen, so equal workers take
 * turns.  Least-loaded matters for submit(): a second task must go to an
 * idle worker, not queue behind a long one. */
static rt__worker *S_pick(rt_pool *p, const rt__batch *b)
{
    /* The window: how many of b's chunks make ~2 ms of work. */
    size_t window = 2;
    if (b->est >= 0 && p->est[b->est].item_ns > 0) {
        double win = S_WINDOW_NS / (p->est[b->est].item_ns * (double)b->chunksize);
        window = win < 2 ? 2 : win > S_WINDOW_MAX ? S_WINDOW_MAX : (size_t)win;
    }
    rt__worker *best = NULL;
    for (int k = 1; k <= p->nworkers; k++) {
        rt__worker *w = &p->w[(p->last_pick + k) % p->nworkers];
        if (w->pid <= 0 || w->eof || w->fifo_len >= window ||
            w->out.len - w->out.off > S_OUT_MAX)
            continue;
        if (!best || w->fifo_len < best->fifo_len)
            best = w;
    }
    if (best)
        p->last_pick = best->index;
    return best;
}

/* Hands out chunks to the least-loaded workers until the windows are full
 * or the queue is empty.  Caller holds p->lock. */
static void S_dispatch(rt_pool *p)
{
    if (p->state == RT__BROKEN)
        return;
    for (;;) {
        S_prune(p);
        rt__batch *b = p->qhead;
        rt__worker *w = b ? S_pick(p, b) : NULL;
        if (!w)
            return;
        int i = w->index;
        size_t first = b->next_send, count = b->n - first;
        if (count > b->chunksize)
            count = b->chunksize;
        rt__chunk c = {b, first, count, ++p->seq, rt_now_ns()};
        if (p->seq == RT__HELLO_SEQ)
            c.seq = p->seq = 1;
        size_t old_len = w->out.len;
        if (S_encode_frame(p, w, b, first, count, c.seq) < 0 || S_fifo_push(w, c) < 0) {
            w->out.len = old_len; /* nothing of it was sent */
            for (size_t k = first; k < first + count; k++)
                rt__batch_resolve(b, k, -ENOMEM, NULL, "out of memory sending task");
            b->next_send += count;
            pthread_cond_broadcast(&p->cond);
            continue;
        }
        b->next_send += count;
        b->inflight++;
        p->stats.chunks_sent++;
        rt_trace_event(RT_EV_POOL_DISPATCH, (uint32_t)i, NULL);
    }
}

/* Sends what w's buffer holds, without blocking. */
static void S_write(rt_pool *p, rt__worker *w)
{
    while (w->out.off < w->out.len) {
        ssize_t n = send(w->fd, w->out.data + w->out.off, w->out.len - w->out.off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            w->out.off += (size_t)n;
            p->stats.writes++;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            break;
        } else { /* EPIPE: the worker is dying; its pidfd will say how */
            w->out.off = w->out.len;
        }
    }
    if (w->out.off == w->out.len)
        w->out.off = w->out.len = 0;
    int want = w->out.len > 0;
    if (want != w->want_out && !w->eof) {
        struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0),
                                 .data.u64 = S_TAG(w->index, S_TAG_SOCK)};
        epoll_ctl(p->epfd, EPOLL_CTL_MOD, w->fd, &ev);
        w->want_out = want;
    }
}

/* ------------------------------------------------------------ results */

static void S_break(rt_pool *p, const char *why);

/* Handles one result frame (body after the length).  Caller holds lock. */
static void S_result_frame(rt_pool *p, rt__worker *w, const uint8_t *f, size_t len)
{
    if (len < RT__RESULT_HDR - 4)
        goto bad;
    uint32_t seq = rt__get32(f), count = rt__get32(f + 4);
    uint64_t codec_ns = rt__get64(f + 8), run_ns = rt__get64(f + 16);
    if (seq == RT__HELLO_SEQ) {
        w->hello = 1;
        return;
    }
    if (w->fifo_len == 0)
        goto bad;
    rt__chunk c = w->fifo[w->fifo_head];
    if (c.seq != seq || c.count != count)
        goto bad;
    w->fifo_head = (w->fifo_head + 1) % w->fifo_cap;
    w->fifo_len--;
    const uint8_t *q = f + RT__RESULT_HDR - 4, *end = f + len;
    char err[256], msg[512];
    uint64_t t0 = rt_now_ns(); /* one clock read a frame, not one an item */
    for (size_t i = c.first; i < c.first + c.count; i++) {
        if (end - q < 8 || (size_t)(end - q - 8) < rt__get32(q + 4)) {
            rt__batch_resolve(c.b, i, -EBADMSG, NULL, "torn result frame");
            continue;
        }
        int32_t rc = (int32_t)rt__get32(q);
        size_t rlen = rt__get32(q + 4);
        rt_value *v = NULL;
        if (rc == 0 && !c.b->user_freed) {
            rc = rt_codec_decode(q + 8, rlen, &v, err, sizeof err);
            p->stats.bytes_decoded += rlen;
            if (rc < 0)
                snprintf(msg, sizeof msg, "cannot decode the result of '%s': %s",
                         c.b->task, err);
        } else if (rc != 0) {
            snprintf(msg, sizeof msg, "%.*s", (int)(rlen < 500 ? rlen : 500),
                     (const char *)q + 8);
        }
        rt__batch_resolve(c.b, i, rc == RT__PENDING ? -EIO : rc, v, msg);
        q += 8 + rlen;
    }
    p->stats.decode_ns += rt_now_ns() - t0;
    p->stats.per_worker[w->index] += count;
    p->stats.worker_codec_ns += codec_ns;
    p->stats.worker_run_ns += run_ns;
    rt_trace_event(RT_EV_POOL_RESULT, (uint32_t)w->index, NULL);
    /* Learn how long an item of this task takes (sizes the window). */
    if (c.b->est >= 0 && count > 0) {
        double ns = (double)(codec_ns + run_ns) / count + 1.0,
               *avg = &p->est[c.b->est].item_ns;
        *avg = *avg > 0 ? 0.8 * *avg + 0.2 * ns : ns;
    }
    if (--c.b->inflight == 0 && c.b->next_send == c.b->n && !c.b->queued)
        rt__batch_unref(c.b);
    return;
bad:
    snprintf(msg, sizeof msg, "worker %d (pid %d) sent a malformed result frame",
             w->index, (int)w->pid);
    kill(w->pid, SIGKILL);
    S_break(p, msg);
}

/* Reads everything w has sent and handles every complete frame.  Returns
 * how many frames it handled. */
static int S_read(rt_pool *p, rt__worker *w)
{
    int frames = 0;
    while (!w->eof && p->state != RT__BROKEN) {
        rt__buf *in = &w->in;
        size_t avail = in->len - in->off;
        if (avail >= 4 && avail - 4 >= rt__get32(in->data + in->off)) {
            size_t flen = rt__get32(in->data + in->off);
            S_result_frame(p, w, in->data + in->off + 4, flen);
            in->off += 4 + flen;
            frames++;
            continue;
        }
        size_t need = avail >= 4 ? 4 + rt__get32(in->data + in->off) - avail : 4;
        rt__buf_compact(in);
        if (rt__buf_reserve(in, need > S_READ_CHUNK ? need : S_READ_CHUNK) < 0)
            break; /* try again next turn */
        ssize_t n = recv(w->fd, in->data + in->len, in->cap - in->len, MSG_DONTWAIT);
        if (n > 0) {
            in->len += (size_t)n;
            p->stats.reads++;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            break;
        } else { /* end-of-file or reset: the worker is gone or going */
            w->eof = 1;
            epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
        }
    }
    return frames;
}

/* ------------------------------------------------------------ deaths */

static void S_break(rt_pool *p, const char *why)
{
    if (p->state == RT__BROKEN)
        return;
    size_t pending = 0;
    for (rt__batch *b = p->qhead; b; b = b->next)
        pending += b->n - b->next_send;
    for (int i = 0; i < p->nworkers; i++)
        for (size_t k = 0; k < p->w[i].fifo_len; k++)
            pending += p->w[i].fifo[(p->w[i].fifo_head + k) % p->w[i].fifo_cap].count;
    char buf[600];
    snprintf(buf, sizeof buf, "broken pool: %s; %zu pending item(s) failed", why,
             pending);
    free(p->error);
    p->error = strdup(buf);
    p->state = RT__BROKEN;
    rt__pool_fail_all(p, -EPIPE, p->error ? p->error : "broken pool");
    for (int i = 0; i < p->nworkers; i++) {
        rt__worker *w = &p->w[i];
        w->out.off = w->out.len = 0;
        if (w->pid > 0)
            kill(w->pid, SIGKILL); /* reaped when its pidfd turns readable */
    }
}

/* How a worker ended, in words. */
static void S_describe(char *buf, size_t len, const rt__worker *w, pid_t pid,
                       const siginfo_t *si)
{
    if (si->si_code == CLD_EXITED) {
        const char *why = si->si_status == RT_POOL_EXIT_NO_GUARD
                              ? ": a spawned worker ran main() and reached "
                                "rt_pool_create() without calling "
                                "rt_pool_worker_guard() first (the missing "
                                "`if __name__ == \"__main__\"` guard)"
                          : si->si_status == 127
                              ? ": it could not re-execute the program"
                              : "";
        snprintf(buf, len, "worker %d (pid %d) exited with status %d%s", w->index,
                 (int)pid, si->si_status, why);
    } else {
        const char *abbrev = sigabbrev_np(si->si_status);
        snprintf(buf, len, "worker %d (pid %d) was killed by signal %d (SIG%s)%s",
                 w->index, (int)pid, si->si_status, abbrev ? abbrev : "?",
                 si->si_code == CLD_DUMPED ? ", core dumped" : "");
    }
}

/* w's pidfd is readable: drain its socket, reap it, close its fds, and
 * break the pool unless this was the end we asked for. */
static void S_reap(rt_pool *p, rt__worker *w, int closing)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid((idtype_t)P_PIDFD, (id_t)w->pidfd, &si, WEXITED | WNOHANG) < 0 ||
        si.si_pid == 0)
        return; /* not yet (spurious wake-up) */
    S_read(p, w);
    pid_t pid = w->pid;
    epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
    if (!w->eof)
        epoll_ctl(p->epfd, EPOLL_CTL_DEL, w->fd, NULL);
    close(w->pidfd);
    close(w->fd);
    w->pidfd = w->fd = -1;
    w->pid = 0;
    w->eof = 1;
    int clean = si.si_code == CLD_EXITED && si.si_status == 0;
    if (!(closing && clean)) {
        char why[400];
        S_describe(why, sizeof why, w, pid, &si);
        S_break(p, why);
    }
}

/* ------------------------------------------------------------ the loop */

static int S_idle(rt_pool *p)
{
    S_prune(p);
    if (p->qhead)
        return 0;
    for (int i = 0; i < p->nworkers; i++)
        if (p->w[i].fifo_len || p->w[i].out.len)
            return 0;
    return 1;
}

void *rt__pool_manager(void *arg)
{
    rt_pool *p = arg;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = S_TAG_WAKE};
    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->evfd, &ev);
    for (int i = 0; i < p->nworkers; i++) {
        ev.data.u64 = S_TAG(i, S_TAG_SOCK);
        epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->w[i].fd, &ev);
        ev.data.u64 = S_TAG(i, S_TAG_PIDFD);
        epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->w[i].pidfd, &ev);
    }
    int closing = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        S_dispatch(p);
        if (p->state == RT__SHUTDOWN && !closing && S_idle(p)) {
            closing = 1; /* workers see end-of-file, answer, and exit 0 */
            for (int i = 0; i < p->nworkers; i++)
                if (p->w[i].fd >= 0)
                    shutdown(p->w[i].fd, SHUT_WR);
        }
        int live = 0, timeout = -1;
        uint64_t now = rt_now_ns();
        for (int i = 0; i < p->nworkers; i++) {
            rt__worker *w = &p->w[i];
            if (w->pid <= 0)
                continue;
            live++;
            if (!closing)
                S_write(p, w);
            if (w->hello || p->state == RT__BROKEN)
                continue;
            uint64_t deadline = w->start_ns + (uint64_t)p->start_timeout_ms * 1000000u;
            if (now >= deadline) {
                char why[300];
                snprintf(
                    why, sizeof why,
                    "worker %d (pid %d) did not start serving within %ld ms (a "
                    "spawned worker must reach rt_pool_worker_guard() at the top of "
                    "main())",
                    i, (int)w->pid, p->start_timeout_ms);
                S_break(p, why);
                continue;
            }
            int ms = (int)((deadline - now) / 1000000u) + 1;
            timeout = timeout < 0 || ms < timeout ? ms : timeout;
        }
        if (live == 0 && p->state != RT__RUNNING)
            break;
        pthread_mutex_unlock(&p->lock);
        struct epoll_event evs[64];
        int n = epoll_wait(p->epfd, evs, 64, timeout);
        pthread_mutex_lock(&p->lock);
        int resolved = 0;
        for (int k = 0; k < n; k++) {
            uint64_t tag = evs[k].data.u64;
            rt__worker *w = &p->w[tag >> 2];
            if (tag == S_TAG_WAKE) {
                uint64_t cnt;
                ssize_t r = read(p->evfd, &cnt, sizeof cnt);
                (void)r;
                atomic_store(&p->wake_pending, 0);
            } else if ((tag & 3) == S_TAG_SOCK && w->fd >= 0) {
                if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    resolved += S_read(p, w);
                if ((evs[k].events & EPOLLOUT) && !closing && w->fd >= 0)
                    S_write(p, w);
            } else if ((tag & 3) == S_TAG_PIDFD && w->pidfd >= 0) {
                S_reap(p, w, closing);
                resolved = 1;
            }
        }
        if (resolved)
            pthread_cond_broadcast(&p->cond);
    }
    p->manager_done = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}
