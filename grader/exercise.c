/*
 * exercise.c - reads and validates exercise metadata (exercise.yaml).
 *
 * The format is documented in exercises/README.md.  We let libyaml build
 * the document tree (yaml_parser_load) and walk it, so every node still
 * knows its line: each mistake is reported as
 *     exercises/03/exercise.yaml:12: patterns[0].expect: "fast" is not one of ...
 * and validation goes on, so a single run lists every mistake.  Unknown keys
 * are errors: a misspelt key silently ignored is worse than a refusal.
 */
#include "grader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

typedef struct S_ctx {
    yaml_document_t *doc;
    const char *shown; /* the path printed in messages */
    const char *dir;   /* the exercise directory (absolute) */
    int errors;
} S_ctx;

__attribute__((format(printf, 3, 4))) static void S_err(S_ctx *c, yaml_node_t *n,
                                                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%lu: ", c->shown,
            n ? (unsigned long)n->start_mark.line + 1 : 1ul);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    c->errors++;
}

/* The scalar text of n, or NULL (with an error) if n is not a scalar. */
static const char *S_scalar(S_ctx *c, yaml_node_t *n, const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE) {
        S_err(c, n, "%s: expected a single value", what);
        return NULL;
    }
    return (const char *)n->data.scalar.value;
}

static char *S_string(S_ctx *c, yaml_node_t *n, const char *what)
{
    const char *s = S_scalar(c, n, what);
    if (s && !*s)
        S_err(c, n, "%s: must not be empty", what);
    return s ? gr_xstrdup(s) : NULL;
}

/* A number in [lo, hi]; reports and returns def otherwise. */
static double S_number(S_ctx *c, yaml_node_t *n, const char *what, double lo, double hi,
                       double def)
{
    const char *s = S_scalar(c, n, what);
    if (!s)
        return def;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        S_err(c, n, "%s: \"%s\" is not a number from %g to %g", what, s, lo, hi);
        return def;
    }
    return v;
}

static long S_int(S_ctx *c, yaml_node_t *n, const char *what, long lo, long hi,
                  long def)
{
    double v = S_number(c, n, what, (double)lo, (double)hi, (double)def);
    if (v != (double)(long)v) {
        S_err(c, n, "%s: must be a whole number", what);
        return def;
    }
    return (long)v;
}

/* A list of strings (a scalar is accepted as a list of one). */
static void S_strlist(S_ctx *c, yaml_node_t *n, const char *what, gr_strv *out)
{
    if (n && n->type == YAML_SCALAR_NODE) {
        gr_strv_push(out, (const char *)n->data.scalar.value);
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
            gr_strv_push(out, s);
    }
}

/* A file name the grader copies: a plain name inside the exercise
 * directory, never absolute, never "..", never through a directory. */
static int S_plain_name(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && *s != '-';
}

static void S_check_files(S_ctx *c, yaml_node_t *n, const char *what, gr_strv *files,
                          int must_exist)
{
    for (size_t i = 0; i < files->n; i++) {
        const char *f = files->v[i];
        if (!S_plain_name(f)) {
            S_err(c, n,
                  "%s: \"%s\" must be a plain file name in the exercise directory",
                  what, f);
            continue;
        }
        size_t len = strlen(f);
        if (len < 3 || (strcmp(f + len - 2, ".c") && strcmp(f + len - 2, ".h")))
            S_err(c, n, "%s: \"%s\" is not a .c or .h file", what, f);
        if (!must_exist)
            continue;
        char *p = gr_fmt("%s/%s", c->dir, f);
        struct stat st;
        if (lstat(p, &st) < 0)
            S_err(c, n, "%s: \"%s\" does not exist", what, f);
        else if (!S_ISREG(st.st_mode))
            S_err(c, n, "%s: \"%s\" is not a regular file", what, f);
        free(p);
    }
}

/* Iterates the pairs of a mapping, with the key text. */
#define S_FOREACH_PAIR(c, map, keyvar, val)                                            \
    for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start;                       \
         p_ < (map)->data.mapping.pairs.top; p_++)                                     \
        for (yaml_node_t *kn_ = yaml_document_get_node((c)->doc, p_->key),             \
                         *val = yaml_document_get_node((c)->doc, p_->value);           \
             kn_; kn_ = NULL)                                                          \
            for (const char *keyvar = S_scalar(c, kn_, "key"); keyvar; keyvar = NULL)

