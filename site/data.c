/* data.c - the live data files the pages load: the reader's own figures.
 *
 * Two small scripts under OUT/data/ carry what changes between builds:
 *
 *   progress.js   window.GILWB_PROGRESS: exercises and quizzes, written by
 *                 the grader after each `grader submit` and `grader quiz`
 *                 (grader/progress.c)
 *   measured.js   window.GILWB_MEASURED: the reader's own demo runs, traces
 *                 and benchmarks, written by `make chapterN` and `make bench`
 *                 (tools/sitedata.c)
 *
 * They are scripts, not JSON, because a page opened from disk may load a
 * local script but not fetch() a local file.  The pages refer to both, so a
 * build makes each one, empty, when it is missing (a missing script would
 * be a console error), and never replaces one: their writers own them.
 */
#include "parts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name, *text;
} S_files[] = {
    {"progress.js",
     "/* The reader's progress: written by the grader after each `grader "
     "submit`\n * and `grader quiz` (`grader progress` writes it now).  "
     "Nothing yet. */\nwindow.GILWB_PROGRESS = null;\n"},
    {"measured.js",
     "/* The reader's own measurements: written by `make chapterN` and "
     "`make bench`.\n * Nothing yet. */\nwindow.GILWB_MEASURED = null;\n"},
};

/* Creates path with text unless it exists.  The text goes to a scratch
 * file first and is then linked into place: link() fails if a writer got
 * there first, so a grader writing at the same moment is never
 * overwritten.  Returns 0 or -1. */
static int S_create_once(const char *path, const char *text)
{
    if (access(path, F_OK) == 0)
        return 0;
    sb tmp = {0};
    sb_printf(&tmp, "%s.new%ld", path, (long)getpid());
    FILE *f = fopen(sb_str(&tmp), "w");
    int rc = -1;
    if (f) {
        int ok = fputs(text, f) >= 0;
        ok = fclose(f) == 0 && ok;
        rc = ok && (link(sb_str(&tmp), path) == 0 || errno == EEXIST) ? 0 : -1;
        unlink(sb_str(&tmp));
    }
    sb_free(&tmp);
    return rc;
}

/* See parts.h. */
int data_placeholders(const char *outdir)
{
    char *dir = path_join(outdir, "data");
    int rc = course_mkdir_p(dir, 0755);
    for (size_t i = 0; rc == 0 && i < sizeof S_files / sizeof S_files[0]; i++) {
        char *path = path_join(dir, S_files[i].name);
        rc = S_create_once(path, S_files[i].text);
        if (rc)
            fprintf(stderr, "sitegen: cannot write %s: %s\n", path, strerror(errno));
        free(path);
    }
    free(dir);
    return rc;
}
