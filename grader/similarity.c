/*
 * similarity.c - `grader similarity DIR --exercise EX`: pairs of student
 * copies ranked by code similarity, with a maintained checker rather than
 * one of our own: Dolos (@dodona/dolos-lib, winnowing over tree-sitter
 * tokens), run by tools/similarity/similarity.mjs.
 *
 * The copies are found as `grader batch` finds them (batch_find.c); each
 * copy's learner files are joined into one file per student, and the
 * exercise's starter files into the one file Dolos leaves out.  Dolos
 * needs Node.js; the first run installs it with npm (`npm ci` from
 * tools/similarity's package.json and lock) into <build>/similarity-node,
 * the way the browser tests install playwright-core, and says so.  It
 * compiles tree-sitter grammars, so the first run takes minutes.
 */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs argv with cwd dir; returns the exit status (-1: could not run). */
static int S_spawn(const char *dir, char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (log && !freopen(log, "w", stdout))
            _exit(127);
        if (log)
            dup2(1, 2);
        if (dir && chdir(dir) < 0)
            _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether the two files have the same bytes. */
static int S_same(const char *a, const char *b)
{
    size_t la, lb;
    char *x = course_read_file(a, &la), *y = course_read_file(b, &lb);
    int same = x && y && la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

/* Makes sure Dolos is installed in nodedir; returns 0 or an exit code
 * after saying what to do. */
static int S_install(const gr_paths *p, const char *nodedir)
{
    char *here = course_fmt("%s/tools/similarity", p->repo);
    char *lock = course_fmt("%s/package-lock.json", here);
    char *have = course_fmt("%s/package-lock.json", nodedir);
    char *mod = course_fmt("%s/node_modules/@dodona/dolos-lib/package.json", nodedir);
    int rc = 0;
    if (S_same(lock, have) && access(mod, R_OK) == 0)
        goto out;
    char *np[] = {"npm", "--version", NULL}, *nd[] = {"node", "--version", NULL};
    if (S_spawn(NULL, nd, "/dev/null") != 0 || S_spawn(NULL, np, "/dev/null") != 0) {
        fprintf(stderr, "grader similarity: Dolos runs on Node.js; install it first:\n"
                        "    sudo apt-get install -y nodejs npm\n");
        rc = GR_EXIT_INTERNAL;
        goto out;
    }
    fprintf(
        stderr,
        "grader similarity: installing Dolos (@dodona/dolos-lib, pinned) into %s "
        "with npm; the first time takes minutes (it compiles tree-sitter grammars)\n",
        nodedir);
    course_mkdir_p(nodedir, 0755);
    char *pkg = course_fmt("%s/package.json", here);
    char *pkg_to = course_fmt("%s/package.json", nodedir);
    gr_copy_file(pkg, pkg_to, 0644);
    gr_copy_file(lock, have, 0644);
    free(pkg);
    free(pkg_to);
    char *log = course_fmt("%s/npm.log", nodedir);
    setenv("JOBS", "max", 0); /* node-gyp: compile on every core */
    char *ci[] = {"npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", NULL};
    if (S_spawn(nodedir, ci, log) != 0 || access(mod, R_OK) < 0) {
        fprintf(stderr, "grader similarity: npm ci failed; see %s\n", log);
        unlink(have); /* try again next time */
        rc = GR_EXIT_INTERNAL;
    }
    free(log);
out:
    free(here);
    free(lock);
    free(have);
    free(mod);
    return rc;
}

/* Joins the learner files found in stage (or, for the starter, in dir)
 * into one file at to.  Returns the number of files joined. */
static int S_join(const gr_exercise *ex, const char *dir, const char *to)
{
    FILE *f = fopen(to, "w");
    int n = 0;
    for (size_t i = 0; f && i < ex->files.n; i++) {
        char *p = course_fmt("%s/%s", dir, ex->files.v[i]);
        char *t = course_read_file(p, NULL);
        if (t) {
            fprintf(f, "%s%s", t, *t && t[strlen(t) - 1] != '\n' ? "\n" : "");
            n++;
        }
        free(t);
        free(p);
    }
    if (f)
        fclose(f);
    return n;
}

/* See grader.h. */
int gr_similarity(const char *dir, const gr_exercise *ex, const char *out, int top,
                  const gr_paths *p)
{
    char *nodedir = course_fmt("%s/similarity-node", p->build);
    int rc = S_install(p, nodedir);
    if (rc) {
        free(nodedir);
        return rc;
    }
    gr_copy *copies;
    size_t n;
    const char *layout;
    if (gr_copies_find(dir, &copies, &n, &layout) < 0) {
        free(nodedir);
        return GR_EXIT_USAGE;
    }
    char tmpl[] = "/tmp/grader-similarity-XXXXXX";
    const char *tmp = mkdtemp(tmpl);
    char *trimmed = course_xstrdup(dir);
    while (strlen(trimmed) > 1 && trimmed[strlen(trimmed) - 1] == '/')
        trimmed[strlen(trimmed) - 1] = '\0';
    char *dest = out ? course_xstrdup(out) : course_fmt("%s-similarity.html", trimmed);
    free(trimmed);
    course_strv argv = {0};
    char *script = course_fmt("%s/tools/similarity/similarity.mjs", p->repo);
    char *starter = tmp ? course_fmt("%s/starter.c", tmp) : NULL;
    course_strv_push(&argv, "node");
    course_strv_push(&argv, script);
    if (starter && S_join(ex, ex->dir, starter) > 0) {
        course_strv_push(&argv, "--ignore");
        course_strv_push(&argv, starter);
    }
    course_strv_push(&argv, "--out");
    course_strv_push(&argv, dest);
    char topbuf[16];
    snprintf(topbuf, sizeof topbuf, "%d", top > 0 ? top : 50);
    course_strv_push(&argv, "--top");
    course_strv_push(&argv, topbuf);
    size_t used = 0;
    for (size_t i = 0; tmp && i < n; i++) {
        char *stage = course_fmt("%s/stage/%s", tmp, copies[i].id);
        char *joined = course_fmt("%s/%s.c", tmp, copies[i].id);
        course_strv missing = {0};
        char fp[65];
        if (gr_copy_stage(&copies[i], ex, stage, &missing, fp) == 0 &&
            missing.n < ex->files.n && S_join(ex, stage, joined) > 0) {
            course_strv_push(&argv, joined);
            used++;
        }
        course_strv_free(&missing);
        free(stage);
        free(joined);
    }
    if (!tmp || used < 2) {
        fprintf(stderr,
                "grader similarity: %zu copies with the exercise's files under %s: "
                "nothing to compare\n",
                used, dir);
        rc = GR_EXIT_USAGE;
    } else {
        char *env = course_fmt("%s/node_modules", nodedir);
        setenv("NODE_PATH", env, 1);
        free(env);
        /* ESM ignores NODE_PATH: run from the install so that imports resolve. */
        char *link = course_fmt("%s/similarity.mjs", nodedir);
        unlink(link);
        gr_copy_file(script, link, 0644);
        free(argv.v[1]);
        argv.v[1] = link;
        fprintf(stderr, "grader similarity: %zu copies (%s), starter code left out\n",
                used, layout);
        rc = S_spawn(NULL, argv.v, NULL) == 0 ? GR_EXIT_PASS : GR_EXIT_INTERNAL;
    }
    if (tmp)
        gr_rm_rf(tmp);
    course_strv_free(&argv);
    free(script);
    free(starter);
    free(dest);
    free(nodedir);
    gr_copies_free(copies, n);
    return rc;
}
