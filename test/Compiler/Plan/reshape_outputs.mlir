// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Reshapes alias their source tensor. A reshaped view of an intermediate is
// returned in place; returned values that are inputs, constants or already
// returned get an output Copy.
func.func @main(%x: tensor<2x3xf32> {ipuc.name = "x"}) -> (tensor<6xf32> {ipuc.name = "flat"},
    tensor<2x3xf32> {ipuc.name = "same"}, tensor<2xi32> {ipuc.name = "k"},
    tensor<2x3xf32> {ipuc.name = "neg"}, tensor<2x3xf32> {ipuc.name = "neg_again"}, tensor<1x2x3xf32>) {
  %k = arith.constant dense<[7, -1]> : tensor<2xi32>
  %e = tensor.empty() : tensor<2x3xf32>
  %n = linalg.negf ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %flat = tensor.collapse_shape %n [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %back = tensor.expand_shape %flat [[0, 1, 2]] output_shape [1, 2, 3] : tensor<6xf32> into tensor<1x2x3xf32>
  return %flat, %x, %k, %n, %n, %back : tensor<6xf32>, tensor<2x3xf32>, tensor<2xi32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2x3xf32>
}

// The first return of %n is through its reshape %flat: the tensor is the
// output "flat" itself, with the returned shape, and negf writes it in place.
// CHECK: %0 = tensor "x" f32[2x3] input
// CHECK: %1 = tensor "c1" i32[2] constant
// CHECK: %2 = tensor "flat" f32[6] output
// CHECK: %5 = tensor "neg" f32[2x3] output
// CHECK: %7 = tensor "output5" f32[1x2x3] output
// CHECK: kernel 0 linalg.negf
// CHECK: out0 = %2[offset 0, strides [3, 1]]
// CHECK: kernel 1 output copy
// CHECK-NEXT: copy %3[{{.*}}] = %0[
// CHECK: kernel 2 output copy
// CHECK-NEXT: copy %4[{{.*}}] = %1[
// CHECK: kernel 3 output copy
// CHECK-NEXT: copy %5[offset 0, strides [3, 1]] = %2[offset 0, strides [3, 1]] sizes [2, 3]
// CHECK: kernel 4 output copy
// CHECK-NEXT: copy %6[{{.*}}] = %2[
// CHECK: kernel 5 output copy
// CHECK-NEXT: copy %7[offset 0, strides [6, 3, 1]] = %2[offset 0, strides [6, 3, 1]] sizes [1, 2, 3]
// CHECK-NOT: kernel
