/* parts.h - the generator's newer parts: figures that fit, result tables,
 * interactive timelines, the search index, inline Markdown, data files.
 *
 * Kept apart from site.h so that these modules can grow without touching
 * the shared declarations every file includes.  Ownership follows site.h:
 * a function returning `char *` returns memory the caller frees, errors
 * come back in a site_err and are printed by the caller.
 */
#ifndef SITE_PARTS_H
#define SITE_PARTS_H

#include "site.h"

/* ------------------------------------------------------------ svgfit.c */

/* The smallest width, in CSS pixels, at which every text of the SVG `svg`
 * (its source text) is drawn at least min_px tall: the width of its
 * viewBox times min_px over its smallest font-size.  0 when the SVG has no
 * text or no size to go by.  Reads font-size attributes and font-size in
 * style rules, in user units (pt and px are taken as user units, which is
 * what graphviz and the runtime write). */
double svgfit_min_width(const char *svg);

/* Appends ` style="min-width:NNNpx"` for an SVG that needs it (a width
 * under which its labels would be smaller than 12 px), or nothing. */
void svgfit_style(const char *svg, sb *out);

/* ------------------------------------------------------------ mdinline.c */

/* Renders one line of inline Markdown (emphasis, code, links) as HTML,
 * without the <p> cmark wraps it in.  Raw HTML in it is shown as text
 * ("<pid>" stays visible as &lt;pid&gt;), like everything else the reader
 * did not write as markup.  Caller frees. */
char *md_inline_html(const char *s);

/* ------------------------------------------------------------ search.c */

/* Appends c's search entries to c->search, one per section of the rendered
 * page html (headings with an id start sections): the section's title, its
 * link and its text with tags stripped, so quizzes, included code, result
 * tables and the exercise panel are all found. */
void search_add_sections(chapter *c, const char *html);

/* Appends the text of html, tags stripped and entities decoded, to out;
 * <title>, <style> and <script> contents are left out.  Runs of blanks
 * become one space. */
void html_text(const char *html, size_t n, sb *out);

/* ------------------------------------------------------------ results.c */

/* A ```results fence: a fixed-width text table (a demo's output) becomes
 * an HTML table.  Columns are found from the blank gutters every line
 * shares, joined where a header name spans several; a column of # bars
 * becomes drawn bars.  Options (fence f): caption, compare (the column the
 * reader's own run is compared on), key (the column naming each row),
 * bench (`make bench` rows to show beside it: the runtime and CPython).
 * Returns 0, or -1 with e set (e->line relative to the fence body). */
int results_render(const char *body, const fence *f, int chapter_num, sb *out,
                   site_err *e);

/* ------------------------------------------------------------ widget.c */

/* Closes a <figure>: its caption (escaped), when there is one, then the
 * closing tag. */
void figure_end(sb *out, const char *caption);

/* ------------------------------------------------------------ render.c */

/* Adds a file beside the chapters (rel to the chapters folder) to the files
 * the site copies; adding one twice copies it once. */
void book_add_asset(book *b, const char *rel);

/* ------------------------------------------------------------ timeline.c */

/* A ```timeline fence: an interactive trace viewer (theme/timeline.js)
 * over traces recorded by the runtime, with a static SVG for print and for
 * readers without JavaScript.  The body's lines are
 *
 *   traces: 03/gil-traces.json     the recorded traces (required)
 *   fallback: 03/timeline.svg      the static figure (required)
 *   diagram: gil                   the dot graph whose parts steps light
 *   from: forced drop              the walk starts after this event
 *   step: EVENT | PARTS | TEXT     one step of the walk-through
 *
 * Paths are relative to the chapters folder; both files become assets.
 * Returns 0, or -1 after reporting with book_error. */
int timeline_render(book *b, chapter *c, cmark_node *n, const fence *f, int k, sb *out);

/* The generated files timelines need (the traces as scripts a page can load
 * from file://): *rel and *data are set for file i (owned by timeline.c);
 * returns 0, or -1 when i is past the end. */
int timeline_file(int i, const char **rel, const char **data);
void timeline_shutdown(void);

/* ------------------------------------------------------------ data.c */

/* The live data files under OUT/data/ that the grader and tools write
 * (progress.js, measured.js).  A build creates each one empty when it is
 * missing and never replaces one: `make site` must not wipe the reader's
 * progress.  Returns 0, or -1 after saying why. */
int data_placeholders(const char *outdir);

/* The benchmarks page (bench.html): drawn by the theme's script from
 * data/measured.js, which `make bench` writes. */
char *page_bench(const book *b);

#endif
