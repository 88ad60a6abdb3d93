/*
 * report_autolab.c - what Autolab reads from an autograder's output.
 *
 * Autolab shows the whole output to the student and takes its last line
 * as the "autoresult": {"scores": {PROBLEM: points, ...}, "scoreboard":
 * [...]}, where each PROBLEM must be the name of a problem defined for the
 * assessment on the Autolab site (Autolab's guide for lab authors).  So
 * this format is the text report, then one JSON line with the points
 * summed by kind of check:
 *
 *   Correctness  the tests          Speedup  the speedup patterns
 *   Sanitizers   ThreadSanitizer... Quiz     the chapter's quiz
 *   Hidden       the checks a student may not see yet (their points
 *                count; their names and results are not in the text)
 *
 * and a scoreboard of [total, Correctness, Speedup]: the scoreboard is
 * public, so the total there includes hidden points but names nothing.  `grader export
 * autolab` lists the problems and their maximum points to create.
 */
#include "grader.h"

#include <string.h>

/* The Autolab problem a check's points go to. */
static const char *S_problem(const char *kind)
{
    if (!strcmp(kind, "test"))
        return "Correctness";
    if (!strcmp(kind, "sanitizer"))
        return "Sanitizers";
    if (!strcmp(kind, "pattern"))
        return "Speedup";
    if (!strcmp(kind, "quiz"))
        return "Quiz";
    return NULL; /* build: no points */
}

void gr_report_autolab(const gr_report *r, FILE *out)
{
    gr_report view;
    gr_report_copy(r, &view);
    gr_report_student_view(&view, time(NULL), r->due);
    gr_report_text(&view, out, 0);
    json_t *scores = json_object();
    static const char *const problems[] = {"Correctness", "Sanitizers", "Speedup",
                                           "Quiz", "Hidden"};
    for (int k = 0; k < 5; k++)
        json_object_set_new(scores, problems[k], json_real(0));
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        const char *p =
            gr_check_shown(c, time(NULL), r->due) ? S_problem(c->kind) : "Hidden";
        if (!p)
            continue;
        json_t *v = json_object_get(scores, p);
        json_real_set(v, json_real_value(v) + c->score);
    }
    json_t *board = json_pack("[f, f, f]", r->score,
                              json_real_value(json_object_get(scores, "Correctness")),
                              json_real_value(json_object_get(scores, "Speedup")));
    json_t *o = json_pack("{s:o, s:o}", "scores", scores, "scoreboard", board);
    json_dumpf(o, out, JSON_COMPACT | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(o);
    gr_report_free(&view);
}
