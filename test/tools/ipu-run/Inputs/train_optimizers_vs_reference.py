#!/usr/bin/python3
"""The optimizers beyond torch.optim's common ones, through `ipuc --train`.

The ONNX MLP of train_vs_torch.py is trained for 20 steps by ipu-run's loop
with LAMB, Lookahead around Adam and around Nesterov SGD (the latter with
a cosine lr schedule, which ipuc applies inside the lookahead body), the
learned optimizer with random MLP weights from an .npz, and torch.optim
rules with the hyper-parameter flags the other test does not pass
(--dampening, --alpha/--centered, --lr-decay). The reference trains the
same network in float64: torch computes the gradients, and the update is
torch.optim's or, where torch has none, the NumPy transcription the
dialect's own parity test uses (test/Dialect/Optimizer/Inputs/
check_rules.py: torch-optimizer's Lamb, Lookahead's Algorithm 1, the
learned rule's formula). Every step's loss must agree within 1e-4
relative, the saved weights within 1e-4 absolute, and a run resumed from a
step-10 checkpoint (which must restore the slow weights and momenta) must
repeat the uninterrupted run's last 10 losses.

    train_optimizers_vs_reference.py WORK_DIR TARGET DEVICE
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "Dialect", "Optimizer",
                                "Inputs"))
from check_rules import NumpyLamb, NumpyLearned, NumpyLookahead, random_mlp  # noqa: E402
from train_vs_torch import (BATCH, LOSS_RTOL, SAMPLES, STEPS,  # noqa: E402
                            WEIGHT_ATOL, make_problem_data)
from train_parity import agrees, resumes, train  # noqa: E402

S = torch.optim.lr_scheduler


def descending_mlp():
    """Random weights (every unit and the magnitude output matter) scaled
    down, plus a pair of units relu(m), relu(-m) on the 0.9 momentum whose
    difference is the direction's main term, so that training descends
    and the comparison is of a loss in its normal range."""
    mlp = random_mlp((0.5, 0.9, 0.99), 6, 3)
    mlp["w1"] *= np.float32(0.3)
    mlp["w2"] *= np.float32(0.3)
    mlp["w1"][:, :2] = 0
    mlp["w1"][3, :2] = [1, -1]
    mlp["b1"][:2] = 0
    mlp["w2"][:2, 0] = [1, -1]
    return mlp


MLP = descending_mlp()
MAG_SCALE = 0.5
LEARNED_LR = 0.002

# name, ipuc options, reference optimizer (from the parameter list), the
# torch optimizer the lr schedule drives (or None), torch lr scheduler.
CASES = [
    ("lamb", ["--optimizer=lamb", "--lr=0.01"],
     lambda p: NumpyLamb(p, lr=0.01), None),
    ("lamb_flags",
     ["--optimizer=lamb", "--lr=0.02", "--beta1=0.8", "--beta2=0.95",
      "--eps=1e-4", "--weight-decay=0.01", "--clamp-value=2", "--debias"],
     lambda p: NumpyLamb(p, lr=0.02, betas=(0.8, 0.95), eps=1e-4,
                         weight_decay=0.01, clamp_value=2.0, debias=True),
     None),
    ("lookahead_adam",
     ["--optimizer=lookahead", "--lookahead-inner=adam", "--lr=0.01",
      "--lookahead-k=5", "--lookahead-alpha=0.5"],
     lambda p: NumpyLookahead(p, torch.optim.Adam(p, lr=0.01), k=5,
                              alpha=0.5), None),
    ("lookahead_sgd_nesterov_cosine",
     ["--optimizer=lookahead", "--lookahead-inner=sgd", "--lr=0.1",
      "--momentum=0.9", "--nesterov", "--lookahead-k=3",
      "--lookahead-alpha=0.8", "--lr-schedule=cosine", "--total-steps=20"],
     lambda p: NumpyLookahead(
         p, torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), k=3,
         alpha=0.8),
     lambda o: S.CosineAnnealingLR(o.base, T_max=20)),
    ("learned", ["--optimizer=learned", f"--lr={LEARNED_LR}", "LEARNED"],
     lambda p: NumpyLearned(p, MLP, lr=LEARNED_LR, mag_scale=MAG_SCALE),
     None),
    ("learned_linear",
     ["--optimizer=learned", f"--lr={LEARNED_LR}", "--lr-schedule=linear",
      f"--lr-min={LEARNED_LR * 0.2}", "--total-steps=15", "LEARNED"],
     lambda p: NumpyLearned(p, MLP, lr=LEARNED_LR, mag_scale=MAG_SCALE),
     "linear"),
    ("sgd_dampening",
     ["--optimizer=sgd", "--lr=0.1", "--momentum=0.9", "--dampening=0.5",
      "--weight-decay=0.01"],
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.5,
                               weight_decay=0.01), None),
    ("rmsprop_centered",
     ["--optimizer=rmsprop", "--lr=0.01", "--alpha=0.9", "--centered",
      "--momentum=0.5", "--eps=1e-6"],
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True,
                                   momentum=0.5, eps=1e-6), None),
    ("adagrad_lr_decay",
     ["--optimizer=adagrad", "--lr=0.1", "--lr-decay=0.05"],
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05), None),
]


class ScaledLearned:
    """NumpyLearned with the learning rate of torch.optim.lr_scheduler's
    LinearLR (1 -> 0.2 over 15 steps): the rule's update is linear in lr."""

    def __init__(self, inner, base_lr):
        self.inner, self.base_lr, self.count = inner, base_lr, 0

    def lr(self):
        t = min(self.count, 15)
        return self.base_lr * (1.0 + (0.2 - 1.0) * t / 15)

    def step(self):
        self.inner.lr = self.lr()
        self.inner.step()
        self.count += 1


