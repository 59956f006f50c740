// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s
// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 12000}' > %t.json
// RUN: not ipu-opt --ipuc-partition-to-bsp="device=%t.json" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s 2>&1 | FileCheck %s --check-prefix=OVERFLOW

// A 64x64x64 matmul on 4 tiles: a 2x2 block grid (no k split), operand
// blocks gathered onto their tiles; the transposing elementwise op is split
// along its output mapping with the transposed operand staged per tile.
// CHECK: bsp.program @main
// CHECK: bsp.exchange "linalg.matmul#4.gather"
// CHECK: bsp.compute_set "linalg.matmul#4" attributes {grid = "1x2x2x1"}
// CHECK-COUNT-4: bsp.matmul_vertex tile
// CHECK: bsp.compute_set "linalg.generic#5"
// CHECK: bsp.generic_vertex tile(0) ins({{.*}}sizes = [16, 64]{{.*}}sizes = [64, 16]
// CHECK: bsp.host_read {{.*}} "output0"

// OVERFLOW: error: tile {{[0-9]+}} needs {{[0-9]+}} bytes but has 12000 available; largest tensors on it: '
func.func @main(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0,d1)->(d0,d1)>, affine_map<(d0,d1)->(d1,d0)>, affine_map<(d0,d1)->(d0,d1)>], iterator_types = ["parallel","parallel"]} ins(%m, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}
