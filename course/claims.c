/*
 * claims.c - reads chapters/NN/claims.yaml (contracts in claims.h), with
 * the table-driven reader of yamlmap.h.
 *
 * Locking: none; no state.
 */
#include "claims.h"
#include "yamlmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The pattern keys of a claim set the pattern; `expect` makes it one. */
static void S_expect(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_claim *cl = obj;
    const char *s = course__ym_scalar(c, v, what);
    for (int k = 0; s && k < 4; k++)
        if (!strcmp(s, course_expect_name((course_expect)k))) {
            cl->pattern.expect = (course_expect)k;
            cl->is_pattern = 1;
            return;
        }
    if (s)
        course__ym_err(c, v, "%s: \"%s\" is not one of none, scales, overlaps, slower",
                       what, s);
}

/* counters: {path: "op value", ...}. */
static void S_counters(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_claim *cl = obj;
    if (!course__ym_is_map(c, v, what))
        return;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
         p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *path = course__ym_scalar(c, kn, what);
        const char *s = course__ym_scalar(c, vn, what);
        if (!path || !s)
            continue;
        const char *dot = strchr(path, '.');
        size_t obj_len = dot ? (size_t)(dot - path) : 0;
        if (!dot || !dot[1] ||
            !((obj_len == 5 && !strncmp(path, "stats", 5)) ||
              (obj_len == 6 && !strncmp(path, "result", 6)) ||
              (obj_len == 4 &&
               (!strncmp(path, "loop", 4) || !strncmp(path, "pool", 4))))) {
            course__ym_err(c, kn,
                           "%s: \"%s\" is not stats.X, result.X, loop.X or pool.X",
                           what, path);
            continue;
        }
        course_counter_check k = {0};
        s += strspn(s, " ");
        if ((s[0] == '=' || s[0] == '>' || s[0] == '<') && s[1] == '=')
            memcpy(k.op, s, 2);
        char *end = NULL;
        errno = 0;
        k.value = k.op[0] ? strtod(s + 2, &end) : 0;
        if (!k.op[0] || errno || end == s + 2 || *end) {
            course__ym_err(c, vn, "%s.%s: \"%s\" is not \"== N\", \">= N\" or \"<= N\"",
                           what, path, s);
            continue;
        }
        k.path = course_xstrdup(path);
        cl->counters =
            course_xrealloc(cl->counters, (cl->ncounters + 1) * sizeof *cl->counters);
        cl->counters[cl->ncounters++] = k;
    }
}

/* env: {NAME: value, ...} -> "NAME=value" entries. */
static void S_env(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_claim *cl = obj;
    if (!course__ym_is_map(c, v, what))
        return;
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
         p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        const char *name = course__ym_scalar(c, kn, what);
        const char *val =
            course__ym_scalar(c, yaml_document_get_node(c->doc, p->value), what);
        int ok = name && val && (isupper((unsigned char)name[0]) || name[0] == '_');
        for (const char *q = name; ok && *q; q++)
            ok = isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_';
        if (!ok) {
            if (name)
                course__ym_err(c, kn, "%s: \"%s\" is not an environment variable name",
                               what, name);
            continue;
        }
        char *kv = course_fmt("%s=%s", name, val);
        course_strv_push(&cl->env, kv);
        free(kv);
    }
}

YM_TABLE(S_claim_table,
         YM_ROW("name", YM_STRING, course_claim, pattern.name, .required = YM_ALWAYS),
         YM_ROW("says", YM_STRING, course_claim, says, .required = YM_ALWAYS),
         YM_CUSTOM_ROW("expect", S_expect),
         YM_ROW("baseline", YM_STRLIST, course_claim, pattern.baseline, .lo = 1),
         YM_ROW("variant", YM_STRLIST, course_claim, pattern.variant, .lo = 1),
         YM_ROW("workers", YM_INT, course_claim, pattern.workers, .lo = 1, .hi = 1024),
         YM_ROW("pairs", YM_INT, course_claim, pattern.pairs, .lo = 3, .hi = 51),
         YM_ROW("run", YM_STRLIST, course_claim, run, .lo = 1),
         YM_CUSTOM_ROW("counters", S_counters), YM_CUSTOM_ROW("env", S_env));

