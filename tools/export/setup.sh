#!/usr/bin/env bash
# setup.sh - builds the grader where an autograder runs: Gradescope runs it
# once when it builds the autograder's image (as root, on Ubuntu), the
# Dockerfile runs it for the image PrairieLearn and Autolab use, and the
# Autolab entry point runs it when its image has no grader yet.
#
# Installs the system packages the grader needs (tools/deps.sh, the same
# probes as the workbook's `make`), then builds the grader, the runtime and
# the exercise kit in all three variants (plain, ThreadSanitizer,
# ASan+UBSan).  On a C library older than glibc 2.36 (Ubuntu 22.04, the
# default Gradescope image) <sys/pidfd.h> is missing: the runtime is then
# built with compat/sys/pidfd.h, which makes the same system call.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
missing=0
for prog in cc make patch pkg-config python3; do
    command -v $prog >/dev/null 2>&1 || missing=1
done
if [ $missing = 1 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends build-essential make patch \
        pkg-config python3 ca-certificates >/dev/null
fi
tools/deps.sh
cc=${CC:-cc}
if ! printf '#include <sys/pidfd.h>\n' | $cc -E -x c - >/dev/null 2>&1; then
    echo "setup.sh: this C library has no <sys/pidfd.h>: using tools/export/compat"
    cc="$cc -isystem $here/compat"
fi
make -j"$(nproc)" CC="$cc" B=build grading
echo "setup.sh: grader built: $root/build/bin/grader"
