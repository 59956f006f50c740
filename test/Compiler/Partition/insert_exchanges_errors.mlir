// RUN: ipu-opt --ipuc-insert-exchanges --split-input-file -verify-diagnostics %s
// RUN: not ipu-opt --ipuc-insert-exchanges --split-input-file %s 2>&1 | FileCheck %s

// Errors of ipuc-insert-exchanges, each located at the vertex that reads
// the box.

// An intermediate may be mapped in part, but a remote box needs a tile to
// copy every element from.
// CHECK: error: 'bsp.generic_vertex' op input #0 box [0:8] of 'x' cannot be gathered onto tile 1: no tile holds its element 4
bsp.program @unmapped attributes {device = #bsp.device<name = "tiny",
    tiles = 2, sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>]
      : !bsp.buffer<8xf32>
  %y = bsp.tensor "y" role(intermediate) mapping [#bsp.interval<1, 0, 8, 0>]
      : !bsp.buffer<8xf32>
  bsp.compute_set "neg" {
    // expected-error@+1 {{input #0 box [0:8] of 'x' cannot be gathered onto tile 1: no tile holds its element 4}}
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0], sizes = [8]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [0], sizes = [8]>] : !bsp.buffer<8xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 8>} {
    ^bb0(%a: f32, %o: f32):
      %r = arith.negf %a : f32
      bsp.yield %r : f32
    }
  }
}

// -----

// A remote box is read as it was before its compute set (the exchange runs
// first); one that a vertex of the same compute set writes has no single
// value to read.
// CHECK: error: 'bsp.copy_vertex' op input #0 box [0:4] of 'y' lives on another tile and is written in the same compute set (box [0:4]): the exchange before it would copy the old value
// CHECK: note: written by this vertex
bsp.program @hazard attributes {device = #bsp.device<name = "tiny",
    tiles = 2, sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %y = bsp.tensor "y" role(intermediate)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>]
      : !bsp.buffer<8xf32>
  bsp.compute_set "race" {
    // expected-note@+1 {{written by this vertex}}
    bsp.fill_vertex tile(0)
        outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<8xf32>)
        {value = 1.0 : f32}
    // expected-error@+1 {{input #0 box [0:4] of 'y' lives on another tile and is written in the same compute set (box [0:4]): the exchange before it would copy the old value}}
    bsp.copy_vertex tile(1)
        ins(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [4], sizes = [4]>] : !bsp.buffer<8xf32>)
  }
}

// -----

// Reading a remote box of a tensor the compute set writes elsewhere is
// fine: only the written box is ambiguous.
bsp.program @disjoint attributes {device = #bsp.device<name = "tiny",
    tiles = 2, sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %y = bsp.tensor "y" role(intermediate)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>]
      : !bsp.buffer<8xf32>
  bsp.compute_set "shift" {
    bsp.fill_vertex tile(0)
        outs(%y [#bsp.box<offsets = [2], sizes = [2]>] : !bsp.buffer<8xf32>)
        {value = 1.0 : f32}
    bsp.copy_vertex tile(1)
        ins(%y [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [4], sizes = [2]>] : !bsp.buffer<8xf32>)
  }
}

// -----

// Compute sets are planned in parallel, but errors are those of a walk in
// program order: only the first failing compute set ("first") is reported,
// though "second" fails too.
// CHECK: error: 'bsp.copy_vertex' op input #0 box [0:8] of 'x' cannot be gathered onto tile 1: no tile holds its element 4
// CHECK-NOT: error:
bsp.program @first_error attributes {device = #bsp.device<name = "tiny",
    tiles = 2, sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>]
      : !bsp.buffer<8xf32>
  %y = bsp.tensor "y" role(intermediate) mapping [#bsp.interval<1, 0, 8, 0>]
      : !bsp.buffer<8xf32>
  bsp.compute_set "fine" {
    bsp.copy_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<8xf32>)
  }
  bsp.compute_set "first" {
    // expected-error@+1 {{input #0 box [0:8] of 'x' cannot be gathered onto tile 1: no tile holds its element 4}}
    bsp.copy_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0], sizes = [8]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [0], sizes = [8]>] : !bsp.buffer<8xf32>)
  }
  bsp.compute_set "second" {
    bsp.copy_vertex tile(1)
        ins(%x [#bsp.box<offsets = [2], sizes = [6]>] : !bsp.buffer<8xf32>)
        outs(%y [#bsp.box<offsets = [2], sizes = [6]>] : !bsp.buffer<8xf32>)
  }
}
