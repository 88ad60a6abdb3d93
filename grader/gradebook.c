/*
 * gradebook.c - the grader's side of the gradebook: where it is, an
 * attempt recorded from a report, and `grader status`.
 *
 * The schema, its migrations, the one-transaction write and the progress
 * query are the course library's (course/gradebook.c), shared with the
 * site, which shows the same progress in the book.
 *
 * Where: <course>/.workbook/gradebook.sqlite, outside build/ so that `make
 * clean` keeps every attempt.  It used to be <build>/gradebook.sqlite; the
 * first grader run that finds one there moves it (see gr_gradebook_path).
 */
#include "grader.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether a and b name the same directory (after symlinks). */
static int S_same_dir(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

/* See grader.h.  The old location is adopted only for the repository's own
 * course: an instructor grading a student's copy (GRADER_COURSE) must not
 * carry the repository's attempts into it. */
char *gr_gradebook_path(const gr_paths *p, const char *course, const char *opt)
{
    int is_default;
    char *path = course_gradebook_path(course, opt, &is_default);
    if (!is_default || !S_same_dir(course, p->repo))
        return path;
    char *legacy = course_fmt("%s/gradebook.sqlite", p->build);
    course_diags d = {0};
    int rc = course_gradebook_adopt(path, legacy, &d);
    if (rc > 0)
        fprintf(stderr,
                "grader: moved the gradebook from %s to %s, where `make clean` "
                "keeps it\n",
                legacy, path);
    course_diags_print(&d, stderr, "grader: gradebook ");
    course_diags_free(&d);
    free(legacy);
    return path;
}

/* See grader.h.  The report goes in whole (JSON), and each check as a row
 * of its own, so that queries need not parse the report. */
int gr_gradebook_record(const char *path, const gr_report *r)
{
    json_t *j = gr_report_to_json(r);
    char *report = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    course_check_row *rows = course_xcalloc(r->nchecks, sizeof *rows);
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *k = &r->checks[i];
        rows[i] = (course_check_row){
            .name = k->name,
            .kind = k->kind,
            .status = gr_status_name(k->status),
            .score = k->score,
            .max_score = k->max_score,
            .reason = k->reason,
            .figures = k->figures ? json_dumps(k->figures, JSON_COMPACT) : NULL,
        };
    }
    struct passwd *pw = getpwuid(getuid());
    const char *src = getenv("GRADER_SOURCE");
    course_attempt a = {.exercise = r->exercise,
                        .slug = r->slug,
                        .title = r->title,
                        .passed = r->passed,
                        .score = r->score,
                        .max_score = r->max_score,
                        .started_at = r->started_at,
                        .finished_at = r->finished_at,
                        .seconds = r->seconds,
                        .user = pw ? pw->pw_name : "?",
                        .source = src && *src ? src : "learner",
                        .report = report,
                        .checks = rows,
                        .nchecks = r->nchecks};
    course_diags d = {0};
    int rc = course_gradebook_record(path, &a, &d);
    course_diags_print(&d, stderr, "grader: gradebook ");
    course_diags_free(&d);
    for (size_t i = 0; i < r->nchecks; i++)
        free((char *)rows[i].figures);
    free(rows);
    free(report);
    return rc < 0 ? -EIO : 0;
}

/* See grader.h.  Progress counts the learner's own attempts (an
 * instructor's batch runs set GRADER_SOURCE and are left out). */
int gr_gradebook_status(const char *path, const char *course, FILE *out, int colour,
                        gr_format fmt)
{
    enum { MAXEX = 100 }; /* exercise ids are two digits */
    course_progress *prog = course_xcalloc(MAXEX, sizeof *prog);
    const char *note;
    if (course_gradebook_progress(path, prog, MAXEX, &note) < 0) {
        fprintf(stderr, "grader: gradebook %s: %s\n", path, note);
        free(prog);
        return -EIO;
    }
    course_strv dirs = {0};
    gr_exercise_list(course, &dirs);
    json_t *list = json_array();
    if (fmt == GR_FMT_TEXT)
        fprintf(out, "%-4s %-32s %-12s %-10s %-8s %s\n", "ex", "slug", "state", "best",
                "attempts", "last run");
    int done = 0;
    for (size_t i = 0; i < dirs.n; i++) {
        const char *id = strrchr(dirs.v[i], '/') + 1;
        gr_exercise *ex = gr_exercise_load(course, dirs.v[i], 0);
        const course_progress *g = &prog[atoi(id) % MAXEX];
        const char *state = !ex           ? "broken"
                            : g->passed   ? "passed"
                            : g->attempts ? "attempted"
                                          : "not started";
        done += g->passed;
        if (fmt == GR_FMT_TEXT) {
            char best[32] = "-";
            if (g->attempts)
                snprintf(best, sizeof best, "%g/%g", g->best_score, g->max_score);
            const char *col = !colour       ? ""
                              : g->passed   ? "\033[32m"
                              : g->attempts ? "\033[33m"
                                            : "";
            fprintf(out, "%-4s %-32.32s %s%-12s%s %-10s %-8d %s\n", id,
                    ex ? ex->slug : "(exercise.yaml has errors)", col, state,
                    colour ? "\033[0m" : "", best, g->attempts,
                    g->last[0] ? g->last : "-");
        } else {
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:i, s:f, s:f, s:s}", "exercise", id,
                                "slug", ex ? ex->slug : "", "state", state, "attempts",
                                g->attempts, "best_score", g->best_score, "max_score",
                                g->max_score, "last_run", g->last));
        }
        gr_exercise_free(ex);
    }
    if (fmt == GR_FMT_TEXT) {
        fprintf(out, "%d of %zu exercises passed (gradebook: %s)\n", done, dirs.n,
                path);
    } else {
        json_dumpf(list, out, JSON_INDENT(2));
        fputc('\n', out);
    }
    json_decref(list);
    course_strv_free(&dirs);
    free(prog);
    return 0;
}
