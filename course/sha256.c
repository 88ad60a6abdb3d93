/*
 * sha256.c - SHA-256 and HMAC-SHA256 for the course library, from
 * OpenSSL's libcrypto (the grader already links it to check the binaries
 * it runs), plus hex and file helpers.
 *
 * Why a wrapper and not OpenSSL's calls everywhere: the grader and the
 * tools hash in several places, and one small API with the course's error
 * rules (no NULL to check: a failed allocation aborts, as course_xmalloc
 * does) keeps those call sites to one line.
 *
 * Locking: none; each context belongs to its caller.
 */
#include "sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void S_fail(const char *what)
{
    fprintf(stderr, "course: libcrypto: %s failed\n", what);
    abort();
}

/* See sha256.h. */
void course_sha256_init(course_sha256_ctx *s)
{
    s->evp = EVP_MD_CTX_new();
    if (!s->evp || EVP_DigestInit_ex(s->evp, EVP_sha256(), NULL) != 1)
        S_fail("SHA-256 init");
}

/* See sha256.h. */
void course_sha256_update(course_sha256_ctx *s, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(s->evp, data, len) != 1)
        S_fail("SHA-256 update");
}

/* See sha256.h. */
void course_sha256_final(course_sha256_ctx *s, unsigned char out[COURSE_SHA256_LEN])
{
    unsigned int n = COURSE_SHA256_LEN;
    if (EVP_DigestFinal_ex(s->evp, out, &n) != 1 || n != COURSE_SHA256_LEN)
        S_fail("SHA-256 final");
    EVP_MD_CTX_free(s->evp);
    s->evp = NULL;
}

/* See sha256.h. */
void course_sha256(const void *data, size_t len, unsigned char out[COURSE_SHA256_LEN])
{
    unsigned int n = COURSE_SHA256_LEN;
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
        S_fail("SHA-256");
}

/* See sha256.h. */
void course_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
                        unsigned char out[COURSE_SHA256_LEN])
{
    unsigned int n = COURSE_SHA256_LEN;
    static const unsigned char none[1];
    if (!HMAC(EVP_sha256(), klen ? key : none, (int)klen, mlen ? msg : none, mlen, out,
              &n))
        S_fail("HMAC-SHA256");
}

/* See sha256.h. */
void course_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int S_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* See sha256.h. */
int course_unhex(const char *hex, unsigned char *bytes, size_t n)
{
    if (strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = S_nibble(hex[2 * i]), lo = S_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* See sha256.h. */
int course_sha256_file(const char *path, char out[2 * COURSE_SHA256_LEN + 1])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    course_sha256_ctx s;
    course_sha256_init(&s);
    unsigned char buf[16384];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        course_sha256_update(&s, buf, got);
    int err = ferror(f) ? -EIO : 0;
    fclose(f);
    if (err)
        return err;
    unsigned char h[COURSE_SHA256_LEN];
    course_sha256_final(&s, h);
    course_hex(h, sizeof h, out);
    return 0;
}
