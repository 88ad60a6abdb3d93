/*
 * progcache.c - a linked program, kept by what it was built from.
 *
 * Grading the same files twice builds the same program twice: a learner who
 * submits again after answering the quiz, and `grader batch`, whose pattern
 * run of a copy follows its correctness run.  The cache keeps every program
 * that built and passed the object check, under a key that hashes all it
 * was made of (build.c gathers the list):
 *
 *   - the compiler (path, size, modification time), the flags, the linker;
 *   - the grader itself (size and modification time of its executable): a
 *     grader with other checks must check again;
 *   - the text of every file the build read: the learner's files, the
 *     driver, the headers of the private include directory, the libraries,
 *     and exercise.yaml (its `symbols:` rules).
 *
 * A hit installs the program as a fresh build would (gr_binary_install:
 * read-only, hashed on the way) and hands back the compiler's output of the
 * build that made it, so a report reads the same either way.
 *
 * Only the plain program is kept (about 0.5 MB; the sanitized ones, 3x that,
 * are rebuilt), in <build>/cache/prog, pruned to its newest S_KEEP entries;
 * `grader batch` points GRADER_PROG_CACHE at a directory of its own, which
 * holds a whole class until the batch is done.
 *
 * Trust.  A key is not the hash of the program, so the cache must be a place
 * learner code cannot write.  It is used only where runs cannot write the
 * build directory (the grader runs them as another user, or Landlock keeps
 * them to their scratch directory), as the driver's object cache is; with
 * neither, every grading builds from scratch.  Entries go in under a
 * temporary name and are renamed: a reader never sees half a program.
 */
#include "grader.h"

#include "course/sha256.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { S_KEEP = 64 }; /* entries kept in the default directory */

/* The cache directory (caller frees); *own: is it the default one. */
static char *S_dir(const gr_paths *p, int *own)
{
    const char *env = getenv("GRADER_PROG_CACHE");
    *own = !(env && *env);
    return *own ? course_fmt("%s/cache/prog", p->build) : course_xstrdup(env);
}

/* "<size> <mtime>" of path, or "-" (caller frees). */
static char *S_identity(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return course_xstrdup("-");
    return course_fmt("%lld %lld.%09ld", (long long)st.st_size,
                      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

char *gr_build_key(const gr_strv *parts, const gr_strv *files)
{
    course_sha256_ctx ctx;
    course_sha256_init(&ctx);
    char *self = S_identity("/proc/self/exe");
    course_sha256_update(&ctx, self, strlen(self) + 1);
    free(self);
    for (size_t i = 0; i < parts->n; i++)
        course_sha256_update(&ctx, parts->v[i], strlen(parts->v[i]) + 1);
    for (size_t i = 0; i < files->n; i++) {
        size_t len = 0;
        char *text = course_read_file(files->v[i], &len);
        const char *base = strrchr(files->v[i], '/');
        base = base ? base + 1 : files->v[i];
        /* The name, then the length, then the bytes: no two lists of
         * files hash alike by moving text from one file to the next. */
        char *head = course_fmt("--%s %zu", base, text ? len : (size_t)-1);
        course_sha256_update(&ctx, head, strlen(head) + 1);
        if (text)
            course_sha256_update(&ctx, text, len);
        free(head);
        free(text);
    }
    unsigned char h[32];
    course_sha256_final(&ctx, h);
    return gr_sha256_hex(h);
}

int gr_progcache_usable(void)
{
    const gr_isolation *iso = gr_isolation_get();
    return iso->root || iso->ll_files;
}

int gr_progcache_get(const gr_paths *p, const char *key, const char *bin, gr_binary *b,
                     char **log)
{
    if (!gr_progcache_usable())
        return 0;
    int own;
    char *dir = S_dir(p, &own);
    char *prog = course_fmt("%s/%s", dir, key);
    free(dir);
    char *logf = course_fmt("%s.log", prog);
    int hit = 0;
    size_t len = 0;
    char *text = access(prog, R_OK) == 0 ? course_read_file(logf, &len) : NULL;
    if (text && gr_binary_install(prog, bin, b) == 0) {
        free(*log);
        *log = len ? text : NULL;
        if (!len)
            free(text);
        text = NULL;
        hit = 1;
    }
    free(text);
    free(prog);
    free(logf);
    return hit;
}

/* Keeps the newest S_KEEP programs of dir (and their logs). */
static void S_prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct S_entry {
        char *name;
        time_t mtime;
    } *e = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len != 64) /* programs only: their names are keys */
            continue;
        char *path = course_fmt("%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) == 0) {
            if (n == cap)
                e = course_xrealloc(e, (cap = cap ? 2 * cap : 64) * sizeof *e);
            e[n++] = (struct S_entry){path, st.st_mtime};
        } else {
            free(path);
        }
    }
    closedir(d);
    while (n > S_KEEP) { /* drop the oldest, one at a time: n is small */
        size_t old = 0;
        for (size_t i = 1; i < n; i++)
            if (e[i].mtime < e[old].mtime)
                old = i;
        char *log = course_fmt("%s.log", e[old].name);
        unlink(log); /* the log first: get() then sees no entry */
        unlink(e[old].name);
        free(log);
        free(e[old].name);
        e[old] = e[--n];
    }
    for (size_t i = 0; i < n; i++)
        free(e[i].name);
    free(e);
}

void gr_progcache_put(const gr_paths *p, const char *key, const char *prog,
                      const char *log)
{
    if (!gr_progcache_usable())
        return;
    int own;
    char *dir = S_dir(p, &own);
    char *name = course_fmt("%s/%s", dir, key);
    char *logf = course_fmt("%s.log", name);
    /* The log last: get() takes an entry only when both are there. */
    size_t len = 0;
    char *bytes = course_mkdir_p(dir, 0755) == 0 ? course_read_file(prog, &len) : NULL;
    if (bytes && course_write_file(name, bytes, len) == 0)
        course_write_file(logf, log ? log : "", log ? strlen(log) : 0);
    free(bytes);
    if (own)
        S_prune(dir);
    free(dir);
    free(name);
    free(logf);
}