static int S_is_map(S_ctx *c, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return 1;
    S_err(c, n, "%s: expected a mapping (key: value)", what);
    return 0;
}

static void S_limits(S_ctx *c, yaml_node_t *n, gr_limits *l)
{
    if (!S_is_map(c, n, "limits"))
        return;
    S_FOREACH_PAIR(c, n, key, v)
    {
        long *dst = !strcmp(key, "cpu_seconds")    ? &l->cpu_seconds
                    : !strcmp(key, "wall_seconds") ? &l->wall_seconds
                    : !strcmp(key, "memory_mb")    ? &l->memory_mb
                    : !strcmp(key, "processes")    ? &l->processes
                    : !strcmp(key, "output_kb")    ? &l->output_kb
                    : !strcmp(key, "open_files")   ? &l->open_files
                    : !strcmp(key, "file_mb")      ? &l->file_mb
                                                   : NULL;
        if (!dst) {
            S_err(c, v,
                  "limits: unknown key \"%s\" (cpu_seconds, wall_seconds, memory_mb, "
                  "processes, output_kb, open_files, file_mb)",
                  key);
            continue;
        }
        char *what = gr_fmt("limits.%s", key);
        *dst = S_int(c, v, what, 1, 1L << 20, *dst);
        free(what);
    }
}

static void S_tests(S_ctx *c, yaml_node_t *n, gr_exercise *ex, int hidden)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        S_err(c, n, "tests: expected a list");
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        yaml_node_t *tn = yaml_document_get_node(c->doc, *it);
        size_t i = ex->ntests;
        char *what = gr_fmt("tests[%zu]", (size_t)(it - n->data.sequence.items.start));
        if (!S_is_map(c, tn, what)) {
            free(what);
            continue;
        }
        gr_test t = {.points = 1, .hidden = hidden};
        S_FOREACH_PAIR(c, tn, key, v)
        {
            if (!strcmp(key, "name"))
                t.name = S_string(c, v, what);
            else if (!strcmp(key, "case"))
                t.casename = S_string(c, v, what);
            else if (!strcmp(key, "points"))
                t.points = S_number(c, v, what, 0, 1000, 1);
            else
                S_err(c, v, "%s: unknown key \"%s\" (name, case, points)", what, key);
        }
        if (!t.name || !t.casename) {
            S_err(c, tn, "%s: needs both name and case", what);
            free(t.name);
            free(t.casename);
            free(what);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(ex->tests[j].name, t.name))
                S_err(c, tn, "%s: the name \"%s\" is used twice", what, t.name);
        ex->tests = realloc(ex->tests, (i + 1) * sizeof *ex->tests);
        ex->tests[ex->ntests++] = t;
        free(what);
    }
}

static const char *const S_expects[] = {"none", "scales", "overlaps", "slower"};

const char *gr_expect_name(gr_expect e)
{
    return S_expects[e];
}

/* Reads one key of a pattern entry into *p; returns 0 if `key` is not a
 * pattern key (the caller decides whether that is an error). */
static int S_pattern_key(S_ctx *c, const char *what, const char *key, yaml_node_t *v,
                         gr_pattern *p)
{
    if (!strcmp(key, "name")) {
        p->name = S_string(c, v, what);
    } else if (!strcmp(key, "expect")) {
        const char *s = S_scalar(c, v, what);
        for (int k = 0; s && k < 4; k++)
            if (!strcmp(s, S_expects[k]))
                p->expect = (gr_expect)k;
        if (s && (int)p->expect < 0)
            S_err(c, v,
                  "%s.expect: \"%s\" is not one of none, scales, overlaps, "
                  "slower",
                  what, s);
    } else if (!strcmp(key, "baseline")) {
        S_strlist(c, v, what, &p->baseline);
    } else if (!strcmp(key, "variant")) {
        S_strlist(c, v, what, &p->variant);
    } else if (!strcmp(key, "workers")) {
        p->workers = (int)S_int(c, v, what, 1, 1024, 2);
    } else if (!strcmp(key, "points")) {
        p->points = S_number(c, v, what, 0, 1000, 1);
    } else if (!strcmp(key, "pairs")) {
        p->pairs = (int)S_int(c, v, what, 3, 51, 5);
    } else {
        return 0;
    }
    return 1;
}

