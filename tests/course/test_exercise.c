/*
 * test_exercise.c - the exercise.yaml reader (course/exercise.c): every key
 * read, defaults, the site's and the grader's requirements, and each kind
 * of mistake reported at its line, all of them in one run.
 */
#include "check.h"
#include "course/exercise.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A fresh course/exercises/NN holding driver.c; returns the course root. */
static char *S_course(const char *nn)
{
    char tmpl[] = "/tmp/course-ex.XXXXXX";
    CHECK(mkdtemp(tmpl));
    char *ex = course_fmt("%s/exercises/%s", tmpl, nn);
    CHECK(course_mkdir_p(ex, 0755) == 0);
    char *drv = course_fmt("%s/driver.c", ex);
    CHECK(course_write_file(drv, "int main(void){return 0;}\n", 26) == 0);
    free(drv);
    free(ex);
    return course_xstrdup(tmpl);
}

/* Writes course/rel. */
static void S_put(const char *course, const char *rel, const char *text)
{
    char *p = course_fmt("%s/%s", course, rel);
    char *dir = course_xstrdup(p);
    *strrchr(dir, '/') = '\0';
    CHECK(course_mkdir_p(dir, 0755) == 0);
    CHECK(course_write_file(p, text, strlen(text)) == 0);
    free(dir);
    free(p);
}

/* Removes the course made by S_course; frees its path. */
static void S_done(char *course)
{
    char *cmd = course_fmt("rm -rf '%s'", course);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(course);
}

static course_exercise *S_load(const char *course, const char *nn, unsigned flags,
                               course_diags *d)
{
    char *dir = course_fmt("%s/exercises/%s", course, nn);
    course_exercise *ex = course_exercise_load(course, dir, flags, d);
    free(dir);
    return ex;
}

/* Whether d holds "file:line: ...text..." (line 0: any line). */
static int S_has(const course_diags *d, const char *file, int line, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if ((!line || d->v[i].line == line) && !strcmp(d->v[i].file, file) &&
            strstr(d->v[i].msg, text))
            return 1;
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  have: %s:%d: %s\n", d->v[i].file, d->v[i].line, d->v[i].msg);
    fprintf(stderr, "  want: %s:%d: ...%s...\n", file, line, text);
    return 0;
}

static const char S_full[] = "id: \"42\"\n"
                             "slug: the-answer\n"
                             "title: \"Forty-two\"\n"
                             "chapter: 42\n"
                             "files: [answer.c, answer.h]\n"
                             "driver: [driver.c]\n"
                             "cflags: [-O2, -DX=1]\n"
                             "limits: {cpu_seconds: 5, memory_mb: 64}\n"
                             "tests:\n"
                             "  - {name: adds, case: add, points: 2}\n"
                             "  - {name: waits, case: wait}\n"
                             "sanitizers: [thread, address]\n"
                             "patterns:\n"
                             "  - name: overlaps\n"
                             "    expect: overlaps\n"
                             "    baseline: [serial, \"4\"]\n"
                             "    variant: threads\n"
                             "    workers: 4\n"
                             "    pairs: 7\n"
                             "quiz: {chapter: 42, points: 0.5}\n"
                             "hints:\n"
                             "  - first\n"
                             "  - second\n";

CASE(every_key_and_the_defaults)
{
    char *c = S_course("42");
    S_put(c, "exercises/42/exercise.yaml", S_full);
    course_diags d = {0};
    course_exercise *ex = S_load(c, "42", COURSE_EX_GRADING, &d);
    CHECK(ex && d.n == 0);
    CHECK(!strcmp(ex->id, "42") && !strcmp(ex->slug, "the-answer"));
    CHECK(!strcmp(ex->title, "Forty-two") && ex->chapter == 42);
    CHECK(!strcmp(ex->yaml_path, "exercises/42/exercise.yaml"));
    CHECK(ex->files.n == 2 && !strcmp(ex->files.v[1], "answer.h") && !ex->files.v[2]);
    CHECK(ex->driver.n == 1 && ex->cflags.n == 2 && ex->sanitizers.n == 2);
    CHECK(ex->limits.cpu_seconds == 5 && ex->limits.memory_mb == 64);
    CHECK(ex->limits.wall_seconds == 30 && ex->limits.file_mb == 16); /* defaults */
    CHECK(ex->ntests == 2 && ex->tests[0].points == 2 && ex->tests[1].points == 1);
    CHECK(!strcmp(ex->tests[1].casename, "wait") && !ex->tests[1].hidden);
    CHECK(ex->npatterns == 1);
    course_pattern *p = &ex->patterns[0];
    CHECK(p->expect == COURSE_EXPECT_OVERLAPS && p->workers == 4 && p->pairs == 7);
    CHECK(p->points == 1 && p->baseline.n == 2 && p->variant.n == 1);
    CHECK(!strcmp(course_expect_name(p->expect), "overlaps"));
    CHECK(ex->quiz_chapter == 42 && ex->quiz_points == 0.5);
    CHECK(ex->hints.n == 2 && !strcmp(ex->hints.v[1], "second"));
    course_exercise_free(ex);
    S_done(c);
}

