/*
 * util.c - small helpers the grader's modules use: time, files, text.
 *
 * Allocation, string vectors, reading and atomically writing whole files
 * and mkdir -p are the course library's (course/util.h), shared with the
 * site generator.  What is left here only the grader needs.  Failures are
 * returned as negative errno values.
 */
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t gr_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The current UTC time in ISO 8601.  Caller frees. */
char *gr_iso_time(void)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return course_xstrdup(buf);
}

/* rm -rf, without following symlinks (a submission may have planted one
 * pointing outside its scratch directory: we remove the link, not what it
 * points to).  Returns 0 or the first negative errno. */
int gr_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) < 0 ? -errno : 0;
    chmod(path, 0700); /* a submission may have made it read-only */
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub = course_fmt("%s/%s", path, e->d_name);
        int r = gr_rm_rf(sub);
        if (r < 0 && rc == 0)
            rc = r;
        free(sub);
    }
    closedir(d);
    if (rmdir(path) < 0 && rc == 0)
        rc = -errno;
    return rc;
}

/* Copies a regular file.  Refuses to read through a symlink (O_NOFOLLOW),
 * so a learner's file that is a link to elsewhere cannot smuggle it in. */
int gr_copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return -errno;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -errno : 0;
            break;
        }
        rc = course_write_all(out, buf, (size_t)r);
        if (rc < 0)
            break;
    }
    close(in);
    if (close(out) < 0 && rc == 0)
        rc = -errno;
    return rc;
}

/* Colour is for people: only on a terminal, never with NO_COLOR set. */
int gr_is_tty(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return 0;
    return isatty(fileno(f));
}

static int S_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (0 for n == 0).  Sorts v. */
double gr_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, S_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Replaces bytes that are not valid UTF-8 by '?', in place, so program
 * output can go into JSON and XML (which require valid text). */
void gr_utf8_fix(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (p && *p) {
        int n = *p < 0x80         ? 1
                : (*p >> 5) == 6  ? 2
                : (*p >> 4) == 14 ? 3
                : (*p >> 3) == 30 ? 4
                                  : 0;
        int ok = n > 0;
        for (int i = 1; ok && i < n; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (!ok) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}
