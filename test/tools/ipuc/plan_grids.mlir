// RUN: ipuc %s --target=ipu --tiles=4 --emit=linalg | FileCheck %s
// RUN: ipuc %s --target=host --emit=linalg | FileCheck %s --check-prefix=HOST
// RUN: ipuc %s --target=ipu --tiles=4 --emit=bsp --plan-grids --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=AFTER

// For the ipu target the driver plans the matmul grids on linalg, before
// partitioning, for --emit=linalg and with --plan-grids, so the decisions
// show there and in the IR dumps; the host target has no tiles and no grids.
// RUN: ipuc %s --target=ipu --tiles=4 --emit=bsp --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=DEFAULT
// DEFAULT-NOT: IR Dump After PlanMatMulGrids
// CHECK: linalg.batch_matmul {ipuc.grid = #bsp.grid<pb = 1, pm = {{[0-9]+}}, pn = {{[0-9]+}}, pk = {{[0-9]+}}
// HOST-NOT: ipuc.grid
// AFTER: IR Dump After PlanMatMulGrids
// AFTER: linalg.batch_matmul {ipuc.grid = #bsp.grid<
// AFTER: IR Dump After PartitionToBsp
// AFTER: bsp.compute_set "linalg.batch_matmul
func.func @main(%a: tensor<1x64x96xf32>, %b: tensor<1x96x32xf32>) -> tensor<1x64x32xf32> {
  %0 = tosa.matmul %a, %b : (tensor<1x64x96xf32>, tensor<1x96x32xf32>) -> tensor<1x64x32xf32>
  return %0 : tensor<1x64x32xf32>
}
