#!/usr/bin/python3
"""Simulator and compiler benchmarks for issue 3 ("Benchmarks").

Prints markdown with
  (a) simulated FP32 matmul utilisation on the GC200 (1472 tiles) for n^3
      cubes, plus ipuc --target=ipu compile time per size;
  (b) ipu-run --device=sim wall time / ipu-run --device=host wall time on the
      same model (examples/mlp.onnx and the 1024^3 matmul; with
      --ratio-encoder also the 12-layer encoder of build_encoder_helper);
  (c) ipuc compile time (--target=host and --target=ipu) of a 12-layer
      transformer encoder (d_model 768, 12 heads, ffn 3072, seq 128, batch 1).

Run from the repository root with /usr/bin/python3 (needs numpy, onnx, torch):
    /usr/bin/python3 bench/sim_benchmarks.py --build-dir build [--sizes 512,1024,2048,4096]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, timeout):
    """Run cmd, return (wall seconds, CompletedProcess)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    return time.perf_counter() - t0, p


def check(p, what):
    if p.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {p.returncode}):\n{p.stderr.strip()[-2000:]}")


def matmul_model(n, path):
    g = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], f"matmul{n}",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [n, n])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, path)


def bench_matmul(a, tmp):
    print("## (a) Simulated FP32 matmul utilisation, GC200 (1472 tiles)\n")
    print("ONNX `MatMul` of two f32[n,n] graph inputs; `ipuc --target=ipu --device=gc200`;")
    print("`ipu-run --device=sim --random-inputs --seed 1 --profile p.json`. Utilisation,")
    print("cycles and FLOPs are read from the profile JSON (`utilization` = achieved FLOP/s ÷")
    print("FP32 peak of all 1472 tiles). Compile time is the wall time of one `ipuc` run.\n")
    print("| n | ipuc compile (s) | plan size (MB) | sim cycles | simulated time (µs) | FLOPs (profile) | utilisation | exchange bytes | sim wall (s) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    res = {}
    for n in a.sizes:
        onnx_path = os.path.join(tmp, f"mm{n}.onnx")
        plan = os.path.join(tmp, f"mm{n}.ipuplan")
        prof = os.path.join(tmp, f"mm{n}.json")
        matmul_model(n, onnx_path)
        try:
            tc, p = run([a.ipuc, onnx_path, "-o", plan, "--target=ipu", "--device=gc200"], a.timeout)
            check(p, "ipuc")
            ts, p = run([a.iprun, plan, "--device=sim", "--random-inputs", "--seed", "1",
                         "--quiet", "--profile", prof], a.timeout)
            check(p, "ipu-run --device=sim")
        except subprocess.TimeoutExpired:
            print(f"| {n} | timed out after {a.timeout} s | | | | | | | |")
            continue
        except RuntimeError as e:
            msg = str(e).replace("\n", " ")[:300]
            print(f"| {n} | error: {msg} | | | | | | | |")
            continue
        d = json.load(open(prof))
        res[n] = d["utilization"]
        print(f"| {n} | {tc:.2f} | {os.path.getsize(plan)/1e6:.1f} | {d['total_cycles']} | "
              f"{d['seconds']*1e6:.1f} | {d['flops']:.4g} | {100*d['utilization']:.1f} % | "
              f"{d['exchange_bytes']} | {ts:.2f} |")
        sys.stdout.flush()
    if 2048 in res:
        u = 100 * res[2048]
        print(f"\nIssue target: 2048³ ≥ 60 % of peak — measured {u:.1f} % "
              f"({'met' if u >= 60 else 'NOT met'}).\n")


def bench_ratio(a, tmp):
    print("## (b) Simulator wall time ÷ host-device wall time\n")
    print(f"Same model compiled twice (`--target=host` and `--target=ipu`); each plan run "
          f"{a.reps}× with `ipu-run --random-inputs --seed 1 --quiet` (process wall time, "
          f"includes plan load), median reported.\n")
    print("| model | host median (s) | sim median (s) | sim ÷ host |")
    print("|---|---:|---:|---:|")
    models = [("examples/mlp.onnx", os.path.join(ROOT, "examples", "mlp.onnx"))]
    mm = os.path.join(tmp, "mm1024.onnx")
    matmul_model(1024, mm)
    models.append(("matmul 1024³", mm))
    if a.ratio_encoder:
        # Off by default: compiling it for the ipu target takes minutes.
        enc = os.path.join(tmp, "encoder_helper.onnx")
        build_encoder_helper(enc)
        models.append(("12-layer encoder (`build_encoder_helper`)", enc))
    for name, path in models:
        hp = os.path.join(tmp, "r_host.ipuplan")
        ip = os.path.join(tmp, "r_ipu.ipuplan")
        _, p = run([a.ipuc, path, "-o", hp, "--target=host"], a.timeout); check(p, "ipuc host")
        _, p = run([a.ipuc, path, "-o", ip, "--target=ipu"], a.timeout); check(p, "ipuc ipu")
        th, ts = [], []
        for _ in range(a.reps):
            t, p = run([a.iprun, hp, "--device=host", "--random-inputs", "--seed", "1", "--quiet"], a.timeout)
            check(p, "ipu-run host"); th.append(t)
            t, p = run([a.iprun, ip, "--device=sim", "--random-inputs", "--seed", "1", "--quiet"], a.timeout)
            check(p, "ipu-run sim"); ts.append(t)
        mh, ms = statistics.median(th), statistics.median(ts)
        print(f"| {name} | {mh:.3f} | {ms:.3f} | {ms/mh:.2f}× |")
        sys.stdout.flush()
    print("\nIssue target: ≤ 3×.\n")


def export_transformer(path):
    import torch
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=768, nhead=12, dim_feedforward=3072,
                                             dropout=0.0, activation="gelu", batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, num_layers=12, enable_nested_tensor=False).eval()
    # The 12 layers are deep copies of one layer; re-draw every weight so the
    # exporter cannot deduplicate identical initializers (real model size).
    with torch.no_grad():
        for name, p in enc.named_parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.02)
    x = torch.randn(1, 128, 768)
    torch.onnx.export(enc, (x,), path, opset_version=a_opset, input_names=["x"],
                      output_names=["y"], do_constant_folding=True)


