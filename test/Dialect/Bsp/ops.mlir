// RUN: ipu-opt %s | ipu-opt | FileCheck %s
// RUN: ipu-opt %s --mlir-print-op-generic | ipu-opt | FileCheck %s

// Every bsp op round-trips through its custom form and the generic form.

// CHECK-LABEL: bsp.program @main
// CHECK-SAME: device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 4096, clock_hz = 1325000000, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2.5, exchange_bytes_per_cycle = 4, sync_cycles = 150>
bsp.program @main attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.325e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128.0,
    elementwise_per_cycle = 2.5, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>} {
  // CHECK: %[[A:.*]] = bsp.tensor "a" role(input) mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>] : !bsp.buffer<4x4xf32>
  %a = bsp.tensor "a" role(input)
      mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>]
      : !bsp.buffer<4x4xf32>
  // CHECK: %[[W:.*]] = bsp.tensor "w" role(parameter) mapping [#bsp.interval<0, 0, 16, 64>] value(dense<1.000000e+00> : tensor<4x4xf32>) : !bsp.buffer<4x4xf32>
  %w = bsp.tensor "w" role(parameter) mapping [#bsp.interval<0, 0, 16, 64>]
      value(dense<1.0> : tensor<4x4xf32>) : !bsp.buffer<4x4xf32>
  // CHECK: %[[C:.*]] = bsp.tensor "c" role(constant) mapping [#bsp.interval<1, 0, 1, 64>] value(dense<2> : tensor<i32>) : !bsp.buffer<i32>
  %c = bsp.tensor "c" role(constant) mapping [#bsp.interval<1, 0, 1, 64>]
      value(dense<2> : tensor<i32>) : !bsp.buffer<i32>
  // CHECK: %[[T:.*]] = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 8, 128>] : !bsp.buffer<4x4xf32>
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 8, 128>]
      : !bsp.buffer<4x4xf32>
  // CHECK: %[[Y:.*]] = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 16, 256>] : !bsp.buffer<4x4xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 16, 256>]
      : !bsp.buffer<4x4xf32>
  %x = bsp.tensor "x" role(intermediate) mapping [#bsp.interval<0, 0, 75, 512>]
      : !bsp.buffer<1x5x5x3xf32>
  %f = bsp.tensor "f" role(intermediate) mapping [#bsp.interval<0, 0, 54, 1024>]
      : !bsp.buffer<2x3x3x3xf32>
  %o = bsp.tensor "o" role(intermediate) mapping [#bsp.interval<0, 0, 8, 1536>]
      : !bsp.buffer<1x2x2x2xf32>

  // CHECK: bsp.host_write %[[A]] "a" : !bsp.buffer<4x4xf32>
  bsp.host_write %a "a" : !bsp.buffer<4x4xf32>
  // CHECK: bsp.repeat 3 {
  bsp.repeat 3 {
    // CHECK: bsp.compute_set "add" {
    bsp.compute_set "add" {
      // CHECK: bsp.generic_vertex tile(0) ins(%[[A]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>, %[[W]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>) outs(%[[T]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>) attributes {flops = 8.000000e+00 : f64, indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"], loop_bounds = array<i64: 2, 4>} {
      // CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
      // CHECK-NEXT: bsp.index 1
      // CHECK-NEXT: arith.addf
      // CHECK-NEXT: bsp.yield %{{.*}} : f32
      bsp.generic_vertex tile(0)
          ins(%a [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>,
              %w [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>)
          outs(%t [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>)
          attributes {flops = 8.0 : f64,
                      indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                       affine_map<(d0, d1) -> (d0, d1)>,
                                       affine_map<(d0, d1) -> (d0, d1)>],
                      iterator_types = ["parallel", "parallel"],
                      loop_bounds = array<i64: 2, 4>} {
      ^bb0(%p: f32, %q: f32, %r: f32):
        %j = bsp.index 1
        %s = arith.addf %p, %q : f32
        bsp.yield %s : f32
      }
      // CHECK: bsp.matmul_vertex tile(0) ins(%[[A]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>, %[[W]] [#bsp.box<offsets = [0, 0], sizes = [4, 4]>] : !bsp.buffer<4x4xf32>) outs(%[[Y]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>) {accumulate = true, transpose_rhs = true}
      bsp.matmul_vertex tile(0)
          ins(%a [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>,
              %w [#bsp.box<offsets = [0, 0], sizes = [4, 4]>] : !bsp.buffer<4x4xf32>)
          outs(%y [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>)
          {accumulate = true, transpose_rhs = true}
      // CHECK: bsp.conv2d_vertex tile(0) {{.*}} {strides = array<i64: 2, 2>}
      bsp.conv2d_vertex tile(0)
          ins(%x [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 5, 5, 3]>] : !bsp.buffer<1x5x5x3xf32>,
              %f [#bsp.box<offsets = [0, 0, 0, 0], sizes = [2, 3, 3, 3]>] : !bsp.buffer<2x3x3x3xf32>)
          outs(%o [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 2, 2, 2]>] : !bsp.buffer<1x2x2x2xf32>)
          {strides = array<i64: 2, 2>}
      // CHECK: bsp.copy_vertex tile(1) ins(%[[A]] [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>) outs(%[[A]] [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
      bsp.copy_vertex tile(1)
          ins(%a [#bsp.box<offsets = [2, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
          outs(%a [#bsp.box<offsets = [3, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
      // CHECK: bsp.fill_vertex tile(1) outs(%[[C]] [#bsp.box<offsets = [], sizes = []>] : !bsp.buffer<i32>) {value = 7 : i32}
      bsp.fill_vertex tile(1)
          outs(%c [#bsp.box<offsets = [], sizes = []>] : !bsp.buffer<i32>)
          {value = 7 : i32}
    }
    // CHECK: bsp.sync
    bsp.sync
    // CHECK: bsp.exchange "to tile 0" {
    // CHECK-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32> -> %[[T]] [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>
    bsp.exchange "to tile 0" {
      bsp.copy %a [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>
            -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>
    }
  }
  // CHECK: bsp.host_read %[[Y]] "y" : !bsp.buffer<4x4xf32>
  bsp.host_read %y "y" : !bsp.buffer<4x4xf32>
}

// A gather: the table %t is a gathered input (a trailing tensor body
// argument, no indexing map) read with tensor.extract at indices from %i.
// CHECK-LABEL: bsp.program @gather
// CHECK: bsp.generic_vertex tile(0) ins(%{{.*}} [#bsp.box<offsets = [0], sizes = [3]>] : !bsp.buffer<3xi32>, %{{.*}} [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x2xf32>)
// CHECK: ^bb0(%{{.*}}: i32, %{{.*}}: f32, %[[TABLE:.*]]: tensor<4x2xf32>):
// CHECK: tensor.extract %[[TABLE]][
bsp.program @gather attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>} {
  %i = bsp.tensor "i" role(input) mapping [#bsp.interval<0, 0, 3, 0>] : !bsp.buffer<3xi32>
  %t = bsp.tensor "t" role(input) mapping [#bsp.interval<0, 0, 8, 16>] : !bsp.buffer<4x2xf32>
  %y = bsp.tensor "y" role(output) mapping [#bsp.interval<0, 0, 6, 48>] : !bsp.buffer<3x2xf32>
  bsp.compute_set "gather" {
    bsp.generic_vertex tile(0)
        ins(%i [#bsp.box<offsets = [0], sizes = [3]>] : !bsp.buffer<3xi32>,
            %t [#bsp.box<offsets = [0, 0], sizes = [4, 2]>] : !bsp.buffer<4x2xf32>)
        outs(%y [#bsp.box<offsets = [0, 0], sizes = [3, 2]>] : !bsp.buffer<3x2xf32>)
        attributes {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                    iterator_types = ["parallel", "parallel"], loop_bounds = array<i64: 3, 2>} {
    ^bb0(%ix: i32, %o: f32, %table: tensor<4x2xf32>):
      %r = arith.index_cast %ix : i32 to index
      %c = bsp.index 1
      %v = tensor.extract %table[%r, %c] : tensor<4x2xf32>
      bsp.yield %v : f32
    }
  }
}

// Before ipuc-insert-exchanges a vertex may read a box on another tile.
// CHECK-LABEL: bsp.program @remote
// CHECK-SAME: remote_operands
// CHECK: bsp.copy_vertex tile(0) ins(%{{.*}} [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
bsp.program @remote attributes {device = #bsp.device<name = "tiny", tiles = 2, sram_bytes = 256, clock_hz = 1.0e9, workers = 6, fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128, elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4, sync_cycles = 150>, remote_operands} {
  %a = bsp.tensor "a" role(input) mapping [#bsp.interval<1, 0, 4, 0>] : !bsp.buffer<4xf32>
  %b = bsp.tensor "b" role(intermediate) mapping [#bsp.interval<0, 0, 4, 16>] : !bsp.buffer<4xf32>
  bsp.compute_set "c" {
    bsp.copy_vertex tile(0) ins(%a [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>) outs(%b [#bsp.box<offsets = [0], sizes = [4]>] : !bsp.buffer<4xf32>)
  }
}
