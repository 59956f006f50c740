#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds ipuc into
# build/ (tools in build/bin/). Extra arguments are passed to cmake.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
JOBS="${IPUC_JOBS:-$(nproc)}"
if [ ! -f "$ROOT/build/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release "$@"
fi
ninja -C "$ROOT/build" -j"$JOBS"
