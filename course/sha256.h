/*
 * sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) for the
 * instructor edition's two uses of a hash:
 *
 *   - the student edition's manifest: a checksum of every file a learner
 *     must not edit, so the grader can name the one that was changed;
 *   - quiz keys: a student edition replaces each right answer by an HMAC
 *     (course/quizseal.h), so the answer is not in the chapter as text.
 *
 * The hashing is OpenSSL's (libcrypto); this header gives the course one
 * small API for it (tests/course/test_seal.c checks it against the
 * standard's test vectors).
 *
 * Locking: none; each context belongs to its caller.
 */
#ifndef COURSE_SHA256_H
#define COURSE_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum { COURSE_SHA256_LEN = 32, COURSE_SHA256_BLOCK = 64 };

/* A hash in progress: init, update any number of times, final (which
 * frees what init allocated).  Fields are private. */
typedef struct course_sha256_ctx {
    void *evp; /* OpenSSL's EVP_MD_CTX */
} course_sha256_ctx;

void course_sha256_init(course_sha256_ctx *s);
void course_sha256_update(course_sha256_ctx *s, const void *data, size_t len);
void course_sha256_final(course_sha256_ctx *s, unsigned char out[COURSE_SHA256_LEN]);
/* The hash of one buffer. */
void course_sha256(const void *data, size_t len, unsigned char out[COURSE_SHA256_LEN]);

/* HMAC-SHA256 of msg under key (any length). */
void course_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
                        unsigned char out[COURSE_SHA256_LEN]);

/* n bytes as 2n lower-case hex digits into out (room for 2n + 1). */
void course_hex(const unsigned char *bytes, size_t n, char *out);
/* 2n hex digits (either case) into n bytes.  Returns 0, or -1 if hex is
 * not exactly 2n hex digits. */
int course_unhex(const char *hex, unsigned char *bytes, size_t n);

/* The SHA-256 of the file at path as 64 hex digits into out[65].  Returns
 * 0 or a negative errno. */
int course_sha256_file(const char *path, char out[2 * COURSE_SHA256_LEN + 1]);

#endif /* COURSE_SHA256_H */
