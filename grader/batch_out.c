/*
 * batch_out.c - what a batch leaves behind, in OUT:
 *
 *   reports/<student>.json  everything: the student, the submission time and
 *                           where it came from, the late verdict, the final
 *                           score, and the grader's whole report (schema 1)
 *   reports/<student>.txt   what the student may see: the text report with
 *                           the checks not to be shown yet left out
 *   grades.csv              a row per student, a column per check, then the
 *                           score, the late flag and penalty, the final score
 *   gradebook.sqlite        each grade as an attempt (user: the student,
 *                           source: "batch"), the course library's schema
 *
 * The grade of a copy is one report made of its two runs: the correctness
 * run's checks, the pattern run's patterns (or the patterns skipped, saying
 * why), and the quiz, scored here from the copy's answers.txt.
 */
#include "batch.h"
#include "course/quiz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct gr_batch_out {
    char *dir, *db;
    const gr_exercise *ex;
    time_t due;
    const char *layout;
};

/* See batch.h. */
gr_batch_out *gr_batch_out_open(const char *dir, const gr_exercise *ex, time_t due,
                                const char *layout)
{
    char *rd = course_fmt("%s/reports", dir);
    int rc = course_mkdir_p(rd, 0755);
    free(rd);
    if (rc < 0) {
        fprintf(stderr, "grader batch: cannot create %s/reports: %s\n", dir,
                strerror(-rc));
        return NULL;
    }
    gr_batch_out *b = course_xcalloc(1, sizeof *b);
    b->dir = course_xstrdup(dir);
    b->db = course_fmt("%s/gradebook.sqlite", dir);
    b->ex = ex;
    b->due = due;
    b->layout = layout;
    return b;
}

/* The checks an exercise's report has, in pipeline order. */
static void S_check_names(const gr_exercise *ex, course_strv *v)
{
    course_strv_push(v, "build");
    for (size_t i = 0; i < ex->ntests; i++)
        course_strv_push(v, ex->tests[i].name);
    for (size_t i = 0; i < ex->sanitizers.n; i++)
        course_strv_push(v, strcmp(ex->sanitizers.v[i], "thread") ? "sanitizer:address"
                                                                  : "sanitizer:thread");
    for (size_t i = 0; i < ex->npatterns; i++)
        course_strv_push(v, ex->patterns[i].name);
    if (ex->quiz_chapter)
        course_strv_push(v, "quiz");
}

/* One report from a copy's runs (see the top of the file). */
static void S_merge(const gr_batch_out *b, const gr_outcome *o, gr_report *r)
{
    const gr_exercise *ex = b->ex;
    if (!o->correct || gr_report_from_json(o->correct, r) < 0) {
        memset(r, 0, sizeof *r);
        r->exercise = course_xstrdup(ex->id);
        r->slug = course_xstrdup(ex->slug);
        r->title = course_xstrdup(ex->title);
        r->finished_at = gr_iso_time();
        gr_check_set(gr_report_add(r, "build", "build", 0), GR_FAIL, 0, "%s",
                     o->status);
        for (size_t i = 0; i < ex->ntests; i++)
            gr_check_set(
                gr_report_add(r, "test", ex->tests[i].name, ex->tests[i].points),
                GR_SKIP, 0, "not graded: %s", o->status);
        /* Every check with its points, as a graded copy's report has them,
         * so that max_score is the same on every row of the CSV. */
        for (size_t i = 0; i < ex->sanitizers.n; i++)
            gr_check_set(gr_report_add(r, "sanitizer",
                                       strcmp(ex->sanitizers.v[i], "thread")
                                           ? "sanitizer:address"
                                           : "sanitizer:thread",
                                       1),
                         GR_SKIP, 0, "not graded: %s", o->status);
    }
    gr_report pr = {0};
    int have_p = o->patterns && gr_report_from_json(o->patterns, &pr) == 0;
    int built = r->nchecks && r->checks[0].status == GR_PASS;
    for (size_t i = 0; i < ex->npatterns; i++) {
        const gr_check *from = NULL;
        for (size_t k = 0; have_p && k < pr.nchecks; k++)
            if (!strcmp(pr.checks[k].kind, "pattern") &&
                !strcmp(pr.checks[k].name, ex->patterns[i].name))
                from = &pr.checks[k];
        gr_check *c =
            gr_report_add(r, "pattern", ex->patterns[i].name, ex->patterns[i].points);
        if (from) {
            gr_check_set(c, from->status, from->score, "%s", from->reason);
            c->output = course_xstrdup(from->output);
            c->seconds = from->seconds;
            c->figures = from->figures ? json_deep_copy(from->figures) : NULL;
        } else {
            gr_check_set(c, built ? GR_ERROR : GR_SKIP, 0, "not run: %s",
                         !built        ? "the program does not compile"
                         : o->patterns ? "the pattern run gave no verdict"
                                       : "the pattern run failed (see its log)");
        }
    }
    gr_report_free(&pr);
    if (ex->quiz_chapter) { /* answers count even when the code is missing */
        char *ans = course_fmt("%s/answers.txt", o->stage);
        gr_quiz_grade_file(ex, ans, r);
        free(ans);
    }
    if (o->pattern_note) {
        if (!r->machine)
            r->machine = json_object();
        json_object_set_new(r->machine, "patterns_schedule",
                            json_string(o->pattern_note));
    }
    gr_report_set_visibility(r, ex);
    r->due = b->due;
    gr_report_total(r);
}

