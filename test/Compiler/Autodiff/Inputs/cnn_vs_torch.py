#!/usr/bin/python3
"""The gradients of a small CNN's MSE loss, against PyTorch autograd.

The network of examples/cnn.onnx (3x3 conv 3->8, ReLU, 2x2 max pool, 3x3
conv 8->16, ReLU, global average pool, linear 16->10) in the tosa the
importer emits for it (NCHW<->NHWC transposes around each conv and pool,
OIHW weights transposed to OHWI), at batch 2, with every weight and bias an
`ipuc.param` argument, followed by the mean squared error against targets.
ipuc's loss and gradients (f32, via ipu-run) are compared with
torch.autograd in float64: rtol 1e-4, atol 1e-6.

    cnn_vs_torch.py WORK_DIR
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autodiff_harness import check_against, compile_and_run  # noqa: E402

RTOL, ATOL = 1e-4, 1e-6
RELU = ("{max_fp = 0x7F800000 : f32, max_int = 9223372036854775807 : i64, "
        "min_fp = 0.000000e+00 : f32, min_int = -9223372036854775808 : i64}")
MLIR = f"""
func.func @main(%image: tensor<2x3x32x32xf32> {{ipuc.name = "image"}},
                %targets: tensor<2x10xf32> {{ipuc.name = "targets"}},
                %w1: tensor<8x3x3x3xf32> {{ipuc.name = "w1", ipuc.param}},
                %b1: tensor<8xf32> {{ipuc.name = "b1", ipuc.param}},
                %w2: tensor<16x8x3x3xf32> {{ipuc.name = "w2", ipuc.param}},
                %b2: tensor<16xf32> {{ipuc.name = "b2", ipuc.param}},
                %w3: tensor<10x16xf32> {{ipuc.name = "w3", ipuc.param}},
                %b3: tensor<1x10xf32> {{ipuc.name = "b3", ipuc.param}})
    -> (tensor<1xf32> {{ipuc.name = "loss"}}) {{
  %nhwc = "tosa.const"() <{{value = dense<[0, 2, 3, 1]> : tensor<4xi32>}}> : () -> tensor<4xi32>
  %nchw = "tosa.const"() <{{value = dense<[0, 3, 1, 2]> : tensor<4xi32>}}> : () -> tensor<4xi32>
  %7 = tosa.transpose %image, %nhwc : (tensor<2x3x32x32xf32>, tensor<4xi32>) -> tensor<2x32x32x3xf32>
  %9 = tosa.transpose %w1, %nhwc : (tensor<8x3x3x3xf32>, tensor<4xi32>) -> tensor<8x3x3x3xf32>
  %10 = tosa.conv2d %7, %9, %b1 {{dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}} : (tensor<2x32x32x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<2x32x32x8xf32>
  %12 = tosa.transpose %10, %nchw : (tensor<2x32x32x8xf32>, tensor<4xi32>) -> tensor<2x8x32x32xf32>
  %13 = tosa.clamp %12 {RELU} : (tensor<2x8x32x32xf32>) -> tensor<2x8x32x32xf32>
  %15 = tosa.transpose %13, %nhwc : (tensor<2x8x32x32xf32>, tensor<4xi32>) -> tensor<2x32x32x8xf32>
  %16 = tosa.max_pool2d %15 {{kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}} : (tensor<2x32x32x8xf32>) -> tensor<2x16x16x8xf32>
  %18 = tosa.transpose %16, %nchw : (tensor<2x16x16x8xf32>, tensor<4xi32>) -> tensor<2x8x16x16xf32>
  %20 = tosa.transpose %18, %nhwc : (tensor<2x8x16x16xf32>, tensor<4xi32>) -> tensor<2x16x16x8xf32>
  %22 = tosa.transpose %w2, %nhwc : (tensor<16x8x3x3xf32>, tensor<4xi32>) -> tensor<16x3x3x8xf32>
  %23 = tosa.conv2d %20, %22, %b2 {{dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}} : (tensor<2x16x16x8xf32>, tensor<16x3x3x8xf32>, tensor<16xf32>) -> tensor<2x16x16x16xf32>
  %25 = tosa.transpose %23, %nchw : (tensor<2x16x16x16xf32>, tensor<4xi32>) -> tensor<2x16x16x16xf32>
  %26 = tosa.clamp %25 {RELU} : (tensor<2x16x16x16xf32>) -> tensor<2x16x16x16xf32>
  %27 = tosa.reduce_sum %26 {{axis = 2 : i32}} : (tensor<2x16x16x16xf32>) -> tensor<2x16x1x16xf32>
  %28 = tosa.reduce_sum %27 {{axis = 3 : i32}} : (tensor<2x16x1x16xf32>) -> tensor<2x16x1x1xf32>
  %29 = "tosa.const"() <{{value = dense<3.906250e-03> : tensor<1x1x1x1xf32>}}> : () -> tensor<1x1x1x1xf32>
  %30 = tosa.mul %28, %29 {{shift = 0 : i8}} : (tensor<2x16x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<2x16x1x1xf32>
  %31 = tosa.reshape %30 {{new_shape = array<i64: 2, 16>}} : (tensor<2x16x1x1xf32>) -> tensor<2x16xf32>
  %32 = "tosa.const"() <{{value = dense<[1, 0]> : tensor<2xi32>}}> : () -> tensor<2xi32>
  %33 = tosa.transpose %w3, %32 : (tensor<10x16xf32>, tensor<2xi32>) -> tensor<16x10xf32>
  %34 = tosa.reshape %33 {{new_shape = array<i64: 1, 16, 10>}} : (tensor<16x10xf32>) -> tensor<1x16x10xf32>
  %35 = tosa.reshape %31 {{new_shape = array<i64: 1, 2, 16>}} : (tensor<2x16xf32>) -> tensor<1x2x16xf32>
  %36 = tosa.matmul %35, %34 : (tensor<1x2x16xf32>, tensor<1x16x10xf32>) -> tensor<1x2x10xf32>
  %37 = tosa.reshape %36 {{new_shape = array<i64: 2, 10>}} : (tensor<1x2x10xf32>) -> tensor<2x10xf32>
  %logits = tosa.add %37, %b3 : (tensor<2x10xf32>, tensor<1x10xf32>) -> tensor<2x10xf32>
  %err = tosa.sub %logits, %targets : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<2x10xf32>
  %sq = tosa.mul %err, %err {{shift = 0 : i8}} : (tensor<2x10xf32>, tensor<2x10xf32>) -> tensor<2x10xf32>
  %flat = tosa.reshape %sq {{new_shape = array<i64: 20>}} : (tensor<2x10xf32>) -> tensor<20xf32>
  %sum = tosa.reduce_sum %flat {{axis = 0 : i32}} : (tensor<20xf32>) -> tensor<1xf32>
  %scale = "tosa.const"() <{{value = dense<0.05> : tensor<1xf32>}}> : () -> tensor<1xf32>
  %loss = tosa.mul %sum, %scale {{shift = 0 : i8}} : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  return %loss : tensor<1xf32>
}}
"""


def main():
    rng = np.random.default_rng(5)
    values = {
        "image": rng.standard_normal((2, 3, 32, 32)),
        "targets": rng.standard_normal((2, 10)),
        "w1": rng.standard_normal((8, 3, 3, 3)) / 5,
        "b1": rng.standard_normal(8) * 0.1,
        "w2": rng.standard_normal((16, 8, 3, 3)) / 8,
        "b2": rng.standard_normal(16) * 0.1,
        "w3": rng.standard_normal((10, 16)) / 4,
        "b3": rng.standard_normal((1, 10)) * 0.1,
    }
    values = {k: v.astype(np.float32) for k, v in values.items()}
    outputs = compile_and_run(sys.argv[1], MLIR, values)

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k[0] in "wb")
         for k, v in values.items()}
    h = F.max_pool2d(F.relu(F.conv2d(t["image"], t["w1"], t["b1"], padding=1)),
                     2)
    h = F.relu(F.conv2d(h, t["w2"], t["b2"], padding=1)).mean((2, 3))
    logits = h @ t["w3"].T + t["b3"]
    loss = F.mse_loss(logits, t["targets"])
    loss.backward()

    grads = {n: t[n].grad.numpy() for n in ["w1", "b1", "w2", "b2", "w3", "b3"]}
    ok = check_against(outputs, loss.item(), grads, RTOL, ATOL)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
