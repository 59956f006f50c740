#!/usr/bin/python3
"""Inference latency of the bundled example models: ipu-run (host) vs PyTorch.

For each example (examples/mlp.onnx, examples/cnn.onnx) it compiles the model
with `ipuc --target=host` once, then measures

  * ipu-run wall time: the median over --runs invocations of
    `ipu-run plan --device=host --input ... --output-dir ...` through
    subprocess. This includes process start-up, plan loading and verification,
    reading the .npy input and writing the outputs.
  * ipu-run's own timing, if it prints one (a line with "time" or "latency"
    and a value in us/ms/s); the median over the same runs.
  * in-process run time: bench/plan_latency (built next to the tools) loads
    the plan once and times HostDevice::run() alone, median over 200 runs —
    what an application embedding the runtime sees.
  * PyTorch CPU: the same network written with torch.nn.functional using the
    model's weights, torch.set_num_threads(--threads), inference mode, median
    over max(--runs, 200) calls after --warmup calls; and again with one
    thread, as ipuc's host kernels use one.
  * the start-up floor: ipu-run with `--help`, i.e. process start-up alone.

Prints a markdown table; `--json FILE` also writes the raw numbers.

    /usr/bin/python3 bench/inference_latency.py --ipuc build/bin/ipuc \\
        --ipu-run build/bin/ipu-run
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO_ROOT, "examples")
sys.path.insert(0, EXAMPLES)
import torch_reference  # noqa: E402  (the shared PyTorch reference)


CASES = [
    ("MLP", "mlp.onnx", "x", "x_mlp.npy", "probs", torch_reference.mlp),
    ("CNN", "cnn.onnx", "image", "x_cnn.npy", "logits", torch_reference.cnn),
]

_TIME_RE = re.compile(
    r"(?i)(?:time|latency|elapsed)[^0-9\n]*?([0-9]+(?:\.[0-9]+)?)\s*(us|µs|ms|s)\b")
_UNIT = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0}


def in_process_seconds(text):
    """ipu-run's own timing line, if it prints one."""
    for line in text.splitlines():
        m = _TIME_RE.search(line)
        if m:
            return float(m.group(1)) * _UNIT[m.group(2)]
    return None


def time_subprocess(cmd, runs, warmup):
    walls, inproc = [], []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              errors="replace", timeout=120)
        t1 = time.perf_counter()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}")
        if i >= warmup:
            walls.append(t1 - t0)
            t = in_process_seconds(proc.stdout)
            if t is not None:
                inproc.append(t)
    return walls, inproc


def time_torch(fn, x, runs, warmup):
    times = []
    with torch.inference_mode():
        for _ in range(warmup):
            fn(x)
        for _ in range(runs):
            t0 = time.perf_counter()
            fn(x)
            times.append(time.perf_counter() - t0)
    return times


