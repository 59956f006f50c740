#!/usr/bin/python3
"""Compiles MODEL for --target=host and --target=ipu, runs both plans on
the same seeded random inputs (host plan on --device=host, ipu plan on
--device=sim) and compares every output with rtol/atol.

  compare_sim_host.py MODEL OUTDIR [--tiles N] [--rtol R] [--atol A] [ipuc args...]

Prints "MATCH name shape" per output; exits 1 on a mismatch or tool error.
"""
import argparse
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write("command failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
        sys.exit(1)
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("outdir")
    ap.add_argument("--tiles", default="4")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--atol", type=float, default=1e-6)
    ap.add_argument("--seed", default="0")
    args, extra = ap.parse_known_args()
    os.makedirs(args.outdir, exist_ok=True)
    host_plan = os.path.join(args.outdir, "host.ipuplan")
    ipu_plan = os.path.join(args.outdir, "ipu.ipuplan")
    run(["ipuc", args.model, "-o", host_plan, "--target=host"] + extra)
    run(["ipuc", args.model, "-o", ipu_plan, "--target=ipu",
         "--tiles=" + args.tiles] + extra)
    host_out = os.path.join(args.outdir, "host")
    sim_out = os.path.join(args.outdir, "sim")
    run(["ipu-run", host_plan, "--device=host", "--random-inputs",
         "--seed", args.seed, "--output-dir", host_out, "--quiet"])
    summary = run(["ipu-run", ipu_plan, "--device=sim", "--random-inputs",
                   "--seed", args.seed, "--output-dir", sim_out, "--quiet"])
    names = sorted(os.listdir(host_out))
    if not names or names != sorted(os.listdir(sim_out)):
        print("MISMATCH outputs: host %s sim %s" % (names, sorted(os.listdir(sim_out))))
        return 1
    ok = True
    for name in names:
        h = np.load(os.path.join(host_out, name))
        s = np.load(os.path.join(sim_out, name))
        if h.shape != s.shape or h.dtype != s.dtype:
            print("MISMATCH %s: host %s %s sim %s %s" % (name, h.dtype, h.shape, s.dtype, s.shape))
            ok = False
            continue
        if not np.allclose(s, h, rtol=args.rtol, atol=args.atol, equal_nan=True):
            err = np.max(np.abs(s.astype(np.float64) - h.astype(np.float64)))
            print("MISMATCH %s %s: max abs error %g" % (name, "x".join(map(str, h.shape)), err))
            ok = False
            continue
        print("MATCH %s %s" % (name[:-4], "x".join(map(str, h.shape))))
    sys.stdout.write(summary)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
