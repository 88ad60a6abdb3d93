"""twin.py - chapter 4's experiment on CPython itself, for the demo's tables.

    python3 chapters/04/twin.py [--quick]

Runs turns.py's two CPU-bound threads against the same work on the main
thread, at switch intervals of 5 ms (the default), 1 ms and 20 ms
(sys.setswitchinterval), interleaved rep by rep so that a busy moment of
the machine hits every way alike; then, if a Python 2 interpreter can be
found, the same program under it: the GIL before 3.2, with its release
every 100 ticks (sys.setcheckinterval), the one the runtime's ticks policy
rebuilds.  Prints one figure a line, "<name> <number>", which the demo
(build/demos/04/demo show) prints beside its own:

    python 3.11.7               the interpreter running this file
    t5_speedup 0.97             alone / two threads, median over the reps
    t5_speedup_min 0.90         ... its spread
    t5_cores 0.99               CPU time / wall time of the threaded runs
    t5_switches 48              hand-overs between the threads (median)
    t5_turn_ms 5.1              median turn: how long one thread ran
    python2 2.7                 and py2_speedup, py2_cores, ... likewise
--quick: fewer reps of less work (the tests' `demo show --quick`).
"""
import glob
import os
import platform
import shutil
import statistics
import subprocess
import sys

import turns

HERE = os.path.dirname(os.path.abspath(__file__))
WAYS = (("t5", 5.0), ("t1", 1.0), ("t20", 20.0))


def report(name, reps):
    """reps: (wall alone, CPU alone, wall threads, CPU threads, switches,
    turn) tuples.  Prints the figures for one way."""
    ratios = [r[0] / r[2] for r in reps]
    print("%s_speedup %.2f" % (name, statistics.median(ratios)))
    print("%s_speedup_min %.2f" % (name, min(ratios)))
    print("%s_speedup_max %.2f" % (name, max(ratios)))
    print("%s_cores %.2f" % (name, statistics.median(r[3] / r[2] for r in reps)))
    print("%s_switches %d" % (name, statistics.median(r[4] for r in reps)))
    print("%s_turn_ms %.2f" % (name, statistics.median(r[5] for r in reps) * 1e3))


def python2():
    """A Python 2 interpreter that runs, or None."""
    found = [shutil.which("python2.7"), shutil.which("python2"), "/usr/bin/python2.7"]
    found += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python")))
    for exe in found:
        if not exe or not os.access(exe, os.X_OK):
            continue
        try:
            out = subprocess.run([exe, "-c", "import platform; print(platform.python_version())"],
                                 capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.startswith("2."):
            return exe, out.stdout.strip()
    return None


def main():
    quick = "--quick" in sys.argv[1:]
    reps = 3 if quick else 5
    steps = turns.STEPS // 4 if quick else turns.STEPS
    print("python", platform.python_version())
    print("reps", reps)
    results = {name: [] for name, _ in WAYS}
    default = sys.getswitchinterval()
    for _ in range(reps):
        for name, ms in WAYS:
            sys.setswitchinterval(ms / 1000)
            alone = turns.run(0, steps)
            both = turns.run(2, steps)
            results[name].append(alone[:2] + both)
    sys.setswitchinterval(default)
    for name, _ in WAYS:
        report(name, results[name])

    py2 = python2()
    if py2 is None:
        print("# no Python 2 interpreter found: the old GIL's row stays empty")
        return
    exe, version = py2
    args = [exe, os.path.join(HERE, "turns.py"), "--reps", str(reps)]
    out = subprocess.run(args + (["--quick"] if quick else []),
                         capture_output=True, text=True, timeout=600)
    rows = [tuple(float(x) for x in line.split()[1:])
            for line in out.stdout.splitlines() if line.startswith("rep ")]
    if out.returncode != 0 or not rows:
        print("# %s failed: %s" % (exe, out.stderr.strip()[-200:]))
        return
    print("python2", ".".join(version.split(".")[:2]))  # "2.7": one number
    report("py2", rows)


if __name__ == "__main__":
    main()
