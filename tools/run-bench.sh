#!/usr/bin/env bash
# run-bench.sh BENCH... -- TWIN.py...
# Runs each benchmark (a program printing JSON rows; its first argument is
# the directory for any files it writes), then each CPython twin with
# $PYTHON when present, and merges everything into $B/bench.json and a
# Markdown table ($B/bench.md, also printed).
set -u
B=${B:-build}
PYTHON=${PYTHON:-python3}
out="$B/bench"
mkdir -p "$out"
: >"$out/ours.jsonl"
: >"$out/cpython.jsonl"
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
