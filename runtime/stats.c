/*
 * stats.c - the runtime's counters: the evidence the grader reads.
 *
 * Counting must not change what it counts.  Every figure is a relaxed
 * atomic: no lock is taken, and under a GIL the updates come from one
 * thread at a time anyway.  Per-thread work counts (rt_bytecodes) live in
 * each thread's state and are summed on demand (thread.c), so two threads
 * running free-threaded never fight over one cache line.
 *
 * Histograms are log-linear: 8 buckets per power of two, so any quantile
 * read back is within about 9% of the true value -- enough to tell a 5 ms
 * hold from a 5.5 ms one, in 4 KiB.
 */
#include "rt_internal.h"

#include <string.h>

typedef struct S_hist {
    atomic_uint_fast64_t count, sum_ns, min_ns, max_ns;
    atomic_uint_fast64_t bucket[RT_HIST_BUCKETS];
} S_hist;

static atomic_uint_fast64_t S_counter[RT__NCOUNTERS];
static S_hist S_hold, S_wait;
static atomic_int S_running, S_max_running;
static atomic_int S_blocked, S_max_blocked;
static atomic_int S_threads_started;

void rt__count(rt__counter c)
{
    atomic_fetch_add_explicit(&S_counter[c], 1, memory_order_relaxed);
}

/* Bucket of a value: exact below 8, then 8 sub-buckets per octave. */
static unsigned S_bucket_of(uint64_t v)
{
    if (v < RT_HIST_SUB)
        return (unsigned)v;
    unsigned msb = 63u - (unsigned)__builtin_clzll(v);
    unsigned sub = (unsigned)(v >> (msb - 3)) & (RT_HIST_SUB - 1);
    return (msb - 2) * RT_HIST_SUB + sub;
}

/* Lower edge and width of bucket i (inverse of S_bucket_of). */
static void S_bucket_range(unsigned i, uint64_t *lo, uint64_t *width)
{
    if (i < RT_HIST_SUB) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned msb = i / RT_HIST_SUB + 2, sub = i % RT_HIST_SUB;
    *lo = (uint64_t)(RT_HIST_SUB + sub) << (msb - 3);
    *width = (uint64_t)1 << (msb - 3);
}

static void S_atomic_min(atomic_uint_fast64_t *a, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
    while ((cur == 0 || v < cur) &&
           !atomic_compare_exchange_weak_explicit(a, &cur, v, memory_order_relaxed,
                                                  memory_order_relaxed)) {
    }
}

static void S_atomic_max(atomic_uint_fast64_t *a, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
    while (v > cur && !atomic_compare_exchange_weak_explicit(
                          a, &cur, v, memory_order_relaxed, memory_order_relaxed)) {
    }
}

static void S_hist_add(S_hist *h, uint64_t ns)
{
    if (ns == 0)
        ns = 1; /* keep min meaningful: 0 marks "no sample yet" */
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->bucket[S_bucket_of(ns)], 1, memory_order_relaxed);
    S_atomic_min(&h->min_ns, ns);
    S_atomic_max(&h->max_ns, ns);
}

static void S_hist_copy(const S_hist *from, rt_hist *to)
{
    to->count = atomic_load_explicit(&from->count, memory_order_relaxed);
    to->sum_ns = atomic_load_explicit(&from->sum_ns, memory_order_relaxed);
    to->min_ns = atomic_load_explicit(&from->min_ns, memory_order_relaxed);
    to->max_ns = atomic_load_explicit(&from->max_ns, memory_order_relaxed);
    for (unsigned i = 0; i < RT_HIST_BUCKETS; i++)
        to->bucket[i] = atomic_load_explicit(&from->bucket[i], memory_order_relaxed);
}

static void S_hist_zero(S_hist *h)
{
    atomic_store(&h->count, 0);
    atomic_store(&h->sum_ns, 0);
    atomic_store(&h->min_ns, 0);
    atomic_store(&h->max_ns, 0);
    for (unsigned i = 0; i < RT_HIST_BUCKETS; i++)
        atomic_store(&h->bucket[i], 0);
}

void rt__count_hold(uint64_t ns)
{
    S_hist_add(&S_hold, ns);
}

void rt__count_wait(uint64_t ns)
{
    S_hist_add(&S_wait, ns);
}

static void S_track(atomic_int *now, atomic_int *max, int delta)
{
    int v = atomic_fetch_add_explicit(now, delta, memory_order_relaxed) + delta;
    int m = atomic_load_explicit(max, memory_order_relaxed);
    while (v > m && !atomic_compare_exchange_weak_explicit(
                        max, &m, v, memory_order_relaxed, memory_order_relaxed)) {
    }
}

void rt__running_add(int delta)
{
    S_track(&S_running, &S_max_running, delta);
}

void rt__blocked_add(int delta)
{
    S_track(&S_blocked, &S_max_blocked, delta);
}

void rt__thread_started(void)
{
    atomic_fetch_add_explicit(&S_threads_started, 1, memory_order_relaxed);
}

