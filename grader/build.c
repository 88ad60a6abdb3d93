/*
 * build.c - the scratch directory and the compiler.
 *
 * The learner's files are never touched: we copy the ones exercise.yaml
 * lists (and only those) into a fresh directory and build there.  The copy
 * refuses symlinks (O_NOFOLLOW) and anything that is not a regular file,
 * so a "file" that points at ~/.ssh/id_rsa or /dev/zero is a clear error,
 * not a surprise.  Compiler output is kept exactly as the compiler gave it:
 * a learner must see the messages they would see in their own terminal.
 */
#include "grader.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *gr_variant_name(gr_variant v)
{
    static const char *const names[] = {"rel", "tsan", "asan"};
    return names[v];
}

static int S_exists(const char *dir, const char *file)
{
    char *p = gr_fmt("%s/%s", dir, file);
    int ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

/* Strips the last path component in place ("/a/b/c" -> "/a/b"). */
static void S_dirname(char *p)
{
    char *s = strrchr(p, '/');
    if (s && s != p)
        *s = '\0';
}

int gr_paths_find(gr_paths *p)
{
    memset(p, 0, sizeof *p);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    const char *env = getenv("GRADER_REPO");
    if (env && *env) {
        char real[PATH_MAX];
        p->repo = gr_xstrdup(realpath(env, real) ? real : env);
    } else {
        /* The binary lives in <repo>/<build>/bin: walk up to runtime/include/rt.h. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", exe);
        while (strcmp(dir, "/") && strchr(dir, '/') != dir + strlen(dir)) {
            S_dirname(dir);
            if (S_exists(dir, "runtime/include/rt.h")) {
                p->repo = gr_xstrdup(dir);
                break;
            }
            if (!strchr(dir + 1, '/'))
                break;
        }
    }
    if (!p->repo) {
        fprintf(stderr, "grader: cannot find the workbook (runtime/include/rt.h); set "
                        "GRADER_REPO\n");
        return -ENOENT;
    }
    env = getenv("GRADER_BUILD");
    if (env && *env) {
        p->build = gr_xstrdup(env);
    } else {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", exe);
        S_dirname(dir); /* .../bin */
        S_dirname(dir); /* .../<build> */
        size_t rl = strlen(p->repo);
        p->build = (!strncmp(dir, p->repo, rl) && dir[rl] == '/')
                       ? gr_xstrdup(dir)
                       : gr_fmt("%s/build", p->repo);
    }
    return 0;
}

int gr_scratch_prepare(const gr_exercise *ex, const char *from, char **scratch)
{
    *scratch = NULL;
    const char *base = getenv("GRADER_SCRATCH");
    char *root = base && *base ? gr_xstrdup(base) : NULL;
    if (!root) {
        gr_paths p;
        if (gr_paths_find(&p) < 0)
            return -ENOENT;
        root = gr_fmt("%s/scratch", p.build);
        free(p.repo);
        free(p.build);
    }
    int rc = gr_mkdir_p(root, 0755);
    if (rc < 0) {
        fprintf(stderr, "grader: cannot create %s: %s\n", root, strerror(-rc));
        free(root);
        return rc;
    }
    char *tmpl = gr_fmt("%s/%s-XXXXXX", root, ex->id);
    free(root);
    if (!mkdtemp(tmpl)) {
        rc = -errno;
        fprintf(stderr, "grader: cannot create a scratch directory: %s\n",
                strerror(errno));
        free(tmpl);
        return rc;
    }
    *scratch = tmpl;
    const char *src = from ? from : ex->dir;
    for (size_t i = 0; i < ex->files.n; i++) {
        char *f = gr_fmt("%s/%s", src, ex->files.v[i]);
        char *t = gr_fmt("%s/%s", tmpl, ex->files.v[i]);
        struct stat st;
        if (lstat(f, &st) < 0) {
            rc = -errno;
            fprintf(stderr,
                    "grader: %s: missing (%s; `grader reset %s` restores the "
                    "starter)\n",
                    f, strerror(errno), ex->id);
        } else if (S_ISLNK(st.st_mode)) {
            rc = -ELOOP;
            fprintf(stderr,
                    "grader: %s: is a symbolic link; the grader copies only "
                    "regular files (replace it by the file itself)\n",
                    f);
        } else if (!S_ISREG(st.st_mode)) {
            rc = -EINVAL;
            fprintf(stderr, "grader: %s: not a regular file\n", f);
        } else if ((rc = gr_copy_file(f, t, 0644)) < 0) {
            fprintf(stderr, "grader: %s: cannot copy: %s\n", f, strerror(-rc));
        }
        free(f);
        free(t);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; i < ex->driver.n; i++) {
        char *f = gr_fmt("%s/%s", ex->dir, ex->driver.v[i]);
        char *t = gr_fmt("%s/%s", tmpl, ex->driver.v[i]);
        rc = gr_copy_file(f, t, 0644);
        if (rc == -EEXIST)
            rc = 0; /* listed as both: the learner's copy wins */
        if (rc < 0)
            fprintf(stderr, "grader: %s: cannot copy: %s\n", f, strerror(-rc));
        free(f);
        free(t);
        if (rc < 0)
            return rc;
    }
    chmod(tmpl, 0755);
    return 0;
}

/* Builds a library of one variant (the runtime's or the exercise kit's)
 * through make if it is missing (a fresh checkout graded before `make`). */
static int S_ensure_lib(const gr_paths *p, gr_variant v, const char *lib, char **log)
{
    if (access(lib, R_OK) == 0)
        return 1;
    char *bdir = gr_fmt("B=%s", p->build);
    char *target = gr_xstrdup(lib);
    char *argv[] = {"/usr/bin/make", "-s", "-C", p->repo, bdir, target, NULL};
    gr_run_opts o = {.cwd = p->repo,
                     .trusted = 1,
                     .limits = {.wall_seconds = 600, .output_kb = 256}};
    gr_run_result r;
    int rc = gr_sandbox_run(argv, &o, &r);
    free(bdir);
    free(target);
    if (rc < 0)
        return rc;
    int ok = r.end == GR_END_EXIT && r.exit_code == 0 && access(lib, R_OK) == 0;
    if (!ok)
        *log = gr_fmt("grader: could not build the library %s (%s):\n%s%s\n",
                      lib, gr_variant_name(v), r.out, r.err);
    gr_run_result_free(&r);
    return ok ? 1 : -ENOENT;
}

int gr_build(const gr_exercise *ex, const gr_paths *p, const char *scratch,
             gr_variant v, char **log)
{
    *log = NULL;
    char *lib = gr_fmt("%s/lib/librt-%s.a", p->build, gr_variant_name(v));
    char *kit = gr_fmt("%s/lib/libexkit-%s.a", p->build, gr_variant_name(v));
    int rc = S_ensure_lib(p, v, lib, log);
    if (rc >= 0)
        rc = S_ensure_lib(p, v, kit, log);
    if (rc < 0) {
        free(lib);
        free(kit);
        return rc;
    }
    gr_strv a = {0};
    const char *cc = getenv("CC");
    char *ccpath = gr_fmt("/usr/bin/%s", cc && *cc && !strchr(cc, '/') ? cc : "cc");
    gr_strv_push(&a, cc && strchr(cc, '/') ? cc : ccpath);
    free(ccpath);
    const char *common[] = {"-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-g"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        gr_strv_push(&a, common[i]);
    for (size_t i = 0; i < ex->cflags.n; i++)
        gr_strv_push(&a, ex->cflags.v[i]);
    if (v == GR_TSAN) {
        gr_strv_push(&a, "-O1");
        gr_strv_push(&a, "-fsanitize=thread");
    } else if (v == GR_ASAN) {
        gr_strv_push(&a, "-O1");
        gr_strv_push(&a, "-fsanitize=address,undefined");
        gr_strv_push(&a, "-fno-omit-frame-pointer");
        gr_strv_push(&a, "-fno-sanitize-recover=undefined");
    }
    char *inc = gr_fmt("-I%s/runtime/include", p->repo);
    gr_strv_push(&a, "-I.");
    gr_strv_push(&a, inc);
    free(inc);
    inc = gr_fmt("-I%s/exercises/common", p->repo);
    gr_strv_push(&a, inc);
    free(inc);
    inc = gr_fmt("-I%s", ex->dir);
    gr_strv_push(&a, inc);
    free(inc);
    for (size_t i = 0; i < ex->files.n; i++)
        if (strstr(ex->files.v[i], ".c"))
            gr_strv_push(&a, ex->files.v[i]);
    for (size_t i = 0; i < ex->driver.n; i++)
        if (strstr(ex->driver.v[i], ".c"))
            gr_strv_push(&a, ex->driver.v[i]);
    gr_strv_push(&a, kit); /* the kit calls the runtime: it comes first */
    gr_strv_push(&a, lib);
    gr_strv_push(&a, "-pthread");
    gr_strv_push(&a, "-lm");
    gr_strv_push(&a, "-o");
    char *outname = gr_fmt("prog-%s", gr_variant_name(v));
    gr_strv_push(&a, outname);
    free(outname);
    free(lib);
    free(kit);

    gr_run_opts o = {.cwd = scratch,
                     .trusted = 1,
                     .limits = {.wall_seconds = 120, .output_kb = 256}};
    const char *keep[] = {"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
    o.env = (char *const *)keep;
    gr_run_result r;
    rc = gr_sandbox_run(a.v, &o, &r);
    gr_strv_free(&a);
    if (rc < 0)
        return rc;
    /* gcc writes diagnostics to stderr; keep both, in that order. */
    *log = gr_fmt("%s%s", r.out, r.err);
    int built = r.end == GR_END_EXIT && r.exit_code == 0;
    if (r.end != GR_END_EXIT) {
        char *why = gr_run_describe(&r, &o.limits);
        char *l2 = gr_fmt("%s\ngrader: the compiler %s\n", *log, why);
        free(*log);
        *log = l2;
        free(why);
    }
    gr_run_result_free(&r);
    return built;
}
