/*
 * grader.h - the GIL Workbook's autograder: types shared by its modules.
 *
 * The pipeline of `grader submit`, one module a stage:
 *
 *   exercise.c   find exercises; exercises/NN/exercise.yaml is read by the
 *                course library (course/exercise.c), shared with the site
 *   build.c      copy the learner's files to a scratch directory, compile
 *   sandbox.c    run one program: process group, rlimits, timeouts, caps
 *   run.c        the pipeline: build, tests, sanitizers, patterns, quiz
 *   calibrate.c  the machine's parallel capacity, measured in the session
 *   patterns.c   speedup patterns judged on mechanism and timing
 *   quiz.c       the chapter's quiz (read by course/quiz.c), answers.txt,
 *                asking, scoring
 *   report*.c    text, json, junit, tap, gradescope
 *   gradebook.c  every attempt with its checks and figures, recorded in
 *                the course library's SQLite gradebook (course/gradebook.c)
 *   progress.c   the learner's progress as a script for the book's pages
 *   watch.c      re-grade on save (inotify, polling fallback)
 *   main.c       the command line
 *   util.c       files, time, text (allocation: course/util.c)
 *
 * Conventions: functions that can fail return 0 or a negative errno value;
 * user-facing errors are printed where they are detected, with file:line
 * when a file is to blame.  Strings in these structs are owned by the
 * struct that holds them (freed by its *_free function).
 */
#ifndef GRADER_H
#define GRADER_H

#include "course/claims.h"
#include "course/exercise.h"
#include "course/gradebook.h"
#include "course/quiz.h"
#include "course/util.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit codes, documented in `grader --help` and exercises/README.md. */
enum {
    GR_EXIT_PASS = 0,     /* the submission passed every check */
    GR_EXIT_FAIL = 1,     /* it was graded and failed a check */
    GR_EXIT_USAGE = 2,    /* bad command line, unknown exercise, bad metadata */
    GR_EXIT_INTERNAL = 3, /* the grader itself could not work (a bug, no disk) */
};

/* ------------------------------------------------------------------ */
/* util.c, and what the grader takes from the course library (course/)  */
/* ------------------------------------------------------------------ */

/* Allocation (never NULL), string vectors and whole files come from the
 * course library, shared with the site generator: course/util.h.  The
 * grader's modules written before it call them by these names, which stay
 * until those modules are next edited; new code uses the course_ names. */
typedef course_strv gr_strv;
#define gr_xmalloc    course_xmalloc
#define gr_xstrdup    course_xstrdup
#define gr_fmt        course_fmt
#define gr_strv_push  course_strv_push
#define gr_strv_free  course_strv_free
#define gr_read_file  course_read_file
#define gr_write_file course_write_file
#define gr_mkdir_p    course_mkdir_p

uint64_t gr_now_ns(void);       /* CLOCK_MONOTONIC */
char *gr_iso_time(void);        /* "2026-11-22T04:00:00Z", caller frees */
int gr_rm_rf(const char *path); /* removes a tree */
int gr_copy_file(const char *from, const char *to, mode_t mode);
int gr_is_tty(FILE *f);                /* and NO_COLOR unset */
double gr_median(double *v, size_t n); /* sorts v in place */
void gr_utf8_fix(char *s);             /* invalid bytes -> '?' */

/* ------------------------------------------------------------------ */
/* exercise.c: the metadata (course/exercise.h reads it)               */
/* ------------------------------------------------------------------ */

/* The metadata types are the course library's (course/exercise.h); these
 * are the grader's names for them. */
typedef course_limits gr_limits;
typedef course_test gr_test;
typedef course_pattern gr_pattern;
typedef course_expect gr_expect;
typedef course_exercise gr_exercise;
#define GR_EXPECT_NONE     COURSE_EXPECT_NONE
#define GR_EXPECT_SCALES   COURSE_EXPECT_SCALES
#define GR_EXPECT_OVERLAPS COURSE_EXPECT_OVERLAPS
#define GR_EXPECT_SLOWER   COURSE_EXPECT_SLOWER
#define gr_expect_name     course_expect_name
#define gr_exercise_free   course_exercise_free

/* Resolves what the user typed ("exercises/05", "5", "05", "exercises/05/",
 * the slug) to an exercise directory under course/exercises.  Returns the
 * absolute directory (caller frees) or NULL after printing why. */
