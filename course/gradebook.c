/*
 * gradebook.c - the gradebook's schema, location, writes and progress
 * queries (gradebook.h says what and why).
 *
 * Migrations: S_migrations[v - 1] takes a file from schema v - 1 to v.
 * Opening for writing runs, in one BEGIN IMMEDIATE transaction, those the
 * file has not had (user_version says how far it got), so two graders
 * opening a new file at once cannot both create it.  Version 1 is the
 * schema the grader has always written; its statements use IF NOT EXISTS
 * so a file someone made by hand with the same tables is adopted as is.
 *
 * Locking: no state in this file; SQLite's file locks order the writers.
 */
#include "gradebook.h"

#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const S_migrations[] = {
    /* 1: attempts and their checks. */
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
    "finished_at);",
};
_Static_assert(sizeof S_migrations / sizeof S_migrations[0] == COURSE_GRADEBOOK_VERSION,
               "one migration per schema version");

/* See gradebook.h. */
char *course_gradebook_path(const char *course_root, const char *opt, int *is_default)
{
    const char *env = getenv("GRADER_GRADEBOOK");
    const char *given = opt && *opt ? opt : env && *env ? env : NULL;
    if (is_default)
        *is_default = given == NULL;
    return given ? course_xstrdup(given)
                 : course_fmt("%s/%s", course_root, COURSE_GRADEBOOK_DEFAULT);
}

/* Runs sql (no results).  Returns 0, or -EIO with the message in d. */
static int S_exec(sqlite3 *db, const char *path, const char *sql, course_diags *d)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK)
        return 0;
    course_diag_add(d, path, 0, 0, "%s", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return -EIO;
}

/* Brings the schema to COURSE_GRADEBOOK_VERSION (user_version 0 is a new
 * file, or one made before versions).  Returns 0, -EPROTO for a
 * file from a newer schema, or -EIO. */
static int S_migrate(sqlite3 *db, const char *path, course_diags *d)
{
    int rc = S_exec(db, path, "BEGIN IMMEDIATE;", d);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version;", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version < 0) {
        course_diag_add(d, path, 0, 0, "%s", sqlite3_errmsg(db));
        rc = -EIO;
    } else if (version > COURSE_GRADEBOOK_VERSION) {
        course_diag_add(d, path, 0, 0,
                        "written by a newer grader (schema %d; this one knows %d): "
                        "left as it is",
                        version, COURSE_GRADEBOOK_VERSION);
        rc = -EPROTO;
    }
    for (int v = version + 1; rc == 0 && v <= COURSE_GRADEBOOK_VERSION; v++) {
        char *stamp = course_fmt("PRAGMA user_version = %d;", v);
        rc = S_exec(db, path, S_migrations[v - 1], d);
        if (rc == 0)
            rc = S_exec(db, path, stamp, d);
        free(stamp);
    }
    if (rc == 0)
        return S_exec(db, path, "COMMIT;", d);
    sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    return rc;
}

/* Creates the directory path lives in, if missing: mode 0700, since the
 * gradebook is the learner's own record.  Returns 0 or a negative errno
 * with d set. */
static int S_make_dir(const char *path, course_diags *d)
{
    char *dir = course_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        rc = course_mkdir_p(dir, 0700);
        if (rc < 0)
            course_diag_add(d, dir, 0, 0, "cannot create: %s", strerror(-rc));
    }
    free(dir);
    return rc;
}

/* Opens path for writing, creating it (and its directory), in WAL mode
 * with its schema current.  Returns the connection (caller closes) or NULL
 * with d set; *rc gets the error. */
