#!/usr/bin/env bash
# tests/site/test-site.sh - the site generator's tests (TAP lines, run by make test).
#
#   1. the real book builds, and its links and anchors all resolve;
#   2. tests/site/good/ (a fixture using every feature, with a gradebook)
#      renders each feature as it should, and a broken exercise.yaml fails;
#   3. the link checker itself catches a broken link;
#   4. every tests/site/bad/*.md fails the build with the message and the
#      chapter line its first line expects ("<!-- expect: 01-bad.md:LINE: ... -->"),
#      and leaves an existing good site untouched.
#
# Needs $B/bin/sitegen (make builds it) and python3.
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
check "include: a Python region (# markers), without its markers or the rest" \
    bash -c "grep -qF 'python-region-marker-check' '$p' && ! grep -qF '# [region count]' '$p' && ! grep -qF 'print(count(3))' '$p'"
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

echo "# $n tests, $failed failed"
[ $failed -eq 0 ]
