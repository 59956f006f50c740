#!/usr/bin/python3
"""One training step of the MLP (ipuc-training-step) against torch.optim.

The cross-entropy MLP of mlp_vs_torch.py goes through
`ipu-opt --ipuc-training-step` with SGD+momentum (two steps, the second
fed the first's `.next` outputs, so the momentum buffer's first-step rule
and its threading are both exercised) and with AdamW (one step), then ipuc
and ipu-run. The loss, the updated parameters and the optimizer state are
compared with torch.optim on the same network in float64: rtol 1e-4,
atol 1e-6.

With --via-ipuc the step is built by `ipuc --train --optimizer=...`
instead of ipu-opt.

    train_step_vs_torch.py WORK_DIR [--via-ipuc]
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autodiff_harness import compile_and_run  # noqa: E402
from mlp_vs_torch import MLIR, mlp_values  # noqa: E402

RTOL, ATOL = 1e-4, 1e-6
PARAMS = ["w1", "b1", "w2", "b2"]
# name, pass options, torch optimizer, state names, steps
CASES = [
    ("sgd_momentum", "optimizer=sgd lr=0.1 momentum=0.9",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
     ["momentum_buffer", "step"], 2),
    ("adamw", "optimizer=adamw lr=0.01",
     lambda p: torch.optim.AdamW(p, lr=0.01),
     ["exp_avg", "exp_avg_sq", "step"], 1),
]


def torch_steps(values, make, steps):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k in PARAMS)
         for k, v in values.items()}
    opt = make([t[k] for k in PARAMS])
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        hidden = torch.relu(t["x"] @ t["w1"].T + t["b1"])
        logits = hidden @ t["w2"].T + t["b2"]
        loss = torch.nn.functional.cross_entropy(logits,
                                                 t["labels"].argmax(1))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return t, opt, losses


def main():
    values = mlp_values()
    via_ipuc = "--via-ipuc" in sys.argv[2:]
    failed = False
    for name, options, make, states, steps in CASES:
        if via_ipuc:
            passes = []
            flags = ["--train"] + [f"--{o}" for o in options.split()]
        else:
            passes = [f"--ipuc-training-step={options}"]
            flags = []
        inputs = dict(values)
        for p in PARAMS:
            for s in states:
                shape = () if s == "step" else values[p].shape
                inputs[f"{p}.{s}"] = np.zeros(shape, np.float32)
        losses = []
        for step in range(steps):
            out = compile_and_run(
                os.path.join(sys.argv[1], f"{name}_{step}"), MLIR, inputs,
                passes, flags)
            losses.append(float(out["loss"][0]))
            for p in PARAMS:
                inputs[p] = out[f"{p}.next"]
                for s in states:
                    inputs[f"{p}.{s}"] = out[f"{p}.{s}.next"]
        t, opt, want_losses = torch_steps(values, make, steps)
        ok = np.allclose(losses, want_losses, RTOL, ATOL)
        for p in PARAMS:
            ok &= np.allclose(inputs[p], t[p].detach().numpy(), RTOL, ATOL)
            state = opt.state[t[p]]
            for s in states:
                want = state[s] if s in state else float(steps)
                ok &= np.allclose(inputs[f"{p}.{s}"], np.asarray(want),
                                  RTOL, ATOL)
        print(f"{name} {'ok' if ok else 'MISMATCH'} losses "
              + " ".join(f"{v:.6f}" for v in losses))
        failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