static sqlite3 *S_open_write(const char *path, course_diags *d, int *rc)
{
    sqlite3 *db = NULL;
    if ((*rc = S_make_dir(path, d)) < 0)
        return NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        course_diag_add(d, path, 0, 0, "%s", db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        *rc = -EIO;
        return NULL;
    }
    sqlite3_busy_timeout(db, 30000);
    /* Switching to WAL takes an exclusive lock for a moment and does not
     * wait on the busy handler: another grader doing the same may make it
     * fail with SQLITE_BUSY.  Retry for up to two seconds. */
    for (int i = 0; i < 100; i++) {
        if (sqlite3_exec(db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL) == SQLITE_OK)
            break;
        usleep(20000);
    }
    *rc = S_migrate(db, path, d);
    if (*rc < 0) {
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_exec(db, "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
    return db;
}

/* Binds s (copied) to parameter i, or NULL for NULL. */
static void S_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* See gradebook.h. */
int course_gradebook_record(const char *path, const course_attempt *a, course_diags *d)
{
    int rc;
    sqlite3 *db = S_open_write(path, d, &rc);
    if (!db)
        return rc;
    sqlite3_stmt *at = NULL, *ck = NULL;
    rc = S_exec(db, path, "BEGIN IMMEDIATE;", d);
    if (rc < 0)
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO attempts(exercise, slug, title, passed, score, "
                           "max_score, started_at, finished_at, seconds, user, source, "
                           "report) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &at, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO checks(attempt_id, seq, name, kind, status, "
            "score, max_score, reason, figures) VALUES(?,?,?,?,?,?,?,?,?)",
            -1, &ck, NULL) != SQLITE_OK)
        goto fail;
    S_bind_text(at, 1, a->exercise);
    S_bind_text(at, 2, a->slug);
    S_bind_text(at, 3, a->title);
    sqlite3_bind_int(at, 4, a->passed);
    sqlite3_bind_double(at, 5, a->score);
    sqlite3_bind_double(at, 6, a->max_score);
    S_bind_text(at, 7, a->started_at);
    S_bind_text(at, 8, a->finished_at);
    sqlite3_bind_double(at, 9, a->seconds);
    S_bind_text(at, 10, a->user);
    S_bind_text(at, 11, a->source);
    S_bind_text(at, 12, a->report);
    if (sqlite3_step(at) != SQLITE_DONE)
        goto fail;
    sqlite3_int64 id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < a->nchecks; i++) {
        const course_check_row *k = &a->checks[i];
        sqlite3_reset(ck);
        sqlite3_bind_int64(ck, 1, id);
        sqlite3_bind_int64(ck, 2, (sqlite3_int64)i);
        S_bind_text(ck, 3, k->name);
        S_bind_text(ck, 4, k->kind);
        S_bind_text(ck, 5, k->status);
        sqlite3_bind_double(ck, 6, k->score);
        sqlite3_bind_double(ck, 7, k->max_score);
        S_bind_text(ck, 8, k->reason ? k->reason : "");
        S_bind_text(ck, 9, k->figures);
        if (sqlite3_step(ck) != SQLITE_DONE)
            goto fail;
    }
    rc = S_exec(db, path, "COMMIT;", d);
    if (rc == 0)
        goto out;
fail:
    if (rc == 0) {
        course_diag_add(d, path, 0, 0, "%s", sqlite3_errmsg(db));
        rc = -EIO;
    }
    sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
out:
    sqlite3_finalize(at);
    sqlite3_finalize(ck);
    sqlite3_close(db);
    return rc;
}

/* The exercise number in s: its last run of digits ("exercises/05" -> 5,
 * "05" -> 5), or -1.  Hand-made files may name an exercise either way. */
static int S_exercise_number(const char *s)
{
    int num = -1;
    for (const char *p = s; p && *p;) {
        if (isdigit((unsigned char)*p)) {
            char *end;
            long v = strtol(p, &end, 10);
            num = v < 1000000 ? (int)v : -1;
            p = end;
        } else {
            p++;
        }
    }
    return num;
}