char *gr_exercise_resolve(const char *course, const char *arg);
/* Loads dir/exercise.yaml for grading (every key it needs; with_hidden:
 * solutions/NN/hidden.yaml's tests too).  Every mistake is printed as
 * "exercises/NN/exercise.yaml:LINE: message"; returns NULL if there was
 * any.  Caller frees with gr_exercise_free. */
gr_exercise *gr_exercise_load(const char *course, const char *dir, int with_hidden);
/* Every exercise directory under course/exercises, sorted (caller frees). */
int gr_exercise_list(const char *course, gr_strv *out);

/* A chapter's claims (chapters/NN/claims.yaml, read by course/claims.c),
 * checked on its demo by `grader claims N` with the same judge as an
 * exercise's patterns. */
typedef course_claims gr_claims;
typedef course_claim gr_claim;
typedef course_counter_check gr_counter_check;
/* Loads chapters/NN/claims.yaml, printing every mistake as file:line;
 * NULL if there was any.  Caller frees with gr_claims_free. */
gr_claims *gr_claims_load(const char *course, int chapter);
#define gr_claims_free course_claims_free

/* ------------------------------------------------------------------ */
/* sandbox.c                                                           */
/* ------------------------------------------------------------------ */

typedef struct gr_run_opts {
    const char *cwd; /* the scratch directory; the only writable place */
    gr_limits limits;
    int sanitizer;    /* 1: no RLIMIT_AS (shadow memory); RSS watchdog instead */
    int trusted;      /* 1: the compiler: no uid drop, no landlock, no netns */
    char *const *env; /* extra NAME=value entries, NULL-terminated, or NULL */
    void (*progress)(void *arg); /* called about every 100 ms, or NULL */
    void *progress_arg;
} gr_run_opts;

typedef enum gr_end {
    GR_END_EXIT,    /* exited; see exit_code */
    GR_END_SIGNAL,  /* killed by a signal of its own (crash, abort) */
    GR_END_TIMEOUT, /* ran past wall_seconds; the group was killed */
    GR_END_CPU,     /* ran past cpu_seconds (SIGXCPU / SIGKILL) */
    GR_END_MEMORY,  /* went over memory_mb */
    GR_END_OUTPUT,  /* wrote more than output_kb; the group was killed */
    GR_END_SPAWN    /* could not start at all (see output) */
} gr_end;

typedef struct gr_run_result {
    gr_end end;
    int exit_code;               /* GR_END_EXIT */
    int signo;                   /* GR_END_SIGNAL */
    char *out, *err;             /* captured, capped, NUL-terminated; caller frees */
    size_t out_total, err_total; /* bytes written, including those dropped */
    uint64_t wall_ns;
    uint64_t
        cpu_ns; /* user + system time of the main process and its reaped children */
    long maxrss_kb;
    int max_procs;  /* most processes seen in the group at once */
    int survivors;  /* processes that had to be killed after the end */
    char *deadlock; /* the runtime's "rt: GIL held by ..." line, or NULL */
    int netns;      /* 1 if the network namespace was cut off */
} gr_run_result;

/* Call once at start: makes the grader a child subreaper, so processes a
 * submission detaches (setsid, double fork) are still ours to kill. */
void gr_sandbox_init(void);
/* Runs argv (argv[0] a path) under opts; fills *res.  Returns 0, or a
 * negative errno if the grader itself failed (fork, pipe). */
int gr_sandbox_run(char *const argv[], const gr_run_opts *opts, gr_run_result *res);
void gr_run_result_free(gr_run_result *res);
/* One line saying how it ended ("exit 1", "timed out after 30 s", ...);
 * caller frees. */
char *gr_run_describe(const gr_run_result *res, const gr_limits *lim);

/* ------------------------------------------------------------------ */
/* build.c                                                             */
/* ------------------------------------------------------------------ */

typedef enum gr_variant { GR_REL, GR_TSAN, GR_ASAN, GR_NVARIANTS } gr_variant;
const char *gr_variant_name(gr_variant v); /* "rel", "tsan", "asan" */

typedef struct gr_paths {
    char *repo;  /* the tree with runtime/include/rt.h */
    char *build; /* the build directory with lib/librt-*.a */
} gr_paths;
/* Finds the repository and build directory (GRADER_REPO, GRADER_BUILD, or
 * from the grader's own location).  Returns 0 or -ENOENT after printing. */
int gr_paths_find(gr_paths *p);

