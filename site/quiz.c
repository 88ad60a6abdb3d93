/* quiz.c - a chapter's quiz: strict validation and the interactive widget.
 *
 * The body of a ```quiz fence is a JSON list of 3-6 questions:
 *
 *   [{"q": "...", "choices": ["...", "..."], "answer": "b", "explain": "..."}]
 *
 * jansson parses it and reports syntax errors with a line and column, which
 * we shift by the fence's position so the message names the chapter line.
 * jansson keeps no positions for values, so for a well-formed list that
 * breaks a rule (a missing key, an answer out of range) S_locate() scans the
 * text once more to find the line of the offending question or key.
 *
 * The widget is plain HTML plus data attributes; theme/book.js makes it
 * interactive and keeps answers in localStorage.  The right answer is in
 * the page (data-answer): the site is for self-study, and the grader keeps
 * its own keys.  The texts are Markdown (inline code, emphasis), rendered by
 * cmark in safe mode, so a question cannot inject raw HTML.
 */
#include "parts.h"

#include <cmark-gfm.h>
#include <jansson.h>
#include <string.h>

enum { QUIZ_MIN = 3, QUIZ_MAX = 6, CHOICES_MIN = 2, CHOICES_MAX = 6 };

/* Returns the 0-based line of body at which question `index` starts, and of
 * its key `key` if key is not NULL and found inside it.  A small scanner
 * over JSON text: it tracks strings (with escapes) and nesting depth, so
 * braces inside strings do not confuse it.  Returns 0 if not found. */
static int S_locate(const char *body, size_t len, int index, const char *key)
{
    int line = 0, depth = 0, seen = -1, in_str = 0, obj_line = 0;
    size_t str_start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (c == '\n')
            line++;
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"') {
                in_str = 0;
                /* a key of the object we are looking for, at depth 2 */
                if (key && seen == index && depth == 2 &&
                    i - str_start - 1 == strlen(key) &&
                    memcmp(body + str_start + 1, key, strlen(key)) == 0)
                    return line;
            }
            continue;
        }
        if (c == '"') {
            in_str = 1;
            str_start = i;
        } else if (c == '[' || c == '{') {
            depth++;
            if (c == '{' && depth == 2 && ++seen == index)
                obj_line = line;
        } else if (c == ']' || c == '}') {
            if (depth == 2 && seen == index)
                return obj_line; /* key not found: point at the question */
            depth--;
        }
    }
    return obj_line;
}

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

/* Checks one question object; returns 0 or -1 with e set. */
static int S_check_question(json_t *q, int i, const char *body, size_t len,
                            int first_line, site_err *e)
{
    static const char *const keys[] = {"q", "choices", "answer", "explain"};
    int at = first_line + S_locate(body, len, i, NULL);
    if (!json_is_object(q))
        return site_errf(
            e, at, "quiz question %d: expected an object {q, choices, answer, explain}",
            i + 1);
    const char *k;
    json_t *v;
    json_object_foreach(q, k, v)
    {
        int known = 0;
        for (size_t j = 0; j < 4; j++)
            known |= strcmp(k, keys[j]) == 0;
        if (!known)
            return site_errf(
                e, first_line + S_locate(body, len, i, k),
                "quiz question %d: unknown key \"%s\" (expected q, choices, "
                "answer, explain)",
                i + 1, k);
    }
    for (size_t j = 0; j < 4; j++)
        if (!json_object_get(q, keys[j]))
            return site_errf(e, at, "quiz question %d: missing key \"%s\"", i + 1,
                             keys[j]);
    const char *strs[] = {"q", "answer", "explain"};
    for (size_t j = 0; j < 3; j++) {
        json_t *s = json_object_get(q, strs[j]);
        if (!json_is_string(s) || json_string_length(s) == 0)
            return site_errf(e, first_line + S_locate(body, len, i, strs[j]),
                             "quiz question %d: \"%s\" must be a non-empty string",
                             i + 1, strs[j]);
    }
    json_t *choices = json_object_get(q, "choices");
    int cl = first_line + S_locate(body, len, i, "choices");
    if (!json_is_array(choices) || json_array_size(choices) < CHOICES_MIN ||
        json_array_size(choices) > CHOICES_MAX)
        return site_errf(
            e, cl, "quiz question %d: \"choices\" must be a list of %d-%d strings",
            i + 1, CHOICES_MIN, CHOICES_MAX);
    size_t ci;
    json_t *c;
    json_array_foreach(choices, ci, c)
    {
        if (!json_is_string(c) || json_string_length(c) == 0)
            return site_errf(e, cl,
                             "quiz question %d: choice %zu is not a non-empty string",
                             i + 1, ci + 1);
    }
    const char *ans = json_string_value(json_object_get(q, "answer"));
    size_t nc = json_array_size(choices);
    if (strlen(ans) != 1 || ans[0] < 'a' || (size_t)(ans[0] - 'a') >= nc)
        return site_errf(e, first_line + S_locate(body, len, i, "answer"),
                         "quiz question %d: answer \"%s\" is not a letter a-%c", i + 1,
                         ans, (char)('a' + nc - 1));
    return 0;
}

