// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=4" %s | FileCheck %s
// A matmul's zero-filled accumulator is never materialized: the first vertex
// of every block overwrites it (accumulate = false, printed as the default),
// so there is no fill tensor and no compute set of fill vertices.
// CHECK-LABEL: bsp.program @main
// CHECK-NOT: linalg.fill
// CHECK-NOT: bsp.fill_vertex
// CHECK: bsp.compute_set "linalg.matmul#4"
// CHECK-NOT: accumulate = true
// CHECK: bsp.matmul_vertex tile(0)
// CHECK-NOT: bsp.fill_vertex
// CHECK: bsp.host_read
func.func @main(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %m : tensor<8x8xf32>
}
