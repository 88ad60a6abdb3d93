/*
 * grader.h - the GIL Workbook's autograder: types shared by its modules.
 *
 * The pipeline of `grader submit`, one module a stage:
 *
 *   exercise.c   find exercises; exercises/NN/exercise.yaml is read by the
 *                course library (course/exercise.c), shared with the site
 *   scratch.c    the scratch directory: the learner's files, a private
 *                include directory, the libraries
 *   build.c      compile (in the sandbox), check, link, install each variant
 *   cdecl.c      the names a header declares
 *   objcheck.c   the learner's objects, read before linking (libelf)
 *   binary.c     the binaries run are the ones built (SHA-256)
 *   isolation.c  what the kernel allows: namespaces, Landlock rulesets
 *   sandbox.c    run one program: limits, timeouts, the grader's side
 *   spawn.c      ... the child's side: namespaces, init, uid, Landlock, exec
 *   procs.c      ... a run's processes in /proc: counted, killed
 *   run.c        the pipeline: build, tests, sanitizers, patterns, quiz
 *   stages.c     the tests, and the sanitizers' re-runs beside them
 *   calibrate.c  the machine's parallel capacity, measured in the session
 *   patterns.c   speedup patterns: measured, checked against our clocks
 *   judge.c      ... and judged on mechanism and timing (pure functions)
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
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

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
/* isolation.c: what the kernel lets us do (namespaces, Landlock)       */
/* ------------------------------------------------------------------ */

typedef struct gr_isolation {
    int root;         /* euid 0: each sandbox gets a uid of its own */
    int namespaces;   /* PID + network namespaces for untrusted runs */
    int userns;       /* ... made through a user namespace (not root) */
    int landlock_abi; /* 0: no Landlock */
    int ll_files;     /* Landlock file rules (ABI >= 1) */
    int ll_tcp;       /* Landlock TCP rules, when there is no netns (ABI >= 4) */
    int ll_scope;     /* Landlock signal + abstract socket scoping (ABI >= 6) */
} gr_isolation;

/* Probes once (thread-safe); the result lives as long as the program. */
const gr_isolation *gr_isolation_get(void);
/* {"network": "cut (...)", "signals": ..., "files": ..., "processes": ...,
 * "landlock_abi": N, ...}: what a report says it got (caller decrefs). */
json_t *gr_isolation_json(void);

/* What a Landlock ruleset grants besides the system directories (read and
 * execute) and /dev/null (read, write).  Paths that do not exist are
 * skipped.  All fields public; the arrays are NULL-terminated or NULL. */
typedef struct gr_landlock_spec {
    const char *const *read; /* read-only */
    const char *const *exec; /* read and execute */
    const char *write;       /* everything beneath it, or NULL */
    const char *const
        *secret; /* never readable: system dirs holding one are left out */
    int proc;    /* read /proc and /sys */
    int devices; /* read /dev/zero, /dev/urandom, /dev/random, /dev/full */
} gr_landlock_spec;
/* Builds the ruleset (an fd the caller closes), or returns a negative errno:
 * -ENOSYS without Landlock, else with *why (caller frees). */
int gr_landlock_ruleset(const gr_landlock_spec *spec, char **why);

/* ------------------------------------------------------------------ */
/* sandbox.c, spawn.c                                                  */
/* ------------------------------------------------------------------ */

typedef enum gr_profile {
    GR_PROFILE_PROGRAM,  /* the learner's program: every layer */
    GR_PROFILE_COMPILER, /* the compiler on the learner's files: every layer */
    GR_PROFILE_TRUSTED,  /* the project's own programs (make, demos): no limits
                            but a core dump's, no isolation */
} gr_profile;

typedef struct gr_run_opts {
    const char *cwd; /* the working directory; the only writable place */
    gr_limits limits;
    gr_profile profile;
    int sanitizer; /* 1: no RLIMIT_AS (shadow memory); RSS watchdog instead */
    /* Run this binary (checked against its hash, then run by descriptor:
     * execveat), not argv[0]; NULL: argv[0] by path. */
    const struct gr_binary *bin;
    /* Landlock (untrusted profiles): what may be read, or read and run,
     * besides system directories; what must never be readable. */
    const char *const *read_dirs, *const *exec_dirs, *const *secret_dirs;
    char *const *env; /* extra NAME=value entries, NULL-terminated, or NULL */
    void (*progress)(void *arg); /* called about every 50 ms, or NULL */
    void *progress_arg;
} gr_run_opts;

