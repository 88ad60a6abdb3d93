/* include.c - code shown in the book comes from files the tests compile.
 *
 * A chapter never pastes code.  It writes
 *
 *   ```include
 *   path: chapters/03/demo.c
 *   region: spawn
 *   ```
 *
 * and the generator pulls the file, or the lines between the markers
 * `// [region spawn]` (or just `// [spawn]`) and `// [end]`, into a highlighted block
 * (in Python and other files where comments start with '#': `# [spawn]`, `# [end]`).
 * The marker lines themselves are left out, as are markers of other regions nested
 * inside, and a region loses the indentation its lines share.  Limit: a
 * comment line that is only "// [something]" inside a region is taken for
 * a nested marker and left out.  Paths are relative to
 * the repository root and may not climb out of it.
 */
#include "site.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Is line (n bytes, no newline) a marker "// [TEXT]" (C) or "# [TEXT]"
 * (Python, shell, YAML)?  Returns a pointer to what follows "[" and sets
 * *len to the text up to "]". */
static const char *S_marker(const char *line, size_t n, size_t *len)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i + 2 <= n && line[i] == '#')
        i += 1;
    else if (i + 3 <= n && line[i] == '/' && line[i + 1] == '/')
        i += 2;
    else
        return NULL;
    while (i < n && line[i] == ' ')
        i++;
    if (i >= n || line[i] != '[')
        return NULL;
    const char *close = memchr(line + i, ']', n - i);
    if (!close)
        return NULL;
    *len = (size_t)(close - (line + i + 1));
    return line + i + 1;
}

/* Removes the indentation all non-blank lines of a region share, so a
 * loop body taken from inside a function starts at the left margin. */
static void S_dedent(sb *b)
{
    size_t common = (size_t)-1;
    for (const char *l = sb_str(b); *l;) {
        size_t ind = strspn(l, " \t"), len = strcspn(l, "\n");
        if (ind < len && ind < common)
            common = ind;
        l += len + (l[len] == '\n');
    }
    if (common == 0 || common == (size_t)-1)
        return;
    sb out = {0};
    for (const char *l = sb_str(b); *l;) {
        size_t len = strcspn(l, "\n");
        size_t skip = len < common ? len : common;
        sb_putn(&out, l + skip, len - skip);
        if (l[len] == '\n')
            sb_putn(&out, "\n", 1);
        l += len + (l[len] == '\n');
    }
    sb_free(b);
    *b = out;
}

char *include_read(const char *root, const char *path, const char *region, site_err *e)
{
    if (!path_is_safe(path)) {
        site_errf(e, 0,
                  "include: path \"%s\" must be relative to the repository, without ..",
                  path);
        return NULL;
    }
    char *full = path_join(root, path);
    size_t n;
    char *text = course_read_file(full, &n);
    free(full);
    if (!text) {
        site_errf(e, 0, "include: cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!region)
        return text;

    sb out = {0};
    int inside = 0, found = 0;
    size_t want = strlen(region);
    for (const char *line = text; line < text + n;) {
        const char *nl = memchr(line, '\n', (size_t)(text + n - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(text + n - line);
        size_t mlen;
        const char *m = S_marker(line, len, &mlen);
        if (m && mlen == 3 && memcmp(m, "end", 3) == 0) {
            if (inside == 1 && found)
                break; /* the end of our region */
            if (inside > 1)
                inside--;
        } else if (m) {
            /* "// [region NAME]" or the short "// [NAME]" */
            if (mlen > 7 && memcmp(m, "region ", 7) == 0) {
                m += 7;
                mlen -= 7;
            }
            if (inside)
                inside++; /* a nested region: skip its markers, keep its code */
            else if (mlen == want && memcmp(m, region, want) == 0)
                inside = found = 1;
        } else if (inside) {
            sb_putn(&out, line, len);
            sb_putn(&out, "\n", 1);
        }
        line += len + 1;
    }
    free(text);
    if (found)
        S_dedent(&out);
    if (!found) {
        sb_free(&out);
        site_errf(e, 0, "include: no region \"%s\" in %s (expected a line \"// [%s]\")",
                  region, path, region);
        return NULL;
    }
    return sb_take(&out);
}