void rt_stats_get(rt_stats *out)
{
    memset(out, 0, sizeof *out);
    uint64_t per_thread[RT__TS_NCOUNTERS];
    rt__threads_sum(per_thread);
    out->takes = per_thread[RT__TS_TAKES];
    out->switches = atomic_load(&S_counter[RT__SWITCHES]);
    out->waits = atomic_load(&S_counter[RT__WAITS]);
    out->drop_requests = atomic_load(&S_counter[RT__DROP_REQUESTS]);
    out->forced_drops = atomic_load(&S_counter[RT__FORCED_DROPS]);
    out->futile_wakeups = atomic_load(&S_counter[RT__FUTILE_WAKEUPS]);
    out->blocking_calls = per_thread[RT__TS_BLOCKING];
    out->bytecodes = per_thread[RT__TS_BYTECODES];
    out->bytecodes_unheld = per_thread[RT__TS_UNHELD];
    out->max_running = atomic_load(&S_max_running);
    /* Holds taken while only one thread was attached are not measured (see
     * gil.c), but one thread did run: never report fewer than that. */
    if (out->max_running == 0 && (out->takes > 0 || rt_holds_gil()))
        out->max_running = 1;
    out->max_blocked = atomic_load(&S_max_blocked);
    out->threads_started = atomic_load(&S_threads_started);
    S_hist_copy(&S_hold, &out->hold);
    S_hist_copy(&S_wait, &out->wait);
}

/* Zeroes the counters.  The current running/blocked levels are kept (the
 * threads are still there) and become the new maxima. */
void rt_stats_reset(void)
{
    for (int c = 0; c < RT__NCOUNTERS; c++)
        atomic_store(&S_counter[c], 0);
    S_hist_zero(&S_hold);
    S_hist_zero(&S_wait);
    atomic_store(&S_max_running, atomic_load(&S_running));
    atomic_store(&S_max_blocked, atomic_load(&S_blocked));
    atomic_store(&S_threads_started, 0);
    rt__threads_reset_counters();
}

void rt_hist_add(rt_hist *h, uint64_t ns)
{
    if (!h)
        return;
    if (ns == 0)
        ns = 1;
    h->count++;
    h->sum_ns += ns;
    h->bucket[S_bucket_of(ns)]++;
    if (h->min_ns == 0 || ns < h->min_ns)
        h->min_ns = ns;
    if (ns > h->max_ns)
        h->max_ns = ns;
}

/* The q-quantile (0 <= q <= 1), interpolated within its bucket and clamped
 * to the observed range. */
uint64_t rt_hist_quantile(const rt_hist *h, double q)
{
    if (!h || h->count == 0)
        return 0;
    if (q <= 0)
        return h->min_ns;
    if (q >= 1)
        return h->max_ns;
    double rank = q * (double)h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < RT_HIST_BUCKETS; i++) {
        if (!h->bucket[i])
            continue;
        if ((double)(seen + h->bucket[i]) >= rank) {
            uint64_t lo, width;
            S_bucket_range(i, &lo, &width);
            double frac = (rank - (double)seen) / (double)h->bucket[i];
            uint64_t v = lo + (uint64_t)(frac * (double)width);
            if (v < h->min_ns)
                v = h->min_ns;
            if (v > h->max_ns)
                v = h->max_ns;
            return v;
        }
        seen += h->bucket[i];
    }
    return h->max_ns;
}

static void S_write_hist(const char *name, const rt_hist *h, FILE *out)
{
    fprintf(out,
            "\"%s\":{\"count\":%llu,\"mean_ns\":%llu,\"min_ns\":%llu,\"p50_ns\":%llu,"
            "\"p90_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu}",
            name, (unsigned long long)h->count,
            (unsigned long long)(h->count ? h->sum_ns / h->count : 0),
            (unsigned long long)h->min_ns, (unsigned long long)rt_hist_quantile(h, 0.5),
            (unsigned long long)rt_hist_quantile(h, 0.9),
            (unsigned long long)rt_hist_quantile(h, 0.99),
            (unsigned long long)h->max_ns);
}

void rt_stats_write_json(const rt_stats *s, FILE *out)
{
    fprintf(out,
            "{\"policy\":\"%s\",\"switch_interval_us\":%ld,"
            "\"takes\":%llu,\"switches\":%llu,\"waits\":%llu,"
            "\"drop_requests\":%llu,\"forced_drops\":%llu,\"futile_wakeups\":%llu,"
            "\"bytecodes\":%llu,\"bytecodes_unheld\":%llu,\"blocking_calls\":%llu,"
            "\"max_running\":%d,\"max_blocked\":%d,\"threads_started\":%d,",
            rt_policy_name(rt_policy()), rt_switch_interval_us(),
            (unsigned long long)s->takes, (unsigned long long)s->switches,
            (unsigned long long)s->waits, (unsigned long long)s->drop_requests,
            (unsigned long long)s->forced_drops, (unsigned long long)s->futile_wakeups,
            (unsigned long long)s->bytecodes, (unsigned long long)s->bytecodes_unheld,
            (unsigned long long)s->blocking_calls, s->max_running, s->max_blocked,
            s->threads_started);
    S_write_hist("hold", &s->hold, out);
    fputc(',', out);
    S_write_hist("wait", &s->wait, out);
    fputc('}', out);
}
