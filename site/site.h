/* site.h - the book's static-site generator: shared types and modules.
 *
 * The generator turns chapters/NN-slug.md into build/site/NN-slug.html.  It
 * works in three steps, each in its own file:
 *
 *   render.c     parse one chapter with cmark-gfm, check its links, and turn
 *                widget fences (quiz, dot, include) into CUSTOM_BLOCK nodes
 *   page.c       wrap rendered chapters in the theme's template; write the
 *                index, the print page and the search index
 *   main.c       find the chapters, run the steps, and only when every
 *                chapter rendered cleanly, write the files (no half-built site)
 *
 * Helpers: util.c (byte buffers, paths, slugs), fence.c (widget options),
 * quiz.c (the quiz widget), dot.c (graphviz), highlight.c (C syntax),
 * include.c (code regions), exercise.c (the exercise panel).
 *
 * From the course library (course/, shared with the grader): allocation and
 * whole files (course/util.h), the quiz block reader (course/quiz.h), the
 * exercise.yaml reader (course/exercise.h) and the gradebook's progress
 * query (course/gradebook.h), so the book and the grader read the same
 * files by the same rules.
 *
 * Ownership: a function returning `char *` returns memory the caller frees,
 * unless its comment says otherwise.  Errors are reported as a site_err (a
 * line in the chapter and a message) or, from the course library's readers,
 * as a course_diags list, and never printed by a helper: render.c prints
 * them as "chapters/NN-x.md:LINE: message" (or the exercise.yaml's own
 * file and line), the format editors and CI logs understand.
 */
#ifndef SITE_H
#define SITE_H

#include "course/exercise.h"
#include "course/gradebook.h"
#include "course/quiz.h"
#include "course/util.h"

#include <stdarg.h>
#include <stddef.h>

/* ------------------------------------------------------------ util.c */

/* A growable byte string, always NUL-terminated once anything was added.
 * Fields are read-only for users: change them only through sb_ functions. */
typedef struct sb {
    char *ptr; /* NULL until the first append */
    size_t len;
    size_t cap;
} sb;

void sb_putn(sb *b, const char *s, size_t n);
void sb_puts(sb *b, const char *s);
void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_html(sb *b, const char *s, size_t n); /* append with & < > " escaped */
const char *sb_str(const sb *b);              /* "" when empty; owned by b */
char *sb_take(sb *b);                         /* caller frees; b is reset */
void sb_free(sb *b);

/* One error: a line of the chapter (1-based, 0 if none) and a message. */
typedef struct site_err {
    int line;
    char msg[480];
} site_err;
int site_errf(site_err *e, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4))); /* fills e, returns -1 */

int path_is_safe(const char *rel);             /* relative, no "..", no "//" */
char *path_join(const char *a, const char *b); /* caller frees */
char *slugify(const char *text);               /* "Why 1x?" -> "why-1x"; caller frees */

/* ------------------------------------------------------------ fence.c */

/* A widget fence's info string: "dot caption=\"Two threads\"".  Options are
 * key=value pairs; values may be double-quoted to hold spaces. */
enum { FENCE_MAX_OPTS = 8 };
typedef struct fence {
    char name[16]; /* "quiz", "dot", "include", or "" for plain code */
    int nopts;
    char key[FENCE_MAX_OPTS][24];
    char val[FENCE_MAX_OPTS][160];
} fence;

/* Parses info into f.  Returns 1 for a widget fence, 0 for ordinary code
 * (f->name is the language then), -1 with e->msg set on a malformed or
 * unknown option of a widget. */
int fence_parse(const char *info, fence *f, site_err *e);
const char *fence_opt(const fence *f, const char *key); /* NULL if absent */

/* ------------------------------------------------------------ quiz.c */

/* Reads a quiz body with the course's rules (course/quiz.h) and renders it
 * as HTML into out.  file names the chapter in messages; first_line is the
 * chapter line of the body's first line, so errors name the chapter line.
 * id names the quiz for the page's localStorage ("03").  Returns 0, or -1
 * with every mistake appended to d (and nothing added to out). */
int quiz_render(const char *file, const char *body, size_t len, int first_line,
                const char *id, sb *out, course_diags *d);

/* ------------------------------------------------------------ dot.c */

/* Lays out a graphviz `dot` source and appends an inline <svg> to out.
 * idprefix keeps element ids unique when a page holds several diagrams.
 * Returns 0, or -1 with e set (line is first_line + graphviz's line). */
int dot_render(const char *src, int first_line, const char *idprefix, sb *out,
               site_err *e);
