#!/usr/bin/env bash
# test_anywhere.sh - the grader works from any directory, as any user: a
# checkout in a private (0700) directory, as root (a container's /root), and
# in an ordinary user's home, must grade the reference solution of exercise
# 03 with full marks, quiz included.  The sandbox's own uids cannot enter
# such a directory: the grader must build and run elsewhere (the scratch
# directory defaults to $TMPDIR or /tmp) and say so clearly when it cannot.
. "$(dirname "$0")/lib.sh"
unset GRADER_SCRATCH GRADER_COURSE GRADER_GRADEBOOK
if [ "$(id -u)" -ne 0 ]; then
    echo "# not root: the private-directory and useradd cases need root (skipped)"
    finish
fi

# A workbook as a learner has it, under dir: the sources the grader reads,
# the built libraries and the grader itself.
copy_workbook() { # dir
    local d=$1
    mkdir -p "$d/build/bin" "$d/build/lib" "$d/chapters"
    cp -r "$ROOT/runtime" "$ROOT/exercises" "$ROOT/solutions" "$d/"
    cp "$ROOT"/chapters/03-*.md "$d/chapters/"
    cp "$B"/lib/librt-*.a "$B"/lib/libexkit-*.a "$d/build/lib/"
    cp "$GRADER" "$d/build/bin/grader"
}
# The right answers to chapter 3's quiz, as `grader quiz --answer` takes them.
answers=$(python3 - "$ROOT"/chapters/03-*.md <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
qs = json.loads(re.search(r"^```quiz\n(.*?)^```", text, re.S | re.M).group(1))
print(",".join("%d=%s" % (i + 1, q["answer"] if isinstance(q["answer"], str)
                          else "abcdefgh"[q["answer"]]) for i, q in enumerate(qs)))
PY
)
full_marks() { # report.json -> "score/max passed"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%g/%g" % (r["score"], r["max_score"]), r["passed"], [c["name"]+": "+c["reason"] for c in r["checks"] if c["status"]!="pass"])' "$1" 2>&1
}

# 1. Root, the checkout in a 0700 directory.
P=$WORK/private
mkdir -m 700 "$P"
copy_workbook "$P/wb"
(cd "$P/wb" && build/bin/grader quiz 3 --answer "$answers" >/dev/null &&
    build/bin/grader submit 03 --from solutions/03 --format json -o "$P/r.json" 2>"$P/err")
rc=$?
v=$(full_marks "$P/r.json")
echo "# root in a 0700 directory: exit $rc, $v"
match "root, checkout in a 0700 directory: the reference gets full marks (exit $rc)" "$rc $v" "0 [0-9]*/[0-9]* True []"
check "root, checkout in a 0700 directory: the attempt was recorded" \
    bash -c "cd '$P/wb' && build/bin/grader status | grep -Eq '^03 .* (passed|attempted)'"
# A scratch directory the sandbox cannot reach is refused with a reason.
out=$(cd "$P/wb" && GRADER_SCRATCH=$P/scratch build/bin/grader submit 03 --from solutions/03 \
    --skip quiz --no-record 2>&1)
match "a scratch directory under a 0700 directory is refused, saying why" "$out" \
    "*sandbox's users cannot reach*$P*closed to others*"

# 2. An ordinary user, created for the test, in their own (0700) home.
if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
    echo "# no useradd or setpriv: the ordinary-user case is skipped"
    finish
fi
U=grtest$$
useradd -m -d "$WORK/home-$U" -s /bin/sh "$U" 2>/dev/null ||
    { not_ok "useradd $U"; finish; }
trap 'pkill -KILL -u "$U" 2>/dev/null; userdel -r "$U" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
H=$WORK/home-$U
chmod 700 "$H"
copy_workbook "$H/wb"
chown -R "$U:" "$H"
uid=$(id -u "$U") gid=$(id -g "$U")
setpriv --reuid="$uid" --regid="$gid" --clear-groups env HOME="$H" TMPDIR=/tmp \
    bash -c "cd '$H/wb' && build/bin/grader quiz 3 --answer '$answers' >/dev/null &&
             build/bin/grader submit 03 --from solutions/03 --format json -o '$H/r.json' 2>'$H/err'"
rc=$?
v=$(full_marks "$H/r.json")
echo "# user $U in a 0700 home: exit $rc, $v"
match "an ordinary user in a 0700 home: the reference gets full marks (exit $rc)" "$rc $v" "0 [0-9]*/[0-9]* True []"
iso=$(python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))["machine"]["isolation"]; print(i["network"], "|", i["signals"])' "$H/r.json" 2>&1)
echo "# user $U: isolation: $iso"
check "an ordinary user: the report states the isolation it got ($iso)" \
    bash -c '[[ $1 == *" | "* && $1 != *Error* ]]' _ "$iso"
finish