/* Checks a pattern read by S_pattern_key and fills in what is missing so
 * the struct is always usable (the error is already counted). */
static void S_pattern_finish(S_ctx *c, yaml_node_t *pn, const char *what, gr_pattern *p)
{
    if (!p->name || (int)p->expect < 0 || !p->baseline.n || !p->variant.n ||
        !p->workers)
        S_err(c, pn, "%s: needs name, expect, baseline, variant and workers", what);
    if (!p->name)
        p->name = gr_xstrdup("?");
    if ((int)p->expect < 0)
        p->expect = GR_EXPECT_NONE;
    if (!p->workers)
        p->workers = 2;
}

static void S_patterns(S_ctx *c, yaml_node_t *n, gr_exercise *ex)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        S_err(c, n, "patterns: expected a list");
        return;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        yaml_node_t *pn = yaml_document_get_node(c->doc, *it);
        char *what =
            gr_fmt("patterns[%zu]", (size_t)(it - n->data.sequence.items.start));
        if (!S_is_map(c, pn, what)) {
            free(what);
            continue;
        }
        gr_pattern p = {.expect = -1, .workers = 0, .points = 1, .pairs = 5};
        S_FOREACH_PAIR(c, pn, key, v)
        {
            if (!S_pattern_key(c, what, key, v, &p))
                S_err(c, v,
                      "%s: unknown key \"%s\" (name, expect, baseline, variant, "
                      "workers, points, pairs)",
                      what, key);
        }
        S_pattern_finish(c, pn, what, &p);
        ex->patterns =
            realloc(ex->patterns, (ex->npatterns + 1) * sizeof *ex->patterns);
        ex->patterns[ex->npatterns++] = p;
        free(what);
    }
}

static void S_quiz(S_ctx *c, yaml_node_t *n, gr_exercise *ex)
{
    if (!S_is_map(c, n, "quiz"))
        return;
    S_FOREACH_PAIR(c, n, key, v)
    {
        if (!strcmp(key, "chapter"))
            ex->quiz_chapter = (int)S_int(c, v, "quiz.chapter", 1, 99, 0);
        else if (!strcmp(key, "points"))
            ex->quiz_points = S_number(c, v, "quiz.points", 0, 1000, 1);
        else
            S_err(c, v, "quiz: unknown key \"%s\" (chapter, points)", key);
    }
    if (!ex->quiz_chapter)
        S_err(c, n, "quiz: needs chapter");
}

/* symbols: {define: [names], use: [names or groups]} (objcheck.c).  A name
 * is a C identifier: anything else could not be a symbol of the learner's. */
static void S_symbols(S_ctx *c, yaml_node_t *n, gr_exercise *ex)
{
    if (!S_is_map(c, n, "symbols"))
        return;
    S_FOREACH_PAIR(c, n, key, v)
    {
        gr_strv *dst = !strcmp(key, "define") ? &ex->sym_define
                       : !strcmp(key, "use")  ? &ex->sym_use
                                              : NULL;
        if (!dst) {
            S_err(c, v, "symbols: unknown key \"%s\" (define, use)", key);
            continue;
        }
        size_t from = dst->n;
        S_strlist(c, v, key, dst);
        ex->sym_define_given |= dst == &ex->sym_define;
        for (size_t i = from; i < dst->n; i++) {
            const char *s = dst->v[i];
            int ok = *s && !isdigit((unsigned char)*s);
            for (; *s; s++)
                ok &= isalnum((unsigned char)*s) || *s == '_';
            if (!ok)
                S_err(c, v, "symbols.%s: \"%s\" is not a C name", key, dst->v[i]);
        }
    }
}

/* Loads a YAML file into doc; prints a file:line error if it is not YAML
 * or not a mapping at the top.  Returns the root node or NULL. */
static yaml_node_t *S_load(S_ctx *c, const char *path, yaml_document_t *doc,
                           int *loaded)
{
    *loaded = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot read: %s\n", c->shown, strerror(errno));
        c->errors++;
        return NULL;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, doc)) {
        fprintf(stderr, "%s:%lu:%lu: %s%s%s\n", c->shown,
                (unsigned long)parser.problem_mark.line + 1,
                (unsigned long)parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "not valid YAML",
                parser.context ? " " : "", parser.context ? parser.context : "");
        c->errors++;
        yaml_parser_delete(&parser);
        fclose(f);
        return NULL;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    *loaded = 1;
    c->doc = doc;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) {
        fprintf(stderr, "%s:1: the file is empty\n", c->shown);
        c->errors++;
        return NULL;
    }
    return S_is_map(c, root, "the file") ? root : NULL;
}

