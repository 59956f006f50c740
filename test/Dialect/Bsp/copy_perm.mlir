// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --mlir-print-op-generic | ipu-opt | FileCheck %s

// A permuted copy (a transpose as an exchange) round-trips with its perm;
// a copy without one prints none.

bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 6, 0>] : !bsp.buffer<2x3xf32>
  %t = bsp.tensor "t" role(output) mapping [#bsp.interval<1, 0, 6, 0>] : !bsp.buffer<3x2xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 24, 32>] : !bsp.buffer<2x3x4xf32>
  %y = bsp.tensor "y" role(intermediate) mapping [#bsp.interval<1, 0, 24, 32>] : !bsp.buffer<3x4x2xf32>
  // CHECK-LABEL: bsp.exchange "t"
  bsp.exchange "t" {
    // CHECK-NEXT: bsp.copy %{{.*}} [#bsp.box<offsets = [0, 1], sizes = [2, 2]>] : !bsp.buffer<2x3xf32> -> %{{.*}} [#bsp.box<offsets = [1, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 1, 0>}
    bsp.copy %a [#bsp.box<offsets = [0, 1], sizes = [2, 2]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [1, 0], sizes = [2, 2]>] : !bsp.buffer<3x2xf32> {perm = array<i64: 1, 0>}
    // CHECK-NEXT: bsp.copy %{{.*}} [#bsp.box<offsets = [0, 0, 1], sizes = [2, 3, 3]>] : !bsp.buffer<2x3x4xf32> -> %{{.*}} [#bsp.box<offsets = [0, 1, 0], sizes = [3, 3, 2]>] : !bsp.buffer<3x4x2xf32> {perm = array<i64: 1, 2, 0>}
    bsp.copy %x [#bsp.box<offsets = [0, 0, 1], sizes = [2, 3, 3]>] : !bsp.buffer<2x3x4xf32> -> %y [#bsp.box<offsets = [0, 1, 0], sizes = [3, 3, 2]>] : !bsp.buffer<3x4x2xf32> {perm = array<i64: 1, 2, 0>}
    // CHECK-NEXT: bsp.copy %{{.*}} : !bsp.buffer<2x3xf32> -> %{{.*}} : !bsp.buffer<3x2xf32>{{$}}
    bsp.copy %a [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<2x3xf32> -> %t [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<3x2xf32>
  }
}
