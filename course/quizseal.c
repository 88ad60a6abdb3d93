/*
 * quizseal.c - sealed quiz keys (the scheme and its limits: quizseal.h).
 *
 * Sealing a chapter: cmark-gfm finds its ```quiz fences (so we agree with
 * the grader and the site on where a block starts and ends), each block is
 * parsed by the course's quiz reader (so a malformed quiz is reported with
 * its chapter line, exactly as `make site` would), and the block's body
 * lines are replaced by the same questions written back as JSON with the
 * answer and explanation sealed.  Everything outside the bodies is copied
 * byte for byte.
 *
 * Locking: none; no state.
 */
#include "quizseal.h"
#include "quiz.h"
#include "sha256.h"

#include <cmark-gfm.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { S_SALT = 16 };

/* The salt and MAC of a valid key, decoded. */
static int S_split(const char *key, unsigned char salt[S_SALT],
                   unsigned char mac[COURSE_SHA256_LEN])
{
    size_t pl = strlen(COURSE_QUIZ_KEY_PREFIX);
    if (!key || strncmp(key, COURSE_QUIZ_KEY_PREFIX, pl))
        return -1;
    const char *s = key + pl;
    if (strlen(s) != 2 * S_SALT + 1 + 2 * COURSE_SHA256_LEN || s[2 * S_SALT] != ':')
        return -1;
    char salt_hex[2 * S_SALT + 1];
    memcpy(salt_hex, s, 2 * S_SALT);
    salt_hex[2 * S_SALT] = '\0';
    if (course_unhex(salt_hex, salt, S_SALT) < 0 ||
        course_unhex(s + 2 * S_SALT + 1, mac, COURSE_SHA256_LEN) < 0)
        return -1;
    return 0;
}

/* See quizseal.h. */
int course_quiz_key_valid(const char *s)
{
    unsigned char salt[S_SALT], mac[COURSE_SHA256_LEN];
    return S_split(s, salt, mac) == 0;
}

/* HMAC(salt, "N:L"). */
static void S_mac(const unsigned char salt[S_SALT], size_t qnum, char letter,
                  unsigned char out[COURSE_SHA256_LEN])
{
    char msg[32];
    int n = snprintf(msg, sizeof msg, "%zu:%c", qnum, letter);
    course_hmac_sha256(salt, S_SALT, msg, (size_t)n, out);
}

/* See quizseal.h. */
int course_quiz_key_matches(const char *key, size_t qnum, char letter)
{
    unsigned char salt[S_SALT], mac[COURSE_SHA256_LEN], got[COURSE_SHA256_LEN];
    if (S_split(key, salt, mac) < 0)
        return 0;
    S_mac(salt, qnum, letter, got);
    return memcmp(mac, got, sizeof mac) == 0;
}

/* XORs buf[0..n) with the keystream of (salt, qnum, letter): the same call
 * seals and unseals. */
static void S_stream(const unsigned char salt[S_SALT], size_t qnum, char letter,
                     unsigned char *buf, size_t n)
{
    char msg[48];
    int ml = snprintf(msg, sizeof msg, "explain:%zu:%c", qnum, letter);
    unsigned char k[COURSE_SHA256_LEN + 4], block[COURSE_SHA256_LEN];
    course_hmac_sha256(salt, S_SALT, msg, (size_t)ml, k);
    for (size_t off = 0, ctr = 0; off < n; off += COURSE_SHA256_LEN, ctr++) {
        k[COURSE_SHA256_LEN] = (unsigned char)(ctr >> 24);
        k[COURSE_SHA256_LEN + 1] = (unsigned char)(ctr >> 16);
        k[COURSE_SHA256_LEN + 2] = (unsigned char)(ctr >> 8);
        k[COURSE_SHA256_LEN + 3] = (unsigned char)ctr;
        course_sha256(k, sizeof k, block);
        for (size_t i = 0; i < COURSE_SHA256_LEN && off + i < n; i++)
            buf[off + i] ^= block[i];
    }
}

/* See quizseal.h. */
char *course_quiz_unseal(const char *key, const char *sealed, size_t qnum, char letter)
{
    unsigned char salt[S_SALT], mac[COURSE_SHA256_LEN];
    size_t pl = strlen(COURSE_QUIZ_SEAL_PREFIX);
    if (S_split(key, salt, mac) < 0 || strncmp(sealed, COURSE_QUIZ_SEAL_PREFIX, pl))
        return NULL;
    const char *hex = sealed + pl;
    size_t n = strlen(hex) / 2;
    char *out = course_xmalloc(n + 1);
    if (course_unhex(hex, (unsigned char *)out, n) < 0) {
        free(out);
        return NULL;
    }
    S_stream(salt, qnum, letter, (unsigned char *)out, n);
    out[n] = '\0';
    return out;
}

