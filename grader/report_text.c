/*
 * report_text.c - the report a learner reads in the terminal.
 *
 * One line per check (verdict, points, the reason in the learner's terms),
 * the program's own output under a failed check (first lines only), and
 * for each pattern its figures and a small bar chart in text.  Colour only
 * when the caller says so (a TTY without NO_COLOR).
 */
#include "grader.h"

#include <string.h>

#define S_RED    "\033[31m"
#define S_GREEN  "\033[32m"
#define S_YELLOW "\033[33m"
#define S_DIM    "\033[2m"
#define S_BOLD   "\033[1m"
#define S_OFF    "\033[0m"

/* A bar of `cells` eighths, with Unicode partial blocks. */
static void S_bar(FILE *out, double frac, int width)
{
    static const char *const part[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int eighths = (int)(frac * width * 8 + 0.5);
    for (int i = 0; i < eighths / 8; i++)
        fputs("█", out);
    fputs(part[eighths % 8], out);
    for (int i = eighths / 8 + (eighths % 8 != 0); i < width; i++)
        fputc(' ', out);
}

static void S_chart(FILE *out, const json_t *f, int colour)
{
    double b = json_number_value(json_object_get(f, "baseline_ms"));
    double v = json_number_value(json_object_get(f, "variant_ms"));
    double top = b > v ? b : v;
    if (top <= 0)
        top = 1;
    fprintf(out, "        %-18.18s ",
            json_string_value(json_object_get(f, "baseline")));
    S_bar(out, b / top, 30);
    fprintf(out, " %8.1f ms\n", b);
    fprintf(out, "        %-18.18s %s",
            json_string_value(json_object_get(f, "variant")), colour ? S_BOLD : "");
    S_bar(out, v / top, 30);
    fprintf(out, "%s %8.1f ms\n", colour ? S_OFF : "", v);
    json_t *m = json_object_get(f, "counters");
    double quota = json_number_value(json_object_get(f, "cpu_quota"));
    char quota_note[32] = "";
    if (quota > 0)
        snprintf(quota_note, sizeof quota_note, " (quota %.2f)", quota);
    fprintf(out,
            "        speedup %.2fx  capacity %.2f of %d core(s)%s  rounds %d  "
            "max_running %.0f  threads %.0f  unheld %.0f\n",
            json_number_value(json_object_get(f, "speedup")),
            json_number_value(json_object_get(f, "capacity")),
            (int)json_integer_value(json_object_get(f, "cores")), quota_note,
            (int)json_integer_value(json_object_get(f, "rounds")),
            json_number_value(json_object_get(m, "max_running")),
            json_number_value(json_object_get(m, "threads_started")),
            json_number_value(json_object_get(m, "bytecodes_unheld")));
    fprintf(out, "        timing: %s; counters: %s\n",
            json_string_value(json_object_get(f, "timing")),
            json_string_value(json_object_get(f, "mechanism")));
}

/* Up to 12 lines of s, indented. */
static void S_excerpt(FILE *out, const char *s, int colour)
{
    int lines = 0;
    const char *p = s;
    while (*p && lines < 12) {
        size_t n = strcspn(p, "\n");
        fprintf(out, "        %s| %.*s%s\n", colour ? S_DIM : "", (int)n, p,
                colour ? S_OFF : "");
        p += n + (p[n] == '\n');
        lines++;
    }
    if (*p)
        fprintf(out, "        | ... (%zu more bytes; --format json has all)\n",
                strlen(p));
}

/* One check: its line, its chart, and its output when that says more. */
static void S_check(const gr_check *c, FILE *out, int colour)
{
    const char *word = c->status == GR_PASS   ? "PASS"
                       : c->status == GR_FAIL ? "FAIL"
                       : c->status == GR_SKIP ? "SKIP"
                                              : "ERROR";
    const char *col = c->status == GR_PASS   ? S_GREEN
                      : c->status == GR_SKIP ? S_YELLOW
                                             : S_RED;
    char pts[32] = "";
    if (c->max_score > 0)
        snprintf(pts, sizeof pts, "%g/%g", c->score, c->max_score);
    fprintf(out, "  %s%-5s%s %-36s %6s  %s\n", colour ? col : "", word,
            colour ? S_OFF : "", c->name, pts, c->reason ? c->reason : "");
    if (c->figures)
        S_chart(out, c->figures, colour);
    /* The output, unless it only repeats the reason. */
    size_t rl = c->reason ? strlen(c->reason) : 0;
    int same = c->output && c->reason && !strncmp(c->output, c->reason, rl) &&
               (c->output[rl] == '\0' || (c->output[rl] == '\n' && !c->output[rl + 1]));
    if (c->output && *c->output && c->status != GR_PASS && !same)
        S_excerpt(out, c->output, colour);
}

void gr_report_text_first(const gr_report *r, size_t n, FILE *out, int colour)
{
    fprintf(out, "%sexercise %s: %s%s (build and tests; the rest follows)\n",
            colour ? S_BOLD : "", r->exercise, r->title ? r->title : "",
            colour ? S_OFF : "");
    for (size_t i = 0; i < n && i < r->nchecks; i++)
        S_check(&r->checks[i], out, colour);
    fflush(out);
}

/* One line per sandbox layer this machine could not give in full ("open"),
 * so a report graded without root or on an old kernel says what was not
 * covered; nothing when every layer held. */
static void S_isolation(const gr_report *r, FILE *out)
{
    json_t *iso = r->machine ? json_object_get(r->machine, "isolation") : NULL;
    static const char *const layers[] = {"network", "signals", "files", NULL};
    for (int i = 0; iso && layers[i]; i++) {
        const char *v = json_string_value(json_object_get(iso, layers[i]));
        if (v && strstr(v, "open"))
            fprintf(out, "sandbox: %s %s\n", layers[i], v);
    }
}

void gr_report_text(const gr_report *r, FILE *out, int colour)
{
    fprintf(out, "%sexercise %s: %s%s\n", colour ? S_BOLD : "", r->exercise,
            r->title ? r->title : "", colour ? S_OFF : "");
    for (size_t i = 0; i < r->nchecks; i++)
        S_check(&r->checks[i], out, colour);
    if (r->withheld)
        fprintf(out,
                "  %d more check(s), %g point(s), are graded too; their results are "
                "shown later\n",
                r->withheld, r->withheld_max);
    S_isolation(r, out);
    fprintf(out, "%sscore %g/%g: %s%s  (%.1f s)\n", colour ? S_BOLD : "", r->score,
            r->max_score, r->passed ? "PASSED" : "NOT PASSED YET", colour ? S_OFF : "",
            r->seconds);
}
