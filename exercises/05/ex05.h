/*
 * ex05.h - exercise 05's interface: what fetch.c provides to the driver.
 *
 * Provided; do not edit.  The driver (driver.c) starts slow local servers
 * (exercises/common/exkit_serve.h), calls these four functions, checks
 * what they did, and measures them.  Read runtime/rt.h first, its
 * "Releasing the GIL" section above all.
 *
 * The protocol, one request per connection (like HTTP/1.0):
 *
 *     client:  GET <path>\n
 *     server:  (waits: it is slow)
 *              OK <len>\n<len bytes of body>      then closes
 *
 * The body is lines of "<key> <value>\n": a key of letters, digits, '_'
 * or '-', one space, a decimal value (at most 18 digits).
 */
#ifndef EX05_H
#define EX05_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Parsing is "Python code" in this model: a pure-Python parser spends on
 * the order of 100 ns of interpreter time per byte (split, int, dict
 * stores).  Charge it with rt_bytecodes(): EX05_UNITS_PER_BYTE units for
 * every byte of the body you parse. */
#define EX05_UNITS_PER_BYTE 100

/* Replies larger than this are refused (-EMSGSIZE) rather than buffered. */
#define EX05_MAX_BODY (16u << 20)

/* One request.  All fields in (owned by the caller). */
typedef struct ex05_request {
    const struct sockaddr_un *addr; /* the server's address, for connect() */
    socklen_t addrlen;              /* ... and its length */
    const char *path;               /* what to ask for: "GET <path>\n" */
} ex05_request;

/* A reply's body.  Out; body is malloc'd, ends with a '\0' not counted
 * in len, and is the caller's to free(). */
typedef struct ex05_reply {
    char *body;
    size_t len;
} ex05_reply;

/* What a body says.  Out. */
typedef struct ex05_record {
    int items;      /* lines */
    uint64_t total; /* sum of the values */
    uint64_t max;   /* largest value (0 if no lines) */
} ex05_record;

/* One request's outcome in ex05_fetch_all.  Out. */
typedef struct ex05_result {
    int status;       /* 0, or the negative errno of the fetch or the parse */
    ex05_reply reply; /* the body when the fetch worked, else {NULL, 0} */
    ex05_record rec;  /* when status == 0 and EX05_PARSE was asked for */
} ex05_result;

/* Part A.  Fetches one request on the calling thread, which holds the GIL:
 * connects to req->addr (a SOCK_STREAM Unix socket), sends "GET <path>\n",
 * reads the reply until the server closes, and returns its body in *out.
 * Every call that can wait (connect, send, recv) must let go of the GIL
 * while it waits: use the runtime's rt_connect / rt_send / rt_recv (or
 * RT_BEGIN_ALLOW_THREADS / RT_END_ALLOW_THREADS around the plain calls).
 * send and recv may move fewer bytes than asked for: loop.
 * Returns 0 and fills *out, or a negative errno with *out = {NULL, 0}:
 *   the error of socket/connect/send/recv (e.g. -ECONNREFUSED),
 *   -EPROTO if the reply is not "OK <len>\n" followed by exactly len
 *           bytes (the server closed early, or sent more),
 *   -EMSGSIZE if len > EX05_MAX_BODY, -ENOMEM.
 * The socket is closed before returning, whatever happened. */
int ex05_fetch(const ex05_request *req, ex05_reply *out);

/* Part B.  Parses body[0..len) into *rec, holding the GIL throughout (it is
 * Python code), and charges EX05_UNITS_PER_BYTE units of rt_bytecodes()
 * per byte parsed.  Returns 0, or -EBADMSG if a line is not
 * "<key> <value>\n" (then *rec is unspecified). */
int ex05_parse(const char *body, size_t len, ex05_record *rec);

/* Part C.  A thread pool: runs fn(i, arg) once for every i in 0..n-1, on
 * min(workers, n) runtime threads started together; each thread takes the
 * next i nobody has taken yet until none is left.  Returns once every call
 * is done and every thread joined.  Call holding the GIL; fn runs on the
 * pool's threads, holding the GIL.
 * Returns 0; -EINVAL if n < 0, workers < 1 or fn is NULL; or, if a thread
 * cannot be started, its negative errno once the threads that did start
 * have finished (they run every task, unless none started). */
typedef void (*ex05_task)(int i, void *arg);
int ex05_pool_run(int n, int workers, ex05_task fn, void *arg);

/* Part D.  Fetches reqs[0..n-1] on a pool of `workers` threads (Part C),
 * each with ex05_fetch, and with EX05_PARSE in flags parses each body that
 * arrived with ex05_parse.  results[i] is request i's outcome; one request
 * failing does not stop the others.  Call holding the GIL.
 * Returns 0 (even if some requests failed: see results[i].status), or the
 * error of ex05_pool_run.  The caller frees every results[i].reply.body. */
enum { EX05_PARSE = 1 };
int ex05_fetch_all(const ex05_request *reqs, ex05_result *results, int n, int workers,
                   int flags);

#endif /* EX05_H */
