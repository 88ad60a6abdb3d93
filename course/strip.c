/*
 * strip.c - marked regions of solutions and drivers (rules in strip.h).
 *
 * One pass over the lines: each line is either a marker (compared after
 * collapsing its white space) or text.  A small state machine says whether
 * text lines are kept: outside any region, yes; in a region the mode drops
 * (SOLUTION, HIDDEN TESTS), no; in a STARTER region, yes.  A line that
 * mentions a marker's words but is not exactly a marker is reported, since
 * a marker the stripper does not see would ship a solution.
 *
 * Locking: none; no state.
 */
#include "strip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum S_kind {
    S_TEXT,
    S_BEGIN_SOLUTION,
    S_END_SOLUTION,
    S_BEGIN_STARTER,
    S_END_STARTER,
    S_BEGIN_HIDDEN,
    S_END_HIDDEN
} S_kind;

/* The markers, white space collapsed, in S_kind order from S_BEGIN_SOLUTION. */
static const char *const S_marks[] = {
    "/* BEGIN SOLUTION */",     "/* END SOLUTION */",       "#if 0 /* BEGIN STARTER */",
    "#endif /* END STARTER */", "/* BEGIN HIDDEN TESTS */", "/* END HIDDEN TESTS */",
};
static const char *const S_words[] = {"BEGIN SOLUTION",     "END SOLUTION",
                                      "BEGIN STARTER",      "END STARTER",
                                      "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"};

/* What line [p, p+n) is; *loose = 1 if it names a marker without being one. */
static S_kind S_classify(const char *p, size_t n, int *loose)
{
    char buf[64];
    size_t k = 0;
    int space = 0;
    *loose = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            space = k > 0;
            continue;
        }
        if (space && k < sizeof buf - 1)
            buf[k++] = ' ';
        space = 0;
        if (k < sizeof buf - 1)
            buf[k++] = c;
        else
            break;
    }
    buf[k] = '\0';
    for (int m = 0; m < 6; m++)
        if (!strcmp(buf, S_marks[m]))
            return (S_kind)(m + 1);
    for (int m = 0; m < 6; m++)
        if (memmem(p, n, S_words[m], strlen(S_words[m])))
            *loose = 1;
    return S_TEXT;
}

/* Whether a marker kind belongs to mode (SOLUTION and STARTER to the
 * solution mode, HIDDEN TESTS to the other). */
static int S_of_mode(S_kind k, course_strip_mode mode)
{
    int hidden = k == S_BEGIN_HIDDEN || k == S_END_HIDDEN;
    return mode == COURSE_STRIP_HIDDEN ? hidden : !hidden;
}

/* See strip.h. */
int course_strip_has_markers(const char *text, course_strip_mode mode)
{
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        int loose;
        S_kind k = S_classify(p, n, &loose);
        if (k != S_TEXT && S_of_mode(k, mode))
            return 1;
        p += n + (p[n] == '\n');
    }
    return 0;
}

/* See strip.h. */
int course_strip(const char *text, const char *shown, course_strip_mode mode,
                 char **out, course_diags *d)
{
    size_t len = strlen(text), ol = 0;
    char *res = course_xmalloc(len + 1);
    S_kind open = S_TEXT; /* the BEGIN of the region we are in */
    int open_line = 0, line = 0, errors = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n"), with_nl = n + (p[n] == '\n');
        int loose;
        S_kind k = S_classify(p, n, &loose);
        line++;
        if (k != S_TEXT && !S_of_mode(k, mode)) {
            course_diag_add(d, shown, line, 0, "%s does not belong in %s",
                            S_marks[k - 1],
                            mode == COURSE_STRIP_HIDDEN
                                ? "a provided file (solutions/ holds solution markers)"
                                : "a solution (hidden tests are marked in drivers)");
            errors++;
        } else if (k == S_BEGIN_SOLUTION || k == S_BEGIN_STARTER ||
                   k == S_BEGIN_HIDDEN) {
            if (open != S_TEXT) {
                course_diag_add(d, shown, line, 0,
                                "%s inside the region opened at line %d (regions do "
                                "not nest)",
                                S_marks[k - 1], open_line);
                errors++;
            }
            open = k;
            open_line = line;
        } else if (k != S_TEXT) {
            if (open != k - 1) {
                course_diag_add(d, shown, line, 0, "%s without %s before it",
                                S_marks[k - 1], S_marks[k - 2]);
                errors++;
            }
            open = S_TEXT;
        } else {
            if (loose) {
                course_diag_add(d, shown, line, 0,
                                "this line names a marker but is not one: a marker "
                                "is a line of its own (exercises/README.md)");
                errors++;
            }
            if (open == S_TEXT || open == S_BEGIN_STARTER) {
                memcpy(res + ol, p, with_nl);
                ol += with_nl;
            }
        }
        p += with_nl;
    }
    if (open != S_TEXT) {
        course_diag_add(d, shown, open_line, 0, "%s is never closed",
                        S_marks[open - 1]);
        errors++;
    }
    res[ol] = '\0';
    if (errors) {
        free(res);
        return -EINVAL;
    }
    *out = res;
    return 0;
}
