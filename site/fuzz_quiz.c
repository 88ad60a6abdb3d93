/* fuzz_quiz.c - libFuzzer target for the parsers that read authors' input:
 * a fence's info string (fence_parse) and a quiz body (quiz_render).
 *
 * The input's first line is used as an info string, the rest as a quiz
 * body.  Neither parser may crash, leak, read out of bounds or accept a
 * quiz that breaks the rules; the invariants below check the last part.
 * Build and run with `make fuzz` (clang -fsanitize=fuzzer,address,undefined).
 */
#include "site.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t ilen = nl ? (size_t)(nl - s) : size;

    char *info = xmalloc(ilen + 1);
    memcpy(info, s, ilen);
    info[ilen] = '\0';
    fence f;
    site_err e = {0};
    int w = fence_parse(info, &f, &e);
    assert(w >= -1 && w <= 1);
    assert(f.nopts >= 0 && f.nopts <= FENCE_MAX_OPTS);
    if (w < 0)
        assert(e.msg[0] != '\0');
    free(info);

    const char *body = nl ? nl + 1 : s + size;
    size_t blen = (size_t)(s + size - body);
    sb out = {0};
    memset(&e, 0, sizeof e);
    int rc = quiz_render(body, blen, 10, "01", &out, &e);
    if (rc == 0) {
        /* an accepted quiz rendered 3-6 questions */
        int q = 0;
        for (const char *p = sb_str(&out); (p = strstr(p, "class=\"quiz-q\"")); p++)
            q++;
        assert(q >= 3 && q <= 6);
    } else {
        assert(rc == -1 && e.msg[0] != '\0' && e.line >= 10);
        assert(out.len == 0); /* nothing half-rendered */
    }
    sb_free(&out);
    return 0;
}
