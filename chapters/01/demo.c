/*
 * demo.c - chapter 1's demo: is a job waiting or computing?
 *
 *   make chapter1            (or: make demo-1, or run build/demos/01/demo)
 *   build/demos/01/demo show [--reps N] [--quick]
 *   build/demos/01/demo measure job <JOB>
 *   build/demos/01/demo measure serial <JOB> N | threads <JOB> N
 *       JOB: sleep, hash, read-cached, read-cold, mixed
 *
 * `show` runs five jobs one at a time on the main thread and asks the
 * kernel where each one's wall time went: on a core (CPU time), queued for
 * a core (runnable, every core busy with someone else), or parked (asleep,
 * waiting for a timer or a device).  The share of wall time a job wanted a
 * core decides its verdict: CPU-bound, I/O-bound or mixed.  Then it runs 4
 * copies of three of the jobs on 4 threads under the GIL: the waits
 * overlap, the computing does not.  Beside each row, CPython's figure for
 * the same job, measured now by chapters/01/twin.py.
 *
 * `measure` runs one job once and prints the exercise kit's measure line:
 * chapters/01/claims.yaml checks the chapter's claims on those lines with
 * the grader's judge (`grader claims 1`).
 *
 * The read jobs use a file the demo writes beside its own executable (on
 * the build directory's disk, not on a /tmp that may live in memory) and
 * removes when it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "exkit.h"
#include "rt.h"

#define MAX_THREADS 8
#define MAX_REPS    9
#define MiB         (1u << 20)
#define BLOCK       4096 /* one random read */

/* How big each job is (`show --quick` halves most of it). */
typedef struct sizes {
    long sleep_ms;      /* sleep */
    size_t hash_bytes;  /* hash */
    size_t file_bytes;  /* read-cached reads all of it */
    int cold_reads;     /* read-cold: this many random 4 KiB reads */
    size_t mixed_bytes; /* mixed: hash this much ... */
    long mixed_ms;      /* ... then sleep this long */
} sizes;
static sizes S_size = {100, 32 * MiB, 32 * MiB, 512, 16 * MiB, 25};
static const sizes S_quick = {50, 8 * MiB, 8 * MiB, 128, 4 * MiB, 8};

static uint8_t *S_data;          /* hash input, S_size.hash_bytes */
static char S_path[4096];        /* the read jobs' file */
static volatile uint64_t S_sink; /* results land here, so no work is dropped */

/* ------------------------------------------------------------------ */
/* The jobs                                                            */
/* ------------------------------------------------------------------ */

// [hash]
/* Computing: FNV-1a, a real (non-cryptographic) hash, over a buffer.  The
 * thread holds the GIL from start to end, as Python code does; every 4 KiB
 * it checks whether another thread has asked for a turn, as CPython's
 * interpreter loop checks its eval breaker. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u; /* the FNV offset basis */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3u; /* the 64-bit FNV prime */
        if ((i & 4095) == 4095)
            rt_checkpoint();
    }
    return h;
}
// [end]

// [sleep]
/* Waiting: ask the kernel to wake this thread in `ms`.  rt_sleep_us lets
 * go of the GIL first and takes it back after, as time.sleep does. */
static void job_sleep(long ms)
{
    rt_sleep_us(ms * 1000);
}
// [end]

/* read-cached: the whole file, 1 MiB at a time, with rt_read (which lets go
 * of the GIL around read(2), as Python's file objects do).  The demo wrote
 * the file a moment ago, so the kernel still has it in memory. */
