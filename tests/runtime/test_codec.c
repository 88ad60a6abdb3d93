/*
 * test_codec.c - the pickle analogue: round trips, malformed bytes, shared
 * memory handles, counters.
 */
#include "check.h"
#include "rt_codec.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Encodes v, decodes it back, checks the copy equals v; returns the size. */
static size_t roundtrip(const rt_value *v)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK(rt_codec_encode(v, &buf, &len) == 0);
    CHECK((long long)len == rt_codec_size(v));
    rt_value *back = (rt_value *)1;
    char err[200];
    int rc = rt_codec_decode(buf, len, &back, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    CHECK(rt_value_equal(v, back));
    rt_value_free(back);
    free(buf);
    return len;
}

/* A nested list of every kind: [1, 2.5, "hé", b"\0\1", [ints], [floats],
 * None, [[]]]. */
static rt_value *sample(void)
{
    int64_t ints[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    double fl[] = {-0.0, 1e308, NAN, INFINITY};
    rt_value *l = rt_value_list(8);
    CHECK(l);
    CHECK(rt_value_list_set(l, 0, rt_value_int(1)) == 0);
    CHECK(rt_value_list_set(l, 1, rt_value_float(2.5)) == 0);
    CHECK(rt_value_list_set(l, 2, rt_value_str("h\xc3\xa9")) == 0);
    CHECK(rt_value_list_set(l, 3, rt_value_bytes("\0\1", 2)) == 0);
    CHECK(rt_value_list_set(l, 4, rt_value_ints(ints, 5)) == 0);
    CHECK(rt_value_list_set(l, 5, rt_value_floats(fl, 4)) == 0);
    CHECK(rt_value_list_set(l, 6, NULL) == 0);
    rt_value *inner = rt_value_list(1);
    CHECK(rt_value_list_set(inner, 0, rt_value_list(0)) == 0);
    CHECK(rt_value_list_set(l, 7, inner) == 0);
    CHECK(rt_value_list_set(l, 8, NULL) == -EINVAL); /* out of range */
    return l;
}

CASE(roundtrip_every_kind)
{
    CHECK(roundtrip(NULL) == 2);
    rt_value *v = rt_value_int(-42);
    CHECK(roundtrip(v) == 10); /* version, tag, 8 bytes */
    rt_value_free(v);
    v = rt_value_str("");
    CHECK(roundtrip(v) == 6);
    CHECK(v->as.s[0] == 0);
    rt_value_free(v);
    v = rt_value_bytes(NULL, 0);
    roundtrip(v);
    rt_value_free(v);
    v = sample();
    roundtrip(v);
    rt_value *c = rt_value_copy(v);
    CHECK(rt_value_equal(v, c));
    CHECK(c->as.items[4] != v->as.items[4]); /* a deep copy */
    rt_value_free(c);
    rt_value_free(v);
}

CASE(exact_wire_format)
{
    /* [7, "ab"]: 01 'L' 02000000 'i' 07.. 's' 02000000 'a' 'b' */
    rt_value *l = rt_value_list(2);
    rt_value_list_set(l, 0, rt_value_int(7));
    rt_value_list_set(l, 1, rt_value_str("ab"));
    uint8_t *buf;
    size_t len;
    CHECK(rt_codec_encode(l, &buf, &len) == 0);
    static const uint8_t want[] = {1, 'L', 2, 0, 0,   0, 'i', 7, 0, 0,   0,
                                   0, 0,   0, 0, 's', 2, 0,   0, 0, 'a', 'b'};
    CHECK(len == sizeof want && memcmp(buf, want, len) == 0);
    uint8_t small[5];
    CHECK(rt_codec_encode_into(l, small, sizeof small) == -ENOSPC);
    free(buf);
    rt_value_free(l);
}

/* Decoding must fail with -EBADMSG, say something, and not crash. */
static void expect_bad(const void *data, size_t len, const char *needle)
{
    char err[256] = "unset";
    rt_value *v = (rt_value *)1;
    int rc = rt_codec_decode(data, len, &v, err, sizeof err);
    CHECKF(rc == -EBADMSG, "rc %d for %zu bytes", rc, len);
    CHECK(v == NULL);
    CHECKF(strstr(err, needle) != NULL, "message '%s' lacks '%s'", err, needle);
}

CASE(malformed_input_is_a_clear_error)
{
    expect_bad("", 0, "truncated version byte");
    expect_bad("\x80\x04", 2, "not an encoded value");
    expect_bad("\x01z", 2, "unknown value tag 0x7a");
    expect_bad("\x01i\x01\x02", 4, "truncated int");
    expect_bad("\x01N\x00", 3, "1 trailing bytes");
    /* a string claiming 4 GiB */
    expect_bad("\x01s\xff\xff\xff\xff"
               "ab",
               8, "needs 4294967295 bytes, 2 left");
    /* a list claiming 4 billion items costs nothing */
    expect_bad("\x01L\xff\xff\xff\xff", 6, "list of 4294967295 items");
    /* 100 nested lists: deeper than RT_CODEC_MAX_DEPTH */
    uint8_t deep[1 + 5 * 100 + 1];
    deep[0] = 1;
    for (int i = 0; i < 100; i++)
        memcpy(deep + 1 + 5 * i, "L\x01\x00\x00\x00", 5);
    deep[sizeof deep - 1] = 'N';
    expect_bad(deep, sizeof deep, "nested deeper than 64");
    /* ... which encoding refuses too */
    rt_value *v = NULL;
    for (int i = 0; i < 100; i++) {
        rt_value *l = rt_value_list(1);
        rt_value_list_set(l, 0, v);
        v = l;
    }
    CHECK(rt_codec_size(v) == -ELOOP);
    rt_value_free(v);
    /* NULL data */
    rt_value *out;
    CHECK(rt_codec_decode(NULL, 5, &out, NULL, 0) == -EBADMSG);
}

CASE(every_truncation_and_bit_flip_is_safe)
{
    rt_value *v = sample();
    uint8_t *buf;
    size_t len;
    CHECK(rt_codec_encode(v, &buf, &len) == 0);
    /* Every proper prefix is malformed. */
    for (size_t n = 0; n < len; n++) {
        rt_value *out = (rt_value *)1;
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees overreads */
        memcpy(copy, buf, n);
        CHECKF(rt_codec_decode(copy, n, &out, NULL, 0) == -EBADMSG, "prefix %zu", n);
        CHECK(out == NULL);
        free(copy);
    }
    /* Random corruption: either a clean error or a valid value. */
    srand(12345);
    int ok = 0, bad = 0;
    for (int it = 0; it < 20000; it++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, buf, len);
        for (int k = 0; k < 1 + it % 4; k++)
            copy[(size_t)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
        rt_value *out = NULL;
        char err[128];
        int rc = rt_codec_decode(copy, len, &out, err, sizeof err);
        if (rc == 0) {
            ok++;
            rt_value_free(out);
        } else {
            CHECKF(rc == -EBADMSG || rc < 0, "rc %d", rc);
            CHECK(out == NULL && strncmp(err, "codec: at byte ", 15) == 0);
            bad++;
        }
        free(copy);
    }
    CHECKF(ok > 0 && bad > 0, "ok %d bad %d", ok, bad); /* both paths exercised */
    free(buf);
    rt_value_free(v);
}

CASE(shared_memory_handle)
{
    rt_shm *shm = rt_shm_create(1 << 20);
    CHECK(shm && rt_shm_size(shm) == 1 << 20);
    uint8_t *d = rt_shm_data(shm);
    d[0] = 42;
    d[(1 << 20) - 1] = 7;
    rt_value *v = rt_value_shm(shm);
    uint8_t *buf;
    size_t len;
    CHECK(rt_codec_encode(v, &buf, &len) == 0);
    CHECK(len == 18); /* a handle, not a megabyte */
    rt_value *back = NULL;
    char err[256];
    CHECKF(rt_codec_decode(buf, len, &back, err, sizeof err) == 0, "%s", err);
    CHECK(back->kind == RT_V_SHM && back->len == 1 << 20);
    uint8_t *e = rt_shm_data(back->as.shm);
    CHECK(e != d); /* a second mapping ... */
    CHECK(e[0] == 42 && e[(1 << 20) - 1] == 7);
    e[1] = 99; /* ... of the same pages */
    CHECK(d[1] == 99);
    CHECK(rt_value_equal(v, back));
    rt_value_free(back);
    /* A handle claiming more than the block holds is refused. */
    uint64_t big = 1ull << 30;
    memcpy(buf + 10, &big, 8);
    expect_bad(buf, len, "smaller than");
    /* A handle to a descriptor that is not open fails cleanly. */
    int32_t fd = 100000;
    memcpy(buf + 6, &fd, 4);
    rt_value *out = (rt_value *)1;
    int rc = rt_codec_decode(buf, len, &out, err, sizeof err);
    CHECKF(rc == -ENOENT && out == NULL && strstr(err, "cannot open shared memory"),
           "rc %d: %s", rc, err);
    /* A handle forged to name some other open file (here a temporary file
     * of ours, claiming one byte) is refused before anything is opened. */
    FILE *other = tmpfile();
    CHECK(other && fputc('x', other) == 'x' && fflush(other) == 0);
    fd = fileno(other);
    uint64_t one = 1;
    memcpy(buf + 6, &fd, 4);
    memcpy(buf + 10, &one, 8);
    expect_bad(buf, len, "is not a shared block");
    fclose(other);
    free(buf);
    rt_value_free(v);
    rt_shm_free(shm);
    /* An empty block works. */
    shm = rt_shm_create(0);
    CHECK(shm && rt_shm_size(shm) == 0);
    rt_shm_free(shm);
}

int main(int argc, char **argv)
{
    return check_main(
        argc, argv,
        CASES(roundtrip_every_kind, exact_wire_format, malformed_input_is_a_clear_error,
              every_truncation_and_bit_flip_is_safe, shared_memory_handle));
}
