#!/usr/bin/env bash
# run-tests.sh BIN... -- SCRIPT...
# Runs every test binary (TAP-like output, one "ok"/"not ok" line per case,
# see tests/check.h) and every test script (TAP lines if it prints them,
# otherwise one result from its exit code).  Logs go to $B/test-logs/.
# Ends with the line CI reads: "N passed, N failed"; exits 1 on any failure.
set -u
B=${B:-build}
logs="$B/test-logs"
mkdir -p "$logs"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"
passed=0 failed=0 failures=()

run_one() { # name, command...
    local name=$1; shift
    local log="$logs/${name//\//_}.log"
    local t0=$SECONDS
    # A net for a hung test, not a speed check: test_chapters grades every
    # exercise and mutant (4 min on an idle 2-core machine, 20+ under load).
    timeout -k 10 3600 "$@" >"$log" 2>&1
    local rc=$?
    local ok notok
    ok=$(grep -c '^ok ' "$log")
    notok=$(grep -c '^not ok ' "$log")
    if [ "$ok" -eq 0 ] && [ "$notok" -eq 0 ]; then
        if [ $rc -eq 0 ]; then ok=1; else notok=1; fi
    elif [ $rc -ne 0 ] && [ "$notok" -eq 0 ]; then
        notok=1 # it crashed or exited non-zero after its cases
    fi
    passed=$((passed + ok)); failed=$((failed + notok))
    if [ "$notok" -gt 0 ]; then
        failures+=("$name")
        printf '%-40s FAIL  %3d ok %3d not ok  (%ds, log %s)\n' "$name" "$ok" "$notok" $((SECONDS - t0)) "$log"
        grep -E '^not ok |check failed|rt: fatal|ERROR|error:|WARNING: ThreadSanitizer' "$log" | head -20 | sed 's/^/    /'
    else
        printf '%-40s ok    %3d cases  (%ds)\n' "$name" "$ok" $((SECONDS - t0))
    fi
}

mode=bins
for arg in "$@"; do
    if [ "$arg" = "--" ]; then mode=scripts; continue; fi
    if [ $mode = bins ]; then
        variant=$(basename "$(dirname "$arg")")
        run_one "$variant/$(basename "$arg")" "$arg"
    else
        run_one "$(basename "$arg")" "$arg"
    fi
done
echo
if [ ${#failures[@]} -gt 0 ]; then echo "failed: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
