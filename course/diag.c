/*
 * diag.c - lists of "file:line: message" diagnostics.
 *
 * The readers (quiz blocks, exercise.yaml) collect mistakes here instead of
 * printing them: the grader prints them to stderr, the site generator
 * counts them as build errors, and the unit tests compare them.
 *
 * Locking: a list belongs to one thread at a time (the caller's).
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Appends one diagnostic; file is copied (NULL is shown as "?"). */
void course_diag_vadd(course_diags *d, const char *file, int line, int column,
                      const char *fmt, va_list ap)
{
    d->v = course_xrealloc(d->v, (d->n + 1) * sizeof *d->v);
    course_diag *x = &d->v[d->n++];
    x->file = course_xstrdup(file ? file : "?");
    x->line = line > 0 ? line : 0;
    x->column = column > 0 && line > 0 ? column : 0;
    x->msg = course_vfmt(fmt, ap);
}

/* See course_diag_vadd. */
void course_diag_add(course_diags *d, const char *file, int line, int column,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    course_diag_vadd(d, file, line, column, fmt, ap);
    va_end(ap);
}

/* Prints every diagnostic, oldest first: "prefix file:line:col: msg". */
void course_diags_print(const course_diags *d, FILE *out, const char *prefix)
{
    for (size_t i = 0; i < d->n; i++) {
        const course_diag *x = &d->v[i];
        fprintf(out, "%s%s", prefix ? prefix : "", x->file);
        if (x->line)
            fprintf(out, ":%d", x->line);
        if (x->column)
            fprintf(out, ":%d", x->column);
        fprintf(out, ": %s\n", x->msg);
    }
}

/* Frees every entry and the list; d is empty again afterwards. */
void course_diags_free(course_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    d->v = NULL;
    d->n = 0;
}
