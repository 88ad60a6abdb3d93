/*
 * sandbox.c - runs one submitted program so that nothing it does can hurt
 * the grader, the machine or the verdict (docs/design.md, "The grader").
 *
 * What each layer is for, and what it does not do:
 *   - its own process group, so one killpg() reaches the whole family; and
 *     the grader is a child subreaper, so a grandchild that escapes with
 *     setsid() is re-parented to us and still found and killed;
 *   - memory: a watchdog polls the group's resident memory every 50 ms
 *     and kills it past memory_mb; RLIMIT_AS is only a backstop at twice
 *     that plus 1 GB, because address space is not memory: glibc reserves
 *     64 MB of it per thread arena, so 16 honest threads would hit a 1 GB
 *     RLIMIT_AS, and ASan and TSan reserve terabytes of shadow (no
 *     RLIMIT_AS at all under sanitizers);
 *   - rlimits: CPU seconds, processes, file size, open files, no core;
 *   - a wall-clock timeout that first sends SIGUSR2 (the runtime then prints
 *     which thread holds the GIL: the deadlock verdict quotes it) and 200 ms
 *     later kills the group;
 *   - output capped at output_kb: a flood is killed as soon as it passes;
 *   - no network: a fresh network namespace when the kernel lets us (root),
 *     else Landlock's TCP rules where the kernel has them (6.7+);
 *   - writes only inside the scratch directory: a distinct unprivileged uid
 *     when we run as root (RLIMIT_NPROC does not bind root, and a uid of its
 *     own lets us kill every process it has), plus Landlock where available,
 *     so a symlink planted in the scratch directory leads nowhere writable.
 * Limits we admit: without root and without Landlock, a program can write
 * wherever the learner can (it is the learner's own code on their own
 * machine); resident memory is sampled every 50 ms, so a fast spike can
 * overshoot the limit briefly before the kill.
 */
#include "grader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void gr_sandbox_init(void)
{
    /* Orphans of our children come to us, not to init: see S_reap_all. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------ /proc */

typedef struct S_proc {
    pid_t pid, ppid, pgrp;
    uid_t uid;
    long rss_kb, vm_kb, threads;
} S_proc;

/* Reads /proc/<pid>/stat (the comm field may hold spaces and parens, so
 * we parse from the last ')').  Returns 0 or -1 if the process is gone. */
static int S_proc_read(pid_t pid, S_proc *p)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    struct stat st;
    int ok = fstat(fd, &st) == 0;
    close(fd);
    if (n <= 0 || !ok)
        return -1;
    buf[n] = '\0';
    char *s = strrchr(buf, ')');
    if (!s)
        return -1;
    /* Fields after comm: state ppid pgrp session tty tpgid flags minflt
     * cminflt majflt cmajflt utime stime cutime cstime priority nice
     * num_threads itrealvalue starttime vsize rss ... */
    char *tok[24];
    int k = 0;
    for (char *t = strtok(s + 1, " "); t && k < 24; t = strtok(NULL, " "))
        tok[k++] = t;
    if (k < 22)
        return -1;
    p->pid = pid;
    p->ppid = atoi(tok[1]);
    p->pgrp = atoi(tok[2]);
    p->threads = atol(tok[17]);
    p->vm_kb = atol(tok[20]) / 1024;
    p->rss_kb = atol(tok[21]) * (sysconf(_SC_PAGESIZE) / 1024);
    p->uid = st.st_uid;
    return 0;
}

/* Calls fn for every process; stops early if fn returns nonzero. */
static void S_proc_each(int (*fn)(const S_proc *, void *), void *arg)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        S_proc p;
        if (S_proc_read(atoi(e->d_name), &p) == 0 && fn(&p, arg))
            break;
    }
    closedir(d);
}

typedef struct S_group {
    pid_t pgrp, self;
    uid_t uid;   /* the sandbox uid, or (uid_t)-1 */
    int count;   /* processes found */
    long rss_kb; /* their resident memory, summed */
    long vm_kb;  /* largest address space */
    int kill;    /* 1: SIGKILL each one found */
} S_group;

/* Ours: in the group, or run by the sandbox's own uid, or an orphan that
 * was re-parented to us (the subreaper). */
static int S_group_visit(const S_proc *p, void *arg)
{
    S_group *g = arg;
    if (p->pid == g->self)
        return 0;
    int ours = p->pgrp == g->pgrp || (g->uid != (uid_t)-1 && p->uid == g->uid) ||
               p->ppid == g->self;
    if (!ours)
        return 0;
    g->count++;
    g->rss_kb += p->rss_kb;
    if (p->vm_kb > g->vm_kb)
        g->vm_kb = p->vm_kb;
    if (g->kill)
        kill(p->pid, SIGKILL);
    return 0;
}

