/* gradebook.c - the learner's progress, read from the grader's SQLite file.
 *
 * The grader owns the gradebook and its schema; the site only reads it, and
 * defensively: the file is opened read-only (so a missing file is not
 * created), and any surprise (no file, no `attempts` table, other columns)
 * means "show no progress", never a failed build.  We rely on:
 *
 *   attempts(exercise TEXT, passed INTEGER, score REAL, max_score REAL,
 *            finished_at TEXT, ...)
 *
 * `exercise` may be "05", "exercises/05" or "5": the last run of digits in
 * it is taken as the exercise number.
 */
#include "site.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exercise number in s ("exercises/05" -> 5), or -1. */
static int S_exercise_number(const char *s)
{
    int num = -1;
    for (const char *p = s; p && *p;) {
        if (isdigit((unsigned char)*p)) {
            num = (int)strtol(p, (char **)&p, 10);
        } else {
            p++;
        }
    }
    return num;
}

int gradebook_read(const char *path, grade *g, int n, const char **note)
{
    memset(g, 0, sizeof *g * (size_t)n);
    *note = NULL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *note = "no gradebook yet";
        sqlite3_close(db);
        return 0;
    }
    sqlite3_busy_timeout(db, 2000); /* a grader may be writing right now */
    static const char sql[] =
        "SELECT exercise, COUNT(*), MAX(passed), MAX(score), MAX(max_score), "
        "MAX(finished_at) FROM attempts GROUP BY exercise";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *note = "the gradebook has no attempts table with the expected columns";
        sqlite3_close(db);
        return 0;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int num = S_exercise_number((const char *)sqlite3_column_text(st, 0));
        if (num < 0 || num >= n)
            continue;
        grade *x = &g[num];
        /* "exercises/05" and "05" are one exercise: merge the rows */
        x->attempts += sqlite3_column_int(st, 1);
        x->passed |= sqlite3_column_int(st, 2) != 0;
        double score = sqlite3_column_double(st, 3), max = sqlite3_column_double(st, 4);
        if (score > x->best_score)
            x->best_score = score;
        if (max > x->max_score)
            x->max_score = max;
        const char *last = (const char *)sqlite3_column_text(st, 5);
        if (last && strcmp(last, x->last) > 0)
            snprintf(x->last, sizeof x->last, "%s", last);
    }
    if (rc != SQLITE_DONE) {
        memset(g, 0, sizeof *g * (size_t)n);
        *note = "the gradebook could not be read";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return 0;
}
