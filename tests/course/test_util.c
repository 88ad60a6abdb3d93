/*
 * test_util.c - the course library's helpers (course/util.c, files.c,
 * diag.c): allocation that never returns NULL, string vectors, whole files
 * written atomically, diagnostics printed as file:line: message.
 */
#include "check.h"
#include "course/util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

CASE(strings_and_vectors)
{
    char *s = course_fmt("%s:%d", "x", 42);
    CHECK(!strcmp(s, "x:42"));
    free(s);
    s = course_fmt("%s", "");
    CHECK(s[0] == '\0');
    free(s);
    CHECK(course_xstrdup(NULL) == NULL);
    s = course_xstrndup("abcdef", 3);
    CHECK(!strcmp(s, "abc"));
    free(s);
    s = course_xstrndup("ab", 10);
    CHECK(!strcmp(s, "ab"));
    free(s);
    course_strv v = {0};
    for (int i = 0; i < 100; i++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", i);
        course_strv_push(&v, buf);
    }
    CHECK(v.n == 100 && !strcmp(v.v[99], "99") && v.v[100] == NULL);
    course_strv_free(&v);
    CHECK(v.n == 0 && v.v == NULL);
    void *z = course_xcalloc(0, 8);
    CHECK(z != NULL);
    free(z);
    char *p = course_xmalloc(0);
    CHECK(p != NULL);
    p = course_xrealloc(p, 1 << 20);
    p[(1 << 20) - 1] = 'x';
    free(p);
}

/* Out of memory is one line on stderr and an abort, never a NULL. */
CASE(out_of_memory_aborts_with_a_message)
{
#if defined(__SANITIZE_ADDRESS__)
    /* ASan reports an impossible size itself, before our check. */
    return;
#endif
    int err[2];
    CHECK(pipe(err) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(err[1], 2);
        void *volatile p = course_xcalloc(SIZE_MAX / 2, 4); /* overflows size_t */
        _exit(p ? 0 : 1);
    }
    close(err[1]);
    char buf[256] = "";
    ssize_t n = read(err[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %d", st);
    CHECKF(strstr(buf, "out of memory"), "stderr: %s", buf);
}

CASE(files_whole_and_atomic)
{
    char dir[] = "/tmp/course-util.XXXXXX";
    CHECK(mkdtemp(dir));
    char *deep = course_fmt("%s/a/b/c", dir);
    CHECK(course_mkdir_p(deep, 0755) == 0);
    CHECK(course_mkdir_p(deep, 0755) == 0); /* already there: fine */
    char *f = course_fmt("%s/file.txt", deep);
    CHECK(course_write_file(f, "old", 3) == 0);
    char big[20000];
    memset(big, 'x', sizeof big);
    CHECK(course_write_file(f, big, sizeof big) == 0);
    size_t len;
    char *back = course_read_file(f, &len);
    CHECK(back && len == sizeof big && back[len] == '\0' && !memcmp(back, big, len));
    free(back);
    char *ls =
        course_fmt("test $(ls -A '%s' | wc -l) = 1", deep); /* no temporary left */
    CHECK(system(ls) == 0);
    free(ls);
    char *nowhere = course_fmt("%s/no/such/dir/f", dir);
    CHECK(course_write_file(nowhere, "x", 1) == -ENOENT);
    errno = 0;
    CHECK(course_read_file(nowhere, NULL) == NULL && errno == ENOENT);
    char *blocked = course_fmt("%s/file.txt/sub", deep);
    CHECK(course_mkdir_p(blocked, 0755) == -ENOTDIR);
    char *rm = course_fmt("rm -rf '%s'", dir);
    CHECK(system(rm) == 0);
    free(rm);
}

CASE(diagnostics_print_as_editors_read_them)
{
    course_diags d = {0};
    course_diag_add(&d, "chapters/03-x.md", 212, 0, "quiz question %d: %s", 2, "why");
    course_diag_add(&d, "exercises/03/exercise.yaml", 4, 7, "bad");
    course_diag_add(&d, "gb.sqlite", 0, 9, "no line, so no column");
    course_diag_add(&d, NULL, -3, 0, "unknown file");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f);
    course_diags_print(&d, f, "tool: ");
    fclose(f);
    CHECK(!strcmp(buf, "tool: chapters/03-x.md:212: quiz question 2: why\n"
                       "tool: exercises/03/exercise.yaml:4:7: bad\n"
                       "tool: gb.sqlite: no line, so no column\n"
                       "tool: ?: unknown file\n"));
    free(buf);
    course_diags_free(&d);
    CHECK(d.n == 0 && d.v == NULL);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(strings_and_vectors, out_of_memory_aborts_with_a_message,
                            files_whole_and_atomic,
                            diagnostics_print_as_editors_read_them));
}