typedef enum gr_end {
    GR_END_EXIT,    /* exited; see exit_code */
    GR_END_SIGNAL,  /* killed by a signal of its own (crash, abort) */
    GR_END_TIMEOUT, /* ran past wall_seconds; the group was killed */
    GR_END_CPU,     /* ran past cpu_seconds (SIGXCPU / SIGKILL) */
    GR_END_MEMORY,  /* went over memory_mb */
    GR_END_OUTPUT,  /* wrote more than output_kb; the group was killed */
    GR_END_PROCS,   /* reached the process limit (a fork bomb); killed */
    GR_END_SPAWN    /* could not start at all (see err) */
} gr_end;

typedef struct gr_run_result {
    gr_end end;
    int exit_code;               /* GR_END_EXIT */
    int signo;                   /* GR_END_SIGNAL */
    char *out, *err;             /* captured, capped, NUL-terminated; caller frees */
    size_t out_total, err_total; /* bytes written, including those dropped */
    /* Measured from outside the program (its namespace's init, or wait4):
     * from just before it started to its end, and the CPU time of it and
     * the children it waited for.  Evidence it cannot forge. */
    uint64_t wall_ns;
    uint64_t cpu_ns;
    long maxrss_kb;
    int max_procs;  /* most processes seen in the run at once */
    int survivors;  /* processes that had to be killed after the end */
    char *deadlock; /* the runtime's "rt: GIL held by ..." line, or NULL */
    int netns;      /* 1 if the network was cut off */
} gr_run_result;

/* Call once at start, before any thread: makes the grader a child
 * subreaper (orphans of a run come back to us) and probes isolation. */
void gr_sandbox_init(void);
/* Runs argv (argv[0] a path) under opts; fills *res.  Thread-safe: runs
 * in several threads go on at once (each in its own working directory).
 * Returns 0, or a negative errno if the grader itself failed (fork, pipe). */
int gr_sandbox_run(char *const argv[], const gr_run_opts *opts, gr_run_result *res);
void gr_run_result_free(gr_run_result *res);
/* 1 if the run was stopped by one of its limits (time, CPU, memory,
 * output, processes). */
int gr_run_hit_limit(const gr_run_result *res);
/* One line saying how it ended ("exit 1", "timed out after 30 s", ...);
 * caller frees. */
char *gr_run_describe(const gr_run_result *res, const gr_limits *lim);

/* ------------------------------------------------------------------ */
/* binary.c: what runs is what was built                               */
/* ------------------------------------------------------------------ */

typedef struct gr_binary {
    char *path;               /* read-only, in a directory only we write */
    unsigned char sha256[32]; /* of what we installed */
} gr_binary;

void gr_sha256(const void *data, size_t len, unsigned char out[32]);
char *gr_sha256_hex(const unsigned char h[32]); /* caller frees */
/* Copies `from` to `to` (mode 0555), hashing it.  0 or a negative errno. */
int gr_binary_install(const char *from, const char *to, gr_binary *b);
/* Opens the binary and checks its hash: an fd to run (caller closes), or a
 * negative errno with *why (caller frees), -EBADMSG when it changed. */
int gr_binary_open(const gr_binary *b, char **why);
void gr_binary_free(gr_binary *b);

/* ------------------------------------------------------------------ */
/* cdecl.c, objcheck.c: the learner's objects, before linking           */
/* ------------------------------------------------------------------ */

/* The names a header declares at file scope (functions, extern
 * variables), appended to *names without repeats; with includes, the
 * <standard> headers it includes.  0 or a negative errno. */
int gr_header_names(const char *path, gr_strv *names, gr_strv *includes);

typedef struct gr_objcheck_rules {
    gr_strv define;   /* global names a learner's file may define */
    gr_strv use;      /* functions it may call besides the C library's basics */
    gr_strv prefixes; /* ... and every name with one of these prefixes */
    gr_strv groups;   /* the groups those came from (for messages) */
    gr_strv named;    /* the single names exercise.yaml added (for messages) */
    gr_strv api;      /* the runtime's public API: its headers' names */
} gr_objcheck_rules;

