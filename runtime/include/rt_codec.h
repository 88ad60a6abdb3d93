/*
 * rt_codec.h - values that cross a process boundary, and their byte codec.
 *
 * A process pool cannot hand a worker a pointer: the worker has its own
 * address space.  Arguments and results must be turned into bytes, written
 * down a pipe, read and rebuilt on the other side.  Python does this with
 * pickle; this is the workbook's (much smaller) pickle.  It knows:
 *
 *     None (a NULL rt_value pointer), 64-bit ints, doubles, strings,
 *     byte arrays, arrays of int64 or double, nested lists,
 *     and handles to shared memory (rt_shm).
 *
 * The point of having it explicit is that its cost can be seen: every value
 * is copied once into the encoding, the encoding is copied through the
 * kernel, and copied again when it is decoded.  For a tiny task that costs
 * more than the task; for a 64 MiB array it costs tens of milliseconds.
 * Shared memory (rt_shm) is the fix for large arrays: only a handle crosses,
 * and both processes map the same pages.
 *
 * Wire format (little-endian, no alignment), one version byte then a value:
 *
 *     0x01 value            version 1
 *     'N'                   None
 *     'i' i64               int
 *     'f' f64               float (IEEE 754 bits)
 *     's' u32 len, bytes    string (no NUL on the wire)
 *     'b' u32 len, bytes    byte array
 *     'I' u32 n, n * i64    array of ints
 *     'F' u32 n, n * f64    array of floats
 *     'L' u32 n, n values   list
 *     'M' u32 pid, i32 fd, u64 size   shared memory handle
 *
 * Decoding checks everything (lengths against what is left, nesting depth,
 * trailing bytes) and turns malformed input into -EBADMSG and a message
 * saying where and what, never a crash: the bytes come from another
 * process, which may have been killed half-way through writing them.
 *
 * Ownership: an rt_value owns everything it points to; rt_value_free frees
 * the whole tree.  Constructors copy their input unless named _take.
 * All functions here may be called from any thread; none touches the GIL.
 */
#ifndef RT_CODEC_H
#define RT_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rt.h" /* RT_API */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rt_value_kind {
    RT_V_INT = 1,
    RT_V_FLOAT,
    RT_V_STR,
    RT_V_BYTES,
    RT_V_INTS,
    RT_V_FLOATS,
    RT_V_LIST,
    RT_V_SHM
} rt_value_kind;

typedef struct rt_shm rt_shm; /* opaque: a shared memory block */

/* A value.  All fields are read-only for users: build values with the
 * constructors below.  `len` counts bytes (str, bytes), elements (ints,
 * floats, list) or is the block size (shm). */
typedef struct rt_value {
    rt_value_kind kind; /* read-only */
    size_t len;         /* read-only */
    union {
        int64_t i;               /* RT_V_INT */
        double f;                /* RT_V_FLOAT */
        char *s;                 /* RT_V_STR: also NUL-terminated */
        uint8_t *bytes;          /* RT_V_BYTES */
        int64_t *ints;           /* RT_V_INTS */
        double *floats;          /* RT_V_FLOATS */
        struct rt_value **items; /* RT_V_LIST: NULL items are None */
        rt_shm *shm;             /* RT_V_SHM */
    } as;                        /* read-only (contents of arrays may be written) */
} rt_value;

/* Constructors.  Each returns a new value (caller frees with rt_value_free)
 * or NULL when out of memory.  Copying versions copy `len` elements. */