/* A claim is a pattern (expect, baseline, variant, workers) or a run with
 * counters, never both. */
static void S_check_claim(course__ym_ctx *c, yaml_node_t *n, const char *what,
                          course_claim *cl)
{
    const course_pattern *p = &cl->pattern;
    int pattern_keys = p->baseline.n || p->variant.n || p->workers;
    if (cl->is_pattern || pattern_keys) {
        if (!cl->is_pattern || !p->baseline.n || !p->variant.n || !p->workers)
            course__ym_err(c, n,
                           "%s: a pattern claim needs expect, baseline, variant "
                           "and workers",
                           what);
        if (cl->run.n || cl->ncounters)
            course__ym_err(c, n, "%s: a pattern claim cannot also have run or counters",
                           what);
    } else if (!cl->run.n || !cl->ncounters) {
        course__ym_err(c, n,
                       "%s: needs either a pattern (expect, baseline, variant, "
                       "workers) or run and counters",
                       what);
    }
}

/* claims: a list of claim mappings. */
static void S_claims(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_claims *cs = obj;
    if (!v || v->type != YAML_SEQUENCE_NODE) {
        course__ym_err(c, v, "%s: expected a list", what);
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(c->doc, *it);
        char *w =
            course_fmt("%s[%zu]", what, (size_t)(it - v->data.sequence.items.start));
        cs->v = course_xrealloc(cs->v, (cs->n + 1) * sizeof *cs->v);
        course_claim *cl = &cs->v[cs->n++];
        *cl = (course_claim){.pattern = {.points = 1, .pairs = 5}};
        course__ym_map(c, n, w, &S_claim_table, cl);
        S_check_claim(c, n, w, cl);
        free(w);
    }
    if (!cs->n)
        course__ym_err(c, v, "%s: list at least one claim", what);
}

/* demo: a program of the chapter's folder, by plain name. */
static void S_demo(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_claims *cs = obj;
    const char *s = course__ym_scalar(c, v, what);
    if (!s)
        return;
    if (!*s || strchr(s, '/') || *s == '.' || *s == '-')
        course__ym_err(c, v, "%s: \"%s\" must be the name of a program in %s", what, s,
                       cs->dir);
    else
        cs->demo = course_xstrdup(s);
}

YM_TABLE(S_claims_table, YM_CUSTOM_ROW("demo", S_demo, .required = YM_ALWAYS),
         YM_CUSTOM_ROW("claims", S_claims, .required = YM_ALWAYS));

/* See claims.h. */
course_claims *course_claims_load(const char *course, int chapter, course_diags *d)
{
    course_claims *cs = course_xcalloc(1, sizeof *cs);
    cs->dir = course_fmt("%s/chapters/%02d", course, chapter);
    cs->yaml_path = course_fmt("chapters/%02d/claims.yaml", chapter);
    course__ym_ctx c = {.shown = cs->yaml_path, .dir = cs->dir, .d = d};
    char *path = course_fmt("%s/claims.yaml", cs->dir);
    course__ym_read(&c, path, &S_claims_table, cs);
    free(path);
    if (c.errors) {
        course_claims_free(cs);
        return NULL;
    }
    return cs;
}

/* See claims.h. */
void course_claims_free(course_claims *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++) {
        course_claim *cl = &cs->v[i];
        free(cl->pattern.name);
        course_strv_free(&cl->pattern.baseline);
        course_strv_free(&cl->pattern.variant);
        free(cl->says);
        course_strv_free(&cl->run);
        course_strv_free(&cl->env);
        for (size_t k = 0; k < cl->ncounters; k++)
            free(cl->counters[k].path);
        free(cl->counters);
    }
    free(cs->v);
    free(cs->dir);
    free(cs->yaml_path);
    free(cs->demo);
    free(cs);
}
