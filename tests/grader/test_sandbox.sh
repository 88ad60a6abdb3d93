#!/usr/bin/env bash
# test_sandbox.sh - every way a submission can misbehave gets a clear
# verdict in bounded time, leaves no process behind and touches nothing
# outside its scratch directory (DESIGN section 6).  Fixture: exercise 91,
# whose test cases loop, deadlock, fork-bomb, eat memory, flood output,
# write outside, follow symlinks out, crash, and detach a daemon.
. "$(dirname "$0")/lib.sh"
echo canary > "$WORK/canary-91"
rm -f /tmp/escaped-91
t0=$SECONDS
GRADER_COURSE=$FIXTURE "$GRADER" submit 91 --no-record --format json -o "$WORK/r.json" \
    2>"$WORK/err"
rc=$?
elapsed=$((SECONDS - t0))
check "graded and failed (exit 1, not a crash of the grader)" [ "$rc" -eq 1 ]
# 9 cases, the slowest bounded by the 3 s wall limit + 200 ms: generous.
check "bounded time ($elapsed s for 9 cases)" [ "$elapsed" -lt 120 ]

verdict() { # name -> "status|reason|output"
    python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
c=[c for c in r["checks"] if c["name"]==sys.argv[2]]
print(c[0]["status"]+"|"+c[0]["reason"]+"|"+c[0]["output"] if c else "missing")' "$WORK/r.json" "$1"
}
expect() { # name, substring of the verdict
    local v
    v=$(verdict "$1")
    if [[ $v == fail\|*"$2"* ]]; then ok "$1: $2"; else not_ok "$1: expected '$2', got: ${v:0:300}"; fi
}
expect infinite_loop "infinite loop"
expect deadlock "deadlock"
expect deadlock "GIL held by thread 1 (holder)"
expect fork_bomb "fork bomb"
expect memory_bomb "memory bomb"
expect output_flood "output flood"
expect writes_outside "blocked: ../escaped-91"
expect symlink_out "blocked: link"
expect crash "Segmentation fault"
check "nothing written beside the scratch directory" [ ! -e "$WORK/escaped-91" ]
check "nothing written in /tmp" [ ! -e /tmp/escaped-91 ]
check "no write through a symlink out" [ ! -e "$WORK/escaped-via-symlink-91" ]
check "the canary a symlink pointed at is unchanged" [ "$(cat "$WORK/canary-91")" = canary ]
sleep 0.5
left=$(ps -eo pid=,args= | grep -F "$WORK/scratch" | grep -v grep)
check "no process left behind (detached daemon and fork bomb included)" [ -z "$left" ]
[ -z "$left" ] || echo "# left: $left"
check "scratch directories removed" [ -z "$(ls -A "$WORK/scratch" 2>/dev/null)" ]
finish
