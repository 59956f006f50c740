// RUN: ipu-opt %s --split-input-file --ipuc-host-conv-backward-filter | FileCheck %s

// Autodiff's weight gradient of a 3x3, pad-1 conv over NCHW x and g: x and g
// transposed to [C, H, W, N] / [O, OH, OW, N], x padded, convolved into
// zeros, transposed back to OIHW. It becomes one marked generic reading g in
// NCHW and writing OIHW through its maps; x is put into NHWC order (a
// transpose the emitter folds into the pad's copy) and padded.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 + d1, d6 + d2, d3)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d3, d1, d2)>
// CHECK-LABEL: func.func @autodiff_form
// CHECK-SAME: (%[[XA:.*]]: tensor<2x3x5x5xf32>, %[[GA:.*]]: tensor<2x4x5x5xf32>)
// CHECK: %[[XN:.*]] = linalg.transpose ins(%[[XA]] : tensor<2x3x5x5xf32>) outs(%{{.*}} : tensor<2x5x5x3xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[XP:.*]] = tensor.pad %[[XN]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x3x3x3xf32>)
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[G]], #[[W]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[XP]], %[[GA]] : tensor<2x7x7x3xf32>, tensor<2x4x5x5xf32>) outs(%[[Z]] : tensor<4x3x3x3xf32>)
// CHECK-SAME: ipuc.conv_backward_filter = array<i64: 1, 1, 1, 1>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
// CHECK: return %[[DW]]
func.func @autodiff_form(%x: tensor<2x3x5x5xf32>, %g: tensor<2x4x5x5xf32>) -> tensor<4x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<3x5x5x2xf32>
  %xt = linalg.transpose ins(%x : tensor<2x3x5x5xf32>) outs(%e0 : tensor<3x5x5x2xf32>) permutation = [1, 2, 3, 0]
  %xp = tensor.pad %xt low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<3x5x5x2xf32> to tensor<3x7x7x2xf32>
  %e1 = tensor.empty() : tensor<4x5x5x2xf32>
  %gt = linalg.transpose ins(%g : tensor<2x4x5x5xf32>) outs(%e1 : tensor<4x5x5x2xf32>) permutation = [1, 2, 3, 0]
  %e2 = tensor.empty() : tensor<3x3x3x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xp, %gt : tensor<3x7x7x2xf32>, tensor<4x5x5x2xf32>) outs(%z : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %e3 = tensor.empty() : tensor<4x3x3x3xf32>
  %dw = linalg.transpose ins(%c : tensor<3x3x3x4xf32>) outs(%e3 : tensor<4x3x3x3xf32>) permutation = [3, 0, 1, 2]
  return %dw : tensor<4x3x3x3xf32>
}

// -----

// Forward stride 2 (the conv's dilation) and dilation 2 (its stride), NHWC x
// (already in the kernel's order: no transpose), a slice of the rows an
// uneven stride adds, and no final transpose.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d1 * 2, d6 * 2 + d2 * 2, d3)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d1, d2, d0)>
// CHECK-LABEL: func.func @strided_sliced
// CHECK-SAME: (%[[XA:.*]]: tensor<2x11x11x3xf32>, %[[GA:.*]]: tensor<2x4x4x4xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[G]], #[[W]]]
// CHECK-SAME: ins(%[[XA]], %[[GA]] : tensor<2x11x11x3xf32>, tensor<2x4x4x4xf32>) outs(%{{.*}} : tensor<3x2x2x4xf32>)
// CHECK-SAME: ipuc.conv_backward_filter = array<i64: 2, 2, 2, 2>
// CHECK-NOT: tensor.extract_slice
func.func @strided_sliced(%x: tensor<2x11x11x3xf32>, %g: tensor<2x4x4x4xf32>) -> tensor<3x2x2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<3x11x11x2xf32>
  %xt = linalg.transpose ins(%x : tensor<2x11x11x3xf32>) outs(%e0 : tensor<3x11x11x2xf32>) permutation = [3, 1, 2, 0]
  %e1 = tensor.empty() : tensor<4x4x4x2xf32>
  %gt = linalg.transpose ins(%g : tensor<2x4x4x4xf32>) outs(%e1 : tensor<4x4x4x2xf32>) permutation = [3, 1, 2, 0]
  %e2 = tensor.empty() : tensor<3x3x3x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e2 : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<2> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%xt, %gt : tensor<3x11x11x2xf32>, tensor<4x4x4x2xf32>) outs(%z : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %s = tensor.extract_slice %c[0, 0, 0, 0] [3, 2, 2, 4] [1, 1, 1, 1] : tensor<3x3x3x4xf32> to tensor<3x2x2x4xf32>
  return %s : tensor<3x2x2x4xf32>
}

// -----

// Negative: an ordinary forward convolution (3x3 window, 4x4 output) keeps
// the forward Conv2D kernel.
// CHECK-LABEL: func.func @forward
// CHECK: linalg.conv_2d_nhwc_fhwc
// CHECK-NOT: ipuc.conv_backward_filter
func.func @forward(%x: tensor<2x6x6x3xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<2x6x6x3xf32>, tensor<4x3x3x3xf32>) outs(%z : tensor<2x4x4x4xf32>) -> tensor<2x4x4x4xf32>
  return %c : tensor<2x4x4x4xf32>
}

// -----

// Negative: accumulating into a non-zero init (the kernel overwrites).
// CHECK-LABEL: func.func @nonzero_init
// CHECK: linalg.conv_2d_nhwc_fhwc
// CHECK-NOT: ipuc.conv_backward_filter
func.func @nonzero_init(%x: tensor<3x5x5x2xf32>, %g: tensor<4x5x5x2xf32>, %acc: tensor<3x1x1x4xf32>) -> tensor<3x1x1x4xf32> {
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %g : tensor<3x5x5x2xf32>, tensor<4x5x5x2xf32>) outs(%acc : tensor<3x1x1x4xf32>) -> tensor<3x1x1x4xf32>
  return %c : tensor<3x1x1x4xf32>
}

// -----

// Negative: f16 has no backward-filter kernel.
// CHECK-LABEL: func.func @half
// CHECK: linalg.conv_2d_nhwc_fhwc
// CHECK-NOT: ipuc.conv_backward_filter
func.func @half(%x: tensor<3x5x5x2xf16>, %g: tensor<4x5x5x2xf16>) -> tensor<3x1x1x4xf16> {
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<3x1x1x4xf16>
  %z = linalg.fill ins(%zero : f16) outs(%e : tensor<3x1x1x4xf16>) -> tensor<3x1x1x4xf16>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %g : tensor<3x5x5x2xf16>, tensor<4x5x5x2xf16>) outs(%z : tensor<3x1x1x4xf16>) -> tensor<3x1x1x4xf16>
  return %c : tensor<3x1x1x4xf16>
}
