/* results.c - a demo's printed table, shown as a table.
 *
 * Chapters quote what their demo printed, as it printed it:
 *
 *   ```results caption="One run on the project's 2-core machine" compare=speedup
 *   run                  wall  speedup  forced
 *   main thread alone  245 ms    1.00x       0
 *   ```
 *
 * In a <pre> such a table is clipped or scrolls on a phone and cannot be
 * read by a screen reader cell by cell; here it becomes an HTML table.
 * Columns are found the way a reader's eye finds them: a gutter is a
 * character position that is blank on every line; the text between gutters
 * is a piece of a column, and pieces under the same header name (the
 * header's names are separated by two or more spaces, so "hold p50" is one
 * name and "245 ms" one cell) form one column.  A column whose cells are
 * only '#', '|' and blanks is a bar chart (a demo's speedup bars): it is
 * drawn as bars, with the header's names as the scale.
 *
 * The figure carries what theme/live.js needs to put the reader's own run
 * beside it: compare= names the column to compare (the reader's figures
 * come from data/measured.js), key= the column naming the rows (default:
 * the first), bench= the `make bench` rows to show too, runtime beside
 * CPython ("gil.cpu2_speedup").
 *
 * Limits: the header is the first line; a cell that is wider than its
 * header and touches the next column's text makes the two one column.
 */
#include "parts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINES = 64, MAX_WIDTH = 240, MAX_COLS = 24 };

typedef struct col {
    int from, to; /* character positions [from, to) */
    int bar;      /* a column of # bars */
    int numeric;  /* every cell a number (right-aligned) */
} col;

/* Splits body into lines (no newline); returns how many, or -1. */
static int S_lines(const char *body, char lines[][MAX_WIDTH + 1], int *width)
{
    int n = 0;
    *width = 0;
    for (const char *s = body; *s;) {
        size_t len = strcspn(s, "\n");
        if (n == MAX_LINES || len > MAX_WIDTH)
            return -1;
        memcpy(lines[n], s, len);
        lines[n][len] = '\0';
        while (len && (lines[n][len - 1] == ' ' || lines[n][len - 1] == '\r'))
            lines[n][--len] = '\0';
        if ((int)len > *width)
            *width = (int)len;
        if (len)
            n++; /* blank lines say nothing about columns */
        s += len + (s[len] == '\n');
        while (*s == '\r')
            s++;
    }
    return n;
}

/* Is position i of line blank (a space, or past its end)? */
static int S_blank_at(const char *line, int i)
{
    return i >= (int)strlen(line) || line[i] == ' ';
}

/* Finds the columns of lines[0..n).  Returns how many, or -1. */
static int S_columns(char lines[][MAX_WIDTH + 1], int n, int width, col *cols)
{
    /* pieces: runs of positions that are not blank on every line */
    int piece_of[MAX_WIDTH];
    int from[MAX_WIDTH], to[MAX_WIDTH], npieces = 0;
    for (int i = 0; i < width; i++) {
        int gutter = 1;
        for (int l = 0; l < n && gutter; l++)
            gutter = S_blank_at(lines[l], i);
        piece_of[i] = -1;
        if (gutter)
            continue;
        if (npieces == 0 || to[npieces - 1] != i)
            from[npieces++] = i;
        to[npieces - 1] = i + 1;
        piece_of[i] = npieces - 1;
    }
    /* join the pieces one header name spans (names: 2+ spaces apart) */
    int group[MAX_WIDTH];
    for (int p = 0; p < npieces; p++)
        group[p] = p;
    const char *h = lines[0];
    for (int i = 0; h[i];) {
        if (h[i] == ' ') {
            i++;
            continue;
        }
        int j = i;
        while (h[j] && !(h[j] == ' ' && (h[j + 1] == ' ' || !h[j + 1])))
            j++;
        int first = -1;
        for (int k = i; k < j; k++) {
            int p = piece_of[k];
            if (p < 0)
                continue;
            int g = group[p];
            if (first < 0)
                first = g;
            for (int q = 0; q < npieces; q++) /* merge p's group into first's */
                if (group[q] == g)
                    group[q] = first;
        }
        i = j;
    }
    int ncols = 0;
    for (int p = 0; p < npieces; p++) {
        if (ncols && group[p] == group[p - 1]) {
            cols[ncols - 1].to = to[p];
            continue;
        }
        if (ncols == MAX_COLS)
            return -1;
        cols[ncols++] = (col){.from = from[p], .to = to[p]};
    }
    return ncols;
}

/* The text of line between [from, to), trimmed, into buf. */
static const char *S_cell(const char *line, const col *c, char *buf)
{
    int len = (int)strlen(line), k = 0;
    for (int i = c->from; i < c->to && i < len; i++)
        buf[k++] = line[i];
    buf[k] = '\0';
    while (k && buf[k - 1] == ' ')
        buf[--k] = '\0';
    const char *s = buf;
    while (*s == ' ')
        s++;
    return s;
}

/* A bar cell: only '#', '|' and blanks, with at least one '#'. */
static int S_is_bar(const char *s)
{
    return *s && strspn(s, "#| ") == strlen(s) && strchr(s, '#');
}

