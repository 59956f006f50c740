// RUN: ipu-opt %s -split-input-file -verify-diagnostics
// The permuted copy's verifier errors: perm of the wrong rank, not a
// permutation, box sizes that do not agree under it.

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 6, 0>] : !bsp.buffer<2x3xf32>
  %t = bsp.tensor "t" role(output) mapping [#bsp.interval<1, 0, 6, 0>] : !bsp.buffer<3x2xf32>
  bsp.exchange "e" {
// expected-error@+1 {{has a permutation of 3 dims for boxes of rank 2 and 2}}
    bsp.copy %a [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 1, 0, 2>}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 6, 0>] : !bsp.buffer<2x3xf32>
  %t = bsp.tensor "t" role(output) mapping [#bsp.interval<1, 0, 6, 0>] : !bsp.buffer<3x2xf32>
  bsp.exchange "e" {
// expected-error@+1 {{perm [1, 1] is not a permutation}}
    bsp.copy %a [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 1, 1>}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 6, 0>] : !bsp.buffer<2x3xf32>
  %t = bsp.tensor "t" role(output) mapping [#bsp.interval<1, 0, 6, 0>] : !bsp.buffer<3x2xf32>
  bsp.exchange "e" {
// expected-error@+1 {{perm [2, 0] is not a permutation}}
    bsp.copy %a [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 2, 0>}
  }
}

// -----

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 6, 0>] : !bsp.buffer<2x3xf32>
  %t = bsp.tensor "t" role(output) mapping [#bsp.interval<1, 0, 6, 0>] : !bsp.buffer<3x2xf32>
  bsp.exchange "e" {
// expected-error@+1 {{copies a box of sizes 2x3 permuted by [1, 0] into one of sizes 2x2}}
    bsp.copy %a [#bsp.box<offsets = [0, 0], sizes = [2, 3]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 1, 0>}
  }
}
