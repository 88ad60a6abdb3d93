#!/usr/bin/env bash
# test_exports.sh - `grader export`: each platform's entry point run here,
# against the layout that platform documents, in a temporary tree:
#   Gradescope    the zip's run_autograder with /autograder (submission/,
#                 source/, results/) under AUTOGRADER_ROOT; results.json
#                 checked against Gradescope's documented fields
#                 (gradescope-results.schema.json), hidden tests marked,
#                 and under a 0.5-core quota (a fake cgroup) patterns say
#                 the counters decided;
#   PrairieLearn  info.json and question.html, then the entry point with
#                 /grade (student/, results/) under GRADE_ROOT;
#   Autolab       autograde-Makefile and autograde.tar run as Autolab runs
#                 them (make in a folder with the handin), building the
#                 grader with setup.sh on first use; the last line is the
#                 autoresult;
#   docker        the build folder (no engine here: its files are checked);
#   workflow      the CI workflow's grading step run in a learner's repo.
# The fixture exercise (fast), with a hidden test and one shown after the
# due date, stands in for a real one.
. "$(dirname "$0")/../grader/lib.sh"
C=$(fresh_course)
export GRADER_COURSE=$C
SOL=$C/solutions/90/waits.c
printf 'tests:\n  - {name: adds_again_hidden, case: add, points: 1}\n' >"$C/solutions/90/hidden.yaml"
sed -i 's/^  - {name: adds, case: add, points: 1}/  - {name: adds, case: add, points: 1, visibility: after_due_date}/' \
    "$C/exercises/90/exercise.yaml"
# prebuilt DIR: the build this test already has, copied into a bundle at
# DIR and made newer than its sources, so that setup.sh's `make grading`
# there finds nothing to rebuild (the build itself is test_release.sh's).
prebuilt() {
    mkdir -p "$1/build/bin"
    cp "$GRADER" "$1/build/bin/"
    cp -r "$B/lib" "$B/obj" "$1/build/"
    find "$1/build" -exec touch -d '+1 hour' {} +
}
json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ------------------------------------------------------------ Gradescope
"$GRADER" export gradescope 90 -o "$WORK/ag.zip" >"$WORK/gs.out" 2>&1
check "gradescope: the zip is written" [ -s "$WORK/ag.zip" ]
A=$WORK/autograder
mkdir -p "$A/source" "$A/submission/repo/exercises/90"
(cd "$A/source" && unzip -q "$WORK/ag.zip")
check "gradescope: setup.sh and run_autograder at the zip's root, executable" \
    bash -c "[ -x '$A/source/setup.sh' ] && [ -x '$A/source/run_autograder' ]"
check "gradescope: the zip holds the hidden tests, never a solution" \
    bash -c "[ -f '$A/source/solutions/90/hidden.yaml' ] && [ ! -e '$A/source/solutions/90/waits.c' ]"
prebuilt "$A/source"
(cd "$A/source" && ./setup.sh) >"$WORK/setup.out" 2>&1
rc=$?
check "gradescope: setup.sh installs and builds what grading needs (exit $rc)" \
    bash -c "[ $rc -eq 0 ] && grep -q 'grader built' '$WORK/setup.out'"
[ $rc -eq 0 ] || tail -5 "$WORK/setup.out" | sed 's/^/# /'
cp "$A/source/run_autograder" "$A/run_autograder"
cp "$SOL" "$A/submission/repo/exercises/90/waits.c"
printf '1=b\n2=a\n' >"$A/submission/answers.txt"
AUTOGRADER_ROOT=$A "$A/run_autograder" >"$WORK/gs-run.out" 2>&1
R=$A/results/results.json
check "gradescope: results.json matches Gradescope's documented schema" \
    python3 "$ROOT/tests/instructor/validate.py" "$ROOT/tests/instructor/gradescope-results.schema.json" "$R"
match "gradescope: score, hidden and after-due-date tests marked" \
    "$(json "$R" 'r["score"], ",".join(sorted("%s:%s" % (t["name"], t["visibility"]) for t in r["tests"] if t["visibility"] != "visible"))')" \
    "10.0 adds:after_due_date,adds_again_hidden:after_published"
