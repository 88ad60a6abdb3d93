/* widget.c - what a fenced code block becomes on the page.
 *
 * A fence whose info string names a widget (fence.c) is generated here:
 *
 *   ```quiz      the interactive quiz (quiz.c)
 *   ```dot       a graphviz diagram as inline SVG (dot.c)
 *   ```include   code taken from a file the tests compile (include.c), with
 *                "path: FILE" and "region: NAME" lines as its body
 *   ```results   a demo's printed table as a table (results.c)
 *   ```timeline  a recorded trace to explore (timeline.c)
 *
 * and any other fence is code, highlighted when it is C.  Errors are
 * reported against the fence's line in the chapter.
 */
#include "parts.h"

#include <cmark-gfm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void figure_end(sb *out, const char *caption)
{
    if (caption) {
        sb_puts(out, "<figcaption>");
        sb_html(out, caption, strlen(caption));
        sb_puts(out, "</figcaption>\n");
    }
    sb_puts(out, "</figure>\n");
}

/* See site.h.  Reads n, does not change it: the caller swaps n for a
 * CUSTOM_BLOCK holding out. */
int widget_render(book *b, chapter *c, cmark_node *n, int *nquiz, int *ndot, sb *out)
{
    int line = cmark_node_get_start_line(n);
    const char *body = cmark_node_get_literal(n);
    size_t blen = strlen(body);
    fence f;
    site_err e = {0};
    int w = fence_parse(cmark_node_get_fence_info(n), &f, &e);
    if (w < 0) {
        book_error(b, c, line, "%s", e.msg);
        return -1;
    }
    if (w == 0) {
        sb_puts(out, "<pre class=\"code\"><code");
        if (f.name[0]) {
            sb_puts(out, " class=\"language-");
            sb_html(out, f.name, strlen(f.name));
            sb_puts(out, "\"");
        }
        sb_puts(out, ">");
        highlight(f.name, body, blen, out);
        sb_puts(out, "</code></pre>\n");
        return 0;
    }
    if (strcmp(f.name, "quiz") == 0) {
        sb id = {0};
        sb_printf(&id, "%02d", c->num);
        if (++*nquiz > 1)
            sb_printf(&id, "-%d", *nquiz);
        const char *title = fence_opt(&f, "title");
        sb_puts(
            out,
            "<section class=\"quiz\" aria-label=\"Quiz\">\n<p class=\"quiz-title\">");
        title = title ? title : "Check your understanding";
        sb_html(out, title, strlen(title));
        sb_puts(out, "</p>\n");
        course_diags d = {0};
        int rc = quiz_render(c->path, body, blen, line + 1, sb_str(&id), out, &d);
        sb_puts(out, "</section>\n");
        sb_free(&id);
        book_diags(b, &d);
        course_diags_free(&d);
        return rc;
    }
    if (strcmp(f.name, "results") == 0) {
        int rc = results_render(body, &f, c->num, out, &e);
        if (rc)
            book_error(b, c, line + 1 + e.line, "%s", e.msg);
        return rc;
    }
    if (strcmp(f.name, "timeline") == 0)
        return timeline_render(b, c, n, &f, line, out);
    if (strcmp(f.name, "dot") == 0) {
        sb id = {0};
        sb_printf(&id, "dot%d", ++*ndot);
        sb_puts(out, "<figure class=\"diagram\">\n<div class=\"fig-scroll\">");
        int rc = dot_render(body, line + 1, sb_str(&id), out, &e);
        sb_puts(out, "</div>\n");
        figure_end(out, fence_opt(&f, "caption"));
        sb_free(&id);
        if (rc)
            book_error(b, c, e.line, "%s", e.msg);
        return rc;
    }
    /* include: "key: value" lines */
    char path[256] = "", region[256] = "";
    int l = line + 1;
    for (const char *s = body; *s; l++) {
        size_t len = strcspn(s, "\n");
        char key[16], val[256];
        if (len > 0 && sscanf(s, " %15[a-z]: %255[^\n]", key, val) == 2) {
            if (strcmp(key, "path") == 0)
                snprintf(path, sizeof path, "%s", val);
            else if (strcmp(key, "region") == 0)
                snprintf(region, sizeof region, "%s", val);
            else {
                book_error(b, c, l,
                           "include: unknown key \"%s\" (expected path, region)", key);
                return -1;
            }
        } else if (strspn(s, " \t") != len) {
            book_error(b, c, l, "include: expected \"path: FILE\" or \"region: NAME\"");
            return -1;
        }
        s += len + (s[len] == '\n');
    }
    if (!path[0]) {
        book_error(b, c, line, "include: no \"path:\" given");
        return -1;
    }
    char *code = include_read(b->root, path, region[0] ? region : NULL, &e);
    if (!code) {
        book_error(b, c, line, "%s", e.msg);
        return -1;
    }
    const char *cap = fence_opt(&f, "caption");
    sb_puts(out, "<figure class=\"include\">\n<figcaption><code>");
    sb_html(out, path, strlen(path));
    sb_puts(out, "</code>");
    if (cap) {
        sb_puts(out, " &mdash; ");
        sb_html(out, cap, strlen(cap));
    }
    sb_puts(out, "</figcaption>\n<pre class=\"code\"><code>");
    highlight(lang_of_path(path), code, strlen(code), out);
    sb_puts(out, "</code></pre>\n</figure>\n");
    free(code);
    return 0;
}
