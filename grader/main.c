/*
 * main.c - the `grader` command line.
 *
 *   grader submit EX    grade the learner's files; record the attempt
 *   grader status       progress over all exercises
 *   grader hint EX      the next staged hint
 *   grader quiz N       ask chapter N's quiz; store the answers
 *   grader watch EX     grade on every save
 *   grader reset EX     restore the starter, after a backup
 *   grader grade        grade every exercise, summary table (make grade)
 *   grader progress     write the progress the book's pages show
 *
 * EX is exercises/05, exercises/05/, 05, 5 or the exercise's slug.
 */
#include "grader.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char S_usage[] =
    "usage: grader COMMAND [options] [EXERCISE]\n"
    "\n"
    "commands:\n"
    "  submit EX     grade exercise EX from your files: build, tests, sanitizers,\n"
    "                speedup patterns, quiz; print a report; record the attempt\n"
    "  status        progress over all exercises (state, best attempt, last run)\n"
    "  hint EX       show the next hint (hints are staged)\n"
    "  quiz N        ask chapter N's quiz; answers go to exercises/NN/answers.txt\n"
    "  watch EX      grade again whenever you save one of the exercise's files\n"
    "  reset EX      restore the starter files, after saving yours to a backup\n"
    "  grade         grade every exercise and print a summary table (make grade)\n"
    "  claims [N]    check chapter N's claims about speed on its demo (all\n"
    "                chapters with chapters/NN/claims.yaml when N is left out)\n"
    "  progress      write your progress for the book's pages (submit, quiz and\n"
    "                grade do it too)\n"
    "\n"
    "instructor commands (README.md, \"For instructors\"):\n"
    "  release OUT   write the student edition: no solutions, hidden tests or\n"
    "                mutants, sealed quiz keys, a manifest of files not to edit\n"
    "  batch DIR     grade every student copy under DIR (--exercise EX): CSV,\n"
    "                gradebook, one report per student; resumable\n"
    "  similarity DIR  pairs of copies ranked by similarity (Dolos)\n"
    "  export KIND EX  a Gradescope, PrairieLearn or Autolab autograder, a\n"
    "                Dockerfile, or a CI workflow\n"
    "  starter EX    check (--write: make) exercises/NN from solutions/NN\n"
    "\n"
    "EX is exercises/05, 05, 5 or the exercise's slug.  `grader COMMAND --help`\n"
    "describes each command's options.\n"
    "\n"
    "exit status: 0 passed (or the command succeeded), 1 graded and not passed,\n"
    "2 bad command line / unknown exercise / bad metadata or input (nothing is\n"
    "written), 3 the grader itself failed.\n"
    "\n"
    "environment: NO_COLOR (no colour), GRADER_GRADEBOOK (gradebook path),\n"
    "GRADER_COURSE (the tree holding exercises/), GRADER_REPO, GRADER_BUILD,\n"
    "GRADER_CGROUP_ROOT (where cgroups are mounted; default /sys/fs/cgroup),\n"
    "GRADER_SITE (the book's pages, for progress; default <build>/site).\n";

static const char S_submit_help[] =
    "usage: grader submit EX [options]\n"
    "Grades exercise EX from your files (never modifying them) and records the\n"
    "attempt in the gradebook.  Exit status 0 iff every check passed.\n"
    "\n"
    "  --format F        text (default), json, junit, tap, gradescope, markdown,\n"
    "                    prairielearn or autolab\n"
    "  --audience A      instructor (default: every check, hidden ones marked) or\n"
    "                    student (checks not to be shown yet are left out)\n"
    "  -o, --output FILE write the report to FILE instead of standard output\n"
    "  --gradebook PATH  gradebook file (default .workbook/gradebook.sqlite in\n"
    "                    the course; GRADER_GRADEBOOK sets it too)\n"
    "  --no-record       do not record the attempt\n"
    "  --from DIR        grade the files in DIR instead of exercises/NN (for\n"
    "                    instructors: solutions, mutants, student copies)\n"
    "  --skip WHAT       skip quiz, patterns, sanitizers or tests (repeatable;\n"
    "                    tests: the sanitizers too, which re-run them)\n"
    "  --keep            keep the scratch directory and print where it is\n"
    "  --quiet           no progress line\n"
    "  --repeat N        grade the same build N times, one report each (with\n"
    "                    --format json: one line each); exit 0 iff all passed\n";

