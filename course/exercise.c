/*
 * exercise.c - reads and checks exercise metadata (exercise.yaml).
 *
 * libyaml builds the document tree (yaml_parser_load) and we walk it, so
 * every node still knows its line.  What each mapping may hold is a table
 * of S_field rows (key, kind, where the value goes, range, when required);
 * one walker, S_map(), reads any mapping against its table: it reports
 * unknown keys (naming the known ones), keys given twice, values of the
 * wrong kind or out of range, and required keys that are missing, and it
 * goes on after each mistake so that one run lists them all.
 *
 * Adding a key: a field in course_exercise (exercise.h), a row in the
 * table below, a line in exercises/README.md.  Kinds that need more than a
 * range check (file names, the expect enum, lists of tests) are S_CUSTOM
 * rows with a reader function of their own.
 *
 * Locking: none; no state.  Each load has its own context.
 */
#include "exercise.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* One load in progress. */
typedef struct S_ctx {
    yaml_document_t *doc;
    const char *shown; /* the file as printed in messages */
    const char *dir;   /* the exercise directory */
    unsigned flags;    /* COURSE_EX_* */
    int hidden;        /* reading hidden.yaml: its tests are hidden */
    course_diags *d;
    int errors;
} S_ctx;

__attribute__((format(printf, 3, 4))) static void S_err(S_ctx *c, yaml_node_t *n,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    course_diag_vadd(c->d, c->shown, n ? (int)n->start_mark.line + 1 : 1, 0, fmt, ap);
    va_end(ap);
    c->errors++;
}

/* ------------------------------------------------------------ the table */

typedef enum S_kind {
    S_STRING,  /* a non-empty scalar -> char * */
    S_INT,     /* a whole number in [lo, hi] -> int */
    S_LONG,    /* a whole number in [lo, hi] -> long */
    S_NUMBER,  /* a number in [lo, hi] -> double */
    S_STRLIST, /* a list of scalars (one scalar = a list of one), at least lo
                  of them -> course_strv */
    S_MAP,     /* a mapping read against the table `sub` -> the struct at off */
    S_CUSTOM,  /* read(c, node, obj, what) does it all */
} S_kind;

/* When a key must be present. */
enum { S_OPTIONAL = 0, S_ALWAYS = 1, S_GRADING = 2 };

typedef struct S_table S_table;
typedef void (*S_reader)(S_ctx *c, yaml_node_t *v, void *obj, const char *what);

typedef struct S_field {
    const char *key;
    S_kind kind;
    size_t off;         /* where the value goes, from the start of obj */
    double lo, hi;      /* the range (S_INT, S_LONG, S_NUMBER; lo for S_STRLIST) */
    const S_table *sub; /* S_MAP */
    S_reader read;      /* S_CUSTOM */
    int required;       /* S_OPTIONAL, S_ALWAYS or S_GRADING */
} S_field;

struct S_table {
    const S_field *f;
    size_t n; /* at most 32: S_map keeps a bit per field */
};

