/*
 * sandbox.c - runs one program (the learner's, or the compiler on the
 * learner's files) so that nothing it does can hurt the grader, the
 * machine or the verdict.  This file is the grader's side: it starts the
 * chain (spawn.c), watches it and says how it ended.
 *
 * What each layer is for, and what it does not do:
 *   - isolation (isolation.c): a PID and a network namespace where the
 *     kernel lets us, a uid of its own as root, Landlock file, TCP and
 *     signal rules where the kernel has them; the program cannot signal,
 *     trace or write anything of the grader's, nor reach the network;
 *   - its own process group, and the grader is a child subreaper, so that
 *     without namespaces a grandchild that escapes with setsid() is still
 *     found and killed; in a PID namespace everything dies with its init;
 *   - memory: a watchdog polls the run's resident memory every 50 ms and
 *     kills it past memory_mb; RLIMIT_AS is only a backstop at twice that
 *     plus 1 GB, because address space is not memory: glibc reserves 64 MB
 *     of it per thread arena, and ASan and TSan reserve terabytes of shadow
 *     (no RLIMIT_AS at all under sanitizers);
 *   - rlimits: CPU seconds, processes, file size, open files, no core;
 *     reaching the process limit is a fork bomb, stopped at once;
 *   - a wall-clock timeout that first sends SIGUSR2 (the runtime then prints
 *     which thread holds the GIL: the deadlock verdict quotes it) and 200 ms
 *     later kills everything;
 *   - output capped at output_kb: a flood is killed as soon as it passes;
 *   - the wall and CPU time of the run, measured from outside the program
 *     (by the init of its namespace, or by wait4 here): evidence the
 *     program cannot forge (patterns.c compares its own report with it).
 * Runs may go on in several threads at once (build.c, run.c).  Limits we
 * admit: without namespaces, root or Landlock a program can do whatever
 * the learner can (it is the learner's own code on their own machine);
 * resident memory is sampled, so a fast spike can overshoot for 50 ms.
 */
#include "grader.h"
#include "spawn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void gr_sandbox_init(void)
{
    /* Orphans of our children come to us, not to init: see procs.c. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    gr_isolation_get(); /* probe now, before there are threads */
}

/* ------------------------------------------------------------ runs */

/* Each run going on at once gets a slot: as root, its uid is derived from
 * our pid and the slot, so concurrent runs (and concurrent graders) never
 * share a uid, a process count or a kill(-1). */
static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned S_slots;
/* Untrusted runs without namespaces go one at a time: a process that came
 * back to us as an orphan must belong to the one run going on. */
static pthread_mutex_t S_direct = PTHREAD_MUTEX_INITIALIZER;

/* The children being watched right now, by any thread: never mistaken
 * for an orphan of another run (procs.c). */
static pid_t S_active[64];

static void S_active_set(pid_t old, pid_t pid)
{
    pthread_mutex_lock(&S_lock);
    for (int i = 0; i < 64; i++)
        if (S_active[i] == old) {
            S_active[i] = pid;
            break;
        }
    pthread_mutex_unlock(&S_lock);
}

int gr_sandbox_is_active(pid_t pid)
{
    int found = 0;
    pthread_mutex_lock(&S_lock);
    for (int i = 0; i < 64 && !found; i++)
        found = S_active[i] == pid;
    pthread_mutex_unlock(&S_lock);
    return found;
}

static int S_slot_get(void)
{
    pthread_mutex_lock(&S_lock);
    int s = 0;
    while (s < 31 && (S_slots & (1u << s)))
        s++;
    S_slots |= 1u << s;
    pthread_mutex_unlock(&S_lock);
    return s;
}

static void S_slot_put(int s)
{
    pthread_mutex_lock(&S_lock);
    S_slots &= ~(1u << s);
    pthread_mutex_unlock(&S_lock);
}

static uid_t S_sandbox_uid(int slot)
{
    const char *s = getenv("GRADER_SANDBOX_UID");
    if (s && *s)
        return (uid_t)atol(s) + (uid_t)slot;
    return (uid_t)(1000000000u + (unsigned)getpid() * 32u + (unsigned)slot);
}

/* The environment of a sandboxed program: nothing inherited, so a run
 * does not depend on the shell it came from. */
