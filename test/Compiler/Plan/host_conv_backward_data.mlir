// RUN: ipu-opt %s --split-input-file --ipuc-host-conv-backward-data | FileCheck %s

// Autodiff's input gradient of a 3x3, pad-1 conv: the [o, kh, kw, c]
// filter flipped in kh and then kw (tosa.reverse as tosa-to-linalg lowers
// it), transposed to [c, kh, kw, o], and the output gradient padded by 1. It
// becomes one marked generic reading the unflipped filter, the flip in the
// gradient's map; the flips and the transpose are gone, the pad stays (the
// emitter folds it into the kernel).
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
// CHECK-DAG: #[[R:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @autodiff_form
// CHECK-SAME: (%[[GA:.*]]: tensor<2x5x5x8xf32>, %[[WA:.*]]: tensor<8x3x3x4xf32>)
// CHECK-NOT: tensor.extract
// CHECK-NOT: linalg.transpose
// CHECK: %[[GP:.*]] = tensor.pad %[[GA]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: %[[DX:.*]] = linalg.generic {indexing_maps = [#[[G]], #[[W]], #[[R]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[GP]], %[[WA]] : tensor<2x7x7x8xf32>, tensor<8x3x3x4xf32>)
// CHECK-SAME: ipuc.conv_backward_data = array<i64: 1, 1>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
// CHECK: return %[[DX]]
func.func @autodiff_form(%g: tensor<2x5x5x8xf32>, %w: tensor<8x3x3x4xf32>) -> tensor<2x5x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %e = tensor.empty() : tensor<8x3x3x4xf32>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<8x3x3x4xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %f1 = arith.subi %c2, %i1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %w[%i0, %f1, %i2, %i3] : tensor<8x3x3x4xf32>
    linalg.yield %v : f32
  } -> tensor<8x3x3x4xf32>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<8x3x3x4xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %f2 = arith.subi %c2, %i2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %r1[%i0, %i1, %f2, %i3] : tensor<8x3x3x4xf32>
    linalg.yield %v : f32
  } -> tensor<8x3x3x4xf32>
  %et = tensor.empty() : tensor<4x3x3x8xf32>
  %ft = linalg.transpose ins(%r2 : tensor<8x3x3x4xf32>) outs(%et : tensor<4x3x3x8xf32>) permutation = [3, 1, 2, 0]
  %gp = tensor.pad %g low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x5x5x8xf32> to tensor<2x7x7x8xf32>
  %ez = tensor.empty() : tensor<2x5x5x4xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%ez : tensor<2x5x5x4xf32>) {
  ^bb0(%out: f32):
    linalg.yield %zero : f32
  } -> tensor<2x5x5x4xf32>
  %dx = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%gp, %ft : tensor<2x7x7x8xf32>, tensor<4x3x3x8xf32>) outs(%z : tensor<2x5x5x4xf32>) -> tensor<2x5x5x4xf32>
  return %dx : tensor<2x5x5x4xf32>
}

// -----

// The flips in the other order, a 2x3 filter, dilation 2 (in the maps and
// the mark), f64, no pad.
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 * 2 + 2, d2 - d5 * 2 + 4, d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
// CHECK-LABEL: func.func @other_order_dilated
// CHECK: linalg.generic {indexing_maps = [#[[G]], #[[W]], #{{.*}}]
// CHECK-SAME: ipuc.conv_backward_data = array<i64: 2, 2>
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
func.func @other_order_dilated(%g: tensor<1x6x8x3xf64>, %w: tensor<3x2x3x5xf64>) -> tensor<1x4x4x5xf64> {
  %zero = arith.constant 0.0 : f64
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %e = tensor.empty() : tensor<3x2x3x5xf64>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<3x2x3x5xf64>) {
  ^bb0(%out: f64):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %f2 = arith.subi %c2, %i2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %w[%i0, %i1, %f2, %i3] : tensor<3x2x3x5xf64>
    linalg.yield %v : f64
  } -> tensor<3x2x3x5xf64>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<3x2x3x5xf64>) {
  ^bb0(%out: f64):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %f1 = arith.subi %c1, %i1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %r1[%i0, %f1, %i2, %i3] : tensor<3x2x3x5xf64>
    linalg.yield %v : f64
  } -> tensor<3x2x3x5xf64>
  %et = tensor.empty() : tensor<5x2x3x3xf64>
  %ft = linalg.transpose ins(%r2 : tensor<3x2x3x5xf64>) outs(%et : tensor<5x2x3x3xf64>) permutation = [3, 1, 2, 0]
  %ez = tensor.empty() : tensor<1x4x4x5xf64>
  %z = linalg.fill ins(%zero : f64) outs(%ez : tensor<1x4x4x5xf64>) -> tensor<1x4x4x5xf64>
  %dx = linalg.conv_2d_nhwc_fhwc {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %ft : tensor<1x6x8x3xf64>, tensor<5x2x3x3xf64>) outs(%z : tensor<1x4x4x5xf64>) -> tensor<1x4x4x5xf64>
  return %dx : tensor<1x4x4x5xf64>
}

