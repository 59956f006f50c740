// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" --ipuc-insert-exchanges %s | FileCheck %s
// RUN: ipu-opt --ipuc-plan-matmul-grids="tiles=4" %s | FileCheck %s --check-prefix=KEPT
// RUN: %python %S/Inputs/compare_sim_host.py %s %t --tiles=4 --atol=1e-4 | FileCheck %s --check-prefix=SIM

// Grids written by hand in `ipuc.grid` are what the partitioner builds,
// instead of the planner's choice: a k split of 2 with 3 serial chunks per
// tile on a batch of 2 (4 tiles, then a reduce of the partials), a 2 x 2
// split of a convolution's rows and channels in 2 input-channel chunks, and
// a plain matmul on one tile. Their results still equal the host device's.
// CHECK: bsp.compute_set "linalg.batch_matmul#4.k0" attributes {grid = "2x1x1x2", k_chunks = 3 : i64}
// CHECK-COUNT-4: bsp.matmul_vertex tile
// CHECK-NOT: bsp.matmul_vertex
// CHECK: bsp.exchange "linalg.batch_matmul#4.k1.gather"
// CHECK: bsp.compute_set "linalg.batch_matmul#4.k2" attributes {grid = "2x1x1x2", k_chunks = 3 : i64}
// CHECK: bsp.compute_set "linalg.batch_matmul#4.reduce"
// CHECK: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#7.k0" attributes {grid = "1x2x2x1", k_chunks = 2 : i64}
// CHECK-COUNT-4: bsp.conv2d_vertex tile
// CHECK-NOT: bsp.conv2d_vertex
// CHECK: bsp.exchange "linalg.conv_2d_nhwc_fhwc#7.k1.gather"
// CHECK: bsp.compute_set "linalg.conv_2d_nhwc_fhwc#7.k1" attributes {grid = "1x2x2x1", k_chunks = 2 : i64}
// CHECK: bsp.compute_set "linalg.matmul#10" attributes {grid = "1x1x1x1"}
// CHECK-NEXT: bsp.matmul_vertex tile
// CHECK-NOT: bsp.matmul_vertex
// CHECK: bsp.host_read
// The planning pass keeps a written grid and adds its modelled cost.
// KEPT: linalg.batch_matmul {ipuc.grid = #bsp.grid<pb = 2, pm = 1, pn = 1, pk = 2, k_chunks = 3, cycles = {{[0-9]+}}, bytes_per_tile = {{[0-9]+}}>}
// KEPT: ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 2, pk = 1, k_chunks = 2, cycles =
// KEPT: linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1, cycles =
// SIM: MATCH c 1x8x8x6
// SIM: MATCH m 48x32
// SIM: MATCH y 2x24x20
func.func @main(%a: tensor<2x24x40xf32>, %b: tensor<2x40x20xf32>,
                %x: tensor<1x10x10x8xf32>, %w: tensor<6x3x3x8xf32>,
                %p: tensor<48x64xf32>, %q: tensor<64x32xf32>)
    -> (tensor<2x24x20xf32> {ipuc.name = "y"}, tensor<1x8x8x6xf32> {ipuc.name = "c"},
        tensor<48x32xf32> {ipuc.name = "m"}) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x24x20xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x24x20xf32>) -> tensor<2x24x20xf32>
  %y = linalg.batch_matmul {ipuc.grid = #bsp.grid<pb = 2, pm = 1, pn = 1, pk = 2, k_chunks = 3>}
      ins(%a, %b : tensor<2x24x40xf32>, tensor<2x40x20xf32>) outs(%f : tensor<2x24x20xf32>) -> tensor<2x24x20xf32>
  %e2 = tensor.empty() : tensor<1x8x8x6xf32>
  %f2 = linalg.fill ins(%z : f32) outs(%e2 : tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>,
                                 ipuc.grid = #bsp.grid<pb = 1, pm = 2, pn = 2, pk = 1, k_chunks = 2>}
      ins(%x, %w : tensor<1x10x10x8xf32>, tensor<6x3x3x8xf32>) outs(%f2 : tensor<1x8x8x6xf32>) -> tensor<1x8x8x6xf32>
  %e3 = tensor.empty() : tensor<48x32xf32>
  %f3 = linalg.fill ins(%z : f32) outs(%e3 : tensor<48x32xf32>) -> tensor<48x32xf32>
  %m = linalg.matmul {ipuc.grid = #bsp.grid<pb = 1, pm = 1, pn = 1, pk = 1>}
      ins(%p, %q : tensor<48x64xf32>, tensor<64x32xf32>) outs(%f3 : tensor<48x32xf32>) -> tensor<48x32xf32>
  return %y, %c, %m : tensor<2x24x20xf32>, tensor<1x8x8x6xf32>, tensor<48x32xf32>
}
