#!/usr/bin/env bash
# test_statuses.sh - every status each kind of check can take, each for the
# reason that should give it (fixture 90).  A grader that marked a partial
# quiz, a sanitizer report or a missing compiler as a pass fails here.
#
#   build      pass, fail (does not compile; refused), error (no compiler)
#   test       pass, fail, skip (nothing built)
#   sanitizer  pass, fail (a report), skip (no test passes yet)
#   pattern    pass, fail, skip
#   quiz       pass, fail (partial credit), skip (no quiz), error (malformed)
. "$(dirname "$0")/lib.sh"
C=$(fresh_course)
export GRADER_COURSE=$C
SOL=$C/solutions/90
SEEN=$WORK/seen
: >"$SEEN"
# grade NAME ARGS...: grades into $WORK/NAME.json, notes "kind:status:name reason".
grade() {
    local name=$1; shift
    "$GRADER" submit 90 --no-record --format json -o "$WORK/$name.json" "$@" 2>"$WORK/$name.err"
    python3 -c 'import json,sys
for c in json.load(open(sys.argv[1]))["checks"]:
    print("%s:%s:%s %s" % (c["kind"], c["status"], c["name"], c["reason"]))' "$WORK/$name.json" >>"$SEEN" 2>/dev/null
}
seen() { # kind status phrase: was some check of `kind` given `status` for `phrase`?
    grep -F -- "$1:$2:" "$SEEN" | grep -qF -- "$3"
}
expect() { if seen "$1" "$2" "$3"; then ok "$1 can be $2: $3"; else not_ok "$1 can be $2: $3 (seen: $(grep -F "$1:" "$SEEN" | cut -c1-120 | sort -u | tr '\n' '|'))"; fi; }

# The reference with every answer right: everything passes.
"$GRADER" quiz 90 --answer 1=b,2=a >/dev/null
grade reference --from "$SOL"
# The starter: its tests fail, the sanitizer has nothing to vouch for, the
# waits hold the GIL (the pattern fails).
grade starter
# Does not compile, and a file the object check refuses.
mkdir -p "$WORK/broken" "$WORK/refused" "$WORK/overflow"
printf 'int ex90_add(int a, int b) { return a + b }\n' >"$WORK/broken/waits.c"
grade broken --from "$WORK/broken" --skip quiz
sed 's|return a + b;|exit(a + b);|; s|#include "rt.h"|#include "rt.h"\n#include <stdlib.h>|' \
    "$SOL/waits.c" >"$WORK/refused/waits.c"
grade refused --from "$WORK/refused" --skip quiz --skip patterns
# Right answers, and a read past a global array that only ASan sees.
sed 's|    return a + b;|    static int pair[2];\n    volatile int *p = pair;\n    volatile int i = 2;\n    (void)p[i];\n    return a + b;|' \
    "$SOL/waits.c" >"$WORK/overflow/waits.c"
grade overflow --from "$WORK/overflow" --skip quiz --skip patterns
# No compiler at all: the grader's trouble, not the learner's.
CC=/nonexistent/cc grade nocc --from "$SOL" --skip quiz
# The quiz: one right answer of two; no quiz block; a malformed one.
"$GRADER" quiz 90 --answer 1=b,2=b >/dev/null
grade partial --from "$SOL" --skip patterns --skip sanitizers
md=$(ls "$C"/chapters/90-*.md)
cp "$md" "$WORK/chapter.md"
sed -i '/^```quiz/,/^```$/d' "$md"
grade noquiz --from "$SOL" --skip patterns --skip sanitizers
sed 's/"answer": "b"/"answer": /' "$WORK/chapter.md" >"$md"
grade badquiz --from "$SOL" --skip patterns --skip sanitizers
cp "$WORK/chapter.md" "$md"

expect build pass "the object check found only what exercise 90 allows"
expect build fail "does not compile"
expect build fail "calls exit"
expect build error "the grader could not build"
expect test pass "passed"
expect test fail "ex90:"
expect test skip "not run: the program does not compile"
expect sanitizer pass "found nothing"
expect sanitizer fail "found a problem in test adds"
expect sanitizer skip "no correctness test passes yet"
expect pattern pass "overlaps: the counters agree"
expect pattern fail "expected \`overlaps\`"
expect pattern skip "not run"
expect quiz pass "2 of 2 right"
expect quiz fail "1 of 2 right; wrong: 2"
expect quiz skip "has no quiz yet"
expect quiz error "malformed"
# The reference passes as a whole, and nothing else does.
check "the reference passes; starter, partial quiz and overflow do not" python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
passed = {n: json.load(open("%s/%s.json" % (w, n)))["passed"] for n in
          ("reference", "starter", "partial", "overflow")}
assert passed == {"reference": True, "starter": False, "partial": False, "overflow": False}, passed
PY
finish
