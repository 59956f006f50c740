// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=8 grain=8" %s | FileCheck %s
// A transpose whose exchange would need more than 4 copies per result tile
// range keeps the structured path: the 8x8 source is one row per tile and
// every result row (a source column) needs all 8 source rows, 8 pieces per
// range, against about one vertex and a few gather copies per range.
// CHECK-LABEL: bsp.program @main
// CHECK-NOT: perm = array
// CHECK: bsp.compute_set "linalg.transpose#{{[0-9]+}}"
// CHECK: bsp.generic_vertex
// CHECK-NOT: perm = array
func.func @main(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%a : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  return %t : tensor<8x8xf32>
}