def build_encoder_helper(path, layers=12, d=768, heads=12, ffn=3072, seq=128, seed=0):
    """The same encoder written directly with onnx.helper (opset 17): separate
    Q/K/V MatMuls (no Slice of a packed in-projection), LayerNormalization,
    GELU as x*0.5*(1+Erf(x/sqrt 2)). Input x f32[128,768] (batch 1 folded)."""
    import numpy as np
    from onnx import numpy_helper
    rng = np.random.default_rng(seed)
    dh = d // heads
    inits, nodes = [], []

    def W(name, *shape, val=None):
        arr = (rng.normal(0, 0.02, shape) if val is None else np.full(shape, val)).astype(np.float32)
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def I64(name, vals):
        inits.append(numpy_helper.from_array(np.array(vals, dtype=np.int64), name))
        return name

    def N(op, ins, out, **kw):
        nodes.append(helper.make_node(op, ins, [out], **kw))
        return out

    sh_heads = I64("sh_heads", [seq, heads, dh])
    sh_flat = I64("sh_flat", [seq, d])
    scale = W("scale", val=1.0 / dh ** 0.5)
    half = W("half", val=0.5)
    one = W("one", val=1.0)
    isq2 = W("isq2", val=2 ** -0.5)
    x = "x"
    for l in range(layers):
        p = f"l{l}_"

        def lin(inp, din, dout, nm):
            mm = N("MatMul", [inp, W(p + nm + "_w", din, dout)], p + nm + "_mm")
            return N("Add", [mm, W(p + nm + "_b", dout, val=0.0)], p + nm)

        def split(t, perm, nm):
            r = N("Reshape", [t, sh_heads], p + nm + "_r")
            return N("Transpose", [r], p + nm + "_t", perm=perm)

        q = split(lin(x, d, d, "q"), [1, 0, 2], "qh")      # [h, s, dh]
        k = split(lin(x, d, d, "k"), [1, 2, 0], "kh")      # [h, dh, s]
        v = split(lin(x, d, d, "v"), [1, 0, 2], "vh")      # [h, s, dh]
        s_ = N("Mul", [N("MatMul", [q, k], p + "qk"), scale], p + "scores")
        pr = N("Softmax", [s_], p + "probs", axis=-1)
        c = N("MatMul", [pr, v], p + "ctx")
        c = N("Reshape", [N("Transpose", [c], p + "ctx_t", perm=[1, 0, 2]), sh_flat], p + "ctx_f")
        o = lin(c, d, d, "o")
        x1 = N("LayerNormalization", [N("Add", [x, o], p + "res1"), W(p + "ln1_g", d, val=1.0),
                                      W(p + "ln1_b", d, val=0.0)], p + "ln1", axis=-1, epsilon=1e-5)
        h = lin(x1, d, ffn, "ff1")
        e = N("Erf", [N("Mul", [h, isq2], p + "gx")], p + "erf")
        g = N("Mul", [N("Mul", [h, half], p + "hh"), N("Add", [e, one], p + "e1")], p + "gelu")
        f = lin(g, ffn, d, "ff2")
        x = N("LayerNormalization", [N("Add", [x1, f], p + "res2"), W(p + "ln2_g", d, val=1.0),
                                     W(p + "ln2_b", d, val=0.0)], p + "ln2", axis=-1, epsilon=1e-5)
    nodes.append(helper.make_node("Identity", [x], ["y"]))
    g = helper.make_graph(nodes, "encoder12",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [seq, d])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [seq, d])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


