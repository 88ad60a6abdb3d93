/*
 * measure.c - exercise 05's measured workloads.  Provided; do not edit.
 *
 *   prog measure fetch_serial N         N requests, one after another, on main
 *   prog measure fetch_threads N        the same with ex05_fetch_all, N workers
 *   prog measure fetch_pool N K         ... with K workers
 *   prog measure parse_serial N         N bodies parsed one after another
 *   prog measure parse_threads N        ... on ex05_pool_run, N workers
 *   prog measure fetch_parse_serial N   fetch and parse, one after another
 *   prog measure fetch_parse_threads N  ... with ex05_fetch_all(EX05_PARSE)
 *
 * Each server waits S_DELAY_MS before replying, so a serial fetch of N
 * takes about N x S_DELAY_MS and N overlapping fetches about one delay.
 * Work sizes are fixed, not calibrated, so that every run does the same
 * work and the grader's serial and threaded runs compare like with like.
 * The servers start, and the bodies are built, before the clocks do.
 *
 * Every run checks what came back: a workload that skipped or garbled a
 * request fails instead of printing a figure.
 */
#include "ex05_driver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
    S_DELAY_MS = 40,       /* each server's wait */
    S_FETCH_BODY = 2000,   /* bytes: fetching is about waiting */
    S_PARSE_BODY = 128000, /* bytes: ~12.8M units, ~10-20 ms of "Python" */
    S_FP_BODY = 32000,     /* fetch and parse: a few ms of parsing each */
    S_MAX_N = 32,
};

enum how {
    FETCH_SERIAL,
    FETCH_THREADS,
    FETCH_POOL,
    PARSE_SERIAL,
    PARSE_THREADS,
    FP_SERIAL,
    FP_THREADS
};

/* One run's data.  Static: a run is one process. */
static struct {
    char *body[S_MAX_N], *reply[S_MAX_N];
    size_t len[S_MAX_N], rlen[S_MAX_N];
    ex05_record want[S_MAX_N], got[S_MAX_N];
    int status[S_MAX_N];
} S;

static void parse_task(int i, void *arg)
{
    (void)arg;
    S.status[i] = ex05_parse(S.body[i], S.len[i], &S.got[i]);
}

