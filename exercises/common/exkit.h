/*
 * exkit.h - the exercise kit: what every exercise driver and chapter demo
 * shares.  Provided; learners read it, they do not edit it.
 *
 * An exercise is a program the grader runs many times, each time asking one
 * question on the command line.  The kit owns main() and that protocol, so
 * a driver holds only what is specific to its exercise: its correctness
 * cases and its measured workloads.
 *
 *   prog test <case>               run one correctness case.  Exit 0 = pass;
 *                                  otherwise exit 1 with ONE line on stderr,
 *                                  "exNN: what is wrong", in the learner's
 *                                  terms (it becomes the check's reason).
 *   prog measure <workload> [args] run one workload once and print ONE JSON
 *                                  line on stdout, the measure line:
 *       {"workload": "threads", "args": ["2"], "wall_ns": N, "cpu_ns": N,
 *        "result": {...the workload's own figures...},
 *        "stats": {...rt_stats...}, "loop": {...}, "pool": {...}}
 *                                  ("loop" and "pool" only when reported).
 *   prog show [args]               (demos) print the chapter's table for a
 *                                  human: real measurements, with bars.
 *   prog list                      the cases and workloads, one a line
 *                                  ("case job", "workload serial N"), so
 *                                  tools can check exercise.yaml against it.
 *
 * A driver is a table and one line of main:
 *
 *     static const exkit_case S_cases[] = {{"job", case_job}, ...};
 *     static const exkit_workload S_loads[] = {{"serial", "N", load_serial}};
 *     static const exkit_driver S_driver = {
 *         .tag = "ex03", EXKIT_CASES(S_cases), EXKIT_WORKLOADS(S_loads)};
 *     int main(int argc, char **argv) { return exkit_main(&S_driver, argc, argv); }
 *
 * Before a case or workload runs, the kit starts the runtime (rt_init with
 * the defaults, then the driver's configure hook, then the entry's flags)
 * and stops it after (rt_fini), unless the entry says EXKIT_OWN_RUNTIME.
 *
 * The measure line is evidence, and the grader treats it as a claim to
 * check, not as truth: the learner's code runs in this process and could
 * print anything.  The grader times the process from outside as well and
 * compares (see exercises/README.md, "What the grader trusts").
 *
 * Locking rule: everything here is for the program's main thread, holding
 * the GIL when the runtime is started, except exkit_fail/exkit_fail_rc
 * (any thread) and the exkit_os_* functions (any thread).
 */
#ifndef EXKIT_H
#define EXKIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The driver's tables                                                 */
/* ------------------------------------------------------------------ */

/* Flags of a case or workload. */
enum {
    EXKIT_OWN_RUNTIME = 1 << 0, /* the entry calls rt_init/rt_fini itself */
    EXKIT_NO_GIL = 1 << 1,      /* start the runtime free-threaded (RT_GIL_NONE),
                                   whatever RT_GIL says */
};

/* One correctness case.  run() returns normally to pass, and calls
 * exkit_fail() to fail.  All fields public. */
typedef struct exkit_case {
    const char *name; /* argv[2] of `prog test <case>` */
    void (*run)(void);
    unsigned flags; /* EXKIT_* */
} exkit_case;

typedef struct exkit_measure exkit_measure; /* one measurement (opaque) */

/* One measured workload.  run() does the work once; the kit times it and
 * reads the counters (see exkit_measure_start for timing a part only).
 * args[0..nargs) are the words after the workload's name.  All fields
 * public. */
typedef struct exkit_workload {
    const char *name;  /* argv[2] of `prog measure <workload>` */
    const char *usage; /* its arguments, for `prog list` and errors: "N" */
    void (*run)(exkit_measure *m, int nargs, char **args);
    unsigned flags; /* EXKIT_* */
} exkit_workload;

typedef struct exkit_driver {
    const char *tag; /* "ex03": the prefix of every message */
    const exkit_case *cases;
    size_t ncases;
    const exkit_workload *workloads;
    size_t nworkloads;
    /* Optional: adjusts the runtime's configuration before rt_init for
     * the case or workload named `what` (e.g. install a custom GIL). */
    void (*configure)(rt_config *cfg, const char *what);
    /* Optional (demos): `prog show [args]`, and what runs with no command. */
    int (*show)(int nargs, char **args);
} exkit_driver;

#define EXKIT_CASES(a)     .cases = (a), .ncases = sizeof(a) / sizeof((a)[0])
#define EXKIT_WORKLOADS(a) .workloads = (a), .nworkloads = sizeof(a) / sizeof((a)[0])

/* The whole program: parses argv, runs one case, workload or show, and
 * returns the exit status (0, 1 failed, 2 usage). */
