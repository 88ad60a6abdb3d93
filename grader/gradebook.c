/*
 * gradebook.c - every attempt, in SQLite (build/gradebook.sqlite).
 *
 * Schema (user_version 1; exercises/README.md documents it for readers
 * such as the site):
 *   attempts(id, exercise, slug, title, passed, score, max_score,
 *            started_at, finished_at, seconds, user, source, report)
 *   checks(attempt_id, seq, name, kind, status, score, max_score, reason,
 *          figures)
 * `report` is the JSON report (schema 1) and `figures` a pattern's figures.
 *
 * Several graders may write at once (a learner's `watch` and a `make
 * grade`, an instructor's batch): WAL mode lets readers go on while one
 * writes, a busy timeout makes writers queue instead of failing, and each
 * attempt is one BEGIN IMMEDIATE transaction, so a reader never sees an
 * attempt without its checks.
 */
#include "grader.h"

#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char S_schema[] =
    "CREATE TABLE IF NOT EXISTS attempts("
    " id INTEGER PRIMARY KEY,"
    " exercise TEXT NOT NULL, slug TEXT, title TEXT,"
    " passed INTEGER NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,"
    " started_at TEXT, finished_at TEXT NOT NULL, seconds REAL,"
    " user TEXT, source TEXT, report TEXT);"
    "CREATE TABLE IF NOT EXISTS checks("
    " attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT, status TEXT NOT NULL,"
    " score REAL, max_score REAL, reason TEXT, figures TEXT,"
    " PRIMARY KEY(attempt_id, seq));"
    "CREATE INDEX IF NOT EXISTS attempts_by_exercise ON attempts(exercise, "
    "finished_at);"
    "PRAGMA user_version = 1;";

char *gr_gradebook_path(const gr_paths *p, const char *opt)
{
    if (opt && *opt)
        return gr_xstrdup(opt);
    const char *env = getenv("GRADER_GRADEBOOK");
    if (env && *env)
        return gr_xstrdup(env);
    return gr_fmt("%s/gradebook.sqlite", p->build);
}

/* Opens the gradebook, creating it and its schema if needed.  Returns
 * NULL after printing why. */
static sqlite3 *S_open(const char *path, int create)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        if (create)
            fprintf(stderr, "grader: gradebook %s: %s\n", path,
                    db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    /* Switching to WAL takes an exclusive lock for a moment; another
     * grader doing the same may make it fail with BUSY: retry. */
    for (int i = 0; i < 100; i++) {
        if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL) == SQLITE_OK)
            break;
        usleep(20000);
    }
    char *err = NULL;
    if (create && sqlite3_exec(db, S_schema, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "grader: gradebook %s: %s\n", path, err);
        sqlite3_free(err);
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db, "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
    return db;
}

static int S_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
        return 0;
    fprintf(stderr, "grader: gradebook: %s: %s\n", sql, err);
    sqlite3_free(err);
    return -EIO;
}

