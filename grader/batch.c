/*
 * batch.c - `grader batch DIR --exercise EX`: a class graded in one sitting.
 *
 * Each copy is graded by the grader itself, as a child process running
 * `grader submit EX --from STAGE --format json` (the same command, sandbox
 * and exit codes a learner gets), in two runs:
 *
 *   correctness  build, tests, sanitizers (--skip patterns): N at a time,
 *                since builds and sanitizer runs want every core;
 *   patterns     build and speedup patterns (--skip tests): one
 *                at a time, since two measurements at once would each see
 *                the other as load.  `--patterns after` (the default) runs
 *                them alone once correctness is done, so each sees a quiet
 *                machine; `--patterns beside` runs them one at a time while
 *                correctness goes on, which is faster but leaves timing
 *                undecided more often (then the counters decide, and the
 *                report says so).  Each report says which it was.
 *
 * Patterns rebuild the program (not the tests, which the correctness run
 * has judged): the price of using the grader's public command rather than
 * its insides, about 0.3 s a copy; `make bench` measures the whole.
 *
 * One broken copy never stops the batch: a copy that does not compile, hangs
 * or cheats is a verdict of its child grader; missing files are a row
 * without grading; a child grader that dies is retried once, then its copy
 * is an "error" row.  State: OUT/.batch/state.jsonl gets a line when a run
 * ends (copy, fingerprint of its files, phase, exit); a batch started
 * again reads it and runs only what is missing, so a killed batch resumes
 * without regrading.  A copy whose files changed since is graded again.
 */
#include "batch.h"
#include "course/when.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { S_C, S_P }; /* the two runs of a copy */
static const char *const S_phase[] = {"correctness", "patterns"};

/* One copy's progress. */
typedef struct S_item {
    gr_copy *copy;
    char fp[65];
    char *stage;
    course_strv missing;
    int done[2], exit[2], tries[2];
    int built;   /* -1 until known: did its correctness run build it? */
    int written; /* its results are out */
} S_item;

typedef struct S_job {
    pid_t pid;
    size_t item;
    int phase;
    uint64_t t0;
} S_job;

typedef struct S_batch {
    const gr_batch_opts *o;
    const gr_exercise *ex;
    char *out, *work, *self, *course;
    char *progcache; /* GRADER_PROG_CACHE of the graders it starts */
    S_item *items;
    size_t n;
    S_job *jobs;
    size_t njobs, maxjobs;
    int state_fd;
    uint64_t t0;
    double spent[2]; /* seconds of finished runs, per phase */
    int runs[2];     /* runs finished in this process, per phase */
    int left[2];     /* runs still to do, per phase */
    int tty;
    uint64_t last_line;
} S_batch;

/* The run file of item i's phase. */
static char *S_report_path(S_batch *b, size_t i, int phase)
{
    return course_fmt("%s/runs/%s.%s.json", b->work, b->items[i].copy->id,
                      phase == S_C ? "correctness" : "patterns");
}

/* Reads state.jsonl: marks runs done whose fingerprint still matches. */
static void S_load_state(S_batch *b)
{
    char *path = course_fmt("%s/state.jsonl", b->work);
    char *text = b->o->regrade ? NULL : course_read_file(path, NULL);
    free(path);
    for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n")) {
        json_t *j = json_loads(l, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        const char *fp = json_string_value(json_object_get(j, "fp"));
        const char *ph = json_string_value(json_object_get(j, "phase"));
        for (size_t i = 0; id && fp && ph && i < b->n; i++) {
            S_item *it = &b->items[i];
            if (strcmp(it->copy->id, id) || strcmp(it->fp, fp))
                continue;
            int k = !strcmp(ph, "patterns")      ? S_P
                    : !strcmp(ph, "correctness") ? S_C
                                                 : -1;
            if (k >= 0) {
                char *rp = S_report_path(b, i, k);
                int ok = access(rp, R_OK) == 0;
                free(rp);
                if (ok) {
                    it->done[k] = 1;
                    it->exit[k] = (int)json_integer_value(json_object_get(j, "exit"));
                }
            } else if (!strcmp(ph, "recorded")) {
                it->written = 1;
            }
        }
        json_decref(j);
    }
    free(text);
}

/* Appends one line to the state file, synced: after a kill, what it says
 * was done was done. */
static void S_note(S_batch *b, size_t i, const char *phase, int exit_code)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:i}", "id", b->items[i].copy->id, "fp",
                          b->items[i].fp, "phase", phase, "exit", exit_code);
    char *line = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *nl = course_fmt("%s\n", line);
    course_write_all(b->state_fd, nl, strlen(nl));
    fdatasync(b->state_fd);
    free(nl);
    free(line);
}

