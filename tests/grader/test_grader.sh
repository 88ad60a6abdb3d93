#!/usr/bin/env bash
# test_grader.sh - the command line: --help everywhere, every way to name
# an exercise, staged hints, the quiz (asked and scored), watch (inotify
# and polling), reset (backup, then the starter back from git).
. "$(dirname "$0")/lib.sh"
C=$(fresh_course)
export GRADER_COURSE=$C
for cmd in submit status hint quiz watch reset grade; do
    out=$("$GRADER" $cmd --help 2>&1) || out="exit $?"
    match "$cmd --help" "$out" "usage: grader $cmd*"
done
"$GRADER" --help | grep -q "exit status: 0 passed" && ok "grader --help documents exit codes" || not_ok "grader --help documents exit codes"

fast="--no-record --skip sanitizers --skip patterns --skip quiz --format json"
for form in 90 "exercises/90" "exercises/90/" "$C/exercises/90" fixture-waits; do
    ex=$(cd "$C" && "$GRADER" submit "$form" $fast 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["exercise"])')
    check "the exercise named as '$form'" [ "$ex" = 90 ]
done
# "grader submit exercises/90" exactly as typed, from the course root, with
# the build's bin directory on PATH (how the workbook sets it up).
(cd "$C" && PATH="$(dirname "$GRADER"):$PATH" grader submit exercises/90 $fast >/dev/null 2>&1)
check "'grader submit exercises/90' typed as is (exit 1: the starter fails)" [ $? -eq 1 ]

h1=$("$GRADER" hint 90); h2=$("$GRADER" hint 90); h3=$("$GRADER" hint 90)
match "hint: the first" "$h1" 'hint 1 of 2: First hint*'
match "hint: then the second" "$h2" 'hint 2 of 2: Second hint*'
match "hint: the last again, said so" "$h3" '*that was the last hint*'
check "hint --all lists those shown" [ "$("$GRADER" hint 90 --all | grep -c '^hint ')" -eq 2 ]

score_quiz() {
    "$GRADER" submit 90 --no-record --skip sanitizers --skip patterns --format json 2>/dev/null |
        python3 -c 'import json,sys; q=[c for c in json.load(sys.stdin)["checks"] if c["name"]=="quiz"][0]; print(q["status"], q["score"], q["max_score"], q["reason"])'
}
"$GRADER" quiz 90 --answer 1=b,2=a >/dev/null
check "quiz --answer stores answers.txt" grep -qx '2=a' "$C/exercises/90/answers.txt"
s=$(score_quiz)
match "quiz: all right, 2 of 2 ($s)" "$s" "pass 2.0 2.0 2 of 2 right"
"$GRADER" quiz 90 --answer 2=b >/dev/null
s=$(score_quiz)
# Partial credit is still a fail: one right answer in two is not a pass.
match "quiz: partial credit, a fail that names the wrong one ($s)" "$s" "fail 1.0 2.0 1 of 2 right; wrong: 2"
before=$(cat "$C/exercises/90/answers.txt")
for bad in "" " , " "1=a,1=b" "3=a" "1=z"; do
    "$GRADER" quiz 90 --answer "$bad" >/dev/null 2>"$WORK/quiz.err"
    rc=$?
    after=$(cat "$C/exercises/90/answers.txt")
    match "quiz --answer '$bad': exit 2, a message, answers kept" \
        "$rc $(wc -l <"$WORK/quiz.err") $([ "$after" = "$before" ] && echo kept)" "2 [1-9]* kept"
done
# The answer as a 0-based index (1 = b), as many course pages publish it,
# scores the same as the letter.
qf=$C/chapters/90-fixture-waits.md
cp "$qf" "$WORK/quiz-letters.md"
sed -i -e 's/"answer": "b"/"answer": 1/' -e 's/"answer": "a"/"answer": 0/' "$qf"
"$GRADER" quiz 90 --answer 1=b,2=a >/dev/null
s=$(score_quiz)
match "quiz: answers given as indexes score the same ($s)" "$s" "pass 2.0 2.0 2 of 2 right"
cp "$WORK/quiz-letters.md" "$qf"
out=$(printf 'b\nc\na\n' | "$GRADER" quiz 90)
match "quiz asked in the terminal (a bad letter is asked again)" "$out" '*1. What does a blocking call*a) keeps it*Right.*answers stored*'
check "quiz: terminal answers stored" grep -qx '2=a' "$C/exercises/90/answers.txt"

