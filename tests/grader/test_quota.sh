#!/usr/bin/env bash
# test_quota.sh - the grader sees a cgroup CPU quota and never promises more
# parallelism than it allows.
#
# A course's grading box is often a container with a quota (Gradescope's
# 0.5 vCPU).  A 30 ms calibration spin fits inside one 100 ms quota period
# and reads up to 0.8 cores there, so an uncapped grader would expect a
# speedup the box cannot give.  Fake cgroup trees (GRADER_CGROUP_ROOT)
# check the reading of v1 and v2 files; a real 0.5-core quota
# (tools/cpu-quota.sh, root only) checks the grading itself.
. "$(dirname "$0")/lib.sh"
export GRADER_COURSE=$FIXTURE
sol=$FIXTURE/solutions/90

# grade OUT [env...]: grades the fixture solution's patterns into OUT (JSON).
grade() {
    local out=$1; shift
    env "$@" "$GRADER" submit 90 --from "$sol" --skip sanitizers --skip quiz --no-record \
        --quiet --format json >"$out" 2>"$out.err"
}
# figures OUT: "quota capacity-max passed" of the scales pattern.
figures() {
    python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = [c for c in r["checks"] if c["name"] == "free_threads_scale"][0]["figures"]
q = f["cpu_quota"]
print("null" if q is None else "%.2f" % q, "%.3f" % max(f["capacity_runs"]), "passed" if r["passed"] else "failed")
PY
}

# v2, a quota at the root of the (fake) hierarchy: 0.5 cores.
mkdir -p "$WORK/v2"
echo "50000 100000" >"$WORK/v2/cpu.max"
grade "$WORK/v2.json" GRADER_CGROUP_ROOT="$WORK/v2"
read -r q capmax verdict < <(figures "$WORK/v2.json")
match "v2 cpu.max 50000/100000 reads as a 0.5-core quota" "$q" "0.50"
check "v2: no round's capacity above the quota ($capmax)" \
    python3 -c "import sys; sys.exit(not $capmax <= 0.5)"
match "v2: the correct solution still passes (the counters decide)" "$verdict" "passed"

# v2 without a limit.
echo "max 100000" >"$WORK/v2/cpu.max"
grade "$WORK/v2max.json" GRADER_CGROUP_ROOT="$WORK/v2"
read -r q _ verdict < <(figures "$WORK/v2max.json")
match "v2 cpu.max \"max\" is no quota" "$q" "null"

# v1, the cpu controller mounted with cpuacct: 1.5 cores.
mkdir -p "$WORK/v1/cpu,cpuacct"
echo 150000 >"$WORK/v1/cpu,cpuacct/cpu.cfs_quota_us"
echo 100000 >"$WORK/v1/cpu,cpuacct/cpu.cfs_period_us"
grade "$WORK/v1.json" GRADER_CGROUP_ROOT="$WORK/v1"
read -r q capmax _ < <(figures "$WORK/v1.json")
match "v1 cfs_quota_us 150000 / period 100000 reads as 1.5 cores" "$q" "1.50"
check "v1: no round's capacity above the quota ($capmax)" \
    python3 -c "import sys; sys.exit(not $capmax <= 1.5)"
echo -1 >"$WORK/v1/cpu,cpuacct/cpu.cfs_quota_us"
grade "$WORK/v1none.json" GRADER_CGROUP_ROOT="$WORK/v1"
read -r q _ _ < <(figures "$WORK/v1none.json")
match "v1 cfs_quota_us -1 is no quota" "$q" "null"

# The text report names the quota beside the capacity.
echo "50000 100000" >"$WORK/v2/cpu.max"
GRADER_CGROUP_ROOT="$WORK/v2" "$GRADER" submit 90 --from "$sol" --skip sanitizers \
    --skip quiz --no-record --quiet >"$WORK/v2.txt" 2>&1
# (Capacity is at most the quota; on a busy machine it reads lower.)
match "text report shows the quota" "$(cat "$WORK/v2.txt")" "*capacity 0.[0-5][0-9] of * core(s) (quota 0.50)*"

# A real quota of half a core, as on a 0.5 vCPU grading box.
"$ROOT/tools/cpu-quota.sh" 0.5 "$GRADER" submit 90 --from "$sol" --skip sanitizers \
    --skip quiz --no-record --quiet --format json >"$WORK/real.json" 2>"$WORK/real.err"
rc=$?
if [ $rc -eq 125 ]; then
    ok "real quota # SKIP $(cat "$WORK/real.err")"
else
    read -r q capmax verdict < <(figures "$WORK/real.json")
    match "under a real 0.5-core quota the grader reads 0.5" "$q" "0.50"
    check "real quota: no round's capacity above 0.5 ($capmax)" \
        python3 -c "import sys; sys.exit(not $capmax <= 0.5)"
    match "real quota: the correct solution passes every check" "$verdict" "passed"
fi

# cpu-quota.sh refuses bad usage before touching anything.
"$ROOT/tools/cpu-quota.sh" half true 2>/dev/null
match "cpu-quota.sh: a bad CORES is a usage error (exit 2)" "$?" "2"
finish
