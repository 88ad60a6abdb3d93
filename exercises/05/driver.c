/*
 * driver.c - exercise 05's driver: correctness cases, on slow local servers.
 *
 * Provided; do not edit.  Built together with your fetch.c, measure.c (the
 * measured workloads), the exercise kit (exercises/common/exkit.h: main()
 * and the grader's protocol; exkit_serve.h: the servers) and the runtime,
 * it is the program the grader runs:
 *
 *   prog test <case>                 runs one correctness case
 *   prog measure <workload> <N> [K]  runs one workload once (measure.c)
 *
 * Every case starts its own servers inside this process, on one plain
 * pthread that never takes the GIL.  Where a case must know that several
 * requests were in flight at once, or that another thread ran while your
 * fetch waited, the servers themselves hold their replies until it has
 * happened (or until a few seconds have passed, which is then the
 * verdict): no case trusts a stopwatch.
 *
 * Reading the cases is a fine way to learn what is expected; each failure
 * message names the likely mistake.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include "ex05_driver.h"

#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers shared with measure.c (ex05_driver.h)                       */
/* ------------------------------------------------------------------ */

char *ex05d_body(int seed, size_t target, size_t *len, ex05_record *want)
{
    size_t cap = target + 64, n = 0;
    char *b = malloc(cap);
    if (!b)
        exkit_fail("driver: out of memory");
    *want = (ex05_record){0, 0, 0};
    for (int j = 0; n < target || j == 0; j++) {
        uint64_t v = ((uint64_t)seed * 7919u + (uint64_t)j * 104729u) % 1000003u;
        if (j % 97 == 5)
            v *= 1000000007u; /* now and then a big one */
        if (n + 64 > cap) {
            cap *= 2;
            char *bigger = realloc(b, cap);
            if (!bigger)
                exkit_fail("driver: out of memory");
            b = bigger;
        }
        n += (size_t)snprintf(b + n, cap - n, "item-%d_%d %llu\n", seed, j,
                              (unsigned long long)v);
        want->items++;
        want->total += v;
        if (v > want->max)
            want->max = v;
    }
    *len = n;
    return b;
}

char *ex05d_reply(const char *body, size_t len, size_t *reply_len)
{
    char head[32];
    int h = snprintf(head, sizeof head, "OK %zu\n", len);
    char *r = malloc((size_t)h + len + 1);
    if (!r)
        exkit_fail("driver: out of memory");
    memcpy(r, head, (size_t)h);
    memcpy(r + h, body, len);
    r[(size_t)h + len] = '\0';
    *reply_len = (size_t)h + len;
    return r;
}

void ex05d_requests(exkit_servers *set, ex05_request *reqs, char (*paths)[32], int n)
{
    for (int i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "/items/%d", i);
        reqs[i].addr = exkit_server_addr(set, i, &reqs[i].addrlen);
        reqs[i].path = paths[i];
    }
}

void ex05d_fail_rc(const char *fn, int rc, const char *part)
{
    if (rc == -ENOSYS)
        exkit_fail("%s returned -ENOSYS: %s is still the starter's TODO", fn, part);
}

/* Open file descriptors of this process (entries of /proc/self/fd). */
static int S_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        exkit_fail("driver: cannot read /proc/self/fd: %s", strerror(errno));
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory stream's own descriptor */
}

/* Waits (up to 2 s) for the servers to close their ends, then compares the
 * count of open descriptors with `before`. */
static void S_check_closed(exkit_servers *set, int before, int fetches)
{
    for (int i = 0; i < 400 && exkit_servers_open_conns(set) > 0; i++)
        rt_sleep_us(5000);
    int leaked = S_open_fds() - before;
    if (leaked > 0)
        exkit_fail("after %d call(s) of ex05_fetch, %d more file descriptor(s) were "
                   "open than before: close the socket on every path, errors included",
                   fetches, leaked);
}

/* A plain server for body `body`: one spec, filled in. */
static exkit_server_spec S_spec(const char *reply, size_t len, long delay_us)
{
    return (exkit_server_spec){.delay_us = delay_us, .reply = reply, .reply_len = len};
}

