"""The ipuc side of the training parity tests, shared by their drivers.

train_vs_torch.py, cnn_train_vs_torch.py and train_optimizers_vs_reference.py
each build a model and an independent reference (torch.optim or a NumPy
transcription); this module compiles the model with `ipuc --train`, trains it
with `ipu-run --dataset`, and compares the log and saved weights with the
reference, so the three drivers check the same things the same way.
"""

import json
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{proc.stdout}")
    return proc.stdout


def read_log(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def train(work, name, model, target, device, dataset, options, steps):
    """Compiles a cross-entropy training step of `model` (logits `logits`,
    labels `label`) with `options` and trains it `steps` steps. Returns the
    plan, the JSONL log records and the saved weights."""
    plan = os.path.join(work, f"{name}.ipuplan")
    run(["ipuc", model, "-o", plan, f"--target={target}", "--train",
         "--loss=cross_entropy", "--logits=logits", "--labels=label"]
        + options)
    log = os.path.join(work, f"{name}.jsonl")
    saved = os.path.join(work, f"{name}.npz")
    run(["ipu-run", plan, f"--device={device}", "--dataset", dataset,
         "--steps", str(steps), "--log", log, "--save-weights", saved,
         "--quiet"])
    return plan, read_log(log), np.load(saved)


def agrees(records, trained, device, steps, ref, ref_lrs, ref_weights,
           loss_rtol, weight_atol):
    """Whether every step's loss (and lr, when `ref_lrs` is given) and the
    trained weights match the reference, with simulated cycles on sim."""
    ok = [r["step"] for r in records] == list(range(steps))
    if ref_lrs is not None:
        ok &= bool(np.allclose([r["lr"] for r in records], ref_lrs,
                               rtol=1e-9, atol=1e-15))
    ok &= bool(np.allclose([r["loss"] for r in records], ref,
                           rtol=loss_rtol, atol=0))
    if device == "sim":
        ok &= all(r["cycles"] > 0 for r in records)
    for k, v in ref_weights.items():
        ok &= bool(np.allclose(trained[k], v, rtol=0, atol=weight_atol))
    return ok


def resumes(work, name, plan, device, dataset, steps, records):
    """Whether half the steps with a checkpoint, then the other half resumed
    from it, log exactly the losses of the uninterrupted run."""
    ckpt = os.path.join(work, f"{name}.ckpt")
    half = os.path.join(work, f"{name}.half.jsonl")
    run(["ipu-run", plan, f"--device={device}", "--dataset", dataset,
         "--steps", str(steps // 2), "--checkpoint", ckpt, "--log", half,
         "--quiet"])
    run(["ipu-run", plan, f"--device={device}", "--dataset", dataset,
         "--steps", str(steps // 2), "--resume", ckpt, "--log", half,
         "--quiet"])
    return ([r["loss"] for r in read_log(half)] ==
            [r["loss"] for r in records])
