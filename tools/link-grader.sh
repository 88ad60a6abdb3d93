#!/usr/bin/env bash
# link-grader.sh GRADER - makes `grader` runnable by name, so that
# `grader submit exercises/05` works exactly as typed.  Links it into the
# first directory on PATH that is meant for it: ~/.local/bin, or
# /usr/local/bin when run as root.  Otherwise prints the line to add.
set -u
grader=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
on_path() { case ":$PATH:" in *":$1:"*) return 0 ;; esac; return 1; }
for dir in "$HOME/.local/bin" /usr/local/bin; do
    if on_path "$dir" && { [ "$dir" != /usr/local/bin ] || [ "$(id -u)" -eq 0 ]; }; then
        mkdir -p "$dir" 2>/dev/null
        current=$(readlink "$dir/grader" 2>/dev/null || true)
        if [ -e "$dir/grader" ] && [ ! -L "$dir/grader" ]; then
            continue # someone else's grader: leave it alone
        fi
        if [ "$current" != "$grader" ] && ln -sf "$grader" "$dir/grader" 2>/dev/null; then
            echo "workbook: linked $dir/grader -> $grader"
        fi
        [ -L "$dir/grader" ] && exit 0
    fi
done
echo "workbook: to type 'grader' by name, add it to your PATH:"
echo "    export PATH=\"$(dirname "$grader"):\$PATH\""
