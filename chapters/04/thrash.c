/*
 * thrash.c - draws chapter 4's figure: the same two CPU-bound threads
 * under CPython's GIL and under the GIL it replaced.
 *
 *   make figure-4                      (writes chapters/04/thrash.svg)
 *   build/demos/04/thrash OUT.svg
 *
 * Two runs of two threads, 60 ms of work each, traced: one under the
 * cpython policy (5 ms switch interval), one under the ticks policy (a
 * drop and retake every 100 checkpoints).  Three panels: the first 40 ms
 * of each run, then 20 microseconds of the ticks run, where the holder's
 * drops and retakes become visible while the other thread goes on
 * waiting.  In the 40 ms panels, spans closer than a pixel are drawn as
 * one.
 */
#include <stdio.h>

#include "exkit.h"
#include "rt.h"
#include "two_threads.h"

/* One run: two workers under `policy`, traced; copies the trace into *tr
 * and the counters into *st. */
static void traced_run(rt_gil_policy policy, double per_ms, exkit_trace *tr,
                       rt_stats *st)
{
    rt_config cfg;
    rt_config_default(&cfg); /* 5 ms switch interval */
    cfg.policy = policy;
    cfg.trace_events = 1 << 20;
    exkit_runtime_start(&cfg, 0);
    rt_stats_reset();
    tt_work(2, (uint64_t)(120 * per_ms)); /* 60 ms each */
    rt_stats_get(st);
    exkit_trace_copy(tr);
    rt_fini();
}

/* When worker lane `tid` first took the GIL. */
static uint64_t first_take(const exkit_trace *tr, int tid)
{
    for (size_t i = 0; i < tr->n; i++)
        if (tr->events[i].tid == tid && tr->events[i].kind == RT_EV_GIL_TAKE)
            return tr->events[i].t_ns;
    return 0;
}

/* A span waiting to be drawn, so that spans closer than `gap_ns` merge. */
typedef struct pending {
    uint64_t a, b;
} pending;

static void flush(exkit_svg *s, int y, pending *p, int style)
{
    if (p->b > p->a)
        exkit_svg_span(s, y, p->a, p->b, style);
    p->a = p->b = 0;
}

static void add(exkit_svg *s, int y, pending *p, uint64_t a, uint64_t b, int style,
                uint64_t gap_ns)
{
    if (p->b && a <= p->b + gap_ns) {
        p->b = b;
        return;
    }
    flush(s, y, p, style);
    p->a = a, p->b = b;
}

/* Worker `tid`'s lane: holding the GIL (thick) and waiting for it (thin),
 * from its take, drop and request events.  A CPU-bound worker wants the
 * GIL back from the moment of a forced drop (it drops at a checkpoint and
 * takes again at once), so its wait begins there, request event or not.
 * Waits shorter than `gap_ns` (the retakes of the tick GIL, a fraction of
 * a microsecond) are left out, so that they do not paint over the holds. */
static void lane(exkit_svg *s, const exkit_trace *tr, int tid, const char *name,
                 uint64_t gap_ns)
{
    int y = exkit_svg_lane(s, name);
    pending run = {0, 0}, wait = {0, 0};
    uint64_t took = 0, asked = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const rt_event *e = &tr->events[i];
        if (e->tid != tid)
            continue;
        if (e->kind == RT_EV_GIL_REQUEST) {
            if (!asked)
                asked = e->t_ns;
        } else if (e->kind == RT_EV_GIL_TAKE) {
            if (asked && e->t_ns - asked >= gap_ns)
                add(s, y, &wait, asked, e->t_ns, EXKIT_SVG_GIL, gap_ns);
            asked = 0;
            took = e->t_ns;
        } else if (e->kind == RT_EV_GIL_DROP && took) {
            add(s, y, &run, took, e->t_ns, EXKIT_SVG_RUN, gap_ns);
            took = 0;
            if (e->arg == 1)
                asked = e->t_ns;
        }
    }
    flush(s, y, &run, EXKIT_SVG_RUN);
    flush(s, y, &wait, EXKIT_SVG_GIL);
}

/* Where the zoomed panel starts: at the first forced drop from 10 ms into
 * the run (`t0` is its start) that the dropper itself undid, taking the
 * GIL back within 10 us, 2 us before it; or at t0 + 10 ms if none (a
 * machine so busy that no retake was that quick). */
static uint64_t zoom_start(const exkit_trace *tr, uint64_t t0)
{
    uint64_t from = t0 + 10 * 1000 * 1000;
    for (size_t i = 0; i < tr->n; i++) {
        const rt_event *d = &tr->events[i];
        if (d->t_ns < from || d->kind != RT_EV_GIL_DROP || d->arg != 1)
            continue;
        for (size_t j = i + 1; j < tr->n; j++) {
            const rt_event *e = &tr->events[j];
            if (e->kind != RT_EV_GIL_TAKE)
                continue;
            if (e->tid == d->tid && e->t_ns - d->t_ns <= 10 * 1000)
                return d->t_ns - 2 * 1000;
            break; /* the next take was another thread's, or too late */
        }
    }
    return from;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.svg\n", argv[0]);
        return 2;
    }
    rt_init(NULL);
    double per_ms = rt_bytecodes_per_ms(); /* size the work on this machine */
    rt_fini();
    exkit_trace tr[2];
    rt_stats st[2];
    traced_run(RT_GIL_CPYTHON, per_ms, &tr[0], &st[0]);
    traced_run(RT_GIL_TICKS, per_ms, &tr[1], &st[1]);

    const int width = 760;
    const uint64_t span = 40 * 1000 * 1000, pixel = span / 600;
    exkit_svg *s = exkit_svg_open(argv[1], width);
    char title[160];
    for (int k = 0; k < 2; k++) {
        uint64_t t0 = first_take(&tr[k], 1);
        snprintf(title, sizeof title,
                 k ? "ticks (before 3.2): %llu drops, %llu switches, futile "
                     "wake-ups: %llu"
                   : "cpython (5 ms): %llu drops, %llu switches, futile "
                     "wake-ups: %llu",
                 (unsigned long long)st[k].forced_drops,
                 (unsigned long long)st[k].switches,
                 (unsigned long long)st[k].futile_wakeups);
        exkit_svg_panel(s, title, t0, t0 + span);
        lane(s, &tr[k], 1, "thread A", pixel);
        lane(s, &tr[k], 2, "thread B", pixel);
    }
    /* 20 us of the ticks run, from 10 ms in: every drop drawn. */
    uint64_t z0 = zoom_start(&tr[1], first_take(&tr[1], 1));
    exkit_svg_panel(s, "ticks, 20 microseconds of it: drop, retake, drop, retake...",
                    z0, z0 + 20 * 1000);
    lane(s, &tr[1], 1, "thread A", 0);
    lane(s, &tr[1], 2, "thread B", 0);
    exkit_svg_legend(
        s, (const char *[4]){"holds the GIL", "waits for the GIL", NULL, NULL});
    int rc = exkit_svg_close(
        s, "Two CPU-bound threads: under CPython's GIL they alternate every 5 ms; "
           "under the old tick GIL one thread keeps dropping and retaking the GIL "
           "while the other waits.");
    for (int k = 0; k < 2; k++)
        exkit_trace_free(&tr[k]);
    if (rc < 0) {
        fprintf(stderr, "%s: could not write %s\n", argv[0], argv[1]);
        return 1;
    }
    return 0;
}
