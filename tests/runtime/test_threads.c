/*
 * test_threads.c - real OS threads, blocking calls that release the GIL,
 * misuse caught with a clear message, fork, and the deadlock report.
 */
#include "rt_test_util.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

static int count_os_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int os_thread_exists(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d", (int)tid);
    return access(path, F_OK) == 0;
}

static void forked_child_work_noop(void *p)
{
    (void)p;
}

static void block_on_pipe(void *p)
{
    int fd = *(int *)p;
    char c;
    CHECK(rt_read(fd, &c, 1) == 1);
}

/* Each runtime thread is its own kernel thread, as each Python thread is. */
CASE(one_os_thread_per_runtime_thread)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    /* Sanitizers may start helper threads of their own on the first
     * pthread_create: start and join one thread before counting. */
    rt_thread *warm = rt_thread_start(forked_child_work_noop, NULL);
    CHECK(warm && rt_thread_join(warm) == 0);
    int before = count_os_threads();
    int p[2];
    CHECK(pipe(p) == 0);
    rt_thread *t[4];
    for (int i = 0; i < 4; i++)
        CHECK((t[i] = rt_thread_start(block_on_pipe, &p[0])) != NULL);
    CHECK(count_os_threads() == before + 4);
    CHECK(rt_thread_count() == 5);
    for (int i = 0; i < 4; i++) {
        CHECK(os_thread_exists(rt_thread_os_id(t[i])));
        for (int j = 0; j < i; j++)
            CHECK(rt_thread_os_id(t[i]) != rt_thread_os_id(t[j]));
    }
    CHECK(rt_write(p[1], "abcd", 4) == 4);
    for (int i = 0; i < 4; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    CHECK(rt_thread_count() == 1);
    close(p[0]);
    close(p[1]);
    rt_fini();
}

static void sleeper(void *p)
{
    (void)p;
    CHECK(rt_sleep_us(100000) == 0);
}

/* Four threads sleeping at once: only possible if each released the GIL. */
CASE(sleep_releases_the_gil)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    rt_thread *t[4];
    for (int i = 0; i < 4; i++)
        CHECK((t[i] = rt_thread_start(sleeper, NULL)) != NULL);
    for (int i = 0; i < 4; i++)
        CHECK(rt_thread_join(t[i]) == 0);
    rt_stats st;
    rt_stats_get(&st);
    CHECKF(st.max_blocked >= 4, "max_blocked %d", st.max_blocked);
    CHECK(rt_sleep_us(-1) == -EINVAL);
    rt_fini();
}

/* A thread blocked in recv must not stop the main thread running Python
 * code and sending: if recv kept the GIL, this would deadlock. */
static void echo_once(void *p)
{
    int fd = *(int *)p;
    char buf[16];
    ssize_t n = rt_recv(fd, buf, sizeof buf, 0);
    CHECK(n == 5);
    CHECK(rt_send(fd, buf, (size_t)n, 0) == 5);
}

