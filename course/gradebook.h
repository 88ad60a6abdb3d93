/*
 * gradebook.h - every graded attempt, in one SQLite file: its schema, where
 * it lives, how an attempt is recorded and how progress is read.
 *
 * The grader writes it (`grader submit` records each attempt); the grader's
 * `status` and the book's site read progress from it.  It lives at
 * <course>/.workbook/gradebook.sqlite: outside build/, so `make clean`
 * never erases a learner's attempts, and git-ignored.  GRADER_GRADEBOOK or
 * a program's --gradebook option name another file.
 *
 * Schema (PRAGMA user_version = COURSE_GRADEBOOK_VERSION; grader/REPORT.md
 * documents the columns):
 *   attempts(id, exercise, slug, title, passed, score, max_score,
 *            started_at, finished_at, seconds, user, source, report)
 *   checks(attempt_id, seq, name, kind, status, score, max_score, reason,
 *          figures)
 *
 * Concurrency: several graders may write at once (a learner's `watch` and
 * a `make grade`, an instructor's batch).  WAL mode lets readers go on
 * while one writes, a busy timeout makes writers queue instead of failing,
 * and each attempt is one BEGIN IMMEDIATE transaction, so a reader never
 * sees an attempt without its checks.  Every function opens its own
 * connection: callable from any thread or process.
 */
#ifndef COURSE_GRADEBOOK_H
#define COURSE_GRADEBOOK_H

#include "util.h"

/* The schema this library writes; older files are migrated on open, newer
 * ones refused (a newer grader's file is not ours to change). */
enum { COURSE_GRADEBOOK_VERSION = 1 };

/* Relative to the course root (the tree holding exercises/). */
#define COURSE_GRADEBOOK_DEFAULT ".workbook/gradebook.sqlite"

/* The gradebook to use: opt if given, else $GRADER_GRADEBOOK, else
 * <course_root>/.workbook/gradebook.sqlite.  Caller frees.  *is_default
 * (if not NULL) says whether it is the default location. */
char *course_gradebook_path(const char *course_root, const char *opt, int *is_default);

/* If path does not exist and legacy does, moves legacy's attempts to path:
 * copied whole with SQLite's backup API (so a WAL file's attempts come
 * along) into a temporary file beside path, linked into place only if
 * path still does not exist (two graders adopting at once: one wins, the
 * other finds it done), then legacy and its -wal/-shm files are removed.
 * Creates path's directory (mode 0700) as needed.  Returns 1 if it moved
 * the file, 0 if there was nothing to do, or a negative errno with a
 * message in d. */
int course_gradebook_adopt(const char *path, const char *legacy, course_diags *d);

/* One check of an attempt, as recorded.  Strings are borrowed. */
typedef struct course_check_row {
    const char *name, *kind, *status; /* status: "pass", "fail", ... */
    double score, max_score;
    const char *reason;  /* may be NULL */
    const char *figures; /* JSON text, or NULL */
} course_check_row;

/* One attempt, as recorded.  Strings are borrowed; NULL is stored as NULL. */
typedef struct course_attempt {
    const char *exercise, *slug, *title; /* exercise: "03" */
    int passed;
    double score, max_score;
    const char *started_at, *finished_at; /* ISO 8601 UTC; finished_at required */
    double seconds;
    const char *user;   /* login name */
    const char *source; /* "learner", or e.g. "batch" for an instructor's run */
    const char *report; /* the JSON report */
    const course_check_row *checks;
    size_t nchecks;
} course_attempt;

/* Records a in the gradebook at path (created with its directory, mode
 * 0700, and its schema migrated, as needed), in one transaction: all of it
 * or nothing.  Returns 0, or
 * -EIO (or -EPROTO for a file from a newer schema) with a message in d. */
int course_gradebook_record(const char *path, const course_attempt *a, course_diags *d);

/* Progress on one exercise, counting the learner's own attempts (source
 * "learner", or none recorded). */
typedef struct course_progress {
    int attempts; /* 0: never graded */
    int passed;   /* 1 if any attempt passed */
    double best_score, max_score;
    char last[32]; /* finished_at of the latest attempt, "" if none */
} course_progress;

/* Fills p[0..n) by exercise number (attempts of "03" go to p[3]) from the
 * gradebook at path, opened read-only: a missing file is not created.
 * Returns 0 (with every entry zero and *note = "no gradebook yet" when the
 * file does not exist), or -EIO when it exists but cannot be read as a
 * gradebook (entries zero, *note says why).  *note is a static string or
 * NULL. */
int course_gradebook_progress(const char *path, course_progress *p, int n,
                              const char **note);

#endif /* COURSE_GRADEBOOK_H */