static const char *const S_cmd_help[][2] = {
    {"status", "usage: grader status [--format text|json] [--gradebook PATH]\n"
               "Progress over all exercises, read from the gradebook.\n"},
    {"hint",
     "usage: grader hint EX [--all] [--again]\n"
     "Shows the next hint of exercise EX.  --again repeats the last one shown,\n"
     "--all lists every hint shown so far.\n"},
    {"quiz", "usage: grader quiz N [--answer 1=b,2=a]\n"
             "Asks chapter N's quiz in the terminal and stores your answers in\n"
             "exercises/NN/answers.txt (graded by grader submit).  --answer takes the\n"
             "answers from the command line instead (for scripts).\n"},
    {"watch", "usage: grader watch EX [submit options]\n"
              "Grades EX now and again after each save of one of its files (inotify;\n"
              "polling when unavailable or GRADER_WATCH_POLL=1).  Ctrl-C stops.\n"},
    {"reset",
     "usage: grader reset EX [--yes]\n"
     "Copies your files of EX to exercises/NN/.backup/<time>/ (it prints where)\n"
     "and restores the starter versions from the workbook's git history.\n"},
    {"grade", "usage: grader grade [--format text|json] [submit options]\n"
              "Grades every exercise and prints a summary table, like `make grade`.\n"},
    {"claims",
     "usage: grader claims [N] [--format text|json] [--quiet]\n"
     "Checks what chapter N says about speed (chapters/NN/claims.yaml) on the\n"
     "chapter's own demo, with the judge that grades exercises: each claim is a\n"
     "speedup pattern or counter comparisons on one measure line.  Without N,\n"
     "every chapter that has claims.  Exit 0 iff every claim holds.\n"},
    {"progress",
     "usage: grader progress [--gradebook PATH]\n"
     "Writes your progress (exercises from the gradebook, quiz answers) to\n"
     "<build>/site/data/progress.js, or GRADER_SITE/data/progress.js, where the\n"
     "book's pages read it.  submit, quiz and grade do this when they finish.\n"},
};

typedef struct S_args {
    const char *cmd, *exercise, *format, *output, *gradebook, *from, *answer;
    int no_record, keep, quiet, all, again, yes, help;
    int student; /* --audience student: withhold what a student may not see yet */
    gr_submit_opts so;
    gr_format fmt;
} S_args;

/* Parses argv after the command.  Returns 0, or GR_EXIT_USAGE after
 * printing why. */