/* The rules for ex, from the public headers, the exercise's own headers
 * and exercise.yaml (symbols:).  0 or a negative errno. */
int gr_objcheck_rules_make(const gr_exercise *ex, const gr_strv *public_headers,
                           const gr_strv *exercise_headers, gr_objcheck_rules *r);
void gr_objcheck_rules_free(gr_objcheck_rules *r);
/* Checks one object (`shown`: its source's name in messages; sanitized:
 * built with ASan/TSan, whose own constructors and calls are allowed).
 * Appends one line per problem, naming the symbol: to *serious (code that
 * runs before main, interposed names, calls a cheat reaches for, inline
 * asm) or *plain (other calls the exercise does not allow).  Returns the
 * number of problems, or a negative errno. */
int gr_objcheck(const char *obj, const char *shown, int sanitized,
                const gr_objcheck_rules *r, gr_strv *serious, gr_strv *plain);
/* What ex lets a solution call, one sentence for the report (caller frees). */
char *gr_objcheck_allowed(const gr_objcheck_rules *r, const gr_exercise *ex);
/* Searches the compiler's assembly output for inline asm: 0, 1 (a problem
 * appended), or a negative errno. */
int gr_asm_check(const char *s_file, const char *shown, gr_strv *problems);

/* ------------------------------------------------------------------ */
/* scratch.c, build.c                                                  */
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

/* One grading's scratch directory (layout in scratch.c).  Paths owned. */
typedef struct gr_scratch {
    char *dir, *pre, *inc, *kit, *drv, *lib, *bin;
    gr_strv public_headers;       /* copies in inc/ of the runtime's public headers */
    gr_strv exercise_headers;     /* copies in inc/ of the exercise's own headers */
    char *secret[5];              /* repo, course, build: never readable by a sandbox */
    gr_binary prog[GR_NVARIANTS]; /* what gr_build installed */
    int reused;                   /* the plain program came from progcache.c */
} gr_scratch;

/* The runtime's public headers: every .h of <repo>/runtime/include.  Full
 * paths appended to *out. */
void gr_public_headers(const char *repo, gr_strv *out);
void gr_headers_in(const char *dir, gr_strv *out); /* every .h, sorted */
/* Makes the scratch directory and copies into it the learner's files (from
 * `from`, default the exercise directory), the driver and the headers.
 * Refuses symlinks, absolute paths and "..".  On error prints why and
 * returns a negative errno; the caller frees *s (gr_scratch_free) either
 * way. */
int gr_scratch_prepare(const gr_exercise *ex, const gr_paths *p, const char *from,
                       gr_scratch *s);
void gr_scratch_free(gr_scratch *s, int keep); /* keep: leave the directory */
/* A fresh, empty working directory <scratch>/<name> (caller frees). */
char *gr_scratch_rundir(const gr_scratch *s, const char *name);
/* Copies variant v's libraries into lib/ (building them with make when
 * missing).  0, or a negative errno with *log. */
int gr_scratch_libs(const gr_paths *p, gr_scratch *s, gr_variant v, char **log);
/* progcache.c: programs kept by what they were built from.  The key hashes
 * the grader's own executable, every string of parts and every file of
 * files (name and bytes): 64 hex digits, caller frees. */
char *gr_build_key(const gr_strv *parts, const gr_strv *files);
/* Whether the cache may be used here (runs cannot write the build dir). */
int gr_progcache_usable(void);
/* Installs the program kept under key as bin into *b, with its build's
 * compiler output in *log (replaced; NULL if none): 1, or 0 if absent. */
int gr_progcache_get(const gr_paths *p, const char *key, const char *bin, gr_binary *b,
                     char **log);
/* Keeps the program at prog, built with compiler output log, under key. */
void gr_progcache_put(const gr_paths *p, const char *key, const char *prog,
                      const char *log);

