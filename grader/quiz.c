/*
 * quiz.c - the chapter's quiz: read it, ask it, store and score answers.
 *
 * A chapter holds its quiz as a fenced block with the info string `quiz`
 * whose body is a JSON list of {"q", "choices", "answer", "explain"}
 * (answer: the letter of the right choice, a = first).  jansson parses the
 * body; its line numbers are offset by the block's position so a mistake
 * is reported as chapters/03-threads-and-the-gil.md:LINE: message.
 * The learner's answers live in exercises/NN/answers.txt, lines "1=b".
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
    char *dir = gr_fmt("%s/chapters", course);
    char prefix[8];
    snprintf(prefix, sizeof prefix, "%02d-", n);
    DIR *d = opendir(dir);
    char *found = NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) && !found) {
        size_t len = strlen(e->d_name);
        if (!strncmp(e->d_name, prefix, 3) && len > 3 &&
            !strcmp(e->d_name + len - 3, ".md"))
            found = gr_fmt("%s/%s", dir, e->d_name);
    }
    if (d)
        closedir(d);
    free(dir);
    return found;
}

void gr_quiz_free(gr_quiz *qz)
{
    for (size_t i = 0; i < qz->n; i++) {
        free(qz->qs[i].q);
        free(qz->qs[i].answer);
        free(qz->qs[i].explain);
        gr_strv_free(&qz->qs[i].choices);
    }
    free(qz->qs);
    free(qz->path);
    memset(qz, 0, sizeof *qz);
}

/* Validates the parsed list into qz.  Returns the number of errors. */
static int S_fill(gr_quiz *qz, json_t *list, const char *shown, int line)
{
    int errors = 0;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        fprintf(stderr, "%s:%d: the quiz block must be a non-empty JSON list\n", shown,
                line);
        return 1;
    }
    qz->qs = calloc(json_array_size(list), sizeof *qz->qs);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        gr_question *q = &qz->qs[qz->n++];
        json_t *qq = json_object_get(item, "q"), *ch = json_object_get(item, "choices"),
               *an = json_object_get(item, "answer"),
               *ex = json_object_get(item, "explain");
        if (!json_is_string(qq) || !json_is_array(ch) || json_array_size(ch) < 2 ||
            !json_is_string(an) || !json_is_string(ex)) {
            fprintf(stderr,
                    "%s:%d: question %zu needs \"q\" (text), \"choices\" (a list of "
                    "2 or more), \"answer\" (a letter) and \"explain\" (text)\n",
                    shown, line, i + 1);
            errors++;
            continue;
        }
        q->q = gr_xstrdup(json_string_value(qq));
        q->answer = gr_xstrdup(json_string_value(an));
        q->explain = gr_xstrdup(json_string_value(ex));
        size_t k;
        json_t *c;
        json_array_foreach(ch, k, c)
        {
            if (!json_is_string(c)) {
                fprintf(stderr, "%s:%d: question %zu: choice %zu is not text\n", shown,
                        line, i + 1, k + 1);
                errors++;
            } else {
                gr_strv_push(&q->choices, json_string_value(c));
            }
        }
        size_t nc = json_array_size(ch);
        if (strlen(q->answer) != 1 || q->answer[0] < 'a' ||
            q->answer[0] >= 'a' + (int)nc) {
            fprintf(stderr,
                    "%s:%d: question %zu: answer \"%s\" is not a letter from a to %c\n",
                    shown, line, i + 1, q->answer, (char)('a' + nc - 1));
            errors++;
        }
    }
    return errors;
}

int gr_quiz_load(const char *course, int chapter, gr_quiz *qz)
{
    memset(qz, 0, sizeof *qz);
    char *path = S_chapter_file(course, chapter);
    if (!path)
        return -ENOENT;
    char *text = gr_read_file(path, NULL);
    if (!text) {
        free(path);
        return -ENOENT;
    }
    const char *shown = strstr(path, "chapters/") ? strstr(path, "chapters/") : path;
    int line = 1, start = 0;
    char *body = NULL;
    size_t blen = 0;
    FILE *b = NULL;
    for (char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (!b && n >= 7 && !strncmp(p, "```quiz", 7) &&
            (n == 7 || isspace((unsigned char)p[7]))) {
            start = line;
            b = open_memstream(&body, &blen);
        } else if (b && n >= 3 && !strncmp(p, "```", 3)) {
            fclose(b);
            b = NULL;
            break;
        } else if (b) {
            fwrite(p, 1, n, b);
            fputc('\n', b);
        }
        p += n + (p[n] == '\n');
        line++;
    }
    int rc = 0;
    if (b) {
        fclose(b);
        fprintf(stderr, "%s:%d: the quiz block is never closed (```)\n", shown, start);
        rc = -EINVAL;
    } else if (!start) {
        rc = -ENOENT;
    } else {
        json_error_t err;
        json_t *list = json_loads(body, 0, &err);
        if (!list) {
            fprintf(stderr, "%s:%d:%d: quiz block: %s\n", shown, start + err.line,
                    err.column, err.text);
            rc = -EINVAL;
        } else if (S_fill(qz, list, shown, start) > 0) {
            rc = -EINVAL;
        }
        json_decref(list);
    }
    free(body);
    free(text);
    if (rc < 0) {
        free(path);
        gr_quiz_free(qz);
        return rc;
    }
    qz->path = path;
    return 0;
}