def reference(weights, data, make, schedule):
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in weights.items()}
    opt = make(list(p.values()))
    if schedule == "linear":
        opt = ScaledLearned(opt, opt.lr)
        scheduler = None
    else:
        scheduler = schedule(opt) if schedule else None
    losses, lrs = [], []
    for step in range(STEPS):
        first = (step % (SAMPLES // BATCH)) * BATCH
        x = torch.tensor(data["x"][first:first + BATCH], dtype=torch.float64)
        label = torch.tensor(data["label"][first:first + BATCH])
        for v in p.values():
            v.grad = None
        hidden = torch.relu(x @ p["fc1.weight"].T + p["fc1.bias"])
        logits = hidden @ p["fc2.weight"].T + p["fc2.bias"]
        loss = torch.nn.functional.cross_entropy(logits, label)
        loss.backward()
        if isinstance(opt, ScaledLearned):
            lrs.append(opt.lr())
        elif scheduler:
            lrs.append(opt.base.param_groups[0]["lr"])
        else:
            lrs.append(None)
        with torch.no_grad():
            opt.step()
        if scheduler:
            scheduler.step()
        losses.append(loss.item())
    return losses, lrs, {k: v.detach().numpy() for k, v in p.items()}


def main():
    work, target, device = sys.argv[1:4]
    model, weights, data, dataset = make_problem_data(work)
    learned = os.path.join(work, "learned_mlp.npz")
    np.savez(learned, **{k: np.asarray(v) for k, v in MLP.items()},
             mag_scale=np.float64(MAG_SCALE))
    failed = False
    for name, options, make, schedule in CASES:
        options = [f"--learned-weights={learned}" if o == "LEARNED" else o
                   for o in options]
        plan, records, trained = train(work, name, model, target, device,
                                       dataset, options, STEPS)
        ours = np.array([r["loss"] for r in records])
        ref, ref_lrs, ref_weights = reference(weights, data, make, schedule)
        ok = agrees(records, trained, device, STEPS, ref,
                    ref_lrs if ref_lrs[0] is not None else None, ref_weights,
                    LOSS_RTOL, WEIGHT_ATOL)
        # A rule that did not train would match nothing above but the
        # first loss; make sure the reference itself moved.
        ok &= abs(ref[-1] - ref[0]) > 1e-3
        ok &= resumes(work, name, plan, device, dataset, STEPS, records)
        print(f"{name} {'ok' if ok else 'FAILED'}")
        if not ok:
            failed = True
            print("  ipuc :", ours.tolist())
            print("  ref  :", ref)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
