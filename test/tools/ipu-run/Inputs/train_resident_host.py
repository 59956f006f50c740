"""Resident training state on the host device: after each run the host
swaps every `<p>` with its `<p>.next` buffer instead of copying the state
out and back in. Checks that this gives the same losses and weights, bit for
bit, as --stream-state (the copy both ways), that the weights match
torch.optim, and that resuming from a checkpoint of a resident run
reproduces the losses exactly."""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_resident import check, failures, make_problem, run  # noqa
from train_vs_torch import STEPS, torch_losses  # noqa


def train(work, plan, data, name, *extra):
    log = os.path.join(work, f"{name}.jsonl")
    run(["ipu-run", plan, "--device=host", "--dataset", data, "--log", log,
         "--quiet", *extra])
    with open(log) as f:
        return [json.loads(line)["loss"] for line in f]


def main():
    work = sys.argv[1]
    weights, arrays, data, plan = make_problem(work, "host")
    res_npz, rt_npz = (os.path.join(work, n) for n in ("res.npz", "rt.npz"))
    resident = train(work, plan, data, "resident", "--steps", str(STEPS),
                     "--save-weights", res_npz)
    stream = train(work, plan, data, "stream", "--steps", str(STEPS),
                   "--save-weights", rt_npz, "--stream-state")
    check(resident == stream, "host: resident and streamed losses are identical")
    a, b = np.load(res_npz), np.load(rt_npz)
    check(sorted(a.files) == sorted(weights) and
          all(np.array_equal(a[k], b[k]) for k in weights),
          "host: resident and streamed weights are identical")
    S = torch.optim.lr_scheduler
    ref_losses, _, ref_weights = torch_losses(
        weights, arrays, lambda p: torch.optim.Adam(p, lr=0.01),
        lambda o: S.CosineAnnealingLR(o, T_max=20), None)
    check(np.allclose(resident, ref_losses, rtol=1e-4, atol=0) and
          all(np.allclose(a[k], v, rtol=0, atol=1e-4)
              for k, v in ref_weights.items()),
          "host: resident losses and weights match torch.optim.Adam")
    half = os.path.join(work, "half")
    first = train(work, plan, data, "first", "--steps", str(STEPS // 2),
                  "--checkpoint", half)
    rest = train(work, plan, data, "rest", "--steps", str(STEPS - STEPS // 2),
                 "--resume", half)
    check(first + rest == resident,
          "host: a resumed resident run reproduces the losses exactly")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
