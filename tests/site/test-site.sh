#!/usr/bin/env bash
# tests/site/test-site.sh - the site generator's tests (TAP lines, run by make test).
#
#   1. the real book builds, and its links and anchors all resolve;
#   2. tests/site/good/ (a fixture using every feature, with a gradebook)
#      renders each feature as it should, and a broken exercise.yaml fails;
#   3. the link checker itself catches a broken link;
#   4. every tests/site/bad/*.md fails the build with the message and the
#      chapter line its first line expects ("<!-- expect: 01-bad.md:LINE: ... -->"),
#      and leaves an existing good site untouched;
#   5. the live data files: the build makes them once and never replaces
#      them, tools/sitedata writes the reader's measurements, and `grader
#      progress` the reader's progress.
#
# Needs $B/bin/sitegen, $B/tools/sitedata and $B/bin/grader (make builds
# them) and python3.
set -u
B=${B:-build}
SITEGEN=${SITEGEN:-$B/bin/sitegen}
here=$(cd "$(dirname "$0")" && pwd)
work=$B/site-tests
rm -rf "$work" && mkdir -p "$work"
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # name, detail lines...
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - $1"; shift
    printf '#   %s\n' "$@"
}
check() { # name, command...: ok when the command succeeds
    local name=$1; shift
    if "$@" >"$work/last.out" 2>&1; then ok "$name"; else
        mapfile -t lines < <(head -20 "$work/last.out"); not_ok "$name" "${lines[@]}"; fi
}
has() { grep -qF -- "$2" "$1"; }     # file, text
hasnt() { ! grep -qF -- "$2" "$1"; }

# ------------------------------------------------------------- 1. the book
check "the book builds" "$SITEGEN" --out "$work/book" --gradebook "$work/no-gradebook.sqlite"
check "the book's links and anchors resolve" python3 "$here/linkcheck.py" "$work/book"
echo stale >"$work/book/99-renamed.html" && echo keep >"$work/book/notes.txt"
check "a rebuild removes pages of chapters that are gone, and nothing else" \
    bash -c "'$SITEGEN' --out '$work/book' --quiet --gradebook '$work/no-gradebook.sqlite' && test ! -e '$work/book/99-renamed.html' -a -e '$work/book/notes.txt'"
check "the book has an index, a print page and a search index" \
    test -s "$work/book/index.html" -a -s "$work/book/print.html" -a -s "$work/book/search-index.js"
check "--page 1 prints chapter 1's page" \
    bash -c "'$SITEGEN' --out '$work/book' --quiet --page 1 | grep -q '/01-.*\\.html\$'"
check "--page 99 is an error" bash -c "! '$SITEGEN' --out '$work/book' --quiet --page 99"

# ------------------------------------------------------------- 2. every feature
gb="$work/gradebook.sqlite"
python3 - "$gb" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
# the grader's schema (grader/gradebook.c); the site reads only some columns
db.execute("CREATE TABLE attempts(id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, slug TEXT,"
           " title TEXT, passed INTEGER NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,"
           " started_at TEXT, finished_at TEXT NOT NULL, seconds REAL, user TEXT, source TEXT,"
           " report TEXT)")
db.executemany("INSERT INTO attempts(exercise, passed, score, max_score, finished_at)"
               " VALUES (?, ?, ?, ?, ?)",
               [("exercises/01", 0, 4, 10, "2026-01-01T10:00:00Z"),
                ("01", 1, 9, 10, "2026-01-02T10:00:00Z")])
db.commit()
EOF
good="$work/good"
check "the feature fixture builds" "$SITEGEN" --root "$here/good" --out "$good" --gradebook "$gb"
p="$good/01-good.html"
check "include: the region's code, without its markers" \
    bash -c "grep -qF 'thread %d' '$p' && ! grep -qF '[region' '$p' && ! grep -qF 'return 0;' <(sed -n '/class=\"include\"/,/<\\/figure>/p' '$p')"
