/*
 * diag.c - the deadlock report: who holds the GIL, and for how long.
 *
 * A program that hangs under a GIL almost always hangs because one thread
 * holds it and waits for something another thread can only do with the
 * GIL.  With RT_DEADLOCK_REPORT=1, SIGUSR2 makes the runtime say which
 * thread holds it, so the grader (which sends SIGUSR2 before killing a
 * program that ran out of time) can name the culprit.
 *
 * Only async-signal-safe work happens in the handler: atomic loads,
 * clock_gettime, and write(2) of a line formatted by hand.
 */
#include "rt_internal.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct sigaction S_old;
static int S_installed;

static char *S_put(char *p, char *end, const char *s)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

static char *S_put_num(char *p, char *end, unsigned long long v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 24);
    while (n && p < end)
        *p++ = digits[--n];
    return p;
}

static void S_report(int sig)
{
    (void)sig;
    char line[256], *p = line, *end = line + sizeof line - 1;
    uint64_t since;
    int waiting;
    int id = rt__gil_holder_id(&since, &waiting);
    if (id < 0) {
        p = S_put(p, end, "rt: GIL held by nobody; ");
    } else {
        p = S_put(p, end, "rt: GIL held by thread ");
        p = S_put_num(p, end, (unsigned)id);
        p = S_put(p, end, " (");
        p = S_put(p, end, rt_trace_thread_name(id));
        p = S_put(p, end, ")");
        if (since) { /* holds taken while the thread was alone are not timed */
            p = S_put(p, end, " for ");
            p = S_put_num(p, end, (rt_now_ns() - since) / 1000000);
            p = S_put(p, end, " ms");
        }
        p = S_put(p, end, "; ");
    }
    p = S_put_num(p, end, (unsigned)(waiting > 0 ? waiting : 0));
    p = S_put(p, end, " thread(s) waiting\n");
    ssize_t unused = write(STDERR_FILENO, line, (size_t)(p - line));
    (void)unused;
}

void rt__diag_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = S_report;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR2, &sa, &S_old) == 0)
        S_installed = 1;
}

void rt__diag_uninstall(void)
{
    if (S_installed)
        sigaction(SIGUSR2, &S_old, NULL);
    S_installed = 0;
}
