#!/usr/bin/env bash
# test_chapters.sh - every chapter and its exercise, from the files alone.
#
# Adding chapters/NN-slug.md, chapters/NN/, exercises/NN, solutions/NN and
# tests/mutants/NN needs no edit here.  For every chapter page:
#   - the page: one quiz of 4-8 questions (a placeholder page may have
#     fewer), include fences that name existing files and regions, images
#     that exist, a link to its exercise when there is one;
#   - its demo runs (`demo show --quick`) and its figure programs draw;
#   - its claims hold (`grader claims N`: chapters/NN/claims.yaml judged on
#     the demo's counters with the grader's own pattern logic);
# and for every exercise with solutions/NN:
#   - the reference solution passes every check (tests, hidden tests,
#     sanitizers, patterns), and the README's grading table matches;
#   - the starter compiles and fails each test with a message naming a TODO,
#     and grading it leaves the learner's files as they were;
#   - 3 or more staged hints, hidden tests, 4 or more mutants, each failing
#     the check its patch names with its message (tools/mutant.sh).
# make reliability does the exercise part K times under load.
. "$(dirname "$0")/../grader/lib.sh"
cd "$ROOT" || exit 1
unset GRADER_COURSE RT_GIL RT_SWITCH_INTERVAL_US RT_TRACE
verdicts() { # json report on stdin -> "name|status|reason" lines
    python3 -c 'import json,sys
for c in json.load(sys.stdin)["checks"]:
    print("%s|%s|%s" % (c["name"], c["status"], (c["reason"] + " " + (c["output"] or "")).replace("\n", " ")))'
}