static void job_read_cached(void)
{
    static uint8_t buf[MiB];
    int fd = open(S_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        exkit_fail("open %s: %s", S_path, strerror(errno));
    ssize_t n;
    uint64_t total = 0;
    while ((n = rt_read(fd, buf, sizeof buf)) > 0)
        total += (uint64_t)n + buf[0];
    close(fd);
    S_sink += total;
}

// [cold]
/* Before read-cold: ask the kernel to forget the file's pages and not to
 * read ahead, so each read below must wait for the device. */
static int cold_open(void)
{
    int fd = open(S_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        exkit_fail("open %s: %s", S_path, strerror(errno));
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    return fd;
}

/* read-cold: 4 KiB blocks at random places in the file.  pread(2) without
 * the GIL, as os.pread does it: the thread is parked until the disk
 * answers, and other threads may run meanwhile. */
static void job_read_cold(int fd, int reads)
{
    static uint8_t buf[BLOCK];
    uint64_t blocks = S_size.file_bytes / BLOCK, x = 88172645463325252u;
    for (int i = 0; i < reads; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a random block */
        ssize_t n;
        RT_BEGIN_ALLOW_THREADS
            n = pread(fd, buf, BLOCK, (off_t)(x % blocks) * BLOCK);
        RT_END_ALLOW_THREADS
        if (n < 0)
            exkit_fail("pread %s: %s", S_path, strerror(errno));
        S_sink += buf[0];
    }
}
// [end]

/* The file the read jobs read: random-looking bytes, flushed to the disk so
 * that the kernel may drop its cached pages for read-cold. */
static void file_create(void)
{
    char exe[3000];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        exkit_fail("readlink /proc/self/exe: %s", strerror(errno));
    exe[k] = '\0';
    char *slash = strrchr(exe, '/');
    *slash = '\0';
    snprintf(S_path, sizeof S_path, "%s/read-job-%d.bin", exe, (int)getpid());
    int fd = open(S_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        exkit_fail("cannot write %s: %s", S_path, strerror(errno));
    uint8_t *buf = malloc(MiB);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (size_t done = 0; buf && done < S_size.file_bytes; done += MiB) {
        for (size_t i = 0; i < MiB; i += 8) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            memcpy(buf + i, &x, 8);
        }
        if (write(fd, buf, MiB) != (ssize_t)MiB)
            exkit_fail("write %s: %s", S_path, strerror(errno));
    }
    free(buf);
    if (fsync(fd) != 0)
        exkit_fail("fsync %s: %s", S_path, strerror(errno));
    close(fd);
}

static void cleanup(void)
{
    if (S_path[0])
        unlink(S_path);
}

/* What job j needs (JOBS for all of them), made before anything is timed. */
enum { SLEEP, HASH, READ_CACHED, READ_COLD, MIXED, NJOBS, JOBS = NJOBS };

static void prepare(int j)
{
    if ((j == HASH || j == MIXED || j == JOBS) && !S_data) {
        S_data = malloc(S_size.hash_bytes);
        if (!S_data)
            exkit_fail("out of memory");
        for (size_t i = 0; i < S_size.hash_bytes; i++)
            S_data[i] = (uint8_t)(i * 7 + (i >> 12));
    }
    if ((j == READ_CACHED || j == READ_COLD || j == JOBS) && !S_path[0]) {
        file_create();
        exkit_at_end(cleanup); /* measure runs end in _exit */
    }
}

/* ------------------------------------------------------------------ */
/* One job, measured the way the chapter teaches                       */
/* ------------------------------------------------------------------ */

static const char *const S_job_name[NJOBS] = {"sleep", "hash", "read-cached",
                                              "read-cold", "mixed"};

static int job_parse(const char *s)
{
    for (int j = 0; j < NJOBS; j++)
        if (strcmp(s, S_job_name[j]) == 0)
            return j;
    exkit_fail("no job named '%s' (sleep, hash, read-cached, read-cold, mixed)", s);
}

/* Runs job j once on the calling thread (holding the GIL); read-cold
 * reads from `cold_fd` (job_setup). */
static void job_run(int j, int cold_fd)
{
    switch (j) {
    case SLEEP:
        job_sleep(S_size.sleep_ms);
        break;
    case HASH:
        S_sink += fnv1a(S_data, S_size.hash_bytes);
        break;
    case READ_CACHED:
        job_read_cached();
        break;
    case READ_COLD:
        job_read_cold(cold_fd, S_size.cold_reads);
        break;
    case MIXED:
        S_sink += fnv1a(S_data, S_size.mixed_bytes);
        job_sleep(S_size.mixed_ms);
        break;
    }
}

/* Where one run's wall time went, from the kernel's accounts. */
typedef struct usage {
    uint64_t wall_ns, cpu_ns, queued_ns;
    long waits;     /* voluntary context switches: the thread was parked */
    long preempted; /* involuntary ones: a core was taken away from it */
    long disk_kb;   /* read from a device (ru_inblock, 512-byte units) */
} usage;

typedef struct snap {
    uint64_t wall, cpu, oncpu, queued;
    struct rusage ru;
} snap;

static void snap_take(snap *s)
{
    s->wall = rt_now_ns();
    s->cpu = exkit_cpu_now_ns();
    if (exkit_os_schedstat(&s->oncpu, &s->queued) < 0)
        s->oncpu = s->queued = 0;
    getrusage(RUSAGE_THREAD, &s->ru);
}

static void usage_diff(usage *u, const snap *a, const snap *b)
{
    u->wall_ns = b->wall - a->wall;
    u->cpu_ns = b->cpu - a->cpu;
    u->queued_ns = b->queued - a->queued;
    u->waits = b->ru.ru_nvcsw - a->ru.ru_nvcsw;
    u->preempted = b->ru.ru_nivcsw - a->ru.ru_nivcsw;
    u->disk_kb = (b->ru.ru_inblock - a->ru.ru_inblock) / 2;
}

/* What job j needs done just before the clocks start: read-cold makes the
 * kernel forget the file (returns the open file), read-cached makes sure it
 * remembers it (a read-cold run may have just made it forget). */
static int job_setup(int j)
{
    if (j == READ_CACHED)
        job_read_cached();
    return j == READ_COLD ? cold_open() : -1;
}

static void job_measure(int j, usage *u)
{
    int fd = job_setup(j);
    snap a, b;
    snap_take(&a);
    job_run(j, fd);
    snap_take(&b);
    if (fd >= 0)
        close(fd);
    usage_diff(u, &a, &b);
}

// [verdict]
/* The share of wall time the job wanted a core: it ran on one, or it was
 * ready to and waited in the queue.  The rest it was parked, waiting for
 * something outside the processor. */
static double wanted_core(const usage *u)
{
    if (!u->wall_ns)
        return 0;
    double share = (double)(u->cpu_ns + u->queued_ns) / (double)u->wall_ns;
    return share < 1 ? share : 1; /* two clocks read a moment apart */
}

static const char *verdict(double share)
{
    if (share >= 0.8)
        return "CPU-bound";
    if (share <= 0.2)
        return "I/O-bound";
    return "mixed";
}
// [end]

/* ------------------------------------------------------------------ */
/* Many copies on threads                                              */
/* ------------------------------------------------------------------ */

static void thread_main(void *arg)
{
    job_run(*(int *)arg, -1);
}

/* n copies of job j: one after another on this thread, or on n threads. */
static void copies_run(int j, int n, int threaded)
{
    if (!threaded) {
        for (int i = 0; i < n; i++)
            job_run(j, -1);
        return;
    }
    rt_thread *t[MAX_THREADS];
    int job = j;
    for (int i = 0; i < n; i++)
        if (!(t[i] = rt_thread_start(thread_main, &job)))
            exkit_fail("rt_thread_start: %s", strerror(errno));
    for (int i = 0; i < n; i++)
        rt_thread_join(t[i]);
}

/* ------------------------------------------------------------------ */
/* measure                                                             */
/* ------------------------------------------------------------------ */

static void load_job(exkit_measure *m, int nargs, char **args)
{
    if (nargs != 1)
        exkit_fail("usage: measure job <JOB>");
    int j = job_parse(args[0]);
    prepare(j);
    int fd = job_setup(j);
    snap a, b;
    exkit_measure_start(m); /* after the preparation */
    snap_take(&a);
    job_run(j, fd);
    snap_take(&b);
    exkit_measure_stop(m);
    if (fd >= 0)
        close(fd);
    usage u;
    usage_diff(&u, &a, &b);
    exkit_result_str(m, "job", S_job_name[j]);
    exkit_result_uint(m, "cpu_us", u.cpu_ns / 1000);
    exkit_result_uint(m, "queued_us", u.queued_ns / 1000);
    exkit_result_int(m, "waits", u.waits);
    exkit_result_int(m, "preempted", u.preempted);
    exkit_result_int(m, "disk_kb", u.disk_kb);
    exkit_result_int(m, "wanted_core_pct", (int64_t)(100 * wanted_core(&u) + 0.5));
}

static void load_copies(exkit_measure *m, int nargs, char **args, int threaded)
{
    if (nargs != 2)
        exkit_fail("usage: measure serial|threads <JOB> N");
    int j = job_parse(args[0]);
    if (j == READ_COLD)
        exkit_fail("read-cold runs alone (its setup forgets the file's pages)");
    int n = (int)exkit_arg_long(nargs, args, 1, 1, MAX_THREADS, "N");
    prepare(j);
    exkit_measure_start(m);
    copies_run(j, n, threaded);
    exkit_measure_stop(m);
    exkit_result_str(m, "job", S_job_name[j]);
    exkit_result_int(m, "copies", n);
}

static void load_serial(exkit_measure *m, int nargs, char **args)
{
    load_copies(m, nargs, args, 0);
}

static void load_threads(exkit_measure *m, int nargs, char **args)
{
    load_copies(m, nargs, args, 1);
}

/* ------------------------------------------------------------------ */
/* show                                                                */
/* ------------------------------------------------------------------ */

static const char *twin_num(const char *name, const char *fmt, char *buf, size_t n)
{
    double x = exkit_twin(name);
    if (isnan(x))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, fmt, x);
    return buf;
}

/* The run of runs[0..reps) whose wall time is the median's. */
static const usage *median_run(usage *runs, int reps)
{
    double wall[MAX_REPS];
    for (int r = 0; r < reps; r++)
        wall[r] = (double)runs[r].wall_ns;
    double med = exkit_median(wall, (size_t)reps);
    const usage *best = &runs[0];
    for (int r = 0; r < reps; r++)
        if (fabs((double)runs[r].wall_ns - med) < fabs((double)best->wall_ns - med))
            best = &runs[r];
    return best;
}

static void show_jobs(int reps)
{
    static const char *const label[NJOBS] = {"sleep", "hash (FNV-1a)", "read, cached",
                                             "read, cold", "mixed"};
    static usage runs[NJOBS][MAX_REPS];
    for (int r = 0; r < reps; r++) /* interleaved: A B C D E A B ... */
        for (int j = 0; j < NJOBS; j++)
            job_measure(j, &runs[j][r]);
    printf("\n  %-14s %9s %8s %8s  %-20s  %-9s %6s %6s %7s  %s\n", "job", "wall", "CPU",
           "queued", "CPU + queued / wall", "verdict", "parked", "preempt", "disk KB",
           "CPython (share, verdict)");
    for (int j = 0; j < NJOBS; j++) {
        const usage *u = median_run(runs[j], reps);
        double share = wanted_core(u);
        char bar[32], key[48], tw[32];
        snprintf(key, sizeof key, "%s_share", S_job_name[j]);
        for (char *p = key; *p; p++)
            *p = *p == '-' ? '_' : *p;
        double py = exkit_twin(key);
        if (isnan(py))
            snprintf(tw, sizeof tw, "-");
        else
            snprintf(tw, sizeof tw, "%.2f %s", py, verdict(py));
        printf(
            "  %-14s %6.1f ms %5.1f ms %5.1f ms  %4.2f %s  %-9s %6ld %7ld %7ld  %s\n",
            label[j], (double)u->wall_ns / 1e6, (double)u->cpu_ns / 1e6,
            (double)u->queued_ns / 1e6, share, exkit_bar(bar, share, 15, 15),
            verdict(share), u->waits, u->preempted, u->disk_kb, tw);
    }
}

static void show_threads(int reps, int n)
{
    static const int jobs[] = {SLEEP, HASH, MIXED};
    static const char *const twin_key[] = {
        "sleep_threads_speedup", "loop_threads_speedup", "mixed_threads_speedup"};
    enum { NJ = 3 };
    static struct {
        uint64_t wall[2][MAX_REPS], cpu[2][MAX_REPS];
        rt_stats st[MAX_REPS];
    } r[NJ];
    for (int rep = 0; rep < reps; rep++)
        for (int k = 0; k < NJ; k++)
            for (int threaded = 0; threaded < 2; threaded++) {
                rt_stats_reset();
                uint64_t t0 = rt_now_ns(), c0 = exkit_cpu_now_ns();
                copies_run(jobs[k], n, threaded);
                r[k].wall[threaded][rep] = rt_now_ns() - t0;
                r[k].cpu[threaded][rep] = exkit_cpu_now_ns() - c0;
                if (threaded)
                    rt_stats_get(&r[k].st[rep]);
            }
    printf(
        "\n  %d copies of a job: one after another, then on %d threads under the GIL\n",
        n, n);
    printf("\n  %-14s %9s %9s %8s  %-24s %7s %8s %8s %6s\n", "job", "serial", "threads",
           "speedup", "      1x      2x      3x", "CPython", "parked", "running",
           "cores");
    for (int k = 0; k < NJ; k++) {
        double ws[MAX_REPS], wt[MAX_REPS];
        for (int rep = 0; rep < reps; rep++) {
            ws[rep] = (double)r[k].wall[0][rep];
            wt[rep] = (double)r[k].wall[1][rep];
        }
        double s = exkit_median(ws, (size_t)reps), t = exkit_median(wt, (size_t)reps);
        int at = 0; /* the threaded run closest to the median */
        for (int rep = 0; rep < reps; rep++)
            if (fabs((double)r[k].wall[1][rep] - t) <
                fabs((double)r[k].wall[1][at] - t))
                at = rep;
        char bar[32], tw[16];
        printf("  %-14s %6.0f ms %6.0f ms %7.2fx  %s %7s %8d %8d %6.2f\n",
               S_job_name[jobs[k]], s / 1e6, t / 1e6, s / t,
               exkit_bar(bar, s / t, 8, 24),
               twin_num(twin_key[k], "%.2fx", tw, sizeof tw), r[k].st[at].max_blocked,
               r[k].st[at].max_running,
               (double)r[k].cpu[1][at] / (double)r[k].wall[1][at]);
    }
}

static int show(int nargs, char **args)
{
    exkit_show_opts o = {.reps = 3};
    int rc = exkit_show_args(nargs, args, &o, 1, MAX_REPS, 0);
    if (rc)
        return rc;
    int reps = o.reps, quick = o.quick;
    if (quick)
        S_size = S_quick;
    rt_config cfg;
    rt_config_default(&cfg);
    exkit_runtime_start(&cfg, 0);
    prepare(JOBS);
    double load[3] = {0};
    getloadavg(load, 3);
    printf(
        "\nChapter 1: waiting or computing?  (%ld cores, load average %.2f; median of "
        "%d runs)\n",
        sysconf(_SC_NPROCESSORS_ONLN), load[0], reps);
    printf("  CPython measures the same jobs (chapters/01/twin.py)...\n");
    char twin_args[4200];
    snprintf(twin_args, sizeof twin_args, "%s--dir %.4000s", quick ? "--quick " : "",
             S_path);
    *strrchr(twin_args, '/') = '\0'; /* the directory of the demo's file */
    exkit_twin_run("chapters/01/twin.py", twin_args);

    show_jobs(reps);
    printf(
        "\n  sleep %ld ms; hash %zu MiB; read, cached: %zu MiB the kernel still "
        "holds;\n"
        "  read, cold: %d random 4 KiB blocks it was told to forget; mixed: hash %zu "
        "MiB,\n  then sleep %ld ms.\n",
        S_size.sleep_ms, S_size.hash_bytes / MiB, S_size.file_bytes / MiB,
        S_size.cold_reads, S_size.mixed_bytes / MiB, S_size.mixed_ms);
    show_threads(reps, 4);
    if (exkit_twin_version()[0]) {
        char tw[16];
        printf("\n  CPython column: %s on this machine; its hash is hashlib.sha256 "
               "and its\n  threads compute in a pure-Python loop.  hashlib.sha256 on "
               "the same threads: %s\n  (it lets go of the GIL, chapter 3).\n",
               exkit_twin_version(),
               twin_num("sha_threads_speedup", "%.2fx", tw, sizeof tw));
    }
    printf("\n  CPU       time on a core (user + kernel), all of the job's threads\n"
           "  queued    time ready to run but waiting for a core (busy machine)\n"
           "  verdict   CPU + queued over wall: 0.8 or more CPU-bound, 0.2 or less "
           "I/O-bound\n"
           "  parked    times the kernel put the thread to sleep until something "
           "happened\n"
           "  preempt   times a core was taken away from it for another program\n"
           "  disk KB   read from the device, not from the kernel's memory\n"
           "  parked    (threads) most threads parked at once, main's wait in join "
           "included\n"
           "  running   most threads allowed to run Python code at once\n"
           "  cores     CPU time / wall time of the threaded run\n");
    rt_fini();
    return 0;
}

static const exkit_workload S_workloads[] = {
    {"job", "JOB", load_job, 0},
    {"serial", "JOB N", load_serial, 0},
    {"threads", "JOB N", load_threads, 0},
};

static const exkit_driver S_demo = {
    .tag = "demo-1", EXKIT_WORKLOADS(S_workloads), .show = show};

int main(int argc, char **argv)
{
    return exkit_main(&S_demo, argc, argv);
}
