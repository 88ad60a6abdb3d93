/*
 * exercise.c - finds exercises: the list of them, and the one a learner
 * names on the command line.
 *
 * Reading exercise.yaml is the course library's (course/exercise.c, shared
 * with the site): gr_exercise_load only asks it for everything grading
 * needs and prints what it reports.
 */
#include "grader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* See grader.h. */
gr_exercise *gr_exercise_load(const char *course, const char *dir, int with_hidden)
{
    course_diags d = {0};
    gr_exercise *ex = course_exercise_load(
        course, dir, COURSE_EX_GRADING | (with_hidden ? COURSE_EX_HIDDEN : 0), &d);
    course_diags_print(&d, stderr, "");
    course_diags_free(&d);
    return ex;
}

/* See grader.h. */
gr_claims *gr_claims_load(const char *course, int chapter)
{
    course_diags d = {0};
    gr_claims *cs = course_claims_load(course, chapter, &d);
    course_diags_print(&d, stderr, "");
    course_diags_free(&d);
    return cs;
}

/* qsort order of two strings. */
static int S_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directories course/exercises/NN (two digits) holding exercise.yaml. */
int gr_exercise_list(const char *course, course_strv *out)
{
    char *root = course_fmt("%s/exercises", course);
    DIR *d = opendir(root);
    if (!d) {
        int e = errno;
        free(root);
        return -e;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strlen(e->d_name) != 2 || !isdigit((unsigned char)e->d_name[0]) ||
            !isdigit((unsigned char)e->d_name[1]))
            continue;
        char *y = course_fmt("%s/%s/exercise.yaml", root, e->d_name);
        if (access(y, F_OK) == 0) {
            char *dir = course_fmt("%s/%s", root, e->d_name);
            course_strv_push(out, dir);
            free(dir);
        }
        free(y);
    }
    closedir(d);
    free(root);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, S_cmp_str);
    return 0;
}

/* The slug of an exercise directory, read from its yaml without full
 * validation (so `grader submit slug` finds it even if other keys are
 * broken: the load that follows reports those).  Caller frees. */
static char *S_peek_slug(const char *dir)
{
    char *path = course_fmt("%s/exercise.yaml", dir);
    char *text = course_read_file(path, NULL);
    free(path);
    if (!text)
        return NULL;
    char *slug = NULL;
    for (char *line = strtok(text, "\n"); line && !slug; line = strtok(NULL, "\n")) {
        if (strncmp(line, "slug:", 5))
            continue;
        char *s = line + 5;
        s += strspn(s, " \t\"'");
        size_t n = strcspn(s, " \t\"'#\r");
        slug = course_fmt("%.*s", (int)n, s);
    }
    free(text);
    return slug;
}

/* See grader.h.  Digits, a path that really is exercises/NN, or a slug. */
char *gr_exercise_resolve(const char *course, const char *arg)
{
    char *exroot = course_fmt("%s/exercises", course);
    char *found = NULL;
    size_t n = strlen(arg);
    int digits = n > 0 && n <= 2 && isdigit((unsigned char)arg[0]) &&
                 (n == 1 || isdigit((unsigned char)arg[1]));
    if (digits) {
        found = course_fmt("%s/%02d", exroot, atoi(arg));
    } else if (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..")) {
        /* A path: it must really be (after symlinks) exercises/NN itself. */
        char real[PATH_MAX], realroot[PATH_MAX];
        if (!realpath(arg, real)) {
            fprintf(stderr, "grader: %s: no such exercise directory\n", arg);
            goto out;
        }
        if (!realpath(exroot, realroot)) {
            fprintf(stderr, "grader: %s: no exercises/ directory here\n", course);
            goto out;
        }
        size_t rl = strlen(realroot);
        const char *rest = real + rl;
        if (strncmp(real, realroot, rl) || rest[0] != '/' || strlen(rest) != 3 ||
            !isdigit((unsigned char)rest[1]) || !isdigit((unsigned char)rest[2])) {
            fprintf(stderr,
                    "grader: %s: not an exercise (give exercises/NN, NN or the slug; "
                    "paths outside exercises/ are refused)\n",
                    arg);
            goto out;
        }
        found = course_fmt("%s/%s", exroot, rest + 1);
    } else {
        course_strv all = {0};
        gr_exercise_list(course, &all);
        for (size_t i = 0; i < all.n && !found; i++) {
            char *slug = S_peek_slug(all.v[i]);
            if (slug && !strcmp(slug, arg))
                found = course_xstrdup(all.v[i]);
            free(slug);
        }
        course_strv_free(&all);
        if (!found) {
            fprintf(stderr,
                    "grader: %s: no exercise has this number or slug "
                    "(grader status lists them)\n",
                    arg);
            goto out;
        }
    }
    char *y = course_fmt("%s/exercise.yaml", found);
    if (access(y, F_OK) < 0) {
        fprintf(stderr, "grader: %s: no such exercise (no %s)\n", arg,
                y + strlen(course) + 1);
        free(found);
        found = NULL;
    }
    free(y);
out:
    free(exroot);
    return found;
}
