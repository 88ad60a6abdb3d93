#!/usr/bin/env bash
# run-bench.sh BENCH... -- TWIN.py...
# Runs each benchmark (a program printing JSON rows; its first argument is
# the directory for any files it writes), then each CPython twin with
# $PYTHON when present, and merges everything into $B/bench.json and a
# Markdown table ($B/bench.md, also printed), and refreshes the book's
# benchmarks page (tools/sitedata: $B/site/data/measured.js).
set -u
B=${B:-build}
PYTHON=${PYTHON:-python3}
out="$B/bench"
mkdir -p "$out"
: >"$out/ours.jsonl"
: >"$out/cpython.jsonl"
# The machine the figures come from: usable cores and how busy it was.  A
# load average near the core count means neighbours took CPU time, and the
# figures that need a free core (speedups, the convoy) are not trustworthy.
cores=$(nproc 2>/dev/null || echo 0)
read -r load1 _ </proc/loadavg 2>/dev/null || load1=-1
printf '{"name":"machine.cores","unit":"","ours":%s,"note":"usable cores (nproc)"}\n' "$cores" >>"$out/ours.jsonl"
printf '{"name":"machine.load1","unit":"","ours":%s,"target":"well under machine.cores","note":"1-minute load average when make bench started"}\n' "$load1" >>"$out/ours.jsonl"
mode=ours
for arg in "$@"; do
    if [ "$arg" = "--" ]; then mode=twins; continue; fi
    if [ $mode = ours ]; then
        echo "== $arg" >&2
        $arg "$out" >>"$out/ours.jsonl" || echo "bench: $arg failed (exit $?)" >&2
    elif command -v "$PYTHON" >/dev/null 2>&1; then
        echo "== $PYTHON $arg" >&2
        "$PYTHON" "$arg" >>"$out/cpython.jsonl" || echo "bench: $arg failed (exit $?)" >&2
    else
        echo "bench: no $PYTHON: CPython twins skipped" >&2
    fi
done
"$B/tools/benchtab" "$out/ours.jsonl" "$out/cpython.jsonl" "$B/bench.json" >"$B/bench.md" || exit 1
cat "$B/bench.md"
echo
echo "bench: wrote $B/bench.json and $B/bench.md"
# The book's benchmarks page reads the figures from the site's data file.
if [ -x "$B/tools/sitedata" ]; then
    "$B/tools/sitedata" --build "$B" js || echo "bench: could not update the site's data" >&2
fi
