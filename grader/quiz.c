/*
 * quiz.c - the chapter's quiz in the grader: ask it, store the answers,
 * score them.
 *
 * The quiz block itself is read by the course library (course/quiz.c), with
 * the same rules and messages as the book's site: cmark-gfm finds the
 * ```quiz fence, jansson reads the JSON, and every mistake is printed as
 * chapters/03-threads-and-the-gil.md:LINE: message.  The learner's answers
 * live in exercises/NN/answers.txt, lines "1=b".
 */
#include "grader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* chapters/NN-*.md for chapter n (caller frees), or NULL. */
static char *S_chapter_file(const char *course, int n)
{
    char *dir = course_fmt("%s/chapters", course);
    char prefix[8];
    snprintf(prefix, sizeof prefix, "%02d-", n);
    DIR *d = opendir(dir);
    char *found = NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) && !found) {
        size_t len = strlen(e->d_name);
        if (!strncmp(e->d_name, prefix, 3) && len > 3 &&
            !strcmp(e->d_name + len - 3, ".md"))
            found = course_fmt("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    return found;
}

/* See grader.h. */
int gr_quiz_load(const char *course, int chapter, course_quiz *qz)
{
    memset(qz, 0, sizeof *qz);
    char *path = S_chapter_file(course, chapter);
    if (!path)
        return -ENOENT;
    const char *shown = strstr(path, "chapters/") ? strstr(path, "chapters/") : path;
    course_diags d = {0};
    int rc = course_quiz_load(path, shown, qz, &d);
    course_diags_print(&d, stderr, "");
    course_diags_free(&d);
    free(path);
    return rc;
}

/* See grader.h.  Lines that are not "N=letter" (comments, blanks) are
 * skipped; answers to questions past n are ignored. */
int gr_quiz_read_answers(const char *path, char *answers, size_t n)
{
    char *text = course_read_file(path, NULL);
    if (!text)
        return -errno;
    for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
        int q;
        char a;
        if (sscanf(l, " %d = %c", &q, &a) == 2 && q >= 1 && (size_t)q <= n)
            answers[q - 1] = (char)tolower((unsigned char)a);
    }
    free(text);
    return 0;
}

/* See grader.h.  Written atomically: a reader sees the old answers or the
 * new ones. */
int gr_quiz_write_answers(const char *path, const char *answers, size_t n)
{
    static const char head[] = "# grader quiz answers: question=letter\n";
    size_t cap = sizeof head + n * 24, len = sizeof head - 1;
    char *buf = course_xmalloc(cap);
    memcpy(buf, head, len);
    for (size_t i = 0; i < n; i++)
        if (answers[i])
            len +=
                (size_t)snprintf(buf + len, cap - len, "%zu=%c\n", i + 1, answers[i]);
    int rc = course_write_file(path, buf, len);
    free(buf);
    return rc;
}

/* Parses "1=b,2=a" into answers; returns -EINVAL after printing.  An
 * empty spec or a question named twice ("1=a,1=b": which one did you
 * mean?) is an error too: the stored answers stay as they were. */
static int S_parse_spec(const char *spec, const course_quiz *qz, char *answers)
{
    char *s = course_xstrdup(spec);
    char *given = course_xcalloc(qz->n + 1, 1);
    int rc = 0, n = 0;
    for (char *t = strtok(s, ", "); t; t = strtok(NULL, ", ")) {
        n++;
        int q;
        char a, extra;
        if (sscanf(t, "%d=%c%c", &q, &a, &extra) != 2 || q < 1 || (size_t)q > qz->n) {
            fprintf(stderr,
                    "grader: --answer: \"%s\" is not N=letter with N from 1 to %zu\n",
                    t, qz->n);
            rc = -EINVAL;
            continue;
        }
        a = (char)tolower((unsigned char)a);
        int nc = (int)qz->qs[q - 1].choices.n;
        if (a < 'a' || a - 'a' >= nc) {
            fprintf(stderr, "grader: --answer: question %d has choices a to %c\n", q,
                    course_quiz_letter(nc - 1));
            rc = -EINVAL;
            continue;
        }
        if (given[q - 1]) {
            fprintf(stderr, "grader: --answer: question %d is answered twice\n", q);
            rc = -EINVAL;
            continue;
        }
        given[q - 1] = 1;
        answers[q - 1] = a;
    }
    if (n == 0) {
        fprintf(stderr, "grader: --answer: no answers given (e.g. --answer 1=b,2=a)\n");
        rc = -EINVAL;
    }
    free(given);
    free(s);
    return rc;
}

/* Asks question i in the terminal (Enter keeps a stored answer); stores the
 * letter in answers[i].  Returns 0, or -1 at the end of input. */
