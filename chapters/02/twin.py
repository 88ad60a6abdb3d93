"""twin.py - chapter 2's jobs on CPython itself.

Three jobs, each of which computes (a pure-Python loop), waits, and
computes again, run three ways: one after another; as three asyncio tasks
on one thread; on three threading.Threads.  For each way: the wall time,
the most jobs in progress at once (counted live as jobs begin and end), the
average number in progress (the jobs' total length over the wall time), and
the cores kept busy (time.process_time over time.perf_counter).

Prints "<name> <number>" lines (and "python <version>") for the demo's
CPython column.  --quick: shorter jobs, one rep.
"""
import asyncio
import platform
import statistics
import sys
import threading
import time

QUICK = "--quick" in sys.argv
JOBS = 3
COMPUTE_MS, WAIT_MS = (4, 15) if QUICK else (10, 40)
REPS = 1 if QUICK else 3


def calibrate():
    """Loop iterations per millisecond of CPU time on this machine.  CPU
    time, not wall time: on a busy machine a stopwatch would count the
    moments other programs had the core, and size the jobs too small."""
    n, best = 100_000, 0.0
    for _ in range(5):
        t0 = time.thread_time()
        spin(n)
        best = max(best, n / (max(time.thread_time() - t0, 1e-6) * 1e3))
    return best


def spin(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


class Tally:
    """Jobs in progress: now, at most, and their lengths."""

    def __init__(self):
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.total = 0.0

    def begin(self):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        return time.perf_counter()

    def end(self, t0):
        with self.lock:
            self.now -= 1
            self.total += time.perf_counter() - t0


# [jobs]
def job(tally, n):  # for threads, and one after another
    t0 = tally.begin()
    spin(n)  # computing: holds the GIL
    time.sleep(WAIT_MS / 1e3)  # waiting: lets go of it
    spin(n)
    tally.end(t0)


async def task(tally, n):  # the same job as an asyncio task
    t0 = tally.begin()
    spin(n)  # computing: the loop's only thread is busy
    await asyncio.sleep(WAIT_MS / 1e3)  # waiting: the loop runs another task
    spin(n)
    tally.end(t0)
# [end]


# [ways]
def serial(tally, n):
    for _ in range(JOBS):
        job(tally, n)


def on_asyncio(tally, n):
    async def main():
        await asyncio.gather(*(task(tally, n) for _ in range(JOBS)))
    asyncio.run(main())


def on_threads(tally, n):
    ts = [threading.Thread(target=job, args=(tally, n)) for _ in range(JOBS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
# [end]


def measure(way, n):
    tally = Tally()
    c0, w0 = time.process_time(), time.perf_counter()
    way(tally, n)
    wall = time.perf_counter() - w0
    return wall, time.process_time() - c0, tally


def main():
    n = int(COMPUTE_MS * calibrate())
    ways = {"serial": serial, "asyncio": on_asyncio, "threads": on_threads}
    runs = {name: [] for name in ways}
    for _ in range(REPS):  # interleaved, as the demo does
        for name, way in ways.items():
            runs[name].append(measure(way, n))
    print("python", platform.python_version())
    serial_wall = statistics.median(r[0] for r in runs["serial"])
    for name, rs in runs.items():
        wall, cpu, tally = sorted(rs, key=lambda r: r[0])[len(rs) // 2]
        print("%s_wall_ms %.1f" % (name, wall * 1e3))
        print("%s_speedup %.2f" % (name, serial_wall / wall))
        print("%s_max_in_progress %d" % (name, tally.most))
        print("%s_avg_in_progress %.2f" % (name, tally.total / wall))
        print("%s_cores %.2f" % (name, cpu / wall))


if __name__ == "__main__":
    main()
