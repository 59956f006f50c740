// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=6" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s
// RUN: echo '{"tiles_per_chip": 4, "sram_bytes_per_tile": 98304}' > %t.json
// RUN: ipu-opt --ipuc-partition-to-bsp="device=%t.json" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s --check-prefix=SMALL
// RUN: ipu-opt --ipuc-plan-matmul-grids="tiles=6" %s | FileCheck %s --check-prefix=PLAN
// RUN: ipu-opt --ipuc-plan-matmul-grids="device=%t.json" %s | FileCheck %s --check-prefix=PLANSMALL
// RUN: ipu-opt --ipuc-plan-matmul-grids="device=%t.json" --ipuc-partition-to-bsp="device=%t.json" --ipuc-insert-exchanges --ipuc-plan-tile-memory %s | FileCheck %s --check-prefix=SMALL

// The decisions on linalg: the first convolution's tile holds 3 output rows
// of 7 x 10 (840 B), 7 input rows of 15 x 6 (2520 B) and the 10x3x3x6
// filter (2160 B); the second one's 256 input channels in 3 chunks.
// PLAN: linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, ipuc.grid = #bsp.grid<pb = 2, pm = 3, pn = 1, pk = 1, cycles = {{[0-9]+}}, bytes_per_tile = 5520>
// PLANSMALL: linalg.conv_2d_nhwc_fhwc
// PLANSMALL: linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 2, pk = 1, k_chunks = 3, cycles = {{[0-9]+}}, bytes_per_tile = {{[0-9]+}}>

// A stride-2 3x3 convolution planned as an implicit GEMM on 6 tiles: blocks
// of images x output rows x output channels. Each tile reads the input rows
// of its 3 output rows plus the filter's halo ((3 - 1) x 2 + 1 + 2 = 7 rows)
// and writes its block of the result with one conv2d vertex; there is no
// init to accumulate onto (a zero fill).
// CHECK: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#4" attributes {grid = "2x3x1x1"}
// CHECK-NEXT: bsp.conv2d_vertex tile(0) ins({{.*}}sizes = [1, 7, 15, 6]>] : !bsp.buffer<4x7x15x6xf32>, {{.*}}) outs(%{{[0-9]+}} [#bsp.box<offsets = [0, 0, 0, 0], sizes = [1, 3, 7, 10]>] : !bsp.buffer<2x8x7x10xf32>) {dilations = array<i64: 1, 1>, flops = {{.*}}, strides = array<i64: 2, 2>}
// CHECK-NEXT: bsp.conv2d_vertex tile(1) ins({{.*}}sizes = [1, 7, 15, 6]>]{{.*}} outs(%{{[0-9]+}} [#bsp.box<offsets = [0, 3, 0, 0], sizes = [1, 3, 7, 10]>]
// The last row block has 2 output rows: (2 - 1) x 2 + 1 + 2 = 5 input rows.
// CHECK-NEXT: bsp.conv2d_vertex tile(2) ins({{.*}}sizes = [1, 5, 15, 6]>]{{.*}} outs(%{{[0-9]+}} [#bsp.box<offsets = [0, 6, 0, 0], sizes = [1, 2, 7, 10]>]
// CHECK-COUNT-3: bsp.conv2d_vertex
// CHECK-NOT: bsp.conv2d_vertex
// CHECK: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#8

// With 96 KiB tiles the second convolution's 256 input channels are taken
// in serial chunks; the broadcast bias is exchanged into the result blocks
// first, so every chunk accumulates.
// SMALL: bsp.exchange "linalg.conv_2d_nhwc_fhwc#8.init"
// SMALL: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#8.k0" attributes {grid = "1x2x2x1", k_chunks = 3 : i64}
// SMALL-NEXT: bsp.conv2d_vertex {{.*}} {accumulate = true
// SMALL: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#8.k1"
// SMALL-NEXT: bsp.conv2d_vertex {{.*}} {accumulate = true
func.func @main(%x: tensor<2x17x15x6xf32>, %w: tensor<10x3x3x6xf32>,
                %x2: tensor<1x10x10x256xf32>, %w2: tensor<8x3x3x256xf32>)
    -> (tensor<2x8x7x10xf32>, tensor<1x8x8x8xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x7x10xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x8x7x10xf32>) -> tensor<2x8x7x10xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<2x17x15x6xf32>, tensor<10x3x3x6xf32>) outs(%f : tensor<2x8x7x10xf32>) -> tensor<2x8x7x10xf32>
  %one = arith.constant 1.0 : f32
  %e2 = tensor.empty() : tensor<1x8x8x8xf32>
  %bias = linalg.fill ins(%one : f32) outs(%e2 : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %y2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x2, %w2 : tensor<1x10x10x256xf32>, tensor<8x3x3x256xf32>) outs(%bias : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  return %y, %y2 : tensor<2x8x7x10xf32>, tensor<1x8x8x8xf32>
}