// -----

// Negatives: a filter flipped in one axis only, a flip that is not a
// reverse (size - 2 - index), another transpose, a non-zero init and a
// stride-2 conv are left alone.
// CHECK-LABEL: func.func @negatives
// CHECK-NOT: ipuc.conv_backward_data
// CHECK-COUNT-5: linalg.conv_2d_nhwc_fhwc
// CHECK-NOT: ipuc.conv_backward_data
func.func @negatives(%g: tensor<1x5x5x2xf32>, %w: tensor<2x3x3x2xf32>) -> (tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x2x2x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %e = tensor.empty() : tensor<2x3x3x2xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<2x3x3x2xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %f1 = arith.subi %c2, %i1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %w[%i0, %f1, %i2, %i3] : tensor<2x3x3x2xf32>
    linalg.yield %v : f32
  } -> tensor<2x3x3x2xf32>
  %hw = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<2x3x3x2xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %f2 = arith.subi %c2, %i2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %h[%i0, %i1, %f2, %i3] : tensor<2x3x3x2xf32>
    linalg.yield %v : f32
  } -> tensor<2x3x3x2xf32>
  %shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<2x3x3x2xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %f2 = arith.subi %c1, %i2 : index
    %i3 = linalg.index 3 : index
    %v = tensor.extract %h[%i0, %i1, %f2, %i3] : tensor<2x3x3x2xf32>
    linalg.yield %v : f32
  } -> tensor<2x3x3x2xf32>
  %et = tensor.empty() : tensor<2x3x3x2xf32>
  %t1 = linalg.transpose ins(%h : tensor<2x3x3x2xf32>) outs(%et : tensor<2x3x3x2xf32>) permutation = [3, 1, 2, 0]
  %t2 = linalg.transpose ins(%shifted : tensor<2x3x3x2xf32>) outs(%et : tensor<2x3x3x2xf32>) permutation = [3, 1, 2, 0]
  %t3 = linalg.transpose ins(%hw : tensor<2x3x3x2xf32>) outs(%et : tensor<2x3x3x2xf32>) permutation = [3, 2, 1, 0]
  %t4 = linalg.transpose ins(%hw : tensor<2x3x3x2xf32>) outs(%et : tensor<2x3x3x2xf32>) permutation = [3, 1, 2, 0]
  %ez = tensor.empty() : tensor<1x3x3x2xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %ones = linalg.fill ins(%one : f32) outs(%ez : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %d1 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %t1 : tensor<1x5x5x2xf32>, tensor<2x3x3x2xf32>) outs(%z : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %d2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %t2 : tensor<1x5x5x2xf32>, tensor<2x3x3x2xf32>) outs(%z : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %d3 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %t3 : tensor<1x5x5x2xf32>, tensor<2x3x3x2xf32>) outs(%z : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %d4 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%g, %t4 : tensor<1x5x5x2xf32>, tensor<2x3x3x2xf32>) outs(%ones : tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
  %ez2 = tensor.empty() : tensor<1x2x2x2xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%ez2 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %d5 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%g, %t4 : tensor<1x5x5x2xf32>, tensor<2x3x3x2xf32>) outs(%z2 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %d1, %d2, %d3, %d4, %d5 : tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x3x3x2xf32>, tensor<1x2x2x2xf32>
}