/* The site needs only id (and shows title and files when there); the
 * grader needs every key grading uses, each missing one named. */
CASE(what_site_and_grader_require)
{
    char *c = S_course("01");
    S_put(c, "exercises/01/exercise.yaml",
          "id: \"01\"\ntitle: Measure it\nfiles: [s.c]\n");
    course_diags d = {0};
    course_exercise *ex = S_load(c, "01", 0, &d);
    CHECK(ex && d.n == 0 && ex->files.n == 1 && !ex->slug && !ex->chapter);
    course_exercise_free(ex);
    CHECK(!S_load(c, "01", COURSE_EX_GRADING, &d));
    const char *y = "exercises/01/exercise.yaml";
    CHECK(d.n == 4);
    CHECK(S_has(&d, y, 1, "missing key \"slug\"") &&
          S_has(&d, y, 1, "missing key \"chapter\""));
    CHECK(S_has(&d, y, 1, "missing key \"driver\"") &&
          S_has(&d, y, 1, "missing key \"tests\""));
    course_diags_free(&d);
    S_put(c, "exercises/01/exercise.yaml", "title: x\n");
    CHECK(!S_load(c, "01", 0, &d) && S_has(&d, y, 1, "missing key \"id\"") && d.n == 1);
    course_diags_free(&d);
    S_done(c);
}

CASE(every_mistake_at_its_line_at_once)
{
    char *c = S_course("42");
    S_put(c, "exercises/42/exercise.yaml",
          "id: \"43\"\n"                            /* 1 */
          "slug: s\n"                               /* 2 */
          "title: t\n"                              /* 3 */
          "chapter: 420\n"                          /* 4 */
          "files: [../x.c, notes.txt]\n"            /* 5 */
          "driver: [missing.c]\n"                   /* 6 */
          "cflags: [-o, fast]\n"                    /* 7 */
          "limits: {cpu_seconds: 1.5, colour: 1}\n" /* 8 */
          "tests:\n"                                /* 9 */
          "  - {name: a, case: a}\n"                /* 10 */
          "  - {name: a, case: b, points: lots}\n"  /* 11 */
          "  - {case: c}\n"                         /* 12 */
          "sanitizers: [memory]\n"                  /* 13 */
          "patterns:\n"                             /* 14 */
          "  - name: p\n"                           /* 15 */
          "    expect: fast\n"                      /* 16 */
          "    baseline: []\n"                      /* 17 */
          "    variant: [v]\n"                      /* 18 */
          "    workers: 2\n"                        /* 19 */
          "quiz: {points: 1}\n"                     /* 20 */
          "hints: {a: b}\n"                         /* 21 */
          "title: again\n"                          /* 22 */
          "colour: blue\n");                        /* 23 */
    course_diags d = {0};
    CHECK(!S_load(c, "42", COURSE_EX_GRADING, &d));
    const char *y = "exercises/42/exercise.yaml";
    CHECK(S_has(&d, y, 1, "id: \"43\" does not match the directory exercises/42"));
    CHECK(S_has(&d, y, 4, "chapter: \"420\" is not a number from 1 to 99"));
    CHECK(S_has(&d, y, 5, "files: \"../x.c\" must be a plain file name"));
    CHECK(S_has(&d, y, 5, "files: \"notes.txt\" is not a .c or .h file"));
    CHECK(S_has(&d, y, 6, "driver: \"missing.c\" does not exist"));
    CHECK(S_has(&d, y, 7, "cflags: \"-o\" is not a compiler flag the grader accepts"));
    CHECK(S_has(&d, y, 7, "cflags: \"fast\" is not a compiler flag"));
    CHECK(S_has(&d, y, 8, "limits.cpu_seconds: must be a whole number"));
    CHECK(S_has(&d, y, 8, "limits: unknown key \"colour\" (expected cpu_seconds,"));
    CHECK(S_has(&d, y, 11, "tests[1].points: \"lots\" is not a number from 0 to 1000"));
    CHECK(S_has(&d, y, 11, "tests[1]: the name \"a\" is used twice"));
    CHECK(S_has(&d, y, 12, "tests[2]: missing key \"name\""));
    CHECK(S_has(&d, y, 13, "sanitizers: \"memory\" is not thread or address"));
    CHECK(S_has(&d, y, 16, "patterns[0].expect: \"fast\" is not one of none, scales"));
    CHECK(S_has(&d, y, 17, "patterns[0].baseline: needs at least 1 entry"));
    CHECK(S_has(&d, y, 20, "quiz: missing key \"chapter\""));
    CHECK(S_has(&d, y, 21, "hints: expected a list"));
    CHECK(S_has(&d, y, 22, "title: given twice"));
    CHECK(S_has(&d, y, 23, "unknown key \"colour\" (expected id, slug, title,"));
    CHECKF(d.n == 19, "%zu mistakes, 19 expected", d.n);
    course_diags_free(&d);
    S_done(c);
}

