/*
 * exkit_trace.c - keeping a run's trace, and drawing timelines from it.
 *
 * The runtime's trace (rt_trace_events in rt.h) lives until rt_fini, and a
 * driver usually wants to look at it afterwards, when every thread has been
 * joined and the runtime is gone: exkit_trace_copy keeps a copy, with the
 * lane names, that outlives the runtime.
 *
 * The figures of the early chapters draw what threads and tasks did over
 * time, from such traces.  exkit_svg_* is a small writer for that kind of
 * picture: panels of horizontal lanes, bars in four styles, an optional step
 * plot of a count, a time axis in milliseconds.  It decides nothing about
 * what the bars mean: each figure program turns its trace into spans and
 * says what they are in its legend.  Text is 12 px or more, and the colours
 * follow the reader's light or dark setting.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exkit.h"

/* ------------------------------------------------------------------ */
/* Keeping the trace                                                   */
/* ------------------------------------------------------------------ */

void exkit_trace_copy(exkit_trace *t)
{
    size_t n, dropped;
    const rt_event *ev = rt_trace_events(&n, &dropped);
    memset(t, 0, sizeof *t);
    t->events = malloc((n ? n : 1) * sizeof *t->events);
    if (!t->events)
        exkit_fail("driver: out of memory copying a trace of %zu events", n);
    if (n)
        memcpy(t->events, ev, n * sizeof *ev);
    t->n = n;
    t->dropped = dropped;
    for (int i = 0; i < EXKIT_TRACE_LANES; i++)
        snprintf(t->names[i], sizeof t->names[i], "%s", rt_trace_thread_name(i));
}

void exkit_trace_free(exkit_trace *t)
{
    free(t->events);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */
/* ------------------------------------------------------------------ */

enum {
    S_LABEL_W = 150, /* lane names, left of the plot */
    S_LANE_H = 24,
    S_STEPS_H = 48, /* a step-plot lane */
    S_TITLE_H = 26,
    S_AXIS_H = 34,
    S_PAD = 12,
};

struct exkit_svg {
    FILE *body; /* everything after the <svg> tag, in memory */
    char *text;
    size_t len;
    const char *path;
    int width, y; /* y: where the next thing goes */
    /* the open panel */
    uint64_t t0, t1;
    int lanes_y, open;
    double scale; /* pixels per ns */
};

static void S_xml(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '"')
            fputs("&quot;", out);
        else
            fputc(*s, out);
    }
}

exkit_svg *exkit_svg_open(const char *path, int width)
{
    exkit_svg *s = calloc(1, sizeof *s);
    if (!s)
        exkit_fail("out of memory");
    s->body = open_memstream(&s->text, &s->len);
    if (!s->body)
        exkit_fail("open_memstream: %s", strerror(errno));
    s->path = path;
    s->width = width < 480 ? 480 : width;
    s->y = S_PAD / 2;
    return s;
}

static double S_x(const exkit_svg *s, uint64_t t)
{
    if (t < s->t0)
        t = s->t0;
    if (t > s->t1)
        t = s->t1;
    return S_LABEL_W + (double)(t - s->t0) * s->scale;
}

