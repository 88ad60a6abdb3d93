#!/usr/bin/env bash
# test_release.sh - `grader release` from a fresh clone of this repository
# (its tracked files and the ones not yet committed, as a clone would have
# them once committed), then the student edition checked as a learner
# would get it (a fresh clone of it):
#   - no solutions/, mutants or hidden.yaml; no line found only in a
#     solution; no hidden test's name, nor a hidden case in a driver;
#   - sealed quizzes: right answers score, wrong ones do not (grader), and
#     the book shows them sealed (sitegen);
#   - it builds, and make test's learner-side part (test-chapters: pages,
#     demos, claims, every starter compiling and failing on its TODOs)
#     passes there; each reference solution, handed in there, passes;
#   - tampering with a provided file is named by grader submit.
. "$(dirname "$0")/../grader/lib.sh"
unset GRADER_COURSE
SRC=$WORK/src STU=$WORK/student CLONE=$WORK/clone
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$SRC" 2>/dev/null)
(cd "$SRC" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm src) ||
    { not_ok "a fresh copy of the repository"; finish; }
printf 'a-course-secret-for-the-tests\n' >"$WORK/secret"
(cd "$SRC" && "$GRADER" release "$STU" --secret-file "$WORK/secret") >"$WORK/release.out" 2>&1
rc=$?
check "release: written (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { sed 's/^/# /' "$WORK/release.out"; finish; }
(cd "$SRC" && "$GRADER" release "$STU" --secret-file "$WORK/secret") >/dev/null 2>&1
check "release: refuses to write over a release (exit 2)" [ $? -eq 2 ]

check "release: no solutions/, tests/mutants/ or hidden.yaml" \
    bash -c "[ ! -e '$STU/solutions' ] && [ ! -e '$STU/tests/mutants' ] && [ -z \"\$(find '$STU' -name hidden.yaml -not -path '*/tools/templates/*')\" ]"
leaks=$(python3 - "$SRC" "$STU" <<'PY'
import os, re, sys
src, stu = sys.argv[1:]
def files(root, skip=()):
    for d, dirs, fs in os.walk(root):
        dirs[:] = [x for x in dirs if x != ".git"]
        rel = os.path.relpath(d, root)
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        for f in fs:
            try:
                yield os.path.join(d, f), open(os.path.join(d, f), errors="replace").read()
            except OSError:
                pass
norm = lambda l: re.sub(r"\s+", " ", l.strip())
elsewhere = set()
for _, t in files(src, skip=("solutions", "tests/mutants")):
    elsewhere.update(norm(l) for l in t.splitlines())
unique = set()
for _, t in files(os.path.join(src, "solutions")):
    unique.update(n for n in map(norm, t.splitlines())
                  if len(n) >= 8 and re.search(r"[A-Za-z0-9]", n) and n not in elsewhere)
released = set()
for _, t in files(stu):
    released.update(norm(l) for l in t.splitlines())
# A hidden test's name anywhere; its case's row ({"case", ...) in its own
# exercise's files (a chapter demo may have a workload of the same name).
hidden = set()
for d in os.listdir(os.path.join(src, "solutions")):
    h = os.path.join(src, "solutions", d, "hidden.yaml")
    if os.path.exists(h):
        for m in re.finditer(r"name:\s*([A-Za-z0-9_:-]+).*?case:\s*([A-Za-z0-9_-]+)", open(h).read()):
            hidden.add(("name", m.group(1), ""))
            hidden.add(("case", '{"%s",' % m.group(2), os.path.join("exercises", d)))
text = {"": "\n".join(t for _, t in files(stu))}
def within(sub):
    if sub not in text:
        text[sub] = "\n".join(t for _, t in files(os.path.join(stu, sub)))
    return text[sub]
bad = ["solution line: " + l for l in sorted(unique & released)][:5]
bad += ["hidden %s: %s" % h[:2] for h in sorted(hidden) if h[1] in within(h[2])]
print("%d %d %s" % (len(unique), len(hidden), "; ".join(bad)))
PY
)
match "release: no line unique to a solution, no hidden test name or case (lines, hidden; leaks)" \
    "$leaks" "[1-9][0-9]* [1-9]* "
python3 - "$STU/edition.json" >"$WORK/manifest.out" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
p = m["protected"]
assert m["edition"] == "student"
assert "exercises/03/driver.c" in p and "exercises/03/ex03.h" in p, "drivers and headers"
assert "runtime/include/rt.h" in p and "exercises/common/exkit.c" in p, "runtime and kit"
assert "exercises/03/threads.c" not in p, "the learner's file is theirs"
assert any(k.startswith("tests/") for k in p) and any(k.startswith("chapters/") for k in p)
assert all(len(v) == 64 for v in p.values())
PY
check "release: edition.json protects drivers, headers, kit, runtime, tests, not learner files" [ $? -eq 0 ]
sed -n 's/^# //p; s/^ *File.*//p' "$WORK/manifest.out" | head -3 | sed 's/^/# /'