/* See batch.h. */
int gr_batch_out_add(gr_batch_out *b, const gr_outcome *o, const char *fp)
{
    const gr_copy *cp = o->copy;
    gr_report r;
    S_merge(b, o, &r);
    course_late late = course_late_apply(&b->ex->late, b->due, cp->submitted);
    if (cp->marked_late && !late.late) /* the platform knows its own due date */
        late = (course_late){.late = 1, .days = 0, .penalty = 0};
    double final = r.score * (1 - late.penalty / 100);
    char when[21] = "";
    if (cp->submitted)
        course_time_format(cp->submitted, when);
    json_t *j =
        json_pack("{s:{s:s, s:s?, s:s?, s:s, s:s}, s:s, s:s, s:{s:b, s:i, s:f}, s:f, "
                  "s:f, s:f, s:o}",
                  "student", "id", cp->id, "name", cp->name, "email", cp->email,
                  "submitted_at", when, "time_from", cp->time_from, "status", o->status,
                  "fingerprint", fp, "late", "late", late.late, "days", late.days,
                  "penalty_pct", late.penalty, "score", r.score, "max_score",
                  r.max_score, "final_score", final, "report", gr_report_to_json(&r));
    char *path = course_fmt("%s/reports/%s.json", b->dir, cp->id);
    int rc = json_dump_file(j, path, JSON_INDENT(2) | JSON_ENSURE_ASCII) < 0 ? -EIO : 0;
    if (rc < 0)
        fprintf(stderr, "grader batch: cannot write %s\n", path);
    free(path);
    json_decref(j);

    /* The student's text report. */
    path = course_fmt("%s/reports/%s.txt", b->dir, cp->id);
    FILE *f = fopen(path, "w");
    if (f) {
        gr_report view;
        gr_report_copy(&r, &view);
        gr_report_student_view(&view, time(NULL), b->due);
        fprintf(f, "student: %s%s%s\n", cp->name ? cp->name : cp->id,
                cp->name ? " / " : "", cp->name ? cp->id : "");
        if (*when)
            fprintf(f, "submitted: %s (%s)\n", when, cp->time_from);
        if (strcmp(o->status, "graded"))
            fprintf(f, "not graded: %s\n", o->status);
        if (late.late)
            fprintf(f, "late: %d day(s), %g%% off: %g of %g points count\n", late.days,
                    late.penalty, final, r.score);
        gr_report_text(&view, f, 0);
        gr_report_free(&view);
        if (fclose(f) != 0)
            rc = -EIO;
    } else {
        fprintf(stderr, "grader batch: cannot write %s\n", path);
        rc = -EIO;
    }
    free(path);
    if (rc == 0 && o->correct && gr_gradebook_record_as(b->db, &r, cp->id, "batch") < 0)
        rc = -EIO;
    gr_report_free(&r);
    return rc;
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
static void S_csv(FILE *f, const char *s, int last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}

static void S_csv_num(FILE *f, double v, int last)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%g", v);
    S_csv(f, buf, last);
}

