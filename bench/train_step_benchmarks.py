#!/usr/bin/python3
"""Host training-step time: ipuc's host device against PyTorch CPU (issue 4).

For an MLP and a CNN (written as ONNX here, with seeded initial weights) it
compiles the training step with `ipuc --target=host --train
--loss=cross_entropy --optimizer=OPT`, then measures one training step
(forward, cross-entropy loss, backward, optimizer update) two ways, for each
thread count T in --threads (ipuc's host runs matmuls and convolutions on one
thread and splits large elementwise loops over IPUC_NUM_THREADS):

  * ipuc host: `IPUC_NUM_THREADS=T ipu-run PLAN --device=host --dataset
    D.npz --steps N --quiet` for N = --short and N = --long, run alternately;
    the per-step time of one pair is (long - short) / (long - short steps),
    so process start-up, plan loading and dataset reading cancel out.
  * PyTorch CPU: the same network with torch.nn.functional in float32 from
    the same initial weights, on the same batches, with the same
    torch.optim optimizer and torch.set_num_threads(T); `opt.zero_grad();
    loss = F.cross_entropy(...); loss.backward(); opt.step()` timed over
    --long - --short steps after --short warm-up steps.

The repetitions of the two alternate (ipuc, torch, ipuc, torch, ...) so
that the VM's speed drifting over a run hits both alike. Both are reported
as wall time and as CPU time (user + system of all the
process's threads: getrusage of the ipu-run child, time.process_time() for
torch), minimum and median over --reps. On a machine shared with other work
the wall time includes waiting for a core; the CPU time at one thread does
not, so it is the steadier figure there. The first steps' losses of both are
compared (rtol 1e-3, float32 against float32) so that the two really do the
same work. Prints a markdown table and the BLAS torch uses (the BLAS library
mapped into the process); `--json FILE` writes the raw numbers and
torch.__config__.show().

    /usr/bin/python3 bench/train_step_benchmarks.py --build-dir build
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

# name -> batch, layer description. The MLP is MNIST-sized, the CNN a
# CIFAR-sized two-conv network; both are small models whose step is cheap
# enough that per-kernel overheads matter, which is where a plan interpreter
# is most likely to lose against PyTorch.
MODELS = {
    "mlp": dict(batch=64, features=784, hidden=[256, 128], classes=10),
    "cnn": dict(batch=32, channels=3, side=32, c1=16, c2=32, classes=10),
}
OPTIMIZERS = {
    "adam": (["--optimizer=adam", "--lr=0.001"],
             lambda p: torch.optim.Adam(p, lr=0.001)),
    "sgd": (["--optimizer=sgd", "--lr=0.01", "--momentum=0.9"],
            lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
}
BATCHES_IN_DATASET = 4


def save_model(path, nodes, inputs, outputs, weights):
    graph = helper.make_graph(
        nodes, os.path.basename(path), inputs, outputs,
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def mlp_model(path, cfg, rng):
    sizes = [cfg["features"]] + cfg["hidden"] + [cfg["classes"]]
    weights, nodes, last = {}, [], "x"
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        # Kaiming-uniform-like scales keep the loss finite for any size.
        weights[f"fc{i}.weight"] = rng.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in)
        weights[f"fc{i}.bias"] = rng.uniform(-1, 1, (n_out,)) / np.sqrt(n_in)
        out = "logits" if i == len(sizes) - 2 else f"h{i}"
        nodes.append(helper.make_node(
            "Gemm", [last, f"fc{i}.weight", f"fc{i}.bias"], [out], transB=1))
        if out != "logits":
            nodes.append(helper.make_node("Relu", [out], [f"a{i}"]))
            last = f"a{i}"
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    b = cfg["batch"]
    save_model(path, nodes,
               [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                              [b, cfg["features"]])],
               [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                              [b, cfg["classes"]])], weights)
    data = rng.normal(0, 1, (b * BATCHES_IN_DATASET, cfg["features"]))
    return weights, "x", data.astype(np.float32)


def mlp_forward(p, x, cfg):
    layers = len(cfg["hidden"]) + 1
    for i in range(layers):
        x = x @ p[f"fc{i}.weight"].T + p[f"fc{i}.bias"]
        if i + 1 < layers:
            x = F.relu(x)
    return x


def cnn_model(path, cfg, rng):
    c, c1, c2 = cfg["channels"], cfg["c1"], cfg["c2"]
    flat = c2 * (cfg["side"] // 4) ** 2
    weights = {
        "conv1.weight": rng.uniform(-1, 1, (c1, c, 3, 3)) / np.sqrt(9 * c),
        "conv1.bias": rng.uniform(-1, 1, (c1,)) / np.sqrt(9 * c),
        "conv2.weight": rng.uniform(-1, 1, (c2, c1, 3, 3)) / np.sqrt(9 * c1),
        "conv2.bias": rng.uniform(-1, 1, (c2,)) / np.sqrt(9 * c1),
        "fc.weight": rng.uniform(-1, 1, (cfg["classes"], flat)) / np.sqrt(flat),
        "fc.bias": rng.uniform(-1, 1, (cfg["classes"],)) / np.sqrt(flat),
    }
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    pool = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Conv", ["image", "conv1.weight", "conv1.bias"],
                         ["c1"], **conv),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], **pool),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"],
                         **conv),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("AveragePool", ["r2"], ["p2"], **pool),
        helper.make_node("Flatten", ["p2"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"],
                         transB=1),
    ]
    b, side = cfg["batch"], cfg["side"]
    save_model(path, nodes,
               [helper.make_tensor_value_info("image", TensorProto.FLOAT,
                                              [b, c, side, side])],
               [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                              [b, cfg["classes"]])], weights)
    data = rng.normal(0, 1, (b * BATCHES_IN_DATASET, c, side, side))
    return weights, "image", data.astype(np.float32)


def cnn_forward(p, image, cfg):
    h = F.max_pool2d(F.relu(F.conv2d(image, p["conv1.weight"],
                                     p["conv1.bias"], padding=1)), 2)
    h = F.avg_pool2d(F.relu(F.conv2d(h, p["conv2.weight"], p["conv2.bias"],
                                     padding=1)), 2)
    return h.flatten(1) @ p["fc.weight"].T + p["fc.bias"]


BUILDERS = {"mlp": (mlp_model, mlp_forward), "cnn": (cnn_model, cnn_forward)}


def check(proc, cmd):
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, env=None):
    """(wall, CPU) seconds of one run of cmd."""
    t0, c0 = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=600, env=env)
    elapsed = time.perf_counter() - t0, children_cpu() - c0
    check(proc, cmd)
    return elapsed


def ipuc_stepper(a, plan, dataset, work, threads):
    """Warms up; returns (first losses, one_rep) where one_rep() measures one
    (wall, CPU) seconds-per-step pair of ipuc's host device."""
    env = dict(os.environ, IPUC_NUM_THREADS=str(threads))

    def cmd(steps, log=None):
        c = [a.ipu_run, plan, "--device=host", "--dataset", dataset,
             "--steps", str(steps), "--quiet"]
        return c + (["--log", log] if log else [])
    log = os.path.join(work, "first.jsonl")
    timed(cmd(a.short, log), env)  # warm-up; also gives the first losses
    with open(log) as f:
        losses = [json.loads(line)["loss"] for line in f]

    def one_rep():
        short = timed(cmd(a.short), env)
        long = timed(cmd(a.long), env)
        return ((long[0] - short[0]) / (a.long - a.short),
                (long[1] - short[1]) / (a.long - a.short))
    return losses, one_rep


