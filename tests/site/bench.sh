#!/usr/bin/env bash
# tests/site/bench.sh - prints the bench row site.build_ms: the median wall
# time of 9 full builds of the current book (process start to exit, so it
# includes loading graphviz's plugins), written to a scratch directory
# under $1 (tools/run-bench.sh passes its output directory) or $B.
set -u
B=${B:-build}
SITEGEN=${SITEGEN:-$B/bin/sitegen}
out=${1:-$B}/site-bench
times=()
for _ in 1 2 3 4 5 6 7 8 9; do
    t0=$(date +%s%N)
    "$SITEGEN" --out "$out" --quiet --gradebook "$B/gradebook.sqlite" >/dev/null || exit 1
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
done
median_us=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)
chapters=$(ls chapters/[0-9][0-9]-*.md | wc -l)
printf '{"name": "site.build_ms", "unit": "ms", "ours": %d.%03d, "target": "< 1000", "note": "median of 9 full builds, %d chapters"}\n' \
    $((median_us / 1000)) $((median_us % 1000)) "$chapters"
