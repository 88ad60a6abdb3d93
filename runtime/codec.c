/*
 * codec.c - the workbook's pickle: values to bytes and back (rt_codec.h).
 *
 * Why a fixed-width format: a learner can read it in a hex dump, and
 * encoding is a few stores per value.  Python's pickle is smarter (varints,
 * memo for shared objects, opcodes that build classes) and much slower per
 * object; the shape of the cost is the same: walk the value, copy it.
 *
 * Why decode is so careful: the bytes come from another process.  A worker
 * killed half-way through a write leaves a torn frame; a bug leaves junk.
 * Every length is checked against the bytes that remain before anything is
 * allocated (so a forged count of 4 billion items costs nothing), nesting is
 * bounded (so a forged "list of list of list..." cannot overflow the stack),
 * and trailing bytes are an error.
 *
 * No clocks in here: reading the clock costs ~70 ns on a virtual machine,
 * more than encoding an int.  Callers time whole batches (rt_pool_stats).
 */
#include "rt_internal.h" /* rt__shm_*, and rt_codec.h */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_VERSION 0x01

/* ------------------------------------------------------------ values */

static rt_value *S_new(rt_value_kind kind, size_t len)
{
    rt_value *v = calloc(1, sizeof *v);
    if (v) {
        v->kind = kind;
        v->len = len;
    }
    return v;
}

rt_value *rt_value_int(int64_t i)
{
    rt_value *v = S_new(RT_V_INT, 0);
    if (v)
        v->as.i = i;
    return v;
}

rt_value *rt_value_float(double f)
{
    rt_value *v = S_new(RT_V_FLOAT, 0);
    if (v)
        v->as.f = f;
    return v;
}

/* Copies n elements of `size` bytes (or zeros if src is NULL) into a new
 * value of the given kind; one extra zero byte keeps strings terminated. */
static rt_value *S_array(rt_value_kind kind, const void *src, size_t n, size_t size)
{
    if (n > (SIZE_MAX - 1) / size) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(n * size + 1);
    if (!p)
        return NULL;
    if (src && n)
        memcpy(p, src, n * size);
    else
        memset(p, 0, n * size);
    ((char *)p)[n * size] = 0;
    rt_value *v = S_new(kind, n);
    if (!v) {
        free(p);
        return NULL;
    }
    v->as.bytes = p;
    return v;
}

rt_value *rt_value_str(const char *s)
{
    return S_array(RT_V_STR, s, strlen(s), 1);
}
rt_value *rt_value_bytes(const void *data, size_t len)
{
    return S_array(RT_V_BYTES, data, len, 1);
}
rt_value *rt_value_ints(const int64_t *v, size_t n)
{
    return S_array(RT_V_INTS, v, n, sizeof(int64_t));
}
rt_value *rt_value_floats(const double *v, size_t n)
{
    return S_array(RT_V_FLOATS, v, n, sizeof(double));
}

rt_value *rt_value_bytes_take(void *data, size_t len)
{
    rt_value *v = S_new(RT_V_BYTES, len);
    if (!v) {
        free(data);
        return NULL;
    }
    v->as.bytes = data;
    return v;
}

rt_value *rt_value_list(size_t n)
{
    rt_value **items = calloc(n ? n : 1, sizeof *items);
    if (!items)
        return NULL;
    rt_value *v = S_new(RT_V_LIST, n);
    if (!v) {
        free(items);
        return NULL;
    }
    v->as.items = items;
    return v;
}

int rt_value_list_set(rt_value *list, size_t i, rt_value *item)
{
    if (!list || list->kind != RT_V_LIST || i >= list->len)
        return -EINVAL;
    rt_value_free(list->as.items[i]);
    list->as.items[i] = item;
    return 0;
}

rt_value *rt_value_shm(rt_shm *shm)
{
    if (!shm) {
        errno = EINVAL;
        return NULL;
    }
    rt_value *v = S_new(RT_V_SHM, rt_shm_size(shm));
    if (v) {
        rt__shm_ref(shm);
        v->as.shm = shm;
    }
    return v;
}

