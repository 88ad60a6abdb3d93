/* util.c - byte buffers, error records, paths and slugs for the site
 * generator.
 *
 * Nothing here knows about Markdown.  Allocation (which aborts on failure:
 * a build tool that runs out of memory has nothing sensible to fall back
 * to), reading and atomically writing whole files and mkdir -p are the
 * course library's (course/util.h), shared with the grader.
 */
#include "site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows b so that `extra` more bytes and a NUL fit. */
static void S_reserve(sb *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->ptr = course_xrealloc(b->ptr, cap);
    b->cap = cap;
}

void sb_putn(sb *b, const char *s, size_t n)
{
    S_reserve(b, n);
    memcpy(b->ptr + b->len, s, n);
    b->len += n;
    b->ptr[b->len] = '\0';
}

void sb_puts(sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

void sb_printf(sb *b, const char *fmt, ...)
{
    /* Most pieces are short: format into a stack buffer first, and only
     * for a long one format a second time straight into b. */
    char small[256];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof small) {
        sb_putn(b, small, (size_t)n);
    } else if (n > 0) {
        S_reserve(b, (size_t)n);
        vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sb_html(sb *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        default:
            continue;
        }
        sb_putn(b, s + start, i - start);
        sb_puts(b, rep);
        start = i + 1;
    }
    sb_putn(b, s + start, n - start);
}

const char *sb_str(const sb *b)
{
    return b->ptr ? b->ptr : "";
}

char *sb_take(sb *b)
{
    char *p = b->ptr ? b->ptr : course_xstrdup("");
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void sb_free(sb *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

int site_errf(site_err *e, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->line = line;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* A path an author may name: relative, without ".." components, so that no
 * chapter can pull /etc/passwd or ../../secret into the site. */
int path_is_safe(const char *rel)
{
    if (!rel[0] || rel[0] == '/' || strstr(rel, "//"))
        return 0;
    const char *s = rel;
    while (*s) {
        const char *end = strchr(s, '/');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.')
            return 0;
        s += n;
        if (*s == '/')
            s++;
    }
    return 1;
}

char *path_join(const char *a, const char *b)
{
    sb r = {0};
    sb_printf(&r, "%s/%s", a, b);
    return sb_take(&r);
}

/* GitHub's rule, so that an anchor works the same on the site and on a Git
 * host: lowercase; letters, digits, '-' and '_' kept (non-ASCII bytes too);
 * each space becomes '-'; everything else is dropped.  "What's 1x?" ->
 * "whats-1x", "A -- B" -> "a----b". */
char *slugify(const char *text)
{
    sb r = {0};
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        char c = (char)tolower(*s);
        if (isalnum(*s) || *s >= 0x80 || *s == '-' || *s == '_')
            sb_putn(&r, &c, 1);
        else if (*s == ' ')
            sb_putn(&r, "-", 1);
    }
    if (!r.len)
        sb_puts(&r, "section");
    return sb_take(&r);
}
