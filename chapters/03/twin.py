"""twin.py - chapter 3's experiments on CPython itself, for the demo's table.

    python3 chapters/03/twin.py [--quick]

Runs the three programs beside it and prints one figure a line,
"<name> <number>", which the demo (build/demos/03/demo show) prints beside
the runtime's own figures:

    python 3.11.7
    threads2_speedup 0.98        median over the reps
    threads2_speedup_min 0.93    ... and the spread around it
    ...

cpu_threads.py   the same work on the main thread, on 2 and on 4 threads,
                 and on 2 threads with a 1 ms switch interval
                 (sys.setswitchinterval(0.001)).  Each rep runs the four
                 ways back to back (interleaved), and a rep's speedup is its
                 serial time over its threaded time, so a slow moment of the
                 machine hits both sides.
count_race.py    the shared total: count += 1, with a call in the window,
                 through a property.
long_call.py     a second thread's longest wait during one long C call and
                 during the same work as a Python loop.
--quick: fewer reps of less work (the tests' `demo show --quick`).
"""
import platform
import statistics
import sys

import count_race
import cpu_threads
import long_call


def main():
    quick = "--quick" in sys.argv[1:]
    reps = 3 if quick else 5
    n = 1_500_000 if quick else 6_000_000  # about 60 / 240 ms here
    print("python", platform.python_version())
    print("reps", reps)

    # The ways: threads, and "2s": 2 threads with a 1 ms switch interval.
    times = {w: [] for w in (0, 2, 4, "2s")}
    alive = {w: [] for w in times}
    interval = sys.getswitchinterval()
    for _ in range(reps):
        for w in times:
            sys.setswitchinterval(0.001 if w == "2s" else interval)
            seconds, threads = cpu_threads.run(2 if w == "2s" else w, n)
            times[w].append(seconds)
            alive[w].append(threads)
    sys.setswitchinterval(interval)
    # OS threads: the lowest count over the reps, because a thread that has
    # just been joined can stay in the kernel's list for a moment longer.
    print("serial_ms %.1f" % (statistics.median(times[0]) * 1e3))
    print("serial_speedup 1.00")
    print("serial_os_threads %d" % min(alive[0]))
    for w, name in ((2, "threads2"), (4, "threads4"), ("2s", "threads2_1ms")):
        ratios = [s / t for s, t in zip(times[0], times[w])]
        print("%s_ms %.1f" % (name, statistics.median(times[w]) * 1e3))
        print("%s_speedup %.2f" % (name, statistics.median(ratios)))
        print("%s_speedup_min %.2f" % (name, min(ratios)))
        print("%s_speedup_max %.2f" % (name, max(ratios)))
        print("%s_os_threads %d" % (name, min(alive[w])))

    sys.setswitchinterval(1e-6)  # as count_race.py does
    n = 200_000 if quick else 1_000_000
    print("race_expected %d" % (2 * n))
    for step in (count_race.plain, count_race.with_call, count_race.through_property):
        print("race_%s %d" % (step.__name__, count_race.run(step, n)))
    sys.setswitchinterval(interval)

    scale = 0.5 if quick else 1.0
    for work, n in ((long_call.c_call, 5_000_000), (long_call.python_loop, 1_500_000)):
        took, wait = long_call.longest_wait(work, int(n * scale))
        print("%s_ms %.1f" % (work.__name__, took * 1e3))
        print("%s_wait_ms %.1f" % (work.__name__, wait * 1e3))


if __name__ == "__main__":
    main()
