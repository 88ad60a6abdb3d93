#!/usr/bin/env bash
# test_batch.sh - `grader batch` over a class of 12 copies of the fixture
# exercise (tests/grader/fixtures: fast to grade), with short limits so a
# copy that loops forever costs seconds:
#   correct (three layouts), wrong, not compiling, an infinite loop, a
#   crash, missing files, a cheat that tries to forge its report, a late
#   one, the untouched starter, right quiz answers.
# The batch is killed half-way and started again: the CSV must be the
# expected one, and no run may have been done twice (state.jsonl).  Then a
# Gradescope export and a Canvas download are recognised, with the
# submission times they give.
. "$(dirname "$0")/../grader/lib.sh"
C=$(fresh_course)
export GRADER_COURSE=$C
y=$C/exercises/90/exercise.yaml
# Short limits (an infinite loop is killed after 2 s of CPU), 3 rounds per
# pattern, a late policy: 10% a day after one day of grace.
sed -i 's/^limits:.*/limits: {cpu_seconds: 2, wall_seconds: 4, memory_mb: 512, processes: 32, output_kb: 64, open_files: 64}/' "$y"
sed -i 's/^    points: 2$/    points: 2\n    pairs: 3/; s/^    points: 1$/    points: 1\n    pairs: 3/' "$y"
printf 'late: {per_day: 10, grace_days: 1}\n' >>"$y"
SOL=$C/solutions/90/waits.c
D=$WORK/class
mk() { mkdir -p "$D/$1"; cat >"$D/$1/waits.c"; } # mk STUDENT < source
mk alice <"$SOL"
sed 's/return a + b;/int sum = b + a;\n    return sum;/' "$SOL" | mk bob
sed 's/return a + b;/return a - b;/' "$SOL" | mk carol
sed 's/return a + b;/return a + b/' "$SOL" | mk dave
sed 's/return a + b;/for (;;)\n        ;/' "$SOL" | mk erin
sed 's/return a + b;/return *(volatile int *)0 + a + b;/' "$SOL" | mk ken
mkdir -p "$D/frank" && echo "I could not make it work" >"$D/frank/notes.txt"
# The cheat: tries to overwrite its own report with full marks, then
# returns a wrong sum.
sed 's|return a + b;|FILE *f = fopen(getenv("FORGE"), "w");\n    if (f) fputs("{\\"score\\": 100}", f);\n    return a;|; s|#include "rt.h"|#include "rt.h"\n#include <stdio.h>\n#include <stdlib.h>|' "$SOL" | mk grace
mk heidi <"$SOL"
mkdir -p "$D/ivan/gil-workbook/exercises/90" "$D/ivan/gil-workbook/exercises/91"
cp "$SOL" "$D/ivan/gil-workbook/exercises/90/waits.c"
cp "$C/exercises/90/waits.c" "$D/ivan/gil-workbook/waits.c.orig"
echo 'int broken(' >"$D/ivan/gil-workbook/exercises/91/waits.c" # deeper, other exercise
mk judy <"$SOL"
printf '1=b\n2=a\n' >"$D/judy/answers.txt"
mk leo <"$C/exercises/90/waits.c"
export FORGE=$WORK/class-grades/reports/grace.json
due=2026-03-01T12:00:00Z
for s in "$D"/*; do touch -d 2026-03-01T10:00:00Z "$s"/* "$s"; done
touch -d 2026-03-03T11:00:00Z "$D/heidi/waits.c" # 47 h late: 2 days, 1 of grace: 10%
find "$D/ivan" -type f -exec touch -d 2026-03-01T10:00:00Z {} +

# Run 1, killed once a few copies are done; run 2 resumes.
state=$WORK/class-grades/.batch/state.jsonl
setsid "$GRADER" batch "$D" --exercise 90 --jobs 1 --due $due >"$WORK/run1.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
    [ "$(grep -c '"phase": *"correctness"' "$state" 2>/dev/null)" -ge 4 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
done
kill -KILL -- -$pid 2>/dev/null
wait $pid 2>/dev/null
done1=$(grep -c '"phase"' "$state" 2>/dev/null)
check "batch: killed half-way, its state says what was done ($done1 runs)" [ "${done1:-0}" -ge 4 ]
check "batch: nothing written to grades.csv before the end" [ ! -f "$WORK/class-grades/grades.csv" ]
"$GRADER" batch "$D" --exercise 90 --jobs 2 --due $due >"$WORK/run2.out" 2>"$WORK/run2.err"
rc=$?
check "batch: the resumed run finishes (exit $rc)" [ $rc -eq 0 ]
dups=$(python3 - "$state" <<'PY'
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    j = json.loads(line)
    seen[(j["id"], j["phase"])] += 1
print(" ".join("%s/%s" % k for k, n in seen.items() if n > 1))
PY
)
match "batch: resumed without running anything twice" "$dups" ""
check "batch: a progress line with an ETA" grep -q 'ETA [0-9?]' "$WORK/run2.err"
check "batch: says how patterns were scheduled" \
    grep -q 'patterns measured one at a time, after every correctness run' "$WORK/class-grades/reports/alice.json"

# The CSV: one row per student, one column per check.
out=$(python3 - "$WORK/class-grades/grades.csv" <<'PY'
import csv, sys
rows = {r["student"]: r for r in csv.DictReader(open(sys.argv[1]))}
bad = []
def want(student, **kv):
    r = rows.get(student)
    if r is None:
        bad.append("no row for " + student); return
    for k, v in kv.items():
        got = r.get(k)
        ok = v(got) if callable(v) else got == v
        if not ok:
            bad.append("%s.%s = %r" % (student, k, got))
cols = list(csv.DictReader(open(sys.argv[1])).fieldnames)
need = ["student", "status", "build", "adds", "waits_release_the_gil", "sanitizer:address",
        "waits_overlap", "free_threads_scale", "quiz", "score", "max_score", "late",
        "days_late", "penalty_pct", "final_score"]
for c in need:
    if c not in cols:
        bad.append("no column " + c)
if len(rows) != 12:
    bad.append("%d rows" % len(rows))
full = lambda s: s == "7"  # 1 + 2 + 1 (asan) + 2 + 1: every check but the quiz
for s in ("alice", "bob", "ivan"):
    want(s, status="graded", build="pass", adds="1", waits_release_the_gil="2",
         late="0", penalty_pct="0")
want("judy", status="graded", adds="1", quiz="2", late="0")
want("carol", build="pass", adds="0", waits_release_the_gil="2")
want("dave", build="fail", adds="0", waits_overlap="0", score="0", final_score="0")
want("erin", build="pass", adds="0")
want("ken", build="pass", adds="0")
want("frank", status=lambda s: s.startswith("missing files: waits.c"), score="0")
want("grace", status="graded", adds="0")
want("heidi", status="graded", adds="1", late="1", days_late="2", penalty_pct="10",
     final_score=lambda s: abs(float(s) - 0.9 * float(rows["heidi"]["score"])) < 1e-6)
want("leo", build="pass", adds="0", waits_release_the_gil="0")
for s in ("alice", "bob", "ivan", "carol", "dave", "erin", "ken", "grace", "leo", "heidi"):
    want(s, quiz="0")
# Out of the same total on every row, a copy with missing files included.
maxes = sorted(set(r["max_score"] for r in rows.values()))
if len(maxes) != 1:
    bad.append("max_score differs between rows: %s" % ", ".join(maxes))
print("; ".join(bad))
PY
)
match "batch: the CSV has the expected row for each of the 12 copies" "$out" ""
reasons=$(python3 - "$WORK/class-grades/reports" <<'PY'
import json, sys
d = sys.argv[1]
def check(s, name):
    r = json.load(open("%s/%s.json" % (d, s)))["report"]
    return [c for c in r["checks"] if c["name"] == name][0]["reason"]
print(check("erin", "adds"), "|", check("ken", "adds"), "|", check("dave", "build"))
PY
)
match "batch: the loop, the crash and the compile error each say what happened" "$reasons" \
    "*[Ii]nfinite loop*|*rash*|*does not compile*"
check "batch: the cheat did not forge its report" \
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["status"] == "graded" and "report" in j' \
    "$WORK/class-grades/reports/grace.json"
check "batch: a text report per student" grep -q '^late: 2 day(s), 10% off' "$WORK/class-grades/reports/heidi.txt"
n=$(sqlite3 "$WORK/class-grades/gradebook.sqlite" "select count(*) from attempts where source = 'batch'" 2>/dev/null ||
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from attempts where source = \"batch\"").fetchone()[0])' "$WORK/class-grades/gradebook.sqlite")
check "batch: the gradebook has one attempt per graded copy ($n)" [ "$n" -eq 11 ]

# Hidden checks are withheld from the student's text report.
sed -i 's/^  - {name: waits_release_the_gil, case: release, points: 2}/  - {name: waits_release_the_gil, case: release, points: 2, visibility: hidden}/' "$y"
mkdir -p "$WORK/one" && cp -r "$D/alice" "$WORK/one/"
"$GRADER" batch "$WORK/one" --exercise 90 --due $due --out "$WORK/hidden-grades" --quiet >/dev/null 2>&1
check "batch: a hidden check is in the instructor's JSON" grep -q '"waits_release_the_gil"' "$WORK/hidden-grades/reports/alice.json"
check "batch: and never in the student's text report" bash -c "! grep -q waits_release '$WORK/hidden-grades/reports/alice.txt' && grep -q 'more check(s)' '$WORK/hidden-grades/reports/alice.txt'"
sed -i 's/, visibility: hidden}/}/' "$y"

# Platform downloads, without patterns (fast): a Gradescope export and a
# Canvas download, each with the submission time it gives.
sed -i '/^patterns:/,/^quiz:/{/^quiz:/!d}' "$y"
G=$WORK/gradescope
mkdir -p "$G/submission_101" "$G/submission_102"
cp "$SOL" "$G/submission_101/waits.c"
cp "$SOL" "$G/submission_102/waits.c"
cat >"$G/submission_metadata.yml" <<'EOF'
submission_101:
  :submitters:
  - :name: Ada Lovelace
    :sid: '9001'
    :email: ada@example.edu
  :created_at: 2026-03-01 03:59:00.000000000 -08:00
  :score: 0.0
submission_102:
  :submitters:
  - :name: Alan Turing
    :sid: '9002'
    :email: alan@example.edu
  :created_at: 2026-03-04 04:00:00.123456000 -08:00
EOF
"$GRADER" batch "$G" --exercise 90 --due $due >"$WORK/gs.out" 2>&1
out=$(python3 - "$WORK/gradescope-grades/grades.csv" <<'PY'
import csv, sys
r = {x["student"]: x for x in csv.DictReader(open(sys.argv[1]))}
print(r["9001"]["name"], r["9001"]["late"], r["9001"]["time_from"], "|",
      r["9002"]["email"], r["9002"]["late"], r["9002"]["days_late"], r["9002"]["submitted_at"])
PY
)
match "batch: a Gradescope export, with its submitters and times" "$out" \
    "Ada Lovelace 0 gradescope | alan@example.edu 1 3 2026-03-04T12:00:00Z"
grep -q 'Gradescope export' "$WORK/gs.out" || sed 's/^/# /' "$WORK/gs.out"
K=$WORK/canvas
mkdir -p "$K"
cp "$SOL" "$K/lovelaceada_1234_5678_waits.c"
sed 's/return a + b;/return a - b;/' "$SOL" >"$K/turingalan_LATE_4321_8765_waits.c"
cp "$SOL" "$K/turingalan_LATE_4321_8766_waits-1.c" # the later upload wins
"$GRADER" batch "$K" --exercise 90 --quiet >"$WORK/canvas.out" 2>&1
out=$(python3 - "$WORK/canvas-grades/grades.csv" <<'PY'
import csv, sys
r = {x["student"]: x for x in csv.DictReader(open(sys.argv[1]))}
print(",".join(sorted(r)), r["turingalan_4321"]["adds"], r["turingalan_4321"]["late"])
PY
)
match "batch: a Canvas download, _LATE_ marked and the last upload graded" "$out" \
    "lovelaceada_1234,turingalan_4321 1 1"
"$GRADER" batch "$WORK/nothing-here" --exercise 90 >/dev/null 2>"$WORK/none.err"
check "batch: a folder that does not exist is a clear error (exit 2)" \
    bash -c "[ $? -eq 2 ] && grep -q nothing-here '$WORK/none.err'"
finish
