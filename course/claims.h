/*
 * claims.h - a chapter's claims about speed (chapters/NN/claims.yaml),
 * read for `grader claims N`, which judges them on the chapter's demo.
 *
 * The format is documented in exercises/README.md ("A chapter's claims").
 * A claim is either a speedup pattern (the keys of an exercise's patterns)
 * or counter comparisons on one measure line of the demo.  Read with the
 * same rules as exercise.yaml: unknown and repeated keys are errors, every
 * mistake is reported with its line.
 */
#ifndef COURSE_CLAIMS_H
#define COURSE_CLAIMS_H

#include "exercise.h"

/* One comparison: <path> <op> <value>, e.g. stats.max_running == 1. */
typedef struct course_counter_check {
    char *path; /* "stats.X", "result.X", "loop.X" or "pool.X" */
    char op[3]; /* "==", ">=" or "<=" */
    double value;
} course_counter_check;

/* One claim.  Fields read-only, owned by the claims that hold it. */
typedef struct course_claim {
    course_pattern pattern;         /* pattern.name is the claim's name */
    char *says;                     /* the chapter's sentence it checks */
    int is_pattern;                 /* 1: judged as a speedup pattern (expect given) */
    course_strv run;                /* else: `demo measure <run...>` once, and ... */
    course_counter_check *counters; /* ... these comparisons on its line */
    size_t ncounters;
    course_strv env; /* NAME=value for every run of this claim */
} course_claim;

typedef struct course_claims {
    char *dir;       /* chapters/NN under the course, as given */
    char *yaml_path; /* chapters/NN/claims.yaml, as shown in messages */
    char *demo;      /* the program's name in chapters/NN ("demo") */
    course_claim *v;
    size_t n;
} course_claims;

/* Loads course/chapters/NN/claims.yaml.  Returns the claims (caller frees
 * with course_claims_free) or NULL with every mistake appended to d. */
course_claims *course_claims_load(const char *course, int chapter, course_diags *d);
void course_claims_free(course_claims *cs); /* NULL is fine */

#endif /* COURSE_CLAIMS_H */
