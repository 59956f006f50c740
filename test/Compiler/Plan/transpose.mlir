// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// linalg.transpose and linalg.broadcast are Generic kernels whose input
// strides encode the permutation / the broadcast.
func.func @main(%x: tensor<2x3x4xf32>, %v: tensor<3xf32>) -> (tensor<4x2x3xf32>, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<4x2x3xf32>
  %t = linalg.transpose ins(%x : tensor<2x3x4xf32>) outs(%e : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %e2 = tensor.empty() : tensor<2x3xf32>
  %b = linalg.broadcast ins(%v : tensor<3xf32>) outs(%e2 : tensor<2x3xf32>) dimensions = [0]
  return %t, %b : tensor<4x2x3xf32>, tensor<2x3xf32>
}

// CHECK: kernel 0 linalg.transpose
// CHECK-NEXT: loop_bounds [4, 2, 3]
// CHECK-NEXT: iterators [parallel, parallel, parallel]
// CHECK-NEXT: in0 = %0[offset 0, strides [1, 12, 4]]
// CHECK-NEXT: out0 = %2[offset 0, strides [6, 3, 1]]
// CHECK-NOT: init
// CHECK: Yield out0 = r0
// CHECK: kernel 1 linalg.broadcast
// CHECK-NEXT: loop_bounds [2, 3]
// CHECK: in0 = %1[offset 0, strides [0, 1]]
// CHECK-NEXT: out0 = %3[offset 0, strides [3, 1]]
