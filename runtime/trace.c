/*
 * trace.c - a record of who held the GIL when, and two ways to see it.
 *
 * Recording.  rt_trace_event claims a slot with one atomic fetch-add and
 * fills it in: no lock, so tracing disturbs the timing it records as little
 * as possible.  The buffer keeps the *first* N events and counts the rest
 * as dropped; a ring that overwrote old events would need readers and
 * writers to agree on which slots are stable, and a demo wants its start
 * anyway.  Readers call rt_trace_events when the threads are quiet (joined).
 *
 * Seeing.  The same events become Chrome Trace Event JSON (open it at
 * ui.perfetto.dev or chrome://tracing: one lane per thread, "holds GIL" and
 * "waits for GIL" spans) and a standalone SVG timeline small enough to put
 * in a page.  Both are written by hand with fprintf: the runtime depends on
 * nothing but libc, so every exercise links it without extra libraries, and
 * the tests parse the output with a real JSON and XML parser.
 */
#include "rt_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static rt_event *S_events; /* the buffer, S_cap slots */
static size_t S_cap;
static atomic_size_t S_next;    /* next free slot (may pass S_cap) */
static atomic_size_t S_dropped; /* events that found no slot */
atomic_int rt__tracing;         /* 1 while recording */
static char S_names[RT__MAX_NAMED_THREADS][32];

int rt__trace_init(size_t events)
{
    S_events = calloc(events, sizeof *S_events);
    if (!S_events)
        return -ENOMEM;
    S_cap = events;
    atomic_store(&S_next, 0);
    atomic_store(&S_dropped, 0);
    atomic_store(&rt__tracing, 1);
    return 0;
}

void rt__trace_fini(void)
{
    atomic_store(&rt__tracing, 0);
    free(S_events);
    S_events = NULL;
    S_cap = 0;
}

void rt__trace_after_fork(void)
{
    atomic_store(&S_next, 0);
    atomic_store(&S_dropped, 0);
}

void rt__trace_name_thread(int tid, const char *name)
{
    if (tid >= 0 && tid < RT__MAX_NAMED_THREADS)
        snprintf(S_names[tid], sizeof S_names[tid], "%s", name);
}

const char *rt_trace_thread_name(int tid)
{
    if (tid >= 0 && tid < RT__MAX_NAMED_THREADS && S_names[tid][0])
        return S_names[tid];
    return "thread";
}

void rt_trace_event(rt_event_kind kind, uint32_t arg, const char *label)
{
    if (!atomic_load_explicit(&rt__tracing, memory_order_relaxed))
        return;
    size_t i = atomic_fetch_add_explicit(&S_next, 1, memory_order_relaxed);
    if (i >= S_cap) {
        atomic_fetch_add_explicit(&S_dropped, 1, memory_order_relaxed);
        return;
    }
    rt_tstate *ts = rt__current;
    S_events[i] = (rt_event){
        .t_ns = rt_now_ns(),
        .label = label,
        .arg = arg,
        .tid = (uint16_t)(ts ? ts->id : 0),
        .kind = (uint16_t)kind,
    };
}

void rt_trace_mark(const char *label)
{
    rt_trace_event(RT_EV_MARK, 0, label);
}

const rt_event *rt_trace_events(size_t *count, size_t *dropped)
{
    size_t n = atomic_load(&S_next);
    if (count)
        *count = n < S_cap ? n : S_cap;
    if (dropped)
        *dropped = atomic_load(&S_dropped);
    return S_events;
}

/* ---------------------------------------------------------------- spans */

/* A span: thread `tid` held (or waited for) the GIL from t0 to t1. */
typedef struct S_span {
    uint64_t t0, t1;
    int tid;
    int holding; /* 1 = holds, 0 = waits */
} S_span;

/* Pairs REQUEST/TAKE/DROP events per thread into spans.  Caller frees
 * *spans.  Returns the number of spans, or -ENOMEM.  *ntids is one more
 * than the largest thread id seen. */
