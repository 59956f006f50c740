// RUN: ipu-opt %s -split-input-file -verify-diagnostics -o /dev/null
// A vertex's boxes must be mapped on its tile. A box of several rows is
// several runs of elements; each run is looked up from the interval holding
// the previous one (the same interval, the next, or a search of the rest):
// splits without an expected error must verify.

// Every row of the box in one interval.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 1], sizes = [2, 3]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
    bsp.fill_vertex tile(1) outs(%t [#bsp.box<offsets = [2, 0], sizes = [2, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// Rows in consecutive intervals; the rest of the tensor is unmapped.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<0, 4, 6, 8>, #bsp.interval<0, 8, 10, 16>, #bsp.interval<0, 12, 14, 24>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// Rows in every other interval (each row half on tile 0, half on tile 1).
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>, #bsp.interval<0, 4, 6, 8>, #bsp.interval<1, 6, 8, 8>, #bsp.interval<0, 8, 10, 16>, #bsp.interval<1, 10, 12, 16>, #bsp.interval<0, 12, 14, 24>, #bsp.interval<1, 14, 16, 24>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
    bsp.fill_vertex tile(1) outs(%t [#bsp.box<offsets = [1, 2], sizes = [3, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// The third row of the box is in the next interval, on another tile.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    // expected-error@+1 {{output #0 box [0:4, 1:3] of 't' is not on tile 0: element 9 lives on tile 1}}
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 1], sizes = [4, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// A row of the box runs past its interval into unmapped elements.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<0, 4, 6, 8>, #bsp.interval<0, 8, 10, 16>, #bsp.interval<0, 12, 14, 24>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    // expected-error@+1 {{output #0 box [1:4, 0:3] of 't' is not on tile 0: element 6 is not mapped}}
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [1, 0], sizes = [3, 3]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// A later row of the box is found by the search past the next interval, on
// another tile.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>, #bsp.interval<0, 4, 6, 8>, #bsp.interval<1, 6, 8, 8>, #bsp.interval<0, 8, 10, 16>, #bsp.interval<1, 10, 16, 16>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    // expected-error@+1 {{output #0 box [0:4, 0:2] of 't' is not on tile 0: element 12 lives on tile 1}}
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}

// -----

// A row of the box before the first interval.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 5, 16, 0>] : !bsp.buffer<4x4xf32>
  bsp.compute_set "c" {
    // expected-error@+1 {{output #0 box [0:2, 1:2] of 't' is not on tile 0: element 1 is not mapped}}
    bsp.fill_vertex tile(0) outs(%t [#bsp.box<offsets = [0, 1], sizes = [2, 1]>] : !bsp.buffer<4x4xf32>) {value = 0.0 : f32}
  }
}