# ------------------------------------------------------------ chapters
for md in chapters/[0-9][0-9]-*.md; do
    nn=${md#chapters/} nn=${nn%%-*} n=$((10#$nn))
    placeholder=0
    grep -q '^> \*\*Placeholder chapter' "$md" && placeholder=1
    # The page, read as the site reads it (the site build checks the rest).
    out=$(python3 - "$md" "$nn" "$placeholder" <<'PY'
import json, os, re, sys
path, nn, placeholder = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
text = open(path).read()
bad = []
fences = re.findall(r"^```(\w*)[^\n]*\n(.*?)^```", text, re.S | re.M)
quiz = [body for info, body in fences if info == "quiz"]
if len(quiz) != 1:
    bad.append("%d quiz blocks" % len(quiz))
else:
    qs = json.loads(quiz[0])
    lo = 3 if placeholder else 4
    if not lo <= len(qs) <= 8:
        bad.append("%d questions (the course asks 4-8)" % len(qs))
    for i, q in enumerate(qs, 1):
        a, n = q.get("answer"), len(q.get("choices", []))
        ok = (isinstance(a, str) and len(a) == 1 and 0 <= ord(a) - 97 < n) or \
             (isinstance(a, int) and 0 <= a < n)
        if not ok or not q.get("explain"):
            bad.append("question %d: answer %r, explain %r" % (i, a, bool(q.get("explain"))))
for info, body in fences:
    if info != "include":
        continue
    kv = dict(l.split(":", 1) for l in body.strip().splitlines())
    src = kv["path"].strip()
    if not os.path.exists(src):
        bad.append("include of missing %s" % src)
        continue
    region = kv.get("region", "").strip()
    text_src = open(src).read()
    if region and not any(m % region in text_src for m in
                          ("// [%s]", "// [region %s]", "# [%s]", "# [region %s]")):
        bad.append("no region %s in %s" % (region, src))
if os.path.isdir("exercises/" + nn) and ("](../exercises/%s/README.md)" % nn) not in text:
    bad.append("no link to ../exercises/%s/README.md" % nn)
for img in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
    if not os.path.exists(os.path.join("chapters", img)):
        bad.append("missing image %s" % img)
print("; ".join(bad))
PY
)
    match "chapter $n: page well formed (quiz, includes, links, images)" "$out" ""

    if [ -f "chapters/$nn/demo.c" ]; then
        demo=$B/demos/$nn/demo
        if [ -x "$demo" ] && "$demo" show --quick >"$WORK/demo-$nn.out" 2>&1 && [ -s "$WORK/demo-$nn.out" ]; then
            ok "chapter $n: the demo runs (demo show --quick)"
        else
            not_ok "chapter $n: the demo runs (demo show --quick): $(tail -3 "$WORK/demo-$nn.out" 2>/dev/null)"
        fi
    elif [ $placeholder = 0 ]; then
        not_ok "chapter $n: has a demo (chapters/$nn/demo.c)"
    fi
    for src in chapters/"$nn"/*.c; do
        prog=$(basename "$src" .c)
        [ -f "$src" ] && [ "$prog" != demo ] || continue
        case $prog in
        *-traces) # a trace recorder: JSON the page's timeline reads
            if "$B/demos/$nn/$prog" "$WORK/$nn-$prog.json" >/dev/null 2>"$WORK/$nn-$prog.err" &&
                python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["traces"]' \
                    "$WORK/$nn-$prog.json" 2>>"$WORK/$nn-$prog.err"; then
                ok "chapter $n: trace recorder $prog records traces from real runs"
            else
                not_ok "chapter $n: trace recorder $prog records traces: $(tail -2 "$WORK/$nn-$prog.err")"
            fi ;;
        *)
            if "$B/demos/$nn/$prog" "$WORK/$nn-$prog.svg" >/dev/null 2>"$WORK/$nn-$prog.err" &&
                grep -q '<svg' "$WORK/$nn-$prog.svg"; then
                ok "chapter $n: figure program $prog draws an SVG from a real run"
            else
                not_ok "chapter $n: figure program $prog draws an SVG: $(tail -2 "$WORK/$nn-$prog.err")"
            fi ;;
        esac
    done
    if [ -f "chapters/$nn/claims.yaml" ]; then
        "$GRADER" claims "$n" --quiet --format json >"$WORK/claims-$nn.json" 2>"$WORK/claims-$nn.err"
        rc=$?
        check "chapter $n: its claims hold on the demo (grader claims $n)" [ $rc -eq 0 ]
        [ $rc -eq 0 ] || { verdicts <"$WORK/claims-$nn.json" | grep -v '|pass|'; cat "$WORK/claims-$nn.err"; } | sed 's/^/# /'
    elif [ $placeholder = 0 ]; then
        not_ok "chapter $n: has claims (chapters/$nn/claims.yaml)"
    fi
done

# ------------------------------------------------------------ exercises
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
    hidden=$(python3 -c 'import json,sys; print(sum(c["hidden"] for c in json.load(open(sys.argv[1]))["checks"]))' "$WORK/ref.json" 2>/dev/null)
    check "$nn: has hidden tests ($hidden)" [ "${hidden:-0}" -ge 1 ]
    hints=$(grep -c '^  - ' <(sed -n '/^hints:/,/^[a-z]/p' "exercises/$nn/exercise.yaml"))
    check "$nn: has 3 or more staged hints ($hints)" [ "$hints" -ge 3 ]

    before=$(sha256sum exercises/"$nn"/* 2>/dev/null)
    "$GRADER" submit "exercises/$nn" --skip quiz --skip patterns --no-record --format json \
        >"$WORK/starter.json" 2>/dev/null
    rc=$?
    built=$(verdicts <"$WORK/starter.json" | grep -c '^build|pass|')
    match "$nn: the starter compiles and fails (exit $rc)" "$rc:$built" "1:1"
    # Helpful: each failed test names the TODO still to do.
    bad=$(verdicts <"$WORK/starter.json" | awk -F'|' '$2 == "fail" && $3 !~ /TODO/')
    nfail=$(verdicts <"$WORK/starter.json" | grep -c '|fail|')
    match "$nn: the starter's $nfail failures each name a TODO" "$nfail:$bad" "[1-9]*:"
    check "$nn: grading the starter left the learner's files as they were" \
        [ "$before" = "$(sha256sum exercises/"$nn"/* 2>/dev/null)" ]

    nmut=0
    for p in tests/mutants/"$nn"/*.patch; do
        [ -f "$p" ] || continue
        nmut=$((nmut + 1))
        slug=$(basename "$p" .patch) m=$WORK/mutants/$nn-$(basename "$p" .patch)
        if ! err=$(tools/mutant.sh apply "$p" "$m" 2>&1); then
            not_ok "$nn: mutant $slug applies to the reference (${err:0:300})"
            continue
        fi
        want=$(tools/mutant.sh field "$p" Check) msg=$(tools/mutant.sh field "$p" Message)
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
            ok "$nn: mutant $slug fails $want with \"$msg\""
        else
            not_ok "$nn: mutant $slug fails $want with \"$msg\" (got: ${line:0:300})"
        fi
    done
    check "$nn: has 4 or more mutants ($nmut)" [ "$nmut" -ge 4 ]
done
finish
