/*
 * check.h - the project's tiny test harness (header only).
 *
 * A test file defines cases with CASE(name) { ... } and lists them in main:
 *
 *     CASE(mutual_exclusion) { CHECK(x == 1); }
 *     int main(int argc, char **argv) { return check_main(argc, argv, CASES(
 *         mutual_exclusion, fairness)); }
 *
 * Each case runs in a child process of its own (fresh runtime, a crash or an
 * abort fails that case only) with a time limit (CHECK_TIMEOUT seconds,
 * default 120).  Output is TAP-like, one line per case: "ok 3 - name" or
 * "not ok 3 - name"; tests/run-tests.sh counts those lines.  A CHECK that
 * fails prints "file:line: check failed: expr" and ends its case.
 * `./test_x name` runs one case in-process (for gdb).
 */
#ifndef CHECK_H
#define CHECK_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef void (*check_fn)(void);
typedef struct check_case {
    const char *name;
    check_fn fn;
} check_case;

#define CASE(name) static void name(void)

#define CHECK(expr)                                                                    \
    do {                                                                               \
        if (!(expr)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr);   \
            fflush(NULL);                                                              \
            _exit(1);                                                                  \
        }                                                                              \
    } while (0)

/* CHECKF(cond, fmt, ...): like CHECK, with the figures that explain it. */
#define CHECKF(expr, ...)                                                              \
    do {                                                                               \
        if (!(expr)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #expr);   \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            fflush(NULL);                                                              \
            _exit(1);                                                                  \
        }                                                                              \
    } while (0)

#define CHECK_CASE_(fn) {#fn, fn},
#define CHECK_MAP1_(m, x) m(x)
#define CASES(...) ((check_case[]){CHECK_EACH_(__VA_ARGS__){NULL, NULL}})
/* Up to 32 cases per file. */
#define CHECK_EACH_(...) CHECK_E_N_(__VA_ARGS__, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)(__VA_ARGS__)
#define CHECK_E_N_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, N, ...) CHECK_E_##N
#define CHECK_E_1(a) CHECK_CASE_(a)
#define CHECK_E_2(a, ...) CHECK_CASE_(a) CHECK_E_1(__VA_ARGS__)
#define CHECK_E_3(a, ...) CHECK_CASE_(a) CHECK_E_2(__VA_ARGS__)
#define CHECK_E_4(a, ...) CHECK_CASE_(a) CHECK_E_3(__VA_ARGS__)
#define CHECK_E_5(a, ...) CHECK_CASE_(a) CHECK_E_4(__VA_ARGS__)
#define CHECK_E_6(a, ...) CHECK_CASE_(a) CHECK_E_5(__VA_ARGS__)
#define CHECK_E_7(a, ...) CHECK_CASE_(a) CHECK_E_6(__VA_ARGS__)
#define CHECK_E_8(a, ...) CHECK_CASE_(a) CHECK_E_7(__VA_ARGS__)
#define CHECK_E_9(a, ...) CHECK_CASE_(a) CHECK_E_8(__VA_ARGS__)
#define CHECK_E_10(a, ...) CHECK_CASE_(a) CHECK_E_9(__VA_ARGS__)
#define CHECK_E_11(a, ...) CHECK_CASE_(a) CHECK_E_10(__VA_ARGS__)
#define CHECK_E_12(a, ...) CHECK_CASE_(a) CHECK_E_11(__VA_ARGS__)
#define CHECK_E_13(a, ...) CHECK_CASE_(a) CHECK_E_12(__VA_ARGS__)
#define CHECK_E_14(a, ...) CHECK_CASE_(a) CHECK_E_13(__VA_ARGS__)
#define CHECK_E_15(a, ...) CHECK_CASE_(a) CHECK_E_14(__VA_ARGS__)
#define CHECK_E_16(a, ...) CHECK_CASE_(a) CHECK_E_15(__VA_ARGS__)
#define CHECK_E_17(a, ...) CHECK_CASE_(a) CHECK_E_16(__VA_ARGS__)
#define CHECK_E_18(a, ...) CHECK_CASE_(a) CHECK_E_17(__VA_ARGS__)
#define CHECK_E_19(a, ...) CHECK_CASE_(a) CHECK_E_18(__VA_ARGS__)
#define CHECK_E_20(a, ...) CHECK_CASE_(a) CHECK_E_19(__VA_ARGS__)
#define CHECK_E_21(a, ...) CHECK_CASE_(a) CHECK_E_20(__VA_ARGS__)
#define CHECK_E_22(a, ...) CHECK_CASE_(a) CHECK_E_21(__VA_ARGS__)
#define CHECK_E_23(a, ...) CHECK_CASE_(a) CHECK_E_22(__VA_ARGS__)
#define CHECK_E_24(a, ...) CHECK_CASE_(a) CHECK_E_23(__VA_ARGS__)
#define CHECK_E_25(a, ...) CHECK_CASE_(a) CHECK_E_24(__VA_ARGS__)
#define CHECK_E_26(a, ...) CHECK_CASE_(a) CHECK_E_25(__VA_ARGS__)
#define CHECK_E_27(a, ...) CHECK_CASE_(a) CHECK_E_26(__VA_ARGS__)
#define CHECK_E_28(a, ...) CHECK_CASE_(a) CHECK_E_27(__VA_ARGS__)
#define CHECK_E_29(a, ...) CHECK_CASE_(a) CHECK_E_28(__VA_ARGS__)
#define CHECK_E_30(a, ...) CHECK_CASE_(a) CHECK_E_29(__VA_ARGS__)
#define CHECK_E_31(a, ...) CHECK_CASE_(a) CHECK_E_30(__VA_ARGS__)
#define CHECK_E_32(a, ...) CHECK_CASE_(a) CHECK_E_31(__VA_ARGS__)

static inline int check_main(int argc, char **argv, const check_case *cases)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    const char *tmo = getenv("CHECK_TIMEOUT");
    unsigned timeout = tmo ? (unsigned)atoi(tmo) : 120;
    int n = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (const check_case *c = cases; c->name; c++) {
        if (only) {
            if (strcmp(only, c->name) == 0) {
                c->fn();
                printf("ok 1 - %s\n", c->name);
                return 0;
            }
            continue;
        }
        n++;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            alarm(timeout); /* SIGALRM ends a hung case */
            c->fn();
            fflush(NULL);
            _exit(0);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            printf("ok %d - %s\n", n, c->name);
        } else {
            failed++;
            if (WIFSIGNALED(status))
                printf("not ok %d - %s (killed by signal %d%s)\n", n, c->name,
                       WTERMSIG(status),
                       WTERMSIG(status) == SIGALRM ? ": timed out" : "");
            else
                printf("not ok %d - %s\n", n, c->name);
        }
    }
    if (only) {
        fprintf(stderr, "no case named %s\n", only);
        return 2;
    }
    printf("1..%d\n", n);
    return failed ? 1 : 0;
}

#endif /* CHECK_H */