/* The sealed form of question q (number qnum) as a JSON object. */
static json_t *S_sealed(const course_question *q, size_t qnum, const char *chapter,
                        const unsigned char *secret, size_t slen)
{
    json_t *o = json_object();
    json_object_set_new(o, "q", json_string(q->q));
    json_t *ch = json_array();
    for (size_t k = 0; k < q->choices.n; k++)
        json_array_append_new(ch, json_string(q->choices.v[k]));
    json_object_set_new(o, "choices", ch);
    if (q->answer_key) { /* sealed already: as it is */
        json_object_set_new(o, "answer", json_string(q->answer_key));
        json_object_set_new(o, "explain", json_string(q->explain));
        return o;
    }
    char *msg = course_fmt("gilwb-quiz-salt\n%s\n%zu\n%s", chapter, qnum, q->q);
    unsigned char full[COURSE_SHA256_LEN], salt[S_SALT], mac[COURSE_SHA256_LEN];
    course_hmac_sha256(secret, slen, msg, strlen(msg), full);
    free(msg);
    memcpy(salt, full, S_SALT);
    char letter = course_quiz_letter(q->answer);
    S_mac(salt, qnum, letter, mac);
    char salt_hex[2 * S_SALT + 1], mac_hex[2 * COURSE_SHA256_LEN + 1];
    course_hex(salt, S_SALT, salt_hex);
    course_hex(mac, COURSE_SHA256_LEN, mac_hex);
    char *key = course_fmt(COURSE_QUIZ_KEY_PREFIX "%s:%s", salt_hex, mac_hex);
    json_object_set_new(o, "answer", json_string(key));
    free(key);
    size_t n = strlen(q->explain);
    unsigned char *buf = course_xmalloc(n);
    memcpy(buf, q->explain, n);
    S_stream(salt, qnum, letter, buf, n);
    char *hex = course_xmalloc(2 * n + 1);
    course_hex(buf, n, hex);
    char *sealed = course_fmt(COURSE_QUIZ_SEAL_PREFIX "%s", hex);
    json_object_set_new(o, "explain", json_string(sealed));
    free(sealed);
    free(hex);
    free(buf);
    return o;
}

/* Appends s[0..n) to the growing buffer *b (length *bl). */
static void S_put(char **b, size_t *bl, const char *s, size_t n)
{
    *b = course_xrealloc(*b, *bl + n + 1);
    memcpy(*b + *bl, s, n);
    *bl += n;
    (*b)[*bl] = '\0';
}

/* The byte offset of the start of 1-based line `line` in text (len if past
 * the end). */
static size_t S_line_at(const char *text, size_t len, int line)
{
    size_t off = 0;
    for (int l = 1; l < line && off < len; off++)
        if (text[off] == '\n')
            l++;
    return off;
}

/* See quizseal.h. */
int course_quiz_seal_chapter(const char *text, size_t len, const char *shown,
                             const char *chapter, const unsigned char *secret,
                             size_t slen, char **out, course_diags *d)
{
    cmark_node *doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    char *res = course_xstrdup("");
    size_t rl = 0, copied = 0; /* text[0..copied) is in res */
    int rc = 0;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER ||
            cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK ||
            !course_quiz_is_fence(cmark_node_get_fence_info(n)))
            continue;
        int first = cmark_node_get_start_line(n), last = cmark_node_get_end_line(n);
        const char *body = cmark_node_get_literal(n);
        course_quiz qz;
        if (course_quiz_parse(body, strlen(body), shown, first + 1, &qz, d) < 0) {
            rc = -EINVAL;
            continue;
        }
        /* The body is the lines between the fences; an unclosed fence
         * runs to the end of the document, with no closing line. */
        size_t from = S_line_at(text, len, first + 1);
        size_t to = S_line_at(text, len, last);
        const char *close = text + to;
        int closed = to < len && (strncmp(close, "```", 3) == 0 ||
                                  strncmp(close + strspn(close, " "), "```", 3) == 0);
        if (!closed)
            to = len;
        json_t *a = json_array();
        for (size_t i = 0; i < qz.n; i++)
            json_array_append_new(a, S_sealed(&qz.qs[i], i + 1, chapter, secret, slen));
        char *js = json_dumps(a, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(a);
        course_quiz_free(&qz);
        S_put(&res, &rl, text + copied, from - copied);
        S_put(&res, &rl, js, strlen(js));
        S_put(&res, &rl, "\n", 1);
        free(js);
        copied = to;
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    if (rc < 0) {
        free(res);
        return rc;
    }
    S_put(&res, &rl, text + copied, len - copied);
    *out = res;
    return 0;
}