/* A body, its reply and what parsing it gives: one server's content. */
typedef struct S_content {
    char *body, *reply;
    size_t len, rlen;
    ex05_record want;
} S_content;

static S_content S_content_make(int seed, size_t size)
{
    S_content c;
    c.body = ex05d_body(seed, size, &c.len, &c.want);
    c.reply = ex05d_reply(c.body, c.len, &c.rlen);
    return c;
}

static void S_content_free(S_content *c)
{
    free(c->reply);
    free(c->body);
}

/* Starts n servers as spec says and fills req[0..n-1] for them. */
static exkit_servers *S_start(const exkit_server_spec *spec, int n, ex05_request *req,
                              char (*paths)[32])
{
    exkit_servers *set = exkit_servers_start(spec, n);
    ex05d_requests(set, req, paths, n);
    return set;
}

/* Checks what ex05_fetch returned for a reply that should have worked. */
static void S_check_body(const char *what, int rc, const ex05_reply *got,
                         const char *body, size_t len)
{
    if (rc == -EPROTO)
        exkit_fail("%s: ex05_fetch returned -EPROTO, but the server sent a correct "
                   "reply (\"OK %zu\\n\" and %zu bytes): recv returns what has arrived "
                   "so far, often less than you asked for; keep calling it until it "
                   "returns 0 (the server closed)",
                   what, len, len);
    if (rc < 0)
        exkit_fail(
            "%s: ex05_fetch returned %d (%s) for a server that replied correctly", what,
            rc, strerror(-rc));
    if (!got->body)
        exkit_fail("%s: ex05_fetch returned 0 but left out->body NULL", what);
    if (got->len != len)
        exkit_fail(
            "%s: the body is %zu bytes, but %zu were sent after the \"OK %zu\\n\" "
            "line: %s",
            what, got->len, len, len,
            got->len + 12 > len && got->len <= len + 12
                ? "is the header line still at the front of out->body?"
                : "read until recv returns 0, then keep exactly the body");
    if (memcmp(got->body, body, len) != 0)
        exkit_fail("%s: the body's bytes differ from what the server sent (first bytes "
                   "\"%.20s\"): keep the bytes after the header's '\\n', in order",
                   what, got->body);
    if (got->body[len] != '\0')
        exkit_fail("%s: out->body must end with a '\\0' (not counted in out->len)",
                   what);
}

/* ------------------------------------------------------------------ */
/* Part A: one fetch                                                   */
/* ------------------------------------------------------------------ */

/* fetch_one: one server, one request, a 2 KB body. */
static void case_fetch_one(void)
{
    S_content c = S_content_make(1, 2000);
    exkit_server_spec spec = S_spec(c.reply, c.rlen, 2000);
    ex05_request req;
    char path[1][32];
    exkit_servers *set = S_start(&spec, 1, &req, path);
    int fds = S_open_fds();
    ex05_reply got = {NULL, 0};
    int rc = ex05_fetch(&req, &got);
    ex05d_fail_rc("ex05_fetch", rc, "Part A");
    exkit_server_stats st;
    exkit_server_stats_get(set, 0, &st);
    if (rc < 0 && st.accepted == 0)
        exkit_fail("ex05_fetch returned %d (%s) and never connected to the server: "
                   "connect to req->addr, req->addrlen",
                   rc, strerror(-rc));
    if (rc < 0 && st.requests == 0)
        exkit_fail("ex05_fetch returned %d (%s); the server got no request line "
                   "(\"%s\" so far): send \"GET %s\\n\", newline included",
                   rc, strerror(-rc), st.last_request, req.path);
    S_check_body("one 2 KB reply", rc, &got, c.body, c.len);
    if (strcmp(st.last_request, "GET /items/0") != 0)
        exkit_fail("the server received the request line \"%s\", expected \"GET "
                   "/items/0\"",
                   st.last_request);
    free(got.body);
    S_check_closed(set, fds, 1);
    exkit_servers_stop(set);
    S_content_free(&c);
}

