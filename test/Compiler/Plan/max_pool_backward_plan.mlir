// RUN: ipu-opt %s --split-input-file --ipuc-host-max-pool-backward --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// A CNN's fused max-pool x ReLU gradient over NHWC tensors (reshaped, as
// fusion leaves them) becomes one MaxPool2DBackward kernel: the image
// operands step (n, oh, ow, c, kh, kw) by [48, 24, 6, 1, 12, 3] elements of
// their [2, 4, 4, 3] buffers, the pooled ones (n, oh, ow, c) by
// [12, 6, 3, 1]; the reshapes are aliases, so no copies.
// CHECK-LABEL: plan version
// CHECK: kernel 0 linalg.generic (max-pool backward)
// CHECK-NEXT: max_pool2d_backward %4[48, 24, 6, 1, 12, 3] = (%0[48, 24, 6, 1, 12, 3] == %1[12, 6, 3, 1] (max)) * %2[12, 6, 3, 1] (grad) * (%3[48, 24, 6, 1, 12, 3] >= 0) pooled [2x2x2x3] window [2x2]
// CHECK-NOT: kernel 1
#fine = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11) -> (d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11) -> (d1, d3, d5, d7, d9, d11)>
func.func @main(%x: tensor<2x4x4x3xf32>, %m: tensor<2x2x2x3xf32>, %g: tensor<2x2x2x3xf32>, %p: tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32> {
  %zero = arith.constant 0.000000e+00 : f32
  %xe = tensor.expand_shape %x [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10], [11]] output_shape [1, 2, 1, 2, 2, 1, 1, 2, 2, 1, 1, 3] : tensor<2x4x4x3xf32> into tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  %me = tensor.expand_shape %m [[0], [1, 2], [3, 4], [5]] output_shape [2, 2, 1, 2, 1, 3] : tensor<2x2x2x3xf32> into tensor<2x2x1x2x1x3xf32>
  %ge = tensor.expand_shape %g [[0], [1, 2], [3, 4], [5]] output_shape [2, 2, 1, 2, 1, 3] : tensor<2x2x2x3xf32> into tensor<2x2x1x2x1x3xf32>
  %pe = tensor.expand_shape %p [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10], [11]] output_shape [1, 2, 1, 2, 2, 1, 1, 2, 2, 1, 1, 3] : tensor<2x4x4x3xf32> into tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  %e = tensor.empty() : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%xe, %me, %ge, %pe : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>, tensor<2x2x1x2x1x3xf32>, tensor<2x2x1x2x1x3xf32>, tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>) outs(%e : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %in_2: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    %3 = arith.cmpf oge, %in_2, %zero : f32
    %4 = arith.uitofp %3 : i1 to f32
    %5 = arith.mulf %2, %4 : f32
    linalg.yield %5 : f32
  } -> tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32>
  %c = tensor.collapse_shape %r [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10], [11]] : tensor<1x2x1x2x2x1x1x2x2x1x1x3xf32> into tensor<2x4x4x3xf32>
  return %c : tensor<2x4x4x3xf32>
}

// -----

