#!/usr/bin/python3
"""Writes a tosa model whose matmul rhs is a constant (a weight):

  matmul_const_weight.py BATCH M K N SEED > model.mlir

y = x @ W with x an f32[BATCH, M, K] input and W an f32[BATCH, K, N] constant
of seeded normal values (non-splat, so a wrong home mapping of its blocks
changes the result).
"""
import sys

import numpy as np


def main():
    b, m, k, n, seed = map(int, sys.argv[1:6])
    w = np.random.default_rng(seed).standard_normal((b, k, n)).astype(np.float32)
    values = ", ".join(repr(float(v)) for v in w.ravel())
    print(f"""func.func @main(%x: tensor<{b}x{m}x{k}xf32>) -> (tensor<{b}x{m}x{n}xf32> {{ipuc.name = "y"}}) {{
  %w = "tosa.const"() {{value = dense<[{values}]> : tensor<{b * k * n}xf32>}} : () -> tensor<{b * k * n}xf32>
  %w3 = tosa.reshape %w {{new_shape = array<i64: {b}, {k}, {n}>}} : (tensor<{b * k * n}xf32>) -> tensor<{b}x{k}x{n}xf32>
  %y = tosa.matmul %x, %w3 : (tensor<{b}x{m}x{k}xf32>, tensor<{b}x{k}x{n}xf32>) -> tensor<{b}x{m}x{n}xf32>
  return %y : tensor<{b}x{m}x{n}xf32>
}}""")


if __name__ == "__main__":
    main()
