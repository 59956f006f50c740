// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s

// A K-split matmul on 4 tiles (grid 1x1x1x4). Its partial sums are laid out
// by block, so each tile's partial is one interval (not one per row), and the
// three remote partials each tile reduces are stacked in one staging tensor
// for the whole reduce, three rows per tile in tile order, each tile's rows
// one interval with its own address (not one tensor per partial or per
// tile); partials that continue one another are one copy. The tile's own
// partial is read in place.
// e2e_matmul.mlir checks the numbers of such a matmul against the host.
// CHECK: %[[P:.*]] = bsp.tensor "linalg.matmul#4.partials" role(intermediate) mapping [#bsp.interval<0, 0, 32, {{[0-9]+}}>, #bsp.interval<1, 32, 64, {{[0-9]+}}>, #bsp.interval<2, 64, 96, {{[0-9]+}}>, #bsp.interval<3, 96, 128, {{[0-9]+}}>] : !bsp.buffer<4x1x1x4x8xf32>
// CHECK: %[[S:.*]] = bsp.tensor "linalg.matmul#4.reduce.linalg.matmul#4.partials.staged" role(intermediate) mapping [#bsp.interval<0, 0, 24, {{[0-9]+}}>, #bsp.interval<1, 24, 48, {{[0-9]+}}>, #bsp.interval<2, 48, 72, {{[0-9]+}}>, #bsp.interval<3, 72, 96, {{[0-9]+}}>] : !bsp.buffer<12x1x1x1x8xf32>
// CHECK-NOT: bsp.tensor "linalg.matmul#4.reduce.
// CHECK: bsp.matmul_vertex tile(1) {{.*}} outs(%[[P]] [#bsp.box<offsets = [1, 0, 0, 0, 0], sizes = [1, 1, 1, 4, 8]>]
// CHECK: bsp.exchange "linalg.matmul#4.reduce.gather"
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [1, 0, 0, 0, 0], sizes = [3, 1, 1, 1, 8]>] {{.*}} -> %[[S]] [#bsp.box<offsets = [0, 0, 0, 0, 0], sizes = [3, 1, 1, 1, 8]>]
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [0, 0, 0, 1, 0], sizes = [1, 1, 1, 1, 8]>] {{.*}} -> %[[S]] [#bsp.box<offsets = [3, 0, 0, 0, 0], sizes = [1, 1, 1, 1, 8]>]
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [2, 0, 0, 1, 0], sizes = [2, 1, 1, 1, 8]>] {{.*}} -> %[[S]] [#bsp.box<offsets = [4, 0, 0, 0, 0], sizes = [2, 1, 1, 1, 8]>]
// CHECK: bsp.compute_set "linalg.matmul#4.reduce"
// CHECK-NEXT: bsp.generic_vertex tile(0) ins(%[[P]] [#bsp.box<offsets = [0, 0, 0, 0, 0], sizes = [1, 1, 1, 1, 8]>] {{.*}}, %[[S]] [#bsp.box<offsets = [0, {{.*}}, %[[S]] [#bsp.box<offsets = [1, {{.*}}, %[[S]] [#bsp.box<offsets = [2,
// CHECK: bsp.generic_vertex tile(1) ins(%[[S]] [#bsp.box<offsets = [3, {{.*}}, %[[P]] [#bsp.box<offsets = [1, 0, 0, 1, 0], {{.*}}, %[[S]] [#bsp.box<offsets = [4, {{.*}}, %[[S]] [#bsp.box<offsets = [5,
func.func @main(%a: tensor<4x4096xf32>, %b: tensor<4096x8xf32>) -> tensor<4x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x4096xf32>, tensor<4096x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}