# The learner's side: a fresh clone of the student edition.
git clone -q "$STU" "$CLONE" || { not_ok "the student edition clones"; finish; }
CB=$CLONE/build
(cd "$CLONE" && nice make -j2 B=build grading build/bin/sitegen) >"$WORK/build.log" 2>&1
check "release: builds (grader, runtime, kit, site)" [ $? -eq 0 ] || tail -5 "$WORK/build.log" | sed 's/^/# /'
(cd "$CLONE" && nice make -j2 B=build test-chapters) >"$WORK/chapters.log" 2>&1
rc=$?
check "release: make test-chapters passes (pages, demos, claims, starters fail on TODOs)" [ $rc -eq 0 ]
# On a failure, what failed and the lines test_chapters gave for it (a
# claim's verdicts, a grader's reasons).
[ $rc -eq 0 ] || { grep -E 'not ok|passed' "$WORK/chapters.log" | head -5
    grep -h -A12 '^not ok' "$CB"/test-logs/*.log | head -40; } | sed 's/^/# /'
for ex in "$CLONE"/exercises/[0-9][0-9]; do
    nn=$(basename "$ex")
    check "release: its starter $nn was graded there as failing" \
        grep -q "^ok .* - $nn: the starter compiles and fails (exit 1)" "$CB/test-logs/test_chapters.sh.log"
done
G=$CB/bin/grader
export GRADER_GRADEBOOK=$WORK/student-gradebook.sqlite
# What the hidden tests' removal left must still grade a right answer right:
# each reference solution, handed in to the student edition, passes there.
for ex in "$CLONE"/exercises/[0-9][0-9]; do
    nn=$(basename "$ex")
    mkdir -p "$WORK/sol/$nn" && cp "$SRC/solutions/$nn"/*.c "$WORK/sol/$nn/"
    (cd "$CLONE" && "$G" submit "$nn" --from "$WORK/sol/$nn" --skip quiz --skip patterns \
        --skip sanitizers --no-record --format json) >"$WORK/sol-$nn.json" 2>/dev/null
    rc=$?
    check "release: the reference solution of $nn passes its released tests" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || python3 -c 'import json,sys; [print("# %s: %s" % (c["name"], c["reason"])) for c in json.load(open(sys.argv[1]))["checks"] if c["status"] != "pass"]' "$WORK/sol-$nn.json"
done
right=$(python3 - "$SRC" <<'PY'
import glob, json, re, sys
t = open(glob.glob(sys.argv[1] + "/chapters/03-*.md")[0]).read()
qs = json.loads(re.search(r"```quiz[^\n]*\n(.*?)```", t, re.S).group(1))
print(",".join("%d=%s" % (i, q["answer"] if isinstance(q["answer"], str) else chr(97 + q["answer"]))
               for i, q in enumerate(qs, 1)))
PY
)
wrong=$(echo "$right" | sed 's/=a/=x/g; s/=b/=a/g; s/=c/=b/g; s/=d/=c/g; s/=x/=d/g')
quiz() { # ANSWERS -> the quiz check's "status reason"
    (cd "$CLONE" && "$G" quiz 3 --answer "$1" >/dev/null &&
        "$G" submit 03 --skip patterns --skip sanitizers --no-record --format json 2>/dev/null) |
        python3 -c 'import json,sys; c=[c for c in json.load(sys.stdin)["checks"] if c["name"]=="quiz"][0]; print(c["status"], c["reason"])'
}
check "release: the chapters hold no quiz answer in the clear" \
    bash -c "! grep -Eq '\"answer\": *(\"[a-f]\"|[0-9])' '$CLONE'/chapters/*.md"
match "release: sealed keys accept the right answers" "$(quiz "$right")" "pass 6 of 6 right"
match "release: and reject wrong ones" "$(quiz "$wrong")" "fail 0 of 6 right*"
(cd "$CLONE" && "$CB/bin/sitegen" --out "$WORK/site" --quiet --gradebook "$WORK/none.sqlite") >/dev/null 2>&1
page=$(ls "$WORK"/site/*03*.html 2>/dev/null | head -1)
check "release: the book shows the quiz sealed (data-answer-key, no data-answer)" \
    bash -c "grep -q 'data-answer-key=\"hmac-sha256:' '$page' && ! grep -q 'data-answer=' '$page'"

# Tampering with a provided file is named.
echo "/* made to pass */" >>"$CLONE/exercises/03/driver.c"
line=$(cd "$CLONE" && "$G" submit 03 --skip patterns --skip sanitizers --skip quiz --no-record 2>&1 |
    grep unchanged_files)
match "release: tampering names the edited file" "$line" "*FAIL*exercises/03/driver.c*"
(cd "$CLONE" && git checkout -q exercises/03/driver.c)
line=$(cd "$CLONE" && "$G" submit 03 --skip patterns --skip sanitizers --skip quiz --no-record 2>&1 |
    grep unchanged_files)
match "release: restored, the check passes" "$line" "*PASS*as released*"
finish
