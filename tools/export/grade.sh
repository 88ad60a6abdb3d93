#!/usr/bin/env bash
# grade.sh SUBMISSION FORMAT OUT - what the three platforms' entry points
# share: the learner's files found in SUBMISSION (stage.sh), the quiz's
# answers put where the grader reads them, and `grader submit` run by the
# bundle's grader, the report in FORMAT written to OUT.  Needs SRC (the
# bundle), EXERCISE and FILES (conf.sh) in the environment.
# Exit 4, with the missing names on stdout ("a.c, b.h"), when a learner
# file is missing; otherwise the grader's exit status.
set -u
sub=$1 fmt=$2 out=$3
stage=$(mktemp -d "${TMPDIR:-/tmp}/gilwb-stage.XXXXXX")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gilwb-scratch.XXXXXX")
chmod 755 "$stage" "$scratch" # the sandbox's own user reads and builds there
trap 'rm -rf "$stage" "$scratch"' EXIT
missing=$("$SRC/tools/export/stage.sh" "$sub" "$stage")
if [ -n "$missing" ]; then
    echo $missing | sed 's/ /, /g'
    exit 4
fi
# This submission's answers, never an earlier one's (a platform that grades
# several submissions in one container would otherwise carry them over).
rm -f "$SRC/exercises/$EXERCISE/answers.txt"
if [ -f "$stage/answers.txt" ]; then
    cp "$stage/answers.txt" "$SRC/exercises/$EXERCISE/answers.txt"
fi
GRADER_COURSE=$SRC GRADER_REPO=$SRC GRADER_BUILD=$SRC/build GRADER_SCRATCH=$scratch \
    GRADER_GRADEBOOK=$scratch/gradebook.sqlite \
    "$SRC/build/bin/grader" submit "$EXERCISE" --from "$stage" --no-record --quiet \
    --format "$fmt" -o "$out"