def torch_stepper(a, cfg, forward, weights, data, labels, make, threads):
    """Warms up; returns (first losses, one_rep) where one_rep() measures one
    (wall, CPU) seconds-per-step pair of the same step in PyTorch."""
    torch.set_num_threads(threads)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    opt = make(list(p.values()))
    b = cfg["batch"]
    xs = torch.tensor(data)
    ys = torch.tensor(labels)
    state = dict(i=a.short)

    def step(i):
        first = (i % BATCHES_IN_DATASET) * b
        opt.zero_grad()
        loss = F.cross_entropy(forward(p, xs[first:first + b], cfg),
                               ys[first:first + b])
        loss.backward()
        opt.step()
        return loss.item()

    losses = [step(i) for i in range(a.short)]  # warm-up

    def one_rep():
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(a.long - a.short):
            step(state["i"])
            state["i"] += 1
        return ((time.perf_counter() - t0) / (a.long - a.short),
                (time.process_time() - c0) / (a.long - a.short))
    return losses, one_rep


def alternate(reps, *measures):
    """Runs the measures' repetitions interleaved (A B A B ...), so a drift
    in the machine's speed hits both sides alike; returns per measure the
    lists of wall and CPU seconds."""
    out = [([], []) for _ in measures]
    for _ in range(reps):
        for (wall, cpu), one_rep in zip(out, measures):
            w, c = one_rep()
            wall.append(w)
            cpu.append(c)
    return out


