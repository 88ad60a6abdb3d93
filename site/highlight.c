/* highlight.c - a small C syntax highlighter for code in the book.
 *
 * One pass, left to right, no backtracking: at each position decide what
 * kind of token starts here (comment, string, character, preprocessor line,
 * number, identifier) and wrap it in <span class="tok-KIND">.  Identifiers
 * are looked up in two short word lists.  This is not a C lexer: it does
 * not know about trigraphs, raw strings or macros that look like types, and
 * it does not need to; it only has to make code easier to read.
 */
#include "site.h"

#include <ctype.h>
#include <string.h>

static const char *const S_keywords[] = {
    "auto",   "break",   "case",     "const",     "continue",      "default",
    "do",     "else",    "enum",     "extern",    "for",           "goto",
    "if",     "inline",  "register", "restrict",  "return",        "sizeof",
    "static", "struct",  "switch",   "typedef",   "union",         "volatile",
    "while",  "_Atomic", "_Bool",    "_Noreturn", "_Thread_local", "_Static_assert",
    "NULL",   "true",    "false",    NULL};

static const char *const S_types[] = {
    "void",      "char",      "short",           "int",
    "long",      "float",     "double",          "signed",
    "unsigned",  "bool",      "size_t",          "ssize_t",
    "uint8_t",   "uint16_t",  "uint32_t",        "uint64_t",
    "int8_t",    "int16_t",   "int32_t",         "int64_t",
    "uintptr_t", "pthread_t", "pthread_mutex_t", "pthread_cond_t",
    "pid_t",     "FILE",      "atomic_int",      "atomic_bool",
    NULL};

static int S_in(const char *const *list, const char *s, size_t n)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(*list, s, n) == 0)
            return 1;
    return 0;
}

static void S_span(sb *out, const char *kind, const char *s, size_t n)
{
    sb_printf(out, "<span class=\"tok-%s\">", kind);
    sb_html(out, s, n);
    sb_puts(out, "</span>");
}

/* Length of the token of kind `quote` (a string or char literal) at s. */
static size_t S_quoted(const char *s, size_t n)
{
    size_t i = 1;
    while (i < n && s[i] != s[0] && s[i] != '\n')
        i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
    return i < n && s[i] == s[0] ? i + 1 : i;
}

void highlight(const char *lang, const char *src, size_t n, sb *out)
{
    if (!lang || (strcmp(lang, "c") != 0 && strcmp(lang, "h") != 0)) {
        sb_html(out, src, n);
        return;
    }
    size_t i = 0;
    int line_start = 1;
    while (i < n) {
        const char *s = src + i;
        size_t rest = n - i, len;
        char c = *s;
        if (rest >= 2 && c == '/' && s[1] == '/') {
            len = strcspn(s, "\n");
            len = len < rest ? len : rest;
            S_span(out, "comment", s, len);
        } else if (rest >= 2 && c == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            len = end && (size_t)(end - s) + 2 <= rest ? (size_t)(end - s) + 2 : rest;
            S_span(out, "comment", s, len);
        } else if (c == '"' || c == '\'') {
            len = S_quoted(s, rest);
            S_span(out, c == '"' ? "string" : "char", s, len);
        } else if (c == '#' && line_start) {
            /* a directive up to the end of the line, or to a comment */
            len = 0;
            while (len < rest && s[len] != '\n' &&
                   !(s[len] == '/' && len + 1 < rest &&
                     (s[len + 1] == '/' || s[len + 1] == '*')))
                len++;
            S_span(out, "pre", s, len);
        } else if (isdigit((unsigned char)c)) {
            len = 1;
            while (len < rest && (isalnum((unsigned char)s[len]) || s[len] == '.'))
                len++;
            S_span(out, "number", s, len);
        } else if (isalpha((unsigned char)c) || c == '_') {
            len = 1;
            while (len < rest && (isalnum((unsigned char)s[len]) || s[len] == '_'))
                len++;
            if (S_in(S_keywords, s, len))
                S_span(out, "keyword", s, len);
            else if (S_in(S_types, s, len) ||
                     (len > 2 && memcmp(s + len - 2, "_t", 2) == 0))
                S_span(out, "type", s, len);
            else if (len + 1 <= rest && s[len] == '(')
                S_span(out, "func", s, len);
            else
                sb_html(out, s, len);
        } else {
            len = 1;
            sb_html(out, s, 1);
        }
        /* a '#' starts a directive only at the start of a line (after blanks) */
        for (size_t k = 0; k < len; k++) {
            if (s[k] == '\n')
                line_start = 1;
            else if (s[k] != ' ' && s[k] != '\t')
                line_start = 0;
        }
        i += len;
    }
}

const char *lang_of_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcmp(dot, ".c") == 0 || strcmp(dot, ".h") == 0))
        return "c";
    return "";
}
