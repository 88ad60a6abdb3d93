#!/usr/bin/env bash
# Printed at the end of `make`: where things are and what to do next.
B=${B:-build}
echo
echo "The GIL Workbook is built."
[ -f "$B/site/index.html" ] && echo "  Read the book:   open $B/site/index.html (works offline)"
echo "  Start chapter 1: make chapter1"
echo "  Check the tree:  make test      Benchmarks: make bench"