def blas_libraries():
    with open("/proc/self/maps") as f:
        names = {line.split()[-1] for line in f
                 if "blas" in line or "mkl" in line or "lapack" in line}
    return sorted(os.path.basename(n) for n in names)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS))
    ap.add_argument("--threads", default="1,2",
                    help="torch.set_num_threads values to measure")
    ap.add_argument("--short", type=int, default=10)
    ap.add_argument("--long", type=int, default=110)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json")
    ap.add_argument("--work-dir",
                    help="keep models, datasets and plans here (for profiling)")
    a = ap.parse_args()
    a.ipuc = os.path.join(a.build_dir, "bin", "ipuc")
    a.ipu_run = os.path.join(a.build_dir, "bin", "ipu-run")
    threads = [int(t) for t in a.threads.split(",")]
    options, make = OPTIMIZERS[a.optimizer]

    results = []
    with tempfile.TemporaryDirectory() as scratch:
        work = a.work_dir or scratch
        os.makedirs(work, exist_ok=True)
        for name in a.models.split(","):
            cfg = MODELS[name]
            build, forward = BUILDERS[name]
            rng = np.random.default_rng(3)
            model = os.path.join(work, f"{name}.onnx")
            weights, input_name, data = build(model, cfg, rng)
            labels = rng.integers(0, cfg["classes"], len(data)).astype(np.int64)
            dataset = os.path.join(work, f"{name}.npz")
            np.savez(dataset, **{input_name: data, "label": labels})
            plan = os.path.join(work, f"{name}.ipuplan")
            cmd = [a.ipuc, model, "-o", plan, "--target=host", "--train",
                   "--loss=cross_entropy", "--logits=logits",
                   "--labels=label"] + options
            compile_s = timed(cmd)[0]
            for t in threads:
                our_losses, ours_rep = ipuc_stepper(a, plan, dataset, work, t)
                ref_losses, ref_rep = torch_stepper(
                    a, cfg, forward, weights, data, labels, make, t)
                (ours, our_cpu), (ref, ref_cpu) = alternate(
                    a.reps, ours_rep, ref_rep)
                if not np.allclose(our_losses, ref_losses, rtol=1e-3):
                    sys.exit(f"FAIL: {name}: ipuc and torch losses differ:\n"
                             f"{our_losses}\n{ref_losses}")
                results.append(dict(model=name, config=cfg, threads=t,
                                    optimizer=a.optimizer, compile_s=compile_s,
                                    ipuc_step_s=ours, ipuc_cpu_s=our_cpu,
                                    torch_step_s=ref, torch_cpu_s=ref_cpu))

    print(f"torch {torch.__version__}; BLAS mapped: {', '.join(blas_libraries())}")
    print(f"optimizer {a.optimizer}; per-step times from {a.long} - {a.short} "
          f"steps, {a.reps} repetitions (min / median, ms); CPU = user + "
          "system time of all the process's threads\n")
    print("| model | threads | ipuc host wall | ipuc host CPU | PyTorch wall "
          "| PyTorch CPU | PyTorch ÷ ipuc, wall | PyTorch ÷ ipuc, CPU |")
    print("|---|---|---|---|---|---|---|---|")
    med = statistics.median
    for r in results:
        def cell(v):
            return f"{min(v) * 1e3:.2f} / {med(v) * 1e3:.2f}"
        print(f"| {r['model']} | {r['threads']} | {cell(r['ipuc_step_s'])} | "
              f"{cell(r['ipuc_cpu_s'])} | {cell(r['torch_step_s'])} | "
              f"{cell(r['torch_cpu_s'])} | "
              f"{med(r['torch_step_s']) / med(r['ipuc_step_s']):.2f} | "
              f"{med(r['torch_cpu_s']) / med(r['ipuc_cpu_s']):.2f} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(results=results, torch=torch.__version__,
                           torch_config=torch.__config__.show(),
                           blas=blas_libraries()), f, indent=1)


if __name__ == "__main__":
    main()