/* Reads solutions/NN/hidden.yaml (instructor edition): more tests. */
static void S_hidden(const char *course, gr_exercise *ex, int *errors)
{
    char *path = gr_fmt("%s/solutions/%s/hidden.yaml", course, ex->id);
    char *shown = gr_fmt("solutions/%s/hidden.yaml", ex->id);
    if (access(path, F_OK) == 0) {
        S_ctx c = {.shown = shown, .dir = ex->dir};
        yaml_document_t doc;
        int loaded;
        yaml_node_t *root = S_load(&c, path, &doc, &loaded);
        if (root)
            S_FOREACH_PAIR(&c, root, key, v)
            {
                if (!strcmp(key, "tests"))
                    S_tests(&c, v, ex, 1);
                else
                    S_err(&c, v, "unknown key \"%s\" (hidden.yaml holds tests only)",
                          key);
            }
        if (loaded)
            yaml_document_delete(&doc);
        *errors += c.errors;
    }
    free(path);
    free(shown);
}

gr_exercise *gr_exercise_load(const char *course, const char *dir, int with_hidden)
{
    gr_exercise *ex = calloc(1, sizeof *ex);
    if (!ex)
        abort();
    ex->dir = gr_xstrdup(dir);
    ex->course = gr_xstrdup(course);
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    ex->yaml_path = gr_fmt("exercises/%s/exercise.yaml", base);
    ex->limits = (gr_limits){.cpu_seconds = 20,
                             .wall_seconds = 30,
                             .memory_mb = 1024,
                             .processes = 64,
                             .output_kb = 256,
                             .open_files = 256,
                             .file_mb = 16};
    ex->quiz_points = 1;
    char *path = gr_fmt("%s/exercise.yaml", dir);
    S_ctx c = {.shown = ex->yaml_path, .dir = dir};
    yaml_document_t doc;
    int loaded;
    yaml_node_t *root = S_load(&c, path, &doc, &loaded);
    free(path);
    yaml_node_t *files_node = root, *driver_node = root;
    if (root) {
        S_FOREACH_PAIR(&c, root, key, v)
        {
            if (!strcmp(key, "id")) {
                ex->id = S_string(&c, v, "id");
            } else if (!strcmp(key, "slug")) {
                ex->slug = S_string(&c, v, "slug");
            } else if (!strcmp(key, "title")) {
                ex->title = S_string(&c, v, "title");
            } else if (!strcmp(key, "chapter")) {
                ex->chapter = (int)S_int(&c, v, "chapter", 1, 99, 0);
            } else if (!strcmp(key, "files")) {
                S_strlist(&c, v, "files", &ex->files);
                files_node = v;
            } else if (!strcmp(key, "driver")) {
                S_strlist(&c, v, "driver", &ex->driver);
                driver_node = v;
            } else if (!strcmp(key, "cflags")) {
                S_strlist(&c, v, "cflags", &ex->cflags);
                for (size_t i = 0; i < ex->cflags.n; i++)
                    if (ex->cflags.v[i][0] != '-' ||
                        strstr(ex->cflags.v[i], "-o") == ex->cflags.v[i])
                        S_err(&c, v,
                              "cflags: \"%s\" is not a compiler flag the grader "
                              "accepts",
                              ex->cflags.v[i]);
            } else if (!strcmp(key, "limits")) {
                S_limits(&c, v, &ex->limits);
            } else if (!strcmp(key, "tests")) {
                S_tests(&c, v, ex, 0);
            } else if (!strcmp(key, "sanitizers")) {
                S_strlist(&c, v, "sanitizers", &ex->sanitizers);
                for (size_t i = 0; i < ex->sanitizers.n; i++)
                    if (strcmp(ex->sanitizers.v[i], "thread") &&
                        strcmp(ex->sanitizers.v[i], "address"))
                        S_err(&c, v, "sanitizers: \"%s\" is not thread or address",
                              ex->sanitizers.v[i]);
            } else if (!strcmp(key, "patterns")) {
                S_patterns(&c, v, ex);
            } else if (!strcmp(key, "quiz")) {
                S_quiz(&c, v, ex);
            } else if (!strcmp(key, "hints")) {
                S_strlist(&c, v, "hints", &ex->hints);
            } else if (!strcmp(key, "symbols")) {
                S_symbols(&c, v, ex);
            } else {
                S_err(&c, v, "unknown key \"%s\" (see exercises/README.md)", key);
            }
        }
        if (!ex->id || strlen(ex->id) != 2 || !isdigit((unsigned char)ex->id[0]) ||
            !isdigit((unsigned char)ex->id[1]))
            S_err(&c, root, "id: needs two digits in quotes, like id: \"03\"");
        else if (strcmp(ex->id, base))
            S_err(&c, root, "id: \"%s\" does not match the directory exercises/%s",
                  ex->id, base);
        if (!ex->slug || !ex->title || !ex->chapter)
            S_err(&c, root, "needs id, slug, title, chapter, files, driver and tests");
        if (!ex->files.n)
            S_err(&c, files_node, "files: list at least one file the learner edits");
        if (!ex->driver.n)
            S_err(&c, driver_node, "driver: list the provided driver sources");
        S_check_files(&c, files_node, "files", &ex->files, 0);
        S_check_files(&c, driver_node, "driver", &ex->driver, 1);
    }
    if (loaded)
        yaml_document_delete(&doc);
    if (!c.errors && with_hidden)
        S_hidden(course, ex, &c.errors);
    if (c.errors) {
        gr_exercise_free(ex);
        return NULL;
    }
    return ex;
}

