#!/usr/bin/env bash
# test_scaffold.sh - `make new-exercise` gives an author a chapter and an
# exercise that work before they write a line: in a fresh course tree, the
# scaffold renders, its demo runs and its claim holds, its starter fails
# naming a TODO, its solution passes, its mutant fails the named check; and
# bad arguments or a taken number are refused with nothing written.
. "$(dirname "$0")/../grader/lib.sh"
C=$WORK/course
mkdir -p "$C"
new() { COURSE=$C "$ROOT/tools/new-exercise.sh" "$@" >"$WORK/new.out" 2>&1; }

new 42 scaffold-test "Scaffold test"
check "scaffold: written (exit 0)" [ $? -eq 0 ]
files=$(cd "$C" && find . -type f | sort | tr '\n' ' ')
match "scaffold: chapter, demo, claims, exercise, solution, mutant" "$files" \
    "*chapters/42-scaffold-test.md*chapters/42/claims.yaml*chapters/42/demo.c*exercises/42/README.md*exercises/42/driver.c*exercises/42/ex42.h*exercises/42/exercise.yaml*exercises/42/work.c*solutions/42/hidden.yaml*solutions/42/work.c*tests/mutants/42/off-by-one.patch*"
before=$(cd "$C" && find . -type f -exec sha256sum {} + | sort)
new 42 other-slug
match "scaffold: a taken number is refused" "$? $(cat "$WORK/new.out")" "2 *already exists*"
new 0 zero
match "scaffold: N out of range is refused" "$?" 2
new 43 Bad_Slug
match "scaffold: a bad slug is refused" "$? $(cat "$WORK/new.out")" "2 *SLUG*"
check "scaffold: refusals wrote nothing" [ "$before" = "$(cd "$C" && find . -type f -exec sha256sum {} + | sort)" ]

export GRADER_COURSE=$C
"$GRADER" submit 42 --skip quiz --no-record --format json >"$WORK/s.json" 2>/dev/null
rc=$?
why=$(python3 -c 'import json,sys; print([c["reason"] for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "work_is_done"][0])' "$WORK/s.json")
match "scaffold: the starter builds and fails, naming its TODO" "$rc $why" "1 *TODO*"
"$GRADER" submit 42 --from "$C/solutions/42" --skip quiz --no-record >"$WORK/r.txt" 2>&1
rc=$?
check "scaffold: the reference passes, hidden test and sanitizers included" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$WORK/r.txt"
"$ROOT/tools/mutant.sh" apply "$C/tests/mutants/42/off-by-one.patch" "$WORK/mut" &&
    "$GRADER" submit 42 --from "$WORK/mut" --skip quiz --skip sanitizers --no-record >"$WORK/m.txt" 2>&1
match "scaffold: the mutant fails work_is_done, as its patch says" \
    "$(grep work_is_done "$WORK/m.txt")" "*FAIL*not what rt_bytecodes returned*"

# The demo and its claim, built the way mk/chapters.mk builds demos, into
# a build tree of the test's own (the libraries are the real ones).
mkdir -p "$WORK/b/demos/42" && ln -s "$B/lib" "$WORK/b/lib"
${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -pthread -I"$ROOT/runtime/include" \
    -I"$ROOT/exercises/common" "$C/chapters/42/demo.c" "$B/lib/libexkit-rel.a" \
    "$B/lib/librt-rel.a" -pthread -lm -o "$WORK/b/demos/42/demo"
check "scaffold: the demo compiles with -Werror" [ $? -eq 0 ]
check "scaffold: the demo shows its table" "$WORK/b/demos/42/demo" show
GRADER_BUILD=$WORK/b "$GRADER" claims 42 --quiet >"$WORK/c.txt" 2>&1
check "scaffold: its claim holds (grader claims 42)" [ $? -eq 0 ]
"$B/bin/sitegen" --root "$C" --out "$WORK/site" --quiet >"$WORK/site.txt" 2>&1
rc=$?
check "scaffold: the page renders with the site generator" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$WORK/site.txt"
finish
