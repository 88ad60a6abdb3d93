#!/usr/bin/env bash
# test_reliability.sh - make reliability counts what it claims to count.
#
# On a copy of the fixture course: an honest course gives zero false
# verdicts and keeps every report; a "mutant" that is really the solution
# is a false pass; a broken reference is a false fail; K=1 (one indented
# report, not a line) still counts; a course with nothing to grade is an
# error, not a silent "0 false verdicts".  HOG=0: the hog is not what is
# tested here, and the suite must stay light on a busy machine.
. "$(dirname "$0")/lib.sh"
C=$(fresh_course)
rel() { # K VAR=VALUE... -> $rc (exit status) and $out (everything printed)
    local k=$1; shift
    out=$(env COURSE="$C" B="$WORK/b" GRADER="$GRADER" HOG=0 K="$k" "$@" \
        "$ROOT/tools/reliability.sh" 2>&1)
    rc=$?
}
# mkpatch SLUG FILE CHECK MESSAGE: a mutant patch turning the reference
# waits.c into FILE (tools/mutant.sh's format).
mkpatch() {
    mkdir -p "$C/tests/mutants/90"
    { printf 'Check: %s\nMessage: %s\nMistake: a fixture.\n\n' "$3" "$4"
      diff -u --label a/waits.c --label b/waits.c "$C/solutions/90/waits.c" "$2"; } \
        >"$C/tests/mutants/90/$1.patch"
}
mkpatch starter "$C/exercises/90/waits.c" adds "returned 2, expected 5"

rel 2 ARGS="--skip sanitizers"
match "honest course: exit 0" "$rc" 0
match "honest course: 4 gradings, no false verdict" "$out" "*reliability: 4 gradings in * s: 0 false fail(s), 0 false pass(es)*"
match "each report kept (2 per candidate)" \
    "$(cat "$WORK/b/reliability/90-reference.jsonl" | wc -l) $(cat "$WORK/b/reliability/90-starter.jsonl" | wc -l)" "2 2"
# --repeat: each report times its own grading (the last one used to time
# all of them) and names the machine.
lens=$(python3 -c '
import json, sys
rs = [json.loads(l) for f in sys.argv[1:] for l in open(f)]
print(all(r["machine"]["cores"] >= 1 for r in rs),
      all(r["seconds"] < 1.2 * sum(c["seconds"] for c in r["checks"]) + 0.5 for r in rs))
' "$WORK"/b/reliability/*.jsonl)
match "--repeat: every report names the machine and times only itself" "$lens" "True True"
match "figures: how timing and counters judged each pattern" "$out" \
    "*free_threads_scale: timing *; counters agrees 2*capacity * (*-*), speedup *x*"

# The solution posing as a mutant: it passes "adds", so a false pass
# (a comment changed, nothing else).
{ cat "$C/solutions/90/waits.c"; echo "/* not a mistake */"; } >"$WORK/same.c"
mkpatch not-a-mutant "$WORK/same.c" adds "returned 2, expected 5"
rel 2 ARGS="--skip sanitizers --skip patterns"
match "a mutant that passes: exit 1" "$rc" 1
match "a mutant that passes: 2 false passes, named" "$out" \
    "*false pass: pass: *not-a-mutant * 2 false pass(es)*0 false fail(s), 2 false pass(es)*"
rm "$C/tests/mutants/90/not-a-mutant.patch"

# A reference that does not pass is a false fail.
cp "$C/exercises/90/waits.c" "$C/solutions/90/waits.c"
rel 1 ARGS="--skip sanitizers --skip patterns"
match "a broken reference: exit 1, K=1 counted (1 run)" "$rc" 1
match "a broken reference: its false fail counted, the check named" "$out" \
    "*false fail: adds: *reference * 1 runs *1 false fail(s)*"
cp "$FIXTURE/solutions/90/waits.c" "$C/solutions/90/waits.c"

rm -r "$C/tests/mutants"
rel 1
match "nothing to grade: exit 2, said so" "$rc $out" "2 *nothing graded*"
finish
