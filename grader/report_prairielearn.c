/*
 * report_prairielearn.c - PrairieLearn's external grader results.json.
 *
 * The contract (PrairieLearn's "External grading" documentation): "score"
 * from 0 to 1, optional "gradable", "message", "output" and "tests", each
 * test with "name", "description", "points", "max_points", "message" and
 * "output".  A submission that does not compile is "gradable": false with
 * the first compiler error in "format_errors": PrairieLearn then marks it
 * invalid and does not count the attempt, as its documentation advises for
 * a syntax error.  PrairieLearn shows every test to the student, so the
 * entry script writes this from a student's view (--audience student):
 * withheld checks are counted in "message", never named.
 */
#include "grader.h"

#include <stdlib.h>
#include <string.h>

void gr_report_prairielearn(const gr_report *full, FILE *out)
{
    gr_report view, *r = &view;
    gr_report_copy(full, &view);
    gr_report_student_view(&view, time(NULL), full->due);
    json_t *o = json_object();
    int gradable = 1;
    for (size_t i = 0; i < r->nchecks; i++)
        if (!strcmp(r->checks[i].kind, "build") && r->checks[i].status == GR_FAIL)
            gradable = 0;
    json_object_set_new(o, "gradable", json_boolean(gradable));
    json_object_set_new(
        o, "score", json_real(full->max_score > 0 ? full->score / full->max_score : 0));
    char *msg = gr_fmt("exercise %s: %g/%g%s%s", r->exercise, full->score,
                       full->max_score, full->passed ? ", every check passed" : "",
                       r->withheld ? " (some checks are graded but shown later)" : "");
    json_object_set_new(o, "message", json_string(msg));
    free(msg);
    json_t *tests = json_array();
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        if (!gradable && !strcmp(c->kind, "build"))
            json_object_set_new(
                o, "format_errors",
                json_string(c->reason ? c->reason : "does not compile"));
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(c->name));
        char *desc = gr_fmt("%s check: %s", c->kind, gr_status_name(c->status));
        json_object_set_new(t, "description", json_string(desc));
        free(desc);
        json_object_set_new(t, "points", json_real(c->score));
        json_object_set_new(t, "max_points", json_real(c->max_score));
        json_object_set_new(t, "message", json_string(c->reason ? c->reason : ""));
        json_object_set_new(t, "output", json_string(c->output ? c->output : ""));
        json_array_append_new(tests, t);
    }
    json_object_set_new(o, "tests", tests);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        gr_report_text(r, mem, 0);
        fclose(mem);
        json_object_set_new(o, "output", json_string(text));
        free(text);
    }
    json_dumpf(o, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(o);
    gr_report_free(&view);
}
