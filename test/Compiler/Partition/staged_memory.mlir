// RUN: ipu-opt --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s
// RUN: sed 's/sram_bytes = 4096/sram_bytes = 72/' %s | not ipu-opt --ipuc-insert-exchanges --ipuc-plan-tile-memory 2>&1 | FileCheck %s --check-prefix=TIGHT

// One staging tensor spans the tiles that gather from %x, but the memory
// planner places each tile's interval of it on its own: on tile 1 the
// 64-byte staged block goes first (largest first) and "y" after it; on tile
// 2 "z" and the 16-byte staged row are the same size, so program order puts
// "z" first and the staged row after it.
// CHECK: bsp.tensor "y" role(output) mapping [#bsp.interval<1, 0, 4, 64>]
// CHECK: bsp.tensor "z" role(output) mapping [#bsp.interval<2, 0, 4, 0>]
// CHECK: bsp.tensor "sum.x.staged" role(intermediate) mapping [#bsp.interval<1, 0, 16, 0>, #bsp.interval<2, 16, 20, 16>] : !bsp.buffer<5x4xf32>

// With 72-byte tiles tile 1 does not fit: the error names the tile and its
// tensors with the bytes each takes on that tile (the staged tensor's 64, not
// the 80 of all its tiles).
// TIGHT: error: tile 1 needs 80 bytes but has 72 available; largest tensors on it: 'sum.x.staged' (64 bytes, <stdin>:{{[0-9]+}}:{{[0-9]+}}), 'y' (16 bytes,
#id = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d1)>
bsp.program @main attributes {device = #bsp.device<name = "tiny", tiles = 3,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 16, 0>]
      : !bsp.buffer<4x4xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<1, 0, 4, 0>]
      : !bsp.buffer<4xf32>
  %z = bsp.tensor "z" role(output) mapping [#bsp.interval<2, 0, 4, 0>]
      : !bsp.buffer<1x4xf32>
  bsp.host_write %x "x" : !bsp.buffer<4x4xf32>
  bsp.compute_set "sum" {
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0, 0], sizes = [4, 4]>] : !bsp.buffer<4x4xf32>)
        outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [#id, #sum],
                    iterator_types = ["reduction", "parallel"],
                    loop_bounds = array<i64: 4, 4>} {
    ^bb0(%v: f32, %acc: f32):
      %r = arith.addf %v, %acc : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(2)
        ins(%x [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
        outs(%z [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<1x4xf32>)
        attributes {indexing_maps = [#id, #id],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 4>} {
    ^bb0(%v: f32, %o: f32):
      %r = arith.negf %v : f32
      bsp.yield %r : f32
    }
  }
  bsp.host_read %y "y" : !bsp.buffer<4xf32>
  bsp.host_read %z "z" : !bsp.buffer<1x4xf32>
}
