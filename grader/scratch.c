/*
 * scratch.c - the scratch directory of one grading, and what goes in it.
 *
 * The learner's files are never touched: we copy the ones exercise.yaml
 * lists (and only those) into a fresh directory and build there.  The copy
 * refuses symlinks (O_NOFOLLOW) and anything that is not a regular file.
 * The compiler sees only this directory and system headers:
 *
 *   <scratch>/pre/     the learner's files; the plain build's working dir
 *   <scratch>/inc/     the runtime's public headers and the exercise's own
 *                      (exNN.h): the learner's only include directory, so
 *                      rt_internal.h or ../solutions/ cannot be #included
 *   <scratch>/kit/     the exercise kit's headers (for the driver only)
 *   <scratch>/drv/     the driver's sources
 *   <scratch>/lib/     the runtime and kit libraries, driver objects
 *   <scratch>/obj-V/   the compiler's output for variant V (tsan, asan)
 *   <scratch>/bin/     the binaries that run: only the grader writes here
 *   <scratch>/run*     a program's working directory, its only writable place
 *
 * The scratch root is $GRADER_SCRATCH, else $TMPDIR or /tmp: as root every
 * directory above it must be open to other users (the sandbox's uids must
 * reach their working directory), which a checkout in /root is not.
 */
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Strips the last path component in place ("/a/b/c" -> "/a/b"). */
static void S_dirname(char *p)
{
    char *s = strrchr(p, '/');
    if (s && s != p)
        *s = '\0';
    else if (s)
        s[1] = '\0';
}

/* Every .h file of dir whose name passes keep() (sorted), full paths. */
static void S_headers(const char *dir, int (*keep)(const char *, const void *),
                      const void *arg, gr_strv *out)
{
    struct dirent **v;
    int n = scandir(dir, &v, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = v[i]->d_name;
        size_t len = strlen(name);
        if (len > 2 && !strcmp(name + len - 2, ".h") && (!keep || keep(name, arg))) {
            char *p = gr_fmt("%s/%s", dir, name);
            gr_strv_push(out, p);
            free(p);
        }
        free(v[i]);
    }
    if (n >= 0)
        free(v);
}

void gr_headers_in(const char *dir, gr_strv *out)
{
    S_headers(dir, NULL, NULL, out);
}

void gr_public_headers(const char *repo, gr_strv *out)
{
    char *inc = gr_fmt("%s/runtime/include", repo);
    S_headers(inc, NULL, NULL, out);
    free(inc);
}

static int S_not_learners(const char *name, const void *arg)
{
    const gr_exercise *ex = arg;
    for (size_t i = 0; i < ex->files.n; i++)
        if (!strcmp(ex->files.v[i], name))
            return 0;
    return 1;
}

static int S_not_internal(const char *name, const void *arg)
{
    (void)arg;
    return !strstr(name, "_internal");
}

/* Copies each of `paths` into dir under its own name. */
static int S_copy_all(const gr_strv *paths, const char *dir, gr_strv *copied)
{
    for (size_t i = 0; i < paths->n; i++) {
        const char *base = strrchr(paths->v[i], '/') + 1;
        char *to = gr_fmt("%s/%s", dir, base);
        int rc = gr_copy_file(paths->v[i], to, 0644);
        if (rc < 0 && rc != -EEXIST) {
            fprintf(stderr, "grader: %s: cannot copy: %s\n", paths->v[i],
                    strerror(-rc));
            free(to);
            return rc;
        }
        if (copied)
            gr_strv_push(copied, to);
        free(to);
    }
    return 0;
}

/* As root: can the sandbox's uids reach `dir`?  Every directory above it
 * must let others through (o+x).  Returns NULL or the one that does not. */
static char *S_unreachable(const char *dir)
{
    char *p = gr_xstrdup(dir);
    for (;;) {
        struct stat st;
        if (stat(p, &st) == 0 && !(st.st_mode & S_IXOTH))
            return p;
        if (!strcmp(p, "/"))
            break;
        S_dirname(p);
    }
    free(p);
    return NULL;
}

static int S_mkdir(gr_scratch *s, const char *name, mode_t mode, char **out)
{
    char *p = gr_fmt("%s/%s", s->dir, name);
    if (mkdir(p, mode) < 0 || chmod(p, mode) < 0) {
        int e = errno;
        fprintf(stderr, "grader: cannot create %s: %s\n", p, strerror(e));
        free(p);
        return -e;
    }
    if (out)
        *out = p;
    else
        free(p);
    return 0;
}

/* Copies the learner's files into pre/ (from `from`, default the exercise
 * directory), refusing symlinks and what is not a regular file. */
