/*
 * report_markdown.c - the report as GitHub-flavoured Markdown, for a CI
 * job's summary page (`grader export workflow` writes it to
 * $GITHUB_STEP_SUMMARY): a headline, one table row per check, then the
 * output of each failed check in a fenced block.
 */
#include "grader.h"

#include <string.h>

/* A table cell: '|' escaped, newlines as spaces, backticks kept. */
static void S_cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

/* A fence longer than any run of backticks in s, so s cannot close it. */
static int S_fence_len(const char *s)
{
    int run = 0, most = 0;
    for (; s && *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        if (run > most)
            most = run;
    }
    return most < 3 ? 3 : most + 1;
}

void gr_report_markdown(const gr_report *r, FILE *out)
{
    fprintf(out, "## %s exercise %s: %g/%g, %s\n\n", r->passed ? "✅" : "❌", r->exercise,
            r->score, r->max_score, r->passed ? "passed" : "not passed yet");
    if (r->title)
        fprintf(out, "%s\n\n", r->title);
    fputs("| check | result | points | why |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        fputs("| `", out);
        S_cell(out, c->name);
        fprintf(out, "` | %s | ", gr_status_name(c->status));
        if (c->max_score > 0)
            fprintf(out, "%g/%g", c->score, c->max_score);
        fputs(" | ", out);
        S_cell(out, c->reason);
        fputs(" |\n", out);
    }
    if (r->withheld)
        fprintf(out,
                "\n%d more check(s), %g point(s), are graded too; their results are "
                "shown later.\n",
                r->withheld, r->withheld_max);
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        if (c->status == GR_PASS || !c->output || !*c->output)
            continue;
        int n = S_fence_len(c->output);
        fprintf(out, "\n<details><summary><code>%s</code>: output</summary>\n\n%.*s\n",
                c->name, n, "``````````````````````````````````````````");
        fputs(c->output, out);
        fprintf(out, "%s%.*s\n\n</details>\n",
                c->output[strlen(c->output) - 1] == '\n' ? "" : "\n", n,
                "``````````````````````````````````````````");
    }
    fprintf(out, "\n_graded in %.1f s_\n", r->seconds);
}