static long S_spans(const rt_event *ev, size_t n, S_span **spans, int *ntids)
{
    int maxtid = 0;
    for (size_t i = 0; i < n; i++)
        if (ev[i].tid > maxtid)
            maxtid = ev[i].tid;
    *ntids = n ? maxtid + 1 : 0;
    uint64_t *req = calloc((size_t)maxtid + 1, sizeof *req);
    uint64_t *took = calloc((size_t)maxtid + 1, sizeof *took);
    *spans = malloc((2 * n + 1) * sizeof **spans); /* <= 2 spans per TAKE */
    if (!req || !took || !*spans) {
        free(req);
        free(took);
        free(*spans);
        return -ENOMEM;
    }
    long k = 0;
    for (size_t i = 0; i < n; i++) {
        int t = ev[i].tid;
        switch (ev[i].kind) {
        case RT_EV_GIL_REQUEST:
            req[t] = ev[i].t_ns;
            break;
        case RT_EV_GIL_TAKE:
            if (req[t] && ev[i].t_ns > req[t])
                (*spans)[k++] = (S_span){req[t], ev[i].t_ns, t, 0};
            req[t] = 0;
            took[t] = ev[i].t_ns;
            break;
        case RT_EV_GIL_DROP:
            if (took[t])
                (*spans)[k++] = (S_span){took[t], ev[i].t_ns, t, 1};
            took[t] = 0;
            break;
        default:
            break;
        }
    }
    /* Close spans still open when the trace stopped. */
    uint64_t end = n ? ev[n - 1].t_ns : 0;
    for (int t = 0; t <= maxtid && n; t++) {
        if (took[t] && end > took[t])
            (*spans)[k++] = (S_span){took[t], end, t, 1};
    }
    free(req);
    free(took);
    return k;
}

static void S_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static const char *S_instant_name(const rt_event *e)
{
    switch (e->kind) {
    case RT_EV_DROP_REQUEST:
        return "drop request";
    case RT_EV_GIL_DROP:
        return e->arg ? "forced drop" : NULL;
    case RT_EV_THREAD_START:
        return "thread start";
    case RT_EV_THREAD_EXIT:
        return "thread exit";
    case RT_EV_TASK_SWITCH:
        return e->label ? e->label : "task switch";
    case RT_EV_POOL_DISPATCH:
        return e->label ? e->label : "pool dispatch";
    case RT_EV_POOL_RESULT:
        return e->label ? e->label : "pool result";
    case RT_EV_MARK:
        return e->label ? e->label : "mark";
    default:
        return NULL;
    }
}

