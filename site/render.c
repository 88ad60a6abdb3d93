/* render.c - one chapter: Markdown in, checked HTML out.
 *
 * chapter_load() parses the file with cmark-gfm (tables, autolinks,
 * strikethrough) and records the title and every heading's anchor, so that
 * chapter_render() can check links into any chapter.  chapter_render() then
 * walks the tree once to collect the nodes it cares about, and changes them
 * afterwards (changing a tree while iterating over it is asking for trouble):
 *
 *   links and images   checked (chapter, anchor, exercise, figure) and rewritten
 *   headings           replaced by a CUSTOM_BLOCK carrying an id and a "#" link
 *   fenced code        quiz / dot / include widgets and highlighted code
 *                      (widget.c), each a CUSTOM_BLOCK holding the HTML
 *   raw HTML           the policy below
 *
 * Raw HTML policy: chapters are Markdown.  HTML comments are dropped (authors
 * leave notes in them); a few inline tags without attributes (<kbd>, <sub>,
 * <sup>, <br>, <mark>, <small>) pass through; anything else is a build
 * error, so no author can break the page's layout, scripts or offline promise
 * by accident.  Widgets are written as CUSTOM_BLOCKs, which cmark emits
 * verbatim.
 */
#include "parts.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void book_error(book *b, const chapter *c, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (line > 0)
        fprintf(stderr, "%s:%d: ", c->path, line);
    else
        fprintf(stderr, "%s: ", c->path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    b->errors++;
}

void book_diags(book *b, const course_diags *d)
{
    course_diags_print(d, stderr, "");
    b->errors += (int)d->n;
}

/* ------------------------------------------------------------ anchors */

/* Appends s (now owned by the list) to a growable list of strings. */
static void S_push(char ***list, int *n, int *cap, char *s)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        *list = course_xrealloc(*list, sizeof **list * (size_t)*cap);
    }
    (*list)[(*n)++] = s;
}

static int S_has_id(const chapter *c, const char *id)
{
    for (int i = 0; i < c->nids; i++)
        if (strcmp(c->ids[i], id) == 0)
            return 1;
    return 0;
}

/* Adds an anchor for text, made unique with -2, -3...; returns it (owned
 * by c). */
static const char *S_add_id(chapter *c, const char *text)
{
    char *base = slugify(text), *id = course_xstrdup(base);
    for (int k = 2; S_has_id(c, id); k++) {
        sb s = {0};
        sb_printf(&s, "%s-%d", base, k);
        free(id);
        id = sb_take(&s);
    }
    free(base);
    S_push(&c->ids, &c->nids, &c->capids, id);
    return id;
}

/* The plain text of a node's inline content (for titles, anchors, search). */
static void S_plain(cmark_node *n, sb *out)
{
    for (cmark_node *k = cmark_node_first_child(n); k; k = cmark_node_next(k)) {
        cmark_node_type t = cmark_node_get_type(k);
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
            sb_puts(out, cmark_node_get_literal(k));
        else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            sb_puts(out, " ");
        else
            S_plain(k, out);
    }
}

/* ------------------------------------------------------------ load */

cmark_parser *md_parser(int options)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *p = cmark_parser_new(options);
    static const char *const exts[] = {"table", "autolink", "strikethrough"};
    for (size_t i = 0; i < 3; i++)
        cmark_parser_attach_syntax_extension(p, cmark_find_syntax_extension(exts[i]));
    return p;
}

