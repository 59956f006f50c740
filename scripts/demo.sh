#!/usr/bin/env bash
# The demo: installs what is missing, builds, compiles the bundled example
# models and runs them on the host device, printing their outputs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/build.sh"
BIN="$ROOT/build/bin"
OUT="$ROOT/build/demo"
mkdir -p "$OUT"

echo
echo "== MLP (examples/mlp.onnx): compile for the host device =="
"$BIN/ipuc" "$ROOT/examples/mlp.onnx" -o "$OUT/mlp.ipuplan" --target=host
"$BIN/ipu-run" "$OUT/mlp.ipuplan" --device=host \
  --input x=@"$ROOT/examples/x_mlp.npy" --output-dir "$OUT/mlp"

echo
echo "== CNN (examples/cnn.onnx): compile for the host device =="
"$BIN/ipuc" "$ROOT/examples/cnn.onnx" -o "$OUT/cnn.ipuplan" --target=host
"$BIN/ipu-run" "$OUT/cnn.ipuplan" --device=host \
  --input image=@"$ROOT/examples/x_cnn.npy" --output-dir "$OUT/cnn"
echo
echo "== MLP on the IPU simulator: partitioned over 1472 GC200 tiles =="
"$BIN/ipuc" "$ROOT/examples/mlp.onnx" -o "$OUT/mlp-ipu.ipuplan" --target=ipu
"$BIN/ipu-run" "$OUT/mlp-ipu.ipuplan" --device=sim \
  --input x=@"$ROOT/examples/x_mlp.npy" --output-dir "$OUT/mlp-sim" \
  --profile "$OUT/mlp-sim-profile.json"
echo
echo "Outputs written under $OUT"
