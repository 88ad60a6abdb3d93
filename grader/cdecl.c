/*
 * cdecl.c - the names a C header declares, read from its text.
 *
 * The object check (objcheck.c) needs two lists: the functions an exercise
 * asks the learner to write (declared in its own exNN.h) and the runtime's
 * public API (declared in its public headers).  Both come from the headers
 * themselves, so they cannot drift from what the learner reads.
 *
 * This is a scanner for the plain declarations headers are made of, not a
 * C parser: at file scope it takes each prototype's name (the identifier
 * before the first '(') and each variable's (the last identifier of a
 * declarator), and skips typedefs, static (inline) functions, struct,
 * union and enum bodies, macros, comments and strings; `extern "C" {` is
 * transparent.  What it does not understand (a function returning a
 * function pointer, a declaration made by a macro with arguments) it may
 * miss or misname: an author then lists the names in exercise.yaml
 * (symbols: define:).
 */
#include "grader.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct S_tok {
    char kind; /* 'i' identifier, 's' string or char, else the punctuator */
    const char *p;
    int n;
} S_tok;

static int S_is(const S_tok *t, const char *word)
{
    return t->kind == 'i' && (int)strlen(word) == t->n && !strncmp(t->p, word, t->n);
}

/* Identifiers that are never a declared name. */
static int S_keyword(const S_tok *t)
{
    static const char *const kw[] = {"void",          "char",
                                     "short",         "int",
                                     "long",          "float",
                                     "double",        "signed",
                                     "unsigned",      "_Bool",
                                     "bool",          "const",
                                     "volatile",      "restrict",
                                     "__restrict",    "extern",
                                     "static",        "inline",
                                     "__inline",      "__inline__",
                                     "struct",        "union",
                                     "enum",          "typedef",
                                     "_Noreturn",     "_Atomic",
                                     "_Thread_local", "__thread",
                                     "register",      "auto",
                                     "__attribute__", "__attribute",
                                     "__asm__",       "__asm",
                                     "asm",           "_Alignas",
                                     "__extension__", "_Static_assert",
                                     "static_assert", "__typeof__",
                                     "typeof",        NULL};
    for (int i = 0; kw[i]; i++)
        if (S_is(t, kw[i]))
            return 1;
    return 0;
}

/* Splits text into tokens; `#include <x.h>` names go to *includes. */
static S_tok *S_lex(const char *s, size_t *ntok, gr_strv *includes)
{
    size_t cap = 256, n = 0;
    S_tok *v = gr_xmalloc(cap * sizeof *v);
    int line_start = 1;
    while (*s) {
        if (n + 1 >= cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v)
            abort();
        if (*s == '\n') {
            line_start = 1;
            s++;
        } else if (isspace((unsigned char)*s)) {
            s++;
        } else if (s[0] == '/' && s[1] == '/') {
            s += strcspn(s, "\n");
        } else if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
        } else if (*s == '#' && line_start) {
            const char *d = s + 1 + strspn(s + 1, " \t");
            if (!strncmp(d, "include", 7)) {
                const char *lt = d + 7 + strspn(d + 7, " \t");
                if (*lt == '<' && includes) {
                    size_t k = strcspn(lt + 1, ">\n");
                    char *name = gr_fmt("%.*s", (int)k, lt + 1);
                    gr_strv_push(includes, name);
                    free(name);
                }
            }
            while (*s && *s != '\n') /* to the end of the line, with \ */
                s += (s[0] == '\\' && s[1] == '\n') ? 2 : 1;
        } else if (*s == '"' || *s == '\'') {
            char q = *s++;
            const char *b = s;
            while (*s && *s != q)
                s += (*s == '\\' && s[1]) ? 2 : 1;
            v[n++] = (S_tok){'s', b, (int)(s - b)};
            if (*s)
                s++;
            line_start = 0;
        } else if (isalpha((unsigned char)*s) || *s == '_') {
            const char *b = s;
            while (isalnum((unsigned char)*s) || *s == '_')
                s++;
            v[n++] = (S_tok){'i', b, (int)(s - b)};
            line_start = 0;
        } else {
            v[n++] = (S_tok){*s, s, 1};
            s++;
            line_start = 0;
        }
    }
    *ntok = n;
    return v;
}