/* Starts the child grader for item i's phase. */
static int S_start(S_batch *b, size_t i, int phase)
{
    S_item *it = &b->items[i];
    char *report = S_report_path(b, i, phase);
    char *log = course_fmt("%s/logs/%s.%s.log", b->work, it->copy->id, S_phase[phase]);
    unlink(report);
    pid_t pid = fork();
    if (pid < 0) {
        free(report);
        free(log);
        return -errno;
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed batch takes its graders along */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setenv("GRADER_COURSE", b->course, 1);
        setenv("GRADER_PROG_CACHE", b->progcache, 1);
        char *argv[] = {b->self,       "submit",  b->ex->dir,
                        "--from",      it->stage, "--skip",
                        "quiz",        "--skip",  phase == S_C ? "patterns" : "tests",
                        "--no-record", "--quiet", "--format",
                        "json",        "-o",      report,
                        NULL};
        execv(b->self, argv);
        _exit(127);
    }
    setpgid(pid, pid);
    b->jobs[b->njobs++] =
        (S_job){.pid = pid, .item = i, .phase = phase, .t0 = gr_now_ns()};
    free(report);
    free(log);
    return 0;
}

/* "1:05" */
static void S_clock(char *buf, size_t n, double s)
{
    if (s < 0)
        snprintf(buf, n, "?");
    else
        snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
}

/* The progress line: runs done, the schedule, elapsed and an ETA from the
 * average run so far (correctness runs N at a time). */
static void S_progress(S_batch *b, int final)
{
    uint64_t now = gr_now_ns();
    if (b->o->quiet || (!final && !b->tty && now - b->last_line < 10000000000ull))
        return;
    b->last_line = now;
    double el = (double)(now - b->t0) / 1e9;
    double eta = -1;
    double avg_c = b->runs[S_C] ? b->spent[S_C] / b->runs[S_C] : -1;
    double avg_p = b->runs[S_P] ? b->spent[S_P] / b->runs[S_P] : -1;
    if ((avg_c >= 0 || !b->left[S_C]) && (avg_p >= 0 || !b->left[S_P])) {
        double c = b->left[S_C] ? b->left[S_C] * avg_c / b->o->jobs : 0;
        double p = b->left[S_P] ? b->left[S_P] * avg_p : 0;
        eta = b->o->beside ? (c > p ? c : p) : c + p;
    }
    char e1[16], e2[16];
    S_clock(e1, sizeof e1, el);
    S_clock(e2, sizeof e2, eta);
    size_t graded = 0;
    for (size_t i = 0; i < b->n; i++)
        graded += b->items[i].written;
    fprintf(stderr,
            "%sbatch %s: %zu/%zu copies done; correctness %d left (%d at a time), "
            "patterns %d left (one at a time%s); %s elapsed, ETA %s%s",
            b->tty ? "\r\033[K" : "", b->ex->id, graded, b->n, b->left[S_C], b->o->jobs,
            b->left[S_P], b->o->beside ? ", beside" : ", after", e1, e2,
            b->tty && !final ? "" : "\n");
    fflush(stderr);
}

/* Whether item i still needs a pattern run: the exercise has patterns, and
 * its correctness run says it built (read once, from that run's report). */
static int S_needs_patterns(S_batch *b, size_t i)
{
    S_item *it = &b->items[i];
    if (!b->ex->npatterns || it->missing.n || it->done[S_P] || !it->done[S_C] ||
        (it->exit[S_C] != 0 && it->exit[S_C] != 1))
        return 0;
    if (it->built < 0) {
        char *rp = S_report_path(b, i, S_C);
        json_t *j = json_load_file(rp, 0, NULL);
        free(rp);
        json_t *first = json_array_get(json_object_get(j, "checks"), 0);
        it->built =
            !strcmp(json_string_value(json_object_get(first, "status")) ?: "", "pass");
        json_decref(j);
    }
    return it->built;
}