RT_API rt_value *rt_value_int(int64_t i);
RT_API rt_value *rt_value_float(double f);
RT_API rt_value *rt_value_str(const char *s); /* copies up to the NUL */
RT_API rt_value *rt_value_bytes(const void *data, size_t len);
RT_API rt_value *rt_value_ints(const int64_t *v, size_t n);  /* v may be NULL: zeros */
RT_API rt_value *rt_value_floats(const double *v, size_t n); /* v may be NULL: zeros */
/* Takes ownership of `data` (from malloc): no copy.  On failure frees it. */
RT_API rt_value *rt_value_bytes_take(void *data, size_t len);
/* A list of n None items; fill it with rt_value_list_set. */
RT_API rt_value *rt_value_list(size_t n);
/* Stores item at list->as.items[i], taking ownership of item and freeing
 * what was there.  Returns 0, or -EINVAL (not a list, i out of range). */
RT_API int rt_value_list_set(rt_value *list, size_t i, rt_value *item);
/* A value referring to `shm`.  The value holds its own reference: the
 * caller may rt_shm_free its handle independently. */
RT_API rt_value *rt_value_shm(rt_shm *shm);

/* A deep copy of v (shm values share the block).  NULL for None, and NULL
 * with errno ENOMEM when out of memory: check errno if v was not NULL. */
RT_API rt_value *rt_value_copy(const rt_value *v);

/* Frees v and everything it owns.  NULL is fine. */
RT_API void rt_value_free(rt_value *v);
/* Deep equality (shm values are equal when they map the same bytes and
 * those bytes are equal).  NULL equals NULL. */
RT_API int rt_value_equal(const rt_value *a, const rt_value *b);

/* ------------------------------------------------------------------ */
/* Encoding and decoding                                               */
/* ------------------------------------------------------------------ */

/* The encoded size of v, or a negative errno (-E2BIG: a length does not
 * fit the format's 32 bits; -ELOOP: nested deeper than RT_CODEC_MAX_DEPTH). */
#define RT_CODEC_MAX_DEPTH 64
RT_API long long rt_codec_size(const rt_value *v);

/* Encodes v into buf, which must hold rt_codec_size(v) bytes.  Returns the
 * number of bytes written or a negative errno as rt_codec_size. */
RT_API long long rt_codec_encode_into(const rt_value *v, void *buf, size_t cap);

/* Encodes v into a new buffer (*out, caller frees; *len its size).
 * Returns 0 or a negative errno. */
RT_API int rt_codec_encode(const rt_value *v, uint8_t **out, size_t *len);

/* Decodes exactly `len` bytes into *out (caller frees; NULL for None).
 * Returns 0, -EBADMSG for malformed input (with a message in err, which
 * may be NULL, of errlen bytes), -ENOMEM, or for a shared memory handle
 * that cannot be opened, the negative errno of the failure. */
RT_API int rt_codec_decode(const void *data, size_t len, rt_value **out, char *err,
                           size_t errlen);

/* What it costs is counted by the pool, per batch of frames: bytes and
 * time encoding and decoding, in the parent and in the workers
 * (rt_pool_stats).  Timing each call here would cost more than encoding a
 * small value. */

/* ------------------------------------------------------------------ */
/* Shared memory: the fix for large arrays                             */
/* ------------------------------------------------------------------ */

/* Creates a block of `size` bytes (memfd_create + mmap, zero-filled),
 * shareable with pool workers by passing rt_value_shm(block).  Returns
 * NULL with errno set.  Caller frees with rt_shm_free.
 *
 * How the handle travels: it is the creator's pid and descriptor number; a
 * receiving process opens /proc/<pid>/fd/<fd> and maps it.  So the creator
 * must keep the block alive until the receiver has decoded the handle
 * (create blocks in the pool's parent and free them after the results are
 * in, as with Python's SharedMemory).  Linux only; needs /proc. */
RT_API rt_shm *rt_shm_create(size_t size);
RT_API void *rt_shm_data(const rt_shm *shm); /* the mapping, read-write */
RT_API size_t rt_shm_size(const rt_shm *shm);
/* Drops one reference; the last one unmaps and closes.  NULL is fine. */
RT_API void rt_shm_free(rt_shm *shm);

#ifdef __cplusplus
}
#endif
#endif /* RT_CODEC_H */
