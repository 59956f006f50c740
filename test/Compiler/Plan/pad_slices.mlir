// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Data movement: tensor.pad is a Fill plus a Copy into the interior;
// slices, inserts and concats are strided Copy kernels.
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x2xf32>) -> (tensor<4x6xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x5xf32>) {
  %pv = arith.constant 1.5 : f32
  %p = tensor.pad %x low[1, 2] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %pv : f32
  } : tensor<2x3xf32> to tensor<4x6xf32>
  // Rank-reducing, strided: row 1, columns 0 and 2 ... of a 4x6 tensor.
  %s = tensor.extract_slice %p[1, 0] [1, 3] [1, 2] : tensor<4x6xf32> to tensor<3xf32>
  %ins = tensor.insert_slice %y into %x[0, 1] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<2x3xf32>
  %cat = tensor.concat dim(1) %x, %y : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  return %p, %s, %ins, %cat : tensor<4x6xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<2x5xf32>
}

// CHECK: kernel 0 tensor.pad
// CHECK-NEXT: fill %2 = 1.5
// CHECK: kernel 1 tensor.pad
// CHECK-NEXT: copy %2[offset 8, strides [6, 1]] = %0[offset 0, strides [3, 1]] sizes [2, 3]
// CHECK: kernel 2 tensor.extract_slice
// CHECK-NEXT: copy %3[offset 0, strides [3, 1]] = %2[offset 6, strides [6, 2]] sizes [1, 3]
// CHECK: kernel 3 tensor.insert_slice
// CHECK-NEXT: copy %4[offset 0, strides [3, 1]] = %0[offset 0, strides [3, 1]] sizes [2, 3]
// CHECK: kernel 4 tensor.insert_slice
// CHECK-NEXT: copy %4[offset 1, strides [3, 1]] = %1[offset 0, strides [2, 1]] sizes [2, 2]
// CHECK: kernel 5 tensor.concat
// CHECK-NEXT: copy %5[offset 0, strides [5, 1]] = %0[offset 0, strides [3, 1]] sizes [2, 3]
// CHECK: kernel 6 tensor.concat
// CHECK-NEXT: copy %5[offset 3, strides [5, 1]] = %1[offset 0, strides [2, 1]] sizes [2, 2]
