#!/usr/bin/env bash
# autolab.sh - Autolab's autograder (run by autograde-Makefile after it
# unpacks autograde.tar next to the student's handin file).
#
# The handin is the exercise's file itself (Autolab renames it to the
# assessment's handin name, e.g. threads.c) or handin.tar with several.
# Everything printed is shown to the student; the last line is Autolab's
# autoresult, {"scores": {...}, "scoreboard": [...]}, written by the
# grader's autolab format: points per problem (Correctness, Sanitizers,
# Speedup, Quiz, Hidden), hidden checks counted but never named.  The
# grader is the image's (/opt/gilwb, from `grader export docker`) or is
# built here on first use (slow: give the assessment a timeout of 600 s).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/../.." && pwd)
. "$SRC/tools/export/conf.sh" "${2:-}"
handin=${1:-.}
zero() { # why -> the autoresult with no points
    echo "$1"
    echo '{"scores": {"Correctness": 0, "Sanitizers": 0, "Speedup": 0, "Quiz": 0, "Hidden": 0}, "scoreboard": [0, 0, 0]}'
    exit 0
}
if [ -x /opt/gilwb/build/bin/grader ] && [ ! -x "$SRC/build/bin/grader" ]; then
    SRC=/opt/gilwb # the image's grader, with this bundle's exercise
elif [ ! -x "$SRC/build/bin/grader" ]; then
    echo "building the grader (once per autograding image)..."
    "$SRC/tools/export/setup.sh" >"$SRC/setup.log" 2>&1 ||
        zero "The autograder could not be built: $(tail -3 "$SRC/setup.log")"
fi
sub=$(mktemp -d "${TMPDIR:-/tmp}/gilwb-sub.XXXXXX")
out=$(mktemp "${TMPDIR:-/tmp}/gilwb-out.XXXXXX")
trap 'rm -rf "$sub" "$out"' EXIT
if [ -f "$handin/handin.tar" ]; then
    tar -xf "$handin/handin.tar" -C "$sub" 2>/dev/null || zero "handin.tar is not a tar file."
else
    for f in $FILES answers.txt; do [ -f "$handin/$f" ] && cp "$handin/$f" "$sub/"; done
fi
export SRC
list=$("$SRC/tools/export/grade.sh" "$sub" autolab "$out")
rc=$?
[ $rc -ne 4 ] || zero "Your handin has no $list: hand in $FILES (or handin.tar holding them)."
[ -s "$out" ] || zero "The autograder failed (exit $rc)."
cat "$out"
