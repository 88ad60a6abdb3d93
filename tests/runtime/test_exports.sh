#!/usr/bin/env bash
# test_exports.sh - the runtime archives export the public API and nothing
# else (see "the runtime archive" in the Makefile and runtime/README.md).
#
#   B=build tests/runtime/test_exports.sh      (make test runs it)
#
# 0. each public header compiles alone, seeing only runtime/include, and
#    all four compile in one translation unit, in either order.
# For each of $B/lib/librt-{rel,tsan,asan}.a:
#   1. every global symbol it defines is a name the public headers
#      (runtime/include/*.h) declare RT_API, or ASan's ODR indicator of one
#      (`__odr_asan.<name>`, which -fsanitize=address adds per exported
#      variable); an `rt__` name among them has its reason written above
#      its declaration;
#   2. every name the headers declare RT_API is exported (a forgotten mark
#      would leave a public function unreachable);
#   3. a program that calls an internal function does not link;
#   4. a program that defines a module's public functions itself (to
#      replace the module) does not link: "multiple definition";
#   5. a program that defines an exported runtime variable does not link;
#   6. a program that defines an internal module's symbol (the cpython GIL's
#      operations) links, but the runtime goes on using its own.
# Prints "ok N - name" / "not ok N - name" lines; exit 1 if any failed.
set -u
B=${B:-build}
CC=${CC:-cc}
cd "$(dirname "$0")/../.." || exit 1
out=$B/tests/exports
mkdir -p "$out"
unset RT_GIL RT_SWITCH_INTERVAL_US RT_TRACE

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
    n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
    for line in "$@"; do printf '#   %s\n' "$line"; done
}

# shellcheck disable=SC2034 # read through ${!flags_var}
flags_rel="-O2"
# shellcheck disable=SC2034
flags_tsan="-O1 -fsanitize=thread"
# shellcheck disable=SC2034
flags_asan="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer"

# 0. Each public header stands alone, seeing only runtime/include (so it
# includes nothing internal), and all four go in one translation unit, in
# either order (the loop's and the pool's names do not clash).
for h in runtime/include/*.h; do
    if log=$(printf '#include "%s"\n' "${h##*/}" |
        $CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iruntime/include -fsyntax-only -x c - 2>&1); then
        ok "${h##*/} compiles alone against runtime/include"
    else
        notok "${h##*/} compiles alone against runtime/include" "$log"
    fi
done
for order in "rt.h rt_codec.h rt_loop.h rt_pool.h" "rt_pool.h rt_loop.h rt_codec.h rt.h"; do
    # shellcheck disable=SC2086
    if log=$(printf '#include "%s"\n' $order |
        $CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iruntime/include -fsyntax-only -x c - 2>&1); then
        ok "one translation unit includes $order"
    else
        notok "one translation unit includes $order" "$log"
    fi
done

# The names the public headers declare RT_API, one a line.  A declaration
# is `RT_API <type> <name>(` or `RT_API extern <type> <name>;` on one line;
# a line with RT_API that reads otherwise is reported, never skipped.
declared=$out/declared.txt
: >"$declared"
unparsed=()
while IFS= read -r line; do
    name=$(printf '%s\n' "$line" | sed -nE 's/^[^:]*:[0-9]+:RT_API [^(;]*[ *](rt_[A-Za-z0-9_]*) *[(;].*/\1/p')
    if [ -n "$name" ]; then echo "$name" >>"$declared"; else unparsed+=("$line"); fi