static S_group S_group_scan(pid_t pgrp, uid_t uid, int do_kill)
{
    S_group g = {.pgrp = pgrp, .self = getpid(), .uid = uid, .kill = do_kill};
    S_proc_each(S_group_visit, &g);
    return g;
}

typedef struct S_uidcount {
    uid_t uid;
    long tasks;
} S_uidcount;

static int S_count_uid(const S_proc *p, void *arg)
{
    S_uidcount *c = arg;
    if (p->uid == c->uid)
        c->tasks += p->threads;
    return 0;
}

/* Kills everything left of a run and reaps it.  Returns how many processes
 * had to be killed.  As root with a uid of the sandbox's own, a helper that
 * takes that uid and calls kill(-1, SIGKILL) reaches every process of it,
 * wherever it hid; then a scan catches the group and our orphans. */
static void S_kill_uid(uid_t uid)
{
    pid_t h = fork();
    if (h == 0) {
        if (setgid(uid) == 0 && setuid(uid) == 0)
            kill(-1, SIGKILL);
        _exit(0);
    }
    if (h > 0)
        while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
            ;
}

static int S_reap_all(pid_t pgrp, uid_t uid)
{
    int killed = 0;
    if (uid != (uid_t)-1)
        S_kill_uid(uid);
    killpg(pgrp, SIGKILL);
    for (int round = 0; round < 50; round++) {
        S_group g = S_group_scan(pgrp, uid, 1);
        /* Reap whatever of ours has died (zombies count in the scan). */
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (g.count == 0)
            break;
        if (round == 0)
            killed = g.count;
        usleep(10000);
    }
    return killed;
}

/* ------------------------------------------------------------ child */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* Landlock: from here on this process and its children may write only
 * beneath `dir` (and /dev/null), and, with ABI 4, neither bind nor connect
 * TCP.  Returns 1 if network rules were applied, 0 if only files, -1 if
 * the kernel has no Landlock (not an error: other layers remain). */
static int S_landlock(const char *dir)
{
    long abi =
        syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1)
        return -1;
    uint64_t wr = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                  LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                  LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                  LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                  LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2)
        wr |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        wr |= LANDLOCK_ACCESS_FS_TRUNCATE;
    struct {
        uint64_t fs, net;
    } attr = {.fs = wr, .net = 0};
    size_t attr_size = sizeof(uint64_t);
#ifdef LANDLOCK_ACCESS_NET_CONNECT_TCP
    if (abi >= 4) {
        attr.net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
        attr_size = sizeof attr;
    }
#endif
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
    if (rs < 0)
        return -1;
    struct landlock_path_beneath_attr pb = {.allowed_access = wr};
    pb.parent_fd = open(dir, O_PATH | O_CLOEXEC);
    if (pb.parent_fd >= 0) {
        syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
        close(pb.parent_fd);
    }
    pb.allowed_access =
        LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
    pb.parent_fd = open("/dev/null", O_PATH | O_CLOEXEC);
    if (pb.parent_fd >= 0) {
        syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
        close(pb.parent_fd);
    }
    int rc = (int)syscall(SYS_landlock_restrict_self, rs, 0);
    close(rs);
    return rc < 0 ? -1 : attr.net != 0;
}

/* The address-space backstop (see the top of the file). */
static rlim_t S_as_limit(const gr_limits *l)
{
    return ((rlim_t)l->memory_mb * 2 + 1024) << 20;
}

static void S_setlimit(int res, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};
    setrlimit(res, &rl);
}

/* The child's side, between fork and exec.  Reports over `info` (close on
 * exec): 'N' or 'n' for the network cut off or not, then on exec failure
 * 'E' and the errno. */
