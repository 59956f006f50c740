// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// linalg.matmul and linalg.batch_matmul (and their transposed forms) become
// MatMul kernels.
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

// The +0 fill is read only as matmul accumulators: no tensor and no fill
// kernel, and each matmul starts from zero (no init), as does one with an
// empty accumulator (matmul_zero_accumulator.mlir has the fills that stay).
// CHECK-NOT: linalg.fill
// CHECK: kernel 0 linalg.matmul
// CHECK-NEXT: matmul %5 = %0 x %1 batch 1 (strides 0, 0) m 2 n 4 k 3
// CHECK: kernel 1 linalg.batch_matmul
// CHECK-NEXT: matmul %6 = %2 x %3 batch 5 (strides 6, 12) m 2 n 4 k 3
// CHECK: kernel 2 linalg.matmul_transpose_b
// CHECK-NEXT: matmul %7 = %0 x %4^T batch 1 (strides 0, 0) m 2 n 4 k 3
// CHECK-NOT: kernel 3