check "include: a Python file's '# [region]' markers work too" \
    bash -c "grep -qF 'perf_counter' '$p' && ! grep -qF '# [measure]' '$p' && ! grep -qF 'print(measure' '$p'"
check "include: a region loses its shared indentation" \
    has "$p" '<pre class="code"><code><span class="tok-keyword">for</span>'
check "C code is highlighted" has "$p" '<span class="tok-keyword">for</span>'
check "figures are copied beside the page" \
    bash -c "test -f '$good/01/timeline.svg' && grep -qF 'src=\"01/timeline.svg\"' '$p'"
check "dot fences become inline SVG with prefixed ids" \
    bash -c "grep -qF '<svg' '$p' && grep -qF 'id=\"dot1-graph0\"' '$p'"
check "tables, strikethrough and autolinks render" \
    bash -c "grep -qF '<table>' '$p' && grep -qF '<del>strikethrough</del>' '$p' && grep -qF 'href=\"https://example.org\"' '$p'"
check "author comments are dropped, <kbd> is kept" \
    bash -c "! grep -qF 'note: comments' '$p' && grep -qF '<kbd>Ctrl</kbd>' '$p'"
check "quiz texts cannot inject HTML" hasnt "$p" "<script>alert"
check "quiz renders every question with its answer key (a letter, or an index: 2 is c)" \
    bash -c "test \$(grep -c 'class=\"quiz-q\"' '$p') = 3 && grep -qF 'data-answer=\"a\" data-key=\"01-1\"' '$p' && grep -qF 'data-answer=\"c\" data-key=\"01-2\"' '$p'"
check "repeated headings get unique anchors" has "$p" 'id="same-title-2"'
check "anchors follow GitHub's rule" has "$p" 'id="whats-1x-really"'
check "chapter and exercise links are rewritten to pages" \
    bash -c "grep -qF 'href=\"02-other.html#second-part\"' '$p' && grep -qF 'href=\"01-good.html#exercise\"' '$p'"
check "exercise panel: title, task, starter file, submit line" \
    bash -c "grep -qF 'Exercise 01: Measure it' '$p' && grep -qF 'exercises/01/starter.c' '$p' && grep -qF 'grader submit exercises/01' '$p'"
check "exercise panel: the task's C code is highlighted" \
    has "$p" '<span class="tok-keyword">static</span> <span class="tok-type">int</span> measured'
check "exercise panel: the task's tables render" has "$p" "<td>measure_works</td>"
check "exercise panel: progress from the gradebook" has "$p" "Passed: best score 9 / 10 after 2 attempts"
check "index: progress from the gradebook" has "$good/index.html" "passed (9/10)"
check "a chapter without an exercise folder says so" \
    has "$good/02-other.html" "not available yet"
check "search index holds sections with their links" \
    bash -c "grep -q 'xylophone' '$good/search-index.js' && grep -qF '02-other.html#second-part' '$good/search-index.js'"
check "print page: ids and links carry the chapter number" \
    bash -c "grep -qF 'id=\"02-second-part\"' '$good/print.html' && grep -qF 'href=\"#02-second-part\"' '$good/print.html'"
check "quiz texts show raw HTML as text (/proc/<pid>/task keeps its <pid>)" \
    has "$p" '/proc/&lt;pid&gt;/task'
check "results: a text table becomes a table, its # column drawn bars" \
    bash -c "grep -qF '<figure class=\"results\" data-chapter=\"01\" data-compare=\"speedup\" data-key=\"run\">' '$p' && grep -qF '<th scope=\"row\">two threads</th><td class=\"num\">5 ms</td><td class=\"num\">2.00x</td><td class=\"bar\"><span class=\"bar-fill\" style=\"width:93.8%\">' '$p'"
