#!/usr/bin/env bash
# The demo: installs what is missing, builds, compiles the bundled example
# models and runs them on the host device and the IPU simulator, printing
# their outputs, then trains the MLP on the simulator.
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
echo "== Training the MLP on the IPU simulator: Adam, cross-entropy, 100 steps =="
"$BIN/ipuc" "$ROOT/examples/mlp.onnx" -o "$OUT/mlp-train.ipuplan" --target=ipu \
  --train --loss=cross_entropy --logits=logits --labels=label \
  --optimizer=adam --lr=0.01
"$BIN/ipu-run" "$OUT/mlp-train.ipuplan" --device=sim \
  --dataset "$ROOT/examples/mlp_train.npz" --steps 100 --shuffle --seed 1 \
  --log "$OUT/mlp-train.jsonl" --save-weights "$OUT/mlp-trained.npz"
echo
/usr/bin/python3 - "$OUT/mlp-train.jsonl" <<'PY'
import json, sys
steps = [json.loads(line) for line in open(sys.argv[1])]
for s in steps[::10] + [steps[-1]]:
    print(f"step {s['step']:4d}  loss {s['loss']:.4f}  {s['cycles']} cycles/step")
first = sum(s["loss"] for s in steps[:10]) / 10
last = sum(s["loss"] for s in steps[-10:]) / 10
print(f"mean loss of the first 10 steps {first:.3f}, of the last 10 {last:.3f}")
PY
echo
echo "Outputs written under $OUT"
