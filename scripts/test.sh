#!/usr/bin/env bash
# Runs every test: unit tests (GoogleTest), lit/FileCheck tests, the ONNX
# node-test conformance suite and the end-to-end tests. Builds first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/build.sh"
cd "$ROOT/build"
ctest --output-on-failure -j"${IPUC_JOBS:-$(nproc)}" "$@"
