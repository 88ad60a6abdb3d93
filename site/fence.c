/* fence.c - the info string of a fenced code block.
 *
 * A fence whose first word is a widget name (quiz, dot, include, results,
 * timeline) becomes a generated widget; its other words are key=value
 * options that this file checks against the widget's list, so a typo
 * ("captoin=") fails the build instead of being silently ignored.  Any other fence is
 * ordinary code and its first word is the language, as in GitHub's renderer.
 */
#include "site.h"

#include <string.h>

/* Each widget and the options it accepts. */
static const struct {
    const char *name;
    const char *opts[6];
} S_widgets[] = {
    {"quiz", {"title", NULL}},
    {"dot", {"caption", NULL}},
    {"include", {"caption", NULL}},
    {"results", {"caption", "compare", "key", "bench", NULL}},
    {"timeline", {"caption", NULL}},
};

static int S_known(int w, const char *key)
{
    for (int i = 0; S_widgets[w].opts[i]; i++)
        if (strcmp(S_widgets[w].opts[i], key) == 0)
            return 1;
    return 0;
}

static int S_space(char c)
{
    return c == ' ' || c == '\t';
}

int fence_parse(const char *info, fence *f, site_err *e)
{
    memset(f, 0, sizeof *f);
    const char *s = info ? info : "";
    while (S_space(*s))
        s++;
    size_t n = 0;
    while (s[n] && !S_space(s[n]))
        n++;
    if (n >= sizeof f->name)
        return 0; /* a long language name: plain code */
    memcpy(f->name, s, n);
    s += n;
    int w = -1;
    for (size_t i = 0; i < sizeof S_widgets / sizeof S_widgets[0]; i++)
        if (strcmp(f->name, S_widgets[i].name) == 0)
            w = (int)i;
    if (w < 0)
        return 0;

    for (;;) {
        while (S_space(*s))
            s++;
        if (!*s)
            return 1;
        if (f->nopts == FENCE_MAX_OPTS)
            return site_errf(e, 0, "too many options on a `%s` fence", f->name);
        char *key = f->key[f->nopts], *val = f->val[f->nopts];
        size_t k = 0;
        while (s[k] && s[k] != '=' && !S_space(s[k]))
            k++;
        if (k == 0 || k >= sizeof f->key[0] || s[k] != '=')
            return site_errf(e, 0, "`%s` fence: expected key=value, got \"%.*s\"",
                             f->name, (int)(k ? k : 1), s);
        memcpy(key, s, k);
        key[k] = '\0';
        if (!S_known(w, key))
            return site_errf(e, 0, "`%s` fence: unknown option \"%s\"", f->name, key);
        s += k + 1;
        size_t v = 0;
        if (*s == '"') {
            s++;
            while (s[v] && s[v] != '"')
                v++;
            if (s[v] != '"')
                return site_errf(e, 0, "`%s` fence: unterminated quote in %s=", f->name,
                                 key);
        } else {
            while (s[v] && !S_space(s[v]))
                v++;
        }
        if (v >= sizeof f->val[0])
            return site_errf(e, 0, "`%s` fence: value of %s= is too long", f->name,
                             key);
        memcpy(val, s, v);
        val[v] = '\0';
        s += v + (s[v] == '"');
        f->nopts++;
    }
}

const char *fence_opt(const fence *f, const char *key)
{
    for (int i = 0; i < f->nopts; i++)
        if (strcmp(f->key[i], key) == 0)
            return f->val[i];
    return NULL;
}
