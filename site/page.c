/* page.c - whole pages: chapters, the index, the print page, the search index.
 *
 * Every page is the theme's template (theme/page.html) with its {{slots}}
 * filled: title, kind, head, nav (the sidebar), content and pager.  Pages
 * link to each other by relative names only, so the site works when opened
 * straight from disk (file://) and when served from any folder.
 */
#include "parts.h"

#include <stdlib.h>
#include <string.h>

static char *S_template;

int page_init(const char *theme_dir, site_err *e)
{
    char *path = path_join(theme_dir, "page.html");
    S_template = course_read_file(path, NULL);
    if (!S_template)
        site_errf(e, 0, "cannot read the page template %s", path);
    free(path);
    return S_template ? 0 : -1;
}

void page_shutdown(void)
{
    free(S_template);
    S_template = NULL;
}

/* Fills the template: slots[2k] is a name, slots[2k+1] its text. */
static char *S_fill(const char *const *slots, int nslots)
{
    sb out = {0};
    const char *s = S_template;
    while (*s) {
        const char *open = strstr(s, "{{");
        if (!open) {
            sb_puts(&out, s);
            break;
        }
        sb_putn(&out, s, (size_t)(open - s));
        const char *close = strstr(open, "}}");
        if (!close) {
            sb_puts(&out, open);
            break;
        }
        size_t n = (size_t)(close - open - 2);
        for (int i = 0; i < nslots; i++)
            if (strlen(slots[2 * i]) == n && memcmp(slots[2 * i], open + 2, n) == 0)
                sb_puts(&out, slots[2 * i + 1]);
        s = close + 2;
    }
    return sb_take(&out);
}

/* The sidebar: every chapter, the current one opened to its sections. */
static void S_nav(const book *b, int cur, sb *out)
{
    sb_puts(out, "<ol class=\"chapters\">\n");
    for (int i = 0; i < b->n; i++) {
        const chapter *c = &b->ch[i];
        sb_printf(out, "<li%s><a href=\"%s.html\"%s><span class=\"num\">%d</span> ",
                  i == cur ? " class=\"current\"" : "", c->name,
                  i == cur ? " aria-current=\"page\"" : "", c->num);
        sb_html(out, c->title, strlen(c->title));
        sb_puts(out, "</a>");
        if (i == cur && c->toc.len)
            sb_printf(out, "\n<ol class=\"toc\">\n%s</ol>", sb_str(&c->toc));
        sb_puts(out, "</li>\n");
    }
    sb_puts(out, "</ol>\n<p class=\"nav-extra\"><a href=\"index.html\">Contents</a> "
                 "&middot; <a href=\"bench.html\">Benchmarks</a> &middot; "
                 "<a href=\"print.html\">Whole book (print)</a></p>\n");
}

static void S_pager_link(const chapter *c, const char *rel, const char *label, sb *out)
{
    sb_printf(out, "<a rel=\"%s\" href=\"%s.html\"><span class=\"dir\">%s</span> ", rel,
              c->name, label);
    sb_html(out, c->title, strlen(c->title));
    sb_puts(out, "</a>\n");
}

char *page_chapter(const book *b, int i)
{
    const chapter *c = &b->ch[i];
    sb nav = {0}, pager = {0}, head = {0}, title = {0};
    S_nav(b, i, &nav);
    sb_puts(&pager, "<nav class=\"pager\" aria-label=\"Previous and next chapter\">\n");
    if (i > 0) {
        S_pager_link(&b->ch[i - 1], "prev", "&larr; Previous", &pager);
        sb_printf(&head, "<link rel=\"prev\" href=\"%s.html\">\n", b->ch[i - 1].name);
    } else {
        sb_puts(&pager,
                "<a rel=\"prev\" href=\"index.html\"><span class=\"dir\">&larr; "
                "Contents</span> The GIL Workbook</a>\n");
    }
    if (i + 1 < b->n) {
        S_pager_link(&b->ch[i + 1], "next", "Next &rarr;", &pager);
        sb_printf(&head, "<link rel=\"next\" href=\"%s.html\">\n", b->ch[i + 1].name);
    }
    sb_puts(&pager, "</nav>\n");
    sb_html(&title, c->title, strlen(c->title));
    const char *slots[] = {"title",   sb_str(&title),   "kind",  "chapter",
                           "head",    sb_str(&head),    "nav",   sb_str(&nav),
                           "content", sb_str(&c->html), "pager", sb_str(&pager)};
    char *page = S_fill(slots, 6);
    sb_free(&nav);
    sb_free(&pager);
    sb_free(&head);
    sb_free(&title);
    return page;
}

