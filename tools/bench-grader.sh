#!/usr/bin/env bash
# bench-grader.sh OUTDIR - what grading exercise 03 costs, as make bench rows.
#
#   grader.submit_03_s        a full grading of the reference solution (build
#                             checked, plain and sanitized builds, tests beside
#                             the sanitizers' re-runs, the pattern), wall time
#   grader.submit_03_cpu_s    the same, CPU time of the grader and everything
#                             it ran (less sensitive to a busy machine)
#   grader.feedback_03_s      build and tests only: what `grader watch` prints
#                             first, wall time
# Medians of 3 runs; the quiz is skipped (it grades answers.txt, not code) and
# nothing is recorded.  Timing belongs here, not in make test.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$repo/$B ;; esac
out=${1:-$B/bench}
mkdir -p "$out/grader-scratch" && chmod 755 "$out/grader-scratch"
cd "$repo" || exit 1
GRADER_SCRATCH=$out/grader-scratch python3 - "$B/bin/grader" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, tempfile, time
grader = sys.argv[1]
base = [grader, "submit", "03", "--from", "solutions/03", "--skip", "quiz",
        "--no-record", "--quiet", "--format", "json"]
def run(extra):
    # An empty program cache each time: a new submission builds everything.
    env = dict(os.environ, GRADER_PROG_CACHE=tempfile.mkdtemp(prefix="bench-cache-"))
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(base + extra, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env=env)
    shutil.rmtree(env["GRADER_PROG_CACHE"], ignore_errors=True)
    wall = time.monotonic() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    passed = p.returncode == 0
    return wall, cpu, passed
load = os.getloadavg()[0]
full = [run([]) for _ in range(3)]
quick = [run(["--skip", "sanitizers", "--skip", "patterns"]) for _ in range(3)]
note = "median of 3, load average %.1f when it started" % load
ok = all(r[2] for r in full + quick)
if not ok:
    note += "; SOME GRADINGS DID NOT PASS"
rows = [
    ("grader.submit_03_s", "s", statistics.median(r[0] for r in full), "< 4 on a quiet machine"),
    ("grader.submit_03_cpu_s", "s", statistics.median(r[1] for r in full), None),
    ("grader.feedback_03_s", "s", statistics.median(r[0] for r in quick), "< 1 on a quiet machine"),
]
for name, unit, v, target in rows:
    row = {"name": name, "unit": unit, "ours": round(v, 3), "note": note}
    if target:
        row["target"] = target
    print(json.dumps(row))
PY