static int S_parse(int argc, char **argv, S_args *a)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"gradebook", required_argument, NULL, 'g'},
                                         {"no-record", no_argument, NULL, 'n'},
                                         {"from", required_argument, NULL, 'F'},
                                         {"skip", required_argument, NULL, 's'},
                                         {"keep", no_argument, NULL, 'k'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"answer", required_argument, NULL, 'a'},
                                         {"all", no_argument, NULL, 'A'},
                                         {"again", no_argument, NULL, 'R'},
                                         {"yes", no_argument, NULL, 'y'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"repeat", required_argument, NULL, 'r'},
                                         {"audience", required_argument, NULL, 'U'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->format = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'g':
            a->gradebook = optarg;
            break;
        case 'n':
            a->no_record = 1;
            break;
        case 'F':
            a->from = optarg;
            break;
        case 'k':
            a->so.keep = 1;
            break;
        case 'q':
            a->so.quiet = 1;
            break;
        case 'a':
            a->answer = optarg;
            break;
        case 'A':
            a->all = 1;
            break;
        case 'R':
            a->again = 1;
            break;
        case 'y':
            a->yes = 1;
            break;
        case 'h':
            a->help = 1;
            break;
        case 'U':
            if (strcmp(optarg, "student") && strcmp(optarg, "instructor")) {
                fprintf(stderr, "grader: --audience %s: give student or instructor\n",
                        optarg);
                return GR_EXIT_USAGE;
            }
            a->student = !strcmp(optarg, "student");
            break;
        case 'r':
            a->so.repeat = atoi(optarg);
            if (a->so.repeat < 1) {
                fprintf(stderr, "grader: --repeat %s: give a count of 1 or more\n",
                        optarg);
                return GR_EXIT_USAGE;
            }
            break;
        case 's':
            if (!strcmp(optarg, "quiz"))
                a->so.skip_quiz = 1;
            else if (!strcmp(optarg, "patterns"))
                a->so.skip_patterns = 1;
            else if (!strcmp(optarg, "sanitizers"))
                a->so.skip_sanitizers = 1;
            else if (!strcmp(optarg, "tests")) /* the sanitizers re-run them */
                a->so.skip_tests = a->so.skip_sanitizers = 1;
            else {
                fprintf(stderr,
                        "grader: --skip %s: give quiz, patterns, sanitizers or tests\n",
                        optarg);
                return GR_EXIT_USAGE;
            }
            break;
        default:
            fprintf(stderr, "grader: `grader %s --help` lists the options\n", a->cmd);
            return GR_EXIT_USAGE;
        }
    }
    if (optind < argc)
        a->exercise = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "grader: unexpected argument \"%s\"\n", argv[optind]);
        return GR_EXIT_USAGE;
    }
    if (a->format && gr_format_parse(a->format, &a->fmt) < 0) {
        fprintf(stderr, "grader: --format %s: give " GR_FORMAT_LIST "\n", a->format);
        return GR_EXIT_USAGE;
    }
    if (a->so.repeat > 1 && a->output) {
        /* N reports into one file would be N documents glued together. */
        fprintf(stderr,
                "grader: --repeat %d writes its reports to standard output; "
                "drop -o (redirect instead)\n",
                a->so.repeat);
        return GR_EXIT_USAGE;
    }
    a->so.from = a->from;
    if (!isatty(2))
        a->so.quiet = 1;
    return 0;
}

/* The tree holding exercises/: GRADER_COURSE, else the nearest directory
 * upward from here that has one, else the repository. */
static char *S_course(const gr_paths *p)
{
    const char *env = getenv("GRADER_COURSE");
    char buf[PATH_MAX];
    if (env && *env)
        return course_xstrdup(realpath(env, buf) ? buf : env);
    if (getcwd(buf, sizeof buf)) {
        for (;;) {
            char *ex = course_fmt("%s/exercises", buf);
            struct stat st;
            int ok = stat(ex, &st) == 0 && S_ISDIR(st.st_mode);
            free(ex);
            if (ok)
                return course_xstrdup(buf);
            char *s = strrchr(buf, '/');
            if (!s || s == buf)
                break;
            *s = '\0';
        }
    }
    return course_xstrdup(p->repo);
}

typedef struct S_ctx {
    S_args *a;
    gr_paths *p;
    const char *course; /* the tree holding exercises/ */
    gr_exercise *ex;
    int last_exit;
    int any_failed; /* --repeat: a pass before the last failed */
} S_ctx;

static void S_print(const gr_report *r, gr_format fmt, FILE *out)
{
    gr_report_print(r, fmt, out,
                    fmt == GR_FMT_TEXT && out == stdout && gr_is_tty(stdout));
}