static void S_run(exkit_measure *m, int nargs, char **args, enum how how)
{
    int n = (int)exkit_arg_long(nargs, args, 0, 1, S_MAX_N, "N");
    int k =
        how == FETCH_POOL ? (int)exkit_arg_long(nargs, args, 1, 1, S_MAX_N, "K") : n;
    int fetch = how != PARSE_SERIAL && how != PARSE_THREADS;
    int parse = how >= PARSE_SERIAL;
    size_t size = !fetch ? S_PARSE_BODY : parse ? S_FP_BODY : S_FETCH_BODY;
    exkit_server_spec spec[S_MAX_N];
    for (int i = 0; i < n; i++) {
        S.body[i] = ex05d_body(200 + i, size, &S.len[i], &S.want[i]);
        S.reply[i] = ex05d_reply(S.body[i], S.len[i], &S.rlen[i]);
        spec[i] = (exkit_server_spec){
            .delay_us = S_DELAY_MS * 1000, .reply = S.reply[i], .reply_len = S.rlen[i]};
    }
    exkit_servers *set = fetch ? exkit_servers_start(spec, n) : NULL;
    ex05_request req[S_MAX_N];
    char path[S_MAX_N][32];
    ex05_result res[S_MAX_N];
    if (set)
        ex05d_requests(set, req, path, n);
    memset(res, 0, sizeof res);
    int rc = 0;

    exkit_measure_start(m);
    switch (how) {
    case FETCH_SERIAL:
    case FP_SERIAL:
        for (int i = 0; i < n; i++) {
            res[i].status = ex05_fetch(&req[i], &res[i].reply);
            if (how == FP_SERIAL && res[i].status == 0)
                res[i].status =
                    ex05_parse(res[i].reply.body, res[i].reply.len, &res[i].rec);
        }
        break;
    case FETCH_THREADS:
    case FETCH_POOL:
    case FP_THREADS:
        rc = ex05_fetch_all(req, res, n, k, how == FP_THREADS ? EX05_PARSE : 0);
        break;
    case PARSE_SERIAL:
        for (int i = 0; i < n; i++)
            parse_task(i, NULL);
        break;
    case PARSE_THREADS:
        rc = ex05_pool_run(n, n, parse_task, NULL);
        break;
    }
    exkit_measure_stop(m);

    const char *fn = how == PARSE_THREADS ? "ex05_pool_run" : "ex05_fetch_all";
    ex05d_fail_rc(fn, rc, how == PARSE_THREADS ? "Part C" : "Part D");
    if (rc < 0)
        exkit_fail("%s returned %d (%s)", fn, rc, strerror(-rc));
    int ok = 0;
    uint64_t bytes = 0;
    for (int i = 0; i < n; i++) {
        int st = fetch ? res[i].status : S.status[i];
        ex05_record *rec = fetch ? &res[i].rec : &S.got[i];
        if (fetch)
            ex05d_fail_rc("ex05_fetch", st, "Part A");
        else
            ex05d_fail_rc("ex05_parse", st, "Part B");
        if (st < 0)
            exkit_fail("request %d of this workload failed: %d (%s)", i, st,
                       strerror(-st));
        if (fetch && (res[i].reply.len != S.len[i] ||
                      memcmp(res[i].reply.body, S.body[i], S.len[i]) != 0))
            exkit_fail("request %d's body is not what its server sent", i);
        if (parse && (rec->items != S.want[i].items || rec->total != S.want[i].total))
            exkit_fail("body %d parsed to %d items, total %llu; expected %d, %llu", i,
                       rec->items, (unsigned long long)rec->total, S.want[i].items,
                       (unsigned long long)S.want[i].total);
        bytes += S.len[i];
        ok++;
        free(res[i].reply.body);
    }
    exkit_result_int(m, "requests", n);
    exkit_result_int(
        m, "workers",
        how == FETCH_SERIAL || how == FP_SERIAL || how == PARSE_SERIAL ? 0 : k);
    exkit_result_int(m, "ok", ok);
    exkit_result_uint(m, "bytes", bytes);
    if (set) {
        exkit_result_int(m, "delay_ms", S_DELAY_MS);
        /* The servers' own count: requests waiting for a reply at once. */
        exkit_result_int(m, "peak_in_flight", exkit_servers_peak_in_flight(set));
    }
    exkit_servers_stop(set);
    for (int i = 0; i < n; i++)
        free(S.reply[i]), free(S.body[i]);
}

/* One entry point per workload: the kit's table wants a function each. */
#define S_LOAD(name, how)                                                              \
    static void load_##name(exkit_measure *m, int nargs, char **args)                  \
    {                                                                                  \
        S_run(m, nargs, args, how);                                                    \
    }
S_LOAD(fetch_serial, FETCH_SERIAL)
S_LOAD(fetch_threads, FETCH_THREADS)
S_LOAD(fetch_pool, FETCH_POOL)
S_LOAD(parse_serial, PARSE_SERIAL)
S_LOAD(parse_threads, PARSE_THREADS)
S_LOAD(fp_serial, FP_SERIAL)
S_LOAD(fp_threads, FP_THREADS)

const exkit_workload ex05d_workloads[EX05D_NWORKLOADS] = {
    {"fetch_serial", "N", load_fetch_serial, 0},
    {"fetch_threads", "N", load_fetch_threads, 0},
    {"fetch_pool", "N K", load_fetch_pool, 0},
    {"parse_serial", "N", load_parse_serial, 0},
    {"parse_threads", "N", load_parse_threads, 0},
    {"fetch_parse_serial", "N", load_fp_serial, 0},
    {"fetch_parse_threads", "N", load_fp_threads, 0},
};