#define S_TABLE(name, ...)                                                             \
    static const S_field name##_fields[] = {__VA_ARGS__};                              \
    _Static_assert(sizeof name##_fields / sizeof name##_fields[0] <= 32,               \
                   "S_map keeps one bit per field");                                   \
    static const S_table name = {name##_fields,                                        \
                                 sizeof name##_fields / sizeof name##_fields[0]}

/* ------------------------------------------------------------ values */

/* The scalar text of n, or NULL (with an error) if n is not a scalar. */
static const char *S_scalar(S_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        S_err(c, n, "%s: expected a single value", what);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

/* A number in [lo, hi] (whole if `whole`) into *out; reports otherwise. */
static int S_number(S_ctx *c, yaml_node_t *n, const char *what, double lo, double hi,
                    int whole, double *out)
{
    const char *s = S_scalar(c, n, what);
    if (!s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        S_err(c, n, "%s: \"%s\" is not a number from %g to %g", what, s, lo, hi);
        return -1;
    }
    if (whole && v != (double)(long)v) {
        S_err(c, n, "%s: must be a whole number", what);
        return -1;
    }
    *out = v;
    return 0;
}

/* A list of scalars (a scalar alone is a list of one) appended to out. */
static void S_strlist(S_ctx *c, yaml_node_t *n, const char *what, size_t min,
                      course_strv *out)
{
    if (n && n->type == YAML_SCALAR_NODE) {
        course_strv_push(out, (const char *)n->data.scalar.value);
        return;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        S_err(c, n, "%s: expected a list", what);
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        const char *s = S_scalar(c, yaml_document_get_node(c->doc, *it), what);
        if (s)
            course_strv_push(out, s);
    }
    if (out->n < min)
        S_err(c, n, "%s: needs at least %zu entr%s", what, min, min == 1 ? "y" : "ies");
}

static void S_map(S_ctx *c, yaml_node_t *n, const char *what, const S_table *t,
                  void *obj);

/* Reads node v as field f of obj; what names it in messages. */
static void S_value(S_ctx *c, yaml_node_t *v, const char *what, const S_field *f,
                    void *obj)
{
    char *dst = (char *)obj + f->off;
    double x;
    switch (f->kind) {
    case S_STRING: {
        const char *s = S_scalar(c, v, what);
        if (s && !*s)
            S_err(c, v, "%s: must not be empty", what);
        else if (s)
            *(char **)dst = course_xstrdup(s);
        break;
    }
    case S_INT:
        if (S_number(c, v, what, f->lo, f->hi, 1, &x) == 0)
            *(int *)dst = (int)x;
        break;
    case S_LONG:
        if (S_number(c, v, what, f->lo, f->hi, 1, &x) == 0)
            *(long *)dst = (long)x;
        break;
    case S_NUMBER:
        if (S_number(c, v, what, f->lo, f->hi, 0, &x) == 0)
            *(double *)dst = x;
        break;
    case S_STRLIST:
        S_strlist(c, v, what, (size_t)f->lo, (course_strv *)dst);
        break;
    case S_MAP:
        S_map(c, v, what, f->sub, dst);
        break;
    case S_CUSTOM:
        f->read(c, v, obj, what);
        break;
    }
}

/* Whether n is a mapping; reports it if not. */
static int S_is_map(S_ctx *c, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return 1;
    S_err(c, n, "%s: expected a mapping (key: value)", what);
    return 0;
}

/* "limits" + "cpu_seconds" -> "limits.cpu_seconds"; "" + "id" -> "id". */
static char *S_path(const char *what, const char *key)
{
    return *what ? course_fmt("%s.%s", what, key) : course_xstrdup(key);
}

/* Reads mapping n against table t into obj (see the top of the file):
 * every pair once, each mistake reported, required keys checked at the end. */
static void S_map(S_ctx *c, yaml_node_t *n, const char *what, const S_table *t,
                  void *obj)
{
    if (!S_is_map(c, n, *what ? what : "the file"))
        return;
    uint32_t seen = 0;
    const char *pre = *what ? what : "", *colon = *what ? ": " : "";
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *key = S_scalar(c, kn, *what ? what : "key");
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
            S_err(c, kn,
                  "%s%sunknown key \"%s\" (expected %s; see exercises/README.md)", pre,
                  colon, key, known);
            free(known);
            continue;
        }
        char *path = S_path(what, key);
        if (seen & (UINT32_C(1) << k))
            S_err(c, kn, "%s: given twice", path);
        else
            S_value(c, vn, path, &t->f[k], obj);
        seen |= UINT32_C(1) << k;
        free(path);
    }
    for (size_t k = 0; k < t->n; k++) {
        int req = t->f[k].required;
        if ((req == S_ALWAYS || (req == S_GRADING && (c->flags & COURSE_EX_GRADING))) &&
            !(seen & (UINT32_C(1) << k)))
            S_err(c, n, "%s%smissing key \"%s\"", pre, colon, t->f[k].key);
    }
}

/* ------------------------------------------------------------ custom keys */

/* id: two digits, the name of the exercise's own directory. */
static void S_id(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_exercise *ex = obj;
    const char *s = S_scalar(c, v, what);
    if (!s)
        return;
    ex->id = course_xstrdup(s);
    const char *base = strrchr(c->dir, '/') ? strrchr(c->dir, '/') + 1 : c->dir;
    if (strlen(s) != 2 || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]))
        S_err(c, v, "id: needs two digits in quotes, like id: \"03\"");
    else if (strcmp(s, base))
        S_err(c, v, "id: \"%s\" does not match the directory exercises/%s", s, base);
}

