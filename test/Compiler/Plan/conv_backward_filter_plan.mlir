// RUN: ipu-opt %s --split-input-file --ipuc-host-conv-backward-filter --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s

// Autodiff's weight gradient over NCHW x and g with an OIHW result becomes
// one Conv2DBackwardFilter kernel reading g and writing the result through
// strides; x's transpose to NHWC is folded into the pad's copy.
// CHECK-LABEL: plan version
// CHECK: %2 = tensor "t2" f32[2x7x7x3] intermediate
// CHECK: kernel 1 tensor.pad
// CHECK-NEXT: copy %2[offset 24, strides [147, 21, 3, 1]] = %0[offset 0, strides [75, 5, 1, 25]] sizes [2, 5, 5, 3]
// CHECK: kernel 3 linalg.generic (conv backward filter)
// CHECK-NEXT: conv2d_backward_filter %4[27, 3, 1, 9] = %1[100, 5, 1, 25] (grad) * %2[147, 21, 3, 1] (input) input [2x7x7x3] out [4x3x3x3] grad [5x5] stride [1, 1] dilation [1, 1]
// CHECK-NOT: kernel 4
func.func @main(%x: tensor<2x3x5x5xf32>, %g: tensor<2x4x5x5xf32>) -> tensor<4x3x3x3xf32> {
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

// Negative: a generic carrying the mark whose body is not a multiply-add
// (here a difference) is not the kernel's computation: it runs as Generic.
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 + d1, d6 + d2, d3)>
#g = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d0)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: plan version
// CHECK: kernel 1 linalg.generic
// CHECK-NEXT: loop_bounds [4, 2, 2, 3, 2, 4, 4]
// CHECK-NOT: conv2d_backward_filter
func.func @main(%x: tensor<2x5x5x3xf32>, %g: tensor<2x4x4x4xf32>) -> tensor<4x2x2x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2x2x3xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x2x2x3xf32>) -> tensor<4x2x2x3xf32>
  %r = linalg.generic {indexing_maps = [#x, #g, #w], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"], ipuc.conv_backward_filter = array<i64: 1, 1, 1, 1>}
      ins(%x, %g : tensor<2x5x5x3xf32>, tensor<2x4x4x4xf32>) outs(%z : tensor<4x2x2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.subf %b, %a : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x2x2x3xf32>
  return %r : tensor<4x2x2x3xf32>
}
