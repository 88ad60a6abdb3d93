/*
 * report_json.c - the report as one JSON document (schema: grader/REPORT.md).
 *
 * This is the format other tools read (the site's progress panel, scripts,
 * the gradebook stores the same per-check objects), so it is versioned:
 * "schema": 1.  Fields are only ever added.
 */
#include "grader.h"

#include <stdlib.h>

/* One check as a JSON object (caller decrefs). */
static json_t *S_check(const gr_check *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "kind", json_string(c->kind));
    json_object_set_new(o, "status", json_string(gr_status_name(c->status)));
    json_object_set_new(o, "score", json_real(c->score));
    json_object_set_new(o, "max_score", json_real(c->max_score));
    json_object_set_new(o, "reason", json_string(c->reason ? c->reason : ""));
    json_object_set_new(o, "output", json_string(c->output ? c->output : ""));
    json_object_set_new(o, "seconds", json_real(c->seconds));
    json_object_set_new(o, "hidden", json_boolean(c->hidden));
    json_object_set_new(o, "visibility",
                        json_string(course_visibility_name(c->visibility)));
    if (c->figures) {
        json_object_set(o, "figures", c->figures);
        char *svg = gr_pattern_svg(c->figures);
        json_object_set_new(o, "chart_svg", json_string(svg));
        free(svg);
    }
    return o;
}

json_t *gr_report_to_json(const gr_report *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_integer(1));
    json_object_set_new(o, "exercise", json_string(r->exercise));
    json_object_set_new(o, "slug", json_string(r->slug ? r->slug : ""));
    json_object_set_new(o, "title", json_string(r->title ? r->title : ""));
    json_object_set_new(o, "started_at",
                        json_string(r->started_at ? r->started_at : ""));
    json_object_set_new(o, "finished_at",
                        json_string(r->finished_at ? r->finished_at : ""));
    json_object_set_new(o, "seconds", json_real(r->seconds));
    json_object_set_new(o, "score", json_real(r->score));
    json_object_set_new(o, "max_score", json_real(r->max_score));
    json_object_set_new(o, "passed", json_boolean(r->passed));
    if (r->machine)
        json_object_set(o, "machine", r->machine);
    json_t *a = json_array();
    for (size_t i = 0; i < r->nchecks; i++)
        json_array_append_new(a, S_check(&r->checks[i]));
    json_object_set_new(o, "checks", a);
    if (r->withheld) /* a student's view: what is graded but not shown yet */
        json_object_set_new(o, "withheld",
                            json_pack("{s:i, s:f}", "checks", r->withheld, "max_score",
                                      r->withheld_max));
    return o;
}

void gr_report_json(const gr_report *r, FILE *out)
{
    json_t *o = gr_report_to_json(r);
    json_dumpf(o, out, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    fputc('\n', out);
    json_decref(o);
}
