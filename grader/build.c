/*
 * build.c - from the learner's files to the binaries the grader runs.
 *
 * One variant (rel, tsan, asan) is built like this, every step of the
 * compiler in the sandbox (its own uid as root, limits, Landlock: it reads
 * system directories and the scratch directory, writes its own output
 * directory; see scratch.c for the layout):
 *
 *   1. rel only: the learner's files compiled alone, `-c -save-temps`: the
 *      preprocessed sources (.i), the assembly (.s) and the objects.  The
 *      sanitized variants compile the same .i files, so code cannot tell
 *      which build it is in (#ifdef __SANITIZE_THREAD__ sees the plain
 *      build's answer) and what was checked in the plain object is what the
 *      sanitized ones hold;
 *   2. the objects are checked (objcheck.c) and the assembly searched for
 *      inline asm: a refusal is the build's verdict, with its reason;
 *   3. the driver's objects: from a cache in the build directory (they do
 *      not depend on the learner's files: key = SHA-256 of the compiler,
 *      flags, driver sources and every header), or compiled meanwhile;
 *   4. linked with the kit and the runtime, and installed in bin/, read-only
 *      and hashed (binary.c).
 * Compiler output is kept exactly as the compiler gave it: a learner must
 * see the messages they would see in their own terminal.
 */
#include "grader.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
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
        char real[PATH_MAX];
        p->build = gr_xstrdup(realpath(env, real) ? real : env);
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

/* ------------------------------------------------------------ libraries */

static pthread_mutex_t S_make_lock = PTHREAD_MUTEX_INITIALIZER;

/* Builds a library (the runtime's or the kit's) through make if it is
 * missing (a fresh checkout graded before `make`).  One make at a time. */
static int S_ensure_lib(const gr_paths *p, const char *lib, char **log)
{
    pthread_mutex_lock(&S_make_lock);
    int rc = 1;
    if (access(lib, R_OK) != 0) {
        char *bdir = gr_fmt("B=%s", p->build);
        char *argv[] = {"/usr/bin/make", "-s", "-C", p->repo, bdir, (char *)lib, NULL};
        gr_run_opts o = {.cwd = p->repo,
                         .profile = GR_PROFILE_TRUSTED,
                         .limits = {.wall_seconds = 600, .output_kb = 256}};
        gr_run_result r;
        rc = gr_sandbox_run(argv, &o, &r);
        free(bdir);
        if (rc == 0) {
            rc = r.end == GR_END_EXIT && r.exit_code == 0 && access(lib, R_OK) == 0
                     ? 1
                     : -ENOENT;
            if (rc < 0)
                *log = gr_fmt("grader: could not build the library %s:\n%s%s\n", lib,
                              r.out, r.err);
            gr_run_result_free(&r);
        }
    }
    pthread_mutex_unlock(&S_make_lock);
    return rc;
}

