#!/usr/bin/python3
"""A small transformer encoder on both devices, with its repeated layers
written as reruns.

The encoder of bench/sim_benchmarks.py (build_encoder_helper: 3 layers,
d_model 64, 4 heads, FFN 128, 16 tokens) is compiled for the ipu and the
host targets. Checked:

* the tile plan writes some compute sets and exchanges as reruns of earlier
  ones (`ipu-run --dump`), each naming an earlier step of the same kind;
* the simulator's output equals the host device's (rtol 1e-5) and both equal
  a float64 NumPy forward pass written from the ONNX operators' definitions
  with the model's initializers (atol 1e-4).

    encoder_reruns.py WORK_DIR
"""
import math
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "bench"))
from sim_benchmarks import build_encoder_helper  # noqa: E402

LAYERS, D, HEADS, FFN, SEQ = 3, 64, 4, 128, 16


def reference(model, x):
    w = {i.name: numpy_helper.to_array(i).astype(np.float64)
         for i in model.graph.initializer}
    dh = D // HEADS
    erf = np.vectorize(math.erf)

    def ln(t, g, b):
        mu = t.mean(-1, keepdims=True)
        var = ((t - mu) ** 2).mean(-1, keepdims=True)
        return (t - mu) / np.sqrt(var + 1e-5) * g + b

    x = x.astype(np.float64)
    for l in range(LAYERS):
        p = f"l{l}_"

        def lin(t, nm):
            return t @ w[p + nm + "_w"] + w[p + nm + "_b"]

        q = lin(x, "q").reshape(SEQ, HEADS, dh).transpose(1, 0, 2)
        k = lin(x, "k").reshape(SEQ, HEADS, dh).transpose(1, 2, 0)
        v = lin(x, "v").reshape(SEQ, HEADS, dh).transpose(1, 0, 2)
        s = (q @ k) * (1.0 / dh ** 0.5)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        c = (s @ v).transpose(1, 0, 2).reshape(SEQ, D)
        x1 = ln(x + lin(c, "o"), w[p + "ln1_g"], w[p + "ln1_b"])
        h = lin(x1, "ff1")
        g = h * 0.5 * (1 + erf(h * 2 ** -0.5))
        x = ln(x1 + lin(g, "ff2"), w[p + "ln2_g"], w[p + "ln2_b"])
    return x


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("FAILED:", " ".join(cmd), p.stdout, p.stderr)
        sys.exit(1)
    return p.stdout


def main():
    work = sys.argv[1]
    model_path = os.path.join(work, "encoder.onnx")
    build_encoder_helper(model_path, layers=LAYERS, d=D, heads=HEADS,
                         ffn=FFN, seq=SEQ)
    x = np.random.default_rng(1).uniform(-1, 1, (SEQ, D)).astype(np.float32)
    np.save(os.path.join(work, "x.npy"), x)
    out = {}
    for device, target in (("host", "host"), ("sim", "ipu")):
        plan = os.path.join(work, f"{target}.ipuplan")
        run(["ipuc", model_path, "-o", plan, f"--target={target}"])
        odir = os.path.join(work, device)
        run(["ipu-run", plan, f"--device={device}", "--input",
             "x=@" + os.path.join(work, "x.npy"), "--output-dir", odir,
             "--quiet"])
        out[device] = np.load(os.path.join(odir, "y.npy"))

    dump = run(["ipu-run", os.path.join(work, "ipu.ipuplan"), "--dump"])
    # Pre-order step kinds, as a rerun names its target.
    kinds = []
    reruns = []
    for line in dump.splitlines():
        m = re.match(r"\s*(compute_set|exchange|repeat|host_write|host_read|"
                     r"rerun)\b", line)
        if not m:
            continue
        kinds.append(m.group(1))
        if m.group(1) == "rerun":
            target = int(re.search(r" of step (\d+) ", line).group(1))
            reruns.append((len(kinds) - 1, target))
    bad = [(i, t) for i, t in reruns
           if t >= i or kinds[t] not in ("compute_set", "exchange")]
    steps = sum(k in ("compute_set", "exchange") for k in kinds)
    if reruns and not bad:
        print(f"ok: {len(reruns)} of {steps + len(reruns)} compute sets and "
              "exchanges are reruns of earlier ones")
    else:
        print(f"FAILED: reruns {reruns[:5]}, bad {bad[:5]}")

    ref = reference(onnx.load(model_path), x)
    if np.allclose(out["sim"], out["host"], rtol=1e-5, atol=1e-6):
        print("ok: the simulator's output equals the host device's")
    else:
        print("FAILED: sim and host differ by",
              np.abs(out["sim"] - out["host"]).max())
    for device in ("host", "sim"):
        err = np.abs(out[device] - ref).max()
        if err < 1e-4:
            print(f"ok: the {device} output equals the NumPy forward pass")
        else:
            print(f"FAILED: {device} differs from NumPy by {err}")


if __name__ == "__main__":
    main()
