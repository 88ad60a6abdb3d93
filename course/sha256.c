/*
 * sha256.c - SHA-256 and HMAC-SHA256 (see sha256.h for why they are here).
 *
 * SHA-256 in one paragraph: the message is padded to a multiple of 64
 * bytes (a 1 bit, zeros, then its length in bits as 64 bits big-endian)
 * and fed block by block to a compression function that mixes the block
 * into eight 32-bit words of state over 64 rounds.  The final state,
 * written big-endian, is the hash.  The constants are the first 32 bits of
 * the fractional parts of the cube roots (K) and square roots (H0) of the
 * first primes, as FIPS 180-4 section 4.2.2 and 5.3.3 give them.
 *
 * HMAC (RFC 2104): H((K ^ opad) || H((K ^ ipad) || msg)), with K the key
 * padded to one block (hashed first if longer than a block).
 *
 * Locking: none.  Limits: not constant-time; fine for checksums and for
 * quiz keys, whose secrecy is a deterrent only (README, instructor section).
 */
#include "sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const uint32_t S_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

static uint32_t S_rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

/* The compression function: mixes one 64-byte block into s->h. */
static void S_block(course_sha256_ctx *s, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = S_rotr(w[i - 15], 7) ^ S_rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = S_rotr(w[i - 2], 17) ^ S_rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4],
             f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (S_rotr(e, 6) ^ S_rotr(e, 11) ^ S_rotr(e, 25)) +
                      ((e & f) ^ (~e & g)) + S_K[i] + w[i];
        uint32_t t2 = (S_rotr(a, 2) ^ S_rotr(a, 13) ^ S_rotr(a, 22)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

/* See sha256.h. */
void course_sha256_init(course_sha256_ctx *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->bytes = 0;
    s->nbuf = 0;
}

/* See sha256.h.  Whole blocks go straight from data; the rest waits in buf. */
void course_sha256_update(course_sha256_ctx *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->bytes += len;
    if (s->nbuf) {
        size_t take = COURSE_SHA256_BLOCK - s->nbuf;
        if (take > len)
            take = len;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        len -= take;
        if (s->nbuf < COURSE_SHA256_BLOCK)
            return;
        S_block(s, s->buf);
        s->nbuf = 0;
    }
    for (; len >= COURSE_SHA256_BLOCK;
         p += COURSE_SHA256_BLOCK, len -= COURSE_SHA256_BLOCK)
        S_block(s, p);
    memcpy(s->buf, p, len);
    s->nbuf = len;
}

/* See sha256.h.  Padding: 0x80, zeros up to 56 mod 64, the bit length. */
void course_sha256_final(course_sha256_ctx *s, unsigned char out[COURSE_SHA256_LEN])
{
    uint64_t bits = s->bytes * 8;
    unsigned char pad[COURSE_SHA256_BLOCK + 8] = {0x80};
    size_t npad = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    course_sha256_update(s, pad, npad + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

/* See sha256.h. */
void course_sha256(const void *data, size_t len, unsigned char out[COURSE_SHA256_LEN])
{
    course_sha256_ctx s;
    course_sha256_init(&s);
    course_sha256_update(&s, data, len);
    course_sha256_final(&s, out);
}

/* See sha256.h. */
void course_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
                        unsigned char out[COURSE_SHA256_LEN])
{
    unsigned char k[COURSE_SHA256_BLOCK] = {0}, pad[COURSE_SHA256_BLOCK];
    if (klen > COURSE_SHA256_BLOCK)
        course_sha256(key, klen, k);
    else if (klen)
        memcpy(k, key, klen);
    unsigned char inner[COURSE_SHA256_LEN];
    course_sha256_ctx s;
    for (int i = 0; i < COURSE_SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    course_sha256_init(&s);
    course_sha256_update(&s, pad, sizeof pad);
    course_sha256_update(&s, msg, mlen);
    course_sha256_final(&s, inner);
    for (int i = 0; i < COURSE_SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    course_sha256_init(&s);
    course_sha256_update(&s, pad, sizeof pad);
    course_sha256_update(&s, inner, sizeof inner);
    course_sha256_final(&s, out);
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
