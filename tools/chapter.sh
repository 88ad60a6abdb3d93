#!/usr/bin/env bash
# chapter.sh N - what `make chapterN` does:
#   1. renders chapter N's page (the site generator's site-chapter-N target),
#   2. builds exercise N from the learner's current files and runs its
#      public tests (no sanitizers, patterns or quiz, nothing recorded),
#   3. runs the chapter's demo (real measurements on this machine),
#   4. records this machine's figures for the page (make measure-N, when the
#      chapter has it: the demo's runs and traces, beside the book's),
#   5. prints the page's path and the exact `grader submit` line.
set -u
N=$1
NN=$(printf '%02d' "$N")
B=${B:-build}
MAKE=${MAKE:-make}
md=$(ls chapters/"$NN"-*.md 2>/dev/null | head -n 1)
if [ -z "$md" ]; then
    echo "chapter $N is not written yet (no chapters/$NN-*.md)" >&2
    exit 2
fi
title=$(sed -n 's/^# //p' "$md" | head -n 1)
echo "== Chapter $N: $title"
page=$($MAKE -s --no-print-directory B="$B" site-chapter-"$N") || exit 1

if [ -d "exercises/$NN" ]; then
    echo
    echo "== Exercise $NN, as your files stand now (build and public tests)"
    "$B/bin/grader" submit "$NN" --no-record --skip sanitizers --skip patterns \
        --skip quiz --quiet || true
fi

echo
if $MAKE -n -s --no-print-directory B="$B" demo-"$N" >/dev/null 2>&1; then
    echo "== Demo: measured on this machine"
    $MAKE -s --no-print-directory B="$B" demo-"$N" || exit 1
else
    echo "(chapter $N has no demo yet)"
fi

if $MAKE -n -s --no-print-directory B="$B" measure-"$N" >/dev/null 2>&1; then
    echo
    echo "== Your figures for the chapter's page (run again, recorded)"
    $MAKE -s --no-print-directory B="$B" measure-"$N" ||
        echo "(could not record your figures; the page shows the book's only)"
fi

echo
echo "Read the chapter:  $page"
if [ -d "exercises/$NN" ]; then
    echo "Then submit:       grader submit exercises/$NN"
fi
