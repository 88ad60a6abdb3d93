#!/usr/bin/env bash
# test_gradebook.sh - the SQLite gradebook: every attempt with its checks
# and figures, one transaction each, safe with several graders writing at
# once; `grader status` reads it.
. "$(dirname "$0")/lib.sh"
export GRADER_COURSE=$FIXTURE
GB=$WORK/gb.sqlite
n=6
for i in $(seq $n); do
    "$GRADER" submit 90 --gradebook "$GB" --skip sanitizers --quiet >/dev/null 2>&1 &
done
wait
check "$n concurrent graders recorded $n attempts, each with all its checks" python3 - "$GB" "$n" <<'PY'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
rows = db.execute("SELECT id, exercise, passed, score, max_score, finished_at, report FROM attempts").fetchall()
assert len(rows) == n, len(rows)
for id, ex, passed, score, mx, fin, rep in rows:
    assert ex == "90" and passed == 0 and mx > 0 and fin
    r = json.loads(rep)
    k = db.execute("SELECT count(*) FROM checks WHERE attempt_id = ?", (id,)).fetchone()[0]
    assert k == len(r["checks"]) >= 4, (k, len(r["checks"]))
npat = sum(1 for c in json.loads(rows[0][6])["checks"] if c["kind"] == "pattern")
figs = db.execute("SELECT figures FROM checks WHERE kind = 'pattern'").fetchall()
assert npat >= 1 and len(figs) == n * npat, (npat, len(figs))
assert all("speedup" in json.loads(f[0]) for f in figs)
PY
"$GRADER" status --gradebook "$GB" >"$WORK/status" 2>&1
check "status: exercise 90 attempted $n times" grep -Eq "^90 +fixture-waits +attempted +[0-9.]+/[0-9.]+ +$n " "$WORK/status"
check "status: fixture 91, never graded, is 'not started'" grep -Eq "^91 +fixture-sandbox +not started" "$WORK/status"
"$GRADER" status --gradebook "$GB" --format json >"$WORK/status.json"
check "status --format json" python3 -c "import json,sys; s=json.load(open('$WORK/status.json')); assert [e for e in s if e['exercise']=='90'][0]['attempts']==$n"
"$GRADER" submit 90 --from "$FIXTURE/solutions/90" --gradebook "$GB" --skip sanitizers --skip patterns --quiet >/dev/null 2>&1
check "no-record leaves the gradebook alone" bash -c "'$GRADER' submit 90 --no-record --gradebook '$GB' --skip patterns --skip sanitizers >/dev/null 2>&1; python3 -c \"import sqlite3; assert sqlite3.connect('$GB').execute('select count(*) from attempts').fetchone()[0] == $n + 1\""
finish
