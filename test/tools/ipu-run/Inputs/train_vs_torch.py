#!/usr/bin/python3
"""An ONNX MLP trained by `ipuc --train` + `ipu-run --dataset`, against torch.

A two-layer MLP is written as ONNX (Gemm, Relu, Gemm; float initializers),
compiled with `ipuc --train --loss=cross_entropy --logits=logits
--labels=label`, and trained for 20 steps by ipu-run's loop on a 40-sample
dataset (batches of 8, so the data wraps four times). torch.optim trains the
same network in float64 from the same initial weights on the same batches;
every step's loss must agree within 1e-4 relative and the saved weights
within 1e-4 absolute. Also: resuming from a step-10 checkpoint gives the
same last 10 losses as the uninterrupted run. The schedule cases
(--lr-schedule, --warmup) follow torch.optim.lr_scheduler: the logged lr of
every step must be the scheduler's, and the losses torch's. The clip cases (--clip-grad-norm) call
torch.nn.utils.clip_grad_norm_ before each step, with a max norm small enough
that clipping is active on most steps (checked).

    train_vs_torch.py WORK_DIR TARGET DEVICE
"""
import os
import sys

import warnings

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from train_parity import agrees, resumes, train

BATCH, FEATURES, HIDDEN, CLASSES, SAMPLES, STEPS = 8, 16, 32, 4, 40, 20
LOSS_RTOL, WEIGHT_ATOL = 1e-4, 1e-4
S = torch.optim.lr_scheduler
# SequentialLR itself steps its schedulers with an epoch, which torch warns of.
warnings.filterwarnings("ignore", message="The epoch parameter")


def warmup_then(steps, main):
    """Linear warm-up from 0 over `steps`, then `main` (SequentialLR)."""
    return lambda o: S.SequentialLR(
        o, [S.LambdaLR(o, lambda t: t / steps), main(o)], milestones=[steps])


# name, ipuc options, torch optimizer, torch lr scheduler (or None)
CASES = [
    ("sgd_momentum", ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), None),
    ("adam", ["--optimizer=adam", "--lr=0.01"],
     lambda p: torch.optim.Adam(p, lr=0.01), None),
    ("adamw", ["--optimizer=adamw", "--lr=0.01"],
     lambda p: torch.optim.AdamW(p, lr=0.01), None),
    ("sgd_warmup_step",
     ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9", "--lr-schedule=step",
      "--warmup=3", "--lr-step-size=5", "--lr-gamma=0.5"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
     warmup_then(3, lambda o: S.StepLR(o, step_size=5, gamma=0.5))),
    ("adam_warmup_cosine",
     ["--optimizer=adam", "--lr=0.01", "--lr-schedule=cosine", "--warmup=4",
      "--lr-min=0.001", "--total-steps=20"],
     lambda p: torch.optim.Adam(p, lr=0.01),
     warmup_then(4, lambda o: S.CosineAnnealingLR(o, T_max=16,
                                                  eta_min=0.001))),
    ("adamw_linear",
     ["--optimizer=adamw", "--lr=0.01", "--lr-schedule=linear",
      "--lr-min=0.002", "--total-steps=15"],
     lambda p: torch.optim.AdamW(p, lr=0.01),
     lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2,
                          total_iters=15)),
    ("sgd_momentum_clip",
     ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9", "--clip-grad-norm=0.5"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), None, 0.5),
    ("adam_clip_cosine",
     ["--optimizer=adam", "--lr=0.01", "--clip-grad-norm=0.3",
      "--lr-schedule=cosine", "--total-steps=20"],
     lambda p: torch.optim.Adam(p, lr=0.01),
     lambda o: S.CosineAnnealingLR(o, T_max=20), 0.3),
]


def make_model(path, rng):
    weights = {
        "fc1.weight": rng.normal(0, 0.3, (HIDDEN, FEATURES)),
        "fc1.bias": rng.normal(0, 0.1, (HIDDEN,)),
        "fc2.weight": rng.normal(0, 0.3, (CLASSES, HIDDEN)),
        "fc2.bias": rng.normal(0, 0.1, (CLASSES,)),
    }
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"],
                         transB=1),
        helper.make_node("Relu", ["h"], ["a"]),
        helper.make_node("Gemm", ["a", "fc2.weight", "fc2.bias"], ["logits"],
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       [BATCH, FEATURES])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT,
                                       [BATCH, CLASSES])],
        [numpy_helper.from_array(v, k) for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, path)
    return weights


def torch_losses(weights, data, make, schedule, clip):
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in weights.items()}
    opt = make(list(p.values()))
    scheduler = schedule(opt) if schedule else None
    losses, lrs, clipped = [], [], 0
    for step in range(STEPS):
        first = (step % (SAMPLES // BATCH)) * BATCH
        x = torch.tensor(data["x"][first:first + BATCH], dtype=torch.float64)
        label = torch.tensor(data["label"][first:first + BATCH])
        opt.zero_grad()
        hidden = torch.relu(x @ p["fc1.weight"].T + p["fc1.bias"])
        logits = hidden @ p["fc2.weight"].T + p["fc2.bias"]
        loss = torch.nn.functional.cross_entropy(logits, label)
        loss.backward()
        if clip is not None:
            norm = torch.nn.utils.clip_grad_norm_(list(p.values()), clip)
            clipped += int(norm.item() > clip)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler:
            scheduler.step()
        losses.append(loss.item())
    if clip is not None and clipped < STEPS // 2:
        sys.exit(f"FAIL: clipping to {clip} was active on only {clipped} "
                 "steps; the test would not notice it missing")
    return losses, lrs, {k: v.detach().numpy() for k, v in p.items()}


def make_problem_data(work):
    """The MLP (work/mlp.onnx) and its dataset (work/data.npz) from seed 7:
    (model path, initial weights, dataset arrays, dataset path)."""
    rng = np.random.default_rng(7)
    model = os.path.join(work, "mlp.onnx")
    weights = make_model(model, rng)
    data = {"x": rng.normal(0, 1, (SAMPLES, FEATURES)).astype(np.float32),
            "label": rng.integers(0, CLASSES, SAMPLES).astype(np.int64)}
    dataset = os.path.join(work, "data.npz")
    np.savez(dataset, **data)
    return model, weights, data, dataset


def main():
    work, target, device = sys.argv[1:4]
    model, weights, data, dataset = make_problem_data(work)
    failed = False
    for name, options, make, schedule, *clip in CASES:
        plan, records, trained = train(work, name, model, target, device,
                                       dataset, options, STEPS)
        ours = np.array([r["loss"] for r in records])
        ref, ref_lrs, ref_weights = torch_losses(weights, data, make,
                                                 schedule,
                                                 clip[0] if clip else None)
        ok = agrees(records, trained, device, STEPS, ref, ref_lrs,
                    ref_weights, LOSS_RTOL, WEIGHT_ATOL)
        ok &= resumes(work, name, plan, device, dataset, STEPS, records)
        print(f"{name} {'ok' if ok else 'FAILED'}")
        if not ok:
            failed = True
            print("  ipuc :", ours.tolist())
            print("  torch:", ref)
            print("  ipuc lr :", [r["lr"] for r in records])
            print("  torch lr:", ref_lrs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