/* Builds variant v into s->prog[v] (see build.c).  *log: the compiler's
 * output (caller frees); *refused: why the object check refused the
 * learner's code, or NULL (caller frees).  Returns 1 if it built, 0 if it
 * did not compile or was refused, a negative errno if the grader failed.
 * Thread-safe for different variants of one scratch directory. */
int gr_build(const gr_exercise *ex, const gr_paths *p, gr_scratch *s, gr_variant v,
             const gr_objcheck_rules *rules, char **log, char **refused);

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
    int hidden;                   /* a hidden test (instructor edition) */
    json_t *figures;              /* pattern figures (owned), or NULL */
    course_visibility visibility; /* when a student may see it (report_view.c) */
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
    /* A student's view (gr_report_student_view): the checks left out, not
     * yet to be shown, and their points.  0 in an instructor's report. */
    int withheld;
    double withheld_max;
    time_t due; /* the exercise's due date (0: none), for the student's view */
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
    GR_FMT_GRADESCOPE,
    GR_FMT_MARKDOWN,     /* a CI job summary (report_markdown.c) */
    GR_FMT_PRAIRIELEARN, /* PrairieLearn's external grader results.json */
    GR_FMT_AUTOLAB,      /* text, then Autolab's score JSON as the last line */
    GR_NFORMATS
} gr_format;
int gr_format_parse(const char *s, gr_format *out);
void gr_report_text(const gr_report *r, FILE *out, int colour);
/* The first n checks only, as soon as they are known (grader watch). */
void gr_report_text_first(const gr_report *r, size_t n, FILE *out, int colour);
void gr_report_json(const gr_report *r, FILE *out);
json_t *gr_report_to_json(const gr_report *r); /* caller decrefs */
void gr_report_junit(const gr_report *r, FILE *out);
void gr_report_tap(const gr_report *r, FILE *out);
void gr_report_gradescope(const gr_report *r, FILE *out);
void gr_report_markdown(const gr_report *r, FILE *out);
/* The two platforms' formats are always for the student: given the whole
 * report, they show a student's view of the checks (gr_report_student_view
 * at the time of writing) but count every check's points in the score. */
void gr_report_prairielearn(const gr_report *r, FILE *out);
void gr_report_autolab(const gr_report *r, FILE *out);
/* Writes r in format fmt (colour: text only). */
void gr_report_print(const gr_report *r, gr_format fmt, FILE *out, int colour);
/* "text", "json", ... (static), and the list for messages. */
const char *gr_format_name(gr_format f);
#define GR_FORMAT_LIST                                                                 \
    "text, json, junit, tap, gradescope, markdown, prairielearn or autolab"

/* ------------------------------------------------------------------ */
/* report_view.c: who may see what                                     */
/* ------------------------------------------------------------------ */

/* Gives each check of r its visibility from ex (tests and patterns by
 * name; every other check is visible), and r its due date. */
void gr_report_set_visibility(gr_report *r, const gr_exercise *ex);
/* Whether a student may see check c at time now, for an exercise due at
 * `due` (0: no due date, so after_due_date is not yet). */
int gr_check_shown(const gr_check *c, time_t now, time_t due);
/* A deep copy of r (caller frees with gr_report_free). */
void gr_report_copy(const gr_report *r, gr_report *out);
/* Turns r into what a student may see at time now: checks not yet shown
 * are removed (their name, result and output with them), counted in
 * r->withheld and r->withheld_max, and the totals are over what is left. */
void gr_report_student_view(gr_report *r, time_t now, time_t due);
/* Rebuilds a report from its JSON form (schema 1, as report_json.c writes
 * it).  Returns 0, or -EINVAL if j is not such a report. */
int gr_report_from_json(const json_t *j, gr_report *out);

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
    const char *prog;     /* the release build */
    const gr_binary *bin; /* ... run verified, or NULL: run prog by path */
    gr_run_opts opts;
    int quiet; /* no progress line */
} gr_pattern_ctx;

/* judge.c: the verdicts, pure functions of the figures. */
enum { GR_AGREES, GR_CONTRADICTS, GR_UNDECIDED, GR_UNAVAILABLE };

