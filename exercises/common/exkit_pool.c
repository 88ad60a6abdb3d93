/*
 * exkit_pool.c - the process pool's counters in the measure line ("pool").
 * A file of its own so a driver that never uses the pool links none of it.
 */
#include "exkit_internal.h"
#include "rt_pool.h"

void exkit_report_pool(exkit_measure *m, const struct rt_pool_stats *s)
{
    exkit_buf *b = &m->pool;
    if (b->len)
        exkit_fail("driver bug: exkit_report_pool called twice");
#define U(f)                                                                           \
    exkit__buf_key(b, #f);                                                             \
    exkit__buf_add(b, "%llu", (unsigned long long)s->f)
    U(submitted);
    U(done);
    U(failed);
    U(cancelled);
    U(chunks_sent);
    U(writes);
    U(reads);
    U(bytes_encoded);
    U(encode_ns);
    U(bytes_decoded);
    U(decode_ns);
    U(worker_codec_ns);
    U(worker_run_ns);
    U(workers);
    U(procs_started);
    U(workers_used);
#undef U
    exkit__buf_key(b, "per_worker");
    exkit__buf_add(b, "[");
    for (int i = 0; i < s->workers && i < RT_POOL_MAX_WORKERS; i++)
        exkit__buf_add(b, "%s%llu", i ? ", " : "",
                       (unsigned long long)s->per_worker[i]);
    exkit__buf_add(b, "]");
}
