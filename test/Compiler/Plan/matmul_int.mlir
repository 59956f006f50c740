// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Integer and mixed-type matmuls have no MatMul kernel: they fall back to a
// Generic kernel with a reduction loop over k.
func.func @main(%a: tensor<2x3xi8>, %b: tensor<3x4xi8>) -> tensor<2x4xi32> {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2x4xi32>
  %f = linalg.fill ins(%zero : i32) outs(%e : tensor<2x4xi32>) -> tensor<2x4xi32>
  %mm = linalg.matmul ins(%a, %b : tensor<2x3xi8>, tensor<3x4xi8>) outs(%f : tensor<2x4xi32>) -> tensor<2x4xi32>
  return %mm : tensor<2x4xi32>
}

// CHECK: kernel 1 linalg.matmul
// CHECK-NEXT: loop_bounds [2, 4, 3]
// CHECK-NEXT: iterators [parallel, parallel, reduction]
// CHECK-NEXT: in0 = %0[offset 0, strides [3, 0, 1]]
// CHECK-NEXT: in1 = %1[offset 0, strides [0, 1, 4]]
// CHECK-NEXT: out0 = %3[offset 0, strides [4, 1, 0]] init %2
// CHECK: ExtSI r0
// CHECK: ExtSI r1
// CHECK: MulI
// CHECK: AddI