mkdir -p "$WORK/cg" && echo "50000 100000" >"$WORK/cg/cpu.max"
rm -rf "$A/submission" && mkdir -p "$A/submission" && cp "$SOL" "$A/submission/waits.c"
AUTOGRADER_ROOT=$A GRADER_CGROUP_ROOT=$WORK/cg "$A/run_autograder" >/dev/null 2>&1
match "gradescope: on a 0.5-core quota the counters decide, and the output says so" \
    "$(json "$R" '[t["output"] for t in r["tests"] if t["name"] == "free_threads_scale"][0]')" \
    "*[Cc]ounters*"
match "gradescope: a submission without answers gets no quiz points from an earlier one's" \
    "$(json "$R" '[t["score"] for t in r["tests"] if t["name"] == "quiz"][0]')" "0*"
rm -rf "$A/submission" && mkdir -p "$A/submission" && echo hi >"$A/submission/README"
AUTOGRADER_ROOT=$A "$A/run_autograder" >/dev/null 2>&1
match "gradescope: a submission without the file says which" \
    "$(json "$R" 'r["score"], r["output"]')" "0 *no waits.c*"

# ------------------------------------------------------------ PrairieLearn
"$GRADER" export prairielearn 90 -o "$WORK/pl" >/dev/null 2>&1
Q=$WORK/pl/questions/gilwb-90
check "prairielearn: info.json asks for an external grader PrairieLearn accepts" python3 - "$Q/info.json" "$WORK/pl" <<'PY'
import json, os, sys, uuid
i = json.load(open(sys.argv[1]))
uuid.UUID(i["uuid"])
assert i["type"] == "v3" and i["gradingMethod"] == "External"
e = i["externalGradingOptions"]
assert e["enabled"] is True and e["image"] and 0 < e["timeout"] <= 600
entry = e["entrypoint"].split()[0]
assert entry.startswith("/grade/serverFilesCourse/")
local = os.path.join(sys.argv[2], "serverFilesCourse", entry[len("/grade/serverFilesCourse/"):])
assert os.access(local, os.X_OK), local
assert all(os.path.isdir(os.path.join(sys.argv[2], "serverFilesCourse", s)) for s in e["serverFilesCourse"])
PY
check "prairielearn: question.html uploads the exercise's file" \
    grep -q '<pl-file-upload file-names="waits.c"' "$Q/question.html"
G=$WORK/grade S=$WORK/pl/serverFilesCourse/gilwb
prebuilt "$S"
pl() { # SOURCE -> runs the entry point on it
    rm -rf "$G" && mkdir -p "$G/student" "$G/data" && echo '{}' >"$G/data/data.json"
    [ -n "$1" ] && cp "$1" "$G/student/waits.c"
    GRADE_ROOT=$G "$S/tools/export/prairielearn-grade.sh" 90 >/dev/null 2>&1
}
pl "$SOL"
match "prairielearn: results.json: score in 0..1, gradable, hidden tests not named" \
    "$(json "$G/results/results.json" 'r["gradable"], 0 <= r["score"] <= 1, ",".join(sorted(t["name"] for t in r["tests"])), "shown later" in r["message"]')" \
    "True True build,free_threads_scale,quiz,sanitizer:address,waits_overlap,waits_release_the_gil True"
check "prairielearn: the hidden test's name is nowhere in the results" \
    bash -c "! grep -q 'adds_again_hidden\|\"adds\"' '$G/results/results.json'"
sed 's/return a + b;/return a + b/' "$SOL" >"$WORK/broken.c"
pl "$WORK/broken.c"
match "prairielearn: code that does not compile is not gradable (the attempt is not counted)" \
    "$(json "$G/results/results.json" 'r["gradable"], "does not compile" in r["format_errors"]')" "False True"
pl ""
match "prairielearn: a missing file is not gradable, and named" \
    "$(json "$G/results/results.json" 'r["gradable"], r["format_errors"][0]')" "False missing file(s): waits.c"

# ------------------------------------------------------------ Autolab
"$GRADER" export autolab 90 -o "$WORK/al" >"$WORK/al.out" 2>&1
check "autolab: autograde-Makefile, autograde.tar and the problems to define" \
    bash -c "[ -s '$WORK/al/autograde-Makefile' ] && [ -s '$WORK/al/autograde.tar' ] && grep -q 'Hidden: 2' '$WORK/al/README.txt'"
