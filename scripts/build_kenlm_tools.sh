#!/usr/bin/env bash
# Build kenlm's `lmplz` and `build_binary` from the kenlm sdist on PyPI and install them.
#
# Usage: scripts/build_kenlm_tools.sh [BIN_DIR]   (default BIN_DIR: /opt/kenlm/bin)
# Needs: cmake, a C++ compiler, Boost (program_options, system, thread, test) and zlib/bz2/lzma dev packages.
# Idempotent: does nothing when both binaries already exist in BIN_DIR.
# Environment: KENLM_BUILD_DIR (default /tmp/kenlm-build), JOBS (default 2), KENLM_MAX_ORDER (default 6).
set -euo pipefail

BIN_DIR="${1:-/opt/kenlm/bin}"
BUILD_DIR="${KENLM_BUILD_DIR:-/tmp/kenlm-build}"
JOBS="${JOBS:-2}"
MAX_ORDER="${KENLM_MAX_ORDER:-6}"

if [[ -x "$BIN_DIR/lmplz" && -x "$BIN_DIR/build_binary" ]]; then
    echo "kenlm tools already installed in $BIN_DIR"
    exit 0
fi

mkdir -p "$BUILD_DIR" "$BIN_DIR"
cd "$BUILD_DIR"

sdist=$(ls kenlm-*.tar.gz 2>/dev/null | head -n 1 || true)
if [[ -z "$sdist" ]]; then
    # `--no-binary kenlm` (not `:all:`): the sdist of kenlm itself, while pip may use wheels of the build
    # backend it needs to read the sdist's metadata (`:all:` would compile cmake itself from source).
    python3 -m pip download --quiet --no-binary kenlm --no-deps --dest "$BUILD_DIR" kenlm
    sdist=$(ls kenlm-*.tar.gz | head -n 1)
fi

src="$BUILD_DIR/src"
if [[ ! -f "$src/CMakeLists.txt" ]]; then
    rm -rf "$src"
    mkdir -p "$src"
    tar -xzf "$sdist" -C "$src" --strip-components=1
fi

mkdir -p "$src/build"
cd "$src/build"
if [[ ! -f Makefile ]]; then
    cmake .. -DCMAKE_BUILD_TYPE=Release -DKENLM_MAX_ORDER="$MAX_ORDER" -DCOMPILE_TESTS=OFF
fi
nice make -j"$JOBS" lmplz build_binary

install -m 0755 bin/lmplz bin/build_binary "$BIN_DIR/"
echo "installed: $BIN_DIR/lmplz $BIN_DIR/build_binary"