int quiz_render(const char *body, size_t len, int first_line, const char *id, sb *out,
                site_err *e)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return site_errf(e, first_line + (jerr.line > 0 ? jerr.line - 1 : 0),
                         "quiz: invalid JSON at line %d, column %d of the block: %s",
                         jerr.line, jerr.column, jerr.text);
    int rc = 0;
    if (!json_is_array(root) || json_array_size(root) < QUIZ_MIN ||
        json_array_size(root) > QUIZ_MAX) {
        rc = site_errf(
            e, first_line, "quiz: expected a list of %d-%d questions, got %s", QUIZ_MIN,
            QUIZ_MAX, json_is_array(root) ? "a list of another length" : "no list");
        goto done;
    }
    size_t i;
    json_t *q;
    json_array_foreach(root, i, q)
    {
        if ((rc = S_check_question(q, (int)i, body, len, first_line, e)) != 0)
            goto done;
    }

    /* Valid: render.  Each question is a list item with buttons, so Tab
     * reaches every choice and Enter or Space answers. */
    sb local = {0};
    sb_printf(&local, "<ol class=\"quiz-list\" data-quiz=\"");
    sb_html(&local, id, strlen(id));
    sb_puts(&local, "\">\n");
    json_array_foreach(root, i, q)
    {
        const char *ans = json_string_value(json_object_get(q, "answer"));
        sb_printf(&local, "<li class=\"quiz-q\" data-answer=\"%c\" data-key=\"",
                  ans[0]);
        sb_html(&local, id, strlen(id));
        sb_printf(&local, "-%zu\">\n<p class=\"quiz-question\">", i + 1);
        S_inline_md(&local, json_string_value(json_object_get(q, "q")));
        sb_puts(&local, "</p>\n<div class=\"quiz-choices\" role=\"group\">\n");
        size_t ci;
        json_t *c;
        json_array_foreach(json_object_get(q, "choices"), ci, c)
        {
            sb_printf(
                &local,
                "<button type=\"button\" class=\"quiz-choice\" data-letter=\"%c\">"
                "<span class=\"quiz-letter\">%c</span> <span>",
                (char)('a' + ci), (char)('a' + ci));
            S_inline_md(&local, json_string_value(c));
            sb_puts(&local, "</span></button>\n");
        }
        sb_puts(&local,
                "</div>\n<p class=\"quiz-feedback\" role=\"status\" "
                "aria-live=\"polite\"></p>\n<div class=\"quiz-explain\" hidden>");
        S_inline_md(&local, json_string_value(json_object_get(q, "explain")));
        sb_puts(&local, "</div>\n</li>\n");
    }
    sb_puts(&local, "</ol>\n");
    sb_putn(out, local.ptr, local.len);
    sb_free(&local);
done:
    json_decref(root);
    return rc;
}
