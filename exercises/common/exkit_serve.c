/*
 * exkit_serve.c - slow local servers on one poll() loop (exkit_serve.h).
 *
 * One plain pthread serves every listening socket and every connection of
 * a set.  Each connection is a small state machine:
 *
 *     READ --'\n'--> DELAY --delay_us--> [HOLD] --> SEND <--> GAP --> closed
 *
 * READ collects the request line; DELAY and GAP are timers; HOLD asks the
 * spec's hold() until it agrees or time runs out; SEND writes the next
 * piece without blocking (waiting for POLLOUT when the client's buffer is
 * full).  poll() sleeps until a socket is ready or the earliest timer is
 * due, so an idle set costs nothing.
 *
 * Why not one thread per connection: a test with 32 servers would then
 * add 32 threads to the process whose threads the tests count, and a
 * pool's worth of threads would share the machine with as many again.
 *
 * Limits, admitted: at most S_MAX_CONNS connections open at once (more are
 * accepted and closed at once, so the client sees end of file); timers
 * are as precise as poll's millisecond timeout, rounded up.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "exkit_serve.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "exkit.h"

enum { S_MAX_CONNS = 256, S_HOLD_POLL_US = 200 };

typedef enum { S_READ, S_DELAY, S_HOLD, S_SEND, S_GAP } S_state;

/* One open connection.  Only the server thread touches it. */
typedef struct S_conn {
    int fd;     /* -1: slot free */
    int server; /* index of the server that accepted it */
    S_state state;
    uint64_t due_ns;    /* DELAY, GAP: when to move on; HOLD: when to give up */
    int want_write;     /* SEND hit a full buffer: poll for POLLOUT */
    size_t sent, limit; /* reply bytes sent, and where to stop */
    size_t piece_end;   /* end of the piece being sent */
    size_t req_len;
    char req[EXKIT_SERVE_REQUEST_MAX + 1];
} S_conn;

/* One server: its spec, socket and counters. */
typedef struct S_server {
    exkit_server_spec spec; /* read-only after start */
    struct sockaddr_un addr;
    socklen_t addrlen;
    int listen_fd; /* -1 for a refusing server */
    atomic_int accepted, requests, replies, gave_up, peer_closed, bad_requests;
    char last_request[EXKIT_SERVE_REQUEST_MAX + 1]; /* under the set's lock */
} S_server;

struct exkit_servers {
    int n;
    S_server server[EXKIT_SERVE_MAX];
    S_conn conn[S_MAX_CONNS]; /* private to the server thread */
    int wake_fd;              /* eventfd: written by exkit_servers_stop */
    pthread_t thread;
    pthread_mutex_t lock; /* guards every last_request */
    atomic_int in_flight, peak_in_flight, replied, gave_up, open_conns;
};

static uint64_t S_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ the loop */

/* Closes connection c.  `finished`: its reply went out as specified. */
static void S_close(exkit_servers *set, S_conn *c, int finished)
{
    S_server *sv = &set->server[c->server];
    if (c->state >= S_DELAY) /* its request was in flight */
        atomic_fetch_sub(&set->in_flight, 1);
    if (finished) {
        atomic_fetch_add(&sv->replies, 1);
        atomic_fetch_add(&set->replied, 1);
    }
    /* Read what the client sent after its request line: closing a Unix
     * socket with unread data makes the client's next recv fail with
     * ECONNRESET instead of seeing the end of the reply. */
    char sink[256];
    while (recv(c->fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
    close(c->fd);
    c->fd = -1;
    atomic_fetch_sub(&set->open_conns, 1);
}

/* The request line is complete: note it and start the delay. */
static void S_got_request(exkit_servers *set, S_conn *c, uint64_t now)
{
    S_server *sv = &set->server[c->server];
    pthread_mutex_lock(&set->lock);
    memcpy(sv->last_request, c->req, c->req_len);
    sv->last_request[c->req_len] = '\0';
    pthread_mutex_unlock(&set->lock);
    atomic_fetch_add(&sv->requests, 1);
    int now_in = atomic_fetch_add(&set->in_flight, 1) + 1;
    int peak = atomic_load(&set->peak_in_flight);
    while (now_in > peak &&
           !atomic_compare_exchange_weak(&set->peak_in_flight, &peak, now_in)) {
    }
    c->state = S_DELAY;
    c->due_ns = now + (uint64_t)sv->spec.delay_us * 1000u;
    c->sent = 0;
    c->limit = sv->spec.reply_len;
    if (sv->spec.cut_after && sv->spec.cut_after < c->limit)
        c->limit = sv->spec.cut_after;
}

/* READ: take what the client sent, up to the first '\n'. */
static void S_read(exkit_servers *set, S_conn *c, uint64_t now)
{
    char buf[256];
    ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* closed (or failed) before a whole request */
        atomic_fetch_add(&set->server[c->server].bad_requests, 1);
        S_close(set, c, 0);
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            S_got_request(set, c, now);
            return; /* anything after the line is drained at close */
        }
        if (c->req_len == EXKIT_SERVE_REQUEST_MAX) {
            atomic_fetch_add(&set->server[c->server].bad_requests, 1);
            S_close(set, c, 0);
            return;
        }
        c->req[c->req_len++] = buf[i];
    }
}