/* Makes a fresh scratch directory and copies the learner's files (from
 * `from`, default the exercise directory) and the driver sources into it.
 * Refuses symlinks, absolute paths and "..".  On error prints why and
 * returns a negative errno; *scratch is the directory (caller frees,
 * caller removes with gr_rm_rf). */
int gr_scratch_prepare(const gr_exercise *ex, const char *from, char **scratch);
/* Compiles the program for variant v into scratch/prog-<v>.  *log receives
 * the compiler's output as given (caller frees).  Returns 1 if it built,
 * 0 if it did not compile, negative errno if the grader failed. */
int gr_build(const gr_exercise *ex, const gr_paths *p, const char *scratch,
             gr_variant v, char **log);

/* ------------------------------------------------------------------ */
/* Checks and reports (report.c)                                       */
/* ------------------------------------------------------------------ */

typedef enum gr_status { GR_PASS, GR_FAIL, GR_SKIP, GR_ERROR } gr_status;
const char *gr_status_name(gr_status s); /* "pass", "fail", "skip", "error" */

typedef struct gr_check {
    char *name; /* "build", a test name, "sanitizer:thread", a pattern... */
    char *kind; /* "build" | "test" | "sanitizer" | "pattern" | "quiz" */
    gr_status status;
    double score, max_score;
    char *reason; /* one line: why this score (caller of check_set frees) */
    char *output; /* program or compiler output worth showing, or NULL */
    double seconds;
    int hidden;      /* a hidden test (instructor edition) */
    json_t *figures; /* pattern figures (owned), or NULL */
} gr_check;

typedef struct gr_report {
    char *exercise, *slug, *title;
    char *started_at, *finished_at;
    double seconds;
    gr_check *checks;
    size_t nchecks;
    double score, max_score;
    int passed;
    json_t *machine; /* cores, capacity...; owned, may be NULL */
} gr_report;

gr_check *gr_report_add(gr_report *r, const char *kind, const char *name,
                        double max_score);
