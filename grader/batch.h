/*
 * batch.h - what the modules of `grader batch` share (internal to it):
 *
 *   batch_find.c  the student copies under a folder, whatever platform's
 *                 download it is, and staging each copy's files
 *   batch.c       the scheduler: correctness N at a time, patterns one at a
 *                 time, a state file to resume from, the progress line
 *   batch_out.c   one report per student, the CSV, the gradebook
 *
 * Strings in these structs are owned by the struct (gr_copies_free).
 */
#ifndef GRADER_BATCH_H
#define GRADER_BATCH_H

#include "grader.h"

/* One student's copy. */
typedef struct gr_copy {
    char *id;              /* file-safe, unique in the batch: "jdoe", "1234"... */
    char *name, *email;    /* from the platform's metadata, or NULL */
    char *dir;             /* the copy's folder (NULL: files below) */
    course_strv files;     /* flat layouts (Canvas): this student's files */
    time_t submitted;      /* submission time, 0 if unknown */
    const char *time_from; /* "gradescope", "file times", or "" (static) */
    int marked_late;       /* the platform said late (Canvas's _LATE_) */
} gr_copy;

/* Finds the copies under dir.  *layout is a static description ("a
 * Gradescope export", "a folder per student", ...).  Returns 0, or -ENOENT
 * after printing when dir cannot be read or holds no copy. */
int gr_copies_find(const char *dir, gr_copy **out, size_t *n, const char **layout);
void gr_copies_free(gr_copy *c, size_t n);

/* Copies the exercise's learner files (and answers.txt, if any) of copy c
 * into stage (made fresh).  Names of learner files not found are pushed to
 * missing.  Fills fp with a fingerprint of what was staged (65 bytes), so
 * a resumed batch regrades a copy whose files changed.  Also sets
 * c->submitted from the staged files' times if the platform gave none.
 * Returns 0 or a negative errno after printing. */
int gr_copy_stage(gr_copy *c, const gr_exercise *ex, const char *stage,
                  course_strv *missing, char fp[65]);

/* One copy's outcome, as batch.c hands it to batch_out.c. */
typedef struct gr_outcome {
    const gr_copy *copy;
    const char *stage;  /* the staged files (answers.txt for the quiz) */
    char *status;       /* "graded", or why not ("missing threads.c", ...) */
    json_t *correct;    /* the correctness run's JSON report, or NULL */
    json_t *patterns;   /* the pattern run's JSON report, or NULL */
    char *pattern_note; /* how patterns were scheduled, for the report */
} gr_outcome;

/* Results of a batch in progress, written by batch_out.c. */
typedef struct gr_batch_out gr_batch_out;
gr_batch_out *gr_batch_out_open(const char *dir, const gr_exercise *ex, time_t due,
                                const char *layout);
/* Writes copy o's reports and CSV row, and records the grade in the
 * gradebook (once: a resumed batch does not record it twice).  Returns 0,
 * or -EIO after printing. */
int gr_batch_out_add(gr_batch_out *b, const gr_outcome *o, const char *fp);
/* Writes the CSV, a row for each of the n copies (from their reports, so
 * a resumed batch lists the copies graded before too), says where things
 * are on msg and frees b.  Returns 0, or -EIO after printing. */
int gr_batch_out_close(gr_batch_out *b, const gr_copy *copies, size_t n, FILE *msg);

#endif /* GRADER_BATCH_H */