int exkit_main(const exkit_driver *d, int argc, char **argv);

/* Starts the runtime with *cfg (rt_init), honouring the flags:
 * EXKIT_NO_GIL starts it free-threaded even when RT_GIL in the environment
 * names a policy.  Fails the program if rt_init fails.  What the kit does
 * before each case and workload; for entries with EXKIT_OWN_RUNTIME and
 * for demos. */
void exkit_runtime_start(const rt_config *cfg, unsigned flags);

/* ------------------------------------------------------------------ */
/* Failing, in the learner's terms                                     */
/* ------------------------------------------------------------------ */

/* Prints "<tag>: <message>" and one newline on stderr and ends the
 * program with status 1 at once (_exit: the learner's threads may still be
 * running, and no atexit handler of theirs runs).  Any thread. */
_Noreturn void exkit_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs fn when the program ends the kit's way: after a measure line, on
 * exkit_fail, or when exkit_main returns (a demo's temporary file, say).
 * The kit ends measure and failing runs with _exit, so atexit handlers do
 * not run there: this is the course's own code's way to clean up.  At most
 * 8 functions, run once, the last registered first.  Call it from the main
 * thread before any other thread starts. */
void exkit_at_end(void (*fn)(void));

/* Explains a negative return `rc` from the learner's function `fn`:
 * -ENOSYS is "still the starter's TODO", anything else is named.  Any
 * thread. */
_Noreturn void exkit_fail_rc(const char *fn, int rc);

/* Reads args[i] as an integer in [lo, hi], or fails with the workload's
 * usage.  `what` names it in the message ("N"). */
long exkit_arg_long(int nargs, char **args, int i, long lo, long hi, const char *what);

/* ------------------------------------------------------------------ */
/* Measuring                                                           */
/* ------------------------------------------------------------------ */

/* The kit times the whole of a workload's run(): it calls start (zero the
 * runtime's counters, read the clocks) just before and stop (read them
 * again) just after.  A workload that must prepare first (start servers,
 * fill buffers) calls start itself, once, when the measured part begins,
 * which starts the clocks and counters afresh; and stop, once, if it has
 * cleaning up to do that should not be timed. */
void exkit_measure_start(exkit_measure *m);
void exkit_measure_stop(exkit_measure *m);

/* The workload's own figures, printed as the measure line's "result"
 * object in the order given.  Keys are short identifiers ([a-z0-9_]);
 * strings are escaped.  A result of more than about 2 KB is a driver bug
 * and aborts. */
void exkit_result_int(exkit_measure *m, const char *key, int64_t v);
void exkit_result_uint(exkit_measure *m, const char *key, uint64_t v);
void exkit_result_double(exkit_measure *m, const char *key, double v);
void exkit_result_str(exkit_measure *m, const char *key, const char *v);

/* Counters from the event loop and the process pool, printed as the
 * measure line's "loop" and "pool" objects: pass the structs filled by
 * rt_loop_stats_get / rt_pool_stats_get (rt_loop.h, rt_pool.h) after the
 * measured part.  Each at most once. */
struct rt_loop_stats;
struct rt_pool_stats;
void exkit_report_loop(exkit_measure *m, const struct rt_loop_stats *s);
void exkit_report_pool(exkit_measure *m, const struct rt_pool_stats *s);

/* The process's CPU time (user + system, every thread) in ns. */
uint64_t exkit_cpu_now_ns(void);

/* ------------------------------------------------------------------ */
/* The kernel's view of our threads (exkit_os.c)                       */
/* ------------------------------------------------------------------ */

/* How many OS threads this process has now ("Threads:" in
 * /proc/self/status).  Fails the program if it cannot tell.  Any thread. */
int exkit_os_threads(void);

/* Waits up to 2 s for the count to be `want` (a joined thread may linger in
 * the kernel's lists for a moment); returns the last count seen. */
int exkit_os_threads_settle(int want);

/* A plain pthread (not attached to the runtime) that counts the process's
 * OS threads every 200 us and keeps the largest count: how many threads
 * were alive at once during a run.  Fields private. */
typedef struct exkit_sampler {
    pthread_t thread; /* private */
    atomic_int stop;  /* private: set by exkit_sampler_stop */
    atomic_int peak;  /* private: the largest count seen */
} exkit_sampler;
void exkit_sampler_start(exkit_sampler *s);
int exkit_sampler_stop(exkit_sampler *s); /* returns the peak */

/* How long the calling thread has run on a core, and how long it has
 * waited in the kernel's run queue for one (runnable, but every core busy
 * with something else), in ns since it started: the kernel's own
 * accounting, /proc/thread-self/schedstat.  Returns 0, or a negative errno
 * (-ENOENT on a kernel built without scheduler statistics).  Any thread. */
int exkit_os_schedstat(uint64_t *on_cpu_ns, uint64_t *queued_ns);

/* ------------------------------------------------------------------ */
/* Traces kept after rt_fini, and timelines drawn from them            */
/* (exkit_trace.c)                                                     */
/* ------------------------------------------------------------------ */

/* A copy of the runtime's trace.  Fields public, read-only; `events` is
 * owned by the struct (exkit_trace_free).  Event labels point at string
 * literals, so they stay valid after rt_fini. */
#define EXKIT_TRACE_LANES 32
typedef struct exkit_trace {
    rt_event *events; /* in the order they were recorded (not always time order) */
    size_t n;
    size_t dropped;                    /* events the buffer had no room for */
    char names[EXKIT_TRACE_LANES][32]; /* rt_trace_thread_name of lanes 0.. */
} exkit_trace;

/* Copies the events recorded so far (rt_trace_events) and the lane names.
 * Call with the runtime started and the traced threads quiet (joined).
 * Fails the program if memory runs out. */
void exkit_trace_copy(exkit_trace *t);
void exkit_trace_free(exkit_trace *t);

/* A timeline figure: panels of lanes, drawn top to bottom, written to
 * `path` as a standalone SVG by exkit_svg_close.  Times are rt_now_ns()
 * values; each panel has its own time range and axis (in ms from t0).
 *
 *   exkit_svg *s = exkit_svg_open("out.svg", 760);
 *   exkit_svg_panel(s, "two threads under the GIL", t0, t1);
 *   int y = exkit_svg_lane(s, "thread A");
 *   exkit_svg_span(s, y, a, b, EXKIT_SVG_RUN);
 *   ...
 *   exkit_svg_legend(s, (const char *[4]){"computes", "waits for the GIL",
 *                                         "parked", NULL});
 *   exkit_svg_close(s, "what the figure shows, for screen readers");
 *
 * Every call is for one thread; the figure owns no runtime state. */
typedef struct exkit_svg exkit_svg;
enum {
    EXKIT_SVG_RUN,     /* a thick bar: running (holds the right to run) */
    EXKIT_SVG_GIL,     /* a thin orange bar: waiting for the GIL */
    EXKIT_SVG_PARKED,  /* a thin grey bar: parked by the kernel (sleep, I/O) */
    EXKIT_SVG_PROGRESS /* a thin pale bar: begun, not finished */
};
exkit_svg *exkit_svg_open(const char *path, int width);
/* Starts a panel (closing the previous one with its axis). */
void exkit_svg_panel(exkit_svg *s, const char *title, uint64_t t0, uint64_t t1);
/* Adds a lane named `name` to the panel; returns its y, for exkit_svg_span. */
int exkit_svg_lane(exkit_svg *s, const char *name);
/* A bar on a lane from a to b (clipped to the panel's range). */
void exkit_svg_span(exkit_svg *s, int lane_y, uint64_t a, uint64_t b, int style);
/* A lane holding a step plot: value v[i] from t[i] to t[i+1] (the last to
 * the panel's end), scaled so that `max` fills the lane; style RUN draws a
 * solid line, PROGRESS a dashed one.  Two calls in a row draw two lanes. */
void exkit_svg_steps(exkit_svg *s, const char *name, const uint64_t *t, const int *v,
                     size_t n, int max, int style);
/* The panel's time axis (exkit_svg_panel, _legend and _close add it when
 * it is missing). */
void exkit_svg_axis(exkit_svg *s);
/* A row of up to four keys, one per style; NULL leaves a style out. */
void exkit_svg_legend(exkit_svg *s, const char *const labels[4]);
/* Writes the file and frees s.  Returns 0 or a negative errno. */
int exkit_svg_close(exkit_svg *s, const char *aria_label);

/* ------------------------------------------------------------------ */
/* The same jobs, run five ways (exkit_runs.c; chapter 2, exercise 02) */
/* ------------------------------------------------------------------ */

/* A job computes compute_ms, waits wait_ms (letting go of the GIL), and
 * computes compute_ms again.  Jobs are numbered 1..n.  All fields public. */
typedef struct exkit_jobs {
    int n; /* 1..EXKIT_RUN_MAX_JOBS */
    double compute_ms, wait_ms;
} exkit_jobs;
#define EXKIT_RUN_MAX_JOBS 16

/* Who does the jobs: the main thread one after another; the main thread's
 * event loop, one task each; one runtime thread each under the GIL; the
 * same without a GIL; or (split) a single job whose computing two threads
 * without a GIL do at once, compute_ms each, with no wait. */
typedef enum exkit_run_kind {
    EXKIT_RUN_SERIAL,
    EXKIT_RUN_LOOP,
    EXKIT_RUN_GIL,
    EXKIT_RUN_NOGIL,
    EXKIT_RUN_SPLIT,
    EXKIT_RUN_KINDS
} exkit_run_kind;

/* The labels of the marks each job leaves in the trace: RT_EV_MARK with
 * arg = the job's id (1..n), at its beginning and at its end. */
#define EXKIT_JOB_BEGIN "job begins"
#define EXKIT_JOB_END   "job ends"

/* What a run measured.  Fields public, read-only. */
typedef struct exkit_run_result {
    exkit_run_kind kind;
    int jobs;              /* jobs run (1 for split) */
    uint64_t t0_ns, t1_ns; /* rt_now_ns() before and after */
    uint64_t cpu_ns;       /* process CPU time meanwhile */
    rt_stats stats;        /* the runtime's counters for the run */
    int max_in_progress;   /* most jobs begun and not ended at once (live) */
    uint64_t job_begin_ns[EXKIT_RUN_MAX_JOBS], job_end_ns[EXKIT_RUN_MAX_JOBS];
    uint64_t job_ns_sum;       /* sum of the jobs' lengths */
    int has_loop;              /* loop: the loop's counters follow */
    uint64_t loop_switches;    /* task steps the loop ran */
    uint64_t loop_max_waiting; /* most tasks suspended on a wait at once */
} exkit_run_result;

/* "serial", "loop", "gil", "nogil", "split" and back (-EINVAL if unknown). */
const char *exkit_run_name(exkit_run_kind k);
int exkit_run_parse(const char *name, exkit_run_kind *out);

/* The runtime configuration a run of kind k needs (with `trace_events`
 * slots of trace, 0 for none), and the flags for exkit_runtime_start. */
void exkit_run_config(exkit_run_kind k, size_t trace_events, rt_config *cfg,
                      unsigned *flags);

/* Runs the jobs the k way, on a runtime started with exkit_run_config's
 * configuration, from the main thread holding the GIL; fills *out.  Resets
 * the runtime's counters first.  Fails the program if a thread or the loop
 * cannot be started. */
void exkit_run(exkit_run_kind k, const exkit_jobs *jobs, exkit_run_result *out);

/* Adds the run's own figures to a measure line: result.run, result.jobs,
 * result.max_in_progress, result.job_ms_sum, and for a loop run the loop's
 * counters ("loop", as exkit_report_loop).  Call once, after exkit_run. */
void exkit_run_report(exkit_measure *m, const exkit_run_result *r);

/* ------------------------------------------------------------------ */
/* Tables for a human (exkit_show.c): the demos' output                */
/* ------------------------------------------------------------------ */

/* A bar of `value` at `per_unit` characters per 1.0, at most `width`
 * characters, with a '|' at each whole unit not reached, written into buf
 * (at least width + 1 bytes).  Returns buf. */
char *exkit_bar(char *buf, double value, int per_unit, int width);

/* The median of v[0..n) (sorts v).  0 if n == 0. */
double exkit_median(double *v, size_t n);

/* What `prog show` was asked for. */
typedef struct exkit_show_opts {
    int reps;  /* in: the default; out: as asked, 1..max_reps */
    int quick; /* --quick: a smaller, faster table (reps = quick_reps) */
    int json;  /* --json (only where allowed): lines for the site */
} exkit_show_opts;

/* Parses `show [--reps N] [--quick] [--json]`.  o->reps holds the default
 * on entry; --quick sets o->quick and o->reps = quick_reps (a --reps given
 * after it wins).  --json is accepted only if allow_json.  Returns 0, or 2
 * after printing the usage on stderr (a demo returns it as its exit
 * status). */
int exkit_show_args(int nargs, char **args, exkit_show_opts *o, int quick_reps,
                    int max_reps, int allow_json);

/* CPython's figures beside ours.  Runs `python3 <script> [args]` (found on
 * PATH; the script beside the demo's source, path relative to the
 * repository root) and keeps the lines it prints of the form
 * "<name> <number>".  Returns the number of figures read, 0 if python3 is
 * not installed (and says so once on stdout), or -1 if the script failed
 * (its stderr is shown).  Any later call replaces the figures. */
int exkit_twin_run(const char *script, const char *args);
/* The twin's figure `name`, or NAN if it printed none. */
double exkit_twin(const char *name);
/* "Python 3.11.7": the twin's interpreter, or "" before a run. */
const char *exkit_twin_version(void);

#ifdef __cplusplus
}
#endif
#endif /* EXKIT_H */
