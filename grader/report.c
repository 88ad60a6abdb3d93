/*
 * report.c - the report every output format is written from: a list of
 * checks, each with a score, a reason and (patterns) figures.
 *
 * Scoring: each check has points (exercise.yaml); a check scores all of
 * them or none, except where partial credit has a reason of its own (the
 * quiz: points per right answer).  The submission passes when every check
 * with points scored all of them.
 */
#include "grader.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *gr_status_name(gr_status s)
{
    static const char *const names[] = {"pass", "fail", "skip", "error"};
    return names[s];
}

gr_check *gr_report_add(gr_report *r, const char *kind, const char *name,
                        double max_score)
{
    gr_check *v = realloc(r->checks, (r->nchecks + 1) * sizeof *v);
    if (!v)
        abort();
    r->checks = v;
    gr_check *c = &v[r->nchecks++];
    memset(c, 0, sizeof *c);
    c->kind = gr_xstrdup(kind);
    c->name = gr_xstrdup(name);
    c->max_score = max_score;
    c->status = GR_SKIP;
    return c;
}

void gr_check_set(gr_check *c, gr_status st, double score, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    free(c->reason);
    c->reason = gr_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(c->reason, (size_t)n + 1, fmt, ap);
    va_end(ap);
    /* One line: newlines inside become spaces, trailing space goes. */
    for (char *p = c->reason; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    for (size_t n = strlen(c->reason); n > 0 && c->reason[n - 1] == ' ';)
        c->reason[--n] = '\0';
    c->status = st;
    c->score = score;
}

void gr_report_total(gr_report *r)
{
    r->score = r->max_score = 0;
    r->passed = r->nchecks > 0;
    for (size_t i = 0; i < r->nchecks; i++) {
        gr_check *c = &r->checks[i];
        r->score += c->score;
        r->max_score += c->max_score;
        if (c->status == GR_FAIL || c->status == GR_ERROR ||
            (c->max_score > 0 && c->score < c->max_score))
            r->passed = 0;
    }
}

void gr_report_free(gr_report *r)
{
    for (size_t i = 0; i < r->nchecks; i++) {
        gr_check *c = &r->checks[i];
        free(c->name);
        free(c->kind);
        free(c->reason);
        free(c->output);
        json_decref(c->figures);
    }
    free(r->checks);
    free(r->exercise);
    free(r->slug);
    free(r->title);
    free(r->started_at);
    free(r->finished_at);
    json_decref(r->machine);
    memset(r, 0, sizeof *r);
}

/* Writes s as XML text (attributes too): the five special characters
 * escaped, and control characters XML 1.0 forbids replaced by U+FFFD
 * rather than making the file unreadable.  Used by SVG and JUnit. */
void gr_xml_escape(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&apos;", f);
            break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
                fputs("\xef\xbf\xbd", f);
            else
                fputc(*p, f);
        }
    }
}

/* Two bars (baseline and variant median wall time, with each run as a
 * tick) and a line of figures.  Self-contained SVG: no fonts, no script. */
char *gr_pattern_svg(const json_t *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (!o)
        abort();
    double b = json_number_value(json_object_get(f, "baseline_ms"));
    double v = json_number_value(json_object_get(f, "variant_ms"));
    double top = b > v ? b : v;
    json_t *runs[2] = {json_object_get(f, "baseline_runs_ms"),
                       json_object_get(f, "variant_runs_ms")};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *x;
        json_array_foreach(runs[k], i, x) if (json_number_value(x) > top) top =
            json_number_value(x);
    }
    if (top <= 0)
        top = 1;
    const int W = 420, X0 = 150, BW = W - X0 - 70;
    fprintf(o,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"96\" "
            "viewBox=\"0 0 %d 96\" font-family=\"sans-serif\" font-size=\"12\" "
            "role=\"img\"><title>",
            W, W);
    gr_xml_escape(o, json_string_value(json_object_get(f, "baseline")));
    fprintf(o, " vs ");
    gr_xml_escape(o, json_string_value(json_object_get(f, "variant")));
    fprintf(o, "</title>\n");
    const char *labels[2] = {json_string_value(json_object_get(f, "baseline")),
                             json_string_value(json_object_get(f, "variant"))};
    double vals[2] = {b, v};
    const char *colour[2] = {"#8a8a8a", "#2f6fb0"};
    for (int k = 0; k < 2; k++) {
        int y = 8 + k * 28;
        fprintf(o, "<text x=\"0\" y=\"%d\">", y + 14);
        gr_xml_escape(o, labels[k]);
        fprintf(o,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" "
                "fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">%.1f ms</text>\n",
                X0, y, BW * vals[k] / top, colour[k], X0 + BW * vals[k] / top + 4,
                y + 14, vals[k]);
        size_t i;
        json_t *x;
        json_array_foreach(runs[k], i, x)
        {
            fprintf(o,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\" "
                    "stroke-opacity=\"0.5\"/>",
                    X0 + BW * json_number_value(x) / top,
                    X0 + BW * json_number_value(x) / top, y - 2, y + 20);
        }
        fputc('\n', o);
    }
    fprintf(o,
            "<text x=\"0\" y=\"88\">speedup %.2fx (expect %s), capacity %.2f of %d "
            "core(s)</text></svg>\n",
            json_number_value(json_object_get(f, "speedup")),
            json_string_value(json_object_get(f, "expect")),
            json_number_value(json_object_get(f, "capacity")),
            (int)json_integer_value(json_object_get(f, "cores")));
    fclose(o);
    return buf;
}
