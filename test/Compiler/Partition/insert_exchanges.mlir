// RUN: ipu-opt --ipuc-insert-exchanges --split-input-file %s | FileCheck %s

// Tile 0 sums the four rows of %p, one row per tile: its own row is read in
// place, and the three remote rows continue one another, so they are one
// copy. Tile 1 reads rows 0 and 2, which do not: a copy each, in the order
// they are read; row 2 is read twice and copied once. All of them are rows
// of 4 gathered from %p for "sum", so they are stacked along dim 0 of one
// staging tensor named after both: tile 0's three rows, then tile 1's two,
// each tile's rows one interval on that tile. The exchange runs before the
// compute set, and the program loses its `remote_operands` mark.
// CHECK-LABEL: bsp.program @stack
// CHECK-NOT: remote_operands
// CHECK-DAG: %[[P:.*]] = bsp.tensor "p" role(input)
// CHECK-DAG: %[[S:.*]] = bsp.tensor "s" role(output)
// CHECK: %[[T:.*]] = bsp.tensor "sum.p.staged" role(intermediate) mapping [#bsp.interval<0, 0, 12, 0>, #bsp.interval<1, 12, 20, 0>] : !bsp.buffer<5x4xf32>
// CHECK-NEXT: bsp.host_write %[[P]]
// CHECK-NEXT: bsp.exchange "sum.gather" {
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [1, 0], sizes = [3, 4]>] : !bsp.buffer<4x4xf32> -> %[[T]] [#bsp.box<offsets = [0, 0], sizes = [3, 4]>] : !bsp.buffer<5x4xf32>
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32> -> %[[T]] [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>
// CHECK-NEXT: bsp.copy %[[P]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32> -> %[[T]] [#bsp.box<offsets = [4, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: bsp.compute_set "sum" {
// CHECK-NEXT: bsp.generic_vertex tile(0) ins(%[[P]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>, %[[T]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>, %[[T]] [#bsp.box<offsets = [1, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>, %[[T]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>) outs(%[[S]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>]
// CHECK: bsp.generic_vertex tile(1) ins(%[[T]] [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>, %[[T]] [#bsp.box<offsets = [4, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>, %[[T]] [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<5x4xf32>) outs(%[[S]] [#bsp.box<offsets = [1, 0], sizes = [1, 4]>]
bsp.program @stack attributes {device = #bsp.device<name = "tiny", tiles = 4,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %p = bsp.tensor "p" role(input)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>,
               #bsp.interval<2, 8, 12, 0>, #bsp.interval<3, 12, 16, 0>]
      : !bsp.buffer<4x4xf32>
  %s = bsp.tensor "s" role(output)
      mapping [#bsp.interval<0, 0, 4, 0>, #bsp.interval<1, 4, 8, 0>]
      : !bsp.buffer<2x4xf32>
  bsp.host_write %p "p" : !bsp.buffer<4x4xf32>
  bsp.compute_set "sum" {
    bsp.generic_vertex tile(0)
        ins(%p [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>,
            %p [#bsp.box<offsets = [1, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>,
            %p [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>,
            %p [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
        outs(%s [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 4>} {
    ^bb0(%a: f32, %b: f32, %c: f32, %d: f32, %o: f32):
      %ab = arith.addf %a, %b : f32
      %cd = arith.addf %c, %d : f32
      %r = arith.addf %ab, %cd : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(1)
        ins(%p [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>,
            %p [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>,
            %p [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
        outs(%s [#bsp.box<offsets = [1, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 4>} {
    ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
      %ab = arith.mulf %a, %b : f32
      %r = arith.mulf %ab, %c : f32
      bsp.yield %r : f32
    }
  }
  bsp.host_read %s "s" : !bsp.buffer<2x4xf32>
}

// -----

// In a loop: the exchange goes into the loop body before its compute set,
// the staging tensors before the program's first step. Boxes of %x whose
// trailing sizes differ get tensors of their own (the second one's name gets
// a suffix); a scalar (rank 0, nothing to stack along) too. A tensor already
// named like a staging tensor ("scale.x.staged") makes the pass pick the
// next name.
// CHECK-LABEL: bsp.program @loop
// CHECK: %[[X:.*]] = bsp.tensor "x" role(input)
// CHECK: %[[C:.*]] = bsp.tensor "c" role(constant)
// CHECK: %[[A:.*]] = bsp.tensor "scale.x.staged.1" role(intermediate) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<1x4xf32>
// CHECK-NEXT: %[[K:.*]] = bsp.tensor "scale.c.staged" role(intermediate) mapping [#bsp.interval<1, 0, 1, 0>] : !bsp.buffer<f32>
// CHECK-NEXT: %[[B:.*]] = bsp.tensor "scale.x.staged.2" role(intermediate) mapping [#bsp.interval<1, 0, 2, 0>] : !bsp.buffer<1x2xf32>
// CHECK-NEXT: bsp.host_write %[[X]]
// CHECK-NEXT: bsp.repeat 2 {
// CHECK-NEXT: bsp.exchange "scale.gather" {
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] {{.*}} -> %[[A]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>]
// CHECK-NEXT: bsp.copy %[[C]] [#bsp.box<offsets = [], sizes = []>] {{.*}} -> %[[K]] [#bsp.box<offsets = [], sizes = []>]
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [1, 0], sizes = [1, 2]>] {{.*}} -> %[[B]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>]
// CHECK-NEXT: }
// CHECK-NEXT: bsp.compute_set "scale" {
// CHECK-NEXT: bsp.generic_vertex tile(1) ins(%[[A]] {{.*}}, %[[K]] {{.*}}) outs
// CHECK: bsp.generic_vertex tile(1) ins(%[[B]] {{.*}}, %[[K]] {{.*}}) outs
bsp.program @loop attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 8, 0>]
      : !bsp.buffer<2x4xf32>
  %c = bsp.tensor "c" role(constant) mapping [#bsp.interval<0, 0, 1, 32>]
      value(dense<2.0> : tensor<f32>) : !bsp.buffer<f32>
  %n = bsp.tensor "scale.x.staged" role(intermediate) mapping [#bsp.interval<0, 0, 1, 64>]
      : !bsp.buffer<1xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<1, 0, 8, 0>]
      : !bsp.buffer<2x4xf32>
  bsp.host_write %x "x" : !bsp.buffer<2x4xf32>
  bsp.repeat 2 {
    bsp.compute_set "scale" {
      bsp.generic_vertex tile(1)
          ins(%x [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>,
              %c [#bsp.box<offsets = [], sizes = []>] : !bsp.buffer<f32>)
          outs(%y [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
          attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                       affine_map<(d0, d1) -> ()>,
                                       affine_map<(d0, d1) -> (d0, d1)>],
                      iterator_types = ["parallel", "parallel"],
                      loop_bounds = array<i64: 1, 4>} {
      ^bb0(%a: f32, %k: f32, %o: f32):
        %r = arith.mulf %a, %k : f32
        bsp.yield %r : f32
      }
      bsp.generic_vertex tile(1)
          ins(%x [#bsp.box<offsets = [1, 0], sizes = [1, 2]>] : !bsp.buffer<2x4xf32>,
              %c [#bsp.box<offsets = [], sizes = []>] : !bsp.buffer<f32>)
          outs(%y [#bsp.box<offsets = [1, 0], sizes = [1, 2]>] : !bsp.buffer<2x4xf32>)
          attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                       affine_map<(d0, d1) -> ()>,
                                       affine_map<(d0, d1) -> (d0, d1)>],
                      iterator_types = ["parallel", "parallel"],
                      loop_bounds = array<i64: 1, 2>} {
      ^bb0(%a: f32, %k: f32, %o: f32):
        %r = arith.mulf %a, %k : f32
        bsp.yield %r : f32
      }
    }
  }
  bsp.host_read %y "y" : !bsp.buffer<2x4xf32>
}

// -----

// Already local: a box whose two rows live on tile 0 between tile 1's
// elements is read in place, so the marked program only loses its mark.
// CHECK-LABEL: bsp.program @local
// CHECK-NOT: remote_operands
// CHECK-NOT: bsp.exchange
// CHECK-NOT: staged
// CHECK: bsp.generic_vertex tile(0) ins(%{{.*}} [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<4x4xf32>)
bsp.program @local attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %q = bsp.tensor "q" role(input)
      mapping [#bsp.interval<0, 0, 2, 0>, #bsp.interval<1, 2, 4, 0>,
               #bsp.interval<0, 4, 6, 8>, #bsp.interval<1, 6, 16, 8>]
      : !bsp.buffer<4x4xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 4, 16>]
      : !bsp.buffer<2x2xf32>
  bsp.host_write %q "q" : !bsp.buffer<4x4xf32>
  bsp.compute_set "neg" {
    bsp.generic_vertex tile(0)
        ins(%q [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<4x4xf32>)
        outs(%y [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 2, 2>} {
    ^bb0(%a: f32, %o: f32):
      %r = arith.negf %a : f32
      bsp.yield %r : f32
    }
  }
  bsp.host_read %y "y" : !bsp.buffer<2x2xf32>
}

// -----

// A program without the mark is left exactly as it is (its inputs are
// local by the verifier), copies into other tiles' tensors included.
// CHECK-LABEL: bsp.program @unmarked
// CHECK-NEXT: %[[A:.*]] = bsp.tensor "a"
// CHECK-NEXT: %[[B:.*]] = bsp.tensor "b"
// CHECK-NEXT: bsp.exchange "move" {
// CHECK-NEXT: bsp.copy %[[A]] {{.*}} -> %[[B]]
// CHECK-NEXT: }
// CHECK-NEXT: }
bsp.program @unmarked attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>} {
  %a = bsp.tensor "a" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>]
      : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<1, 0, 4, 0>]
      : !bsp.buffer<4xf32>
  bsp.exchange "move" {
    bsp.copy %a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
          -> %b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
}

// -----

// Pieces of one box read by different vertices (as a matmul reads its A
// chunk in pieces cut where the homed B rows are) are one copy, whatever
// other boxes are gathered in between; each vertex reads its piece of it.
// CHECK-LABEL: bsp.program @pieces
// CHECK: %[[X:.*]] = bsp.tensor "x" role(input)
// CHECK: %[[W:.*]] = bsp.tensor "w" role(input)
// CHECK: %[[A:.*]] = bsp.tensor "mul.x.staged" role(intermediate) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<1x4xf32>
// CHECK-NEXT: %[[B:.*]] = bsp.tensor "mul.w.staged" role(intermediate) mapping [#bsp.interval<1, 0, 2, 0>] : !bsp.buffer<1x2xf32>
// CHECK: bsp.exchange "mul.gather" {
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] {{.*}} -> %[[A]] [#bsp.box<offsets = [0, 0], sizes = [1, 4]>]
// CHECK-NEXT: bsp.copy %[[W]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] {{.*}} -> %[[B]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>]
// CHECK-NEXT: }
// CHECK: bsp.generic_vertex tile(1) ins(%[[A]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] {{.*}}, %[[B]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>]
// CHECK: bsp.generic_vertex tile(1) ins(%[[A]] [#bsp.box<offsets = [0, 2], sizes = [1, 2]>] {{.*}}, %[[B]] [#bsp.box<offsets = [0, 0], sizes = [1, 2]>]
bsp.program @pieces attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 4, 0>]
      : !bsp.buffer<1x4xf32>
  %w = bsp.tensor "w" role(input) mapping [#bsp.interval<0, 0, 2, 16>]
      : !bsp.buffer<1x2xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<1, 0, 4, 0>]
      : !bsp.buffer<1x4xf32>
  bsp.host_write %x "x" : !bsp.buffer<1x4xf32>
  bsp.host_write %w "w" : !bsp.buffer<1x2xf32>
  bsp.compute_set "mul" {
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<1x4xf32>,
            %w [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<1x2xf32>)
        outs(%y [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<1x4xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 2>} {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %r = arith.mulf %a, %b : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0, 2], sizes = [1, 2]>] : !bsp.buffer<1x4xf32>,
            %w [#bsp.box<offsets = [0, 0], sizes = [1, 2]>] : !bsp.buffer<1x2xf32>)
        outs(%y [#bsp.box<offsets = [0, 2], sizes = [1, 2]>] : !bsp.buffer<1x4xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>,
                                     affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 2>} {
    ^bb0(%a: f32, %b: f32, %o: f32):
      %r = arith.mulf %a, %b : f32
      bsp.yield %r : f32
    }
  }
  bsp.host_read %y "y" : !bsp.buffer<1x4xf32>
}

// -----

// Ragged groups: tiles 1 and 2 read boxes of %x 4 wide (2 rows and 1 row),
// tiles 3 and 1 boxes 2 wide. Boxes whose sizes agree but for the first
// share a staging tensor whatever their rows, so there are two: "edge.x.staged"
// holds tile 1's two rows and then tile 2's one, "edge.x.staged.1" the
// 2-wide boxes, tile 1's rows before tile 3's although tile 3 asked first
// (each tensor's intervals are in tile order).
// CHECK-LABEL: bsp.program @ragged
// CHECK: %[[X:.*]] = bsp.tensor "x" role(input)
// CHECK: %[[W:.*]] = bsp.tensor "edge.x.staged" role(intermediate) mapping [#bsp.interval<1, 0, 8, 0>, #bsp.interval<2, 8, 12, 0>] : !bsp.buffer<3x4xf32>
// CHECK-NEXT: %[[N:.*]] = bsp.tensor "edge.x.staged.1" role(intermediate) mapping [#bsp.interval<1, 0, 4, 0>, #bsp.interval<3, 4, 8, 0>] : !bsp.buffer<4x2xf32>
// CHECK-NOT: bsp.tensor
// CHECK: bsp.exchange "edge.gather" {
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] {{.*}} -> %[[W]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>]
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [0, 4], sizes = [2, 2]>] {{.*}} -> %[[N]] [#bsp.box<offsets = [2, 0], sizes = [2, 2]>]
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] {{.*}} -> %[[W]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>]
// CHECK-NEXT: bsp.copy %[[X]] [#bsp.box<offsets = [2, 4], sizes = [2, 2]>] {{.*}} -> %[[N]] [#bsp.box<offsets = [0, 0], sizes = [2, 2]>]
// CHECK-NEXT: }
// CHECK: bsp.generic_vertex tile(1) ins(%[[W]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<3x4xf32>)
// CHECK: bsp.generic_vertex tile(3) ins(%[[N]] [#bsp.box<offsets = [2, 0], sizes = [2, 2]>] : !bsp.buffer<4x2xf32>)
// CHECK: bsp.generic_vertex tile(2) ins(%[[W]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<3x4xf32>)
// CHECK: bsp.generic_vertex tile(1) ins(%[[N]] [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<4x2xf32>)
#id = affine_map<(d0, d1) -> (d0, d1)>
bsp.program @ragged attributes {device = #bsp.device<name = "tiny", tiles = 4,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>, remote_operands} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 24, 0>]
      : !bsp.buffer<4x6xf32>
  // Each vertex writes its own output on its tile.
  %a = bsp.tensor "a" role(output) mapping [#bsp.interval<1, 0, 8, 0>]
      : !bsp.buffer<2x4xf32>
  %b = bsp.tensor "b" role(output) mapping [#bsp.interval<3, 0, 4, 0>]
      : !bsp.buffer<2x2xf32>
  %c = bsp.tensor "c" role(output) mapping [#bsp.interval<2, 0, 4, 0>]
      : !bsp.buffer<1x4xf32>
  %d = bsp.tensor "d" role(output) mapping [#bsp.interval<1, 0, 4, 32>]
      : !bsp.buffer<2x2xf32>
  bsp.host_write %x "x" : !bsp.buffer<4x6xf32>
  bsp.compute_set "edge" {
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x6xf32>)
        outs(%a [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<2x4xf32>)
        attributes {indexing_maps = [#id, #id],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 2, 4>} {
    ^bb0(%v: f32, %o: f32):
      %r = arith.negf %v : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(3)
        ins(%x [#bsp.box<offsets = [0, 4], sizes = [2, 2]>] : !bsp.buffer<4x6xf32>)
        outs(%b [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
        attributes {indexing_maps = [#id, #id],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 2, 2>} {
    ^bb0(%v: f32, %o: f32):
      %r = arith.negf %v : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(2)
        ins(%x [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x6xf32>)
        outs(%c [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<1x4xf32>)
        attributes {indexing_maps = [#id, #id],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 1, 4>} {
    ^bb0(%v: f32, %o: f32):
      %r = arith.negf %v : f32
      bsp.yield %r : f32
    }
    bsp.generic_vertex tile(1)
        ins(%x [#bsp.box<offsets = [2, 4], sizes = [2, 2]>] : !bsp.buffer<4x6xf32>)
        outs(%d [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<2x2xf32>)
        attributes {indexing_maps = [#id, #id],
                    iterator_types = ["parallel", "parallel"],
                    loop_bounds = array<i64: 2, 2>} {
    ^bb0(%v: f32, %o: f32):
      %r = arith.negf %v : f32
      bsp.yield %r : f32
    }
  }
  bsp.host_read %a "a" : !bsp.buffer<2x4xf32>
  bsp.host_read %b "b" : !bsp.buffer<2x2xf32>
  bsp.host_read %c "c" : !bsp.buffer<1x4xf32>
  bsp.host_read %d "d" : !bsp.buffer<2x2xf32>
}
