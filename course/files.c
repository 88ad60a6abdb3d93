/*
 * files.c - whole files: read one, write one atomically, make directories.
 *
 * Locking: none; no state.  course_write_file is safe against concurrent
 * writers of the same path in other processes (each writes its own
 * temporary file; the last rename wins), not against two threads of one
 * process writing the same path (they would share the temporary name).
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* See util.h.  Reads in growing chunks, so it also works on files whose
 * size stat() does not know (pipes, /proc). */
char *course_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = course_xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            buf = course_xrealloc(buf, cap);
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

/* See util.h.  write() may write less than asked (a signal, a pipe): go on
 * from where it stopped. */
int course_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        off += (size_t)w;
    }
    return 0;
}

/* See util.h.  The temporary file is "path.tmp.PID" beside path (a rename
 * is atomic only within one file system); it is removed on any failure. */
int course_write_file(const char *path, const char *data, size_t len)
{
    char *tmp = course_fmt("%s.tmp.%ld", path, (long)getpid());
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    rc = course_write_all(fd, data, len);
    if (rc < 0) {
        close(fd);
        goto fail;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        rc = -errno;
        goto fail;
    }
    goto out;
fail:
    unlink(tmp);
out:
    free(tmp);
    return rc;
}

/* See util.h.  Existing directories along the way are fine. */
int course_mkdir_p(const char *path, mode_t mode)
{
    char *p = course_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST)
            rc = -errno;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, mode) < 0 && errno != EEXIST)
        rc = -errno;
    free(p);
    return rc;
}