int rt_trace_write_chrome(FILE *out)
{
    size_t n;
    const rt_event *ev = rt_trace_events(&n, NULL);
    S_span *spans;
    int ntids;
    long k = S_spans(ev, n, &spans, &ntids);
    if (k < 0)
        return (int)k;
    uint64_t base = n ? ev[0].t_ns : 0;
    fprintf(out, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
    const char *sep = "";
    for (int t = 0; t < ntids; t++) {
        fprintf(out,
                "%s{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
                "\"args\":{\"name\":",
                sep, t);
        S_json_string(out, rt_trace_thread_name(t));
        fprintf(out, "}}");
        sep = ",\n";
    }
    for (long i = 0; i < k; i++) {
        fprintf(out,
                "%s{\"name\":\"%s\",\"cat\":\"gil\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,"
                "\"ts\":%.3f,\"dur\":%.3f}",
                sep, spans[i].holding ? "holds GIL" : "waits for GIL", spans[i].tid,
                (double)(spans[i].t0 - base) / 1e3,
                (double)(spans[i].t1 - spans[i].t0) / 1e3);
        sep = ",\n";
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = S_instant_name(&ev[i]);
        if (!name)
            continue;
        fprintf(out, "%s{\"name\":", sep);
        S_json_string(out, name);
        fprintf(out,
                ",\"cat\":\"rt\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%d,"
                "\"ts\":%.3f,\"args\":{\"arg\":%u}}",
                ev[i].tid, (double)(ev[i].t_ns - base) / 1e3, (unsigned)ev[i].arg);
        sep = ",\n";
    }
    fprintf(out, "\n]}\n");
    free(spans);
    return ferror(out) ? -EIO : 0;
}

static void S_xml_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

/* A tick step of 1, 2 or 5 times a power of ten, giving about 8 ticks. */
static double S_nice_step(double span_ms)
{
    double raw = span_ms / 8, p = 1e-3;
    while (p * 10 <= raw)
        p *= 10;
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

int rt_trace_write_svg(FILE *out, int width, uint64_t t0_ns, uint64_t t1_ns)
{
    size_t n;
    const rt_event *ev = rt_trace_events(&n, NULL);
    S_span *spans;
    int ntids;
    long k = S_spans(ev, n, &spans, &ntids);
    if (k < 0)
        return (int)k;
    if (width < 200)
        width = 200;
    if (t0_ns == 0 && t1_ns == 0 && n) {
        t0_ns = ev[0].t_ns;
        t1_ns = ev[n - 1].t_ns;
    }
    if (t1_ns <= t0_ns)
        t1_ns = t0_ns + 1;
    /* 13-unit labels: drawn 760 units wide, they stay 12 px tall (the
     * book's minimum) down to about 700 px; a page lets a narrower view
     * scroll sideways instead of shrinking them. */
    const int label_w = 104, lane_h = 28, top = 8, axis_h = 30;
    const double plot_w = width - label_w - 12;
    int height = top + ntids * lane_h + axis_h + 26;
    double scale = plot_w / (double)(t1_ns - t0_ns);

    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\" "
            "role=\"img\" aria-label=\"GIL timeline\">\n",
            width, height, width, height);
    fprintf(out, "<style>.lbl{fill:#333}.hold{fill:#2f6fb0}.wait{fill:#e0a030}"
                 ".axis{stroke:#999}.lane{fill:#f2f2f2}"
                 "@media (prefers-color-scheme:dark){.lbl{fill:#ddd}.lane{fill:#2a2a2a}"
                 ".hold{fill:#5b9be0}}</style>\n");
    for (int t = 0; t < ntids; t++) {
        int y = top + t * lane_h;
        fprintf(out,
                "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
                label_w, y + 2, plot_w, lane_h - 4);
        fprintf(out, "<text class=\"lbl\" x=\"4\" y=\"%d\">", y + lane_h / 2 + 5);
        S_xml_text(out, rt_trace_thread_name(t));
        fprintf(out, "</text>\n");
    }
    /* Spans, coalescing neighbours closer than half a pixel. */
    for (int holding = 0; holding <= 1; holding++) {
        for (int t = 0; t < ntids; t++) {
            double cur0 = -1, cur1 = -1;
            for (long i = 0; i <= k; i++) {
                int flush = i == k;
                double x0 = 0, x1 = 0;
                if (!flush) {
                    if (spans[i].tid != t || spans[i].holding != holding)
                        continue;
                    if (spans[i].t1 < t0_ns || spans[i].t0 > t1_ns)
                        continue;
                    uint64_t a = spans[i].t0 < t0_ns ? t0_ns : spans[i].t0;
                    uint64_t b = spans[i].t1 > t1_ns ? t1_ns : spans[i].t1;
                    x0 = label_w + (double)(a - t0_ns) * scale;
                    x1 = label_w + (double)(b - t0_ns) * scale;
                    if (cur0 >= 0 && x0 - cur1 < 0.5) {
                        cur1 = x1;
                        continue;
                    }
                }
                if (cur0 >= 0) {
                    int y = top + t * lane_h + (holding ? 4 : 10);
                    double w = cur1 - cur0 < 0.5 ? 0.5 : cur1 - cur0;
                    fprintf(out,
                            "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                            "height=\"%d\"/>\n",
                            holding ? "hold" : "wait", cur0, y, w,
                            holding ? lane_h - 8 : 4);
                }
                cur0 = x0;
                cur1 = x1;
            }
        }
    }
    /* Time axis in milliseconds. */
    double span_ms = (double)(t1_ns - t0_ns) / 1e6, step = S_nice_step(span_ms);
    int ay = top + ntids * lane_h + 4;
    fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
            label_w, ay, label_w + plot_w, ay);
    for (double ms = 0; ms <= span_ms + 1e-9; ms += step) {
        double x = label_w + ms / span_ms * plot_w;
        fprintf(out,
                "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                "<text class=\"lbl\" x=\"%.1f\" y=\"%d\" "
                "text-anchor=\"middle\">%g</text>\n",
                x, ay, x, ay + 4, x, ay + 18, ms);
    }
    fprintf(out,
            "<text class=\"lbl\" x=\"%d\" y=\"%d\">ms</text>"
            "<rect class=\"hold\" x=\"%d\" y=\"%d\" width=\"12\" height=\"8\"/>"
            "<text class=\"lbl\" x=\"%d\" y=\"%d\">holds the GIL</text>"
            "<rect class=\"wait\" x=\"%d\" y=\"%d\" width=\"12\" height=\"4\"/>"
            "<text class=\"lbl\" x=\"%d\" y=\"%d\">waits for it</text>\n",
            4, ay + 18, label_w, ay + 30, label_w + 16, ay + 39, label_w + 136, ay + 32,
            label_w + 152, ay + 39);
    fprintf(out, "</svg>\n");
    free(spans);
    return ferror(out) ? -EIO : 0;
}