/* pieces: the same replies sent a few bytes at a time, header included. */
static void case_pieces(void)
{
    enum { N = 2 };
    S_content c[N];
    exkit_server_spec spec[N];
    size_t piece[N] = {3, 61}, size[N] = {60, 3000};
    for (int i = 0; i < N; i++) {
        c[i] = S_content_make(10 + i, size[i]);
        spec[i] = S_spec(c[i].reply, c[i].rlen, 1000);
        spec[i].piece = piece[i];
        spec[i].piece_gap_us = 500;
    }
    ex05_request req[N];
    char path[N][32];
    exkit_servers *set = S_start(spec, N, req, path);
    int fds = S_open_fds();
    for (int i = 0; i < N; i++) {
        ex05_reply got = {NULL, 0};
        int rc = ex05_fetch(&req[i], &got);
        ex05d_fail_rc("ex05_fetch", rc, "Part A");
        char what[80];
        snprintf(what, sizeof what, "a reply sent in %zu-byte pieces", piece[i]);
        S_check_body(what, rc, &got, c[i].body, c[i].len);
        free(got.body);
    }
    S_check_closed(set, fds, N);
    exkit_servers_stop(set);
    for (int i = 0; i < N; i++)
        S_content_free(&c[i]);
}

/* closes_early: replies that are not what they claim must be -EPROTO. */
static void case_closes_early(void)
{
    enum { N = 4 };
    S_content c = S_content_make(20, 1500);
    static const char garbage[] = "HTTP/1.0 200 OK\r\n\r\nhello\n";
    char *more = malloc(c.rlen + 6);
    if (!more)
        exkit_fail("driver: out of memory");
    memcpy(more, c.reply, c.rlen);
    memcpy(more + c.rlen, "extra\n", 6);
    exkit_server_spec spec[N] = {
        S_spec(c.reply, c.rlen, 1000),             /* cut in the body */
        S_spec(garbage, sizeof garbage - 1, 1000), /* not our protocol */
        S_spec(more, c.rlen + 6, 1000),            /* more than promised */
        S_spec(c.reply, c.rlen, 1000),             /* cut in the header */
    };
    spec[0].cut_after = c.rlen / 2;
    spec[3].cut_after = 2;
    static const char *const what[N] = {
        "sent its header and half the body, then closed",
        "answered in another protocol (\"HTTP/1.0 200 OK...\")",
        "sent 6 bytes more than its header promised",
        "sent \"OK\" and closed",
    };
    ex05_request req[N];
    char path[N][32];
    exkit_servers *set = S_start(spec, N, req, path);
    int fds = S_open_fds();
    for (int i = 0; i < N; i++) {
        ex05_reply got = {(char *)"x", 1};
        int rc = ex05_fetch(&req[i], &got);
        ex05d_fail_rc("ex05_fetch", rc, "Part A");
        if (rc != -EPROTO)
            exkit_fail("a server %s, and ex05_fetch returned %d%s%s%s: expected "
                       "-EPROTO (compare the bytes received with the length in the "
                       "\"OK <len>\" line)",
                       what[i], rc, rc < 0 ? " (" : "", rc < 0 ? strerror(-rc) : "",
                       rc < 0 ? ")" : "");
        if (got.body || got.len)
            exkit_fail("ex05_fetch returned -EPROTO but left out->body non-NULL: on "
                       "an error set *out to {NULL, 0} (and free what you read)");
    }
    S_check_closed(set, fds, N);
    exkit_servers_stop(set);
    free(more);
    S_content_free(&c);
}

