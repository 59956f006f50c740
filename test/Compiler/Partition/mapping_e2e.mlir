// RUN: %python %S/Inputs/compare_sim_host.py %s %t.on --tiles=8 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.off --tiles=8 --plan-mappings=false | FileCheck %s
// RUN: ipuc %s --target=ipu --tiles=8 --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: ipuc %s --target=ipu --tiles=8 --emit=bsp -o %t.inline.mlir
// RUN: ipuc %s --target=ipu --tiles=8 --emit=bsp --plan-grids -o %t.pass.mlir
// RUN: diff %t.inline.mlir %t.pass.mlir
// The planned mappings compute what the host plan computes (the host device
// is itself tested against NumPy), with and without the planning: a matmul
// followed by elementwise ops that keep its block mapping, a reshape of a
// block-mapped result and a transpose that gets a linear mapping. The
// partitioner's own choice (ipuc's default) is the one the planning pass
// records (--plan-grids runs the pass first): the same bsp program.
// LINALG: ipuc.mapping = {cycles = {{[0-9]+}} : i64, operand = {{[0-9]}} : i64}
// LINALG: ipuc.mapping = {cycles = {{[0-9]+}} : i64, tiles = {{[0-9]+}} : i64}
// CHECK: MATCH out 4x32x24
func.func @main(%a: tensor<1x96x64xf32>, %b: tensor<1x64x128xf32>, %bias: tensor<1x1x128xf32>)
    -> (tensor<4x32x24xf32> {ipuc.name = "out"}) {
  %perm = "tosa.const"() {value = dense<[1, 2, 0]> : tensor<3xi32>} : () -> tensor<3xi32>
  %m = tosa.matmul %a, %b : (tensor<1x96x64xf32>, tensor<1x64x128xf32>) -> tensor<1x96x128xf32>
  %0 = tosa.add %m, %bias : (tensor<1x96x128xf32>, tensor<1x1x128xf32>) -> tensor<1x96x128xf32>
  %1 = tosa.tanh %0 : (tensor<1x96x128xf32>) -> tensor<1x96x128xf32>
  %2 = tosa.mul %1, %m {shift = 0 : i8} : (tensor<1x96x128xf32>, tensor<1x96x128xf32>) -> tensor<1x96x128xf32>
  %3 = tosa.reshape %2 {new_shape = array<i64: 96, 4, 32>} : (tensor<1x96x128xf32>) -> tensor<96x4x32xf32>
  %4 = tosa.transpose %3, %perm : (tensor<96x4x32xf32>, tensor<3xi32>) -> tensor<4x32x96xf32>
  %5 = tosa.reshape %4 {new_shape = array<i64: 4, 32, 4, 24>} : (tensor<4x32x96xf32>) -> tensor<4x32x4x24xf32>
  %6 = tosa.reduce_sum %5 {axis = 2 : i32} : (tensor<4x32x4x24xf32>) -> tensor<4x32x1x24xf32>
  %7 = tosa.reshape %6 {new_shape = array<i64: 4, 32, 24>} : (tensor<4x32x1x24xf32>) -> tensor<4x32x24xf32>
  return %7 : tensor<4x32x24xf32>
}