/* The counters of the variant runs, worst case over the runs. */
typedef struct gr_mech {
    double max_running, bytecodes_unheld, threads_started_min, max_blocked;
    double workers_used, codec_bytes, loop_max_waiting; /* -1: absent */
    int runs_parallel; /* runs with max_running >= 2 or workers_used >= 2 */
    int n;             /* runs */
} gr_mech;

/* What timing saw, round by round. */
typedef struct gr_timing {
    const double *ratio;  /* baseline / variant, the runs' own measured parts */
    const double *oratio; /* the same by the grader's clock (whole processes) */
    const double *par;    /* variant CPU / wall, by the kernel */
    int n;
    double s, s_outside, cap, par_med, cpu_ratio; /* medians */
} gr_timing;

/* GR_AGREES.. with *why (caller frees). */
int gr_judge_mechanism(const gr_pattern *p, const gr_mech *m, char **why);
int gr_judge_timing(const gr_pattern *p, const gr_timing *t, char **why);
/* Whether a pass is settled before the pattern's `pairs` rounds: the
 * counters agree, all of t's rounds together agree, and so does each round
 * alone (1), or more rounds are needed (0). */
int gr_judge_settled(const gr_pattern *p, const gr_mech *m, const gr_timing *t);

/* One run: the program's own report and the grader's measurement. */
typedef struct gr_evidence {
    double self_wall_ns, self_cpu_ns; /* the measure line's wall_ns, cpu_ns */
    double wall_ns, cpu_ns;           /* the grader's (gr_run_result) */
    int cores;                        /* CPUs the process could use */
    int children;                     /* it had child processes */
} gr_evidence;
/* 0 if they agree; 1 with *why (caller frees) if the report cannot be
 * true (claims more wall or CPU than the process had, or less CPU than the
 * kernel counted beyond what the rest of its life allows). */
int gr_judge_self_report(const gr_evidence *e, char **why);

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
/* The same, with the answers read from path (a student's copy, in batch). */
void gr_quiz_grade_file(const gr_exercise *ex, const char *path, gr_report *r);

/* ------------------------------------------------------------------ */
/* run.c, stages.c: the pipeline                                       */
/* ------------------------------------------------------------------ */

typedef struct gr_submit_opts {
    const char *from; /* grade these files instead of the learner's, or NULL */
    int skip_quiz, skip_patterns, skip_sanitizers;
    int skip_tests; /* build and patterns only (batch's pattern runs) */
    int keep;       /* keep the scratch directory (prints where) */
    int quiet;      /* no progress line */
    int repeat;     /* grade the same build this many times (>= 1) */
    /* With repeat > 1: called with the report of every pass but the last
     * (which gr_submit returns as usual). */
    void (*each)(const gr_report *r, void *arg);
    void *each_arg;
    /* Called once the build and the plain tests are judged, with the
     * number of checks that holds (sanitizers and patterns still going
     * on: read only those); or NULL.  Gets each_arg. */
    void (*tests_done)(const gr_report *r, size_t n, void *arg);
} gr_submit_opts;

/* Grades ex; fills *r.  Returns 0, or a negative errno on an internal
 * failure (the report then holds an "error" check saying what). */
int gr_submit(const gr_exercise *ex, const gr_paths *p, const gr_submit_opts *o,
              gr_report *r);

/* One grading's shared state, for the threads of stages.c.  Fields are
 * private to run.c and stages.c; lock guards the last four. */
typedef struct gr_grading {
    const gr_exercise *ex;
    const gr_paths *p;
    gr_scratch *s;
    const gr_objcheck_rules *rules;
    char *bin_dirs[2]; /* {s->bin, NULL}: what a program may run */
    int tried[GR_NVARIANTS], built[GR_NVARIANTS]; /* sanitizer builds, once */
    char *log[GR_NVARIANTS], *refused[GR_NVARIANTS];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int time_hit;      /* a run hit its time limit: later runs are capped */
    double longest_ok; /* seconds: the longest run that ended on its own */
    char *test_done;   /* per test: 0 running, 1 done, 2 done at a limit */
    size_t next_test;  /* the next plain test to start */
} gr_grading;

/* The tests (two threads) and each sanitizer's re-runs (a thread each,
 * unless o->skip_sanitizers): adds their checks to r; calls o->tests_done
 * when the tests are over. */
