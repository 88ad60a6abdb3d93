/*
 * quiz.c - reads a chapter's quiz block (the rules are in quiz.h).
 *
 * jansson parses the body and reports a syntax error with the line and
 * column inside the block, which we shift by the block's position so the
 * message names the chapter line.  jansson keeps no positions for values,
 * so for well-formed JSON that breaks a rule S_locate() scans the text once
 * more for the line of the offending question or key.
 *
 * Locking: none; no state.  Any thread may parse its own quiz.
 */
#include "quiz.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const S_keys[] = {"q", "choices", "answer", "explain"};
enum { S_NKEYS = sizeof S_keys / sizeof S_keys[0] };

/* See quiz.h. */
int course_quiz_is_fence(const char *info)
{
    if (!info)
        return 0;
    info += strspn(info, " \t");
    size_t n = strcspn(info, " \t");
    return n == 4 && memcmp(info, "quiz", 4) == 0;
}

/* Returns the 0-based line of body at which question `index` starts, or of
 * its key `key` if key is not NULL and found in it (else the question's
 * line; 0 if the question is not found).  A small scanner over JSON text:
 * it tracks strings (with escapes), nesting depth, where each element of
 * the top list starts (whatever its type), and whether a string inside a
 * question stands where a key goes (after '{' or ','), so neither braces
 * inside strings nor a value spelt like a key mislead it. */
static int S_locate(const char *body, size_t len, int index, const char *key)
{
    int line = 0, depth = 0, seen = -1, in_str = 0, at = 0;
    int elem_pos = 0; /* the next token starts an element of the list */
    int key_pos = 0;  /* the next string in a question is a key */
    size_t str_start = 0, klen = key ? strlen(key) : 0;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (c == '\n')
            line++;
        if (in_str) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_str = 0;
                if (key && key_pos && seen == index && depth == 2 &&
                    i - str_start - 1 == klen &&
                    memcmp(body + str_start + 1, key, klen) == 0)
                    return line;
                key_pos = 0;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (depth == 1 && elem_pos) {
            elem_pos = 0;
            if (++seen == index)
                at = line;
        } else if (depth == 1 && seen == index && (c == ',' || c == ']')) {
            return at; /* the question ended without the key */
        }
        if (c == '"') {
            in_str = 1;
            str_start = i;
        } else if (c == '[' || c == '{') {
            depth++;
            elem_pos = depth == 1;
            key_pos = c == '{' && depth == 2;
        } else if (c == ']' || c == '}') {
            depth--;
        } else if (c == ',') {
            elem_pos = depth == 1;
            key_pos = depth == 2;
        }
    }
    return at;
}

/* The parse in progress: where the body is, where mistakes go. */
typedef struct S_ctx {
    const char *body;
    size_t len;
    const char *file;
    int first_line;
    course_diags *d;
    int errors;
} S_ctx;

