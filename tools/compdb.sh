#!/usr/bin/env bash
# compdb.sh "COMPILER AND FLAGS" FILE.c... > compile_commands.json
# Writes a compilation database so editors (clangd) understand the tree.
# A reference solution is compiled beside its exercise's headers, so
# solutions/NN/ files also get -Iexercises/NN; the runtime's own sources get
# $RT_CFLAGS (its internal headers, hidden visibility) as make gives them.
set -eu
cmd=$1; shift
dir=$(pwd)
printf '[\n'
sep=''
for f in "$@"; do
    extra=''
    case "$f" in
    solutions/*/*) n=${f#solutions/}; extra=" -Iexercises/${n%%/*}" ;;
    runtime/*) extra=" ${RT_CFLAGS:-}" ;;
    esac
    printf '%s  {"directory": "%s", "file": "%s", "command": "%s%s -c %s"}' \
        "$sep" "$dir" "$f" "$cmd" "$extra" "$f"
    sep=$',\n'
done
printf '\n]\n'
