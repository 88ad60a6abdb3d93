/*
 * release.c - `grader release OUT`: the student edition of a course.
 *
 * What the repository holds (`git ls-files`, or every file when it is not
 * a git checkout) is copied to OUT, except what only an instructor may
 * see, and with three changes:
 *
 *   left out   solutions/, tests/mutants/, every hidden.yaml (but the
 *              scaffold's template in tools/templates/), and what
 *              .release-exclude at the course root lists (one pattern a
 *              line, fnmatch(3) style; a pattern ending in '/' is a folder)
 *   stripped   the hidden-test regions of every exercise's provided files
 *              (drivers), marked as course/strip.h says
 *   sealed     each chapter's quiz answers and explanations
 *              (course/quizseal.h), under the course secret
 *
 * and a manifest (edition.json, manifest.c) of the files a learner should
 * not edit.  OUT becomes a git repository with one commit, ready to push
 * as the course's template.
 *
 * Refusals, before anything is written: a starter that is not what its
 * solution's markers give (`grader starter NN --write` first), a malformed
 * marker or quiz.  After writing: a hidden test's name anywhere in OUT is
 * an error (the release is removed), since it can only be a leak.
 */
#include "grader.h"
#include "course/quizseal.h"
#include "course/sha256.h"
#include "course/strip.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* See grader.h. */
int gr_run_quiet(const char *dir, char *const argv[], char **out)
{
    int pfd[2] = {-1, -1};
    if (out && pipe(pfd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(out ? pfd[1] : null, 1);
        dup2(null, 2);
        if (dir && chdir(dir) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (out) {
        close(pfd[1]);
        size_t cap = 4096, n = 0;
        char *buf = course_xmalloc(cap);
        ssize_t got;
        while ((got = read(pfd[0], buf + n, cap - n - 1)) > 0 ||
               (got < 0 && errno == EINTR))
            if (got > 0 && (n += (size_t)got) + 1 == cap)
                buf = course_xrealloc(buf, cap *= 2);
        buf[n] = '\0';
        close(pfd[0]);
        *out = buf;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every file under dir/rel, relative to the root (no build/, .git/,
 * .workbook/, node_modules/). */
static void S_walk(const char *root, const char *rel, course_strv *out)
{
    char *dir = *rel ? course_fmt("%s/%s", root, rel) : course_xstrdup(root);
    DIR *d = opendir(dir);
    free(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..") ||
            (!*rel &&
             (!strcmp(n, "build") || !strcmp(n, ".git") || !strcmp(n, ".workbook"))) ||
            !strcmp(n, "node_modules"))
            continue;
        char *r = *rel ? course_fmt("%s/%s", rel, n) : course_xstrdup(n);
        char *full = course_fmt("%s/%s", root, r);
        struct stat st;
        if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode))
            S_walk(root, r, out);
        else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
            course_strv_push(out, r);
        free(full);
        free(r);
    }
    if (d)
        closedir(d);
}

/* See grader.h. */
void gr_course_files(const char *course, course_strv *out)
{
    char *list = NULL;
    char *argv[] = {"git", "ls-files", "-z", NULL};
    if (gr_run_quiet(course, argv, &list) == 0 && list && *list) {
        for (char *p = list; *p; p += strlen(p) + 1) {
            char *full = course_fmt("%s/%s", course, p);
            if (access(full, F_OK) == 0) /* deleted but not yet committed */
                course_strv_push(out, p);
            free(full);
        }
    } else {
        S_walk(course, "", out);
    }
    free(list);
}

/* Whether path is instructor-only: built-in rules, then .release-exclude. */
static int S_excluded(const char *path, const course_strv *pats)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    /* A hidden.yaml anywhere is hidden tests, except the scaffold's
     * template (tools/new-exercise.sh), which an author needs. */
    if (!strncmp(path, "solutions/", 10) || !strncmp(path, "tests/mutants/", 14) ||
        (!strcmp(base, "hidden.yaml") && strncmp(path, "tools/templates/", 16)) ||
        !strcmp(path, ".release-exclude") || !strcmp(path, GR_MANIFEST))
        return 1;
    for (size_t i = 0; i < pats->n; i++) {
        const char *p = pats->v[i];
        size_t n = strlen(p);
        if (p[n - 1] == '/' ? !strncmp(path, p, n) : fnmatch(p, path, 0) == 0)
            return 1;
    }
    return 0;
}

/* The course secret: read from file, or (the default file only) made:
 * 32 random bytes as hex, mode 0600.  Returns 0 with *secret (caller
 * frees), or an exit code after printing. */
static int S_secret(const char *course, const char *file, char **secret)
{
    char *def = course_fmt("%s/.workbook/course-secret", course);
    const char *path = file ? file : def;
    char *text = course_read_file(path, NULL);
    if (!text && file) {
        fprintf(stderr, "grader release: --secret-file %s: %s\n", file,
                strerror(errno));
        free(def);
        return GR_EXIT_USAGE;
    }
    if (!text) {
        unsigned char raw[32];
        char hex[65];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
            fprintf(stderr, "grader release: no random bytes for a course secret\n");
            free(def);
            return GR_EXIT_INTERNAL;
        }
        course_hex(raw, sizeof raw, hex);
        char *dir = course_fmt("%s/.workbook", course);
        course_mkdir_p(dir, 0700);
        free(dir);
        int fd = open(def, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || course_write_all(fd, hex, 64) < 0 || close(fd) < 0) {
            fprintf(stderr, "grader release: cannot write %s: %s\n", def,
                    strerror(errno));
            free(def);
            return GR_EXIT_INTERNAL;
        }
        fprintf(stderr,
                "grader release: made a course secret in .workbook/course-secret; keep "
                "it (the same secret seals the quizzes the same way next time)\n");
        text = course_xstrdup(hex);
    }
    size_t n = strcspn(text, "\r\n");
    text[n] = '\0';
    if (n < 16) {
        fprintf(stderr,
                "grader release: %s: a course secret needs 16 characters or more\n",
                path);
        free(text);
        free(def);
        return GR_EXIT_USAGE;
    }
    free(def);
    *secret = text;
    return 0;
}

