#!/usr/bin/env bash
# test_ch03.sh - chapter 3 and exercise 03: every claim, checked by mechanism.
#
#   B=build tests/chapters/test_ch03.sh      (make test runs it)
#
# 1. The reference solution builds with the driver (plain, ThreadSanitizer,
#    ASan+UBSan, each against the matching librt-*.a, -Werror) and passes
#    every `test` case of exercise.yaml and hidden.yaml in all three builds.
# 2. The starter builds and fails every public case with a message.
# 3. Each mutant fails the driver-level check its expect.yaml names (the
#    grader's own end-to-end tests check the grader's report).
# 4. The speed claims of the chapter hold by their mechanism, read from the
#    runtime's counters, never from wall-clock bounds: under the GIL at most
#    one thread runs Python code at a time and all of it runs holding the
#    GIL, with forced switches between the threads; without a GIL the same
#    threads run at once; each runtime thread is an OS thread of its own.
# 5. The chapter is well formed: quiz, include fences, exercise link, figure.
#
# Prints "ok N - name" / "not ok N - name" lines; exit 1 if any failed.
set -u
B=${B:-build}
CC=${CC:-cc}
cd "$(dirname "$0")/../.." || exit 1
PY=${PYTHON:-python3}
out=$B/tests/ch03
mkdir -p "$out"
# The claims are about the default policy and interval: ignore overrides.
unset RT_GIL RT_SWITCH_INTERVAL_US RT_TRACE
export TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 ${UBSAN_OPTIONS:-}"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
    for line in "$@"; do printf '#   %s\n' "$line"; done
}
# check NAME COMMAND...: ok if the command succeeds, its output as the reason.
check() {
    local name=$1; shift
    local log
    if log=$("$@" 2>&1); then ok "$name"; else notok "$name" "$(printf '%s' "$log" | tail -5)"; fi
}

flags_rel="-O2"
flags_tsan="-O1 -g -fsanitize=thread"
flags_asan="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# build DIR VARIANT OUT: driver + DIR/threads.c + runtime, as the grader does.
build() {
    local flags_var="flags_$2"
    # shellcheck disable=SC2086
    $CC -std=c11 -Wall -Wextra -Werror ${!flags_var} -pthread -Iruntime/include -Iexercises/03 \
        exercises/03/driver.c "$1/threads.c" "$B/lib/librt-$2.a" -pthread -lm -o "$3"
}

# The case names, public then hidden, from the metadata (one test a line).
cases_of() { sed -n 's/.*case: *\([a-z_]*\).*/\1/p' "$@"; }
public_cases=$(cases_of exercises/03/exercise.yaml)
all_cases=$(cases_of exercises/03/exercise.yaml solutions/03/hidden.yaml)
case_of_test() { sed -n "s/.*name: *$1, *case: *\([a-z_]*\).*/\1/p" exercises/03/exercise.yaml; }

# stat FILE FIELD: a number from a measure line (field path like stats.max_running).
stat() { $PY -c 'import json,sys
d=json.loads(open(sys.argv[1]).read().splitlines()[-1])
for k in sys.argv[2].split("."): d=d[k]
print(d)' "$1" "$2"; }

# ------------------------------------------------------------ 1. reference
for v in rel tsan asan; do
    if build solutions/03 $v "$out/ref-$v" 2>"$out/ref-$v.build"; then
        ok "reference builds ($v)"
    else
        notok "reference builds ($v)" "$(head -5 "$out/ref-$v.build")"
        continue
    fi
    for c in $all_cases; do
        check "reference passes case $c ($v)" "$out/ref-$v" test "$c"
    done
done

# ------------------------------------------------------------ 2. starter
if build exercises/03 rel "$out/starter" 2>"$out/starter.build"; then
    ok "starter builds with -Werror"
    bad=""
    for c in $public_cases; do
        msg=$("$out/starter" test "$c" 2>&1 >/dev/null) && bad="$bad $c(passed)"
        case $msg in ex03:*) ;; *) bad="$bad $c(no message)" ;; esac
    done
    if [ -z "$bad" ]; then ok "starter fails every public case with a message"; else
        notok "starter fails every public case with a message" "wrong:$bad"; fi
else
    notok "starter builds with -Werror" "$(head -5 "$out/starter.build")"
fi