CASE(socket_calls_release_the_gil)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    rt_thread *t = rt_thread_start(echo_once, &sv[1]);
    CHECK(t);
    rt_bytecodes(100000); /* Python code runs while the thread waits */
    CHECK(rt_send(sv[0], "hello", 5, 0) == 5);
    char buf[8];
    CHECK(rt_recv(sv[0], buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(rt_thread_join(t) == 0);
    close(sv[0]);
    close(sv[1]);
    CHECK(rt_read(-1, buf, 1) == -EBADF);
    CHECK(rt_write(-1, buf, 1) == -EBADF);
    rt_fini();
}

typedef struct {
    int listen_fd;
    int accepted;
} accept_state;

static void acceptor(void *p)
{
    accept_state *s = p;
    s->accepted = rt_accept(s->listen_fd, NULL, NULL);
}

CASE(accept_and_connect_release_the_gil)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/rt-test-%d.sock",
             (int)getpid());
    unlink(addr.sun_path);
    CHECK(bind(l, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(listen(l, 4) == 0);
    accept_state s = {l, -1};
    rt_thread *t = rt_thread_start(acceptor, &s);
    CHECK(t);
    rt_bytecodes(50000);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(rt_connect(c, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(rt_thread_join(t) == 0);
    CHECK(s.accepted >= 0);
    close(s.accepted);
    close(c);
    close(l);
    unlink(addr.sun_path);
    rt_fini();
}

/* ---------------------------------------------------------------- misuse */

static void misuse_release_twice(void)
{
    CHECK(rt_init(NULL) == 0);
    rt_save_thread();
    rt_save_thread();
}

static void misuse_double_attach(void)
{
    CHECK(rt_init(NULL) == 0);
    rt_attach("again");
}

static void *raw_thread_attaches_and_leaves(void *p)
{
    (void)p;
    rt_attach("leaver");
    return NULL; /* no rt_detach */
}

static void misuse_exit_holding(void)
{
    CHECK(rt_init(NULL) == 0);
    pthread_t t;
    RT_BEGIN_ALLOW_THREADS
        pthread_create(&t, NULL, raw_thread_attaches_and_leaves, NULL);
        pthread_join(t, NULL);
    RT_END_ALLOW_THREADS
}

static void returns_while_released(void *p)
{
    (void)p;
    rt_save_thread();
}

static void misuse_return_in_allow_threads(void)
{
    CHECK(rt_init(NULL) == 0);
    rt_thread *t = rt_thread_start(returns_while_released, NULL);
    rt_thread_join(t);
}

static void expect_fatal(void (*fn)(void), const char *message)
{
    int status;
    const char *err = tu_child_stderr(fn, &status);
    CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "status %#x, stderr: %s",
           status, err);
    CHECKF(strstr(err, "rt: fatal: ") && strstr(err, message), "stderr was: %s", err);
}

CASE(misuse_is_caught_with_a_message)
{
    expect_fatal(misuse_release_twice, "releases the GIL but does not hold it");
    expect_fatal(misuse_double_attach, "attached twice");
    expect_fatal(misuse_exit_holding, "exited while holding the GIL");
    expect_fatal(misuse_return_in_allow_threads,
                 "returned inside an allow-threads region");
}

/* ---------------------------------------------------------------- fork */

static void forked_child_work(void *p)
{
    *(int *)p = 1;
    rt_bytecodes(1000);
}

CASE(fork_child_gets_a_fresh_runtime)
{
    tu_init(RT_GIL_CPYTHON, 0, 0);
    int p[2];
    CHECK(pipe(p) == 0);
    rt_thread *blocked = rt_thread_start(block_on_pipe, &p[0]);
    CHECK(blocked && rt_thread_count() == 2);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        rt_after_fork_child();
        int ok =
            rt_thread_count() == 1 && rt_holds_gil() && rt_tstate_id(rt_current()) == 0;
        int ran = 0;
#if defined(__SANITIZE_THREAD__)
        /* ThreadSanitizer cannot start threads after a multi-threaded fork
         * ("not supported"); run the work on the surviving thread instead. */
        forked_child_work(&ran);
#else
        rt_thread *t = rt_thread_start(forked_child_work, &ran);
        ok = ok && t && rt_thread_join(t) == 0;
#endif
        ok = ok && ran == 1;
        rt_fini();
        _exit(ok ? 0 : 3);
    }
    int status;
    RT_BEGIN_ALLOW_THREADS
        waitpid(pid, &status, 0);
    RT_END_ALLOW_THREADS
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
    CHECK(rt_write(p[1], "x", 1) == 1);
    CHECK(rt_thread_join(blocked) == 0);
    close(p[0]);
    close(p[1]);
    rt_fini();
}

/* ---------------------------------------------------------------- report */

static void hog_forever(void *p)
{
    (void)p;
    for (;;) { /* pure C, never a checkpoint: keeps the GIL for ever */
    }
}

static int S_ready_fd = -1;

static void deadlocked_program(void)
{
    setenv("RT_DEADLOCK_REPORT", "1", 1);
    CHECK(rt_init(NULL) == 0); /* installs the SIGUSR2 handler */
    rt_thread_start_named("hog", hog_forever, NULL);
    CHECK(write(S_ready_fd, "r", 1) == 1); /* now it is safe to signal us */
    /* Give the GIL away until the hog has it; then the next retake never
     * succeeds: the hog holds it for ever and main waits for ever. */
    for (;;)
        rt_sleep_us(1000);
}

/* Whether one line of `buf` contains both a and b. */
static int S_line_has(const char *buf, const char *a, const char *b)
{
    for (const char *line = buf; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char one[512];
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        if (strstr(one, a) && strstr(one, b))
            return 1;
        line += len + (end != NULL);
    }
    return 0;
}

/* Runs program() in a child whose stderr comes back through *err_fd, and
 * returns once the child has said it is ready (program writes a byte to
 * S_ready_fd after rt_init): SIGUSR2's default action would kill a child
 * that has not installed the report handler yet.  Caller kills, reaps and
 * closes. */
static pid_t S_start_reporter(void (*program)(void), int *err_fd)
{
    int err[2], ready[2];
    CHECK(pipe(err) == 0 && pipe(ready) == 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        close(ready[0]);
        S_ready_fd = ready[1];
        alarm(60);
        program();
        _exit(0);
    }
    close(err[1]);
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    *err_fd = err[0];
    return pid;
}

/* The parent asks until the report names the hog: the first answers may
 * come before the hog has taken the GIL. */
CASE(deadlock_report_names_the_holder)
{
    int err;
    pid_t pid = S_start_reporter(deadlocked_program, &err);
    fcntl(err, F_SETFL, O_NONBLOCK);
    char buf[4096] = {0};
    size_t n = 0;
    const char *holder = "rt: GIL held by thread 1 (hog) for ";
    const char *waiter = "; 1 thread(s) waiting";
    for (int tries = 0; tries < 300 && !S_line_has(buf, holder, waiter); tries++) {
        kill(pid, SIGUSR2);
        usleep(100000);
        ssize_t r = read(err, buf + n, sizeof buf - 1 - n);
        if (r > 0)
            n += (size_t)r;
        if (n > sizeof buf / 2) { /* keep only the latest reports */
            memset(buf, 0, sizeof buf);
            n = 0;
        }
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(err);
    CHECKF(S_line_has(buf, holder, waiter), "report: %s", buf);
}

/* A lone thread that never lets go (a raw blocking read, say) is named,
 * with no made-up duration: holds taken alone are not timed. */
static void lone_program(void)
{
    setenv("RT_DEADLOCK_REPORT", "1", 1);
    CHECK(rt_init(NULL) == 0);
    CHECK(write(S_ready_fd, "r", 1) == 1);
    for (;;)
        pause(); /* holding the GIL, never a checkpoint */
}

CASE(deadlock_report_lone_holder)
{
    int err;
    pid_t pid = S_start_reporter(lone_program, &err);
    fcntl(err, F_SETFL, O_NONBLOCK);
    char buf[512] = {0};
    size_t n = 0;
    /* Ask again until a whole line comes: under ThreadSanitizer a signal
     * that lands between the child's "ready" write and its pause() can be
     * held back by the sanitizer, on a busy machine for good. */
    for (int tries = 0; tries < 300 && !strchr(buf, '\n'); tries++) {
        kill(pid, SIGUSR2);
        usleep(100000);
        ssize_t r = read(err, buf + n, sizeof buf - 1 - n);
        if (r > 0)
            n += (size_t)r;
    }
    char *nl = strchr(buf, '\n'); /* one report is enough */
    if (nl)
        nl[1] = '\0';
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(err);
    CHECKF(strcmp(buf, "rt: GIL held by thread 0 (main); 0 thread(s) waiting\n") == 0,
           "report: %s", buf);
}

int main(int argc, char **argv)
{
    return check_main(
        argc, argv,
        CASES(one_os_thread_per_runtime_thread, sleep_releases_the_gil,
              socket_calls_release_the_gil, accept_and_connect_release_the_gil,
              misuse_is_caught_with_a_message, fork_child_gets_a_fresh_runtime,
              deadlock_report_names_the_holder, deadlock_report_lone_holder));
}
