/* exercise.c - the exercise panel at the end of each chapter.
 *
 * Chapter N's exercise lives in exercises/NN/: README.md (the task) and
 * exercise.yaml (metadata, owned by the grader).  The panel shows the task,
 * the files the learner edits (exercise.yaml's `files:` list), highlighted,
 * the learner's progress from the gradebook, and the exact line to submit.
 *
 * The metadata is read by the course library (course/exercise.h) with the
 * grader's rules, so a file the grader refuses is refused here too, with
 * the same "exercises/NN/exercise.yaml:LINE: message" errors; the panel
 * uses `title` and `files` (plain names in the exercise folder).
 */
#include "site.h"

#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *S_dir(const char *exdir, int num)
{
    sb p = {0};
    sb_printf(&p, "%s/%02d", exdir, num);
    return sb_take(&p);
}

int exercise_exists(const char *exdir, int num)
{
    char *d = S_dir(exdir, num);
    struct stat st;
    int ok = stat(d, &st) == 0 && S_ISDIR(st.st_mode);
    free(d);
    return ok;
}

/* The metadata of the exercise in dir, read with the course's rules (only
 * `id` is required: the panel shows what else is there).  Returns NULL,
 * with the mistakes in d, if the file breaks the rules; a folder without
 * exercise.yaml gives an empty record (the panel then shows the task
 * alone). */
static course_exercise *S_meta(const char *dir, course_diags *d)
{
    char *path = path_join(dir, "exercise.yaml");
    int present = access(path, F_OK) == 0;
    free(path);
    if (!present)
        return course_xcalloc(1, sizeof(course_exercise));
    return course_exercise_load(NULL, dir, 0, d);
}

/* See site.h.  A broken exercise.yaml gives no title here; the panel
 * reports its mistakes. */
char *exercise_title(const char *exdir, int num)
{
    char *dir = S_dir(exdir, num);
    course_diags d = {0};
    course_exercise *m = S_meta(dir, &d);
    char *t = m ? course_xstrdup(m->title) : NULL;
    course_exercise_free(m);
    course_diags_free(&d);
    free(dir);
    return t;
}

/* Renders the task README into out.  Its first "# " heading is dropped (the
 * panel has its own), other headings move one level down, C code blocks
 * are highlighted, and links that point into the exercise folder become
 * plain text: those files are not part of the site, and the panel shows
 * the ones that matter.  Raw HTML is left out (cmark's safe mode). */
static void S_render_task(const char *md, size_t len, sb *out)
{
    enum { MAXN = 512 };
    cmark_parser *parser = md_parser(CMARK_OPT_DEFAULT);
    cmark_parser_feed(parser, md, len);
    cmark_node *doc = cmark_parser_finish(parser);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    cmark_node *drop = NULL, *links[MAXN], *code[MAXN];
    int nlinks = 0, ncode = 0;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node_type t = cmark_node_get_type(n);
        if (t == CMARK_NODE_HEADING) {
            int lvl = cmark_node_get_heading_level(n);
            if (lvl == 1 && !drop)
                drop = n;
            else
                cmark_node_set_heading_level(n, lvl < 6 ? lvl + 1 : 6);
        } else if ((t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) && nlinks < MAXN) {
            const char *url = cmark_node_get_url(n);
            if (url && !strstr(url, "://") && strncmp(url, "mailto:", 7) != 0)
                links[nlinks++] = n;
        } else if (t == CMARK_NODE_CODE_BLOCK && ncode < MAXN) {
            code[ncode++] = n;
        }
    }
    cmark_iter_free(it);
    for (int i = 0; i < nlinks; i++) {
        cmark_node *n = links[i], *c;
        while ((c = cmark_node_first_child(n)) != NULL)
            cmark_node_insert_before(n, c);
        cmark_node_free(n);
    }
    for (int i = 0; i < ncode; i++) {
        fence f;
        site_err e;
        const char *src = cmark_node_get_literal(code[i]);
        sb html = {0};
        fence_parse(cmark_node_get_fence_info(code[i]), &f, &e);
        sb_puts(&html, "<pre class=\"code\"><code>");
        highlight(f.name, src, strlen(src), &html);
        sb_puts(&html, "</code></pre>\n");
        cmark_node *blk = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
        cmark_node_set_on_enter(blk, sb_str(&html));
        cmark_node_insert_before(code[i], blk);
        cmark_node_free(code[i]);
        sb_free(&html);
    }
    if (drop)
        cmark_node_free(drop);
    char *html = cmark_render_html(doc, CMARK_OPT_DEFAULT,
                                   cmark_parser_get_syntax_extensions(parser));
    sb_puts(out, html);
    free(html);
    cmark_node_free(doc);
    cmark_parser_free(parser);
}

