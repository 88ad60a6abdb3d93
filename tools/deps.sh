#!/usr/bin/env bash
# deps.sh - installs the system packages the workbook needs, or says how.
#
# Probes each need (a header, a library, a program) and collects the Debian
# packages of those missing.  As root with apt-get: installs them.  Otherwise
# prints the one exact command to run (and the Homebrew line on macOS).
# Browser-test packages (chromium, poppler-utils, playwright-core, axe-core)
# are installed by the tests that need them, not here.
set -u
CC=${CC:-cc}
missing=()
has_header() { printf '#include <%s>\n' "$1" | $CC -E -x c - >/dev/null 2>&1; }
need_header() { has_header "$1" || missing+=("$2"); }
need_prog() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }

need_prog "$CC" gcc
need_prog make make
need_prog patch patch               # mutants are stored as patches (tools/mutant.sh)
need_prog pkg-config pkg-config
need_header cmark-gfm.h libcmark-gfm-dev
need_header cmark-gfm-core-extensions.h libcmark-gfm-extensions-dev
need_header jansson.h libjansson-dev
need_header sqlite3.h libsqlite3-dev
need_header graphviz/gvc.h libgraphviz-dev
need_header yaml.h libyaml-dev          # exercise metadata (grader)
need_header gelf.h libelf-dev          # the grader reads the learner's objects before linking
need_header openssl/evp.h libssl-dev   # SHA-256: binaries the grader runs, the release manifest, sealed quiz keys
need_header uv.h libuv1-dev            # the libuv twin in `make bench`
need_header expat.h libexpat1-dev      # tests: SVG output is well-formed XML
need_prog python3 python3           # CPython twins in `make bench`
need_prog zip zip                   # grader export gradescope
need_prog unzip unzip               # tests: the Gradescope zip, unpacked
python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml) # tests: the CI workflow read back
# Sanitizer runtimes (gcc ships them in libgcc-12-dev's dependencies).
for s in thread address,undefined; do
    if ! printf 'int main(void){return 0;}\n' | $CC -fsanitize=$s -x c - -o /dev/null 2>/dev/null; then
        missing+=("libgcc-12-dev"); break
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0
# unique, stable order
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
echo "workbook: missing system packages: ${missing[*]}"
if [ "$(uname -s)" = Darwin ]; then
    echo "workbook: on macOS run:  brew install cmark-gfm jansson sqlite graphviz pkg-config python"
    exit 1
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"${TMPDIR:-/tmp}/workbook-apt.log" 2>&1 || {
        echo "workbook: apt-get failed; install by hand: apt-get install ${missing[*]}" >&2; exit 1; }
    exit 0
fi
echo "workbook: run this once, then make again:"
echo "    sudo apt-get install -y ${missing[*]}"
exit 1
