/* quiz.c - a chapter's quiz as an interactive widget.
 *
 * The body of a ```quiz fence is read by the course library
 * (course/quiz.h), with the rules and messages the grader uses too: 1-8
 * questions of 2-6 choices, the answer as a letter or a 0-based index,
 * every mistake named with its chapter line.  This file only renders a quiz
 * that passed.
 *
 * The widget is plain HTML plus data attributes; theme/book.js makes it
 * interactive and keeps answers in localStorage.  The right answer is in
 * the page (data-answer, always a letter): the site is for self-study, and
 * the grader keeps its own keys.  The texts are Markdown (inline code,
 * emphasis), rendered by cmark in safe mode, so a question cannot inject
 * raw HTML.
 */
#include "parts.h"

#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

/* Appends the inline Markdown of s as HTML, without cmark's <p> wrapper. */
static void S_inline_md(sb *out, const char *s)
{
    char *html = md_inline_html(s); /* raw HTML shown as text, not dropped */
    size_t n = strlen(html);
    const char *p = html;
    if (n >= 8 && strncmp(p, "<p>", 3) == 0 && strcmp(p + n - 5, "</p>\n") == 0 &&
        !strstr(p + 3, "<p>")) {
        p += 3;
        n -= 8;
    }
    sb_putn(out, p, n);
    free(html);
}

/* See site.h.  Each question is a list item with buttons, so Tab reaches
 * every choice and Enter or Space answers. */
int quiz_render(const char *file, const char *body, size_t len, int first_line,
                const char *id, sb *out, course_diags *d)
{
    course_quiz qz;
    if (course_quiz_parse(body, len, file, first_line, &qz, d) != 0)
        return -1;
    sb_printf(out, "<ol class=\"quiz-list\" data-quiz=\"");
    sb_html(out, id, strlen(id));
    sb_puts(out, "\">\n");
    for (size_t i = 0; i < qz.n; i++) {
        const course_question *q = &qz.qs[i];
        sb_printf(out, "<li class=\"quiz-q\" data-answer=\"%c\" data-key=\"",
                  course_quiz_letter(q->answer));
        sb_html(out, id, strlen(id));
        sb_printf(out, "-%zu\">\n<p class=\"quiz-question\">", i + 1);
        S_inline_md(out, q->q);
        sb_puts(out, "</p>\n<div class=\"quiz-choices\" role=\"group\">\n");
        for (size_t k = 0; k < q->choices.n; k++) {
            char letter = course_quiz_letter((int)k);
            sb_printf(
                out,
                "<button type=\"button\" class=\"quiz-choice\" data-letter=\"%c\">"
                "<span class=\"quiz-letter\">%c</span> <span>",
                letter, letter);
            S_inline_md(out, q->choices.v[k]);
            sb_puts(out, "</span></button>\n");
        }
        sb_puts(out, "</div>\n<p class=\"quiz-feedback\" role=\"status\" "
                     "aria-live=\"polite\"></p>\n<div class=\"quiz-explain\" hidden>");
        S_inline_md(out, q->explain);
        sb_puts(out, "</div>\n</li>\n");
    }
    sb_puts(out, "</ol>\n");
    course_quiz_free(&qz);
    return 0;
}
