/*
 * test_gradebook.c - the gradebook (course/gradebook.c): schema versions
 * and migration, one transaction per attempt, writers in several processes
 * at once losing nothing, the progress query, the default location and the
 * move from the old one.
 */
#include "check.h"
#include "course/gradebook.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *S_tmpdir(void)
{
    char tmpl[] = "/tmp/course-gb.XXXXXX";
    CHECK(mkdtemp(tmpl));
    return course_xstrdup(tmpl);
}

static void S_rmtree(const char *dir)
{
    char *cmd = course_fmt("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
}

/* The first column of the first row of sql on the file at path. */
static long long S_query(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void S_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

static const course_check_row S_checks[] = {
    {.name = "build", .kind = "build", .status = "pass"},
    {.name = "adds", .kind = "test", .status = "fail", .max_score = 2, .reason = "no"},
    {.name = "p",
     .kind = "pattern",
     .status = "pass",
     .score = 3,
     .max_score = 3,
     .figures = "{\"speedup\": 1.9}"},
};

/* An attempt at exercise ex with the given score out of 5. */
static course_attempt S_attempt(const char *ex, double score, const char *finished)
{
    return (course_attempt){.exercise = ex,
                            .slug = "slug",
                            .passed = score == 5,
                            .score = score,
                            .max_score = 5,
                            .finished_at = finished,
                            .user = "me",
                            .source = "learner",
                            .report = "{}",
                            .checks = S_checks,
                            .nchecks = 3};
}

CASE(new_file_gets_the_schema_and_an_attempt_is_whole)
{
    char *dir = S_tmpdir();
    char *gb = course_fmt("%s/.workbook/gradebook.sqlite", dir);
    course_diags d = {0};
    course_attempt a = S_attempt("03", 3, "2026-01-01T00:00:00Z");
    CHECK(course_gradebook_record(gb, &a, &d) == 0 && d.n == 0);
    char *wb = course_fmt("%s/.workbook", dir);
    struct stat sb;
    CHECK(stat(wb, &sb) == 0 && (sb.st_mode & 0777) == 0700); /* made, private */
    CHECK(S_query(gb, "PRAGMA user_version") == COURSE_GRADEBOOK_VERSION);
    CHECK(S_query(gb, "SELECT count(*) FROM attempts") == 1);
    CHECK(S_query(gb, "SELECT count(*) FROM checks WHERE attempt_id = 1") == 3);
    CHECK(S_query(gb, "SELECT count(*) FROM checks WHERE figures LIKE '%speedup%'") ==
          1);
    CHECK(S_query(gb, "SELECT count(*) FROM checks WHERE reason = ''") == 2);
    /* a check that breaks the schema (no name) rolls the whole attempt back */
    course_check_row bad[] = {{.name = "ok", .status = "pass"}, {.status = "fail"}};
    a.checks = bad;
    a.nchecks = 2;
    CHECK(course_gradebook_record(gb, &a, &d) == -EIO && d.n == 1);
    CHECK(strstr(d.v[0].msg, "NOT NULL") && !strcmp(d.v[0].file, gb));
    CHECK(S_query(gb, "SELECT count(*) FROM attempts") == 1);
    CHECK(S_query(gb, "SELECT count(*) FROM checks") == 3);
    course_diags_free(&d);
    S_rmtree(dir);
}

/* A file made before versions (the same tables, user_version 0) is
 * migrated in place; one from a newer schema is left alone. */
CASE(migrations_and_newer_files)
{
    char *dir = S_tmpdir();
    char *gb = course_fmt("%s/old.sqlite", dir);
    S_exec(gb, "CREATE TABLE attempts(id INTEGER PRIMARY KEY, exercise TEXT NOT NULL,"
               " slug TEXT, title TEXT, passed INTEGER NOT NULL, score REAL NOT NULL,"
               " max_score REAL NOT NULL, started_at TEXT, finished_at TEXT NOT NULL,"
               " seconds REAL, user TEXT, source TEXT, report TEXT);"
               "INSERT INTO attempts(exercise, passed, score, max_score, finished_at)"
               " VALUES ('03', 0, 1, 5, 'then');");
    CHECK(S_query(gb, "PRAGMA user_version") == 0);
    course_diags d = {0};
    course_attempt a = S_attempt("03", 5, "now");
    CHECK(course_gradebook_record(gb, &a, &d) == 0 && d.n == 0);
    CHECK(S_query(gb, "PRAGMA user_version") == COURSE_GRADEBOOK_VERSION);
    CHECK(S_query(gb, "SELECT count(*) FROM attempts") == 2);
    CHECK(S_query(gb, "SELECT count(*) FROM checks") == 3);

    char *future = course_fmt("%s/future.sqlite", dir);
    S_exec(future, "CREATE TABLE attempts(x); PRAGMA user_version = 99;");
    CHECK(course_gradebook_record(future, &a, &d) == -EPROTO);
    CHECK(d.n == 1 && strstr(d.v[0].msg, "newer grader (schema 99; this one knows 1)"));
    CHECK(S_query(future, "SELECT count(*) FROM attempts") == 0);
    CHECK(S_query(future, "PRAGMA user_version") == 99);
    course_diags_free(&d);
    S_rmtree(dir);
}

/* Several processes record at once (a learner's watch, a make grade, an
 * instructor's batch): every attempt arrives with all its checks. */
CASE(concurrent_writers_lose_nothing)
{
    enum { PROCS = 4, EACH = 25 };
    char *dir = S_tmpdir();
    char *gb = course_fmt("%s/gb.sqlite", dir);
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t pid[PROCS];
    for (int p = 0; p < PROCS; p++) {
        pid[p] = fork();
        CHECK(pid[p] >= 0);
        if (pid[p] == 0) {
            char c;
            close(go[1]);
            if (read(go[0], &c, 1) != 0) /* start together: when the pipe closes */
                _exit(3);
            int bad = 0;
            for (int i = 0; i < EACH; i++) {
                char ex[16];
                snprintf(ex, sizeof ex, "%02d", p);
                course_diags d = {0};
                course_attempt a = S_attempt(ex, i % 6, "2026");
                bad += course_gradebook_record(gb, &a, &d) != 0;
                course_diags_print(&d, stderr, "child: ");
                course_diags_free(&d);
            }
            _exit(bad ? 1 : 0);
        }
    }
    close(go[0]);
    close(go[1]);
    for (int p = 0; p < PROCS; p++) {
        int st;
        CHECK(waitpid(pid[p], &st, 0) == pid[p]);
        CHECKF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d: status %d", p, st);
    }
    CHECK(S_query(gb, "SELECT count(*) FROM pragma_integrity_check WHERE "
                      "integrity_check = 'ok'") == 1);
    CHECK(S_query(gb, "SELECT count(*) FROM attempts") == PROCS * EACH);
    CHECK(S_query(gb, "SELECT count(*) FROM checks") == PROCS * EACH * 3);
    CHECK(S_query(gb, "SELECT count(*) FROM (SELECT attempt_id FROM checks GROUP BY "
                      "attempt_id HAVING count(*) = 3)") == PROCS * EACH);
    course_progress prog[10];
    const char *note;
    CHECK(course_gradebook_progress(gb, prog, 10, &note) == 0 && !note);
    for (int p = 0; p < PROCS; p++)
        CHECK(prog[p].attempts == EACH && prog[p].passed && prog[p].best_score == 5);
    S_rmtree(dir);
}

CASE(progress_counts_the_learner_and_survives_surprises)
{
    char *dir = S_tmpdir();
    char *gb = course_fmt("%s/gb.sqlite", dir);
    course_diags d = {0};
    course_attempt a = S_attempt("03", 2, "2026-01-01");
    CHECK(course_gradebook_record(gb, &a, &d) == 0);
    a = S_attempt("03", 4, "2026-01-03");
    CHECK(course_gradebook_record(gb, &a, &d) == 0);
    a = S_attempt("03", 5, "2026-01-09");
    a.source = "batch"; /* an instructor's run is not the learner's progress */
    CHECK(course_gradebook_record(gb, &a, &d) == 0);
    a = S_attempt("07", 5, "2026-01-02");
    CHECK(course_gradebook_record(gb, &a, &d) == 0 && d.n == 0);
    S_exec(gb, "INSERT INTO attempts(exercise, passed, score, max_score, finished_at)"
               " VALUES ('exercises/03', 0, 1, 5, '2026-01-04')"); /* no source */
    course_progress p[100];
    const char *note;
    CHECK(course_gradebook_progress(gb, p, 100, &note) == 0 && !note);
    CHECK(p[3].attempts == 3 && !p[3].passed && p[3].best_score == 4);
    CHECK(p[3].max_score == 5 && !strcmp(p[3].last, "2026-01-04"));
    CHECK(p[7].attempts == 1 && p[7].passed && p[4].attempts == 0);

    char *none = course_fmt("%s/none.sqlite", dir);
    CHECK(course_gradebook_progress(none, p, 100, &note) == 0);
    CHECK(!strcmp(note, "no gradebook yet") && access(none, F_OK) < 0);
    char *junk = course_fmt("%s/junk.sqlite", dir);
    CHECK(course_write_file(junk, "not a database at all, not at all", 33) == 0);
    CHECK(course_gradebook_progress(junk, p, 100, &note) == -EIO && note);
    CHECK(p[3].attempts == 0);
    S_rmtree(dir);
}

CASE(location_default_env_and_option)
{
    unsetenv("GRADER_GRADEBOOK");
    int def;
    char *p = course_gradebook_path("/c", NULL, &def);
    CHECK(!strcmp(p, "/c/.workbook/gradebook.sqlite") && def);
    free(p);
    setenv("GRADER_GRADEBOOK", "/env.sqlite", 1);
    p = course_gradebook_path("/c", NULL, &def);
    CHECK(!strcmp(p, "/env.sqlite") && !def);
    free(p);
    p = course_gradebook_path("/c", "/opt.sqlite", &def);
    CHECK(!strcmp(p, "/opt.sqlite") && !def);
    free(p);
}

/* The old build/gradebook.sqlite moves to .workbook/, with what its WAL
 * holds; once there, it is never replaced. */
CASE(adopting_the_old_location)
{
    char *dir = S_tmpdir();
    char *old = course_fmt("%s/build/gradebook.sqlite", dir);
    char *new = course_fmt("%s/.workbook/gradebook.sqlite", dir);
    course_diags d = {0};
    CHECK(course_gradebook_adopt(new, old, &d) == 0 && d.n == 0); /* nothing yet */
    char *b = course_fmt("%s/build", dir);
    CHECK(course_mkdir_p(b, 0755) == 0);
    course_attempt a = S_attempt("03", 5, "2026");
    CHECK(course_gradebook_record(old, &a, &d) == 0);
    /* keep the second attempt in the WAL: a writer that never checkpoints */
    pid_t pid = fork();
    if (pid == 0) {
        sqlite3 *db;
        if (sqlite3_open(old, &db) != SQLITE_OK ||
            sqlite3_exec(
                db,
                "PRAGMA wal_autocheckpoint=0; INSERT INTO attempts(exercise, "
                "passed, score, max_score, finished_at) VALUES('04', 1, 1, 1, 'x')",
                NULL, NULL, NULL) != SQLITE_OK)
            _exit(1);
        _exit(0); /* no close: no checkpoint */
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *wal = course_fmt("%s-wal", old);
    struct stat sb;
    CHECK(stat(wal, &sb) == 0 && sb.st_size > 0);

    CHECK(course_gradebook_adopt(new, old, &d) == 1 && d.n == 0);
    CHECK(access(old, F_OK) < 0 && access(wal, F_OK) < 0);
    CHECK(S_query(new, "SELECT count(*) FROM attempts") == 2);
    CHECK(S_query(new, "SELECT count(*) FROM checks") == 3);
    char *wb = course_fmt("%s/.workbook", dir);
    CHECK(stat(wb, &sb) == 0 && (sb.st_mode & 0777) == 0700);

    /* a later old file (an old grader ran again) never replaces the new one */
    CHECK(course_gradebook_record(old, &a, &d) == 0);
    CHECK(course_gradebook_adopt(new, old, &d) == 0 && d.n == 0);
    CHECK(access(old, F_OK) == 0);
    CHECK(S_query(new, "SELECT count(*) FROM attempts") == 2);
    S_rmtree(dir);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(new_file_gets_the_schema_and_an_attempt_is_whole,
                            migrations_and_newer_files, concurrent_writers_lose_nothing,
                            progress_counts_the_learner_and_survives_surprises,
                            location_default_env_and_option,
                            adopting_the_old_location));
}
