/*
 * isolation.c - what this kernel lets the grader do to keep a submission
 * (and the compiler working on it) away from everything else, and the
 * Landlock rulesets that do part of it.
 *
 * The layers, each used where it is available and reported either way
 * (`gr_isolation_json`, the report's machine.isolation):
 *
 *   own uid      as root, every sandboxed process gets a uid of its own: it
 *                cannot signal, trace or write anything of the grader's.
 *   namespaces   a PID namespace (the program cannot see or signal anything
 *                outside it, and everything in it dies with its init) and a
 *                network namespace (only a loopback of its own).  Root can
 *                make them; an ordinary user can when the kernel allows
 *                unprivileged user namespaces (most do; some distributions
 *                switch them off).
 *   Landlock     (Linux 5.13+, unprivileged) file rules: read only system
 *                directories and what the grader hands over, write only the
 *                working directory; ABI 4 (6.7+) TCP rules, used when there
 *                is no network namespace; ABI 6 (6.12+) signal scoping: no
 *                signal to any process outside the sandbox, the grader
 *                included.
 *
 * Debian 12's kernel headers stop at Landlock ABI 3, so the later
 * constants are defined here and the ABI is probed at run time: a grader
 * built on old headers still uses a new kernel's rules.
 *
 * Limits, admitted: without root, namespaces and Landlock there is no
 * isolation but limits (the program runs as the learner, on the learner's
 * machine); Landlock does not cover connect() to a named unix socket.
 * GRADER_LANDLOCK_ABI=N caps the ABI used and GRADER_NO_NAMESPACES=1 turns
 * namespaces off, so the tests can check each fallback on one kernel.
 */
#include "grader.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
/* ABI 4: TCP.  A second rule type and a second field in the ruleset. */
#define S_LL_NET_BIND_TCP    (1ULL << 0)
#define S_LL_NET_CONNECT_TCP (1ULL << 1)
/* ABI 6: scoping, a third field. */
#define S_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define S_LL_SCOPE_SIGNAL        (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels get a prefix. */
typedef struct S_ll_attr {
    uint64_t fs, net, scoped;
} S_ll_attr;

#define S_RD   (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define S_EXEC LANDLOCK_ACCESS_FS_EXECUTE

static gr_isolation S_iso;
static pthread_once_t S_once = PTHREAD_ONCE_INIT;

static long S_env_long(const char *name, long def)
{
    const char *s = getenv(name);
    return s && *s ? atol(s) : def;
}

/* Writes s to path; 0 or -1.  Async-signal-safe (used in forked children). */
static int S_write_str(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, s, strlen(s));
    close(fd);
    return n == (ssize_t)strlen(s) ? 0 : -1;
}

int gr_userns_enter(void)
{
    /* Formatted before unshare: after it, getuid() is the overflow uid. */
    char um[48], gm[48];
    snprintf(um, sizeof um, "%u %u 1", (unsigned)getuid(), (unsigned)getuid());
    snprintf(gm, sizeof gm, "%u %u 1", (unsigned)getgid(), (unsigned)getgid());
    if (unshare(CLONE_NEWUSER) < 0)
        return -errno;
    /* Our own uid and gid, mapped to themselves: inside we are who we were,
     * with capabilities over the namespaces we create from here, which an
     * exec as a non-zero uid drops again. */
    if (S_write_str("/proc/self/setgroups", "deny") < 0 ||
        S_write_str("/proc/self/uid_map", um) < 0 ||
        S_write_str("/proc/self/gid_map", gm) < 0)
        return -EPERM;
    return 0;
}

/* Can we make PID and network namespaces?  Tried in a child, which exits. */
static int S_probe_namespaces(int need_userns)
{
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        if (need_userns && gr_userns_enter() < 0)
            _exit(1);
        _exit(unshare(CLONE_NEWPID | CLONE_NEWNET) == 0 ? 0 : 1);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void S_probe(void)
{
    gr_isolation *s = &S_iso;
    s->root = geteuid() == 0;
    long abi =
        syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    s->landlock_abi = abi > 0 ? (int)abi : 0;
    long cap = S_env_long("GRADER_LANDLOCK_ABI", -1);
    if (cap >= 0 && s->landlock_abi > cap)
        s->landlock_abi = (int)cap;
    s->userns = !s->root;
    s->namespaces =
        !S_env_long("GRADER_NO_NAMESPACES", 0) && S_probe_namespaces(s->userns);
    s->ll_files = s->landlock_abi >= 1;
    s->ll_tcp = s->landlock_abi >= 4 && !s->namespaces;
    s->ll_scope = s->landlock_abi >= 6;
}

const gr_isolation *gr_isolation_get(void)
{
    pthread_once(&S_once, S_probe);
    return &S_iso;
}

json_t *gr_isolation_json(void)
{
    const gr_isolation *s = gr_isolation_get();
    const char *net = s->namespaces ? "cut (a network namespace of its own)"
                      : s->ll_tcp   ? "TCP cut (Landlock); no namespace available, so "
                                      "UDP and unix sockets stay open"
                                    : "open: no namespace available and no Landlock "
                                      "TCP rules (Linux 6.7+)";
    const char *sig =
        s->namespaces && s->ll_scope
            ? "cannot reach the grader (PID namespace; Landlock signal scoping)"
        : s->namespaces ? "cannot reach the grader (PID namespace)"
        : s->ll_scope   ? "cannot reach the grader (Landlock signal scoping)"
        : s->root       ? "cannot reach the grader (a uid of its own)"
                        : "open: the program could signal the grader (no root, no "
                          "namespaces, no Landlock ABI 6)";
    const char *files = s->ll_files && s->root
                            ? "reads system directories only, writes its own "
                              "directory only (Landlock; a uid of its own)"
                        : s->ll_files ? "reads system directories only, writes its "
                                        "own directory only (Landlock)"
                        : s->root     ? "a uid of its own: cannot write the grader's "
                                        "files, can read what every user can"
                                  : "open: reads and writes what you can (no root, no "
                                    "Landlock)";
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b}", "network", net, "signals",
                     sig, "files", files, "processes",
                     s->namespaces ? "a PID namespace: all killed with its init"
                     : s->root     ? "a uid of its own: all killed by uid"
                               : "process group, and orphans come back to the grader",
                     "landlock_abi", s->landlock_abi, "namespaces", s->namespaces,
                     "own_uid", s->root);
}

