"""twin.py - chapter 1's jobs on CPython itself.

The demo (build/demos/01/demo show) runs five jobs and asks the kernel where
each one's wall time went; this script runs the same five jobs as Python
code and measures them the same way, with the clocks Python gives you:

    time.perf_counter()   wall time: what a stopwatch would say
    time.process_time()   CPU time: user + system, every thread of the process
    /proc/thread-self/schedstat   time spent queued for a core (Linux)
    resource.getrusage(RUSAGE_THREAD)   how often the thread was parked

Then it runs 4 copies of three jobs one after another and on 4 threads.
Prints "<name> <number>" lines (and "python <version>") for the demo's
CPython column.  --quick: less work, one rep.  --dir D: where to write the
file the read jobs read (default: the system's temporary directory).
"""
import hashlib
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import threading
import time

QUICK = "--quick" in sys.argv
MiB = 1 << 20
SLEEP_S = 0.05 if QUICK else 0.1
HASH_BYTES = (8 if QUICK else 32) * MiB
FILE_BYTES = (8 if QUICK else 32) * MiB
COLD_READS = 128 if QUICK else 512
MIXED_BYTES, MIXED_S = ((4 if QUICK else 16) * MiB, 0.008 if QUICK else 0.025)
LOOP_N = 300_000 if QUICK else 1_000_000  # the pure-Python CPU job
REPS = 1 if QUICK else 3

DATA = bytes(range(256)) * (HASH_BYTES // 256)


# [queued]
def queued_ns():
    """Time this thread has spent runnable, waiting for a core (Linux)."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1])  # on a core, queued, time slices
    except (OSError, IndexError, ValueError):
        return 0
# [end]


# [measure]
def measure(job):
    """Runs job() once; returns wall, CPU and queued seconds, and waits."""
    r0 = resource.getrusage(resource.RUSAGE_THREAD)
    q0, c0, w0 = queued_ns(), time.process_time(), time.perf_counter()
    job()
    wall = time.perf_counter() - w0
    cpu = time.process_time() - c0
    queued = (queued_ns() - q0) / 1e9
    r1 = resource.getrusage(resource.RUSAGE_THREAD)
    return wall, cpu, queued, r1.ru_nvcsw - r0.ru_nvcsw
# [end]


# [puzzle]
def nap():  # waiting: 0.1 s on a timer
    time.sleep(SLEEP_S)


def count():  # computing: a pure-Python loop, about 0.1 s on a 2020s core
    s = 0
    for i in range(LOOP_N):
        s += i * i
    return s
# [end]


# [jobs]
def hash_():  # computing: SHA-256 of 32 MiB
    hashlib.sha256(DATA).digest()


def read_cached(path):  # a file the kernel still holds in memory
    with open(path, "rb", buffering=0) as f:
        while f.read(MiB):
            pass


def read_cold(fd, blocks):  # random 4 KiB blocks the kernel was told to forget
    rnd = random.Random(1)
    for _ in range(COLD_READS):
        os.pread(fd, 4096, rnd.randrange(blocks) * 4096)


def mixed():  # compute, then wait
    hashlib.sha256(DATA[:MIXED_BYTES]).digest()
    time.sleep(MIXED_S)
# [end]


def make_file(directory):
    fd, path = tempfile.mkstemp(prefix="twin-read-", dir=directory)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(FILE_BYTES))
        f.flush()
        os.fsync(f.fileno())
    return path


def cold(path):
    """read_cold, with the forgetting done before the clocks start."""
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    try:
        return measure(lambda: read_cold(fd, FILE_BYTES // 4096))
    finally:
        os.close(fd)


def count_mixed():
    count()
    time.sleep(MIXED_S)


# [threads]
def on_threads(job, n):
    """Wall time of n copies of job: one after another, then on n threads."""
    t0 = time.perf_counter()
    for _ in range(n):
        job()
    serial = time.perf_counter() - t0
    threads = [threading.Thread(target=job) for _ in range(n)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return serial, time.perf_counter() - t0
# [end]


def main():
    directory = None
    if "--dir" in sys.argv:
        directory = sys.argv[sys.argv.index("--dir") + 1]
    path = make_file(directory)
    try:
        jobs = {
            "sleep": lambda: measure(nap),
            "hash": lambda: measure(hash_),
            "read_cached": lambda: measure(lambda: read_cached(path)),
            "read_cold": lambda: cold(path),
            "mixed": lambda: measure(mixed),
        }
        runs = {name: [] for name in jobs}
        for _ in range(REPS):  # interleaved, as the demo does
            for name, run in jobs.items():
                runs[name].append(run())
        print("python", platform.python_version())
        for name, rs in runs.items():
            wall, cpu, queued, waits = sorted(rs)[len(rs) // 2]  # the median wall
            print("%s_wall_ms %.1f" % (name, wall * 1e3))
            print("%s_ratio %.3f" % (name, cpu / wall))
            print("%s_share %.3f" % (name, min(1.0, (cpu + queued) / wall)))
            print("%s_waits %d" % (name, waits))
        for name, job, n in (("sleep", nap, 4), ("loop", count, 4),
                             ("mixed", count_mixed, 4), ("sha", hash_, 4)):
            speedups = []
            for _ in range(REPS):
                serial, threaded = on_threads(job, n)
                speedups.append(serial / threaded)
            print("%s_threads_speedup %.2f" % (name, statistics.median(speedups)))
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