done < <(grep -Hn '^RT_API ' runtime/include/*.h)
sort -u -o "$declared" "$declared"
if [ ${#unparsed[@]} -eq 0 ] && [ -s "$declared" ]; then
    ok "the public headers' RT_API declarations read ($(wc -l <"$declared") names)"
else
    notok "the public headers' RT_API declarations read" "${unparsed[@]:-no RT_API line}"
fi

# Each exported rt__ name is an exception: its declaration must say why.
undocumented=()
while read -r name; do
    hit=$(grep -n "^RT_API .*[ *]$name *[(;]" runtime/include/*.h | head -1)
    file=${hit%%:*} rest=${hit#*:} line=${rest%%:*}
    from=$((line > 14 ? line - 14 : 1))
    sed -n "${from},${line}p" "$file" | grep -qi 'exported' || undocumented+=("$file:$line: $name")
done < <(grep '^rt__' "$declared")
if [ ${#undocumented[@]} -eq 0 ]; then
    ok "each exported rt__ name says why it is exported ($(grep -c '^rt__' "$declared"))"
else
    notok "each exported rt__ name says why it is exported" "${undocumented[@]}"
fi

# The programs of checks 3 to 6, built against each archive below.
# 3: an internal function is out of reach.
cat >"$out/internal.c" <<'EOF'
#include "rt.h"
void rt__count(int which); /* stats.c's counter bump, internal */
int main(void)
{
    rt_init(NULL);
    for (int i = 0; i < 1000; i++)
        rt__count(0);
    rt_fini();
    return 0;
}
EOF
# 4: replacing a module through its public functions: work.c is only
# rt_bytecodes and rt_bytecodes_per_ms, so in an archive of one object per
# module a program defining both would never pull it in, and would "run"
# its work by formula.  In one object, the two clash.
cat >"$out/replace.c" <<'EOF'
#include "rt.h"
uint64_t rt_bytecodes(uint64_t n) /* work.c's, forged: no work at all */
{
    return n;
}
double rt_bytecodes_per_ms(void)
{
    return 1e9;
}
int main(void)
{
    rt_init(NULL);
    uint64_t r = rt_bytecodes(1000);
    rt_fini();
    return r == 1000;
}
EOF
# 5: an exported variable cannot be defined again.
cat >"$out/variable.c" <<'EOF'
#include "rt.h"
atomic_int rt__eval_breaker; /* gil.c's, forged */
int main(void)
{
    rt_init(NULL);
    rt_checkpoint();
    rt_fini();
    return 0;
}
EOF
# 6: an internal module's symbol, defined by the program, is the program's
# own: the runtime keeps its cpython GIL.
cat >"$out/module.c" <<'EOF'
#include "rt.h"
#include <stdio.h>
static void *forged_create(long us)
{
    (void)us;
    puts("forged GIL used");
    return NULL; /* rt_init would fail with -ENOMEM */
}
const rt_gil_ops rt__gil_cpython_ops = {.name = "forged", .create = forged_create};
int main(void)
{
    int rc = rt_init(NULL);
    printf("rt_init %d %s\n", rc, rt_policy_name(rt_policy()));
    if (rc == 0)
        rt_fini();
    return rc != 0;
}
EOF

for v in rel tsan asan; do
    lib=$B/lib/librt-$v.a
    if [ ! -f "$lib" ]; then
        notok "$v: $lib exists" "build it: make $lib"
        continue
    fi
    # 1 and 2: the archive's global definitions against the headers.
    nm -g --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u >"$out/exported-$v.txt"
    stray=$(sed -E 's/^__odr_asan\.//' "$out/exported-$v.txt" | sort -u |
        comm -23 - "$declared")
    # $stray and $missing are split on purpose below: one name a line.
    # shellcheck disable=SC2086
    if [ -z "$stray" ]; then
        ok "$v: every exported symbol is declared RT_API in runtime/include"
    else
        notok "$v: every exported symbol is declared RT_API in runtime/include" \
            "exported but not public:" $stray
    fi
    missing=$(comm -13 "$out/exported-$v.txt" "$declared")
    # shellcheck disable=SC2086
    if [ -z "$missing" ]; then
        ok "$v: every RT_API name is exported"
    else
        notok "$v: every RT_API name is exported" "declared RT_API, not exported:" $missing
    fi
    members=$(ar t "$lib" | wc -l)
    if [ "$members" -eq 1 ]; then
        ok "$v: the archive is one object"
    else
        notok "$v: the archive is one object" "$members members: $(ar t "$lib" | tr '\n' ' ')"
    fi

    flags_var="flags_$v"
    # link NAME: compiles and links $out/NAME.c with the archive; output in $log.
    link() {
        # shellcheck disable=SC2086
        log=$($CC -std=c11 -D_GNU_SOURCE -g ${!flags_var} -pthread -Iruntime/include \
            "$out/$1.c" "$lib" -pthread -lm -o "$out/$1-$v" 2>&1)
    }
    # refused NAME ERROR TITLE: $out/NAME.c must not link, for ERROR.
    refused() {
        if link "$1"; then
            notok "$v: $3" "it linked"
        elif grep -q "$2" <<<"$log"; then
            ok "$v: $3"
        else
            notok "$v: $3" "$log"
        fi
    }
    refused internal "undefined reference to \`rt__count'" \
        "a program cannot call an internal function"
    refused replace "multiple definition of \`rt_bytecodes" \
        "defining a runtime function does not replace its module"
    refused variable "multiple definition of \`rt__eval_breaker'" \
        "defining an exported runtime variable does not link"
    if ! link module; then
        notok "$v: a program's copy of an internal module is not used" "$log"
    else
        run=$("$out/module-$v" 2>&1)
        if [ "$run" = "rt_init 0 cpython" ]; then
            ok "$v: a program's copy of an internal module is not used"
        else
            notok "$v: a program's copy of an internal module is not used" "$run"
        fi
    fi
done

[ "$failed" -eq 0 ]
