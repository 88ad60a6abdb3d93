/*
 * report_tap.c - Test Anything Protocol (version 13) for TAP consumers
 * (prove, CI plugins): a plan, one line per check, details as YAML blocks.
 */
#include "grader.h"

#include <string.h>

/* A TAP description must not contain '#' (it starts a directive). */
static void S_desc(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '#' ? '_' : *s == '\n' ? ' ' : *s, f);
}

/* A YAML block scalar line by line, indented. */
static void S_block(FILE *f, const char *key, const char *s)
{
    fprintf(f, "  %s: |\n", key);
    while (s && *s) {
        size_t n = strcspn(s, "\n");
        fprintf(f, "    %.*s\n", (int)n, s);
        s += n + (s[n] == '\n');
    }
}

void gr_report_tap(const gr_report *r, FILE *out)
{
    fputs("TAP version 13\n", out);
    fprintf(out, "1..%zu\n", r->nchecks);
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        int ok = c->status == GR_PASS || c->status == GR_SKIP;
        fprintf(out, "%s %zu - ", ok ? "ok" : "not ok", i + 1);
        S_desc(out, c->name);
        if (c->status == GR_SKIP) {
            fputs(" # SKIP ", out);
            S_desc(out, c->reason);
        }
        fputc('\n', out);
        fputs("  ---\n", out);
        fprintf(out, "  kind: %s\n  score: %g\n  max_score: %g\n", c->kind, c->score,
                c->max_score);
        S_block(out, "reason", c->reason);
        if (c->output && *c->output && !ok)
            S_block(out, "output", c->output);
        fputs("  ...\n", out);
    }
    fprintf(out, "# score %g/%g %s\n", r->score, r->max_score,
            r->passed ? "passed" : "failed");
}