int chapter_load(book *b, chapter *c)
{
    size_t len;
    c->md = course_read_file(c->path, &len);
    if (!c->md) {
        book_error(b, c, 0, "cannot read the chapter");
        return -1;
    }
    c->parser = md_parser(CMARK_OPT_UNSAFE);
    cmark_parser_feed(c->parser, c->md, len);
    c->doc = cmark_parser_finish(c->parser);

    /* ids the page itself uses */
    static const char *const reserved[] = {"top", "exercise", "exercise-title",
                                           "exercise-files"};
    for (size_t i = 0; i < 4; i++)
        S_add_id(c, reserved[i]);
    /* every heading, also those inside quotes and lists, in document order:
     * chapter_render() walks them in the same order */
    cmark_iter *it = cmark_iter_new(c->doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_HEADING)
            continue;
        sb text = {0};
        S_plain(n, &text);
        if (!c->title && cmark_node_get_heading_level(n) == 1)
            c->title = course_xstrdup(sb_str(&text));
        S_add_id(c, sb_str(&text));
        sb_free(&text);
    }
    cmark_iter_free(it);
    if (!c->title) {
        book_error(b, c, 1, "the chapter has no title (a first-level \"# \" heading)");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ links */

static chapter *S_find_chapter(book *b, const char *name, size_t n)
{
    for (int i = 0; i < b->n; i++)
        if (strlen(b->ch[i].name) == n && memcmp(b->ch[i].name, name, n) == 0)
            return &b->ch[i];
    return NULL;
}

void book_add_asset(book *b, const char *rel)
{
    for (int i = 0; i < b->nassets; i++)
        if (strcmp(b->assets[i], rel) == 0)
            return;
    S_push(&b->assets, &b->nassets, &b->capassets, course_xstrdup(rel));
}

static int S_is_file(const char *path, int want_dir)
{
    struct stat st;
    return stat(path, &st) == 0 &&
           (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* Checks one link or image URL and rewrites it for the site.  Returns 0 or
 * -1 after reporting. */
static int S_check_url(book *b, chapter *c, cmark_node *n)
{
    int image = cmark_node_get_type(n) == CMARK_NODE_IMAGE;
    int line = cmark_node_get_start_line(n);
    const char *url = cmark_node_get_url(n);
    if (!url || !*url) {
        book_error(b, c, line, "empty link");
        return -1;
    }
    if (strstr(url, "://") || strncmp(url, "mailto:", 7) == 0) {
        if (image) {
            book_error(b, c, line,
                       "image %s is on another host: the site must work offline; "
                       "put the file beside the chapter",
                       url);
            return -1;
        }
        return 0; /* a reader's click, not a request at view time */
    }
    const char *hash = strchr(url, '#');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    const char *frag = hash ? hash + 1 : NULL;
    char *path = course_xmalloc(plen + 1);
    memcpy(path, url, plen);
    path[plen] = '\0';
    const char *p = path;
    while (strncmp(p, "./", 2) == 0)
        p += 2;
    int rc = 0;
    sb to = {0};

    if (!*p) { /* "#anchor" in this chapter */
        if (!S_has_id(c, frag)) {
            book_error(b, c, line, "link to a missing anchor #%s", frag);
            rc = -1;
        }
    } else if (!image && plen > 3 && strcmp(p + strlen(p) - 3, ".md") == 0 &&
               !strchr(p, '/')) {
        chapter *to_ch = S_find_chapter(b, p, strlen(p) - 3);
        if (!to_ch) {
            book_error(b, c, line, "link to a missing chapter %s", p);
            rc = -1;
        } else if (frag && !S_has_id(to_ch, frag)) {
            book_error(b, c, line, "link to a missing anchor %s#%s", p, frag);
            rc = -1;
        } else {
            sb_printf(&to, "%s.html%s%s", to_ch->name, frag ? "#" : "",
                      frag ? frag : "");
            cmark_node_set_url(n, sb_str(&to));
        }
    } else if (strncmp(p, "../exercises/", 13) == 0 ||
               strncmp(p, "exercises/", 10) == 0) {
        const char *rel = p[0] == '.' ? p + 3 : p; /* "exercises/NN/..." */
        const char *nn = rel + 10;
        int num = isdigit((unsigned char)nn[0]) ? atoi(nn) : -1;
        char *target = path_join(b->root, rel);
        if (num < 0 || !path_is_safe(rel) ||
            !(S_is_file(target, 0) || S_is_file(target, 1))) {
            book_error(b, c, line, "link to a missing exercise or exercise file %s", p);
            rc = -1;
        } else {
            chapter *to_ch = NULL;
            for (int i = 0; i < b->n; i++)
                if (b->ch[i].num == num)
                    to_ch = &b->ch[i];
            if (to_ch)
                sb_printf(&to, "%s.html#exercise", to_ch->name);
            else
                sb_puts(&to, "index.html");
            cmark_node_set_url(n, sb_str(&to));
        }
        free(target);
    } else { /* a figure or file beside the chapter */
        char *target = path_join(b->chapdir, p);
        if (!path_is_safe(p) || !S_is_file(target, 0)) {
            book_error(b, c, line, "missing %s %s (paths are relative to %s/)",
                       image ? "figure" : "file", p, b->chapdir);
            rc = -1;
        } else {
            book_add_asset(b, p);
        }
        free(target);
    }
    sb_free(&to);
    free(path);
    return rc;
}

/* ------------------------------------------------------------ raw HTML */

static int S_allowed_inline_tag(const char *s)
{
    static const char *const ok[] = {"kbd", "sub", "sup", "br", "mark", "small"};
    if (*s++ != '<')
        return 0;
    if (*s == '/')
        s++;
    size_t n = 0;
    while (isalpha((unsigned char)s[n]))
        n++;
    const char *end = s + n;
    while (*end == ' ')
        end++;
    if (*end == '/')
        end++;
    if (strcmp(end, ">") != 0)
        return 0; /* attributes, or something stranger */
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && strncmp(s, ok[i], n) == 0)
            return 1;
    return 0;
}

/* Replaces n by a CUSTOM_BLOCK that prints html. */
static void S_replace(cmark_node *n, const char *html)
{
    cmark_node *blk = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    cmark_node_set_on_enter(blk, html);
    cmark_node_insert_before(n, blk);
    cmark_node_free(n);
}

/* An image alone in its paragraph becomes a figure: the image in a box
 * that scrolls sideways when the screen is narrower than the figure's
 * smallest readable width (svgfit.c), and its description as a caption. */
static void S_figure(book *b, cmark_node *img)
{
    cmark_node *para = cmark_node_parent(img);
    if (cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
        cmark_node_first_child(para) != img || cmark_node_next(img))
        return;
    const char *url = cmark_node_get_url(img);
    sb alt = {0}, html = {0};
    S_plain(img, &alt);
    sb_puts(&html, "<figure class=\"figure\">\n<div class=\"fig-scroll\"><img src=\"");
    sb_html(&html, url, strlen(url));
    sb_puts(&html, "\" alt=\"");
    sb_html(&html, sb_str(&alt), alt.len);
    sb_puts(&html, "\"");
    size_t n = strlen(url);
    if (n > 4 && strcmp(url + n - 4, ".svg") == 0 && !strstr(url, "://")) {
        char *path = path_join(b->chapdir, url);
        char *svg = course_read_file(path, NULL);
        if (svg)
            svgfit_style(svg, &html);
        free(svg);
        free(path);
    }
    sb_puts(&html, "></div>\n");
    if (alt.len) {
        sb_puts(&html, "<figcaption>");
        sb_html(&html, sb_str(&alt), alt.len);
        sb_puts(&html, "</figcaption>\n");
    }
    sb_puts(&html, "</figure>\n");
    S_replace(para, sb_str(&html));
    sb_free(&alt);
    sb_free(&html);
}

/* ------------------------------------------------------------ render */

int chapter_render(book *b, chapter *c)
{
    int errors = b->errors;
    enum { MAXN = 4096 };
    cmark_node **nodes = course_xmalloc(sizeof *nodes * MAXN);
    int nn = 0;

    cmark_iter *it = cmark_iter_new(c->doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_HEADING:
        case CMARK_NODE_LINK:
        case CMARK_NODE_IMAGE:
        case CMARK_NODE_CODE_BLOCK:
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_HTML_INLINE:
            if (nn == MAXN) {
                book_error(b, c, cmark_node_get_start_line(n),
                           "chapter too long (%d nodes)", MAXN);
                goto out;
            }
            nodes[nn++] = n;
            break;
        default:
            break;
        }
    }

    /* 1. links and images, while headings still hold them; a figure alone
     * in its paragraph becomes a <figure> */
    for (int i = 0; i < nn; i++) {
        cmark_node_type t = cmark_node_get_type(nodes[i]);
        if ((t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) &&
            S_check_url(b, c, nodes[i]) == 0 && t == CMARK_NODE_IMAGE)
            S_figure(b, nodes[i]);
    }
    /* 2. raw HTML and code blocks; 3. headings.  Headings come last because
     * replacing one frees its children, which may include raw HTML. */
    int nquiz = 0, ndot = 0;
    int heading_no = 0;
    for (int pass = 2; pass <= 3; pass++)
        for (int i = 0; i < nn; i++) {
            if ((pass == 3) != (cmark_node_get_type(nodes[i]) == CMARK_NODE_HEADING))
                continue;
            cmark_node *n = nodes[i];
            int line = cmark_node_get_start_line(n);
            const char *lit = cmark_node_get_literal(n);
            switch (cmark_node_get_type(n)) {
            case CMARK_NODE_HTML_BLOCK:
            case CMARK_NODE_HTML_INLINE:
                if (strncmp(lit, "<!--", 4) == 0)
                    cmark_node_free(n);
                else if (cmark_node_get_type(n) == CMARK_NODE_HTML_BLOCK ||
                         !S_allowed_inline_tag(lit))
                    book_error(
                        b, c, line,
                        "raw HTML is not allowed in chapters (only comments and <kbd>, "
                        "<sub>, <sup>, <br>, <mark>, <small>): %.40s",
                        lit);
                break;
            case CMARK_NODE_CODE_BLOCK: {
                sb html = {0};
                if (widget_render(b, c, n, &nquiz, &ndot, &html) == 0)
                    S_replace(n, sb_str(&html));
                sb_free(&html);
                break;
            }
            case CMARK_NODE_HEADING: {
                int lvl = cmark_node_get_heading_level(n);
                const char *id = c->ids[4 + heading_no++];
                char *inner = cmark_render_html(
                    n, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(c->parser));
                /* inner is "<hN>...</hN>\n": keep what is between the tags */
                size_t ilen = strlen(inner);
                sb h = {0};
                sb_printf(&h, "<h%d id=\"%s\">", lvl, id);
                if (ilen > 10)
                    sb_putn(&h, inner + 4, ilen - 10);
                sb_printf(&h,
                          " <a class=\"anchor\" href=\"#%s\" aria-label=\"Link to this "
                          "section\">#</a></h%d>\n",
                          id, lvl);
                if (lvl == 2) { /* plain text: a link inside a link is not HTML */
                    sb title = {0};
                    S_plain(n, &title);
                    sb_printf(&c->toc, "<li><a href=\"%s.html#%s\">", c->name, id);
                    sb_html(&c->toc, title.ptr ? title.ptr : "", title.len);
                    sb_puts(&c->toc, "</a></li>\n");
                    sb_free(&title);
                }
                S_replace(n, sb_str(&h));
                sb_free(&h);
                free(inner);
                break;
            }
            default:
                break;
            }
        }
    if (b->errors == errors) {
        char *html = cmark_render_html(c->doc, CMARK_OPT_UNSAFE,
                                       cmark_parser_get_syntax_extensions(c->parser));
        sb_puts(&c->html, html);
        free(html);
        course_diags d = {0};
        grade *g = c->num >= 0 && c->num < 100 ? &b->grades[c->num] : NULL;
        if (exercise_panel(b->exdir, c->num, g, &c->html, &d) != 0)
            book_diags(b, &d);
        course_diags_free(&d);
        search_add_sections(c, sb_str(&c->html));
    }
out:
    cmark_iter_free(it);
    free(nodes);
    return b->errors == errors ? 0 : -1;
}

void chapter_free(chapter *c)
{
    free(c->path);
    free(c->name);
    free(c->title);
    for (int i = 0; i < c->nids; i++)
        free(c->ids[i]);
    free(c->ids);
    sb_free(&c->toc);
    sb_free(&c->html);
    sb_free(&c->search);
    if (c->doc)
        cmark_node_free(c->doc);
    if (c->parser)
        cmark_parser_free(c->parser);
    free(c->md);
}
