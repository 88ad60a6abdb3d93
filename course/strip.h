/*
 * strip.h - one source of truth for solutions and starters: marked regions
 * in C files, and what stripping them gives.
 *
 * A reference solution (solutions/NN/<file>) marks what the learner must
 * write, and may say what the starter shows in its place (the exact lines
 * are in exercises/README.md, "Solutions and starters from one file"):
 *
 *   a comment line  BEGIN SOLUTION ... a comment line  END SOLUTION
 *       the solution's lines: dropped from the starter, markers too;
 *   "#if 0" + comment BEGIN STARTER ... "#endif" + comment END STARTER
 *       the starter's lines: kept in the starter without the two marker
 *       lines, skipped by the compiler in the solution;
 *
 * so that exercises/NN/<file> is exactly what stripping the solution
 * gives (`grader starter NN` checks it, `--write` makes it; `make test`
 * checks every exercise that has markers).  Provided files (drivers) mark
 * the cases of hidden tests, which the student edition leaves out:
 *
 *   a comment line  BEGIN HIDDEN TESTS ... a comment line  END HIDDEN TESTS
 *       hidden cases and their rows in the case table: dropped from the
 *       student edition, markers too.
 *
 * A marker is a line of its own (spaces around it and between its words do
 * not matter).  Regions do not nest; every BEGIN has its END.  Mistakes are
 * reported as "file:line: message", all of them in one pass.
 *
 * Locking: none; no state.
 */
#ifndef COURSE_STRIP_H
#define COURSE_STRIP_H

#include "util.h"

typedef enum course_strip_mode {
    COURSE_STRIP_SOLUTION, /* solution -> starter: SOLUTION out, STARTER in */
    COURSE_STRIP_HIDDEN,   /* provided file -> student edition: HIDDEN TESTS out */
} course_strip_mode;

/* Whether text holds any marker of mode's kind (0 or 1). */
int course_strip_has_markers(const char *text, course_strip_mode mode);

/* Strips text (a whole file, NUL-terminated) as mode says.  shown names
 * the file in messages.  Returns 0 with the result in *out (caller frees),
 * or -EINVAL with every mistake appended to d. */
int course_strip(const char *text, const char *shown, course_strip_mode mode,
                 char **out, course_diags *d);

#endif /* COURSE_STRIP_H */
