/*
 * report_junit.c - JUnit XML, for CI systems that show test results.
 *
 * One <testsuite> for the exercise, one <testcase> per check; a failed
 * check has a <failure message="reason"> with the output as its text, a
 * skipped one <skipped/>.  Everything is escaped: program output may hold
 * any byte, and bytes that XML 1.0 forbids (control characters) are
 * replaced by U+FFFD rather than making the file unreadable.
 */
#include "grader.h"

#include <string.h>

void gr_report_junit(const gr_report *r, FILE *out)
{
    int failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->nchecks; i++) {
        failures += r->checks[i].status == GR_FAIL;
        errors += r->checks[i].status == GR_ERROR;
        skipped += r->checks[i].status == GR_SKIP;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(
        out,
        "<testsuites name=\"grader\" tests=\"%zu\" failures=\"%d\" errors=\"%d\">\n",
        r->nchecks, failures, errors);
    fputs("  <testsuite name=\"exercise ", out);
    gr_xml_escape(out, r->exercise);
    fprintf(
        out,
        "\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
        r->nchecks, failures, errors, skipped, r->seconds);
    fputs(" timestamp=\"", out);
    gr_xml_escape(out, r->started_at);
    fputs("\">\n", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        const gr_check *c = &r->checks[i];
        fputs("    <testcase classname=\"", out);
        gr_xml_escape(out, c->kind);
        fputs("\" name=\"", out);
        gr_xml_escape(out, c->name);
        fprintf(out, "\" time=\"%.3f\">", c->seconds);
        if (c->status == GR_FAIL || c->status == GR_ERROR) {
            fprintf(out, "\n      <%s message=\"",
                    c->status == GR_FAIL ? "failure" : "error");
            gr_xml_escape(out, c->reason);
            fputs("\">", out);
            gr_xml_escape(out, c->output);
            fprintf(out, "</%s>\n    ", c->status == GR_FAIL ? "failure" : "error");
        } else if (c->status == GR_SKIP) {
            fputs("\n      <skipped message=\"", out);
            gr_xml_escape(out, c->reason);
            fputs("\"/>\n    ", out);
        }
        if (c->reason && c->status == GR_PASS) {
            fputs("\n      <system-out>", out);
            gr_xml_escape(out, c->reason);
            fputs("</system-out>\n    ", out);
        }
        fputs("</testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}