/* ------------------------------------------------------------ Landlock */

/* Every file right this ABI knows (what the ruleset handles: anything not
 * granted by a rule below is denied). */
static uint64_t S_fs_all(int abi)
{
    uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
    if (abi >= 2)
        all |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        all |= LANDLOCK_ACCESS_FS_TRUNCATE;
    return all;
}

/* Grants `access` beneath path.  A path that does not exist is skipped
 * (not every system has /lib32); a regular file gets only the file rights
 * of `access` (the kernel refuses directory rights on a file). */
static int S_allow(int rs, const char *path, uint64_t access)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        access &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                  LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
    struct landlock_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
    int rc =
        (int)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    return rc < 0 ? -e : 0;
}

/* Is `inner` equal to or beneath `outer`? */
static int S_beneath(const char *inner, const char *outer)
{
    size_t n = strlen(outer);
    return inner && !strncmp(inner, outer, n) && (inner[n] == '/' || inner[n] == '\0');
}

/* System directories a program or the compiler reads (and runs programs
 * from).  A directory that holds one of `secret` (the workbook, the build)
 * is left out: nothing of the course may become readable because it was
 * checked out under /usr. */
static const char *const S_system[] = {
    "/usr/bin",       "/usr/lib",    "/usr/lib32",
    "/usr/lib64",     "/usr/libx32", "/usr/libexec",
    "/usr/include",   "/usr/share",  "/usr/local/include",
    "/usr/local/lib", "/bin",        "/lib",
    "/lib32",         "/lib64",      "/libx32",
    "/etc",           NULL};

int gr_landlock_ruleset(const gr_landlock_spec *sp, char **why)
{
    const gr_isolation *iso = gr_isolation_get();
    *why = NULL;
    if (!iso->ll_files)
        return -ENOSYS;
    int abi = iso->landlock_abi;
    S_ll_attr attr = {.fs = S_fs_all(abi)};
    size_t size = sizeof attr.fs;
    if (abi >= 4) {
        attr.net = iso->ll_tcp ? S_LL_NET_BIND_TCP | S_LL_NET_CONNECT_TCP : 0;
        size = 2 * sizeof(uint64_t);
    }
    if (abi >= 6) {
        attr.scoped = S_LL_SCOPE_SIGNAL | S_LL_SCOPE_ABSTRACT_UNIX;
        size = sizeof attr;
    }
    int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (rs < 0) {
        *why = gr_fmt("landlock_create_ruleset: %s", strerror(errno));
        return -errno;
    }
    uint64_t all = attr.fs;
    uint64_t rw_file = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                       (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
    int rc = 0;
    for (int i = 0; S_system[i] && rc == 0; i++) {
        int hides = 0;
        for (int k = 0; sp->secret && sp->secret[k]; k++)
            hides |= S_beneath(sp->secret[k], S_system[i]);
        if (!hides)
            rc = S_allow(rs, S_system[i], S_RD | S_EXEC);
    }
    static const char *const devs[] = {"/dev/zero", "/dev/urandom", "/dev/random",
                                       "/dev/full", NULL};
    if (rc == 0)
        rc = S_allow(rs, "/dev/null", rw_file);
    for (int i = 0; devs[i] && rc == 0 && sp->devices; i++)
        rc = S_allow(rs, devs[i], LANDLOCK_ACCESS_FS_READ_FILE);
    if (rc == 0 && sp->proc) {
        rc = S_allow(rs, "/proc", S_RD);
        if (rc == 0)
            rc = S_allow(rs, "/sys", S_RD);
    }
    for (int i = 0; sp->read && sp->read[i] && rc == 0; i++)
        rc = S_allow(rs, sp->read[i], S_RD);
    for (int i = 0; sp->exec && sp->exec[i] && rc == 0; i++)
        rc = S_allow(rs, sp->exec[i], S_RD | S_EXEC);
    if (rc == 0 && sp->write)
        rc = S_allow(rs, sp->write, all);
    if (rc < 0) {
        *why = gr_fmt("landlock_add_rule: %s", strerror(-rc));
        close(rs);
        return rc;
    }
    return rs;
}
