/*
 * report_view.c - who may see what in a report, and reports read back.
 *
 * Every check has a visibility (course/exercise.h: visible, after the due
 * date, after grades are published, hidden), set from exercise.yaml and
 * hidden.yaml.  An instructor's report shows everything, marked.  A report
 * for a student (`--audience student`, the PrairieLearn and Autolab
 * entry points, a batch's text reports) is made from a copy with the
 * checks a student may not see yet taken out, name, result and output
 * together, so no format can leak them by accident: each format writes
 * what it is given.  Gradescope is the exception that proves the rule: its
 * results.json carries each test's visibility and Gradescope itself
 * withholds them, so that format writes them all, marked.
 *
 * A batch reads its graders' JSON reports back (gr_report_from_json) to
 * merge phases and write other formats from them.
 */
#include "grader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* See grader.h. */
void gr_report_set_visibility(gr_report *r, const gr_exercise *ex)
{
    r->due = ex->due;
    for (size_t i = 0; i < r->nchecks; i++) {
        gr_check *c = &r->checks[i];
        c->visibility = COURSE_VISIBLE;
        if (!strcmp(c->kind, "test")) {
            for (size_t k = 0; k < ex->ntests; k++)
                if (!strcmp(ex->tests[k].name, c->name))
                    c->visibility = ex->tests[k].visibility;
        } else if (!strcmp(c->kind, "pattern")) {
            for (size_t k = 0; k < ex->npatterns; k++)
                if (!strcmp(ex->patterns[k].name, c->name))
                    c->visibility = ex->patterns[k].visibility;
        }
    }
}

/* See grader.h.  after_published is never known to have happened here:
 * only Gradescope knows when grades are published. */
int gr_check_shown(const gr_check *c, time_t now, time_t due)
{
    switch (c->visibility) {
    case COURSE_VISIBLE:
        return 1;
    case COURSE_AFTER_DUE_DATE:
        return due && now >= due;
    default:
        return 0;
    }
}

/* See grader.h. */
void gr_report_copy(const gr_report *r, gr_report *out)
{
    *out = *r;
    out->exercise = course_xstrdup(r->exercise);
    out->slug = course_xstrdup(r->slug);
    out->title = course_xstrdup(r->title);
    out->started_at = course_xstrdup(r->started_at);
    out->finished_at = course_xstrdup(r->finished_at);
    out->machine = r->machine ? json_deep_copy(r->machine) : NULL;
    out->checks = course_xcalloc(r->nchecks ? r->nchecks : 1, sizeof *out->checks);
    for (size_t i = 0; i < r->nchecks; i++) {
        gr_check *c = &out->checks[i];
        *c = r->checks[i];
        c->name = course_xstrdup(c->name);
        c->kind = course_xstrdup(c->kind);
        c->reason = course_xstrdup(c->reason);
        c->output = course_xstrdup(c->output);
        c->figures = c->figures ? json_deep_copy(c->figures) : NULL;
    }
}

/* See grader.h. */
void gr_report_student_view(gr_report *r, time_t now, time_t due)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->nchecks; i++) {
        gr_check *c = &r->checks[i];
        if (gr_check_shown(c, now, due)) {
            r->checks[kept++] = *c;
            continue;
        }
        r->withheld++;
        r->withheld_max += c->max_score;
        free(c->name);
        free(c->kind);
        free(c->reason);
        free(c->output);
        json_decref(c->figures);
    }
    r->nchecks = kept;
    gr_report_total(r);
}

/* A string member of o, copied (NULL if absent). */
static char *S_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? course_xstrdup(s) : NULL;
}

/* See grader.h. */
int gr_report_from_json(const json_t *j, gr_report *out)
{
    memset(out, 0, sizeof *out);
    json_t *checks = json_object_get(j, "checks");
    if (!json_is_object(j) || json_integer_value(json_object_get(j, "schema")) != 1 ||
        !json_is_array(checks) || !json_is_string(json_object_get(j, "exercise")))
        return -EINVAL;
    out->exercise = S_str(j, "exercise");
    out->slug = S_str(j, "slug");
    out->title = S_str(j, "title");
    out->started_at = S_str(j, "started_at");
    out->finished_at = S_str(j, "finished_at");
    out->seconds = json_number_value(json_object_get(j, "seconds"));
    json_t *m = json_object_get(j, "machine");
    out->machine = m ? json_deep_copy(m) : NULL;
    size_t i;
    json_t *cj;
    json_array_foreach(checks, i, cj)
    {
        const char *name = json_string_value(json_object_get(cj, "name"));
        const char *kind = json_string_value(json_object_get(cj, "kind"));
        const char *st = json_string_value(json_object_get(cj, "status"));
        if (!name || !kind || !st) {
            gr_report_free(out);
            return -EINVAL;
        }
        gr_check *c = gr_report_add(
            out, kind, name, json_number_value(json_object_get(cj, "max_score")));
        c->score = json_number_value(json_object_get(cj, "score"));
        c->status = !strcmp(st, "pass")   ? GR_PASS
                    : !strcmp(st, "fail") ? GR_FAIL
                    : !strcmp(st, "skip") ? GR_SKIP
                                          : GR_ERROR;
        c->reason = S_str(cj, "reason");
        const char *o = json_string_value(json_object_get(cj, "output"));
        c->output = o && *o ? course_xstrdup(o) : NULL;
        c->seconds = json_number_value(json_object_get(cj, "seconds"));
        c->hidden = json_is_true(json_object_get(cj, "hidden"));
        const char *v = json_string_value(json_object_get(cj, "visibility"));
        for (int k = 0; v && k <= COURSE_HIDDEN; k++)
            if (!strcmp(v, course_visibility_name((course_visibility)k)))
                c->visibility = (course_visibility)k;
        json_t *f = json_object_get(cj, "figures");
        c->figures = f ? json_deep_copy(f) : NULL;
    }
    gr_report_total(out);
    return 0;
}

static const char *const S_formats[] = {"text",         "json",       "junit",
                                        "tap",          "gradescope", "markdown",
                                        "prairielearn", "autolab"};

/* See grader.h. */
const char *gr_format_name(gr_format f)
{
    return (unsigned)f < GR_NFORMATS ? S_formats[f] : "?";
}

/* See grader.h (replaces the parser of the five first formats). */
int gr_format_parse(const char *s, gr_format *out)
{
    for (int i = 0; i < GR_NFORMATS; i++)
        if (!strcmp(s, S_formats[i])) {
            *out = (gr_format)i;
            return 0;
        }
    return -1;
}

/* See grader.h. */
void gr_report_print(const gr_report *r, gr_format fmt, FILE *out, int colour)
{
    switch (fmt) {
    case GR_FMT_TEXT:
        gr_report_text(r, out, colour);
        break;
    case GR_FMT_JSON:
        gr_report_json(r, out);
        break;
    case GR_FMT_JUNIT:
        gr_report_junit(r, out);
        break;
    case GR_FMT_TAP:
        gr_report_tap(r, out);
        break;
    case GR_FMT_GRADESCOPE:
        gr_report_gradescope(r, out);
        break;
    case GR_FMT_MARKDOWN:
        gr_report_markdown(r, out);
        break;
    case GR_FMT_PRAIRIELEARN:
        gr_report_prairielearn(r, out);
        break;
    case GR_FMT_AUTOLAB:
    case GR_NFORMATS:
        gr_report_autolab(r, out);
        break;
    }
}
