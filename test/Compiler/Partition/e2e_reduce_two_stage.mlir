// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 --rtol=1e-5 --atol=1e-5 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.1472 --tiles=1472 --rtol=1e-5 --atol=1e-5 | FileCheck %s
// Reductions with small outputs, run in two stages on the simulator: a
// ReduceMean-style row sum of 8x4096, a full sum to a scalar, a max and a
// min over a long axis, a product and an integer sum; against the host
// device (which sums in another order, hence the atol).
// CHECK-DAG: MATCH rowsum 8x1
// CHECK-DAG: MATCH total 1x1
// CHECK-DAG: MATCH max 1x3
// CHECK-DAG: MATCH min 8x1
// CHECK-DAG: MATCH prod 1x1
// CHECK-DAG: MATCH isum 1x1
func.func @main(%a: tensor<8x4096xf32>, %b: tensor<3000x3xf32>, %c: tensor<1x600xf32>, %d: tensor<1000x7xi32>)
    -> (tensor<8x1xf32> {ipuc.name = "rowsum"}, tensor<1x1xf32> {ipuc.name = "total"},
        tensor<1x3xf32> {ipuc.name = "max"}, tensor<8x1xf32> {ipuc.name = "min"},
        tensor<1x1xf32> {ipuc.name = "prod"}, tensor<1x1xi32> {ipuc.name = "isum"}) {
  %0 = tosa.reduce_sum %a {axis = 1 : i32} : (tensor<8x4096xf32>) -> tensor<8x1xf32>
  %1 = tosa.reduce_sum %0 {axis = 0 : i32} : (tensor<8x1xf32>) -> tensor<1x1xf32>
  %2 = tosa.reduce_max %b {axis = 0 : i32} : (tensor<3000x3xf32>) -> tensor<1x3xf32>
  %3 = tosa.reduce_min %a {axis = 1 : i32} : (tensor<8x4096xf32>) -> tensor<8x1xf32>
  // Factors near 1 keep the product of 600 finite and well-conditioned.
  %s = "tosa.const"() {value = dense<0.001> : tensor<1x600xf32>} : () -> tensor<1x600xf32>
  %one = "tosa.const"() {value = dense<1.0> : tensor<1x600xf32>} : () -> tensor<1x600xf32>
  %sc = tosa.mul %c, %s {shift = 0 : i8} : (tensor<1x600xf32>, tensor<1x600xf32>) -> tensor<1x600xf32>
  %f = tosa.add %sc, %one : (tensor<1x600xf32>, tensor<1x600xf32>) -> tensor<1x600xf32>
  %4 = tosa.reduce_prod %f {axis = 1 : i32} : (tensor<1x600xf32>) -> tensor<1x1xf32>
  %i0 = tosa.reduce_sum %d {axis = 1 : i32} : (tensor<1000x7xi32>) -> tensor<1000x1xi32>
  %5 = tosa.reduce_sum %i0 {axis = 0 : i32} : (tensor<1000x1xi32>) -> tensor<1x1xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<8x1xf32>, tensor<1x1xf32>, tensor<1x3xf32>, tensor<8x1xf32>, tensor<1x1xf32>, tensor<1x1xi32>
}