def ms(seconds):
    return "—" if seconds is None else f"{seconds * 1e3:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ipuc",
                        default=os.path.join(REPO_ROOT, "build", "bin", "ipuc"))
    parser.add_argument("--ipu-run", dest="ipu_run", default=os.path.join(
        REPO_ROOT, "build", "bin", "ipu-run"))
    parser.add_argument("--plan-latency", dest="plan_latency", default=None,
                        help="bench/plan_latency binary (default: next to "
                        "ipu-run)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    if args.plan_latency is None:
        args.plan_latency = os.path.join(os.path.dirname(args.ipu_run),
                                         "plan_latency")
    if not (os.path.isfile(args.plan_latency) and
            os.access(args.plan_latency, os.X_OK)):
        print(f"note: {args.plan_latency} not found; no in-process column",
              file=sys.stderr)
        args.plan_latency = None
    torch.set_num_threads(args.threads)
    work = tempfile.mkdtemp(prefix="ipuc-bench-")
    rows = []
    try:
        startup, _ = time_subprocess([args.ipu_run, "--help"], args.runs,
                                     args.warmup)
        for name, model_file, in_name, in_file, out_name, make in CASES:
            model_path = os.path.join(EXAMPLES, model_file)
            in_path = os.path.join(EXAMPLES, in_file)
            plan = os.path.join(work, model_file + ".ipuplan")
            subprocess.run([args.ipuc, model_path, "-o", plan,
                            "--target=host"], check=True, timeout=300)
            out_dir = os.path.join(work, name)
            cmd = [args.ipu_run, plan, "--device=host",
                   "--input", f"{in_name}=@{in_path}", "--output-dir", out_dir]
            walls, inproc = time_subprocess(cmd, args.runs, args.warmup)
            # Without --output-dir: ipu-run writes each output atomically
            # (with fsync), which dominates for small models.
            walls_no_out, _ = time_subprocess(
                cmd[:-2] + ["--quiet"], args.runs, args.warmup)

            run_s = None
            if args.plan_latency:
                out = subprocess.run(
                    [args.plan_latency, plan, "--input",
                     f"{in_name}=@{in_path}", "--runs", "200"],
                    check=True, stdout=subprocess.PIPE, text=True,
                    timeout=300).stdout
                m = re.search(r"run time: median ([0-9.]+) ms", out)
                run_s = float(m.group(1)) * 1e-3 if m else None

            x = torch.from_numpy(np.load(in_path))
            fn = make(torch_reference.weights(onnx.load(model_path)))
            torch_times = time_torch(fn, x, max(args.runs, 200), args.warmup)
            # ipuc's host kernels run on one thread; show PyTorch so too.
            torch.set_num_threads(1)
            torch1_times = time_torch(fn, x, max(args.runs, 200), args.warmup)
            torch.set_num_threads(args.threads)
            torch.set_num_threads(args.threads)
            # The two must compute the same thing for the comparison to mean
            # anything.
            got = np.load(os.path.join(out_dir, out_name + ".npy"))
            with torch.inference_mode():
                ref = fn(x).numpy()
            max_err = float(np.max(np.abs(got - ref)))
            rows.append({
                "model": name,
                "ipu_run_wall_s": statistics.median(walls),
                "ipu_run_wall_no_output_s": statistics.median(walls_no_out),
                "ipu_run_reported_s":
                    statistics.median(inproc) if inproc else None,
                "in_process_run_s": run_s,
                "torch_s": statistics.median(torch_times),
                "torch_1thread_s": statistics.median(torch1_times),
                "max_abs_diff": max_err,
            })
    finally:
        shutil.rmtree(work, ignore_errors=True)

    startup_s = statistics.median(startup)
    print(f"ipu-run --help (process start-up alone): {ms(startup_s)} ms\n")
    def row(label, values):
        print(f"| {label} | " + " | ".join(values) + " |")

    print("Median latency in milliseconds.\n")
    row("", [r["model"] for r in rows])
    row("---", ["---:"] * len(rows))
    row("ipu-run wall, with `--output-dir`",
        [ms(r["ipu_run_wall_s"]) for r in rows])
    row("ipu-run wall, no output files",
        [ms(r["ipu_run_wall_no_output_s"]) for r in rows])
    row("ipu-run wall with outputs − start-up",
        [ms(r["ipu_run_wall_s"] - startup_s) for r in rows])
    row("ipu-run reported", [ms(r["ipu_run_reported_s"]) for r in rows])
    row("**host run, in-process** (plan_latency)",
        [f"**{ms(r['in_process_run_s'])}**" for r in rows])
    row(f"**PyTorch CPU, {args.threads} threads**",
        [f"**{ms(r['torch_s'])}**" for r in rows])
    row("PyTorch CPU, 1 thread", [ms(r["torch_1thread_s"]) for r in rows])
    row("max abs diff ipu-run vs PyTorch",
        [f"{r['max_abs_diff']:.2g}" for r in rows])
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"startup_s": startup_s, "rows": rows,
                       "runs": args.runs, "threads": args.threads}, f,
                      indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