/* The exercise a path belongs to ("exercises/03/x" -> the loaded 03). */
static const gr_exercise *S_exercise_of(const char *path, gr_exercise **exs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strncmp(path, "exercises/", 10) && !strncmp(path + 10, exs[i]->id, 2) &&
            path[12] == '/')
            return exs[i];
    return NULL;
}

static int S_is_learner_file(const gr_exercise *ex, const char *path)
{
    for (size_t i = 0; ex && i < ex->files.n; i++)
        if (!strcmp(path + 13, ex->files.v[i]))
            return 1;
    return 0;
}

/* What path becomes in the student edition: *data (caller frees) and
 * whether it is protected.  Returns 0, or -EINVAL after printing. */
static int S_transform(const char *course, const char *path, const gr_exercise *ex,
                       const char *secret, char **data, size_t *len, int *protect)
{
    char *full = course_fmt("%s/%s", course, path);
    char *text = course_read_file(full, len);
    free(full);
    if (!text) {
        fprintf(stderr, "grader release: %s: %s\n", path, strerror(errno));
        return -EIO;
    }
    size_t pl = strlen(path);
    int md = pl > 3 && !strcmp(path + pl - 3, ".md");
    int chapter = !strncmp(path, "chapters/", 9) && md && !strchr(path + 9, '/');
    int learner = ex && S_is_learner_file(ex, path);
    int source =
        pl > 2 && (!strcmp(path + pl - 2, ".c") || !strcmp(path + pl - 2, ".h"));
    *protect = !learner && (!md || chapter);
    course_diags d = {0};
    char *res = NULL;
    int rc = 0;
    if (chapter) {
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(pl - 12), path + 9);
        rc = course_quiz_seal_chapter(text, *len, path, name,
                                      (const unsigned char *)secret, strlen(secret),
                                      &res, &d);
    } else if (ex && learner) {
        /* A learner file must be what its solution's markers give. */
        char *sp = course_fmt("%s/solutions/%s/%s", course, ex->id, path + 13);
        char *sol = course_read_file(sp, NULL);
        free(sp);
        if (sol && course_strip_has_markers(sol, COURSE_STRIP_SOLUTION)) {
            char *want = NULL;
            rc = course_strip(sol, path, COURSE_STRIP_SOLUTION, &want, &d);
            if (rc == 0 && strcmp(want, text)) {
                fprintf(stderr,
                        "grader release: %s is not what solutions/%s/%s gives: run "
                        "`grader starter %s --write` first\n",
                        path, ex->id, path + 13, ex->id);
                rc = -EINVAL;
            }
            free(want);
        }
        free(sol);
    } else if (ex && source && course_strip_has_markers(text, COURSE_STRIP_HIDDEN)) {
        rc = course_strip(text, path, COURSE_STRIP_HIDDEN, &res, &d);
    }
    course_diags_print(&d, stderr, "");
    course_diags_free(&d);
    if (rc < 0) {
        free(text);
        free(res);
        return -EINVAL;
    }
    if (res) {
        free(text);
        text = res;
        *len = strlen(res);
    }
    *data = text;
    return 0;
}

