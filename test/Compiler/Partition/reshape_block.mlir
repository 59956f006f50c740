// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" %s | FileCheck %s
// A reshape keeps its source's intervals; a tile's block that is one box of
// both shapes is copied in one piece. The 64x64 matmul result is a 2x2 grid
// of 32x32 blocks (32 intervals of 32 elements per tile); each block is the
// box [32, 1, 32] of 64x2x32: four copies, not 128.
// CHECK: bsp.compute_set "tensor.expand_shape#5"
// CHECK-NEXT: bsp.copy_vertex tile(0) ins(%{{[0-9]+}} [#bsp.box<offsets = [0, 0], sizes = [32, 32]>] : !bsp.buffer<64x64xf32>) outs(%{{[0-9]+}} [#bsp.box<offsets = [0, 0, 0], sizes = [32, 1, 32]>] : !bsp.buffer<64x2x32xf32>)
// CHECK-NEXT: bsp.copy_vertex tile(1) {{.*}}sizes = [32, 32]>] {{.*}}[#bsp.box<offsets = [0, 1, 0], sizes = [32, 1, 32]>]
// CHECK-NEXT: bsp.copy_vertex tile(2) {{.*}}sizes = [32, 32]>] {{.*}}[#bsp.box<offsets = [32, 0, 0], sizes = [32, 1, 32]>]
// CHECK-NEXT: bsp.copy_vertex tile(3) {{.*}}sizes = [32, 32]>] {{.*}}[#bsp.box<offsets = [32, 1, 0], sizes = [32, 1, 32]>]
// CHECK-NEXT: }
// A reshape that cuts the blocks (64x64 -> 4096 flat: a block is no box of
// it) is copied row by row, as before.
// CHECK: bsp.compute_set "tensor.collapse_shape#6"
// CHECK-COUNT-128: bsp.copy_vertex tile({{[0-3]}}) {{.*}}sizes = [1, 32]>] {{.*}}sizes = [32]>]
// CHECK-NEXT: }
func.func @main(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> (tensor<64x2x32xf32>, tensor<4096xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r = tensor.expand_shape %m [[0], [1, 2]] output_shape [64, 2, 32] : tensor<64x64xf32> into tensor<64x2x32xf32>
  %c = tensor.collapse_shape %m [[0, 1]] : tensor<64x64xf32> into tensor<4096xf32>
  return %r, %c : tensor<64x2x32xf32>, tensor<4096xf32>
}
