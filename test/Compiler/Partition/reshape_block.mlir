// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" %s | FileCheck %s
// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s --check-prefix=PLANNED
// A reshape keeps every element's flat index, so it is a view of its
// source: a tensor with `view_of` and the source's intervals, and no copy or
// compute set. The 64x64 matmul result is a 2x2 grid of 32x32 blocks (32
// intervals of 32 elements per tile); expand_shape and collapse_shape
// (which cuts the blocks: a block is no box of 4096) both view it.
// CHECK: %[[M:.*]] = bsp.tensor "linalg.matmul#4" role(intermediate) mapping [[MAP:.*]] : !bsp.buffer<64x64xf32>
// CHECK: bsp.tensor "output0" role(output) view_of(%[[M]] : !bsp.buffer<64x64xf32>) mapping [[MAP]] : !bsp.buffer<64x2x32xf32>
// CHECK: bsp.tensor "output1" role(output) view_of(%[[M]] : !bsp.buffer<64x64xf32>) mapping [[MAP]] : !bsp.buffer<4096xf32>
// CHECK-NOT: bsp.copy_vertex
// CHECK-NOT: bsp.compute_set "tensor.
// After memory planning the views still have their source's intervals,
// now with its addresses.
// PLANNED: %[[M:.*]] = bsp.tensor "linalg.matmul#4" role(intermediate) mapping [[MAP:.*]] : !bsp.buffer<64x64xf32>
// PLANNED: bsp.tensor "output0" role(output) view_of(%[[M]] : !bsp.buffer<64x64xf32>) mapping [[MAP]] : !bsp.buffer<64x2x32xf32>
// PLANNED: bsp.tensor "output1" role(output) view_of(%[[M]] : !bsp.buffer<64x64xf32>) mapping [[MAP]] : !bsp.buffer<4096xf32>
func.func @main(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> (tensor<64x2x32xf32>, tensor<4096xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r = tensor.expand_shape %m [[0], [1, 2]] output_shape [64, 2, 32] : tensor<64x64xf32> into tensor<64x2x32xf32>
  %c = tensor.collapse_shape %m [[0, 1]] : tensor<64x64xf32> into tensor<4096xf32>
  return %r, %c : tensor<64x2x32xf32>, tensor<4096xf32>
}