# ------------------------------------------------------------ 3. mutants
for dir in tests/mutants/03/*/; do
    slug=$(basename "$dir")
    want=$(sed -n 's/^check: *//p' "$dir/expect.yaml")
    message=$(sed -n 's/^message: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/expect.yaml")
    case $want in
    sanitizer:thread)
        # Every case under ThreadSanitizer; at least one must report a race.
        build "$dir" tsan "$out/mut-$slug" 2>/dev/null || { notok "mutant $slug builds"; continue; }
        log=$(for c in $public_cases; do "$out/mut-$slug" test "$c" 2>&1; done)
        if printf '%s' "$log" | grep -q "ThreadSanitizer: $message"; then
            ok "mutant $slug: ThreadSanitizer reports a $message"
        else
            notok "mutant $slug: ThreadSanitizer reports a $message" "$(printf '%s' "$log" | tail -3)"
        fi ;;
    cpu_threads_give_no_speedup)
        # The `none` pattern's mechanism: bytecodes run without the GIL.
        build "$dir" rel "$out/mut-$slug" 2>/dev/null || { notok "mutant $slug builds"; continue; }
        "$out/mut-$slug" measure threads 2 >"$out/mut-$slug.json" 2>&1
        unheld=$(stat "$out/mut-$slug.json" stats.bytecodes_unheld 2>/dev/null || echo "?")
        if [ "$unheld" != "?" ] && [ "$unheld" -gt 0 ]; then
            ok "mutant $slug: the counters show Python code run without the GIL ($unheld units)"
        else
            notok "mutant $slug: the counters show Python code run without the GIL" "bytecodes_unheld=$unheld"
        fi ;;
    *)
        c=$(case_of_test "$want")
        [ -n "$c" ] || { notok "mutant $slug: expect.yaml names a known check" "check: $want"; continue; }
        build "$dir" rel "$out/mut-$slug" 2>/dev/null || { notok "mutant $slug builds"; continue; }
        if msg=$("$out/mut-$slug" test "$c" 2>&1); then
            notok "mutant $slug fails $want" "it passed"
        elif printf '%s' "$msg" | grep -qF -- "$message"; then
            ok "mutant $slug fails $want saying \"$message\""
        else
            notok "mutant $slug fails $want saying \"$message\"" "$msg"
        fi ;;
    esac
done

