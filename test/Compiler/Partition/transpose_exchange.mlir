// RUN: ipu-opt --ipuc-partition-to-bsp="tiles=2 grain=12" %s | FileCheck %s
// A transpose is one exchange of permuted copies into its result's linear
// mapping, with no compute set. The 4x6 source is on tiles 0 (rows 0-1) and
// 1 (rows 2-3); the 6x4 result likewise (rows 0-2, 3-5). Result rows 0-2
// (source columns 0-2) need both source tiles: one copy per source range,
// the first on-tile (tile 0 to tile 0), the second from tile 1.
// CHECK-LABEL: bsp.program @main
// CHECK: %[[A:.*]] = bsp.tensor "input0"{{.*}}mapping [#bsp.interval<0, 0, 12, {{.*}}>, #bsp.interval<1, 12, 24, {{.*}}>] : !bsp.buffer<4x6xf32>
// CHECK: %[[T:.*]] = bsp.tensor "output0"{{.*}}mapping [#bsp.interval<0, 0, 12, {{.*}}>, #bsp.interval<1, 12, 24, {{.*}}>] : !bsp.buffer<6x4xf32>
// CHECK-NOT: bsp.compute_set "linalg.transpose
// CHECK: bsp.exchange "linalg.transpose#{{[0-9]+}}" {
// CHECK-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [0, 0], sizes = [2, 3]>] : !bsp.buffer<4x6xf32> -> %[[T]] [#bsp.box<offsets = [0, 0], sizes = [3, 2]>] : !bsp.buffer<6x4xf32> {perm = array<i64: 1, 0>}
// CHECK-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [2, 0], sizes = [2, 3]>] : !bsp.buffer<4x6xf32> -> %[[T]] [#bsp.box<offsets = [0, 2], sizes = [3, 2]>] : !bsp.buffer<6x4xf32> {perm = array<i64: 1, 0>}
// CHECK-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [0, 3], sizes = [2, 3]>] : !bsp.buffer<4x6xf32> -> %[[T]] [#bsp.box<offsets = [3, 0], sizes = [3, 2]>] : !bsp.buffer<6x4xf32> {perm = array<i64: 1, 0>}
// CHECK-NEXT: bsp.copy %[[A]] [#bsp.box<offsets = [2, 3], sizes = [2, 3]>] : !bsp.buffer<4x6xf32> -> %[[T]] [#bsp.box<offsets = [3, 2], sizes = [3, 2]>] : !bsp.buffer<6x4xf32> {perm = array<i64: 1, 0>}
// CHECK-NEXT: }
// A generic that only permutes its input is lowered the same way.
// CHECK: bsp.exchange "linalg.generic#{{[0-9]+}}" {
// CHECK: {perm = array<i64: 1, 0>}
// A transpose fused with arithmetic (exp) stays a compute set of vertices.
// CHECK: bsp.compute_set "linalg.generic#{{[0-9]+}}"
// CHECK: bsp.generic_vertex
#id = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>
func.func @main(%a: tensor<4x6xf32>) -> (tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>) {
  %e = tensor.empty() : tensor<6x4xf32>
  %t = linalg.transpose ins(%a : tensor<4x6xf32>) outs(%e : tensor<6x4xf32>) permutation = [1, 0]
  %g = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x6xf32>) outs(%e : tensor<6x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<6x4xf32>
  %x = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x6xf32>) outs(%e : tensor<6x4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %v = math.exp %x : f32
    linalg.yield %v : f32
  } -> tensor<6x4xf32>
  return %t, %g, %x : tensor<6x4xf32>, tensor<6x4xf32>, tensor<6x4xf32>
}
