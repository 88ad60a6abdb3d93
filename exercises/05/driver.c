/*
 * driver.c - exercise 05's driver: correctness cases, on slow local servers.
 *
 * Provided; do not edit.  Built together with your fetch.c, many.c (the
 * cases of Parts C and D), measure.c (the measured workloads), the exercise
 * kit (exercises/common/exkit.h: main() and the grader's protocol;
 * exkit_serve.h: the servers) and the runtime, it is the program the grader
 * runs:
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
exkit_server_spec ex05d_spec(const char *reply, size_t len, long delay_us)
{
    return (exkit_server_spec){.delay_us = delay_us, .reply = reply, .reply_len = len};
}

ex05d_content ex05d_content_make(int seed, size_t size)
{
    ex05d_content c;
    c.body = ex05d_body(seed, size, &c.len, &c.want);
    c.reply = ex05d_reply(c.body, c.len, &c.rlen);
    return c;
}

void ex05d_content_free(ex05d_content *c)
{
    free(c->reply);
    free(c->body);
}

/* Starts n servers as spec says and fills req[0..n-1] for them. */
exkit_servers *ex05d_start(const exkit_server_spec *spec, int n, ex05_request *req,
                           char (*paths)[32])
{
    exkit_servers *set = exkit_servers_start(spec, n);
    ex05d_requests(set, req, paths, n);
    return set;
}

/* Checks what ex05_fetch returned for a reply that should have worked. */
void ex05d_check_body(const char *what, int rc, const ex05_reply *got, const char *body,
                      size_t len)
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
    ex05d_content c = ex05d_content_make(1, 2000);
    exkit_server_spec spec = ex05d_spec(c.reply, c.rlen, 2000);
    ex05_request req;
    char path[1][32];
    exkit_servers *set = ex05d_start(&spec, 1, &req, path);
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
    ex05d_check_body("one 2 KB reply", rc, &got, c.body, c.len);
    if (strcmp(st.last_request, "GET /items/0") != 0)
        exkit_fail("the server received the request line \"%s\", expected \"GET "
                   "/items/0\"",
                   st.last_request);
    free(got.body);
    S_check_closed(set, fds, 1);
    exkit_servers_stop(set);
    ex05d_content_free(&c);
}

/* pieces: the same replies sent a few bytes at a time, header included. */
static void case_pieces(void)
{
    enum { N = 2 };
    ex05d_content c[N];
    exkit_server_spec spec[N];
    size_t piece[N] = {3, 61}, size[N] = {60, 3000};
    for (int i = 0; i < N; i++) {
        c[i] = ex05d_content_make(10 + i, size[i]);
        spec[i] = ex05d_spec(c[i].reply, c[i].rlen, 1000);
        spec[i].piece = piece[i];
        spec[i].piece_gap_us = 500;
    }
    ex05_request req[N];
    char path[N][32];
    exkit_servers *set = ex05d_start(spec, N, req, path);
    int fds = S_open_fds();
    for (int i = 0; i < N; i++) {
        ex05_reply got = {NULL, 0};
        int rc = ex05_fetch(&req[i], &got);
        ex05d_fail_rc("ex05_fetch", rc, "Part A");
        char what[80];
        snprintf(what, sizeof what, "a reply sent in %zu-byte pieces", piece[i]);
        ex05d_check_body(what, rc, &got, c[i].body, c[i].len);
        free(got.body);
    }
    S_check_closed(set, fds, N);
    exkit_servers_stop(set);
    for (int i = 0; i < N; i++)
        ex05d_content_free(&c[i]);
}

/* closes_early: replies that are not what they claim must be -EPROTO. */
static void case_closes_early(void)
{
    enum { N = 4 };
    ex05d_content c = ex05d_content_make(20, 1500);
    static const char garbage[] = "HTTP/1.0 200 OK\r\n\r\nhello\n";
    char *more = malloc(c.rlen + 6);
    if (!more)
        exkit_fail("driver: out of memory");
    memcpy(more, c.reply, c.rlen);
    memcpy(more + c.rlen, "extra\n", 6);
    exkit_server_spec spec[N] = {
        ex05d_spec(c.reply, c.rlen, 1000),             /* cut in the body */
        ex05d_spec(garbage, sizeof garbage - 1, 1000), /* not our protocol */
        ex05d_spec(more, c.rlen + 6, 1000),            /* more than promised */
        ex05d_spec(c.reply, c.rlen, 1000),             /* cut in the header */
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
    exkit_servers *set = ex05d_start(spec, N, req, path);
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
    ex05d_content_free(&c);
}

/* refused: nobody listens at the address. */
static void case_refused(void)
{
    exkit_server_spec spec = {.refuse = 1};
    ex05_request req;
    char path[1][32];
    exkit_servers *set = ex05d_start(&spec, 1, &req, path);
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
    ex05d_content c = ex05d_content_make(30, 500);
    exkit_server_spec spec = ex05d_spec(c.reply, c.rlen, 1000);
    spec.hold = hold_for_witness;
    spec.hold_max_us = 2000000;
    ex05_request req;
    char path[1][32];
    exkit_servers *set = ex05d_start(&spec, 1, &req, path);
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
    ex05d_check_body("a reply held until another thread ran", rc, &got, c.body, c.len);
    free(got.body);
    exkit_servers_stop(set);
    ex05d_content_free(&c);
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

/* big (hidden): a 1 MB reply in odd-sized pieces, and one too big. */
static void case_big(void)
{
    ex05d_content c = ex05d_content_make(50, 1 << 20);
    static const char huge[] = "OK 99999999999\nitem 1\n";
    exkit_server_spec spec[2] = {ex05d_spec(c.reply, c.rlen, 1000),
                                 ex05d_spec(huge, sizeof huge - 1, 1000)};
    spec[0].piece = 4093;
    ex05_request req[2];
    char path[2][32];
    exkit_servers *set = ex05d_start(spec, 2, req, path);
    int fds = S_open_fds();
    ex05_reply got = {NULL, 0};
    int rc = ex05_fetch(&req[0], &got);
    ex05d_fail_rc("ex05_fetch", rc, "Part A");
    ex05d_check_body("a 1 MB reply in 4093-byte pieces", rc, &got, c.body, c.len);
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
    ex05d_content_free(&c);
}

/* ------------------------------------------------------------------ */

static const exkit_case S_cases[] = {
    {"fetch_one", case_fetch_one, 0},
    {"pieces", case_pieces, 0},
    {"closes_early", case_closes_early, 0},
    {"refused", case_refused, 0},
    {"lets_go", case_lets_go, 0},
    {"parse", case_parse, 0},
    {"pool_all", ex05d_case_pool_all, 0},
    {"pool_overlap", ex05d_case_pool_overlap, 0},
    {"fetch_all", ex05d_case_fetch_all, 0},
    {"fetch_all_errors", ex05d_case_fetch_all_errors, 0},
    {"many", ex05d_case_many, 0},
    {"slow", ex05d_case_slow, 0},
    {"pool_edge", ex05d_case_pool_edge, 0},
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
