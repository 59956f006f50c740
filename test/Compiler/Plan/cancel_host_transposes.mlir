// RUN: ipu-opt %s --split-input-file --ipuc-fold-host-transposes | FileCheck %s

// The importer's NHWC -> NCHW -> relu -> NHWC pair cancels: the relu reads
// the conv output in its own layout and no transpose is left.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @relu_pair
// CHECK-SAME: (%[[Y:.*]]: tensor<2x4x4x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x4x4x8xf32>) outs(%{{.*}} : tensor<2x4x4x8xf32>)
// CHECK: arith.maximumf
// CHECK: return %[[R]]
func.func @relu_pair(%y: tensor<2x4x4x8xf32>) -> tensor<2x4x4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x4x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>) outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<2x8x4x4xf32>) outs(%e : tensor<2x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x4x4xf32>
  %f = tensor.empty() : tensor<2x4x4x8xf32>
  %u = linalg.transpose ins(%r : tensor<2x8x4x4xf32>) outs(%f : tensor<2x4x4x8xf32>) permutation = [0, 2, 3, 1]
  return %u : tensor<2x4x4x8xf32>
}

// -----

// A second operand that is not a transpose is read through the permuted map
// (here a per-channel bias broadcast in NCHW becomes one along the last dim).
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @with_bias
// CHECK-SAME: (%[[Y:.*]]: tensor<2x4x4x8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[LAST]], #{{.*}}]{{.*}} ins(%[[Y]], %[[B]] : tensor<2x4x4x8xf32>, tensor<8xf32>)
func.func @with_bias(%y: tensor<2x4x4x8xf32>, %b: tensor<8xf32>) -> tensor<2x4x4x8xf32> {
  %e = tensor.empty() : tensor<2x8x4x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>) outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t, %b : tensor<2x8x4x4xf32>, tensor<8xf32>) outs(%e : tensor<2x8x4x4xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<2x8x4x4xf32>
  %f = tensor.empty() : tensor<2x4x4x8xf32>
  %u = linalg.transpose ins(%r : tensor<2x8x4x4xf32>) outs(%f : tensor<2x4x4x8xf32>) permutation = [0, 2, 3, 1]
  return %u : tensor<2x4x4x8xf32>
}

// -----

// Negative: the permutations are not inverse (the inner operand would be
// read permuted), so nothing changes.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @not_inverse
// CHECK-COUNT-2: linalg.transpose
func.func @not_inverse(%y: tensor<2x4x4x8xf32>) -> tensor<8x4x2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x4x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>) outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<2x8x4x4xf32>) outs(%e : tensor<2x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x4x4xf32>
  %f = tensor.empty() : tensor<8x4x2x4xf32>
  %u = linalg.transpose ins(%r : tensor<2x8x4x4xf32>) outs(%f : tensor<8x4x2x4xf32>) permutation = [1, 2, 0, 3]
  return %u : tensor<8x4x2x4xf32>
}

// -----

// Negative: the elementwise result has another reader that needs it in its
// own layout, so the pair stays.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @two_uses
// CHECK-COUNT-2: linalg.transpose
func.func @two_uses(%y: tensor<2x4x4x8xf32>) -> (tensor<2x4x4x8xf32>, tensor<2x8x4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x4x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>) outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<2x8x4x4xf32>) outs(%e : tensor<2x8x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x4x4xf32>
  %f = tensor.empty() : tensor<2x4x4x8xf32>
  %u = linalg.transpose ins(%r : tensor<2x8x4x4xf32>) outs(%f : tensor<2x4x4x8xf32>) permutation = [0, 2, 3, 1]
  return %u, %r : tensor<2x4x4x8xf32>, tensor<2x8x4x4xf32>
}

// -----

// Negative: a reduction is not elementwise.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#red = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @reduction
// CHECK: linalg.transpose
func.func @reduction(%y: tensor<2x4x4x8xf32>, %acc: tensor<2x8x4xf32>) -> tensor<2x4x8xf32> {
  %e = tensor.empty() : tensor<2x8x4x4xf32>
  %t = linalg.transpose ins(%y : tensor<2x4x4x8xf32>) outs(%e : tensor<2x8x4x4xf32>) permutation = [0, 3, 1, 2]
  %r = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%t : tensor<2x8x4x4xf32>) outs(%acc : tensor<2x8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<2x8x4xf32>
  %f = tensor.empty() : tensor<2x4x8xf32>
  %u = linalg.transpose ins(%r : tensor<2x8x4xf32>) outs(%f : tensor<2x4x8xf32>) permutation = [0, 2, 1]
  return %u : tensor<2x4x8xf32>
}