/* A file the grader copies: a plain .c or .h name inside the exercise
 * directory, never absolute, never "..", never through a directory; and,
 * when must_exist, a regular file there now. */
static void S_file_names(S_ctx *c, yaml_node_t *v, const char *what, course_strv *files,
                         int must_exist)
{
    S_strlist(c, v, what, 1, files);
    for (size_t i = 0; i < files->n; i++) {
        const char *f = files->v[i];
        size_t len = strlen(f);
        if (!*f || strchr(f, '/') || !strcmp(f, ".") || !strcmp(f, "..") || *f == '-') {
            S_err(c, v,
                  "%s: \"%s\" must be a plain file name in the exercise directory",
                  what, f);
            continue;
        }
        if (len < 3 || (strcmp(f + len - 2, ".c") && strcmp(f + len - 2, ".h")))
            S_err(c, v, "%s: \"%s\" is not a .c or .h file", what, f);
        if (!must_exist)
            continue;
        char *p = course_fmt("%s/%s", c->dir, f);
        struct stat st;
        if (lstat(p, &st) < 0)
            S_err(c, v, "%s: \"%s\" does not exist", what, f);
        else if (!S_ISREG(st.st_mode))
            S_err(c, v, "%s: \"%s\" is not a regular file", what, f);
        free(p);
    }
}

/* files: the learner's files; they may be missing (submit says so). */
static void S_files(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_file_names(c, v, what, &((course_exercise *)obj)->files, 0);
}

/* driver: provided sources; when grading they must be there. */
static void S_driver(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_file_names(c, v, what, &((course_exercise *)obj)->driver,
                 (c->flags & COURSE_EX_GRADING) != 0);
}

/* cflags: flags only, and never -o (the grader names the output). */
static void S_cflags(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_strv *f = &((course_exercise *)obj)->cflags;
    S_strlist(c, v, what, 0, f);
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i][0] != '-' || strncmp(f->v[i], "-o", 2) == 0)
            S_err(c, v, "%s: \"%s\" is not a compiler flag the grader accepts", what,
                  f->v[i]);
}

/* sanitizers: thread (TSan) and address (ASan+UBSan). */
static void S_sanitizers(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_strv *s = &((course_exercise *)obj)->sanitizers;
    S_strlist(c, v, what, 0, s);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], "thread") && strcmp(s->v[i], "address"))
            S_err(c, v, "%s: \"%s\" is not thread or address", what, s->v[i]);
}

static const char *const S_expects[] = {"none", "scales", "overlaps", "slower"};

/* See exercise.h. */
const char *course_expect_name(course_expect e)
{
    return (unsigned)e < 4 ? S_expects[e] : "?";
}

/* patterns[].expect: one of S_expects, stored as its course_expect. */
static void S_expect(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    const char *s = S_scalar(c, v, what);
    for (int k = 0; s && k < 4; k++)
        if (!strcmp(s, S_expects[k])) {
            ((course_pattern *)obj)->expect = (course_expect)k;
            return;
        }
    if (s)
        S_err(c, v, "%s: \"%s\" is not one of none, scales, overlaps, slower", what, s);
}

/* Rows, by name: a key, where its value goes in `type`, then any of .lo,
 * .hi, .sub, .read, .required. */
#define S_ROW(k, kind_, type, field, ...)                                              \
    {                                                                                  \
        .key = k, .kind = kind_, .off = offsetof(type, field), __VA_ARGS__             \
    }
#define S_CUSTOM_ROW(k, reader, ...)                                                   \
    {                                                                                  \
        .key = k, .kind = S_CUSTOM, .read = reader, __VA_ARGS__                        \
    }
#define S_LIMIT(k) S_ROW(#k, S_LONG, course_limits, k, .lo = 1, .hi = 1 << 20)

S_TABLE(S_limits_table, S_LIMIT(cpu_seconds), S_LIMIT(wall_seconds), S_LIMIT(memory_mb),
        S_LIMIT(processes), S_LIMIT(output_kb), S_LIMIT(open_files), S_LIMIT(file_mb));