static void __attribute__((noreturn))
S_child(char *const argv[], const gr_run_opts *o, char *const env[], int out, int err,
        int info, uid_t uid, long nproc)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out, 1);
    dup2(err, 2);
    const gr_limits *l = &o->limits;
    S_setlimit(RLIMIT_CORE, 0, 0);
    if (!o->trusted) {
        S_setlimit(RLIMIT_CPU, (rlim_t)l->cpu_seconds, (rlim_t)l->cpu_seconds + 1);
        if (!o->sanitizer)
            S_setlimit(RLIMIT_AS, S_as_limit(l), S_as_limit(l));
        S_setlimit(RLIMIT_NPROC, (rlim_t)nproc, (rlim_t)nproc);
        S_setlimit(RLIMIT_FSIZE, (rlim_t)l->file_mb << 20, (rlim_t)l->file_mb << 20);
        S_setlimit(RLIMIT_NOFILE, (rlim_t)l->open_files, (rlim_t)l->open_files);
    }
    char net = 'n';
    if (!o->trusted) {
        if (unshare(CLONE_NEWNET) == 0)
            net = 'N';
        if (uid != (uid_t)-1) {
            if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0) {
                int e = errno;
                char msg[1 + sizeof e] = {'E'};
                memcpy(msg + 1, &e, sizeof e);
                (void)!write(info, msg, sizeof msg);
                _exit(127);
            }
        }
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (S_landlock(o->cwd) == 1)
            net = 'N';
    }
    (void)!write(info, &net, 1);
    if (chdir(o->cwd) < 0 || execve(argv[0], argv, env) < 0) {
        int e = errno;
        char msg[1 + sizeof e] = {'E'};
        memcpy(msg + 1, &e, sizeof e);
        (void)!write(info, msg, sizeof msg);
    }
    _exit(127);
}

/* ------------------------------------------------------------ parent */

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

