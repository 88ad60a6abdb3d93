/*
 * test_quiz.c - the quiz block reader (course/quiz.c): both answer forms,
 * every rule with the chapter line its message names, cmark's fences.
 */
#include "check.h"
#include "course/quiz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parses body as if its first line were line 100 of chapters/07-x.md. */
static int S_parse(const char *body, course_quiz *qz, course_diags *d)
{
    return course_quiz_parse(body, strlen(body), "chapters/07-x.md", 100, qz, d);
}

/* Whether d holds an entry at line with msg containing text. */
static int S_has(const course_diags *d, int line, const char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].line == line && strstr(d->v[i].msg, text) &&
            !strcmp(d->v[i].file, "chapters/07-x.md"))
            return 1;
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  have: %s:%d: %s\n", d->v[i].file, d->v[i].line, d->v[i].msg);
    fprintf(stderr, "  want: line %d: ...%s...\n", line, text);
    return 0;
}

/* One bad quiz: exactly one mistake, at line (100 + body line), saying text. */
static void S_bad(const char *body, int line, const char *text)
{
    course_quiz qz;
    course_diags d = {0};
    CHECK(S_parse(body, &qz, &d) == -EINVAL);
    CHECK(qz.n == 0 && qz.qs == NULL);
    CHECK(S_has(&d, line, text));
    CHECKF(d.n == 1, "%zu mistakes for one", d.n);
    course_diags_free(&d);
}

#define Q(ans)                                                                         \
    "{\"q\": \"q?\", \"choices\": [\"x\", \"y\"], \"answer\": " ans                    \
    ", \"explain\": \"e\"}"

CASE(answer_as_letter_or_index)
{
    const char *body = "[\n"
                       "  {\"q\": \"Which?\", \"choices\": [\"a0\", \"a1\", \"a2\"],\n"
                       "   \"answer\": \"c\", \"explain\": \"Because.\"},\n"
                       "  {\"q\": \"Pasted?\", \"choices\": [\"no\", \"yes\"],\n"
                       "   \"answer\": 1, \"explain\": \"0-based.\"},\n"
                       "  " Q("0") "\n"
                                   "]\n";
    course_quiz qz;
    course_diags d = {0};
    CHECK(S_parse(body, &qz, &d) == 0);
    CHECK(d.n == 0);
    CHECK(qz.n == 3 && qz.line == 99);
    CHECK(qz.qs[0].answer == 2 && qz.qs[1].answer == 1 && qz.qs[2].answer == 0);
    CHECK(course_quiz_letter(qz.qs[0].answer) == 'c');
    CHECK(qz.qs[0].choices.n == 3 && !strcmp(qz.qs[0].choices.v[2], "a2"));
    CHECK(!strcmp(qz.qs[1].q, "Pasted?") && !strcmp(qz.qs[1].explain, "0-based."));
    CHECK(qz.qs[0].line == 101 && qz.qs[1].line == 103 && qz.qs[2].line == 105);
    course_quiz_free(&qz);
    CHECK(qz.n == 0 && qz.qs == NULL);
}

CASE(bounds_one_to_eight_questions_two_to_six_choices)
{
    course_quiz qz;
    course_diags d = {0};
    CHECK(S_parse("[" Q("\"a\"") "]", &qz, &d) == 0 && qz.n == 1);
    course_quiz_free(&qz);
    char big[4096] = "[";
    for (int i = 0; i < 8; i++)
        strcat(strcat(big, i ? "," : ""), Q("\"b\""));
    strcat(big, "]");
    CHECK(S_parse(big, &qz, &d) == 0 && qz.n == 8);
    course_quiz_free(&qz);
    CHECK(S_parse("[{\"q\": \"q\", \"choices\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"], "
                  "\"answer\": \"f\", \"explain\": \"e\"}]",
                  &qz, &d) == 0);
    CHECK(qz.qs[0].answer == 5);
    course_quiz_free(&qz);
    CHECK(d.n == 0);

    S_bad("[\n]", 100, "quiz: expected a list of 1-8 questions, got 0");
    big[strlen(big) - 1] = '\0';
    strcat(big, "," Q("\"a\"") "]");
    S_bad(big, 100, "quiz: expected a list of 1-8 questions, got 9");
    S_bad("{\"q\": 1}", 100, "quiz: expected a list of 1-8 questions, got no list");
    S_bad("[{\"q\": \"q\",\n \"choices\": [\"x\"], \"answer\": \"a\", \"explain\": "
          "\"e\"}]",
          101, "quiz question 1: \"choices\" must be a list of 2-6 strings");
    S_bad("[{\"q\": \"q\", \"choices\": [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"],\n"
          " \"answer\": \"a\", \"explain\": \"e\"}]",
          100, "quiz question 1: \"choices\" must be a list of 2-6 strings");
}

