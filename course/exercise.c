/*
 * exercise.c - reads and checks exercise metadata (exercise.yaml).
 *
 * The file is described by tables of keys read by the course library's
 * table-driven YAML reader (yamlmap.h: every mistake reported with its
 * line, all of them in one run).
 *
 * Adding a key: a field in course_exercise (exercise.h), a row in the
 * table below, a line in exercises/README.md.  Kinds that need more than a
 * range check (file names, the expect enum, lists of tests) are YM_CUSTOM
 * rows with a reader function of their own.
 *
 * Locking: none; no state.  Each load has its own context.
 */
#include "exercise.h"
#include "yamlmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* ------------------------------------------------------------ custom keys */

/* id: two digits, the name of the exercise's own directory. */
static void S_id(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_exercise *ex = obj;
    const char *s = course__ym_scalar(c, v, what);
    if (!s)
        return;
    ex->id = course_xstrdup(s);
    const char *base = strrchr(c->dir, '/') ? strrchr(c->dir, '/') + 1 : c->dir;
    if (strlen(s) != 2 || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]))
        course__ym_err(c, v, "id: needs two digits in quotes, like id: \"03\"");
    else if (strcmp(s, base))
        course__ym_err(c, v, "id: \"%s\" does not match the directory exercises/%s", s,
                       base);
}

/* A file the grader copies: a plain .c or .h name inside the exercise
 * directory, never absolute, never "..", never through a directory; and,
 * when must_exist, a regular file there now. */
static void S_file_names(course__ym_ctx *c, yaml_node_t *v, const char *what,
                         course_strv *files, int must_exist)
{
    course__ym_strlist(c, v, what, 1, files);
    for (size_t i = 0; i < files->n; i++) {
        const char *f = files->v[i];
        size_t len = strlen(f);
        if (!*f || strchr(f, '/') || !strcmp(f, ".") || !strcmp(f, "..") || *f == '-') {
            course__ym_err(
                c, v, "%s: \"%s\" must be a plain file name in the exercise directory",
                what, f);
            continue;
        }
        if (len < 3 || (strcmp(f + len - 2, ".c") && strcmp(f + len - 2, ".h")))
            course__ym_err(c, v, "%s: \"%s\" is not a .c or .h file", what, f);
        if (!must_exist)
            continue;
        char *p = course_fmt("%s/%s", c->dir, f);
        struct stat st;
        if (lstat(p, &st) < 0)
            course__ym_err(c, v, "%s: \"%s\" does not exist", what, f);
        else if (!S_ISREG(st.st_mode))
            course__ym_err(c, v, "%s: \"%s\" is not a regular file", what, f);
        free(p);
    }
}

/* files: the learner's files; they may be missing (submit says so). */
static void S_files(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_file_names(c, v, what, &((course_exercise *)obj)->files, 0);
}

/* driver: provided sources; when grading they must be there. */
static void S_driver(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_file_names(c, v, what, &((course_exercise *)obj)->driver,
                 (c->flags & COURSE_EX_GRADING) != 0);
}

/* cflags: flags only, and never -o (the grader names the output). */
static void S_cflags(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_strv *f = &((course_exercise *)obj)->cflags;
    course__ym_strlist(c, v, what, 0, f);
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i][0] != '-' || strncmp(f->v[i], "-o", 2) == 0)
            course__ym_err(c, v, "%s: \"%s\" is not a compiler flag the grader accepts",
                           what, f->v[i]);
}

/* sanitizers: thread (TSan) and address (ASan+UBSan). */
static void S_sanitizers(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_strv *s = &((course_exercise *)obj)->sanitizers;
    course__ym_strlist(c, v, what, 0, s);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], "thread") && strcmp(s->v[i], "address"))
            course__ym_err(c, v, "%s: \"%s\" is not thread or address", what, s->v[i]);
}

static const char *const S_expects[] = {"none", "scales", "overlaps", "slower"};

/* See exercise.h. */
const char *course_expect_name(course_expect e)
{
    return (unsigned)e < 4 ? S_expects[e] : "?";
}

