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
 *
 * Columns are found the way a reader's eye finds them.  The rows (every
 * line under the header) say where a column may end: a gutter is a
 * character position that is blank on every row, and the text between
 * gutters is a piece.  The header's names (two or more spaces apart, so
 * "hold p50" is one name) join the pieces each spans into one column
 * ("245" and "ms" under "wall").  A single space inside a name that falls
 * on a gutter, with rows' text under both sides, parts two names a demo
 * printed one space apart ("wall speedup").  A piece no name covers
 * belongs to the column on its left (the rest of a row's label, a unit),
 * except a number one blank before a unit that a name covers ("46.5 ms"
 * under a "CPU" right-aligned over the "ms"): it joins its unit.
 * A run of pieces whose cells hold only '#', '|' and blanks, with a '#'
 * somewhere, is a bar chart (a demo's speedup bars): one column, never
 * joined to a neighbour, drawn as bars with the names above it as its
 * scale ("1x      2x").
 *
 * A blank line between rows starts a group: the rows after it go in a
 * <tbody> of their own, drawn with a rule above it.
 *
 * Header lines.  The lines right after the first that start right of
 * where the rows start (a demo's second header line, "max  avg" under "in
 * progress") are header lines too.  Lower lines name columns first; a name
 * of an upper line that spans two or more columns named below it labels
 * them as a group.
 *
 * The figure carries what theme/live.js needs to put the reader's own run
 * beside it: compare= names the column to compare ("speedup" also finds
 * "speedup (spread)"; the reader's figures come from data/measured.js: the
 * rows of the demo's `show --json`), key=
 * the column naming the rows (default: the first column's name), bench=
 * the `make bench` rows to show too, runtime beside CPython
 * ("gil.cpu2_speedup").
 *
 * Limits: at most MAX_HEAD header lines; a cell that is wider than its
 * header and touches the next column's text makes the two one column.
 */
#include "parts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_LINES = 64, MAX_WIDTH = 240, MAX_COLS = 24, MAX_HEAD = 3, MAX_NAMES = 96 };

typedef struct col {
    int from, to; /* character positions [from, to) */
    int bar;      /* a column of # bars */
    int numeric;  /* every cell a number (right-aligned) */
} col;

/* A header name: where it is, and the column it heads (first..last: more
 * than one for a group label). */
typedef struct name {
    int line, from, to;
    int first, last;
} name;

/* The table's layout, found by S_layout. */
typedef struct layout {
    int nhead;          /* header lines: lines[0..nhead) */
    int width;          /* the widest row */
    col cols[MAX_COLS]; /* the columns, left to right */
    int ncols;          /* how many */
    name names[MAX_NAMES];
    int nnames;
} layout;

/* Splits body into lines (no newline); returns how many, or -1.  Blank
 * lines are dropped; gap[i] says whether one or more came before line i (a
 * demo's blank line between groups of rows). */
static int S_lines(const char *body, char lines[][MAX_WIDTH + 1], int *gap)
{
    int n = 0, blank = 0;
    for (const char *s = body; *s;) {
        size_t raw = strcspn(s, "\n"), len = raw;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\r'))
            len--; /* trailing blanks say nothing about columns */
        if (n == MAX_LINES || len > MAX_WIDTH)
            return -1;
        memcpy(lines[n], s, len);
        lines[n][len] = '\0';
        if (len) {
            gap[n] = n > 0 && blank; /* blank lines say nothing about columns */
            n++, blank = 0;
        } else {
            blank = 1;
        }
        s += raw + (s[raw] == '\n'); /* past the blanks trimmed, too */
    }
    return n;
}

/* Is position i of line blank (a space, or past its end)? */
static int S_blank_at(const char *line, int i)
{
    return i >= (int)strlen(line) || line[i] == ' ';
}

/* How many header lines: the first, and those after it that start right
 * of where the rows start (at most MAX_HEAD, leaving one row). */
static int S_head_lines(char lines[][MAX_WIDTH + 1], int n)
{
    int indent = MAX_WIDTH;
    for (int l = 1; l < n; l++) {
        int k = (int)strspn(lines[l], " ");
        indent = k < indent ? k : indent;
    }
    int h = 1;
    while (h < n - 1 && h < MAX_HEAD && (int)strspn(lines[h], " ") > indent)
        h++;
    return h;
}

/* The pieces' state while the columns are found: pieces p, their group
 * (the column they end up in: runs of equal group), and the header line
 * that named the group (-1: none yet). */
typedef struct pieces {
    int n, from[MAX_WIDTH], to[MAX_WIDTH];
    int group[MAX_WIDTH], bar[MAX_WIDTH], named_by[MAX_WIDTH];
    int of[MAX_WIDTH]; /* position -> piece, -1 in a gutter */
} pieces;

/* Joins pieces a..b (a <= b) and the whole groups they are in. */
static void S_join(pieces *P, int a, int b)
{
    int lo = a, hi = b;
    while (lo > 0 && P->group[lo - 1] == P->group[a])
        lo--;
    while (hi + 1 < P->n && P->group[hi + 1] == P->group[b])
        hi++;
    int named = -1;
    for (int q = lo; q <= hi; q++)
        named = P->named_by[q] > named ? P->named_by[q] : named;
    for (int q = lo; q <= hi; q++)
        P->group[q] = P->group[lo], P->named_by[q] = named;
}

/* The first and last piece under [from, to), or -1; with skip_bars, the
 * pieces that are not bars, up to the first bar (when there are any). */
static int S_under(const pieces *P, int width, int from, int to, int skip_bars,
                   int *last)
{
    int first = -1;
    *last = -1;
    for (int i = from; i < to && i < width; i++) {
        int p = P->of[i];
        if (p < 0 || (skip_bars && P->bar[p]))
            continue;
        if (first >= 0 && skip_bars)
            for (int q = *last + 1; q < p; q++)
                if (P->bar[q])
                    return first; /* a bar between: stop before it */
        if (first < 0)
            first = p;
        *last = p;
    }
    return first;
}

/* Adds the name [from, to) of header line l to L, joining the pieces it
 * spans (or recording it as a group label).  Returns 0, or -1 when there
 * are too many names. */
static int S_name(layout *L, pieces *P, int l, int from, int to)
{
    if (L->nnames == MAX_NAMES)
        return -1;
    int last, first = S_under(P, L->width, from, to, 1, &last);
    if (first < 0) /* only bars under it: a bar's scale */
        first = S_under(P, L->width, from, to, 0, &last);
    if (first < 0) { /* over no row's text: it heads the piece before it */
        first = P->n - 1;
        while (first > 0 && P->from[first] >= to)
            first--;
        last = first;
    }
    name *nm = &L->names[L->nnames++];
    *nm = (name){.line = l, .from = from, .to = to, .first = first, .last = first};
    int named_below = 0;
    for (int q = first; q <= last; q++)
        named_below +=
            P->named_by[q] > l && (q == first || P->group[q] != P->group[q - 1]);
    if (named_below >= 2) {
        nm->last = last; /* a group label */
        return 0;
    }
    S_join(P, first, last);
    for (int q = 0; q < P->n; q++)
        if (P->group[q] == P->group[first] && P->named_by[q] < 0)
            P->named_by[q] = l;
    return 0;
}

/* The names of header line l, two or more spaces apart, each split where
 * a single space inside it sits on a gutter with rows' text under both
 * sides.  Returns 0 or -1 (too many names). */
static int S_names(layout *L, pieces *P, const char *h, int l)
{
    for (int i = 0; h[i];) {
        if (h[i] == ' ') {
            i++;
            continue;
        }
        int j = i;
        while (h[j] && !(h[j] == ' ' && (h[j + 1] == ' ' || !h[j + 1])))
            j++;
        int from = i, last;
        for (int s = i + 1; s < j; s++)
            if (h[s] == ' ' && s < L->width && P->of[s] < 0 &&
                S_under(P, L->width, from, s, 0, &last) >= 0 &&
                S_under(P, L->width, s + 1, j, 0, &last) >= 0) {
                if (S_name(L, P, l, from, s) < 0)
                    return -1;
                from = s + 1;
            }
        if (S_name(L, P, l, from, j) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* Does any of rows[0..n) hold a digit in positions [from, to)? */
static int S_has_digit(char rows[][MAX_WIDTH + 1], int n, int from, int to)
{
    for (int l = 0; l < n; l++) {
        int len = (int)strlen(rows[l]);
        for (int i = from; i < to && i < len; i++)
            if (isdigit((unsigned char)rows[l][i]))
                return 1;
    }
    return 0;
}

/* Finds the columns of lines[0..n) into L.  Returns 0, or -1 when the
 * text has no columns this can find. */
static int S_layout(char lines[][MAX_WIDTH + 1], int n, layout *L)
{
    static pieces P; /* large; one fence at a time */
    memset(L, 0, sizeof *L);
    L->nhead = S_head_lines(lines, n);
    for (int l = L->nhead; l < n; l++)
        L->width = (int)strlen(lines[l]) > L->width ? (int)strlen(lines[l]) : L->width;
    /* pieces: runs of positions that are not blank on every row */
    P.n = 0;
    for (int i = 0; i < L->width; i++) {
        int gutter = 1;
        for (int l = L->nhead; l < n && gutter; l++)
            gutter = S_blank_at(lines[l], i);
        P.of[i] = -1;
        if (gutter)
            continue;
        if (P.n == 0 || P.to[P.n - 1] != i)
            P.from[P.n++] = i;
        P.to[P.n - 1] = i + 1;
        P.of[i] = P.n - 1;
    }
    if (P.n == 0)
        return -1;
    /* bar-like pieces: only '#', '|' and blanks in every row */
    for (int p = 0; p < P.n; p++) {
        P.group[p] = p, P.named_by[p] = -1, P.bar[p] = 1;
        for (int l = L->nhead; l < n && P.bar[p]; l++)
            for (int i = P.from[p]; i < P.to[p] && i < (int)strlen(lines[l]); i++)
                P.bar[p] &=
                    lines[l][i] == '#' || lines[l][i] == '|' || lines[l][i] == ' ';
    }
    /* a run of them is one bar chart if it holds a '#' */
    for (int p = 0; p < P.n; p++) {
        if (!P.bar[p])
            continue;
        int q = p, hash = 0;
        while (q + 1 < P.n && P.bar[q + 1])
            q++;
        for (int l = L->nhead; l < n && !hash; l++)
            for (int i = P.from[p]; i < P.to[q] && i < (int)strlen(lines[l]); i++)
                hash |= lines[l][i] == '#';
        for (int k = p; k <= q; k++)
            P.bar[k] = hash;
        if (hash)
            S_join(&P, p, q);
        p = q;
    }
    for (int l = L->nhead - 1; l >= 0; l--) /* lower lines name columns first */
        if (S_names(L, &P, lines[l], l) < 0)
            return -1;
    /* A number whose unit alone sits under a right-aligned name ("46.5 ms"
     * under "CPU") joins its unit: an unnamed piece one blank before a
     * named piece with no digit on any row. */
    for (int p = 0; p + 1 < P.n; p++)
        if (!P.bar[p] && !P.bar[p + 1] && P.named_by[p] < 0 && P.named_by[p + 1] >= 0 &&
            P.from[p + 1] == P.to[p] + 1 &&
            !S_has_digit(lines + L->nhead, n - L->nhead, P.from[p + 1], P.to[p + 1]))
            S_join(&P, p, p + 1);
    for (int p = 1; p < P.n; p++) /* unnamed pieces join their left neighbour */
        if (!P.bar[p] && !P.bar[p - 1] && P.named_by[p] < 0 &&
            P.group[p] != P.group[p - 1])
            S_join(&P, p - 1, p);
    /* the columns: runs of one group; pieces and names renumbered */
    int col_of[MAX_WIDTH];
    for (int p = 0; p < P.n; p++) {
        if (p == 0 || P.group[p] != P.group[p - 1]) {
            if (L->ncols == MAX_COLS)
                return -1;
            L->cols[L->ncols++] = (col){.from = P.from[p], .bar = P.bar[p]};
        }
        L->cols[L->ncols - 1].to = P.to[p];
        col_of[p] = L->ncols - 1;
    }
    for (int k = 0; k < L->nnames; k++) {
        L->names[k].first = col_of[L->names[k].first];
        L->names[k].last = col_of[L->names[k].last];
    }
    return L->ncols >= 2 ? 0 : -1;
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

/* "245 ms", "1.00x", "47", "-", "5.0 ms", "12%", "0.98x (0.90-1.04)": a
 * figure (with at most a 2-letter unit, and perhaps its spread) to
 * right-align. */
static int S_is_number(const char *s)
{
    if (strcmp(s, "-") == 0)
        return 1;
    char *end;
    strtod(s, &end);
    if (end == s)
        return 0;
    const char *u = end + strspn(end, " ");
    for (int k = 0; k < 2 && (isalpha((unsigned char)*u) || *u == '%'); k++)
        u++;
    if (u[0] == ' ' && u[1] == '(') { /* a spread: "(lowest-highest)" */
        u = strchr(u, ')');
        return u && !u[1];
    }
    return !*u;
}

/* A bar cell: the '#' run as a share of the column's width. */
static void S_bar(const char *line, const col *c, sb *out)
{
    int w = c->to - c->from, filled = 0;
    for (int i = c->from; i < c->to && i < (int)strlen(line); i++)
        filled += line[i] == '#';
    sb_printf(out, "<td class=\"bar\"><span class=\"bar-fill\" style=\"width:%.1f%%\">",
              100.0 * filled / w);
    sb_puts(out, "</span></td>");
}

/* The header cell of column k on header line l (rowspan: how many header
 * lines it covers).  A bar column's names are its scale, each placed where
 * it ends; another column's names are its title. */
static void S_head_cell(const layout *L, const char *head, int l, int k, int rowspan,
                        sb *out)
{
    const col *c = &L->cols[k];
    char span[32] = "";
    if (rowspan > 1)
        snprintf(span, sizeof span, " rowspan=\"%d\"", rowspan);
    sb_printf(out, "<th scope=\"col\"%s%s>%s", span,
              c->bar       ? " class=\"bar\""
              : c->numeric ? " class=\"num\""
                           : "",
              c->bar ? "<span class=\"bar-scale\">" : "");
    int w = c->to - c->from, any = 0;
    for (int i = 0; i < L->nnames; i++) {
        const name *nm = &L->names[i];
        if (nm->line != l || nm->first != k || nm->last != k)
            continue;
        if (c->bar) {
            int right = c->to - nm->to > 0 ? c->to - nm->to : 0;
            sb_printf(out, "<span style=\"right:%.1f%%\">", 100.0 * right / w);
        } else if (any) {
            sb_puts(out, " ");
        }
        sb_html(out, head + nm->from, (size_t)(nm->to - nm->from));
        if (c->bar)
            sb_puts(out, "</span>");
        any = 1;
    }
    sb_puts(out, c->bar ? "</span></th>" : "</th>");
}

/* The table's head: one row per header line.  A column named on one line
 * only, under no group label, gets one cell as tall as the head. */
static void S_head(const layout *L, char lines[][MAX_WIDTH + 1], sb *out)
{
    int tall[MAX_COLS]; /* column k's cell spans every header line */
    for (int k = 0; k < L->ncols; k++) {
        int lines_naming = 0, grouped = 0;
        for (int l = 0; l < L->nhead; l++) {
            int here = 0;
            for (int i = 0; i < L->nnames; i++) {
                const name *nm = &L->names[i];
                if (nm->line == l && nm->first <= k && k <= nm->last)
                    here = 1, grouped |= nm->last > nm->first;
            }
            lines_naming += here;
        }
        tall[k] = L->nhead > 1 && lines_naming <= 1 && !grouped;
    }
    sb_puts(out, "<thead>");
    for (int l = 0; l < L->nhead; l++) {
        sb_puts(out, "<tr>");
        for (int k = 0; k < L->ncols; k++) {
            const name *label = NULL;
            for (int i = 0; i < L->nnames; i++)
                if (L->names[i].line == l && L->names[i].first == k &&
                    L->names[i].last > k)
                    label = &L->names[i];
            if (label) {
                sb_printf(out, "<th scope=\"colgroup\" colspan=\"%d\">",
                          label->last - label->first + 1);
                sb_html(out, lines[l] + label->from, (size_t)(label->to - label->from));
                sb_puts(out, "</th>");
                k = label->last;
            } else if (!tall[k]) {
                S_head_cell(L, lines[l], l, k, 1, out);
            } else if (l == 0) { /* its name, from whichever line holds it */
                int from = 0;
                for (int i = 0; i < L->nnames; i++)
                    if (L->names[i].first == k)
                        from = L->names[i].line;
                S_head_cell(L, lines[from], from, k, L->nhead, out);
            }
        }
        sb_puts(out, "</tr>");
    }
    sb_puts(out, "</thead>\n");
}

/* See parts.h.  Not reentrant: the lines live in a static buffer (the
 * generator renders one fence at a time). */
int results_render(const char *body, const fence *f, int chapter_num, sb *out,
                   site_err *e)
{
    static char lines[MAX_LINES][MAX_WIDTH + 1];
    static int gap[MAX_LINES];
    static layout L;
    int n = S_lines(body, lines, gap);
    if (n < 0)
        return site_errf(e, 0,
                         "results: at most %d lines of at most %d characters; this "
                         "is not a table",
                         MAX_LINES, MAX_WIDTH);
    if (n < 2)
        return site_errf(e, 0, "results: expected a header line and at least one row");
    if (S_layout(lines, n, &L) < 0)
        return site_errf(e, 0,
                         "results: no columns found (columns are separated by blanks "
                         "in the same place on every row; at most %d)",
                         MAX_COLS);
    char buf[MAX_WIDTH + 1];
    for (int k = 0; k < L.ncols; k++) {
        L.cols[k].numeric = !L.cols[k].bar;
        for (int l = L.nhead; l < n; l++)
            L.cols[k].numeric &= S_is_number(S_cell(lines[l], &L.cols[k], buf));
    }
    const char *key = fence_opt(f, "key"), *cmp = fence_opt(f, "compare");
    const char *cap = fence_opt(f, "caption"), *bench = fence_opt(f, "bench");
    sb_printf(out, "<figure class=\"results\" data-chapter=\"%02d\"", chapter_num);
    char first[MAX_WIDTH + 1] = "";
    for (int i = 0; cmp && !key && i < L.nnames; i++) /* the first column's name */
        if (L.names[i].first == 0 && L.names[i].last == 0) {
            const name *nm = &L.names[i];
            memcpy(first, lines[nm->line] + nm->from, (size_t)(nm->to - nm->from));
            first[nm->to - nm->from] = '\0';
            key = first;
        }
    const char *attr[3][2] = {
        {"compare", cmp}, {"key", cmp ? key : NULL}, {"bench", bench}};
    for (int i = 0; i < 3; i++)
        if (attr[i][1]) {
            sb_printf(out, " data-%s=\"", attr[i][0]);
            sb_html(out, attr[i][1], strlen(attr[i][1]));
            sb_puts(out, "\"");
        }
    sb_puts(out, ">\n<div class=\"table-wrap\"><table>\n");
    S_head(&L, lines, out);
    sb_puts(out, "<tbody>\n");
    for (int l = L.nhead; l < n; l++) {
        if (gap[l] && l > L.nhead) /* a group of rows: a tbody of its own */
            sb_puts(out, "</tbody>\n<tbody>\n");
        sb_puts(out, "<tr>");
        for (int k = 0; k < L.ncols; k++) {
            if (L.cols[k].bar) {
                S_bar(lines[l], &L.cols[k], out);
                continue;
            }
            const char *cell = S_cell(lines[l], &L.cols[k], buf);
            const char *tag = k == 0 ? "th" : "td";
            sb_printf(out, "<%s%s%s>", tag, k == 0 ? " scope=\"row\"" : "",
                      L.cols[k].numeric ? " class=\"num\"" : "");
            sb_html(out, cell, strlen(cell));
            sb_printf(out, "</%s>", tag);
        }
        sb_puts(out, "</tr>\n");
    }
    sb_puts(out, "</tbody>\n</table></div>\n");
    figure_end(out, cap);
    return 0;
}