/* Hands item i to batch_out.c once all its runs are done. */
static void S_finish_item(S_batch *b, gr_batch_out *bo, size_t i)
{
    S_item *it = &b->items[i];
    if (it->written)
        return;
    if (!it->missing.n && (!it->done[S_C] || S_needs_patterns(b, i)))
        return;
    gr_outcome o = {.copy = it->copy, .stage = it->stage};
    char *rp[2] = {S_report_path(b, i, S_C), S_report_path(b, i, S_P)};
    if (it->missing.n) {
        char *list = course_xstrdup("");
        for (size_t k = 0; k < it->missing.n; k++) {
            char *s = course_fmt("%s%s%s", list, k ? ", " : "", it->missing.v[k]);
            free(list);
            list = s;
        }
        o.status = course_fmt("missing files: %s", list);
        free(list);
    } else {
        o.correct = json_load_file(rp[S_C], 0, NULL);
        o.patterns = it->done[S_P] ? json_load_file(rp[S_P], 0, NULL) : NULL;
        int ce = it->exit[S_C];
        o.status = ce == 0 || ce == 1 ? course_xstrdup("graded")
                   : ce == 2          ? course_xstrdup("refused: see the log")
                             : course_fmt("error: the grader failed (exit %d)", ce);
        if (!o.correct && (ce == 0 || ce == 1)) {
            free(o.status);
            o.status = course_xstrdup("error: no report from the grader");
        }
        o.pattern_note = course_fmt(
            b->o->beside
                ? "patterns measured one at a time, while correctness runs of "
                  "other copies went on (%d at a time): where timing could not "
                  "decide, the counters did"
                : "patterns measured one at a time, after every correctness run "
                  "(%d at a time) had finished",
            b->o->jobs);
    }
    if (gr_batch_out_add(bo, &o, it->fp) == 0) {
        it->written = 1;
        S_note(b, i, "recorded", 0);
    }
    json_decref(o.correct);
    json_decref(o.patterns);
    free(o.status);
    free(o.pattern_note);
    free(rp[0]);
    free(rp[1]);
}

/* A child ended: record it, retry a dead grader once. */
static void S_reap(S_batch *b, gr_batch_out *bo, size_t k, int st)
{
    S_job j = b->jobs[k];
    b->jobs[k] = b->jobs[--b->njobs];
    S_item *it = &b->items[j.item];
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    double secs = (double)(gr_now_ns() - j.t0) / 1e9;
    b->spent[j.phase] += secs;
    b->runs[j.phase]++;
    if ((code > 2) && ++it->tries[j.phase] < 2) {
        b->left[j.phase]++; /* once more */
        return;
    }
    it->done[j.phase] = 1;
    it->exit[j.phase] = code;
    S_note(b, j.item, S_phase[j.phase], code);
    if (j.phase == S_C && S_needs_patterns(b, j.item))
        b->left[S_P]++;
    S_finish_item(b, bo, j.item);
}

static volatile sig_atomic_t S_stop;
static void S_on_signal(int sig)
{
    S_stop = sig;
}

/* Whether item i's phase is running now. */
static int S_running(S_batch *b, size_t i, int phase)
{
    for (size_t k = 0; k < b->njobs; k++)
        if (b->jobs[k].item == i && b->jobs[k].phase == phase)
            return 1;
    return 0;
}

/* The next item whose phase is to run (b->n if none). */
static size_t S_pick(S_batch *b, int phase)
{
    for (size_t i = 0; i < b->n; i++) {
        S_item *it = &b->items[i];
        int todo =
            phase == S_C ? !it->done[S_C] && !it->missing.n : S_needs_patterns(b, i);
        if (todo && !S_running(b, i, phase))
            return i;
    }
    return b->n;
}

/* The loop: starts runs while there is room, reaps them, shows progress. */
static void S_run(S_batch *b, gr_batch_out *bo)
{
    for (;;) {
        int p_running = 0, c_running = 0;
        for (size_t k = 0; k < b->njobs; k++)
            *(b->jobs[k].phase == S_P ? &p_running : &c_running) += 1;
        /* Correctness: up to jobs at once. */
        while (!S_stop && c_running < b->o->jobs && b->left[S_C] > 0) {
            size_t i = S_pick(b, S_C);
            if (i >= b->n || S_start(b, i, S_C) < 0)
                break;
            b->left[S_C]--;
            c_running++;
        }
        /* Patterns: one at a time; after correctness unless beside. */
        if (!S_stop && !p_running && b->left[S_P] > 0 &&
            (b->o->beside || (!c_running && !b->left[S_C]))) {
            size_t i = S_pick(b, S_P);
            if (i < b->n && S_start(b, i, S_P) == 0)
                b->left[S_P]--;
        }
        if (!b->njobs)
            break;
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0 && errno == EINTR && S_stop) {
            for (size_t k = 0; k < b->njobs; k++)
                kill(-b->jobs[k].pid, SIGTERM);
            continue;
        }
        for (size_t k = 0; pid > 0 && k < b->njobs; k++)
            if (b->jobs[k].pid == pid) {
                S_reap(b, bo, k, st);
                break;
            }
        S_progress(b, 0);
    }
}