a_opset = 14


def bench_transformer(a, tmp):
    print("## (c) ipuc compile time, 12-layer transformer encoder\n")
    path = os.path.join(tmp, "encoder.onnx")
    t0 = time.perf_counter()
    export_transformer(path)
    m = onnx.load(path)
    ops = sorted({n.op_type for n in m.graph.node})
    print(f"`torch.nn.TransformerEncoder` (12 × `TransformerEncoderLayer(d_model=768, nhead=12, "
          f"dim_feedforward=3072, dropout=0, activation='gelu', batch_first=True)`), input "
          f"f32[1,128,768], exported with `torch.onnx.export(opset_version={a_opset})` in "
          f"{time.perf_counter()-t0:.1f} s: {len(m.graph.node)} nodes, "
          f"{sum(1 for _ in m.graph.initializer)} initializers, "
          f"{os.path.getsize(path)/1e6:.0f} MB; op types: {', '.join(ops)}.\n")
    hpath = os.path.join(tmp, "encoder_helper.onnx")
    build_encoder_helper(hpath)
    print("Second model: the same encoder built directly with `onnx.helper` (opset 17, "
          "`build_encoder_helper` in this script): separate Q/K/V MatMul+Add (no Slice), "
          "Reshape/Transpose to heads, MatMul·Mul(1/8)·Softmax·MatMul, LayerNormalization, "
          "GELU as x·0.5·(1+Erf(x/√2)); input f32[128,768]; "
          f"{os.path.getsize(hpath)/1e6:.0f} MB.\n")
    print("| model | target | ipuc wall (s) | result |")
    print("|---|---|---:|---|")
    for mname, mpath, tgt in (("torch export", path, "host"), ("torch export", path, "ipu"),
                              ("onnx.helper", hpath, "host"), ("onnx.helper", hpath, "ipu")):
        path_ = mpath
        plan = os.path.join(tmp, f"enc_{tgt}.ipuplan")
        try:
            t, p = run([a.ipuc, path_, "-o", plan, f"--target={tgt}"], a.timeout)
        except subprocess.TimeoutExpired:
            print(f"| {mname} | {tgt} | > {a.timeout} (killed) | timed out |")
            continue
        if p.returncode == 0:
            r = f"ok, plan {os.path.getsize(plan)/1e6:.0f} MB"
        else:
            r = "error: `" + " ".join(p.stderr.strip().splitlines()[:1])[:300].replace(tmp + "/", "") + "`"
        print(f"| {mname} | {tgt} | {t:.2f} | {r} |")
        sys.stdout.flush()
    print("\nIssue target: < 30 s.\n")


def main():
    global a_opset
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--sizes", default="512,1024,2048,4096")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--opset", type=int, default=14)
    ap.add_argument("--only", default="a,b,c")
    ap.add_argument("--ratio-encoder", action="store_true",
                    help="(b) also time the 12-layer encoder (slow to compile)")
    a = ap.parse_args()
    a.sizes = [int(s) for s in a.sizes.split(",") if s]
    a_opset = a.opset
    a.ipuc = os.path.join(a.build_dir, "bin", "ipuc")
    a.iprun = os.path.join(a.build_dir, "bin", "ipu-run")
    only = a.only.split(",")
    with tempfile.TemporaryDirectory(prefix="ipuc-simbench-") as tmp:
        if "a" in only:
            bench_matmul(a, tmp)
        if "b" in only:
            bench_ratio(a, tmp)
        if "c" in only:
            bench_transformer(a, tmp)


if __name__ == "__main__":
    main()