static char **S_env(const gr_run_opts *o)
{
    gr_strv e = {0};
    gr_strv_push(&e, "PATH=/usr/local/bin:/usr/bin:/bin");
    gr_strv_push(&e, "LANG=C.UTF-8");
    char *s = gr_fmt("HOME=%s", o->cwd);
    gr_strv_push(&e, s);
    free(s);
    s = gr_fmt("TMPDIR=%s", o->cwd);
    gr_strv_push(&e, s);
    free(s);
    gr_strv_push(&e, "RT_DEADLOCK_REPORT=1");
    for (char *const *p = o->env; p && *p; p++)
        gr_strv_push(&e, *p);
    return e.v;
}

/* The address-space backstop (see the top of the file). */
static rlim_t S_as_limit(const gr_limits *l)
{
    return ((rlim_t)l->memory_mb * 2 + 1024) << 20;
}

/* {want, want}, lowered to the hard limit we have (raising it would fail). */
static struct rlimit S_rlim(int res, rlim_t want)
{
    struct rlimit cur;
    if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY &&
        want > cur.rlim_max)
        want = cur.rlim_max;
    return (struct rlimit){want, want};
}

typedef struct S_buf {
    char *data;
    size_t len, total; /* kept, written */
} S_buf;

static void S_buf_add(S_buf *b, const char *s, size_t n, size_t cap)
{
    b->total += n;
    if (b->len >= cap)
        return;
    if (n > cap - b->len)
        n = cap - b->len;
    b->data = realloc(b->data, b->len + n + 1);
    if (!b->data)
        abort();
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Everything one run needs while it goes on. */
typedef struct S_run {
    const gr_run_opts *o;
    gr_spawn sp;
    pid_t child; /* the keeper, or the program itself */
    int pidfd;
    gr_group g;
    S_buf out, err;
    gr_spawn_msg result; /* init's 'R', tag 0 until it comes */
    gr_spawn_msg failed; /* the first 'E' */
    uint64_t stop_at;    /* when we first asked init to stop the program */
} S_run;

/* Reads what the child side reported. */
static void S_read_info(S_run *r, int fd)
{
    gr_spawn_msg m;
    while (read(fd, &m, sizeof m) == (ssize_t)sizeof m) {
        if (m.tag == 'N') {
            r->g.init = m.pid;
            r->g.ns = m.ns;
        } else if (m.tag == 'E' && !r->failed.tag) {
            r->failed = m;
        } else if (m.tag == 'R') {
            r->result = m;
        }
    }
}

static void S_kill_run(S_run *r, int reaped)
{
    if (reaped && r->sp.namespaces)
        return; /* init is gone, and its pid may be someone else's by now */
    if (r->sp.namespaces) {
        /* init kills the program on SIGUSR1, reaps it and reports its CPU
         * time; if init has not ended the run 500 ms later, it goes too
         * (and the whole namespace with it).  Before init is known, the
         * keeper goes (and init with it: PDEATHSIG). */
        uint64_t now = gr_now_ns();
        if (r->g.init <= 0)
            kill(r->child, SIGKILL);
        else if (!r->stop_at)
            kill(r->g.init, SIGUSR1);
        else if (now - r->stop_at > 500000000u)
            kill(r->g.init, SIGKILL);
        if (!r->stop_at)
            r->stop_at = now;
    } else {
        killpg(r->child, SIGKILL);
    }
}

/* Sets up the spawn: identity, limits, Landlock.  Returns 0 or a negative
 * errno (with *why) when isolation the kernel offers could not be built. */
static int S_prepare(S_run *r, int slot, char **why)
{
    const gr_run_opts *o = r->o;
    const gr_isolation *iso = gr_isolation_get();
    gr_spawn *sp = &r->sp;
    int untrusted = o->profile != GR_PROFILE_TRUSTED;
    sp->cwd = o->cwd;
    sp->exec_fd = -1; /* opened, and checked, when the run may begin */
    sp->ruleset = -1;
    sp->uid = untrusted && iso->root ? S_sandbox_uid(slot) : (uid_t)-1;
    sp->namespaces = untrusted && iso->namespaces;
    sp->userns = sp->namespaces && iso->userns;
    sp->limits = untrusted;
    const gr_limits *l = &o->limits;
    long nproc = l->processes;
    if (sp->uid != (uid_t)-1) {
        if (!sp->namespaces)
            gr_kill_uid(sp->uid); /* leftovers of an earlier run with our pid */
        if (chown(o->cwd, sp->uid, sp->uid) < 0)
            return -errno;
    } else if (sp->userns) {
        nproc += 2; /* the keeper and init count in the user namespace */
    } else if (untrusted) {
        /* RLIMIT_NPROC counts every task of our uid, ours included. */
        nproc += gr_uid_tasks(getuid());
    }
    sp->lim_cpu = S_rlim(RLIMIT_CPU, (rlim_t)l->cpu_seconds);
    sp->lim_cpu.rlim_max = sp->lim_cpu.rlim_cur + 1;
    sp->lim_nproc = S_rlim(RLIMIT_NPROC, (rlim_t)nproc);
    sp->lim_fsize = S_rlim(RLIMIT_FSIZE, (rlim_t)l->file_mb << 20);
    sp->lim_nofile = S_rlim(RLIMIT_NOFILE, (rlim_t)l->open_files);
    sp->lim_as = o->sanitizer ? (struct rlimit){RLIM_INFINITY, RLIM_INFINITY}
                              : S_rlim(RLIMIT_AS, S_as_limit(l));
    if (untrusted && iso->ll_files) {
        gr_landlock_spec ls = {.read = o->read_dirs,
                               .exec = o->exec_dirs,
                               .write = o->cwd,
                               .secret = o->secret_dirs,
                               .proc = 1,
                               .devices = o->profile == GR_PROFILE_PROGRAM};
        int rs = gr_landlock_ruleset(&ls, why);
        if (rs < 0)
            return rs;
        sp->ruleset = rs;
    }
    r->g = (gr_group){.self = getpid(),
                      .uid = sp->uid,
                      .orphans = untrusted && !sp->namespaces && sp->uid == (uid_t)-1};
    return 0;
}

/* How the run ended, from what we saw and what init reported. */
static void S_conclude(S_run *r, int status, const struct rusage *ru, uint64_t wall,
                       long peak_vm_kb, gr_run_result *res)
{
    const gr_run_opts *o = r->o;
    if (r->result.tag == 'R') { /* init saw the program end: its figures */
        status = r->result.status;
        res->wall_ns = r->result.wall_ns;
        res->cpu_ns = r->result.cpu_ns;
        if (r->result.maxrss_kb > res->maxrss_kb)
            res->maxrss_kb = r->result.maxrss_kb;
    } else {
        res->wall_ns = wall;
        res->cpu_ns = (uint64_t)ru->ru_utime.tv_sec * 1000000000u +
                      (uint64_t)ru->ru_utime.tv_usec * 1000u +
                      (uint64_t)ru->ru_stime.tv_sec * 1000000000u +
                      (uint64_t)ru->ru_stime.tv_usec * 1000u;
        if (ru->ru_maxrss > res->maxrss_kb)
            res->maxrss_kb = ru->ru_maxrss;
    }
    int untrusted = o->profile != GR_PROFILE_TRUSTED;
    long as_kb = (long)(S_as_limit(&o->limits) >> 10);
    /* Ran out of address space (the backstop) or close to the memory
     * limit, and then failed: call it what it was. */
    int mem_hit = untrusted && (res->maxrss_kb >= o->limits.memory_mb * 1024 * 9 / 10 ||
                                (!o->sanitizer && peak_vm_kb >= as_kb * 9 / 10));
    double cpu = (double)res->cpu_ns / 1e9;
    if (r->failed.tag == 'E') {
        res->end = GR_END_SPAWN;
        char *s = !strcmp(r->failed.what, "exec")
                      ? gr_fmt("cannot run: %s", strerror(r->failed.err))
                      : gr_fmt("could not build the sandbox (%s: %s)", r->failed.what,
                               strerror(r->failed.err));
        S_buf_add(&r->err, s, strlen(s), SIZE_MAX);
        free(s);
    } else if (res->end == GR_END_EXIT && r->sp.namespaces && r->result.tag != 'R') {
        res->end = GR_END_SIGNAL; /* init itself was lost: never a pass */
        res->signo = SIGKILL;
    } else if (res->end == GR_END_EXIT && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU || (sig == SIGKILL && cpu >= (double)o->limits.cpu_seconds))
            res->end = GR_END_CPU;
        else if (mem_hit)
            res->end = GR_END_MEMORY;
        else
            res->end = GR_END_SIGNAL;
        res->signo = sig;
    } else if (res->end == GR_END_EXIT) {
        res->exit_code = WEXITSTATUS(status);
        if (res->exit_code && mem_hit)
            res->end = GR_END_MEMORY;
    }
}

