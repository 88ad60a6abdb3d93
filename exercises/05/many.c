/*
 * many.c - exercise 05's driver, continued: the cases of Parts C and D (the
 * pool, and fetching many).  Provided; do not edit.  driver.c has the
 * helpers, the cases of Parts A and B, and the table of all cases.
 *
 * Where a case must know that several tasks or requests were in progress
 * at once, it makes them wait for each other (tasks) or has the servers
 * hold their replies (requests) until it has happened, or until a few
 * seconds have passed, which is then the verdict.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* gettid() */
#endif
#include "ex05_driver.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Part C: the pool                                                    */
/* ------------------------------------------------------------------ */

/* Fails unless the pool function `fn` of Part `part`, given n `items` on k
 * workers, returned 0. */
static void S_check_rc(const char *fn, const char *part, int rc, int n,
                       const char *items, int k)
{
    ex05d_fail_rc(fn, rc, part);
    if (rc < 0)
        exkit_fail("%s(%d %s, %d workers) returned %d (%s)", fn, n, items, k, rc,
                   strerror(-rc));
}

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
    S_check_rc("ex05_pool_run", "Part C", rc, n, "tasks", k);
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
void ex05d_case_pool_all(void)
{
    static S_rv rv;
    S_pool_check(&rv, 13, 4, 0);
}

/* pool_overlap: 8 tasks on 4 workers; each task waits (without the GIL)
 * until 4 are in progress at once.  A pool that runs one task at a time
 * makes the first wait 3 s and fail. */
void ex05d_case_pool_overlap(void)
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

void ex05d_case_pool_edge(void)
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

/* Why the requests of a fetch_all went out one at a time, from the
 * runtime's counters over the call. */
static const char *S_why_serial(const rt_stats *st, int together)
{
    if (st->threads_started < together)
        return "ex05_fetch_all started fewer threads than `workers`: hand `workers` "
               "to ex05_pool_run";
    if (st->max_blocked <= 1)
        return "the threads were there, but no fetch ever let go of the GIL while it "
               "waited: use rt_connect, rt_send and rt_recv";
    return "the threads ran one after another: start all of the pool's threads "
           "before you join any";
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
    ex05d_content c[EXKIT_SERVE_MAX];
    exkit_server_spec spec[EXKIT_SERVE_MAX];
    static const char bad_body[] = "OK 9\nnot-valid";
    int together = k < n ? k : n, others = n - 1;
    for (int i = 0; i < n; i++) {
        c[i] = ex05d_content_make(100 + i, 800 + 300 * (size_t)i);
        spec[i] = ex05d_spec(c[i].reply, c[i].rlen, 3000);
        spec[i].hold_max_us = 3000000;
        if (company)
            spec[i].hold = hold_for_company, spec[i].hold_arg = &together;
        if (kinds[i] == 'r')
            spec[i] = (exkit_server_spec){.refuse = 1};
        if (kinds[i] == 'c')
            spec[i].cut_after = c[i].rlen - 10;
        if (kinds[i] == 'b')
            spec[i] = ex05d_spec(bad_body, sizeof bad_body - 1, 3000);
        if (kinds[i] == 's')
            spec[i].hold = hold_for_the_others, spec[i].hold_arg = &others;
    }
    ex05_request req[EXKIT_SERVE_MAX];
    char path[EXKIT_SERVE_MAX][32];
    ex05_result res[EXKIT_SERVE_MAX];
    exkit_servers *set = ex05d_start(spec, n, req, path);
    memset(res, 0x5a, sizeof res); /* garbage: every field must be written */
    rt_stats_reset();
    int rc = ex05_fetch_all(req, res, n, k, flags);
    rt_stats st;
    rt_stats_get(&st);
    S_check_rc("ex05_fetch_all", "Part D", rc, n, "requests", k);
    if (exkit_servers_gave_up(set) > 0 && company)
        exkit_fail("with %d requests on %d workers, at most %d request(s) were in "
                   "flight at once (the servers waited 3 s for %d): %s",
                   n, k, exkit_servers_peak_in_flight(set), together,
                   S_why_serial(&st, together));
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
            ex05d_check_body(what, 0, &r->reply, c[i].body, c[i].len);
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
        ex05d_content_free(&c[i]);
}

/* fetch_all: 8 servers that reply only once 4 requests were in flight. */
void ex05d_case_fetch_all(void)
{
    S_fetch_all(8, 4, "gggggggg", 0, 1);
}

/* fetch_all_errors: parsing on, and failures that must not stop the rest. */
void ex05d_case_fetch_all_errors(void)
{
    S_fetch_all(7, 3, "ggrgcbg", EX05_PARSE, 0);
}

/* many (hidden): 32 servers, one thread each, all in flight at once. */
void ex05d_case_many(void)
{
    char kinds[33];
    memset(kinds, 'g', 32);
    kinds[32] = '\0';
    S_fetch_all(32, 32, kinds, EX05_PARSE, 1);
}

/* slow (hidden): server 0 answers only after all the others have. */
void ex05d_case_slow(void)
{
    S_fetch_all(8, 4, "sggggggg", EX05_PARSE, 0);
}
