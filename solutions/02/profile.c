/*
 * profile.c - exercise 02, reference solution: in progress vs executing.
 *
 *   Part A  ex02_profile    events -> two step functions
 *   Part B  ex02_summarise  their maxima and their means over time
 *   Part C  ex02_classify   concurrent, parallel, both or neither
 */
#include "ex02.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What one event does: job `who` (or thread `who`) goes on or off. */
typedef struct change {
    uint64_t t;
    size_t seq; /* position in the trace: keeps equal times in order */
    int is_job; /* 1: a job's state, 0: a thread's */
    uint32_t who;
    int on;
} change;

/* Reads one event; returns 0 if it changes nothing. */
static int S_change(const rt_event *e, size_t seq, change *c)
{
    *c = (change){.t = e->t_ns, .seq = seq};
    if (e->kind == RT_EV_MARK && e->label) {
        c->is_job = 1;
        c->who = e->arg;
        if (strcmp(e->label, EX02_JOB_BEGIN) == 0)
            c->on = 1;
        else if (strcmp(e->label, EX02_JOB_END) == 0)
            c->on = 0;
        else
            return 0;
        return 1;
    }
    if (e->kind == RT_EV_GIL_TAKE || e->kind == RT_EV_GIL_DROP) {
        c->who = e->tid;
        c->on = e->kind == RT_EV_GIL_TAKE; /* a request is a wait: not here */
        return 1;
    }
    return 0;
}

static int S_by_time(const void *a, const void *b)
{
    const change *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq; /* stable */
}

/* The on/off state of every job and thread, as a small sorted set of keys.
 * Jobs and threads are few; a linear search is plenty. */
typedef struct state {
    uint64_t *keys; /* (is_job << 32 | who) of everything that is on */
    size_t n;
    int jobs, threads; /* how many of each are on */
} state;

/* Applies c.  `keys` has room for one entry per change, so it never fills. */
static void S_apply(state *s, const change *c)
{
    uint64_t key = (uint64_t)c->is_job << 32 | c->who;
    size_t i = 0;
    while (i < s->n && s->keys[i] != key)
        i++;
    int was_on = i < s->n;
    if (c->on == was_on)
        return; /* a repeat changes nothing */
    if (c->on)
        s->keys[s->n++] = key;
    else
        s->keys[i] = s->keys[--s->n];
    int d = c->on ? 1 : -1;
    if (c->is_job)
        s->jobs += d;
    else
        s->threads += d;
}

long ex02_profile(const rt_event *ev, size_t n, ex02_step *out, size_t cap)
{
    if ((!ev && n > 0) || (!out && cap > 0))
        return -EINVAL;
    if (n == 0)
        return 0;
    change *ch = malloc(n * sizeof *ch);
    uint64_t *keys = malloc(n * sizeof *keys);
    long k = 0;
    if (!ch || !keys) {
        k = -ENOMEM;
        goto out;
    }
    uint64_t first = ev[0].t_ns, last = ev[0].t_ns;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        first = ev[i].t_ns < first ? ev[i].t_ns : first;
        last = ev[i].t_ns > last ? ev[i].t_ns : last;
        m += S_change(&ev[i], i, &ch[m]);
    }
    /* 1. In time order: the buffer is in the order slots were claimed. */
    qsort(ch, m, sizeof *ch, S_by_time);

    /* 2. Sweep: apply every change at one instant, then the counts hold
     *    until the next instant with a change (or the trace's end). */
    state s = {keys, 0, 0, 0};
    uint64_t t = first;
    size_t i = 0;
    while (t < last) {
        while (i < m && ch[i].t <= t)
            S_apply(&s, &ch[i++]);
        uint64_t next = i < m && ch[i].t < last ? ch[i].t : last;
        if (k > 0 && out[k - 1].in_progress == s.jobs &&
            out[k - 1].executing == s.threads) {
            out[k - 1].t1_ns = next; /* same counts: the step goes on */
        } else if ((size_t)k == cap) {
            k = -ENOSPC;
            goto out;
        } else {
            out[k++] = (ex02_step){t, next, s.jobs, s.threads};
        }
        t = next;
    }
out:
    free(ch);
    free(keys);
    return k;
}

/* Part B. */
int ex02_summarise(const ex02_step *steps, long n, ex02_summary *out)
{
    if (!out || n < 0 || (!steps && n > 0))
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    double in_ns = 0, ex_ns = 0; /* count x time, summed */
    for (long i = 0; i < n; i++) {
        double len = (double)(steps[i].t1_ns - steps[i].t0_ns);
        in_ns += steps[i].in_progress * len;
        ex_ns += steps[i].executing * len;
        if (steps[i].in_progress > out->max_in_progress)
            out->max_in_progress = steps[i].in_progress;
        if (steps[i].executing > out->max_executing)
            out->max_executing = steps[i].executing;
    }
    out->span_ns = steps[n - 1].t1_ns - steps[0].t0_ns;
    if (out->span_ns) {
        out->avg_in_progress = in_ns / (double)out->span_ns;
        out->avg_executing = ex_ns / (double)out->span_ns;
    }
    return 0;
}

/* Part C.  Dealing with many things (several jobs in progress) is
 * concurrency; doing many things (several hands at work at one instant)
 * is parallelism.  Neither implies the other in general, so both are
 * asked separately. */
ex02_kind ex02_classify(const ex02_summary *s)
{
    if (!s)
        return EX02_UNKNOWN;
    int concurrent = s->max_in_progress >= 2, parallel = s->max_executing >= 2;
    if (concurrent && parallel)
        return EX02_BOTH;
    if (concurrent)
        return EX02_CONCURRENT;
    if (parallel)
        return EX02_PARALLEL;
    return EX02_NEITHER;
}