void rt_value_free(rt_value *v)
{
    if (!v)
        return;
    if (v->kind == RT_V_LIST) {
        for (size_t i = 0; i < v->len; i++)
            rt_value_free(v->as.items[i]);
        free(v->as.items);
    } else if (v->kind == RT_V_SHM) {
        rt_shm_free(v->as.shm);
    } else if (v->kind != RT_V_INT && v->kind != RT_V_FLOAT) {
        free(v->as.bytes);
    }
    free(v);
}

rt_value *rt_value_copy(const rt_value *v)
{
    if (!v)
        return NULL;
    switch (v->kind) {
    case RT_V_INT:
        return rt_value_int(v->as.i);
    case RT_V_FLOAT:
        return rt_value_float(v->as.f);
    case RT_V_STR:
    case RT_V_BYTES:
        return S_array(v->kind, v->as.bytes, v->len, 1);
    case RT_V_INTS:
    case RT_V_FLOATS:
        return S_array(v->kind, v->as.bytes, v->len, 8);
    case RT_V_SHM:
        return rt_value_shm(v->as.shm);
    case RT_V_LIST: {
        rt_value *l = rt_value_list(v->len);
        for (size_t i = 0; l && i < v->len; i++) {
            l->as.items[i] = rt_value_copy(v->as.items[i]);
            if (!l->as.items[i] && v->as.items[i]) {
                rt_value_free(l);
                l = NULL;
            }
        }
        return l;
    }
    }
    errno = EINVAL;
    return NULL;
}

int rt_value_equal(const rt_value *a, const rt_value *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->len != b->len)
        return 0;
    switch (a->kind) {
    case RT_V_INT:
        return a->as.i == b->as.i;
    case RT_V_FLOAT: /* bitwise, so NaN equals itself after a round trip */
        return memcmp(&a->as.f, &b->as.f, sizeof(double)) == 0;
    case RT_V_STR:
    case RT_V_BYTES:
        return memcmp(a->as.bytes, b->as.bytes, a->len) == 0;
    case RT_V_INTS:
    case RT_V_FLOATS:
        return memcmp(a->as.bytes, b->as.bytes, a->len * 8) == 0;
    case RT_V_LIST:
        for (size_t i = 0; i < a->len; i++)
            if (!rt_value_equal(a->as.items[i], b->as.items[i]))
                return 0;
        return 1;
    case RT_V_SHM:
        return memcmp(rt_shm_data(a->as.shm), rt_shm_data(b->as.shm), a->len) == 0;
    }
    return 0;
}

/* ------------------------------------------------------------ encoding */

/* Size of v's encoding without the version byte, or a negative errno. */
static long long S_size(const rt_value *v, int depth)
{
    if (depth > RT_CODEC_MAX_DEPTH)
        return -ELOOP;
    if (!v)
        return 1;
    if (v->kind != RT_V_INT && v->kind != RT_V_FLOAT && v->len > UINT32_MAX)
        return -E2BIG;
    switch (v->kind) {
    case RT_V_INT:
    case RT_V_FLOAT:
        return 9;
    case RT_V_STR:
    case RT_V_BYTES:
        return 5 + (long long)v->len;
    case RT_V_INTS:
    case RT_V_FLOATS:
        return 5 + 8 * (long long)v->len;
    case RT_V_SHM:
        return 17;
    case RT_V_LIST: {
        long long total = 5;
        for (size_t i = 0; i < v->len; i++) {
            long long n = S_size(v->as.items[i], depth + 1);
            if (n < 0)
                return n;
            total += n;
        }
        return total;
    }
    }
    return -EINVAL;
}

long long rt_codec_size(const rt_value *v)
{
    long long n = S_size(v, 0);
    return n < 0 ? n : n + 1;
}

/* The machine is little-endian on every platform the workbook targets; the
 * format is defined as little-endian so a big-endian port would swap here. */
