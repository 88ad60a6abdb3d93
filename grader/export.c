/*
 * export.c - `grader export KIND [EX]`: the grader where courses grade.
 *
 * Every kind starts from a bundle: the part of this course that grading
 * needs (the build, runtime, kit, course library and grader sources, the
 * exercise with its driver and its hidden tests, the chapter holding its
 * quiz, tools/deps.sh and tools/export/), never the solutions, plus
 * grading.conf naming the exercise and its files.  tools/export/setup.sh
 * builds the grader inside it; the entry points there (run_autograder,
 * prairielearn-grade.sh, autolab.sh) grade a submission with it.  Then:
 *
 *   gradescope EX    a zip: setup.sh and run_autograder at its root, the
 *                    bundle beside them (Gradescope's autograder spec)
 *   prairielearn EX  questions/gilwb-NN/ (info.json with an external
 *                    grader, question.html) and serverFilesCourse/gilwb/
 *   autolab EX       autograde-Makefile and autograde.tar, and the list of
 *                    problems the assessment needs
 *   docker           a build folder: the bundle of every exercise and a
 *                    Dockerfile (the image the three can use)
 *   workflow [EX]    a GitHub Actions workflow for a learner's repository
 *
 * The scripts are files in tools/export/, tested there; this only copies
 * and fills them in.
 */
#include "grader.h"
#include "course/quiz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether path (of the repository) is part of every bundle: what builds
 * and runs the grader. */
static int S_infrastructure(const char *path)
{
    static const char *const always[] = {
        "mk/",           "runtime/", "course/", "grader/", "exercises/common/",
        "tools/export/", NULL};
    if (!strcmp(path, "Makefile") || !strcmp(path, "tools/deps.sh"))
        return 1;
    for (int i = 0; always[i]; i++)
        if (!strncmp(path, always[i], strlen(always[i])))
            return 1;
    return 0;
}

/* Whether path (of the course) belongs to the exercises exs[0..n): their
 * folders, hidden tests and quiz chapters. */
static int S_in_bundle(const char *path, gr_exercise *const *exs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *ex = course_fmt("exercises/%s/", exs[i]->id);
        char *hid = course_fmt("solutions/%s/hidden.yaml", exs[i]->id);
        char *ch = course_fmt("chapters/%02d-", exs[i]->quiz_chapter);
        const char *base = strrchr(path, '/') + 1;
        int in = (!strncmp(path, ex, strlen(ex)) && strcmp(base, "answers.txt") &&
                  strcmp(base, ".hints") && !strstr(path, "/.backup/")) ||
                 !strcmp(path, hid) ||
                 (exs[i]->quiz_chapter && !strncmp(path, ch, strlen(ch)) &&
                  !strchr(path + 9, '/'));
        free(ex);
        free(hid);
        free(ch);
        if (in)
            return 1;
    }
    return 0;
}

/* Copies the bundle of exs[0..n) into dir and writes grading.conf (EXERCISE
 * only when n is 1): the infrastructure from the repository, the
 * exercises from the course (the two are one tree, except for a course
 * kept apart with GRADER_COURSE).  Returns 0 or an exit code after
 * printing. */