/* Writes data to out/path with the source file's mode.  Returns 0 or -errno. */
static int S_write(const char *course, const char *out, const char *path,
                   const char *data, size_t len)
{
    char *src = course_fmt("%s/%s", course, path);
    char *dst = course_fmt("%s/%s", out, path);
    struct stat st;
    mode_t mode = stat(src, &st) == 0 && (st.st_mode & 0111) ? 0755 : 0644;
    char *dir = course_xstrdup(dst);
    *strrchr(dir, '/') = '\0';
    int rc = course_mkdir_p(dir, 0755);
    if (rc == 0)
        rc = course_write_file(dst, data, len);
    if (rc == 0 && chmod(dst, mode) < 0)
        rc = -errno;
    free(dir);
    free(src);
    free(dst);
    return rc;
}

/* Whether needle occurs in any file under out (grep -rqF). */
static int S_leaks(const char *out, const course_strv *files, const char *needle)
{
    for (size_t i = 0; i < files->n; i++) {
        char *p = course_fmt("%s/%s", out, files->v[i]);
        char *t = course_read_file(p, NULL);
        int hit = t && strstr(t, needle);
        free(t);
        free(p);
        if (hit) {
            fprintf(stderr, "grader release: the hidden test name \"%s\" is in %s\n",
                    needle, files->v[i]);
            return 1;
        }
    }
    return 0;
}