check "results: header names one space apart are columns; a second header line groups them" \
    bash -c "grep -qF '<th scope=\"col\" rowspan=\"2\" class=\"num\">cores</th><th scope=\"col\" rowspan=\"2\" class=\"num\">switches</th><th scope=\"colgroup\" colspan=\"2\">in progress</th><th scope=\"col\" rowspan=\"2\" class=\"num\">OS thr</th></tr><tr><th scope=\"col\" class=\"num\">max</th><th scope=\"col\" class=\"num\">avg</th></tr>' '$p' && grep -qF '<th scope=\"row\">two threads</th><td class=\"num\">0.37</td><td class=\"num\">45</td><td class=\"num\">2</td><td class=\"num\">1.50</td><td class=\"num\">3</td>' '$p'"
check "results: a blank line between rows starts a group of its own (a tbody)" \
    python3 -c 'import sys; h = open(sys.argv[1]).read(); sys.exit(not (
        "<td class=\"num\">4.00x</td></tr>\n</tbody>\n<tbody>\n<tr><th scope=\"row\">serial, big</th>" in h
        and h.count("<tbody>") >= 2))' "$p"
check "results: a number one blank before its unit, under a name right-aligned over the unit, is in that column" \
    has "$p" '<th scope="row">hash</th><td class="num">156.6 ms</td><td class="num">46.5 ms</td></tr>'
check "timeline: the figure names its traces, diagram and steps" \
    bash -c "grep -qF 'data-traces=\"01/traces.json\" data-diagram=\"g\" data-from=\"drop request\"' '$p' && grep -qF '<li data-event=\"forced drop\" data-parts=\"T1 T1-&gt;GIL\">T1 <strong>drops</strong> the lock.</li>' '$p'"
check "timeline: the traces ship as a script, the static figure as a file" \
    bash -c "grep -qF '(window.GILWB_TRACES = window.GILWB_TRACES || {})[\"01/traces.json\"] = {' '$good/01/traces.js' && grep -qF '<script src=\"01/traces.js\">' '$p' && test -f '$good/01/timeline.svg'"
check "diagrams keep a width at which their labels are 12 px" \
    bash -c "grep -qE '<svg style=\"min-width:[0-9]+px\"' '$p'"
check "a figure alone in its paragraph gets a caption and a scroll box" \
    has "$p" '<figure class="figure">'
check "search finds quiz text, exercise panels and included code" \
    bash -c "grep -qF 'Look in /proc/<pid>/task' '$good/search-index.js' && grep -qF '\"s\":\"Exercise 01: Measure it\"' '$good/search-index.js' && grep -qF 'return CPU time over wall time' '$good/search-index.js' && grep -qF 'thread %d' '$good/search-index.js'"
check "search entries carry no heading anchors (#) in their titles" \
    bash -c "! grep -qF ' #\",' '$good/search-index.js'"
check "the benchmarks page is built, and says how to make its figures" \
    has "$good/bench.html" "make bench"
check "the fixture's links and anchors resolve" python3 "$here/linkcheck.py" "$good"

printf 'not a database' >"$work/junk.sqlite"
check "a gradebook that is not SQLite shows no progress" \
    bash -c "'$SITEGEN' --root '$here/good' --out '$work/junk' --gradebook '$work/junk.sqlite' --quiet && ! grep -qF 'Passed:' '$work/junk/01-good.html'"
python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE other(x)')" "$work/other.sqlite"
check "a gradebook without an attempts table shows no progress" \
    bash -c "'$SITEGEN' --root '$here/good' --out '$work/other' --gradebook '$work/other.sqlite' --quiet && grep -qF 'exercise 01 to do' '$work/other/index.html'"