for mode in inotify poll; do
    poll=0; [ $mode = poll ] && poll=1
    GRADER_WATCH_POLL=$poll GRADER_WATCH_LIMIT=2 timeout 120 "$GRADER" watch 90 --no-record \
        --skip sanitizers --skip patterns --skip quiz >"$WORK/watch.$mode" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q '^score' "$WORK/watch.$mode" && break; sleep 0.2; done
    sleep 0.5
    sed -i 's/return a; \/\* TODO: add b \*\//return a + b;/' "$C/exercises/90/waits.c"
    wait $pid
    rc=$?
    match "watch ($mode): graded again after a save (exit, gradings)" \
        "$rc $(grep -c '^score' "$WORK/watch.$mode")" "1 2"
    check "watch ($mode): the second grading saw the fix" bash -c "grep '^  PASS  adds' '$WORK/watch.$mode' | grep -q ."
    # Build and tests are shown as soon as they are judged, before the rest.
    check "watch ($mode): build and tests printed first, each time" \
        [ "$(grep -c 'build and tests; the rest follows' "$WORK/watch.$mode")" -eq 2 ]
    git -C "$C" checkout -q -- . 2>/dev/null || cp "$FIXTURE/exercises/90/waits.c" "$C/exercises/90/waits.c"
done

# The same files graded again reuse the plain program (progcache.c), and
# say so; a changed file is built afresh.  --skip tests runs only the build
# and the patterns (batch's pattern run).
export GRADER_PROG_CACHE=$WORK/progcache
build_reason() {
    "$GRADER" submit 90 --from "$C/solutions/90" --no-record --skip quiz $1 --format json 2>/dev/null |
        python3 -c 'import json,sys; c=json.load(sys.stdin)["checks"]; print(c[0]["reason"]); print(*sorted({x["kind"]+":"+x["status"] for x in c[1:]}))'
}
r1=$(build_reason "--skip sanitizers --skip patterns")
r2=$(build_reason "--skip sanitizers --skip patterns")
match "progcache: the first grading builds ($r1)" "$r1" 'compiled with*allows'$'\n''test:pass'
match "progcache: the second reuses the program, and says so" "$r2" '*the program of an earlier grading of the same files*'$'\n''test:pass'
check "progcache: one program kept" [ "$(ls "$WORK/progcache" | grep -c '^[0-9a-f]\{64\}$')" -eq 1 ]
cp -r "$C/solutions/90" "$WORK/sol90"
echo "/* edited */" >>"$WORK/sol90/waits.c"
r3=$("$GRADER" submit 90 --from "$WORK/sol90" --no-record --skip quiz --skip sanitizers --skip patterns --format json 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][0]["reason"])')
match "progcache: an edited file is built afresh ($r3)" "$r3" 'compiled with*allows'
r4=$(build_reason "--skip tests")
match "--skip tests: build and patterns only, the tests said skipped" "$r4" '*'$'\n''pattern:pass test:skip'
unset GRADER_PROG_CACHE

(cd "$C" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture)
echo "/* my work */" >>"$C/exercises/90/waits.c"
out=$("$GRADER" reset 90 2>&1)
backup=$(ls -d "$C"/exercises/90/.backup/*/ 2>/dev/null | head -1)
match "reset names its backup" "$out" '*saved in exercises/90/.backup/*'
check "reset: the backup holds my work" grep -q 'my work' "$backup/waits.c"
check "reset: the starter is back" cmp -s "$C/exercises/90/waits.c" "$FIXTURE/exercises/90/waits.c"
finish