static int S_bundle(const gr_paths *p, const char *course, const char *dir,
                    gr_exercise *const *exs, size_t n)
{
    course_strv files = {0}, from_repo = {0};
    gr_course_files(course, &files);
    gr_course_files(p->repo, &from_repo);
    size_t ncourse = files.n;
    for (size_t i = 0; i < from_repo.n; i++)
        if (S_infrastructure(from_repo.v[i]))
            course_strv_push(&files, from_repo.v[i]);
    course_strv_free(&from_repo);
    int rc = 0;
    for (size_t i = 0; i < files.n && !rc; i++) {
        int mine = i >= ncourse;
        if (!mine && !S_in_bundle(files.v[i], exs, n))
            continue;
        char *from = course_fmt("%s/%s", mine ? p->repo : course, files.v[i]);
        char *to = course_fmt("%s/%s", dir, files.v[i]);
        char *d = course_xstrdup(to);
        *strrchr(d, '/') = '\0';
        struct stat st;
        stat(from, &st);
        if (course_mkdir_p(d, 0755) < 0 ||
            gr_copy_file(from, to, (st.st_mode & 0111) ? 0755 : 0644) < 0) {
            fprintf(stderr, "grader export: cannot copy %s to %s\n", files.v[i], dir);
            rc = GR_EXIT_INTERNAL;
        }
        free(d);
        free(from);
        free(to);
    }
    course_strv_free(&files);
    char *conf =
        course_xstrdup("# written by grader export: what this bundle grades\n");
    for (size_t i = 0; i < n; i++) {
        char *list = course_xstrdup("");
        for (size_t k = 0; k < exs[i]->files.n; k++) {
            char *s = course_fmt("%s%s%s", list, k ? " " : "", exs[i]->files.v[k]);
            free(list);
            list = s;
        }
        char *s = n == 1 ? course_fmt("%sEXERCISE=%s\nFILES_%s=\"%s\"\n", conf,
                                      exs[i]->id, exs[i]->id, list)
                         : course_fmt("%sFILES_%s=\"%s\"\n", conf, exs[i]->id, list);
        free(conf);
        conf = s;
        free(list);
    }
    char *cp = course_fmt("%s/grading.conf", dir);
    if (!rc && course_write_file(cp, conf, strlen(conf)) < 0)
        rc = GR_EXIT_INTERNAL;
    free(cp);
    free(conf);
    return rc;
}

/* Copies a tools/export file to dir/name with mode. */
static int S_template(const gr_paths *p, const char *file, const char *dir,
                      const char *name, mode_t mode)
{
    char *from = course_fmt("%s/tools/export/%s", p->repo, file);
    char *to = course_fmt("%s/%s", dir, name);
    int rc = gr_copy_file(from, to, mode);
    if (rc < 0)
        fprintf(stderr, "grader export: cannot write %s: %s\n", to, strerror(-rc));
    free(from);
    free(to);
    return rc < 0 ? GR_EXIT_INTERNAL : 0;
}

/* A fresh temporary folder (caller removes and frees). */
static char *S_tmpdir(void)
{
    char *t = course_xstrdup("/tmp/grader-export-XXXXXX");
    if (!mkdtemp(t)) {
        free(t);
        return NULL;
    }
    return t;
}

/* An absolute path for out (relative to the current directory). */
static char *S_abs(const char *out)
{
    char cwd[4096];
    if (out[0] == '/' || !getcwd(cwd, sizeof cwd))
        return course_xstrdup(out);
    return course_fmt("%s/%s", cwd, out);
}

static int S_gradescope(const gr_paths *p, const char *course, gr_exercise *ex,
                        const char *out)
{
    char *tmp = S_tmpdir();
    if (!tmp)
        return GR_EXIT_INTERNAL;
    int rc = S_bundle(p, course, tmp, &ex, 1);
    static const char setup[] =
        "#!/usr/bin/env bash\n"
        "# setup.sh - Gradescope runs this once, as root, to build the autograder's\n"
        "# image: it builds the grader in /autograder/source (tools/export/setup.sh).\n"
        "exec bash \"$(cd \"$(dirname \"$0\")\" && pwd)/tools/export/setup.sh\"\n";
    char *sp = course_fmt("%s/setup.sh", tmp);
    if (!rc && (course_write_file(sp, setup, strlen(setup)) < 0 || chmod(sp, 0755) < 0))
        rc = GR_EXIT_INTERNAL;
    free(sp);
    if (!rc)
        rc = S_template(p, "run_autograder", tmp, "run_autograder", 0755);
    char *zip = S_abs(out);
    unlink(zip);
    char *argv[] = {"zip", "-qr", zip, ".", NULL};
    if (!rc && gr_run_quiet(tmp, argv, NULL) != 0) {
        fprintf(stderr, "grader export: `zip` failed (is it installed? apt-get install "
                        "zip)\n");
        rc = GR_EXIT_INTERNAL;
    }
    if (!rc)
        printf("wrote %s: upload it as the autograder of a Gradescope programming "
               "assignment (setup.sh builds the grader; students submit %s)\n",
               zip, ex->files.v[0]);
    gr_rm_rf(tmp);
    free(tmp);
    free(zip);
    return rc;
}