# exercise.yaml is read with the grader's rules (course/exercise.c): an
# unknown key or a bad value fails the build, every mistake at its own line.
badex="$work/bad-exercise"
cp -r "$here/good" "$badex"
printf 'colour: blue\nfiles: [../escape.c]\n' >>"$badex/exercises/01/exercise.yaml"
y=$(grep -n '^colour' "$badex/exercises/01/exercise.yaml" | cut -d: -f1)
"$SITEGEN" --root "$badex" --out "$work/bad-exercise-out" --gradebook "$gb" >"$work/bad-exercise.txt" 2>&1
check "exercise.yaml: every mistake at its file:line, nothing written" \
    bash -c "[ $? -eq 1 ] && grep -q '^exercises/01/exercise.yaml:$y: unknown key \"colour\"' '$work/bad-exercise.txt' &&
             grep -q '^exercises/01/exercise.yaml:$((y + 1)): files: given twice' '$work/bad-exercise.txt' &&
             test ! -e '$work/bad-exercise-out'"

# ------------------------------------------------------------- 3. the checker can fail
cp -r "$good" "$work/broken"
sed -i 's|</article>|<a href="02-other.html#nope">x</a><img src="missing.png"><script src="https://example.org/x.js"></script></article>|' \
    "$work/broken/01-good.html"
python3 "$here/linkcheck.py" "$work/broken" >"$work/broken.out" 2>&1
if [ $? -ne 0 ] && grep -qF '02-other.html#nope: no such anchor' "$work/broken.out" &&
    grep -qF 'missing.png: no such file' "$work/broken.out" &&
    grep -qF 'loads from another host' "$work/broken.out"; then
    ok "the link checker reports a missing anchor, file and outside request"
else
    mapfile -t lines <"$work/broken.out"; not_ok "the link checker reports a broken page" "${lines[@]}"
fi

