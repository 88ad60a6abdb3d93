#!/usr/bin/env bash
# test_sandbox.sh - every way a submission can misbehave gets a clear
# verdict in bounded time, leaves no process behind and touches nothing
# outside its scratch directory (exercises/README.md, "The sandbox").  Fixture: exercise 91,
# whose test cases loop, deadlock, fork-bomb, eat memory, flood output,
# write outside, follow symlinks out, crash, and detach a daemon.
. "$(dirname "$0")/lib.sh"
# One pass: as we are (root: a uid of the sandbox's own), and, when we are
# root, again as an ordinary user (nobody), where Landlock and the subreaper
# must do what the uid did.
pass() { # label, command prefix...
    local who=$1; shift
    local W=$WORK/$who
    mkdir -p "$W" && chmod 777 "$W"
    echo canary > "$W/canary-91" && chmod 644 "$W/canary-91"
    rm -f /tmp/escaped-91
    local t0=$SECONDS
    "$@" env GRADER_SCRATCH="$W/scratch" GRADER_COURSE="$FIXTURE" GRADER_BUILD="$B" HOME="$W" \
        "$GRADER" submit 91 --no-record --format json -o "$W/r.json" 2>"$W/err"
    local rc=$?
    local elapsed=$((SECONDS - t0))
    check "$who: graded and failed (exit 1, not a crash of the grader)" [ "$rc" -eq 1 ]
    # 9 cases, the slowest bounded by the 3 s wall limit + 200 ms: generous.
    check "$who: bounded time ($elapsed s for 9 cases)" [ "$elapsed" -lt 120 ]
    verdict() { # name -> "status|reason|output"
        python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
c=[c for c in r["checks"] if c["name"]==sys.argv[2]]
print(c[0]["status"]+"|"+c[0]["reason"]+"|"+c[0]["output"] if c else "missing")' "$W/r.json" "$1"
    }
    expect() { # name, substring of the verdict
        local v
        v=$(verdict "$1")
        if [[ $v == fail\|*"$2"* ]]; then ok "$who: $1: $2"; else not_ok "$who: $1: expected '$2', got: ${v:0:300}"; fi
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
    check "$who: nothing written beside the scratch directory" [ ! -e "$W/escaped-91" ]
    check "$who: nothing written in /tmp" [ ! -e /tmp/escaped-91 ]
    check "$who: no write through a symlink out" [ ! -e "$W/escaped-via-symlink-91" ]
    check "$who: the canary a symlink pointed at is unchanged" [ "$(cat "$W/canary-91")" = canary ]
    sleep 0.5
    local left
    left=$(ps -eo pid=,args= | grep -F "$W/scratch" | grep -v grep)
    check "$who: no process left behind (detached daemon and fork bomb included)" [ -z "$left" ]
    [ -z "$left" ] || echo "# left: $left"
    check "$who: scratch directories removed" [ -z "$(ls -A "$W/scratch" 2>/dev/null)" ]
}
pass "$(id -un)" command
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    pass nobody setpriv --reuid=65534 --regid=65534 --clear-groups
fi
finish
