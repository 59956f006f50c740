// RUN: ipu-opt %s --ipuc-print-bsp-plan -o /dev/null | FileCheck %s

// A two-tile elementwise add with an exchange and a partial matmul, inside a
// repeat loop, serialized into the plan's tile program.
bsp.program @main attributes {device = #bsp.device<name = "tiny", tiles = 2,
    sram_bytes = 4096, clock_hz = 1.0e9, workers = 6,
    fp32_flops_per_cycle = 32, fp16_flops_per_cycle = 128,
    elementwise_per_cycle = 2, exchange_bytes_per_cycle = 4,
    sync_cycles = 150>} {
  %a = bsp.tensor "a" role(input)
      mapping [#bsp.interval<0, 0, 8, 0>, #bsp.interval<1, 8, 16, 0>]
      : !bsp.buffer<4x4xf32>
  %w = bsp.tensor "w" role(parameter)
      mapping [#bsp.interval<0, 0, 2, 64>, #bsp.interval<1, 2, 4, 64>]
      value(dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>) : !bsp.buffer<4xf32>
  %t = bsp.tensor "t" role(intermediate) mapping [#bsp.interval<0, 0, 8, 128>]
      : !bsp.buffer<2x4xf32>
  %y = bsp.tensor "y" role(output)
      mapping [#bsp.interval<0, 0, 8, 256>, #bsp.interval<1, 8, 16, 256>]
      : !bsp.buffer<4x4xf32>
  bsp.host_write %a "a" : !bsp.buffer<4x4xf32>
  bsp.repeat 2 {
    bsp.compute_set "add" {
      // Rows 2..3 of a, plus w broadcast along rows, transposed box access.
      bsp.generic_vertex tile(1)
          ins(%a [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>,
              %w [#bsp.box<offsets = [2], sizes = [2]>] : !bsp.buffer<4xf32>)
          outs(%y [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>)
          attributes {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                       affine_map<(d0, d1) -> (d0)>,
                                       affine_map<(d0, d1) -> (d0, d1)>],
                      iterator_types = ["parallel", "parallel"],
                      loop_bounds = array<i64: 2, 4>} {
      ^bb0(%p: f32, %q: f32, %r: f32):
        %s = arith.addf %p, %q : f32
        bsp.yield %s : f32
      }
      bsp.fill_vertex tile(0)
          outs(%y [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>)
          {value = 0.0 : f32}
    }
    bsp.sync
    bsp.exchange "a to tile 0" {
      bsp.copy %a [#bsp.box<offsets = [2, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>
            -> %t [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<2x4xf32>
    }
    bsp.compute_set "mm" {
      bsp.matmul_vertex tile(0)
          ins(%a [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<4x4xf32>,
              %t [#bsp.box<offsets = [0, 0], sizes = [2, 4]>] : !bsp.buffer<2x4xf32>)
          outs(%y [#bsp.box<offsets = [0, 0], sizes = [2, 2]>] : !bsp.buffer<4x4xf32>)
          {accumulate = true, transpose_rhs = true, flops = 100.0 : f64}
      bsp.copy_vertex tile(0)
          ins(%t [#bsp.box<offsets = [0, 0], sizes = [1, 4]>] : !bsp.buffer<2x4xf32>)
          outs(%y [#bsp.box<offsets = [1, 0], sizes = [1, 4]>] : !bsp.buffer<4x4xf32>)
    }
  }
  bsp.host_read %y "y" : !bsp.buffer<4x4xf32>
}

// CHECK: target ipu
// CHECK: device "tiny" chips 1 tiles 2 sram 4096 clock 1000000000
// CHECK: %0 = tensor "a" f32[4x4] input
// CHECK: %1 = tensor "w" f32[4] parameter
// CHECK: %2 = tensor "t" f32[2x4] intermediate
// CHECK: %3 = tensor "y" f32[4x4] output
// CHECK: input "a" = %0
// CHECK: output "y" = %3
// CHECK: tile_program
// CHECK-NEXT: mapping %0: tile 0 [0, 8) @0, tile 1 [8, 16) @0
// CHECK-NEXT: mapping %1: tile 0 [0, 2) @64, tile 1 [2, 4) @64
// CHECK-NEXT: mapping %2: tile 0 [0, 8) @128
// CHECK-NEXT: mapping %3: tile 0 [0, 8) @256, tile 1 [8, 16) @256
// CHECK-NEXT: host_write %0 = input "a"
// CHECK-NEXT: repeat 2 {
// CHECK-NEXT: compute_set "add" loc("{{.*}}print_plan.mlir:23:5") vertices 2
// The generic's flops default to loop points x body ops.
// CHECK-NEXT: vertex 0 tile 1 flops 8
// CHECK-NEXT: operand 0 = %0[2:4, 0:4]
// CHECK-NEXT: operand 1 = %1[2:4]
// CHECK-NEXT: operand 2 = %3[2:4, 0:4]
// CHECK-NEXT: loop_bounds [2, 4]
// CHECK-NEXT: iterators [parallel, parallel]
// Strides are folded with the box sizes (2x4), not the tensor's shape.
// CHECK-NEXT: in0 = %0[offset 0, strides [4, 1]]
// CHECK-NEXT: in1 = %1[offset 0, strides [1, 0]]
// CHECK-NEXT: out0 = %2[offset 0, strides [4, 1]]
// CHECK-NEXT: registers 4
// CHECK-NEXT: r3 = AddF r0, r1 : f32
// CHECK-NEXT: Yield out0 = r3
// CHECK-NEXT: vertex 1 tile 0 flops 0
// CHECK-NEXT: operand 0 = %3[0:2, 0:4]
// CHECK-NEXT: fill %0 = 0
// The bsp.sync is dropped: the plan implies it before the exchange.
// CHECK-NEXT: exchange "a to tile 0" loc("{{.*}}print_plan.mlir:43:5") copies 1
// CHECK-NEXT: copy %2[0:2, 0:4] = %0[2:4, 0:4]
// CHECK-NEXT: compute_set "mm"
// CHECK-NEXT: vertex 0 tile 0 flops 100
// CHECK-NEXT: operand 0 = %0[0:2, 0:4]
// CHECK-NEXT: operand 1 = %2[0:2, 0:4]
// CHECK-NEXT: operand 2 = %3[0:2, 0:2]
// CHECK-NEXT: matmul %2 = %0 x %1^T + %2 batch 1 (strides 0, 0) m 2 n 2 k 4
// CHECK-NEXT: vertex 1 tile 0 flops 0
// CHECK-NEXT: operand 0 = %2[0:1, 0:4]
// CHECK-NEXT: operand 1 = %3[1:2, 0:4]
// CHECK-NEXT: copy %1[offset 0, strides [1]] = %0[offset 0, strides [1]] sizes [4]
// CHECK-NEXT: }
// CHECK-NEXT: host_read output "y" = %3
