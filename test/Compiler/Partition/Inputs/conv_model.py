#!/usr/bin/python3
"""Writes a tosa model of one unpadded 2-D convolution with bias:

  conv_model.py N H W C F KH KW STRIDE DILATION SEED > model.mlir

y = conv2d(x, W) + b with x an f32[N, H, W, C] input, W an f32[F, KH, KW, C]
and b an f32[F] constant of seeded normal values (non-splat, so a wrong
block or channel range changes the result).
"""
import sys

import numpy as np


def dense(a):
    return ", ".join(repr(float(v)) for v in a.ravel())


def main():
    n, h, w, c, f, kh, kw, s, d, seed = map(int, sys.argv[1:11])
    rng = np.random.default_rng(seed)
    wt = rng.standard_normal((f, kh, kw, c)).astype(np.float32)
    bias = rng.standard_normal(f).astype(np.float32)
    oh = (h - d * (kh - 1) - 1) // s + 1
    ow = (w - d * (kw - 1) - 1) // s + 1
    print(f"""func.func @main(%x: tensor<{n}x{h}x{w}x{c}xf32>) -> (tensor<{n}x{oh}x{ow}x{f}xf32> {{ipuc.name = "y"}}) {{
  %w = "tosa.const"() {{value = dense<[{dense(wt)}]> : tensor<{wt.size}xf32>}} : () -> tensor<{wt.size}xf32>
  %w4 = tosa.reshape %w {{new_shape = array<i64: {f}, {kh}, {kw}, {c}>}} : (tensor<{wt.size}xf32>) -> tensor<{f}x{kh}x{kw}x{c}xf32>
  %b = "tosa.const"() {{value = dense<[{dense(bias)}]> : tensor<{f}xf32>}} : () -> tensor<{f}xf32>
  %y = tosa.conv2d %x, %w4, %b {{pad = array<i64: 0, 0, 0, 0>, stride = array<i64: {s}, {s}>, dilation = array<i64: {d}, {d}>}} : (tensor<{n}x{h}x{w}x{c}xf32>, tensor<{f}x{kh}x{kw}x{c}xf32>, tensor<{f}xf32>) -> tensor<{n}x{oh}x{ow}x{f}xf32>
  return %y : tensor<{n}x{oh}x{ow}x{f}xf32>
}}""")


if __name__ == "__main__":
    main()
