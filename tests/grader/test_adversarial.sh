#!/usr/bin/env bash
# test_adversarial.sh - submissions written to fool the grader, and honest
# ones written in unusual styles (tests/grader/adversarial/<case>/, each
# with an `expect` file: "fail CHECK" or "pass", then a phrase the failing
# check's reason or output must contain).  Every cheat must fail with the
# reason that names it; every honest solution must pass.  A case is on
# exercise 03 (threads.c), unless its name starts with another exercise's
# number ("05-forged_exit": exercise 05).  Its file is there whole
# (threads.c: a file written another way), or as a patch on the reference
# (threads.patch, fetch.patch: the reference
# with the cheat added, so the rest of it would pass).
# Then fixture 92, whose driver lies in its measure lines as tampered memory
# might: the grader's own measurement must catch it.
#
# Run as we are and, when root, again as an ordinary user (nobody), where
# Landlock and a user namespace must do what the uid did.  Each case's
# verdict is printed ("# case: status: reason") for the record.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
unset GRADER_COURSE RT_GIL RT_SWITCH_INTERVAL_US RT_TRACE
CASES=$ROOT/tests/grader/adversarial

exercise_of() { # case name -> exercise id
    case $1 in [0-9][0-9]-*) echo "${1%%-*}" ;; *) echo 03 ;; esac
}

# The cases as graded: @REPO@ becomes the path of this checkout; a patch is
# applied to a copy of the reference.
mkdir -p "$WORK/cases"
for d in "$CASES"/*/; do
    name=$(basename "$d") ex=$(exercise_of "$(basename "$d")")
    mkdir -p "$WORK/cases/$name"
    for f in "$d"*.c; do
        [ -e "$f" ] && sed "s|@REPO@|$ROOT|g" "$f" >"$WORK/cases/$name/$(basename "$f")"
    done
    for f in "$d"*.patch; do
        [ -e "$f" ] || continue
        cp "solutions/$ex/$(basename "$f" .patch).c" "$WORK/cases/$name/" &&
            patch --batch -s -p1 -d "$WORK/cases/$name" <"$f" ||
            not_ok "$name: $(basename "$f") applies to solutions/$ex"
    done
done
chmod -R a+rX "$WORK/cases"

verdict() { # report.json check -> "status|reason output"
    python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
c=[c for c in r["checks"] if c["name"]==sys.argv[2]]
print(("%s|%s %s" % (c[0]["status"], c[0]["reason"], c[0]["output"] or "")).replace("\n"," ") if c else "missing")' "$1" "$2"
}

pass() { # label, command prefix...
    local who=$1; shift
    local W=$WORK/$who
    mkdir -p "$W/scratch" && chmod 777 "$W" "$W/scratch"
    # Three gradings at a time (most end at the build); verdicts in order.
    local name want check says skip rc v running=0
    for d in "$CASES"/*/; do
        name=$(basename "$d")
        read -r want check <"$d/expect"
        # A cheat is judged at the build or by its tests; honest solutions
        # get every check as we are, and build and tests again as nobody.
        skip="--skip quiz"
        [ "$want" = fail ] || [ "$who" != "$(id -un)" ] && skip="$skip --skip patterns"
        [ "$check" = build ] || [ "$who" = "$(id -un)" -a "$want" = pass ] ||
            skip="$skip --skip sanitizers"
        (
            t0=$SECONDS
            "$@" env GRADER_SCRATCH="$W/scratch" HOME="$W" "$GRADER" submit \
                "$(exercise_of "$name")" \
                --from "$WORK/cases/$name" $skip --no-record --format json \
                -o "$W/$name.json" 2>"$W/$name.err"
            echo "$? $((SECONDS - t0))" >"$W/$name.rc"
        ) &
        running=$((running + 1))
        [ $running -lt 3 ] || { wait -n; running=$((running - 1)); }
    done
    wait
    for d in "$CASES"/*/; do
        name=$(basename "$d")
        { read -r want check; read -r says; } <"$d/expect"
        read -r rc secs <"$W/$name.rc"
        if [ "$want" = pass ]; then
            v=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%s/%s" % (r["score"], r["max_score"]), "passed" if r["passed"] else [c["name"]+": "+c["reason"] for c in r["checks"] if c["status"]!="pass"])' "$W/$name.json" 2>&1)
            echo "# $who: $name: $v ($secs s)"
            match "$who: honest $name passes (exit $rc)" "$rc $v" "0 * passed"
        else
            v=$(verdict "$W/$name.json" "$check")
            echo "# $who: $name: ${v:0:240} ($secs s)"
            if [ "$rc" -eq 1 ] && [[ $v == fail\|*"$says"* ]]; then
                ok "$who: $name fails $check: $says"
            else
                not_ok "$who: $name fails $check with '$says' (exit $rc, got: ${v:0:300})"
            fi
        fi
    done
    # No reason, output or log of any case quotes the reference solution.
    local leak
    leak=$(grep -l "reference solution\|Part B.  Contract in ex03.h.  Start every thread\|before anyone else can: we hold the GIL" \
        "$W"/*.json "$W"/*.err 2>/dev/null)
    check "$who: no report quotes the reference solution ($leak)" [ -z "$leak" ]

    # Fixture 92: measure lines that lie; the grader's clocks decide.
    "$@" env GRADER_SCRATCH="$W/scratch" HOME="$W" GRADER_COURSE="$FIXTURE" "$GRADER" \
        submit 92 --no-record --format json -o "$W/92.json" 2>/dev/null
    v=$(verdict "$W/92.json" claims_less_cpu)
    match "$who: a run claiming less CPU than the kernel counted fails" "$v" \
        "fail|*contradicts the grader's own measurement*the kernel counted*"
    v=$(verdict "$W/92.json" claims_more_wall)
    match "$who: a run claiming more time than the process lived fails" "$v" \
        "fail|*contradicts the grader's own measurement*lived*"
    v=$(verdict "$W/92.json" honest_spin)
    check "$who: an honest run is not accused (${v:0:200})" \
        bash -c '[[ $1 != *"contradicts the grader"* && $1 != missing ]]' _ "$v"
}
pass "$(id -un)" command
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    pass nobody setpriv --reuid=65534 --regid=65534 --clear-groups
fi
finish