/* See gradebook.h. */
int course_gradebook_progress(const char *path, course_progress *p, int n,
                              const char **note)
{
    memset(p, 0, sizeof *p * (size_t)n);
    *note = NULL;
    if (access(path, F_OK) < 0) {
        *note = "no gradebook yet";
        return 0;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        *note = "the gradebook cannot be opened";
        sqlite3_close(db);
        return -EIO;
    }
    sqlite3_busy_timeout(db, 5000); /* a grader may be writing right now */
    static const char sql[] =
        "SELECT exercise, count(*), max(passed), max(score), max(max_score), "
        "max(finished_at) FROM attempts WHERE coalesce(source, 'learner') = 'learner' "
        "GROUP BY exercise";
    sqlite3_stmt *st = NULL;
    int rc = 0, step = SQLITE_DONE;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        *note = "the gradebook has no attempts table with the expected columns";
        rc = -EIO;
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int num = S_exercise_number((const char *)sqlite3_column_text(st, 0));
        if (num < 0 || num >= n)
            continue;
        course_progress *x = &p[num];
        x->attempts += sqlite3_column_int(st, 1); /* "exercises/05" and "05" add up */
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
    if (step != SQLITE_DONE) {
        memset(p, 0, sizeof *p * (size_t)n);
        *note = "the gradebook could not be read";
        rc = -EIO;
    }
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* Copies the database at from into a new file at to, whole and consistent
 * (the backup API reads through from's WAL).  Returns 0 or -EIO with d. */
static int S_copy_db(const char *from, const char *to, course_diags *d)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = -EIO;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        course_diag_add(d, from, 0, 0, "%s", src ? sqlite3_errmsg(src) : "cannot open");
        goto out;
    }
    sqlite3_busy_timeout(src, 30000);
    if (sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        course_diag_add(d, to, 0, 0, "%s", dst ? sqlite3_errmsg(dst) : "cannot create");
        goto out;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        course_diag_add(d, to, 0, 0, "%s", sqlite3_errmsg(dst));
        goto out;
    }
    int step;
    while ((step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || step == SQLITE_LOCKED)
        usleep(20000);
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE)
        course_diag_add(d, from, 0, 0, "cannot copy: %s", sqlite3_errstr(step));
    else
        rc = 0;
out:
    sqlite3_close(dst);
    sqlite3_close(src);
    return rc;
}

/* See gradebook.h. */
int course_gradebook_adopt(const char *path, const char *legacy, course_diags *d)
{
    if (access(path, F_OK) == 0 || access(legacy, F_OK) < 0)
        return 0;
    int rc = S_make_dir(path, d);
    if (rc < 0)
        return rc;
    char *tmp = course_fmt("%s.adopt.%ld", path, (long)getpid());
    course_diags mine = {0};
    int moved = 0;
    unlink(tmp);
    rc = S_copy_db(legacy, tmp, &mine);
    /* link() fails if path appeared meanwhile: then another grader moved
     * it first, and its copy (with any attempt recorded since) stands. */
    if (rc == 0 && link(tmp, path) == 0) {
        moved = 1;
    } else if (rc == 0 && (errno == EPERM || errno == ENOTSUP) &&
               access(path, F_OK) < 0) {
        /* a file system without hard links: rename, with a small race */
        if (rename(tmp, path) == 0)
            moved = 1;
        else
            rc = -errno;
    } else if (rc == 0 && errno != EEXIST) {
        rc = -errno;
    }
    unlink(tmp);
    free(tmp);
    if (rc < 0 && access(path, F_OK) == 0) {
        rc = 0; /* another grader moved it while we tried (legacy is gone) */
    } else if (rc < 0) {
        for (size_t i = 0; i < mine.n; i++)
            course_diag_add(d, mine.v[i].file, 0, 0, "%s", mine.v[i].msg);
        if (!mine.n)
            course_diag_add(d, path, 0, 0, "cannot move the gradebook here: %s",
                            strerror(-rc));
    }
    course_diags_free(&mine);
    if (!moved)
        return rc;
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char *f = course_fmt("%s%s", legacy, sfx[i]);
        unlink(f);
        free(f);
    }
    return 1;
}
