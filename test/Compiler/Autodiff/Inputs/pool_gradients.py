#!/usr/bin/python3
"""Max- and average-pool gradients behind a ReLU, as CNNs train them, against
NumPy on the host device and the simulator.

Each case is loss = sum(pool(relu(x)) * r) over a tosa func; ipu-opt
--ipuc-autodiff builds the gradient, which elementwise fusion turns into one
kernel per pool (the pool's gradient times the ReLU's). x holds small
integers, so windows have ties, zeros and all-negative windows: the
max-pool gradient goes to every element equal to its window's maximum (the
rule's tie semantics), the ReLU's passes where x >= 0. The reference is
written here in NumPy from those definitions; gradients must agree to
float32 rounding (rtol 1e-6), on `--target=host --device=host` and
`--target=ipu --device=sim`.

    pool_gradients.py WORK_DIR
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autodiff_harness import run, tensor_type as T  # noqa: E402

rng = np.random.default_rng(7)

# name, pool op, input shape [N, H, W, C], kernel (= stride).
CASES = [
    ("max_2x2", "max_pool2d", (2, 4, 6, 3), (2, 2)),
    ("max_3x3", "max_pool2d", (1, 6, 9, 2), (3, 3)),
    ("max_2x1", "max_pool2d", (2, 4, 3, 5), (2, 1)),
    ("max_1x4", "max_pool2d", (3, 2, 8, 4), (1, 4)),
    ("avg_2x2", "avg_pool2d", (2, 4, 6, 3), (2, 2)),
    ("avg_3x3", "avg_pool2d", (1, 6, 9, 2), (3, 3)),
    ("avg_1x2", "avg_pool2d", (2, 3, 4, 5), (1, 2)),
]


def module(op, shape, k):
    n, h, w, c = shape
    y = (n, h // k[0], w // k[1], c)
    count = int(np.prod(y))
    acc = "acc_type = f32, " if op == "avg_pool2d" else ""
    return "\n".join([
        f'func.func @main(%x: {T(shape)} {{ipuc.name = "x", ipuc.param}}, '
        f'%r: {T(y)} {{ipuc.name = "r"}}) -> ({T((1,))} {{ipuc.name = "loss"}}) {{',
        f"  %a = tosa.clamp %x {{max_fp = 3.40282347E+38 : f32, max_int = "
        f"2147483647 : i64, min_fp = 0.0 : f32, min_int = 0 : i64}} : "
        f"({T(shape)}) -> {T(shape)}",
        f"  %y = tosa.{op} %a {{{acc}kernel = array<i64: {k[0]}, {k[1]}>, pad = "
        f"array<i64: 0, 0, 0, 0>, stride = array<i64: {k[0]}, {k[1]}>}} : "
        f"({T(shape)}) -> {T(y)}",
        f"  %m = tosa.mul %y, %r {{shift = 0 : i8}} : ({T(y)}, {T(y)}) -> {T(y)}",
        f"  %f = tosa.reshape %m {{new_shape = array<i64: {count}>}} : ({T(y)}) "
        f"-> {T((count,))}",
        f"  %loss = tosa.reduce_sum %f {{axis = 0 : i32}} : ({T((count,))}) -> "
        f"{T((1,))}",
        f"  return %loss : {T((1,))}",
        "}", ""])


def reference(op, x, r, k):
    """d loss / d x from the definitions, in float64."""
    n, h, w, c = x.shape
    a = np.maximum(x, 0)
    win = a.reshape(n, h // k[0], k[0], w // k[1], k[1], c)

    def up(v):
        return np.repeat(np.repeat(v, k[0], axis=1), k[1], axis=2)
    if op == "max_pool2d":
        grad = (a == up(win.max(axis=(2, 4)))) * up(r)
    else:
        grad = up(r) / (k[0] * k[1])
    return grad * (x >= 0)


def gradient(work, text, x, r, target, device):
    os.makedirs(work, exist_ok=True)
    src, grad = os.path.join(work, "f.mlir"), os.path.join(work, "g.mlir")
    plan, out = os.path.join(work, "g.ipuplan"), os.path.join(work, "out")
    with open(src, "w") as f:
        f.write(text)
    run(["ipu-opt", src, "--ipuc-autodiff", "-o", grad])
    run(["ipuc", grad, "-o", plan, f"--target={target}"])
    args = []
    for name, v in (("x", x), ("r", r)):
        np.save(os.path.join(work, f"{name}.npy"), v.astype(np.float32))
        args += ["--input", f"{name}=@{os.path.join(work, name + '.npy')}"]
    run(["ipu-run", plan, f"--device={device}", "--output-dir", out,
         "--quiet"] + args)
    return np.load(os.path.join(out, "grad_x.npy"))


def main():
    work = sys.argv[1]
    failed = False
    for name, op, shape, k in CASES:
        x = rng.integers(-2, 3, shape).astype(np.float64)
        y = (shape[0], shape[1] // k[0], shape[2] // k[1], shape[3])
        r = rng.integers(-4, 5, y) * 0.25
        want = reference(op, x, r, k)
        # The case must exercise what it claims: ties among window maxima
        # and the ReLU mask cutting some of the routed gradient.
        a = np.maximum(x, 0).reshape(y[0], y[1], k[0], y[2], k[1], y[3])
        ties = (a == a.max(axis=(2, 4), keepdims=True)).sum(axis=(2, 4))
        assert k == (1, 1) or ties.max() > 1, name
        assert (x < 0).any() and (x == 0).any(), name
        for target, device in (("host", "host"), ("ipu", "sim")):
            got = gradient(os.path.join(work, name, device),
                           module(op, shape, k), x, r, target, device)
            ok = got.shape == want.shape and np.allclose(got, want, 1e-6, 0)
            print(f"{name} {device} {'ok' if ok else 'MISMATCH'}")
            if not ok:
                print(f"got\n{got}\nwant\n{want}")
            failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