int gr_quiz_read_answers(const char *path, char *answers, size_t n)
{
    char *text = gr_read_file(path, NULL);
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

int gr_quiz_write_answers(const char *path, const char *answers, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fputs("# grader quiz answers: question=letter\n", f);
    for (size_t i = 0; i < n; i++)
        if (answers[i])
            fprintf(f, "%zu=%c\n", i + 1, answers[i]);
    fclose(f);
    int rc = gr_write_file(path, buf, len);
    free(buf);
    return rc;
}

/* Parses "1=b,2=a" into answers; returns -EINVAL after printing.  An
 * empty spec or a question named twice ("1=a,1=b": which one did you
 * mean?) is an error too: the stored answers stay as they were. */
static int S_parse_spec(const char *spec, const gr_quiz *qz, char *answers)
{
    char *s = gr_xstrdup(spec);
    char *given = calloc(qz->n + 1, 1);
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
        if (a < 'a' || a >= 'a' + (int)qz->qs[q - 1].choices.n) {
            fprintf(stderr, "grader: --answer: question %d has choices a to %c\n", q,
                    (char)('a' + qz->qs[q - 1].choices.n - 1));
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

int gr_quiz_ask(const gr_exercise *ex, const char *spec, int colour)
{
    gr_quiz qz;
    int rc = gr_quiz_load(ex->course, ex->quiz_chapter ? ex->quiz_chapter : ex->chapter,
                          &qz);
    if (rc == -ENOENT) {
        fprintf(stderr, "grader: chapter %d has no quiz yet\n", ex->chapter);
        return rc;
    }
    if (rc < 0)
        return rc;
    char *path = gr_fmt("%s/answers.txt", ex->dir);
    char *answers = calloc(qz.n + 1, 1);
    gr_quiz_read_answers(path, answers, qz.n);
    if (spec) {
        rc = S_parse_spec(spec, &qz, answers);
    } else {
        for (size_t i = 0; i < qz.n; i++) {
            gr_question *q = &qz.qs[i];
            printf("\n%s%zu. %s%s\n", colour ? "\033[1m" : "", i + 1, q->q,
                   colour ? "\033[0m" : "");
            for (size_t k = 0; k < q->choices.n; k++)
                printf("   %c) %s\n", (char)('a' + k), q->choices.v[k]);
            char line[64];
            char a = 0;
            while (!a) {
                printf("answer [a-%c]%s: ", (char)('a' + q->choices.n - 1),
                       answers[i] ? " (Enter keeps your last)" : "");
                fflush(stdout);
                if (!fgets(line, sizeof line, stdin)) {
                    printf("\n");
                    goto store;
                }
                char c = (char)tolower((unsigned char)line[0]);
                if (c == '\n' && answers[i])
                    a = answers[i];
                else if (c >= 'a' && c < 'a' + (int)q->choices.n)
                    a = c;
            }
            answers[i] = a;
            int right = a == q->answer[0];
            printf("%s%s%s %s\n", colour ? (right ? "\033[32m" : "\033[31m") : "",
                   right ? "Right." : "Not quite.", colour ? "\033[0m" : "",
                   right ? q->explain
                         : "Re-read the chapter's section and try again later.");
        }
    }
store:
    if (rc == 0) {
        rc = gr_quiz_write_answers(path, answers, qz.n);
        if (rc < 0)
            fprintf(stderr, "grader: cannot write %s: %s\n", path, strerror(-rc));
        else
            printf(
                "answers stored in exercises/%s/answers.txt; `grader submit %s` grades "
                "them\n",
                ex->id, ex->id);
    }
    free(answers);
    free(path);
    gr_quiz_free(&qz);
    return rc;
}
