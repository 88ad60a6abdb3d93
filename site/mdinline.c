/* mdinline.c - short Markdown texts (quiz questions, choices, explanations).
 *
 * cmark's safe mode does not escape raw HTML, it drops it: "/proc/<pid>/task"
 * comes out as "/proc//task", because <pid> looks like a tag.  A quiz text is
 * prose, never markup, so every raw HTML node is turned back into the text
 * it was written as before rendering: cmark then escapes it like any other
 * text, and the reader sees exactly what the author typed.
 */
#include "parts.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

/* See parts.h.  Caller frees; cmark's tree is built and freed here. */
char *md_inline_html(const char *s)
{
    cmark_node *doc = cmark_parse_document(s, strlen(s), CMARK_OPT_DEFAULT);
    /* Collect first, change after: the tree must not change under the
     * iterator. */
    enum { MAXN = 256 };
    cmark_node *raw[MAXN];
    int n = 0;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        if (ev == CMARK_EVENT_ENTER && n < MAXN &&
            (t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_HTML_BLOCK))
            raw[n++] = node;
    }
    cmark_iter_free(it);
    for (int i = 0; i < n; i++) {
        int block = cmark_node_get_type(raw[i]) == CMARK_NODE_HTML_BLOCK;
        cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
        cmark_node_set_literal(text, cmark_node_get_literal(raw[i]));
        if (block) { /* a block needs a paragraph around its text */
            cmark_node *para = cmark_node_new(CMARK_NODE_PARAGRAPH);
            cmark_node_append_child(para, text);
            text = para;
        }
        cmark_node_insert_before(raw[i], text);
        cmark_node_free(raw[i]);
    }
    char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT, NULL);
    cmark_node_free(doc);
    /* one paragraph: keep what is inside it */
    size_t len = strlen(html);
    if (len >= 8 && strncmp(html, "<p>", 3) == 0 &&
        strcmp(html + len - 5, "</p>\n") == 0 && !strstr(html + 3, "<p>")) {
        memmove(html, html + 3, len - 8);
        html[len - 8] = '\0';
    }
    return html;
}