/* patterns[].expect: one of S_expects, stored as its course_expect. */
static void S_expect(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    const char *s = course__ym_scalar(c, v, what);
    for (int k = 0; s && k < 4; k++)
        if (!strcmp(s, S_expects[k])) {
            ((course_pattern *)obj)->expect = (course_expect)k;
            return;
        }
    if (s)
        course__ym_err(c, v, "%s: \"%s\" is not one of none, scales, overlaps, slower",
                       what, s);
}

static const char *const S_visibilities[] = {"visible", "after_due_date",
                                             "after_published", "hidden"};

/* See exercise.h. */
const char *course_visibility_name(course_visibility v)
{
    return (unsigned)v < 4 ? S_visibilities[v] : "?";
}

/* tests[].visibility, patterns[].visibility: one of S_visibilities.  The
 * row's offset says where in the test or pattern the value goes. */
static void S_visibility_at(course__ym_ctx *c, yaml_node_t *v, course_visibility *out,
                            const char *what)
{
    const char *s = course__ym_scalar(c, v, what);
    for (int k = 0; s && k < 4; k++)
        if (!strcmp(s, S_visibilities[k])) {
            *out = (course_visibility)k;
            return;
        }
    if (s)
        course__ym_err(c, v,
                       "%s: \"%s\" is not one of visible, after_due_date, "
                       "after_published, hidden",
                       what, s);
}

static void S_test_visibility(course__ym_ctx *c, yaml_node_t *v, void *obj,
                              const char *what)
{
    S_visibility_at(c, v, &((course_test *)obj)->visibility, what);
}

static void S_pattern_visibility(course__ym_ctx *c, yaml_node_t *v, void *obj,
                                 const char *what)
{
    S_visibility_at(c, v, &((course_pattern *)obj)->visibility, what);
}

/* due: a moment with its zone (when.h), e.g. "2026-03-01T23:59:00-05:00". */
static void S_due(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    const char *s = course__ym_scalar(c, v, what);
    if (s && course_time_parse(s, &((course_exercise *)obj)->due) < 0)
        course__ym_err(c, v,
                       "%s: \"%s\" is not a date and time with its zone, like "
                       "2026-03-01T23:59:00Z or 2026-03-01T23:59:00-05:00",
                       what, s);
}

YM_TABLE(S_late_table,
         YM_ROW("per_day", YM_NUMBER, course_late_policy, per_day, .lo = 0, .hi = 100),
         YM_ROW("grace_days", YM_INT, course_late_policy, grace_days, .lo = 0,
                .hi = 365),
         YM_ROW("max_days", YM_INT, course_late_policy, max_days, .lo = 0, .hi = 365));

#define S_LIMIT(k) YM_ROW(#k, YM_LONG, course_limits, k, .lo = 1, .hi = 1 << 20)

YM_TABLE(S_limits_table, S_LIMIT(cpu_seconds), S_LIMIT(wall_seconds),
         S_LIMIT(memory_mb), S_LIMIT(processes), S_LIMIT(output_kb),
         S_LIMIT(open_files), S_LIMIT(file_mb));

YM_TABLE(S_test_table,
         YM_ROW("name", YM_STRING, course_test, name, .required = YM_ALWAYS),
         YM_ROW("case", YM_STRING, course_test, casename, .required = YM_ALWAYS),
         YM_ROW("points", YM_NUMBER, course_test, points, .lo = 0, .hi = 1000),
         YM_CUSTOM_ROW("visibility", S_test_visibility));

YM_TABLE(S_pattern_table,
         YM_ROW("name", YM_STRING, course_pattern, name, .required = YM_ALWAYS),
         YM_CUSTOM_ROW("expect", S_expect, .required = YM_ALWAYS),
         YM_ROW("baseline", YM_STRLIST, course_pattern, baseline, .lo = 1,
                .required = YM_ALWAYS),
         YM_ROW("variant", YM_STRLIST, course_pattern, variant, .lo = 1,
                .required = YM_ALWAYS),
         YM_ROW("workers", YM_INT, course_pattern, workers, .lo = 1, .hi = 1024,
                .required = YM_ALWAYS),
         YM_ROW("points", YM_NUMBER, course_pattern, points, .lo = 0, .hi = 1000),
         YM_ROW("pairs", YM_INT, course_pattern, pairs, .lo = 3, .hi = 51),
         YM_CUSTOM_ROW("visibility", S_pattern_visibility));