CASE(not_yaml_empty_or_absent)
{
    char *c = S_course("42");
    const char *y = "exercises/42/exercise.yaml";
    course_diags d = {0};
    CHECK(!S_load(c, "42", 0, &d) && S_has(&d, y, 0, "cannot read: No such file"));
    course_diags_free(&d);
    S_put(c, "exercises/42/exercise.yaml", "id: \"42\"\ntitle: [unclosed\n");
    CHECK(!S_load(c, "42", 0, &d) && d.n == 1);
    CHECK(d.v[0].line == 3 && d.v[0].column > 0 && !strcmp(d.v[0].file, y));
    course_diags_free(&d);
    S_put(c, "exercises/42/exercise.yaml", "");
    CHECK(!S_load(c, "42", 0, &d) && S_has(&d, y, 1, "the file is empty"));
    course_diags_free(&d);
    S_put(c, "exercises/42/exercise.yaml", "- a list\n");
    CHECK(!S_load(c, "42", 0, &d) && S_has(&d, y, 1, "the file: expected a mapping"));
    course_diags_free(&d);
    S_done(c);
}

/* solutions/NN/hidden.yaml (instructor edition) adds hidden tests, and is
 * held to the same rules under its own name. */
CASE(hidden_tests)
{
    char *c = S_course("42");
    S_put(c, "exercises/42/exercise.yaml", S_full);
    S_put(c, "solutions/42/hidden.yaml",
          "tests:\n  - {name: secret, case: s, points: 3}\n");
    course_diags d = {0};
    course_exercise *ex = S_load(c, "42", COURSE_EX_GRADING | COURSE_EX_HIDDEN, &d);
    CHECK(ex && ex->ntests == 3 && ex->tests[2].hidden && ex->tests[2].points == 3);
    course_exercise_free(ex);
    ex = S_load(c, "42", COURSE_EX_GRADING, &d);
    CHECK(ex && ex->ntests == 2);
    course_exercise_free(ex);
    S_put(c, "solutions/42/hidden.yaml",
          "tests:\n  - {name: adds, case: s}\nnotes: x\n");
    CHECK(!S_load(c, "42", COURSE_EX_GRADING | COURSE_EX_HIDDEN, &d));
    CHECK(S_has(&d, "solutions/42/hidden.yaml", 2, "the name \"adds\" is used twice"));
    CHECK(S_has(&d, "solutions/42/hidden.yaml", 3,
                "unknown key \"notes\" (expected tests;"));
    course_diags_free(&d);
    S_done(c);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(every_key_and_the_defaults, what_site_and_grader_require,
                            every_mistake_at_its_line_at_once, not_yaml_empty_or_absent,
                            hidden_tests));
}
