# lib.sh - shared by the grader's test scripts (sourced, not run).
#
# Each script prints "ok N - name" / "not ok N - name" lines (counted by
# tests/run-tests.sh) and exits 1 if any failed.  GRADER is the binary
# under test ($B/bin/grader); FIXTURE is the small course of fixture
# exercises the tests grade instead of the real ones where speed matters.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
GRADER=${GRADER:-$B/bin/grader}
FIXTURE=$ROOT/tests/grader/fixtures/course
N=0 FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/grader-test.XXXXXX")
chmod 755 "$WORK" # the sandbox's unprivileged uid must reach its scratch
export GRADER_SCRATCH=$WORK/scratch
export GRADER_GRADEBOOK=$WORK/gradebook.sqlite
export NO_COLOR=1
trap 'rm -rf "$WORK"' EXIT

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
# check NAME COMMAND...: ok if the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# A private copy of the fixture course (tests that modify files use it).
fresh_course() { rm -rf "$WORK/course"; cp -r "$FIXTURE" "$WORK/course"; echo "$WORK/course"; }
finish() { [ "$FAILED" -eq 0 ]; exit $?; }
# match NAME STRING GLOB: ok if STRING matches the shell pattern GLOB.
match() { if [[ $2 == $3 ]]; then ok "$1"; else not_ok "$1 (got: ${2:0:300})"; fi; }