char *page_index(const book *b)
{
    sb nav = {0}, body = {0};
    S_nav(b, -1, &nav);
    sb_puts(&body,
            "<h1 id=\"top\">The GIL Workbook</h1>\n"
            "<p class=\"lede\">Concurrency and Python's Global Interpreter Lock, "
            "learned by building the machinery and measuring it: a GIL, an event "
            "loop, a process pool.  Read a chapter, run its demo, solve its "
            "exercise, and submit it to the grader.</p>\n"
            "<div class=\"progress\" id=\"progress\" hidden></div>\n"
            "<h2 id=\"contents\">Contents</h2>\n<ol class=\"contents\">\n");
    for (int i = 0; i < b->n; i++) {
        const chapter *c = &b->ch[i];
        const grade *g = c->num >= 0 && c->num < 100 ? &b->grades[c->num] : NULL;
        sb_printf(&body,
                  "<li data-chapter=\"%02d\"><a href=\"%s.html\"><span "
                  "class=\"num\">%d</span> ",
                  c->num, c->name, c->num);
        sb_html(&body, c->title, strlen(c->title));
        sb_puts(&body, "</a> ");
        if (!exercise_exists(b->exdir, c->num))
            sb_puts(&body, "<span class=\"state none\">exercise coming</span>");
        else if (g && g->passed)
            sb_printf(&body, "<span class=\"state passed\">passed (%g/%g)</span>",
                      g->best_score, g->max_score);
        else if (g && g->attempts)
            sb_printf(
                &body, "<span class=\"state tried\">%d attempt%s, best %g/%g</span>",
                g->attempts, g->attempts == 1 ? "" : "s", g->best_score, g->max_score);
        else
            sb_printf(&body, "<span class=\"state todo\">exercise %02d to do</span>",
                      c->num);
        sb_puts(&body, "</li>\n");
    }
    sb_puts(&body, "</ol>\n");
    if (b->grade_note)
        sb_printf(&body,
                  "<p class=\"note\">Progress: %s (it appears after your first "
                  "<code>grader submit</code>).</p>\n",
                  b->grade_note);
    sb_puts(&body,
            "<p><a href=\"print.html\">The whole book on one page</a>, for printing "
            "or reading offline.</p>\n");
    const char *slots[] = {"title", "Contents", "kind",       "index",   "head",
                           "",      "nav",      sb_str(&nav), "content", sb_str(&body),
                           "pager", ""};
    char *page = S_fill(slots, 6);
    sb_free(&nav);
    sb_free(&body);
    return page;
}

char *page_bench(const book *b)
{
    sb nav = {0};
    S_nav(b, -1, &nav);
    static const char body[] =
        "<h1 id=\"top\">Benchmarks</h1>\n"
        "<p class=\"lede\">The runtime beside CPython and libuv, measured on your "
        "machine by <code>make bench</code>.  Bars are on a log scale: each step "
        "of the axis is ten times the one before.</p>\n"
        "<div class=\"bench\" id=\"bench\">\n"
        "<p class=\"bench-missing\">No benchmark figures yet.  Run</p>\n"
        "<pre class=\"code\"><code class=\"language-sh\">make bench</code></pre>\n"
        "<p>in the workbook's folder: it measures the runtime (and CPython, when "
        "<code>python3</code> is installed), writes <code>build/bench.json</code> "
        "and updates this page; reload it when the command is done.  Figures taken "
        "on a busy machine are slower and noisier: the page shows the load they "
        "were measured under.</p>\n"
        "<noscript><p>This page draws its charts with JavaScript.  Without it, "
        "read <code>build/bench.md</code>, the same figures as a table.</p>"
        "</noscript>\n</div>\n";
    const char *slots[] = {"title", "Benchmarks", "kind",    "bench", "head",  "",
                           "nav",   sb_str(&nav), "content", body,    "pager", ""};
    char *page = S_fill(slots, 6);
    sb_free(&nav);
    return page;
}

