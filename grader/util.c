/*
 * util.c - small helpers every grader module uses: strings, files, time.
 *
 * Out-of-memory aborts (the grader cannot report anything useful without
 * memory); every other failure is returned as a negative errno value.
 */
#include "grader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Allocates n bytes or aborts. */
void *gr_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("grader: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* Copies s (NULL stays NULL).  Caller frees. */
char *gr_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    return memcpy(gr_xmalloc(n), s, n);
}

/* printf into a fresh string.  Caller frees. */
char *gr_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = gr_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Appends a copy of s; keeps v NULL-terminated. */
void gr_strv_push(gr_strv *sv, const char *s)
{
    char **v = realloc(sv->v, (sv->n + 2) * sizeof *v);
    if (!v) {
        fputs("grader: out of memory\n", stderr);
        abort();
    }
    v[sv->n++] = gr_xstrdup(s);
    v[sv->n] = NULL;
    sv->v = v;
}

void gr_strv_free(gr_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

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
    return gr_xstrdup(buf);
}

/* Reads path whole, NUL-terminated.  Returns NULL with errno on failure. */
char *gr_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = gr_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
    }
    int err = ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        free(buf);
        errno = err;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Writes text to path atomically (temporary file in the same directory,
 * then rename), so a reader sees the old file or the new one, never half. */
int gr_write_file(const char *path, const char *text, size_t len)
{
    char *tmp = gr_fmt("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return -e;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            free(tmp);
            return -e;
        }
        off += (size_t)w;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return -e;
    }
    free(tmp);
    return 0;
}

/* mkdir -p.  Returns 0 or a negative errno. */
int gr_mkdir_p(const char *path, mode_t mode)
{
    char *p = gr_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            return -e;
        }
        *s = '/';
    }
    int rc = (mkdir(p, mode) < 0 && errno != EEXIST) ? -errno : 0;
    free(p);
    return rc;
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
        char *sub = gr_fmt("%s/%s", path, e->d_name);
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
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                rc = -errno;
                goto done;
            }
            off += w;
        }
    }
done:
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