J=$WORK/autolab-job
mkdir -p "$J" "$WORK/al-pre/gilwb"
cp "$WORK/al/autograde-Makefile" "$J/Makefile"
cp "$WORK/al/autograde.tar" "$SOL" "$J/"
# As an autograding image built from `grader export docker` would have it:
# the grader built (else autolab.sh runs setup.sh, tested above).
prebuilt "$WORK/al-pre/gilwb"
tar -rf "$J/autograde.tar" -C "$WORK/al-pre" gilwb/build
# Autolab runs make at the top level: a make this test runs under (make
# test-instructor) must not lend it its MAKELEVEL, or make would print
# "Leaving directory" after the autoresult.
almake() { (cd "$J" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL nice make); }
almake >"$WORK/al-run.out" 2>&1
last=$(tail -1 "$WORK/al-run.out")
match "autolab: graded; the last line is the autoresult" \
    "$(echo "$last" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(",".join(sorted(j["scores"])), j["scores"]["Correctness"], j["scores"]["Hidden"], len(j["scoreboard"]))' 2>&1)" \
    "Correctness,Hidden,Quiz,Sanitizers,Speedup 2.0 2.0 3"
[[ $last == "{"* ]] || tail -20 "$WORK/al-run.out" | sed 's/^/# /'
check "autolab: what the student sees never names the hidden tests" \
    bash -c "! grep -q 'adds_again_hidden\|  adds ' '$WORK/al-run.out'"
rm -f "$J/waits.c"
almake >"$WORK/al-miss.out" 2>&1
match "autolab: a handin without the file scores 0 and says why" \
    "$(tail -2 "$WORK/al-miss.out" | head -1)" "*no waits.c*"

# ------------------------------------------------------------ docker
"$GRADER" export docker -o "$WORK/img" >/dev/null 2>&1
check "docker: a build folder with the Dockerfile, every exercise and its hidden tests" \
    bash -c "grep -q '^FROM \${BASE}' '$WORK/img/Dockerfile' && grep -q 'setup.sh' '$WORK/img/Dockerfile' &&
             [ -f '$WORK/img/exercises/90/driver.c' ] && [ -f '$WORK/img/solutions/90/hidden.yaml' ] &&
             [ ! -e '$WORK/img/solutions/90/waits.c' ] && grep -q 'FILES_90=\"waits.c\"' '$WORK/img/grading.conf'"

# ------------------------------------------------------------ workflow
"$GRADER" export workflow -o "$WORK/wf/grade.yml" >/dev/null 2>&1
step=$(python3 - "$WORK/wf/grade.yml" <<'PY'
import sys, yaml
w = yaml.safe_load(open(sys.argv[1]))
assert w["name"] and "push" in w[True if True in w else "on"]
steps = w["jobs"]["grade"]["steps"]
print([s for s in steps if s.get("id") == "grade"][0]["run"])
PY
)
check "workflow: valid YAML with a grading step" [ -n "$step" ]
L=$WORK/learner
cp -r "$C" "$L"
(cd "$L" && git init -q && git add -A && git -c user.name=l -c user.email=l@l commit -qm starter)
mkdir -p "$L/build/bin" && ln -s "$GRADER" "$L/build/bin/grader"
wf() { # runs the step in the learner's repo; prints its exit and summary size
    : >"$WORK/summary.md"
    (cd "$L" && unset GRADER_COURSE && EXERCISES="" GITHUB_STEP_SUMMARY=$WORK/summary.md \
        bash -c "$step") >/dev/null 2>&1
    echo "$?"
}
match "workflow: nothing started, nothing graded, success" "$(wf)" 0
cp "$SOL" "$L/exercises/90/waits.c"
printf '1=b\n2=a\n' >"$L/exercises/90/answers.txt"
(cd "$L" && git add -A && git -c user.name=l -c user.email=l@l commit -qm solved)
match "workflow: a passing exercise passes" "$(wf)" 0
check "workflow: the report is the job summary" grep -q '^| `adds` | pass | 1/1 |' "$WORK/summary.md"
sed -i 's/return a + b;/return a - b;/' "$L/exercises/90/waits.c"
match "workflow: a failing grade fails the job" "$(wf)" 1
check "workflow: and the summary says why" grep -q 'returned -1, expected 5' "$WORK/summary.md"
finish