static int S_ask_one(const course_question *q, size_t i, char *answers, int colour)
{
    printf("\n%s%zu. %s%s\n", colour ? "\033[1m" : "", i + 1, q->q,
           colour ? "\033[0m" : "");
    int nc = (int)q->choices.n;
    for (int k = 0; k < nc; k++)
        printf("   %c) %s\n", course_quiz_letter(k), q->choices.v[k]);
    char line[64];
    char a = 0;
    while (!a) {
        printf("answer [a-%c]%s: ", course_quiz_letter(nc - 1),
               answers[i] ? " (Enter keeps your last)" : "");
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin)) {
            printf("\n");
            return -1;
        }
        char c = (char)tolower((unsigned char)line[0]);
        if (c == '\n' && answers[i])
            a = answers[i];
        else if (c >= 'a' && c - 'a' < nc)
            a = c;
    }
    answers[i] = a;
    int right = a == course_quiz_letter(q->answer);
    printf("%s%s%s %s\n", colour ? (right ? "\033[32m" : "\033[31m") : "",
           right ? "Right." : "Not quite.", colour ? "\033[0m" : "",
           right ? q->explain : "Re-read the chapter's section and try again later.");
    return 0;
}

/* See grader.h.  Nothing is stored if the spec is wrong; answers given in
 * the terminal before the input ends are stored. */
int gr_quiz_ask(const gr_exercise *ex, const char *spec, int colour)
{
    course_quiz qz;
    int chapter = ex->quiz_chapter ? ex->quiz_chapter : ex->chapter;
    int rc = gr_quiz_load(ex->course, chapter, &qz);
    if (rc == -ENOENT) {
        fprintf(stderr, "grader: chapter %d has no quiz yet\n", chapter);
        return rc;
    }
    if (rc < 0)
        return rc;
    char *path = course_fmt("%s/answers.txt", ex->dir);
    char *answers = course_xcalloc(qz.n + 1, 1);
    gr_quiz_read_answers(path, answers, qz.n);
    if (spec)
        rc = S_parse_spec(spec, &qz, answers);
    else
        for (size_t i = 0; i < qz.n && S_ask_one(&qz.qs[i], i, answers, colour) == 0;
             i++)
            ;
    if (rc == 0) {
        rc = gr_quiz_write_answers(path, answers, qz.n);
        if (rc < 0)
            fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(-rc));
        else
            printf("answers stored in exercises/%s/answers.txt; `grader submit %s` "
                   "grades them\n",
                   ex->id, ex->id);
    }
    free(answers);
    free(path);
    course_quiz_free(&qz);
    return rc;
}

/* Appends ", N" to the list *s (caller frees). */
static void S_list_add(char **s, size_t n)
{
    char *t = course_fmt("%s%s%zu", *s, **s ? ", " : "", n);
    free(*s);
    *s = t;
}

/* See grader.h.  Partial credit: quiz_points per right answer; the reason
 * names the wrong and the unanswered questions, never the right answers. */
void gr_quiz_grade(const gr_exercise *ex, gr_report *r)
{
    course_quiz qz;
    int rc = gr_quiz_load(ex->course, ex->quiz_chapter, &qz);
    if (rc < 0) {
        gr_check *c = gr_report_add(r, "quiz", "quiz", 0);
        if (rc == -ENOENT)
            gr_check_set(c, GR_SKIP, 0, "chapter %d has no quiz yet", ex->quiz_chapter);
        else
            gr_check_set(c, GR_ERROR, 0,
                         "chapter %d's quiz block is malformed (see above)",
                         ex->quiz_chapter);
        return;
    }
    gr_check *c = gr_report_add(r, "quiz", "quiz", ex->quiz_points * (double)qz.n);
    char *path = course_fmt("%s/answers.txt", ex->dir);
    char *ans = course_xcalloc(qz.n + 1, 1);
    int have = gr_quiz_read_answers(path, ans, qz.n);
    size_t right = 0;
    char *wrong = course_xstrdup(""), *blank = course_xstrdup("");
    for (size_t i = 0; i < qz.n; i++) {
        if (ans[i] && ans[i] == course_quiz_letter(qz.qs[i].answer))
            right++;
        else
            S_list_add(ans[i] ? &wrong : &blank, i + 1);
    }
    if (have < 0)
        gr_check_set(c, GR_FAIL, 0, "not answered yet: run `grader quiz %d`",
                     ex->quiz_chapter);
    else
        gr_check_set(c, right == qz.n ? GR_PASS : GR_FAIL,
                     ex->quiz_points * (double)right, "%zu of %zu right%s%s%s%s", right,
                     qz.n, *wrong ? "; wrong: " : "", wrong,
                     *blank ? "; unanswered: " : "", blank);
    free(wrong);
    free(blank);
    free(ans);
    free(path);
    course_quiz_free(&qz);
}