/* quiz: {chapter, points} land in the exercise itself: the "quiz" row of
 * the top table is an YM_MAP at offset 0, so these offsets are the
 * exercise's. */
YM_TABLE(S_quiz_table,
         YM_ROW("chapter", YM_INT, course_exercise, quiz_chapter, .lo = 1, .hi = 99,
                .required = YM_ALWAYS),
         YM_ROW("points", YM_NUMBER, course_exercise, quiz_points, .lo = 0,
                .hi = 1000));

/* symbols.define / symbols.use: a list of C names (anything else could not
 * be a symbol of the learner's object). */
static void S_c_names(course__ym_ctx *c, yaml_node_t *v, const char *what,
                      course_strv *dst)
{
    size_t from = dst->n;
    course__ym_strlist(c, v, what, 0, dst);
    for (size_t i = from; i < dst->n; i++) {
        const char *s = dst->v[i];
        int ok = *s && !isdigit((unsigned char)*s);
        for (; *s; s++)
            ok &= isalnum((unsigned char)*s) || *s == '_';
        if (!ok)
            course__ym_err(c, v, "%s: \"%s\" is not a C name", what, dst->v[i]);
    }
}

static void S_sym_define(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    course_exercise *ex = obj;
    S_c_names(c, v, what, &ex->sym_define);
    ex->sym_define_given = 1;
}

static void S_sym_use(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_c_names(c, v, what, &((course_exercise *)obj)->sym_use);
}

/* tests_alone: true or false. */
static void S_tests_alone(course__ym_ctx *c, yaml_node_t *v, void *obj,
                          const char *what)
{
    const char *s = course__ym_scalar(c, v, what);
    if (s && (!strcmp(s, "true") || !strcmp(s, "false")))
        ((course_exercise *)obj)->tests_alone = !strcmp(s, "true");
    else if (s)
        course__ym_err(c, v, "%s: \"%s\" is not true or false", what, s);
}

/* symbols: {define, use}, like quiz: a YM_MAP at offset 0, so the readers
 * get the exercise itself. */
YM_TABLE(S_symbols_table, YM_CUSTOM_ROW("define", S_sym_define),
         YM_CUSTOM_ROW("use", S_sym_use));

/* A list of mappings (tests:, patterns:): for each item, add() appends an
 * element with its defaults to ex and returns it, course__ym_map() reads the item
 * into it against t, and check() (if not NULL) looks at it among the
 * others. */
typedef void *(*S_adder)(course__ym_ctx *c, course_exercise *ex);
typedef void (*S_checker)(course__ym_ctx *c, course_exercise *ex, yaml_node_t *n,
                          const char *what);

static void S_list(course__ym_ctx *c, yaml_node_t *v, const char *what,
                   const course__ym_table *t, course_exercise *ex, S_adder add,
                   S_checker check)
{
    if (!v || v->type != YAML_SEQUENCE_NODE) {
        course__ym_err(c, v, "%s: expected a list", what);
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(c->doc, *it);
        char *w =
            course_fmt("%s[%zu]", what, (size_t)(it - v->data.sequence.items.start));
        course__ym_map(c, n, w, t, add(c, ex));
        if (check)
            check(c, ex, n, w);
        free(w);
    }
}

/* A new test, points 1, hidden if read from hidden.yaml. */
static void *S_add_test(course__ym_ctx *c, course_exercise *ex)
{
    ex->tests = course_xrealloc(ex->tests, (ex->ntests + 1) * sizeof *ex->tests);
    course_test *t = &ex->tests[ex->ntests++];
    *t = (course_test){.points = 1,
                       .hidden = c->hidden,
                       .visibility =
                           c->hidden ? COURSE_AFTER_PUBLISHED : COURSE_VISIBLE};
    return t;
}

