/*
 * progress.c - the learner's progress, where the book's pages can read it.
 *
 *   grader progress [--gradebook PATH]   (and after every submit, quiz, grade)
 *
 * Writes SITE/data/progress.js (SITE: GRADER_SITE, else <build>/site):
 *
 *   window.GILWB_PROGRESS = {"written": "2026-...Z",
 *     "exercises": {"03": {"attempts": 2, "passed": true, "best": 9,
 *                          "max": 10, "last": "2026-...Z"}},
 *     "quizzes": {"03": {"chapter": 3, "questions": 6, "answered": 6,
 *                        "right": 5, "at": "2026-...Z"}}};
 *
 * The pages (site/theme/live.js) load it with a <script> tag, which works
 * from file:// where fetch() does not, and show ticks in the sidebar, a
 * progress bar on the index and the scores on each chapter, with no
 * rebuild of the site.  Exercises come from the gradebook (the learner's
 * own attempts: source 'learner'), quizzes from exercises/NN/answers.txt
 * against the chapter's key.
 *
 * After a submit the file is written only for the learner's gradebook: a
 * run with --gradebook or GRADER_GRADEBOOK (a test, an instructor's batch)
 * leaves the pages alone unless GRADER_SITE says where to write.  Failing
 * to write is reported and does not change the grade or the exit status.
 */
#include "grader.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* {"03": {...}} from the gradebook; an empty object when there is none. */
static json_t *S_exercises(const char *gradebook)
{
    json_t *out = json_object();
    sqlite3 *db = NULL;
    if (access(gradebook, F_OK) != 0 ||
        sqlite3_open_v2(gradebook, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return out;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT exercise, count(*), max(passed), max(score), "
                           "max(max_score), max(finished_at) FROM attempts "
                           "WHERE source = 'learner' GROUP BY exercise",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            const char *last = (const char *)sqlite3_column_text(st, 5);
            json_object_set_new(out, id ? id : "?",
                                json_pack("{s:i, s:b, s:f, s:f, s:s}", "attempts",
                                          sqlite3_column_int(st, 1), "passed",
                                          sqlite3_column_int(st, 2), "best",
                                          sqlite3_column_double(st, 3), "max",
                                          sqlite3_column_double(st, 4), "last",
                                          last ? last : ""));
        }
    } else {
        fprintf(stderr, "grader: progress: gradebook %s: %s\n", gradebook,
                sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* One exercise's quiz: how many of the stored answers are right. */
static json_t *S_quiz(const char *course, const gr_exercise *ex)
{
    course_quiz qz = {0};
    if (!ex->quiz_chapter || gr_quiz_load(course, ex->quiz_chapter, &qz) != 0)
        return NULL;
    char *path = gr_fmt("%s/answers.txt", ex->dir);
    char *answers = course_xcalloc(qz.n + 1, 1);
    json_t *q = NULL;
    struct stat st;
    if (gr_quiz_read_answers(path, answers, qz.n) == 0 &&
        stat(path, &st) == 0) {
        int answered = 0, right = 0;
        for (size_t i = 0; i < qz.n; i++) {
            answered += answers[i] != 0;
            right += answers[i] && answers[i] == course_quiz_letter(qz.qs[i].answer);
        }
        char at[32];
        struct tm tm;
        gmtime_r(&st.st_mtime, &tm);
        strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
        q = json_pack("{s:i, s:i, s:i, s:i, s:s}", "chapter", ex->quiz_chapter,
                      "questions", (int)qz.n, "answered", answered, "right", right,
                      "at", at);
    }
    free(answers);
    free(path);
    course_quiz_free(&qz);
    return q;
}

/* See grader.h.  Reads the gradebook read-only (another grader may be
 * writing it: the busy timeout waits) and answers.txt; writes the file by
 * write-and-rename, so a page loading it sees the old or the new one. */
int gr_progress_write(const gr_paths *p, const char *course, const char *gradebook_opt,
                      int after_grading)
{
    const char *site = getenv("GRADER_SITE");
    const char *env_gb = getenv("GRADER_GRADEBOOK");
    if (after_grading && !(site && *site) &&
        ((gradebook_opt && *gradebook_opt) || (env_gb && *env_gb)))
        return 0; /* not the learner's own gradebook: leave the pages alone */
    char *gradebook = gr_gradebook_path(p, course, gradebook_opt);
    json_t *quizzes = json_object();
    gr_strv dirs = {0};
    gr_exercise_list(course, &dirs);
    for (size_t i = 0; i < dirs.n; i++) {
        gr_exercise *ex = gr_exercise_load(course, dirs.v[i], 0);
        json_t *q = ex ? S_quiz(course, ex) : NULL;
        if (q)
            json_object_set_new(quizzes, ex->id, q);
        gr_exercise_free(ex);
    }
    gr_strv_free(&dirs);
    char *now = gr_iso_time();
    json_t *all = json_pack("{s:s, s:o, s:o}", "written", now, "exercises",
                            S_exercises(gradebook), "quizzes", quizzes);
    char *json = json_dumps(all, JSON_COMPACT | JSON_ENSURE_ASCII);
    char *dir =
        site && *site ? gr_fmt("%s/data", site) : gr_fmt("%s/site/data", p->build);
    char *path = gr_fmt("%s/progress.js", dir);
    char *text = gr_fmt("/* The learner's progress, written by `grader %s` (%s). */\n"
                        "window.GILWB_PROGRESS = %s;\n",
                        after_grading ? "submit/quiz" : "progress", now, json);
    int rc = gr_mkdir_p(dir, 0755);
    if (rc == 0)
        rc = gr_write_file(path, text, strlen(text));
    if (rc < 0)
        fprintf(stderr,
                "grader: could not write %s (%s); the book's pages show older "
                "progress\n",
                path, strerror(-rc));
    free(text);
    free(path);
    free(dir);
    free(json);
    free(now);
    json_decref(all);
    free(gradebook);
    return rc;
}