/* refused: nobody listens at the address. */
static void case_refused(void)
{
    exkit_server_spec spec = {.refuse = 1};
    ex05_request req;
    char path[1][32];
    exkit_servers *set = S_start(&spec, 1, &req, path);
    int fds = S_open_fds();
    ex05_reply got = {(char *)"x", 1};
    int rc = ex05_fetch(&req, &got);
    ex05d_fail_rc("ex05_fetch", rc, "Part A");
    if (rc != -ECONNREFUSED)
        exkit_fail("connecting to an address where nobody listens, ex05_fetch returned "
                   "%d%s%s%s: expected -ECONNREFUSED, the error rt_connect returned",
                   rc, rc < 0 ? " (" : "", rc < 0 ? strerror(-rc) : "",
                   rc < 0 ? ")" : "");
    if (got.body || got.len)
        exkit_fail("ex05_fetch failed but left out->body non-NULL: on an error set "
                   "*out to {NULL, 0}");
    S_check_closed(set, fds, 1);
    exkit_servers_stop(set);
}

/* lets_go: while ex05_fetch waits for its reply, another thread must be
 * able to run Python code.  The server holds the reply until a second
 * runtime thread has run (it needs the GIL to do so), or for 2 s. */
static atomic_int S_witness_ran;

static void witness(void *arg)
{
    (void)arg;
    rt_bytecodes(1000); /* Python code: needs the GIL */
    atomic_store(&S_witness_ran, 1);
}

static int hold_for_witness(exkit_servers *set, void *arg)
{
    (void)set, (void)arg;
    return atomic_load(&S_witness_ran);
}

static void case_lets_go(void)
{
    S_content c = S_content_make(30, 500);
    exkit_server_spec spec = S_spec(c.reply, c.rlen, 1000);
    spec.hold = hold_for_witness;
    spec.hold_max_us = 2000000;
    ex05_request req;
    char path[1][32];
    exkit_servers *set = S_start(&spec, 1, &req, path);
    rt_stats_reset();
    /* The witness starts now and waits for the GIL, which we hold. */
    rt_thread *w = rt_thread_start_named("witness", witness, NULL);
    if (!w)
        exkit_fail("driver: cannot start a thread");
    ex05_reply got = {NULL, 0};
    int rc = ex05_fetch(&req, &got);
    rt_stats st;
    rt_stats_get(&st);
    rt_thread_join(w);
    ex05d_fail_rc("ex05_fetch", rc, "Part A");
    if (exkit_servers_gave_up(set) > 0)
        exkit_fail("while ex05_fetch waited for its reply, no other thread could run "
                   "Python code for 2 s: your fetch keeps the GIL while it blocks "
                   "(%llu blocking calls let it go). Wait with rt_connect, rt_send and "
                   "rt_recv, or put RT_BEGIN_ALLOW_THREADS / RT_END_ALLOW_THREADS "
                   "around the plain calls",
                   (unsigned long long)st.blocking_calls);
    S_check_body("a reply held until another thread ran", rc, &got, c.body, c.len);
    free(got.body);
    exkit_servers_stop(set);
    S_content_free(&c);
}

/* ------------------------------------------------------------------ */
/* Part B: parsing                                                     */
/* ------------------------------------------------------------------ */

static void S_parse_ok(const char *what, const char *body, size_t len,
                       const ex05_record *want)
{
    ex05_record rec = {-1, 1, 1};
    rt_stats_reset();
    int rc = ex05_parse(body, len, &rec);
    rt_stats st;
    rt_stats_get(&st);
    ex05d_fail_rc("ex05_parse", rc, "Part B");
    if (rc < 0)
        exkit_fail("ex05_parse(%s) returned %d (%s): the body is well formed", what, rc,
                   strerror(-rc));
    if (rec.items != want->items || rec.total != want->total || rec.max != want->max)
        exkit_fail("ex05_parse(%s) gave items %d, total %llu, max %llu; expected %d, "
                   "%llu, %llu",
                   what, rec.items, (unsigned long long)rec.total,
                   (unsigned long long)rec.max, want->items,
                   (unsigned long long)want->total, (unsigned long long)want->max);
    if (st.bytecodes_unheld > 0)
        exkit_fail("ex05_parse(%s) ran %llu units of interpreter work without the GIL: "
                   "parsing is Python code (it builds Python objects), keep the GIL "
                   "while you parse",
                   what, (unsigned long long)st.bytecodes_unheld);
    if (st.bytecodes != (uint64_t)len * EX05_UNITS_PER_BYTE)
        exkit_fail("ex05_parse(%s) charged %llu units of rt_bytecodes for %zu bytes: "
                   "charge EX05_UNITS_PER_BYTE (%d) per byte parsed, %llu in all",
                   what, (unsigned long long)st.bytecodes, len, EX05_UNITS_PER_BYTE,
                   (unsigned long long)len * EX05_UNITS_PER_BYTE);
}