/* Reports a mistake at question i (0-based), at its key `key` if not NULL. */
__attribute__((format(printf, 4, 5))) static void
S_err(S_ctx *c, int i, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line =
        i < 0 ? c->first_line : c->first_line + S_locate(c->body, c->len, i, key);
    course_diag_vadd(c->d, c->file, line, 0, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* A JSON value that is a string with at least one byte, or NULL. */
static const char *S_text(json_t *v)
{
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* Reads the answer of question i, given nc valid choices (0: the choices
 * are broken and reported already, so only the answer's form is checked).
 * Returns the 0-based index, or -1 after reporting. */
static int S_answer(S_ctx *c, int i, json_t *a, int nc)
{
    char range[48] = ""; /* " a-c (or an index 0-2)" when the range is known */
    if (nc > 0)
        snprintf(range, sizeof range, " a-%c (or an index 0-%d)",
                 course_quiz_letter(nc - 1), nc - 1);
    if (json_is_string(a)) {
        const char *s = json_string_value(a);
        if (json_string_length(a) == 1 && s[0] >= 'a' && s[0] <= 'z' &&
            (nc == 0 || s[0] - 'a' < nc))
            return s[0] - 'a';
        S_err(c, i, "answer", "quiz question %d: answer \"%s\" is not a letter%s",
              i + 1, s, range);
        return -1;
    }
    if (json_is_integer(a)) {
        json_int_t v = json_integer_value(a);
        if (v >= 0 && v < (nc ? nc : COURSE_CHOICES_MAX))
            return (int)v;
        if (nc > 0)
            S_err(
                c, i, "answer",
                "quiz question %d: answer %lld is not an index 0-%d (or a letter a-%c)",
                i + 1, (long long)v, nc - 1, course_quiz_letter(nc - 1));
        else
            S_err(c, i, "answer",
                  "quiz question %d: answer %lld is not an index of a choice", i + 1,
                  (long long)v);
        return -1;
    }
    if (nc > 0)
        S_err(c, i, "answer",
              "quiz question %d: \"answer\" must be a letter a-%c or an index 0-%d",
              i + 1, course_quiz_letter(nc - 1), nc - 1);
    else
        S_err(c, i, "answer",
              "quiz question %d: \"answer\" must be a letter or a 0-based index",
              i + 1);
    return -1;
}

/* Checks question i (the JSON value qv) and fills *q.  Every mistake is
 * reported; returns the number found. */
static int S_question(S_ctx *c, int i, json_t *qv, course_question *q)
{
    int before = c->errors;
    q->line = c->first_line + S_locate(c->body, c->len, i, NULL);
    if (!json_is_object(qv)) {
        S_err(c, i, NULL,
              "quiz question %d: expected an object {q, choices, answer, explain}",
              i + 1);
        return 1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(qv, k, v)
    {
        int known = 0;
        for (size_t j = 0; j < S_NKEYS; j++)
            known |= strcmp(k, S_keys[j]) == 0;
        if (!known)
            S_err(c, i, k,
                  "quiz question %d: unknown key \"%s\" (expected q, choices, answer, "
                  "explain)",
                  i + 1, k);
    }
    for (size_t j = 0; j < S_NKEYS; j++)
        if (!json_object_get(qv, S_keys[j]))
            S_err(c, i, NULL, "quiz question %d: missing key \"%s\"", i + 1, S_keys[j]);

    static const char *const texts[] = {"q", "explain"};
    for (size_t j = 0; j < 2; j++) {
        json_t *t = json_object_get(qv, texts[j]);
        if (t && !S_text(t))
            S_err(c, i, texts[j], "quiz question %d: \"%s\" must be a non-empty string",
                  i + 1, texts[j]);
    }
    q->q = course_xstrdup(S_text(json_object_get(qv, "q")));
    q->explain = course_xstrdup(S_text(json_object_get(qv, "explain")));

    json_t *ch = json_object_get(qv, "choices");
    int nc = 0;
    if (ch && (!json_is_array(ch) || json_array_size(ch) < COURSE_CHOICES_MIN ||
               json_array_size(ch) > COURSE_CHOICES_MAX)) {
        S_err(c, i, "choices",
              "quiz question %d: \"choices\" must be a list of %d-%d strings", i + 1,
              COURSE_CHOICES_MIN, COURSE_CHOICES_MAX);
    } else if (ch) {
        size_t ci;
        json_t *cv;
        int bad = 0;
        json_array_foreach(ch, ci, cv)
        {
            if (S_text(cv)) {
                course_strv_push(&q->choices, S_text(cv));
                continue;
            }
            S_err(c, i, "choices",
                  "quiz question %d: choice %zu is not a non-empty string", i + 1,
                  ci + 1);
            bad = 1;
        }
        nc = bad ? 0 : (int)json_array_size(ch);
    }
    json_t *a = json_object_get(qv, "answer");
    if (a)
        q->answer = S_answer(c, i, a, nc);
    return c->errors - before;
}

/* See quiz.h. */
int course_quiz_parse(const char *body, size_t len, const char *file, int first_line,
                      course_quiz *qz, course_diags *d)
{
    memset(qz, 0, sizeof *qz);
    qz->line = first_line - 1;
    S_ctx c = {
        .body = body, .len = len, .file = file, .first_line = first_line, .d = d};
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        course_diag_add(d, file, first_line + (jerr.line > 0 ? jerr.line - 1 : 0), 0,
                        "quiz: invalid JSON at line %d, column %d of the block: %s",
                        jerr.line, jerr.column, jerr.text);
        return -EINVAL;
    }
    size_t n = json_is_array(root) ? json_array_size(root) : 0;
    if (!json_is_array(root) || n < COURSE_QUIZ_MIN || n > COURSE_QUIZ_MAX) {
        if (json_is_array(root))
            S_err(&c, -1, NULL, "quiz: expected a list of %d-%d questions, got %zu",
                  COURSE_QUIZ_MIN, COURSE_QUIZ_MAX, n);
        else
            S_err(&c, -1, NULL, "quiz: expected a list of %d-%d questions, got no list",
                  COURSE_QUIZ_MIN, COURSE_QUIZ_MAX);
        json_decref(root);
        return -EINVAL;
    }
    qz->qs = course_xcalloc(n, sizeof *qz->qs);
    qz->n = n;
    size_t i;
    json_t *qv;
    json_array_foreach(root, i, qv)
    {
        S_question(&c, (int)i, qv, &qz->qs[i]);
    }
    json_decref(root);
    if (c.errors) {
        course_quiz_free(qz);
        return -EINVAL;
    }
    return 0;
}

/* See quiz.h.  cmark-gfm parses the whole chapter (core CommonMark: the
 * GFM extensions the site adds do not change where fences are). */
int course_quiz_load(const char *path, const char *shown, course_quiz *qz,
                     course_diags *d)
{
    memset(qz, 0, sizeof *qz);
    size_t len;
    char *text = course_read_file(path, &len);
    if (!text)
        return -ENOENT;
    cmark_node *doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT);
    free(text);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    int rc = -ENOENT;
    while (rc == -ENOENT && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER ||
            cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK ||
            !course_quiz_is_fence(cmark_node_get_fence_info(n)))
            continue;
        const char *body = cmark_node_get_literal(n);
        rc = course_quiz_parse(body, strlen(body), shown,
                               cmark_node_get_start_line(n) + 1, qz, d);
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    return rc;
}

/* See quiz.h. */
void course_quiz_free(course_quiz *qz)
{
    for (size_t i = 0; i < qz->n; i++) {
        free(qz->qs[i].q);
        free(qz->qs[i].explain);
        course_strv_free(&qz->qs[i].choices);
    }
    free(qz->qs);
    memset(qz, 0, sizeof *qz);
}