// NCHW loops, no mask, the equality's pooled side first: the max is the
// operand the window loops do not step.
// CHECK-LABEL: plan version
// CHECK: kernel 0 linalg.generic (max-pool backward)
// CHECK-NEXT: max_pool2d_backward %3[48, 16, 8, 2, 4, 1] = (%0[48, 16, 8, 2, 4, 1] == %1[12, 4, 2, 1] (max)) * %2[12, 4, 2, 1] (grad) pooled [2x3x2x2] window [2x2]
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
func.func @main(%x: tensor<2x3x2x2x2x2xf32>, %m: tensor<2x3x2x2xf32>, %g: tensor<2x3x2x2xf32>) -> tensor<2x3x2x2x2x2xf32> {
  %e = tensor.empty() : tensor<2x3x2x2x2x2xf32>
  %r = linalg.generic {indexing_maps = [#pooled, #fine, #pooled, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%g, %x, %m : tensor<2x3x2x2xf32>, tensor<2x3x2x2x2x2xf32>, tensor<2x3x2x2xf32>) outs(%e : tensor<2x3x2x2x2x2xf32>) {
  ^bb0(%gi: f32, %xi: f32, %mi: f32, %out: f32):
    %0 = arith.cmpf oeq, %mi, %xi : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %gi, %1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x3x2x2x2x2xf32>
  return %r : tensor<2x3x2x2x2x2xf32>
}

// -----

// Negative: a generic carrying the mark whose "max" steps with the window
// (read at every point) is not the kernel's computation: it runs as Generic.
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-LABEL: plan version
// CHECK: kernel 0 linalg.generic
// CHECK-NEXT: loop_bounds [2, 2, 2, 3, 2, 2]
// CHECK-NOT: max_pool2d_backward
func.func @main(%x: tensor<2x2x2x3x2x2xf32>, %m: tensor<2x2x2x3x2x2xf32>, %g: tensor<2x2x2x3x2x2xf32>) -> tensor<2x2x2x3x2x2xf32> {
  %e = tensor.empty() : tensor<2x2x2x3x2x2xf32>
  %r = linalg.generic {indexing_maps = [#fine, #fine, #fine, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"], ipuc.max_pool_backward} ins(%x, %m, %g : tensor<2x2x2x3x2x2xf32>, tensor<2x2x2x3x2x2xf32>, tensor<2x2x2x3x2x2xf32>) outs(%e : tensor<2x2x2x3x2x2xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x2x2x3x2x2xf32>
  return %r : tensor<2x2x2x3x2x2xf32>
}

// -----

// Negative: marked, but the pooled operands start one element in (an
// offset the kernel has no field for): Generic.
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3 + 1)>
// CHECK-LABEL: plan version
// CHECK: kernel 0 linalg.generic
// CHECK-NOT: max_pool2d_backward
func.func @main(%x: tensor<2x2x2x3x2x2xf32>, %m: tensor<2x2x2x4xf32>, %g: tensor<2x2x2x4xf32>) -> tensor<2x2x2x3x2x2xf32> {
  %e = tensor.empty() : tensor<2x2x2x3x2x2xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #fine], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"], ipuc.max_pool_backward} ins(%x, %m, %g : tensor<2x2x2x3x2x2xf32>, tensor<2x2x2x4xf32>, tensor<2x2x2x4xf32>) outs(%e : tensor<2x2x2x3x2x2xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x2x2x3x2x2xf32>
  return %r : tensor<2x2x2x3x2x2xf32>
}

// -----

// Negative: marked, but the result does not step with kw, so each element
// is written twice (the Generic keeps its last write; the kernel, split
// over threads, may not): Generic.
#fine = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, d5)>
#pooled = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
#twice = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4, 0)>
// CHECK-LABEL: plan version
// CHECK: kernel 0 linalg.generic
// CHECK-NOT: max_pool2d_backward
func.func @main(%x: tensor<2x2x2x3x2x2xf32>, %m: tensor<2x2x2x3xf32>, %g: tensor<2x2x2x3xf32>) -> tensor<2x2x2x3x2x1xf32> {
  %e = tensor.empty() : tensor<2x2x2x3x2x1xf32>
  %r = linalg.generic {indexing_maps = [#fine, #pooled, #pooled, #twice], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"], ipuc.max_pool_backward} ins(%x, %m, %g : tensor<2x2x2x3x2x2xf32>, tensor<2x2x2x3xf32>, tensor<2x2x2x3xf32>) outs(%e : tensor<2x2x2x3x2x1xf32>) {
  ^bb0(%in: f32, %in_0: f32, %in_1: f32, %out: f32):
    %0 = arith.cmpf oeq, %in, %in_0 : f32
    %1 = arith.uitofp %0 : i1 to f32
    %2 = arith.mulf %1, %in_1 : f32
    linalg.yield %2 : f32
  } -> tensor<2x2x2x3x2x1xf32>
  return %r : tensor<2x2x2x3x2x1xf32>
}