void gr_exercise_free(gr_exercise *ex)
{
    if (!ex)
        return;
    free(ex->id);
    free(ex->slug);
    free(ex->title);
    free(ex->dir);
    free(ex->course);
    free(ex->yaml_path);
    gr_strv_free(&ex->files);
    gr_strv_free(&ex->driver);
    gr_strv_free(&ex->cflags);
    gr_strv_free(&ex->sanitizers);
    gr_strv_free(&ex->hints);
    gr_strv_free(&ex->sym_define);
    gr_strv_free(&ex->sym_use);
    for (size_t i = 0; i < ex->ntests; i++) {
        free(ex->tests[i].name);
        free(ex->tests[i].casename);
    }
    free(ex->tests);
    for (size_t i = 0; i < ex->npatterns; i++) {
        free(ex->patterns[i].name);
        gr_strv_free(&ex->patterns[i].baseline);
        gr_strv_free(&ex->patterns[i].variant);
    }
    free(ex->patterns);
    free(ex);
}

static int S_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories course/exercises/NN (two digits) holding exercise.yaml. */
int gr_exercise_list(const char *course, gr_strv *out)
{
    char *root = gr_fmt("%s/exercises", course);
    DIR *d = opendir(root);
    if (!d) {
        int e = errno;
        free(root);
        return -e;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != 2 || !isdigit((unsigned char)e->d_name[0]) ||
            !isdigit((unsigned char)e->d_name[1]))
            continue;
        char *y = gr_fmt("%s/%s/exercise.yaml", root, e->d_name);
        if (access(y, F_OK) == 0) {
            char *dir = gr_fmt("%s/%s", root, e->d_name);
            gr_strv_push(out, dir);
            free(dir);
        }
        free(y);
    }
    closedir(d);
    free(root);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, S_cmp_str);
    return 0;
}

/* The slug of an exercise directory, read from its yaml without full
 * validation (so `grader submit slug` finds it even if other keys are
 * broken: the load that follows reports those).  Caller frees. */
static char *S_peek_slug(const char *dir)
{
    char *path = gr_fmt("%s/exercise.yaml", dir);
    char *text = gr_read_file(path, NULL);
    free(path);
    if (!text)
        return NULL;
    char *slug = NULL;
    for (char *line = strtok(text, "\n"); line && !slug; line = strtok(NULL, "\n")) {
        if (strncmp(line, "slug:", 5))
            continue;
        char *s = line + 5;
        s += strspn(s, " \t\"'");
        size_t n = strcspn(s, " \t\"'#\r");
        slug = gr_fmt("%.*s", (int)n, s);
    }
    free(text);
    return slug;
}