S_TABLE(S_test_table, S_ROW("name", S_STRING, course_test, name, .required = S_ALWAYS),
        S_ROW("case", S_STRING, course_test, casename, .required = S_ALWAYS),
        S_ROW("points", S_NUMBER, course_test, points, .lo = 0, .hi = 1000));

S_TABLE(S_pattern_table,
        S_ROW("name", S_STRING, course_pattern, name, .required = S_ALWAYS),
        S_CUSTOM_ROW("expect", S_expect, .required = S_ALWAYS),
        S_ROW("baseline", S_STRLIST, course_pattern, baseline, .lo = 1,
              .required = S_ALWAYS),
        S_ROW("variant", S_STRLIST, course_pattern, variant, .lo = 1,
              .required = S_ALWAYS),
        S_ROW("workers", S_INT, course_pattern, workers, .lo = 1, .hi = 1024,
              .required = S_ALWAYS),
        S_ROW("points", S_NUMBER, course_pattern, points, .lo = 0, .hi = 1000),
        S_ROW("pairs", S_INT, course_pattern, pairs, .lo = 3, .hi = 51));

/* quiz: {chapter, points} land in the exercise itself: the "quiz" row of
 * the top table is an S_MAP at offset 0, so these offsets are the
 * exercise's. */
S_TABLE(S_quiz_table,
        S_ROW("chapter", S_INT, course_exercise, quiz_chapter, .lo = 1, .hi = 99,
              .required = S_ALWAYS),
        S_ROW("points", S_NUMBER, course_exercise, quiz_points, .lo = 0, .hi = 1000));

/* A list of mappings (tests:, patterns:): for each item, add() appends an
 * element with its defaults to ex and returns it, S_map() reads the item
 * into it against t, and check() (if not NULL) looks at it among the
 * others. */
typedef void *(*S_adder)(S_ctx *c, course_exercise *ex);
typedef void (*S_checker)(S_ctx *c, course_exercise *ex, yaml_node_t *n,
                          const char *what);

static void S_list(S_ctx *c, yaml_node_t *v, const char *what, const S_table *t,
                   course_exercise *ex, S_adder add, S_checker check)
{
    if (!v || v->type != YAML_SEQUENCE_NODE) {
        S_err(c, v, "%s: expected a list", what);
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(c->doc, *it);
        char *w =
            course_fmt("%s[%zu]", what, (size_t)(it - v->data.sequence.items.start));
        S_map(c, n, w, t, add(c, ex));
        if (check)
            check(c, ex, n, w);
        free(w);
    }
}

/* A new test, points 1, hidden if read from hidden.yaml. */
static void *S_add_test(S_ctx *c, course_exercise *ex)
{
    ex->tests = course_xrealloc(ex->tests, (ex->ntests + 1) * sizeof *ex->tests);
    course_test *t = &ex->tests[ex->ntests++];
    *t = (course_test){.points = 1, .hidden = c->hidden};
    return t;
}

/* Test names are check names: unique in the exercise, hidden ones too. */
static void S_check_test(S_ctx *c, course_exercise *ex, yaml_node_t *n,
                         const char *what)
{
    const course_test *t = &ex->tests[ex->ntests - 1];
    for (size_t j = 0; t->name && j + 1 < ex->ntests; j++)
        if (ex->tests[j].name && !strcmp(ex->tests[j].name, t->name))
            S_err(c, n, "%s: the name \"%s\" is used twice", what, t->name);
}

/* tests: a list of {name, case, points}. */
static void S_tests(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_list(c, v, what, &S_test_table, obj, S_add_test, S_check_test);
}

/* A new pattern with the optional keys' defaults. */
static void *S_add_pattern(S_ctx *c, course_exercise *ex)
{
    ex->patterns =
        course_xrealloc(ex->patterns, (ex->npatterns + 1) * sizeof *ex->patterns);
    course_pattern *p = &ex->patterns[ex->npatterns++];
    *p = (course_pattern){.points = 1, .pairs = 5};
    return p;
}

/* patterns: a list of {name, expect, baseline, variant, workers, ...}. */
static void S_patterns(S_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_list(c, v, what, &S_pattern_table, obj, S_add_pattern, NULL);
}

