#!/usr/bin/env bash
# test_sandbox.sh - every way a submission can misbehave gets a clear
# verdict in bounded time, leaves no process behind and touches nothing
# outside its scratch directory (exercises/README.md, "The sandbox").
# Fixture: exercise 91, whose test cases loop, deadlock, fork-bomb, eat
# memory, flood output, write outside, follow symlinks out, crash, detach a
# daemon, kill and stop the grader, reach for the network, read the
# instructor's files and plant a binary where the sanitizer's should be.  Its exercise.yaml lets bad.c call all
# that (symbols: use:), so each case meets the sandbox, not the object
# check (test_adversarial.sh covers that layer).
#
# Four passes: as we are and, when root, as an ordinary user (nobody); each
# with namespaces (as the kernel allows them) and without
# (GRADER_NO_NAMESPACES=1), where Landlock and the uid must hold alone.
. "$(dirname "$0")/lib.sh"
C=$(fresh_course)
chmod -R a+rX "$C"
# What bad.c reaches for: a listener of ours on the host's loopback, and
# files only the instructor may read (the gradebook is a stand-in).
echo "instructor's gradebook: SECRET-GRADEBOOK" >"$WORK/gradebook.sqlite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$C/exercises/91/paths91.h" <<EOF
#define NET91_PORT $port
#define SNOOP91_FILES {"$ROOT/solutions/03/threads.c", "$ROOT/solutions/03/hidden.yaml", "$WORK/gradebook.sqlite", NULL}
EOF
python3 - "$port" "$WORK/connections" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(1)
end = time.time() + 900
with open(sys.argv[2], "w") as log:
    while time.time() < end:
        try:
            c, a = s.accept()
            log.write("connection from %s\n" % (a,))
            log.flush()
            c.close()
        except socket.timeout:
            pass
PY
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$WORK"' EXIT

pass() { # label, env..., -- command prefix...
    local who=$1; shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    local W=$WORK/$who
    mkdir -p "$W" && chmod 777 "$W"
    echo canary >"$W/canary-91" && chmod 644 "$W/canary-91"
    rm -f /tmp/escaped-91
    local t0=$SECONDS
    timeout -k 5 300 "$@" env "${envs[@]}" GRADER_SCRATCH="$W/scratch" GRADER_COURSE="$C" \
        GRADER_BUILD="$B" HOME="$W" "$GRADER" submit 91 --no-record --format json \
        -o "$W/r.json" 2>"$W/err"
    local rc=$?
    local elapsed=$((SECONDS - t0))
    check "$who: graded and failed (exit 1: the grader survived its child)" [ "$rc" -eq 1 ]
    # 14 cases and their sanitizer re-runs, the slowest bounded by the 3 s
    # wall limit + 200 ms: generous, for a busy machine.
    echo "# $who: the whole grading took $elapsed s"
    check "$who: bounded time ($elapsed s for 14 cases and a sanitizer)" [ "$elapsed" -lt 120 ]
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
    expect kills_the_grader "blocked: kill(grader"
    expect stops_the_grader "blocked: kill(grader"
    expect uses_the_network "blocked: connect to 127.0.0.1:$port"
    expect reads_instructor_files "blocked: $ROOT/solutions/03/threads.c"
    expect reads_instructor_files "blocked: $ROOT/solutions/03/hidden.yaml"
    expect reads_instructor_files "blocked: $WORK/gradebook.sqlite"
    expect plants_a_binary "blocked: ../bin/prog-asan"
    # The sanitizer did not re-run the bombs and loops (each would cost its
    # limit x3 again) and found the real problem with the real binary.
    expect sanitizer:address "found a problem in test crash"
    # (a hidden test name, written as a pattern: a student edition holds no
    # hidden test name, and `grader release` searches for it)
    check "$who: no report quotes an instructor's file" \
        bash -c "! grep -q 'SECRET-GRADEBOOK\|sixteen_thread[s]\|Part B.  Contract' '$W/r.json'"
    check "$who: nothing written beside the scratch directory" [ ! -e "$W/escaped-91" ]
    check "$who: nothing written in /tmp" [ ! -e /tmp/escaped-91 ]
    check "$who: no write through a symlink out" [ ! -e "$W/escaped-via-symlink-91" ]
    check "$who: the canary a symlink pointed at is unchanged" [ "$(cat "$W/canary-91")" = canary ]
    check "$who: the listener on the host's loopback saw nothing" [ ! -s "$WORK/connections" ]
    local iso
    iso=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["machine"]["isolation"]; print("network: %s; signals: %s" % (i["network"], i["signals"]))' "$W/r.json" 2>&1)
    echo "# $who: $iso"
    sleep 0.5
    local left
    left=$(ps -eo pid=,args= | grep -F "$W/scratch" | grep -v grep)
    check "$who: no process left behind (detached daemon and fork bomb included)" [ -z "$left" ]
    [ -z "$left" ] || echo "# left: $left"
    check "$who: scratch directories removed" [ -z "$(ls -A "$W/scratch" 2>/dev/null)" ]
}
me=$(id -un)
pass "$me" -- env
pass "$me-no-namespaces" GRADER_NO_NAMESPACES=1 -- env
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    pass nobody -- "${nobody[@]}"
    pass nobody-no-namespaces GRADER_NO_NAMESPACES=1 -- "${nobody[@]}"
    # With every layer off (an old kernel, no user namespaces) the report
    # says what is left open, in so many words.
    iso=$("${nobody[@]}" env GRADER_NO_NAMESPACES=1 GRADER_LANDLOCK_ABI=0 \
        GRADER_SCRATCH="$WORK/nobody/scratch" GRADER_COURSE="$C" HOME="$WORK/nobody" \
        "$GRADER" submit 90 --skip sanitizers --skip patterns --skip quiz --no-record \
        --format json 2>/dev/null | python3 -c 'import json,sys; i=json.load(sys.stdin)["machine"]["isolation"]; print(i["network"].split(":")[0], i["signals"].split(":")[0], i["files"].split(":")[0])')
    match "without namespaces or Landlock the report says network, signals and files are open" \
        "$iso" "open open open"
    # ... and the text report, the one a learner reads, says it too.
    txt=$("${nobody[@]}" env GRADER_NO_NAMESPACES=1 GRADER_LANDLOCK_ABI=0 \
        GRADER_SCRATCH="$WORK/nobody/scratch" GRADER_COURSE="$C" HOME="$WORK/nobody" \
        "$GRADER" submit 90 --skip sanitizers --skip patterns --skip quiz --no-record \
        --quiet 2>/dev/null | grep '^sandbox: ' | cut -d' ' -f2,3 | tr '\n' ' ')
    match "the text report names the open layers" "$txt" \
        "network open: signals open: files open: "
fi
finish
