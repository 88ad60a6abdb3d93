/* main.c - sitegen: renders the book (chapters/NN-slug.md) to a static site.
 *
 *   sitegen [--root DIR] [--gradebook FILE] [--theme DIR] [--out DIR]
 *           [--page N] [--quiet]
 *
 * Reads DIR/chapters (default: the current directory's) and DIR/exercises,
 * and the learner's progress from the gradebook (FILE, default
 * $GRADER_GRADEBOOK or DIR/.workbook/gradebook.sqlite, as the grader),
 * writes OUT (default build/site): one page per chapter, index.html,
 * print.html, bench.html, search-index.js, the theme's CSS and JS, the
 * figures the chapters use and their timelines' traces (as scripts), and,
 * when they are missing, the live data files of data.c.  --page N prints the path of
 * chapter N's page at the end.
 *
 * All or nothing: every chapter is rendered in memory first, and if any has
 * an error (printed as "chapters/NN-x.md:LINE: message") nothing is written,
 * so a broken edit never replaces a good page.  Files are then written one by
 * one with write-and-rename; a reader sees old or new files, never half of
 * one; chapter pages no chapter produces any more are removed.  Exit
 * status: 0 built, 1 errors in the book, 2 usage or I/O error.
 */
#include "parts.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double S_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int S_by_name(const void *a, const void *b)
{
    return strcmp(((const chapter *)a)->name, ((const chapter *)b)->name);
}

/* "03-threads-and-the-gil.md": two digits, a dash, a slug, ".md". */
static int S_is_chapter_file(const char *f)
{
    size_t n = strlen(f);
    return n > 6 && f[0] >= '0' && f[0] <= '9' && f[1] >= '0' && f[1] <= '9' &&
           f[2] == '-' && strcmp(f + n - 3, ".md") == 0;
}

/* Finds the chapters in b->chapdir, sorted by number.  Returns 0 or -1. */
static int S_find_chapters(book *b)
{
    DIR *d = opendir(b->chapdir);
    if (!d) {
        fprintf(stderr, "sitegen: cannot open %s/\n", b->chapdir);
        return -1;
    }
    int cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (!S_is_chapter_file(ent->d_name))
            continue;
        if (b->n == cap) {
            cap = cap ? 2 * cap : 16;
            b->ch = course_xrealloc(b->ch, sizeof *b->ch * (size_t)cap);
        }
        chapter *c = &b->ch[b->n++];
        memset(c, 0, sizeof *c);
        c->path = path_join(b->chapdir, ent->d_name);
        c->name = course_xstrdup(ent->d_name);
        c->name[strlen(c->name) - 3] = '\0';
        c->num = (ent->d_name[0] - '0') * 10 + (ent->d_name[1] - '0');
    }
    closedir(d);
    if (b->n)
        qsort(b->ch, (size_t)b->n, sizeof *b->ch, S_by_name);
    for (int i = 1; i < b->n; i++) {
        if (b->ch[i].num == b->ch[i - 1].num) {
            book_error(b, &b->ch[i], 0, "chapter number %02d is also used by %s",
                       b->ch[i].num, b->ch[i - 1].path);
        }
    }
    return 0;
}

/* One output file. */
typedef struct outfile {
    char *rel;  /* path under the output directory */
    char *data; /* caller frees */
    size_t len;
} outfile;

static int S_write(const char *outdir, outfile *f)
{
    char *path = path_join(outdir, f->rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    int rc = course_mkdir_p(path, 0777);
    *slash = '/';
    if (rc == 0)
        rc = course_write_file(path, f->data, f->len);
    if (rc != 0)
        fprintf(stderr, "sitegen: cannot write %s\n", path);
    free(path);
    return rc;
}

/* Reads dir/rel into f, to be written as rel.  Returns 0, or -1 after
 * saying why. */
static int S_copy_in(outfile *f, const char *dir, const char *rel)
{
    char *p = path_join(dir, rel);
    f->rel = course_xstrdup(rel);
    f->data = course_read_file(p, &f->len);
    if (!f->data)
        fprintf(stderr, "sitegen: cannot read %s\n", p);
    free(p);
    return f->data ? 0 : -1;
}

/* Removes chapter pages ("NN-*.html") in outdir that this build did not
 * write: a chapter renamed or removed must not linger in the site, with
 * its stale links, for an old bookmark to find.  Nothing else in outdir is
 * touched. */
static void S_remove_stale(const char *outdir, const outfile *files, int n)
{
    DIR *d = opendir(outdir);
    if (!d)
        return;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        const char *f = ent->d_name;
        size_t len = strlen(f);
        if (!(len > 8 && f[0] >= '0' && f[0] <= '9' && f[1] >= '0' && f[1] <= '9' &&
              f[2] == '-' && strcmp(f + len - 5, ".html") == 0))
            continue;
        int current = 0;
        for (int i = 0; i < n && !current; i++)
            current = strcmp(files[i].rel, f) == 0;
        if (!current) {
            char *p = path_join(outdir, f);
            unlink(p);
            free(p);
        }
    }
    closedir(d);
}

static void S_usage(void)
{
    fputs("usage: sitegen [--root DIR] [--gradebook FILE] [--theme DIR] [--out DIR]\n"
          "               [--page N] [--quiet]\n"
          "Renders DIR/chapters/NN-slug.md to a static site in OUT (default "
          "build/site).\n",
          stderr);
}

