#!/usr/bin/env bash
# mutant.sh - mutants are stored as patches against the reference solution.
#
# A mutant is a plausible wrong solution that the grader must fail on one
# named check, with one named message.  It lives in
# tests/mutants/NN/<slug>.patch: a few header lines, then a unified diff
# against solutions/NN, so a reader sees the mistake as the lines it
# changes:
#
#   Check: starts_real_threads
#   Message: start all of them before you join any
#   Mistake: each thread is joined right after it is started, so ...
#     (continued on lines that start with spaces)
#
#   --- a/threads.c
#   +++ b/threads.c
#   @@ ...
#
# Usage:
#   tools/mutant.sh apply PATCH DIR     DIR gets the reference files, mistake applied
#   tools/mutant.sh field PATCH NAME    prints a header field (Check, Message, Mistake)
#   tools/mutant.sh list [NN]           the patches, one a line
#   tools/mutant.sh new NN SLUG DIR     writes tests/mutants/NN/SLUG.patch from the
#                                       edited copies in DIR (asks for the header)
# The course root (the tree holding solutions/ and tests/mutants/) is found
# from the patch's path; COURSE overrides it for list and new.
set -u
die() { echo "mutant.sh: $*" >&2; exit 2; }
root_of() { (cd "$(dirname "$1")/../../.." && pwd); }
nn_of() { basename "$(dirname "$1")"; }

field() { # PATCH NAME: the header field, continuation lines joined
    awk -v want="$2" '
        /^(---|diff) / { exit }
        /^[A-Za-z]+: / { name = $1; sub(/:$/, "", name); if (name == want) { sub(/^[A-Za-z]+: /, ""); v = $0; on = 1 } else on = 0; next }
        /^[ \t]+/ && on { sub(/^[ \t]+/, " "); v = v $0; next }
        { on = 0 }
        END { if (v == "") exit 1; print v }' "$1"
}

case ${1:-} in
apply)
    [ $# -eq 3 ] || die "usage: apply PATCH DIR"
    patch=$2 out=$3
    [ -f "$patch" ] || die "$patch: no such patch"
    root=$(root_of "$patch") nn=$(nn_of "$patch")
    [ -d "$root/solutions/$nn" ] || die "$patch: no solutions/$nn beside it"
    mkdir -p "$out" || exit 2
    for f in "$root/solutions/$nn"/*; do
        case $(basename "$f") in hidden.yaml) continue ;; esac
        cp "$f" "$out/"
    done
    # --batch: never ask; a patch that no longer applies is an error with
    # the rejected hunk shown, never a half-applied mutant.
    if ! log=$(patch --batch --forward --no-backup-if-mismatch -r - -s -p1 -d "$out" <"$patch" 2>&1); then
        echo "$patch: does not apply to solutions/$nn:" >&2
        echo "$log" >&2
        exit 1
    fi ;;
field)
    [ $# -eq 3 ] || die "usage: field PATCH NAME"
    field "$2" "$3" || die "$2: no '$3:' line in the header" ;;
list)
    root=${COURSE:-$(cd "$(dirname "$0")/.." && pwd)}
    ls "$root"/tests/mutants/${2:-[0-9][0-9]}/*.patch 2>/dev/null ;;
new)
    [ $# -eq 4 ] || die "usage: new NN SLUG DIR"
    root=${COURSE:-$(cd "$(dirname "$0")/.." && pwd)}
    nn=$2 slug=$3 dir=$4
    [ -d "$root/solutions/$nn" ] || die "no solutions/$nn"
    case $slug in *[!a-z0-9-]*|"") die "SLUG: lower-case letters, digits and '-'" ;; esac
    out=$root/tests/mutants/$nn/$slug.patch
    read -r -p "Check (the check that must fail): " check
    read -r -p "Message (a phrase its reason must show): " message
    read -r -p "Mistake (one sentence, in the learner's terms): " mistake
    mkdir -p "$(dirname "$out")"
    {
        printf 'Check: %s\nMessage: %s\n' "$check" "$message"
        printf 'Mistake: %s\n' "$mistake" | fold -s -w 76 | sed '2,$s/^/  /'
        echo
        for f in "$dir"/*; do
            b=$(basename "$f")
            [ -f "$root/solutions/$nn/$b" ] || continue
            diff -u --label "a/$b" --label "b/$b" "$root/solutions/$nn/$b" "$f"
        done
    } >"$out"
    echo "wrote $out" ;;
*)
    sed -n '2,/^set -u/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
    [ "${1:-}" = --help ] || [ "${1:-}" = -h ]
    exit $? ;;
esac