int gr_scratch_libs(const gr_paths *p, gr_scratch *s, gr_variant v, char **log)
{
    *log = NULL;
    for (int k = 0; k < 2; k++) {
        char *name = gr_fmt("lib%s-%s.a", k ? "exkit" : "rt", gr_variant_name(v));
        char *lib = gr_fmt("%s/lib/%s", p->build, name);
        char *to = gr_fmt("%s/%s", s->lib, name);
        int rc = S_ensure_lib(p, lib, log);
        if (rc >= 0 && access(to, R_OK) != 0) {
            /* The build's own library may be a link (a checkout that shares
             * another's build): the grader's file, so followed; the
             * learner's files never are. */
            char *real = realpath(lib, NULL);
            rc = gr_copy_file(real ? real : lib, to, 0644);
            free(real);
            if (rc < 0)
                *log = gr_fmt("grader: cannot copy %s: %s\n", lib, strerror(-rc));
        }
        free(name);
        free(lib);
        free(to);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ compiler */

/* The compiler: $CC (a name on /usr/bin or a path), else cc, resolved to
 * the real file, since the sandbox runs it by path (caller frees). */
static char *S_cc(void)
{
    const char *cc = getenv("CC");
    char *path = cc && strchr(cc, '/') ? gr_xstrdup(cc)
                                       : gr_fmt("/usr/bin/%s", cc && *cc ? cc : "cc");
    char real[PATH_MAX];
    if (realpath(path, real)) {
        free(path);
        return gr_xstrdup(real);
    }
    return path;
}

/* The flags of variant v, as one list (caller frees). */
static void S_flags(const gr_exercise *ex, gr_variant v, gr_strv *a)
{
    static const char *const common[] = {"-std=c11", "-D_GNU_SOURCE", "-Wall",
                                         "-Wextra", "-g"};
    for (size_t i = 0; i < sizeof common / sizeof *common; i++)
        gr_strv_push(a, common[i]);
    for (size_t i = 0; i < ex->cflags.n; i++)
        gr_strv_push(a, ex->cflags.v[i]);
    if (v == GR_TSAN) {
        gr_strv_push(a, "-O1");
        gr_strv_push(a, "-fsanitize=thread");
    } else if (v == GR_ASAN) {
        gr_strv_push(a, "-O1");
        gr_strv_push(a, "-fsanitize=address,undefined");
        gr_strv_push(a, "-fno-omit-frame-pointer");
        gr_strv_push(a, "-fno-sanitize-recover=undefined");
    }
}

/* The linker flag: GNU gold where binutils has it (it links the sanitized
 * programs in about half the time of the default ld.bfd: ~100 ms less per
 * grading), else "" (binutils without gold: the default ld). */
static const char *S_fuse_ld(void)
{
    return access("/usr/bin/ld.gold", X_OK) == 0 ? "-fuse-ld=gold" : "";
}

/* Limits for the compiler: generous for any honest file, fatal for a
 * compile bomb (#include "/dev/zero", a 2 GB static array). */
static const gr_limits S_cc_limits = {.cpu_seconds = 60,
                                      .wall_seconds = 120,
                                      .memory_mb = 1024,
                                      .processes = 32,
                                      .output_kb = 256,
                                      .open_files = 256,
                                      .file_mb = 64};

/* Runs the compiler with argv in cwd (its only writable directory; it may
 * read the whole scratch directory).  Returns 1 if it succeeded, 0 if not
 * (its output, and why it was stopped, appended to *log), or -errno. */
static int S_cc_run(const gr_scratch *s, gr_strv *argv, const char *cwd, char **log)
{
    const char *read[] = {s->dir, NULL};
    char *tmp = gr_fmt("TMPDIR=%s", cwd);
    char *env[] = {tmp, NULL};
    gr_run_opts o = {.cwd = cwd,
                     .profile = GR_PROFILE_COMPILER,
                     .limits = S_cc_limits,
                     .read_dirs = read,
                     .secret_dirs = (const char *const *)s->secret,
                     .env = env};
    gr_run_result r;
    int rc = gr_sandbox_run(argv->v, &o, &r);
    free(tmp);
    if (rc < 0)
        return rc;
    char *add = gr_fmt("%s%s%s", *log ? *log : "", r.out, r.err);
    free(*log);
    *log = add;
    int ok = r.end == GR_END_EXIT && r.exit_code == 0;
    if (r.end == GR_END_SPAWN)
        ok = -EPERM; /* no compiler, no sandbox: the grader's trouble */
    if (r.end != GR_END_EXIT) {
        char *why = r.end == GR_END_MEMORY
                        ? gr_fmt("went over its %ld MB memory limit (a compile bomb: "
                                 "an #include of a device or of a huge file?)",
                                 S_cc_limits.memory_mb)
                    : r.end == GR_END_SPAWN ? gr_fmt("%s", r.err)
                                            : gr_run_describe(&r, &S_cc_limits);
        add = gr_fmt("%s\ngrader: the compiler was stopped: %s\n", *log, why);
        free(*log);
        *log = add;
        free(why);
    }
    gr_run_result_free(&r);
    return ok;
}

/* ------------------------------------------------------------ driver */

/* What every build of variant v depends on besides its files: the
 * compiler (by path, size and time), the flags and the linker. */
static void S_recipe(const gr_exercise *ex, gr_variant v, const char *cc,
                     gr_strv *parts)
{
    struct stat st;
    int have = stat(cc, &st) == 0;
    char *id = gr_fmt("cc=%s %lld %lld", cc, have ? (long long)st.st_size : 0LL,
                      have ? (long long)st.st_mtime : 0LL);
    gr_strv_push(parts, id);
    free(id);
    S_flags(ex, v, parts);
    gr_strv_push(parts, S_fuse_ld());
}

/* Appends every header of the private include directory and the kit. */
static void S_header_files(const gr_scratch *s, gr_strv *files)
{
    const char *dirs[] = {s->inc, s->kit, NULL};
    for (int d = 0; dirs[d]; d++) {
        gr_strv h = {0};
        gr_headers_in(dirs[d], &h);
        for (size_t i = 0; i < h.n; i++)
            gr_strv_push(files, h.v[i]);
        gr_strv_free(&h);
    }
}

/* The cache key of driver file `src` for variant v (caller frees). */
static char *S_driver_key(const gr_exercise *ex, const gr_scratch *s, gr_variant v,
                          const char *cc, const char *src)
{
    gr_strv parts = {0}, files = {0};
    S_recipe(ex, v, cc, &parts);
    gr_strv_push(&files, src);
    S_header_files(s, &files);
    char *key = gr_build_key(&parts, &files);
    gr_strv_free(&parts);
    gr_strv_free(&files);
    return key;
}

/* The cache key of the whole program of variant v: the recipe, and the
 * text of the learner's files, the driver, the headers, the libraries and
 * exercise.yaml (its object-check rules) (caller frees). */
static char *S_prog_key(const gr_exercise *ex, const gr_scratch *s, gr_variant v)
{
    gr_strv parts = {0}, files = {0};
    char *cc = S_cc();
    S_recipe(ex, v, cc, &parts);
    free(cc);
    gr_strv_push(&parts, gr_variant_name(v));
    for (size_t i = 0; i < ex->files.n; i++) {
        char *f = gr_fmt("%s/%s", s->pre, ex->files.v[i]);
        gr_strv_push(&files, f);
        free(f);
    }
    for (size_t i = 0; i < ex->driver.n; i++) {
        char *f = gr_fmt("%s/%s", s->drv, ex->driver.v[i]);
        gr_strv_push(&files, f);
        free(f);
    }
    S_header_files(s, &files);
    for (int k = 0; k < 2; k++) {
        char *f =
            gr_fmt("%s/lib%s-%s.a", s->lib, k ? "exkit" : "rt", gr_variant_name(v));
        gr_strv_push(&files, f);
        free(f);
    }
    char *y = gr_fmt("%s/exercise.yaml", ex->dir);
    gr_strv_push(&files, y);
    free(y);
    char *key = gr_build_key(&parts, &files);
    gr_strv_free(&parts);
    gr_strv_free(&files);
    return key;
}

/* The driver's objects of variant v in lib/: from the cache when it holds
 * them, else compiled (into obj-V) and added to it.  Used only where a
 * program cannot write the cache (root or Landlock). */
static int S_driver(const gr_exercise *ex, const gr_paths *p, const gr_scratch *s,
                    gr_variant v, const char *objdir, gr_strv *objs, char **log)
{
    const gr_isolation *iso = gr_isolation_get();
    int cache_ok = iso->root || iso->ll_files;
    char *cc = S_cc(), *cache = gr_fmt("%s/cache/driver", p->build);
    int rc = 1;
    for (size_t i = 0; rc == 1 && i < ex->driver.n; i++) {
        const char *d = ex->driver.v[i];
        size_t n = strlen(d);
        if (n < 3 || strcmp(d + n - 2, ".c"))
            continue;
        char *src = gr_fmt("%s/%s", s->drv, d);
        char *key = S_driver_key(ex, s, v, cc, src);
        char *cached = gr_fmt("%s/%s.o", cache, key);
        char *obj =
            gr_fmt("%s/driver-%s-%.*s.o", s->lib, gr_variant_name(v), (int)(n - 2), d);
        if (!cache_ok || gr_copy_file(cached, obj, 0644) < 0) {
            gr_strv a = {0};
            gr_strv_push(&a, cc);
            S_flags(ex, v, &a);
            char *i1 = gr_fmt("-I%s", s->inc), *i2 = gr_fmt("-I%s", s->kit);
            char *out = gr_fmt("%s/driver-%.*s.o", objdir, (int)(n - 2), d);
            const char *rest[] = {i1, i2, "-c", src, "-o", out, NULL};
            for (int k = 0; rest[k]; k++)
                gr_strv_push(&a, rest[k]);
            rc = S_cc_run(s, &a, objdir, log);
            gr_strv_free(&a);
            if (rc == 1) {
                rc = gr_copy_file(out, obj, 0644) == 0 ? 1 : -EIO;
                /* Into the cache through a temporary name: never half a file. */
                char *tmp = gr_fmt("%s.%d.tmp", cached, (int)getpid());
                if (rc == 1 && cache_ok && gr_mkdir_p(cache, 0755) == 0 &&
                    gr_copy_file(obj, tmp, 0644) == 0 && rename(tmp, cached) < 0)
                    unlink(tmp);
                free(tmp);
            }
            free(i1);
            free(i2);
            free(out);
        }
        if (rc == 1)
            gr_strv_push(objs, obj);
        free(src);
        free(key);
        free(cached);
        free(obj);
    }
    free(cc);
    free(cache);
    return rc;
}

typedef struct S_drv_job {
    const gr_exercise *ex;
    const gr_paths *p;
    const gr_scratch *s;
    gr_variant v;
    const char *objdir;
    gr_strv objs;
    char *log;
    int rc;
} S_drv_job;

static void *S_driver_thread(void *arg)
{
    S_drv_job *j = arg;
    j->rc = S_driver(j->ex, j->p, j->s, j->v, j->objdir, &j->objs, &j->log);
    return NULL;
}

/* ------------------------------------------------------------ variants */

/* The learner's .c files with another extension, in dir (caller frees). */
static void S_learner(const gr_exercise *ex, const char *dir, const char *ext,
                      gr_strv *out)
{
    for (size_t i = 0; i < ex->files.n; i++) {
        const char *f = ex->files.v[i];
        size_t n = strlen(f);
        if (n < 3 || strcmp(f + n - 2, ".c"))
            continue;
        char *p = dir ? gr_fmt("%s/%.*s%s", dir, (int)(n - 2), f, ext)
                      : gr_fmt("%.*s%s", (int)(n - 2), f, ext);
        gr_strv_push(out, p);
        free(p);
    }
}

/* Steps 1 and 2 for variant v: compile the learner's files, check them. */
static int S_learner_build(const gr_exercise *ex, gr_scratch *s, gr_variant v,
                           const char *objdir, const gr_objcheck_rules *rules,
                           char **log, char **refused)
{
    char *cc = S_cc();
    gr_strv a = {0};
    gr_strv_push(&a, cc);
    free(cc);
    S_flags(ex, v, &a);
    if (v == GR_REL) {
        char *inc = gr_fmt("-I%s", s->inc);
        gr_strv_push(&a, inc);
        free(inc);
        gr_strv_push(&a, "-c");
        gr_strv_push(&a, "-save-temps=obj");
        S_learner(ex, NULL, ".c", &a);
    } else {
        /* The plain build's preprocessed text, or, when that program came
         * from the cache, the same files through the same include path. */
        gr_strv i = {0};
        S_learner(ex, s->pre, ".i", &i);
        int have_i = 1;
        for (size_t k = 0; k < i.n; k++)
            have_i = have_i && access(i.v[k], R_OK) == 0;
        if (!have_i) {
            char *inc = gr_fmt("-I%s", s->inc);
            gr_strv_push(&a, inc);
            free(inc);
        }
        gr_strv_push(&a, "-c");
        S_learner(ex, s->pre, have_i ? ".i" : ".c", &a);
        gr_strv_free(&i);
    }
    int rc = S_cc_run(s, &a, objdir, log);
    gr_strv_free(&a);
    if (rc != 1)
        return rc;
    gr_strv objs = {0}, asms = {0}, shown = {0}, serious = {0}, plain = {0};
    S_learner(ex, objdir, ".o", &objs);
    S_learner(ex, s->pre, ".s", &asms);
    S_learner(ex, NULL, ".c", &shown);
    for (size_t i = 0; rc == 1 && i < objs.n; i++) {
        if (v == GR_REL && gr_asm_check(asms.v[i], shown.v[i], &serious) < 0)
            rc = -EIO;
        if (rc == 1 && gr_objcheck(objs.v[i], shown.v[i], v != GR_REL, rules, &serious,
                                   &plain) < 0)
            rc = -EIO;
    }
    for (size_t i = 0; i < plain.n; i++)
        gr_strv_push(&serious, plain.v[i]);
    if (rc == 1 && serious.n) {
        /* The reason names the first problem; the output lists them all. */
        *refused = serious.n > 1 ? gr_fmt("%s (and %zu more, listed below)",
                                          serious.v[0], serious.n - 1)
                                 : gr_xstrdup(serious.v[0]);
        char *allowed = gr_objcheck_allowed(rules, ex);
        char *list = gr_fmt("grader: refused before linking:\n");
        for (size_t i = 0; i < serious.n; i++) {
            char *t = gr_fmt("%s  - %s\n", list, serious.v[i]);
            free(list);
            list = t;
        }
        char *l = gr_fmt("%s  (%s)\n%s", list, allowed, *log ? *log : "");
        free(*log);
        *log = l;
        free(list);
        free(allowed);
    }
    gr_strv_free(&objs);
    gr_strv_free(&asms);
    gr_strv_free(&shown);
    gr_strv_free(&serious);
    gr_strv_free(&plain);
    return *refused ? 0 : rc;
}

int gr_build(const gr_exercise *ex, const gr_paths *p, gr_scratch *s, gr_variant v,
             const gr_objcheck_rules *rules, char **log, char **refused)
{
    *log = NULL;
    *refused = NULL;
    int rc = gr_scratch_libs(p, s, v, log);
    if (rc < 0)
        return rc;
    /* The plain program of files graded before (progcache.c). */
    char *key = v == GR_REL && gr_progcache_usable() ? S_prog_key(ex, s, v) : NULL;
    if (key) {
        char *bin = gr_fmt("%s/prog-%s", s->bin, gr_variant_name(v));
        int hit = gr_progcache_get(p, key, bin, &s->prog[v], log);
        free(bin);
        if (hit) {
            s->reused = 1;
            free(key);
            return 1;
        }
    }
    char *objdir = v == GR_REL ? gr_xstrdup(s->pre)
                               : gr_fmt("%s/obj-%s", s->dir, gr_variant_name(v));
    mkdir(objdir, 0755);
    chmod(objdir, 0755);
    /* The driver meanwhile, in its own directory (the uid of a sandbox owns
     * its working directory: two at once need two). */
    char *drvdir = gr_fmt("%s/obj-%s-driver", s->dir, gr_variant_name(v));
    mkdir(drvdir, 0755);
    chmod(drvdir, 0755);
    S_drv_job dj = {.ex = ex, .p = p, .s = s, .v = v, .objdir = drvdir};
    pthread_t t;
    int threaded = pthread_create(&t, NULL, S_driver_thread, &dj) == 0;
    if (!threaded)
        S_driver_thread(&dj);
    rc = S_learner_build(ex, s, v, objdir, rules, log, refused);
    if (threaded)
        pthread_join(t, NULL);
    if (rc == 1 && dj.rc != 1) {
        char *l = gr_fmt("%s%s", *log ? *log : "", dj.log ? dj.log : "");
        free(*log);
        *log = l;
        rc = dj.rc < 0 ? dj.rc : -EINVAL; /* the provided driver must build */
    }
    if (rc == 1) { /* step 4: link, install */
        char *cc = S_cc();
        gr_strv a = {0};
        gr_strv_push(&a, cc);
        free(cc);
        const char *ld = S_fuse_ld();
        if (*ld)
            gr_strv_push(&a, ld);
        if (v == GR_TSAN)
            gr_strv_push(&a, "-fsanitize=thread");
        else if (v == GR_ASAN)
            gr_strv_push(&a, "-fsanitize=address,undefined");
        S_learner(ex, objdir, ".o", &a);
        for (size_t i = 0; i < dj.objs.n; i++)
            gr_strv_push(&a, dj.objs.v[i]);
        char *kit = gr_fmt("%s/libexkit-%s.a", s->lib, gr_variant_name(v));
        char *lib = gr_fmt("%s/librt-%s.a", s->lib, gr_variant_name(v));
        char *out = gr_fmt("%s/prog", objdir);
        const char *rest[] = {kit, lib, "-pthread", "-lm", "-o", out, NULL};
        for (int k = 0; rest[k]; k++)
            gr_strv_push(&a, rest[k]);
        rc = S_cc_run(s, &a, objdir, log);
        gr_strv_free(&a);
        char *bin = gr_fmt("%s/prog-%s", s->bin, gr_variant_name(v));
        if (rc == 1 && gr_binary_install(out, bin, &s->prog[v]) < 0)
            rc = -EIO;
        if (rc == 1 && key)
            gr_progcache_put(p, key, out, *log);
        free(bin);
        free(kit);
        free(lib);
        free(out);
    }
    gr_strv_free(&dj.objs);
    free(dj.log);
    free(key);
    free(objdir);
    free(drvdir);
    return rc;
}