int main(int argc, char **argv)
{
    const char *root = ".", *gradebook = NULL, *theme = "site/theme",
               *out = "build/site";
    int page = -1, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            S_usage();
            return 0;
        }
        if (!v) {
            S_usage();
            return 2;
        }
        if (strcmp(a, "--root") == 0)
            root = v;
        else if (strcmp(a, "--gradebook") == 0)
            gradebook = v;
        else if (strcmp(a, "--theme") == 0)
            theme = v;
        else if (strcmp(a, "--out") == 0)
            out = v;
        else if (strcmp(a, "--page") == 0)
            page = atoi(v);
        else {
            S_usage();
            return 2;
        }
        i++;
    }
    double t0 = S_now_ms();
    book b = {0};
    b.root = root;
    int dot_root = strcmp(root, ".") == 0;
    char *chapdir = dot_root ? course_xstrdup("chapters") : path_join(root, "chapters");
    char *exdir = dot_root ? course_xstrdup("exercises") : path_join(root, "exercises");
    b.chapdir = chapdir;
    b.exdir = exdir;
    site_err e = {0};
    if (page_init(theme, &e) != 0) {
        fprintf(stderr, "sitegen: %s\n", e.msg);
        return 2;
    }
    if (S_find_chapters(&b) != 0)
        return 2;
    if (b.n == 0) {
        fprintf(stderr, "sitegen: no chapters (NN-slug.md) in %s/\n", chapdir);
        return 1;
    }
    int gb_default;
    char *gbpath = course_gradebook_path(root, gradebook, &gb_default);
    if (gb_default && access(gbpath, F_OK) < 0) {
        /* The grader kept its gradebook in build/ before .workbook/; it moves
         * the file on its next run.  Until then, show what is there. */
        char *old = path_join(root, "build/gradebook.sqlite");
        if (access(old, F_OK) == 0) {
            free(gbpath);
            gbpath = old;
        } else {
            free(old);
        }
    }
    course_gradebook_progress(gbpath, b.grades, 100, &b.grade_note);
    free(gbpath);
    for (int i = 0; i < b.n; i++)
        chapter_load(&b, &b.ch[i]);
    if (b.errors == 0)
        for (int i = 0; i < b.n; i++)
            chapter_render(&b, &b.ch[i]);
    dot_shutdown();

    int rc = 0;
    if (b.errors) {
        fprintf(stderr, "sitegen: %d error%s; nothing written to %s/\n", b.errors,
                b.errors == 1 ? "" : "s", out);
        rc = 1;
        goto done;
    }

    /* Everything rendered: now make the files, then write them. */
    static const char *const theme_files[] = {"book.css", "book.js", "live.js",
                                              "timeline.js"};
    enum { NTHEME = sizeof theme_files / sizeof theme_files[0] };
    int ntimeline = 0;
    const char *rel, *data;
    while (timeline_file(ntimeline, &rel, &data) == 0)
        ntimeline++;
    int nfiles = b.n + 4 + NTHEME + b.nassets + ntimeline;
    outfile *files = course_xcalloc((size_t)nfiles, sizeof *files);
    int k = 0;
    for (int i = 0; i < b.n; i++) {
        sb name = {0};
        sb_printf(&name, "%s.html", b.ch[i].name);
        files[k].rel = sb_take(&name);
        files[k++].data = page_chapter(&b, i);
    }
    files[k].rel = course_xstrdup("index.html");
    files[k++].data = page_index(&b);
    files[k].rel = course_xstrdup("print.html");
    files[k++].data = page_print(&b);
    files[k].rel = course_xstrdup("bench.html");
    files[k++].data = page_bench(&b);
    files[k].rel = course_xstrdup("search-index.js");
    files[k++].data = page_search_index(&b);
    for (int i = 0; i < NTHEME; i++)
        rc |= S_copy_in(&files[k++], theme, theme_files[i]);
    for (int i = 0; i < b.nassets; i++)
        rc |= S_copy_in(&files[k++], chapdir, b.assets[i]);
    for (int i = 0; i < ntimeline && timeline_file(i, &rel, &data) == 0; i++) {
        files[k].rel = course_xstrdup(rel);
        files[k++].data = course_xstrdup(data);
    }
    if (rc)
        rc = 2;
    for (int i = 0; i < k && rc == 0; i++) {
        if (!files[i].len)
            files[i].len = strlen(files[i].data);
        if (S_write(out, &files[i]) != 0)
            rc = 2;
    }
    if (rc == 0)
        S_remove_stale(out, files, k);
    if (rc == 0 && data_placeholders(out) != 0)
        rc = 2;
    for (int i = 0; i < k; i++) {
        free(files[i].rel);
        free(files[i].data);
    }
    free(files);
    if (rc == 0 && !quiet)
        printf("sitegen: %d chapter%s, %d figure%s -> %s/index.html (%.0f ms)\n", b.n,
               b.n == 1 ? "" : "s", b.nassets, b.nassets == 1 ? "" : "s", out,
               S_now_ms() - t0);
    if (rc == 0 && page >= 0) {
        int found = 0;
        for (int i = 0; i < b.n; i++) {
            if (b.ch[i].num == page) {
                printf("%s/%s.html\n", out, b.ch[i].name);
                found = 1;
            }
        }
        if (!found) {
            fprintf(stderr, "sitegen: there is no chapter %d yet\n", page);
            rc = 1;
        }
    }
done:
    for (int i = 0; i < b.n; i++)
        chapter_free(&b.ch[i]);
    free(b.ch);
    for (int i = 0; i < b.nassets; i++)
        free(b.assets[i]);
    free(b.assets);
    free(chapdir);
    free(exdir);
    page_shutdown();
    timeline_shutdown();
    return rc;
}
