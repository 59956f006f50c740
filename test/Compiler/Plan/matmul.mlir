// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// linalg.matmul and linalg.batch_matmul (and their transposed forms) become
// MatMul kernels whose init is the filled accumulator.
func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x2x3xf32>,
                %d: tensor<5x3x4xf32>, %e: tensor<4x3xf32>)
    -> (tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x4xf32>) -> tensor<2x4xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  %bempty = tensor.empty() : tensor<5x2x4xf32>
  %bmm = linalg.batch_matmul ins(%c, %d : tensor<5x2x3xf32>, tensor<5x3x4xf32>) outs(%bempty : tensor<5x2x4xf32>) -> tensor<5x2x4xf32>
  %mmt = linalg.matmul_transpose_b ins(%a, %e : tensor<2x3xf32>, tensor<4x3xf32>) outs(%fill : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %mm, %bmm, %mmt : tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<2x4xf32>
}

// CHECK: %5 = tensor "t5" f32[2x4] intermediate
// CHECK: kernel 0 linalg.fill loc("{{.*}}matmul.mlir:10:11")
// CHECK-NEXT: fill %5 = 0
// CHECK: kernel 1 linalg.matmul
// CHECK-NEXT: matmul %6 = %0 x %1 + %5 batch 1 (strides 0, 0) m 2 n 4 k 3
// An empty accumulator starts from zero (no init).
// CHECK: kernel 2 linalg.batch_matmul
// CHECK-NEXT: matmul %7 = %2 x %3 batch 5 (strides 6, 12) m 2 n 4 k 3
// CHECK: kernel 3 linalg.matmul_transpose_b
// CHECK-NEXT: matmul %8 = %0 x %4^T + %5 batch 1 (strides 0, 0) m 2 n 4 k 3
