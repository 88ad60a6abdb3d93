/*
 * test_seal.c - the instructor edition's pieces of the course library:
 * SHA-256 and HMAC against their standards' vectors, sealed quiz keys,
 * solution/starter stripping, due dates and the late policy.
 */
#include "check.h"
#include "course/quiz.h"
#include "course/quizseal.h"
#include "course/sha256.h"
#include "course/strip.h"
#include "course/when.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int S_hex_is(const unsigned char *h, const char *want)
{
    char got[2 * COURSE_SHA256_LEN + 1];
    course_hex(h, COURSE_SHA256_LEN, got);
    if (strcmp(got, want))
        fprintf(stderr, "  got  %s\n  want %s\n", got, want);
    return !strcmp(got, want);
}

/* FIPS 180-4 examples (and NIST's long messages) cross block boundaries at
 * every padding case: empty, one block, two blocks, many. */
CASE(sha256_vectors)
{
    unsigned char h[COURSE_SHA256_LEN];
    course_sha256("", 0, h);
    CHECK(S_hex_is(h,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    course_sha256("abc", 3, h);
    CHECK(S_hex_is(h,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    course_sha256(two, strlen(two), h);
    CHECK(S_hex_is(h,
                   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    /* A million 'a', fed in uneven pieces. */
    course_sha256_ctx s;
    course_sha256_init(&s);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof a ? left : sizeof a;
        course_sha256_update(&s, a, n);
        left -= n;
    }
    course_sha256_final(&s, h);
    CHECK(S_hex_is(h,
                   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than a block). */
CASE(hmac_vectors)
{
    unsigned char h[COURSE_SHA256_LEN], key[131];
    memset(key, 0x0b, 20);
    course_hmac_sha256(key, 20, "Hi There", 8, h);
    CHECK(S_hex_is(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cf"
                      "f7"));
    const char *what = "what do ya want for nothing?";
    course_hmac_sha256("Jefe", 4, what, strlen(what), h);
    CHECK(S_hex_is(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38"
                      "43"));
    memset(key, 0xaa, sizeof key);
    const char *big = "Test Using Larger Than Block-Size Key - Hash Key First";
    course_hmac_sha256(key, sizeof key, big, strlen(big), h);
    CHECK(S_hex_is(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f"
                      "54"));
}

static const char S_chapter[] =
    "# A chapter\n"
    "\n"
    "Some text with ```quiz``` inline.\n"
    "\n"
    "```quiz title=\"Check\"\n"
    "[{\"q\": \"Which one?\", \"choices\": [\"first\", \"second\", \"third\"],\n"
    "  \"answer\": \"b\", \"explain\": \"Because `second` is second.\"},\n"
    " {\"q\": \"And this?\", \"choices\": [\"yes\", \"no\"], \"answer\": 0,\n"
    "  \"explain\": \"Yes.\"}]\n"
    "```\n"
    "\n"
    "The end.\n";

/* Sealing keeps everything but the block's body, and the sealed quiz
 * accepts exactly the right answers and unseals the explanations. */
CASE(sealed_quiz_checks_answers)
{
    static const unsigned char secret[] = "a course secret";
    char *out = NULL;
    course_diags d = {0};
    CHECK(course_quiz_seal_chapter(S_chapter, strlen(S_chapter), "chapters/07-x.md",
                                   "07-x", secret, sizeof secret - 1, &out, &d) == 0);
    CHECK(d.n == 0);
    CHECK(!strstr(out, "\"b\"") && !strstr(out, "Because"));
    CHECK(!strncmp(out, S_chapter,
                   strlen("# A chapter\n\nSome text with ```quiz``` "
                          "inline.\n\n```quiz title=\"Check\"\n")));
    CHECK(strstr(out, "```\n\nThe end.\n") != NULL);
    /* The sealed chapter still parses, with the same questions. */
    const char *open = strstr(out, "```quiz title");
    const char *body = strchr(open, '\n') + 1;
    const char *end = strstr(body, "\n```") + 1;
    course_quiz qz;
    CHECK(course_quiz_parse(body, (size_t)(end - body), "chapters/07-x.md", 6, &qz,
                            &d) == 0);
    CHECK(qz.n == 2 && qz.qs[0].answer == -1 && qz.qs[0].answer_key);
    CHECK(!strcmp(qz.qs[0].choices.v[1], "second"));
    CHECK(course_quiz_right(&qz.qs[0], 1, 'b'));
    CHECK(!course_quiz_right(&qz.qs[0], 1, 'a') &&
          !course_quiz_right(&qz.qs[0], 1, 'c'));
    CHECK(course_quiz_right(&qz.qs[1], 2, 'a') &&
          !course_quiz_right(&qz.qs[1], 2, 'b'));
    /* The MAC binds the question number too. */
    CHECK(!course_quiz_right(&qz.qs[0], 2, 'b'));
    char *ex = course_quiz_explain(&qz.qs[0], 1, 'b');
    CHECK(ex && !strcmp(ex, "Because `second` is second."));
    free(ex);
    CHECK(course_quiz_explain(&qz.qs[0], 1, 'c') == NULL);
    course_quiz_free(&qz);
    /* Sealing again changes nothing; another secret seals differently. */
    char *again = NULL;
    CHECK(course_quiz_seal_chapter(out, strlen(out), "x", "07-x", secret,
                                   sizeof secret - 1, &again, &d) == 0);
    CHECK(!strcmp(again, out));
    free(again);
    char *other = NULL;
    CHECK(course_quiz_seal_chapter(S_chapter, strlen(S_chapter), "x", "07-x",
                                   (const unsigned char *)"other", 5, &other, &d) == 0);
    CHECK(strcmp(other, out) != 0);
    free(other);
    free(out);
}

/* A malformed sealed answer is reported with its line, like any quiz error. */
CASE(sealed_answer_malformed)
{
    const char *body = "[{\"q\": \"q?\", \"choices\": [\"x\", \"y\"],\n"
                       "  \"answer\": \"hmac-sha256:00:11\", \"explain\": \"e\"}]\n";
    course_quiz qz;
    course_diags d = {0};
    CHECK(course_quiz_parse(body, strlen(body), "chapters/07-x.md", 10, &qz, &d) ==
          -EINVAL);
    CHECK(d.n == 1 && d.v[0].line == 11 && strstr(d.v[0].msg, "sealed answer"));
    course_diags_free(&d);
}

static const char S_solution[] = "/* BEGIN SOLUTION */\n"
                                 "/* the solution's header */\n"
                                 "/* END SOLUTION */\n"
                                 "#if 0  /* BEGIN STARTER */\n"
                                 "/* the starter's header */\n"
                                 "#endif /* END STARTER */\n"
                                 "int f(void)\n"
                                 "{\n"
                                 "    /* BEGIN SOLUTION */\n"
                                 "    return 42;\n"
                                 "    /* END SOLUTION */\n"
                                 "#if 0  /* BEGIN STARTER */\n"
                                 "    /* TODO: the answer */\n"
                                 "    return 0;\n"
                                 "#endif /* END STARTER */\n"
                                 "}\n";

CASE(strip_solution_to_starter)
{
    char *out = NULL;
    course_diags d = {0};
    CHECK(course_strip_has_markers(S_solution, COURSE_STRIP_SOLUTION));
    CHECK(!course_strip_has_markers(S_solution, COURSE_STRIP_HIDDEN));
    CHECK(course_strip(S_solution, "solutions/07/f.c", COURSE_STRIP_SOLUTION, &out,
                       &d) == 0);
    CHECK(!strcmp(out, "/* the starter's header */\n"
                       "int f(void)\n"
                       "{\n"
                       "    /* TODO: the answer */\n"
                       "    return 0;\n"
                       "}\n"));
    free(out);
    const char *driver = "static const case cases[] = {\n"
                         "    {\"open\", open_case},\n"
                         "  /*   BEGIN   HIDDEN TESTS */\n"
                         "    {\"secret\", secret_case},\n"
                         "/* END HIDDEN TESTS */\n"
                         "};\n";
    CHECK(course_strip(driver, "d.c", COURSE_STRIP_HIDDEN, &out, &d) == 0);
    CHECK(!strcmp(out,
                  "static const case cases[] = {\n    {\"open\", open_case},\n};\n"));
    free(out);
    CHECK(d.n == 0);
}

/* Every mistake, with its line: unclosed, stray END, nesting, a marker
 * that is not alone on its line, the other mode's marker. */
CASE(strip_mistakes)
{
    char *out = NULL;
    course_diags d = {0};
    const char *bad = "a\n"
                      "/* BEGIN SOLUTION */\n"
                      "/* BEGIN SOLUTION */\n"
                      "x = 1; /* END SOLUTION */\n"
                      "/* END STARTER */\n"
                      "#endif /* END STARTER */\n"
                      "/* BEGIN HIDDEN TESTS */\n";
    CHECK(course_strip(bad, "s.c", COURSE_STRIP_SOLUTION, &out, &d) == -EINVAL);
    CHECK(out == NULL);
    int lines[8] = {0};
    for (size_t i = 0; i < d.n; i++) {
        CHECK(!strcmp(d.v[i].file, "s.c"));
        if (d.v[i].line < 8)
            lines[d.v[i].line]++;
    }
    CHECKF(lines[3] && lines[4] && lines[5] && lines[6] && lines[7], "%zu diagnostics",
           d.n);
    course_diags_free(&d);
    CHECK(course_strip("/* BEGIN HIDDEN TESTS */\nx\n", "d.c", COURSE_STRIP_HIDDEN,
                       &out, &d) == -EINVAL);
    CHECK(d.n == 1 && d.v[0].line == 1 && strstr(d.v[0].msg, "never closed"));
    course_diags_free(&d);
}

CASE(times_and_late_policy)
{
    time_t t, u;
    CHECK(course_time_parse("2026-03-01T23:59:00Z", &t) == 0);
    char buf[21];
    course_time_format(t, buf);
    CHECK(!strcmp(buf, "2026-03-01T23:59:00Z"));
    CHECK(course_time_parse("2026-03-01T18:59:00.25-05:00", &u) == 0 && u == t);
    CHECK(course_time_parse("2026-03-01 16:59:00.123456000 -0700", &u) == 0 && u == t);
    CHECK(course_time_parse("2026-03-01T23:59Z", &u) == 0 && u == t - 0);
    CHECK(course_time_parse("2026-03-01T23:59:00", &u) < 0);  /* no zone */
    CHECK(course_time_parse("2026-02-30T10:00:00Z", &u) < 0); /* no such day */
    CHECK(course_time_parse("soon", &u) < 0);

    course_late_policy p = {.per_day = 10, .grace_days = 1, .max_days = 5};
    course_late l = course_late_apply(&p, t, t);
    CHECK(!l.late && l.days == 0 && l.penalty == 0);
    l = course_late_apply(&p, t, t + 1); /* a second late: day 1, in grace */
    CHECK(l.late && l.days == 1 && l.penalty == 0);
    l = course_late_apply(&p, t, t + 86400 + 1);
    CHECK(l.late && l.days == 2 && l.penalty == 10);
    l = course_late_apply(&p, t, t + 5 * 86400);
    CHECK(l.days == 5 && l.penalty == 40);
    l = course_late_apply(&p, t, t + 5 * 86400 + 1); /* past max_days */
    CHECK(l.days == 6 && l.penalty == 100);
    l = course_late_apply(&p, 0, t); /* no due date */
    CHECK(!l.late);
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(sha256_vectors, hmac_vectors, sealed_quiz_checks_answers,
                            sealed_answer_malformed, strip_solution_to_starter,
                            strip_mistakes, times_and_late_policy));
}