int gr_gradebook_record(const char *path, const gr_report *r)
{
    sqlite3 *db = S_open(path, 1);
    if (!db)
        return -EIO;
    int rc = S_exec(db, "BEGIN IMMEDIATE;");
    sqlite3_stmt *a = NULL, *c = NULL;
    if (rc == 0 &&
        (sqlite3_prepare_v2(
             db,
             "INSERT INTO attempts(exercise, slug, title, passed, score, "
             "max_score, started_at, finished_at, seconds, user, source, "
             "report) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
             -1, &a, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(
             db,
             "INSERT INTO checks(attempt_id, seq, name, kind, status, score, "
             "max_score, reason, figures) VALUES(?,?,?,?,?,?,?,?,?)",
             -1, &c, NULL) != SQLITE_OK))
        rc = -EIO;
    if (rc == 0) {
        json_t *j = gr_report_to_json(r);
        char *report = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        struct passwd *pw = getpwuid(getuid());
        const char *src = getenv("GRADER_SOURCE");
        sqlite3_bind_text(a, 1, r->exercise, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 2, r->slug, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 3, r->title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(a, 4, r->passed);
        sqlite3_bind_double(a, 5, r->score);
        sqlite3_bind_double(a, 6, r->max_score);
        sqlite3_bind_text(a, 7, r->started_at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 8, r->finished_at, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(a, 9, r->seconds);
        sqlite3_bind_text(a, 10, pw ? pw->pw_name : "?", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 11, src ? src : "learner", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(a, 12, report, -1, SQLITE_TRANSIENT);
        free(report);
        if (sqlite3_step(a) != SQLITE_DONE)
            rc = -EIO;
        sqlite3_int64 id = sqlite3_last_insert_rowid(db);
        for (size_t i = 0; rc == 0 && i < r->nchecks; i++) {
            const gr_check *k = &r->checks[i];
            char *fig = k->figures ? json_dumps(k->figures, JSON_COMPACT) : NULL;
            sqlite3_reset(c);
            sqlite3_bind_int64(c, 1, id);
            sqlite3_bind_int64(c, 2, (sqlite3_int64)i);
            sqlite3_bind_text(c, 3, k->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(c, 4, k->kind, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(c, 5, gr_status_name(k->status), -1, SQLITE_STATIC);
            sqlite3_bind_double(c, 6, k->score);
            sqlite3_bind_double(c, 7, k->max_score);
            sqlite3_bind_text(c, 8, k->reason ? k->reason : "", -1, SQLITE_TRANSIENT);
            if (fig)
                sqlite3_bind_text(c, 9, fig, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(c, 9);
            free(fig);
            if (sqlite3_step(c) != SQLITE_DONE)
                rc = -EIO;
        }
        if (rc < 0)
            fprintf(stderr, "grader: gradebook %s: %s\n", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(a);
    sqlite3_finalize(c);
    if (rc == 0)
        rc = S_exec(db, "COMMIT;");
    if (rc < 0)
        sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

int gr_gradebook_status(const char *path, const char *course, FILE *out, int colour,
                        gr_format fmt)
{
    gr_strv dirs = {0};
    gr_exercise_list(course, &dirs);
    sqlite3 *db = access(path, F_OK) == 0 ? S_open(path, 0) : NULL;
    sqlite3_stmt *st = NULL;
    if (db &&
        sqlite3_prepare_v2(db,
                           "SELECT count(*), max(passed), max(score), max(max_score), "
                           "max(finished_at) FROM attempts "
                           "WHERE exercise = ?1 AND source = 'learner'",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "grader: gradebook %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        gr_strv_free(&dirs);
        return -EIO;
    }
    json_t *list = json_array();
    if (fmt == GR_FMT_TEXT)
        fprintf(out, "%-4s %-32s %-12s %-10s %-8s %s\n", "ex", "slug", "state", "best",
                "attempts", "last run");
    int done = 0;
    for (size_t i = 0; i < dirs.n; i++) {
        const char *id = strrchr(dirs.v[i], '/') + 1;
        gr_exercise *ex = gr_exercise_load(course, dirs.v[i], 0);
        int n = 0, passed = 0;
        double best = 0, max = 0;
        const char *last = "";
        if (st) {
            sqlite3_reset(st);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW) {
                n = sqlite3_column_int(st, 0);
                passed = sqlite3_column_int(st, 1);
                best = sqlite3_column_double(st, 2);
                max = sqlite3_column_double(st, 3);
                last = sqlite3_column_text(st, 4)
                           ? (const char *)sqlite3_column_text(st, 4)
                           : "";
            }
        }
        const char *state = !ex      ? "broken"
                            : passed ? "passed"
                            : n      ? "attempted"
                                     : "not started";
        done += passed;
        if (fmt == GR_FMT_TEXT) {
            char bestbuf[32] = "-";
            if (n)
                snprintf(bestbuf, sizeof bestbuf, "%g/%g", best, max);
            const char *col = !colour ? "" : passed ? "\033[32m" : n ? "\033[33m" : "";
            fprintf(out, "%-4s %-32.32s %s%-12s%s %-10s %-8d %s\n", id,
                    ex ? ex->slug : "(exercise.yaml has errors)", col, state,
                    colour ? "\033[0m" : "", bestbuf, n, *last ? last : "-");
        } else {
            json_array_append_new(list,
                                  json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:s}",
                                            "exercise", id, "slug", ex ? ex->slug : "",
                                            "state", state, "attempts", n, "best_score",
                                            best, "max_score", max, "last_run", last));
        }
        gr_exercise_free(ex);
    }
    if (fmt == GR_FMT_TEXT)
        fprintf(out, "%d of %zu exercises passed (gradebook: %s)\n", done, dirs.n,
                path);
    else {
        json_dumpf(list, out, JSON_INDENT(2));
        fputc('\n', out);
    }
    json_decref(list);
    sqlite3_finalize(st);
    sqlite3_close(db);
    gr_strv_free(&dirs);
    return 0;
}
