#!/usr/bin/python3
"""Per-op gradient checks of ipuc-autodiff against central differences.

Each case is a small func.func over tosa ops with some arguments marked
`ipuc.param`; the harness appends loss = sum(y * r) for a random cotangent
input r, so every element of the op's result reaches the loss with its own
weight. The gradients ipuc computes (f32, through ipu-run) are compared with
central differences of the same function written in float64 NumPy
(h = 1e-6), within rtol 1e-4 and atol 1e-5. The loss itself is checked
against NumPy too.

    gradcheck.py WORK_DIR
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autodiff_harness import compile_and_run, tensor_type  # noqa: E402

H = 1e-6
RTOL, ATOL = 1e-4, 1e-5
rng = np.random.default_rng(3)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from(points, *shape):
    """Normal samples at least 0.05 from each kink in `points`, so that
    central differences do not straddle one."""
    x = normal(*shape)
    for p in points:
        near = np.abs(x - p) < 0.05
        x[near] += np.where(x[near] >= p, 0.1, -0.1)
    return x


def distinct(*shape):
    """Values with no ties, for max/maximum."""
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 - 0.5


def conv2d(x, w, b, pad, dilation, stride=1):
    """NHWC x OHWI, as tosa.conv2d."""
    pt, pb, pl, pr = pad
    x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    n, h, wd, _ = x.shape
    o, kh, kw, _ = w.shape
    oh, ow = h - dilation * (kh - 1), wd - dilation * (kw - 1)
    y = np.zeros((n, oh, ow, o)) + b
    for ky in range(kh):
        for kx in range(kw):
            patch = x[:, ky * dilation:ky * dilation + oh,
                      kx * dilation:kx * dilation + ow, :]
            y += patch @ w[:, ky, kx, :].T
    return y[:, ::stride, ::stride, :]


def pool2x2(x, reduce):
    n, h, w, c = x.shape
    return reduce(x.reshape(n, h // 2, 2, w // 2, 2, c), axis=(2, 4))


T = tensor_type
# name, args [(name, shape, is_param, sampler)], body (must define %y),
# result shape, NumPy forward over a dict of float64 arrays.
CASES = [
    ("add_broadcast", [("a", (4, 3), True, normal), ("b", (1, 3), True, normal)],
     f"%y = tosa.add %a, %b : ({T((4, 3))}, {T((1, 3))}) -> {T((4, 3))}",
     (4, 3), lambda v: v["a"] + v["b"]),
    ("sub_broadcast", [("a", (4, 3), True, normal), ("b", (4, 1), True, normal)],
     f"%y = tosa.sub %a, %b : ({T((4, 3))}, {T((4, 1))}) -> {T((4, 3))}",
     (4, 3), lambda v: v["a"] - v["b"]),
    ("mul_broadcast", [("a", (2, 4, 3), True, normal),
                       ("b", (1, 4, 1), True, normal)],
     f"%y = tosa.mul %a, %b {{shift = 0 : i8}} : ({T((2, 4, 3))}, "
     f"{T((1, 4, 1))}) -> {T((2, 4, 3))}",
     (2, 4, 3), lambda v: v["a"] * v["b"]),
    ("mul_same_value", [("a", (5,), True, normal)],
     f"%y = tosa.mul %a, %a {{shift = 0 : i8}} : ({T((5,))}, {T((5,))}) -> "
     f"{T((5,))}", (5,), lambda v: v["a"] * v["a"]),
    ("maximum", [("a", (6,), True, distinct),
                 ("b", (6,), True, lambda *s: distinct(*s) + 0.05)],
     f"%y = tosa.maximum %a, %b : ({T((6,))}, {T((6,))}) -> {T((6,))}",
     (6,), lambda v: np.maximum(v["a"], v["b"])),
    ("minimum", [("a", (6,), True, distinct), ("b", (1,), True, normal)],
     f"%y = tosa.minimum %a, %b : ({T((6,))}, {T((1,))}) -> {T((6,))}",
     (6,), lambda v: np.minimum(v["a"], v["b"])),
    ("negate", [("a", (5,), True, normal)],
     f"%y = tosa.negate %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: -v["a"]),
    ("exp", [("a", (5,), True, normal)],
     f"%y = tosa.exp %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: np.exp(v["a"])),
    ("log", [("a", (5,), True, positive)],
     f"%y = tosa.log %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: np.log(v["a"])),
    ("tanh", [("a", (5,), True, normal)],
     f"%y = tosa.tanh %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: np.tanh(v["a"])),
    ("sigmoid", [("a", (5,), True, normal)],
     f"%y = tosa.sigmoid %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: 1 / (1 + np.exp(-v["a"]))),
    ("reciprocal", [("a", (5,), True, positive)],
     f"%y = tosa.reciprocal %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: 1 / v["a"]),
    ("rsqrt", [("a", (5,), True, positive)],
     f"%y = tosa.rsqrt %a : ({T((5,))}) -> {T((5,))}", (5,),
     lambda v: 1 / np.sqrt(v["a"])),
    ("abs", [("a", (6,), True, lambda *s: away_from([0.0], *s))],
     f"%y = tosa.abs %a : ({T((6,))}) -> {T((6,))}", (6,),
     lambda v: np.abs(v["a"])),
    ("relu", [("a", (4, 3), True, lambda *s: away_from([0.0], *s))],
     f"%y = tosa.clamp %a {{max_fp = 0x7F800000 : f32, max_int = "
     f"9223372036854775807 : i64, min_fp = 0.0 : f32, min_int = 0 : i64}} : "
     f"({T((4, 3))}) -> {T((4, 3))}", (4, 3),
     lambda v: np.maximum(v["a"], 0)),
    ("clamp", [("a", (4, 3), True, lambda *s: away_from([-0.5, 0.5], *s))],
     f"%y = tosa.clamp %a {{max_fp = 0.5 : f32, max_int = 0 : i64, min_fp = "
     f"-0.5 : f32, min_int = 0 : i64}} : ({T((4, 3))}) -> {T((4, 3))}",
     (4, 3), lambda v: np.clip(v["a"], -0.5, 0.5)),
    ("reshape", [("a", (4, 3), True, normal)],
     f"%y = tosa.reshape %a {{new_shape = array<i64: 2, 6>}} : ({T((4, 3))}) "
     f"-> {T((2, 6))}", (2, 6), lambda v: v["a"].reshape(2, 6)),
    ("transpose", [("a", (2, 3, 4), True, normal)],
     f"%perm = \"tosa.const\"() <{{value = dense<[2, 0, 1]> : tensor<3xi32>}}>"
     f" : () -> tensor<3xi32>\n  %y = tosa.transpose %a, %perm : "
     f"({T((2, 3, 4))}, tensor<3xi32>) -> {T((4, 2, 3))}", (4, 2, 3),
     lambda v: v["a"].transpose(2, 0, 1)),
    ("slice", [("a", (4, 5), True, normal)],
     f"%y = tosa.slice %a {{size = array<i64: 2, 3>, start = array<i64: 1, 2>}}"
     f" : ({T((4, 5))}) -> {T((2, 3))}", (2, 3), lambda v: v["a"][1:3, 2:5]),
    ("concat", [("a", (2, 3), True, normal), ("b", (2, 1), True, normal)],
     f"%y = tosa.concat %a, %b {{axis = 1 : i32}} : ({T((2, 3))}, {T((2, 1))})"
     f" -> {T((2, 4))}", (2, 4),
     lambda v: np.concatenate([v["a"], v["b"]], 1)),
    ("reduce_sum", [("a", (3, 4, 2), True, normal)],
     f"%y = tosa.reduce_sum %a {{axis = 1 : i32}} : ({T((3, 4, 2))}) -> "
     f"{T((3, 1, 2))}", (3, 1, 2), lambda v: v["a"].sum(1, keepdims=True)),
    ("reduce_max", [("a", (3, 4), True, distinct)],
     f"%y = tosa.reduce_max %a {{axis = 1 : i32}} : ({T((3, 4))}) -> "
     f"{T((3, 1))}", (3, 1), lambda v: v["a"].max(1, keepdims=True)),
    ("matmul", [("a", (2, 4, 5), True, normal), ("b", (2, 5, 3), True, normal)],
     f"%y = tosa.matmul %a, %b : ({T((2, 4, 5))}, {T((2, 5, 3))}) -> "
     f"{T((2, 4, 3))}", (2, 4, 3), lambda v: v["a"] @ v["b"]),
    ("fully_connected", [("x", (4, 5), True, normal), ("w", (3, 5), True, normal),
                         ("bias", (3,), True, normal)],
     f"%y = tosa.fully_connected %x, %w, %bias : ({T((4, 5))}, {T((3, 5))}, "
     f"{T((3,))}) -> {T((4, 3))}", (4, 3),
     lambda v: v["x"] @ v["w"].T + v["bias"]),
    # The importer's softmax: max-shifted exp, normalized by a reciprocal.
    ("softmax", [("a", (3, 5), True, normal)],
     "\n  ".join([
         f"%m = tosa.reduce_max %a {{axis = 1 : i32}} : ({T((3, 5))}) -> {T((3, 1))}",
         f"%s = tosa.sub %a, %m : ({T((3, 5))}, {T((3, 1))}) -> {T((3, 5))}",
         f"%e = tosa.exp %s : ({T((3, 5))}) -> {T((3, 5))}",
         f"%z = tosa.reduce_sum %e {{axis = 1 : i32}} : ({T((3, 5))}) -> {T((3, 1))}",
         f"%iz = tosa.reciprocal %z : ({T((3, 1))}) -> {T((3, 1))}",
         f"%y = tosa.mul %e, %iz {{shift = 0 : i8}} : ({T((3, 5))}, {T((3, 1))}) -> {T((3, 5))}"]),
     (3, 5), lambda v: np.exp(v["a"]) / np.exp(v["a"]).sum(1, keepdims=True)),
    ("conv2d_pad", [("x", (2, 5, 6, 3), True, normal),
                    ("w", (4, 3, 3, 3), True, normal), ("b", (4,), True, normal)],
     f"%y = tosa.conv2d %x, %w, %b {{dilation = array<i64: 1, 1>, pad = "
     f"array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}} : ({T((2, 5, 6, 3))}, "
     f"{T((4, 3, 3, 3))}, {T((4,))}) -> {T((2, 5, 6, 4))}", (2, 5, 6, 4),
     lambda v: conv2d(v["x"], v["w"], v["b"], (1, 1, 1, 1), 1)),
    ("conv2d_dilated_uneven_pad", [("x", (1, 7, 6, 2), True, normal),
                                   ("w", (3, 2, 3, 2), True, normal),
                                   ("b", (3,), True, normal)],
     f"%y = tosa.conv2d %x, %w, %b {{dilation = array<i64: 2, 2>, pad = "
     f"array<i64: 0, 1, 2, 0>, stride = array<i64: 1, 1>}} : ({T((1, 7, 6, 2))}, "
     f"{T((3, 2, 3, 2))}, {T((3,))}) -> {T((1, 6, 4, 3))}", (1, 6, 4, 3),
     lambda v: conv2d(v["x"], v["w"], v["b"], (0, 1, 2, 0), 2)),
    # Stride 2 on an odd extent: the last input row is never read.
    ("conv2d_stride2", [("x", (2, 7, 6, 3), True, normal),
                        ("w", (4, 3, 3, 3), True, normal),
                        ("b", (4,), True, normal)],
     f"%y = tosa.conv2d %x, %w, %b {{dilation = array<i64: 1, 1>, pad = "
     f"array<i64: 1, 0, 1, 1>, stride = array<i64: 2, 2>}} : ({T((2, 7, 6, 3))}, "
     f"{T((4, 3, 3, 3))}, {T((4,))}) -> {T((2, 3, 3, 4))}", (2, 3, 3, 4),
     lambda v: conv2d(v["x"], v["w"], v["b"], (1, 0, 1, 1), 1, 2)),
    ("max_pool2d", [("x", (2, 4, 6, 3), True, distinct)],
     f"%y = tosa.max_pool2d %x {{kernel = array<i64: 2, 2>, pad = array<i64: 0,"
     f" 0, 0, 0>, stride = array<i64: 2, 2>}} : ({T((2, 4, 6, 3))}) -> "
     f"{T((2, 2, 3, 3))}", (2, 2, 3, 3), lambda v: pool2x2(v["x"], np.max)),
    ("avg_pool2d", [("x", (2, 4, 6, 3), True, normal)],
     f"%y = tosa.avg_pool2d %x {{acc_type = f32, kernel = array<i64: 2, 2>, "
     f"pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}} : "
     f"({T((2, 4, 6, 3))}) -> {T((2, 2, 3, 3))}", (2, 2, 3, 3),
     lambda v: pool2x2(v["x"], np.mean)),
    # An input that is not a parameter, and a parameter the loss ignores
    # (its gradient is zero).
    # GELU's erf, over a range where its derivative varies (|x| up to ~3).
    ("erf", [("a", (7,), True, lambda *s: 1.5 * normal(*s))],
     f"%y = tosa.erf %a : ({T((7,))}) -> {T((7,))}", (7,),
     lambda v: np.vectorize(math.erf)(v["a"])),
    ("inputs_and_unused", [("x", (4,), False, normal), ("w", (4,), True, normal),
                           ("unused", (2,), True, normal)],
     f"%y = tosa.mul %x, %w {{shift = 0 : i8}} : ({T((4,))}, {T((4,))}) -> "
     f"{T((4,))}", (4,), lambda v: v["x"] * v["w"]),
]


def build_mlir(args, body, yshape):
    n = int(np.prod(yshape))
    params = []
    for name, shape, is_param, _ in args:
        attrs = f'ipuc.name = "{name}"' + (", ipuc.param" if is_param else "")
        params.append(f"%{name}: {T(shape)} {{{attrs}}}")
    params.append(f'%r: {T(yshape)} {{ipuc.name = "r"}}')
    return "\n".join([
        f"func.func @main({', '.join(params)}) -> "
        f"({T((1,))} {{ipuc.name = \"loss\"}}) {{",
        f"  {body}",
        f"  %weighted = tosa.mul %y, %r {{shift = 0 : i8}} : ({T(yshape)}, "
        f"{T(yshape)}) -> {T(yshape)}",
        f"  %flat = tosa.reshape %weighted {{new_shape = array<i64: {n}>}} : "
        f"({T(yshape)}) -> {T((n,))}",
        f"  %loss = tosa.reduce_sum %flat {{axis = 0 : i32}} : ({T((n,))}) -> "
        f"{T((1,))}",
        f"  return %loss : {T((1,))}",
        "}", ""])


def central_differences(forward, values, name):
    grad = np.zeros_like(values[name])
    for i in np.ndindex(*grad.shape):
        plus = {k: v.copy() for k, v in values.items()}
        minus = {k: v.copy() for k, v in values.items()}
        plus[name][i] += H
        minus[name][i] -= H
        grad[i] = (forward(plus) - forward(minus)) / (2 * H)
    return grad


def main():
    work = sys.argv[1]
    failed = False
    for name, args, body, yshape, forward in CASES:
        # Inputs are rounded to f32 first, so NumPy sees what ipu-run sees.
        values = {a: sampler(*shape).astype(np.float32).astype(np.float64)
                  for a, shape, _, sampler in args}
        values["r"] = normal(*yshape).astype(np.float32).astype(np.float64)

        def loss(v):
            return float(np.sum(forward(v) * v["r"]))

        outputs = compile_and_run(os.path.join(work, name),
                                  build_mlir(args, body, yshape), values)
        ok = np.allclose(outputs["loss"], loss(values), RTOL, ATOL)
        if not ok:
            print(f"MISMATCH {name} loss: {outputs['loss']} vs {loss(values)}")
        for a, shape, is_param, _ in args:
            if not is_param:
                continue
            want = central_differences(loss, values, a)
            got = outputs[f"grad_{a}"]
            if got.shape != want.shape or not np.allclose(got, want, RTOL,
                                                          ATOL):
                ok = False
                print(f"MISMATCH {name} grad_{a}:\n{got}\nvs\n{want}")
        print(f"{name} {'ok' if ok else 'FAILED'}")
        failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