void dot_shutdown(void); /* frees graphviz's context, if one was made */

/* ------------------------------------------------------------ highlight.c */

/* Appends src as HTML-escaped code with <span class="tok-..."> around C
 * keywords, types, strings, numbers, comments and preprocessor lines.
 * Other languages (lang not "c"/"h") are escaped only. */
void highlight(const char *lang, const char *src, size_t len, sb *out);
const char *lang_of_path(const char *path); /* "c" for .c/.h, else "" */

/* ------------------------------------------------------------ include.c */

/* Reads root/path, or the lines between "// [region NAME]" and "// [end]"
 * when region is not NULL.  Returns the text (caller frees) or NULL with
 * e->msg set; e->line is left to the caller. */
char *include_read(const char *root, const char *path, const char *region, site_err *e);

/* Progress on one exercise, from the grader's gradebook (read with
 * course_gradebook_progress, course/gradebook.h). */
typedef course_progress grade;

/* ------------------------------------------------------------ exercise.c */

/* Appends the exercise panel of exercise num (exercises/NN under exdir):
 * its task (README.md), the files the learner edits (from exercise.yaml's
 * `files:`), highlighted, and the `grader submit` line.  A missing folder
 * gives a "not available yet" panel.  Returns 0, or -1 with the mistakes
 * appended to d for a folder that exists but is broken (exercise.yaml
 * breaks the format's rules, a listed file cannot be read). */
int exercise_panel(const char *exdir, int num, const grade *g, sb *out,
                   course_diags *d);
int exercise_exists(const char *exdir, int num);
char *exercise_title(const char *exdir, int num); /* NULL if none; caller frees */

/* ------------------------------------------------------------ render.c */

typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;

/* One chapter.  All strings are owned by the chapter (chapter_free). */
typedef struct chapter {
    int num;     /* NN of NN-slug.md */
    char *path;  /* "chapters/03-threads.md", as errors print it */
    char *name;  /* "03-threads": the page is name + ".html" */
    char *title; /* plain text of the first "# " heading */
    char **ids;  /* the page's anchors, in order */
    int nids, capids;
    sb toc;               /* <li> items of the "## " headings, for the sidebar */
    sb html;              /* the rendered body, set by chapter_render */
    sb search;            /* JSON objects, one per section, for the search index */
    cmark_parser *parser; /* kept until rendering: it owns the extensions */
    cmark_node *doc;
    char *md; /* the source text */
} chapter;

/* The whole book, as main.c sees it. */
typedef struct book {
    const char *root;    /* repository root: include paths start here */
    const char *chapdir; /* "chapters" */
    const char *exdir;   /* "exercises" */
    chapter *ch;         /* sorted by num */
    int n;
    grade grades[100]; /* by exercise number */
    const char *grade_note;
    char **assets; /* figures to copy, relative to chapdir */
    int nassets, capassets;
    int errors; /* errors reported so far */
} book;

/* A cmark-gfm parser with the book's extensions (table, autolink,
 * strikethrough) attached.  Caller frees (cmark_parser_free). */
cmark_parser *md_parser(int options);

/* Prints "path:line: message" to stderr and counts it in b->errors. */
void book_error(book *b, const chapter *c, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints every entry of d ("file:line: message") and counts them. */
void book_diags(book *b, const course_diags *d);

/* Reads and parses c->path; finds the title and the anchors.  Returns 0, or
 * -1 after reporting. */
int chapter_load(book *b, chapter *c);
/* Checks links, expands widget fences, renders c->html, c->toc, c->search.
 * Needs every chapter loaded (links name other chapters' anchors). */
int chapter_render(book *b, chapter *c);
void chapter_free(chapter *c);

/* ------------------------------------------------------------ widget.c */

/* Appends the HTML for the fenced code block n of chapter c to out: a
 * quiz, dot or include widget, or (highlighted) code.  *nquiz and *ndot
 * count the chapter's widgets so far, to name them uniquely.  Returns 0, or
 * -1 after reporting with book_error. */
int widget_render(book *b, chapter *c, cmark_node *n, int *nquiz, int *ndot, sb *out);

/* ------------------------------------------------------------ page.c */

/* Each returns a whole file's text (caller frees), built from the theme's
 * template (theme/page.html, read once by page_init). */
int page_init(const char *theme_dir, site_err *e);
char *page_chapter(const book *b, int i);
char *page_index(const book *b);
char *page_print(const book *b);
char *page_search_index(const book *b);
void page_shutdown(void);

#endif
