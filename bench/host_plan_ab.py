#!/usr/bin/python3
"""Per-step host time of two (or more) plans of the same training step.

For each LABEL=PLAN:DATASET, runs `ipu-run PLAN --device=host --dataset
DATASET --steps N --quiet` with IPUC_NUM_THREADS=1 for N = --short and
N = --long, the plans alternating, and reports (long - short) / (long -
short steps) as wall and CPU time (user + system of the child), min / median
over --reps, in ms. Start-up, plan loading and dataset reading cancel out.
Used to compare a plan compiled before a compiler change against one
compiled after it on the same ipu-run (docs/benchmarks.md, hostspeed):

    /usr/bin/python3 bench/host_plan_ab.py --ipu-run build/bin/ipu-run \\
        before=old.ipuplan:cnn.npz after=new.ipuplan:cnn.npz
"""
import argparse
import os
import resource
import statistics
import subprocess
import time


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipu-run", default="build/bin/ipu-run")
    ap.add_argument("--short", type=int, default=5)
    ap.add_argument("--long", type=int, default=45)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("plans", nargs="+", metavar="LABEL=PLAN:DATASET")
    a = ap.parse_args()
    env = dict(os.environ, IPUC_NUM_THREADS="1")

    def run(plan, dataset, steps):
        t0, c0 = time.perf_counter(), children_cpu()
        subprocess.run([a.ipu_run, plan, "--device=host", "--dataset", dataset,
                        "--steps", str(steps), "--quiet"], check=True, env=env)
        return time.perf_counter() - t0, children_cpu() - c0

    specs = []
    for p in a.plans:
        label, rest = p.split("=", 1)
        plan, dataset = rest.rsplit(":", 1)
        specs.append((label, plan, dataset))
    wall = {label: [] for label, _, _ in specs}
    cpu = {label: [] for label, _, _ in specs}
    steps = a.long - a.short
    for _ in range(a.reps):
        for label, plan, dataset in specs:
            short, long_ = run(plan, dataset, a.short), run(plan, dataset, a.long)
            wall[label].append((long_[0] - short[0]) / steps * 1e3)
            cpu[label].append((long_[1] - short[1]) / steps * 1e3)
    med = statistics.median
    print("| plan | wall (ms, min / median) | CPU (ms, min / median) |")
    print("|---|---|---|")
    for label, _, _ in specs:
        w, c = wall[label], cpu[label]
        print(f"| {label} | {min(w):.2f} / {med(w):.2f} | "
              f"{min(c):.2f} / {med(c):.2f} |")


if __name__ == "__main__":
    main()
