/*
 * timelines.c - draws chapter 2's figure: the same jobs, four ways.
 *
 *   make figure-2                      (writes chapters/02/timelines.svg)
 *   build/demos/02/timelines OUT.svg
 *
 * Three jobs (compute 10 ms, wait 40 ms, compute 10 ms) run one after
 * another, on an event loop, on threads under the GIL and on threads
 * without it, each with the runtime's trace on.  One lane per job: a pale
 * bar while it is in progress, a thick one while it is executing, thin
 * ones while it waits (for the GIL, orange; parked by the kernel, grey).
 * Under each panel, the two counts the chapter is about, read off the
 * lanes at every pixel: jobs in progress, and jobs executing.  All panels
 * share one time scale.
 */
#include <stdlib.h>
#include <string.h>

#include "exkit.h"

#define WIDTH  760
#define LABELS 150 /* exkit_svg's lane names, left of the plot */

typedef struct span {
    uint64_t a, b;
    int style; /* EXKIT_SVG_* */
} span;

typedef struct lane {
    uint64_t begin, end; /* the job's marks */
    int tid;             /* the thread that marked its beginning */
    span s[512];
    int n;
} lane;

static void add(lane *l, uint64_t a, uint64_t b, int style)
{
    if (b > a && l->n < (int)(sizeof l->s / sizeof l->s[0]))
        l->s[l->n++] = (span){a, b, style};
}

static int by_time(const void *x, const void *y)
{
    const rt_event *a = x, *b = y;
    return a->t_ns < b->t_ns ? -1 : a->t_ns > b->t_ns;
}

/* A job run by a thread: the thread's GIL events while the job lasts. */
static void thread_spans(lane *l, const rt_event *ev, size_t n)
{
    uint64_t run = l->begin, wait = 0, parked = 0; /* it marks while running */
    for (size_t i = 0; i < n; i++) {
        const rt_event *e = &ev[i];
        if (e->tid != l->tid || e->t_ns <= l->begin || e->t_ns > l->end)
            continue;
        if (e->kind == RT_EV_GIL_DROP) {
            add(l, run, e->t_ns, EXKIT_SVG_RUN);
            run = 0;
            parked = e->arg ? 0 : e->t_ns; /* forced: it waits for the GIL at once */
            wait = e->arg ? e->t_ns : 0;
        } else if (e->kind == RT_EV_GIL_REQUEST) {
            add(l, parked, parked ? e->t_ns : 0, EXKIT_SVG_PARKED);
            parked = 0;
            wait = e->t_ns;
        } else if (e->kind == RT_EV_GIL_TAKE) {
            add(l, wait, wait ? e->t_ns : 0, EXKIT_SVG_GIL);
            wait = 0;
            run = e->t_ns;
        }
    }
    if (run)
        add(l, run, l->end, EXKIT_SVG_RUN);
}

/* A job run as a loop task: its steps, from the loop's switch to it until
 * the loop switches again, lets go of the GIL to wait, or the job ends. */
static void task_spans(lane *l, int id, const rt_event *ev, size_t n)
{
    uint64_t step = 0;
    for (size_t i = 0; i < n; i++) {
        const rt_event *e = &ev[i];
        if (e->tid != l->tid || e->t_ns < l->begin || e->t_ns > l->end)
            continue;
        int switch_to_me = e->kind == RT_EV_TASK_SWITCH && (int)e->arg == id;
        if (step && (e->kind == RT_EV_TASK_SWITCH || e->kind == RT_EV_GIL_DROP)) {
            add(l, step, e->t_ns, EXKIT_SVG_RUN);
            step = 0;
        }
        if (switch_to_me || (e->kind == RT_EV_MARK && e->t_ns == l->begin && !step))
            step = e->t_ns;
    }
    if (step)
        add(l, step, l->end, EXKIT_SVG_RUN);
}

/* Jobs in progress and executing at each pixel of the panel: a count read
 * off the lanes, the slow way, for the picture. */
static void counts(exkit_svg *s, const lane *lanes, int nl, uint64_t t0, uint64_t t1)
{
    enum { PX = WIDTH - LABELS - 12 };
    static uint64_t t[PX];
    static int inp[PX], exe[PX];
    int maxv = 1;
    for (int x = 0; x < PX; x++) {
        t[x] = t0 + (uint64_t)((double)(t1 - t0) * x / PX);
        inp[x] = exe[x] = 0;
        for (int j = 0; j < nl; j++) {
            inp[x] += lanes[j].begin <= t[x] && t[x] < lanes[j].end;
            for (int k = 0; k < lanes[j].n; k++)
                if (lanes[j].s[k].style == EXKIT_SVG_RUN && lanes[j].s[k].a <= t[x] &&
                    t[x] < lanes[j].s[k].b) {
                    exe[x]++;
                    break;
                }
        }
        maxv = inp[x] > maxv ? inp[x] : maxv;
    }
    exkit_svg_steps(s, "in progress", t, inp, PX, maxv, EXKIT_SVG_PROGRESS);
    exkit_svg_steps(s, "executing", t, exe, PX, maxv, EXKIT_SVG_RUN);
}