/* A random UUID (version 4) for PrairieLearn's info.json. */
static void S_uuid(char out[37])
{
    unsigned char b[16] = {0};
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        for (int i = 0; i < 16; i++)
            b[i] = (unsigned char)(rand() & 255);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
}

static int S_prairielearn(const gr_paths *p, const char *course, gr_exercise *ex,
                          const char *out)
{
    char *q = course_fmt("%s/questions/gilwb-%s", out, ex->id);
    char *srv = course_fmt("%s/serverFilesCourse/gilwb", out);
    int rc = course_mkdir_p(q, 0755) < 0 || course_mkdir_p(srv, 0755) < 0
                 ? GR_EXIT_INTERNAL
                 : S_bundle(p, course, srv, &ex, 1);
    char uuid[37];
    S_uuid(uuid);
    char *entry = course_fmt(
        "/grade/serverFilesCourse/gilwb/tools/export/prairielearn-grade.sh %s", ex->id);
    json_t *info = json_pack(
        "{s:s, s:s, s:s, s:[s,s], s:s, s:s, s:b, s:{s:b, s:s, s:[s], s:s, s:i}}",
        "uuid", uuid, "title", ex->title, "topic", "Concurrency", "tags", "gilwb",
        ex->slug, "type", "v3", "gradingMethod", "External", "singleVariant", 1,
        "externalGradingOptions", "enabled", 1, "image", "gilwb-grader",
        "serverFilesCourse", "gilwb/", "entrypoint", entry, "timeout", 600);
    char *ip = course_fmt("%s/info.json", q);
    if (!rc && json_dump_file(info, ip, JSON_INDENT(2)) < 0)
        rc = GR_EXIT_INTERNAL;
    json_decref(info);
    char *names = course_xstrdup("");
    for (size_t i = 0; i < ex->files.n; i++) {
        char *s = course_fmt("%s%s%s", names, i ? ", " : "", ex->files.v[i]);
        free(names);
        names = s;
    }
    char *html = course_fmt(
        "<pl-question-panel>\n"
        "  <p>Exercise %s of the GIL Workbook: <strong>%s</strong>. The task is in\n"
        "  <code>exercises/%s/README.md</code> of your copy of the workbook.</p>\n"
        "  <p>Upload %s%s. Your code is built and graded like <code>grader submit\n"
        "  %s</code> on your machine: tests, sanitizers and speedup patterns.</p>\n"
        "</pl-question-panel>\n"
        "<pl-file-upload file-names=\"%s\"%s></pl-file-upload>\n"
        "<pl-submission-panel>\n"
        "  <pl-external-grader-results></pl-external-grader-results>\n"
        "  <pl-file-preview></pl-file-preview>\n"
        "</pl-submission-panel>\n",
        ex->id, ex->title, ex->id, names,
        ex->quiz_chapter ? " and, for the quiz, your answers.txt" : "", ex->id, names,
        ex->quiz_chapter ? " optional-file-names=\"answers.txt\"" : "");
    char *hp = course_fmt("%s/question.html", q);
    if (!rc && course_write_file(hp, html, strlen(html)) < 0)
        rc = GR_EXIT_INTERNAL;
    if (!rc)
        printf(
            "wrote %s: copy questions/ and serverFilesCourse/ into your PrairieLearn "
            "course; build and push the image (`grader export docker`) and put its "
            "name in questions/gilwb-%s/info.json (\"image\", now gilwb-grader)\n",
            out, ex->id);
    free(hp);
    free(html);
    free(names);
    free(ip);
    free(entry);
    free(q);
    free(srv);
    return rc;
}