# ------------------------------------------------------------- 4. bad input
guard="$work/guard"
"$SITEGEN" --root "$here/good" --out "$guard" --quiet --gradebook "$gb"
before=$(cd "$guard" && find . -type f | sort | xargs md5sum)
for f in "$here"/bad/*.md; do
    name=$(basename "$f" .md)
    expect=$(sed -n '1s/^<!-- expect: \(.*\) -->$/\1/p' "$f")
    root="$work/bad/$name"
    mkdir -p "$root/chapters"
    cp "$f" "$root/chapters/01-bad.md"
    cp -r "$here/good/chapters/01" "$root/chapters/"
    printf '# The other chapter\n\n## Second part\n\nText.\n' >"$root/chapters/02-other.md"
    cp -r "$here/good/exercises" "$root/"
    "$SITEGEN" --root "$root" --out "$guard" --gradebook "$gb" >"$work/bad-$name.out" 2>&1
    rc=$?
    after=$(cd "$guard" && find . -type f | sort | xargs md5sum)
    if [ -z "$expect" ]; then
        not_ok "bad input $name" "no <!-- expect: ... --> on its first line"
    elif [ $rc -ne 1 ]; then
        not_ok "bad input $name: exit 1" "exit status $rc" "$(head -5 "$work/bad-$name.out")"
    elif ! grep -qF -- "chapters/$expect" "$work/bad-$name.out"; then
        not_ok "bad input $name: message" "expected: chapters/$expect" "got: $(head -5 "$work/bad-$name.out")"
    elif [ "$before" != "$after" ]; then
        not_ok "bad input $name: the good site is untouched" "files in $guard changed"
    else
        ok "bad input $name: $(head -1 "$work/bad-$name.out" | cut -c1-110)"
    fi
done

# ------------------------------------------------------------- 5. live data
check "the build makes empty data files for the pages to load" \
    bash -c "grep -qF 'window.GILWB_PROGRESS = null;' '$good/data/progress.js' && grep -qF 'window.GILWB_MEASURED = null;' '$good/data/measured.js'"
echo 'window.GILWB_PROGRESS = {"written": "kept"};' >"$good/data/progress.js"
check "a rebuild keeps the data files their writers wrote" \
    bash -c "'$SITEGEN' --root '$here/good' --out '$good' --quiet --gradebook '$gb' && grep -qF '\"written\": \"kept\"' '$good/data/progress.js'"

SITEDATA=${SITEDATA:-$B/tools/sitedata}
sd=$work/sitedata
mkdir -p "$sd/build"
printf '%s\n' '{"kind": "run", "policy": "cpython", "threads": 0, "wall_ns": 200000000, "stats": {"max_running": 1}}' \
    '{"kind": "run", "policy": "none", "threads": 2, "wall_ns": 100000000, "stats": {"max_running": 3}}' >"$sd/runs.jsonl"
printf '[{"name": "gil.mutex_ns", "unit": "ns", "ours": 17.5, "cpython": null, "libuv": null, "target": null, "note": null}]\n' \
    >"$sd/build/bench.json"
cat >"$sd/check.py" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
assert text.count('window.GILWB_MEASURED = ') == 1, text[:200]
d = json.loads(text.split('window.GILWB_MEASURED = ', 1)[1].rstrip().rstrip(';'))
ch = d['chapters']['03']
assert ch['load1'] == 0.25 and ch['machine']['cores'] >= 1, ch
assert [r['wall_ns'] for r in ch['runs']] == [200000000, 100000000]
assert ch['traces']['gil-traces']['traces'][0]['policy'] == 'cpython'
assert d['bench']['rows'][0]['ours'] == 17.5
PY
check "sitedata: a chapter's runs and traces, and the benchmarks, reach measured.js" \
    bash -c "'$SITEDATA' --build '$sd/build' --site '$sd/site' chapter 3 --load 0.25 --demo '$sd/runs.jsonl' --traces gil-traces='$here/good/chapters/01/traces.json' >/dev/null && python3 '$sd/check.py' '$sd/site/data/measured.js'"
printf '{"kind": "run"\n' >"$sd/broken.jsonl"
before=$(md5sum <"$sd/site/data/measured.js")
"$SITEDATA" --build "$sd/build" --site "$sd/site" chapter 3 --demo "$sd/broken.jsonl" >"$sd/broken.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -qF "$sd/broken.jsonl:1:" "$sd/broken.out" &&
    [ "$before" = "$(md5sum <"$sd/site/data/measured.js")" ]; then
    ok "sitedata: a broken run line is reported as FILE:LINE and nothing is written"
else
    not_ok "sitedata: a broken run line is reported as FILE:LINE and nothing is written" \
        "exit $rc" "$(cat "$sd/broken.out")"
fi

GRADER=${GRADER:-$B/bin/grader}
pg=$work/progress
mkdir -p "$pg/site"
python3 - "$pg/gradebook.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE attempts(id INTEGER PRIMARY KEY, exercise TEXT NOT NULL, slug TEXT,"
           " title TEXT, passed INTEGER NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,"
           " started_at TEXT, finished_at TEXT NOT NULL, seconds REAL, user TEXT, source TEXT,"
           " report TEXT)")
db.executemany("INSERT INTO attempts(exercise, passed, score, max_score, finished_at, source)"
               " VALUES (?, ?, ?, ?, ?, ?)",
               [("03", 0, 4, 17, "2026-01-01T10:00:00Z", "learner"),
                ("03", 1, 17, 17, "2026-01-02T10:00:00Z", "learner"),
                ("03", 1, 17, 17, "2026-01-03T10:00:00Z", "reliability")])
db.commit()
PY
cat >"$pg/check.py" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text.split('window.GILWB_PROGRESS = ', 1)[1].rstrip().rstrip(';'))
e = d['exercises']['03']
assert e == {'attempts': 2, 'passed': True, 'best': 17, 'max': 17, 'last': '2026-01-02T10:00:00Z'}, e
assert all(q['questions'] >= q['right'] >= 0 for q in d['quizzes'].values()), d['quizzes']
PY
check "grader progress: the learner's attempts (not a batch's) and quiz answers, as a script" \
    bash -c "GRADER_SITE='$pg/site' '$GRADER' progress --gradebook '$pg/gradebook.sqlite' && python3 '$pg/check.py' '$pg/site/data/progress.js'"

echo "# $n tests, $failed failed"
[ $failed -eq 0 ]