/* See grader.h. */
int gr_release(const gr_paths *p, const char *course, const char *out,
               const char *secret_file)
{
    (void)p;
    DIR *od = opendir(out);
    if (od) {
        struct dirent *e;
        int empty = 1;
        while ((e = readdir(od)))
            empty &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
        closedir(od);
        if (!empty) {
            fprintf(stderr, "grader release: %s exists and is not empty\n", out);
            return GR_EXIT_USAGE;
        }
    }
    char *secret = NULL;
    int rc = S_secret(course, secret_file, &secret);
    if (rc)
        return rc;
    course_strv dirs = {0}, files = {0}, pats = {0}, written = {0}, hidden = {0};
    gr_exercise_list(course, &dirs);
    gr_exercise **exs = course_xcalloc(dirs.n + 1, sizeof *exs);
    size_t nex = 0;
    for (size_t i = 0; i < dirs.n; i++) {
        gr_exercise *ex = gr_exercise_load(course, dirs.v[i], 1);
        if (!ex) {
            rc = GR_EXIT_USAGE;
            continue;
        }
        exs[nex++] = ex;
        for (size_t t = 0; t < ex->ntests; t++)
            if (ex->tests[t].hidden)
                course_strv_push(&hidden, ex->tests[t].name);
    }
    char *ex_path = course_fmt("%s/.release-exclude", course);
    char *ex_text = course_read_file(ex_path, NULL);
    free(ex_path);
    for (char *l = ex_text ? strtok(ex_text, "\n") : NULL; l; l = strtok(NULL, "\n"))
        if (*l && *l != '#')
            course_strv_push(&pats, l);
    free(ex_text);
    gr_course_files(course, &files);
    json_t *prot = json_object();
    int sealed = 0, stripped = 0;
    for (size_t i = 0; rc == 0 && i < files.n; i++) {
        const char *path = files.v[i];
        if (S_excluded(path, &pats))
            continue;
        const gr_exercise *ex = S_exercise_of(path, exs, nex);
        char *data = NULL;
        size_t len = 0;
        int protect = 0;
        if (S_transform(course, path, ex, secret, &data, &len, &protect) < 0) {
            rc = GR_EXIT_USAGE;
            break;
        }
        int w = S_write(course, out, path, data, len);
        if (w < 0) {
            fprintf(stderr, "grader release: %s/%s: %s\n", out, path, strerror(-w));
            rc = GR_EXIT_INTERNAL;
        }
        char *src = course_fmt("%s/%s", course, path);
        char *orig = course_read_file(src, NULL);
        if (orig && strcmp(orig, data)) {
            sealed += !strncmp(path, "chapters/", 9);
            stripped += !strncmp(path, "exercises/", 10);
        }
        free(orig);
        free(src);
        if (protect) {
            unsigned char h[COURSE_SHA256_LEN];
            char hex[2 * COURSE_SHA256_LEN + 1];
            course_sha256(data, len, h);
            course_hex(h, sizeof h, hex);
            json_object_set_new(prot, path, json_string(hex));
        }
        course_strv_push(&written, path);
        free(data);
    }
    for (size_t i = 0; rc == 0 && i < hidden.n; i++)
        if (S_leaks(out, &written, hidden.v[i]))
            rc = GR_EXIT_USAGE;
    if (rc == 0) {
        char *when = gr_iso_time(), *head = NULL;
        char *argv[] = {"git", "rev-parse", "HEAD", NULL};
        if (gr_run_quiet(course, argv, &head) != 0) {
            free(head);
            head = course_xstrdup("-");
        }
        head[strcspn(head, "\n")] = '\0';
        json_t *m = json_pack("{s:s, s:s, s:s, s:O}", "edition", "student", "made_at",
                              when, "source", head, "protected", prot);
        char *js = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *mp = course_fmt("%s/" GR_MANIFEST, out);
        if (course_write_file(mp, js, strlen(js)) < 0)
            rc = GR_EXIT_INTERNAL;
        free(mp);
        free(js);
        json_decref(m);
        free(when);
        free(head);
    }
    if (rc == 0) {
        char *init[] = {"git", "init", "-q", NULL};
        char *add[] = {"git", "add", "-A", NULL};
        char *commit[] = {"git",
                          "-c",
                          "user.name=grader release",
                          "-c",
                          "user.email=grader@localhost",
                          "commit",
                          "-qm",
                          "Student edition, made by grader release",
                          NULL};
        int git = gr_run_quiet(out, init, NULL) == 0 &&
                  gr_run_quiet(out, add, NULL) == 0 &&
                  gr_run_quiet(out, commit, NULL) == 0;
        printf("wrote the student edition to %s: %zu files (%d chapters with sealed "
               "quizzes, %d exercise files without hidden tests), %zu protected by "
               "%s%s\n",
               out, written.n, sealed, stripped, json_object_size(prot), GR_MANIFEST,
               git ? "; a git repository with one commit" : "");
    } else if (written.n) {
        gr_rm_rf(out);
        fprintf(stderr, "grader release: nothing written (%s removed)\n", out);
    }
    json_decref(prot);
    for (size_t i = 0; i < nex; i++)
        gr_exercise_free(exs[i]);
    free(exs);
    course_strv_free(&dirs);
    course_strv_free(&files);
    course_strv_free(&pats);
    course_strv_free(&written);
    course_strv_free(&hidden);
    free(secret);
    return rc;
}