/* The top level of exercise.yaml, in the order of exercises/README.md. */
S_TABLE(S_exercise_table, S_CUSTOM_ROW("id", S_id, .required = S_ALWAYS),
        S_ROW("slug", S_STRING, course_exercise, slug, .required = S_GRADING),
        S_ROW("title", S_STRING, course_exercise, title, .required = S_GRADING),
        S_ROW("chapter", S_INT, course_exercise, chapter, .lo = 1, .hi = 99,
              .required = S_GRADING),
        S_CUSTOM_ROW("files", S_files, .required = S_GRADING),
        S_CUSTOM_ROW("driver", S_driver, .required = S_GRADING),
        S_CUSTOM_ROW("cflags", S_cflags),
        S_ROW("limits", S_MAP, course_exercise, limits, .sub = &S_limits_table),
        S_CUSTOM_ROW("tests", S_tests, .required = S_GRADING),
        S_CUSTOM_ROW("sanitizers", S_sanitizers), S_CUSTOM_ROW("patterns", S_patterns),
        {.key = "quiz", .kind = S_MAP, .off = 0, .sub = &S_quiz_table},
        S_ROW("hints", S_STRLIST, course_exercise, hints));

/* solutions/NN/hidden.yaml holds more tests, nothing else. */
S_TABLE(S_hidden_table, S_CUSTOM_ROW("tests", S_tests, .required = S_ALWAYS));

/* ------------------------------------------------------------ loading */

/* Parses the YAML file at path into *doc and reads its top mapping against
 * t into obj.  A file that cannot be read or is not YAML is one mistake. */
static void S_read(S_ctx *c, const char *path, const S_table *t, void *obj)
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
        S_err(c, NULL, "the file is empty");
    else
        S_map(c, root, "", t, obj);
    yaml_document_delete(&doc);
    c->doc = NULL;
out:
    yaml_parser_delete(&parser);
    fclose(f);
}

/* See exercise.h. */
course_exercise *course_exercise_load(const char *course, const char *dir,
                                      unsigned flags, course_diags *d)
{
    course_exercise *ex = course_xcalloc(1, sizeof *ex);
    ex->dir = course_xstrdup(dir);
    ex->course = course_xstrdup(course);
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    ex->yaml_path = course_fmt("exercises/%s/exercise.yaml", base);
    ex->limits = (course_limits){.cpu_seconds = 20,
                                 .wall_seconds = 30,
                                 .memory_mb = 1024,
                                 .processes = 64,
                                 .output_kb = 256,
                                 .open_files = 256,
                                 .file_mb = 16};
    ex->quiz_points = 1;
    S_ctx c = {.shown = ex->yaml_path, .dir = dir, .flags = flags, .d = d};
    char *path = course_fmt("%s/exercise.yaml", dir);
    S_read(&c, path, &S_exercise_table, ex);
    free(path);
    if (!c.errors && (flags & COURSE_EX_HIDDEN) && ex->id) {
        char *hidden = course_fmt("%s/solutions/%s/hidden.yaml", course, ex->id);
        char *shown = course_fmt("solutions/%s/hidden.yaml", ex->id);
        if (access(hidden, F_OK) == 0) {
            S_ctx h = {.shown = shown, .dir = dir, .flags = flags, .hidden = 1, .d = d};
            S_read(&h, hidden, &S_hidden_table, ex);
            c.errors += h.errors;
        }
        free(hidden);
        free(shown);
    }
    if (c.errors) {
        course_exercise_free(ex);
        return NULL;
    }
    return ex;
}

/* See exercise.h. */
void course_exercise_free(course_exercise *ex)
{
    if (!ex)
        return;
    free(ex->id);
    free(ex->slug);
    free(ex->title);
    free(ex->dir);
    free(ex->course);
    free(ex->yaml_path);
    course_strv_free(&ex->files);
    course_strv_free(&ex->driver);
    course_strv_free(&ex->cflags);
    course_strv_free(&ex->sanitizers);
    course_strv_free(&ex->hints);
    for (size_t i = 0; i < ex->ntests; i++) {
        free(ex->tests[i].name);
        free(ex->tests[i].casename);
    }
    free(ex->tests);
    for (size_t i = 0; i < ex->npatterns; i++) {
        free(ex->patterns[i].name);
        course_strv_free(&ex->patterns[i].baseline);
        course_strv_free(&ex->patterns[i].variant);
    }
    free(ex->patterns);
    free(ex);
}