/* Max points per Autolab problem (the autolab format's grouping). */
static void S_autolab_problems(const gr_exercise *ex, FILE *f)
{
    double corr = 0, hid = 0, speed = 0;
    for (size_t i = 0; i < ex->ntests; i++)
        *(ex->tests[i].visibility == COURSE_VISIBLE ? &corr : &hid) +=
            ex->tests[i].points;
    for (size_t i = 0; i < ex->npatterns; i++)
        *(ex->patterns[i].visibility == COURSE_VISIBLE ? &speed : &hid) +=
            ex->patterns[i].points;
    course_quiz qz = {0};
    double quiz = 0;
    if (ex->quiz_chapter && gr_quiz_load(ex->course, ex->quiz_chapter, &qz) == 0)
        quiz = ex->quiz_points * (double)qz.n;
    course_quiz_free(&qz);
    fprintf(f,
            "Problems to define on the assessment (name: max points):\n"
            "  Correctness: %g\n  Sanitizers: %zu\n  Speedup: %g\n  Quiz: %g\n"
            "  Hidden: %g   (tests shown after the due date or never: their points,\n"
            "               never their names; release it when you publish grades)\n"
            "Scoreboard columns: Total, Correctness, Speedup.\n"
            "Handin file name: %s (several files: handin.tar)\n",
            corr, ex->sanitizers.n, speed, quiz, hid,
            ex->files.n == 1 ? ex->files.v[0] : "handin.tar");
}

static int S_autolab(const gr_paths *p, const char *course, gr_exercise *ex,
                     const char *out)
{
    char *tmp = S_tmpdir();
    char *inner = tmp ? course_fmt("%s/gilwb", tmp) : NULL;
    int rc = !tmp || course_mkdir_p(inner, 0755) < 0 || course_mkdir_p(out, 0755) < 0
                 ? GR_EXIT_INTERNAL
                 : S_bundle(p, course, inner, &ex, 1);
    char *tar = course_fmt("%s/autograde.tar", out);
    char *abs = S_abs(tar);
    char *argv[] = {"tar", "-cf", abs, "gilwb", NULL};
    if (!rc && gr_run_quiet(tmp, argv, NULL) != 0) {
        fprintf(stderr, "grader export: tar failed\n");
        rc = GR_EXIT_INTERNAL;
    }
    if (!rc)
        rc = S_template(p, "autograde-Makefile", out, "autograde-Makefile", 0644);
    char *readme = course_fmt("%s/README.txt", out);
    FILE *f = rc ? NULL : fopen(readme, "w");
    if (f) {
        fprintf(
            f, "Autolab autograder for exercise %s (%s), written by grader export.\n\n",
            ex->id, ex->title);
        S_autolab_problems(ex, f);
        fprintf(f,
                "\nAutograding image: build `grader export docker` and use it (Tango's "
                "docker back end), or any Debian 12 / Ubuntu image with apt: the "
                "first grading builds the grader (give it a 600 s timeout).\n");
        fclose(f);
        printf("wrote %s/autograde-Makefile and %s/autograde.tar; %s/README.txt lists "
               "the problems to define\n",
               out, out, out);
        S_autolab_problems(ex, stdout);
    } else if (!rc) {
        rc = GR_EXIT_INTERNAL;
    }
    if (tmp)
        gr_rm_rf(tmp);
    free(readme);
    free(tar);
    free(abs);
    free(inner);
    free(tmp);
    return rc;
}

static int S_docker(const gr_paths *p, const char *course, const char *out)
{
    course_strv dirs = {0};
    gr_exercise_list(course, &dirs);
    gr_exercise **exs = course_xcalloc(dirs.n + 1, sizeof *exs);
    size_t n = 0;
    int rc = course_mkdir_p(out, 0755) < 0 ? GR_EXIT_INTERNAL : 0;
    for (size_t i = 0; i < dirs.n && !rc; i++)
        if (!(exs[n++] = gr_exercise_load(course, dirs.v[i], 1)))
            rc = GR_EXIT_USAGE;
    if (!rc)
        rc = S_bundle(p, course, out, exs, n);
    if (!rc)
        rc = S_template(p, "Dockerfile", out, "Dockerfile", 0644);
    char *ign = course_fmt("%s/.dockerignore", out);
    if (!rc && course_write_file(ign, "build\n", 6) < 0)
        rc = GR_EXIT_INTERNAL;
    if (!rc)
        printf("wrote %s (%zu exercises with their hidden tests; no solutions).  Build "
               "the image with\n    docker build -t gilwb-grader %s\nand push it to a "
               "private registry your platform pulls from.\n",
               out, n, out);
    free(ign);
    for (size_t i = 0; i < n; i++)
        gr_exercise_free(exs[i]);
    free(exs);
    course_strv_free(&dirs);
    return rc;
}

