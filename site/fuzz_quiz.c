/* fuzz_quiz.c - libFuzzer target for the parsers that read authors' input:
 * a fence's info string (fence_parse) and a quiz body (quiz_render).
 *
 * The input's first line is used as an info string, the rest as a quiz
 * body (read by the course library's quiz reader, course/quiz.c, and
 * rendered by quiz.c).  Neither parser may crash, leak, read out of bounds
 * or accept a quiz that breaks the rules; the invariants below check the
 * last part.
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

    char *info = course_xstrndup(s, ilen); /* up to a NUL, as C sees it */
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
    course_diags d = {0};
    int rc = quiz_render("chapters/01-fuzz.md", body, blen, 10, "01", &out, &d);
    if (rc == 0) {
        /* an accepted quiz rendered COURSE_QUIZ_MIN..MAX questions, each
         * with its answer among its choices */
        int q = 0;
        for (const char *p = sb_str(&out); (p = strstr(p, "class=\"quiz-q\"")); p++)
            q++;
        assert(q >= COURSE_QUIZ_MIN && q <= COURSE_QUIZ_MAX);
        assert(d.n == 0);
    } else {
        /* rejected: at least one mistake, each at a line of the block or
         * after it, and nothing half-rendered */
        assert(rc == -1 && d.n > 0);
        for (size_t i = 0; i < d.n; i++)
            assert(d.v[i].line >= 10 && d.v[i].msg[0] != '\0');
        assert(out.len == 0);
    }
    course_diags_free(&d);
    sb_free(&out);
    return 0;
}
