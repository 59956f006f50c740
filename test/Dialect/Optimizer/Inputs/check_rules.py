#!/usr/bin/python3
"""N steps of each optimizer rule through ipuc and ipu-run, against torch.optim.

For every rule configuration, writes a func.func applying N update steps of
one `optimizer` op to a parameter (one gradient per step, the state threaded
from step to step), compiles it with `ipuc --target=host`, runs it with
`ipu-run --device=host` on random float32 inputs and compares the final
parameter and state with torch.optim doing the same N steps on the same
tensors. Values must agree within rtol 1e-5; the total change of the
parameter (which a wrong rule would get wrong even when the values agree)
within rtol 1e-4.

    check_rules.py WORK_DIR [--ipu]   (ipuc and ipu-run on PATH)

With --ipu the rules are compiled for the tile target (4 tiles) and run on
the BSP simulator instead.
"""
import os
import subprocess
import sys

import numpy as np
import torch

STEPS = 5
SHAPE = (4, 3)
RTOL, ATOL = 1e-5, 1e-7
DELTA_RTOL = 1e-4

class NumpyLamb:
    """torch-optimizer's Lamb.step (torch_optimizer/lamb.py) in float32
    NumPy, with the torch.optim interface the harness drives; torch has no
    LAMB of its own."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-6,
                 weight_decay=0.0, clamp_value=10.0, debias=False):
        self.params = params
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay, self.clamp_value = weight_decay, clamp_value
        self.debias = debias
        self.state = {}

    def step(self):
        beta1, beta2 = self.betas
        for p in self.params:
            x = p.detach().numpy()
            g = p.grad.numpy()
            st = self.state.setdefault(p, {
                "step": 0, "exp_avg": np.zeros_like(x),
                "exp_avg_sq": np.zeros_like(x)})
            st["step"] += 1
            m = np.float32(beta1) * st["exp_avg"] + np.float32(1 - beta1) * g
            v = np.float32(beta2) * st["exp_avg_sq"] + \
                np.float32(1 - beta2) * g * g
            st["exp_avg"], st["exp_avg_sq"] = m, v
            step_size = self.lr
            if self.debias:
                step_size *= np.sqrt(1 - beta2 ** st["step"]) / \
                    (1 - beta1 ** st["step"])
            weight_norm = min(np.sqrt(np.sum(x * x)), self.clamp_value)
            adam_step = m / (np.sqrt(v) + np.float32(self.eps))
            if self.weight_decay != 0:
                adam_step = adam_step + np.float32(self.weight_decay) * x
            adam_norm = np.sqrt(np.sum(adam_step * adam_step))
            trust = 1.0 if weight_norm == 0 or adam_norm == 0 else \
                weight_norm / adam_norm
            x -= np.float32(step_size * trust) * adam_step


class NumpyLookahead:
    """Lookahead (Zhang et al., 2019, Algorithm 1) around a torch.optim
    rule: every k-th step the slow weights (starting at the initial
    parameter) move alpha of the way to the fast ones, which restart there."""

    def __init__(self, params, base, k, alpha):
        self.params, self.base, self.k, self.alpha = params, base, k, alpha
        self.count = 0
        self.slow = {p: p.detach().numpy().copy() for p in params}

    @property
    def state(self):
        return {p: {**self.base.state[p], "slow": self.slow[p],
                    "la_step": float(self.count)} for p in self.params}

    def step(self):
        self.base.step()
        self.count += 1
        if self.count % self.k == 0:
            for p in self.params:
                fast = p.detach().numpy()
                slow = self.slow[p]
                slow += np.float32(self.alpha) * (fast - slow)
                fast[...] = slow


class NumpyLearned:
    """optimizer.learned's formula in float32 NumPy (momenta at several
    decays; grad, param and momenta normalised by their per-tensor RMS; a
    ReLU MLP giving a direction d and log-magnitude s; p -= lr * d *
    exp(mag_scale * s)), with the torch.optim interface the harness drives."""

    def __init__(self, params, mlp, lr=1e-3, mag_scale=1e-3, eps=1e-5):
        self.params, self.mlp = params, mlp
        self.lr, self.mag_scale, self.eps = lr, mag_scale, eps
        self.state = {}

    def step(self):
        f32 = np.float32
        decays = self.mlp["decays"]
        for p in self.params:
            x = p.detach().numpy()
            g = p.grad.numpy()
            st = self.state.setdefault(
                p, {f"momentum_{i}": np.zeros_like(x)
                    for i in range(len(decays))})
            for i, beta in enumerate(decays):
                st[f"momentum_{i}"] = f32(beta) * st[f"momentum_{i}"] + \
                    f32(1 - beta) * g
            feats = [g, x] + [st[f"momentum_{i}"] for i in range(len(decays))]
            feats = np.stack([f / np.sqrt(np.mean(f * f) + f32(self.eps))
                              for f in feats], axis=-1)
            hidden = np.maximum(feats @ self.mlp["w1"] + self.mlp["b1"], 0)
            out = hidden @ self.mlp["w2"] + self.mlp["b2"]
            x -= f32(self.lr) * out[..., 0] * \
                np.exp(f32(self.mag_scale) * out[..., 1])


def random_mlp(decays, hidden, seed):
    """Random weights big enough that every unit, the ReLU and the
    magnitude output all matter."""
    rng = np.random.default_rng(seed)
    f = 2 + len(decays)
    return {"decays": tuple(decays),
            "w1": rng.normal(0, 1, (f, hidden)).astype(np.float32),
            "b1": rng.normal(0, 0.5, hidden).astype(np.float32),
            "w2": rng.normal(0, 1, (hidden, 2)).astype(np.float32),
            "b2": np.array([0.1, 0.3], np.float32)}


LEARNED_MLP = random_mlp((0.5, 0.9, 0.99), 6, 11)


# Heavy-ball momentum written by hand as an optimizer.custom body: from a
# zero buffer it is torch.optim.SGD with momentum (whose first buffer is the
# gradient itself, as 0.9 * 0 + g is).
HEAVY_BALL = """  ^bb0(%pe: f32, %ge: f32, %ve: f32):
    %mu = arith.constant 0.9 : f32
    %lr = arith.constant 0.05 : f32
    %m = arith.mulf %mu, %ve : f32
    %nv = arith.addf %m, %ge : f32
    %d = arith.mulf %lr, %nv : f32
    %np = arith.subf %pe, %d : f32
    optimizer.yield %np, %nv : f32, f32"""

# name, op, attributes (a custom rule's body), torch constructor, state
# names (op order), initial state values (default zeros).
RULES = [
    ("sgd", "sgd", {"lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1), [], {}),
    ("sgd_weight_decay", "sgd", {"lr": 0.1, "weight_decay": 0.05},
     lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05), [], {}),
    ("sgd_momentum_dampening", "sgd",
     {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.3),
     ["momentum_buffer", "step"], {}),
    ("sgd_nesterov", "sgd",
     {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True,
                               weight_decay=0.01),
     ["momentum_buffer", "step"], {}),
    ("adam", "adam", {"lr": 0.01},
     lambda p: torch.optim.Adam(p, lr=0.01),
     ["exp_avg", "exp_avg_sq", "step"], {}),
    ("adam_betas_weight_decay", "adam",
     {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "eps": 1e-6,
      "weight_decay": 0.1},
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-6,
                                weight_decay=0.1),
     ["exp_avg", "exp_avg_sq", "step"], {}),
    ("adamw", "adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled": True},
     lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
     ["exp_avg", "exp_avg_sq", "step"], {}),
    ("adagrad", "adagrad", {"lr": 0.1, "lr_decay": 0.05,
                            "weight_decay": 0.01},
     lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05,
                                   weight_decay=0.01,
                                   initial_accumulator_value=0.1),
     ["sum", "step"], {"sum": 0.1}),
    # Without lr_decay the rate is a constant and the step kernel only
    # advances the counter.
    ("adagrad_no_decay", "adagrad", {"lr": 0.1},
     lambda p: torch.optim.Adagrad(p, lr=0.1), ["sum", "step"], {}),
    ("rmsprop", "rmsprop", {"lr": 0.01},
     lambda p: torch.optim.RMSprop(p, lr=0.01), ["square_avg"], {}),
    ("rmsprop_centered_momentum", "rmsprop",
     {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.01},
     lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True,
                                   weight_decay=0.01),
     ["square_avg", "momentum_buffer", "grad_avg"], {}),
    ("lamb", "lamb", {"lr": 0.01},
     lambda p: NumpyLamb(p, lr=0.01), ["exp_avg", "exp_avg_sq", "step"], {}),
    # A small clamp_value makes the clamp bite (||p|| is about 3.5 here).
    ("lamb_decay_debias_clamp", "lamb",
     {"lr": 0.02, "beta1": 0.8, "beta2": 0.95, "eps": 1e-4,
      "weight_decay": 0.05, "clamp_value": 2.0, "debias": True},
     lambda p: NumpyLamb(p, lr=0.02, betas=(0.8, 0.95), eps=1e-4,
                         weight_decay=0.05, clamp_value=2.0, debias=True),
     ["exp_avg", "exp_avg_sq", "step"], {}),
    # k = 2 over 5 steps: two syncs, and a last step that is fast only.
    ("lookahead_sgd_momentum", "lookahead",
     ({"k": 2, "alpha": 0.6}, "sgd", {"lr": 0.05, "momentum": 0.9}),
     lambda p: NumpyLookahead(p, torch.optim.SGD(p, lr=0.05, momentum=0.9),
                              k=2, alpha=0.6),
     ["slow", "la_step", "momentum_buffer", "step"], {"slow": "p"}),
    ("learned", "learned",
     {**LEARNED_MLP, "lr": 0.01, "mag_scale": 0.5},
     lambda p: NumpyLearned(p, LEARNED_MLP, lr=0.01, mag_scale=0.5),
     ["momentum_0", "momentum_1", "momentum_2"], {}),
    ("custom_heavy_ball", "custom", HEAVY_BALL,
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
     ["momentum_buffer"], {}),
]


def attr_text(attrs):
    def value(v):
        return ("true" if v else "false") if isinstance(v, bool) else \
            f"{v:.17e} : f64"
    def dense(a):
        if a.ndim == 0:
            return f"{float(a):.9e}"
        return "[" + ", ".join(dense(r) for r in a) + "]"

    def value_of(k, v):
        if isinstance(v, tuple):
            return "array<f64: " + ", ".join(f"{x:.17e}" for x in v) + ">"
        if isinstance(v, np.ndarray):
            shape = "x".join(map(str, v.shape))
            return f"dense<{dense(v)}> : tensor<{shape}xf32>"
        return f"{v} : i64" if k == "k" else value(v)
    return "{" + ", ".join(f"{k} = {value_of(k, v)}"
                           for k, v in attrs.items()) + "}"


def state_type(name, tensor):
    return "tensor<f32>" if name.endswith("step") else tensor


def write_mlir(path, op, attrs, states):
    tensor = "tensor<" + "x".join(map(str, SHAPE)) + "xf32>"
    args = [f"%p: {tensor} {{ipuc.name = \"p\"}}"]
    args += [f"%g{i}: {tensor} {{ipuc.name = \"g{i}\"}}" for i in range(STEPS)]
    args += [f"%s_{n}: {state_type(n, tensor)} {{ipuc.name = \"s_{n}\"}}"
             for n in states]
    results = [f"{tensor} {{ipuc.name = \"p_out\"}}"]
    results += [f"{state_type(n, tensor)} {{ipuc.name = \"{n}_out\"}}"
                for n in states]
    lines = [f"func.func @main({', '.join(args)}) -> ({', '.join(results)}) {{"]
    param, cur = "%p", [f"%s_{n}" for n in states]
    types = ", ".join(state_type(n, tensor) for n in states)
    for i in range(STEPS):
        outs = [f"%p{i}"] + [f"%{n}{i}" for n in states]
        state = f" state({', '.join(cur)} : {types})" if states else ""
        if op == "lookahead":
            la_attrs, inner_op, inner_attrs = attrs
            inner = states[2:]
            inner_types = [state_type(n, tensor) for n in inner]
            args = ", ".join([f"%fp{i}: {tensor}", f"%fg{i}: {tensor}"] +
                             [f"%f{n}{i}: {t}"
                              for n, t in zip(inner, inner_types)])
            inner_outs = [f"%ip{i}"] + [f"%i{n}{i}" for n in inner]
            inner_state = (f" state({', '.join(f'%f{n}{i}' for n in inner)}"
                           f" : {', '.join(inner_types)})" if inner else "")
            lines.append(
                f"  {', '.join(outs)} = optimizer.lookahead {param}, "
                f"%g{i}{state} {attr_text(la_attrs)} : {tensor} -> {types} "
                f"{{\n  ^bb0({args}):\n"
                f"    {', '.join(inner_outs)} = optimizer.{inner_op} %fp{i}, "
                f"%fg{i}{inner_state} {attr_text(inner_attrs)} : {tensor}\n"
                f"    optimizer.yield {', '.join(inner_outs)} : "
                f"{', '.join([tensor] + inner_types)}\n  }}")
        elif op == "custom":
            lines.append(f"  {', '.join(outs)} = optimizer.custom {param}, "
                         f"%g{i}{state} : {tensor} {{\n{attrs}\n  }}")
        else:
            lines.append(f"  {', '.join(outs)} = optimizer.{op} {param}, "
                         f"%g{i}{state} {attr_text(attrs)} : {tensor}")
        param, cur = outs[0], outs[1:]
    all_types = ", ".join([tensor] + [state_type(n, tensor) for n in states])
    lines.append(f"  return {', '.join([param] + cur)} : {all_types}")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=120)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{proc.stdout}")


def torch_reference(make, p0, grads, states, initial):
    p = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    opt = make([p])
    for g in grads:
        p.grad = torch.from_numpy(g.copy())
        opt.step()
    state = opt.state[p]
    result = {"p_out": p.detach().numpy()}
    for n in states:
        # torch.optim.SGD counts no steps; the op's counter must read N.
        value = state[n] if n in state else float(len(grads))
        result[f"{n}_out"] = np.asarray(value, dtype=np.float32)
    return result


def main():
    work = sys.argv[1]
    ipu = "--ipu" in sys.argv[2:]
    target = ["--target=ipu", "--tiles=4"] if ipu else ["--target=host"]
    device = "--device=sim" if ipu else "--device=host"
    rng = np.random.default_rng(7)
    failed = False
    for name, op, attrs, make, states, initial in RULES:
        d = os.path.join(work, name)
        os.makedirs(d, exist_ok=True)
        p0 = rng.standard_normal(SHAPE).astype(np.float32)
        grads = [rng.standard_normal(SHAPE).astype(np.float32)
                 for _ in range(STEPS)]
        inputs = {"p": p0}
        inputs.update({f"g{i}": g for i, g in enumerate(grads)})
        for n in states:
            shape = () if n.endswith("step") else SHAPE
            # "p": the initial parameter (Lookahead's slow weights).
            value = initial.get(n, 0.0)
            inputs[f"s_{n}"] = p0.copy() if value == "p" else \
                np.full(shape, value, np.float32)
        args = []
        for k, v in inputs.items():
            np.save(os.path.join(d, f"{k}.npy"), v)
            args += ["--input", f"{k}=@{os.path.join(d, k + '.npy')}"]
        write_mlir(os.path.join(d, "rule.mlir"), op, attrs, states)
        run(["ipuc", os.path.join(d, "rule.mlir"), "-o",
             os.path.join(d, "rule.ipuplan")] + target)
        run(["ipu-run", os.path.join(d, "rule.ipuplan"), device,
             "--output-dir", os.path.join(d, "out"), "--quiet"] + args)
        expected = torch_reference(make, p0, grads, states, initial)
        rule_ok = True
        for key, want in expected.items():
            got = np.load(os.path.join(d, "out", f"{key}.npy"))
            ok = got.shape == want.shape and np.allclose(got, want, RTOL, ATOL)
            if ok and key == "p_out":
                ok = np.allclose(got - p0, want - p0, DELTA_RTOL, ATOL)
            if not ok:
                rule_ok = False
                err = np.max(np.abs(got - want)) if got.shape == want.shape \
                    else "shape"
                print(f"MISMATCH {name} {key}: max abs err {err}")
        print(f"{name} {'checked' if rule_ok else 'FAILED'}")
        failed |= not rule_ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
