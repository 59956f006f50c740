#!/usr/bin/env bash
# Installs every Debian package ipuc needs, by name, if any is missing.
# Idempotent: when everything is present it does nothing and needs no root.
set -euo pipefail

PACKAGES=(
  cmake ninja-build ccache g++ lld pkg-config
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools
  libeigen3-dev libfmt-dev libgtest-dev
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler zlib1g-dev
  python3 python3-numpy python3-onnx python3-torch
  libopenblas0-pthread
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "ipuc: all Debian dependencies present"
  exit 0
fi

echo "ipuc: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || echo "ipuc: apt-get update failed; trying with the cached package lists"
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
