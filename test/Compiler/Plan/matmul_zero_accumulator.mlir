// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Fills that stay tensors and kernels although matmuls read them as
// accumulators: a +0 fill also returned (read by something other than a
// matmul), a -0 fill (-0 + -0 is -0, so starting from +0 would differ) and a
// fill of 1. Their matmuls read them as init.
func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %e: tensor<4x3xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %negzero = arith.constant -0.0 : f32
  %one = arith.constant 1.0 : f32
  %empty = tensor.empty() : tensor<2x4xf32>
  %kept = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%kept : tensor<2x4xf32>) -> tensor<2x4xf32>
  %neg = linalg.fill ins(%negzero : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mmn = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%neg : tensor<2x4xf32>) -> tensor<2x4xf32>
  %ones = linalg.fill ins(%one : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mmo = linalg.matmul_transpose_b ins(%a, %e : tensor<2x3xf32>, tensor<4x3xf32>) outs(%ones : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %mm, %kept, %mmn, %mmo : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK: kernel 0 linalg.fill
// CHECK-NEXT: fill %3 = 0
// CHECK: kernel 1 linalg.matmul
// CHECK-NEXT: matmul %4 = %0 x %1 + %3
// CHECK: kernel 2 linalg.fill
// CHECK-NEXT: fill %5 = 0
// CHECK: kernel 3 linalg.matmul
// CHECK-NEXT: matmul %6 = %0 x %1 + %5
// CHECK: kernel 4 linalg.fill
// CHECK-NEXT: fill %7 = 1
// CHECK: kernel 5 linalg.matmul_transpose_b
// CHECK-NEXT: matmul %8 = %0 x %2^T + %7
