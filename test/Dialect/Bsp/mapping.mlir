// RUN: ipu-opt %s | FileCheck %s
// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: ipu-opt %s -mlir-print-op-generic | ipu-opt | FileCheck %s
// A tensor's mapping is one #bsp.mapping attribute; bsp.tensor writes it as
// the bare list of #bsp.interval, the generic form as #bsp.mapping<[...]>.
// Both forms read back to the same intervals, in order.

// CHECK-LABEL: bsp.program @p
// CHECK: bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
// CHECK: bsp.tensor "e" role(intermediate) mapping [] : !bsp.buffer<4xf32>
// CHECK: bsp.tensor "v" role(intermediate) view_of(%{{.*}} : !bsp.buffer<4xf32>) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<2x2xf32>
// GENERIC: mapping = #bsp.mapping<[#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 16>]>
// GENERIC: mapping = #bsp.mapping<[]>
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<4xf32>
  %e = bsp.tensor "e" role(intermediate) mapping [] : !bsp.buffer<4xf32>
  %v = bsp.tensor "v" role(intermediate) view_of(%x : !bsp.buffer<4xf32>) mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 16>] : !bsp.buffer<2x2xf32>
}
