// RUN: ipu-opt %s --ipuc-legalize-host-plan | FileCheck %s
// RUN: ipu-opt %s --ipuc-legalize-host-plan --ipuc-print-host-plan -o /dev/null | FileCheck %s --check-prefix=PLAN

// Fusion leaves affine.apply over linalg.index in bodies; legalization
// expands it into arith ops the plan's instruction set has.
func.func @main(%x: tensor<4xi64>) -> tensor<4xi64> {
  %e = tensor.empty() : tensor<4xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : tensor<4xi64>) outs(%e : tensor<4xi64>) {
  ^bb0(%in: i64, %out: i64):
    %i = linalg.index 0 : index
    %j = affine.apply affine_map<(d0) -> (d0 * 3 + 1)>(%i)
    %c = arith.index_cast %j : index to i64
    %s = arith.addi %in, %c : i64
    linalg.yield %s : i64
  } -> tensor<4xi64>
  return %r : tensor<4xi64>
}
// CHECK-NOT: affine.apply
// CHECK: arith.muli
// CHECK: arith.addi
// PLAN: Index d0
// PLAN: MulI
// PLAN: AddI
// PLAN: Yield out0
