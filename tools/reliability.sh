#!/usr/bin/env bash
# reliability.sh - are the grader's verdicts trustworthy on a busy machine?
#
# For every exercise with reference solutions (solutions/NN) and mutants
# (tests/mutants/NN/<slug>.patch, see tools/mutant.sh), grades the reference and each
# mutant K times (K=20 by default, K=200 for the full run) while a CPU hog
# spins pinned to one core, and counts:
#   false fail  - the reference solution did not pass;
#   false pass  - a mutant passed the check its patch names, or failed
#                 it without the expected message.
# Each candidate is built once and graded K times (grader submit --repeat):
# builds are deterministic, runs are what a busy machine can disturb.
# The learner's files are never used or touched (--from), nothing is
# recorded in the gradebook (--no-record), the quiz is skipped (it grades
# answers.txt, not code).  Exits 1 if there was any false verdict.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$repo/$B ;; esac
K=${K:-20}
GRADER=${GRADER:-$B/bin/grader}
case $GRADER in /*) ;; *) GRADER=$repo/$GRADER ;; esac
# COURSE: the tree holding exercises/, solutions/ and tests/mutants/ (the
# repository; the grader's tests point it at a fixture course).
COURSE=${COURSE:-$repo}
HOG=${HOG:-1}
# Narrowing, for a long run on what timing can disturb (e.g.
# ARGS="--skip sanitizers" MUTANTS=releases-gil-around-work K=200):
ARGS=${ARGS:-}       # extra grader arguments
MUTANTS=${MUTANTS:-*} # a glob over mutant names (the patches' slugs)
EXERCISES=${EXERCISES:-[0-9][0-9]} # a glob over exercise numbers (EXERCISES=03)
# QUOTA=0.5 grades under a cgroup CPU quota of that many cores, as on a
# "0.5 vCPU" grading box (tools/cpu-quota.sh; root only).  With QUOTA the
# hog is usually not wanted: HOG=0.
QUOTA=${QUOTA:-}
cd "$COURSE" || exit 2
export GRADER_COURSE=$PWD
[ -x "$GRADER" ] || { echo "reliability: $GRADER is not built (make grader)" >&2; exit 2; }
wrap=()
if [ -n "$QUOTA" ]; then
    wrap=("$repo/tools/cpu-quota.sh" "$QUOTA")
    "$repo/tools/cpu-quota.sh" "$QUOTA" true || { echo "reliability: cannot set a CPU quota here" >&2; exit 2; }
    echo "reliability: grading under a CPU quota of $QUOTA core(s)"
fi

hog_pid=
stop_hog() { [ -n "$hog_pid" ] && kill "$hog_pid" 2>/dev/null; wait 2>/dev/null; }
trap stop_hog EXIT
trap 'exit 130' INT TERM
if [ "$HOG" = 1 ]; then
    cores=$(nproc)
    # The hog takes the last core; the grader keeps whatever is left.
    taskset -c $((cores - 1)) sh -c 'while :; do :; done' &
    hog_pid=$!
    echo "reliability: CPU hog (pid $hog_pid) spinning on core $((cores - 1)) of $cores"
fi

# Python: reports(text) yields every JSON report in the grader's output
# (one compact line each with --repeat, one indented document with K=1).
py_reports='
import json, sys
def reports(text):
    dec, i = json.JSONDecoder(), 0
    while True:
        i = text.find("{", i)
        if i < 0:
            return
        r, i = dec.raw_decode(text, i)
        yield r
'

# Judges one candidate's reports (standard input):
#   judge ref                     -> prints "runs bad" and details of bad runs
#   judge mutant CHECK MESSAGE
judge() {
    python3 -c "$py_reports"'
mode = sys.argv[1]
check = sys.argv[2] if len(sys.argv) > 2 else None
msg = sys.argv[3] if len(sys.argv) > 3 else None
runs = bad = 0
for r in reports(sys.stdin.read()):
    runs += 1
    if mode == "ref":
        if not r["passed"]:
            bad += 1
            for c in r["checks"]:
                if c["status"] in ("fail", "error") or c["score"] < c["max_score"]:
                    print("    false fail: %s: %s" % (c["name"], c["reason"]), file=sys.stderr)
    else:
        hit = [c for c in r["checks"] if c["name"] == check]
        ok = hit and hit[0]["status"] == "fail" and (
            msg in hit[0]["reason"] or msg in hit[0]["output"])
        if not ok:
            bad += 1
            why = "no check named %s" % check if not hit else "%s: %s" % (
                hit[0]["status"], hit[0]["reason"])
            print("    false pass: %s" % why, file=sys.stderr)
print(runs, bad)
' "$@"
}

mutant=$repo/tools/mutant.sh

# Every report is kept, one JSON line per grading, for a later look at the
# figures (capacity, timing verdicts) behind each verdict.  Mutants are
# applied to copies of the reference there too.
reports=$B/reliability
rm -rf "$reports" && mkdir -p "$reports/mutants" || exit 2
chmod 755 "$reports" "$reports/mutants" # the sandbox's own uid reads them

# grade NAME DIR ref|mutant [CHECK MESSAGE]: grades candidate DIR of
# exercise $nn K times, keeps its reports, prints its line; sets runs and
# bad (false verdicts, counting every missing run as one).
grade() {
    local name=$1 from=$2 t1=$SECONDS
    shift 2
    runs=0 bad=0
    read -r runs bad < <("${wrap[@]}" "$GRADER" submit "$nn" --from "$from" --skip quiz \
        --no-record --quiet --format json --repeat "$K" $ARGS 2>/dev/null |
        tee "$reports/$nn-$name.jsonl" | judge "$@")
    if [ "$1" = ref ]; then
        printf '  %-34s %4d runs  %3d false fail(s)  %5d s\n' "$name" "$runs" "$bad" $((SECONDS - t1))
    else
        printf '  %-34s %4d runs  %3d false pass(es)  %5d s  (must fail %s)\n' \
            "$name" "$runs" "$bad" $((SECONDS - t1)) "$2"
    fi
    [ "$runs" -eq "$K" ] || { echo "  $name: expected $K runs, got $runs"; bad=$((bad + K - runs)); }
}

total_ff=0 total_fp=0 total_runs=0
t0=$SECONDS
for sol in solutions/$EXERCISES; do
    nn=$(basename "$sol")
    [ -d "tests/mutants/$nn" ] && [ -f "exercises/$nn/exercise.yaml" ] || continue
    echo "== exercise $nn: K=$K"
    grade reference "$sol" ref
    total_ff=$((total_ff + bad)); total_runs=$((total_runs + runs))
    for p in tests/mutants/"$nn"/$MUTANTS.patch; do
        [ -f "$p" ] || continue
        slug=$(basename "$p" .patch) dir=$reports/mutants/$nn-$(basename "$p" .patch)
        "$mutant" apply "$p" "$dir" || { total_fp=$((total_fp + K)); continue; }
        check=$("$mutant" field "$p" Check) msg=$("$mutant" field "$p" Message)
        grade "$slug" "$dir" mutant "$check" "$msg"
        total_fp=$((total_fp + bad)); total_runs=$((total_runs + runs))
    done
done

[ "$total_runs" -gt 0 ] || { echo "reliability: nothing graded (no solutions/NN with tests/mutants/NN in $COURSE)" >&2; exit 2; }

# The figures behind the verdicts: how often timing could decide each
# pattern on its own, and what capacity the busy machine gave.
echo
echo "figures (from $reports):"
python3 -c "$py_reports$(cat <<'PY'
import os, statistics
for path in sys.argv[1:]:
    runs = list(reports(open(path).read()))
    if not runs:
        continue
    secs = sorted(r["seconds"] for r in runs)
    print("  %s: %d gradings, %.1f s each (median), %.1f s the slowest" % (
        os.path.basename(path)[:-6], len(runs), statistics.median(secs), secs[-1]))
    pats = {}
    for r in runs:
        for c in r["checks"]:
            f = c.get("figures")
            if f:
                pats.setdefault(c["name"], []).append(f)
    for name, fs in pats.items():
        def tally(key):
            n = {}
            for f in fs:
                n[f[key]] = n.get(f[key], 0) + 1
            return ", ".join("%s %d" % kv for kv in sorted(n.items()))
        cap = sorted(f["capacity"] for f in fs)
        sp = sorted(f["speedup"] for f in fs)
        print("    %s: timing %s; counters %s" % (name, tally("timing"), tally("mechanism")))
        print("      capacity %.2f (%.2f-%.2f), speedup %.2fx (%.2f-%.2f): median (range)" % (
            statistics.median(cap), cap[0], cap[-1], statistics.median(sp), sp[0], sp[-1]))
PY
)" "$reports"/*.jsonl
echo
echo "reliability: $total_runs gradings in $((SECONDS - t0)) s: $total_ff false fail(s), $total_fp false pass(es)"
[ $((total_ff + total_fp)) -eq 0 ]
