/*
 * fetch.c - exercise 05: a fetcher that lets go of the GIL while it waits.
 *
 * You write four functions (their contracts are in ex05.h):
 *
 *   Part A  ex05_fetch      one request: connect, send, recv until closed
 *   Part B  ex05_parse      a reply's body, as Python code (holding the GIL)
 *   Part C  ex05_pool_run   a pool of k threads taking tasks from a counter
 *   Part D  ex05_fetch_all  A and B on C: ThreadPoolExecutor.map(fetch, urls)
 *
 * Then measure: `grader submit exercises/05` fetches from servers that each
 * wait 40 ms, one after another and on your threads, and shows you how the
 * waits overlap (and how the parsing does not).  The README says more.
 *
 * The file compiles as it is, but every test fails: replace each TODO.
 */
#include "ex05.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

/* ------------------------------------------------------------ Part A */

int ex05_fetch(const ex05_request *req, ex05_reply *out)
{
    /* TODO(A1): socket(AF_UNIX, SOCK_STREAM, 0) and rt_connect to
     * req->addr / req->addrlen.  rt_connect lets go of the GIL while it
     * waits; plain connect() would keep it. */

    /* TODO(A2): send "GET <path>\n" with rt_send, looping until every byte
     * is sent (send may take fewer bytes than you give it). */

    /* TODO(A3): rt_recv into a buffer that grows (realloc) until rt_recv
     * returns 0: the server has sent everything and closed.  Each call
     * returns what has arrived so far, often much less than you asked. */

    /* TODO(A4): check the reply: "OK <len>\n" then exactly len bytes, else
     * -EPROTO (-EMSGSIZE if len > EX05_MAX_BODY).  Put the body, ending
     * with a '\0', in *out.  On every path, errors included: close the
     * socket, free what you no longer need, and on an error leave
     * *out = {NULL, 0} and return the negative errno. */
    (void)req;
    *out = (ex05_reply){NULL, 0};
    return -ENOSYS;
}

/* ------------------------------------------------------------ Part B */

int ex05_parse(const char *body, size_t len, ex05_record *rec)
{
    /* TODO(B1): walk the body line by line: "<key> <value>\n", key of
     * letters, digits, '_' or '-', value of 1 to 18 digits.  Count the
     * lines, add up the values, keep the largest; -EBADMSG on anything
     * else.
     *
     * TODO(B2): parsing is Python code: for each line, charge
     * rt_bytecodes(line length, '\n' included, * EX05_UNITS_PER_BYTE),
     * holding the GIL.  Should you let go of the GIL here too, to let the
     * other threads parse at the same time?  (Chapter 5 says.) */
    (void)body;
    (void)len;
    *rec = (ex05_record){0, 0, 0};
    return -ENOSYS;
}

/* ------------------------------------------------------------ Part C */

int ex05_pool_run(int n, int workers, ex05_task fn, void *arg)
{
    /* TODO(C1): check the arguments (-EINVAL); with n == 0, return 0.
     *
     * TODO(C2): start min(workers, n) runtime threads (rt_thread_start).
     * Each loops: take the next task index nobody has taken (a counter the
     * threads share), stop when it reaches n, else call fn(i, arg).  Does
     * the counter need a lock?  Who holds the GIL between its read and its
     * write?
     *
     * TODO(C3): join every thread (rt_thread_join lets go of the GIL while
     * it waits) and return 0, or the error of a thread that did not start. */
    (void)n;
    (void)workers;
    (void)fn;
    (void)arg;
    return -ENOSYS;
}

/* ------------------------------------------------------------ Part D */

int ex05_fetch_all(const ex05_request *reqs, ex05_result *results, int n, int workers,
                   int flags)
{
    /* TODO(D1): a task function that fetches request i into results[i]
     * (ex05_fetch) and, with EX05_PARSE in flags, parses what arrived
     * (ex05_parse); then run n of those tasks on ex05_pool_run with
     * `workers` threads.  One request failing must not stop the others. */
    (void)reqs;
    (void)results;
    (void)n;
    (void)workers;
    (void)flags;
    return -ENOSYS;
}
