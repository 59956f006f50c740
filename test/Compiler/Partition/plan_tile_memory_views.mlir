// RUN: ipu-opt --ipuc-plan-tile-memory %s | FileCheck %s
// A view owns no memory: it gets its source's addresses, and its source
// stays live while the view is. Here x is touched directly only in step 0,
// but its view v is read in step 2, so y (live in step 1) must not take x's
// bytes; z (step 2) may reuse y's.
// CHECK: %[[X:.*]] = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>]
// CHECK: bsp.tensor "v" role(intermediate) view_of(%[[X]] : !bsp.buffer<4xf32>) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<2x2xf32>
// CHECK: bsp.tensor "y" role(intermediate) mapping [#bsp.interval<0, 0, 4, 16>]
// CHECK: bsp.tensor "z" role(intermediate) mapping [#bsp.interval<0, 0, 4, 16>]
bsp.program @main attributes {device = #bsp.device<name = "t", tiles = 1, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<2x2xf32>
  %y = bsp.tensor "y" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  %z = bsp.tensor "z" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<2x2xf32>
  bsp.compute_set "x" {
    bsp.fill_vertex tile(0) outs(%x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 1.0 : f32}
  }
  bsp.compute_set "y" {
    bsp.fill_vertex tile(0) outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) {value = 2.0 : f32}
  }
  bsp.compute_set "z" {
    bsp.copy_vertex tile(0)
        ins(%v [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
        outs(%z [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
  }
}
