// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=4" --split-input-file %s | FileCheck %s
// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=4" --ipuc-partition-to-bsp="tiles=4" --split-input-file %s | FileCheck %s --check-prefix=BSP
// RUN: ipu-opt --ipuc-plan-tile-mapping="tiles=16" --split-input-file %s | FileCheck %s --check-prefix=T16
// The pass's decisions on small shapes. Expected cycles are worked out by
// hand from docs/cost-model.md (GC200: 6 workers, 2 f32 lanes, 50 cycles per
// vertex launch, 4 exchange bytes per cycle, 32 cycles of exchange setup).

// An elementwise op after a 64x64x64 matmul (a 2x2 grid of 32x32 blocks on
// 4 tiles) keeps the matmul's block mapping: one vertex per tile reads its
// block in place, so nothing is exchanged. 1024 elements x weight 1 / 2
// lanes + one launch = 562 cycles.
// CHECK-LABEL: func.func @after_matmul
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK-SAME: ipuc.mapping = {cycles = 562 : i64, operand = 0 : i64}
// BSP-LABEL: bsp.program @main
// BSP: bsp.compute_set "linalg.matmul#4"
// BSP-NOT: bsp.exchange
// BSP: bsp.compute_set "linalg.generic#5"
// BSP-NEXT: bsp.generic_vertex tile(0) ins(%[[M:[0-9]+]] [#bsp.box<offsets = [0, 0], sizes = [32, 32]>] : !bsp.buffer<64x64xf32>) outs(%{{[0-9]+}} [#bsp.box<offsets = [0, 0], sizes = [32, 32]>]
// BSP-COUNT-3: bsp.generic_vertex tile({{[123]}}) ins(%[[M]] [#bsp.box<offsets = [{{0|32}}, {{0|32}}], sizes = [32, 32]>]
// BSP-NOT: bsp.generic_vertex
// BSP: bsp.host_read
func.func @after_matmul(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%m : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// A transpose cannot read its operand in place: it gets the linear mapping
// over the most tiles its grain allows. 8x128 -> 128x8 (the input in 16
// chunks of 64 elements) on 16 tiles: 64/2 + 50 = 82 compute; each tile
// receives and each input tile sends 256 bytes: 64 + 32 = 96 exchange; 178.
// T16-LABEL: func.func @transpose
// T16: linalg.transpose
// T16-SAME: ipuc.mapping = {cycles = 178 : i64, tiles = 16 : i64}
func.func @transpose(%a: tensor<8x128xf32>) -> tensor<128x8xf32> {
  %e = tensor.empty() : tensor<128x8xf32>
  %t = linalg.transpose ins(%a : tensor<8x128xf32>) outs(%e : tensor<128x8xf32>) permutation = [1, 0]
  return %t : tensor<128x8xf32>
}

// -----

// A 1x64 exp on the tile its input lives on (64 elements, one grain): its
// input's mapping, 64 x 8 (a transcendental) / 2 + 50 = 306 cycles.
// CHECK-LABEL: func.func @small
// CHECK: linalg.generic
// CHECK-SAME: ipuc.mapping = {cycles = 306 : i64, operand = 0 : i64}
func.func @small(%a: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %e = tensor.empty() : tensor<1x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a : tensor<1x64xf32>) outs(%e : tensor<1x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<1x64xf32>
  return %r : tensor<1x64xf32>
}

// -----

// An op that runs as one vertex (it reads linalg.index) and a matmul get no
// mapping: their results are not mapped along their output.
// CHECK-LABEL: func.func @not_split
// CHECK-NOT: ipuc.mapping
// CHECK: return
func.func @not_split(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    %s = arith.addf %x, %f : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
