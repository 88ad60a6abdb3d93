/*
 * manifest.c - the student edition's manifest, and tamper detection.
 *
 * `grader release` writes edition.json at the root of the student edition:
 *
 *   {"edition": "student", "made_at": "...", "source": "<commit or ->",
 *    "protected": {"runtime/gil_cpython.c": "<sha256>", ...}}
 *
 * "protected" lists every file a learner has no reason to edit: the
 * runtime, the kit, drivers and headers, tests, the grader and the course
 * library, the build, the chapters (they hold the sealed quiz keys).  The
 * learner's own files (each exercise's `files:`) and prose (*.md outside
 * chapters/) are not in it.  `grader submit` in a student edition checks
 * them all and adds a failing "unchanged_files" check naming each file
 * that differs, so a learner who patched a test to pass sees it said.
 *
 * What this is worth: a learner can edit edition.json too.  It catches the
 * honest mistake and the casual shortcut, and tells an instructor who
 * grades a learner's whole tree which files to look at; the grading that
 * counts (batch, the platforms) takes only the learner's files and uses
 * the instructor's own copies of everything else.
 */
#include "grader.h"
#include "course/sha256.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* See grader.h. */
int gr_manifest_check(const char *course, gr_report *r)
{
    char *path = course_fmt("%s/" GR_MANIFEST, course);
    char *text = course_read_file(path, NULL);
    free(path);
    if (!text)
        return 0; /* not a student edition */
    json_error_t err;
    json_t *m = json_loads(text, 0, &err);
    free(text);
    json_t *prot = json_object_get(m, "protected");
    gr_check *c = gr_report_add(r, "integrity", "unchanged_files", 0);
    if (!json_is_object(prot)) {
        gr_check_set(c, GR_ERROR, 0, GR_MANIFEST " is not a manifest (line %d: %s)",
                     err.line, m ? "no \"protected\" object" : err.text);
        json_decref(m);
        return -EINVAL;
    }
    char *changed = course_xstrdup("");
    size_t n = 0, total = 0;
    const char *file;
    json_t *want;
    json_object_foreach(prot, file, want)
    {
        char *p = course_fmt("%s/%s", course, file);
        char got[2 * COURSE_SHA256_LEN + 1];
        int rc = course_sha256_file(p, got);
        free(p);
        total++;
        if (rc == 0 && json_is_string(want) && !strcmp(got, json_string_value(want)))
            continue;
        char *s = course_fmt("%s%s%s%s", changed, n ? ", " : "", file,
                             rc == -ENOENT ? " (deleted)" : "");
        free(changed);
        changed = s;
        n++;
    }
    if (n)
        gr_check_set(c, GR_FAIL, 0,
                     "%zu file(s) you should not edit differ from the workbook's: %s "
                     "(`git checkout -- FILE` restores one)",
                     n, changed);
    else
        gr_check_set(c, GR_PASS, 0, "the %zu provided files are as released", total);
    free(changed);
    json_decref(m);
    return 0;
}