static void S_push(gr_strv *out, const S_tok *t)
{
    char *name = gr_fmt("%.*s", t->n, t->p);
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->v[i], name)) {
            free(name);
            return;
        }
    gr_strv_push(out, name);
    free(name);
}

/* One file-scope declaration, tokens [b, e) without the ';'. */
static void S_declaration(const S_tok *t, size_t b, size_t e, gr_strv *out)
{
    for (size_t i = b; i < e; i++)
        if (S_is(&t[i], "typedef") || S_is(&t[i], "static") ||
            S_is(&t[i], "_Static_assert") || S_is(&t[i], "static_assert"))
            return;
    /* Each declarator, split on commas outside brackets of any kind; a
     * struct or enum body ({...}) names nothing of ours. */
    size_t start = b;
    int depth = 0;
    for (size_t i = b; i <= e; i++) {
        if (i < e && t[i].kind == '{') {
            for (int d = 0; i < e; i++) {
                d += t[i].kind == '{';
                d -= t[i].kind == '}';
                if (d == 0)
                    break;
            }
            start = i + 1 < e ? i + 1 : e;
            continue;
        }
        if (i < e && (t[i].kind == '(' || t[i].kind == '['))
            depth++;
        else if (i < e && (t[i].kind == ')' || t[i].kind == ']'))
            depth--;
        if (i < e && !(t[i].kind == ',' && depth == 0))
            continue;
        /* [start, i): a function if an identifier opens a parameter list
         * ("f(" or "(*f)("), else a variable named by its last identifier
         * before any '[' or '='. */
        const S_tok *name = NULL;
        for (size_t k = start; k < i; k++) {
            if (t[k].kind == '=')
                break;
            if (t[k].kind == '(' && k > start && t[k - 1].kind == 'i' &&
                !S_keyword(&t[k - 1])) {
                name = &t[k - 1];
                break;
            }
            if (t[k].kind == '(' && k > start && S_keyword(&t[k - 1])) {
                /* __attribute__((...)) and the like: skip the group */
                int d = 0;
                for (; k < i; k++) {
                    d += t[k].kind == '(';
                    d -= t[k].kind == ')';
                    if (d == 0)
                        break;
                }
                continue;
            }
            if (t[k].kind == '[')
                break;
            if (t[k].kind == 'i' && !S_keyword(&t[k]) &&
                !(k > start && (S_is(&t[k - 1], "struct") || S_is(&t[k - 1], "union") ||
                                S_is(&t[k - 1], "enum"))))
                name = &t[k];
        }
        if (name)
            S_push(out, name);
        start = i + 1;
    }
}

int gr_header_names(const char *path, gr_strv *names, gr_strv *includes)
{
    char *text = gr_read_file(path, NULL);
    if (!text)
        return -errno;
    size_t n;
    S_tok *t = S_lex(text, &n, includes);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == '}') { /* the end of an extern "C" block */
            start = i + 1;
        } else if (t[i].kind == ';') {
            S_declaration(t, start, i, names);
            start = i + 1;
        } else if (t[i].kind == '{') {
            if (i >= start + 2 && S_is(&t[start], "extern") &&
                t[start + 1].kind == 's') {
                start = i + 1; /* extern "C" { ... }: transparent */
                continue;
            }
            int fn = 0, aggregate = 0;
            for (size_t k = start; k < i; k++) {
                fn |= t[k].kind == '(';
                aggregate |= S_is(&t[k], "struct") || S_is(&t[k], "union") ||
                             S_is(&t[k], "enum") || t[k].kind == '=';
            }
            for (int d = 0; i < n; i++) {
                d += t[i].kind == '{';
                d -= t[i].kind == '}';
                if (d == 0)
                    break;
            }
            /* A function body (static inline) ends its definition; after a
             * struct or enum body the declaration goes on (S_declaration
             * skips the body). */
            if (fn && !aggregate)
                start = i + 1;
        }
    }
    free(t);
    free(text);
    return 0;
}