static uint8_t *S_put(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

static uint8_t *S_put_u32(uint8_t *p, size_t n)
{
    uint32_t u = (uint32_t)n;
    return S_put(p, &u, 4);
}

/* Writes v at p (room checked by the caller via S_size); returns the end. */
static uint8_t *S_write(uint8_t *p, const rt_value *v)
{
    if (!v) {
        *p++ = 'N';
        return p;
    }
    switch (v->kind) {
    case RT_V_INT:
        *p++ = 'i';
        return S_put(p, &v->as.i, 8);
    case RT_V_FLOAT:
        *p++ = 'f';
        return S_put(p, &v->as.f, 8);
    case RT_V_STR:
    case RT_V_BYTES:
        *p++ = v->kind == RT_V_STR ? 's' : 'b';
        p = S_put_u32(p, v->len);
        return S_put(p, v->as.bytes, v->len);
    case RT_V_INTS:
    case RT_V_FLOATS:
        *p++ = v->kind == RT_V_INTS ? 'I' : 'F';
        p = S_put_u32(p, v->len);
        return S_put(p, v->as.bytes, v->len * 8);
    case RT_V_LIST:
        *p++ = 'L';
        p = S_put_u32(p, v->len);
        for (size_t i = 0; i < v->len; i++)
            p = S_write(p, v->as.items[i]);
        return p;
    case RT_V_SHM: {
        pid_t opid;
        int ofd;
        rt__shm_handle(v->as.shm, &opid, &ofd);
        uint32_t pid = (uint32_t)opid;
        int32_t fd = ofd;
        uint64_t size = rt_shm_size(v->as.shm);
        *p++ = 'M';
        p = S_put(p, &pid, 4);
        p = S_put(p, &fd, 4);
        return S_put(p, &size, 8);
    }
    }
    abort(); /* unknown kind: a corrupted value, not bad input */
}

long long rt_codec_encode_into(const rt_value *v, void *buf, size_t cap)
{
    long long n = rt_codec_size(v);
    if (n < 0)
        return n;
    if ((size_t)n > cap)
        return -ENOSPC;
    uint8_t *p = buf;
    *p++ = S_VERSION;
    uint8_t *end = S_write(p, v);
    if (end - (uint8_t *)buf != n)
        abort(); /* S_size and S_write disagree: a bug here, not bad input */
    return n;
}

int rt_codec_encode(const rt_value *v, uint8_t **out, size_t *len)
{
    long long n = rt_codec_size(v);
    if (n < 0)
        return (int)n;
    uint8_t *buf = malloc((size_t)n);
    if (!buf)
        return -ENOMEM;
    n = rt_codec_encode_into(v, buf, (size_t)n);
    if (n < 0) {
        free(buf);
        return (int)n;
    }
    *out = buf;
    *len = (size_t)n;
    return 0;
}

/* ------------------------------------------------------------ decoding */

typedef struct S_reader {
    const uint8_t *base, *p, *end;
    int rc;    /* first error */
    char *err; /* where to describe it */
    size_t errlen;
} S_reader;

static void S_fail(S_reader *r, int rc, const char *fmt, ...)
{
    if (r->rc)
        return;
    r->rc = rc;
    if (!r->err || !r->errlen)
        return;
    int n =
        snprintf(r->err, r->errlen, "codec: at byte %zu: ", (size_t)(r->p - r->base));
    if (n < 0 || (size_t)n >= r->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static size_t S_left(const S_reader *r)
{
    return (size_t)(r->end - r->p);
}

/* Reads n bytes into dst, or fails with "truncated". */
static int S_take(S_reader *r, void *dst, size_t n, const char *what)
{
    if (S_left(r) < n) {
        S_fail(r, -EBADMSG, "truncated %s: need %zu bytes, %zu left", what, n,
               S_left(r));
        return -1;
    }
    memcpy(dst, r->p, n);
    r->p += n;
    return 0;
}

static rt_value *S_read(S_reader *r, int depth)
{
    if (depth > RT_CODEC_MAX_DEPTH) {
        S_fail(r, -EBADMSG, "lists nested deeper than %d", RT_CODEC_MAX_DEPTH);
        return NULL;
    }
    uint8_t tag;
    if (S_take(r, &tag, 1, "value tag") < 0)
        return NULL;
    rt_value *v = NULL;
    uint32_t n = 0;
    switch (tag) {
    case 'N':
        return NULL;
    case 'i':
    case 'f':
        v = S_new(tag == 'i' ? RT_V_INT : RT_V_FLOAT, 0);
        if (!v)
            break;
        if (S_take(r, &v->as.i, 8, tag == 'i' ? "int" : "float") < 0) {
            free(v);
            return NULL;
        }
        return v;
    case 's':
    case 'b':
    case 'I':
    case 'F': {
        size_t width = (tag == 's' || tag == 'b') ? 1 : 8;
        if (S_take(r, &n, 4, "length") < 0)
            return NULL;
        if ((uint64_t)n * width > S_left(r)) {
            S_fail(r, -EBADMSG, "'%c' of %u elements needs %llu bytes, %zu left", tag,
                   n, (unsigned long long)n * width, S_left(r));
            return NULL;
        }
        rt_value_kind k = tag == 's'   ? RT_V_STR
                          : tag == 'b' ? RT_V_BYTES
                          : tag == 'I' ? RT_V_INTS
                                       : RT_V_FLOATS;
        v = S_array(k, r->p, n, width);
        if (v)
            r->p += (size_t)n * width;
        break;
    }
    case 'L':
        if (S_take(r, &n, 4, "list length") < 0)
            return NULL;
        if (n > S_left(r)) { /* every item takes at least one byte */
            S_fail(r, -EBADMSG, "list of %u items but only %zu bytes left", n,
                   S_left(r));
            return NULL;
        }
        v = rt_value_list(n);
        if (!v)
            break;
        for (uint32_t i = 0; i < n && !r->rc; i++)
            v->as.items[i] = S_read(r, depth + 1);
        if (r->rc) {
            rt_value_free(v);
            return NULL;
        }
        return v;
    case 'M': {
        uint32_t pid;
        int32_t fd;
        uint64_t size;
        if (S_take(r, &pid, 4, "shm pid") < 0 || S_take(r, &fd, 4, "shm fd") < 0 ||
            S_take(r, &size, 8, "shm size") < 0)
            return NULL;
        char why[200];
        int rc = 0;
        rt_shm *shm = rt__shm_open((pid_t)pid, fd, size, &rc, why, sizeof why);
        if (!shm) {
            S_fail(r, rc, "%s", why);
            return NULL;
        }
        v = rt_value_shm(shm);
        rt_shm_free(shm); /* the value holds the reference now */
        break;
    }
    default:
        r->p--;
        S_fail(r, -EBADMSG, "unknown value tag 0x%02x", tag);
        return NULL;
    }
    if (!v)
        S_fail(r, -ENOMEM, "out of memory");
    return v;
}

int rt_codec_decode(const void *data, size_t len, rt_value **out, char *err,
                    size_t errlen)
{
    S_reader r = {data, data, (const uint8_t *)data + len, 0, err, errlen};
    *out = NULL;
    if (err && errlen)
        err[0] = 0;
    uint8_t version = 0;
    if (!data || S_take(&r, &version, 1, "version byte") < 0)
        return -EBADMSG;
    if (version != S_VERSION) {
        r.p--;
        S_fail(&r, -EBADMSG,
               "not an encoded value (version byte 0x%02x, expected 0x%02x)", version,
               S_VERSION);
        return r.rc;
    }
    rt_value *v = S_read(&r, 0);
    if (!r.rc && r.p != r.end)
        S_fail(&r, -EBADMSG, "%zu trailing bytes after the value", S_left(&r));
    if (r.rc) {
        rt_value_free(v);
        return r.rc;
    }
    *out = v;
    return 0;
}
