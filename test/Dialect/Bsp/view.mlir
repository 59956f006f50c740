// RUN: ipu-opt %s | FileCheck %s
// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// A view (bsp.tensor view_of) round-trips: a 2x4 tensor seen as 8 elements
// and that view seen as 4x2, each with the source's intervals.

// CHECK-LABEL: bsp.program @views
// CHECK: %[[X:.*]] = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<2x4xf32>
// CHECK: %[[V:.*]] = bsp.tensor "v" role(intermediate) view_of(%[[X]] : !bsp.buffer<2x4xf32>) mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<8xf32>
// CHECK: bsp.tensor "w" role(output) view_of(%[[V]] : !bsp.buffer<8xf32>) mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<4x2xf32>
bsp.program @views attributes {device = #bsp.device<name = "t", tiles = 2, sram_bytes = 1024, clock_hz = 1.0, workers = 1, fp32_flops_per_cycle = 1, fp16_flops_per_cycle = 1, elementwise_per_cycle = 1, exchange_bytes_per_cycle = 1, sync_cycles = 1>} {
  %x = bsp.tensor "x" role(intermediate)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<2x4xf32>
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<2x4xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<8xf32>
  %w = bsp.tensor "w" role(output) view_of(%v : !bsp.buffer<8xf32>)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 16>] : !bsp.buffer<4x2xf32>
}