/* SEND: write the rest of the current piece, as much as fits now. */
static void S_send(exkit_servers *set, S_conn *c, uint64_t now)
{
    const exkit_server_spec *sp = &set->server[c->server].spec;
    if (c->sent == c->piece_end) { /* a new piece */
        size_t left = c->limit - c->sent;
        c->piece_end = c->sent + (sp->piece && sp->piece < left ? sp->piece : left);
    }
    c->want_write = 0;
    while (c->sent < c->piece_end) {
        ssize_t n = send(c->fd, sp->reply + c->sent, c->piece_end - c->sent,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            c->want_write = 1;
            return;
        }
        if (n < 0) { /* EPIPE, ECONNRESET: the client hung up */
            atomic_fetch_add(&set->server[c->server].peer_closed, 1);
            S_close(set, c, 0);
            return;
        }
        c->sent += (size_t)n;
    }
    if (c->sent == c->limit) {
        S_close(set, c, 1);
    } else {
        c->state = S_GAP;
        c->due_ns = now + (uint64_t)sp->piece_gap_us * 1000u;
    }
}

/* Moves connection c on as far as it can go at time `now`. */
static void S_step(exkit_servers *set, S_conn *c, short revents, uint64_t now)
{
    const exkit_server_spec *sp = &set->server[c->server].spec;
    if (c->state == S_READ && (revents & (POLLIN | POLLHUP | POLLERR)))
        S_read(set, c, now);
    if (c->fd < 0)
        return;
    if (c->state == S_DELAY && now >= c->due_ns) {
        c->state = sp->hold ? S_HOLD : S_SEND;
        c->due_ns = now + (uint64_t)sp->hold_max_us * 1000u;
        c->piece_end = 0;
    }
    if (c->state == S_HOLD) {
        if (sp->hold(set, sp->hold_arg)) {
            c->state = S_SEND;
        } else if (now >= c->due_ns) {
            atomic_fetch_add(&set->server[c->server].gave_up, 1);
            atomic_fetch_add(&set->gave_up, 1);
            c->state = S_SEND;
        }
    }
    if (c->state == S_GAP && now >= c->due_ns)
        c->state = S_SEND;
    if (c->state == S_SEND && (!c->want_write || (revents & (POLLOUT | POLLERR))))
        S_send(set, c, now);
}