/* "245 ms", "1.00x", "47", "-", "5.0 ms", "12%": a figure to right-align. */
static int S_is_number(const char *s)
{
    if (strcmp(s, "-") == 0)
        return 1;
    char *end;
    strtod(s, &end);
    if (end == s)
        return 0;
    while (*end == ' ')
        end++;
    return strlen(end) <= 2 && (!*end || isalpha((unsigned char)*end) || *end == '%');
}

/* A bar cell: the '#' run as a share of the column's width, and its ticks. */
static void S_bar(const char *line, const col *c, sb *out)
{
    int w = c->to - c->from, filled = 0;
    for (int i = c->from; i < c->to && i < (int)strlen(line); i++)
        filled += line[i] == '#';
    sb_printf(out, "<td class=\"bar\"><span class=\"bar-fill\" style=\"width:%.1f%%\">",
              100.0 * filled / w);
    sb_puts(out, "</span></td>");
}

/* The bar column's header: each name placed where it ends, a tick mark. */
static void S_bar_head(const char *head, const col *c, sb *out)
{
    int w = c->to - c->from;
    sb_puts(out, "<th class=\"bar\" scope=\"col\"><span class=\"bar-scale\">");
    int len = (int)strlen(head);
    for (int i = c->from; i < c->to && i < len;) {
        if (head[i] == ' ') {
            i++;
            continue;
        }
        int j = i;
        while (j < c->to && j < len && head[j] != ' ')
            j++;
        sb_printf(out, "<span style=\"right:%.1f%%\">", 100.0 * (c->to - j) / w);
        sb_html(out, head + i, (size_t)(j - i));
        sb_puts(out, "</span>");
        i = j;
    }
    sb_puts(out, "</span></th>");
}

/* See parts.h.  Not reentrant: the lines live in a static buffer (the
 * generator renders one fence at a time). */
int results_render(const char *body, const fence *f, int chapter_num, sb *out,
                   site_err *e)
{
    static char lines[MAX_LINES][MAX_WIDTH + 1];
    int width;
    int n = S_lines(body, lines, &width);
    if (n < 0)
        return site_errf(e, 0,
                         "results: at most %d lines of at most %d characters; this "
                         "is not a table",
                         MAX_LINES, MAX_WIDTH);
    if (n < 2)
        return site_errf(e, 0, "results: expected a header line and at least one row");
    col cols[MAX_COLS];
    int ncols = S_columns(lines, n, width, cols);
    if (ncols < 2)
        return site_errf(e, 0,
                         "results: no columns found (columns are separated by blanks "
                         "in the same place on every line; at most %d)",
                         MAX_COLS);
    char buf[MAX_WIDTH + 1];
    for (int k = 0; k < ncols; k++) {
        cols[k].bar = cols[k].numeric = 1;
        for (int l = 1; l < n; l++) {
            const char *cell = S_cell(lines[l], &cols[k], buf);
            cols[k].bar &= S_is_bar(cell);
            cols[k].numeric &= S_is_number(cell);
        }
    }
    const char *key = fence_opt(f, "key"), *cmp = fence_opt(f, "compare");
    const char *cap = fence_opt(f, "caption"), *bench = fence_opt(f, "bench");
    sb_printf(out, "<figure class=\"results\" data-chapter=\"%02d\"", chapter_num);
    if (cmp) {
        sb_puts(out, " data-compare=\"");
        sb_html(out, cmp, strlen(cmp));
        sb_printf(out, "\" data-key=\"");
        key = key ? key : S_cell(lines[0], &cols[0], buf);
        sb_html(out, key, strlen(key));
        sb_puts(out, "\"");
    }
    if (bench) {
        sb_puts(out, " data-bench=\"");
        sb_html(out, bench, strlen(bench));
        sb_puts(out, "\"");
    }
    sb_puts(out, ">\n<div class=\"table-wrap\"><table>\n<thead><tr>");
    for (int k = 0; k < ncols; k++) {
        if (cols[k].bar) {
            S_bar_head(lines[0], &cols[k], out);
            continue;
        }
        const char *h = S_cell(lines[0], &cols[k], buf);
        sb_printf(out, "<th scope=\"col\"%s>", cols[k].numeric ? " class=\"num\"" : "");
        sb_html(out, h, strlen(h));
        sb_puts(out, "</th>");
    }
    sb_puts(out, "</tr></thead>\n<tbody>\n");
    for (int l = 1; l < n; l++) {
        sb_puts(out, "<tr>");
        for (int k = 0; k < ncols; k++) {
            if (cols[k].bar) {
                S_bar(lines[l], &cols[k], out);
                continue;
            }
            const char *cell = S_cell(lines[l], &cols[k], buf);
            const char *tag = k == 0 ? "th" : "td";
            sb_printf(out, "<%s%s%s>", tag, k == 0 ? " scope=\"row\"" : "",
                      cols[k].numeric ? " class=\"num\"" : "");
            sb_html(out, cell, strlen(cell));
            sb_printf(out, "</%s>", tag);
        }
        sb_puts(out, "</tr>\n");
    }
    sb_puts(out, "</tbody>\n</table></div>\n");
    figure_end(out, cap);
    return 0;
}
