/*
 * yamlmap.c - the table-driven YAML reader (contracts in yamlmap.h).
 */
#include "yamlmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void course__ym_err(course__ym_ctx *c, yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    course_diag_vadd(c->d, c->shown, n ? (int)n->start_mark.line + 1 : 1, 0, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* ------------------------------------------------------------ values */

/* The scalar text of n, or NULL (with an error) if n is not a scalar. */
const char *course__ym_scalar(course__ym_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        course__ym_err(c, n, "%s: expected a single value", what);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

/* A number in [lo, hi] (whole if `whole`) into *out; reports otherwise. */
int course__ym_number(course__ym_ctx *c, yaml_node_t *n, const char *what, double lo,
                      double hi, int whole, double *out)
{
    const char *s = course__ym_scalar(c, n, what);
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        course__ym_err(c, n, "%s: \"%s\" is not a number from %g to %g", what, s, lo,
                       hi);
        return -1;
    }
    if (whole && v != (double)(long)v) {
        course__ym_err(c, n, "%s: must be a whole number", what);
        return -1;
    }
    *out = v;
    return 0;
}

/* A list of scalars (a scalar alone is a list of one) appended to out. */
void course__ym_strlist(course__ym_ctx *c, yaml_node_t *n, const char *what, size_t min,
                        course_strv *out)
{
    if (n && n->type == YAML_SCALAR_NODE) {
        course_strv_push(out, (const char *)n->data.scalar.value);
        return;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        course__ym_err(c, n, "%s: expected a list", what);
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        const char *s = course__ym_scalar(c, yaml_document_get_node(c->doc, *it), what);
        if (s)
            course_strv_push(out, s);
    }
    if (out->n < min)
        course__ym_err(c, n, "%s: needs at least %zu entr%s", what, min,
                       min == 1 ? "y" : "ies");
}

void course__ym_map(course__ym_ctx *c, yaml_node_t *n, const char *what,
                    const course__ym_table *t, void *obj);

/* Reads node v as field f of obj; what names it in messages. */
static void S_value(course__ym_ctx *c, yaml_node_t *v, const char *what,
                    const course__ym_field *f, void *obj)
{
    char *dst = (char *)obj + f->off;
    double x;
    switch (f->kind) {
    case YM_STRING: {
        const char *s = course__ym_scalar(c, v, what);
        if (s && !*s)
            course__ym_err(c, v, "%s: must not be empty", what);
        else if (s)
            *(char **)dst = course_xstrdup(s);
        break;
    }
    case YM_INT:
        if (course__ym_number(c, v, what, f->lo, f->hi, 1, &x) == 0)
            *(int *)dst = (int)x;
        break;
    case YM_LONG:
        if (course__ym_number(c, v, what, f->lo, f->hi, 1, &x) == 0)
            *(long *)dst = (long)x;
        break;
    case YM_NUMBER:
        if (course__ym_number(c, v, what, f->lo, f->hi, 0, &x) == 0)
            *(double *)dst = x;
        break;
    case YM_STRLIST:
        course__ym_strlist(c, v, what, (size_t)f->lo, (course_strv *)dst);
        break;
    case YM_MAP:
        course__ym_map(c, v, what, f->sub, dst);
        break;
    case YM_CUSTOM:
        f->read(c, v, obj, what);
        break;
    }
}

/* Whether n is a mapping; reports it if not. */
int course__ym_is_map(course__ym_ctx *c, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return 1;
    course__ym_err(c, n, "%s: expected a mapping (key: value)", what);
    return 0;
}

/* "limits" + "cpu_seconds" -> "limits.cpu_seconds"; "" + "id" -> "id". */
static char *S_path(const char *what, const char *key)
{
    return *what ? course_fmt("%s.%s", what, key) : course_xstrdup(key);
}

/* Reads mapping n against table t into obj (see the top of the file):
 * every pair once, each mistake reported, required keys checked at the end. */
void course__ym_map(course__ym_ctx *c, yaml_node_t *n, const char *what,
                    const course__ym_table *t, void *obj)
{
    if (!course__ym_is_map(c, n, *what ? what : "the file"))
        return;
    uint32_t seen = 0;
    const char *pre = *what ? what : "", *colon = *what ? ": " : "";
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *key = course__ym_scalar(c, kn, *what ? what : "key");
        if (!key)
            continue;
        size_t k = 0;
        while (k < t->n && strcmp(t->f[k].key, key))
            k++;
        if (k == t->n) {
            char *known = course_xstrdup("");
            for (size_t j = 0; j < t->n; j++) {
                char *s = course_fmt("%s%s%s", known, j ? ", " : "", t->f[j].key);
                free(known);
                known = s;
            }
            course__ym_err(
                c, kn, "%s%sunknown key \"%s\" (expected %s; see exercises/README.md)",
                pre, colon, key, known);
            free(known);
            continue;
        }
        char *path = S_path(what, key);
        if (seen & (UINT32_C(1) << k))
            course__ym_err(c, kn, "%s: given twice", path);
        else
            S_value(c, vn, path, &t->f[k], obj);
        seen |= UINT32_C(1) << k;
        free(path);
    }
    for (size_t k = 0; k < t->n; k++) {
        int req = t->f[k].required;
        if ((req == YM_ALWAYS || (req == YM_GRADING && c->strict)) &&
            !(seen & (UINT32_C(1) << k)))
            course__ym_err(c, n, "%s%smissing key \"%s\"", pre, colon, t->f[k].key);
    }
}

/* Parses the YAML file at path into *doc and reads its top mapping against
 * t into obj.  A file that cannot be read or is not YAML is one mistake. */
void course__ym_read(course__ym_ctx *c, const char *path, const course__ym_table *t,
                     void *obj)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        course_diag_add(c->d, c->shown, 0, 0, "cannot read: %s", strerror(errno));
        c->errors++;
        return;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        course_diag_add(c->d, c->shown, (int)parser.problem_mark.line + 1,
                        (int)parser.problem_mark.column + 1, "%s%s%s",
                        parser.problem ? parser.problem : "not valid YAML",
                        parser.context ? " " : "",
                        parser.context ? parser.context : "");
        c->errors++;
        goto out;
    }
    c->doc = &doc;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        course__ym_err(c, NULL, "the file is empty");
    else
        course__ym_map(c, root, "", t, obj);
    yaml_document_delete(&doc);
    c->doc = NULL;
out:
    yaml_parser_delete(&parser);
    fclose(f);
}
