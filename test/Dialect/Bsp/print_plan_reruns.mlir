// RUN: ipu-opt %s --ipuc-print-bsp-plan -o /dev/null | FileCheck %s

// Steps the serializer writes as reruns of earlier ones (StepReruns.h): the
// same ops over tensors of the same type, role and mapping. h3 has h1's
// mapping and h4 has h2's, as the memory planner gives repeated layers; h5
// has a mapping of its own, and "double4" multiplies instead of adding, so
// neither reruns "double1".
bsp.program @main attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>} {
  %x = bsp.tensor "x" role(input) mapping [#bsp.interval<0, 0, 4, 0>]
      : !bsp.buffer<4xf32>
  %h1 = bsp.tensor "h1" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>]
      : !bsp.buffer<4xf32>
  %h2 = bsp.tensor "h2" role(intermediate) mapping [#bsp.interval<0, 0, 4, 128>]
      : !bsp.buffer<4xf32>
  %h3 = bsp.tensor "h3" role(intermediate) mapping [#bsp.interval<0, 0, 4, 64>]
      : !bsp.buffer<4xf32>
  %h4 = bsp.tensor "h4" role(intermediate) mapping [#bsp.interval<0, 0, 4, 128>]
      : !bsp.buffer<4xf32>
  %h5 = bsp.tensor "h5" role(intermediate) mapping [#bsp.interval<0, 0, 4, 256>]
      : !bsp.buffer<4xf32>
  %o = bsp.tensor "o" role(output) mapping [#bsp.interval<1, 0, 4, 0>]
      : !bsp.buffer<4xf32>
  bsp.host_write %x "x" : !bsp.buffer<4xf32>
  bsp.exchange "in" {
    bsp.copy %x [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
          -> %h1 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
  bsp.compute_set "double1" {
    bsp.generic_vertex tile(0)
        ins(%h1 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>,
            %h1 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%h2 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32, %r: f32):
      %s = arith.addf %p, %q : f32
      bsp.yield %s : f32
    }
  }
  bsp.sync
  bsp.exchange "carry1" {
    bsp.copy %h2 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
          -> %h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
  bsp.compute_set "double2" {
    bsp.generic_vertex tile(0)
        ins(%h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>,
            %h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%h4 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32, %r: f32):
      %s = arith.addf %p, %q : f32
      bsp.yield %s : f32
    }
  }
  bsp.compute_set "double3" {
    bsp.generic_vertex tile(0)
        ins(%h4 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>,
            %h4 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%h5 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32, %r: f32):
      %s = arith.addf %p, %q : f32
      bsp.yield %s : f32
    }
  }
  bsp.compute_set "double4" {
    bsp.generic_vertex tile(0)
        ins(%h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>,
            %h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%h4 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>,
                                     affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32, %r: f32):
      %s = arith.mulf %p, %q : f32
      bsp.yield %s : f32
    }
  }
  bsp.sync
  bsp.exchange "carry2" {
    bsp.copy %h4 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
          -> %h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
  bsp.exchange "out" {
    bsp.copy %h3 [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
          -> %o [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>
  }
  bsp.host_read %o "o" : !bsp.buffer<4xf32>
}

// Tensors of one mapping share one interval vector of the plan.
// CHECK: tile_program
// CHECK-NEXT: mapping %0: tile 0 [0, 4) @0{{$}}
// CHECK-NEXT: mapping %1: tile 0 [0, 4) @64{{$}}
// CHECK-NEXT: mapping %2: tile 0 [0, 4) @128{{$}}
// CHECK-NEXT: mapping %3: tile 0 [0, 4) @64 (the intervals of %1)
// CHECK-NEXT: mapping %4: tile 0 [0, 4) @128 (the intervals of %2)
// CHECK-NEXT: mapping %5: tile 0 [0, 4) @256{{$}}
// Pre-order steps: 0 host_write, 1 in, 2 double1, 3 carry1, 4 double2, ...
// CHECK: compute_set "double1" loc({{.*}}) vertices 1
// CHECK: exchange "carry1" loc({{.*}}) copies 1
// CHECK-NEXT: copy %3[0:4] = %2[0:4]
// CHECK-NEXT: rerun "double2" loc("{{.*}}print_plan_reruns.mlir:{{[0-9]+}}:{{[0-9]+}}") of step 2 {%1 -> %3, %2 -> %4}
// CHECK-NEXT: compute_set "double3" loc({{.*}}) vertices 1
// CHECK: out0 = %2[offset 0, strides [1]]
// CHECK: compute_set "double4" loc({{.*}}) vertices 1
// CHECK: MulF
// The identity rename (h3 in both) is listed too: `from` names every tensor.
// CHECK: rerun "carry2" loc({{.*}}) of step 3 {%2 -> %4, %3 -> %3}
// CHECK-NEXT: exchange "out" loc({{.*}}) copies 1
// CHECK-NEXT: copy %6[0:4] = %3[0:4]
// CHECK-NEXT: host_read output "o" = %6
// CHECK-NOT: rerun
