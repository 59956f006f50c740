#!/usr/bin/python3
"""The gradients of an MLP's cross-entropy loss, against PyTorch autograd.

The MLP is examples/mlp.onnx's network (64 -> 128 ReLU -> 10 softmax, batch
8) written in the tosa the importer emits for it (transposed weights
reshaped for a batched matmul, [1, n] biases, the max-shifted softmax), with
its weights and biases as `ipuc.param` arguments, followed by the mean
cross entropy against one-hot labels. ipuc's loss and gradients (f32, via
ipu-run) are compared with torch.autograd on the same network in float64:
rtol 1e-4, atol 1e-6.

    mlp_vs_torch.py WORK_DIR
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from autodiff_harness import check_against, compile_and_run  # noqa: E402

RTOL, ATOL = 1e-4, 1e-6
MLIR = """
func.func @main(%x: tensor<8x64xf32> {ipuc.name = "x"},
                %labels: tensor<8x10xf32> {ipuc.name = "labels"},
                %w1: tensor<128x64xf32> {ipuc.name = "w1", ipuc.param},
                %b1: tensor<1x128xf32> {ipuc.name = "b1", ipuc.param},
                %w2: tensor<10x128xf32> {ipuc.name = "w2", ipuc.param},
                %b2: tensor<1x10xf32> {ipuc.name = "b2", ipuc.param})
    -> (tensor<1xf32> {ipuc.name = "loss"}) {
  %perm = "tosa.const"() <{value = dense<[1, 0]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %5 = tosa.transpose %w1, %perm : (tensor<128x64xf32>, tensor<2xi32>) -> tensor<64x128xf32>
  %6 = tosa.reshape %5 {new_shape = array<i64: 1, 64, 128>} : (tensor<64x128xf32>) -> tensor<1x64x128xf32>
  %7 = tosa.reshape %x {new_shape = array<i64: 1, 8, 64>} : (tensor<8x64xf32>) -> tensor<1x8x64xf32>
  %8 = tosa.matmul %7, %6 : (tensor<1x8x64xf32>, tensor<1x64x128xf32>) -> tensor<1x8x128xf32>
  %9 = tosa.reshape %8 {new_shape = array<i64: 8, 128>} : (tensor<1x8x128xf32>) -> tensor<8x128xf32>
  %11 = tosa.add %9, %b1 : (tensor<8x128xf32>, tensor<1x128xf32>) -> tensor<8x128xf32>
  %12 = tosa.clamp %11 {max_fp = 0x7F800000 : f32, max_int = 9223372036854775807 : i64, min_fp = 0.000000e+00 : f32, min_int = -9223372036854775808 : i64} : (tensor<8x128xf32>) -> tensor<8x128xf32>
  %14 = tosa.transpose %w2, %perm : (tensor<10x128xf32>, tensor<2xi32>) -> tensor<128x10xf32>
  %15 = tosa.reshape %14 {new_shape = array<i64: 1, 128, 10>} : (tensor<128x10xf32>) -> tensor<1x128x10xf32>
  %16 = tosa.reshape %12 {new_shape = array<i64: 1, 8, 128>} : (tensor<8x128xf32>) -> tensor<1x8x128xf32>
  %17 = tosa.matmul %16, %15 : (tensor<1x8x128xf32>, tensor<1x128x10xf32>) -> tensor<1x8x10xf32>
  %18 = tosa.reshape %17 {new_shape = array<i64: 8, 10>} : (tensor<1x8x10xf32>) -> tensor<8x10xf32>
  %20 = tosa.add %18, %b2 : (tensor<8x10xf32>, tensor<1x10xf32>) -> tensor<8x10xf32>
  %21 = tosa.reduce_max %20 {axis = 1 : i32} : (tensor<8x10xf32>) -> tensor<8x1xf32>
  %22 = tosa.sub %20, %21 : (tensor<8x10xf32>, tensor<8x1xf32>) -> tensor<8x10xf32>
  %23 = tosa.exp %22 : (tensor<8x10xf32>) -> tensor<8x10xf32>
  %24 = tosa.reduce_sum %23 {axis = 1 : i32} : (tensor<8x10xf32>) -> tensor<8x1xf32>
  %25 = tosa.reciprocal %24 : (tensor<8x1xf32>) -> tensor<8x1xf32>
  %probs = tosa.mul %23, %25 {shift = 0 : i8} : (tensor<8x10xf32>, tensor<8x1xf32>) -> tensor<8x10xf32>
  %logp = tosa.log %probs : (tensor<8x10xf32>) -> tensor<8x10xf32>
  %picked = tosa.mul %logp, %labels {shift = 0 : i8} : (tensor<8x10xf32>, tensor<8x10xf32>) -> tensor<8x10xf32>
  %flat = tosa.reshape %picked {new_shape = array<i64: 80>} : (tensor<8x10xf32>) -> tensor<80xf32>
  %sum = tosa.reduce_sum %flat {axis = 0 : i32} : (tensor<80xf32>) -> tensor<1xf32>
  %scale = "tosa.const"() <{value = dense<-0.125> : tensor<1xf32>}> : () -> tensor<1xf32>
  %loss = tosa.mul %sum, %scale {shift = 0 : i8} : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  return %loss : tensor<1xf32>
}
"""


def mlp_values():
    """Seeded inputs, one-hot labels and weights of the MLP, as float32."""
    rng = np.random.default_rng(11)
    values = {
        "x": rng.standard_normal((8, 64)),
        "labels": np.eye(10)[rng.integers(0, 10, 8)],
        "w1": rng.standard_normal((128, 64)) / 8,
        "b1": rng.standard_normal((1, 128)) * 0.1,
        "w2": rng.standard_normal((10, 128)) / 11,
        "b2": rng.standard_normal((1, 10)) * 0.1,
    }
    return {k: v.astype(np.float32) for k, v in values.items()}


def main():
    values = mlp_values()
    outputs = compile_and_run(sys.argv[1], MLIR, values)

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k[0] in "wb")
         for k, v in values.items()}
    hidden = torch.relu(t["x"] @ t["w1"].T + t["b1"])
    logits = hidden @ t["w2"].T + t["b2"]
    target = t["labels"].argmax(1)
    loss = torch.nn.functional.cross_entropy(logits, target)
    loss.backward()

    grads = {n: t[n].grad.numpy() for n in ["w1", "b1", "w2", "b2"]}
    ok = check_against(outputs, loss.item(), grads, RTOL, ATOL)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
