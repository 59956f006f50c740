// RUN: ipu-opt %s --ipuc-print-bsp-plan -split-input-file -verify-diagnostics -o /dev/null
// Generic codelets are prepared on another thread unless threading is off;
// either way the diagnostics are the same.
// RUN: ipu-opt %s --ipuc-print-bsp-plan -split-input-file -verify-diagnostics -o /dev/null --mlir-disable-threading

// Serialization errors are reported at the offending op.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 1,
    sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32,
    fp16_flops_per_cycle = 128, elementwise_per_cycle = 2,
    exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
    // expected-error@+1 {{indexing map #0 affine_map<(d0) -> (d0 mod 2)> is not a linear combination}}
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0 mod 2)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      bsp.yield %p : f32
    }
  }
}

// -----

// A plan is only written once every vertex reads local boxes.
// expected-error@+1 {{has vertices reading boxes on other tiles ('remote_operands'); run ipuc-insert-exchanges before writing a plan}}
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32,
    fp16_flops_per_cycle = 128, elementwise_per_cycle = 2,
    exchange_bytes_per_cycle = 4, sync_cycles = 150>, remote_operands} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 4, 16>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
  }
}

// -----

// Only the first error in program order is reported, although the codelet
// of the later vertex, which does not serialize either, may already have
// been prepared (and failed) on another thread.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 1,
    sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32,
    fp16_flops_per_cycle = 128, elementwise_per_cycle = 2,
    exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  bsp.compute_set "fine" {
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %q : f32
      bsp.yield %s : f32
    }
  }
  // expected-error@+1 {{'arith.constant' op cannot be serialized as a step of the tile program}}
  %c = arith.constant 0 : i32
  bsp.compute_set "later" {
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0 mod 2)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      bsp.yield %p : f32
    }
  }
}

// -----

// A failing codelet after codelets that serialize is reported once, at the
// body op it cannot compile.
bsp.program @p attributes {device = #bsp.device<name = "tiny", tiles = 1,
    sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32,
    fp16_flops_per_cycle = 128, elementwise_per_cycle = 2,
    exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %a = bsp.tensor "a" role(intermediate) mapping [#bsp.interval<0, 0, 4, 0>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [0], sizes = [2]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 2>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.addf %p, %q : f32
      bsp.yield %s : f32
    }
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [2], sizes = [2]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [2], sizes = [2]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 2>} {
    ^bb0(%p: f32, %q: f32):
      %s = arith.mulf %p, %q : f32
      bsp.yield %s : f32
    }
    bsp.generic_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        outs(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
        attributes {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                    iterator_types = ["parallel"], loop_bounds = array<i64: 4>} {
    ^bb0(%p: f32, %q: f32):
      // expected-error@+1 {{'math.cbrt' in the body of 'bsp.generic_vertex' is not supported by the host plan}}
      %r = math.cbrt %p : f32
      bsp.yield %r : f32
    }
  }
}
