// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// A transpose read only by tensor.pad (NCHW -> NHWC before a padded conv)
// gets no kernel: the pad's copy reads the transpose's input through the
// permuted strides. A transpose with another reader keeps its kernel.
func.func @main(%x: tensor<2x3x4x5xf32>) -> (tensor<2x6x7x3xf32>, tensor<2x4x5x3xf32>, tensor<2x6x7x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x5x3xf32>
  %t = linalg.transpose ins(%x : tensor<2x3x4x5xf32>) outs(%e : tensor<2x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x4x5x3xf32> to tensor<2x6x7x3xf32>
  %t2 = linalg.transpose ins(%x : tensor<2x3x4x5xf32>) outs(%e : tensor<2x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %p2 = tensor.pad %t2 low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x4x5x3xf32> to tensor<2x6x7x3xf32>
  return %p, %t2, %p2 : tensor<2x6x7x3xf32>, tensor<2x4x5x3xf32>, tensor<2x6x7x3xf32>
}

// Input strides [60, 20, 5, 1] permuted by [0, 2, 3, 1]: [60, 5, 1, 20].
// CHECK: kernel 0 tensor.pad
// CHECK-NEXT: fill %1 = 0
// CHECK: kernel 1 tensor.pad
// CHECK-NEXT: copy %1[offset 24, strides [126, 21, 3, 1]] = %0[offset 0, strides [60, 5, 1, 20]] sizes [2, 4, 5, 3]
// The second transpose is also an output, so it is a kernel of its own and
// its pad reads its result.
// CHECK: kernel 2 linalg.transpose
// CHECK: kernel 3 tensor.pad
// CHECK: kernel 4 tensor.pad
// CHECK-NEXT: copy %{{[0-9]+}}[offset 24, strides [126, 21, 3, 1]] = %[[T2:[0-9]+]][offset 0, strides [60, 15, 3, 1]] sizes [2, 4, 5, 3]
