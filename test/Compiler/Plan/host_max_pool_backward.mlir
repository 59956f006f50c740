// RUN: ipu-opt %s --split-input-file --ipuc-host-max-pool-backward | FileCheck %s

// The fused generic of a CNN's max-pool x ReLU gradient (2x2 windows, NHWC):
// the pool's input and the ReLU's pre-activation reshaped to
// [1, n, 1, oh, kh, 1, 1, ow, kw, 1, 1, c], the pooled max and gradient to
// [n, oh, 1, ow, 1, c]. Unit loops become 0, the pooled loops (n, oh, ow, c)
// come first, the window (kh, kw) last; the body is kept.
// CHECK-DAG: #[[FINE:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (0, d0, 0, d1, d4, 0, 0, d2, d5, 0, 0, d3)>
// CHECK-DAG: #[[POOLED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, 0, d2, 0, d3)>
// CHECK-LABEL: func.func @relu_mask
// CHECK: linalg.generic {indexing_maps = [#[[FINE]], #[[POOLED]], #[[POOLED]], #[[FINE]], #[[FINE]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ipuc.max_pool_backward
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf oge
// CHECK: linalg.yield
#fine = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11) -> (d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11) -> (d1, d3, d5, d7, d9, d11)>
func.func @relu_mask(%x: tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>, %m: tensor<2x2x1x2x1x3xf32>, %g: tensor<2x2x1x2x1x3xf32>, %p: tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>) -> tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x, %m, %g, %p : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>, tensor<2x2x1x2x1x3xf32>, tensor<2x2x1x2x1x3xf32>, tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>) outs(%e : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %in_2: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    %3 = arith.cmpf oge, %in_2, %zero : f32
    %4 = arith.uitofp %3 : i1 to f32
    %5 = arith.mulf %2, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  return %r : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
}

// -----

// No ReLU, loops in NCHW order (n, c, oh, kh, ow, kw), f64, the equality's
// pooled side first and the product's factors swapped: the pooled loops
// (n, c, oh, ow) are named (n, oh, ow, c) in their order.
// CHECK-DAG: #[[POOLED:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[FINE:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4, d3, d5)>
// CHECK-LABEL: func.func @nchw_no_mask
// CHECK: linalg.generic {indexing_maps = [#[[POOLED]], #[[FINE]], #[[POOLED]], #[[FINE]]]
// CHECK-SAME: ipuc.max_pool_backward
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
func.func @nchw_no_mask(%x: tensor<2x3x2x2x2x2xf64>, %m: tensor<2x3x2x2xf64>, %g: tensor<2x3x2x2xf64>) -> tensor<2x3x2x2x2x2xf64> {
  %e = tensor.empty() : tensor<2x3x2x2x2x2xf64>
  %r = linalg.generic {indexing_maps = [#pooled, #fine, #pooled, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%g, %x, %m : tensor<2x3x2x2xf64>, tensor<2x3x2x2x2x2xf64>, tensor<2x3x2x2xf64>) outs(%e : tensor<2x3x2x2x2x2xf64>) {
  ^bb0(%gi: f64, %xi: f64, %mi: f64, %out: f64):
    %0 = arith.cmpf oeq, %mi, %xi : f64
    %1 = arith.uitofp %0 : i1 to f64
    %2 = arith.mulf %gi, %1 : f64
    linalg.yield %2 : f64
  } -> tensor<2x3x2x2x2x2xf64>
  return %r : tensor<2x3x2x2x2x2xf64>
}

// -----

// Negative: a mask compared with > 0 (not the ReLU gradient autodiff writes,
// and not the kernel's) is left alone.
// CHECK-LABEL: func.func @ogt_mask
// CHECK-NOT: ipuc.max_pool_backward
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5)>
func.func @ogt_mask(%x: tensor<2x2x2x2x2x3xf32>, %m: tensor<2x2x2x3xf32>, %g: tensor<2x2x2x3xf32>, %p: tensor<2x2x2x2x2x3xf32>) -> tensor<2x2x2x2x2x3xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %e = tensor.empty() : tensor<2x2x2x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x, %m, %g, %p : tensor<2x2x2x2x2x3xf32>, tensor<2x2x2x3xf32>, tensor<2x2x2x3xf32>, tensor<2x2x2x2x2x3xf32>) outs(%e : tensor<2x2x2x2x2x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %in_2: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    %3 = arith.cmpf ogt, %in_2, %zero : f32
    %4 = arith.uitofp %3 : i1 to f32
    %5 = arith.mulf %2, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<2x2x2x2x2x3xf32>
  return %r : tensor<2x2x2x2x2x3xf32>
}

// -----

// Negative: every operand read at every point (an elementwise eq * g, no
// window the "max" is broadcast over).
// CHECK-LABEL: func.func @no_window
// CHECK-NOT: ipuc.max_pool_backward
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @no_window(%x: tensor<2x4x4x3xf32>, %m: tensor<2x4x4x3xf32>, %g: tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32> {
  %e = tensor.empty() : tensor<2x4x4x3xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %m, %g : tensor<2x4x4x3xf32>, tensor<2x4x4x3xf32>, tensor<2x4x4x3xf32>) outs(%e : tensor<2x4x4x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x4x4x3xf32>
  return %r : tensor<2x4x4x3xf32>
}

// -----

// Negative: a batch of one leaves three pooled loops of extent > 1; the
// kernel's form needs four (it runs as Generic).
// CHECK-LABEL: func.func @batch_one
// CHECK-NOT: ipuc.max_pool_backward
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5)>
func.func @batch_one(%x: tensor<1x2x2x2x2x3xf32>, %m: tensor<1x2x2x3xf32>, %g: tensor<1x2x2x3xf32>) -> tensor<1x2x2x2x2x3xf32> {
  %e = tensor.empty() : tensor<1x2x2x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x, %m, %g : tensor<1x2x2x2x2x3xf32>, tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x2x2x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    linalg.yield %2 : f32
  } -> tensor<1x2x2x2x2x3xf32>
  return %r : tensor<1x2x2x2x2x3xf32>
}

// -----

// Negative: an extra op in the body (the gradient scaled by 2).
// CHECK-LABEL: func.func @extra_op
// CHECK-NOT: ipuc.max_pool_backward
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d5)>
func.func @extra_op(%x: tensor<2x2x2x2x2x3xf32>, %m: tensor<2x2x2x3xf32>, %g: tensor<2x2x2x3xf32>) -> tensor<2x2x2x2x2x3xf32> {
  %two = arith.constant 2.000000e+00 : f32
  %e = tensor.empty() : tensor<2x2x2x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%x, %m, %g : tensor<2x2x2x2x2x3xf32>, tensor<2x2x2x3xf32>, tensor<2x2x2x3xf32>) outs(%e : tensor<2x2x2x2x2x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %s = arith.mulf %in_1, %two : f32
    %2 = arith.mulf %1, %s : f32
    linalg.yield %2 : f32
  } -> tensor<2x2x2x2x2x3xf32>
  return %r : tensor<2x2x2x2x2x3xf32>
}