/* Accepts every pending connection on server i's socket. */
static void S_accept(exkit_servers *set, int i)
{
    for (;;) {
        int fd =
            accept4(set->server[i].listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN: no more; anything else: the client gave up */
        atomic_fetch_add(&set->server[i].accepted, 1);
        S_conn *slot = NULL;
        for (int k = 0; k < S_MAX_CONNS && !slot; k++)
            if (set->conn[k].fd < 0)
                slot = &set->conn[k];
        if (!slot) { /* full: the client sees end of file */
            close(fd);
            continue;
        }
        *slot = (S_conn){.fd = fd, .server = i, .state = S_READ};
        atomic_fetch_add(&set->open_conns, 1);
    }
}

static void *S_main(void *arg)
{
    exkit_servers *set = arg;
    struct pollfd pfd[1 + EXKIT_SERVE_MAX + S_MAX_CONNS];
    int who[1 + EXKIT_SERVE_MAX + S_MAX_CONNS]; /* conn index, or -1 - server */
    for (;;) {
        uint64_t now = S_now_ns(), next = UINT64_MAX;
        int np = 0;
        pfd[np] = (struct pollfd){.fd = set->wake_fd, .events = POLLIN};
        who[np++] = INT32_MIN;
        for (int i = 0; i < set->n; i++)
            if (set->server[i].listen_fd >= 0) {
                pfd[np] =
                    (struct pollfd){.fd = set->server[i].listen_fd, .events = POLLIN};
                who[np++] = -1 - i;
            }
        for (int k = 0; k < S_MAX_CONNS; k++) {
            S_conn *c = &set->conn[k];
            if (c->fd < 0)
                continue;
            short ev = c->state == S_READ ? POLLIN : 0;
            if (c->state == S_SEND && c->want_write)
                ev = POLLOUT;
            if (c->state == S_DELAY || c->state == S_GAP)
                next = c->due_ns < next ? c->due_ns : next;
            if (c->state == S_HOLD) /* ask again soon */
                next = now + S_HOLD_POLL_US * 1000u < next
                           ? now + S_HOLD_POLL_US * 1000u
                           : next;
            pfd[np] = (struct pollfd){.fd = c->fd, .events = ev};
            who[np++] = k;
        }
        int timeout = -1;
        if (next != UINT64_MAX)
            timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
        if (poll(pfd, (nfds_t)np, timeout) < 0 && errno != EINTR)
            exkit_fail("slow servers: poll: %s", strerror(errno));
        if (pfd[0].revents)
            return NULL; /* exkit_servers_stop */
        now = S_now_ns();
        for (int p = 1; p < np; p++) {
            if (who[p] < 0)
                S_accept(set, -1 - who[p]);
            else if (set->conn[who[p]].fd == pfd[p].fd)
                S_step(set, &set->conn[who[p]], pfd[p].revents, now);
        }
    }
}

/* ------------------------------------------------------------ the API */

exkit_servers *exkit_servers_start(const exkit_server_spec *specs, int n)
{
    static atomic_int sets; /* a fresh name for each set in this process */
    if (n < 1 || n > EXKIT_SERVE_MAX)
        exkit_fail("slow servers: %d servers asked for, 1 to %d allowed", n,
                   EXKIT_SERVE_MAX);
    exkit_servers *set = calloc(1, sizeof *set);
    if (!set)
        exkit_fail("slow servers: out of memory");
    set->n = n;
    int id = atomic_fetch_add(&sets, 1);
    pthread_mutex_init(&set->lock, NULL);
    for (int k = 0; k < S_MAX_CONNS; k++)
        set->conn[k].fd = -1;
    for (int i = 0; i < n; i++) {
        S_server *sv = &set->server[i];
        sv->spec = specs[i];
        sv->listen_fd = -1;
        sv->addr.sun_family = AF_UNIX;
        /* Abstract namespace: sun_path starts with '\0'; the name is the
         * bytes after it, exactly addrlen long (no terminating '\0'). */
        int len = snprintf(sv->addr.sun_path + 1, sizeof sv->addr.sun_path - 1,
                           "gilwb-%d-%d-%d", (int)getpid(), id, i);
        sv->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
        if (specs[i].refuse)
            continue;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sv->addr, sv->addrlen) < 0 ||
            listen(fd, 64) < 0)
            exkit_fail("slow servers: cannot listen on a local socket: %s",
                       strerror(errno));
        sv->listen_fd = fd;
    }
    set->wake_fd = eventfd(0, EFD_CLOEXEC);
    if (set->wake_fd < 0)
        exkit_fail("slow servers: eventfd: %s", strerror(errno));
    int err = pthread_create(&set->thread, NULL, S_main, set);
    if (err)
        exkit_fail("slow servers: cannot start their thread: %s", strerror(err));
    return set;
}

void exkit_servers_stop(exkit_servers *set)
{
    if (!set)
        return;
    uint64_t one = 1;
    if (write(set->wake_fd, &one, sizeof one) != sizeof one)
        exkit_fail("slow servers: cannot wake their thread: %s", strerror(errno));
    pthread_join(set->thread, NULL);
    for (int k = 0; k < S_MAX_CONNS; k++)
        if (set->conn[k].fd >= 0)
            close(set->conn[k].fd);
    for (int i = 0; i < set->n; i++)
        if (set->server[i].listen_fd >= 0)
            close(set->server[i].listen_fd);
    close(set->wake_fd);
    pthread_mutex_destroy(&set->lock);
    free(set);
}

const struct sockaddr_un *exkit_server_addr(const exkit_servers *set, int i,
                                            socklen_t *len)
{
    if (i < 0 || i >= set->n)
        exkit_fail("slow servers: no server %d (there are %d)", i, set->n);
    *len = set->server[i].addrlen;
    return &set->server[i].addr;
}

void exkit_server_stats_get(exkit_servers *set, int i, exkit_server_stats *out)
{
    if (i < 0 || i >= set->n)
        exkit_fail("slow servers: no server %d (there are %d)", i, set->n);
    S_server *sv = &set->server[i];
    out->accepted = atomic_load(&sv->accepted);
    out->requests = atomic_load(&sv->requests);
    out->replies = atomic_load(&sv->replies);
    out->gave_up = atomic_load(&sv->gave_up);
    out->peer_closed = atomic_load(&sv->peer_closed);
    out->bad_requests = atomic_load(&sv->bad_requests);
    pthread_mutex_lock(&set->lock);
    memcpy(out->last_request, sv->last_request, sizeof out->last_request);
    pthread_mutex_unlock(&set->lock);
}

int exkit_servers_in_flight(const exkit_servers *set)
{
    return atomic_load(&set->in_flight);
}

int exkit_servers_peak_in_flight(const exkit_servers *set)
{
    return atomic_load(&set->peak_in_flight);
}

int exkit_servers_replied(const exkit_servers *set)
{
    return atomic_load(&set->replied);
}

int exkit_servers_gave_up(const exkit_servers *set)
{
    return atomic_load(&set->gave_up);
}

int exkit_servers_open_conns(const exkit_servers *set)
{
    return atomic_load(&set->open_conns);
}
