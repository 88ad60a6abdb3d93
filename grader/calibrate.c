/*
 * calibrate.c - how much parallelism this machine gives us right now.
 *
 * sched_getaffinity says how many cores we may use; it does not say how
 * many are free.  On a shared 2-core machine with a neighbour compiling,
 * two threads may get 1.1 cores' worth of time, and a correct solution's
 * "2x" becomes 1.1x through no fault of its own.  So the grader measures
 * the capacity in the same session as the patterns, interleaved with them
 * (see patterns.c): `workers` threads spin lock-free arithmetic for 30 ms
 * and we divide the CPU time they got by the wall time: the number of
 * cores' worth of CPU the machine gave us just now.
 * Limit: it measures CPU, not memory bandwidth or caches.
 *
 * A CPU quota (cgroups: docker --cpus, Gradescope's "0.5 vCPU", systemd
 * CPUQuota=) fools a short spin.  The kernel hands out the quota per period
 * (100 ms by default), so a 30 ms spin that starts with a fresh budget runs
 * unthrottled and reads 0.8 cores where the box guarantees 0.5.  The
 * capacity would then promise a speedup the box cannot give, and a correct
 * solution could be convicted.  So gr_cpu_quota() reads the quota and the
 * patterns cap each round's capacity at it.
 */
#include "grader.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int gr_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    return 1;
}

static atomic_ullong S_sink; /* keeps the spin loop from being optimised away */

/* Spins (an LCG: no memory traffic, no locks) until `until_ns`. */
static void *S_spin(void *arg)
{
    uint64_t until = *(const uint64_t *)arg, x = 1;
    while (gr_now_ns() < until)
        for (int i = 0; i < 4096; i++)
            x = x * 6364136223846793005u + 1442695040888963407u;
    atomic_fetch_add_explicit(&S_sink, x, memory_order_relaxed);
    return NULL;
}

static uint64_t S_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Why CPU time and not "n workers vs one, same work": where the threads
 * land decides such a race.  With a hog pinned to core 1, a lone worker
 * that lands there runs at half speed, two workers split one fast and one
 * slow core, and the ratio claims 2 free cores.  CPU time over wall time
 * is what we were really given, wherever the threads ran. */
double gr_calibrate_round(int workers)
{
    pthread_t *t = gr_xmalloc((size_t)workers * sizeof *t);
    uint64_t w0 = gr_now_ns(), c0 = S_cpu_ns();
    uint64_t until = w0 + 30000000u; /* 30 ms */
    int started = 0;
    for (int i = 0; i < workers; i++)
        if (pthread_create(&t[i], NULL, S_spin, &until) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    double cap = (double)(S_cpu_ns() - c0) / (double)(gr_now_ns() - w0);
    free(t);
    return cap;
}

/* Reads up to two numbers from a one-line file ("max 100000", "-1").
 * Returns how many it read; "max" reads as -1. */
static int S_read_numbers(const char *path, long long *a, long long *b)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char word[32];
    int n = 0;
    if (fscanf(f, "%31s", word) == 1) {
        *a = strcmp(word, "max") == 0 ? -1 : atoll(word);
        n = 1;
        if (fscanf(f, "%lld", b) == 1)
            n = 2;
    }
    fclose(f);
    return n;
}

/* The tightest quota (in cores) on `dir` and its ancestors up to `root`,
 * or 0 if none.  v2 keeps "QUOTA PERIOD" in cpu.max; v1 keeps them in
 * cpu.cfs_quota_us and cpu.cfs_period_us.  Directories that do not exist
 * are skipped: in a container without a cgroup namespace /proc/self/cgroup
 * names a path outside the container's view, whose root is the container. */
static double S_quota_walk(const char *root, const char *dir, int v2)
{
    char path[4096];
    double best = 0;
    size_t len = strlen(dir);
    for (;;) {
        long long q = -1, period = 0;
        int ok;
        if (v2) {
            snprintf(path, sizeof path, "%s%.*s/cpu.max", root, (int)len, dir);
            ok = S_read_numbers(path, &q, &period) == 2;
        } else {
            long long unused;
            snprintf(path, sizeof path, "%s%.*s/cpu.cfs_quota_us", root, (int)len, dir);
            ok = S_read_numbers(path, &q, &unused) >= 1;
            snprintf(path, sizeof path, "%s%.*s/cpu.cfs_period_us", root, (int)len,
                     dir);
            ok = ok && S_read_numbers(path, &period, &unused) >= 1;
        }
        if (ok && q > 0 && period > 0) {
            double cores = (double)q / (double)period;
            if (best == 0 || cores < best)
                best = cores;
        }
        if (len == 0)
            break;
        while (len > 0 && dir[len - 1] != '/') /* up one level */
            len--;
        if (len > 0)
            len--; /* drop the slash; "" is the root */
    }
    return best;
}

double gr_cpu_quota(void)
{
    const char *root = getenv("GRADER_CGROUP_ROOT");
    if (!root || !*root)
        root = "/sys/fs/cgroup";
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return 0;
    static const char *const v1_mounts[] = {"/cpu", "/cpu,cpuacct", "/cpuacct,cpu"};
    char line[4096], base[4096];
    double best = 0;
    while (fgets(line, sizeof line, f)) {
        /* "ID:CONTROLLERS:PATH"; v2 is "0::PATH". */
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        line[strcspn(line, "\n")] = '\0';
        *c2 = '\0';
        const char *ctrl = c1 + 1, *dir = c2 + 1;
        if (strcmp(dir, "/") == 0)
            dir = "";
        double q = 0;
        if (*ctrl == '\0') {
            q = S_quota_walk(root, dir, 1);
            if (q == 0) { /* hybrid layouts mount v2 at unified/ */
                snprintf(base, sizeof base, "%s/unified", root);
                q = S_quota_walk(base, dir, 1);
            }
        } else {
            char ctrls[256];
            snprintf(ctrls, sizeof ctrls, ",%s,", ctrl);
            if (!strstr(ctrls, ",cpu,"))
                continue;
            for (size_t i = 0; i < sizeof v1_mounts / sizeof *v1_mounts && q == 0;
                 i++) {
                snprintf(base, sizeof base, "%s%s", root, v1_mounts[i]);
                q = S_quota_walk(base, dir, 0);
            }
        }
        if (q > 0 && (best == 0 || q < best))
            best = q;
    }
    fclose(f);
    return best;
}
