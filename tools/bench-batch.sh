#!/usr/bin/env bash
# bench-batch.sh [DIR] - the benchmark rows of `grader batch`: a class of
# BATCH_N (default 24) distinct copies of exercise 03 graded as an
# instructor would (--jobs 2, patterns one at a time after correctness),
# timed from start to end.  Prints:
#   batch.s_per_copy      wall seconds per copy
#   batch.projected_300   minutes for 300 such copies at that rate
# The class is a mix, every copy distinct (a comment and a renamed local
# make each file different), in these shares:
#   60% correct            the reference solution
#   25% wrong              each of tests/mutants/03 in turn
#   15% broken             half do not compile, half crash (a NULL write)
# A copy that loops forever is not in the mix: it costs its CPU limits
# (about 4 minutes of CPU for exercise 03) whoever grades it, and a class
# with one such copy should expect that much more.  BATCH_PATTERNS=beside
# times the other schedule.  Run `make bench` on a quiet machine: the rows
# say the load average at the start and the end.
set -u
B=${B:-build}
GRADER=${GRADER:-$B/bin/grader}
out=${1:-$B}/batch-bench
n=${BATCH_N:-24}
when=${BATCH_PATTERNS:-after}
rm -rf "$out" && mkdir -p "$out/class"
mutants=(tests/mutants/03/*.patch)
ncorrect=0 nwrong=0 nbroken=0
for i in $(seq -w 1 "$n"); do
    d=$out/class/student$i
    mkdir -p "$d"
    k=$((10#$i % 20))
    if [ $k -lt 12 ]; then
        cp solutions/03/threads.c "$d/threads.c"
        ncorrect=$((ncorrect + 1))
    elif [ $k -lt 17 ]; then
        m=${mutants[$(((10#$i) % ${#mutants[@]}))]}
        tools/mutant.sh apply "$m" "$d" >/dev/null 2>&1 || cp exercises/03/threads.c "$d/threads.c"
        nwrong=$((nwrong + 1))
    elif [ $k -lt 19 ]; then
        sed 's/return count;/return count/' solutions/03/threads.c >"$d/threads.c"
        nbroken=$((nbroken + 1))
    else
        sed 's/job->os_tid = gettid();/job->os_tid = gettid();\n    *(volatile int *)0 = 1;/' \
            solutions/03/threads.c >"$d/threads.c"
        nbroken=$((nbroken + 1))
    fi
    sed -i "1i /* student $i */" "$d/threads.c"
    sed -i "s/\\bsum\\b/sum_$i/g" "$d/threads.c"
done
read -r load0 _ </proc/loadavg
t0=$(date +%s%N)
GRADER_GRADEBOOK=$out/gradebook.sqlite "$GRADER" batch "$out/class" --exercise 03 --jobs 2 \
    --patterns "$when" --out "$out/grades" --quiet >"$out/batch.out" 2>&1
rc=$?
t1=$(date +%s%N)
read -r load1 _ </proc/loadavg
[ $rc -eq 0 ] || { echo "bench-batch: grader batch failed (exit $rc): $out/batch.out" >&2; exit 1; }
ms=$(((t1 - t0) / 1000000))
per=$(awk -v ms="$ms" -v n="$n" 'BEGIN { printf "%.2f", ms / 1000 / n }')
proj=$(awk -v ms="$ms" -v n="$n" 'BEGIN { printf "%.1f", ms / 1000 / n * 300 / 60 }')
note="$n copies of exercise 03 ($ncorrect correct, $nwrong wrong, $nbroken broken), --jobs 2, patterns $when; load $load0 at the start, $load1 at the end, $(nproc) cores"
printf '{"name": "batch.s_per_copy", "unit": "s", "ours": %s, "target": "<= 3 (300 copies in 15 min)", "note": "%s"}\n' "$per" "$note"
printf '{"name": "batch.projected_300", "unit": "min", "ours": %s, "target": "<= 15", "note": "300 copies at the rate above"}\n' "$proj"