int gr_sandbox_run(char *const argv[], const gr_run_opts *o, gr_run_result *res)
{
    memset(res, 0, sizeof *res);
    S_run r = {.o = o, .pidfd = -1};
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
        pipe2(pi, O_CLOEXEC | O_NONBLOCK) < 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (po[i] >= 0)
                close(po[i]);
            if (pe[i] >= 0)
                close(pe[i]);
        }
        return -e;
    }
    int slot = S_slot_get();
    char *why = NULL;
    int rc = S_prepare(&r, slot, &why);
    int serial = o->profile != GR_PROFILE_TRUSTED && !r.sp.namespaces;
    if (serial)
        pthread_mutex_lock(&S_direct);
    /* The binary's hash is checked here, when no other untrusted run goes
     * on that could touch its file (without namespaces runs go one at a
     * time): between the check and the exec nothing changes what runs. */
    int refused = 0;
    if (rc == 0 && o->bin) {
        int fd = gr_binary_open(o->bin, &why);
        refused = fd < 0;
        if (fd < 0)
            rc = fd;
        else
            r.sp.exec_fd = fd;
    }
    char **env = S_env(o);
    r.sp.argv = argv;
    r.sp.env = env;
    r.sp.out = po[1];
    r.sp.err = pe[1];
    r.sp.info = pi[1];
    uint64_t t0 = gr_now_ns();
    pid_t pid = rc < 0 ? -1 : fork();
    if (pid == 0)
        gr_spawn_child(&r.sp);
    int fork_errno = errno;
    for (char **p = env; *p; p++)
        free(*p);
    free(env);
    close(po[1]);
    close(pe[1]);
    close(pi[1]);
    if (r.sp.ruleset >= 0)
        close(r.sp.ruleset);
    if (r.sp.exec_fd >= 0)
        close(r.sp.exec_fd);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        close(pi[0]);
        if (serial)
            pthread_mutex_unlock(&S_direct);
        S_slot_put(slot);
        if (rc < 0) { /* no sandbox, or not our binary: say so, run nothing */
            res->end = GR_END_SPAWN;
            res->out = gr_xstrdup("");
            res->err = refused ? gr_fmt("the grader refused to run it: %s", why)
                               : gr_fmt("could not build the sandbox: %s",
                                        why ? why : strerror(-rc));
            free(why);
            return 0;
        }
        return -fork_errno;
    }
    r.child = pid;
    r.g.pgrp = pid;
    S_active_set(0, pid);
    setpgid(pid, pid); /* also here: no race with our killpg */
    r.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

    size_t cap = (size_t)o->limits.output_kb * 1024;
    struct pollfd fds[4] = {{po[0], POLLIN, 0},
                            {pe[0], POLLIN, 0},
                            {pi[0], POLLIN, 0},
                            {r.pidfd, POLLIN, 0}};
    int open_fds = 2, status = 0, reaped = 0, usr2_sent = 0;
    struct rusage ru = {0};
    uint64_t wall_limit = (uint64_t)o->limits.wall_seconds * 1000000000u;
    uint64_t exited_at = 0, usr2_at = 0, last_scan = 0;
    long peak_vm_kb = 0;
    int untrusted = o->profile != GR_PROFILE_TRUSTED;
    res->end = GR_END_EXIT;
    for (;;) {
        int n = poll(fds, r.pidfd >= 0 ? 4 : 3, r.pidfd >= 0 ? 50 : 20);
        for (int i = 0; n > 0 && i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[16384];
            ssize_t k = read(fds[i].fd, buf, sizeof buf);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            S_buf_add(i ? &r.err : &r.out, buf, (size_t)k, cap);
        }
        if (fds[2].revents & POLLIN)
            S_read_info(&r, pi[0]);
        uint64_t now = gr_now_ns();
        if (!reaped && wait4(pid, &status, WNOHANG, &ru) == pid) {
            reaped = 1;
            exited_at = now;
            fds[3].fd = -1;
        }
        if (reaped && (open_fds == 0 || now - exited_at > 200000000u))
            break; /* leftovers holding the pipes are killed below */
        if (r.out.total + r.err.total > cap && res->end == GR_END_EXIT) {
            res->end = GR_END_OUTPUT;
            S_kill_run(&r, reaped);
        }
        if (!usr2_sent && now - t0 > wall_limit && res->end == GR_END_EXIT) {
            res->end = GR_END_TIMEOUT;
            /* RT_DEADLOCK_REPORT: who holds the GIL (init passes it on) */
            kill(r.sp.namespaces ? r.g.init : pid, SIGUSR2);
            usr2_sent = 1;
            usr2_at = now;
        }
        if (usr2_sent && now - usr2_at > 200000000u)
            S_kill_run(&r, reaped);
        if (now - last_scan > 50000000u && !reaped && (!r.sp.namespaces || r.g.ns)) {
            last_scan = now;
            gr_group g = r.g;
            gr_group_scan(&g);
            if (g.count > res->max_procs)
                res->max_procs = g.count;
            if (g.rss_kb > res->maxrss_kb)
                res->maxrss_kb = g.rss_kb;
            if (g.vm_kb > peak_vm_kb)
                peak_vm_kb = g.vm_kb;
            if (untrusted && res->end == GR_END_EXIT &&
                g.rss_kb > o->limits.memory_mb * 1024) {
                res->end = GR_END_MEMORY;
                S_kill_run(&r, reaped);
            }
            if (untrusted && res->end == GR_END_EXIT &&
                g.count >= o->limits.processes) {
                res->end = GR_END_PROCS; /* it will only try again: stop it now */
                S_kill_run(&r, reaped);
            }
            if (o->progress)
                o->progress(o->progress_arg);
        }
    }
    uint64_t wall = (exited_at ? exited_at : gr_now_ns()) - t0;
    if (!r.sp.namespaces) /* in a namespace, init has killed what was left */
        res->survivors = gr_group_reap(r.g);
    S_active_set(pid, 0);
    S_read_info(&r, pi[0]);
    for (int i = 0; i < 3; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    if (r.pidfd >= 0)
        close(r.pidfd);
    if (serial)
        pthread_mutex_unlock(&S_direct);
    S_slot_put(slot);
    res->netns =
        untrusted && (gr_isolation_get()->namespaces || gr_isolation_get()->ll_tcp);
    S_conclude(&r, status, &ru, wall, peak_vm_kb, res);
    res->out = r.out.data ? r.out.data : gr_xstrdup("");
    res->err = r.err.data ? r.err.data : gr_xstrdup("");
    res->out_total = r.out.total;
    res->err_total = r.err.total;
    const char *d = strstr(res->err, "rt: GIL held by");
    if (d)
        res->deadlock = gr_fmt("%.*s", (int)strcspn(d, "\n"), d);
    return 0;
}

