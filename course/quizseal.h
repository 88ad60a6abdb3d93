/*
 * quizseal.h - sealed quiz keys for the student edition.
 *
 * The instructor's chapters hold each quiz's right answer as a letter, and
 * its explanation (which names the right choice in words) as text.  A
 * student edition replaces both, so that neither the grader nor the site
 * needs them in the clear:
 *
 *   "answer":  "hmac-sha256:SALT:MAC"
 *              SALT = the first 16 bytes of HMAC-SHA256(secret,
 *                     "gilwb-quiz-salt\n" CHAPTER "\n" N "\n" QUESTION),
 *              MAC  = HMAC-SHA256(SALT, N ":" LETTER), both as hex;
 *   "explain": "sealed:HEX"
 *              the text XORed with SHA-256(K || counter) blocks, where
 *              K = HMAC-SHA256(SALT, "explain:" N ":" LETTER).
 *
 * N is the question's number (1-based), LETTER the right choice's letter,
 * CHAPTER the chapter file's name without ".md" ("03-threads-and-the-gil"),
 * and secret the course's own (`.workbook/course-secret`).  A reader checks
 * an answer by computing the MAC of the letter chosen; the site does the
 * same in the browser (theme/book.js).
 *
 * What this is worth, honestly: a deterrent against reading the key in the
 * chapter's source, not secrecy.  Whoever can check an answer can try every
 * choice (there are at most six), in the browser or with the grader.  The
 * secret only makes the salts unpredictable, so hashes from one course's
 * edition say nothing about another's, and keeps a release reproducible:
 * the same secret seals the same quiz to the same bytes.
 *
 * Locking: none; no state.
 */
#ifndef COURSE_QUIZSEAL_H
#define COURSE_QUIZSEAL_H

#include "util.h"

#include <stddef.h>

#define COURSE_QUIZ_KEY_PREFIX  "hmac-sha256:"
#define COURSE_QUIZ_SEAL_PREFIX "sealed:"

/* Whether s has the form of a sealed answer (prefix, 32 + 64 hex digits). */
int course_quiz_key_valid(const char *s);
/* Whether letter answers question qnum under the sealed answer key. */
int course_quiz_key_matches(const char *key, size_t qnum, char letter);
/* Unseals a "sealed:HEX" explanation with the (right) letter; caller frees.
 * NULL if sealed is malformed.  The wrong letter gives garbage, so callers
 * check the answer first. */
char *course_quiz_unseal(const char *key, const char *sealed, size_t qnum, char letter);

/* Rewrites every quiz block of a chapter (text, len bytes) with its answers
 * and explanations sealed under secret; chapter is the chapter's name as
 * in SALT above.  Blocks already sealed are left as they are; nothing
 * else in the text changes.  Returns 0 with the new text in *out (caller
 * frees), or -EINVAL with every mistake of a malformed block in d (shown
 * names the file in messages). */
int course_quiz_seal_chapter(const char *text, size_t len, const char *shown,
                             const char *chapter, const unsigned char *secret,
                             size_t slen, char **out, course_diags *d);

#endif /* COURSE_QUIZSEAL_H */
