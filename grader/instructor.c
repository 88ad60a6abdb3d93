/*
 * instructor.c - the instructor edition's commands: their help and their
 * command lines.  Each command's work is a module of its own:
 *
 *   starter EX [--write]              starter.c
 *   release OUT [--secret-file F]     release.c (+ manifest.c)
 *   batch DIR --exercise EX ...       batch.c (+ batch_find.c, batch_out.c)
 *   similarity DIR --exercise EX ...  similarity.c
 *   export KIND [EX] [-o OUT]         export.c
 *
 * The learner's commands stay in main.c; these share its exit codes.
 */
#include "grader.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const S_help[][2] = {
    {"starter",
     "usage: grader starter EX [--write]\n"
     "Checks that each learner file of exercise EX is what stripping the solution\n"
     "regions of solutions/NN/<file> gives (exercises/README.md, \"Solutions and\n"
     "starters from one file\"); --write writes them.  Exit 1 if one differs.\n"},
    {"release",
     "usage: grader release OUT [--secret-file FILE]\n"
     "Writes the student edition of this course to OUT (new or empty): no\n"
     "solutions/, no hidden tests (hidden.yaml, the hidden cases of drivers), no\n"
     "mutants, nothing .release-exclude lists; quiz answers sealed with the course\n"
     "secret (default .workbook/course-secret, made on first use: keep it); a\n"
     "manifest (edition.json) of the files learners must not edit, which grader\n"
     "submit checks there.  OUT is a git repository with one commit.\n"},
    {"batch",
     "usage: grader batch DIR --exercise EX [--jobs N] [--out DIR] [options]\n"
     "Grades every student copy under DIR: a folder per student, a Gradescope\n"
     "export (submission_metadata.yml), a Moodle download (one folder per\n"
     "submission) or a Canvas download (name_12345_67890_file.c).  Correctness\n"
     "(build, tests, sanitizers) runs N at a time; speedup patterns run one at a\n"
     "time.  Writes OUT (default DIR-grades/): grades.csv, reports/<student>.json\n"
     "(everything) and .txt (what the student may see), and records each grade in\n"
     "OUT/gradebook.sqlite.  Killed, it resumes where it stopped.\n"
     "\n"
     "  --jobs N          correctness gradings at once (default: the cores)\n"
     "  --patterns WHEN   after (default): alone, once correctness is done;\n"
     "                    beside: one at a time while correctness runs (faster,\n"
     "                    timing may be undecided: the counters decide)\n"
     "  --due TIME        the due date (default: exercise.yaml's due)\n"
     "  --out DIR         where results go\n"
     "  --regrade         forget what an earlier run of this batch graded\n"},
    {"similarity",
     "usage: grader similarity DIR --exercise EX [-o FILE.html|FILE.csv] [--top N]\n"
     "Ranks pairs of student copies by code similarity with Dolos (installed on\n"
     "first use with npm into the build directory), the exercise's starter code\n"
     "left out.  Writes an HTML table (default DIR-similarity.html) or CSV.\n"},
    {"export",
     "usage: grader export KIND [EX] [-o OUT]\n"
     "  gradescope EX    autograder zip: setup.sh, run_autograder, the grader\n"
     "  prairielearn EX  a question folder and course files for an external grader\n"
     "  autolab EX       autograde-Makefile and autograde.tar\n"
     "  docker           a Dockerfile for a grader image all three can use\n"
     "  workflow [EX]    a CI workflow that grades on push (the report as the\n"
     "                   job summary; fails on a failing grade)\n"},
};

/* See grader.h. */
int gr_instructor_command(const char *cmd)
{
    for (size_t i = 0; i < sizeof S_help / sizeof *S_help; i++)
        if (!strcmp(cmd, S_help[i][0]))
            return 1;
    return 0;
}

/* Loads exercise arg (exercises/05, 05, 5, slug); NULL after printing. */
static gr_exercise *S_exercise(const char *course, const char *arg)
{
    if (!arg) {
        fprintf(stderr, "grader: which exercise? (e.g. --exercise 03)\n");
        return NULL;
    }
    char *dir = gr_exercise_resolve(course, arg);
    gr_exercise *ex = dir ? gr_exercise_load(course, dir, 1) : NULL;
    free(dir);
    return ex;
}

