#!/usr/bin/env bash
# tests/browser/test-browser.sh - the book in headless Chromium (TAP lines).
#
# Installs what it needs if it is missing: Debian's chromium, nodejs, npm and
# poppler-utils (apt-get when root, otherwise prints the command), and
# playwright-core and axe-core from this folder's package.json and
# package-lock.json into $B/browser-node (npm ci; never the `playwright`
# package, which downloads a browser of its own).  Then builds the book into
# $B/browser-site and runs site.test.mjs on it; the live-data tests run the
# grader, tools/sitedata and chapter 3's demo and trace programs, which make
# builds first ($B/bin/grader, $B/tools/sitedata, $B/demos/03/*).
set -u
B=${B:-build}
SITEGEN=${SITEGEN:-$B/bin/sitegen}
here=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# Debian packages this test needs: chromium, and node/npm for playwright-core.
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "# installing ${missing[*]} (apt-get)"
        log="${TMPDIR:-/tmp}/workbook-browser-apt.log"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}"; } >"$log" 2>&1 ||
            { echo "not ok 1 - cannot install ${missing[*]}; see $log"; exit 1; }
    else
        echo "not ok 1 - missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
        exit 1
    fi
fi

nodedir=$B/browser-node
if ! cmp -s "$here/package-lock.json" "$nodedir/package-lock.json" ||
    [ ! -f "$nodedir/node_modules/playwright-core/package.json" ]; then
    mkdir -p "$nodedir"
    cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >"$nodedir/npm.log" 2>&1 ||
        { echo "not ok 1 - npm ci of playwright-core failed (see $nodedir/npm.log)"; exit 1; }
fi

site=$B/browser-site
rm -rf "$site"
"$SITEGEN" --out "$site" --quiet --gradebook "$B/browser-no-gradebook.sqlite" ||
    { echo "not ok 1 - the book does not build"; exit 1; }
# The book with sealed quizzes, as a student edition has it (`grader
# release`); a student edition's own book is sealed already.
sealed=$site
if grep -q 'data-answer="' "$site"/*.html 2>/dev/null; then
    rel=$B/browser-release sealed=$B/browser-site-sealed
    rm -rf "$rel" "$sealed"
    printf 'browser-test-secret-0123456789\n' >"$B/browser-secret"
    GRADER=${GRADER:-$B/bin/grader}
    "$GRADER" release "$rel" --secret-file "$B/browser-secret" >"$B/browser-release.log" 2>&1 ||
        { echo "not ok 1 - grader release (see $B/browser-release.log)"; exit 1; }
    "$SITEGEN" --root "$rel" --out "$sealed" --quiet --gradebook "$B/browser-no-gradebook.sqlite" ||
        { echo "not ok 1 - the sealed book does not build"; exit 1; }
fi
mkdir -p "$B/screenshots"
for prog in "$B/bin/grader" "$B/tools/sitedata" "$B/demos/03/demo" "$B/demos/03/gil-traces" \
    "$B/demos/04/demo" "$B/demos/05/demo"; do
    [ -x "$prog" ] || { echo "not ok 1 - $prog is missing (make builds it)"; exit 1; }
done
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
NODE_PATH="$(cd "$nodedir" && pwd)/node_modules" CHROMIUM="$CHROMIUM" \
    SITEGEN=$(abs "$SITEGEN") GRADER=$(abs "$B/bin/grader") SITEDATA=$(abs "$B/tools/sitedata") \
    DEMO03=$(abs "$B/demos/03/demo") TRACES03=$(abs "$B/demos/03/gil-traces") \
    DEMO04=$(abs "$B/demos/04/demo") DEMO05=$(abs "$B/demos/05/demo") \
    exec node "$here/site.test.mjs" "$site" "$B/screenshots" "$sealed"
