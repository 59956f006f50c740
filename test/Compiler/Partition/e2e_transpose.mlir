// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 | FileCheck %s
// A 3-d transpose feeding an elementwise op, and a plain 2-d transpose.
// CHECK-DAG: MATCH t3 20x8x12
// CHECK-DAG: MATCH t2 70x30
func.func @main(%a: tensor<8x12x20xf32>, %b: tensor<30x70xf32>)
    -> (tensor<20x8x12xf32> {ipuc.name = "t3"}, tensor<70x30xf32> {ipuc.name = "t2"}) {
  %p = "tosa.const"() {value = dense<[2, 0, 1]> : tensor<3xi32>} : () -> tensor<3xi32>
  %q = "tosa.const"() {value = dense<[1, 0]> : tensor<2xi32>} : () -> tensor<2xi32>
  %0 = tosa.transpose %a, %p : (tensor<8x12x20xf32>, tensor<3xi32>) -> tensor<20x8x12xf32>
  %1 = tosa.exp %0 : (tensor<20x8x12xf32>) -> tensor<20x8x12xf32>
  %2 = tosa.transpose %b, %q : (tensor<30x70xf32>, tensor<2xi32>) -> tensor<70x30xf32>
  return %1, %2 : tensor<20x8x12xf32>, tensor<70x30xf32>
}