/* See grader.h. */
int gr_batch(const gr_batch_opts *o, const gr_exercise *ex, const gr_paths *p,
             const char *course)
{
    S_batch b = {.o = o, .ex = ex, .state_fd = -1, .t0 = gr_now_ns()};
    b.tty = isatty(2);
    time_t due = ex->due;
    if (o->due && course_time_parse(o->due, &due) < 0) {
        fprintf(stderr,
                "grader batch: --due %s: give a date and time with its zone, "
                "like 2026-03-01T23:59:00Z\n",
                o->due);
        return GR_EXIT_USAGE;
    }
    gr_copy *copies;
    size_t n;
    const char *layout;
    if (gr_copies_find(o->dir, &copies, &n, &layout) < 0)
        return GR_EXIT_USAGE;
    char *dir = course_xstrdup(o->dir);
    while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
        dir[strlen(dir) - 1] = '\0';
    b.out = o->out ? course_xstrdup(o->out) : course_fmt("%s-grades", dir);
    free(dir);
    b.work = course_fmt("%s/.batch", b.out);
    b.self = course_fmt("%s/bin/grader", p->build);
    if (access(b.self, X_OK) < 0) {
        free(b.self);
        b.self = realpath("/proc/self/exe", NULL);
    }
    b.course = course_xstrdup(course);
    int rc = GR_EXIT_PASS;
    static const char *const subdirs[] = {"runs", "logs", "stage", "progcache"};
    for (int k = 0; k < 4; k++) {
        char *d = course_fmt("%s/%s", b.work, subdirs[k]);
        if (course_mkdir_p(d, 0755) < 0) {
            fprintf(stderr, "grader batch: cannot create %s: %s\n", d, strerror(errno));
            rc = GR_EXIT_INTERNAL;
        }
        free(d);
    }
    /* The copies' programs, from their correctness run to their pattern
     * run (progcache.c): a class of them, so not in the build's cache. */
    char *pc = course_fmt("%s/progcache", b.work), *pc_real = realpath(pc, NULL);
    b.progcache = pc_real ? pc_real : pc;
    if (pc_real)
        free(pc);
    char *sp = course_fmt("%s/state.jsonl", b.work);
    if (rc == 0 && o->regrade)
        unlink(sp);
    b.state_fd = rc ? -1 : open(sp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    free(sp);
    gr_batch_out *bo =
        b.state_fd >= 0 ? gr_batch_out_open(b.out, ex, due, layout) : NULL;
    if (!bo) {
        rc = GR_EXIT_INTERNAL;
        goto out;
    }
    b.n = n;
    b.items = course_xcalloc(n, sizeof *b.items);
    for (size_t i = 0; i < n; i++) {
        S_item *it = &b.items[i];
        it->copy = &copies[i];
        it->built = -1;
        it->stage = course_fmt("%s/stage/%s", b.work, copies[i].id);
        if (gr_copy_stage(it->copy, ex, it->stage, &it->missing, it->fp) < 0)
            course_strv_push(&it->missing, "(the copy could not be read)");
    }
    S_load_state(&b);
    for (size_t i = 0; i < n; i++) {
        b.left[S_C] += !b.items[i].missing.n && !b.items[i].done[S_C];
        b.left[S_P] += S_needs_patterns(&b, i);
    }
    b.maxjobs = (size_t)o->jobs + 1;
    b.jobs = course_xcalloc(b.maxjobs, sizeof *b.jobs);
    if (!o->quiet)
        fprintf(stderr, "batch %s: %zu copies in %s, %s; results in %s\n", ex->id, n,
                o->dir, layout, b.out);
    struct sigaction sa = {.sa_handler = S_on_signal}, old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    for (size_t i = 0; i < n; i++) /* done in an earlier run, or missing files */
        S_finish_item(&b, bo, i);
    S_run(&b, bo);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    S_progress(&b, 1);
    if (!S_stop && !b.left[S_C] && !b.left[S_P])
        gr_rm_rf(b.progcache); /* every program has had its runs */
    if (S_stop) {
        fprintf(stderr, "batch %s: stopped; run the same command again to go on\n",
                ex->id);
        rc = GR_EXIT_INTERNAL;
    }
    if (gr_batch_out_close(bo, copies, n, stdout) < 0)
        rc = GR_EXIT_INTERNAL;
out:
    if (b.state_fd >= 0)
        close(b.state_fd);
    for (size_t i = 0; i < b.n; i++) {
        free(b.items[i].stage);
        course_strv_free(&b.items[i].missing);
    }
    free(b.items);
    free(b.jobs);
    gr_copies_free(copies, n);
    free(b.out);
    free(b.work);
    free(b.progcache);
    free(b.self);
    free(b.course);
    return rc;
}
