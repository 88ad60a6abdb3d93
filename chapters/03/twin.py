"""twin.py - chapter 3's experiment on CPython itself.

The same work as the demo's rows, as a Python program: a CPU-bound loop run
on the main thread, then split over 2 and over 4 threading.Threads.  Prints
one figure a line, "<name> <number>", which the demo (build/demos/03/demo
show) puts in its CPython column:

    python 3.11.7
    serial_ms 241.3
    threads2_ms 246.0
    threads2_speedup 0.98
    ...

Each way is run --reps times, interleaved, and the median is kept, as the
demo does.  --quick: one rep of less work.
"""
import statistics
import sys
import threading
import time
import platform


def count(n):
    # Pure computation: every iteration is bytecode run holding the GIL.
    s = 0
    for i in range(n):
        s += i * i
    return s


def run(threads, n):
    """Wall time of n iterations split over `threads` threads (0: main)."""
    t0 = time.perf_counter()
    if threads == 0:
        count(n)
    else:
        ts = [threading.Thread(target=count, args=(n // threads,)) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    return time.perf_counter() - t0


def main():
    quick = "--quick" in sys.argv[1:]
    reps = 1 if quick else 3
    # About 240 ms of work on a 2020s core (120 ms with --quick).
    n = 3_000_000 if quick else 6_000_000
    ways = [0, 2, 4]
    times = {w: [] for w in ways}
    for _ in range(reps):
        for w in ways:
            times[w].append(run(w, n))
    med = {w: statistics.median(times[w]) for w in ways}
    print("python", platform.python_version())
    print("serial_ms %.1f" % (med[0] * 1e3))
    print("serial_speedup 1.00")
    for w in ways[1:]:
        print("threads%d_ms %.1f" % (w, med[w] * 1e3))
        print("threads%d_speedup %.2f" % (w, med[0] / med[w]))


if __name__ == "__main__":
    main()