char *gr_exercise_resolve(const char *course, const char *arg)
{
    char *exroot = gr_fmt("%s/exercises", course);
    char *found = NULL;
    size_t n = strlen(arg);
    int digits = n > 0 && n <= 2 && isdigit((unsigned char)arg[0]) &&
                 (n == 1 || isdigit((unsigned char)arg[1]));
    if (digits) {
        found = gr_fmt("%s/%02d", exroot, atoi(arg));
    } else if (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..")) {
        /* A path: it must really be (after symlinks) exercises/NN itself. */
        char real[PATH_MAX], realroot[PATH_MAX];
        if (!realpath(arg, real)) {
            fprintf(stderr, "grader: %s: no such exercise directory\n", arg);
            goto out;
        }
        if (!realpath(exroot, realroot)) {
            fprintf(stderr, "grader: %s: no exercises/ directory here\n", course);
            goto out;
        }
        size_t rl = strlen(realroot);
        const char *rest = real + rl;
        if (strncmp(real, realroot, rl) || rest[0] != '/' || strlen(rest) != 3 ||
            !isdigit((unsigned char)rest[1]) || !isdigit((unsigned char)rest[2])) {
            fprintf(stderr,
                    "grader: %s: not an exercise (give exercises/NN, NN or the slug; "
                    "paths outside exercises/ are refused)\n",
                    arg);
            goto out;
        }
        found = gr_fmt("%s/%s", exroot, rest + 1);
    } else {
        gr_strv all = {0};
        gr_exercise_list(course, &all);
        for (size_t i = 0; i < all.n && !found; i++) {
            char *slug = S_peek_slug(all.v[i]);
            if (slug && !strcmp(slug, arg))
                found = gr_xstrdup(all.v[i]);
            free(slug);
        }
        gr_strv_free(&all);
        if (!found) {
            fprintf(stderr,
                    "grader: %s: no exercise has this number or slug "
                    "(grader status lists them)\n",
                    arg);
            goto out;
        }
    }
    char *y = gr_fmt("%s/exercise.yaml", found);
    if (access(y, F_OK) < 0) {
        fprintf(stderr, "grader: %s: no such exercise (no %s)\n", arg,
                y + strlen(course) + 1);
        free(found);
        found = NULL;
    }
    free(y);
out:
    free(exroot);
    return found;
}

/* ------------------------------------------------------------------ */
/* chapters/NN/claims.yaml: a chapter's claims, judged on its demo     */
/* ------------------------------------------------------------------ */

/* "== 1", ">= 2", "<= 0.5": a comparison of one counter. */
static void S_counter(S_ctx *c, const char *what, const char *path, yaml_node_t *v,
                      gr_claim *cl)
{
    const char *s = S_scalar(c, v, what);
    if (!s)
        return;
    const char *dot = strchr(path, '.');
    size_t obj = dot ? (size_t)(dot - path) : 0;
    if (!dot || !dot[1] ||
        !((obj == 5 && !strncmp(path, "stats", 5)) ||
          (obj == 6 && !strncmp(path, "result", 6)) ||
          (obj == 4 && (!strncmp(path, "loop", 4) || !strncmp(path, "pool", 4))))) {
        S_err(c, v, "%s: \"%s\" is not stats.X, result.X, loop.X or pool.X", what,
              path);
        return;
    }
    gr_counter_check k = {0};
    while (*s == ' ')
        s++;
    if ((s[0] == '=' || s[0] == '>' || s[0] == '<') && s[1] == '=')
        memcpy(k.op, s, 2);
    char *end;
    errno = 0;
    k.value = k.op[0] ? strtod(s + 2, &end) : 0;
    if (!k.op[0] || errno || end == s + 2 || *end) {
        S_err(c, v, "%s: \"%s\" is not \"== N\", \">= N\" or \"<= N\"", what, s);
        return;
    }
    k.path = gr_xstrdup(path);
    cl->counters = realloc(cl->counters, (cl->ncounters + 1) * sizeof *cl->counters);
    if (!cl->counters)
        abort();
    cl->counters[cl->ncounters++] = k;
}

