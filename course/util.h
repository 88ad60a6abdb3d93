/*
 * util.h - the course library's small helpers: allocation, string vectors,
 * whole files, and diagnostics ("file:line: message").
 *
 * The course library (course/, built as libcourse.a) is what the grader
 * and the book's site generator share: these helpers, the quiz block reader
 * (quiz.h), the exercise.yaml reader (exercise.h) and the gradebook
 * (gradebook.h).  Public names start with course_, file statics with S_.
 *
 * Allocation never returns NULL: on out-of-memory it prints one line and
 * aborts.  Both programs are short-lived tools with nothing sensible to do
 * without memory, and a NULL checked at every call would bury the code that
 * matters; an unchecked NULL would be worse, a crash somewhere later.
 * Every other failure is returned as a negative errno value.
 *
 * Ownership: a function returning `char *` returns memory the caller frees.
 */
#ifndef COURSE_UTIL_H
#define COURSE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* ------------------------------------------------------------ util.c */

void *course_xmalloc(size_t n);                 /* n == 0 is allowed */
void *course_xcalloc(size_t n, size_t size);    /* zeroed; checks n * size */
void *course_xrealloc(void *p, size_t n);       /* like realloc, never NULL */
char *course_xstrdup(const char *s);            /* NULL stays NULL */
char *course_xstrndup(const char *s, size_t n); /* at most n bytes, NUL added */
char *course_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *course_vfmt(const char *fmt, va_list ap);

/* A growable vector of owned strings, NULL-terminated (ready for execv).
 * Zero-initialise it ({0}); free it with course_strv_free. */
typedef struct course_strv {
    char **v; /* public, read-only; v[n] == NULL once anything was pushed */
    size_t n; /* public, read-only */
} course_strv;

void course_strv_push(course_strv *sv, const char *s); /* copies s */
void course_strv_free(course_strv *sv);                /* and resets it */

/* ------------------------------------------------------------ files.c */

/* Reads path whole, NUL-terminated; *len (if not NULL) gets its length.
 * Returns the text (caller frees) or NULL with errno set. */
char *course_read_file(const char *path, size_t *len);
/* Writes path through a temporary file in the same directory and a rename,
 * so a reader (or a crash) sees the old file or the new one, never half.
 * Returns 0 or a negative errno. */
int course_write_file(const char *path, const char *data, size_t len);
/* Writes all len bytes of buf to fd (retrying short writes and EINTR).
 * Returns 0 or a negative errno. */
int course_write_all(int fd, const void *buf, size_t len);
/* mkdir -p.  Returns 0 or a negative errno. */
int course_mkdir_p(const char *path, mode_t mode);

/* ------------------------------------------------------------ diag.c */

/* One mistake in an input file, as editors and CI logs want it:
 * "file:line: message" (or "file:line:column: message", or "file: message"
 * when no line is to blame).  All fields are owned by the list. */
typedef struct course_diag {
    char *file; /* read-only: as shown, "chapters/03-x.md" */
    int line;   /* read-only: 1-based; 0 = the file as a whole */
    int column; /* read-only: 1-based; 0 = none */
    char *msg;  /* read-only: one line, no trailing newline */
} course_diag;

/* A list of diagnostics.  Readers append every mistake they find instead of
 * stopping at the first, so an author fixes them all in one round.  Zero-
 * initialise; free with course_diags_free. */
typedef struct course_diags {
    course_diag *v; /* public, read-only */
    size_t n;       /* public, read-only */
} course_diags;

void course_diag_add(course_diags *d, const char *file, int line, int column,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void course_diag_vadd(course_diags *d, const char *file, int line, int column,
                      const char *fmt, va_list ap);
/* Prints each entry on its own line, prefix + "file:line: message". */
void course_diags_print(const course_diags *d, FILE *out, const char *prefix);
void course_diags_free(course_diags *d);

#endif /* COURSE_UTIL_H */
