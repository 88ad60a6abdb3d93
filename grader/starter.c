/*
 * starter.c - `grader starter EX [--write]`: an exercise's starter files
 * are what stripping its reference solution gives (course/strip.h).
 *
 * For each learner file of the exercise whose reference solution
 * (solutions/NN/<file>) has solution markers, the stripped text is
 * compared with exercises/NN/<file> byte for byte; --write writes it
 * there instead.  A reference solution without markers fails the check:
 * its starter would be a second copy, written by hand, free to drift.  A
 * learner file with no reference solution at all (a student edition has
 * none) is only reported.
 */
#include "grader.h"
#include "course/strip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The first line where a and b differ (1-based). */
static int S_first_diff(const char *a, const char *b)
{
    int line = 1;
    for (; *a && *a == *b; a++, b++)
        line += *a == '\n';
    return line;
}

/* See grader.h. */
int gr_starter(const gr_exercise *ex, int write, FILE *out)
{
    int rc = GR_EXIT_PASS, checked = 0;
    for (size_t i = 0; i < ex->files.n; i++) {
        const char *f = ex->files.v[i];
        char *sol = course_fmt("%s/solutions/%s/%s", ex->course, ex->id, f);
        char *shown_sol = course_fmt("solutions/%s/%s", ex->id, f);
        char *dst = course_fmt("%s/%s", ex->dir, f);
        char *text = course_read_file(sol, NULL);
        char *starter = NULL, *have = NULL;
        course_diags d = {0};
        if (!text) {
            fprintf(out, "%s: no reference solution; nothing to compare\n", shown_sol);
            goto next;
        }
        if (!course_strip_has_markers(text, COURSE_STRIP_SOLUTION)) {
            fprintf(out,
                    "%s: no solution markers, so exercises/%s/%s cannot be checked "
                    "against it; mark what the learner writes (exercises/README.md, "
                    "\"Solutions and starters from one file\")\n",
                    shown_sol, ex->id, f);
            if (rc == GR_EXIT_PASS)
                rc = GR_EXIT_FAIL;
            goto next;
        }
        if (course_strip(text, shown_sol, COURSE_STRIP_SOLUTION, &starter, &d) < 0) {
            course_diags_print(&d, stderr, "");
            rc = GR_EXIT_USAGE;
            goto next;
        }
        checked++;
        if (write) {
            int w = course_write_file(dst, starter, strlen(starter));
            if (w < 0) {
                fprintf(stderr, "grader: exercises/%s/%s: %s\n", ex->id, f,
                        strerror(-w));
                rc = GR_EXIT_INTERNAL;
            } else {
                fprintf(out, "wrote exercises/%s/%s from %s\n", ex->id, f, shown_sol);
            }
            goto next;
        }
        have = course_read_file(dst, NULL);
        if (have && !strcmp(have, starter)) {
            fprintf(out, "exercises/%s/%s is what %s gives\n", ex->id, f, shown_sol);
        } else {
            fprintf(out,
                    "exercises/%s/%s differs from what %s gives%s (first at line %d); "
                    "`grader starter %s --write` makes it\n",
                    ex->id, f, shown_sol, have ? "" : ": it is missing",
                    have ? S_first_diff(have, starter) : 1, ex->id);
            if (rc == GR_EXIT_PASS)
                rc = GR_EXIT_FAIL;
        }
    next:
        course_diags_free(&d);
        free(have);
        free(starter);
        free(text);
        free(dst);
        free(shown_sol);
        free(sol);
    }
    (void)checked;
    return rc;
}
