/*
 * report_gradescope.c - Gradescope's results.json.
 *
 * Gradescope's autograder contract ("Autograder Specifications"): score,
 * execution_time, output, visibility, tests[] with name, score,
 * max_score, status ("passed"/"failed"), output and visibility; nothing it
 * does not document (tests/instructor/gradescope-results.schema.json).  Each check's
 * visibility is written as it is (visible, after_due_date, after_published, hidden: the
 * values Gradescope itself enforces), so this format writes every check; hidden tests
 * default to after_published.  The summary line names no check.
 */
#include "grader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gr_report_gradescope(const gr_report *r, FILE *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "score", json_real(r->score));
    json_object_set_new(o, "execution_time",
                        json_integer((json_int_t)ceil(r->seconds)));
    char *summary = gr_fmt("exercise %s: %g/%g, %s", r->exercise, r->score,
                           r->max_score, r->passed ? "passed" : "not passed yet");
    json_object_set_new(o, "output", json_string(summary));
    free(summary);
    json_object_set_new(o, "visibility", json_string("visible"));
    json_t *tests = json_array();
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(c->name));
        json_object_set_new(t, "score", json_real(c->score));
        json_object_set_new(t, "max_score", json_real(c->max_score));
        json_object_set_new(t, "status",
                            json_string(c->status == GR_PASS || c->status == GR_SKIP
                                            ? "passed"
                                            : "failed"));
        char *text =
            gr_fmt("%s%s%s", c->reason ? c->reason : "",
                   c->output && *c->output ? "\n\n" : "", c->output ? c->output : "");
        json_object_set_new(t, "output", json_string(text));
        free(text);
        json_object_set_new(t, "visibility",
                            json_string(course_visibility_name(c->visibility)));
        json_array_append_new(tests, t);
    }
    json_object_set_new(o, "tests", tests);
    json_dumpf(o, out, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(o);
}