static int S_learner_files(const gr_exercise *ex, const char *from, const char *pre)
{
    const char *src = from ? from : ex->dir;
    for (size_t i = 0; i < ex->files.n; i++) {
        char *f = gr_fmt("%s/%s", src, ex->files.v[i]);
        char *t = gr_fmt("%s/%s", pre, ex->files.v[i]);
        struct stat st;
        int rc = 0;
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
    return 0;
}

int gr_scratch_prepare(const gr_exercise *ex, const gr_paths *p, const char *from,
                       gr_scratch *s)
{
    memset(s, 0, sizeof *s);
    s->secret[0] = gr_xstrdup(p->repo);
    s->secret[1] = gr_xstrdup(ex->course);
    s->secret[2] = gr_xstrdup(p->build);
    const char *env = getenv("GRADER_SCRATCH");
    const char *tmp = getenv("TMPDIR");
    char *root = gr_xstrdup(env && *env ? env : tmp && *tmp ? tmp : "/tmp");
    int rc = gr_mkdir_p(root, 0755);
    if (rc < 0) {
        fprintf(stderr, "grader: cannot create %s: %s\n", root, strerror(-rc));
        free(root);
        return rc;
    }
    char *bad = gr_isolation_get()->root ? S_unreachable(root) : NULL;
    if (bad) {
        fprintf(stderr,
                "grader: the sandbox's users cannot reach %s (%s is closed to "
                "others): set GRADER_SCRATCH to a directory they can reach, or leave "
                "it unset (%s)\n",
                root, bad, tmp && *tmp ? "then TMPDIR is used" : "then /tmp is used");
        free(bad);
        free(root);
        return -EACCES;
    }
    s->dir = gr_fmt("%s/grader-%s-XXXXXX", root, ex->id);
    free(root);
    if (!mkdtemp(s->dir) || chmod(s->dir, 0711) < 0) {
        rc = -errno;
        fprintf(stderr, "grader: cannot create a scratch directory: %s\n",
                strerror(errno));
        free(s->dir);
        s->dir = NULL;
        return rc;
    }
    if ((rc = S_mkdir(s, "pre", 0755, &s->pre)) < 0 ||
        (rc = S_mkdir(s, "inc", 0755, &s->inc)) < 0 ||
        (rc = S_mkdir(s, "kit", 0755, &s->kit)) < 0 ||
        (rc = S_mkdir(s, "drv", 0755, &s->drv)) < 0 ||
        (rc = S_mkdir(s, "lib", 0755, &s->lib)) < 0 ||
        (rc = S_mkdir(s, "bin", 0755, &s->bin)) < 0)
        return rc;
    if ((rc = S_learner_files(ex, from, s->pre)) < 0)
        return rc;
    /* The headers the learner may include: public runtime, the exercise's. */
    gr_strv pub = {0}, own = {0}, kit = {0};
    gr_public_headers(p->repo, &pub);
    S_headers(ex->dir, S_not_learners, ex, &own);
    char *kitdir = gr_fmt("%s/exercises/common", p->repo);
    S_headers(kitdir, S_not_internal, NULL, &kit);
    free(kitdir);
    rc = S_copy_all(&pub, s->inc, &s->public_headers);
    if (rc == 0)
        rc = S_copy_all(&own, s->inc, &s->exercise_headers);
    if (rc == 0)
        rc = S_copy_all(&kit, s->kit, NULL);
    gr_strv_free(&pub);
    gr_strv_free(&own);
    gr_strv_free(&kit);
    for (size_t i = 0; rc == 0 && i < ex->driver.n; i++) {
        char *f = gr_fmt("%s/%s", ex->dir, ex->driver.v[i]);
        char *t = gr_fmt("%s/%s", s->drv, ex->driver.v[i]);
        rc = gr_copy_file(f, t, 0644);
        if (rc < 0)
            fprintf(stderr, "grader: %s: cannot copy: %s\n", f, strerror(-rc));
        free(f);
        free(t);
    }
    return rc;
}

void gr_scratch_free(gr_scratch *s, int keep)
{
    if (s->dir && !keep)
        gr_rm_rf(s->dir);
    free(s->dir);
    free(s->pre);
    free(s->inc);
    free(s->kit);
    free(s->drv);
    free(s->lib);
    free(s->bin);
    gr_strv_free(&s->public_headers);
    gr_strv_free(&s->exercise_headers);
    for (int v = 0; v < GR_NVARIANTS; v++)
        gr_binary_free(&s->prog[v]);
    for (int i = 0; s->secret[i]; i++)
        free(s->secret[i]);
    memset(s, 0, sizeof *s);
}

char *gr_scratch_rundir(const gr_scratch *s, const char *name)
{
    char *p = gr_fmt("%s/%s", s->dir, name);
    gr_rm_rf(p); /* what an earlier run left behind is gone */
    if (mkdir(p, 0755) < 0 && errno != EEXIST) {
        free(p);
        return NULL;
    }
    chmod(p, 0755);
    return p;
}
