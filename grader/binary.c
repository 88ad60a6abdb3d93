/*
 * binary.c - the programs the grader runs are the ones it built.
 *
 * Every binary of a grading (plain, ThreadSanitizer, ASan) is built before
 * any of the learner's code runs, then copied out of the compiler's
 * directory into one only the grader can write (read-only, mode 0555), with
 * its SHA-256 taken on the way.  Before each run the grader opens it,
 * hashes what it opened and runs that very descriptor (execveat), so a
 * program that managed to replace or edit a binary (only possible where
 * there is neither root nor Landlock) is caught, not run.
 *
 * SHA-256 comes from OpenSSL's libcrypto: a well-kept implementation, not
 * one of ours.  Hashing costs about 2 ms per MB, per run.
 */
#include "grader.h"
#include "course/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Hashes fd from its start; with `to` >= 0 also copies the bytes there. */
static int S_hash_copy(int fd, int to, unsigned char out[32])
{
    course_sha256_ctx ctx;
    course_sha256_init(&ctx);
    char buf[65536];
    off_t off = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : 0;
            break;
        }
        off += n;
        course_sha256_update(&ctx, buf, (size_t)n);
        for (ssize_t w = 0; to >= 0 && w < n;) {
            ssize_t k = write(to, buf + w, (size_t)(n - w));
            if (k < 0 && errno != EINTR) {
                rc = -errno;
                goto done;
            }
            w += k > 0 ? k : 0;
        }
    }
done:
    course_sha256_final(&ctx, out);
    return rc;
}

void gr_sha256(const void *data, size_t len, unsigned char out[32])
{
    course_sha256(data, len, out);
}

char *gr_sha256_hex(const unsigned char h[32])
{
    char *s = gr_xmalloc(2 * COURSE_SHA256_LEN + 1);
    course_hex(h, COURSE_SHA256_LEN, s);
    return s;
}

int gr_binary_install(const char *from, const char *to, gr_binary *b)
{
    memset(b, 0, sizeof *b);
    int in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return -errno;
    struct stat st;
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return -EINVAL;
    }
    unlink(to);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    int rc = S_hash_copy(in, out, b->sha256);
    close(in);
    if (fchmod(out, 0555) < 0 && rc == 0)
        rc = -errno;
    if (close(out) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        b->path = gr_xstrdup(to);
    return rc;
}

int gr_binary_open(const gr_binary *b, char **why)
{
    *why = NULL;
    int fd = open(b->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        *why = gr_fmt("%s: %s", b->path, strerror(e));
        return -e;
    }
    unsigned char h[32];
    int rc = S_hash_copy(fd, -1, h);
    if (rc == 0 && memcmp(h, b->sha256, 32) != 0) {
        *why = gr_fmt("%s is not the binary the grader built (its SHA-256 changed): "
                      "something replaced or edited it",
                      b->path);
        rc = -EBADMSG;
    }
    if (rc < 0) {
        if (!*why)
            *why = gr_fmt("%s: %s", b->path, strerror(-rc));
        close(fd);
        return rc;
    }
    return fd;
}

void gr_binary_free(gr_binary *b)
{
    free(b->path);
    memset(b, 0, sizeof *b);
}