/* --repeat: prints every report but the last, and notes failures. */
static void S_each(const gr_report *r, void *arg)
{
    S_ctx *c = arg;
    if (c->a->fmt == GR_FMT_JSON) {
        json_t *j = gr_report_to_json(r);
        json_dumpf(j, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
        fputc('\n', stdout);
        json_decref(j);
    } else {
        S_print(r, c->a->fmt, stdout);
    }
    fflush(stdout);
    if (!r->passed)
        c->any_failed = 1;
}

/* Grades once; returns the exit code.  Used by submit and watch. */
static int S_submit_once(void *arg)
{
    S_ctx *c = arg;
    gr_report r;
    c->a->so.each = S_each;
    c->a->so.each_arg = c;
    int rc = gr_submit(c->ex, c->p, &c->a->so, &r);
    if (rc == -EINVAL) {
        gr_report_free(&r);
        return c->last_exit =
                   GR_EXIT_USAGE; /* refused input: said why, wrote nothing */
    }
    gr_report_set_visibility(&r, c->ex);
    gr_manifest_check(c->course, &r); /* a student edition: anything tampered with? */
    gr_report_total(&r);
    FILE *out = stdout;
    if (c->a->output && !(out = fopen(c->a->output, "w"))) {
        fprintf(stderr, "grader: %s: %s\n", c->a->output, strerror(errno));
        gr_report_free(&r);
        return c->last_exit = GR_EXIT_INTERNAL;
    }
    if (c->a->so.repeat > 1) {
        S_each(&r, c); /* same shape as the others */
    } else if (c->a->student && c->a->fmt != GR_FMT_PRAIRIELEARN &&
               c->a->fmt != GR_FMT_AUTOLAB && c->a->fmt != GR_FMT_GRADESCOPE) {
        gr_report view;
        gr_report_copy(&r, &view);
        gr_report_student_view(&view, time(NULL), c->ex->due);
        S_print(&view, c->a->fmt, out);
        gr_report_free(&view);
    } else {
        S_print(&r, c->a->fmt, out);
    }
    if (out != stdout)
        fclose(out);
    else
        fflush(stdout);
    int exit_code = rc < 0                       ? GR_EXIT_INTERNAL
                    : r.passed && !c->any_failed ? GR_EXIT_PASS
                                                 : GR_EXIT_FAIL;
    if (!c->a->no_record) {
        char *db = gr_gradebook_path(c->p, c->course, c->a->gradebook);
        if (gr_gradebook_record(db, &r) < 0)
            exit_code = GR_EXIT_INTERNAL;
        else /* the book's pages show the attempt without a rebuild */
            gr_progress_write(c->p, c->ex->course, c->a->gradebook, 1);
        free(db);
    }
    gr_report_free(&r);
    return c->last_exit = exit_code;
}

/* watch: the build and the tests, printed as soon as they are judged. */
static void S_early(const gr_report *r, size_t n, void *arg)
{
    S_ctx *c = arg;
    if (c->a->fmt == GR_FMT_TEXT && !c->a->output)
        gr_report_text_first(r, n, stdout, gr_is_tty(stdout));
}

static int S_watch_step(void *arg)
{
    S_ctx *c = arg;
    c->a->so.tests_done = S_early;
    S_submit_once(c);
    const char *lim = getenv("GRADER_WATCH_LIMIT"); /* for tests: stop after N */
    static int runs;
    return lim && ++runs >= atoi(lim);
}

/* hint: the count of hints shown so far lives in exercises/NN/.hints. */
static int S_hint(S_ctx *c)
{
    gr_exercise *ex = c->ex;
    if (!ex->hints.n) {
        printf("exercise %s has no hints.\n", ex->id);
        return 0;
    }
    char *path = course_fmt("%s/.hints", ex->dir);
    char *text = course_read_file(path, NULL);
    int shown = text ? atoi(text) : 0;
    free(text);
    if (c->a->all) {
        for (int i = 0; i < shown && i < (int)ex->hints.n; i++)
            printf("hint %d of %zu: %s\n\n", i + 1, ex->hints.n, ex->hints.v[i]);
        if (!shown)
            printf("no hints shown yet: `grader hint %s` shows the first.\n", ex->id);
        free(path);
        return 0;
    }
    int next = c->a->again && shown > 0 ? shown - 1 : shown;
    if (next >= (int)ex->hints.n) {
        next = (int)ex->hints.n - 1;
        printf("(that was the last hint; here it is again)\n");
    }
    printf("hint %d of %zu: %s\n", next + 1, ex->hints.n, ex->hints.v[next]);
    if (next + 1 > shown) {
        char *num = course_fmt("%d\n", next + 1);
        course_write_file(path, num, strlen(num));
        free(num);
    }
    free(path);
    return 0;
}

/* reset: back up the learner's files, then restore each from git. */
static int S_reset(S_ctx *c)
{
    gr_exercise *ex = c->ex;
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    char *bdir = course_fmt("%s/.backup/%s", ex->dir, stamp);
    if (course_mkdir_p(bdir, 0755) < 0) {
        fprintf(stderr, "grader: cannot create %s\n", bdir);
        free(bdir);
        return GR_EXIT_INTERNAL;
    }
    for (size_t i = 0; i < ex->files.n; i++) {
        char *f = course_fmt("%s/%s", ex->dir, ex->files.v[i]);
        char *b = course_fmt("%s/%s", bdir, ex->files.v[i]);
        if (access(f, F_OK) == 0 && gr_copy_file(f, b, 0644) < 0) {
            fprintf(stderr, "grader: cannot back up %s; nothing was reset\n", f);
            free(f);
            free(b);
            free(bdir);
            return GR_EXIT_INTERNAL;
        }
        free(f);
        free(b);
    }
    printf("your files are saved in exercises/%s/.backup/%s/\n", ex->id, stamp);
    int rc = GR_EXIT_PASS;
    for (size_t i = 0; i < ex->files.n; i++) {
        char *tmp = course_fmt("%s/%s.reset-tmp", ex->dir, ex->files.v[i]);
        char *cmd = course_fmt("git -C '%s' show 'HEAD:./%s' > '%s' 2>/dev/null",
                               ex->dir, ex->files.v[i], tmp);
        char *f = course_fmt("%s/%s", ex->dir, ex->files.v[i]);
        if (system(cmd) == 0 && rename(tmp, f) == 0) {
            printf("restored exercises/%s/%s\n", ex->id, ex->files.v[i]);
        } else {
            unlink(tmp);
            fprintf(stderr,
                    "grader: cannot restore %s from git (is this a git checkout?); "
                    "your version is unchanged\n",
                    ex->files.v[i]);
            rc = GR_EXIT_INTERNAL;
        }
        free(tmp);
        free(cmd);
        free(f);
    }
    free(bdir);
    return rc;
}

/* grade: every exercise, then an xv6-style table. */
/* grader claims [N]: one chapter's claims, or every chapter's. */
static int S_claims(S_ctx *c, const char *course)
{
    int from = 1, to = 99;
    if (c->a->exercise) {
        char *end;
        long n = strtol(c->a->exercise, &end, 10);
        if (*end || n < 1 || n > 99) {
            fprintf(stderr, "grader claims: \"%s\" is not a chapter number\n",
                    c->a->exercise);
            return GR_EXIT_USAGE;
        }
        from = to = (int)n;
    }
    int rc = GR_EXIT_PASS, judged = 0;
    for (int n = from; n <= to; n++) {
        char *path = gr_fmt("%s/chapters/%02d/claims.yaml", course, n);
        int exists = access(path, F_OK) == 0;
        free(path);
        if (!exists) {
            if (from == to) {
                fprintf(stderr,
                        "grader claims: chapter %d has no chapters/%02d/claims.yaml\n",
                        n, n);
                return GR_EXIT_USAGE;
            }
            continue;
        }
        gr_claims *cs = gr_claims_load(course, n);
        if (!cs)
            return GR_EXIT_USAGE;
        gr_report r = {0};
        r.exercise = gr_fmt("%02d", n);
        r.slug = gr_fmt("chapter-%02d-claims", n);
        r.title = gr_fmt("Chapter %d's claims, checked on its demo", n);
        r.started_at = gr_iso_time();
        uint64_t t0 = gr_now_ns();
        int jr = gr_claims_judge(cs, c->p, c->a->so.quiet, &r);
        r.finished_at = gr_iso_time();
        r.seconds = (double)(gr_now_ns() - t0) / 1e9;
        gr_report_total(&r);
        if (jr < 0)
            rc = GR_EXIT_INTERNAL;
        else {
            S_print(&r, c->a->fmt, stdout);
            if (!r.passed && rc == GR_EXIT_PASS)
                rc = GR_EXIT_FAIL;
        }
        judged++;
        gr_report_free(&r);
        gr_claims_free(cs);
    }
    if (!judged) {
        fprintf(stderr, "grader claims: no chapter has chapters/NN/claims.yaml\n");
        return GR_EXIT_USAGE;
    }
    return rc;
}

static int S_grade_all(S_ctx *c, const char *course)
{
    course_strv dirs = {0};
    gr_exercise_list(course, &dirs);
    int rc = GR_EXIT_PASS;
    double total = 0, max = 0;
    char *summary = course_xstrdup("");
    for (size_t i = 0; i < dirs.n; i++) {
        gr_exercise *ex = gr_exercise_load(course, dirs.v[i], 1);
        if (!ex) {
            char *s = course_fmt("%s  %-4s %-34s %12s  %s\n", summary,
                                 strrchr(dirs.v[i], '/') + 1, "(bad exercise.yaml)",
                                 "-", "ERROR");
            free(summary);
            summary = s;
            rc = GR_EXIT_FAIL;
            continue;
        }
        printf("== exercise %s: %s ==\n", ex->id, ex->title);
        fflush(stdout);
        c->ex = ex;
        gr_report r;
        int sr = gr_submit(ex, c->p, &c->a->so, &r);
        if (sr != -EINVAL) {
            gr_report_text(&r, stdout, gr_is_tty(stdout));
            if (!c->a->no_record) {
                char *db = gr_gradebook_path(c->p, c->course, c->a->gradebook);
                gr_gradebook_record(db, &r);
                free(db);
            }
        }
        char pts[32];
        snprintf(pts, sizeof pts, "%g/%g", r.score, r.max_score);
        char *s = course_fmt("%s  %-4s %-34.34s %12s  %s (%.1fs)\n", summary, ex->id,
                             ex->slug, sr == -EINVAL ? "-" : pts,
                             sr == -EINVAL ? "MISSING FILES"
                             : r.passed    ? "OK"
                                           : "FAIL",
                             r.seconds);
        free(summary);
        summary = s;
        total += r.score;
        max += r.max_score;
        if (!r.passed)
            rc = GR_EXIT_FAIL;
        gr_report_free(&r);
        gr_exercise_free(ex);
        c->ex = NULL;
    }
    if (!c->a->no_record)
        gr_progress_write(c->p, course, c->a->gradebook, 1);
    printf("\n== summary ==\n%sScore: %g/%g\n", summary, total, max);
    free(summary);
    course_strv_free(&dirs);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(S_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? GR_EXIT_USAGE : GR_EXIT_PASS;
    }
    if (gr_instructor_command(argv[1])) {
        gr_paths ip;
        if (gr_paths_find(&ip) < 0)
            return GR_EXIT_INTERNAL;
        char *course = S_course(&ip);
        int irc = gr_instructor_main(argc - 1, argv + 1, &ip, course);
        free(course);
        free(ip.repo);
        free(ip.build);
        return irc;
    }
    S_args a = {.cmd = argv[1]};
    static const char *const cmds[] = {"submit", "status", "hint",   "quiz",     "watch",
                                       "reset",  "grade",  "claims", "progress", NULL};
    int known = 0;
    for (int i = 0; cmds[i]; i++)
        known |= !strcmp(a.cmd, cmds[i]);
    if (!known) {
        fprintf(stderr, "grader: unknown command \"%s\" (grader --help lists them)\n",
                a.cmd);
        return GR_EXIT_USAGE;
    }
    int rc = S_parse(argc - 1, argv + 1, &a);
    if (rc)
        return rc;
    if (a.help) {
        if (!strcmp(a.cmd, "submit"))
            fputs(S_submit_help, stdout);
        for (size_t i = 0; i < sizeof S_cmd_help / sizeof *S_cmd_help; i++)
            if (!strcmp(a.cmd, S_cmd_help[i][0]))
                fputs(S_cmd_help[i][1], stdout);
        return GR_EXIT_PASS;
    }
    gr_sandbox_init();
    gr_paths p;
    if (gr_paths_find(&p) < 0)
        return GR_EXIT_INTERNAL;
    char *course = S_course(&p);
    S_ctx c = {.a = &a, .p = &p, .course = course};
    int need_ex = strcmp(a.cmd, "status") && strcmp(a.cmd, "grade") &&
                  strcmp(a.cmd, "claims") && strcmp(a.cmd, "progress");
    if (need_ex && !a.exercise) {
        fprintf(stderr, "grader %s: which exercise? (e.g. grader %s exercises/03)\n",
                a.cmd, a.cmd);
        rc = GR_EXIT_USAGE;
        goto out;
    }
    if (need_ex) {
        char *dir = gr_exercise_resolve(course, a.exercise);
        if (!dir) {
            rc = GR_EXIT_USAGE;
            goto out;
        }
        c.ex = gr_exercise_load(course, dir, 1);
        free(dir);
        if (!c.ex) {
            rc = GR_EXIT_USAGE;
            goto out;
        }
    }
    if (!strcmp(a.cmd, "submit")) {
        rc = S_submit_once(&c);
    } else if (!strcmp(a.cmd, "watch")) {
        gr_watch(c.ex, S_watch_step, &c);
        rc = c.last_exit;
    } else if (!strcmp(a.cmd, "status")) {
        char *db = gr_gradebook_path(&p, course, a.gradebook);
        rc = gr_gradebook_status(db, course, stdout, gr_is_tty(stdout), a.fmt) < 0
                 ? GR_EXIT_INTERNAL
                 : GR_EXIT_PASS;
        free(db);
    } else if (!strcmp(a.cmd, "hint")) {
        rc = S_hint(&c);
    } else if (!strcmp(a.cmd, "quiz")) {
        int r = gr_quiz_ask(c.ex, a.answer, gr_is_tty(stdout));
        rc = r == 0                         ? GR_EXIT_PASS
             : r == -EINVAL || r == -ENOENT ? GR_EXIT_USAGE
                                            : GR_EXIT_INTERNAL;
    } else if (!strcmp(a.cmd, "reset")) {
        rc = S_reset(&c);
    } else if (!strcmp(a.cmd, "claims")) {
        rc = S_claims(&c, course);
    } else if (!strcmp(a.cmd, "progress")) {
        rc = gr_progress_write(&p, course, a.gradebook, 0) < 0 ? GR_EXIT_INTERNAL
                                                               : GR_EXIT_PASS;
    } else {
        rc = S_grade_all(&c, course);
    }
    if (!strcmp(a.cmd, "quiz") && rc == GR_EXIT_PASS) /* the pages show the score */
        gr_progress_write(&p, course, a.gradebook, 1);
out:
    gr_exercise_free(c.ex);
    free(course);
    free(p.repo);
    free(p.build);
    return rc;
}