CASE(json_syntax_names_the_chapter_line)
{
    S_bad("[\n  " Q("\"a\"") ",\n  {\"q\": \"b\" \"choices\": []}\n]", 102,
          "quiz: invalid JSON at line 3, column");
    S_bad("[\n  {\"q\": \"a\", \"q\": \"b\", \"choices\": [\"x\", \"y\"], \"answer\": "
          "\"a\", "
          "\"explain\": \"e\"}\n]",
          101, "duplicate object key");
}

CASE(every_rule_with_its_line)
{
    S_bad("[\n  \"just text\"\n]", 101,
          "quiz question 1: expected an object {q, choices, answer, explain}");
    S_bad("[" Q("\"a\"") ",\n {\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n  "
                         "\"answer\": \"a\"}]",
          101, "quiz question 2: missing key \"explain\"");
    S_bad(
        "[{\"q\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": \"a\", \"explain\": "
        "\"e\",\n"
        "  \"hint\": \"h\"}]",
        101,
        "quiz question 1: unknown key \"hint\" (expected q, choices, answer, explain)");
    S_bad("[{\"q\": \"\",\n \"choices\": [\"x\", \"y\"], \"answer\": \"a\", "
          "\"explain\": \"e\"}]",
          100, "quiz question 1: \"q\" must be a non-empty string");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": \"a\",\n "
          "\"explain\": 3}]",
          101, "quiz question 1: \"explain\" must be a non-empty string");
    S_bad("[{\"q\": \"q\",\n \"choices\": [\"x\", 2], \"answer\": \"a\", \"explain\": "
          "\"e\"}]",
          101, "quiz question 1: choice 2 is not a non-empty string");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n \"answer\": \"c\", "
          "\"explain\": \"e\"}]",
          101, "quiz question 1: answer \"c\" is not a letter a-b (or an index 0-1)");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n \"answer\": \"B\", "
          "\"explain\": \"e\"}]",
          101, "quiz question 1: answer \"B\" is not a letter a-b");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n \"answer\": 2, \"explain\": "
          "\"e\"}]",
          101, "quiz question 1: answer 2 is not an index 0-1 (or a letter a-b)");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n \"answer\": -1, \"explain\": "
          "\"e\"}]",
          101, "quiz question 1: answer -1 is not an index 0-1");
    S_bad("[{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n \"answer\": 1.0, "
          "\"explain\": \"e\"}]",
          101, "quiz question 1: \"answer\" must be a letter a-b or an index 0-1");
}

/* A value spelt like a key, or braces inside strings, must not move the
 * line a message names. */
CASE(lines_survive_tricky_text)
{
    S_bad("[{\"q\": \"answer {\\\"x\\\"} }\",\n \"choices\": [\"x\", \"y\"],\n"
          " \"explain\": \"answer\",\n \"answer\": \"z\"}]",
          103, "quiz question 1: answer \"z\"");
}