static void case_parse(void)
{
    ex05_record want;
    size_t len;
    char *body = ex05d_body(40, 5000, &len, &want);
    S_parse_ok("a 5 KB body", body, len, &want);
    free(body);
    S_parse_ok("an empty body", "", 0, &(ex05_record){0, 0, 0});
    S_parse_ok("one line", "a 7\n", 4, &(ex05_record){1, 7, 7});
    static const char *const bad[] = {
        "a 7",                     /* no '\n' at the end */
        "a7\n",                    /* no space */
        " 7\n",                    /* no key */
        "a x\n",                   /* not a number */
        "a 7 8\n",                 /* two values */
        "a \n",                    /* no value */
        "a.b 7\n",                 /* '.' in a key */
        "a 1234567890123456789\n", /* 19 digits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ex05_record rec;
        int rc = ex05_parse(bad[i], strlen(bad[i]), &rec);
        if (rc != -EBADMSG) {
            char shown[40];
            snprintf(shown, sizeof shown, "%s", bad[i]);
            char *nl = strchr(shown, '\n');
            if (nl)
                strcpy(nl, "\\n");
            exkit_fail(
                "ex05_parse(\"%s\") returned %d: expected -EBADMSG (each line is "
                "\"<key> <value>\\n\", key of letters, digits, '_' or '-', value "
                "of 1 to 18 digits)",
                shown, rc);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Part C: the pool                                                    */
/* ------------------------------------------------------------------ */

enum { S_MAX_TASKS = 64 };

/* What the tasks of a pool test record.  Written by the tasks, under the
 * GIL; atomics where a waiting task reads them without it. */
typedef struct S_rv {
    int n, k;                 /* tasks, and the pool's size */
    int count[S_MAX_TASKS];   /* how often task i ran */
    pid_t tid[S_MAX_TASKS];   /* which OS thread ran it */
    atomic_int in_task, peak; /* tasks running now / at most at once */
    atomic_int gave_up;       /* a task waited 3 s for company */
    int rendezvous;           /* tasks wait until min(k, n) are in progress */
} S_rv;

static void rv_task(int i, void *arg)
{
    S_rv *rv = arg;
    if (i < 0 || i >= rv->n)
        exkit_fail("your pool called task %d, but n was %d: give each thread the next "
                   "index below n",
                   i, rv->n);
    rv->count[i]++;
    rv->tid[i] = gettid();
    int now = atomic_fetch_add(&rv->in_task, 1) + 1, peak = atomic_load(&rv->peak);
    while (now > peak && !atomic_compare_exchange_weak(&rv->peak, &peak, now)) {
    }
    int want = rv->k < rv->n ? rv->k : rv->n;
    /* Wait, letting go of the GIL, until enough tasks keep us company. */
    for (int ms = 0;
         rv->rendezvous && atomic_load(&rv->peak) < want && !atomic_load(&rv->gave_up);
         ms++) {
        if (ms == 3000) {
            atomic_store(&rv->gave_up, 1);
            break;
        }
        rt_sleep_us(1000);
    }
    atomic_fetch_sub(&rv->in_task, 1);
}

/* Runs n tasks on a pool of k and checks each ran once, on a pool thread. */
static void S_pool_check(S_rv *rv, int n, int k, int rendezvous)
{
    memset(rv, 0, sizeof *rv);
    rv->n = n, rv->k = k, rv->rendezvous = rendezvous;
    rt_stats_reset();
    int rc = ex05_pool_run(n, k, rv_task, rv);
    rt_stats st;
    rt_stats_get(&st);
    ex05d_fail_rc("ex05_pool_run", rc, "Part C");
    if (rc < 0)
        exkit_fail("ex05_pool_run(%d tasks, %d workers) returned %d (%s)", n, k, rc,
                   strerror(-rc));
    int expect = k < n ? k : n;
    for (int i = 0; i < n; i++) {
        if (rv->count[i] != 1)
            exkit_fail("with %d tasks on %d workers, task %d ran %d times: each index "
                       "must be taken exactly once (read and bump the shared counter "
                       "with no blocking call in between)",
                       n, k, i, rv->count[i]);
        if (rv->tid[i] == gettid())
            exkit_fail("task %d ran on the calling (main) thread: run the tasks on the "
                       "pool's threads",
                       i);
    }
    if (st.threads_started != expect)
        exkit_fail("ex05_pool_run(%d tasks, %d workers) started %d thread(s): start "
                   "min(workers, n) = %d",
                   n, k, st.threads_started, expect);
    if (rt_thread_count() != 1)
        exkit_fail(
            "after ex05_pool_run returned, %d of its threads were still attached: "
            "join every thread you started",
            rt_thread_count() - 1);
}

/* pool_all: 13 tasks on 4 workers, each exactly once, on the pool. */
static void case_pool_all(void)
{
    static S_rv rv;
    S_pool_check(&rv, 13, 4, 0);
}

/* pool_overlap: 8 tasks on 4 workers; each task waits (without the GIL)
 * until 4 are in progress at once.  A pool that runs one task at a time
 * makes the first wait 3 s and fail. */
static void case_pool_overlap(void)
{
    static S_rv rv;
    S_pool_check(&rv, 8, 4, 1);
    if (atomic_load(&rv.gave_up) || atomic_load(&rv.peak) < 4)
        exkit_fail(
            "with 8 tasks on 4 workers, at most %d task(s) were in progress at "
            "once (each waited, letting go of the GIL, for the others): start all "
            "your threads before you join any",
            atomic_load(&rv.peak));
}

/* pool_edge (hidden): no tasks, more workers than tasks, bad arguments. */
static void noop_task(int i, void *arg)
{
    (void)i;
    (*(int *)arg)++;
}

static void case_pool_edge(void)
{
    int calls = 0;
    rt_stats_reset();
    int rc = ex05_pool_run(0, 4, noop_task, &calls);
    ex05d_fail_rc("ex05_pool_run", rc, "Part C");
    rt_stats st;
    rt_stats_get(&st);
    if (rc != 0 || calls != 0 || st.threads_started != 0)
        exkit_fail("ex05_pool_run(0 tasks, 4 workers) returned %d after %d calls and "
                   "%d threads: with nothing to do, start nothing and return 0",
                   rc, calls, st.threads_started);
    static S_rv rv;
    S_pool_check(&rv, 3, 10, 0); /* 3 threads, not 10 */
    struct {
        int n, k, fn;
    } bad[] = {{-1, 2, 1}, {3, 0, 1}, {3, -2, 1}, {3, 2, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = ex05_pool_run(bad[i].n, bad[i].k, bad[i].fn ? noop_task : NULL, &calls);
        if (rc != -EINVAL)
            exkit_fail("ex05_pool_run(n=%d, workers=%d, fn=%s) returned %d: expected "
                       "-EINVAL",
                       bad[i].n, bad[i].k, bad[i].fn ? "task" : "NULL", rc);
    }
}

/* ------------------------------------------------------------------ */
/* Part D: fetching many                                               */
/* ------------------------------------------------------------------ */

/* A hold that lets replies go once `want` requests have been in flight at
 * the same moment, or once any server has given up (the verdict is in). */
static int hold_for_company(exkit_servers *set, void *arg)
{
    return exkit_servers_peak_in_flight(set) >= *(int *)arg ||
           exkit_servers_gave_up(set) > 0;
}

/* A hold for a slow server: reply once every other server has replied. */
static int hold_for_the_others(exkit_servers *set, void *arg)
{
    return exkit_servers_replied(set) >= *(int *)arg || exkit_servers_gave_up(set) > 0;
}

/* Why request of kind `kind` should not have ended with `status`. */
static const char *S_why(char kind, int status)
{
    if (status == 0x5a5a5a5a)
        return "it was never written; does every request get fetched, even after "
               "another one failed?";
    switch (kind) {
    case 'r':
        return "its server refuses connections";
    case 'c':
        return "its server closed 10 bytes before the end of the body its header "
               "announced";
    case 'b':
        return "its body is not valid, and ex05_parse must say so";
    }
    return "its server replied correctly; store each request's own outcome in its "
           "own result";
}

/* Fetches n servers' bodies (seeds 100 + i) with ex05_fetch_all on k
 * workers; kinds[i]: 'g' good, 'r' refusing, 'c' cut early, 'b' bad body,
 * 's' slow (holds until all others replied).  With `company`, every good
 * server holds its reply until min(k, n) requests were in flight at once. */
static void S_fetch_all(int n, int k, const char *kinds, int flags, int company)
{
    S_content c[EXKIT_SERVE_MAX];
    exkit_server_spec spec[EXKIT_SERVE_MAX];
    static const char bad_body[] = "OK 9\nnot-valid";
    int together = k < n ? k : n, others = n - 1;
    for (int i = 0; i < n; i++) {
        c[i] = S_content_make(100 + i, 800 + 300 * (size_t)i);
        spec[i] = S_spec(c[i].reply, c[i].rlen, 3000);
        spec[i].hold_max_us = 3000000;
        if (company)
            spec[i].hold = hold_for_company, spec[i].hold_arg = &together;
        if (kinds[i] == 'r')
            spec[i] = (exkit_server_spec){.refuse = 1};
        if (kinds[i] == 'c')
            spec[i].cut_after = c[i].rlen - 10;
        if (kinds[i] == 'b')
            spec[i] = S_spec(bad_body, sizeof bad_body - 1, 3000);
        if (kinds[i] == 's')
            spec[i].hold = hold_for_the_others, spec[i].hold_arg = &others;
    }
    ex05_request req[EXKIT_SERVE_MAX];
    char path[EXKIT_SERVE_MAX][32];
    ex05_result res[EXKIT_SERVE_MAX];
    exkit_servers *set = S_start(spec, n, req, path);
    memset(res, 0x5a, sizeof res); /* garbage: every field must be written */
    int rc = ex05_fetch_all(req, res, n, k, flags);
    ex05d_fail_rc("ex05_fetch_all", rc, "Part D");
    if (rc < 0)
        exkit_fail("ex05_fetch_all(%d requests, %d workers) returned %d (%s)", n, k, rc,
                   strerror(-rc));
    if (exkit_servers_gave_up(set) > 0 && company)
        exkit_fail("with %d requests on %d workers, at most %d request(s) were in "
                   "flight at once (the servers waited 3 s for %d): fetch on the pool, "
                   "and let go of the GIL while each fetch waits",
                   n, k, exkit_servers_peak_in_flight(set), together);
    if (exkit_servers_gave_up(set) > 0)
        exkit_fail(
            "a slow server held up the others: it replied only after waiting 3 s "
            "for the other %d requests to be served, which never happened while "
            "it was being waited for. With %d workers, one slow request must "
            "leave the others free to go on",
            others, k);
    for (int i = 0; i < n; i++) {
        ex05_result *r = &res[i];
        int expect = kinds[i] == 'r'   ? -ECONNREFUSED
                     : kinds[i] == 'c' ? -EPROTO
                     : kinds[i] == 'b' ? -EBADMSG
                                       : 0;
        if (kinds[i] == 'b' && !(flags & EX05_PARSE))
            expect = 0;
        if (r->status != expect)
            exkit_fail("results[%d].status is %d, expected %d (%s): %s", i, r->status,
                       expect, expect ? strerror(-expect) : "success",
                       S_why(kinds[i], r->status));
        if (expect == 0 && kinds[i] != 'b') {
            char what[48];
            snprintf(what, sizeof what, "request %d of %d", i, n);
            S_check_body(what, 0, &r->reply, c[i].body, c[i].len);
            const ex05_record *want = &c[i].want;
            if ((flags & EX05_PARSE) &&
                (r->rec.items != want->items || r->rec.total != want->total))
                exkit_fail("results[%d].rec says %d items, total %llu; the body has %d "
                           "items, total %llu: parse each body into its own result",
                           i, r->rec.items, (unsigned long long)r->rec.total,
                           want->items, (unsigned long long)want->total);
        }
        if (kinds[i] == 'r' || kinds[i] == 'c') {
            if (r->reply.body)
                exkit_fail("request %d failed, but results[%d].reply.body is not NULL",
                           i, i);
        } else {
            free(r->reply.body);
        }
    }
    exkit_servers_stop(set);
    for (int i = 0; i < n; i++)
        S_content_free(&c[i]);
}

/* fetch_all: 8 servers that reply only once 4 requests were in flight. */
static void case_fetch_all(void)
{
    S_fetch_all(8, 4, "gggggggg", 0, 1);
}

/* fetch_all_errors: parsing on, and failures that must not stop the rest. */
static void case_fetch_all_errors(void)
{
    S_fetch_all(7, 3, "ggrgcbg", EX05_PARSE, 0);
}

/* many (hidden): 32 servers, one thread each, all in flight at once. */
static void case_many(void)
{
    char kinds[33];
    memset(kinds, 'g', 32);
    kinds[32] = '\0';
    S_fetch_all(32, 32, kinds, EX05_PARSE, 1);
}

/* slow (hidden): server 0 answers only after all the others have. */
static void case_slow(void)
{
    S_fetch_all(8, 4, "sggggggg", EX05_PARSE, 0);
}

/* big (hidden): a 1 MB reply in odd-sized pieces, and one too big. */
static void case_big(void)
{
    S_content c = S_content_make(50, 1 << 20);
    static const char huge[] = "OK 99999999999\nitem 1\n";
    exkit_server_spec spec[2] = {S_spec(c.reply, c.rlen, 1000),
                                 S_spec(huge, sizeof huge - 1, 1000)};
    spec[0].piece = 4093;
    ex05_request req[2];
    char path[2][32];
    exkit_servers *set = S_start(spec, 2, req, path);
    int fds = S_open_fds();
    ex05_reply got = {NULL, 0};
    int rc = ex05_fetch(&req[0], &got);
    ex05d_fail_rc("ex05_fetch", rc, "Part A");
    S_check_body("a 1 MB reply in 4093-byte pieces", rc, &got, c.body, c.len);
    free(got.body);
    rc = ex05_fetch(&req[1], &got);
    if (rc != -EMSGSIZE && rc != -EPROTO)
        exkit_fail(
            "a server announced \"OK 99999999999\" (more than EX05_MAX_BODY), and "
            "ex05_fetch returned %d: expected -EMSGSIZE",
            rc);
    if (got.body)
        exkit_fail("ex05_fetch failed but left out->body non-NULL");
    S_check_closed(set, fds, 2);
    exkit_servers_stop(set);
    S_content_free(&c);
}

/* ------------------------------------------------------------------ */

static const exkit_case S_cases[] = {
    {"fetch_one", case_fetch_one, 0},
    {"pieces", case_pieces, 0},
    {"closes_early", case_closes_early, 0},
    {"refused", case_refused, 0},
    {"lets_go", case_lets_go, 0},
    {"parse", case_parse, 0},
    {"pool_all", case_pool_all, 0},
    {"pool_overlap", case_pool_overlap, 0},
    {"fetch_all", case_fetch_all, 0},
    {"fetch_all_errors", case_fetch_all_errors, 0},
    {"many", case_many, 0},
    {"slow", case_slow, 0},
    {"pool_edge", case_pool_edge, 0},
    {"big", case_big, 0},
};

static const exkit_driver S_driver = {.tag = "ex05",
                                      EXKIT_CASES(S_cases),
                                      .workloads = ex05d_workloads,
                                      .nworkloads = EX05D_NWORKLOADS};

int main(int argc, char **argv)
{
    return exkit_main(&S_driver, argc, argv);
}
