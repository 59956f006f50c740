// RUN: %python %S/Inputs/compare_sim_host.py %s %t.4 --tiles=4 --atol=1e-4 | FileCheck %s
// RUN: %python %S/Inputs/compare_sim_host.py %s %t.16 --tiles=16 --atol=1e-4 | FileCheck %s
// A plain matmul (block grid over tiles) and a K-split one (large K, small
// M and N: partial sums reduced in a second compute set) agree with host.
// K = 4096 sums in a different order on tiles than on host: atol 1e-4.
// CHECK-DAG: MATCH mm 1x48x40
// CHECK-DAG: MATCH ksplit 1x4x8
func.func @main(%a: tensor<1x48x96xf32>, %b: tensor<1x96x40xf32>,
                %c: tensor<1x4x4096xf32>, %d: tensor<1x4096x8xf32>)
    -> (tensor<1x48x40xf32> {ipuc.name = "mm"}, tensor<1x4x8xf32> {ipuc.name = "ksplit"}) {
  %0 = tosa.matmul %a, %b : (tensor<1x48x96xf32>, tensor<1x96x40xf32>) -> tensor<1x48x40xf32>
  %1 = tosa.matmul %c, %d : (tensor<1x4x4096xf32>, tensor<1x4096x8xf32>) -> tensor<1x4x8xf32>
  return %0, %1 : tensor<1x48x40xf32>, tensor<1x4x8xf32>
}
