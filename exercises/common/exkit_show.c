/*
 * exkit_show.c - what the demos print for a human: bars, medians, and
 * CPython's own figures measured beside ours.
 *
 * The twin.  Every claim a chapter makes about speed is measured twice on
 * the reader's machine: once on the runtime (the demo) and once on CPython
 * itself (a Python script beside the demo, chapters/NN/twin.py).  The
 * script prints one figure a line, "<name> <number>", plus a line
 * "python <version>"; the demo runs it here and prints its figures in a
 * column beside its own.  Without python3 the column says so, and the demo
 * still runs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exkit.h"

char *exkit_bar(char *buf, double value, int per_unit, int width)
{
    int n = value > 0 ? (int)(value * per_unit + 0.5) : 0;
    for (int i = 0; i < width; i++)
        buf[i] = i < n ? '#' : (i % per_unit == per_unit - 1 ? '|' : ' ');
    buf[width] = '\0';
    return buf;
}

static int S_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double exkit_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, S_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The twin's figures: a small fixed table is plenty for one chapter. */
#define TWIN_MAX 64
static struct {
    char name[48];
    double value;
} S_twin[TWIN_MAX];
static int S_ntwin;
static char S_twin_version[80];

/* Keeps one "<name> <value>" line of the twin's output. */
static void S_twin_line(char *line)
{
    char name[48], rest[64];
    if (sscanf(line, "%47s %63s", name, rest) != 2)
        return;
    if (strcmp(name, "python") == 0) {
        snprintf(S_twin_version, sizeof S_twin_version, "Python %s", rest);
        return;
    }
    char *end;
    double v = strtod(rest, &end);
    if (*end || S_ntwin == TWIN_MAX)
        return;
    snprintf(S_twin[S_ntwin].name, sizeof S_twin[S_ntwin].name, "%s", name);
    S_twin[S_ntwin++].value = v;
}

int exkit_twin_run(const char *script, const char *args)
{
    S_ntwin = 0;
    S_twin_version[0] = '\0';
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        /* `args` is the demo's own fixed text ("--quick"): split on spaces. */
        char *argv[16] = {"python3", (char *)script};
        int n = 2;
        char *copy = args ? strdup(args) : NULL, *save = NULL;
        for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w && n < 15;
             w = strtok_r(NULL, " ", &save))
            argv[n++] = w;
        argv[n] = NULL;
        execvp("python3", argv);
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        S_twin_line(line);
    if (f)
        fclose(f);
    else
        close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        printf("  (python3 is not installed: CPython's column is left empty)\n");
        return 0;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("  (the CPython twin %s failed: its figures are left out)\n", script);
        S_ntwin = 0;
        return -1;
    }
    return S_ntwin;
}

double exkit_twin(const char *name)
{
    for (int i = 0; i < S_ntwin; i++)
        if (strcmp(S_twin[i].name, name) == 0)
            return S_twin[i].value;
    return NAN;
}

const char *exkit_twin_version(void)
{
    return S_twin_version;
}

int exkit_show_args(int nargs, char **args, exkit_show_opts *o, int quick_reps,
                    int max_reps, int allow_json)
{
    for (int i = 0; i < nargs; i++) {
        if (strcmp(args[i], "--quick") == 0) {
            o->quick = 1;
            o->reps = quick_reps;
        } else if (allow_json && strcmp(args[i], "--json") == 0) {
            o->json = 1;
        } else if (strcmp(args[i], "--reps") == 0 && i + 1 < nargs) {
            o->reps = atoi(args[++i]);
        } else {
            fprintf(stderr, "usage: demo show [--reps N] [--quick]%s\n",
                    allow_json ? " [--json]" : "");
            return 2;
        }
    }
    if (o->reps < 1 || o->reps > max_reps) {
        fprintf(stderr, "demo: --reps takes 1..%d\n", max_reps);
        return 2;
    }
    return 0;
}