/* See grader.h. */
int gr_instructor_main(int argc, char **argv, const gr_paths *p, const char *course)
{
    const char *cmd = argv[0];
    static const struct option opts[] = {{"write", no_argument, NULL, 'w'},
                                         {"secret-file", required_argument, NULL, 's'},
                                         {"exercise", required_argument, NULL, 'e'},
                                         {"jobs", required_argument, NULL, 'j'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"due", required_argument, NULL, 'd'},
                                         {"patterns", required_argument, NULL, 'P'},
                                         {"regrade", no_argument, NULL, 'R'},
                                         {"top", required_argument, NULL, 't'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    gr_batch_opts b = {.jobs = gr_cores()};
    const char *secret = NULL, *exarg = NULL, *out = NULL;
    int write = 0, top = 50, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:j:h", opts, NULL)) != -1) {
        switch (c) {
        case 'w':
            write = 1;
            break;
        case 's':
            secret = optarg;
            break;
        case 'e':
            exarg = optarg;
            break;
        case 'j':
            b.jobs = atoi(optarg);
            if (b.jobs < 1 || b.jobs > 64) {
                fprintf(stderr, "grader %s: --jobs %s: give 1 to 64\n", cmd, optarg);
                return GR_EXIT_USAGE;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            b.due = optarg;
            break;
        case 'P':
            if (strcmp(optarg, "after") && strcmp(optarg, "beside")) {
                fprintf(stderr, "grader %s: --patterns %s: give after or beside\n", cmd,
                        optarg);
                return GR_EXIT_USAGE;
            }
            b.beside = !strcmp(optarg, "beside");
            break;
        case 'R':
            b.regrade = 1;
            break;
        case 't':
            top = atoi(optarg);
            break;
        case 'q':
            b.quiet = 1;
            break;
        case 'h':
            for (size_t i = 0; i < sizeof S_help / sizeof *S_help; i++)
                if (!strcmp(cmd, S_help[i][0]))
                    fputs(S_help[i][1], stdout);
            return GR_EXIT_PASS;
        default:
            fprintf(stderr, "grader: `grader %s --help` lists the options\n", cmd);
            return GR_EXIT_USAGE;
        }
    }
    const char *arg = optind < argc ? argv[optind++] : NULL;
    const char *arg2 = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        fprintf(stderr, "grader %s: unexpected argument \"%s\"\n", cmd, argv[optind]);
        return GR_EXIT_USAGE;
    }
    if (!strcmp(cmd, "export"))
        return gr_export(arg, arg2, out, p, course);
    if (arg2) {
        fprintf(stderr, "grader %s: unexpected argument \"%s\"\n", cmd, arg2);
        return GR_EXIT_USAGE;
    }
    if (!strcmp(cmd, "release")) {
        if (!arg) {
            fprintf(stderr, "grader release: where to? (grader release OUT)\n");
            return GR_EXIT_USAGE;
        }
        return gr_release(p, course, arg, secret);
    }
    if (!strcmp(cmd, "starter")) {
        gr_exercise *ex = S_exercise(course, arg);
        if (!ex)
            return GR_EXIT_USAGE;
        int rc = gr_starter(ex, write, stdout);
        gr_exercise_free(ex);
        return rc;
    }
    if (!arg) {
        fprintf(stderr,
                "grader %s: which folder of student copies? (grader %s DIR "
                "--exercise EX)\n",
                cmd, cmd);
        return GR_EXIT_USAGE;
    }
    gr_exercise *ex = S_exercise(course, exarg);
    if (!ex)
        return GR_EXIT_USAGE;
    int rc;
    if (!strcmp(cmd, "batch")) {
        b.dir = arg;
        b.out = out;
        rc = gr_batch(&b, ex, p, course);
    } else {
        rc = gr_similarity(arg, ex, out, top, p);
    }
    gr_exercise_free(ex);
    return rc;
}