# ------------------------------------------------------------ 4. claims
# 4a. The exercise's measure workloads, with the reference solution.
ref=$out/ref-rel
if [ -x "$ref" ]; then
    for w in "serial 2" "threads 2" "threads 4" "freethreads 2"; do
        # shellcheck disable=SC2086
        $ref measure $w >"$out/measure-${w/ /-}.json" 2>&1 || true
    done
    m() { stat "$out/measure-$1.json" "$2" 2>/dev/null || echo -1; }
    # Under the GIL: one runner at a time, everything under the GIL, and the
    # threads took turns by forced switches (the switch interval at work).
    for w in threads-2 threads-4; do
        workers=${w#threads-}
        mr=$(m "$w" stats.max_running) un=$(m "$w" stats.bytecodes_unheld)
        ts=$(m "$w" stats.threads_started) fd=$(m "$w" stats.forced_drops)
        sw=$(m "$w" stats.switches) os=$(m "$w" result.os_threads_used)
        if [ "$mr" = 1 ] && [ "$un" = 0 ] && [ "$ts" = "$workers" ] && [ "$fd" -ge 1 ] \
            && [ "$sw" -ge 1 ] && [ "$os" = "$workers" ]; then
            ok "GIL, $workers CPU-bound threads: 1 runs at a time, all under the GIL, $fd forced drops, $os OS threads"
        else
            notok "GIL, $workers CPU-bound threads: mechanism of ~1x" \
                "max_running=$mr bytecodes_unheld=$un threads_started=$ts forced_drops=$fd switches=$sw os_threads_used=$os"
        fi
    done
    # A shorter switch interval changes how often the GIL changes hands, not
    # how many threads run at once (the chapter's RT_SWITCH_INTERVAL_US claim).
    RT_SWITCH_INTERVAL_US=1000 $ref measure threads 2 >"$out/measure-threads-2-1ms.json" 2>&1 || true
    mr=$(m threads-2-1ms stats.max_running) fd=$(m threads-2-1ms stats.forced_drops)
    iv=$(m threads-2-1ms stats.switch_interval_us)
    if [ "$iv" = 1000 ] && [ "$mr" = 1 ] && [ "$fd" -ge 1 ]; then
        ok "GIL at a 1 ms interval: still 1 at once ($fd forced drops)"
    else
        notok "GIL at a 1 ms interval: still 1 at once" "switch_interval_us=$iv max_running=$mr forced_drops=$fd"
    fi
    # The same amount of work in serial and threaded runs (like for like).
    b1=$(m serial-2 stats.bytecodes) b2=$(m threads-2 stats.bytecodes)
    if [ "$b1" -gt 0 ] && [ "$b1" = "$b2" ]; then ok "serial and threaded runs do the same work ($b1 units)"
    else notok "serial and threaded runs do the same work" "serial=$b1 threads=$b2"; fi
    # Without a GIL: both threads hold the right to run at once.
    mr=$(m freethreads-2 stats.max_running) un=$(m freethreads-2 stats.bytecodes_unheld)
    if [ "$mr" -ge 2 ] && [ "$un" = 0 ]; then ok "no GIL, 2 threads: $mr run at once"
    else notok "no GIL, 2 threads run at once" "max_running=$mr bytecodes_unheld=$un"; fi
fi

# 4b. The chapter's demo, in its machine-readable mode.
demo=$B/demos/03
if [ -x "$demo" ]; then
    if "$demo" --json --quick >"$out/demo.jsonl" 2>"$out/demo.err"; then
        ok "demo runs (--json --quick)"
    else
        notok "demo runs (--json --quick)" "$(tail -3 "$out/demo.err")"
    fi
    if verdict=$($PY - "$out/demo.jsonl" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = []
runs = [r for r in rows if r.get("kind") == "run"]
if not any(r["policy"] == "none" for r in runs) or not any(r["policy"] == "cpython" and r["threads"] > 1 for r in runs):
    bad.append("missing runs: %s" % [(r["policy"], r["threads"]) for r in runs])
for r in runs:
    s, t = r["stats"], r["threads"]
    where = "%s/%d" % (r["policy"], t)
    if s["bytecodes"] != r["units"]:
        bad.append("%s: ran %d of %d units" % (where, s["bytecodes"], r["units"]))
    if s["bytecodes_unheld"] != 0:
        bad.append("%s: Python code ran without the GIL" % where)
    if t == 0:
        continue
    if s["threads_started"] != t:
        bad.append("%s: started %d threads" % (where, s["threads_started"]))
    # Each runtime thread is an OS thread: main + one per runtime thread.
    # Exact under a GIL (main holds it while starting them, so none can
    # finish first); without one, at least two were alive at once.
    want = 1 + t if r["policy"] != "none" else 2
    if r["os_threads"] < want or r["os_threads"] > 1 + t:
        bad.append("%s: %d OS threads, expected %d" % (where, r["os_threads"], 1 + t))
    if r["policy"] == "cpython":
        if s["max_running"] != 1 or s["forced_drops"] < 1:
            bad.append("%s: max_running=%d forced_drops=%d" % (where, s["max_running"], s["forced_drops"]))
        # "At most one core busy": the waiters sleep, so CPU time cannot
        # exceed wall time by more than the hand-overs' small overlap.
        if r["cpu_ns"] > 1.2 * r["wall_ns"] + 2e6:
            bad.append("%s: cpu %d ns > wall %d ns under the GIL" % (where, r["cpu_ns"], r["wall_ns"]))
        # "Each turn lasts about a switch interval": a forced drop needs a
        # waiter that waited a whole interval, so there can be no more of
        # them than intervals elapsed, per waiter.
        interval_ns = s["switch_interval_us"] * 1000
        limit = (r["wall_ns"] / interval_ns + 1) * t + t  # main waits in join too
        if s["forced_drops"] > limit:
            bad.append("%s: %d forced drops in %d ns at a %d us interval" % (where, s["forced_drops"], r["wall_ns"], s["switch_interval_us"]))
    elif s["max_running"] < 2:
        bad.append("%s: only %d ran at once without a GIL" % (where, s["max_running"]))
print("; ".join(bad) if bad else "%d runs" % len(runs))
sys.exit(1 if bad else 0)
EOF
    ); then ok "demo's claims hold by mechanism: $verdict"; else notok "demo's claims hold by mechanism" "$verdict"; fi
else
    notok "demo built" "$demo missing: make B=$B $demo"
fi

# 4c. The timeline figure: its generator runs, and the committed figure is one.
fig=$B/demos/03-timeline
if [ -x "$fig" ] && "$fig" "$out/timeline.svg" 2>"$out/timeline.err" && grep -q '<svg' "$out/timeline.svg"; then
    ok "timeline generator writes an SVG from a real run"
else
    notok "timeline generator writes an SVG from a real run" "$(tail -3 "$out/timeline.err" 2>/dev/null)"
fi
check "committed chapters/03/timeline.svg is an SVG" grep -q '<svg' chapters/03/timeline.svg

# ------------------------------------------------------------ 5. chapter
if verdict=$($PY - chapters/03-threads-and-the-gil.md <<'EOF'
import json, os, re, sys
path = sys.argv[1]
text = open(path).read()
bad = []
fences = re.findall(r"^```(\w*)[^\n]*\n(.*?)^```", text, re.S | re.M)
quiz = [body for info, body in fences if info == "quiz"]
if len(quiz) != 1:
    bad.append("%d quiz blocks" % len(quiz))
else:
    qs = json.loads(quiz[0])
    if not 3 <= len(qs) <= 6:
        bad.append("%d questions" % len(qs))
    for i, q in enumerate(qs, 1):
        letters = "abcdefgh"[: len(q["choices"])]
        if q.get("answer") not in letters or not q.get("explain"):
            bad.append("question %d: answer %r" % (i, q.get("answer")))
for info, body in fences:
    if info != "include":
        continue
    kv = dict(l.split(":", 1) for l in body.strip().splitlines())
    src = kv["path"].strip()
    if not os.path.exists(src):
        bad.append("include of missing %s" % src)
        continue
    region = kv.get("region", "").strip()
    if region and ("// [%s]" % region) not in open(src).read():
        bad.append("no region %s in %s" % (region, src))
if "](../exercises/03/README.md)" not in text:
    bad.append("no link to ../exercises/03/README.md")
for img in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
    if not os.path.exists(os.path.join("chapters", img)):
        bad.append("missing image %s" % img)
print("; ".join(bad) if bad else "quiz, includes, links ok")
sys.exit(1 if bad else 0)
EOF
); then ok "chapter 3 is well formed: $verdict"; else notok "chapter 3 is well formed" "$verdict"; fi

echo "# $((n - failed)) of $n passed"
[ "$failed" -eq 0 ]
