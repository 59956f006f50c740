// RUN: ipu-opt %s --split-input-file --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

#g = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
#r = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// The marked input gradient of a k3 p1 conv becomes one Conv2DBackwardData
// kernel that reads the unpadded gradient (the pad, read by it alone, is
// folded in: no fill or copy) and the unflipped filter; forward padding
// (3 - 1) * 1 - 1 = 1.
// CHECK-LABEL: plan version
// CHECK: %0 = tensor "input0" f32[2x5x5x8] input
// CHECK: %1 = tensor "input1" f32[8x3x3x4] input
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic (conv backward data)
// CHECK-NEXT: conv2d_backward_data %{{[0-9]+}}[100, 20, 4, 1] = %0[200, 40, 8, 1] (grad) * %1[36, 12, 4, 1] (filter) grad [2x5x5x8] filter [3x3x4] out [5x5x4] stride [1, 1] dilation [1, 1] pad [1, 1]
// CHECK-NOT: tensor.pad
func.func @main(%g: tensor<2x5x5x8xf32>, %w: tensor<8x3x3x4xf32>) -> tensor<2x5x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %gp = tensor.pad %g low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x5x5x8xf32> to tensor<2x7x7x8xf32>
  %e = tensor.empty() : tensor<2x5x5x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x5x4xf32>) -> tensor<2x5x5x4xf32>
  %dx = linalg.generic {indexing_maps = [#g, #w, #r], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], ipuc.conv_backward_data = array<i64: 1, 1>}
      ins(%gp, %w : tensor<2x7x7x8xf32>, tensor<8x3x3x4xf32>) outs(%z : tensor<2x5x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x5x5x4xf32>
  return %dx : tensor<2x5x5x4xf32>
}

// -----

#g = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 - d4 + 2, d2 - d5 + 2, d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
#r = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// A pad that is also returned stays a kernel; the backward-data kernel then
// reads the padded tensor, with the kernel's whole reach as padding.
// CHECK-LABEL: plan version
// CHECK: tensor.pad
// CHECK: linalg.generic (conv backward data)
// CHECK-NEXT: conv2d_backward_data %{{[0-9]+}}[100, 20, 4, 1] = %[[GP:[0-9]+]][392, 56, 8, 1] (grad) * %1[36, 12, 4, 1] (filter) grad [2x7x7x8] filter [3x3x4] out [5x5x4] stride [1, 1] dilation [1, 1] pad [2, 2]
func.func @main(%g: tensor<2x5x5x8xf32>, %w: tensor<8x3x3x4xf32>) -> (tensor<2x5x5x4xf32>, tensor<2x7x7x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %gp = tensor.pad %g low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x5x5x8xf32> to tensor<2x7x7x8xf32>
  %e = tensor.empty() : tensor<2x5x5x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x5x4xf32>) -> tensor<2x5x5x4xf32>
  %dx = linalg.generic {indexing_maps = [#g, #w, #r], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], ipuc.conv_backward_data = array<i64: 1, 1>}
      ins(%gp, %w : tensor<2x7x7x8xf32>, tensor<8x3x3x4xf32>) outs(%z : tensor<2x5x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x5x5x4xf32>
  return %dx, %gp : tensor<2x5x5x4xf32>, tensor<2x7x7x8xf32>
}

// -----

#g = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4, d2 + d5, d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d6, d4, d5, d3)>
#r = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

// Negative: a marked generic whose gradient map does not flip is not the
// kernel's computation: it runs as Generic, and its pad stays.
// CHECK-LABEL: plan version
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK-NEXT: loop_bounds [2, 5, 5, 4, 3, 3, 8]
// CHECK-NOT: conv2d_backward_data
func.func @main(%g: tensor<2x5x5x8xf32>, %w: tensor<8x3x3x4xf32>) -> tensor<2x5x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %gp = tensor.pad %g low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<2x5x5x8xf32> to tensor<2x7x7x8xf32>
  %e = tensor.empty() : tensor<2x5x5x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x5x4xf32>) -> tensor<2x5x5x4xf32>
  %dx = linalg.generic {indexing_maps = [#g, #w, #r], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], ipuc.conv_backward_data = array<i64: 1, 1>}
      ins(%gp, %w : tensor<2x7x7x8xf32>, tensor<8x3x3x4xf32>) outs(%z : tensor<2x5x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x5x5x4xf32>
  return %dx : tensor<2x5x5x4xf32>
}
