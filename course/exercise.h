/*
 * exercise.h - an exercise's metadata (exercises/NN/exercise.yaml), read
 * once for the grader and the site.
 *
 * The format is documented in exercises/README.md.  One reader (libyaml)
 * fills one struct: the grader uses every key, the site the few its
 * exercise panel shows.  Both get the same rules: unknown keys and keys
 * given twice are errors (a misspelt key silently ignored would be worse),
 * every value is checked, and every mistake is reported at once as
 *   exercises/03/exercise.yaml:12: patterns[0].expect: "fast" is not one of ...
 * The keys are a table in exercise.c: a new key is a new row there, a field
 * here and a line in the README.
 */
#ifndef COURSE_EXERCISE_H
#define COURSE_EXERCISE_H

#include "util.h"
#include "when.h"

/* The sandbox limits of every run of the learner's program. */
typedef struct course_limits {
    long cpu_seconds, wall_seconds, memory_mb, processes, output_kb, open_files;
    long file_mb; /* optional key: largest file the program may write */
} course_limits;

/* When a student may see a check's name, result and output (the values of
 * Gradescope's results.json, whose meaning every report format follows):
 * always, after the exercise's due date, once grades are published, or
 * never.  Hidden tests (solutions/NN/hidden.yaml) default to
 * after_published, every other check to visible. */
typedef enum course_visibility {
    COURSE_VISIBLE,
    COURSE_AFTER_DUE_DATE,
    COURSE_AFTER_PUBLISHED,
    COURSE_HIDDEN
} course_visibility;

/* "visible", "after_due_date", "after_published", "hidden" (static). */
const char *course_visibility_name(course_visibility v);

/* One correctness test: `prog test <case>`.  Fields read-only, owned. */
typedef struct course_test {
    char *name;     /* check name, unique in the exercise */
    char *casename; /* argv[2] of `prog test <case>` */
    double points;
    int hidden; /* 1: from solutions/NN/hidden.yaml */
    course_visibility visibility;
} course_test;

typedef enum course_expect {
    COURSE_EXPECT_NONE,
    COURSE_EXPECT_SCALES,
    COURSE_EXPECT_OVERLAPS,
    COURSE_EXPECT_SLOWER
} course_expect;

/* One speedup pattern: `prog measure <baseline...>` against <variant...>. */
typedef struct course_pattern {
    char *name;
    course_expect expect;
    course_strv baseline, variant; /* argv after `measure`, at least one word */
    int workers;
    double points;
    int pairs; /* optional key: interleaved pairs to start with (default 5) */
    course_visibility visibility;
} course_pattern;

/* The whole metadata.  Every field is read-only for users and owned by the
 * struct (course_exercise_free).  Keys the file leaves out keep the
 * defaults listed in exercises/README.md. */
typedef struct course_exercise {
    char *id, *slug, *title; /* id is "03"; slug, title NULL if absent */
    int chapter;             /* 0 if absent */
    char *dir;               /* the exercise directory, as given to the loader */
    char *course;            /* the tree holding exercises/, as given */
    char *yaml_path;         /* as shown in messages: exercises/NN/exercise.yaml */
    course_strv files;       /* the learner's files: plain .c/.h names */
    course_strv driver;      /* provided sources compiled with them */
    course_strv cflags, sanitizers, hints;
    course_limits limits;
    course_test *tests;
    size_t ntests;
    course_pattern *patterns;
    size_t npatterns;
    int quiz_chapter;        /* 0 = no quiz */
    double quiz_points;      /* per question */
    time_t due;              /* optional key `due`: the due date; 0 = none */
    course_late_policy late; /* optional key `late`: default no penalty */
    /* symbols: (the grader's objcheck.c): the global names the learner's
     * files may define (when given: else those the exercise's headers
     * declare), and functions or groups they may call besides the
     * defaults.  Each entry is a C name. */
    course_strv sym_define, sym_use;
    int sym_define_given; /* 1: symbols.define was in the file */
    /* tests_alone: 1 = every test case runs with no other run of the same
     * grading beside it (tests that time latencies); 0 (default) = two at
     * a time, the sanitizers' re-runs beside them. */
    int tests_alone;
} course_exercise;

/* What the loader insists on (flags of course_exercise_load). */
enum {
    /* Every key grading needs is required (slug, title, chapter, files,
     * driver, tests) and the driver files must exist.  Without it only
     * `id` is required: the site shows whatever else is there. */
    COURSE_EX_GRADING = 1 << 0,
    /* Also read solutions/NN/hidden.yaml, if present (instructor edition):
     * its `tests:` join the others, marked hidden. */
    COURSE_EX_HIDDEN = 1 << 1,
};

/* Loads and checks dir/exercise.yaml.  course is the tree holding
 * exercises/ and solutions/.  Returns the metadata (caller frees with
 * course_exercise_free), or NULL with every mistake appended to d. */
course_exercise *course_exercise_load(const char *course, const char *dir,
                                      unsigned flags, course_diags *d);
void course_exercise_free(course_exercise *ex); /* NULL is fine */

/* "none", "scales", "overlaps", "slower" (static strings). */
const char *course_expect_name(course_expect e);

#endif /* COURSE_EXERCISE_H */
