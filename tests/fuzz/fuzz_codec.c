/*
 * fuzz_codec.c - libFuzzer over the pool's codec decoder (`make fuzz`).
 *
 * The decoder reads bytes that cross a process boundary, so any input must
 * give a value or a clean -EBADMSG: never a crash, a leak or a read out of
 * bounds.  A value that decodes must also encode back to the same bytes'
 * meaning: decode(encode(v)) == v.
 */
#include "rt_codec.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rt_value *v = NULL;
    char err[256];
    if (rt_codec_decode(data, size, &v, err, sizeof err) != 0)
        return 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (v && rt_codec_encode(v, &buf, &len) == 0) {
        rt_value *again = NULL;
        int rc = rt_codec_decode(buf, len, &again, err, sizeof err);
        assert(rc == 0 && rt_value_equal(v, again));
        rt_value_free(again);
        free(buf);
    }
    rt_value_free(v);
    return 0;
}
