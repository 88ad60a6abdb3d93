/*
 * exkit_serve.h - slow local servers, for the exercises and demos about
 * waiting.  Provided; learners read it, they do not edit it.
 *
 * A download spends most of its life waiting for the other end.  To
 * measure that without the internet, a driver starts N servers inside its
 * own process: each listens on a local socket, reads one request line,
 * waits (a real delay: the client's recv really blocks), then sends a
 * fixed reply and closes.  Replies can come in small pieces, be cut short,
 * or never come (a refusing server), so a client's handling of short reads
 * and errors can be tested.
 *
 * All N servers run on ONE plain pthread, driven by poll(): it is not
 * attached to the runtime, so it never takes the GIL and never competes
 * with the threads being measured.  The addresses are Unix-domain sockets
 * in Linux's abstract namespace ("\0gilwb-<pid>-..."): nothing on disk,
 * nothing on the network, and they vanish with the process.
 *
 * The protocol is the caller's: the server reads up to the first '\n'
 * (the request, at most EXKIT_SERVE_REQUEST_MAX bytes) and sends
 * spec.reply as it is.
 *
 * Locking rule: every function here may be called from any thread, with
 * or without the GIL; they never touch the runtime.
 */
#ifndef EXKIT_SERVE_H
#define EXKIT_SERVE_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EXKIT_SERVE_MAX         64  /* servers in one set */
#define EXKIT_SERVE_REQUEST_MAX 255 /* bytes of a request line, '\n' excluded */

typedef struct exkit_servers exkit_servers; /* a running set (opaque) */

/* How one server behaves.  All fields public; zero means "plain". */
typedef struct exkit_server_spec {
    long delay_us;     /* wait this long after the request line, then reply */
    const char *reply; /* the bytes to send: NOT copied, must outlive the set */
    size_t reply_len;
    size_t piece;      /* send at most this many bytes at a time (0: all at once) */
    long piece_gap_us; /* ... pausing this long between pieces */
    size_t cut_after;  /* close after this many bytes (0: send the whole reply) */
    int refuse;        /* nobody listens: connecting fails with ECONNREFUSED */
    /* After the delay, also wait until hold(set, hold_arg) returns nonzero
     * (asked every 200 us, on the server thread: it may only read atomics
     * and call the functions below), for at most hold_max_us; then reply
     * anyway and count it in gave_up.  Lets a test wait for "all N requests
     * in flight" without trusting a clock. */
    int (*hold)(exkit_servers *set, void *hold_arg);
    void *hold_arg;
    long hold_max_us;
} exkit_server_spec;

/* What one server saw.  A snapshot (exkit_server_stats_get). */
typedef struct exkit_server_stats {
    int accepted;     /* connections accepted */
    int requests;     /* request lines read in full */
    int replies;      /* replies sent as specified (whole, or cut) */
    int gave_up;      /* holds that ran out of time (hold_max_us) */
    int peer_closed;  /* the client hung up before the reply was sent */
    int bad_requests; /* connections closed with no '\n' in the first 255 bytes */
    char last_request[EXKIT_SERVE_REQUEST_MAX + 1]; /* without its '\n' */
} exkit_server_stats;

/* Starts n servers (1 <= n <= EXKIT_SERVE_MAX) as specs[0..n-1] say, on one
 * pthread of their own.  Fails the program (exkit_fail) if it cannot: a
 * driver cannot test anything without its servers.  The caller stops and
 * frees the set with exkit_servers_stop. */
exkit_servers *exkit_servers_start(const exkit_server_spec *specs, int n);

/* Stops the server thread, closes every socket (a client still waiting
 * sees end of file) and frees the set.  NULL is ignored. */
void exkit_servers_stop(exkit_servers *set);

/* Server i's address, for connect(): a sockaddr_un owned by the set (valid
 * until exkit_servers_stop), its length in *len. */
const struct sockaddr_un *exkit_server_addr(const exkit_servers *set, int i,
                                            socklen_t *len);

/* A snapshot of server i's counters. */
void exkit_server_stats_get(exkit_servers *set, int i, exkit_server_stats *out);

/* Requests in flight now, over the whole set: request line read, reply not
 * yet sent in full.  And the most there ever were at once.  And how many
 * replies have been sent in full (or cut as specified). */
int exkit_servers_in_flight(const exkit_servers *set);
int exkit_servers_peak_in_flight(const exkit_servers *set);
int exkit_servers_replied(const exkit_servers *set);
/* Holds that ran out of time, over the whole set (a hold can use it to stop
 * waiting once one has given up: the verdict is in). */
int exkit_servers_gave_up(const exkit_servers *set);
/* Connections the servers have open now.  0 once every client has been
 * served and every server closed its end: a driver counting the process's
 * open files waits for this first. */
int exkit_servers_open_conns(const exkit_servers *set);

#ifdef __cplusplus
}
#endif
#endif /* EXKIT_SERVE_H */
