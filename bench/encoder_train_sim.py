#!/usr/bin/python3
"""Simulated training step of one transformer encoder layer (issue 4).

Builds the encoder of bench/sim_benchmarks.py (build_encoder_helper: separate
Q/K/V MatMuls, softmax attention, LayerNormalization, GELU via Erf) with
--layers layers at d_model --d, seq 128, batch 1, compiles its training step
with

    ipuc enc.onnx --target=ipu --train --loss=mse --output=y --targets=target
         --optimizer=adam --lr=1e-3 --freeze='^(scale|half|one|isq2)$'

(the four scalar constants of the attention scale and GELU are initializers
and would otherwise train), and runs

    ipu-run plan --device=sim --dataset data.npz --steps --steps --log log.jsonl

on random x / target [2 * 128, d] (two batches of one sequence). The log's
per-step cycles give simulated sequences/s (and tokens/s) at the device
clock. The training loop takes no --profile, so one more step is run as a
plain plan execution (`--random-inputs --profile`; the cost model's cycles do
not depend on the values) for utilisation, the cycle split and the top
compute sets. The host device runs the same steps, and its losses must
match the simulator's (rtol 1e-4).

    /usr/bin/python3 bench/encoder_train_sim.py --build-dir build [--d 768]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sim_benchmarks import build_encoder_helper  # noqa: E402

SEQ = 128


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=3600)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{p.stdout[-3000:]}")
    return time.perf_counter() - t0, p.stdout


def losses(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--work-dir")
    a = ap.parse_args()
    ipuc = os.path.join(a.build_dir, "bin", "ipuc")
    ipu_run = os.path.join(a.build_dir, "bin", "ipu-run")
    heads = max(1, a.d // 64)
    with tempfile.TemporaryDirectory() as scratch:
        work = a.work_dir or scratch
        os.makedirs(work, exist_ok=True)
        model = os.path.join(work, "enc.onnx")
        build_encoder_helper(model, layers=a.layers, d=a.d, heads=heads,
                             ffn=4 * a.d, seq=SEQ)
        rng = np.random.default_rng(0)
        data = os.path.join(work, "data.npz")
        np.savez(data, x=rng.normal(0, 1, (2 * SEQ, a.d)).astype(np.float32),
                 target=rng.normal(0, 1, (2 * SEQ, a.d)).astype(np.float32))
        train = ["--train", "--loss=mse", "--output=y", "--targets=target",
                 "--optimizer=adam", "--lr=1e-3",
                 "--freeze=^(scale|half|one|isq2)$"]
        plans = {}
        compile_s = {}
        for target in ["ipu", "host"]:
            plans[target] = os.path.join(work, f"enc_{target}.ipuplan")
            compile_s[target], _ = run([ipuc, model, "-o", plans[target],
                                        f"--target={target}"] + train)
        logs = {}
        run_s = {}
        for device, target in [("sim", "ipu"), ("host", "host")]:
            logs[device] = os.path.join(work, f"{device}.jsonl")
            run_s[device], _ = run([ipu_run, plans[target], f"--device={device}",
                                    "--dataset", data, "--steps", str(a.steps),
                                    "--log", logs[device], "--quiet"])
        sim, host = losses(logs["sim"]), losses(logs["host"])
        if not np.allclose([r["loss"] for r in sim], [r["loss"] for r in host],
                           rtol=1e-4):
            sys.exit(f"FAIL: sim and host losses differ: {sim} {host}")
        prof = os.path.join(work, "prof.json")
        run([ipu_run, plans["ipu"], "--device=sim", "--random-inputs",
             "--seed", "1", "--profile", prof, "--quiet"])
        with open(prof) as f:
            p = json.load(f)

    cycles = [r["cycles"] for r in sim]
    clock = p["clock_hz"]
    steps = p["supersteps"]

    def total(s):
        return s["compute_cycles"] + s["sync_cycles"] + s["exchange_cycles"]
    split = {k: sum(s[k] for s in steps)
             for k in ["compute_cycles", "sync_cycles", "exchange_cycles"]}
    # Optimizer updates and the loss carry a parameter's or the loss's
    # location, not a node's.
    updates = sum(total(s) for s in steps
                  if s["kind"] == "compute" and "node '" not in s["loc"])
    print(f"encoder: {a.layers} layer(s), d_model {a.d}, {heads} heads, ffn "
          f"{4 * a.d}, seq {SEQ}, batch 1; Adam; GC200 {p['device']['tiles']} "
          f"tiles at {clock / 1e9:.3f} GHz\n")
    print("| | |\n|---|---|")
    print(f"| compile `--target=ipu` / `--target=host` (wall) | "
          f"{compile_s['ipu']:.1f} s / {compile_s['host']:.1f} s |")
    print(f"| ipu-run sim / host, {a.steps} steps (wall) | "
          f"{run_s['sim']:.1f} s / {run_s['host']:.1f} s |")
    print(f"| cycles per step (log) | {', '.join(map(str, cycles))} |")
    print(f"| simulated step time | {cycles[-1] / clock * 1e6:.0f} us |")
    print(f"| simulated sequences/s (tokens/s) | {clock / cycles[-1]:.0f} "
          f"({SEQ * clock / cycles[-1]:.0f}) |")
    print(f"| profile total cycles | {p['total_cycles']} |")
    print(f"| FLOPs per step, utilisation of FP32 peak | {p['flops']:.3e}, "
          f"{100 * p['utilization']:.2f} % |")
    print(f"| compute / sync / exchange cycles | {split['compute_cycles']} / "
          f"{split['sync_cycles']} / {split['exchange_cycles']} |")
    print(f"| optimizer-update and loss compute sets | {updates} cycles "
          f"({100 * updates / p['total_cycles']:.1f} %) |")
    print(f"| exchange bytes | {p['exchange_bytes']} |")
    print(f"| losses sim / host | {[r['loss'] for r in sim]} / "
          f"{[r['loss'] for r in host]} |")
    print("\nTop supersteps by cycles:\n")
    print("| cycles | % | kind | name | location | FLOPs |\n|---:|---:|---|---|---|---:|")
    for s in sorted(steps, key=total, reverse=True)[:10]:
        print(f"| {total(s)} | {100 * total(s) / p['total_cycles']:.1f} | "
              f"{s['kind']} | `{s['name']}` | {s['loc'].split(': ', 1)[-1]} | "
              f"{s['flops']} |")


if __name__ == "__main__":
    main()
