#!/usr/bin/env bash
# compdb.sh "COMPILER AND FLAGS" FILE.c... > compile_commands.json
# Writes a compilation database so editors (clangd) understand the tree.
set -eu
cmd=$1; shift
dir=$(pwd)
printf '[\n'
sep=''
for f in "$@"; do
    printf '%s  {"directory": "%s", "file": "%s", "command": "%s -c %s"}' "$sep" "$dir" "$f" "$cmd" "$f"
    sep=$',\n'
done
printf '\n]\n'