/* See batch.h. */
int gr_batch_out_close(gr_batch_out *b, const gr_copy *copies, size_t n, FILE *msg)
{
    course_strv names = {0};
    S_check_names(b->ex, &names);
    char *path = course_fmt("%s/grades.csv", b->dir);
    char *tmp = course_fmt("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = f ? 0 : -EIO;
    if (f) {
        static const char *const head[] = {"student",      "name",      "email",
                                           "submitted_at", "time_from", "status"};
        for (int k = 0; k < 6; k++)
            S_csv(f, head[k], 0);
        for (size_t k = 0; k < names.n; k++)
            S_csv(f, names.v[k], 0);
        fputs("score,max_score,late,days_late,penalty_pct,final_score\n", f);
    }
    int graded = 0, passed = 0, late = 0;
    for (size_t i = 0; f && i < n; i++) {
        char *rp = course_fmt("%s/reports/%s.json", b->dir, copies[i].id);
        json_t *j = json_load_file(rp, 0, NULL);
        free(rp);
        json_t *st = json_object_get(j, "student");
        S_csv(f, copies[i].id, 0);
        S_csv(f, copies[i].name, 0);
        S_csv(f, copies[i].email, 0);
        S_csv(f, json_string_value(json_object_get(st, "submitted_at")), 0);
        S_csv(f, json_string_value(json_object_get(st, "time_from")), 0);
        S_csv(f,
              j ? json_string_value(json_object_get(j, "status"))
                : "not graded (the batch was stopped first)",
              0);
        json_t *checks = json_object_get(json_object_get(j, "report"), "checks");
        for (size_t k = 0; k < names.n; k++) {
            json_t *c = NULL, *x;
            size_t ci;
            json_array_foreach(
                checks, ci,
                x) if (!strcmp(json_string_value(json_object_get(x, "name")) ?: "",
                               names.v[k])) c = x;
            if (!c)
                S_csv(f, "", 0);
            else if (json_number_value(json_object_get(c, "max_score")) == 0)
                S_csv(f, json_string_value(json_object_get(c, "status")), 0);
            else
                S_csv_num(f, json_number_value(json_object_get(c, "score")), 0);
        }
        json_t *lt = json_object_get(j, "late");
        S_csv_num(f, json_number_value(json_object_get(j, "score")), 0);
        S_csv_num(f, json_number_value(json_object_get(j, "max_score")), 0);
        S_csv_num(f, json_is_true(json_object_get(lt, "late")), 0);
        S_csv_num(f, (double)json_integer_value(json_object_get(lt, "days")), 0);
        S_csv_num(f, json_number_value(json_object_get(lt, "penalty_pct")), 0);
        S_csv_num(f, json_number_value(json_object_get(j, "final_score")), 1);
        graded += j && !strcmp(json_string_value(json_object_get(j, "status")) ?: "",
                               "graded");
        passed += json_is_true(json_object_get(json_object_get(j, "report"), "passed"));
        late += json_is_true(json_object_get(lt, "late"));
        json_decref(j);
    }
    if (f && (fclose(f) != 0 || rename(tmp, path) < 0))
        rc = -EIO;
    if (rc < 0)
        fprintf(stderr, "grader batch: cannot write %s\n", path);
    else
        fprintf(msg,
                "batch %s: %zu copies (%s): %d graded, %d passed, %d late\n"
                "  %s\n  %s/reports/<student>.json and .txt\n  %s (source \"batch\")\n",
                b->ex->id, n, b->layout, graded, passed, late, path, b->dir, b->db);
    free(tmp);
    free(path);
    course_strv_free(&names);
    free(b->dir);
    free(b->db);
    free(b);
    return rc;
}