/* Sets a check's verdict; reason is printf-style. */
void gr_check_set(gr_check *c, gr_status st, double score, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gr_report_total(gr_report *r); /* sums score, max_score, passed */
void gr_report_free(gr_report *r);
void gr_xml_escape(FILE *f, const char *s); /* for XML text and attributes */
/* A bar chart of a pattern's figures as a standalone SVG (caller frees). */
char *gr_pattern_svg(const json_t *figures);

typedef enum gr_format {
    GR_FMT_TEXT,
    GR_FMT_JSON,
    GR_FMT_JUNIT,
    GR_FMT_TAP,
    GR_FMT_GRADESCOPE
} gr_format;
int gr_format_parse(const char *s, gr_format *out);
void gr_report_text(const gr_report *r, FILE *out, int colour);
void gr_report_json(const gr_report *r, FILE *out);
json_t *gr_report_to_json(const gr_report *r); /* caller decrefs */
void gr_report_junit(const gr_report *r, FILE *out);
void gr_report_tap(const gr_report *r, FILE *out);
void gr_report_gradescope(const gr_report *r, FILE *out);

/* ------------------------------------------------------------------ */
/* calibrate.c, patterns.c                                             */
/* ------------------------------------------------------------------ */

/* One calibration round: `workers` threads spin for 30 ms; returns the
 * CPU time they got over the wall time (about min(workers, free cores)).
 * Runs in-process. */
double gr_calibrate_round(int workers);
int gr_cores(void);
/* The CPU quota on this process's cgroup (v1 or v2, tightest of it and its
 * ancestors) in cores, e.g. 0.5; 0 if there is none or it cannot be read.
 * GRADER_CGROUP_ROOT replaces /sys/fs/cgroup (tests point it at a fake tree). */
double gr_cpu_quota(void);

typedef struct gr_pattern_ctx {
    const char *prog; /* the release build */
    gr_run_opts opts;
    int quiet; /* no progress line */
} gr_pattern_ctx;

/* Measures one pattern and sets check c (figures, verdict, reason). */
void gr_pattern_judge(const gr_pattern *pat, const gr_pattern_ctx *ctx, gr_check *c);
/* Runs `prog measure args...` once under ctx.  Returns 0 with the parsed
 * measure line in *line (caller decrefs), or -1 with a reason in *why
 * (caller frees). */
int gr_measure_once(const gr_pattern_ctx *ctx, const gr_strv *args, json_t **line,
                    char **why);
/* A number from a measure line by path ("stats.max_running",
 * "result.os_threads", "pool.workers_used"); -1 if absent. */
double gr_measure_value(json_t *line, const char *path);

/* claims.c: judges a chapter's claims on its demo (`grader claims N`);
 * one check per claim, kind "claim", in *r.  Returns 0, or -ENOENT after
 * printing when the demo is not built. */
int gr_claims_judge(const gr_claims *cs, const gr_paths *p, int quiet, gr_report *r);

/* ------------------------------------------------------------------ */
/* quiz.c: the chapter's quiz (course/quiz.h reads it)                 */
/* ------------------------------------------------------------------ */

/* Loads chapter n's quiz (its first ```quiz block) from course/chapters.
 * Returns 0, -ENOENT (no chapter or no block) or -EINVAL after printing
 * every mistake as "chapters/NN-slug.md:LINE: message".  Caller frees with
 * course_quiz_free. */
int gr_quiz_load(const char *course, int chapter, course_quiz *qz);
/* Reads answers.txt ("1=b" lines) into answers[0..n) (0 = unanswered). */
int gr_quiz_read_answers(const char *path, char *answers, size_t n);
int gr_quiz_write_answers(const char *path, const char *answers, size_t n);
/* Asks in the terminal, or takes "1=b,2=a" from spec; stores the answers. */
int gr_quiz_ask(const gr_exercise *ex, const char *spec, int colour);
/* Adds the "quiz" check to r: the answers in answers.txt scored against
 * the quiz of ex's quiz chapter. */
void gr_quiz_grade(const gr_exercise *ex, gr_report *r);

/* ------------------------------------------------------------------ */
/* run.c: the pipeline                                                 */
/* ------------------------------------------------------------------ */

typedef struct gr_submit_opts {
    const char *from; /* grade these files instead of the learner's, or NULL */
    int skip_quiz, skip_patterns, skip_sanitizers;
    int keep;   /* keep the scratch directory (prints where) */
    int quiet;  /* no progress line */
    int repeat; /* grade the same build this many times (>= 1) */
    /* With repeat > 1: called with the report of every pass but the last
     * (which gr_submit returns as usual). */
    void (*each)(const gr_report *r, void *arg);
    void *each_arg;
} gr_submit_opts;

/* Grades ex; fills *r.  Returns 0, or a negative errno on an internal
 * failure (the report then holds an "error" check saying what). */
int gr_submit(const gr_exercise *ex, const gr_paths *p, const gr_submit_opts *o,
              gr_report *r);

/* ------------------------------------------------------------------ */
/* gradebook.c (course/gradebook.h keeps the schema and queries)       */
/* ------------------------------------------------------------------ */

/* The gradebook's path: --gradebook, else GRADER_GRADEBOOK, else
 * <course>/.workbook/gradebook.sqlite.  For the default, an old
 * <build>/gradebook.sqlite is moved there first (saying so on stderr).
 * Caller frees. */
char *gr_gradebook_path(const gr_paths *p, const char *course, const char *opt);
/* Records one attempt (one transaction).  Returns 0 or -EIO after printing. */
int gr_gradebook_record(const char *db, const gr_report *r);
/* Prints progress over all exercises (grader status).  Returns 0, or -EIO
 * after printing why the gradebook could not be read. */
int gr_gradebook_status(const char *db, const char *course, FILE *out, int colour,
                        gr_format fmt);

/* ------------------------------------------------------------------ */
/* progress.c                                                          */
/* ------------------------------------------------------------------ */

/* Writes the learner's progress (the gradebook's exercises, the quizzes'
 * answers) to SITE/data/progress.js for the book's pages; SITE is
 * GRADER_SITE, else <build>/site.  after_grading: called at the end of a
 * submit, quiz or grade, when another gradebook than the learner's (an
 * option or GRADER_GRADEBOOK, and no GRADER_SITE) skips it.  Returns 0 or
 * a negative errno after printing. */
int gr_progress_write(const gr_paths *p, const char *course, const char *gradebook_opt,
                      int after_grading);

/* ------------------------------------------------------------------ */
/* watch.c                                                             */
/* ------------------------------------------------------------------ */

/* Calls fn(arg) now and whenever one of ex's files is saved, until
 * interrupted or fn returns nonzero.  Uses inotify; polls mtimes every
 * 500 ms when inotify is unavailable (or GRADER_WATCH_POLL=1). */
int gr_watch(const gr_exercise *ex, int (*fn)(void *), void *arg);

#endif /* GRADER_H */