/* Copies a chapter's HTML for the print page, where all chapters share one
 * document: every id gets the chapter's number in front ("03-why"), and
 * links to "#x" or "NN-slug.html#x" follow.  This is safe on generated
 * HTML because cmark escapes '"' in text, so `id="` and `href="` occur
 * only as attributes. */
static void S_print_rewrite(const book *b, const chapter *c, const char *html, sb *out)
{
    const char *s = html;
    while (*s) {
        if (strncmp(s, " id=\"", 5) == 0) {
            sb_printf(out, " id=\"%02d-", c->num);
            s += 5;
        } else if (strncmp(s, " href=\"#", 8) == 0) {
            sb_printf(out, " href=\"#%02d-", c->num);
            s += 8;
        } else if (strncmp(s, " href=\"", 7) == 0) {
            const char *url = s + 7, *end = strchr(url, '"');
            const chapter *to = NULL;
            size_t nlen = 0;
            for (int i = 0; i < b->n && end; i++) {
                nlen = strlen(b->ch[i].name);
                if (strncmp(url, b->ch[i].name, nlen) == 0 &&
                    strncmp(url + nlen, ".html", 5) == 0)
                    to = &b->ch[i];
                if (to)
                    break;
            }
            if (to) {
                const char *frag = url + nlen + 5;
                sb_printf(out, " href=\"#%02d-%s", to->num, *frag == '#' ? "" : "top");
                s = *frag == '#' ? frag + 1 : frag;
            } else {
                sb_putn(out, s, 7);
                s += 7;
            }
        } else {
            sb_putn(out, s, 1);
            s++;
        }
    }
}

char *page_print(const book *b)
{
    sb body = {0};
    sb_puts(&body, "<h1 id=\"top\" class=\"book-title\">The GIL Workbook</h1>\n"
                   "<ol class=\"contents\">\n");
    for (int i = 0; i < b->n; i++) {
        sb_printf(&body, "<li><a href=\"#%02d-top\"><span class=\"num\">%d</span> ",
                  b->ch[i].num, b->ch[i].num);
        sb_html(&body, b->ch[i].title, strlen(b->ch[i].title));
        sb_puts(&body, "</a></li>\n");
    }
    sb_puts(&body, "</ol>\n");
    for (int i = 0; i < b->n; i++) {
        const chapter *c = &b->ch[i];
        sb_printf(&body, "<section class=\"print-chapter\" id=\"%02d-top\">\n", c->num);
        S_print_rewrite(b, c, sb_str(&c->html), &body);
        sb_puts(&body, "</section>\n");
    }
    const char *slots[] = {
        "title", "The whole book", "kind",        "print", "head", "", "nav",
        "",      "content",        sb_str(&body), "pager", ""};
    char *page = S_fill(slots, 6);
    sb_free(&body);
    return page;
}

/* search-index.js: loaded with a <script> tag, because browsers refuse
 * fetch() and XHR on file:// pages but do run local scripts. */
char *page_search_index(const book *b)
{
    sb out = {0};
    sb_puts(&out, "/* generated by sitegen: one entry per section of the book */\n"
                  "window.GILWB_SEARCH = [\n");
    for (int i = 0; i < b->n; i++) {
        if (!b->ch[i].search.len)
            continue;
        sb_puts(&out, sb_str(&b->ch[i].search));
        sb_puts(&out, i + 1 < b->n ? ",\n" : "\n");
    }
    sb_puts(&out, "];\n");
    return sb_take(&out);
}
