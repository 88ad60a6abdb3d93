# conf.sh [NN] - sourced by the entry points: which exercise this bundle
# grades and its learner files, from grading.conf (written by `grader
# export`): EXERCISE=NN for a bundle of one exercise, FILES_NN="a.c b.h"
# for each exercise it holds.  An argument NN picks another of them (the
# Docker image holds every exercise).  Needs SRC, the bundle's root.
. "$SRC/grading.conf"
EXERCISE=${1:-${EXERCISE:-}}
eval "FILES=\${FILES_${EXERCISE}:-}"
if [ -z "$EXERCISE" ] || [ -z "$FILES" ]; then
    echo "conf.sh: no exercise \"$EXERCISE\" in $SRC/grading.conf" >&2
    exit 2
fi
export EXERCISE FILES
