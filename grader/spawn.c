/*
 * spawn.c - the child's side of a sandboxed run: from fork to exec.
 *
 * Contract and process chain in spawn.h.  Rules for this file: system
 * calls only (the grader may be threaded; see spawn.h), credentials changed
 * with raw system calls, and every step that fails is reported ('E') and
 * ends the run before the program starts: a sandbox that could not be
 * built is a refusal, never a quieter sandbox.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int gr_userns_enter(void); /* isolation.c */

/* The descriptors every stage keeps, at fixed numbers (see S_fds). */
enum { S_INFO = 3, S_RULESET = 4, S_EXEC = 5, S_FIRST_FREE = 6 };

static void S_report(char tag, const char *what, int err)
{
    gr_spawn_msg m = {.tag = tag, .err = err};
    strncpy(m.what, what, sizeof m.what - 1);
    (void)!write(S_INFO, &m, sizeof m);
}

static _Noreturn void S_fail(const char *what)
{
    S_report('E', what, errno);
    _exit(127);
}

static uint64_t S_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Puts the descriptors we keep at fixed numbers and closes every other
 * one: the grader's other runs (other threads) have pipes open too, and a
 * keeper or init that held one would keep that run's output from ending. */
static void S_fds(const gr_spawn *sp)
{
    int src[] = {sp->out, sp->err, sp->info, sp->ruleset, sp->exec_fd};
    int high[5];
    for (int i = 0; i < 5; i++)
        high[i] = src[i] >= 0 ? fcntl(src[i], F_DUPFD, 100) : -1;
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0)
        _exit(127);
    int dst[] = {1, 2, S_INFO, S_RULESET, S_EXEC};
    for (int i = 0; i < 5; i++)
        if (high[i] >= 0 && dup2(high[i], dst[i]) < 0)
            _exit(127);
        else if (high[i] < 0)
            close(dst[i]);
    if (syscall(SYS_close_range, S_FIRST_FREE, ~0U, 0) < 0)
        for (int fd = S_FIRST_FREE; fd < 4096; fd++)
            close(fd);
}

/* Brings the new network namespace's loopback up: a program may talk to
 * itself over 127.0.0.1, and to nothing else. */
static void S_loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
}

/* The program's own process, last step: limits, identity, Landlock, exec. */
static _Noreturn void S_program(const gr_spawn *sp)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL); /* the grader ignores it; a program should not */
    setpgid(0, 0);
    umask(022); /* what it writes, the next sandbox (another uid) may read */
    if (!sp->namespaces)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct rlimit core = {0, 0};
    setrlimit(RLIMIT_CORE, &core);
    if (sp->limits) {
        if (setrlimit(RLIMIT_CPU, &sp->lim_cpu) < 0 ||
            setrlimit(RLIMIT_NPROC, &sp->lim_nproc) < 0 ||
            setrlimit(RLIMIT_FSIZE, &sp->lim_fsize) < 0 ||
            setrlimit(RLIMIT_NOFILE, &sp->lim_nofile) < 0 ||
            (sp->lim_as.rlim_cur != RLIM_INFINITY &&
             setrlimit(RLIMIT_AS, &sp->lim_as) < 0))
            S_fail("setrlimit");
    }
    if (sp->uid != (uid_t)-1) {
        if (syscall(SYS_setgroups, 0, NULL) < 0)
            S_fail("setgroups");
        if (syscall(SYS_setresgid, sp->uid, sp->uid, sp->uid) < 0)
            S_fail("setresgid");
        if (syscall(SYS_setresuid, sp->uid, sp->uid, sp->uid) < 0)
            S_fail("setresuid");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        S_fail("no_new_privs");
    if (sp->ruleset >= 0 && syscall(SYS_landlock_restrict_self, S_RULESET, 0) < 0)
        S_fail("landlock");
    close(S_RULESET);
    if (chdir(sp->cwd) < 0)
        S_fail("chdir");
    if (sp->exec_fd >= 0)
        syscall(SYS_execveat, S_EXEC, "", sp->argv, sp->env, AT_EMPTY_PATH);
    else
        execve(sp->argv[0], sp->argv, sp->env);
    S_fail("exec");
}

static volatile pid_t S_prog;

/* init forwards SIGUSR2 (the grader's "who holds the GIL?") to the program,
 * and on SIGUSR1 ("stop it") kills the program's process group.  Why not
 * simply kill init: a dying init's children are reaped by the kernel
 * without their CPU time reaching anyone, and the report wants it. */
static void S_forward(int sig)
{
    if (S_prog > 0 && sig == SIGUSR2)
        kill(S_prog, sig);
    if (S_prog > 0 && sig == SIGUSR1) {
        kill(-S_prog, SIGKILL);
        kill(S_prog, SIGKILL);
    }
}

/* pid 1 of the new PID namespace: runs the program, times it, reaps every
 * orphan, and when the program ends kills whatever it left behind. */
static _Noreturn void S_init(const gr_spawn *sp)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* the keeper went: so do we */
    prctl(PR_SET_DUMPABLE, 0);        /* nothing may trace or read us */
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigaddset(&usr2, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr2, &old);
    uint64_t t0 = S_now();
    /* vfork: the program borrows init's memory until its exec, which it
     * reaches with system calls only; no copy of the grader's page tables
     * (several ms on a virtual machine).  The kernel allows it here, not
     * for init itself: that one starts a PID namespace. */
    pid_t p = vfork();
    if (p < 0)
        S_fail("fork");
    if (p == 0)
        S_program(sp);
    S_prog = p;
    close(1);
    close(2);
    close(S_RULESET);
    close(S_EXEC);
    struct sigaction sa = {.sa_handler = S_forward};
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);
    gr_spawn_msg m = {.tag = 'R'};
    struct rusage ru;
    for (;;) {
        int st;
        pid_t w = wait4(-1, &st, 0, &ru);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            break;
        if (w == p) {
            m.wall_ns = S_now() - t0;
            m.status = st;
            m.cpu_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
                       (uint64_t)ru.ru_utime.tv_usec * 1000u +
                       (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
                       (uint64_t)ru.ru_stime.tv_usec * 1000u;
            m.maxrss_kb = ru.ru_maxrss;
            break;
        }
    }
    kill(-1, SIGKILL); /* everything else in the namespace */
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ;
    (void)!write(S_INFO, &m, sizeof m);
    _exit(0);
}

/* The keeper: makes the namespaces, starts init in them, waits for it. */
static _Noreturn void S_keeper(const gr_spawn *sp)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* First the user namespace: writing our own uid_map needs us dumpable. */
    if (sp->userns && gr_userns_enter() < 0)
        S_fail("userns");
    prctl(PR_SET_DUMPABLE, 0);
    if (unshare(CLONE_NEWPID | CLONE_NEWNET) < 0)
        S_fail("unshare");
    S_loopback_up();
    pid_t init = fork();
    if (init < 0)
        S_fail("fork");
    if (init == 0)
        S_init(sp);
    /* Readable only once the namespace has its init. */
    struct stat st;
    if (stat("/proc/self/ns/pid_for_children", &st) < 0) {
        kill(init, SIGKILL);
        S_fail("pidns");
    }
    close(1);
    close(2);
    close(S_RULESET);
    close(S_EXEC);
    gr_spawn_msg m = {.tag = 'N', .pid = init, .ns = (uint64_t)st.st_ino};
    (void)!write(S_INFO, &m, sizeof m);
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

_Noreturn void gr_spawn_child(const gr_spawn *sp)
{
    S_fds(sp);
    if (sp->namespaces)
        S_keeper(sp);
    S_program(sp);
}
