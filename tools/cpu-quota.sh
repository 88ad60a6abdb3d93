#!/usr/bin/env bash
# cpu-quota.sh CORES CMD [ARG...] - run CMD under a CPU quota of CORES cores.
#
# What a course's grading box often is: Gradescope's default is 0.5 vCPU,
# `docker run --cpus=1.5` is 1.5.  The kernel enforces such a quota per
# period (100 ms here): a process may burn CORES * 100 ms of CPU in each
# period, then waits for the next.  This script makes a cgroup with that
# quota (v2 cpu.max, else v1 cpu.cfs_quota_us), runs CMD in it, waits, and
# removes the cgroup.  Needs root and a writable cgroup file system.
# Exit status: CMD's; 125 if the quota cannot be set up (nothing is run);
# 2 for a usage error.
set -u
usage() { echo "usage: $0 CORES CMD [ARG...]   (CORES like 0.5 or 1.5)" >&2; exit 2; }
[ $# -ge 2 ] || usage
cores=$1; shift
[[ $cores =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage
period=100000
quota=$(awk -v c="$cores" -v p="$period" 'BEGIN { printf "%d", c * p }')
[ "$quota" -ge 1000 ] || { echo "cpu-quota: $cores cores is below the kernel's 1 ms minimum" >&2; exit 2; }

fail() { echo "cpu-quota: $*" >&2; exit 125; }
[ "$(id -u)" = 0 ] || fail "needs root to make a cgroup"

name=gil-quota.$$
dir=
# v2: the unified hierarchy with the cpu controller on offer.
for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ -f "$root/cgroup.controllers" ] && grep -qw cpu "$root/cgroup.controllers"; then
        echo +cpu >"$root/cgroup.subtree_control" 2>/dev/null || true
        if mkdir "$root/$name" 2>/dev/null; then
            if echo "$quota $period" >"$root/$name/cpu.max" 2>/dev/null; then
                dir=$root/$name
                break
            fi
            rmdir "$root/$name"
        fi
    fi
done
# v1: the cpu controller's own hierarchy.
if [ -z "$dir" ]; then
    for root in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpuacct,cpu; do
        [ -f "$root/cpu.cfs_quota_us" ] || continue
        mkdir "$root/$name" 2>/dev/null || continue
        if echo "$period" >"$root/$name/cpu.cfs_period_us" 2>/dev/null &&
            echo "$quota" >"$root/$name/cpu.cfs_quota_us" 2>/dev/null; then
            dir=$root/$name
            break
        fi
        rmdir "$root/$name"
    done
fi
[ -n "$dir" ] || fail "no writable cgroup with a cpu controller"

# The child joins the cgroup, then becomes CMD; we stay outside to clean up.
sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' cpu-quota "$dir" "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' INT TERM
wait $child
rc=$?
# A cgroup can only be removed once empty: CMD's strays get a moment.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    rmdir "$dir" 2>/dev/null && break
    sleep 0.2
done
[ -d "$dir" ] && echo "cpu-quota: $dir still has processes; left in place" >&2
exit $rc
