// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 131072}' > %t.json
// RUN: ipu-opt --ipuc-partition-to-bsp="device=%t.json" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s
// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 40000}' > %t.tiny.json
// RUN: not ipu-opt --ipuc-partition-to-bsp="device=%t.tiny.json" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s 2>&1 | FileCheck %s --check-prefix=TINY

// 64 x 64 x 512 on 4 tiles of 128 KiB: the planner budgets half a tile, and
// a 2 x 1 x 2 grid's operand blocks (32 x 256 of A and 256 x 64 of B, 96 KiB)
// do not fit beside the 8 KiB partial block. Each tile's k range is
// processed in 2 chunks of 128, gathered and computed one after the other;
// the second chunk's vertices accumulate into the block, and tiles in
// different grid rows start at different chunks (B rows 0 and 384 first).
// The memory planner then fits the plan.
// CHECK: bsp.exchange "linalg.matmul#4.k0.gather"
// CHECK: bsp.compute_set "linalg.matmul#4.k0" attributes {grid = "1x2x1x2", k_chunks = 2 : i64}
// CHECK-NEXT: bsp.matmul_vertex tile(0) ins({{.*}}, %{{[0-9]+}} [#bsp.box<offsets = [0, 0], sizes = [128, 64]>] : !bsp.buffer<512x64xf32>) outs({{.*}}) {flops = 5.242880e+05 : f64}
// CHECK: bsp.matmul_vertex tile(3) ins({{.*}}, %{{[0-9]+}} [#bsp.box<offsets = [384, 0], sizes = [128, 64]>] : !bsp.buffer<512x64xf32>) outs({{.*}}) {flops = 5.242880e+05 : f64}
// CHECK: bsp.exchange "linalg.matmul#4.k1.gather"
// CHECK: bsp.compute_set "linalg.matmul#4.k1" attributes {grid = "1x2x1x2", k_chunks = 2 : i64}
// CHECK-COUNT-4: bsp.matmul_vertex {{.*}} {accumulate = true
// CHECK: bsp.compute_set "linalg.matmul#4.reduce"

// With 40000-byte tiles the two linearly mapped 32 KiB inputs alone do not
// fit beside the matmul: the memory planner names the tile and its tensors.
// TINY: error: tile 0 needs {{[0-9]+}} bytes but has 40000 available; largest tensors on it: 'input1'
func.func @main(%a: tensor<64x512xf32>, %b: tensor<512x64xf32>) -> tensor<64x64xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %m = linalg.matmul ins(%a, %b : tensor<64x512xf32>, tensor<512x64xf32>) outs(%f : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %m : tensor<64x64xf32>
}
