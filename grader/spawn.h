/*
 * spawn.h - what sandbox.c (the grader's side of a run) hands to spawn.c
 * (the child's side, between fork and exec).  Private to those two files.
 *
 * Everything here is prepared by the grader before it forks: the child
 * only makes system calls (no malloc, no stdio), because the grader may
 * have other threads, and a forked child of a threaded program must not
 * take a lock another thread might have held.
 */
#ifndef GR_SPAWN_H
#define GR_SPAWN_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* The process chain, in namespace mode:
 *   grader -> keeper (unshares the namespaces; waits) -> init (pid 1 of
 *   the new PID namespace; runs and times the program; kills what is left)
 *   -> the program (limits, uid, Landlock, exec).
 * In direct mode (no namespaces, or a trusted program) the grader forks the
 * program itself.  Why an init of our own: the first process of a PID
 * namespace ignores every signal it has no handler for (abort() would turn
 * into a crash) and must reap orphans; the learner's program should be
 * neither. */
typedef struct gr_spawn {
    char *const *argv; /* argv[0] is run unless exec_fd >= 0 */
    char *const *env;
    const char *cwd;
    int out, err, info; /* write ends: the program's stdout, stderr; our reports */
    int exec_fd;        /* a verified binary, run with execveat, or -1 */
    int ruleset;        /* a Landlock ruleset to enforce, or -1 */
    uid_t uid;          /* (uid_t)-1: keep ours; else become this uid (root) */
    int namespaces;     /* PID + network namespaces (keeper and init) */
    int userns;         /* ... through a user namespace (not root) */
    int limits;         /* apply lim[] */
    struct rlimit lim_cpu, lim_as, lim_nproc, lim_fsize, lim_nofile;
} gr_spawn;

/* What the child side reports on the `info` pipe: one message a write,
 * small enough to be atomic.  Tags:
 *   'N' keeper: the namespaces are made; pid = init's pid, ns = the PID
 *       namespace's inode (to tell its processes from others);
 *   'E' a step failed before exec: what, err (errno);
 *   'R' init: the program ended; status, and its wall and CPU time. */
typedef struct gr_spawn_msg {
    char tag;
    char what[23];
    int err;
    int status;
    pid_t pid;
    uint64_t ns;
    uint64_t wall_ns, cpu_ns;
    long maxrss_kb;
} gr_spawn_msg;

/* The processes of one run (procs.c).  Fields set by the caller: pgrp,
 * self, init, uid, ns, orphans, kill; the scan fills the rest. */
typedef struct gr_group {
    pid_t pgrp, self, init;
    uid_t uid;   /* the sandbox uid, or (uid_t)-1 */
    uint64_t ns; /* the PID namespace's inode, or 0 */
    int orphans; /* count re-parented processes as ours */
    int count;   /* processes found */
    long rss_kb; /* their resident memory, summed */
    long vm_kb;  /* largest address space */
    int kill;    /* 1: SIGKILL each one found */
} gr_group;

void gr_group_scan(gr_group *g);
/* Without namespaces: kills everything left of a run and reaps it; returns
 * how many processes had to be killed. */
int gr_group_reap(gr_group g);
long gr_uid_tasks(uid_t uid); /* threads of every process of uid */
/* sandbox.c: is pid a child some thread is watching (not an orphan)? */
int gr_sandbox_is_active(pid_t pid);
void gr_kill_uid(uid_t uid); /* as root: every process of uid, wherever */

/* The child's side: never returns. */
_Noreturn void gr_spawn_child(const gr_spawn *sp);

#endif /* GR_SPAWN_H */