static char *S_buf_take(S_buf *b)
{
    return b->data ? b->data : gr_xstrdup("");
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

static void S_env_free(char **env)
{
    for (char **p = env; *p; p++)
        free(*p);
    free(env);
}

/* The uid a run gets when we are root: one of its own, derived from our
 * pid so that concurrent graders do not share (and cannot signal each
 * other or share an RLIMIT_NPROC count). */
static uid_t S_sandbox_uid(void)
{
    const char *s = getenv("GRADER_SANDBOX_UID");
    if (s && *s)
        return (uid_t)atol(s);
    return (uid_t)(2000000 + getpid() % 1000000);
}

int gr_sandbox_run(char *const argv[], const gr_run_opts *o, gr_run_result *res)
{
    memset(res, 0, sizeof *res);
    int po[2], pe[2], pi[2];
    if (pipe2(po, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(pe, O_CLOEXEC) < 0 || pipe2(pi, O_CLOEXEC) < 0) {
        int e = errno;
        close(po[0]);
        close(po[1]);
        return -e;
    }
    uid_t uid = (geteuid() == 0 && !o->trusted) ? S_sandbox_uid() : (uid_t)-1;
    long nproc = o->limits.processes;
    if (uid != (uid_t)-1) {
        S_kill_uid(uid); /* leftovers of an earlier run that had our pid */
        if (chown(o->cwd, uid, uid) < 0)
            return -errno;
    } else if (!o->trusted) {
        /* RLIMIT_NPROC counts every task of our uid, ours included. */
        S_uidcount c = {.uid = getuid()};
        S_proc_each(S_count_uid, &c);
        nproc += c.tasks;
    }
    char **env = S_env(o);
    uint64_t t0 = gr_now_ns();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        S_env_free(env);
        return -e;
    }
    if (pid == 0)
        S_child(argv, o, env, po[1], pe[1], pi[1], uid, nproc);
    setpgid(pid, pid); /* also here: no race with our killpg */
    S_env_free(env);
    close(po[1]);
    close(pe[1]);
    close(pi[1]);

    size_t cap = (size_t)o->limits.output_kb * 1024;
    S_buf out = {0}, err = {0};
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2, status = 0, reaped = 0, usr2_sent = 0;
    struct rusage ru = {0};
    uint64_t wall_limit = (uint64_t)o->limits.wall_seconds * 1000000000u;
    uint64_t exited_at = 0, usr2_at = 0, last_scan = 0;
    long peak_vm_kb = 0;
    res->end = GR_END_EXIT;
    for (;;) {
        int n = poll(fds, 2, 20);
        for (int i = 0; n > 0 && i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[16384];
            ssize_t r = read(fds[i].fd, buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            S_buf_add(i ? &err : &out, buf, (size_t)r, cap);
        }
        uint64_t now = gr_now_ns();
        if (!reaped && wait4(pid, &status, WNOHANG, &ru) == pid) {
            reaped = 1;
            exited_at = now;
        }
        if (reaped && (open_fds == 0 || now - exited_at > 200000000u))
            break; /* leftovers holding the pipes are killed below */
        if (out.total + err.total > cap && res->end == GR_END_EXIT) {
            res->end = GR_END_OUTPUT;
            killpg(pid, SIGKILL);
        }
        if (!usr2_sent && now - t0 > wall_limit && res->end == GR_END_EXIT) {
            res->end = GR_END_TIMEOUT;
            kill(pid, SIGUSR2); /* RT_DEADLOCK_REPORT: who holds the GIL */
            usr2_sent = 1;
            usr2_at = now;
        }
        if (usr2_sent && now - usr2_at > 200000000u)
            killpg(pid, SIGKILL);
        if (now - last_scan > 50000000u && !reaped) {
            last_scan = now;
            S_group g = S_group_scan(pid, uid, 0);
            if (g.count > res->max_procs)
                res->max_procs = g.count;
            if (g.rss_kb > res->maxrss_kb)
                res->maxrss_kb = g.rss_kb;
            if (g.vm_kb > peak_vm_kb)
                peak_vm_kb = g.vm_kb;
            if (!o->trusted && g.rss_kb > o->limits.memory_mb * 1024 &&
                res->end == GR_END_EXIT) {
                res->end = GR_END_MEMORY;
                killpg(pid, SIGKILL);
            }
            if (o->progress)
                o->progress(o->progress_arg);
        }
    }
    res->wall_ns = gr_now_ns() - t0;
    res->survivors = S_reap_all(pid, uid);
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    /* What the child said before exec. */
    char info[16];
    ssize_t ni = read(pi[0], info, sizeof info);
    close(pi[0]);
    res->netns = ni >= 1 && info[0] == 'N';
    int exec_err = 0; /* 'E' then errno, possibly after the net byte */
    for (ssize_t i = 0; i < ni; i++)
        if (info[i] == 'E' && ni - i - 1 >= (ssize_t)sizeof(int)) {
            memcpy(&exec_err, info + i + 1, sizeof exec_err);
            break;
        }
    long rss = ru.ru_maxrss; /* KB */
    if (rss > res->maxrss_kb)
        res->maxrss_kb = rss;
    /* Ran out of address space (the backstop) or close to the memory
     * limit, and then failed: call it what it was. */
    long as_kb = (long)(S_as_limit(&o->limits) >> 10);
    int mem_hit =
        !o->trusted && (res->maxrss_kb >= o->limits.memory_mb * 1024 * 9 / 10 ||
                        (!o->sanitizer && peak_vm_kb >= as_kb * 9 / 10));
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec;
    res->cpu_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
                  (uint64_t)ru.ru_utime.tv_usec * 1000u +
                  (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
                  (uint64_t)ru.ru_stime.tv_usec * 1000u;
    if (exec_err) {
        res->end = GR_END_SPAWN;
        S_buf_add(&err, "cannot run: ", 12, cap + 64);
        S_buf_add(&err, strerror(exec_err), strlen(strerror(exec_err)), cap + 64);
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
    res->out = S_buf_take(&out);
    res->err = S_buf_take(&err);
    res->out_total = out.total;
    res->err_total = err.total;
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
        if (r->max_procs >= l->processes)
            return gr_fmt(
                "fork bomb: hit the process limit (%ld) and ran past the %ld s "
                "time limit",
                l->processes, l->wall_seconds);
        if (r->deadlock && waiting > 0)
            return gr_fmt("deadlock: no progress in %ld s; %s", l->wall_seconds,
                          r->deadlock);
        if (r->cpu_ns * 20 >
            r->wall_ns) /* 5%: on a loaded machine a loop gets little */
            return gr_fmt("infinite loop: still computing after %ld s (%.1f s of CPU)",
                          l->wall_seconds, (double)r->cpu_ns / 1e9);
        return gr_fmt("timed out: still waiting after %ld s, using no CPU (a thread "
                      "waiting for something that never happens?)",
                      l->wall_seconds);
    }
    case GR_END_CPU:
        if (r->max_procs >= l->processes)
            return gr_fmt(
                "fork bomb: hit the process limit (%ld) and used %ld s of CPU",
                l->processes, l->cpu_seconds);
        return gr_fmt("used more than %ld s of CPU time (an infinite loop?)",
                      l->cpu_seconds);
    case GR_END_MEMORY:
        return gr_fmt("memory bomb: went over the %ld MB memory limit", l->memory_mb);
    case GR_END_OUTPUT:
        return gr_fmt("output flood: wrote more than %ld KB; stopped", l->output_kb);
    case GR_END_SPAWN:
        return gr_fmt("could not start: %s", r->err);
    }
    return gr_xstrdup("?");
}
