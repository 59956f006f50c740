// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// Reductions along the inner and the outer axis, and a max.
// CHECK-DAG: MATCH inner 24x1
// CHECK-DAG: MATCH outer 1x100
// CHECK-DAG: MATCH max 24x1
func.func @main(%a: tensor<24x100xf32>)
    -> (tensor<24x1xf32> {ipuc.name = "inner"}, tensor<1x100xf32> {ipuc.name = "outer"}, tensor<24x1xf32> {ipuc.name = "max"}) {
  %0 = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<24x100xf32>) -> tensor<24x1xf32>
  %1 = tosa.reduce_sum %a {axis = 0 : i32} : (tensor<24x100xf32>) -> tensor<1x100xf32>
  %2 = tosa.reduce_max %a {axis = 1 : i32} : (tensor<24x100xf32>) -> tensor<24x1xf32>
  return %0, %1, %2 : tensor<24x1xf32>, tensor<1x100xf32>, tensor<24x1xf32>
}
