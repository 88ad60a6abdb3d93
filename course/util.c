/*
 * util.c - allocation that never returns NULL, formatted strings, string
 * vectors.  Shared by the grader and the site generator (see util.h).
 *
 * Locking: none needed.  Nothing here keeps state between calls, so every
 * function may be called from any thread (malloc is thread-safe).
 */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Says so and aborts: the one way out of an allocation failure. */
__attribute__((noreturn)) static void S_oom(size_t n, size_t size)
{
    fprintf(stderr, "out of memory (asked for %zu x %zu bytes)\n", n, size);
    abort();
}

/* Allocates n bytes (at least one, so that n == 0 gives a pointer free()
 * accepts and that differs from NULL).  Never returns NULL. */
void *course_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        S_oom(n, 1);
    return p;
}

/* n zeroed elements of size bytes.  calloc checks n * size for overflow
 * itself; we only add the abort. */
void *course_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        S_oom(n, size);
    return p;
}

/* Grows or shrinks p to n bytes.  On failure the old block would still be
 * valid, but we abort anyway: there is nothing to go on with. */
void *course_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        S_oom(n, 1);
    return q;
}

/* A copy of s (NULL stays NULL).  Caller frees. */
char *course_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(course_xmalloc(n), s, n);
}

/* A copy of at most n bytes of s, NUL-terminated.  Caller frees. */
char *course_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = course_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* vprintf into a fresh string.  Caller frees. */
char *course_vfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        n = 0; /* an encoding error: an empty string rather than garbage */
    char *s = course_xmalloc((size_t)n + 1);
    if (n > 0)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    else
        s[0] = '\0';
    va_end(ap2);
    return s;
}

/* printf into a fresh string.  Caller frees. */
char *course_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = course_vfmt(fmt, ap);
    va_end(ap);
    return s;
}

/* Appends a copy of s; keeps v NULL-terminated. */
void course_strv_push(course_strv *sv, const char *s)
{
    if (sv->n > SIZE_MAX / sizeof *sv->v - 2)
        S_oom(sv->n + 2, sizeof *sv->v);
    sv->v = course_xrealloc(sv->v, (sv->n + 2) * sizeof *sv->v);
    sv->v[sv->n++] = course_xstrdup(s);
    sv->v[sv->n] = NULL;
}

/* Frees every string and the vector; sv is empty again afterwards. */
void course_strv_free(course_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}
