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

# Where it lives: <course>/.workbook/gradebook.sqlite, outside build/ (make
# clean removes build/).  An old build/gradebook.sqlite is moved there on
# first use, its WAL included, said once, even with several graders at once.
R=$WORK/repo
cp -r "$FIXTURE" "$R" && mkdir -p "$R/build"
python3 - "$R/build/gradebook.sqlite" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("CREATE TABLE attempts(id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, slug TEXT,"
           " title TEXT, passed INTEGER NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,"
           " started_at TEXT, finished_at TEXT NOT NULL, seconds REAL, user TEXT, source TEXT,"
           " report TEXT)")
db.execute("PRAGMA user_version = 1")
db.commit()
db.execute("INSERT INTO attempts(exercise, passed, score, max_score, finished_at, source)"
           " VALUES ('90', 1, 7, 7, '2026-01-02T03:04:05Z', 'learner')")
db.commit()
os._exit(0)  # no checkpoint: the attempt is only in the -wal file
PY
check "setup: the old gradebook's attempt sits in its WAL" test -s "$R/build/gradebook.sqlite-wal"
oldenv() { env -u GRADER_GRADEBOOK GRADER_REPO="$R" GRADER_BUILD="$R/build" GRADER_COURSE="$R" "$@"; }
for i in 1 2 3; do oldenv "$GRADER" status >"$WORK/move.$i" 2>&1 & done
wait
check "three graders at once: the move is said once" \
    [ "$(cat "$WORK"/move.* | grep -c 'moved the gradebook from .*build/gradebook.sqlite to .*/.workbook/gradebook.sqlite')" -eq 1 ]
check "...and no other message" [ "$(cat "$WORK"/move.* | grep -c 'grader:')" -eq 1 ]
check "the old file and its WAL are gone from build/" \
    bash -c "! ls '$R/build/' | grep -q gradebook"
check "every status read the moved attempt" \
    [ "$(cat "$WORK"/move.* | grep -Ec '^90 +fixture-waits +passed +7/7 +1 ')" -eq 3 ]
oldenv "$GRADER" status >"$WORK/move.again" 2>&1
check "the next run says nothing of a move" bash -c "! grep -q moved '$WORK/move.again'"
check ".workbook is private to its owner" [ "$(stat -c %a "$R/.workbook")" = 700 ]
check "later runs create nothing in build/" bash -c "! ls '$R/build/' | grep -q gradebook"
# A fresh checkout: the first submit makes .workbook/ and records there.
F=$WORK/fresh
cp -r "$FIXTURE" "$F" && ln -s "$ROOT/runtime" "$F/runtime" && mkdir -p "$F/build/lib"
# The libraries are copied: the grader refuses to read a symlink where it
# takes the code it links (a learner could point it anywhere).
cp "$B/lib/librt-rel.a" "$B/lib/libexkit-rel.a" "$F/build/lib/"
ln -s "$ROOT/exercises/common" "$F/exercises/common"
env -u GRADER_GRADEBOOK GRADER_REPO="$F" GRADER_BUILD="$F/build" GRADER_COURSE="$F" \
    "$GRADER" submit 90 --from "$FIXTURE/solutions/90" --skip sanitizers --skip patterns \
    --skip quiz --quiet >"$WORK/fresh.out" 2>&1
check "a fresh checkout's first submit records in .workbook/gradebook.sqlite (exit 0)" \
    bash -c "[ $? -eq 0 ] && [ \"\$(python3 -c \"import sqlite3; print(sqlite3.connect('$F/.workbook/gradebook.sqlite').execute('select count(*) from attempts where passed = 1').fetchone()[0])\")\" = 1 ]"
# The submit writes the site's live progress (site/data/progress.js) and
# nothing else beside what the checkout had (and the grader's cache of
# compiled drivers, build/cache/).
check "...and nothing in build/ but what was there and the site's progress" \
    bash -c "[ \"\$(cd '$F/build' && find . \\( -type f -o -type l \\) -not -path './cache/*' | sort | tr '\n' ' ')\" = './lib/libexkit-rel.a ./lib/librt-rel.a ./site/data/progress.js ' ]"
O=$WORK/other && cp -r "$FIXTURE" "$O" && cp "$R/.workbook/gradebook.sqlite" "$R/build/gradebook.sqlite"
env -u GRADER_GRADEBOOK GRADER_REPO="$R" GRADER_BUILD="$R/build" GRADER_COURSE="$O" \
    "$GRADER" status >"$WORK/other.out" 2>&1
check "another course (GRADER_COURSE) does not take the repository's old gradebook" \
    bash -c "test -e '$R/build/gradebook.sqlite' -a ! -e '$O/.workbook' && grep -Eq '^90 +fixture-waits +not started' '$WORK/other.out'"
finish
