"""Two CPU-bound threads: how long each keeps the GIL, seen from Python.

    python3 chapters/04/turns.py [INTERVAL_MS]   CPython 3.2+: sys.setswitchinterval
    python2.7 chapters/04/turns.py               the old GIL: a release every 100 ticks
    python2.7 chapters/04/turns.py --reps 5      lines for twin.py

Runs the same countdown on the main thread alone, then split over two
threads, and prints the wall time and CPU time of both, how many times the
threads took over from each other, and the median length of a turn: how
long one thread ran before the other got in.  Python cannot see the GIL,
so each thread notes when it ran: a step of its loop reads the clock, and
a pause of more than 0.2 ms between two steps means it lost the GIL (or
its core).  Merging both threads' notes in time order, a turn is a run of
one thread's notes that the other's do not interrupt.  twin.py runs it for
the chapter's demo; it runs unchanged on Python 2.7, whose GIL is the one
Beazley measured in 2009.
"""
from __future__ import print_function

import os
import resource
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)  # Python 2 has time.time
GAP = 0.0002  # seconds: a longer pause between two steps is a lost turn
STEP = 50  # loop iterations between two looks at the clock
STEPS = 120000  # a run's steps: about 240 ms alone on a 2020s core


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime  # every thread of the process


# [count]
def count(steps, notes=None):
    """Pure computation: `steps` x STEP iterations of a countdown.  With
    `notes`, appends (start, end) of each stretch run without a pause."""
    start = last = clock()
    for _ in range(steps):
        n = STEP
        while n > 0:  # Beazley's countdown, a little at a time
            n -= 1
        now = clock()
        if now - last > GAP:  # we were not running in between
            if notes is not None:
                notes.append((start, last))
            start = now
        last = now
    if notes is not None:
        notes.append((start, last))
# [end]


def turns(notes_a, notes_b):
    """The lengths of the turns, from both threads' stretches."""
    spans = sorted([(s, e, 0) for s, e in notes_a] + [(s, e, 1) for s, e in notes_b])
    out, cur = [], None
    for s, e, who in spans:
        if cur is not None and cur[2] == who:
            cur[1] = e  # the same thread again: its turn goes on
        else:
            if cur is not None:
                out.append(cur[1] - cur[0])
            cur = [s, e, who]
    if cur is not None:
        out.append(cur[1] - cur[0])
    return out


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if v else 0.0


def run(threads, steps):
    """(wall s, CPU s, switches, median turn s) for `steps` of work done by
    the main thread alone (threads=0) or split over two threads."""
    t0, c0 = clock(), cpu_seconds()
    if threads == 0:
        count(steps)
        return clock() - t0, cpu_seconds() - c0, 0, 0.0
    notes = [[], []]
    ts = [threading.Thread(target=count, args=(steps // 2, notes[i])) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall, cpu = clock() - t0, cpu_seconds() - c0
    held = turns(notes[0], notes[1])
    inner = held[1:-1] or held  # the first and last turns are cut short
    return wall, cpu, len(held) - 1, median(inner)


def main():
    """Without arguments: one run, told in words.  `--reps N [--quick]`:
    N interleaved reps (alone, then two threads), one line each of
    "rep <wall alone> <CPU alone> <wall threads> <CPU threads> <switches>
    <median turn>" in seconds, for twin.py."""
    args = sys.argv[1:]
    steps = STEPS
    if "--quick" in args:
        steps //= 4
    if args[:1] == ["--reps"]:
        for _ in range(int(args[1])):
            alone = run(0, steps)
            both = run(2, steps)
            print("rep %.6f %.6f %.6f %.6f %d %.6f" % (alone[:2] + both))
        return
    if args and hasattr(sys, "setswitchinterval"):
        sys.setswitchinterval(float(args[0]) / 1000)
    for threads in (0, 2):
        wall, cpu, switches, turn = run(threads, steps)
        print("%s threads: %4.0f ms wall, %4.0f ms CPU, %d switches, median turn %.2f ms"
              % (threads or "no", wall * 1e3, cpu * 1e3, switches, turn * 1e3))


if __name__ == "__main__":
    main()
