// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// Elementwise ops with broadcasting operands (row, column, scalar-like).
// CHECK: MATCH out 16x33
func.func @main(%a: tensor<16x33xf32>, %row: tensor<1x33xf32>, %col: tensor<16x1xf32>)
    -> (tensor<16x33xf32> {ipuc.name = "out"}) {
  %0 = tosa.add %a, %row : (tensor<16x33xf32>, tensor<1x33xf32>) -> tensor<16x33xf32>
  %1 = tosa.mul %0, %col {shift = 0 : i8} : (tensor<16x33xf32>, tensor<16x1xf32>) -> tensor<16x33xf32>
  %2 = tosa.tanh %1 : (tensor<16x33xf32>) -> tensor<16x33xf32>
  %3 = tosa.sub %2, %a : (tensor<16x33xf32>, tensor<16x33xf32>) -> tensor<16x33xf32>
  return %3 : tensor<16x33xf32>
}