/* A tick step of 1, 2 or 5 times a power of ten, giving 5 to 10 ticks. */
static double S_step_ms(double span_ms)
{
    double raw = span_ms / 8, p = 1e-3;
    while (p * 10 <= raw)
        p *= 10;
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

void exkit_svg_panel(exkit_svg *s, const char *title, uint64_t t0, uint64_t t1)
{
    if (s->open)
        exkit_svg_axis(s);
    s->t0 = t0;
    s->t1 = t1 > t0 ? t1 : t0 + 1;
    s->scale = (double)(s->width - S_LABEL_W - S_PAD) / (double)(s->t1 - s->t0);
    fprintf(s->body, "<text class=\"ttl\" x=\"4\" y=\"%d\">", s->y + 17);
    S_xml(s->body, title);
    fprintf(s->body, "</text>\n");
    s->y += S_TITLE_H;
    s->open = 1;
}

/* A lane's background and name, `h` pixels high; returns its top. */
static int S_lane(exkit_svg *s, const char *name, int h)
{
    int y = s->y;
    fprintf(s->body,
            "<rect class=\"lane\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>",
            S_LABEL_W, y + 2, s->width - S_LABEL_W - S_PAD, h - 4);
    fprintf(s->body, "<text class=\"lbl\" x=\"4\" y=\"%d\">", y + h / 2 + 5);
    S_xml(s->body, name);
    fprintf(s->body, "</text>\n");
    s->y += h;
    return y;
}

int exkit_svg_lane(exkit_svg *s, const char *name)
{
    return S_lane(s, name, S_LANE_H);
}

void exkit_svg_span(exkit_svg *s, int lane_y, uint64_t a, uint64_t b, int style)
{
    static const char *const cls[] = {"run", "gil", "park", "prog"};
    static const int off[] = {4, 9, 10, 10}, h[] = {16, 6, 4, 4};
    if (style < 0 || style > EXKIT_SVG_PROGRESS || b <= s->t0 || a >= s->t1)
        return;
    double x0 = S_x(s, a), x1 = S_x(s, b);
    fprintf(s->body,
            "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n",
            cls[style], x0, lane_y + off[style], x1 - x0 < 0.6 ? 0.6 : x1 - x0,
            h[style]);
}

void exkit_svg_steps(exkit_svg *s, const char *name, const uint64_t *t, const int *v,
                     size_t n, int max, int style)
{
    int y = S_lane(s, name, S_STEPS_H), h = S_STEPS_H - 8;
    if (max < 1)
        max = 1;
    /* Grid lines at each whole count, labelled at the right edge. */
    for (int k = 1; k <= max; k++) {
        double gy = y + 4 + h - (double)k * h / max;
        fprintf(s->body,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                "<text class=\"num\" x=\"%d\" y=\"%.1f\">%d</text>\n",
                S_LABEL_W, gy, s->width - S_PAD, gy, S_LABEL_W - 14, gy + 4, k);
    }
    if (n) {
        fprintf(s->body, "<path class=\"%s\" d=\"M%.1f %d",
                style == EXKIT_SVG_RUN ? "srun" : "sprog", S_x(s, t[0]), y + 4 + h);
        for (size_t i = 0; i < n; i++) {
            double x = S_x(s, t[i]);
            double py = y + 4 + h - (double)(v[i] < 0 ? 0 : v[i]) * h / max;
            double x2 = i + 1 < n ? S_x(s, t[i + 1]) : S_x(s, s->t1);
            fprintf(s->body, " L%.1f %.1f L%.1f %.1f", x, py, x2, py);
        }
        fprintf(s->body, "\"/>\n");
    }
}

void exkit_svg_axis(exkit_svg *s)
{
    if (!s->open)
        return;
    double span_ms = (double)(s->t1 - s->t0) / 1e6, step = S_step_ms(span_ms);
    int ay = s->y + 4;
    fprintf(s->body, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
            S_LABEL_W, ay, s->width - S_PAD, ay);
    for (double ms = 0; ms <= span_ms + 1e-9; ms += step) {
        double x = S_LABEL_W + ms * 1e6 * s->scale;
        fprintf(s->body,
                "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
                "<text class=\"num\" x=\"%.1f\" y=\"%d\" "
                "text-anchor=\"middle\">%g</text>\n",
                x, ay, x, ay + 4, x, ay + 18, ms);
    }
    fprintf(s->body, "<text class=\"lbl\" x=\"4\" y=\"%d\">ms</text>\n", ay + 18);
    s->y += S_AXIS_H;
    s->open = 0;
}

void exkit_svg_legend(exkit_svg *s, const char *const labels[4])
{
    if (s->open)
        exkit_svg_axis(s);
    static const char *const cls[] = {"run", "gil", "park", "prog"};
    static const int h[] = {12, 6, 4, 4};
    int x = 4;
    for (int i = 0; i < 4; i++) {
        if (!labels[i])
            continue;
        fprintf(s->body,
                "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"16\" height=\"%d\"/>"
                "<text class=\"lbl\" x=\"%d\" y=\"%d\">",
                cls[i], x, s->y + 10 - h[i] / 2, h[i], x + 22, s->y + 15);
        S_xml(s->body, labels[i]);
        fprintf(s->body, "</text>\n");
        x += 22 + 8 * (int)strlen(labels[i]) + 18; /* about 8 px a character */
    }
    s->y += 26;
}

int exkit_svg_close(exkit_svg *s, const char *aria_label)
{
    if (s->open)
        exkit_svg_axis(s);
    int rc = 0;
    if (fclose(s->body) != 0)
        rc = -EIO;
    FILE *out = rc ? NULL : fopen(s->path, "w");
    if (!out) {
        rc = rc ? rc : -errno;
    } else {
        int height = s->y + S_PAD / 2;
        fprintf(out,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\" "
                "role=\"img\" aria-label=\"",
                s->width, height, s->width, height);
        S_xml(out, aria_label);
        fprintf(out, "\">\n");
        fprintf(out,
                "<style>.lbl,.ttl{fill:#222}.ttl{font-weight:bold;font-size:14px}"
                ".num{fill:#444;font-size:12px}.lane{fill:#f1f1f1}"
                ".run{fill:#2f6fb0}.gil{fill:#e08a1e}.park{fill:#8a8a8a}"
                ".prog{fill:#b9cbe0}.axis{stroke:#999}.grid{stroke:#d8d8d8}"
                ".srun{fill:none;stroke:#2f6fb0;stroke-width:2}"
                ".sprog{fill:none;stroke:#8aa4c4;stroke-width:2;stroke-dasharray:5 3}"
                "@media (prefers-color-scheme:dark){.lbl,.ttl{fill:#e4e4e4}"
                ".num{fill:#bbb}.lane{fill:#2a2a2a}.run{fill:#5b9be0}"
                ".srun{stroke:#5b9be0}.prog{fill:#3d5570}.grid{stroke:#444}}"
                "</style>\n");
        fwrite(s->text, 1, s->len, out);
        fprintf(out, "</svg>\n");
        if (fclose(out) != 0)
            rc = -EIO;
    }
    free(s->text);
    free(s);
    return rc;
}
