#!/usr/bin/env bash
# test_pilot.sh - end to end on the real exercises (exercise 03 is the
# pilot; every exercise with solutions/NN joins automatically): the
# reference solution passes, the starter fails with a helpful message, and
# each mutant fails on the check its expect.yaml names, with its message.
# make reliability does the same K times under load; this is one round.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
unset GRADER_COURSE
verdicts() { # json report on stdin -> "name|status|reason" lines
    python3 -c 'import json,sys
for c in json.load(sys.stdin)["checks"]:
    print("%s|%s|%s" % (c["name"], c["status"], (c["reason"] + " " + c["output"]).replace("\n", " ")))'
}
for sol in solutions/[0-9][0-9]; do
    nn=$(basename "$sol")
    [ -f "exercises/$nn/exercise.yaml" ] || continue
    "$GRADER" submit "exercises/$nn" --from "$sol" --skip quiz --no-record --format json \
        >"$WORK/ref.json" 2>"$WORK/ref.err"
    rc=$?
    check "$nn: the reference solution passes" [ $rc -eq 0 ]
    [ $rc -eq 0 ] || verdicts <"$WORK/ref.json" | grep -v '|pass|' | sed 's/^/# /'
    # The README's grading table promises the points the grader gives.
    table=$(python3 - "exercises/$nn/README.md" "$WORK/ref.json" <<'PY'
import json, re, sys
rows = {}
for line in open(sys.argv[1]):
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 3 or not line.startswith("|"):
        continue
    names = re.findall(r"`([^`]+)`", cells[0]) or [cells[0]]
    for n in names:
        rows[n] = cells[-1]
wrong = []
for c in json.load(open(sys.argv[2]))["checks"]:
    if c["hidden"] or c["name"] == "quiz":
        continue
    want = "-" if c["max_score"] == 0 else "%g" % c["max_score"]
    got = rows.get(c["name"])
    if got is None or got.replace(" each", "") != want:
        wrong.append("%s: README says %s, grader gives %s" % (c["name"], got, want))
print("; ".join(wrong))
PY
)
    match "$nn: README's grading table matches the points given" "$table" ""

    before=$(sha256sum exercises/"$nn"/* 2>/dev/null)
    "$GRADER" submit "exercises/$nn" --skip quiz --skip patterns --no-record --format json \
        >"$WORK/starter.json" 2>/dev/null
    rc=$?
    check "$nn: the starter fails" [ $rc -eq 1 ]
    # Helpful: each failed test says what is wrong in a sentence of its
    # own, not just how the program ended.
    bad=$(verdicts <"$WORK/starter.json" | awk -F'|' '$2 == "fail" && ($3 ~ /^exit status/ || length($3) < 15)')
    nfail=$(verdicts <"$WORK/starter.json" | grep -c '|fail|')
    check "$nn: the starter's $nfail failures each say why" [ "$nfail" -gt 0 -a -z "$bad" ]
    check "$nn: grading the starter left the learner's files as they were" \
        [ "$before" = "$(sha256sum exercises/"$nn"/* 2>/dev/null)" ]

    for m in tests/mutants/"$nn"/*/; do
        m=${m%/}
        [ -f "$m/expect.yaml" ] || continue
        want=$(sed -n 's/^check:[[:space:]]*//p' "$m/expect.yaml" | tr -d '"')
        msg=$(sed -n 's/^message:[[:space:]]*//p' "$m/expect.yaml" | sed -e 's/^"\(.*\)"$/\1/')
        skip="--skip quiz"
        case $want in
        sanitizer:*) skip="$skip --skip patterns" ;;
        *) grep -q "name: $want\$" "exercises/$nn/exercise.yaml" &&
            grep -A1 "name: $want\$" "exercises/$nn/exercise.yaml" | grep -q expect &&
            skip="$skip --skip sanitizers" || skip="$skip --skip sanitizers --skip patterns" ;;
        esac
        line=$("$GRADER" submit "$nn" --from "$m" $skip --no-record --format json 2>/dev/null |
            verdicts | grep "^$want|")
        if [[ $line == "$want|fail|"*"$msg"* ]]; then
            ok "$nn: mutant $(basename "$m") fails $want with \"$msg\""
        else
            not_ok "$nn: mutant $(basename "$m") fails $want with \"$msg\" (got: ${line:0:300})"
        fi
    done
done
finish