static int S_workflow(const gr_paths *p, const char *exercise, const char *out)
{
    char *tpl_path = course_fmt("%s/tools/export/workflow.yml", p->repo);
    char *tpl = course_read_file(tpl_path, NULL);
    free(tpl_path);
    if (!tpl)
        return GR_EXIT_INTERNAL;
    const char *mark = "@EXERCISES@";
    char *at = strstr(tpl, mark);
    char *text = course_fmt("%.*s%s%s", (int)(at - tpl), tpl, exercise ? exercise : "",
                            at + strlen(mark));
    char *dir = course_xstrdup(out);
    if (strrchr(dir, '/'))
        *strrchr(dir, '/') = '\0';
    int rc = (strchr(out, '/') && course_mkdir_p(dir, 0755) < 0) ||
                     course_write_file(out, text, strlen(text)) < 0
                 ? GR_EXIT_INTERNAL
                 : 0;
    if (!rc)
        printf("wrote %s: commit it; every push is graded (%s) and the run's summary "
               "page shows the report\n",
               out, exercise ? exercise : "the exercises you have started");
    free(dir);
    free(text);
    free(tpl);
    return rc;
}

/* See grader.h. */
int gr_export(const char *kind, const char *exercise, const char *out,
              const gr_paths *p, const char *course)
{
    if (!kind) {
        fprintf(stderr,
                "grader export: give gradescope, prairielearn, autolab, docker or "
                "workflow (grader export --help)\n");
        return GR_EXIT_USAGE;
    }
    if (!strcmp(kind, "docker"))
        return S_docker(p, course, out ? out : "grader-image");
    if (!strcmp(kind, "workflow")) {
        gr_exercise *ex = NULL;
        if (exercise) {
            char *dir = gr_exercise_resolve(course, exercise);
            ex = dir ? gr_exercise_load(course, dir, 0) : NULL;
            free(dir);
            if (!ex)
                return GR_EXIT_USAGE;
        }
        int rc = S_workflow(p, ex ? ex->id : NULL,
                            out ? out : ".github/workflows/grade.yml");
        gr_exercise_free(ex);
        return rc;
    }
    int known = !strcmp(kind, "gradescope") || !strcmp(kind, "prairielearn") ||
                !strcmp(kind, "autolab");
    if (!known) {
        fprintf(stderr,
                "grader export: \"%s\" is not gradescope, prairielearn, autolab, "
                "docker or workflow\n",
                kind);
        return GR_EXIT_USAGE;
    }
    if (!exercise) {
        fprintf(stderr, "grader export %s: which exercise? (grader export %s 03)\n",
                kind, kind);
        return GR_EXIT_USAGE;
    }
    char *dir = gr_exercise_resolve(course, exercise);
    gr_exercise *ex = dir ? gr_exercise_load(course, dir, 1) : NULL;
    free(dir);
    if (!ex)
        return GR_EXIT_USAGE;
    char *def =
        course_fmt("%s-%s%s", kind, ex->id, !strcmp(kind, "gradescope") ? ".zip" : "");
    const char *to = out ? out : def;
    int rc = !strcmp(kind, "gradescope")     ? S_gradescope(p, course, ex, to)
             : !strcmp(kind, "prairielearn") ? S_prairielearn(p, course, ex, to)
                                             : S_autolab(p, course, ex, to);
    free(def);
    gr_exercise_free(ex);
    return rc;
}
