#!/usr/bin/env bash
# prairielearn-grade.sh [NN] - PrairieLearn's external grader entry point
# (externalGradingOptions.entrypoint in the question's info.json).
#
# PrairieLearn puts the student's files in /grade/student and reads
# /grade/results/results.json, which this writes with the grader's
# prairielearn format: a score from 0 to 1, every check the student may
# see (hidden ones are counted, never named), and "gradable": false when
# the code does not compile, so the attempt is not counted against them.
# The grader comes with the image built from `grader export docker`
# (/opt/gilwb) or, failing that, from this course's serverFilesCourse copy.
# GRADE_ROOT replaces /grade (the tests run it in a temporary tree).
set -u
ROOT=${GRADE_ROOT:-/grade}
here=$(cd "$(dirname "$0")" && pwd)
SRC=${GILWB_ROOT:-$(cd "$here/../.." && pwd)}
[ -x "$SRC/build/bin/grader" ] || SRC=/opt/gilwb
. "$SRC/tools/export/conf.sh" "${1:-}"
mkdir -p "$ROOT/results"
out=$ROOT/results/results.json
export SRC
list=$("$SRC/tools/export/grade.sh" "$ROOT/student" prairielearn "$out")
rc=$?
if [ $rc -eq 4 ]; then
    printf '{"gradable": false, "score": 0, "format_errors": ["missing file(s): %s"], "message": "Submit %s."}\n' \
        "$list" "$FILES" >"$out"
    exit 0
fi
if [ ! -s "$out" ]; then
    printf '{"gradable": true, "score": 0, "message": "The autograder failed (exit %d)."}\n' "$rc" >"$out"
fi
exit 0