CASE(all_mistakes_at_once)
{
    course_quiz qz;
    course_diags d = {0};
    const char *body =
        "[\n"
        "  {\"q\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": \"z\", "
        "\"explain\": \"e\"},\n"
        "  " Q("\"a\"") ",\n"
                        "  {\"q\": \"q\", \"choices\": [\"x\", \"y\"], \"answer\": "
                        "\"a\",\n"
                        "   \"why\": 1}\n"
                        "]";
    CHECK(S_parse(body, &qz, &d) == -EINVAL);
    CHECK(d.n == 3);
    CHECK(S_has(&d, 101, "quiz question 1: answer \"z\""));
    CHECK(S_has(&d, 103, "quiz question 3: missing key \"explain\""));
    CHECK(S_has(&d, 104, "quiz question 3: unknown key \"why\""));
    course_diags_free(&d);
}

/* Writes text to a fresh temporary chapter; returns its path (caller frees). */
static char *S_chapter(const char *text)
{
    char dir[] = "/tmp/course-quiz.XXXXXX";
    CHECK(mkdtemp(dir));
    char *path = course_fmt("%s/07-x.md", dir);
    CHECK(course_write_file(path, text, strlen(text)) == 0);
    return path;
}

/* Removes the chapter written by S_chapter and its directory; frees path. */
static void S_done(char *path)
{
    *strrchr(path, '/') = '\0';
    char *cmd = course_fmt("rm -rf '%s'", path);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(path);
}

/* cmark finds the fences: a quiz shown inside a longer fence (an example
 * in the text) is not the chapter's quiz; a fence inside a list item is. */
CASE(load_finds_fences_with_cmark)
{
    char *path = S_chapter("# Seven\n"
                           "\n"
                           "````markdown\n"
                           "```quiz\n"
                           "[not even JSON]\n"
                           "```\n"
                           "````\n"
                           "\n"
                           "- Check yourself:\n"
                           "\n"
                           "  ```quiz title=\"Seven\"\n"
                           "  [{\"q\": \"q\", \"choices\": [\"x\", \"y\"],\n"
                           "    \"answer\": 1, \"explain\": \"e\"}]\n"
                           "  ```\n");
    course_quiz qz;
    course_diags d = {0};
    CHECK(course_quiz_load(path, "chapters/07-x.md", &qz, &d) == 0);
    CHECK(d.n == 0 && qz.n == 1 && qz.qs[0].answer == 1);
    CHECK(qz.line == 11 && qz.qs[0].line == 12);
    course_quiz_free(&qz);
    S_done(path);
}

CASE(load_reports_chapter_lines_and_absence)
{
    char *path =
        S_chapter("# Seven\n\nText.\n\n```quiz\n[\n  {\"q\": \"q\",\n"
                  "   \"choices\": [\"x\", \"y\"], \"answer\": \"a\"}\n]\n```\n");
    course_quiz qz;
    course_diags d = {0};
    CHECK(course_quiz_load(path, "chapters/07-x.md", &qz, &d) == -EINVAL);
    CHECK(S_has(&d, 7, "quiz question 1: missing key \"explain\""));
    course_diags_free(&d);
    S_done(path);

    path = S_chapter("# No quiz\n\n```c\nint x;\n```\n\n```quizzes\n[]\n```\n");
    CHECK(course_quiz_load(path, "chapters/07-x.md", &qz, &d) == -ENOENT && d.n == 0);
    S_done(path);
    CHECK(course_quiz_load("/nonexistent/07-x.md", "x", &qz, &d) == -ENOENT &&
          d.n == 0);
    CHECK(course_quiz_is_fence("quiz") && course_quiz_is_fence(" quiz title=\"x\""));
    CHECK(!course_quiz_is_fence("quizzes") && !course_quiz_is_fence("c") &&
          !course_quiz_is_fence(NULL));
}

int main(int argc, char **argv)
{
    return check_main(argc, argv,
                      CASES(answer_as_letter_or_index,
                            bounds_one_to_eight_questions_two_to_six_choices,
                            json_syntax_names_the_chapter_line,
                            every_rule_with_its_line, lines_survive_tricky_text,
                            all_mistakes_at_once, load_finds_fences_with_cmark,
                            load_reports_chapter_lines_and_absence));
}