/* Test names are check names: unique in the exercise, hidden ones too. */
static void S_check_test(course__ym_ctx *c, course_exercise *ex, yaml_node_t *n,
                         const char *what)
{
    const course_test *t = &ex->tests[ex->ntests - 1];
    for (size_t j = 0; t->name && j + 1 < ex->ntests; j++)
        if (ex->tests[j].name && !strcmp(ex->tests[j].name, t->name))
            course__ym_err(c, n, "%s: the name \"%s\" is used twice", what, t->name);
}

/* tests: a list of {name, case, points}. */
static void S_tests(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_list(c, v, what, &S_test_table, obj, S_add_test, S_check_test);
}

/* A new pattern with the optional keys' defaults. */
static void *S_add_pattern(course__ym_ctx *c, course_exercise *ex)
{
    ex->patterns =
        course_xrealloc(ex->patterns, (ex->npatterns + 1) * sizeof *ex->patterns);
    course_pattern *p = &ex->patterns[ex->npatterns++];
    *p = (course_pattern){.points = 1, .pairs = 5};
    return p;
}

/* patterns: a list of {name, expect, baseline, variant, workers, ...}. */
static void S_patterns(course__ym_ctx *c, yaml_node_t *v, void *obj, const char *what)
{
    S_list(c, v, what, &S_pattern_table, obj, S_add_pattern, NULL);
}

/* The top level of exercise.yaml, in the order of exercises/README.md. */
YM_TABLE(S_exercise_table, YM_CUSTOM_ROW("id", S_id, .required = YM_ALWAYS),
         YM_ROW("slug", YM_STRING, course_exercise, slug, .required = YM_GRADING),
         YM_ROW("title", YM_STRING, course_exercise, title, .required = YM_GRADING),
         YM_ROW("chapter", YM_INT, course_exercise, chapter, .lo = 1, .hi = 99,
                .required = YM_GRADING),
         YM_CUSTOM_ROW("files", S_files, .required = YM_GRADING),
         YM_CUSTOM_ROW("driver", S_driver, .required = YM_GRADING),
         YM_CUSTOM_ROW("cflags", S_cflags),
         YM_ROW("limits", YM_MAP, course_exercise, limits, .sub = &S_limits_table),
         YM_CUSTOM_ROW("tests", S_tests, .required = YM_GRADING),
         YM_CUSTOM_ROW("sanitizers", S_sanitizers),
         YM_CUSTOM_ROW("tests_alone", S_tests_alone),
         YM_CUSTOM_ROW("patterns", S_patterns),
         {.key = "quiz", .kind = YM_MAP, .off = 0, .sub = &S_quiz_table},
         YM_ROW("hints", YM_STRLIST, course_exercise, hints),
         YM_CUSTOM_ROW("due", S_due),
         YM_ROW("late", YM_MAP, course_exercise, late, .sub = &S_late_table),
         {.key = "symbols", .kind = YM_MAP, .off = 0, .sub = &S_symbols_table});

/* solutions/NN/hidden.yaml holds more tests, nothing else. */
YM_TABLE(S_hidden_table, YM_CUSTOM_ROW("tests", S_tests, .required = YM_ALWAYS));

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
    course__ym_ctx c = {.shown = ex->yaml_path,
                        .dir = dir,
                        .flags = flags,
                        .strict = (flags & COURSE_EX_GRADING) != 0,
                        .d = d};
    char *path = course_fmt("%s/exercise.yaml", dir);
    course__ym_read(&c, path, &S_exercise_table, ex);
    free(path);
    if (!c.errors && (flags & COURSE_EX_HIDDEN) && ex->id) {
        char *hidden = course_fmt("%s/solutions/%s/hidden.yaml", course, ex->id);
        char *shown = course_fmt("solutions/%s/hidden.yaml", ex->id);
        if (access(hidden, F_OK) == 0) {
            course__ym_ctx h = {
                .shown = shown, .dir = dir, .flags = flags, .hidden = 1, .d = d};
            course__ym_read(&h, hidden, &S_hidden_table, ex);
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
    course_strv_free(&ex->sym_define);
    course_strv_free(&ex->sym_use);
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
