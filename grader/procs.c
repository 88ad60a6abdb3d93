/*
 * procs.c - the processes of a run, found in /proc: counted and summed for
 * the limits (sandbox.c), and killed when the run is over.
 *
 * In a PID namespace a run's processes are those of its namespace (init,
 * ours, excluded).  Without one: its process group, its uid (as root), and
 * the orphans that came back to the grader (a child subreaper), when only
 * one untrusted run goes on at a time.
 */
#include "grader.h"
#include "spawn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct S_proc {
    pid_t pid, ppid, pgrp;
    uid_t uid;
    char state;
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
    char *tok[24], *save = NULL;
    int k = 0;
    for (char *t = strtok_r(s + 1, " ", &save); t && k < 24;
         t = strtok_r(NULL, " ", &save))
        tok[k++] = t;
    if (k < 22)
        return -1;
    p->pid = pid;
    p->state = tok[0][0];
    p->ppid = atoi(tok[1]);
    p->pgrp = atoi(tok[2]);
    p->threads = atol(tok[17]);
    p->vm_kb = atol(tok[20]) / 1024;
    p->rss_kb = atol(tok[21]) * (sysconf(_SC_PAGESIZE) / 1024);
    p->uid = st.st_uid;
    return 0;
}

/* Calls fn for every process, or (only != -1) every process whose /proc
 * directory that uid owns: one fstatat per process, where reading each
 * one's stat file costs five times as much (a scan runs every 50 ms, on a
 * machine that may have hundreds of processes). */
static void S_proc_each(void (*fn)(const S_proc *, void *), void *arg, uid_t only)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        struct stat st;
        if (only != (uid_t)-1 &&
            (fstatat(dirfd(d), e->d_name, &st, 0) < 0 || st.st_uid != only))
            continue;
        S_proc p;
        if (S_proc_read(atoi(e->d_name), &p) == 0)
            fn(&p, arg);
    }
    closedir(d);
}

static void S_group_visit(const S_proc *p, void *arg)
{
    gr_group *g = arg;
    if (p->pid == g->self || p->pid == g->init)
        return;
    int ours;
    if (g->ns) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)p->pid);
        uid_t want = g->uid != (uid_t)-1 ? g->uid : getuid();
        ours = p->uid == want && stat(path, &st) == 0 && (uint64_t)st.st_ino == g->ns;
    } else {
        ours = p->pgrp == g->pgrp || (g->uid != (uid_t)-1 && p->uid == g->uid) ||
               (g->orphans && p->ppid == g->self && !gr_sandbox_is_active(p->pid));
    }
    if (!ours)
        return;
    g->count++;
    g->rss_kb += p->rss_kb;
    if (p->vm_kb > g->vm_kb)
        g->vm_kb = p->vm_kb;
    if (g->kill)
        kill(p->pid, SIGKILL);
    if (g->kill && p->ppid == g->self && p->state == 'Z')
        waitpid(p->pid, NULL, WNOHANG); /* an orphan of this run, dead */
}

void gr_group_scan(gr_group *g)
{
    g->count = 0;
    g->rss_kb = 0;
    g->vm_kb = 0;
    /* Every process of a run has the sandbox's uid, or ours. */
    S_proc_each(S_group_visit, g, g->uid != (uid_t)-1 ? g->uid : getuid());
}

typedef struct S_uidcount {
    uid_t uid;
    long tasks;
} S_uidcount;

static void S_count_uid(const S_proc *p, void *arg)
{
    S_uidcount *c = arg;
    if (p->uid == c->uid)
        c->tasks += p->threads;
}

/* As root with a uid of the sandbox's own, a helper that takes that uid
 * and calls kill(-1, SIGKILL) reaches every process of it, wherever it
 * hid (used without namespaces). */
long gr_uid_tasks(uid_t uid)
{
    S_uidcount c = {.uid = uid};
    S_proc_each(S_count_uid, &c, uid);
    return c.tasks;
}

void gr_kill_uid(uid_t uid)
{
    pid_t h = fork();
    if (h == 0) {
        if (syscall(SYS_setresgid, uid, uid, uid) == 0 &&
            syscall(SYS_setresuid, uid, uid, uid) == 0)
            kill(-1, SIGKILL);
        _exit(0);
    }
    if (h > 0)
        while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
            ;
}

/* Without namespaces: kills everything left of a run and reaps it.
 * Returns how many processes had to be killed. */
int gr_group_reap(gr_group g)
{
    int killed = 0;
    if (g.uid != (uid_t)-1)
        gr_kill_uid(g.uid);
    killpg(g.pgrp, SIGKILL);
    g.kill = 1;
    for (int round = 0; round < 50; round++) {
        gr_group_scan(&g);
        if (g.count == 0)
            break;
        if (round == 0)
            killed = g.count;
        usleep(10000);
    }
    return killed;
}