void gr_tests_and_sanitizers(gr_grading *g, const gr_submit_opts *o, gr_report *r);
/* A program's run options in cwd: the exercise's limits (x3 for a
 * sanitizer), capped once a run has hit its time limit (*capped = 1). */
gr_run_opts gr_grading_opts(gr_grading *g, const char *cwd, int sanitizer, int *capped);
gr_limits gr_grading_limits(gr_grading *g, gr_limits l, int sanitizer, int *capped);
/* Tells g how a run ended (for the cap). */
void gr_grading_note(gr_grading *g, const gr_run_result *res);
/* Runs the verified binary b (refusing it if its hash changed). */
int gr_run_binary(const gr_binary *b, char *const argv[], gr_run_opts *o,
                  gr_run_result *res);
char *gr_run_output(const gr_run_result *r); /* for a check's output (caller frees) */
char *gr_first_line(const char *s);          /* caller frees */

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
/* The same for another user and source (a batch: the student, "batch"). */
int gr_gradebook_record_as(const char *db, const gr_report *r, const char *user,
                           const char *source);
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

/* ------------------------------------------------------------------ */
/* The instructor edition (instructor.c dispatches; one file a command) */
/* ------------------------------------------------------------------ */

/* starter.c: compares (write: writes) exercises/NN's learner files with
 * what stripping solutions/NN's gives; messages to out.  Returns an exit
 * code (1: a file differs, or its solution has no markers). */
int gr_starter(const gr_exercise *ex, int write, FILE *out);
/* manifest.c: a student edition holds GR_MANIFEST at its root, with the
 * checksum of every file a learner should not edit.  Adds the check
 * "unchanged_files" to r (failing, naming each changed file) when course
 * is a student edition; does nothing otherwise.  Returns 0, or -EINVAL
 * (the check says why) if the manifest cannot be read. */
#define GR_MANIFEST "edition.json"
int gr_manifest_check(const char *course, gr_report *r);

/* release.c: writes the student edition of course into out (which must
 * not exist, or be empty).  secret_file: the course secret that seals the
 * quizzes (NULL: <course>/.workbook/course-secret, made if missing).
 * Returns an exit code. */
int gr_release(const gr_paths *p, const char *course, const char *out,
               const char *secret_file);
/* The course's files, relative to it: what git tracks (files deleted but
 * not committed left out), or every file when it is not a git checkout
 * (without build/, .git/, .workbook/). */
void gr_course_files(const char *course, course_strv *out);
/* Runs argv (a program on PATH) in dir with stdout and stderr to
 * /dev/null, or stdout into *out (caller frees) when out is not NULL.
 * Returns its exit status, or -1 if it could not run. */
int gr_run_quiet(const char *dir, char *const argv[], char **out);

/* batch.c: `grader batch`.  Strings are borrowed. */
typedef struct gr_batch_opts {
    const char *dir; /* the student copies */
    const char *out; /* results (NULL: <dir>-grades) */
    const char *due; /* overrides exercise.yaml's due (when.h forms) */
    int jobs;        /* correctness gradings at once */
    int beside;      /* patterns one at a time during correctness, not after */
    int regrade;     /* ignore what an earlier run recorded */
    int quiet;       /* no progress line */
} gr_batch_opts;
int gr_batch(const gr_batch_opts *o, const gr_exercise *ex, const gr_paths *p,
             const char *course);

/* similarity.c: `grader similarity DIR`: writes out (.html or .csv; NULL:
 * <dir>-similarity.html) with the top pairs.  Returns an exit code. */
int gr_similarity(const char *dir, const gr_exercise *ex, const char *out, int top,
                  const gr_paths *p);

/* export.c: `grader export KIND [EX]`.  Returns an exit code. */
int gr_export(const char *kind, const char *exercise, const char *out,
              const gr_paths *p, const char *course);

/* `grader release|batch|similarity|export|starter ...`: argv[0] is the
 * command.  Returns the exit code. */
int gr_instructor_main(int argc, char **argv, const gr_paths *p, const char *course);
/* Whether cmd is one of gr_instructor_main's commands. */
int gr_instructor_command(const char *cmd);

#endif /* GRADER_H */
