// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=6" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s
// RUN: ipu-opt --ipuc-plan-matmul-grids="tiles=6" %s | FileCheck %s --check-prefix=PLAN
// The partitioner honours the planned grids and builds the same program.
// RUN: ipu-opt --ipuc-plan-matmul-grids="tiles=6" --ipuc-partition-to-bsp="tiles=6" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s

// The decisions on linalg (ipuc-plan-matmul-grids). Bytes per tile are the
// A, B and C blocks: 96^3 on 1x2x3: (48x96 + 96x32 + 48x32) x 4 = 36864;
// 4x8x4096 on 1x1x1x6 (k blocks of 683): (4x683 + 683x8 + 4x8) x 4 = 32912;
// the batch: (32x16 + 16x32 + 32x32) x 4 = 8192.
// PLAN: linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 3, pk = 1, cycles = {{[0-9]+}}, bytes_per_tile = 36864>}
// PLAN: linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 6, cycles = {{[0-9]+}}, bytes_per_tile = 32912>}
// PLAN: linalg.batch_matmul {ipuc.grid = #bsp.grid<pb = 6, pm = 1, pn = 1, pk = 1, cycles = {{[0-9]+}}, bytes_per_tile = 8192>}

// The planner's grid (batch x m x n x k blocks) on 6 tiles:
// * 96^3 uses all 6 tiles as 2 x 3 blocks (a power-of-two search would stop
//   at 4 tiles);
// * 4 x 8 x 4096 has almost all its work in k: k is split over the 6 tiles
//   and the partial sums (laid out by block: [pk, pm, pn, bm, bn]) are
//   reduced in a second compute set, each tile reading its own partial in
//   place;
// * a batch of 6 small matmuls whose operands already live one batch
//   element per tile runs one element per tile without any exchange.
// CHECK: %[[P:[0-9]+]] = bsp.tensor "linalg.matmul#7.partials" {{.*}} : !bsp.buffer<6x1x1x4x8xf32>
// CHECK: bsp.exchange "linalg.matmul#4.gather"
// CHECK: bsp.compute_set "linalg.matmul#4" attributes {grid = "1x2x3x1"}
// CHECK-COUNT-6: bsp.matmul_vertex tile
// CHECK-NOT: bsp.matmul_vertex
// CHECK: bsp.compute_set "linalg.matmul#7" attributes {grid = "1x1x1x6"}
// CHECK-COUNT-6: bsp.matmul_vertex tile
// 4 rows reduced by 4 tiles, each receiving the 5 partials of the others,
// in one copy per run of partials that continue one another (tile 0: 1..5;
// tile 1: 0 and 2..5; ...).
// CHECK: bsp.exchange "linalg.matmul#7.reduce.gather"
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [1, 0, 0, 0, 0], sizes = [5, 1, 1, 1, 8]>]
// CHECK-COUNT-6: bsp.copy %[[P]]
// CHECK-NOT: bsp.copy
// CHECK: bsp.compute_set "linalg.matmul#7.reduce"
// CHECK-NEXT: bsp.generic_vertex tile(0) ins(%[[P]] [#bsp.box<offsets = [0, 0, 0, 0, 0], sizes = [1, 1, 1, 1, 8]>]
// CHECK-NOT: bsp.exchange "linalg.batch_matmul
// CHECK: bsp.compute_set "linalg.batch_matmul#10" attributes {grid = "6x1x1x1"}
// CHECK-COUNT-6: bsp.matmul_vertex tile
func.func @main(%a: tensor<96x96xf32>, %b: tensor<96x96xf32>,
                %c: tensor<4x4096xf32>, %d: tensor<4096x8xf32>,
                %x: tensor<6x32x16xf32>, %y: tensor<6x16x32xf32>)
    -> (tensor<96x96xf32>, tensor<4x8xf32>, tensor<6x32x32xf32>) {
  %z = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<96x96xf32>
  %f0 = linalg.fill ins(%z : f32) outs(%e0 : tensor<96x96xf32>) -> tensor<96x96xf32>
  %m0 = linalg.matmul ins(%a, %b : tensor<96x96xf32>, tensor<96x96xf32>) outs(%f0 : tensor<96x96xf32>) -> tensor<96x96xf32>
  %e1 = tensor.empty() : tensor<4x8xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m1 = linalg.matmul ins(%c, %d : tensor<4x4096xf32>, tensor<4096x8xf32>) outs(%f1 : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<6x32x32xf32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<6x32x32xf32>) -> tensor<6x32x32xf32>
  %m2 = linalg.batch_matmul ins(%x, %y : tensor<6x32x16xf32>, tensor<6x16x32xf32>) outs(%f2 : tensor<6x32x32xf32>) -> tensor<6x32x32xf32>
  return %m0, %m1, %m2 : tensor<96x96xf32>, tensor<4x8xf32>, tensor<6x32x32xf32>
}
