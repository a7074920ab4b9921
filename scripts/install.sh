#!/usr/bin/env bash
# Install unspin on a fresh machine: system packages (if root), CPU torch, the package with all extras.
#   bash scripts/install.sh            # full product: rules + model engines, dev tools
#   bash scripts/install.sh --rules    # rules engine only: no torch
set -euo pipefail
cd "$(dirname "$0")/.."

extras="model,dev"
if [ "${1:-}" = "--rules" ]; then
    extras="dev"
fi

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
    # kenlm's Python module is compiled at install time: it needs g++, the Python headers and zlib.
    # WordNet and MyThes feed the spinner emulator, the evaluation and the dictionary build (and so the tests).
    missing=""
    for pkg in build-essential python3-dev zlib1g-dev wordnet-base mythes-en-us; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
    fi
elif ! command -v g++ >/dev/null 2>&1; then
    echo "install.sh: g++ not found; kenlm needs a C++ compiler, Python headers and zlib (e.g. apt-get install build-essential python3-dev zlib1g-dev)" >&2
fi
if [ ! -f /usr/share/wordnet/data.noun ] || [ ! -f /usr/share/mythes/th_en_US_v2.dat ]; then
    echo "install.sh: the tests and scripts/ need WordNet and MyThes (apt-get install wordnet-base mythes-en-us)" >&2
fi

python -m pip install --upgrade pip setuptools wheel
if [ "$extras" = "model,dev" ]; then
    # CPU build of torch first; a bare `torch` requirement would pull the multi-GB CUDA build.
    python -m pip install torch==2.13.0
fi
python -m pip install -e ".[$extras]"
echo "installed: $(command -v unspin)"
