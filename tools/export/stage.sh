#!/usr/bin/env bash
# stage.sh SUBMISSION STAGE - the learner's files of this autograder's
# exercise, found anywhere in SUBMISSION, copied into STAGE.
#
# Shared by the three platforms' entry points (run_autograder,
# prairielearn-grade.sh, autolab.sh).  grading.conf (written by `grader
# export`) names the exercise and its files.  A submission may be the files
# alone, a folder, or a whole checkout of the workbook: for each name the
# shallowest match wins, and exercises/NN/ breaks a tie (as `grader batch`
# does).  answers.txt, when there is one, is the quiz's.  EXERCISE and
# FILES come from the environment (conf.sh sets them).  Prints the names of
# files it could not find, one a line, on stdout; exit 0 either way.
set -u
sub=$1 stage=$2
mkdir -p "$stage"
for name in $FILES answers.txt; do
    best=$(find "$sub" -name node_modules -prune -o -name .git -prune -o \
        -type f -name "$name" -printf '%d %p\n' 2>/dev/null |
        awk -v want="/exercises/$EXERCISE/$name" '{
            pref = substr($2, length($2) - length(want) + 1) == want ? 0 : 1
            print $1, pref, $2 }' | sort -n -k1,1 -k2,2 | head -1 | cut -d' ' -f3-)
    if [ -n "$best" ]; then
        cp "$best" "$stage/$name"
    elif [ "$name" != answers.txt ]; then
        echo "$name"
    fi
done
exit 0