/* Runs the jobs the k way, traced, and draws its panel. */
static void panel(exkit_svg *s, exkit_run_kind k, const char *title, uint64_t len_ns)
{
    static const exkit_jobs jobs = {3, 10, 40};
    rt_config cfg;
    unsigned flags;
    exkit_run_config(k, 1 << 16, &cfg, &flags);
    exkit_runtime_start(&cfg, flags);
    exkit_run_result r;
    exkit_run(k, &jobs, &r);
    exkit_trace tr;
    exkit_trace_copy(&tr);
    rt_fini();
    if (tr.dropped)
        exkit_fail("the trace lost %zu events", tr.dropped);
    qsort(tr.events, tr.n, sizeof *tr.events, by_time);

    static lane lanes[EXKIT_RUN_MAX_JOBS];
    memset(lanes, 0, sizeof lanes);
    for (size_t i = 0; i < tr.n; i++) {
        const rt_event *e = &tr.events[i];
        if (e->kind != RT_EV_MARK || !e->label || e->arg < 1 || e->arg > 3)
            continue;
        lane *l = &lanes[e->arg - 1];
        if (strcmp(e->label, EXKIT_JOB_BEGIN) == 0)
            l->begin = e->t_ns, l->tid = e->tid;
        else if (strcmp(e->label, EXKIT_JOB_END) == 0)
            l->end = e->t_ns;
    }
    char head[160];
    snprintf(head, sizeof head, "%s: %.0f ms, %s", title,
             (double)(r.t1_ns - r.t0_ns) / 1e6,
             r.max_in_progress >= 2
                 ? (r.stats.max_running >= 2 ? "concurrent and parallel" : "concurrent")
                 : (r.stats.max_running >= 2 ? "parallel" : "neither"));
    exkit_svg_panel(s, head, r.t0_ns, r.t0_ns + len_ns);
    for (int j = 0; j < 3; j++) {
        lane *l = &lanes[j];
        if (k == EXKIT_RUN_LOOP)
            task_spans(l, j + 1, tr.events, tr.n);
        else
            thread_spans(l, tr.events, tr.n);
        char name[32];
        snprintf(name, sizeof name, "job %d", j + 1);
        int y = exkit_svg_lane(s, name);
        exkit_svg_span(s, y, l->begin, l->end, EXKIT_SVG_PROGRESS);
        for (int i = 0; i < l->n; i++)
            exkit_svg_span(s, y, l->s[i].a, l->s[i].b, l->s[i].style);
    }
    counts(s, lanes, 3, r.t0_ns, r.t0_ns + len_ns);
    exkit_trace_free(&tr);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        exkit_fail("usage: timelines OUT.svg");
    /* One time scale for every panel: the serial run is the longest. */
    rt_config cfg;
    unsigned flags;
    exkit_run_config(EXKIT_RUN_SERIAL, 0, &cfg, &flags);
    exkit_runtime_start(&cfg, flags);
    exkit_run_result r;
    exkit_run(EXKIT_RUN_SERIAL, &(exkit_jobs){3, 10, 40}, &r);
    rt_fini();
    uint64_t len = (r.t1_ns - r.t0_ns) * 11 / 10;

    exkit_svg *s = exkit_svg_open(argv[1], WIDTH);
    panel(s, EXKIT_RUN_SERIAL, "One after another", len);
    panel(s, EXKIT_RUN_LOOP, "Event loop, one thread", len);
    panel(s, EXKIT_RUN_GIL, "Three threads under the GIL", len);
    panel(s, EXKIT_RUN_NOGIL, "Three threads, no GIL", len);
    exkit_svg_legend(s, (const char *[4]){"executing", "waits for the GIL",
                                          "parked (sleeping)", "in progress"});
    if (exkit_svg_close(s, "Three jobs four ways: one after another they never "
                           "overlap; on the loop and under the GIL they are in "
                           "progress together but execute one at a time; without "
                           "the GIL they also execute at once.") < 0)
        exkit_fail("could not write %s", argv[1]);
    return 0;
}
