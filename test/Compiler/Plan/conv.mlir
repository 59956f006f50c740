// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// NHWC/FHWC convolutions become Conv2D kernels (padding is a separate
// tensor.pad); the bias-initialized accumulator is the init.
func.func @main(%x: tensor<1x6x6x2xf32>, %w: tensor<3x3x3x2xf32>, %acc: tensor<1x2x2x3xf32>,
                %wh: tensor<3x3x2x3xf32>) -> (tensor<1x2x2x3xf32>, tensor<1x4x4x3xf32>) {
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x6x6x2xf32>, tensor<3x3x3x2xf32>) outs(%acc : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %e = tensor.empty() : tensor<1x4x4x3xf32>
  // HWCF filters have no dedicated kernel: a Generic with a linear window map.
  %h = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %wh : tensor<1x6x6x2xf32>, tensor<3x3x2x3xf32>) outs(%e : tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  return %c, %h : tensor<1x2x2x3xf32>, tensor<1x4x4x3xf32>
}

// CHECK: kernel 0 linalg.conv_2d_nhwc_fhwc
// CHECK-NEXT: conv2d %4 = %0 * %1 + %2 input [1x6x6x2] filter [3x3x3] out [2x2] stride [2, 2] dilation [1, 1] groups 1
// CHECK: kernel 1 linalg.conv_2d_nhwc_hwcf
// CHECK-NEXT: loop_bounds [1, 4, 4, 3, 3, 3, 2]
// CHECK-NEXT: iterators [parallel, parallel, parallel, parallel, reduction, reduction, reduction]
// CHECK-NEXT: in0 = %0[offset 0, strides [72, 12, 2, 0, 12, 2, 1]]
// CHECK-NEXT: in1 = %3[offset 0, strides [0, 0, 0, 1, 18, 6, 3]]
// CHECK-NEXT: out0 = %5[offset 0, strides [48, 12, 3, 1, 0, 0, 0]]
// CHECK-NOT: init