static void S_claim(S_ctx *c, yaml_node_t *cn, const char *what, gr_claim *cl)
{
    cl->pattern = (gr_pattern){.expect = -1, .points = 1, .pairs = 5};
    yaml_node_t *counters = NULL;
    S_FOREACH_PAIR(c, cn, key, v)
    {
        if (S_pattern_key(c, what, key, v, &cl->pattern)) {
            cl->is_pattern |= strcmp(key, "name") != 0;
        } else if (!strcmp(key, "says")) {
            cl->says = S_string(c, v, what);
        } else if (!strcmp(key, "run")) {
            S_strlist(c, v, what, &cl->run);
        } else if (!strcmp(key, "counters") && S_is_map(c, v, what)) {
            counters = v;
            S_FOREACH_PAIR(c, v, path, cv) S_counter(c, what, path, cv, cl);
        } else if (!strcmp(key, "env") && S_is_map(c, v, what)) {
            S_FOREACH_PAIR(c, v, name, ev)
            {
                const char *val = S_scalar(c, ev, what);
                int ok = val && (isupper((unsigned char)name[0]) || name[0] == '_');
                for (const char *q = name; ok && *q; q++)
                    ok = isupper((unsigned char)*q) || isdigit((unsigned char)*q) ||
                         *q == '_';
                if (!ok) {
                    S_err(c, ev, "%s.env: \"%s\" is not an environment variable name",
                          what, name);
                    continue;
                }
                char *kv = gr_fmt("%s=%s", name, val);
                gr_strv_push(&cl->env, kv);
                free(kv);
            }
        } else if (strcmp(key, "counters") && strcmp(key, "env")) {
            S_err(c, v,
                  "%s: unknown key \"%s\" (name, says, and either expect, baseline, "
                  "variant, workers, pairs; or run, counters; env)",
                  what, key);
        }
    }
    if (!cl->says)
        S_err(c, cn, "%s: needs says (the chapter's sentence this checks)", what);
    if (cl->is_pattern) {
        S_pattern_finish(c, cn, what, &cl->pattern);
        if (cl->run.n || counters)
            S_err(c, cn, "%s: a pattern claim (expect) cannot also have run/counters",
                  what);
    } else if (!cl->pattern.name || !cl->run.n || !cl->ncounters) {
        S_err(c, cn,
              "%s: needs name and either a pattern (expect, baseline, variant, "
              "workers) or run and counters",
              what);
    }
    if (!cl->pattern.name)
        cl->pattern.name = gr_xstrdup("?");
}

gr_claims *gr_claims_load(const char *course, int chapter)
{
    gr_claims *cs = calloc(1, sizeof *cs);
    if (!cs)
        abort();
    cs->dir = gr_fmt("%s/chapters/%02d", course, chapter);
    cs->yaml_path = gr_fmt("chapters/%02d/claims.yaml", chapter);
    char *path = gr_fmt("%s/claims.yaml", cs->dir);
    S_ctx c = {.shown = cs->yaml_path, .dir = cs->dir};
    yaml_document_t doc;
    int loaded;
    yaml_node_t *root = S_load(&c, path, &doc, &loaded);
    free(path);
    if (root)
        S_FOREACH_PAIR(&c, root, key, v)
        {
            if (!strcmp(key, "demo")) {
                cs->demo = S_string(&c, v, "demo");
                if (cs->demo && !S_plain_name(cs->demo))
                    S_err(&c, v, "demo: \"%s\" must be a program of chapters/%02d",
                          cs->demo, chapter);
            } else if (!strcmp(key, "claims") && v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++) {
                    yaml_node_t *cn = yaml_document_get_node(c.doc, *it);
                    char *what = gr_fmt("claims[%zu]",
                                        (size_t)(it - v->data.sequence.items.start));
                    if (S_is_map(&c, cn, what)) {
                        cs->v = realloc(cs->v, (cs->n + 1) * sizeof *cs->v);
                        if (!cs->v)
                            abort();
                        memset(&cs->v[cs->n], 0, sizeof *cs->v);
                        S_claim(&c, cn, what, &cs->v[cs->n++]);
                    }
                    free(what);
                }
            } else {
                S_err(&c, v, "unknown key \"%s\" (demo, claims: a list)", key);
            }
        }
    if (root && (!cs->demo || !cs->n))
        S_err(&c, root, "needs demo (a program of chapters/%02d) and claims", chapter);
    if (loaded)
        yaml_document_delete(&doc);
    if (c.errors) {
        gr_claims_free(cs);
        return NULL;
    }
    return cs;
}

void gr_claims_free(gr_claims *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++) {
        gr_claim *cl = &cs->v[i];
        free(cl->pattern.name);
        gr_strv_free(&cl->pattern.baseline);
        gr_strv_free(&cl->pattern.variant);
        free(cl->says);
        gr_strv_free(&cl->run);
        gr_strv_free(&cl->env);
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