void gr_run_result_free(gr_run_result *res)
{
    free(res->out);
    free(res->err);
    free(res->deadlock);
    memset(res, 0, sizeof *res);
}

int gr_run_hit_limit(const gr_run_result *r)
{
    return r->end == GR_END_TIMEOUT || r->end == GR_END_CPU ||
           r->end == GR_END_MEMORY || r->end == GR_END_OUTPUT || r->end == GR_END_PROCS;
}

char *gr_run_describe(const gr_run_result *r, const gr_limits *l)
{
    switch (r->end) {
    case GR_END_EXIT:
        return gr_fmt("exit status %d", r->exit_code);
    case GR_END_SIGNAL:
        return gr_fmt("crashed: %s (signal %d)", strsignal(r->signo), r->signo);
    case GR_END_TIMEOUT: {
        /* The runtime's line says whether anyone waited for the GIL: a
         * holder nobody waits for is a loop, not a deadlock. */
        const char *w = r->deadlock ? strstr(r->deadlock, "; ") : NULL;
        int waiting = w ? atoi(w + 2) : 0;
        /* Computing (5% of the time: on a loaded machine a loop gets
         * little) is a loop, even when the loop holds the GIL and others
         * wait for it; waiting without computing is a deadlock. */
        if (r->cpu_ns * 20 > r->wall_ns)
            return gr_fmt("infinite loop: still computing after %ld s (%.1f s of "
                          "CPU)%s%s",
                          l->wall_seconds, (double)r->cpu_ns / 1e9,
                          r->deadlock && waiting > 0 ? "; " : "",
                          r->deadlock && waiting > 0 ? r->deadlock : "");
        if (r->deadlock && waiting > 0)
            return gr_fmt("deadlock: no progress in %ld s; %s", l->wall_seconds,
                          r->deadlock);
        return gr_fmt("timed out: still waiting after %ld s, using no CPU (a thread "
                      "waiting for something that never happens?)",
                      l->wall_seconds);
    }
    case GR_END_CPU:
        return gr_fmt("used more than %ld s of CPU time (an infinite loop?)",
                      l->cpu_seconds);
    case GR_END_PROCS:
        return gr_fmt("fork bomb: reached the limit of %ld processes; stopped",
                      l->processes);
    case GR_END_MEMORY:
        return gr_fmt("memory bomb: went over the %ld MB memory limit", l->memory_mb);
    case GR_END_OUTPUT:
        return gr_fmt("output flood: wrote more than %ld KB; stopped", l->output_kb);
    case GR_END_SPAWN:
        return gr_fmt("could not start: %s", r->err);
    }
    return gr_xstrdup("?");
}
