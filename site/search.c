/* search.c - the search index, made from the page the reader sees.
 *
 * Each section of a chapter (a heading with an id, up to the next one)
 * becomes one entry {"c": chapter, "s": section, "u": link, "t": text}.  The
 * text is taken from the rendered HTML, not from the Markdown, so that
 * everything on the page is found: quiz questions and explanations, code
 * included from files, result tables, the exercise panel and its files
 * (searching "gettid" finds the exercise that uses it).  theme/book.js
 * ranks and highlights the hits.
 */
#include "parts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Appends the UTF-8 encoding of code point cp. */
static void S_utf8(sb *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_putn(out, b, n);
}

/* Decodes the entity at s (after '&'); returns its length including ';',
 * or 0 if it is not one we know (the '&' is then kept as it is). */
static size_t S_entity(const char *s, sb *out)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"amp", '&'},      {"lt", '<'},       {"gt", '>'},
                 {"quot", '"'},     {"apos", '\''},    {"nbsp", 0xA0},
                 {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026},
                 {"middot", 0xB7},  {"larr", 0x2190},  {"rarr", 0x2192},
                 {"times", 0xD7}};
    const char *semi = strchr(s, ';');
    if (!semi || semi - s > 10)
        return 0;
    size_t n = (size_t)(semi - s);
    if (s[0] == '#') {
        unsigned long cp = s[1] == 'x' || s[1] == 'X' ? strtoul(s + 2, NULL, 16)
                                                      : strtoul(s + 1, NULL, 10);
        if (cp == 0 || cp > 0x10FFFF)
            return 0;
        S_utf8(out, cp);
        return n + 1;
    }
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && strncmp(s, named[i].name, n) == 0) {
            S_utf8(out, named[i].cp);
            return n + 1;
        }
    return 0;
}

/* After the tag opening at s ("<title..."), skips to the end of its
 * closing tag; returns where to go on. */
static const char *S_skip_element(const char *s, const char *end, const char *name)
{
    char close[24];
    snprintf(close, sizeof close, "</%s>", name);
    const char *c = strstr(s, close);
    return c && c < end ? c + strlen(close) : end;
}

/* See parts.h.  Reads html[0..n) only; appends to out. */
void html_text(const char *html, size_t n, sb *out)
{
    static const char *const skipped[] = {"title", "style", "script"};
    const char *s = html, *end = html + n;
    int space = out->len > 0 && out->ptr[out->len - 1] != ' ';
    while (s < end) {
        if (*s == '<') {
            const char *gt = memchr(s, '>', (size_t)(end - s));
            if (!gt)
                break;
            const char *skip = NULL;
            for (size_t i = 0; i < 3 && !skip; i++) {
                size_t k = strlen(skipped[i]);
                if ((size_t)(end - s) > k + 1 && strncmp(s + 1, skipped[i], k) == 0 &&
                    (s[k + 1] == '>' || s[k + 1] == ' '))
                    skip = S_skip_element(s, end, skipped[i]);
            }
            /* a heading's "#" link is not text */
            if (!skip && strncmp(s, "<a class=\"anchor\"", 17) == 0)
                skip = S_skip_element(s, end, "a");
            s = skip ? skip : gt + 1;
            space = 1; /* a tag may separate words ("</td><td>") */
            continue;
        }
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            space = 1;
            s++;
            continue;
        }
        if (space && out->len)
            sb_putn(out, " ", 1);
        space = 0;
        size_t used = *s == '&' ? S_entity(s + 1, out) : 0;
        if (used)
            s += used + 1;
        else
            sb_putn(out, s++, 1);
    }
}

/* One entry; empty sections are left out. */
static void S_entry(chapter *c, const char *sect, const char *id, const char *text)
{
    if (!*text && !*sect)
        return;
    sb url = {0};
    sb_printf(&url, "%s.html#%s", c->name, id);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "c", c->title, "s", sect, "u",
                          sb_str(&url), "t", text);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (s) {
        if (c->search.len)
            sb_puts(&c->search, ",\n");
        sb_puts(&c->search, s);
        free(s);
    }
    json_decref(o);
    sb_free(&url);
}

/* The heading starting at s ("<h2 id=\"x\">"), or NULL: sets its id and the
 * end of its element. */
static int S_heading(const char *s, sb *id, const char **close)
{
    if (!(s[0] == '<' && s[1] == 'h' && s[2] >= '1' && s[2] <= '6' &&
          strncmp(s + 3, " id=\"", 5) == 0))
        return 0;
    const char *q = strchr(s + 8, '"');
    char tag[6] = "</h?>";
    tag[3] = s[2];
    *close = q ? strstr(q, tag) : NULL;
    if (!*close)
        return 0;
    sb_putn(id, s + 8, (size_t)(q - (s + 8)));
    return 1;
}

/* See parts.h.  Appends to c->search; html is the chapter's final page body. */
void search_add_sections(chapter *c, const char *html)
{
    sb sect = {0}, text = {0}, id = {0};
    sb_puts(&id, "top");
    const char *s = html, *from = html;
    while ((s = strchr(s, '<')) != NULL) {
        sb hid = {0};
        const char *close;
        if (!S_heading(s, &hid, &close)) {
            sb_free(&hid);
            s++;
            continue;
        }
        html_text(from, (size_t)(s - from), &text);
        S_entry(c, sb_str(&sect), sb_str(&id), sb_str(&text));
        sb_free(&sect);
        sb_free(&text);
        sb_free(&id);
        id = hid;
        const char *inner = strchr(s, '>') + 1;
        html_text(inner, (size_t)(close - inner), &sect);
        s = from = close + 5;
    }
    html_text(from, strlen(from), &text);
    S_entry(c, sb_str(&sect), sb_str(&id), sb_str(&text));
    sb_free(&sect);
    sb_free(&text);
    sb_free(&id);
}
