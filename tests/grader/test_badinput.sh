#!/usr/bin/env bash
# test_badinput.sh - bad input gets a clear error, exit status 2, and
# nothing written: malformed metadata (file:line), missing files, unknown
# exercises, paths outside exercises/, symlinked learner files, a malformed
# quiz block, bad options.  And submit never modifies the learner's files.
. "$(dirname "$0")/lib.sh"
C=$(fresh_course)
export GRADER_COURSE=$C
y=$C/exercises/90/exercise.yaml
cp "$y" "$WORK/good.yaml"

# run NAME PATTERN ARGS...: exit 2, stderr matches PATTERN, no gradebook.
run() {
    local name=$1 pat=$2; shift 2
    rm -f "$GRADER_GRADEBOOK"
    "$GRADER" "$@" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    if [ $rc -eq 2 ] && grep -Eq "$pat" "$WORK/err" && [ ! -e "$GRADER_GRADEBOOK" ]; then
        ok "$name"
    else
        not_ok "$name (exit $rc; stderr: $(head -c 300 "$WORK/err"))"
    fi
}

printf 'id: "90"\nslug: x\n  title: [unclosed\n' >"$y"
run "malformed YAML: file:line:col error" '^exercises/90/exercise.yaml:[0-9]+:[0-9]+: ' submit 90

sed -e 's/expect: overlaps/expect: faster/' -e 's/^chapter: 90/chapter: 90\ncolour: blue/' \
    "$WORK/good.yaml" >"$y"
line=$(grep -n 'expect: faster' "$y" | cut -d: -f1)
run "bad value reported at its line ($line)" "^exercises/90/exercise.yaml:$line: patterns\[0\]\.expect: \"faster\"" submit 90
run "unknown key reported (every error listed)" 'unknown key "colour"' submit 90

sed 's/driver: \[driver.c\]/driver: [nothere.c]/' "$WORK/good.yaml" >"$y"
run "missing driver file" 'driver: "nothere.c" does not exist' submit 90
sed 's/files: \[waits.c\]/files: [..\/..\/etc\/passwd]/' "$WORK/good.yaml" >"$y"
run "a file path leaving the exercise is refused" 'must be a plain file name' submit 90
sed 's/id: "90"/id: "91"/' "$WORK/good.yaml" >"$y"
run "id must match the directory" 'does not match the directory' submit 90
cp "$WORK/good.yaml" "$y"

run "unknown exercise number" 'no such exercise' submit 42
run "unknown slug" 'no exercise has this number or slug' submit no-such-slug
run "path outside exercises/ (absolute)" 'not an exercise' submit /etc
run "path outside exercises/ (relative ..)" 'not an exercise' submit "$C/exercises/../chapters"
run "the exercises/ directory itself" 'not an exercise' submit "$C/exercises"
run "unknown command" 'unknown command' frobnicate
run "bad --format" 'give text, json' submit 90 --format yaml
run "bad --skip" 'give quiz, patterns, sanitizers or tests' submit 90 --skip lunch
run "bad --repeat" 'give a count of 1 or more' submit 90 --repeat 0
echo keep >"$WORK/report.json"
run "--repeat 2 with -o is refused" 'drop -o' submit 90 --repeat 2 -o "$WORK/report.json"
check "--repeat 2 -o: the file is untouched" grep -qx keep "$WORK/report.json"

mv "$C/exercises/90/waits.c" "$WORK/waits.c.saved"
run "missing learner file: clear error, nothing written" 'waits.c: missing' submit 90
ln -s /etc/passwd "$C/exercises/90/waits.c"
run "learner file is a symlink: refused" 'is a symbolic link' submit 90
rm "$C/exercises/90/waits.c"
mv "$WORK/waits.c.saved" "$C/exercises/90/waits.c"

q=$C/chapters/90-fixture-waits.md
cp "$q" "$WORK/good.md"
sed -i 's/"answer": "b"/"answer": b/' "$q"
qline=$(grep -n '"answer": b' "$q" | cut -d: -f1)
run "malformed quiz block: chapter file:line" "^chapters/90-fixture-waits.md:$qline: quiz: invalid JSON" quiz 90 --answer 1=a
check "no answers.txt written for a malformed quiz" [ ! -e "$C/exercises/90/answers.txt" ]
sed 's/"answer": "b"/"answer": "z"/' "$WORK/good.md" >"$q"
zline=$(grep -n '"answer": "z"' "$q" | cut -d: -f1)
run "quiz answer that is not a choice ($zline)" "^chapters/90-fixture-waits.md:$zline: quiz question 1: answer \"z\" is not a letter a-b" quiz 90 --answer 1=a
cp "$WORK/good.md" "$q"
run "--answer out of range" 'question 1 has choices a to b' quiz 90 --answer 1=e

# submit never changes the learner's files, whatever the verdict.
before=$(cd "$C/exercises/90" && find . -type f | sort | xargs sha256sum)
"$GRADER" submit 90 --skip patterns --skip sanitizers --no-record >/dev/null 2>&1
after=$(cd "$C/exercises/90" && find . -type f | sort | xargs sha256sum)
check "submit leaves the exercise directory byte for byte as it was" [ "$before" = "$after" ]
finish
