#!/usr/bin/env bash
# new-exercise.sh N SLUG [TITLE] - scaffolds chapter N and exercise NN
# from tools/templates/ (make new-exercise N=12 SLUG=my-topic TITLE="...").
#
# Writes, refusing to overwrite anything:
#   chapters/NN-SLUG.md          a placeholder page with a quiz
#   chapters/NN/demo.c           a demo on the exercise kit
#   chapters/NN/claims.yaml      one claim, checked on the demo
#   exercises/NN/                the task, the starter (work.c), the driver,
#                                the metadata with 3 hints
#   solutions/NN/                the reference and a hidden test
#   tests/mutants/NN/off-by-one.patch   a mutant the grader must fail
# Every file compiles as written: the starter fails, the solution passes,
# the mutant fails its check.  COURSE=DIR writes into another course tree.
set -u
die() { echo "new-exercise: $*" >&2; exit 2; }
[ $# -ge 2 ] || die "usage: make new-exercise N=12 SLUG=my-topic [TITLE=\"My topic\"]"
n=$1 slug=$2 title=${3:-}
case $n in ''|*[!0-9]*) die "N must be a number from 1 to 99, not '$n'" ;; esac
[ "$((10#$n))" -ge 1 ] && [ "$((10#$n))" -le 99 ] || die "N must be from 1 to 99"
n=$((10#$n)) nn=$(printf '%02d' "$n")
case $slug in *[!a-z0-9-]*|-*|"") die "SLUG: lower-case letters, digits and '-', like my-topic" ;; esac
[ -n "$title" ] || title=$(echo "$slug" | tr '-' ' ' | sed 's/^./\U&/')
case $title in *[\"\\@]*) die "TITLE: no quotes, backslashes or @" ;; esac
tpl=$(cd "$(dirname "$0")/templates" && pwd)
root=${COURSE:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
for p in chapters/"$nn"-*.md chapters/"$nn" exercises/"$nn" solutions/"$nn" tests/mutants/"$nn"; do
    [ -e "$p" ] && die "$p already exists: chapter $n is taken"
done

# fill SRC DEST: a template with its placeholders replaced.
fill() {
    mkdir -p "$(dirname "$2")"
    sed -e "s/@NN@/$nn/g" -e "s/@N@/$n/g" -e "s/@SLUG@/$slug/g" -e "s/@TITLE@/$title/g" \
        "$1" >"$2" || exit 1
    echo "  $2"
}
echo "new-exercise: chapter $n, exercise $nn ($slug)"
fill "$tpl/chapter.md" "chapters/$nn-$slug.md"
fill "$tpl/demo.c" "chapters/$nn/demo.c"
fill "$tpl/claims.yaml" "chapters/$nn/claims.yaml"
for f in "$tpl"/exercise/*; do
    b=$(basename "$f") b=${b//@NN@/$nn}
    fill "$f" "exercises/$nn/$b"
done
for f in "$tpl"/solution/*; do fill "$f" "solutions/$nn/$(basename "$f")"; done
mkdir -p "tests/mutants/$nn"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
fill "$tpl/mutant.c" "$tmp/work.c" >/dev/null
{
    printf 'Check: work_is_done\nMessage: not what rt_bytecodes returned\n'
    printf 'Mistake: the result is adjusted by one after the work ("close\n'
    printf '  enough"); the test compares it with what rt_bytecodes returned.\n\n'
    diff -u --label a/work.c --label b/work.c "solutions/$nn/work.c" "$tmp/work.c"
} >"tests/mutants/$nn/off-by-one.patch"
echo "  tests/mutants/$nn/off-by-one.patch"
cat <<EOT

Next:
  make demo-$n                          the demo
  grader submit exercises/$nn              the starter: fails, naming its TODO
  grader submit exercises/$nn --from solutions/$nn --no-record    the reference: passes
  make test-chapters                    every chapter and exercise, checked
Then write the chapter and the task (exercises/README.md is the guide).
EOT
