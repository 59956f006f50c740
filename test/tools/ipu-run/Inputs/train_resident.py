#!/usr/bin/python3
"""Resident training state on the simulator, and --save-weights FILE.onnx.

The MLP of train_vs_torch.py (same weights, data and batches) is compiled
with Adam and a cosine schedule (so the learning rate is a per-step input)
and trained on the simulator. Checked:

* resident: every step streams exactly the batch (x, label), the 4-byte
  learning rate and the 4-byte loss, computed here from the arrays'
  shapes; the state (which must hold at least the parameters and Adam's two
  moments) is uploaded once, downloaded for each checkpoint and at the end,
  and the profile's "resident update" exchange moves it once per step;
* the same run with --stream-state (the old round trip through the host)
  streams the state both ways every step, and gives bit-identical losses
  and weights; a run resumed from a step-10 checkpoint gives the same last
  10 losses, bit for bit;
* the trained .npz weights match a float64 torch.optim.Adam run within
  1e-4 (the schedule as torch.optim.lr_scheduler computes it);
* --save-weights trained.onnx: loaded with python3-onnx, its trained
  initializers equal the .npz weights bit for bit, everything else equals
  the input model; compiled with ipuc for the host and run, its output
  equals a NumPy forward pass with the .npz weights;
* errors (missing model, an initializer of another shape, an unwritable
  path) are reported before any step is run, exit non-zero and leave an
  existing output file as it was.

    train_resident.py WORK_DIR
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_vs_torch import (BATCH, STEPS, make_model,  # noqa
                            make_problem_data, torch_losses)

OPTIONS = ["--optimizer=adam", "--lr=0.01", "--lr-schedule=cosine",
           "--total-steps=20"]
failures = []


def check(ok, what):
    print(f"{'ok' if ok else 'FAILED'}: {what}")
    if not ok:
        failures.append(what)


def run(cmd, expect_ok=True):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    if expect_ok and proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{proc.stdout}")
    return proc


def read_log(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def train(work, plan, data, name, *extra):
    log = os.path.join(work, f"{name}.jsonl")
    prof = os.path.join(work, f"{name}.prof.json")
    run(["ipu-run", plan, "--device=sim", "--dataset", data, "--log", log,
         "--profile", prof, "--quiet", *extra])
    with open(prof) as f:
        return read_log(log), json.load(f)


def forward(weights, x):
    h = np.maximum(x @ weights["fc1.weight"].T + weights["fc1.bias"], 0)
    logits = h @ weights["fc2.weight"].T + weights["fc2.bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_problem(work, target):
    """The MLP, its dataset and its Adam training plan for `target`:
    (initial weights, dataset arrays, dataset path, plan path)."""
    model, weights, arrays, data = make_problem_data(work)
    plan = os.path.join(work, "adam.ipuplan")
    run(["ipuc", model, "-o", plan, f"--target={target}", "--train",
         "--loss=cross_entropy", "--logits=logits", "--labels=label"]
        + OPTIONS)
    return weights, arrays, data, plan


def main():
    work = sys.argv[1]
    weights, arrays, data, plan = make_problem(work, "ipu")
    model = os.path.join(work, "mlp.onnx")

    # Resident (the default on sim), with checkpoints every 5 steps.
    npz = os.path.join(work, "resident.npz")
    records, prof = train(work, plan, data, "resident", "--steps", str(STEPS),
                          "--save-weights", npz, "--checkpoint",
                          os.path.join(work, "ckpt"), "--checkpoint-every",
                          "5")
    t = prof["training"]
    batch_bytes = (BATCH * arrays["x"][0].nbytes
                   + BATCH * arrays["label"][0].nbytes)
    per_step_in = batch_bytes + 4  # the batch and the f32 learning rate
    state = t["state_upload_bytes"]
    param_bytes = sum(w.nbytes for w in weights.values())
    check(t["resident_state"] and len(t["steps"]) == STEPS,
          "the profile has one record per step, resident")
    check(all(s["host_to_device_bytes"] == per_step_in
              for s in t["steps"]),
          f"each step streams only the batch and the lr in ({per_step_in} "
          f"bytes): {sorted({s['host_to_device_bytes'] for s in t['steps']})}")
    check(all(s["device_to_host_bytes"] == 4 for s in t["steps"]),
          "each step streams only the loss out (4 bytes)")
    check(state >= 3 * param_bytes and t["state_download_bytes"] == state,
          f"the state ({state} bytes >= parameters and two moments, "
          f"{3 * param_bytes}) is uploaded once and downloaded at the end")
    check([s["step"] for s in t["steps"] if s["checkpoint_bytes"]] ==
          [4, 9, 14] and
          all(s["checkpoint_bytes"] in (0, state) for s in t["steps"]),
          "checkpoints after steps 4, 9 and 14 download the state once each "
          "(the last one is the final download)")
    update = [s for s in prof["supersteps"] if s["name"] == "resident update"]
    check(len(update) == 1 and update[0]["kind"] == "exchange" and
          update[0]["executions"] == 1 and
          update[0]["exchange_bytes"] == state and
          update[0]["exchange_cycles"] > 0,
          "the last step's profile has the on-device resident update "
          "exchange, moving the state once, with its cycles")
    check(all(r["cycles"] > 0 for r in records), "cycles logged per step")

    # The round trip through the host: the same numbers, all state streamed.
    rt_npz = os.path.join(work, "stream.npz")
    rt_records, rt_prof = train(work, plan, data, "stream", "--steps",
                                str(STEPS), "--save-weights", rt_npz,
                                "--stream-state")
    rt = rt_prof["training"]
    check(not rt["resident_state"] and
          all(s["host_to_device_bytes"] == per_step_in + state and
              s["device_to_host_bytes"] == 4 + state for s in rt["steps"]),
          "--stream-state streams the whole state both ways every step")
    check([r["loss"] for r in rt_records] == [r["loss"] for r in records],
          "resident and round-trip losses are identical")
    a, b = np.load(npz), np.load(rt_npz)
    check(sorted(a.files) == sorted(weights) and
          all(np.array_equal(a[k], b[k]) for k in weights),
          "resident and round-trip weights are identical")

    # Resume from the step-10 checkpoint of a 10-step resident run.
    half = os.path.join(work, "half")
    first, _ = train(work, plan, data, "first", "--steps", "10",
                     "--checkpoint", half)
    rest, rest_prof = train(work, plan, data, "rest", "--steps", "10",
                            "--resume", half)
    check([r["loss"] for r in first + rest] == [r["loss"] for r in records],
          "a resumed resident run reproduces the losses exactly")
    check(rest_prof["training"]["state_upload_bytes"] == state,
          "the resumed state is uploaded once")

    # Against torch (float64, same schedule).
    S = torch.optim.lr_scheduler
    ref_losses, _, ref_weights = torch_losses(
        weights, arrays, lambda p: torch.optim.Adam(p, lr=0.01),
        lambda o: S.CosineAnnealingLR(o, T_max=20), None)
    check(np.allclose([r["loss"] for r in records], ref_losses, rtol=1e-4,
                      atol=0) and
          all(np.allclose(a[k], v, rtol=0, atol=1e-4)
              for k, v in ref_weights.items()),
          "resident losses and weights match torch.optim.Adam")

    # --save-weights trained.onnx (the plan's source model).
    trained = os.path.join(work, "trained.onnx")
    train(work, plan, data, "onnx", "--steps", str(STEPS), "--save-weights",
          trained)
    src, out = onnx.load(model), onnx.load(trained)
    onnx.checker.check_model(out)
    inits = {i.name: numpy_helper.to_array(i) for i in out.graph.initializer}
    check(sorted(inits) == sorted(weights) and
          all(np.array_equal(inits[k], a[k]) and inits[k].dtype == a[k].dtype
              for k in weights),
          "trained.onnx holds the .npz weights bit for bit")
    for graph in (src.graph, out.graph):
        del graph.initializer[:]
    check(src == out, "everything but the initializers is the input model")
    host_plan = os.path.join(work, "trained.ipuplan")
    run(["ipuc", trained, "-o", host_plan, "--target=host"])
    x = arrays["x"][:BATCH]
    np.save(os.path.join(work, "x.npy"), x)
    outdir = os.path.join(work, "out")
    run(["ipu-run", host_plan, "--device=host", "--input",
         f"x=@{os.path.join(work, 'x.npy')}", "--output-dir", outdir,
         "--quiet"])
    probs = np.load(os.path.join(outdir, "probs.npy"))
    ref = forward({k: a[k].astype(np.float64) for k in weights}, x)
    check(np.allclose(probs, ref, rtol=1e-5, atol=1e-6),
          "trained.onnx computes the NumPy forward pass of the .npz weights")

    # Errors: reported before training, non-zero, the old file intact.
    with open(trained, "wb") as f:
        f.write(b"OLD")
    other = os.path.join(work, "other.onnx")
    make_model(other, np.random.default_rng(1))
    wrong = onnx.load(other)
    wrong.graph.initializer[1].CopyFrom(numpy_helper.from_array(
        np.zeros(7, np.float32), "fc1.bias"))
    onnx.save(wrong, other)
    for name, extra, message in [
        ("missing", ["--model", os.path.join(work, "missing.onnx")],
         "needs the model the plan was compiled from"),
        ("mismatch", ["--model", other],
         "initializer 'fc1.bias' (7 of ONNX type 1) does not match the "
         "trained parameter fc1.bias: f32[32]"),
    ]:
        log = os.path.join(work, f"{name}.jsonl")
        proc = run(["ipu-run", plan, "--device=sim", "--dataset", data,
                    "--steps", "2", "--log", log, "--save-weights", trained,
                    *extra], expect_ok=False)
        with open(trained, "rb") as f:
            intact = f.read() == b"OLD"
        check(proc.returncode == 1 and message in proc.stdout and intact and
              not os.path.exists(log),
              f"{name} model: '{message}' before training, old file intact"
              + ("" if proc.returncode == 1 and message in proc.stdout
                 else f" (got: {proc.stdout.strip()})"))
    proc = run(["ipu-run", plan, "--device=sim", "--dataset", data,
                "--steps", "1", "--quiet", "--save-weights",
                os.path.join(work, "no-such-dir", "t.onnx")], expect_ok=False)
    check(proc.returncode == 1 and "no-such-dir" in proc.stdout,
          f"an unwritable path is a clear error: {proc.stdout.strip()}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