int exercise_panel(const char *exdir, int num, const grade *g, sb *out, course_diags *d)
{
    sb_puts(out, "<section class=\"exercise\" id=\"exercise\" "
                 "aria-labelledby=\"exercise-title\">\n");
    if (!exercise_exists(exdir, num)) {
        sb_printf(out,
                  "<h2 id=\"exercise-title\">Exercise %02d <a class=\"anchor\" "
                  "href=\"#exercise-title\">#</a></h2>\n"
                  "<p class=\"ex-missing\">This chapter's exercise is not available "
                  "yet.</p>\n"
                  "</section>\n",
                  num);
        return 0;
    }
    char *dir = S_dir(exdir, num);
    course_exercise *m = S_meta(dir, d);
    if (!m) {
        free(dir);
        return -1;
    }
    int rc = 0;
    sb_printf(out, "<h2 id=\"exercise-title\">Exercise %02d", num);
    if (m->title) {
        sb_puts(out, ": ");
        sb_html(out, m->title, strlen(m->title));
    }
    sb_puts(out, " <a class=\"anchor\" href=\"#exercise-title\">#</a></h2>\n");
    if (g && g->attempts) {
        sb_printf(out,
                  "<p class=\"ex-state %s\">%s: best score %g / %g after %d attempt%s "
                  "(last %s).</p>\n",
                  g->passed ? "passed" : "tried",
                  g->passed ? "Passed" : "Not passed yet", g->best_score, g->max_score,
                  g->attempts, g->attempts == 1 ? "" : "s", g->last);
    }
    char *readme_path = path_join(dir, "README.md");
    size_t len;
    char *readme = course_read_file(readme_path, &len);
    free(readme_path);
    sb_puts(out, "<div class=\"ex-task\">\n");
    if (readme) {
        S_render_task(readme, len, out);
        free(readme);
    } else {
        sb_puts(out, "<p>The task description (README.md) is not written yet.</p>\n");
    }
    sb_puts(out, "</div>\n");
    if (m->files.n)
        sb_puts(out, "<h3 id=\"exercise-files\">Files you edit <a class=\"anchor\" "
                     "href=\"#exercise-files\">#</a></h3>\n");
    /* The reader made sure each name is a plain file name of this folder. */
    for (size_t i = 0; i < m->files.n && rc == 0; i++) {
        char *fp = path_join(dir, m->files.v[i]);
        size_t n;
        char *src = course_read_file(fp, &n);
        if (!src) {
            course_diag_add(d, m->yaml_path, 0, 0, "files: cannot read %s: %s",
                            m->files.v[i], strerror(errno));
            rc = -1;
            free(fp);
            break;
        }
        sb_printf(out, "<details class=\"ex-file\"%s><summary><code>exercises/%02d/",
                  i == 0 ? " open" : "", num);
        sb_html(out, m->files.v[i], strlen(m->files.v[i]));
        sb_puts(out, "</code></summary>\n<pre class=\"code\"><code>");
        highlight(lang_of_path(m->files.v[i]), src, n, out);
        sb_puts(out, "</code></pre>\n</details>\n");
        free(src);
        free(fp);
    }
    sb_printf(
        out,
        "<p class=\"ex-submit\">When it works, submit it:</p>\n"
        "<pre class=\"code submit\"><code>grader submit exercises/%02d</code></pre>\n"
        "</section>\n",
        num);
    course_exercise_free(m);
    free(dir);
    return rc;
}
