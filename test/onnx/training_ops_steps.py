#!/usr/bin/python3
"""ONNX's training-domain optimizers after the first iteration.

libonnx-testdata's Adam, Momentum and Adagrad node tests all use T = 0, so
they never reach the bias correction (Adam), the beta scaling (Momentum) or
the learning-rate decay (Adagrad). This test builds one model per op and
mode, updating two tensors of different shapes, runs it at T = 0, 1 and 7
with ipuc + ipu-run on the given device, and compares every output with a
NumPy transcription of the ONNX operator specification's pseudo-code
(onnx/defs/training/defs.cc), computed in float64.

    training_ops_steps.py --ipuc build/bin/ipuc --ipu-run build/bin/ipu-run \\
        [--device sim]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

DOMAIN = "ai.onnx.preview.training"
SHAPES = [(3, 4), (5,)]
RTOL, ATOL = 1e-5, 1e-6


def adam(r, t, x, g, v, h, alpha=0.9, beta=0.999, epsilon=1e-6,
         norm_coefficient=0.0, norm_coefficient_post=0.0):
    g = norm_coefficient * x + g
    v = alpha * v + (1 - alpha) * g
    h = beta * h + (1 - beta) * g * g
    h_sqrt = np.sqrt(h) + epsilon
    if t > 0:
        r = r * np.sqrt(1 - beta ** t) / (1 - alpha ** t)
    x = x - r * v / h_sqrt
    return [(1 - norm_coefficient_post) * x, v, h]


def momentum(r, t, x, g, v, alpha, beta, mode, norm_coefficient):
    g = norm_coefficient * x + g
    v = alpha * v + (beta if t > 0 else 1.0) * g
    if mode == "nesterov":
        return [x - r * (g + alpha * v), v]
    return [x - r * v, v]


def adagrad(r, t, x, g, h, decay_factor=0.0, epsilon=1e-6,
            norm_coefficient=0.0):
    r = r / (1 + t * decay_factor)
    g = norm_coefficient * x + g
    h = h + g * g
    return [x - r * g / (np.sqrt(h) + epsilon), h]


# (name, op type, state names, attributes, reference)
CASES = [
    ("adam", "Adam", ["V", "H"],
     dict(alpha=0.85, beta=0.95, epsilon=1e-3, norm_coefficient=0.01,
          norm_coefficient_post=0.02), adam),
    ("adam_defaults", "Adam", ["V", "H"], {}, adam),
    ("momentum", "Momentum", ["V"],
     dict(alpha=0.9, beta=0.7, mode="standard", norm_coefficient=0.01),
     momentum),
    ("nesterov", "Momentum", ["V"],
     dict(alpha=0.9, beta=0.7, mode="nesterov", norm_coefficient=0.01),
     momentum),
    ("adagrad", "Adagrad", ["H"],
     dict(decay_factor=0.1, epsilon=1e-4, norm_coefficient=0.01), adagrad),
]


def make_model(op_type, state, attrs):
    n = len(SHAPES)
    groups = ["X", "G"] + state
    names = ["R", "T"] + [f"{k}{i}" for k in groups for i in range(n)]
    outs = [f"{k}{i}_new" for k in ["X"] + state for i in range(n)]
    inputs = [helper.make_tensor_value_info("R", TensorProto.FLOAT, []),
              helper.make_tensor_value_info("T", TensorProto.INT64, [])]
    inputs += [helper.make_tensor_value_info(f"{k}{i}", TensorProto.FLOAT,
                                             SHAPES[i])
               for k in groups for i in range(n)]
    outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT,
                                             SHAPES[j % n])
               for j, o in enumerate(outs)]
    node = helper.make_node(op_type, names, outs, domain=DOMAIN, **attrs)
    graph = helper.make_graph([node], op_type.lower(), inputs, outputs)
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid(DOMAIN, 1)])
    return model, names, outs


def run_case(args, work, case, t):
    name, op_type, state, attrs, reference = case
    model, names, outs = make_model(op_type, state, attrs)
    path = os.path.join(work, f"{name}.onnx")
    onnx.save(model, path)
    plan = os.path.join(work, f"{name}.ipuplan")
    target = "ipu" if args.device == "sim" else "host"
    subprocess.run([args.ipuc, path, "-o", plan, f"--target={target}"],
                   check=True)

    rng = np.random.default_rng(len(name) * 100 + t)
    values = {"R": np.array(0.05, np.float32), "T": np.array(t, np.int64)}
    for i, shape in enumerate(SHAPES):
        values[f"X{i}"] = rng.standard_normal(shape).astype(np.float32)
        values[f"G{i}"] = rng.standard_normal(shape).astype(np.float32)
        for s in state:
            v = rng.standard_normal(shape).astype(np.float32)
            # Squared-gradient accumulators are non-negative.
            values[f"{s}{i}"] = np.abs(v) if s == "H" else v
    cmd = [args.ipu_run, plan, f"--device={args.device}", "--quiet",
           "--output-dir", os.path.join(work, f"{name}_{t}")]
    for k in names:
        npy = os.path.join(work, f"{name}_{t}_{k}.npy")
        np.save(npy, values[k])
        cmd += ["--input", f"{k}=@{npy}"]
    subprocess.run(cmd, check=True)

    failures = []
    for i in range(len(SHAPES)):
        tensors = [values[f"{k}{i}"].astype(np.float64)
                   for k in ["X", "G"] + state]
        expected = reference(float(values["R"]), t, *tensors, **attrs)
        for k, want in zip(["X"] + state, expected):
            got = np.load(os.path.join(work, f"{name}_{t}", f"{k}{i}_new.npy"))
            if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
                err = np.max(np.abs(got - want))
                failures.append(f"{name} T={t} {k}{i}_new: max abs error "
                                f"{err:.3g}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ipuc", required=True)
    parser.add_argument("--ipu-run", dest="ipu_run", required=True)
    parser.add_argument("--device", choices=["host", "sim"], default="host")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="ipuc-training-ops-") as work:
        for case in CASES:
            for t in (0, 1, 7):
                failures += run_case(args, work, case, t)
    for f in failures:
        print("FAIL", f)
    print(f"{len(CASES) * 3} runs, {len(failures)} mismatching outputs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
