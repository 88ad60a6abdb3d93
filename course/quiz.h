/*
 * quiz.h - a chapter's quiz block: one set of rules for the grader and the
 * site.
 *
 * A chapter (chapters/NN-slug.md) holds its quiz as a fenced code block
 * whose info string's first word is `quiz`; cmark-gfm finds the fences, so
 * both programs agree on where a block starts and ends.  The body is a JSON
 * list of questions:
 *
 *   [{"q": "...", "choices": ["...", "..."], "answer": "b", "explain": "..."}]
 *
 * Rules (COURSE_QUIZ_* below): 1-8 questions; each an object with exactly
 * the keys q, choices, answer and explain (an unknown key or a key given
 * twice is an error); q and explain non-empty text; 2-6 non-empty choices;
 * answer either the letter of the right choice ("a" = the first) or its
 * 0-based index (1 = the second), the form many course pages publish, so a
 * quiz can be pasted as it is.  The course itself asks 4-8 questions a
 * chapter; the chapter tests hold it to that, the reader only to what any
 * quiz needs (the grader's fixture course has two-question quizzes).
 *
 * Every mistake is reported, with the chapter's line, as
 *   chapters/03-threads.md:212: quiz question 2: missing key "explain"
 */
#ifndef COURSE_QUIZ_H
#define COURSE_QUIZ_H

#include "util.h"

enum {
    COURSE_QUIZ_MIN = 1,
    COURSE_QUIZ_MAX = 8,
    COURSE_CHOICES_MIN = 2,
    COURSE_CHOICES_MAX = 6,
};

/* One question.  Every field is read-only for users and owned by the quiz. */
typedef struct course_question {
    char *q;             /* the question (inline Markdown) */
    course_strv choices; /* COURSE_CHOICES_MIN..MAX texts (inline Markdown) */
    int answer;          /* 0-based index of the right choice, whatever the form */
    char *explain;       /* why the answer is right (inline Markdown) */
    int line;            /* chapter line of the question's '{' */
} course_question;

/* A parsed quiz block.  Zero-initialise; free with course_quiz_free. */
typedef struct course_quiz {
    course_question *qs; /* read-only */
    size_t n;            /* read-only: COURSE_QUIZ_MIN..MAX once parsed */
    int line;            /* read-only: chapter line of the opening fence */
} course_quiz;

/* Whether a fenced code block's info string opens a quiz block (its first
 * word is "quiz"; other words are the site's options, e.g. title="..."). */
int course_quiz_is_fence(const char *info);

/* Parses and checks one block body (len bytes, need not be NUL-terminated).
 * file is the chapter as shown in messages; first_line the chapter line of
 * the body's first line.  Returns 0 with *qz filled (caller frees with
 * course_quiz_free), or -EINVAL with every mistake appended to d and *qz
 * left empty. */
int course_quiz_parse(const char *body, size_t len, const char *file, int first_line,
                      course_quiz *qz, course_diags *d);

/* Reads the chapter at path, finds its quiz blocks with cmark-gfm and
 * parses the first (the one the grader scores).  shown names the file in
 * messages.  Returns 0, -ENOENT (no such file, or no quiz block in it) or
 * -EINVAL (mistakes appended to d). */
int course_quiz_load(const char *path, const char *shown, course_quiz *qz,
                     course_diags *d);

void course_quiz_free(course_quiz *qz); /* and resets it */

/* The letter of choice i: 0 -> 'a'. */
static inline char course_quiz_letter(int i)
{
    return (char)('a' + i);
}

#endif /* COURSE_QUIZ_H */
